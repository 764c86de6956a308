package main

import (
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/values"
	"github.com/chiso-vn/chiso/processor/workbook"
	"github.com/chiso-vn/chiso/templates"
)

// trieuThanhWorkbook fills the 2023 template with the Triệu Thành figures,
// self-scores and a few of its explanations, through the defined names.
func trieuThanhWorkbook(t *testing.T) string {
	t.Helper()
	set := rubric.NewSet()
	if err := set.LoadFS(templates.FS, "templates"); err != nil {
		t.Fatal(err)
	}
	r, _ := set.Get("thanhhoa-xa-2023")
	vf, err := testkit.TrieuThanh()
	if err != nil {
		t.Fatal(err)
	}
	f, err := workbook.Template(r, workbook.TemplateOptions{Year: 2023, UnitCode: "TS01", UnitName: "Xã Triệu Thành"})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	named := workbook.Named(f)
	set1 := func(name string, v any) {
		c, ok := named[name]
		if !ok {
			t.Fatalf("no name %s", name)
		}
		if err := f.SetCellValue(c.Sheet, c.Addr, v); err != nil {
			t.Fatal(err)
		}
	}
	for k, v := range vf.General {
		set1(workbook.GeneralName(k), v)
	}
	for code, inputs := range vf.Indicators {
		_, ind := r.Indicator(code)
		for k, v := range inputs {
			in, _ := ind.Input(k)
			if in.Type == rubric.Choice {
				o, ok := values.MatchOption(in, fmt.Sprint(v))
				if !ok {
					t.Fatalf("%s.%s: no option %v", code, k, v)
				}
				v = o.Shown() // what the dropdown holds
			}
			set1(workbook.InputName(code, k), v)
		}
	}
	for code, s := range vf.Self {
		set1(workbook.SelfName(code), s)
	}
	for code, text := range map[string]string{"1.3": "Chưa có chuyên mục riêng", "1.4": "- chưa có chuyên mục riêng", "3.10": "-Chưa triển khai", "4.5": "- Chưa.", "8.2": "70%"} {
		set1(workbook.ExplainName(code), text)
	}
	path := filepath.Join(t.TempDir(), "UBND xã Triệu Thành - tự đánh giá 2023.xlsx")
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCheckTrieuThanh: `chiso check` on the filled template reports the
// same differences as the rubric test, each on its self-score cell.
func TestCheckTrieuThanh(t *testing.T) {
	path := trieuThanhWorkbook(t)
	out, errs, code := chiso(t, "check", "--json", path)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res CheckJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Outcome != "accepted" || res.Unit == nil || res.Unit.Code != "TS01" || res.FoundBy != "names" {
		t.Fatalf("outcome %s %+v found by %s: %s", res.Outcome, res.Unit, res.FoundBy, res.Message)
	}
	f, _ := workbookNames(t, path)
	byCode := map[string][]string{}
	for _, p := range res.Problems {
		if p.Code == "self-differs" {
			byCode[p.Indicator] = append(byCode[p.Indicator], p.Cell+" "+p.Message)
		}
	}
	for code, diff := range testkit.TrieuThanhDiffs {
		msgs := byCode[code]
		cell := f[workbook.SelfName(code)].Where()
		if len(msgs) != 1 || !strings.HasPrefix(msgs[0], cell+" ") {
			t.Errorf("%s: self-differs %v, want one on %s", code, msgs, cell)
			continue
		}
		var ij *IndicatorJSON
		for i := range res.Score.Indicators {
			if res.Score.Indicators[i].Code == code {
				ij = &res.Score.Indicators[i]
			}
		}
		if ij == nil || ij.Diff == nil || math.Abs(*ij.Diff-engine.Round2(diff)) > 1e-9 {
			t.Errorf("%s: diff %v, want %.2f", code, ij.Diff, diff)
		}
	}
	for code := range byCode {
		if _, ok := testkit.TrieuThanhDiffs[code]; !ok && !testkit.TrieuThanhNotReconstructed[code] {
			t.Errorf("%s: unexpected self-differs %v", code, byCode[code])
		}
	}
	// "Chưa …" explanations with points claimed are reported on the explanation cell.
	for _, code := range []string{"1.4", "3.10", "4.5"} {
		found := false
		for _, p := range res.Problems {
			if p.Code == "explain-contradicts" && p.Indicator == code && p.Cell == f[workbook.ExplainName(code)].Where() {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no explain-contradicts on %s", code, f[workbook.ExplainName(code)].Where())
		}
	}
	// The human report names the cells too.
	text, _, _ := chiso(t, "check", path)
	if !strings.Contains(text, "NHẬN — Xã Triệu Thành") || !strings.Contains(text, f[workbook.SelfName("4.4")].Where()) {
		t.Errorf("text report lacks the unit or the cell:\n%s", text)
	}
}

func workbookNames(t *testing.T, path string) (map[string]workbook.Cell, error) {
	t.Helper()
	f, err := openXLSX(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return workbook.Named(f), nil
}
