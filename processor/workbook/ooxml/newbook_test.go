package ooxml_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// newBook builds a workbook from scratch with every feature of a new
// sheet: formats, a large sheet (its rows compressed in many chunks),
// merges, print set-up (scale, page order, centring, header and footer,
// print area, title rows and columns, page breaks), comments, a data
// validation, charts and lines, custom properties.
func newBook(t *testing.T, rows int) []byte {
	t.Helper()
	p, err := ooxml.NewWorkbook(ooxml.WorkbookOptions{Font: "Times New Roman", FontSize: 11,
		Properties: []ooxml.Property{{Name: "chiso_kind", Value: "tham-dinh"}, {Name: "chiso_year", Value: "2023 & <x>"}}})
	must(t, err)
	bold, err := p.AddStyle(ooxml.Style{Font: &ooxml.Font{Name: "Times New Roman", Size: 12, Bold: true}, Alignment: &ooxml.Alignment{Horizontal: "center", Wrap: true}})
	must(t, err)
	num, err := p.AddStyle(ooxml.Style{NumFmt: "0.00", Border: &ooxml.Border{Bottom: ooxml.BorderLine{Style: "thin"}}})
	must(t, err)

	big := ooxml.NewSheetWriter()
	must(t, big.WriteRow(1, 30, ooxml.CellValue{Col: 1, Value: ooxml.Text("BẢNG ĐIỂM — TẠM TÍNH"), Style: bold}))
	must(t, big.Merge(ooxml.Range{Col1: 1, Row1: 1, Col2: 4, Row2: 1}))
	must(t, big.WriteRow(2, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("Mã")}, ooxml.CellValue{Col: 2, Value: ooxml.Text("Đơn vị")},
		ooxml.CellValue{Col: 3, Value: ooxml.Text("Điểm")}, ooxml.CellValue{Col: 4, Value: ooxml.Text("Ghi chú")}))
	for r := 3; r < 3+rows; r++ {
		must(t, big.WriteRow(r, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text(fmt.Sprintf("X%05d", r))},
			ooxml.CellValue{Col: 2, Value: p.Shared(fmt.Sprintf("Xã Thử Nghiệm %d", r%50+3))},
			ooxml.CellValue{Col: 3, Value: ooxml.Number(float64(r) / 7), Style: num},
			ooxml.CellValue{Col: 4, Value: ooxml.Text("=SUM(1,2) <b>&amp;")}))
	}
	must(t, big.SetColWidth(2, 2, 30))
	big.Freeze(2, 2)
	must(t, big.SetAutoFilter(ooxml.Range{Col1: 1, Row1: 2, Col2: 4, Row2: 2 + rows}))
	big.SetPageSetup(ooxml.PageSetup{Landscape: true, Scale: 90, OverThenDown: true, CenterHorizontally: true,
		Header: "&C&\"Times New Roman,Bold\"&10TẠM TÍNH", Footer: "&CTrang &P / &N"})
	must(t, big.SetPrintTitles(2, 2))
	must(t, big.SetPrintTitleColumns(1, 2))
	must(t, big.SetPrintArea(ooxml.Range{Col1: 1, Row1: 1, Col2: 4, Row2: 2 + rows}))
	must(t, big.AddRowBreak(40))
	must(t, big.AddColBreak(3))
	must(t, big.AddColBreak(3))
	big.HideGridLines()
	must(t, big.AddComment(ooxml.Comment{Ref: "C5", Author: "chiso", Runs: []ooxml.Run{{Text: "Hội đồng thẩm định: 5"}}}))
	must(t, big.AddValidation(ooxml.Validation{Range: ooxml.Range{Col1: 3, Row1: 3, Col2: 3, Row2: 2 + rows}, Type: "decimal",
		Operator: "greaterThanOrEqual", Formula1: "0", AllowBlank: true, PromptTitle: "Điểm", Prompt: "Nhập điểm từ 0.", ErrorTitle: "Sai", Error: "Điểm là một số ≥ 0."}))
	must(t, big.AddLine(ooxml.Line{From: ooxml.Anchor{Col: 1, Row: 2, ColOff: 10 * ooxml.EMUPerPoint}, To: ooxml.Anchor{Col: 2, Row: 2, ColOff: 20 * ooxml.EMUPerPoint}}))
	must(t, p.AddSheet("Điểm", 0, big))

	charts := ooxml.NewSheetWriter()
	must(t, charts.WriteRow(1, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("Đơn vị")}, ooxml.CellValue{Col: 2, Value: ooxml.Text("Tổng")}))
	for r := 2; r <= 6; r++ {
		must(t, charts.WriteRow(r, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text(fmt.Sprintf("Xã %d", r))}, ooxml.CellValue{Col: 2, Value: ooxml.Number(float64(100 - r))}))
	}
	zero, one := 0.0, 1.0
	must(t, charts.AddChart(ooxml.Chart{Kind: ooxml.BarChart, Title: "Tổng điểm", At: ooxml.Anchor{Col: 4, Row: 1}, Width: 400, Height: 250,
		Series: []ooxml.ChartSeries{{Name: ooxml.RangeRef("Biểu đồ", ooxml.Range{Col1: 2, Row1: 1, Col2: 2, Row2: 1}),
			Categories: ooxml.RangeRef("Biểu đồ", ooxml.Range{Col1: 1, Row1: 2, Col2: 1, Row2: 6}),
			Values:     ooxml.RangeRef("Biểu đồ", ooxml.Range{Col1: 2, Row1: 2, Col2: 2, Row2: 6})}},
		Font: "Times New Roman", ReverseCategories: true, ValueMin: &zero, Labels: true, LabelFormat: "0.00", AltText: "Tổng điểm"}))
	must(t, charts.AddChart(ooxml.Chart{Kind: ooxml.ColumnChart, Title: "So sánh", At: ooxml.Anchor{Col: 4, Row: 20}, Width: 400, Height: 250,
		Series: []ooxml.ChartSeries{{Name: ooxml.RangeRef("Biểu đồ", ooxml.Range{Col1: 1, Row1: 2, Col2: 1, Row2: 2}),
			Categories: ooxml.RangeRef("Biểu đồ", ooxml.Range{Col1: 1, Row1: 1, Col2: 2, Row2: 1}),
			Values:     ooxml.RangeRef("Biểu đồ", ooxml.Range{Col1: 1, Row1: 2, Col2: 2, Row2: 2})}},
		ValueMin: &zero, ValueMax: &one, ValueFormat: "0%", Legend: "b"}))
	must(t, p.AddSheet("Biểu đồ", 1, charts))
	hidden := ooxml.NewSheetWriter()
	must(t, hidden.WriteRow(1, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("kind")}, ooxml.CellValue{Col: 2, Value: ooxml.Text("tham-dinh")}))
	must(t, p.AddSheet("_chiso", 2, hidden))
	must(t, p.SetSheetState("_chiso", ooxml.VeryHidden))
	var buf bytes.Buffer
	must(t, p.Write(&buf))
	if err := big.WriteRow(5000000, 0); err == nil {
		t.Error("a row written after the sheet was")
	}
	// A patch writes the same bytes again.
	var again bytes.Buffer
	must(t, p.Write(&again))
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("the second write differs")
	}
	return buf.Bytes()
}

