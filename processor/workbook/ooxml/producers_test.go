package ooxml_test

// The producer corpus: workbooks as other programs write them, committed
// under testdata/producers. Regenerate with
//
//	go test ./processor/workbook/ooxml -run TestProducerCorpus -producers
//
// which needs LibreOffice (soffice) and Debian's python3 with openpyxl
// (/usr/bin/python3) for the re-saved files; the hand-built ones are made
// from the filled template by rewriting its parts. Normal test runs only
// read the committed files.

import (
	"archive/zip"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/sample"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
	"github.com/chiso-vn/chiso/templates"
)

var genProducers = flag.Bool("producers", false, "regenerate testdata/producers (needs soffice and /usr/bin/python3 with openpyxl)")

const producersDir = "testdata/producers"

// filledTemplate is a chiso template filled by processor/sample, as
// excelize writes it.
func filledTemplate(t testing.TB, seed uint64) []byte {
	t.Helper()
	r := thanhHoa(t)
	f, _, err := sample.Filled(r, sample.Options{Template: workbook.TemplateOptions{Year: 2023, UnitCode: "X0001", UnitName: "Xã Thử Nghiệm 1"}, Seed: seed, SelfNoise: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func rubrics(t testing.TB) *rubric.Set {
	t.Helper()
	set := rubric.NewSet()
	if err := set.LoadFS(templates.FS, "."); err != nil {
		t.Fatal(err)
	}
	return set
}

func thanhHoa(t testing.TB) *rubric.Rubric {
	t.Helper()
	r, ok := rubrics(t).Get("thanhhoa-xa-2023")
	if !ok {
		t.Fatal("no thanhhoa-xa-2023 rubric")
	}
	return r
}

// zipPart is one entry of a zip archive.
type zipPart struct {
	name string
	data []byte
}

func readZip(t testing.TB, data []byte) []zipPart {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var out []zipPart
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, zipPart{f.Name, b})
	}
	return out
}

func writeZip(t testing.TB, parts []zipPart, method uint16) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: method})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(p.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// mapParts rewrites the parts whose names match re with fn; a nil result
// drops the part.
func mapParts(parts []zipPart, re string, fn func(name string, b []byte) []byte) []zipPart {
	rx := regexp.MustCompile(re)
	var out []zipPart
	for _, p := range parts {
		if rx.MatchString(p.name) {
			b := fn(p.name, p.data)
			if b == nil {
				continue
			}
			p.data = b
		}
		out = append(out, p)
	}
	return out
}

var spreadsheetParts = `^xl/(workbook\.xml|styles\.xml|sharedStrings\.xml|worksheets/sheet\d+\.xml)$`

// prefixNS moves SpreadsheetML elements from the default namespace to the
// prefix x:, as some producers (and .NET's Open XML SDK users) write them.
func prefixNS(b []byte) []byte {
	elem := regexp.MustCompile(`<(/?)([A-Za-z_][\w.\-]*)([\s/>])`)
	b = elem.ReplaceAll(b, []byte("<${1}x:${2}${3}"))
	def := []byte(`xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`)
	if bytes.Contains(b, []byte(`xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`)) {
		return bytes.Replace(b, append([]byte(" "), def...), nil, 1) // x: is declared already
	}
	return bytes.Replace(b, def, []byte(`xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"`), 1)
}

// sharedItems returns the inner XML of each <si> of a shared-string part.
func sharedItems(sst []byte) [][]byte {
	re := regexp.MustCompile(`(?s)<si>(.*?)</si>`)
	var out [][]byte
	for _, m := range re.FindAllSubmatch(sst, -1) {
		out = append(out, m[1])
	}
	return out
}

// inlineStrings replaces the shared strings by inline strings and drops
// the shared-string part, as streaming writers do.
func inlineStrings(t testing.TB, parts []zipPart) []zipPart {
	var items [][]byte
	for _, p := range parts {
		if p.name == "xl/sharedStrings.xml" {
			items = sharedItems(p.data)
		}
	}
	cell := regexp.MustCompile(`<c([^>]*?) t="s"([^>]*)><v>(\d+)</v></c>`)
	parts = mapParts(parts, `^xl/worksheets/sheet\d+\.xml$`, func(_ string, b []byte) []byte {
		return cell.ReplaceAllFunc(b, func(m []byte) []byte {
			sm := cell.FindSubmatch(m)
			i, _ := strconv.Atoi(string(sm[3]))
			return []byte(fmt.Sprintf(`<c%s t="inlineStr"%s><is>%s</is></c>`, sm[1], sm[2], items[i]))
		})
	})
	parts = mapParts(parts, `^xl/sharedStrings\.xml$`, func(string, []byte) []byte { return nil })
	parts = mapParts(parts, `^xl/_rels/workbook\.xml\.rels$`, func(_ string, b []byte) []byte {
		return regexp.MustCompile(`<Relationship [^>]*sharedStrings[^>]*>(</Relationship>)?`).ReplaceAll(b, nil)
	})
	return mapParts(parts, `^\[Content_Types\]\.xml$`, func(_ string, b []byte) []byte {
		return regexp.MustCompile(`<Override [^>]*sharedStrings[^>]*>(</Override>)?`).ReplaceAll(b, nil)
	})
}

// richStrings turns shared strings with a space into two runs (the first
// bold) with a phonetic run that is not part of the text.
func richStrings(b []byte) []byte {
	re := regexp.MustCompile(`<si><t>([^<]*?) ([^<]*)</t></si>`)
	return re.ReplaceAll(b, []byte(`<si><r><rPr><b/><sz val="12"/><rFont val="Times New Roman"/></rPr><t>${1}</t></r><r><t xml:space="preserve"> ${2}</t></r><rPh sb="0" eb="1"><t>ふりがな</t></rPh><phoneticPr fontId="0" type="noConversion"/></si>`))
}

// dropRefs removes the r attribute of rows and cells wherever it can be
// implied (the next row, the next column), as some scripts write them.
func dropRefs(b []byte) []byte {
	re := regexp.MustCompile(`<row r="(\d+)"|<c r="([A-Z]+)(\d+)"`)
	prevRow, prevCol := 0, 0
	return re.ReplaceAllFunc(b, func(m []byte) []byte {
		sm := re.FindSubmatch(m)
		if sm[1] != nil {
			r, _ := strconv.Atoi(string(sm[1]))
			implied := r == prevRow+1
			prevRow, prevCol = r, 0
			if implied {
				return []byte("<row")
			}
			return m
		}
		col, _ := excelize.ColumnNameToNumber(string(sm[2]))
		implied := col == prevCol+1
		prevCol = col
		if implied {
			return []byte("<c")
		}
		return m
	})
}

// absoluteTargets writes relationship targets as absolute part names.
func absoluteTargets(name string, b []byte) []byte {
	re := regexp.MustCompile(`Target="([^"/][^"]*)"`)
	base := "/"
	if name == "xl/_rels/workbook.xml.rels" {
		base = "/xl/"
	}
	return re.ReplaceAll(b, []byte(`Target="`+base+`${1}"`))
}

func withComments(t testing.TB, data []byte) []byte {
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []excelize.Comment{
		{Cell: "E9", Author: "Nguyễn Văn An", Text: "Số liệu theo báo cáo năm."},
		{Cell: "H8", Author: "Trần Thị Bình", Paragraph: []excelize.RichTextRun{{Text: "Cần xem lại: ", Font: &excelize.Font{Bold: true}}, {Text: "điểm tự chấm cao."}}},
	} {
		if err := f.AddComment(workbook.SheetScores, c); err != nil {
			t.Fatal(err)
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gsheetsStyle is a small workbook in the style Google Sheets exports:
// Arial 10 with sizes as "10.0", explicit state="visible", an empty
// <definedNames/>, no dimension, no docProps, numbers written "19.0".
func gsheetsStyle() []zipPart {
	return []zipPart{
		{"[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default ContentType="application/xml" Extension="xml"/><Default ContentType="application/vnd.openxmlformats-package.relationships+xml" Extension="rels"/><Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml" PartName="/xl/worksheets/sheet1.xml"/><Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" PartName="/xl/sharedStrings.xml"/><Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml" PartName="/xl/styles.xml"/><Override ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml" PartName="/xl/workbook.xml"/></Types>`)},
		{"_rels/.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{"xl/_rels/workbook.xml.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)},
		{"xl/workbook.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr/><sheets><sheet state="visible" name="Trang tính1" sheetId="1" r:id="rId3"/></sheets><definedNames/><calcPr/></workbook>`)},
		{"xl/styles.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><fonts count="2"><font><sz val="10.0"/><color rgb="FF000000"/><name val="Arial"/><scheme val="minor"/></font><font><b/><color theme="1"/><name val="Arial"/><scheme val="minor"/></font></fonts><fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="lightGray"/></fill><fill><patternFill patternType="solid"><fgColor rgb="FFFFF2CC"/><bgColor rgb="FFFFF2CC"/></patternFill></fill></fills><borders count="1"><border/></borders><cellStyleXfs count="1"><xf borderId="0" fillId="0" fontId="0" numFmtId="0" applyAlignment="1" applyFont="1"/></cellStyleXfs><cellXfs count="3"><xf borderId="0" fillId="0" fontId="0" numFmtId="0" xfId="0" applyAlignment="1" applyFont="1"><alignment readingOrder="0" shrinkToFit="0" vertical="bottom" wrapText="0"/></xf><xf borderId="0" fillId="0" fontId="1" numFmtId="0" xfId="0" applyAlignment="1" applyFont="1"><alignment readingOrder="0"/></xf><xf borderId="0" fillId="2" fontId="0" numFmtId="0" xfId="0" applyAlignment="1" applyFill="1" applyFont="1"><alignment readingOrder="0"/></xf></cellXfs><cellStyles count="1"><cellStyle xfId="0" name="Normal" builtinId="0"/></cellStyles><dxfs count="0"/></styleSheet>`)},
		{"xl/sharedStrings.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" uniqueCount="5"><si><t>Chỉ tiêu</t></si><si><t>Số liệu</t></si><si><t>Số CBCC có máy tính</t></si><si><t>Tổng số CBCC</t></si><si><t xml:space="preserve">Ghi chú  </t></si></sst>`)},
		{"xl/worksheets/sheet1.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetPr><outlinePr summaryBelow="0" summaryRight="0"/></sheetPr><sheetViews><sheetView workbookViewId="0"/></sheetViews><sheetFormatPr customHeight="1" defaultColWidth="12.63" defaultRowHeight="15.75"/><cols><col customWidth="1" min="1" max="1" width="30.0"/></cols><sheetData><row r="1"><c r="A1" s="1" t="s"><v>0</v></c><c r="B1" s="1" t="s"><v>1</v></c><c r="C1" s="1" t="s"><v>4</v></c></row><row r="2"><c r="A2" s="2" t="s"><v>2</v></c><c r="B2" s="2"><v>19.0</v></c></row><row r="3"><c r="A3" s="2" t="s"><v>3</v></c><c r="B3" s="2"><v>20.0</v></c></row><row r="4"><c r="B4" t="str"><f>B2/B3</f><v>0.95</v></c><c r="C4" t="b"><v>1</v></c><c r="D4" t="e"><v>#DIV/0!</v></c></row></sheetData><drawing r:id="rId1" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"/></worksheet>`)},
		{"xl/worksheets/_rels/sheet1.xml.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing" Target="../drawings/drawing1.xml"/></Relationships>`)},
		{"xl/drawings/drawing1.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><xdr:wsDr xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"/>`)},
	}
}

// excelStyle is a small workbook in the style Excel saves: a shared
// formula filled down (master and followers), an array formula, a
// calculation chain, sheet titles in docProps/app.xml, spans and
// x14ac:dyDescent on rows, a theme-less minimal styles part.
func excelStyle() []zipPart {
	rows := `<row r="1" spans="1:3" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>`
	for r := 2; r <= 6; r++ {
		f := `<f t="shared" si="0"/>`
		if r == 2 {
			f = `<f t="shared" ref="B2:B6" si="0">A2*2</f>`
		}
		c := ""
		switch r {
		case 2:
			c = fmt.Sprintf(`<c r="C2"><f t="array" ref="C2:C3">A2:A3*3</f><v>%d</v></c>`, 3*(r*10))
		case 3:
			c = fmt.Sprintf(`<c r="C3"><v>%d</v></c>`, 3*(r*10))
		}
		rows += fmt.Sprintf(`<row r="%d" spans="1:3" x14ac:dyDescent="0.25"><c r="A%d"><v>%d</v></c><c r="B%d">%s<v>%d</v></c>%s</row>`, r, r, r*10, r, f, r*20, c)
	}
	rows += `<row r="7" spans="1:3" x14ac:dyDescent="0.25"><c r="B7"><f>SUM(B2:B6)</f><v>400</v></c></row>`
	return []zipPart{
		{"[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/calcChain.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/></Types>`)},
		{"_rels/.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{"docProps/app.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant><vt:i4>1</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="1" baseType="lpstr"><vt:lpstr>Bảng 1</vt:lpstr></vt:vector></TitlesOfParts><AppVersion>16.0300</AppVersion></Properties>`)},
		{"docProps/core.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>UBND xã</dc:creator><dcterms:created xsi:type="dcterms:W3CDTF">2023-11-01T08:00:00Z</dcterms:created></cp:coreProperties>`)},
		{"xl/workbook.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x15 xr xr6 xr10 xr2" xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" xmlns:xr6="http://schemas.microsoft.com/office/spreadsheetml/2016/revision6" xmlns:xr10="http://schemas.microsoft.com/office/spreadsheetml/2016/revision10" xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2"><fileVersion appName="xl" lastEdited="7" lowestEdited="7" rupBuild="27425"/><workbookPr defaultThemeVersion="166925"/><bookViews><workbookView xWindow="-120" yWindow="-120" windowWidth="29040" windowHeight="15840" xr2:uid="{00000000-000D-0000-FFFF-FFFF00000000}"/></bookViews><sheets><sheet name="Bảng 1" sheetId="1" r:id="rId1"/></sheets><definedNames><definedName name="_xlnm.Print_Area" localSheetId="0">'Bảng 1'!$A$1:$C$7</definedName></definedNames><calcPr calcId="191029"/></workbook>`)},
		{"xl/_rels/workbook.xml.rels", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain" Target="calcChain.xml"/><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`)},
		{"xl/styles.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac x16r2 xr" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" xmlns:x16r2="http://schemas.microsoft.com/office/spreadsheetml/2015/02/main" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision"><fonts count="1" x14ac:knownFonts="1"><font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" defaultPivotStyle="PivotStyleLight16"/></styleSheet>`)},
		{"xl/sharedStrings.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3"><si><t>Số</t></si><si><t>Gấp đôi</t></si><si><t>Mảng</t></si></sst>`)},
		{"xl/worksheets/sheet1.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" mc:Ignorable="x14ac xr xr2 xr3" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" xmlns:xr2="http://schemas.microsoft.com/office/spreadsheetml/2015/revision2" xmlns:xr3="http://schemas.microsoft.com/office/spreadsheetml/2016/revision3" xr:uid="{00000000-0001-0000-0000-000000000000}"><dimension ref="A1:C7"/><sheetViews><sheetView tabSelected="1" workbookViewId="0"><selection activeCell="B2" sqref="B2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15" x14ac:dyDescent="0.25"/><sheetData>` + rows + `</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`)},
		{"xl/calcChain.xml", []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\r\n" + `<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><c r="B2" i="1"/><c r="B3"/><c r="B4"/><c r="B5"/><c r="B6"/><c r="C2" a="1"/><c r="C3"/><c r="B7"/></calcChain>`)},
	}
}

// scriptStyle is a minimal workbook as small scripts write it: no styles
// part, no shared strings (inline strings), no docProps, cells without
// styles.
func scriptStyle() []zipPart {
	return []zipPart{
		{"[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`)},
		{"_rels/.rels", []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="R1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/xl/workbook.xml"/></Relationships>`)},
		{"xl/_rels/workbook.xml.rels", []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="R1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>`)},
		{"xl/workbook.xml", []byte(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="R1"/></sheets></workbook>`)},
		{"xl/worksheets/sheet1.xml", []byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row><c t="inlineStr"><is><t>Đơn vị</t></is></c><c t="inlineStr"><is><t>Xã Hợp Thành</t></is></c></row><row><c t="inlineStr"><is><t>Số hộ</t></is></c><c><v>1234</v></c></row><row r="5"><c r="C5" t="inlineStr"><is><t>a_x000D_b</t></is></c></row></sheetData></worksheet>`)},
	}
}

// producerNames are the files of the producer corpus, one per producer or
// oddity (see the file comment).
var producerNames = []string{
	"excelize-filled.xlsx", "argb-alpha-00.xlsx", "prefixed-namespace.xlsx", "inline-strings.xlsx",
	"rich-shared-strings.xlsx", "no-cell-refs.xlsx", "absolute-targets.xlsx", "with-comments.xlsx",
	"gsheets-style.xlsx", "script-minimal.xlsx", "excel-shared-formulas.xlsx",
	"libreoffice.xlsx", "libreoffice-comments.xlsx", "openpyxl.xlsx",
}

// TestProducerCorpus: the committed corpus holds every producer's file and
// each is a workbook this package opens (the tests that read the corpus
// would otherwise test less than they say). With -producers it is written
// again first.
func TestProducerCorpus(t *testing.T) {
	if *genProducers {
		generateProducers(t)
	}
	for _, name := range producerNames {
		data, err := os.ReadFile(filepath.Join(producersDir, name))
		if err != nil {
			t.Errorf("%s: %v (regenerate with -producers)", name, err)
			continue
		}
		b, err := ooxml.Open(data, ooxml.Limits{})
		if err != nil {
			t.Errorf("%s does not open: %v", name, err)
			continue
		}
		if len(b.Sheets()) == 0 {
			t.Errorf("%s: no sheet", name)
		}
	}
	if got := len(producerFiles(t)); got != len(producerNames) {
		t.Errorf("%d files in %s, want the %d listed in producerNames", got, producersDir, len(producerNames))
	}
}

// generateProducers writes the producer corpus (see the file comment).
func generateProducers(t *testing.T) {
	if err := os.MkdirAll(producersDir, 0o755); err != nil {
		t.Fatal(err)
	}
	put := func(name string, data []byte) {
		t.Helper()
		if !slices.Contains(producerNames, name) {
			t.Fatalf("%s is not in producerNames", name)
		}
		if err := os.WriteFile(filepath.Join(producersDir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := filledTemplate(t, 11)
	put("excelize-filled.xlsx", base)
	parts := readZip(t, base)
	put("argb-alpha-00.xlsx", writeZip(t, mapParts(parts, `^xl/styles\.xml$`, func(_ string, b []byte) []byte {
		return bytes.ReplaceAll(b, []byte(`rgb="FF`), []byte(`rgb="00`))
	}), zip.Deflate))
	put("prefixed-namespace.xlsx", writeZip(t, mapParts(parts, spreadsheetParts, func(_ string, b []byte) []byte { return prefixNS(b) }), zip.Deflate))
	put("inline-strings.xlsx", writeZip(t, inlineStrings(t, parts), zip.Deflate))
	put("rich-shared-strings.xlsx", writeZip(t, mapParts(parts, `^xl/sharedStrings\.xml$`, func(_ string, b []byte) []byte { return richStrings(b) }), zip.Deflate))
	put("no-cell-refs.xlsx", writeZip(t, mapParts(parts, `^xl/worksheets/sheet\d+\.xml$`, func(_ string, b []byte) []byte { return dropRefs(b) }), zip.Deflate))
	put("absolute-targets.xlsx", writeZip(t, mapParts(parts, `_rels/.*\.rels$`, absoluteTargets), zip.Deflate))
	commented := withComments(t, base)
	put("with-comments.xlsx", commented)
	put("gsheets-style.xlsx", writeZip(t, gsheetsStyle(), zip.Deflate))
	put("script-minimal.xlsx", writeZip(t, scriptStyle(), zip.Store))
	put("excel-shared-formulas.xlsx", writeZip(t, excelStyle(), zip.Deflate))

	tmp := t.TempDir()
	if _, err := exec.LookPath("soffice"); err != nil {
		t.Error("soffice not found: libreoffice*.xlsx not regenerated")
	} else {
		for name, data := range map[string][]byte{"libreoffice.xlsx": base, "libreoffice-comments.xlsx": commented} {
			src := filepath.Join(tmp, "in-"+name)
			os.WriteFile(src, data, 0o644)
			out := filepath.Join(tmp, "out")
			cmd := exec.Command("soffice", "--headless", "--convert-to", "xlsx", "--outdir", out, src)
			cmd.Env = append(os.Environ(), "HOME="+tmp)
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("soffice: %v\n%s", err, b)
			}
			got, err := os.ReadFile(filepath.Join(out, "in-"+name))
			if err != nil {
				t.Fatal(err)
			}
			put(name, got)
		}
	}
	if !hasOpenpyxl() {
		t.Error("/usr/bin/python3 with openpyxl not found: openpyxl.xlsx not regenerated")
	} else {
		src, dst := filepath.Join(tmp, "in.xlsx"), filepath.Join(tmp, "openpyxl.xlsx")
		os.WriteFile(src, commented, 0o644)
		// openpyxl writes colours given as RRGGBB with a 00 alpha.
		script := `
import sys, openpyxl
from openpyxl.styles import PatternFill
from openpyxl.comments import Comment
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Chỉ số"]
ws["E11"].fill = PatternFill("solid", fgColor="FFC7CE")
ws["E12"].comment = Comment("Ghi chú của xã (openpyxl)", "Xã")
wb.save(sys.argv[2])
`
		if b, err := exec.Command("/usr/bin/python3", "-c", script, src, dst).CombinedOutput(); err != nil {
			t.Fatalf("openpyxl: %v\n%s", err, b)
		}
		got, err := os.ReadFile(dst)
		if err != nil {
			t.Fatal(err)
		}
		put("openpyxl.xlsx", got)
	}
}

func hasOpenpyxl() bool {
	return exec.Command("/usr/bin/python3", "-c", "import openpyxl").Run() == nil
}

// producerFiles returns the committed producer corpus.
func producerFiles(t testing.TB) map[string][]byte {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(producersDir, "*.xlsx"))
	if err != nil || len(names) == 0 {
		t.Fatalf("no producer corpus in %s (%v)", producersDir, err)
	}
	out := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out["producers/"+filepath.Base(n)] = b
	}
	return out
}
