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
	"unicode"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/xuri/excelize/v2"
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
	runSoffice(t, bin, dir, "pdf", blanks...)
	for _, r := range rubrics {
		b, err := os.ReadFile(filepath.Join(dir, "blank-"+r.ID+".pdf"))
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) || len(b) < 10000 {
			t.Errorf("%s: no PDF (%v, %d bytes)", r.ID, err, len(b))
		}
	}
	// Sheet 3 is "Chỉ số"; token 9 false exports raw values, not as shown.
	runSoffice(t, bin, dir, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,3", filled...)
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

// TestAnnotatedNotesPrint renders the annotated Triệu Thành workbook to
// PDF with LibreOffice: every error and warning of an indicator prints in
// the note column beside it, whole (rows are not grown on open, so a row
// too short for its note would print it cut off), since comments do not
// print.
func TestAnnotatedNotesPrint(t *testing.T) {
	bin := soffice(t)
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext not installed")
	}
	r, f := trieuThanhWorkbook(t)
	var src bytes.Buffer
	if err := f.Write(&src); err != nil {
		t.Fatal(err)
	}
	f.Close()
	sub := readSubmission(excelSourceOf(t, src.Bytes()), r)
	sc, _ := engine.New(r)
	res := sc.Score(sub.Values)
	probs := trieuThanhProblems(sub)
	// A long one: four sentences on one indicator, beside a short note.
	probs = append(probs, problem.Problem{Severity: problem.Warning, Code: "long", Indicator: "2.1", Cell: sub.Cells[RawKey("2.1", KeySelf)].Where(),
		Message: "Chỉ số 2.1: nghị quyết chuyên đề về chuyển đổi số được ghi là đã ban hành nhưng số, ngày của nghị quyết không có trong phần tài liệu kiểm chứng. " +
			"Hãy ghi số và ngày ban hành của nghị quyết vào cột tài liệu kiểm chứng. Nếu nghị quyết chưa được ban hành, hãy sửa số liệu thành \"Không\" và điểm tự chấm thành 0. " +
			"Hội đồng thẩm định sẽ đối chiếu với bản gốc của nghị quyết khi chấm điểm chính thức."})
	out := annotateOOXML(t, src.Bytes(), Annotation{Rubric: r, Sub: sub, Result: res, Problems: probs, Unit: "Xã Triệu Thành", Year: 2023})
	dir := t.TempDir()
	p := filepath.Join(dir, "ket-qua.xlsx")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	runSoffice(t, bin, dir, "pdf", p)
	text, err := exec.Command(pdftotext, filepath.Join(dir, "ket-qua.pdf"), "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	// pdftotext breaks words at diacritics and lines at the cell's width:
	// compare without any white space.
	squeeze := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
	}
	printed := squeeze(string(text))
	n := 0
	for _, p := range probs {
		if p.Indicator == "" || (p.Severity != problem.Error && p.Severity != problem.Warning) {
			continue
		}
		n++
		if note := squeeze(p.Severity.Label() + ": " + p.Message); !strings.Contains(printed, note) {
			t.Errorf("the note of %s does not print whole: %q", p.Indicator, p.Severity.Label()+": "+p.Message)
		}
	}
	if n < 4 {
		t.Fatalf("only %d notes checked", n)
	}
}

// excelSourceOf opens a workbook's bytes in excelize as a source.
func excelSourceOf(t *testing.T, data []byte) source {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return excelSource{f}
}
