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

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
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
	// An optional pillar's "áp dụng" cell typed "x": the reader takes it for
	// Có, Excel cannot, so the form's total shows "?".
	qt := rubricByID(t, "quangtri-so-2022")
	fx := generate(t, qt, TemplateOptions{Year: qt.Year, UnitCode: "TS01", UnitName: "Sở Thử"})
	fill(t, fx, qt, 11)
	for _, p := range qt.Pillars {
		if p.AppliesIf != "" {
			c := Named(fx)[GeneralName(p.AppliesIf)]
			if err := fx.SetCellStr(c.Sheet, c.Addr, "x"); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	appliesX := filepath.Join(dir, "applies-x.xlsx")
	if err := fx.SaveAs(appliesX); err != nil {
		t.Fatal(err)
	}
	fx.Close()
	typed = append(typed, appliesX)
	runSoffice(t, bin, dir, "pdf", blanks...)
	for _, r := range rubrics {
		b, err := os.ReadFile(filepath.Join(dir, "blank-"+r.ID+".pdf"))
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) || len(b) < 10000 {
			t.Errorf("%s: no PDF (%v, %d bytes)", r.ID, err, len(b))
		}
	}
	// Sheet 3 is "Chỉ số"; token 9 false exports raw values, not as shown.
	runSoffice(t, bin, dir, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,3", append(filled, typed...)...)
	t.Run("applies-x", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(dir, "applies-x-"+SheetScores+".csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, row := range rows {
			if len(row) > 6 && row[0] == "TỔNG ĐIỂM" {
				found = true
				if row[6] != unknownScore {
					t.Errorf("total %q with the áp dụng cell typed x, want %q", row[6], unknownScore)
				}
			}
		}
		if !found {
			t.Error("no total row")
		}
	})
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

// TestResultPrint prints result workbooks with LibreOffice and reads the
// PDF back: the Triệu Thành workbook with errors, warnings and a long
// note, and corpus files annotated as the pipeline does (a > b; a form
// saved by LibreOffice; a very long unit name). Every note of an error or
// warning prints whole in the note column beside its indicator (comments do
// not print; rows are not grown on open, so a row too low for its note
// would print it cut), every problem's message prints on the result sheet,
// the unit's name and TẠM TÍNH print, no text is smaller than 9 pt (no word
// box under 8 pt), and LibreOffice clipped no cell. The indicator sheet
// prints its form's columns A–K on one page and the system's columns on
// the next, across then down. Set CHISO_TEST_ARTIFACTS=DIR to keep the
// PDFs and PNGs of the result sheet's first page, a page of the
// indicator sheet and the page of notes beside it.
func TestResultPrint(t *testing.T) {
	testkit.Soffice(t)
	testkit.Poppler(t)
	dir := testkit.Artifacts(t)
	type job struct {
		name string
		a    Annotation
		out  []byte
	}
	var jobs []job

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
	a := Annotation{Rubric: r, Sub: sub, Result: res, Problems: probs, FileName: "Triệu Thành - DTI 2023.xlsx", Received: trieuThanhReceived,
		Unit: "Xã Triệu Thành", Year: 2023}
	jobs = append(jobs, job{"trieu-thanh", a, annotateOOXML(t, src.Bytes(), a)})
	for _, name := range []string{"07-a-lon-hon-b.xlsx", "37-luu-bang-libreoffice.xlsx", "29-ban-tu-lam.xlsx", "04-so-lieu-dang-chu.xlsx", "45-them-trang-tinh.xlsx"} {
		data, err := os.ReadFile(filepath.Join("..", "pipeline", "testdata", "corpus", name))
		if err != nil {
			t.Fatal(err)
		}
		a, ok := corpusAnnotation(t, data)
		if !ok {
			t.Fatalf("%s: not annotated", name)
		}
		a.Unit, a.FileName, a.Received = a.Sub.UnitName, name, trieuThanhReceived
		jobs = append(jobs, job{strings.TrimSuffix(name, ".xlsx"), a, annotateOOXML(t, data, a)})
	}
	var files []string
	for _, j := range jobs {
		p := filepath.Join(dir, "ket-qua-"+j.name+".xlsx")
		if err := os.WriteFile(p, j.out, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	testkit.Convert(t, dir, "pdf", files...)

	// pdftotext breaks words at diacritics and lines at a cell's width:
	// texts compare without any white space.
	squeeze := func(s string) string {
		return strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, s)
	}
	for _, j := range jobs {
		t.Run(j.name, func(t *testing.T) {
			pdf := filepath.Join(dir, "ket-qua-"+j.name+".pdf")
			// Text in reading order, a cell's lines together (not
			// PDFText, which joins the lines of cells side by side).
			raw, err := exec.Command("pdftotext", pdf, "-").Output()
			if err != nil {
				t.Fatal(err)
			}
			printed := squeeze(string(raw))
			notes, links := 0, map[string]bool{}
			texts := []string{j.a.Unit, "TẠM TÍNH"}
			for _, p := range j.a.Problems {
				texts = append(texts, p.Message)
				if p.Cell != "" {
					links[squeeze(p.Cell)] = true
				}
				if p.Indicator == "" || (p.Severity != problem.Error && p.Severity != problem.Warning) {
					continue
				}
				notes++
				if note := p.Severity.Label() + ": " + p.Message; !strings.Contains(printed, squeeze(note)) {
					t.Errorf("the note of %s does not print whole: %q", p.Indicator, note)
				}
			}
			if j.name == "trieu-thanh" && notes < 4 || notes < 1 {
				t.Errorf("only %d notes checked", notes)
			}
			for _, want := range []string{j.a.Unit, "TẠM TÍNH"} {
				if !strings.Contains(printed, squeeze(want)) {
					t.Errorf("%q not printed", want)
				}
			}
			for _, m := range testkit.MissingText(testkit.PDFText(t, pdf), texts) {
				t.Errorf("not printed whole: %s", m)
			}
			for _, c := range testkit.PDFClipped(t, pdf) {
				// LibreOffice draws a link's text clipped to its cell
				// whether it fits or not: a cell reference of the result
				// sheet that prints whole (MissingText) is not cut.
				link := false
				for l := range links {
					link = link || strings.HasPrefix(squeeze(c.Words), l)
				}
				if !link {
					t.Errorf("clipped to its cell: %v", c)
				}
			}
			small := testkit.PDFSmallest(t, pdf)
			if small.Size < 9 {
				t.Errorf("text printed at %.1f pt: %v", small.Size, small)
			}
			words := testkit.PDFWordHeights(t, pdf)
			if words[0].Height() < minPrintPt {
				t.Errorf("word printed %.1f pt high: %v", words[0].Height(), words[0])
			}
			t.Logf("smallest text %.1f pt (%q), smallest word %.1f pt high (%q)", small.Size, small.Words, words[0].Height(), words[0].Text)
			checkResultPages(t, pdf, j.a)
		})
	}
}

// checkResultPages finds the indicator sheet's pages by their headers: a
// page with the form's "Điểm tự chấm" and no system column, followed by
// a page with the system's columns and not the form's. With
// CHISO_TEST_ARTIFACTS set, it renders the result sheet's first page and
// that pair to PNG.
func checkResultPages(t *testing.T, pdf string, a Annotation) {
	t.Helper()
	pages := map[int]string{}
	for _, w := range testkit.PDFWordHeights(t, pdf) {
		pages[w.Page] += w.Text
	}
	form, sys := vntext.Fold(strings.ReplaceAll(selfHeader, " ", "")), vntext.Fold(strings.ReplaceAll(hdrSysNote, " ", ""))
	has := func(page int, s string) bool { return strings.Contains(vntext.Fold(pages[page]), s) }
	pair := 0
	for p := 1; p < len(pages) && pair == 0; p++ {
		if has(p, form) && !has(p, sys) && has(p+1, sys) && !has(p+1, form) {
			pair = p
		}
	}
	if pair == 0 {
		t.Errorf("no page of the form's columns followed by the system's")
		return
	}
	if testkitKeeps() {
		for _, p := range []int{1, pair, pair + 1} {
			t.Logf("page %d: %s", p, testkit.PagePNG(t, pdf, p, 70))
		}
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
