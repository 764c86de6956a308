package rubric_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/templates"
)

// TestDiffGolden: `chiso rubric diff` between the 2021, 2022 and 2023 sets
// of the seeds, level by level (and the two 2023 commune sets).
func TestDiffGolden(t *testing.T) {
	set := rubric.NewSet()
	if err := set.LoadFS(templates.FS, "templates"); err != nil {
		t.Fatal(err)
	}
	pairs := [][2]string{
		{"thanhhoa-huyen-2021", "quangtri-huyen-2022"},
		{"thanhhoa-so-2021", "quangtri-so-2022"},
		{"quangtri-xa-2022", "thanhhoa-xa-2023"},
		{"quangtri-xa-2022", "xuanlac-xa-2023"},
		{"thanhhoa-xa-2023", "xuanlac-xa-2023"},
	}
	for _, p := range pairs {
		t.Run(p[0]+"__"+p[1], func(t *testing.T) {
			a, _ := set.Get(p[0])
			b, _ := set.Get(p[1])
			got := rubric.Compare(a, b).Text()
			testkit.Golden(t, filepath.Join("testdata", "diff", p[0]+"__"+p[1]+".txt"), []byte(got))
		})
	}
}

const diffA = `id: tinh-xa-2024
name: Bộ chỉ số xã 2024
level: xa
year: 2024
max: 60
pillars:
  - code: "1"
    name: Nhận thức số
    max: 60
    indicators:
      - {code: "1.1", name: Có Ban Chỉ đạo, max: 10, method: "- Đã có: Điểm tối đa.", inputs: [{key: a, label: x, type: yes_no}], rule: {kind: yes_no, input: a}}
      - {code: "1.2", name: Tỷ lệ CBCC có máy tính, max: 10, inputs: [{key: a, label: x, type: count}, {key: b, label: y, type: count}], rule: {kind: ratio, num: a, den: b}}
      - {code: "1.3", name: Kế hoạch chuyển đổi số hằng năm, max: 10, inputs: [{key: a, label: x, type: yes_no}], rule: {kind: yes_no, input: a}}
      - {code: "1.4", name: Số tin bài về chuyển đổi số, max: 10, inputs: [{key: a, label: x, type: count}], rule: {kind: steps, value: a, steps: [{min: 10, fraction: 1}, {fraction: 0}]}}
      - {code: "1.5", name: Hệ thống camera an ninh, max: 10, inputs: [{key: a, label: x, type: yes_no}], rule: {kind: yes_no, input: a}}
      - {code: "1.6", name: Tỷ lệ sự cố đã xử lý, max: 10, inputs: [{key: a, label: x, type: count}, {key: b, label: y, type: count}], rule: {kind: ratio, num: a, den: b}}
`

const diffB = `id: tinh-xa-2025
name: Bộ chỉ số xã 2025
level: xa
year: 2025
max: 70
pillars:
  - code: "1"
    name: Nhận thức số
    max: 70
    indicators:
      - {code: "1.1", name: Có Ban Chỉ đạo, max: 10, method: "- Đã có: Điểm tối đa.\n- Chưa có: 0 điểm.", inputs: [{key: a, label: khác, type: yes_no}], rule: {kind: yes_no, input: a}}
      - {code: "1.2", name: Tỷ lệ CBCC có máy tính, max: 20, inputs: [{key: a, label: x, type: count}, {key: b, label: y, type: count}], rule: {kind: ratio, num: a, den: b}}
      - {code: "1.3", name: Số tin bài về chuyển đổi số, max: 10, inputs: [{key: a, label: x, type: count}], rule: {kind: steps, value: a, steps: [{min: 12, fraction: 1}, {fraction: 0}]}}
      - {code: "1.4", name: Kế hoạch chuyển đổi số hằng năm của xã, max: 10, inputs: [{key: a, label: x, type: yes_no}], rule: {kind: yes_no, input: a}}
      - {code: "1.5", name: Hạ tầng wifi công cộng, max: 10, inputs: [{key: a, label: x, type: yes_no}], rule: {kind: yes_no, input: a}}
      - {code: "1.6", name: Tỷ lệ sự cố đã xử lý, max: 10, inputs: [{key: a, label: x, type: count}, {key: b, label: y, type: count}], rule: {kind: ratio, num: a, den: b, zero_den: full}}
`

func TestCompareKinds(t *testing.T) {
	d := rubric.Compare(parse(t, diffA), parse(t, diffB))
	got := map[string]string{}
	for _, id := range d.Indicators {
		var k []string
		switch {
		case id.Added():
			k = append(k, "added")
		case id.Removed():
			k = append(k, "removed")
		}
		for _, f := range []struct {
			on   bool
			name string
		}{{id.Renumbered, "renumbered"}, {id.Renamed, "renamed"}, {id.MaxChanged, "max"}, {id.RuleChanged, "rule"}, {id.MethodChanged, "method"}, {id.Comparable(), "comparable"}} {
			if f.on {
				k = append(k, f.name)
			}
		}
		var key string
		switch {
		case id.B == nil:
			key = id.A.Code + "→"
		case id.A == nil:
			key = "→" + id.B.Code
		default:
			key = id.A.Code + "→" + id.B.Code
		}
		got[key] = strings.Join(k, ",")
	}
	want := map[string]string{
		"1.1→1.1": "method,comparable",             // same scoring, the text says more
		"1.2→1.2": "max",                           // another maximum
		"1.4→1.3": "renumbered,rule",               // matched by name, another step
		"1.3→1.4": "renumbered,renamed,comparable", // similar name, another code, same scoring
		"→1.5":    "added",                         // wifi is not the camera
		"1.5→":    "removed",
		"1.6→1.6": "rule", // another zero-denominator decision
	}
	if len(got) != len(want) {
		t.Errorf("got %v", got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %q, want %q", k, got[k], w)
		}
	}
	var nc []string
	for _, id := range d.NotComparable() {
		nc = append(nc, id.Code())
	}
	if strings.Join(nc, " ") != "1.2 1.3 1.5 1.6" {
		t.Errorf("not comparable: %v", nc)
	}
	text := d.Text()
	for _, s := range []string{"Chỉ số mới (chỉ có ở B) (1):", "1.4 → 1.3", "Điểm tối đa thay đổi (1):", "Không so sánh được với năm trước (4/6", "mẫu số 0: tối đa"} {
		if !strings.Contains(text, s) {
			t.Errorf("text lacks %q:\n%s", s, text)
		}
	}
}
