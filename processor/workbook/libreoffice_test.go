package workbook

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/rubric"
)

// soffice returns the LibreOffice binary. CI installs it (.ci/run), so
// there its absence is a failure, not a skip.
func soffice(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("LibreOffice tests are slow; skipped with -short")
	}
	p, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("soffice not found: .ci/run should have installed libreoffice-calc-nogui")
		}
		t.Skip("soffice not installed (LookPath)")
	}
	return p
}

func runSoffice(t *testing.T, bin, dir, convertTo string, files ...string) {
	t.Helper()
	profile := "file://" + filepath.Join(t.TempDir(), "profile")
	args := append([]string{"-env:UserInstallation=" + profile, "--headless", "--norestore", "--convert-to", convertTo, "--outdir", dir}, files...)
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice --convert-to %s: %v\n%s", convertTo, err, out)
	}
}

// TestTemplatesInLibreOffice converts every shipped rubric's template to
// PDF, and recalculates a filled copy of each: LibreOffice's provisional
// scores must equal the engine's to 2 decimals.
func TestTemplatesInLibreOffice(t *testing.T) {
	bin := soffice(t)
	dir := t.TempDir()
	rubrics := shipped(t)
	var blanks, filled []string
	results := map[string]*engine.Result{}
	for _, r := range rubrics {
		f := generate(t, r, TemplateOptions{Year: r.Year, UnitCode: "TS01", UnitName: "Xã Triệu Thành"})
		p := filepath.Join(dir, "blank-"+r.ID+".xlsx")
		if err := f.SaveAs(p); err != nil {
			t.Fatal(err)
		}
		blanks = append(blanks, p)
		v := fill(t, f, r, 11)
		p = filepath.Join(dir, "filled-"+r.ID+".xlsx")
		if err := f.SaveAs(p); err != nil {
			t.Fatal(err)
		}
		f.Close()
		filled = append(filled, p)
		sc, err := engine.New(r)
		if err != nil {
			t.Fatal(err)
		}
		results[r.ID] = sc.Score(v)
	}
	// The same forms filled as communes type: figures with text ("19/19",
	// "10 CBCC"), "x" for Có, choices by an alias.
	var typed []string
	for _, r := range rubrics {
		f := generate(t, r, TemplateOptions{Year: r.Year, UnitCode: "TS01", UnitName: "Xã Triệu Thành"})
		fillTyped(t, f, r)
		p := filepath.Join(dir, "typed-"+r.ID+".xlsx")
		if err := f.SaveAs(p); err != nil {
			t.Fatal(err)
		}
		f.Close()
		typed = append(typed, p)
	}
	runSoffice(t, bin, dir, "pdf", blanks...)
	for _, r := range rubrics {
		b, err := os.ReadFile(filepath.Join(dir, "blank-"+r.ID+".pdf"))
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) || len(b) < 10000 {
			t.Errorf("%s: no PDF (%v, %d bytes)", r.ID, err, len(b))
		}
	}
	// Sheet 3 is "Chỉ số"; token 9 false exports raw values, not as shown.
	runSoffice(t, bin, dir, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,3", append(filled, typed...)...)
	for _, r := range rubrics {
		t.Run("typed/"+r.ID, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "typed-"+r.ID+"-"+SheetScores+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			unknown := 0
			for i, row := range rows {
				for j, v := range row {
					if isExcelError(v) {
						t.Errorf("%s%d shows %s", string(rune('A'+j)), i+1, v)
					}
				}
				if i >= firstRow-1 && len(row) > 6 && row[6] != "" {
					g := row[6]
					if _, err := strconv.ParseFloat(g, 64); err != nil && g != unknownScore && g != PendingText {
						t.Errorf("G%d shows %q", i+1, g)
					}
					if g == unknownScore {
						unknown++
					}
				}
				if len(row) > 6 && row[0] == "TỔNG ĐIỂM" && row[6] != unknownScore {
					t.Errorf("total %q with figures Excel cannot use, want %q", row[6], unknownScore)
				}
			}
			if unknown == 0 {
				t.Error("no provisional score shows ?")
			}
		})
	}
	for _, r := range rubrics {
		t.Run(r.ID, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(dir, "filled-"+r.ID+"-"+SheetScores+".csv"))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			byCode := map[string]string{}
			var total string
			for _, row := range rows[firstRow-1:] {
				if len(row) > 6 && row[0] != "" {
					byCode[row[0]] = row[6]
				}
				if len(row) > 6 && row[0] == "TỔNG ĐIỂM" {
					total = row[6]
				}
			}
			res := results[r.ID]
			n := 0
			for _, ir := range res.Indicators {
				if _, in := r.Indicator(ir.Code); in.Rule != nil && in.Rule.Kind == rubric.KindCohort {
					if byCode[ir.Code] != PendingText {
						t.Errorf("%s: cohort indicator shows %q, want %q", ir.Code, byCode[ir.Code], PendingText)
					}
					continue
				}
				got, err := strconv.ParseFloat(byCode[ir.Code], 64)
				if err != nil || engine.Round2(got) != engine.Round2(ir.Points) {
					t.Errorf("%s: LibreOffice %q, engine %v (%s)", ir.Code, byCode[ir.Code], ir.Points, ir.Status)
				}
				n++
			}
			if got, err := strconv.ParseFloat(total, 64); err != nil || engine.Round2(got) != engine.Round2(res.Total) {
				t.Errorf("total: LibreOffice %q, engine %v", total, res.Total)
			}
			if n == 0 {
				t.Error("no indicator compared")
			}
		})
	}
}

// isExcelError reports an error value as LibreOffice exports it.
func isExcelError(v string) bool {
	for _, e := range []string{"#VALUE!", "#DIV/0!", "#NAME?", "#REF!", "#N/A", "#NUM!", "#NULL!", "Err:"} {
		if strings.HasPrefix(v, e) {
			return true
		}
	}
	return false
}

// fillTyped fills a template the way communes type, in forms chiso reads
// but Excel cannot compute: figures with text or a slash, "x" for Có,
// choices by an alias in lower case.
func fillTyped(t *testing.T, f *excelize.File, r *rubric.Rubric) {
	t.Helper()
	named := Named(f)
	set := func(name string, v any) {
		c, ok := named[name]
		if !ok {
			t.Fatalf("%s: no defined name %s", r.ID, name)
		}
		if err := f.SetCellValue(c.Sheet, c.Addr, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, g := range r.General {
		switch g.Type {
		case rubric.YesNo:
			set(GeneralName(g.Key), "có")
		default:
			set(GeneralName(g.Key), 40)
		}
	}
	figures := []string{"19/19", "10 CBCC", " 20 ", "1.234", "50%", "9 triệu", "1,5"}
	yes := []string{"x", "Có", "có", "Đã ban hành", "Không", "Chưa"}
	n := 0
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		for _, x := range in.Inputs {
			n++
			name := InputName(in.Code, x.Key)
			switch x.Type {
			case rubric.Count, rubric.Number, rubric.Money, rubric.Pct:
				if x.SameAs == "" || n%2 == 0 {
					set(name, figures[n%len(figures)])
				}
			case rubric.YesNo:
				set(name, yes[n%len(yes)])
			case rubric.Choice:
				o := x.Options[n%len(x.Options)]
				v := strings.ToLower(o.Label)
				if len(o.Aliases) > 0 {
					v = o.Aliases[0]
				}
				set(name, v)
			case rubric.Items:
				set(name, "Mục 1\nMục 2")
			case rubric.Text:
				set(name, "ghi chú")
			}
		}
		set(SelfName(in.Code), "10 điểm")
	})
}
