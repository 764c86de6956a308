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
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

func TestParsePrintTitles(t *testing.T) {
	for _, c := range []struct {
		in   string
		want ooxml.PrintTitles
	}{
		{"'Chỉ số'!$4:$5", ooxml.PrintTitles{Row1: 4, Row2: 5}},
		{"'Chỉ số'!$A:$B,'Chỉ số'!$4:$5", ooxml.PrintTitles{Row1: 4, Row2: 5, Col1: 1, Col2: 2}},
		{"'Chỉ số'!$4:$5,'Chỉ số'!$A:$B", ooxml.PrintTitles{Row1: 4, Row2: 5, Col1: 1, Col2: 2}},
		{"Sheet1!$1:$1", ooxml.PrintTitles{Row1: 1, Row2: 1}},
		{"$C:$D", ooxml.PrintTitles{Col1: 3, Col2: 4}},
		{"'A,b''s'!$2:$3", ooxml.PrintTitles{Row1: 2, Row2: 3}},
		{"'X'!$A$1:$XFD$2", ooxml.PrintTitles{Row1: 1, Row2: 2}},
		{"'X'!$A$1:$B$1048576", ooxml.PrintTitles{Col1: 1, Col2: 2}},
		{"#REF!", ooxml.PrintTitles{}},
		{"'X'!$5:$4", ooxml.PrintTitles{}},
		{"", ooxml.PrintTitles{}},
	} {
		if got := ooxml.ParsePrintTitles(c.in); got != c.want {
			t.Errorf("%q: %+v, want %+v", c.in, got, c.want)
		}
	}
	pt := ooxml.PrintTitles{Row1: 4, Row2: 5, Col1: 1, Col2: 2}
	if got := pt.RefersTo("Chỉ số"); got != "'Chỉ số'!$A:$B,'Chỉ số'!$4:$5" {
		t.Errorf("RefersTo: %s", got)
	}
	if got := ooxml.ParsePrintTitles(pt.RefersTo("it's")); got != pt {
		t.Errorf("round trip: %+v", got)
	}
}

func TestPageLayoutInvalid(t *testing.T) {
	b, err := ooxml.Open(producerFiles(t)["producers/libreoffice.xlsx"], ooxml.Limits{})
	must(t, err)
	p := b.Patch()
	for _, pl := range []ooxml.PageLayout{
		{Scale: 5}, {Scale: 401}, {Scale: 80, FitWidth: 1}, {Orientation: "sideways"}, {PageOrder: "zigzag"},
		{CenterHorizontally: 2}, {FitHeight: -1},
	} {
		if err := p.SetPageLayout("Chỉ số", pl); err == nil {
			t.Errorf("%+v accepted", pl)
		}
	}
	if err := p.SetPageLayout("Không có", ooxml.PageLayout{Scale: 80}); err == nil {
		t.Error("a missing sheet accepted")
	}
	for _, pt := range []ooxml.PrintTitles{{Row1: 3, Row2: 2}, {Row2: 2}, {Col1: 2}, {Col1: 1, Col2: 16385}} {
		if err := p.SetPrintTitles("Chỉ số", pt); err == nil {
			t.Errorf("%+v accepted", pt)
		}
	}
	for _, col := range []int{0, -1, 16384} {
		if err := p.AddColBreak("Chỉ số", col); err == nil {
			t.Errorf("a break after column %d accepted", col)
		}
	}
	must(t, p.AddSheet("Mới", 0, nil))
	if err := p.SetPrintTitles("Mới", ooxml.PrintTitles{Row1: 1, Row2: 1}); err == nil {
		t.Error("titles on a new sheet accepted (they go on its SheetWriter)")
	}
}