func TestNewWorkbook(t *testing.T) {
	const rows = 3000 // several compressed chunks
	data := newBook(t, rows)

	// Our reader, checking every entry's checksum.
	b, err := ooxml.Open(data, ooxml.Limits{})
	must(t, err)
	var names []string
	for _, s := range b.Sheets() {
		names = append(names, s.Name+"/"+s.State.String())
	}
	if got := strings.Join(names, ","); got != "Điểm/visible,Biểu đồ/visible,_chiso/veryHidden" {
		t.Errorf("sheets %s", got)
	}
	sh, err := b.ReadSheet("Điểm")
	must(t, err)
	if sh.MaxRow() != rows+2 || sh.Value(2, rows+2) != fmt.Sprintf("Xã Thử Nghiệm %d", (rows+2)%50+3) || sh.Value(4, 3) != "=SUM(1,2) <b>&amp;" {
		t.Errorf("rows %d, last %q, text %q", sh.MaxRow(), sh.Value(2, rows+2), sh.Value(4, 3))
	}
	if v, ok, _ := b.Property("chiso_year"); !ok || v != "2023 & <x>" {
		t.Errorf("property %q", v)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	must(t, err)
	parts := map[string]string{}
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		x, err := io.ReadAll(rc) // checks the CRC-32
		must(t, err)
		rc.Close()
		parts[f.Name] = string(x)
	}
	sheet1 := parts["xl/worksheets/sheet1.xml"]
	for _, want := range []string{`showGridLines="0"`, `<printOptions horizontalCentered="1"/>`, `scale="90"`, `pageOrder="overThenDown"`,
		`<rowBreaks count="1" manualBreakCount="1"><brk id="40"`, `<colBreaks count="1" manualBreakCount="1"><brk id="3"`,
		`<dataValidations count="1">`, `<drawing r:id="`, `<legacyDrawing r:id="`, "<oddHeader>"} {
		if !strings.Contains(sheet1, want) {
			t.Errorf("sheet1 lacks %s", want)
		}
	}
	// The elements in the schema's order.
	last := -1
	for _, el := range []string{"<sheetData>", "<autoFilter", "<mergeCells", "<dataValidations", "<printOptions", "<pageMargins", "<pageSetup",
		"<headerFooter", "<rowBreaks", "<colBreaks", "<drawing", "<legacyDrawing"} {
		i := strings.Index(sheet1, el)
		if i < last {
			t.Errorf("%s out of order", el)
		}
		last = i
	}
	if x := html.UnescapeString(parts["xl/charts/chart1.xml"]); !strings.Contains(x, "'Biểu đồ'!$A$2:$A$6") || !strings.Contains(x, `<c:barDir val="bar"/>`) {
		t.Errorf("chart1: %s", x)
	}
	for _, p := range []string{"xl/drawings/drawing1.xml", "xl/drawings/drawing2.xml", "xl/charts/chart2.xml", "xl/comments1.xml",
		"xl/drawings/vmlDrawing1.vml", "xl/worksheets/_rels/sheet1.xml.rels", "xl/drawings/_rels/drawing2.xml.rels", "docProps/custom.xml"} {
		if _, ok := parts[p]; !ok {
			t.Errorf("no %s", p)
		}
	}
	// Repeated text is written once, in the shared-string table.
	if sst := parts["xl/sharedStrings.xml"]; !strings.Contains(sst, `count="3000" uniqueCount="50"`) {
		t.Errorf("shared strings: %.200s", sst)
	}
	if strings.Contains(parts["[Content_Types].xml"], "sheet4") || !strings.Contains(parts["[Content_Types].xml"], "/xl/charts/chart2.xml") {
		t.Errorf("content types: %s", parts["[Content_Types].xml"])
	}

	// excelize reads what Excel would.
	f, err := excelize.OpenReader(bytes.NewReader(data))
	must(t, err)
	defer f.Close()
	if v, _ := f.GetCellValue("Điểm", "C4"); v != "0.57" {
		t.Errorf("C4 = %q", v)
	}
	pl, err := f.GetPageLayout("Điểm")
	must(t, err)
	if *pl.Size != 9 || *pl.Orientation != "landscape" || pl.AdjustTo == nil || *pl.AdjustTo != 90 {
		t.Errorf("page layout %+v", pl)
	}
	cs, _ := f.GetComments("Điểm")
	if len(cs) != 1 || cs[0].Cell != "C5" {
		t.Errorf("comments %+v", cs)
	}
	dv, _ := f.GetDataValidations("Điểm")
	if len(dv) != 1 || dv[0].Sqref != fmt.Sprintf("C3:C%d", rows+2) {
		t.Errorf("validations %+v", dv)
	}
	dn := map[string]string{}
	for _, n := range f.GetDefinedName() {
		dn[n.Name] = n.RefersTo
	}
	if dn["_xlnm.Print_Titles"] != "'Điểm'!$A:$B,'Điểm'!$2:$2" || dn["_xlnm.Print_Area"] != fmt.Sprintf("'Điểm'!$A$1:$D$%d", rows+2) {
		t.Errorf("names %v", dn)
	}
	props, _ := f.GetCustomProps()
	if len(props) != 2 {
		t.Errorf("properties %+v", props)
	}
	if v, _ := f.GetSheetVisible("_chiso"); v {
		t.Error("_chiso visible")
	}

	// openpyxl and LibreOffice open it (slow: not with -short).
	if testing.Short() {
		return
	}
	dir := t.TempDir()
	if d := os.Getenv("CHISO_TEST_ARTIFACTS"); d != "" {
		dir = d
	}
	path := filepath.Join(dir, "moi.xlsx")
	must(t, os.WriteFile(path, data, 0o644))
	testkit.OpenpyxlLoads(t, path)
	testkit.Openpyxl(t, `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Điểm"]
assert ws["B3"].value == "Xã Thử Nghiệm 6", ws["B3"].value
assert ws.print_title_rows in ("2:2", "$2:$2"), ws.print_title_rows
assert ws.print_title_cols in ("A:B", "$A:$B"), ws.print_title_cols
assert ws.page_setup.scale == 90, ws.page_setup.scale
assert ws["C5"].comment is not None
assert len(ws.data_validations.dataValidation) == 1
assert len(wb["Biểu đồ"]._charts) == 2, wb["Biểu đồ"]._charts
`, path)
	testkit.Convert(t, dir, "pdf", path)
}

