package validate_test

import (
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/text/unicode/norm"
	"gopkg.in/yaml.v3"

	_ "github.com/chiso-vn/chiso/internal/testkit" // the -update flag
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/validate"
	"github.com/chiso-vn/chiso/processor/values"
	"github.com/chiso-vn/chiso/templates"
)

// testRubric has one indicator per situation the checks care about.
const testRubric = `
id: test-xa-2024
name: Bộ chỉ số thử
level: xa
province: Thử
year: 2024
seed: test
max: 100
general:
  - {key: so_cbcc, label: Tổng số cán bộ công chức (CBCC), type: count}
  - {key: dan_so, label: Tổng số người dân trên địa bàn, type: count}
  - {key: chi_ngan_sach, label: Tổng chi ngân sách, type: money, unit: triệu đồng}
pillars:
  - code: "1"
    name: Thử
    max: 100
    indicators:
      - code: "1.1"
        name: Tỷ lệ CBCC tại UBND xã được trang bị máy tính phục vụ công việc hằng ngày
        max: 20
        inputs:
          - {key: a, label: Số CBCC được trang bị máy tính, type: count}
          - {key: b, label: Tổng số CBCC, type: count, same_as: so_cbcc}
        rule: {kind: ratio, num: a, den: b}
        validate:
          - {expr: a <= b, severity: error, message: "Số CBCC có máy tính (a) không thể lớn hơn tổng số CBCC (b)."}
      - code: "1.2"
        name: Tỷ lệ CBCC được tập huấn
        max: 10
        inputs:
          - {key: a, label: Số CBCC được tập huấn, type: count}
          - {key: b, label: Tổng số CBCC được cử đi, type: count}
        rule: {kind: target, num: a, den: b, target: 0.5}
      - code: "1.3"
        name: Có hệ thống truyền thanh thông minh
        max: 10
        inputs:
          - {key: a, label: Có hệ thống truyền thanh thông minh, type: yes_no}
        rule: {kind: yes_no, input: a}
        evidence: [Quyết định đầu tư]
      - code: "1.4"
        name: Kinh phí chi cho an toàn thông tin
        max: 10
        inputs:
          - {key: a, label: Tổng kinh phí chi cho an toàn thông tin, type: money, unit: triệu đồng}
        rule: {kind: cohort, value: a, method: best}
      - code: "1.5"
        name: Số điểm truy cập công cộng (tham khảo)
        max: 0
        inputs:
          - {key: a, label: Số điểm truy cập, type: count}
        rule: {kind: reference}
      - code: "1.6"
        name: Tỷ lệ lãnh đạo có chứng thư số
        max: 20
        inputs:
          - {key: a, label: Số lãnh đạo có chứng thư số, type: count}
          - {key: b, label: Tổng số lãnh đạo, type: count}
        rule: {kind: ratio, num: a, den: b}
        validate:
          - {expr: b <= so_cbcc, severity: warning, message: "Tổng số lãnh đạo (b) lớn hơn tổng số CBCC."}
      - code: "1.7"
        name: Nền tảng số
        max: 10
        rule: {kind: children}
        children:
          - code: "1.7.1"
            name: Có nền tảng họp trực tuyến
            max: 5
            inputs:
              - {key: a, label: Có nền tảng họp trực tuyến, type: yes_no}
            rule: {kind: yes_no, input: a}
          - code: "1.7.2"
            name: Có nền tảng phản ánh hiện trường
            max: 5
            inputs:
              - {key: a, label: Có nền tảng phản ánh hiện trường, type: yes_no}
            rule: {kind: yes_no, input: a}
`