// printInputs are the producer corpus, the filled template, and a
// workbook whose sheet has no print set-up at all (no <sheetPr>,
// <printOptions>, <pageMargins> or <pageSetup>, no defined names).
func printInputs(t *testing.T) map[string][]byte {
	files := patchInputs(t)
	p, err := ooxml.NewWorkbook(ooxml.WorkbookOptions{Font: "Times New Roman", FontSize: 11})
	must(t, err)
	w := ooxml.NewSheetWriter()
	must(t, w.WriteRow(1, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("Mã")}, ooxml.CellValue{Col: 2, Value: ooxml.Text("Tên")}))
	must(t, w.WriteRow(2, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("1.1")}, ooxml.CellValue{Col: 2, Value: ooxml.Number(3)}))
	must(t, p.AddSheet("Trang", 0, w))
	var buf bytes.Buffer
	must(t, p.Write(&buf))
	files["made/no-page-setup.xlsx"] = buf.Bytes()
	// The same sheet with manual column breaks of its own, one of them
	// where the tests put one.
	parts := mapParts(readZip(t, buf.Bytes()), `^xl/worksheets/sheet\d+\.xml$`, func(_ string, b []byte) []byte {
		return bytes.Replace(b, []byte("</worksheet>"), []byte(`<colBreaks count="2" manualBreakCount="2"><brk id="1" max="1048575" man="1"/><brk id="2" max="1048575" man="1"/></colBreaks></worksheet>`), 1)
	})
	files["made/col-breaks.xlsx"] = writeZip(t, parts, zip.Deflate)
	return files
}

// printTarget is the sheet a print test changes: the indicator sheet,
// else the first worksheet.
func printTarget(b *ooxml.Book) string {
	for _, s := range b.Sheets() {
		if s.Name == "Chỉ số" {
			return s.Name
		}
	}
	for _, s := range b.Sheets() {
		if s.Kind == "worksheet" {
			return s.Name
		}
	}
	return ""
}

// printCase is one change of print set-up the tests make, and what a
// reader must see after it.
type printCase struct {
	name   string
	layout ooxml.PageLayout
	cols   [2]int // print-title columns set, rows kept
	breaks []int  // manual breaks added after these columns
}

var printCases = []printCase{
	// The annotated result's indicator sheet: a fixed scale, columns
	// repeated, across then down.
	{"scale", ooxml.PageLayout{PaperSize: 9, Orientation: "landscape", Scale: 83, PageOrder: "overThenDown", CenterHorizontally: -1}, [2]int{1, 2}, []int{2}},
	// Fit to one page wide, centred: <sheetPr> and <printOptions> made
	// where a sheet lacks them.
	{"fit", ooxml.PageLayout{Orientation: "portrait", FitWidth: 1, CenterHorizontally: 1}, [2]int{2, 3}, nil},
}

// TestPageLayout changes the print set-up and the print titles of a sheet
// of every producer's file: the elements are changed in place or created
// in the schema's order, every other attribute and part is kept, and
// excelize, openpyxl and LibreOffice (which re-saves it) read the new
// set-up.
func TestPageLayout(t *testing.T) {
	files := printInputs(t)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	outputs := map[string][]byte{}
	wants := map[string]printWant{}
	for _, name := range names {
		for _, pc := range printCases {
			t.Run(name+"/"+pc.name, func(t *testing.T) {
				orig := files[name]
				b, err := ooxml.Open(orig, ooxml.Limits{})
				must(t, err)
				sheet := printTarget(b)
				info, _ := b.Sheet(sheet)
				titles := b.PrintTitles(sheet)
				titles.Col1, titles.Col2 = pc.cols[0], pc.cols[1]
				p := b.Patch()
				must(t, p.SetPageLayout(sheet, pc.layout))
				must(t, p.SetPrintTitles(sheet, titles))
				for _, col := range pc.breaks {
					must(t, p.AddColBreak(sheet, col))
					must(t, p.AddColBreak(sheet, col)) // once is enough
				}
				var out bytes.Buffer
				must(t, p.Write(&out))
				checkSchemaOrder(t, out.Bytes())
				untouched(t, orig, out.Bytes(), map[string]bool{info.Part: true, workbookPart(t, orig): true})
				before := partOf(t, orig, info.Part)
				after := partOf(t, out.Bytes(), info.Part)
				checkPageXML(t, before, after, pc.layout)
				breaks := union(colBreaksOf(before), pc.breaks)
				if got := colBreaksOf(after); !slices.Equal(got, breaks) {
					t.Errorf("column breaks %v, want %v", got, breaks)
				}
				if cb := elementAttrs(t, after, "colBreaks"); cb != nil && (cb["count"] != fmt.Sprint(len(breaks)) || cb["manualBreakCount"] != fmt.Sprint(len(breaks))) {
					t.Errorf("<colBreaks %v> for %v", cb, breaks)
				}
				w := printWant{sheet: sheet, layout: pc.layout, titles: titles, breaks: breaks}
				checkPrintRead(t, out.Bytes(), w)
				outputs[name+"-"+pc.name] = out.Bytes()
				wants[name+"-"+pc.name] = w
			})
		}
	}
	externalChecks(t, outputs, nil)
	externalPrintChecks(t, outputs, wants)
}

