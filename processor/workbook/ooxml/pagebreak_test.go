package ooxml_test

import (
	"archive/zip"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// TestPageBreaks: a workbook written from scratch (NewWorkbook, then
// sheets added by the patch) with manual page breaks, fit to one page and
// centred: read back by this package, excelize and openpyxl.
func TestPageBreaks(t *testing.T) {
	p, err := ooxml.NewWorkbook(ooxml.WorkbookOptions{Font: "Times New Roman", FontSize: 11})
	must(t, err)
	bold, err := p.AddStyle(ooxml.Style{Font: &ooxml.Font{Name: "Times New Roman", Size: 12, Bold: true, Color: "1F4E79"}, NumFmt: "#,##0.00"})
	must(t, err)
	cards := ooxml.NewSheetWriter()
	for r := 1; r <= 9; r++ {
		must(t, cards.WriteRow(r, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("Phiếu " + string(rune('0'+(r-1)/3)))}, ooxml.CellValue{Col: 2, Value: ooxml.Number(float64(r) + 0.5), Style: bold}))
	}
	must(t, cards.AddRowBreak(6))
	must(t, cards.AddRowBreak(3))
	must(t, cards.AddRowBreak(3)) // once
	if err := cards.AddRowBreak(0); err == nil {
		t.Error("a break after row 0 accepted")
	}
	// Overlaps are found across the rows of a merge.
	must(t, cards.Merge(ooxml.Range{Col1: 3, Row1: 1, Col2: 4, Row2: 3}))
	must(t, cards.Merge(ooxml.Range{Col1: 5, Row1: 2, Col2: 6, Row2: 2}))
	for _, r := range []ooxml.Range{{Col1: 4, Row1: 3, Col2: 5, Row2: 3}, {Col1: 1, Row1: 2, Col2: 9, Row2: 2}, {Col1: 6, Row1: 1, Col2: 6, Row2: 5}} {
		if err := cards.Merge(r); err == nil {
			t.Errorf("merge %s overlapping C1:D3 or E2:F2 accepted", r)
		}
	}
	cards.SetPageSetup(ooxml.PageSetup{FitToWidth: true, CenterHorizontally: true})
	one := ooxml.NewSheetWriter()
	must(t, one.WriteRow(1, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("Một trang")}))
	one.SetPageSetup(ooxml.PageSetup{FitToWidth: true, FitToHeight: 1})
	must(t, p.AddSheet("Phiếu kết quả", 0, cards))
	must(t, p.AddSheet("Một", 1, one))
	var out bytes.Buffer
	must(t, p.Write(&out))

	r, err := ooxml.Open(out.Bytes(), ooxml.Limits{})
	must(t, err)
	if s := r.Sheets(); len(s) != 2 || s[0].Name != "Phiếu kết quả" || s[1].Name != "Một" {
		t.Fatalf("sheets %+v", s)
	}
	sh, err := r.ReadSheet("Phiếu kết quả")
	must(t, err)
	if v := sh.Value(2, 9); v != "9.5" {
		t.Errorf("B9 %q", v)
	}

	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatalf("excelize: %v", err)
	}
	defer f.Close()
	if font, _ := f.GetDefaultFont(); font != "Times New Roman" {
		t.Errorf("default font %q", font)
	}
	if v, _ := f.GetCellValue("Phiếu kết quả", "B4"); v != "4.50" {
		t.Errorf("B4 %q", v)
	}
	for sheet, want := range map[string]int{"Phiếu kết quả": 0, "Một": 1} {
		pl, err := f.GetPageLayout(sheet)
		must(t, err)
		if pl.FitToHeight == nil || *pl.FitToHeight != want || pl.Size == nil || *pl.Size != 9 {
			t.Errorf("%s: page layout %+v", sheet, pl)
		}
	}
	// The elements where the schema puts them: printOptions before the
	// margins, the breaks (sorted, once) after the page setup.
	zr, err := zip.NewReader(bytes.NewReader(out.Bytes()), int64(out.Len()))
	must(t, err)
	var sheetXML []byte
	for _, zf := range zr.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			rc, _ := zf.Open()
			sheetXML, _ = io.ReadAll(rc)
			rc.Close()
		}
	}
	order := regexp.MustCompile(`<printOptions horizontalCentered="1"/><pageMargins [^>]*/><pageSetup [^>]*/>` +
		`<rowBreaks count="2" manualBreakCount="2"><brk id="3" max="16383" man="1"/><brk id="6" max="16383" man="1"/></rowBreaks></worksheet>`)
	if !order.Match(sheetXML) {
		t.Errorf("sheet1.xml:\n%s", sheetXML)
	}

	path := filepath.Join(t.TempDir(), "moi.xlsx")
	must(t, os.WriteFile(path, out.Bytes(), 0o644))
	testkit.Openpyxl(t, `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Phiếu kết quả"]
assert [b.id for b in ws.row_breaks.brk] == [3, 6], ws.row_breaks.brk
assert ws.print_options.horizontalCentered, ws.print_options
assert ws["B9"].value == 9.5 and ws["B9"].number_format == "#,##0.00" and ws["B9"].font.b
assert wb["Một"].page_setup.fitToHeight == 1
`, path)
}

// TestPatchTextFormat: the text layout of formats a patch added, and of a
// format derived from one with another fill (a re-annotated cell), is the
// added one's, not Excel's default.
func TestPatchTextFormat(t *testing.T) {
	p, err := ooxml.NewWorkbook(ooxml.WorkbookOptions{Font: "Times New Roman", FontSize: 12})
	must(t, err)
	id, err := p.AddStyle(ooxml.Style{Font: &ooxml.Font{Name: "Times New Roman", Size: 13, Bold: true}, Alignment: &ooxml.Alignment{Wrap: true, Indent: 1}})
	must(t, err)
	derived, err := p.DeriveFill(id, ooxml.SolidFill("FFC7CE"))
	must(t, err)
	want := ooxml.TextFormat{Wrap: true, Indent: 1, Size: 13, Bold: true}
	for _, x := range []int{id, derived} {
		got, err := p.TextFormat(x)
		must(t, err)
		if got != want {
			t.Errorf("format %d: %+v, want %+v", x, got, want)
		}
	}
	if got, _ := p.TextFormat(derived + 5); got != (ooxml.TextFormat{Size: 11}) {
		t.Errorf("a format that does not exist: %+v", got)
	}
}

// TestSharedEmpty: empty shared text is a blank cell, not an empty string
// in the table.
func TestSharedEmpty(t *testing.T) {
	p, err := ooxml.NewWorkbook(ooxml.WorkbookOptions{})
	must(t, err)
	if got := p.Shared(""); got != ooxml.Blank() {
		t.Errorf("Shared(\"\") = %+v, want a blank", got)
	}
	if got := p.Shared("Xã Hợp Thành"); got == ooxml.Blank() {
		t.Error("Shared of a name is blank")
	}
}
