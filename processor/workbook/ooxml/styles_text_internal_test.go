package ooxml

import "testing"

// TestStylesText: the text layout of a format as Excel, LibreOffice and
// scripts write it: prefixed elements, quotes either way, <b val="0"/>.
func TestStylesText(t *testing.T) {
	st := &Styles{fonts: [][]byte{
		[]byte(`<font><sz val="11"/><name val="Calibri"/></font>`),
		[]byte(`<x:font><x:b/><x:sz val='13.5'/></x:font>`),
		[]byte(`<font><b val="0"/><sz val="12"/></font>`),
		[]byte(`<font><name val="Times New Roman"/></font>`),
		[]byte(`<font><b val="true"></b><bgColor rgb="FF000000"/></font>`),
	}}
	st.xfs = []xf{
		{font: 0, raw: []byte(`<xf fontId="0"/>`)},
		{font: 1, raw: []byte(`<x:xf fontId="1" applyAlignment="1"><x:alignment wrapText="1" indent="2"/></x:xf>`)},
		{font: 2, raw: []byte(`<xf fontId="2"><alignment wrapText='true' vertical="top"/></xf>`)},
		{font: 3, raw: []byte(`<xf fontId="3"><alignment wrapText="0" textIndent="4"/></xf>`)},
		{font: 4, raw: []byte(`<xf fontId="4"/>`)},
	}
	for i, want := range []TextFormat{
		{Size: 11},
		{Wrap: true, Indent: 2, Size: 13.5, Bold: true},
		{Wrap: true, Size: 12},
		{Size: 11},
		{Size: 11, Bold: true},
		{Size: 11}, // out of range
	} {
		if got := st.Text(i); got != want {
			t.Errorf("format %d: %+v, want %+v", i, got, want)
		}
	}
}