func loadTest(t *testing.T) *rubric.Rubric {
	t.Helper()
	r, err := rubric.Parse(strings.NewReader(testRubric), "test")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// rows place each indicator on a row of sheet "Chỉ số": inputs in E, F…
var rows = map[string]int{"1.1": 10, "1.2": 11, "1.3": 12, "1.4": 13, "1.5": 14, "1.6": 15, "1.7": 16, "1.7.1": 17, "1.7.2": 18}

func inCell(code, key string) string {
	col := string(rune('E' + key[0] - 'a'))
	return "Chỉ số!" + col + strconv.Itoa(rows[code])
}
func selfCell(code string) string     { return "Chỉ số!H" + strconv.Itoa(rows[code]) }
func explainCell(code string) string  { return "Chỉ số!I" + strconv.Itoa(rows[code]) }
func evidenceCell(code string) string { return "Chỉ số!J" + strconv.Itoa(rows[code]) }
func genCell(key string) string {
	return "Thông tin chung!C" + strconv.Itoa(map[string]int{"so_cbcc": 5, "dan_so": 6, "chi_ngan_sach": 7}[key])
}

// clean is a submission with no problem at all; each case spoils one thing.
func clean(r *rubric.Rubric) validate.Input {
	v := engine.NewValues()
	in := validate.Input{Values: v, Explain: map[string]string{}, Evidence: map[string]string{}, Cells: map[string]string{}}
	gen := map[string]float64{"so_cbcc": 20, "dan_so": 5000, "chi_ngan_sach": 15000}
	for k, x := range gen {
		setGeneral(in, k, x, "")
		in.Cells["general/"+k] = genCell(k)
	}
	inputs := map[string]map[string]float64{
		"1.1": {"a": 18, "b": 20}, "1.2": {"a": 10, "b": 20}, "1.3": {"a": 1}, "1.4": {"a": 50},
		"1.5": {"a": 3}, "1.6": {"a": 1, "b": 2}, "1.7.1": {"a": 1}, "1.7.2": {"a": 0},
	}
	for code, m := range inputs {
		for k, x := range m {
			setInput(in, code, k, x, "")
		}
	}
	r.Walk(func(p *rubric.Pillar, ind *rubric.Indicator) {
		for _, x := range ind.Inputs {
			in.Cells[ind.Code+"/"+x.Key] = inCell(ind.Code, x.Key)
		}
		in.Cells[ind.Code+"/tu_cham"] = selfCell(ind.Code)
		in.Cells[ind.Code+"/giai_trinh"] = explainCell(ind.Code)
		in.Cells[ind.Code+"/kiem_chung"] = evidenceCell(ind.Code)
		in.Evidence[ind.Code] = "Báo cáo số 12/BC-UBND"
		in.Explain[ind.Code] = "Đã thực hiện"
	})
	for code, s := range map[string]float64{"1.1": 18, "1.2": 10, "1.3": 10, "1.6": 10, "1.7": 5, "1.7.1": 5, "1.7.2": 0} {
		v.Self[code] = s
	}
	return in
}

// setInput stores a figure as the reader would: with its cell and the
// text as typed (the plain number unless text is given).
func setInput(in validate.Input, code, key string, x float64, text string) {
	if text == "" {
		text = strconv.FormatFloat(x, 'f', -1, 64)
	}
	in.Values.Set(code, key, engine.Value{Set: true, Num: x, Text: text, Cell: inCell(code, key)})
}

func setGeneral(in validate.Input, key string, x float64, text string) {
	if text == "" {
		text = strconv.FormatFloat(x, 'f', -1, 64)
	}
	in.Values.General[key] = engine.Value{Set: true, Num: x, Text: text, Cell: genCell(key)}
}

func check(t *testing.T, r *rubric.Rubric, in validate.Input) []problem.Problem {
	t.Helper()
	sc, err := engine.New(r)
	if err != nil {
		t.Fatal(err)
	}
	return validate.Check(r, in, sc.Score(in.Values))
}

func TestClean(t *testing.T) {
	r := loadTest(t)
	if ps := check(t, r, clean(r)); len(ps) != 0 {
		t.Fatalf("clean submission has problems:\n%s", dump(ps))
	}
}

func dump(ps []problem.Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Code + " " + p.String() + "\n")
	}
	return b.String()
}

