package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/workbook"
)

// chiso runs the CLI in-process from the repository root's config.
func chiso(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"--config", "../../config.yaml"}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

func TestScoreTrieuThanh(t *testing.T) {
	out, errs, code := chiso(t, "score", "--values", "../../templates/testdata/trieu-thanh-2023.yaml", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res ScoreJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"1.2": 17.5, "1.3": 0, "3.9": 5, "4.4": 2.11, "6.6": 12, "6.7": 10.53, "6.10": 5.79, "8.1": 27, "8.2": 30, "8.4": 40.5}
	wantDiff := map[string]float64{"1.2": -2.5, "4.4": -17.89, "8.2": 10}
	seen := 0
	for _, ij := range res.Indicators {
		if w, ok := want[ij.Code]; ok {
			seen++
			if ij.Points != w {
				t.Errorf("%s: %v, want %v", ij.Code, ij.Points, w)
			}
		}
		if w, ok := wantDiff[ij.Code]; ok && (ij.Diff == nil || *ij.Diff != w) {
			t.Errorf("%s: diff %v, want %v", ij.Code, ij.Diff, w)
		}
	}
	if seen != len(want) || res.Self == nil || *res.Self != 775 || res.Pending != 5 || res.Max != 1000 {
		t.Errorf("seen %d, self %v, pending %d, max %v", seen, res.Self, res.Pending, res.Max)
	}
	// The human report says the same.
	text, _, code := chiso(t, "score", "--values", "../../templates/testdata/trieu-thanh-2023.yaml")
	if code != 0 || !strings.Contains(text, " 17,5 ") || !strings.Contains(text, "tự chấm 775)") || !strings.Contains(text, "xếp hạng sau") {
		t.Errorf("text report:\n%s", text)
	}
}

func TestScoreRejectsUnknownInput(t *testing.T) {
	p := filepath.Join(t.TempDir(), "v.yaml")
	os.WriteFile(p, []byte("rubric: thanhhoa-xa-2023\nindicators:\n  \"3.1\": {a: nhiều, z: 3}\n  \"9.9\": {a: 1}\n"), 0o644)
	_, errs, code := chiso(t, "score", "--values", p)
	if code != exitFailed {
		t.Fatalf("exit %d, want %d", code, exitFailed)
	}
	for _, s := range []string{"indicators.3.1.a", "indicators.3.1.z", "indicators.9.9"} {
		if !strings.Contains(errs, s) {
			t.Errorf("error output lacks %s:\n%s", s, errs)
		}
	}
}

func TestRubricCommands(t *testing.T) {
	out, errs, code := chiso(t, "rubric", "list")
	if code != 0 || strings.Count(out, "\n") != 8 || !strings.Contains(out, "thanhhoa-xa-2023") || !strings.Contains(out, "(mặc định)") {
		t.Errorf("list (exit %d): %s%s", code, out, errs)
	}
	totals := map[string]string{
		"thanhhoa-xa-2023": "1.000", "xuanlac-xa-2023": "900", "quangtri-xa-2022": "880", "quangtri-huyen-2022": "880",
		"quangtri-so-2022": "485", "thanhhoa-huyen-2021": "270", "thanhhoa-so-2021": "160",
	}
	for id, total := range totals {
		out, _, code := chiso(t, "rubric", "show", id)
		if code != 0 || !strings.Contains(out, "Tổng điểm tối đa (các chỉ số chính): "+total+"  (văn bản ghi: "+total+")") {
			t.Errorf("show %s: exit %d, no total %s", id, code, total)
		}
	}
	out, _, _ = chiso(t, "rubric", "show", "quangtri-so-2022")
	if !strings.Contains(out, "(A + B) * 485 / (485 + C)") || !strings.Contains(out, "Lĩnh vực ưu tiên: 260") {
		t.Errorf("show quangtri-so-2022 lacks the formula or the priority tables")
	}
	out, errs, code = chiso(t, "rubric", "check")
	if code != 0 || strings.Count(out, "  0 lỗi,") != 7 || !strings.Contains(out, "quyết định đã ghi") {
		t.Errorf("check all (exit %d):\n%s%s", code, out, errs)
	}
}

func TestRubricCheckFailsOnErrors(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(p, []byte(`id: bad
name: hỏng
level: xa
province: X
year: 2023
seed: test
max: 100
pillars:
  - code: "1"
    name: Một
    max: 100
    indicators:
      - {code: "1.1", name: a, max: 10, inputs: [{key: a, label: a, type: count}], rule: {kind: ratio, num: a, den: b}}
`), 0o644)
	out, _, code := chiso(t, "rubric", "check", p)
	if code != exitFailed || !strings.Contains(out, "pillar-max-sum") || !strings.Contains(out, "undefined-variable") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"rubric"}, {"score"}, {"rubric", "show", "no-such-rubric"}, {"template", "--unit", "X", "--all"}} {
		if _, _, code := chiso(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d", args, code, exitUsage)
		}
	}
	var out, errb bytes.Buffer
	if code := run(context.Background(), []string{"--config", "/nonexistent/config.yaml", "rubric", "list"}, &out, &errb); code != exitConfig {
		t.Errorf("missing explicit config: exit %d, want %d", code, exitConfig)
	}
}