// TestPrintTitlesFollowSheets: print titles set on an existing sheet are
// written with the sheet's new index when sheets are added before it and
// removed, and a second patch replaces them rather than adding a second
// name.
func TestPrintTitlesFollowSheets(t *testing.T) {
	orig := producerFiles(t)["producers/libreoffice.xlsx"]
	b, err := ooxml.Open(orig, ooxml.Limits{})
	must(t, err)
	p := b.Patch()
	must(t, p.AddSheet("Kết quả chấm", 0, nil))
	must(t, p.RemoveSheet("Hướng dẫn"))
	want := ooxml.PrintTitles{Row1: 4, Row2: 5, Col1: 1, Col2: 2}
	must(t, p.SetPrintTitles("Chỉ số", want))
	var out bytes.Buffer
	must(t, p.Write(&out))
	nb, err := ooxml.Open(out.Bytes(), ooxml.Limits{})
	must(t, err)
	if got := nb.PrintTitles("Chỉ số"); got != want {
		t.Errorf("titles %+v, want %+v", got, want)
	}
	if got := nb.PrintTitles("Thông tin chung"); got != (ooxml.PrintTitles{Row1: 1, Row2: 1}) {
		t.Errorf("another sheet's titles: %+v", got)
	}
	count := func(bk *ooxml.Book) int {
		n := 0
		for _, dn := range bk.DefinedNames() {
			if dn.Name == "_xlnm.Print_Titles" {
				n++
			}
		}
		return n
	}
	if n := count(nb); n != 2 {
		t.Errorf("%d print titles names, want 2", n)
	}
	// Again on the result: replaced, then removed.
	p = nb.Patch()
	must(t, p.SetPrintTitles("Chỉ số", ooxml.PrintTitles{Col1: 1, Col2: 1}))
	out.Reset()
	must(t, p.Write(&out))
	nb, err = ooxml.Open(out.Bytes(), ooxml.Limits{})
	must(t, err)
	if got := nb.PrintTitles("Chỉ số"); got != (ooxml.PrintTitles{Col1: 1, Col2: 1}) || count(nb) != 2 {
		t.Errorf("replaced: %+v, %d names", got, count(nb))
	}
	p = nb.Patch()
	must(t, p.SetPrintTitles("Chỉ số", ooxml.PrintTitles{}))
	out.Reset()
	must(t, p.Write(&out))
	nb, err = ooxml.Open(out.Bytes(), ooxml.Limits{})
	must(t, err)
	if got := nb.PrintTitles("Chỉ số"); !got.IsZero() || count(nb) != 1 {
		t.Errorf("removed: %+v, %d names", got, count(nb))
	}
}

type printWant struct {
	sheet  string
	layout ooxml.PageLayout
	titles ooxml.PrintTitles
	breaks []int
}

var brkID = regexp.MustCompile(`<(?:\w+:)?brk\b[^>]*?\bid="(\d+)"`)

// colBreaksOf lists the ids of a sheet part's column breaks, in order.
func colBreaksOf(part []byte) []int {
	i := bytes.Index(part, []byte("colBreaks"))
	if i < 0 {
		return nil
	}
	var out []int
	for _, m := range brkID.FindAllSubmatch(part[i:], -1) {
		n, _ := strconv.Atoi(string(m[1]))
		out = append(out, n)
	}
	return out
}

func union(a, b []int) []int {
	out := slices.Clone(a)
	for _, x := range b {
		if !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

func workbookPart(t *testing.T, data []byte) string {
	for _, p := range readZip(t, data) {
		if strings.HasSuffix(p.name, "workbook.xml") && strings.HasPrefix(p.name, "xl/") {
			return p.name
		}
	}
	t.Fatal("no workbook part")
	return ""
}

func partOf(t *testing.T, data []byte, name string) []byte {
	for _, p := range readZip(t, data) {
		if p.name == name {
			return p.data
		}
	}
	t.Fatalf("no part %s", name)
	return nil
}

// elementAttrs returns the attributes of the first element of that local
// name, nil when there is none.
func elementAttrs(t *testing.T, part []byte, local string) map[string]string {
	d := xml.NewDecoder(bytes.NewReader(part))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil
		}
		must(t, err)
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == local {
			out := map[string]string{}
			for _, a := range se.Attr {
				out[a.Name.Local] = a.Value
			}
			return out
		}
	}
}

