package testkit

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
)

// DocxCell is a cell of a Word table built by Docx.
type DocxCell struct {
	// Text: "\n" starts a new paragraph, "\v" is a line break (w:br) in one.
	Text string
	// Span is the number of grid columns the cell covers (w:gridSpan); 0 or 1: one.
	Span int
	// VMerge is "restart" or "continue" (w:vMerge), or "".
	VMerge string
}

// DocxTable is a Word table with the paragraphs just before it.
type DocxTable struct {
	Title []string
	Rows  [][]DocxCell
}

// Cells turns rows of texts into rows of plain cells.
func Cells(rows [][]string) [][]DocxCell {
	out := make([][]DocxCell, len(rows))
	for i, r := range rows {
		for _, c := range r {
			out[i] = append(out[i], DocxCell{Text: c})
		}
	}
	return out
}

// Docx builds a minimal .docx (WordprocessingML written by hand, as a script
// or an old converter would) holding the given tables.
func Docx(tables ...DocxTable) []byte {
	var body strings.Builder
	esc := func(s string) string {
		var b bytes.Buffer
		xml.EscapeText(&b, []byte(s))
		return b.String()
	}
	para := func(s string) string {
		var runs []string
		for i, part := range strings.Split(s, "\v") {
			if i > 0 {
				runs = append(runs, `<w:r><w:br/></w:r>`)
			}
			runs = append(runs, `<w:r><w:rPr><w:rFonts w:ascii="Times New Roman"/></w:rPr><w:t xml:space="preserve">`+esc(part)+`</w:t></w:r>`)
		}
		return `<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>` + strings.Join(runs, "") + `</w:p>`
	}
	for _, t := range tables {
		for _, p := range t.Title {
			body.WriteString(para(p))
		}
		width := 0
		for _, r := range t.Rows {
			w := 0
			for _, c := range r {
				w += max(c.Span, 1)
			}
			width = max(width, w)
		}
		body.WriteString(`<w:tbl><w:tblPr><w:tblW w:w="0" w:type="auto"/></w:tblPr><w:tblGrid>`)
		for range width {
			body.WriteString(`<w:gridCol w:w="1500"/>`)
		}
		body.WriteString(`</w:tblGrid>`)
		for _, r := range t.Rows {
			body.WriteString(`<w:tr>`)
			for _, c := range r {
				body.WriteString(`<w:tc><w:tcPr><w:tcW w:w="1500" w:type="dxa"/>`)
				if c.Span > 1 {
					fmt.Fprintf(&body, `<w:gridSpan w:val="%d"/>`, c.Span)
				}
				switch c.VMerge {
				case "restart":
					body.WriteString(`<w:vMerge w:val="restart"/>`)
				case "continue":
					body.WriteString(`<w:vMerge/>`)
				}
				body.WriteString(`</w:tcPr>`)
				for _, p := range strings.Split(c.Text, "\n") {
					body.WriteString(para(p))
				}
				body.WriteString(`</w:tc>`)
			}
			body.WriteString(`</w:tr>`)
		}
		body.WriteString(`</w:tbl><w:p/>`)
	}
	doc := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><w:body>` +
		body.String() + `<w:sectPr><w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/></w:sectPr></w:body></w:document>`
	files := []struct{ name, body string }{
		{"[Content_Types].xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`},
		{"word/document.xml", doc},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			panic(err)
		}
		if _, err := w.Write([]byte(f.body)); err != nil {
			panic(err)
		}
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
