package ooxml

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// planNewSheet plans the parts a new sheet brings besides its own: its
// comments (comments part and VML drawing) and its drawing (charts and
// lines) with their relationships, and returns the relationship ids the
// sheet refers to them by.
func (p *Patch) planNewSheet(pl *plan, o *outSheet, vmlN *int) sheetRels {
	w := o.w
	var rels sheetRels
	var add []Relationship
	ids := map[string]bool{}
	if len(w.comments) > 0 {
		cs := w.comments
		*vmlN++
		idmap := 100 + *vmlN
		cpart := pl.freeName("xl/comments%d.xml")
		vpart := pl.freeName("xl/drawings/vmlDrawing%d.vml")
		add = append(add, Relationship{ID: freeID(ids), Type: relComments, Target: cpart})
		rels.legacy = freeID(ids)
		add = append(add, Relationship{ID: rels.legacy, Type: relVML, Target: vpart})
		pl.overrides[cpart] = ctComments
		if _, ok := p.b.types.defaults["vml"]; !ok {
			pl.defaults["vml"] = ctVML
		}
		pl.add(cpart, func(out *bufio.Writer, _ io.Reader) error { return writeComments(out, cs) })
		pl.add(vpart, func(out *bufio.Writer, _ io.Reader) error { return writeVML(out, cs, idmap) })
	}
	if len(w.charts) > 0 || len(w.lines) > 0 {
		dpart := pl.freeName("xl/drawings/drawing%d.xml")
		rels.drawing = freeID(ids)
		add = append(add, Relationship{ID: rels.drawing, Type: relDrawing, Target: dpart})
		var chartRels []Relationship
		chartIDs := map[string]bool{}
		for _, c := range w.charts {
			cpart := pl.freeName("xl/charts/chart%d.xml")
			chartRels = append(chartRels, Relationship{ID: freeID(chartIDs), Type: relChart, Target: cpart})
			pl.overrides[cpart] = ctChart
			pl.add(cpart, func(out *bufio.Writer, _ io.Reader) error { return writeChart(out, c) })
		}
		var refs []string
		for _, r := range chartRels {
			refs = append(refs, r.ID)
		}
		charts, lines := w.charts, w.lines
		pl.overrides[dpart] = ctDrawing
		pl.add(dpart, func(out *bufio.Writer, _ io.Reader) error { return writeDrawing(out, charts, refs, lines) })
		if len(chartRels) > 0 {
			rp := relsPartOf(dpart)
			pl.add(rp, func(out *bufio.Writer, _ io.Reader) error {
				return patchRels(out, nil, rp, dpart, chartRels, nil, &p.b.lim)
			})
		}
	}
	if len(add) > 0 {
		rp, part := relsPartOf(o.info.Part), o.info.Part
		pl.add(rp, func(out *bufio.Writer, _ io.Reader) error { return patchRels(out, nil, rp, part, add, nil, &p.b.lim) })
	}
	return rels
}

// WorkbookOptions describe a new workbook: its default font (the font of
// every cell without a format of its own, and the unit of column widths)
// and its custom document properties.
type WorkbookOptions struct {
	Font       string  // "" for Calibri
	FontSize   float64 // points, 0 for 11
	Properties []Property
}

// NewWorkbook starts a new workbook with no sheet: add sheets with
// [Patch.AddSheet] (at least one visible) and formats with
// [Patch.AddStyle], then write it with [Patch.Write]. Two workbooks built
// alike are the same bytes.
func NewWorkbook(opt WorkbookOptions) (*Patch, error) {
	data, err := blankPackage(opt)
	if err != nil {
		return nil, err
	}
	b, err := Open(data, Limits{})
	if err != nil {
		return nil, err
	}
	p := b.Patch()
	if err := p.RemoveSheet(placeholderSheet); err != nil {
		return nil, err
	}
	return p, nil
}

const placeholderSheet = "_"

var zipEpoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// blankPackage is the smallest package NewWorkbook patches: a workbook
// with one empty placeholder sheet (removed by the patch), the styles
// with the default font, and the custom properties.
func blankPackage(opt WorkbookOptions) ([]byte, error) {
	font, size := opt.Font, opt.FontSize
	if font == "" {
		font = "Calibri"
	}
	if size <= 0 {
		size = 11
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name, content string) error {
		// A fixed time (the zip epoch): the same workbook gives the same bytes.
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: zipEpoch})
		if err != nil {
			return err
		}
		_, err = io.WriteString(w, content)
		return err
	}
	const (
		ctMain   = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
		ctCustom = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
		relDoc   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
		relCust  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
	)
	types := `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Default Extension="vml" ContentType="` + ctVML + `"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="` + ctMain + `"/>` +
		`<Override PartName="/xl/worksheets/placeholder.xml" ContentType="` + ctWorksheet + `"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="` + ctStyles + `"/>`
	pkgRels := `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
		`<Relationship Id="rId1" Type="` + relDoc + `" Target="xl/workbook.xml"/>`
	if len(opt.Properties) > 0 {
		types += `<Override PartName="/docProps/custom.xml" ContentType="` + ctCustom + `"/>`
		pkgRels += `<Relationship Id="rId2" Type="` + relCust + `" Target="docProps/custom.xml"/>`
	}
	types += `</Types>`
	pkgRels += `</Relationships>`
	fontXML := string(fontXML(&Font{Name: font, Size: size}))
	styles := xmlHeader + `<styleSheet xmlns="` + nsMain + `">` +
		`<fonts count="1">` + fontXML + `</fonts>` +
		`<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>` +
		`<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>` +
		`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
		`<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>` +
		`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
		`<dxfs count="0"/><tableStyles count="0"/></styleSheet>`
	types = strings.Replace(types, `</Types>`, `<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml"/></Types>`, 1)
	parts := []struct{ name, content string }{
		{"xl/theme/theme1.xml", xmlHeader + officeTheme},
		{"[Content_Types].xml", xmlHeader + types},
		{"_rels/.rels", xmlHeader + pkgRels},
		{"xl/workbook.xml", xmlHeader + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `"><bookViews><workbookView/></bookViews>` +
			`<sheets><sheet name="` + placeholderSheet + `" sheetId="1" r:id="rId1"/></sheets><calcPr calcId="191029"/></workbook>`},
		{"xl/_rels/workbook.xml.rels", xmlHeader + `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">` +
			`<Relationship Id="rId1" Type="` + relWorksheet + `" Target="worksheets/placeholder.xml"/>` +
			`<Relationship Id="rId2" Type="` + relStyles + `" Target="styles.xml"/>` +
			`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme" Target="theme/theme1.xml"/></Relationships>`},
		{"xl/styles.xml", styles},
		{"xl/worksheets/placeholder.xml", xmlHeader + `<worksheet xmlns="` + nsMain + `"><sheetData/></worksheet>`},
	}
	if len(opt.Properties) > 0 {
		var b strings.Builder
		b.WriteString(xmlHeader + `<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">`)
		for i, pr := range opt.Properties {
			typ := pr.Type
			if typ == "" {
				typ = "lpwstr"
			}
			if strings.ContainsAny(typ, `<>"&/ `) {
				return nil, fmt.Errorf("ooxml: property %q: invalid type %q", pr.Name, typ)
			}
			b.WriteString(`<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="` + strconv.Itoa(i+2) + `" name="`)
			b.Write(appendEscaped(nil, pr.Name))
			b.WriteString(`"><vt:` + typ + `>`)
			b.Write(appendEscaped(nil, pr.Value))
			b.WriteString(`</vt:` + typ + `></property>`)
		}
		b.WriteString(`</Properties>`)
		parts = append(parts, struct{ name, content string }{"docProps/custom.xml", b.String()})
	}
	for _, pt := range parts {
		if err := put(pt.name, pt.content); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// officeTheme is the Office theme's colours, fonts and effects, reduced to
// what the schema requires: fonts' theme colours resolve against it, and
// readers that look colours up through the theme (excelize) find them.
const officeTheme = `<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="Office Theme"><a:themeElements>` +
	`<a:clrScheme name="Office"><a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1><a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>` +
	`<a:dk2><a:srgbClr val="44546A"/></a:dk2><a:lt2><a:srgbClr val="E7E6E6"/></a:lt2><a:accent1><a:srgbClr val="4472C4"/></a:accent1>` +
	`<a:accent2><a:srgbClr val="ED7D31"/></a:accent2><a:accent3><a:srgbClr val="A5A5A5"/></a:accent3><a:accent4><a:srgbClr val="FFC000"/></a:accent4>` +
	`<a:accent5><a:srgbClr val="5B9BD5"/></a:accent5><a:accent6><a:srgbClr val="70AD47"/></a:accent6><a:hlink><a:srgbClr val="0563C1"/></a:hlink>` +
	`<a:folHlink><a:srgbClr val="954F72"/></a:folHlink></a:clrScheme>` +
	`<a:fontScheme name="Office"><a:majorFont><a:latin typeface="Times New Roman"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>` +
	`<a:minorFont><a:latin typeface="Times New Roman"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont></a:fontScheme>` +
	`<a:fmtScheme name="Office"><a:fillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill>` +
	`<a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:fillStyleLst><a:lnStyleLst><a:ln w="6350"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>` +
	`<a:ln w="12700"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln><a:ln w="19050"><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln></a:lnStyleLst>` +
	`<a:effectStyleLst><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle><a:effectStyle><a:effectLst/></a:effectStyle></a:effectStyleLst>` +
	`<a:bgFillStyleLst><a:solidFill><a:schemeClr val="phClr"/></a:solidFill><a:solidFill><a:schemeClr val="phClr"/></a:solidFill>` +
	`<a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:bgFillStyleLst></a:fmtScheme></a:themeElements></a:theme>`