// checkPageXML compares the print elements of a sheet part before and
// after: the attributes the layout sets have their new values, the others
// are as they were.
func checkPageXML(t *testing.T, before, after []byte, pl ooxml.PageLayout) {
	t.Helper()
	set := map[string]map[string]string{
		"pageSetup":    {},
		"pageSetUpPr":  {},
		"printOptions": {},
	}
	if pl.PaperSize > 0 {
		set["pageSetup"]["paperSize"] = "9"
	}
	if pl.Orientation != "" {
		set["pageSetup"]["orientation"] = pl.Orientation
	}
	if pl.PageOrder != "" {
		set["pageSetup"]["pageOrder"] = pl.PageOrder
	}
	switch {
	case pl.Scale > 0:
		set["pageSetup"]["scale"] = "83"
		set["pageSetUpPr"]["fitToPage"] = ""
	case pl.FitWidth > 0:
		set["pageSetup"]["fitToWidth"] = "1"
		set["pageSetup"]["fitToHeight"] = "0"
		set["pageSetUpPr"]["fitToPage"] = "1"
	}
	switch pl.CenterHorizontally {
	case 1:
		set["printOptions"]["horizontalCentered"] = "1"
	case -1:
		set["printOptions"]["horizontalCentered"] = ""
	}
	for el, attrs := range set {
		old, now := elementAttrs(t, before, el), elementAttrs(t, after, el)
		if now == nil {
			// Not created when there is nothing to say: fit-to-page off
			// and no centring are the defaults.
			for a, v := range attrs {
				if v != "" {
					t.Errorf("<%s> missing: %s=%q wanted", el, a, v)
				}
			}
			continue
		}
		for a, v := range attrs {
			if now[a] != v {
				t.Errorf("<%s %s=%q>, want %q", el, a, now[a], v)
			}
		}
		for a, v := range old {
			if _, changed := attrs[a]; !changed && now[a] != v {
				t.Errorf("<%s %s=%q> became %q", el, a, v, now[a])
			}
		}
	}
}

// checkPrintRead reads the set-up back with ooxml and excelize.
func checkPrintRead(t *testing.T, data []byte, w printWant) {
	t.Helper()
	b, err := ooxml.Open(data, ooxml.Limits{})
	must(t, err)
	if got := b.PrintTitles(w.sheet); got != w.titles {
		t.Errorf("ooxml reads titles %+v, want %+v", got, w.titles)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data))
	must(t, err)
	defer f.Close()
	n := 0
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == w.sheet {
			n++
			if dn.RefersTo != w.titles.RefersTo(w.sheet) {
				t.Errorf("excelize reads titles %s, want %s", dn.RefersTo, w.titles.RefersTo(w.sheet))
			}
		}
	}
	if n != 1 {
		t.Errorf("%d print titles for %s", n, w.sheet)
	}
	lo, err := f.GetPageLayout(w.sheet)
	must(t, err)
	props, err := f.GetSheetProps(w.sheet)
	must(t, err)
	fit := props.FitToPage != nil && *props.FitToPage
	if pl := w.layout; pl.Scale > 0 {
		if lo.AdjustTo == nil || int(*lo.AdjustTo) != pl.Scale || fit {
			t.Errorf("excelize reads scale %v, fit to page %v", ptr(lo.AdjustTo), fit)
		}
	} else if lo.FitToWidth == nil || *lo.FitToWidth != pl.FitWidth || !fit {
		t.Errorf("excelize reads fit to width %v, fit to page %v", ptr(lo.FitToWidth), fit)
	}
	if pl := w.layout; ptr(lo.Orientation) != pl.Orientation || pl.PageOrder != "" && ptr(lo.PageOrder) != pl.PageOrder {
		t.Errorf("excelize reads %s, %s", ptr(lo.Orientation), ptr(lo.PageOrder))
	}
}

func ptr[T any](p *T) string {
	if p == nil {
		return "<nil>"
	}
	return fmt.Sprint(*p)
}