func TestNewWorkbookDeterministic(t *testing.T) {
	a, b := newBook(t, 10), newBook(t, 10)
	if !bytes.Equal(a, b) {
		t.Error("two builds differ")
	}
}

// TestSharedInBookWithTable: a workbook that has a shared-string table of
// its own keeps it untouched; Shared gives inline text there.
func TestSharedInBookWithTable(t *testing.T) {
	data, err := os.ReadFile("../../pipeline/testdata/corpus/37-luu-bang-libreoffice.xlsx")
	must(t, err)
	b, err := ooxml.Open(data, ooxml.Limits{})
	must(t, err)
	if v := b.Patch().Shared("Xã Một"); v != ooxml.Text("Xã Một") {
		t.Errorf("shared value in a book with a table: %+v", v)
	}
}

// TestMergeOverlaps: a merge that overlaps an earlier one is refused,
// whatever the order and shape of the merges (checked against every pair).
func TestMergeOverlaps(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for trial := range 200 {
		w := ooxml.NewSheetWriter()
		var kept []ooxml.Range
		for range 40 {
			c, r := 1+rng.IntN(8), 1+rng.IntN(30)
			m := ooxml.Range{Col1: c, Row1: r, Col2: c + rng.IntN(3), Row2: r + rng.IntN(4)}
			if m.Col1 == m.Col2 && m.Row1 == m.Row2 {
				continue
			}
			overlaps := false
			for _, k := range kept {
				overlaps = overlaps || (m.Col1 <= k.Col2 && k.Col1 <= m.Col2 && m.Row1 <= k.Row2 && k.Row1 <= m.Row2)
			}
			err := w.Merge(m)
			if overlaps != (err != nil) {
				t.Fatalf("trial %d: merge %v after %v: %v", trial, m, kept, err)
			}
			if err == nil {
				kept = append(kept, m)
			}
		}
	}
}
