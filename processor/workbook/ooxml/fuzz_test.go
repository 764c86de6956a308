package ooxml_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// FuzzOpen feeds whole files to Open and every reader: any input must
// give a result or an error, never a panic, within the limits.
func FuzzOpen(f *testing.F) {
	// Small seeds: the engine minimises every interesting input, which
	// takes up to a minute for a 30 KB workbook.
	names, _ := filepath.Glob(filepath.Join(producersDir, "*.xlsx"))
	for _, n := range names {
		if b, err := os.ReadFile(n); err == nil && len(b) < 8<<10 {
			f.Add(b)
		}
	}
	for _, s := range fuzzSheets {
		f.Add(fuzzWorkbook([]byte(s)))
	}
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	f.Add([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	f.Fuzz(func(t *testing.T, data []byte) {
		readAll(data)
	})
}

// fuzzSheets are seeds for the sheet-level fuzzers: the sheet of a
// workbook, whose other parts stay valid so that mutations reach the XML.
var fuzzSheets = []string{
	sheetHead + `<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1.5</v></c><c r="C1" t="inlineStr"><is><r><rPr><b/></rPr><t>a</t></r><t>b_x000D_</t></is></c></row><row r="3" ht="30" customHeight="1"><c r="B3" t="str"><f t="shared" si="0" ref="B3:B4">A1+1</f><v>2</v></c></row><row><c t="b"><v>1</v></c><c s="2" t="e"><v>#N/A</v></c><c r="D4"><f t="shared" si="0"/></c></row>` + sheetTail,
	`<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><x:dimension ref="A1:C2"/><x:sheetViews><x:sheetView tabSelected="1" workbookViewId="0"/></x:sheetViews><x:sheetFormatPr defaultRowHeight="15"/><x:cols><x:col min="1" max="3" width="12" customWidth="1" style="1"/></x:cols><x:sheetData><x:row r="2" spans="1:3"><x:c r="A2" s="1"/><x:c r="C2"><x:v>3</x:v></x:c></x:row></x:sheetData><x:mergeCells count="1"><x:mergeCell ref="A1:B1"/></x:mergeCells><x:legacyDrawing r:id="rId9"/></x:worksheet>`,
	sheetHead + sheetTail,
	`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>`,
}

func fuzzWorkbook(sheet []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range workbookParts(string(sheet), zipPart{"xl/sharedStrings.xml", []byte(`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>x</t></si></sst>`)},
		zipPart{"xl/styles.xml", []byte(`<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font/></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border/></borders><cellXfs count="3"><xf/><xf fillId="1"/><xf/></cellXfs></styleSheet>`)}) {
		w, _ := zw.Create(p.name)
		w.Write(p.data)
	}
	zw.Close()
	return buf.Bytes()
}

// FuzzReadSheet fuzzes a sheet's XML inside a valid workbook.
func FuzzReadSheet(f *testing.F) {
	for _, s := range fuzzSheets {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, sheet []byte) {
		data := fuzzWorkbook(sheet)
		b, err := ooxml.Open(data, ooxml.Limits{})
		if err != nil {
			t.Fatalf("a valid package around the sheet: %v", err)
		}
		sh, err := b.ReadSheet("Sheet1")
		if err != nil {
			if !errors.Is(err, ooxml.ErrMalformed) && !errors.Is(err, ooxml.ErrLimit) {
				t.Fatalf("untyped error: %v", err)
			}
			return
		}
		for i := range sh.Cells {
			c := &sh.Cells[i]
			if got := sh.Cell(c.Col, c.Row); got == nil || got.Row != c.Row || got.Col != c.Col {
				t.Fatalf("lookup of %s fails", c.Ref())
			}
			if i > 0 && (sh.Cells[i-1].Row > c.Row || (sh.Cells[i-1].Row == c.Row && sh.Cells[i-1].Col >= c.Col)) {
				t.Fatalf("cells not sorted at %s", c.Ref())
			}
		}
	})
}

// FuzzPatch fuzzes a sheet's XML and patches it: whatever ReadSheet
// accepts, the patch must write a workbook that reads back with the
// patched cells as set.
func FuzzPatch(f *testing.F) {
	for _, s := range fuzzSheets {
		f.Add([]byte(s), uint16(3), uint16(2), "=1+1 <&> \x01")
	}
	f.Fuzz(func(t *testing.T, sheet []byte, col, row uint16, text string) {
		data := fuzzWorkbook(sheet)
		b, err := ooxml.Open(data, ooxml.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		sh, err := b.ReadSheet("Sheet1")
		if err != nil {
			return
		}
		c, r := int(col%40)+1, int(row%60)+1
		p := b.Patch()
		must(t, p.SetValue("Sheet1", c, r, ooxml.Text(text)))
		must(t, p.SetCell("Sheet1", c+1, r+2, ooxml.Number(float64(row)), 1))
		red, err := p.DeriveFill(0, ooxml.SolidFill("FFC7CE"))
		must(t, err)
		must(t, p.SetStyle("Sheet1", 1, 1, red))
		must(t, p.SetColWidth("Sheet1", c, c+2, 20))
		must(t, p.GrowRowHeight("Sheet1", r, 50))
		must(t, p.SetComments("Sheet1", []ooxml.Comment{{Ref: ooxml.CellRef(c, r), Author: "chiso", Runs: []ooxml.Run{{Text: text, Bold: true}}}}))
		w := ooxml.NewSheetWriter()
		must(t, w.WriteRow(1, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text(text)}))
		must(t, p.AddSheet("Kết quả", 0, w))
		must(t, p.SetActiveSheet("Kết quả"))
		var out bytes.Buffer
		if err := p.Write(&out); err != nil {
			if errors.Is(err, ooxml.ErrMalformed) || errors.Is(err, ooxml.ErrLimit) {
				return // the patcher meets what ReadSheet skipped over
			}
			t.Fatalf("write: %v", err)
		}
		nb, err := ooxml.Open(out.Bytes(), ooxml.Limits{})
		if err != nil {
			t.Fatalf("the result does not open: %v", err)
		}
		got, err := nb.ReadSheet("Sheet1")
		if err != nil {
			t.Fatalf("the patched sheet does not read: %v", err)
		}
		if len(sh.Cells) > 0 && (sh.Cells[len(sh.Cells)-1].Row > r+2) {
			return // cells out of order in the input may place ours oddly
		}
		if v := got.Value(c+1, r+2); v != ooxml.CellRef(0, 0)+itoa(int(row)) {
			t.Fatalf("%s reads %q, want %d", ooxml.CellRef(c+1, r+2), v, row)
		}
		if cs, err := nb.Comments("Sheet1"); err != nil || len(cs) != 1 {
			t.Fatalf("comments %v %v", cs, err)
		}
	})
}

func itoa(i int) string {
	var b [20]byte
	n := len(b)
	if i == 0 {
		return "0"
	}
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

// FuzzPatchWorkbook fuzzes xl/workbook.xml and xl/styles.xml, which a
// patch that adds a sheet and formats rewrites: whatever Open accepts,
// the result must open with the new sheet first and active.
func FuzzPatchWorkbook(f *testing.F) {
	wb := `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView activeTab="0" firstSheet="0"/></bookViews><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets><definedNames><definedName name="a" localSheetId="0">Sheet1!$A$1</definedName><definedName name="b">'Sheet1'!$B$2</definedName></definedNames><calcPr/></workbook>`
	st := `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="0.0"/></numFmts><fonts count="1"><font/></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="solid"><fgColor rgb="00FF0000"/></patternFill></fill></fills><borders count="1"><border/></borders><cellXfs count="2"><xf/><xf fillId="1" applyFill="1"/></cellXfs></styleSheet>`
	f.Add([]byte(wb), []byte(st))
	f.Add([]byte(strings.ReplaceAll(wb, "<", "<x:")), []byte(`<x:styleSheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>`))
	f.Fuzz(func(t *testing.T, wbXML, stylesXML []byte) {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, p := range workbookParts(fuzzSheets[0], zipPart{"xl/styles.xml", stylesXML}) {
			if p.name == "xl/workbook.xml" {
				p.data = wbXML
			}
			if p.name == "xl/_rels/workbook.xml.rels" {
				p.data = []byte(strings.Replace(string(p.data), "</Relationships>", `<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`, 1))
			}
			w, _ := zw.Create(p.name)
			w.Write(p.data)
		}
		zw.Close()
		b, err := ooxml.Open(buf.Bytes(), ooxml.Limits{})
		if err != nil {
			return
		}
		if _, err := b.Styles(); err != nil {
			return
		}
		p := b.Patch()
		st, err := p.AddStyle(ooxml.Style{Font: &ooxml.Font{Bold: true}, NumFmt: "0.00%", Fill: &ooxml.Fill{Pattern: "solid", FG: ooxml.RGB("FFC7CE")}})
		must(t, err)
		blue, err := p.DeriveFill(0, ooxml.SolidFill("BDD7EE"))
		must(t, err)
		w := ooxml.NewSheetWriter()
		must(t, w.WriteRow(1, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("x"), Style: st}))
		must(t, w.SetPrintTitles(1, 1))
		if err := p.AddSheet("Kết quả", 0, w); err != nil {
			return // a sheet of that name exists
		}
		must(t, p.SetActiveSheet("Kết quả"))
		var out bytes.Buffer
		if err := p.Write(&out); err != nil {
			if errors.Is(err, ooxml.ErrMalformed) || errors.Is(err, ooxml.ErrLimit) || errors.Is(err, ooxml.ErrDamaged) || strings.Contains(err.Error(), "visible sheet") {
				return
			}
			t.Fatalf("write: %v", err)
		}
		nb, err := ooxml.Open(out.Bytes(), ooxml.Limits{})
		if err != nil {
			t.Fatalf("the result does not open: %v", err)
		}
		if s := nb.Sheets(); len(s) == 0 || s[0].Name != "Kết quả" || nb.ActiveTab() != 0 {
			t.Fatalf("sheets %v, active %d", s, nb.ActiveTab())
		}
		sh, err := nb.ReadSheet("Kết quả")
		if err != nil || sh.Value(1, 1) != "x" {
			t.Fatalf("the new sheet reads %v %v", sh, err)
		}
		nst, err := nb.Styles()
		if err != nil {
			t.Fatalf("styles: %v", err)
		}
		if nst.Len() <= max(st, blue) || nst.Fill(blue).FG.Hex() != "BDD7EE" || nst.Fill(st).FG.Hex() != "FFC7CE" {
			t.Fatalf("%d formats; fill of %d: %+v, of %d: %+v", nst.Len(), blue, nst.Fill(blue), st, nst.Fill(st))
		}
	})
}
