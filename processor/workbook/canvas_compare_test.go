package workbook

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/validate"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// The corpus the two writers are compared on: every workbook the pipeline's
// bad-input corpus holds, every producer's file of ooxml's corpus, and the
// Triệu Thành workbook with a comment of the commune's.
var compareDirs = []string{
	filepath.Join("..", "pipeline", "testdata", "corpus"),
	filepath.Join("ooxml", "testdata", "producers"),
}

type compareFile struct {
	name string
	data []byte
}

func compareCorpus(t *testing.T) []compareFile {
	var out []compareFile
	for _, dir := range compareDirs {
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			if ext := strings.ToLower(filepath.Ext(e.Name())); ext != ".xlsx" && ext != ".xlsm" {
				continue
			}
			data, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, compareFile{filepath.Base(dir) + "/" + e.Name(), data})
		}
	}
	_, f := trieuThanhWorkbook(t)
	self14 := Named(f)[SelfName("1.4")]
	if err := f.AddComment(self14.Sheet, excelize.Comment{Cell: self14.Addr, Author: "Nguyễn Văn A", Text: "Đã hỏi huyện"}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return append(out, compareFile{"trieu-thanh", buf.Bytes()})
}

// compareAnnotation is what the pipeline would annotate a file with
// (corpusAnnotation) and, so that every producer's styles and comments
// get marked, a problem on a few
// cells of every sheet: the first filled ones, an empty one beyond the
// used range, and one that carries the commune's comment.
func compareAnnotation(t *testing.T, data []byte) (Annotation, bool) {
	a, ok := corpusAnnotation(t, data)
	if !ok {
		return a, false
	}
	b, err := Open(data, Limits{})
	if err != nil {
		return Annotation{}, false
	}
	defer b.Close()
	probs := a.Problems
	sevs := []problem.Severity{problem.Error, problem.Warning, problem.Info}
	n := 0
	mark := func(sheet string, col, row int, what string) {
		probs = append(probs, problem.Problem{Severity: sevs[n%3], Code: "test", Cell: quoteSheet(sheet) + "!" + ooxml.CellRef(col, row),
			Message: fmt.Sprintf("Ô thử %d (%s).", n, what)})
		n++
	}
	for _, si := range b.src.b.Sheets() {
		bs, err := b.src.read(si.Name)
		if err != nil || si.Kind != "worksheet" {
			continue
		}
		k := 0
		for _, c := range bs.s.Cells {
			if c.Value != "" && k < 3 {
				mark(si.Name, c.Col, c.Row, "có giá trị")
				k++
			}
		}
		mark(si.Name, bs.s.MaxCol()+2, bs.s.MaxRow()+2, "ô trống")
		if cs, err := b.src.b.Comments(si.Name); err == nil && len(cs) > 0 {
			col, row, _ := ooxml.ParseRef(cs[0].Ref)
			mark(si.Name, col, row, "có ghi chú của xã")
		}
	}
	problem.Sort(probs, validate.Order(a.Rubric))
	a.Problems = probs
	return a, true
}

// corpusAnnotation is what the pipeline annotates a file with: the form
// read and scored against its rubric (the corpus's when it names none we
// ship), the reader's and the validator's problems.
func corpusAnnotation(t *testing.T, data []byte) (Annotation, bool) {
	b, err := Open(data, Limits{})
	if err != nil {
		return Annotation{}, false
	}
	defer b.Close()
	r := rubricByID(t, "thanhhoa-xa-2023")
	for _, x := range shipped(t) {
		if x.ID == b.Meta().RubricID {
			r = x
		}
	}
	sub := b.Read(r)
	if b.Err() != nil {
		return Annotation{}, false
	}
	for _, p := range sub.Problems {
		if p.Code == CodeSheetDamaged { // rejected: the file is damaged
			return Annotation{}, false
		}
	}
	sc, err := engine.New(r)
	if err != nil {
		t.Fatal(err)
	}
	res := sc.Score(sub.Values)
	cells := map[string]string{}
	for k, c := range sub.Cells {
		cells[k] = c.Where()
	}
	probs := append([]problem.Problem{}, sub.Problems...)
	probs = append(probs, validate.Check(r, validate.Input{Values: sub.Values, Explain: sub.Explain, Evidence: sub.Evidence, Cells: cells}, res)...)
	problem.Sort(probs, validate.Order(r))
	sum := sha256.Sum256(data)
	return Annotation{Rubric: r, Sub: sub, Result: res, Problems: probs, FileName: "tệp.xlsx", Hash: hex.EncodeToString(sum[:]),
		Received: trieuThanhReceived, Unit: "Xã Thử", Year: 2023}, true
}

