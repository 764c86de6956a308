package ooxml_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// expect is what a patched workbook must hold: sheet → cell → value, and
// the style when ≥ 0.
type expect struct {
	sheets   []string // the sheet list, in order
	active   string
	hidden   map[string]bool
	cells    map[string]map[string]cellWant
	widths   map[string]map[int]float64
	heights  map[string]map[int]float64 // at least
	comments map[string][]ooxml.Comment
	merged   map[string][]string
	names    []string // name@scope=refersTo that must be present
	changed  map[string]bool
}

type cellWant struct {
	value string
	style int
	text  bool
}

func (e *expect) cell(sheet string, col, row int, value string, style int, text bool) {
	if e.cells[sheet] == nil {
		e.cells[sheet] = map[string]cellWant{}
	}
	e.cells[sheet][ooxml.CellRef(col, row)] = cellWant{value, style, text}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// hostileText is text a commune could type: a formula, markup, control
// characters, an Excel escape look-alike, a Vietnamese sentence.
const hostileText = "=HYPERLINK(\"http://x\")+cmd|' /C calc'!A0 <b>&amp;</b> \x01\x1f _x000D_ Điểm tự chấm cao hơn tối đa\nDòng hai"

// hostileClean is hostileText as it reads back: control characters
// dropped, nothing else changed.
var hostileClean = strings.NewReplacer("\x01", "", "\x1f", "").Replace(hostileText)

// annotate patches a workbook the way chiso annotates a commune's file:
// values and colours on its cells, widths, heights, comments, a result
// sheet first and a very hidden bookkeeping sheet last.
func annotate(t testing.TB, data []byte) ([]byte, *expect) {
	t.Helper()
	b, err := ooxml.Open(data, ooxml.Limits{})
	must(t, err)
	e := &expect{hidden: map[string]bool{}, cells: map[string]map[string]cellWant{}, widths: map[string]map[int]float64{},
		heights: map[string]map[int]float64{}, comments: map[string][]ooxml.Comment{}, merged: map[string][]string{}, changed: map[string]bool{}}
	target := ""
	for _, s := range b.Sheets() {
		if s.Name == "Chỉ số" {
			target = s.Name
		}
	}
	if target == "" {
		for _, s := range b.Sheets() {
			if s.State == ooxml.Visible && s.Kind == "worksheet" {
				target = s.Name
				break
			}
		}
	}
	sh, err := b.ReadSheet(target)
	must(t, err)
	st, err := b.Styles()
	must(t, err)
	p := b.Patch()
	lastRow, lastCol := sh.MaxRow(), sh.MaxCol()

	// A filled cell gets a number, a formula cell text, new cells appear
	// after the last column, in a gap between rows and after the last
	// row; a cell is coloured keeping the rest of its style.
	var filled, formula, plain *ooxml.Cell
	for i := range sh.Cells {
		c := &sh.Cells[i]
		switch {
		case c.HasFormula && formula == nil:
			formula = c
		case !c.HasFormula && c.Value != "" && filled == nil:
			filled = c
		case !c.HasFormula && filled != nil && plain == nil && c.Row != filled.Row:
			plain = c
		}
	}
	if filled == nil {
		t.Fatal("no filled cell")
	}
	must(t, p.SetValue(target, filled.Col, filled.Row, ooxml.Number(42.5)))
	e.cell(target, filled.Col, filled.Row, "42.5", filled.Style, false)
	if formula != nil {
		must(t, p.SetValue(target, formula.Col, formula.Row, ooxml.Text("đã sửa")))
		e.cell(target, formula.Col, formula.Row, "đã sửa", formula.Style, true)
	}
	red, err := p.DeriveFill(filled.Style, ooxml.SolidFill("FFC7CE"))
	must(t, err)
	if red < st.Len() && st.Fill(red).FG.Hex() != "FFC7CE" {
		t.Fatalf("derived style %d has fill %+v", red, st.Fill(red))
	}
	if again, err := p.DeriveFill(filled.Style, ooxml.SolidFill("FFC7CE")); err != nil || again != red {
		t.Fatalf("deriving twice: %d, %d (%v)", red, again, err)
	}
	if plain != nil {
		must(t, p.SetStyle(target, plain.Col, plain.Row, red))
		e.cell(target, plain.Col, plain.Row, plain.Value, red, plain.Type.IsText())
	}
	note, err := p.AddStyle(ooxml.Style{Font: &ooxml.Font{Name: "Times New Roman", Size: 11}, Alignment: &ooxml.Alignment{Wrap: true, Vertical: "top"},
		Border:     &ooxml.Border{Left: ooxml.BorderLine{Style: "thin", Color: "A6A6A6"}, Right: ooxml.BorderLine{Style: "thin"}},
		Protection: &ooxml.Protection{Locked: true}})
	must(t, err)
	again, err := p.AddStyle(ooxml.Style{Font: &ooxml.Font{Name: "Times New Roman", Size: 11}, Alignment: &ooxml.Alignment{Wrap: true, Vertical: "top"},
		Border:     &ooxml.Border{Left: ooxml.BorderLine{Style: "thin", Color: "A6A6A6"}, Right: ooxml.BorderLine{Style: "thin"}},
		Protection: &ooxml.Protection{Locked: true}})
	must(t, err)
	if again != note {
		t.Fatalf("the same style added twice: %d, %d", note, again)
	}
	num, err := p.AddStyle(ooxml.Style{NumFmt: "+#,##0.00;[Red]-#,##0.00;0.00", Fill: &ooxml.Fill{Pattern: "solid", FG: ooxml.RGB("E2EFDA")}})
	must(t, err)
	must(t, p.SetCell(target, lastCol+1, filled.Row, ooxml.Number(-3.25), num))
	e.cell(target, lastCol+1, filled.Row, "-3.25", num, false)
	must(t, p.SetCell(target, lastCol+3, filled.Row, ooxml.Text(hostileText), note))
	e.cell(target, lastCol+3, filled.Row, hostileClean, note, true)
	gap := 0
	for r := 1; r < lastRow; r++ {
		if len(sh.RowCells(r)) == 0 {
			gap = r
			break
		}
	}
	if gap > 0 {
		must(t, p.SetValue(target, 2, gap, ooxml.Number(7)))
		e.cell(target, 2, gap, "7", 0, false)
	}
	must(t, p.SetCell(target, 2, lastRow+3, ooxml.Text("cuối"), note))
	e.cell(target, 2, lastRow+3, "cuối", note, true)
	must(t, p.SetValue(target, 1, lastRow+3, ooxml.Bool(true)))
	e.cell(target, 1, lastRow+3, "1", 0, false)

	// Widths: new columns, and one splitting an existing range.
	must(t, p.SetColWidth(target, lastCol+1, lastCol+3, 14))
	must(t, p.SetColWidth(target, 2, 2, 33))
	e.widths[target] = map[int]float64{lastCol + 1: 14, lastCol + 2: 14, lastCol + 3: 14, 2: 33}
	for _, c := range sh.Cols {
		for col := c.Min; col <= min(c.Max, 20); col++ {
			if col != 2 && col <= lastCol && c.Width > 0 {
				e.widths[target][col] = c.Width
			}
		}
	}
	must(t, p.GrowRowHeight(target, filled.Row, 120))
	must(t, p.GrowRowHeight(target, lastRow+3, 40))
	must(t, p.GrowRowHeight(target, lastRow+5, 30)) // a row with nothing but a height
	e.heights[target] = map[int]float64{filled.Row: 120, lastRow + 3: 40, lastRow + 5: 30}

	// Comments: the commune's kept, ours added.
	old, err := b.Comments(target)
	must(t, err)
	var cs []ooxml.Comment
	for _, c := range old {
		if c.Ref != filled.Ref() { // one comment per cell: ours replaces one there
			cs = append(cs, c)
		}
	}
	if err := p.SetComments(target, append(cs, old...)); len(old) > 0 && err == nil {
		t.Fatal("two comments on one cell accepted")
	}
	cs = append(cs, ooxml.Comment{Ref: filled.Ref(), Author: "chiso", Runs: []ooxml.Run{
		{Text: "Hệ thống chấm điểm (chiso):\n", Bold: true, Font: "Times New Roman", Size: 10},
		{Text: "Lỗi: ", Bold: true}, {Text: "số liệu không hợp lệ <a> & " + "\x02"},
	}})
	must(t, p.SetComments(target, cs))
	e.comments[target] = cs

	// The result sheet, first and active; the bookkeeping sheet, last and
	// very hidden.
	w := ooxml.NewSheetWriter()
	title, err := p.AddStyle(ooxml.Style{Font: &ooxml.Font{Bold: true, Size: 14, Name: "Times New Roman"}, Alignment: &ooxml.Alignment{Horizontal: "center", Vertical: "center", Wrap: true}})
	must(t, err)
	must(t, w.WriteRow(1, 24, ooxml.CellValue{Col: 1, Value: ooxml.Text("KẾT QUẢ CHẤM ĐIỂM"), Style: title}))
	must(t, w.WriteRow(3, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("Lỗi"), Style: red}, ooxml.CellValue{Col: 2, Value: ooxml.Text(hostileText), Style: note},
		ooxml.CellValue{Col: 3, Value: ooxml.Text(target + "!" + filled.Ref())}, ooxml.CellValue{Col: 4, Value: ooxml.Number(1234.5), Style: num}))
	for r := 4; r <= 30; r++ {
		must(t, w.WriteRow(r, 0, ooxml.CellValue{Col: 1, Value: ooxml.Number(float64(r))}, ooxml.CellValue{Col: 2, Value: ooxml.Text(fmt.Sprintf("dòng %d", r))}))
	}
	must(t, w.Merge(ooxml.Range{Col1: 1, Row1: 1, Col2: 6, Row2: 1}))
	must(t, w.Merge(ooxml.Range{Col1: 2, Row1: 4, Col2: 3, Row2: 5}))
	if err := w.Merge(ooxml.Range{Col1: 3, Row1: 5, Col2: 4, Row2: 5}); err == nil {
		t.Fatal("an overlapping merge was accepted")
	}
	must(t, w.SetColWidth(1, 1, 9))
	must(t, w.SetColWidth(2, 6, 20))
	must(t, w.SetColWidth(3, 3, 40))
	w.Freeze(0, 2)
	w.SetPageSetup(ooxml.PageSetup{Landscape: true, FitToWidth: true, Footer: "&CTrang &P / &N"})
	must(t, w.SetPrintTitles(1, 2))
	must(t, w.SetAutoFilter(ooxml.Range{Col1: 1, Row1: 3, Col2: 4, Row2: 30}))
	must(t, w.AddLink(3, 3, "'"+strings.ReplaceAll(target, "'", "''")+"'!"+filled.Ref(), "Đến ô"))
	w.Protect()
	must(t, p.AddSheet("Kết quả chấm", 0, w))
	if err := p.AddSheet("kết quả chấm", 1, nil); err == nil {
		t.Fatal("a duplicate sheet name (differing in case) was accepted")
	}
	if err := p.AddSheet("a/b", 1, nil); err == nil {
		t.Fatal("an invalid sheet name was accepted")
	}
	book := ooxml.NewSheetWriter()
	must(t, book.WriteRow(1, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("Trang")}, ooxml.CellValue{Col: 2, Value: ooxml.Text("Ô")}))
	must(t, book.WriteRow(2, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text(target)}, ooxml.CellValue{Col: 2, Value: ooxml.Text(plainRef(plain))}))
	must(t, p.AddSheet("_chiso_ketqua", 1000, book))
	must(t, p.SetSheetState("_chiso_ketqua", ooxml.VeryHidden))
	must(t, p.SetActiveSheet("Kết quả chấm"))

	e.sheets = append(e.sheets, "Kết quả chấm")
	for _, s := range b.Sheets() {
		e.sheets = append(e.sheets, s.Name)
		e.hidden[s.Name] = s.State != ooxml.Visible
	}
	e.sheets = append(e.sheets, "_chiso_ketqua")
	e.active = "Kết quả chấm"
	e.hidden["_chiso_ketqua"] = true
	e.cell("Kết quả chấm", 1, 1, "KẾT QUẢ CHẤM ĐIỂM", title, true)
	e.cell("Kết quả chấm", 2, 3, hostileClean, note, true)
	e.cell("Kết quả chấm", 4, 3, "1234.5", num, false)
	e.cell("Kết quả chấm", 2, 30, "dòng 30", 0, true)
	e.cell("_chiso_ketqua", 1, 2, target, 0, true)
	e.merged["Kết quả chấm"] = []string{"A1:F1", "B4:C5"}
	e.widths["Kết quả chấm"] = map[int]float64{1: 9, 2: 20, 3: 40, 6: 20}
	e.names = append(e.names, "_xlnm.Print_Titles@Kết quả chấm='Kết quả chấm'!$1:$2")
	for _, d := range b.DefinedNames() {
		scope := "Workbook"
		if d.LocalSheetID >= 0 {
			scope = b.Sheets()[d.LocalSheetID].Name
		}
		e.names = append(e.names, d.Name+"@"+scope+"="+d.RefersTo)
	}

	// The parts that may change; every other one must be copied as is.
	info, _ := b.Sheet(target)
	for _, n := range []string{"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "docProps/app.xml", "xl/styles.xml", "xl/calcChain.xml",
		info.Part, strings.Replace(info.Part, "worksheets/", "worksheets/_rels/", 1) + ".rels"} {
		e.changed[n] = true
	}
	for _, r := range sh.Rels {
		e.changed[r.Target] = true // comments and their drawing
	}
	for _, s := range b.Sheets() {
		if x, err := b.ReadSheet(s.Name); err == nil && x.TabSelected {
			e.changed[s.Part] = true // no longer the selected tab
		}
	}
	var out bytes.Buffer
	must(t, p.Write(&out))
	return out.Bytes(), e
}

