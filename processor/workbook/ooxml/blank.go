package ooxml

import (
	"archive/zip"
	"bytes"
	"strconv"
)

// NewBook returns an empty workbook, without sheets, whose default font
// (the Normal style's, which sets the unit of column widths) is font's
// name and size ("" and 0 take Calibri 11; the rest of font is ignored).
// It is the base of a workbook written from scratch: add its sheets with
// [Patch.AddSheet] (at least one: Excel opens no workbook without) and
// write the patch.
func NewBook(font Font) (*Book, error) {
	name, size := font.Name, font.Size
	if name == "" {
		name = "Calibri"
	}
	if size <= 0 {
		size = 11
	}
	fontEl := append([]byte(`<font><sz val="`), strconv.FormatFloat(size, 'g', -1, 64)...)
	fontEl = append(fontEl, `"/><color rgb="FF000000"/><name val="`...)
	fontEl = appendEscaped(fontEl, name)
	fontEl = append(fontEl, `"/><family val="2"/></font>`...)
	const nsPkgRel = "http://schemas.openxmlformats.org/package/2006/relationships"
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			`<Override PartName="/xl/styles.xml" ContentType="` + ctStyles + `"/>` +
			`</Types>`},
		{"_rels/.rels", `<Relationships xmlns="` + nsPkgRel + `">` +
			`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` +
			`<bookViews><workbookView/></bookViews><sheets/></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<Relationships xmlns="` + nsPkgRel + `">` +
			`<Relationship Id="rId1" Type="` + relStyles + `" Target="styles.xml"/></Relationships>`},
		{"xl/styles.xml", `<styleSheet xmlns="` + nsMain + `">` +
			`<fonts count="1">` + string(fontEl) + `</fonts>` +
			`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
			`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
			`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
			`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
			`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
			`</styleSheet>`},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write([]byte(xmlHeader + p.body)); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return Open(buf.Bytes(), Limits{})
}