// TestCanvasesAgree annotates every file of the corpus with the annotator
// on ooxml's patcher and on excelize and compares the two results cell by
// cell: values, formulas, the formats that matter (fill, bold, font
// colour, number format, border, wrap, protection), comments, sheets and
// their order and visibility, merged ranges, widths, heights, links, panes
// and page set-up. It then annotates both results again (the commune sent
// the result back: the bookkeeping sheet is read, whichever writer wrote
// it) with fewer problems, and with none, which must give every cell its
// fill back.
//
// Where the excelize writer is wrong on another producer's file the new
// result is held to the original instead, and the difference is logged:
// see compareResults.
func TestCanvasesAgree(t *testing.T) {
	var outputs []string
	dir := t.TempDir()
	var rejected []string
	for _, cf := range compareCorpus(t) {
		a, ok := compareAnnotation(t, cf.data)
		if !ok {
			// A hostile input of the pipeline's corpus is rejected when
			// opened or read (its outcome is the corpus test's); every
			// producer's workbook must be annotated.
			if !strings.HasPrefix(cf.name, "corpus/") {
				t.Errorf("%s: not annotated (rejected when opened or read)", cf.name)
			}
			rejected = append(rejected, cf.name)
			continue
		}
		t.Run(cf.name, func(t *testing.T) {
			now := annotateOOXML(t, cf.data, a)
			ext := filepath.Ext(cf.name)
			if ext != ".xlsm" {
				ext = ".xlsx"
			}
			p := filepath.Join(dir, fmt.Sprintf("%02d%s", len(outputs), ext))
			if err := os.WriteFile(p, now, 0o644); err != nil {
				t.Fatal(err)
			}
			outputs = append(outputs, p)
			before, err := tryAnnotateExcelize(cf.data, a)
			if err != nil {
				// The excelize writer fails on it (a file without a styles
				// part makes NewStyle panic; XML excelize refuses): the
				// commune got no result before. The new one must open.
				t.Logf("the excelize writer fails: %v", err)
				if _, err := excelize.OpenReader(bytes.NewReader(now)); err != nil {
					t.Errorf("excelize cannot open the result: %v", err)
				}
				before = now
			} else {
				compareResults(t, "annotated", cf.data, before, now, a)
			}

			if testing.Short() && !shortAgain[cf.name] {
				return
			}
			for _, prev := range []struct {
				name string
				data []byte
			}{{"written by excelize", before}, {"written by ooxml", now}} {
				// Again with the first half of the problems.
				b, ok := compareAnnotation(t, prev.data)
				if !ok {
					t.Fatalf("%s: the result does not read", prev.name)
				}
				b.Problems = a.Problems[:len(a.Problems)/2]
				again := annotateOOXML(t, prev.data, b)
				if old, err := tryAnnotateExcelize(prev.data, b); err == nil {
					compareResults(t, "annotated again, "+prev.name, prev.data, old, again, b)
				}
				// Again with none: the commune's fills are back.
				b.Problems = nil
				sameFills(t, "annotated again without problems, "+prev.name, cf.data, prev.data, annotateOOXML(t, prev.data, b))
			}
		})
	}
	t.Logf("%d files compared; %d of the pipeline's corpus rejected when opened or read: %v", len(outputs), len(rejected), rejected)
	if len(outputs) < 30 {
		t.Fatalf("only %d files compared", len(outputs))
	}
	if !testing.Short() {
		testkit.OpenpyxlLoads(t, outputs...)
		testkit.Convert(t, t.TempDir(), "pdf", outputs...)
	}
}