func plainRef(c *ooxml.Cell) string {
	if c == nil {
		return ""
	}
	return c.Ref()
}

// verify checks a patched workbook with excelize against what the patch
// intended, and that everything else reads as before.
func verify(t *testing.T, orig, out []byte, e *expect) {
	t.Helper()
	before, err := excelize.OpenReader(bytes.NewReader(orig))
	must(t, err)
	defer before.Close()
	f, err := excelize.OpenReader(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("excelize cannot open the result: %v", err)
	}
	defer f.Close()
	if got := strings.Join(f.GetSheetList(), "|"); got != strings.Join(e.sheets, "|") {
		t.Errorf("sheets %s, want %s", got, strings.Join(e.sheets, "|"))
	}
	if got := f.GetSheetName(f.GetActiveSheetIndex()); got != e.active {
		t.Errorf("active sheet %q, want %q", got, e.active)
	}
	for _, s := range e.sheets {
		vis, err := f.GetSheetVisible(s)
		must(t, err)
		if vis == e.hidden[s] {
			t.Errorf("sheet %s: visible %v", s, vis)
		}
	}
	for sheet, cells := range e.cells {
		for ref, want := range cells {
			v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
			if err != nil || v != want.value {
				t.Errorf("%s!%s = %q (%v), want %q", sheet, ref, v, err, want.value)
			}
			if fm, _ := f.GetCellFormula(sheet, ref); fm != "" && want.text {
				t.Errorf("%s!%s has a formula %q", sheet, ref, fm)
			}
			if typ, _ := f.GetCellType(sheet, ref); want.text && typ != excelize.CellTypeInlineString && typ != excelize.CellTypeSharedString {
				t.Errorf("%s!%s: type %v, want a string", sheet, ref, typ)
			}
			if want.style >= 0 {
				if s, err := f.GetCellStyle(sheet, ref); err != nil || s != want.style {
					t.Errorf("%s!%s: style %d (%v), want %d", sheet, ref, s, err, want.style)
				}
			}
		}
	}
	// Everything else reads as before.
	for _, sheet := range before.GetSheetList() {
		old, err := before.GetRows(sheet, excelize.Options{RawCellValue: true})
		must(t, err)
		now, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Errorf("%s: %v", sheet, err)
			continue
		}
		for r := range max(len(old), len(now)) {
			for c := range 60 {
				ref := ooxml.CellRef(c+1, r+1)
				if _, edited := e.cells[sheet][ref]; edited {
					continue
				}
				if a, b := at(old, r, c), at(now, r, c); a != b {
					t.Errorf("%s!%s changed: %q → %q", sheet, ref, a, b)
				}
			}
		}
	}
	// Every formula not overwritten reads as before, the cells of a shared
	// formula whose master was overwritten included.
	ob, err := ooxml.Open(orig, ooxml.Limits{})
	must(t, err)
	for _, si := range ob.Sheets() {
		sh, err := ob.ReadSheet(si.Name)
		if err != nil {
			continue
		}
		for i := range sh.Cells {
			c := &sh.Cells[i]
			if _, edited := e.cells[si.Name][c.Ref()]; edited || !c.HasFormula {
				continue
			}
			want, _ := before.GetCellFormula(si.Name, c.Ref())
			if got, err := f.GetCellFormula(si.Name, c.Ref()); err != nil || got != want {
				t.Errorf("%s!%s: formula %q (%v), was %q", si.Name, c.Ref(), got, err, want)
			}
		}
	}
	for sheet, ws := range e.widths {
		for col, want := range ws {
			if w, err := f.GetColWidth(sheet, ooxml.ColName(col)); err != nil || w != want {
				t.Errorf("%s column %s: width %g (%v), want %g", sheet, ooxml.ColName(col), w, err, want)
			}
		}
	}
	for sheet, hs := range e.heights {
		for row, want := range hs {
			if h, err := f.GetRowHeight(sheet, row); err != nil || h < want {
				t.Errorf("%s row %d: height %g (%v), want ≥ %g", sheet, row, h, err, want)
			}
		}
	}
	for sheet, want := range e.comments {
		got, err := f.GetComments(sheet)
		must(t, err)
		if len(got) != len(want) {
			t.Errorf("%s: %d comments, want %d", sheet, len(got), len(want))
			continue
		}
		for i := range got {
			text := got[i].Text
			for _, r := range got[i].Paragraph {
				text += r.Text
			}
			wt := strings.ReplaceAll(want[i].Text(), "\x02", "")
			if got[i].Cell != want[i].Ref || got[i].Author != want[i].Author || text != wt {
				t.Errorf("%s comment %d: %s %q %q, want %s %q %q", sheet, i, got[i].Cell, got[i].Author, text, want[i].Ref, want[i].Author, wt)
			}
		}
	}
	for sheet, want := range e.merged {
		mc, err := f.GetMergeCells(sheet)
		must(t, err)
		var got []string
		for _, m := range mc {
			got = append(got, m.GetStartAxis()+":"+m.GetEndAxis())
		}
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: merged %v, want %v", sheet, got, want)
		}
	}
	names := map[string]bool{}
	for _, d := range f.GetDefinedName() {
		names[d.Name+"@"+d.Scope+"="+d.RefersTo] = true
	}
	for _, n := range e.names {
		if !names[n] {
			t.Errorf("defined name %s missing", n)
		}
	}
	untouched(t, orig, out, e.changed)
	checkSchemaOrder(t, out)
	// Our own reader agrees, and exactly one tab is selected: the active.
	b, err := ooxml.Open(out, ooxml.Limits{})
	must(t, err)
	for i, s := range b.Sheets() {
		sh, err := b.ReadSheet(s.Name)
		must(t, err)
		if sh.TabSelected != (i == b.ActiveTab()) {
			t.Errorf("%s: tabSelected %v, active tab %d", s.Name, sh.TabSelected, b.ActiveTab())
		}
		for ref, want := range e.cells[s.Name] {
			if c := sh.CellAt(ref); c == nil || c.Value != want.value || c.HasFormula {
				t.Errorf("ooxml reads %s!%s as %+v, want %q", s.Name, ref, c, want.value)
			}
		}
	}
	// No 10-digit colours (what excelize's re-encoding makes of openpyxl's
	// 00 alpha).
	for _, p := range readZip(t, out) {
		if m := regexp.MustCompile(`rgb="[0-9A-Fa-f]{9,}"`).Find(p.data); m != nil {
			t.Errorf("%s: %s", p.name, m)
		}
	}
}