func TestChecks(t *testing.T) {
	r := loadTest(t)
	type want struct {
		sev       problem.Severity
		code      string
		indicator string
		cell      string
		mentions  []string // besides the cell and the indicator
	}
	cases := []struct {
		name   string
		spoil  func(in validate.Input)
		want   want
		absent []string // codes that must not be reported on the same indicator
	}{
		{"negative input", func(in validate.Input) { setInput(in, "1.1", "a", -3, "") },
			want{problem.Error, validate.CodeNegative, "1.1", inCell("1.1", "a"), []string{"-3", "số âm"}}, nil},
		{"negative general", func(in validate.Input) { setGeneral(in, "dan_so", -1, "") },
			want{problem.Error, validate.CodeNegative, "", genCell("dan_so"), []string{"Thông tin chung", "-1"}}, nil},
		{"negative self-score", func(in validate.Input) { in.Values.Self["1.1"] = -5 },
			want{problem.Error, validate.CodeNegative, "1.1", selfCell("1.1"), []string{"-5"}}, nil},
		{"count not whole", func(in validate.Input) { setInput(in, "1.5", "a", 2.5, "2,5") },
			want{problem.Warning, validate.CodeNotWhole, "1.5", inCell("1.5", "a"), []string{"2,5", "số nguyên"}}, nil},
		{"rubric validate expression", func(in validate.Input) { setInput(in, "1.1", "a", 25, "") },
			want{problem.Error, validate.CodeRubricCheck, "1.1", inCell("1.1", "a"), []string{"không thể lớn hơn tổng số CBCC", "a = 25 ở ô " + inCell("1.1", "a"), "b = 20 ở ô " + inCell("1.1", "b")}},
			[]string{validate.CodeRatioOver100}},
		{"ratio over 100 % without a rubric check", func(in validate.Input) { setInput(in, "1.2", "a", 25, "") },
			want{problem.Error, validate.CodeRatioOver100, "1.2", inCell("1.2", "a"), []string{"125 %", "a = 25", "b = 20"}}, nil},
		{"ratio over 100 % besides an unrelated rubric check", func(in validate.Input) {
			setInput(in, "1.6", "a", 40, "")
			setInput(in, "1.6", "b", 30, "")
		}, want{problem.Error, validate.CodeRatioOver100, "1.6", inCell("1.6", "a"), []string{"133,33 %"}}, nil},
		{"unrelated rubric check is reported too", func(in validate.Input) {
			setInput(in, "1.6", "a", 40, "")
			setInput(in, "1.6", "b", 30, "")
		}, want{problem.Warning, validate.CodeRubricCheck, "1.6", inCell("1.6", "b"), []string{"lớn hơn tổng số CBCC", "Thông tin chung \"Tổng số cán bộ công chức (CBCC)\" = 20 ở ô " + genCell("so_cbcc")}}, nil},
		{"denominator differs from general information", func(in validate.Input) { setInput(in, "1.1", "b", 19, "") },
			want{problem.Warning, validate.CodeGeneralMismatch, "1.1", inCell("1.1", "b"), []string{"19", "20", genCell("so_cbcc")}}, nil},
		{"general information empty", func(in validate.Input) { delete(in.Values.General, "so_cbcc") },
			want{problem.Info, validate.CodeGeneralEmpty, "1.1", inCell("1.1", "b"), []string{"để trống", genCell("so_cbcc")}}, nil},
		{"missing figure", func(in validate.Input) { delete(in.Values.Inputs["1.1"], "a") },
			want{problem.Warning, validate.CodeMissing, "1.1", inCell("1.1", "a"), []string{"thiếu số liệu", "a \"Số CBCC được trang bị máy tính\"", "0 điểm"}}, nil},
		{"zero denominator", func(in validate.Input) {
			setInput(in, "1.6", "a", 0, "")
			setInput(in, "1.6", "b", 0, "")
		}, want{problem.Warning, validate.CodeZeroDen, "1.6", inCell("1.6", "b"), []string{"mẫu số bằng 0"}}, nil},
		{"self-score above maximum", func(in validate.Input) { in.Values.Self["1.1"] = 25 },
			want{problem.Error, validate.CodeSelfAboveMax, "1.1", selfCell("1.1"), []string{"25", "tối đa 20", "18"}},
			[]string{validate.CodeSelfDiffers}},
		{"self-score differs", func(in validate.Input) { in.Values.Self["1.1"] = 10 },
			want{problem.Warning, validate.CodeSelfDiffers, "1.1", selfCell("1.1"), []string{"tự chấm 10", "tính được 18", "cao hơn 8"}}, nil},
		{"self-score of a cohort indicator", func(in validate.Input) { in.Values.Self["1.4"] = 5 },
			want{problem.Info, validate.CodeSelfCohort, "1.4", selfCell("1.4"), []string{"Min-Max"}}, nil},
		{"self-score on a reference indicator", func(in validate.Input) { in.Values.Self["1.5"] = 2 },
			want{problem.Warning, validate.CodeSelfReference, "1.5", selfCell("1.5"), []string{"tham khảo"}},
			[]string{validate.CodeSelfAboveMax, validate.CodeSelfDiffers}},
		{"explanation contradicts the self-score", func(in validate.Input) {
			in.Explain["1.3"] = "Chưa triển khai"
			setInput(in, "1.3", "a", 0, "Không")
			in.Values.Self["1.3"] = 10
		}, want{problem.Warning, validate.CodeExplainContradict, "1.3", explainCell("1.3"), []string{"Chưa triển khai", selfCell("1.3"), "10"}}, nil},
		{"points claimed without evidence", func(in validate.Input) { in.Evidence["1.3"] = " - " },
			want{problem.Info, validate.CodeNoEvidence, "1.3", evidenceCell("1.3"), []string{"kiểm chứng", "Quyết định đầu tư"}}, nil},
		{"money in đồng", func(in validate.Input) { setInput(in, "1.4", "a", 9_000_000, "9000000") },
			want{problem.Warning, validate.CodeMoneyInDong, "1.4", inCell("1.4", "a"), []string{"9.000.000", "nhập 9."}}, nil},
		{"general money in đồng", func(in validate.Input) { setGeneral(in, "chi_ngan_sach", 15_000_000_000, "") },
			want{problem.Warning, validate.CodeMoneyInDong, "", genCell("chi_ngan_sach"), []string{"Thông tin chung", "nhập 15.000."}}, nil},
		{"fraction typed for a count", func(in validate.Input) { setInput(in, "1.1", "a", 0.9, "0,9") },
			want{problem.Warning, validate.CodePercentAsCount, "1.1", inCell("1.1", "a"), []string{"0,9", "số lượng"}},
			[]string{validate.CodeNotWhole}},
		{"percent typed for a count", func(in validate.Input) { setInput(in, "1.1", "a", 90, "90%") },
			want{problem.Warning, validate.CodePercentAsCount, "1.1", inCell("1.1", "a"), []string{"\"90%\""}}, nil},
		{"general figures that cannot be", func(in validate.Input) { setGeneral(in, "so_cbcc", 6000, "") },
			want{problem.Warning, validate.CodeGeneralAbsurd, "", genCell("so_cbcc"), []string{"6.000", "5.000", genCell("dan_so"), "Thông tin chung"}}, nil},
		{"parent and child self-scores: the child is reported", func(in validate.Input) { in.Values.Self["1.7.2"] = 5 },
			want{problem.Warning, validate.CodeSelfDiffers, "1.7.2", selfCell("1.7.2"), nil}, nil},
		{"no self-score", func(in validate.Input) { delete(in.Values.Self, "1.3") },
			want{problem.Warning, validate.CodeSelfMissing, "1.3", selfCell("1.3"), []string{"chưa tự chấm"}}, nil},
		{"no self-score on a child when its sibling has one", func(in validate.Input) {
			delete(in.Values.Self, "1.7")
			delete(in.Values.Self, "1.7.2")
		}, want{problem.Warning, validate.CodeSelfMissing, "1.7.2", selfCell("1.7.2"), []string{"chưa tự chấm"}}, nil},
		{"no self-score on a parent nor its children", func(in validate.Input) {
			for _, c := range []string{"1.7", "1.7.1", "1.7.2"} {
				delete(in.Values.Self, c)
			}
		}, want{problem.Warning, validate.CodeSelfMissing, "1.7", selfCell("1.7"), []string{"chưa tự chấm"}}, nil},
		{"no self-score at all", func(in validate.Input) { clear(in.Values.Self) },
			want{problem.Warning, validate.CodeSelfMissing, "", "", []string{"chưa tự chấm chỉ số nào"}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			in := clean(r)
			tc.spoil(in)
			ps := check(t, r, in)
			var got *problem.Problem
			for i, p := range ps {
				if p.Code == tc.want.code && p.Indicator == tc.want.indicator && p.Cell == tc.want.cell {
					got = &ps[i]
				}
				for _, a := range tc.absent {
					if p.Code == a && p.Indicator == tc.want.indicator {
						t.Errorf("also reported %s:\n%s", a, p)
					}
				}
			}
			if got == nil {
				t.Fatalf("no %s on %q at %s; got:\n%s", tc.want.code, tc.want.indicator, tc.want.cell, dump(ps))
			}
			if testing.Verbose() {
				t.Log(got)
			}
			if got.Severity != tc.want.sev {
				t.Errorf("severity %s, want %s", got.Severity, tc.want.sev)
			}
			mentions := append([]string{tc.want.cell}, tc.want.mentions...)
			if tc.want.indicator != "" {
				mentions = append(mentions, "Chỉ số "+tc.want.indicator+" \"")
			}
			for _, m := range mentions {
				if !strings.Contains(got.Message, m) {
					t.Errorf("message does not mention %q:\n%s", m, got.Message)
				}
			}
		})
	}
	// The parent whose child carries the difference is not reported again.
	in := clean(r)
	in.Values.Self["1.7.2"] = 5
	for _, p := range check(t, r, in) {
		if p.Indicator == "1.7" {
			t.Errorf("parent reported: %s", p)
		}
	}
}