func TestTemplateCommand(t *testing.T) {
	dir := t.TempDir()
	out, errs, code := chiso(t, "template", "--unit", "xa trieu thanh", "--year", "2026", "--out", dir)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	path := strings.TrimSpace(out)
	if filepath.Base(path) != "bieu-mau-ts01-xa-trieu-thanh-2026.xlsx" {
		t.Fatalf("wrote %q", path)
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, _ := os.ReadFile(path)
	book, err := workbook.Open(data, workbook.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	m := book.Meta()
	if m.RubricID != "thanhhoa-xa-2023" || m.UnitCode != "TS01" || m.UnitName != "Xã Triệu Thành" || m.Year != "2026" {
		t.Errorf("meta %+v", m)
	}
	rows, _ := f.GetRows(workbook.SheetGuide)
	var guide string
	for _, r := range rows {
		guide += strings.Join(r, " ") + "\n"
	}
	if !strings.Contains(guide, "Hạn nộp: 15/12/2023") || !strings.Contains(guide, "UBND huyện Triệu Sơn") {
		t.Errorf("guide does not show the deadline and office from config: %q", guide)
	}
	out, _, code = chiso(t, "template", "--all", "--out", dir)
	if code != 0 || strings.Count(out, "\n") != 10 {
		t.Errorf("--all: exit %d, %d files", code, strings.Count(out, "\n"))
	}
	_, errs, code = chiso(t, "template", "--unit", "Triệu Thanh Mới", "--out", dir)
	if code != exitUsage || !strings.Contains(errs, `trong danh sách đơn vị (roster) của config.yaml; có phải "Xã Triệu Thành"`) {
		t.Errorf("unknown unit: exit %d, %s", code, errs)
	}
}

func openXLSX(path string) (*excelize.File, error) { return excelize.OpenFile(path) }

// chisoWith runs the CLI in-process on a config written to a fresh folder
// (with its inbox/ and outbox/), and returns the folder too.
func chisoWith(t *testing.T, config string, args ...string) (stdout, stderr string, code int, dir string) {
	t.Helper()
	dir = officeDir(t, config, "inbox", "outbox")
	stdout, stderr, code = chisoAt(t, dir, time.Now(), args...)
	return stdout, stderr, code, dir
}

// officeDir writes config.yaml in a fresh folder with the given subfolders.
func officeDir(t *testing.T, config string, folders ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range folders {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// chisoAt runs the CLI in-process on dir's config with the clock at now.
func chisoAt(t *testing.T, dir string, now time.Time, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = runAt(context.Background(), func() time.Time { return now }, append([]string{"--config", filepath.Join(dir, "config.yaml")}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// TestTemplateToneMarks: `template --unit` finds the unit whose name is the
// one asked, tone marks included, not the first one equal without
// diacritics; the roster's lookalikes are named in a warning.
func TestTemplateToneMarks(t *testing.T) {
	cfg := "year: 2023\nroster:\n  - {code: H1, name: Xã Hợp Thành}\n  - {code: H2, name: Xã Hợp Thanh}\n"
	for name, want := range map[string]string{"Xã Hợp Thanh": "H2", "xã hợp thành": "H1", "H2": "H2"} {
		out, errs, code, _ := chisoWith(t, cfg, "template", "--unit", name, "--out", t.TempDir())
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", name, code, errs)
		}
		if got := filepath.Base(strings.TrimSpace(out)); !strings.HasPrefix(got, "bieu-mau-"+strings.ToLower(want)+"-") {
			t.Errorf("--unit %q wrote %s, want %s's form", name, got, want)
		}
		if !strings.Contains(errs, `"Xã Hợp Thành" (mã H1) và "Xã Hợp Thanh" (mã H2) trùng tên khi bỏ dấu`) {
			t.Errorf("no warning naming both lookalikes: %q", errs)
		}
	}
	_, errs, code, _ := chisoWith(t, cfg, "template", "--unit", "Hop Thanh", "--out", t.TempDir())
	if code != exitUsage || !strings.Contains(errs, "Xã Hợp Thành") || !strings.Contains(errs, "Xã Hợp Thanh") {
		t.Errorf("a name without diacritics that fits both: exit %d, %s", code, errs)
	}
	// Without codes, the two cannot be told apart in the ledger: a config error.
	_, errs, code, _ = chisoWith(t, "roster:\n  - {name: Xã Hợp Thành}\n  - {name: Xã Hợp Thanh}\n", "template")
	if code != exitConfig || !strings.Contains(errs, "give each of them a code") {
		t.Errorf("lookalikes without codes: exit %d, %s", code, errs)
	}
}

// TestBadConfigValue: a bad value stops every command with exit code 3 and
// a message naming the key and the line.
func TestBadConfigValue(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte("rubric: thanhhoa-xa-2023\nlimits:\n  max_file_mb: 99999999999999\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"status", "process", "serve", "rank", "remind"} {
		_, errs, code := chiso(t, "--config", path, cmd)
		if code != exitConfig || !strings.Contains(errs, "config.yaml:3: limits.max_file_mb") {
			t.Errorf("%s: exit %d, %q", cmd, code, errs)
		}
	}
}