func at(rows [][]string, r, c int) string {
	if r < len(rows) && c < len(rows[r]) {
		return rows[r][c]
	}
	return ""
}

// untouched checks that every entry not in changed is in the output with
// the same compressed bytes, CRC and method.
func untouched(t *testing.T, orig, out []byte, changed map[string]bool) {
	t.Helper()
	in, err := zip.NewReader(bytes.NewReader(orig), int64(len(orig)))
	must(t, err)
	res, err := zip.NewReader(bytes.NewReader(out), int64(len(out)))
	must(t, err)
	byName := map[string]*zip.File{}
	for _, f := range res.File {
		byName[f.Name] = f
	}
	copied := 0
	for _, f := range in.File {
		if changed[f.Name] {
			continue
		}
		g := byName[f.Name]
		if g == nil {
			t.Errorf("%s: missing from the result", f.Name)
			continue
		}
		if g.CRC32 != f.CRC32 || g.Method != f.Method || g.CompressedSize64 != f.CompressedSize64 || !bytes.Equal(rawBytes(t, f), rawBytes(t, g)) {
			t.Errorf("%s: not copied byte for byte", f.Name)
		}
		copied++
	}
	if copied == 0 {
		t.Error("no part copied as is")
	}
}

func rawBytes(t *testing.T, f *zip.File) []byte {
	r, err := f.OpenRaw()
	must(t, err)
	b, err := io.ReadAll(r)
	must(t, err)
	return b
}