// shortAgain are the files annotated again with -short: the others only
// once (the whole comparison takes some 40 s on a 2-core machine).
var shortAgain = map[string]bool{
	"trieu-thanh": true, "corpus/37-luu-bang-libreoffice.xlsx": true, "producers/libreoffice-comments.xlsx": true,
	"producers/openpyxl.xlsx": true, "producers/no-cell-refs.xlsx": true, "producers/script-minimal.xlsx": true,
}

// tryAnnotateExcelize is annotateExcelize reporting the writer's failure.
func tryAnnotateExcelize(data []byte, a Annotation) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := annotate(newExcelCanvas(f), a); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := write(f, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// compareResults compares two annotated workbooks of input as excelize
// reads them. Three differences are the excelize writer's faults on other
// producers' files, and are allowed when the new result is right and
// logged:
//   - comments: excelize names the comments parts it adds after the sheet's
//     position, and on LibreOffice's and openpyxl's files that part exists
//     already for another sheet; the new result must have exactly the
//     commune's comments and ours (commentModel);
//   - row heights: excelize loses the heights of rows written without a
//     row number; the new result must keep the input's;
//   - formats: excelize rewrites a marked cell's format whole, turning
//     LibreOffice's applyFont="0" into a font of its own; the new result
//     must keep the input's format but for the fill;
//
// and, in a workbook without a theme part (LibreOffice's, Google
// Sheets', a script's), excelize reads no colour at all: it records our
// marks' fills without their colour, and on re-annotation does not see its
// own marks and leaves them; the new result records the colour and
// restores the fill the input's bookkeeping sheet recorded.
func compareResults(t *testing.T, what string, input, before, now []byte, a Annotation) {
	t.Helper()
	fi, err := excelize.OpenReader(bytes.NewReader(input))
	if err != nil {
		t.Fatalf("%s: excelize cannot open the input: %v", what, err)
	}
	defer fi.Close()
	oi, err := ooxml.Open(input, ooxml.Limits{})
	if err != nil {
		t.Fatalf("%s: ooxml cannot open the input: %v", what, err)
	}
	model := commentModel(oi, a)
	stI, stB, stN := stylesOf(t, input), stylesOf(t, before), stylesOf(t, now)
	themeless := true
	for _, p := range oi.Parts() {
		if strings.HasPrefix(p, "xl/theme/") {
			themeless = false
		}
	}
	recorded := map[string]ooxml.Fill{} // the input's bookkeeping
	if sh, err := oi.ReadSheet(SheetAnnot); err == nil {
		for r := 2; r <= sh.MaxRow(); r++ {
			if f, err := decodeFill(sh.Value(3, r)); err == nil {
				recorded[sh.Value(1, r)+"!"+sh.Value(2, r)] = f
			}
		}
	}
	tolerated := map[string]int{}
	tolerate := func(kind, format string, args ...any) {
		if tolerated[kind]++; tolerated[kind] == 1 {
			t.Logf("%s: excelize's fault (%s), e.g. "+format, append([]any{what, kind}, args...)...)
		}
	}
	fb, err := excelize.OpenReader(bytes.NewReader(before))
	if err != nil {
		t.Fatalf("%s: excelize cannot open the excelize result: %v", what, err)
	}
	defer fb.Close()
	fn, err := excelize.OpenReader(bytes.NewReader(now))
	if err != nil {
		t.Fatalf("%s: excelize cannot open the ooxml result: %v", what, err)
	}
	defer fn.Close()
	errs := 0
	fail := func(format string, args ...any) {
		t.Helper()
		if errs++; errs <= 25 {
			t.Errorf(what+": "+format, args...)
		}
	}
	if a, b := strings.Join(fb.GetSheetList(), "|"), strings.Join(fn.GetSheetList(), "|"); a != b {
		t.Fatalf("%s: sheets %s, now %s", what, a, b)
	}
	if a, b := sheetStates(t, before), sheetStates(t, now); a != b {
		fail("sheet states %s, now %s", a, b)
	}
	if a, b := fb.GetActiveSheetIndex(), fn.GetActiveSheetIndex(); a != b {
		fail("active sheet %d, now %d", a, b)
	}
	if a, b := definedNames(fb), definedNames(fn); a != b {
		fail("defined names\n%s\nnow\n%s", a, b)
	}
	for _, sheet := range fb.GetSheetList() {
		if a, b := merges(fb, sheet), merges(fn, sheet); a != b {
			fail("%s: merged %s, now %s", sheet, a, b)
		}
		if a, b := commentsOf(fb, sheet), commentsOf(fn, sheet); a != b {
			if b == model[sheet] {
				tolerate("comments", "%s: %d comments, now %d", sheet, strings.Count(a, "\n")+1, strings.Count(b, "\n")+1)
			} else {
				fail("%s: comments\n%s\nnow\n%s\nwant\n%s", sheet, a, b, model[sheet])
			}
		} else if b != model[sheet] {
			fail("%s: comments\n%s\nwant\n%s", sheet, b, model[sheet])
		}
		var si *ooxml.Sheet
		if sheet != SheetResult && sheet != SheetAnnot {
			si, _ = oi.ReadSheet(sheet)
		}
		rb, _ := fb.GetRows(sheet, excelize.Options{RawCellValue: true})
		rn, _ := fn.GetRows(sheet, excelize.Options{RawCellValue: true})
		maxRow, maxCol := max(len(rb), len(rn)), 0
		for _, r := range append(rb, rn...) {
			maxCol = max(maxCol, len(r))
		}
		for c := 1; c <= maxCol+3; c++ {
			col := ooxml.ColName(c)
			wb, _ := fb.GetColWidth(sheet, col)
			wn, _ := fn.GetColWidth(sheet, col)
			if math.Abs(wb-wn) > 0.01 {
				fail("%s: width of column %s %g, now %g", sheet, col, wb, wn)
			}
		}
		for r := 1; r <= maxRow+1; r++ {
			hb, _ := fb.GetRowHeight(sheet, r)
			hn, _ := fn.GetRowHeight(sheet, r)
			if math.Abs(hb-hn) > 0.5 {
				hi, _ := fi.GetRowHeight(sheet, r)
				if si != nil && math.Abs(hi-si.RowHeight(r)) > 0.5 && math.Abs(hn-max(hb, si.RowHeight(r))) < 0.5 {
					tolerate("row heights", "%s: row %d %g, now %g", sheet, r, hb, hn)
				} else {
					fail("%s: height of row %d %g, now %g", sheet, r, hb, hn)
				}
			}
			for c := 1; c <= maxCol+1; c++ {
				addr := ooxml.CellRef(c, r)
				vb, _ := fb.GetCellValue(sheet, addr, excelize.Options{RawCellValue: true})
				vn, _ := fn.GetCellValue(sheet, addr, excelize.Options{RawCellValue: true})
				if vb != vn && !(sheet == SheetAnnot && c == 3 && sameRecord(vb, vn)) {
					if fb, err := decodeFill(vb); themeless && sheet == SheetAnnot && c == 3 && err == nil && fb.FG.Kind == ooxml.ColorNone {
						tolerate("colours unread", "%s!%s: %s, now %s", sheet, addr, vb, vn)
					} else {
						fail("%s!%s: value %q, now %q", sheet, addr, vb, vn)
					}
				}
				mb, _ := fb.GetCellFormula(sheet, addr)
				mn, _ := fn.GetCellFormula(sheet, addr)
				if mb != mn {
					fail("%s!%s: formula %q, now %q", sheet, addr, mb, mn)
				}
				if a, b := styleOf(fb, stB, sheet, addr), styleOf(fn, stN, sheet, addr); a != b {
					fillB, _ := splitFill(a)
					fillN, restN := splitFill(b)
					_, restI := splitFill(styleOf(fi, stI, sheet, addr))
					sb, _ := fb.GetCellStyle(sheet, addr)
					sn, _ := fn.GetCellStyle(sheet, addr)
					rec, isRec := recorded[sheet+"!"+addr]
					switch fl := stN.Fill(sn); {
					case si != nil && fillB == fillN && restN == restI:
						tolerate("formats", "%s!%s: %s, now %s", sheet, addr, a, b)
					case themeless && isRec && isOurFill(stB.Fill(sb)) && fl.Pattern == rec.Pattern && fl.FG.Hex() == rec.FG.Hex():
						tolerate("marks left", "%s!%s: %s, now %s", sheet, addr, a, b)
					default:
						fail("%s!%s: format\n  %s\nnow\n  %s", sheet, addr, a, b)
					}
				}
				ob, lb, _ := fb.GetCellHyperLink(sheet, addr)
				on, ln, _ := fn.GetCellHyperLink(sheet, addr)
				if ob != on || lb != ln {
					fail("%s!%s: link %v %q, now %v %q", sheet, addr, ob, lb, on, ln)
				}
			}
		}
		pb, _ := fb.GetPanes(sheet)
		pn, _ := fn.GetPanes(sheet)
		if pb.Freeze != pn.Freeze || pb.XSplit != pn.XSplit || pb.YSplit != pn.YSplit {
			fail("%s: panes %+v, now %+v", sheet, pb, pn)
		}
		if a, b := pageOf(fb, sheet), pageOf(fn, sheet); a != b {
			fail("%s: page %s, now %s", sheet, a, b)
		}
		if a, b := colBreaks(t, before, sheet), colBreaks(t, now, sheet); a != b {
			fail("%s: column breaks %s, now %s", sheet, a, b)
		}
	}
	if errs > 25 {
		t.Errorf("%s: %d differences in all", what, errs)
	}
}

// pageOf is a sheet's print set-up as excelize reads it: paper,
// orientation, fit to pages or scale, page order, centring.
func pageOf(f *excelize.File, sheet string) string {
	l, _ := f.GetPageLayout(sheet)
	p, _ := f.GetSheetProps(sheet)
	m, _ := f.GetPageMargins(sheet)
	fit := p.FitToPage != nil && *p.FitToPage
	scale := testkitPtr(l.AdjustTo)
	if fit || scale == "100" {
		scale = "" // ignored while fitting; 100 is the default excelize reports
	}
	order := testkitPtr(l.PageOrder)
	if order == "downThenOver" {
		order = "" // the default
	}
	centred := m.Horizontally != nil && *m.Horizontally
	return fmt.Sprintf("paper %s %s, fit %v %s×%s, scale %s, order %s, centred %v", testkitPtr(l.Size), testkitPtr(l.Orientation),
		fit, testkitPtr(l.FitToWidth), testkitPtr(l.FitToHeight), scale, order, centred)
}

var brkRE = regexp.MustCompile(`<(?:\w+:)?colBreaks\b.*?</(?:\w+:)?colBreaks>`)

// colBreaks are the manual column breaks of a sheet, from its XML
// (excelize has no reader for them).
func colBreaks(t *testing.T, data []byte, sheet string) string {
	b, err := ooxml.Open(data, ooxml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	info, ok := b.Sheet(sheet)
	if !ok {
		return ""
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name != info.Part {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		x, _ := io.ReadAll(rc)
		rc.Close()
		var ids []string
		for _, m := range regexp.MustCompile(`<(?:\w+:)?brk\b[^>]*\bid="(\d+)"`).FindAllSubmatch(brkRE.Find(x), -1) {
			ids = append(ids, string(m[1]))
		}
		return strings.Join(ids, ",")
	}
	return ""
}

// splitFill splits styleOf's rendering into the fill and the rest.
func splitFill(s string) (fill, rest string) {
	s = strings.TrimPrefix(s, "fill=")
	i := strings.Index(s, " font=")
	if i < 0 {
		return "", s
	}
	return s[:i], s[i:]
}

// commentModel is what the comments of each sheet must be after
// annotating input with a, as commentsOf renders them: the commune's own
// (chiso's cut off, as a previous annotation left them), and ours on every
// cell with problems, after the commune's comment there if any.
func commentModel(in *ooxml.Book, a Annotation) map[string]string {
	type note struct{ author, text string }
	bySheet := map[string]map[string]note{}
	for _, s := range in.Sheets() {
		if s.Name == SheetResult || s.Name == SheetAnnot {
			continue
		}
		m := map[string]note{}
		cs, _ := in.Comments(s.Name)
		for _, c := range cs {
			if c.Author == CommentAuthor {
				continue
			}
			var text strings.Builder
			cut := false
			for _, r := range c.Runs {
				if strings.Contains(r.Text, commentHead) {
					cut = true
					break
				}
				text.WriteString(r.Text)
			}
			if cut && text.Len() == 0 {
				continue
			}
			m[strings.ToUpper(c.Ref)] = note{c.Author, text.String()}
		}
		bySheet[s.Name] = m
	}
	ours := map[string][]problem.Problem{}
	var order []string
	for _, p := range a.Problems {
		i := strings.LastIndex(p.Cell, "!")
		if i <= 0 {
			continue
		}
		sheet := p.Cell[:i]
		if len(sheet) >= 2 && sheet[0] == '\'' && sheet[len(sheet)-1] == '\'' {
			sheet = strings.ReplaceAll(sheet[1:len(sheet)-1], "''", "'")
		}
		addr := strings.ToUpper(strings.ReplaceAll(p.Cell[i+1:], "$", ""))
		si, ok := in.Sheet(sheet)
		if _, _, err := ooxml.ParseRef(addr); err != nil || !ok || bySheet[si.Name] == nil {
			continue
		}
		k := si.Name + "!" + addr
		if ours[k] == nil {
			order = append(order, k)
		}
		ours[k] = append(ours[k], p)
	}
	for _, k := range order {
		sheet, addr, _ := strings.Cut(k, "!")
		var text strings.Builder
		for i, p := range ours[k] {
			if i > 0 {
				text.WriteString("\n")
			}
			text.WriteString(p.Severity.Label() + ": " + p.Message)
		}
		n, had := bySheet[sheet][addr]
		if had {
			n.text += "\n\n" + commentHead + "\n" + text.String()
		} else {
			n = note{CommentAuthor, commentHead + "\n" + text.String()}
		}
		bySheet[sheet][addr] = n
	}
	out := map[string]string{}
	for sheet, m := range bySheet {
		var lines []string
		for addr, n := range m {
			lines = append(lines, fmt.Sprintf("%s %s %q", addr, n.author, n.text))
		}
		sort.Strings(lines)
		out[sheet] = strings.Join(lines, "\n")
	}
	return out
}

func testkitPtr[T any](p *T) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

// sameRecord: two bookkeeping records of the same fill (excelize kept
// openpyxl's 00 alpha in the colour, the ooxml writer drops it).
func sameRecord(a, b string) bool {
	fa, err1 := decodeFill(a)
	fb, err2 := decodeFill(b)
	return err1 == nil && err2 == nil && fa.Pattern == fb.Pattern && fa.FG.Hex() == fb.FG.Hex()
}

func sheetStates(t *testing.T, data []byte) string {
	b, err := ooxml.Open(data, ooxml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range b.Sheets() {
		out = append(out, s.Name+"="+s.State.String())
	}
	return strings.Join(out, " ")
}

func definedNames(f *excelize.File) string {
	var out []string
	for _, dn := range f.GetDefinedName() {
		out = append(out, dn.Name+" ["+dn.Scope+"] "+dn.RefersTo)
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

func merges(f *excelize.File, sheet string) string {
	mc, _ := f.GetMergeCells(sheet, true)
	var out []string
	for _, m := range mc {
		out = append(out, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func commentsOf(f *excelize.File, sheet string) string {
	cs, _ := f.GetComments(sheet)
	var out []string
	for _, c := range cs {
		out = append(out, fmt.Sprintf("%s %s %q", c.Cell, c.Author, commentText(c)))
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// stylesOf reads a workbook's cell formats with ooxml: excelize reads no
// colour at all in a workbook without a theme part (LibreOffice's,
// Google Sheets').
func stylesOf(t *testing.T, data []byte) *ooxml.Styles {
	b, err := ooxml.Open(data, ooxml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.Styles()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// styleOf renders the format properties that matter to a reader: the fill
// as ooxml reads it, the rest as excelize does.
func styleOf(f *excelize.File, sts *ooxml.Styles, sheet, addr string) string {
	sid, err := f.GetCellStyle(sheet, addr)
	if err != nil {
		return "error " + err.Error()
	}
	st, err := f.GetStyle(sid)
	if err != nil {
		return "error " + err.Error()
	}
	hex := func(c string) string {
		c = strings.ToUpper(strings.TrimPrefix(c, "#"))
		if len(c) == 8 {
			c = c[2:]
		}
		return c
	}
	fill := "none"
	if fl := sts.Fill(sid); fl.Pattern != "none" {
		fill = fl.Pattern + " " + fl.FG.Hex() + "/" + fl.BG.Hex()
	}
	font := "-"
	if st.Font != nil {
		font = fmt.Sprintf("bold=%v colour=%s", st.Font.Bold, hex(st.Font.Color))
	}
	var borders []string
	for _, b := range st.Border {
		c := hex(b.Color)
		if c == "" {
			c = "000000" // automatic
		}
		borders = append(borders, fmt.Sprintf("%s:%d:%s", b.Type, b.Style, c))
	}
	sort.Strings(borders)
	wrap := st.Alignment != nil && st.Alignment.WrapText
	locked, hidden := true, false
	if st.Protection != nil {
		locked, hidden = st.Protection.Locked, st.Protection.Hidden
	}
	return fmt.Sprintf("fill=%s font=[%s] numfmt=%q border=%v wrap=%v locked=%v hidden=%v", fill, font, numFmtCode(st), borders, wrap, locked, hidden)
}

// sameFills checks that every cell of the original workbook has its fill
// back in the re-annotated one (a solid fill's background colour aside:
// it does not show, and excelize's record of a fill has none). A record
// input's bookkeeping holds without a colour (excelize reads none in a
// workbook without a theme) cannot give it back: such cells are left out,
// and logged.
func sameFills(t *testing.T, what string, orig, input, again []byte) {
	t.Helper()
	unrecorded := map[string]bool{}
	if bi, err := ooxml.Open(input, ooxml.Limits{}); err == nil {
		if sh, err := bi.ReadSheet(SheetAnnot); err == nil {
			for r := 2; r <= sh.MaxRow(); r++ {
				if f, err := decodeFill(sh.Value(3, r)); err == nil && f.Pattern == "solid" && f.FG.Kind == ooxml.ColorNone {
					unrecorded[sh.Value(1, r)+"!"+sh.Value(2, r)] = true
				}
			}
		}
	}
	if len(unrecorded) > 0 {
		t.Logf("%s: %d fills recorded without their colour (excelize's fault) left out", what, len(unrecorded))
	}
	bo, err := ooxml.Open(orig, ooxml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ba, err := ooxml.Open(again, ooxml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	so, err1 := bo.Styles()
	sa, err2 := ba.Styles()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	errs := 0
	for _, s := range bo.Sheets() {
		sho, err := bo.ReadSheet(s.Name)
		if err != nil {
			continue
		}
		sha, err := ba.ReadSheet(s.Name)
		if err != nil {
			t.Fatalf("%s: %s: %v", what, s.Name, err)
		}
		for _, c := range sho.Cells {
			x, y := so.Fill(c.Style), ooxml.Fill{Pattern: "none"}
			if ca := sha.Cell(c.Col, c.Row); ca != nil {
				y = sa.Fill(ca.Style)
			}
			if unrecorded[s.Name+"!"+c.Ref()] {
				continue
			}
			if x.Pattern != y.Pattern || x.FG.Hex() != y.FG.Hex() || (x.Pattern != "solid" && x.BG.Hex() != y.BG.Hex()) {
				if errs++; errs <= 10 {
					t.Errorf("%s: %s!%s fill %+v, was %+v", what, s.Name, c.Ref(), y, x)
				}
			}
		}
	}
}