// Every occurrence is reported, not just the first.
func TestAllOccurrences(t *testing.T) {
	r := loadTest(t)
	in := clean(r)
	setInput(in, "1.1", "a", -1, "")
	setInput(in, "1.2", "a", -2, "")
	setInput(in, "1.6", "b", -3, "")
	setGeneral(in, "dan_so", -4, "")
	n := 0
	for _, p := range check(t, r, in) {
		if p.Code == validate.CodeNegative {
			n++
		}
	}
	if n != 4 {
		t.Errorf("%d negative figures reported, want 4", n)
	}
}

func TestSorted(t *testing.T) {
	r := loadTest(t)
	in := clean(r)
	in.Values.Self["1.6"] = 5        // warning on 1.6
	in.Values.Self["1.3"] = 5        // warning on 1.3
	setInput(in, "1.2", "a", 30, "") // error on 1.2
	in.Evidence["1.1"] = ""          // info on 1.1
	setGeneral(in, "dan_so", 10, "") // warning on general information: 20 CBCC, 10 people
	ps := check(t, r, in)
	var got []string
	for _, p := range ps {
		got = append(got, string(p.Severity)+" "+p.Indicator+" "+p.Code)
	}
	want := []string{
		"error 1.2 ratio-over-100",
		"warning  general-absurd",
		"warning 1.3 self-differs",
		"warning 1.6 self-differs",
		"info 1.1 no-evidence",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("order:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestContradicts(t *testing.T) {
	cases := []struct {
		text string
		want bool
	}{
		{"Chưa triển khai", true},
		{"-Chưa triển khai", true},
		{"- chưa có chuyên mục riêng", true},
		{"Chưa.", true},
		{"Chưa có", true},
		{"Chưa ban hành", true},
		{"Không", true},
		{"không có", true},
		{"KHÔNG THỰC HIỆN", true},
		{"Chua trien khai", true},                  // typed without diacritics
		{norm.NFD.String("Chưa triển khai"), true}, // decomposed Unicode (macOS)
		{"Xã chưa có Ban Chỉ đạo", true},
		{"Hiện nay chưa lắp đặt", true},
		{"Không áp dụng", true},
		{"Không chi ngân sách", true},
		{"", false},
		{"-", false},
		{"Đã triển khai", false},
		{"Đã có kế hoạch, chưa triển khai đến thôn", false}, // a partial result: negation not at the start
		{"Có 70 %", false},
		{"- có 70 %)% giao dịch TK NH", false},
		{"Không có sự cố mất an toàn thông tin", false},
		{"Chưa phát hiện sự cố", false},
		{"Không để xảy ra vi phạm", false},
		{"Không phát sinh", false},
		{"Thanh toán không dùng tiền mặt 70%", false},
		{"Không dùng tiền mặt", false},
		{"Không giấy tờ", false},
		{"Không ngừng nâng cao chất lượng", false},
		{"Không những triển khai mà còn mở rộng", false},
		{"Không có hồ sơ trễ hạn", false},
		{"5 lần/ tháng", false},
		{"Chủ tịch cấp trưởng", false},
		{"Khoảng 50%", false}, // "khong" must be a whole word
	}
	for _, tc := range cases {
		if got := validate.Contradicts(tc.text); got != tc.want {
			t.Errorf("Contradicts(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

// trieuThanhDiffs are the indicators where the engine's score differs from
// Triệu Thành's 2023 self-score (templates/trieuthanh_test.go), plus those
// the report gives no figures for, which score 0 for missing data.
var trieuThanhDiffs = []string{
	"1.2", "1.3", "1.4", "3.9", "3.10", "4.4", "4.5", "6.6", "6.7", "6.10", "7.4", "8.1", "8.2", "8.4",
	// no figures in the report: 0 points, self-score 10 or 20
	"3.7", "6.13", "7.1", "7.2", "7.3", "7.6",
}

// trieuThanhExplain are explanations from the report (seed 004, "Giải
// trình kết quả"), as typed there.
var trieuThanhExplain = map[string]string{
	"1.1": "- Chủ tịch cấp trưởng\n- Phó chủ tịch cấp phó", "1.2": "- cấp trưởng chủ trì 3\n- cấp phú chủ trì 1",
	"1.3": "Chưa có chuyên mục riêng", "1.4": "- chưa có chuyên mục riêng", "1.5": "- 5 lần/ tháng",
	"1.6": "- Đã tổ chức tập huấn", "2.1": "- có nghị quyết chuyên đề tháng 11/2023",
	"2.2": "- Có kế hoạch cụ thể của BCH số xã", "2.3": "- Có kế hoạch của BCĐ số xã", "2.5": "-Chưa ban hành",
	"3.1": "- 19/19 CBCC có may tính\n- Tổng số 19 CBCC.", "3.2": "- 19/19 kết nối Internet.\n- Tổng 19 máy tinh.",
	"3.4": "- có 50% dân số sử dung điện thoại thông minh", "3.5": "- có 50% hộ dân đã kết nối Intrnet.",
	"3.6": "- Chưa phủ tối đa.", "3.7": "-", "3.8": "- Chưa lắp đặt", "3.9": "- Bộ phận 1 cửa đã có Intrnet.",
	"3.10": "-Chưa triển khai", "3.11": "- Chưa chi NS", "4.5": "- Chưa.", "5.1": "- Chưa phát hiện",
	"5.4": "- 9 triệu đông/năm", "6.1": "- 86 tin bài / năm", "6.2": "- 100%", "6.5": "- Chưa triển khai đến thôn, bản",
	"6.7": "- 10 CBCC.\n- Tổng số 19 CBCC.", "6.8": "-Toàn bộ văn bản đến đi", "6.10": "- Được cấp chứng thư số11 CBCC\n- 19 CBBCC",
	"7.4": "- 50% DN nộp thế điện tử", "7.5": "- có", "7.6": "- %) % DN", "7.7": "- Chưa có",
	"8.1": "- 90 % người dân có tài khoản định danh", "8.2": "70%", "8.3": "- Không có khu di tích", "8.4": "81%",
	"8.5": "Chưa có",
}

// loadTrieuThanh loads the Triệu Thành 2023 figures and scores them.
func loadTrieuThanh(tb testing.TB) (*rubric.Rubric, engine.Values, *engine.Result) {
	tb.Helper()
	data, err := os.ReadFile("../../templates/testdata/trieu-thanh-2023.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	var vf values.File
	if err := yaml.Unmarshal(data, &vf); err != nil {
		tb.Fatal(err)
	}
	set := rubric.NewSet()
	if err := set.LoadFS(templates.FS, ""); err != nil {
		tb.Fatal(err)
	}
	r, ok := set.Get(vf.Rubric)
	if !ok {
		tb.Fatalf("no rubric %s", vf.Rubric)
	}
	v, err := values.FromFile(r, vf)
	if err != nil {
		tb.Fatal(err)
	}
	sc, err := engine.New(r)
	if err != nil {
		tb.Fatal(err)
	}
	return r, v, sc.Score(v)
}

func TestTrieuThanh2023(t *testing.T) {
	r, v, res := loadTrieuThanh(t)
	ps := validate.Check(r, validate.Input{Values: v, Explain: trieuThanhExplain}, res)

	byCode := map[string][]string{}
	for _, p := range ps {
		byCode[p.Code] = append(byCode[p.Code], p.Indicator)
	}
	sorted := func(xs []string) string {
		xs = append([]string(nil), xs...)
		sort.Strings(xs)
		return strings.Join(xs, " ")
	}
	if got, want := sorted(byCode[validate.CodeSelfDiffers]), sorted(trieuThanhDiffs); got != want {
		t.Errorf("self-score differences on\n  %s\nwant\n  %s", got, want)
	}
	if got, want := sorted(byCode[validate.CodeExplainContradict]), "1.3 1.4 3.10 4.5"; got != want {
		t.Errorf("contradicting explanations on %s, want %s", got, want)
	}
	// Min-Max indicators with a self-score wait for the cohort.
	if got, want := sorted(byCode[validate.CodeSelfCohort]), "3.4 3.5 5.4"; got != want {
		t.Errorf("cohort self-scores on %s, want %s", got, want)
	}
	// "Chưa có chuyên mục riêng" without an article count is missing data.
	if !strings.Contains(" "+sorted(byCode[validate.CodeMissing])+" ", " 1.3 ") {
		t.Errorf("1.3 not reported as missing data: %v", byCode[validate.CodeMissing])
	}
	// Each difference message gives both scores.
	for _, p := range ps {
		if p.Code != validate.CodeSelfDiffers {
			continue
		}
		ir := res.Indicator(p.Indicator)
		for _, m := range []string{"Chỉ số " + p.Indicator + " \"", "tự chấm " + validate.FormatNum(*ir.Self), "tính được " + validate.FormatNum(ir.Points)} {
			if !strings.Contains(p.Message, m) {
				t.Errorf("%s: message does not mention %q: %s", p.Indicator, m, p.Message)
			}
		}
	}
	if testing.Verbose() {
		t.Log("\n" + dump(ps))
	}
}

// Check runs concurrently in a batch: the expression cache is shared.
func TestConcurrent(t *testing.T) {
	r, v, res := loadTrieuThanh(t)
	want := dump(validate.Check(r, validate.Input{Values: v, Explain: trieuThanhExplain}, res))
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := dump(validate.Check(r, validate.Input{Values: v, Explain: trieuThanhExplain}, res)); got != want {
				t.Error("concurrent Check gave a different result")
			}
		}()
	}
	wg.Wait()
}

func TestFormatNum(t *testing.T) {
	for x, want := range map[float64]string{
		0: "0", 17.5: "17,5", 10.526315: "10,53", 1234.5: "1.234,5", 9_000_000: "9.000.000", -2.5: "-2,5", -0.001: "0", 999.999: "1.000",
	} {
		if got := validate.FormatNum(x); got != want {
			t.Errorf("FormatNum(%v) = %q, want %q", x, got, want)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	r, v, res := loadTrieuThanh(b)
	in := validate.Input{Values: v, Explain: trieuThanhExplain}
	for b.Loop() {
		validate.Check(r, in, res)
	}
}

// TestInvalid: errors on figures make their indicators unusable (so they
// score 0 until corrected), an error on a general figure those that use it;
// errors on self-scores and warnings change nothing. The error messages
// say so.
func TestInvalid(t *testing.T) {
	r := loadTest(t)
	for _, tt := range []struct {
		name  string
		spoil func(in validate.Input)
		want  []string
		says  string
	}{
		{"a > b", func(in validate.Input) { setInput(in, "1.2", "a", 25, "") }, []string{"1.2"}, "Chỉ số này không tính điểm cho đến khi sửa."},
		{"rubric check", func(in validate.Input) { setInput(in, "1.1", "a", 25, "") }, []string{"1.1"}, "Chỉ số này không tính điểm cho đến khi sửa."},
		{"negative count", func(in validate.Input) { setInput(in, "1.6", "b", -2, "") }, []string{"1.6"}, "Chỉ số này không tính điểm cho đến khi sửa."},
		{"negative general figure no rule reads", func(in validate.Input) { setGeneral(in, "dan_so", -1, "") }, nil,
			"Các chỉ số dùng số liệu này không tính điểm cho đến khi sửa."},
		{"self-score above the maximum", func(in validate.Input) { in.Values.Self["1.1"] = 25 }, nil, ""},
		{"a warning", func(in validate.Input) { setInput(in, "1.1", "b", 19, "") }, nil, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := clean(r)
			tt.spoil(in)
			ps := check(t, r, in)
			if got := validate.Invalid(r, ps); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Invalid = %v, want %v\n%s", got, tt.want, dump(ps))
			}
			if tt.says != "" && !strings.Contains(dump(ps), tt.says) {
				t.Errorf("no error says %q:\n%s", tt.says, dump(ps))
			}
		})
	}
}

// TestInvalidGeneral: an error on a general figure makes unusable the
// indicators whose rule reads it, not those with a figure of their own.
func TestInvalidGeneral(t *testing.T) {
	r, err := rubric.Parse(strings.NewReader(`
id: test-general
name: Thử
level: xa
province: Thử
year: 2024
seed: test
max: 20
general:
  - {key: so_cbcc, label: Tổng số CBCC, type: count}
pillars:
  - code: "1"
    name: Thử
    max: 20
    indicators:
      - {code: "1.1", name: dùng số CBCC, max: 10, inputs: [{key: a, label: a, type: count}], rule: {kind: ratio, num: a, den: so_cbcc}}
      - {code: "1.2", name: riêng, max: 10, inputs: [{key: a, label: a, type: count}, {key: b, label: b, type: count}], rule: {kind: ratio, num: a, den: b}}
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	ps := []problem.Problem{{Severity: problem.Error, Code: validate.CodeNegative, Input: "so_cbcc"}}
	if got := validate.Invalid(r, ps); len(got) != 1 || got[0] != "1.1" {
		t.Errorf("Invalid = %v, want [1.1]", got)
	}
}