// patchInputs are the workbooks the patch is tried on.
func patchInputs(t *testing.T) map[string][]byte {
	files := producerFiles(t)
	files["filled/seed-5.xlsx"] = filledTemplate(t, 5)
	return files
}

func TestPatchAnnotation(t *testing.T) {
	files := patchInputs(t)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	outputs := map[string][]byte{}
	expects := map[string]*expect{}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			out, e := annotate(t, files[name])
			verify(t, files[name], out, e)
			outputs[name] = out
			expects[name] = e
		})
	}
	externalChecks(t, outputs, expects)
}

// TestReannotate annotates a result again, as when a commune corrects
// its result file and sends it back: the previous result and bookkeeping
// sheets are removed first, and names, tabs and parts stay consistent.
func TestReannotate(t *testing.T) {
	orig := producerFiles(t)["producers/with-comments.xlsx"]
	first, _ := annotate(t, orig)
	b, err := ooxml.Open(first, ooxml.Limits{})
	must(t, err)
	p := b.Patch()
	must(t, p.RemoveSheet("Kết quả chấm"))
	must(t, p.RemoveSheet("_chiso_ketqua"))
	var out bytes.Buffer
	must(t, p.Write(&out))
	// The same sheets as the original, in order, the same names, the same
	// active tab.
	a, err := ooxml.Open(orig, ooxml.Limits{})
	must(t, err)
	c, err := ooxml.Open(out.Bytes(), ooxml.Limits{})
	must(t, err)
	if fmt.Sprint(names(a.Sheets())) != fmt.Sprint(names(c.Sheets())) {
		t.Fatalf("sheets %v, want %v", names(c.Sheets()), names(a.Sheets()))
	}
	if fmt.Sprint(a.DefinedNames()) != fmt.Sprint(c.DefinedNames()) {
		t.Errorf("defined names changed:\n%v\n%v", a.DefinedNames(), c.DefinedNames())
	}
	// The active sheet was removed: the first visible one is active.
	if c.ActiveTab() != 0 {
		t.Errorf("active tab %d, want 0", c.ActiveTab())
	}
	// No part of the removed sheets is left, nor their content types.
	parts := strings.Join(c.Parts(), "\n")
	for _, s := range []string{"sheet6.xml", "sheet7.xml"} {
		if strings.Contains(parts, s) {
			t.Errorf("%s left in the archive", s)
		}
	}
	for _, p := range readZip(t, out.Bytes()) {
		if p.name == "[Content_Types].xml" && (bytes.Contains(p.data, []byte("sheet6.xml")) || bytes.Contains(p.data, []byte("sheet7.xml"))) {
			t.Error("content types of removed parts left")
		}
	}
	// Annotate once more: still valid.
	again, e := annotate(t, out.Bytes())
	verify(t, out.Bytes(), again, e)
	externalChecks(t, map[string][]byte{"reannotated": again}, map[string]*expect{"reannotated": e})
}