// externalPrintChecks reads the print set-up with openpyxl, and with
// ooxml from LibreOffice's re-saved copy (what LibreOffice understood is
// what it writes back). Skipped with -short.
func externalPrintChecks(t *testing.T, outputs map[string][]byte, wants map[string]printWant) {
	t.Helper()
	if testing.Short() {
		return
	}
	dir := t.TempDir()
	var files []string
	byFile := map[string]string{}
	for name, data := range outputs {
		fn := filepath.Join(dir, strings.NewReplacer("/", "_", " ", "_").Replace(name)) + ".xlsx"
		must(t, os.WriteFile(fn, data, 0o644))
		files = append(files, fn)
		byFile[fn] = name
	}
	sort.Strings(files)
	if hasOpenpyxl() {
		const script = `
import json, sys, openpyxl
out = {}
for fn, sheet in zip(sys.argv[1::2], sys.argv[2::2]):
    ws = openpyxl.load_workbook(fn)[sheet]
    ps = ws.page_setup
    pr = ws.sheet_properties.pageSetUpPr
    out[fn] = {"scale": ps.scale, "orientation": ps.orientation, "order": ps.pageOrder, "fitW": ps.fitToWidth,
               "fit": bool(pr is not None and pr.fitToPage), "cols": ws.print_title_cols, "rows": ws.print_title_rows}
json.dump(out, sys.stdout)
`
		args := []string{"-c", script}
		for _, fn := range files {
			args = append(args, fn, wants[byFile[fn]].sheet)
		}
		cmd := exec.Command("/usr/bin/python3", args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		b, err := cmd.Output()
		if err != nil {
			t.Fatalf("openpyxl: %v\n%s", err, stderr.String())
		}
		var got map[string]struct {
			Scale       *int
			Orientation *string
			Order       *string
			FitW        *int
			Fit         bool
			Cols, Rows  *string
		}
		must(t, json.Unmarshal(b, &got))
		for _, fn := range files {
			w, g := wants[byFile[fn]], got[fn]
			cols := "$" + ooxml.ColName(w.titles.Col1) + ":$" + ooxml.ColName(w.titles.Col2)
			if ptr(g.Cols) != cols {
				t.Errorf("%s: openpyxl reads title columns %s, want %s", byFile[fn], ptr(g.Cols), cols)
			}
			if w.titles.Row1 > 0 && ptr(g.Rows) == "<nil>" {
				t.Errorf("%s: openpyxl reads no title rows", byFile[fn])
			}
			if ptr(g.Orientation) != w.layout.Orientation || g.Fit != (w.layout.FitWidth > 0) {
				t.Errorf("%s: openpyxl reads %s, fit %v", byFile[fn], ptr(g.Orientation), g.Fit)
			}
			if w.layout.Scale > 0 && (ptr(g.Scale) != "83" || ptr(g.Order) != w.layout.PageOrder) {
				t.Errorf("%s: openpyxl reads scale %s, order %s", byFile[fn], ptr(g.Scale), ptr(g.Order))
			}
		}
	}
	bin, err := exec.LookPath("soffice")
	if err != nil {
		return // externalChecks said why
	}
	xlsx := filepath.Join(dir, "lo")
	runSoffice(t, bin, xlsx, "xlsx", files...)
	for _, fn := range files {
		w := wants[byFile[fn]]
		data, err := os.ReadFile(filepath.Join(xlsx, filepath.Base(fn)))
		if err != nil {
			t.Errorf("%s: LibreOffice could not re-save it: %v", byFile[fn], err)
			continue
		}
		b, err := ooxml.Open(data, ooxml.Limits{})
		must(t, err)
		if got := b.PrintTitles(w.sheet); got != w.titles {
			t.Errorf("%s: LibreOffice keeps titles %+v, want %+v", byFile[fn], got, w.titles)
		}
		info, _ := b.Sheet(w.sheet)
		part := partOf(t, data, info.Part)
		ps, pr := elementAttrs(t, part, "pageSetup"), elementAttrs(t, part, "pageSetUpPr")
		fit := pr != nil && (pr["fitToPage"] == "1" || pr["fitToPage"] == "true")
		if ps["orientation"] != w.layout.Orientation || fit != (w.layout.FitWidth > 0) {
			t.Errorf("%s: LibreOffice keeps %v, fit %v", byFile[fn], ps, fit)
		}
		if w.layout.Scale > 0 && (ps["scale"] != "83" || ps["pageOrder"] != w.layout.PageOrder) {
			t.Errorf("%s: LibreOffice keeps scale %s, order %s", byFile[fn], ps["scale"], ps["pageOrder"])
		}
		if got := colBreaksOf(part); !slices.Equal(got, w.breaks) {
			t.Errorf("%s: LibreOffice keeps column breaks %v, want %v", byFile[fn], got, w.breaks)
		}
	}
}