func names(ss []ooxml.SheetInfo) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.Name)
	}
	return out
}

// TestRemoveComments sets an empty comment list: the comments part, its
// drawing, relationships and content type go.
func TestRemoveComments(t *testing.T) {
	orig := producerFiles(t)["producers/with-comments.xlsx"]
	b, err := ooxml.Open(orig, ooxml.Limits{})
	must(t, err)
	p := b.Patch()
	must(t, p.SetComments("Chỉ số", nil))
	var out bytes.Buffer
	must(t, p.Write(&out))
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	must(t, err)
	cs, err := f.GetComments("Chỉ số")
	must(t, err)
	if len(cs) != 0 {
		t.Errorf("%d comments left", len(cs))
	}
	for _, p := range readZip(t, out.Bytes()) {
		if strings.Contains(p.name, "comments") || strings.Contains(p.name, "vmlDrawing") {
			t.Errorf("%s left", p.name)
		}
		if bytes.Contains(p.data, []byte("legacyDrawing")) || bytes.Contains(p.data, []byte("/comments")) {
			t.Errorf("%s still refers to comments", p.name)
		}
	}
	externalChecks(t, map[string][]byte{"no-comments": out.Bytes()}, nil)
}

// TestPatchNoop writes a patch without changes: every part is copied.
func TestPatchNoop(t *testing.T) {
	for name, data := range producerFiles(t) {
		b, err := ooxml.Open(data, ooxml.Limits{})
		must(t, err)
		var out bytes.Buffer
		must(t, b.Patch().Write(&out))
		t.Run(name, func(t *testing.T) { untouched(t, data, out.Bytes(), nil) })
	}
}

// externalChecks opens every output with openpyxl (reading back the
// patched cells) and converts it with LibreOffice to PDF and back to
// xlsx, whose patched cells must read as intended. Skipped with -short.
func externalChecks(t *testing.T, outputs map[string][]byte, expects map[string]*expect) {
	t.Helper()
	if testing.Short() {
		t.Log("openpyxl and LibreOffice checks skipped with -short")
		return
	}
	dir := t.TempDir()
	var files []string
	byFile := map[string]string{}
	for name, data := range outputs {
		fn := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(name))
		if !strings.HasSuffix(fn, ".xlsx") {
			fn += ".xlsx"
		}
		must(t, os.WriteFile(fn, data, 0o644))
		files = append(files, fn)
		byFile[fn] = name
	}
	sort.Strings(files)
	if !hasOpenpyxl() {
		t.Log("openpyxl check skipped: /usr/bin/python3 with openpyxl not found")
	} else {
		openpyxlCheck(t, files, byFile, expects)
	}
	bin, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("soffice not found: .ci/run should have installed LibreOffice")
		}
		t.Log("LibreOffice check skipped: soffice not found")
		return
	}
	pdf, xlsx := filepath.Join(dir, "pdf"), filepath.Join(dir, "xlsx")
	runSoffice(t, bin, pdf, "pdf", files...)
	runSoffice(t, bin, xlsx, "xlsx", files...)
	for _, fn := range files {
		base := strings.TrimSuffix(filepath.Base(fn), ".xlsx")
		b, err := os.ReadFile(filepath.Join(pdf, base+".pdf"))
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
			t.Errorf("%s: LibreOffice made no PDF (%v)", byFile[fn], err)
		}
		e := expects[byFile[fn]]
		if e == nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(xlsx, base+".xlsx"))
		if err != nil {
			t.Errorf("%s: LibreOffice could not re-save it (%v)", byFile[fn], err)
			continue
		}
		lo, err := ooxml.Open(data, ooxml.Limits{})
		if err != nil {
			t.Errorf("%s: LibreOffice's copy: %v", byFile[fn], err)
			continue
		}
		if got := strings.Join(names(lo.Sheets()), "|"); got != strings.Join(e.sheets, "|") {
			t.Errorf("%s: LibreOffice sees sheets %s", byFile[fn], got)
		}
		for sheet, cells := range e.cells {
			sh, err := lo.ReadSheet(sheet)
			if err != nil {
				t.Errorf("%s: LibreOffice's %s: %v", byFile[fn], sheet, err)
				continue
			}
			for ref, want := range cells {
				c := sh.CellAt(ref)
				got := ""
				if c != nil {
					got = c.Value
				}
				if want.value == "1" && c != nil && c.Type == ooxml.TypeBool {
					got = "1"
				}
				if got != want.value {
					t.Errorf("%s: LibreOffice reads %s!%s as %q, want %q", byFile[fn], sheet, ref, got, want.value)
				}
			}
		}
		if cs, err := lo.Comments(firstCommented(e)); err == nil && len(cs) != len(e.comments[firstCommented(e)]) {
			t.Errorf("%s: LibreOffice keeps %d comments, want %d", byFile[fn], len(cs), len(e.comments[firstCommented(e)]))
		}
	}
}

func firstCommented(e *expect) string {
	for s := range e.comments {
		return s
	}
	return ""
}

func runSoffice(t *testing.T, bin, dir, to string, files ...string) {
	t.Helper()
	profile := "file://" + filepath.Join(t.TempDir(), "profile")
	args := append([]string{"-env:UserInstallation=" + profile, "--headless", "--norestore", "--convert-to", to, "--outdir", dir}, files...)
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("soffice --convert-to %s: %v\n%s", to, err, out)
	}
}

// openpyxlCheck loads every file with openpyxl and compares the patched
// cells it reads.
func openpyxlCheck(t *testing.T, files []string, byFile map[string]string, expects map[string]*expect) {
	const script = `
import json, sys, openpyxl
out = {}
for fn in sys.argv[1:]:
    wb = openpyxl.load_workbook(fn)
    cells = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None:
                    cells[ws.title + "!" + c.coordinate] = c.value if isinstance(c.value, str) else repr(c.value)
    out[fn] = {"sheets": wb.sheetnames, "cells": cells}
json.dump(out, sys.stdout)
`
	cmd := exec.Command("/usr/bin/python3", append([]string{"-c", script}, files...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		t.Fatalf("openpyxl cannot load the results: %v\n%s", err, stderr.String())
	}
	var got map[string]struct {
		Sheets []string
		Cells  map[string]string
	}
	must(t, json.Unmarshal(b, &got))
	for _, fn := range files {
		e := expects[byFile[fn]]
		if e == nil {
			continue
		}
		g := got[fn]
		if strings.Join(g.Sheets, "|") != strings.Join(e.sheets, "|") {
			t.Errorf("%s: openpyxl sees sheets %v", byFile[fn], g.Sheets)
		}
		for sheet, cells := range e.cells {
			for ref, want := range cells {
				v := g.Cells[sheet+"!"+ref]
				w := want.value
				switch {
				case w == "1" && v == "True":
					continue
				case !want.text:
					v = strings.TrimSuffix(v, ".0")
				}
				// openpyxl does not decode Excel's _xHHHH_ escapes.
				v = strings.ReplaceAll(v, "_x005F_", "_")
				if v != w {
					t.Errorf("%s: openpyxl reads %s!%s as %q, want %q", byFile[fn], sheet, ref, v, w)
				}
			}
		}
	}
}

// TestCalcChainAndTitles: after values change, the calculation chain is
// gone with its relationship and content type (Excel rebuilds it; a stale
// one makes it repair the file), and when sheets are added the sheet
// titles of docProps/app.xml are dropped rather than left stale.
func TestCalcChainAndTitles(t *testing.T) {
	orig := producerFiles(t)["producers/excel-shared-formulas.xlsx"]
	out, _ := annotate(t, orig)
	for _, p := range readZip(t, out) {
		if strings.Contains(p.name, "calcChain") || bytes.Contains(p.data, []byte("calcChain")) {
			t.Errorf("%s: calculation chain left", p.name)
		}
		if p.name == "docProps/app.xml" && (bytes.Contains(p.data, []byte("TitlesOfParts")) || !bytes.Contains(p.data, []byte("<Application>Microsoft Excel</Application>"))) {
			t.Errorf("app.xml: %s", p.data)
		}
	}
	// A patch that only restyles keeps the chain.
	b, err := ooxml.Open(orig, ooxml.Limits{})
	must(t, err)
	p := b.Patch()
	must(t, p.SetStyle("Bảng 1", 1, 1, 0))
	var buf bytes.Buffer
	must(t, p.Write(&buf))
	untouched(t, orig, buf.Bytes(), map[string]bool{"xl/worksheets/sheet1.xml": true})
}

// TestARGBAlpha00 is the bug class copying by bytes fixes: a workbook
// whose colours carry a 00 alpha (as openpyxl writes them) gets a cell's
// fill changed. excelize re-encodes the style's other colours as 10 hex
// digits (rgb="FF00A6A6A6"), which openpyxl then refuses; the patcher
// derives the format from the <xf> as written and leaves every existing
// colour as it was.
func TestARGBAlpha00(t *testing.T) {
	tenDigits := regexp.MustCompile(`rgb="[0-9A-Fa-f]{9,}"`)
	refs := []string{"E9", "E11", "A4", "H8", "B4"}
	outputs := map[string][]byte{}
	for _, name := range []string{"argb-alpha-00", "openpyxl"} {
		data := producerFiles(t)["producers/"+name+".xlsx"]
		var origStyles []byte
		for _, p := range readZip(t, data) {
			if p.name == "xl/styles.xml" {
				origStyles = p.data
			}
		}
		// excelize, as workbook.Annotate colours a cell.
		f, err := excelize.OpenReader(bytes.NewReader(data))
		must(t, err)
		for _, ref := range refs {
			sid, _ := f.GetCellStyle("Chỉ số", ref)
			st, _ := f.GetStyle(sid)
			st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FFC7CE"}}
			ns, err := f.NewStyle(st)
			must(t, err)
			must(t, f.SetCellStyle("Chỉ số", ref, ref, ns))
		}
		var ex bytes.Buffer
		must(t, f.Write(&ex))
		for _, p := range readZip(t, ex.Bytes()) {
			if m := tenDigits.Find(p.data); m != nil {
				t.Logf("%s through excelize: %s in %s", name, m, p.name)
			}
		}
		// ooxml.
		b, err := ooxml.Open(data, ooxml.Limits{})
		must(t, err)
		sh, err := b.ReadSheet("Chỉ số")
		must(t, err)
		p := b.Patch()
		for _, ref := range refs {
			c := sh.CellAt(ref)
			if c == nil {
				t.Fatalf("no %s", ref)
			}
			red, err := p.DeriveFill(c.Style, ooxml.SolidFill("FFC7CE"))
			must(t, err)
			must(t, p.SetStyle("Chỉ số", c.Col, c.Row, red))
		}
		var out bytes.Buffer
		must(t, p.Write(&out))
		for _, part := range readZip(t, out.Bytes()) {
			if m := tenDigits.Find(part.data); m != nil {
				t.Errorf("%s: %s in %s", name, m, part.name)
			}
			if part.name == "xl/styles.xml" {
				// The original part is the prefix of the new one up to
				// the first list that grew.
				i := bytes.Index(origStyles, []byte("</fills>"))
				if i < 0 || !bytes.HasPrefix(part.data, origStyles[:bytes.LastIndex(origStyles[:i], []byte("<fills"))]) {
					t.Errorf("%s: styles.xml not kept as written before the fills", name)
				}
			}
		}
		fo, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
		must(t, err)
		for _, ref := range refs {
			sid, _ := fo.GetCellStyle("Chỉ số", ref)
			st, _ := fo.GetStyle(sid)
			if len(st.Fill.Color) == 0 || !strings.HasSuffix(strings.ToUpper(st.Fill.Color[0]), "FFC7CE") {
				t.Errorf("%s %s: fill %+v", name, ref, st.Fill)
			}
		}
		outputs[name] = out.Bytes()
	}
	externalChecks(t, outputs, nil)
}

// TestRemoveSheet removes a sheet that defined names refer to: its scoped
// names and the workbook names that refer to it go, the others stay, the
// indices of later sheets' names follow. Re-adding a sheet of the same
// name keeps the workbook names that refer to that name.
func TestRemoveSheet(t *testing.T) {
	data := producerFiles(t)["producers/excelize-filled.xlsx"]
	b, err := ooxml.Open(data, ooxml.Limits{})
	must(t, err)
	const gone = "Thông tin chung"
	count := func(names []ooxml.DefinedName, sheets []ooxml.SheetInfo) (refs, scoped int, scopes []string) {
		for _, d := range names {
			if d.LocalSheetID < 0 && strings.Contains(d.RefersTo, "'"+gone+"'!") {
				refs++
			}
			if d.LocalSheetID >= 0 {
				scoped++
				scopes = append(scopes, sheets[d.LocalSheetID].Name+"="+d.RefersTo)
			}
		}
		return
	}
	refs, scoped, _ := count(b.DefinedNames(), b.Sheets())
	if refs == 0 || scoped == 0 {
		t.Fatal("the base workbook has no names to test with")
	}
	for _, readd := range []bool{false, true} {
		p := b.Patch()
		must(t, p.RemoveSheet(gone))
		if readd {
			must(t, p.AddSheet(gone, 1, nil))
		}
		var out bytes.Buffer
		must(t, p.Write(&out))
		nb, err := ooxml.Open(out.Bytes(), ooxml.Limits{})
		must(t, err)
		r, _, scopes := count(nb.DefinedNames(), nb.Sheets())
		for _, s := range scopes {
			if strings.HasPrefix(s, gone+"=") {
				t.Errorf("readd=%v: a name scoped to the removed sheet is left: %s", readd, s)
			}
			sheet, ref, _ := strings.Cut(s, "=")
			if !strings.Contains(ref, "'"+sheet+"'!") {
				t.Errorf("readd=%v: a scoped name moved to another sheet: %s", readd, s)
			}
		}
		if readd && r != refs || !readd && r != 0 {
			t.Errorf("readd=%v: %d names refer to %s, had %d", readd, r, gone, refs)
		}
		f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
		must(t, err)
		if _, err := f.GetRows("Chỉ số"); err != nil {
			t.Error(err)
		}
		outputs := map[string][]byte{fmt.Sprintf("removed-readd-%v", readd): out.Bytes()}
		externalChecks(t, outputs, nil)
	}
}

// The children of the root elements the patcher edits, in the order of
// the schema (ECMA-376 Part 1, CT_Workbook, CT_Worksheet, CT_Stylesheet).
var schemaOrder = map[string][]string{
	"workbook": {"fileVersion", "fileSharing", "workbookPr", "workbookProtection", "bookViews", "sheets",
		"functionGroups", "externalReferences", "definedNames", "calcPr", "oleSize", "customWorkbookViews",
		"pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing", "fileRecoveryPr", "webPublishObjects", "extLst"},
	"worksheet": {"sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetCalcPr",
		"sheetProtection", "protectedRanges", "scenarios", "autoFilter", "sortState", "dataConsolidate",
		"customSheetViews", "mergeCells", "phoneticPr", "conditionalFormatting", "dataValidations", "hyperlinks",
		"printOptions", "pageMargins", "pageSetup", "headerFooter", "rowBreaks", "colBreaks", "customProperties",
		"cellWatches", "ignoredErrors", "smartTags", "drawing", "legacyDrawing", "legacyDrawingHF", "drawingHF",
		"picture", "oleObjects", "controls", "webPublishItems", "tableParts", "extLst"},
	"styleSheet": {"numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
		"tableStyles", "colors", "extLst"},
}

// checkSchemaOrder checks, with encoding/xml, that every part of a
// workbook is well-formed and that the children of <workbook>,
// <worksheet> and <styleSheet> appear at most once each (conditional
// formats excepted) and in the schema's order.
func checkSchemaOrder(t *testing.T, data []byte) {
	t.Helper()
	for _, p := range readZip(t, data) {
		if !strings.HasSuffix(p.name, ".xml") && !strings.HasSuffix(p.name, ".rels") && !strings.HasSuffix(p.name, ".vml") {
			continue
		}
		d := xml.NewDecoder(bytes.NewReader(p.data))
		depth, last, root := 0, -1, ""
		seen := map[string]bool{}
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s: not well-formed: %v", p.name, err)
				break
			}
			switch el := tok.(type) {
			case xml.StartElement:
				depth++
				if depth == 1 {
					root = el.Name.Local
				}
				order, ok := schemaOrder[root]
				if depth != 2 || !ok {
					continue
				}
				pos := slices.Index(order, el.Name.Local)
				if pos < 0 {
					continue // an extension (mc:AlternateContent…)
				}
				if seen[el.Name.Local] && el.Name.Local != "conditionalFormatting" {
					t.Errorf("%s: <%s> twice", p.name, el.Name.Local)
				}
				if pos < last {
					t.Errorf("%s: <%s> after <%s>", p.name, el.Name.Local, order[last])
				}
				seen[el.Name.Local], last = true, pos
			case xml.EndElement:
				depth--
			}
		}
	}
}

// TestSharedCommentsPart: two sheets whose relationships name the same
// comments part and drawing (excelize wrote such files: it names the parts
// it adds after the sheet's position, over another sheet's). Setting one
// sheet's comments gives it parts of its own; the other keeps the shared
// ones.
func TestSharedCommentsPart(t *testing.T) {
	parts := readZip(t, producerFiles(t)["producers/with-comments.xlsx"])
	var rels []byte
	for _, p := range parts {
		if p.name == "xl/worksheets/_rels/sheet3.xml.rels" {
			rels = p.data
		}
	}
	for i, p := range parts {
		if p.name == "xl/worksheets/sheet2.xml" {
			parts[i].data = bytes.Replace(p.data, []byte("</worksheet>"), []byte(`<legacyDrawing r:id="rId1"/></worksheet>`), 1)
		}
	}
	parts = append(parts, zipPart{"xl/worksheets/_rels/sheet2.xml.rels", rels})
	data := writeZip(t, parts, zip.Deflate)
	b, err := ooxml.Open(data, ooxml.Limits{})
	must(t, err)
	shared, err := b.Comments("Thông tin chung")
	must(t, err)
	if len(shared) != 2 {
		t.Fatalf("the shared part reads as %d comments", len(shared))
	}
	p := b.Patch()
	mine := []ooxml.Comment{{Ref: "B3", Author: "chiso", Runs: []ooxml.Run{{Text: "Hệ thống chấm điểm (chiso): tên đơn vị"}}}}
	must(t, p.SetComments("Thông tin chung", mine))
	var out bytes.Buffer
	must(t, p.Write(&out))
	r, err := ooxml.Open(out.Bytes(), ooxml.Limits{})
	must(t, err)
	got, err := r.Comments("Thông tin chung")
	must(t, err)
	if len(got) != 1 || got[0].Ref != "B3" {
		t.Errorf("Thông tin chung: %+v", got)
	}
	kept, err := r.Comments("Chỉ số")
	must(t, err)
	if len(kept) != 2 || kept[0].Ref != "E9" {
		t.Errorf("Chỉ số lost the shared comments: %+v", kept)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	must(t, err)
	if cs, _ := f.GetComments("Thông tin chung"); len(cs) != 1 {
		t.Errorf("excelize reads %d comments on Thông tin chung", len(cs))
	}
	checkSchemaOrder(t, out.Bytes())
	externalChecks(t, map[string][]byte{"shared-comments": out.Bytes()}, nil)
}
