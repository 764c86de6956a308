package ooxml_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// corpus gathers the workbooks the reader is checked on: the producer
// corpus, the pipeline's bad-input corpus, blank templates of every
// rubric, filled ones, an appraisal workbook, and (without -short) the
// templates `chiso template --all` writes with the repository's
// config.yaml.
func corpus(t *testing.T) map[string][]byte {
	t.Helper()
	out := producerFiles(t)
	names, _ := filepath.Glob("../../pipeline/testdata/corpus/*.xls*")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out["corpus/"+filepath.Base(n)] = b
	}
	for _, r := range rubrics(t).All() {
		f, err := workbook.Template(r, workbook.TemplateOptions{Year: 2023, UnitCode: "X1", UnitName: "Xã Một"})
		if err != nil {
			t.Fatal(err)
		}
		buf, err := f.WriteToBuffer()
		if err != nil {
			t.Fatal(err)
		}
		out["template/"+r.ID+".xlsx"] = buf.Bytes()
	}
	for _, seed := range []uint64{1, 2, 3} {
		out[fmt.Sprintf("filled/seed-%d.xlsx", seed)] = filledTemplate(t, seed)
	}
	out["appraisal.xlsx"] = appraisalWorkbook(t)
	if !testing.Short() {
		for name, b := range chisoTemplates(t) {
			out["chiso-template/"+name] = b
		}
	}
	return out
}

func appraisalWorkbook(t *testing.T) []byte {
	r := thanhHoa(t)
	var rows []workbook.AppraisalRow
	self := 3.5
	r.Walk(func(_ *rubric.Pillar, in *rubric.Indicator) {
		mx := 10.0
		if in.Max != nil {
			mx = *in.Max
		}
		for _, u := range []string{"Xã Một", "Xã Hai"} {
			rows = append(rows, workbook.AppraisalRow{UnitKey: u, UnitName: u, Code: in.Code, Name: in.Name, Max: mx, Computed: mx / 2, Self: &self})
		}
	})
	var buf bytes.Buffer
	if err := workbook.WriteAppraisal(&buf, workbook.AppraisalOptions{Rubric: r, Year: 2023, Cohort: "trieu-son", Office: "UBND huyện", Rows: rows}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// chisoTemplates runs `go run ./cmd/chiso template --all` from the
// repository root with its config.yaml.
func chisoTemplates(t *testing.T) map[string][]byte {
	dir := t.TempDir()
	cmd := exec.Command("go", "run", "./cmd/chiso", "--config", "config.yaml", "template", "--all", "--out", dir)
	cmd.Dir = "../../.."
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("chiso template --all: %v\n%s", err, b)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "*.xlsx"))
	if len(names) == 0 {
		t.Fatal("chiso template --all wrote nothing")
	}
	out := map[string][]byte{}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(n)] = b
	}
	return out
}

func TestCrossCheckExcelize(t *testing.T) {
	files := corpus(t)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	checked := 0
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			if crossCheck(t, files[name], exceptions[name]) {
				checked++
			}
		})
	}
	t.Logf("%d workbooks compared cell by cell with excelize", checked)
}

// exceptions are the known, intended differences from excelize.
var exceptions = map[string]exception{
	// A sheet cut off mid-way: excelize returns the rows before the cut
	// without an error; ooxml reports the damage.
	"corpus/20-zip-cat-cut.xlsx": {damaged: true},
	// A 1 GB part: ooxml stops at the part limit.
	"corpus/24-zip-bom.xlsx": {damaged: true},
	// A raw control byte in the indicator sheet: excelize reads around it.
	"corpus/33-xml-hong.xlsx": {damaged: true},
	// Over the limits on purpose (hostile files): refused while read.
	"corpus/34-mot-trieu-chuoi.xlsx": {damaged: true},
	"corpus/35-tram-nghin-dong.xlsx": {damaged: true},
	"corpus/36-xml-long-sau.xlsx":    {damaged: true},
	// Rows without r: excelize's GetRowHeight does not number them (its
	// GetRows does), so it reports the default height; TestImpliedRefs
	// checks this file against the same workbook with references.
	"producers/no-cell-refs.xlsx": {noHeights: true},
}

type exception struct {
	damaged   bool // ooxml may return ErrMalformed, ErrDamaged or ErrLimit for a sheet
	noHeights bool // row heights are not compared
}

// crossCheck reads data with both readers and reports every difference.
// It returns false when neither could open it.
func crossCheck(t *testing.T, data []byte, ex exception) bool {
	b, err := ooxml.Open(data, ooxml.Limits{})
	f, ferr := excelize.OpenReader(bytes.NewReader(data))
	switch {
	case ferr != nil && err != nil:
		t.Logf("both refuse it: ooxml %v; excelize %v", err, ferr)
		return false
	case ferr != nil:
		t.Logf("excelize refuses it (%v); ooxml opens it", ferr)
		return false
	case err != nil:
		if errors.Is(err, ooxml.ErrLimit) {
			t.Logf("over a limit: %v", err)
			return false
		}
		t.Fatalf("ooxml refuses what excelize opens: %v", err)
	}
	defer f.Close()

	// Sheets, in order.
	var ours []string
	for _, s := range b.Sheets() {
		ours = append(ours, s.Name)
	}
	if got, want := strings.Join(ours, "|"), strings.Join(f.GetSheetList(), "|"); got != want {
		t.Errorf("sheets: %s, excelize %s", got, want)
	}
	for _, s := range b.Sheets() {
		vis, _ := f.GetSheetVisible(s.Name)
		if vis != (s.State == ooxml.Visible) {
			t.Errorf("sheet %s: state %s, excelize visible=%v", s.Name, s.State, vis)
		}
	}
	if idx := f.GetActiveSheetIndex(); idx != b.ActiveTab() {
		t.Errorf("active tab %d, excelize %d", b.ActiveTab(), idx)
	}

	// Defined names.
	var dn, fdn []string
	for _, d := range b.DefinedNames() {
		scope := "Workbook"
		if d.LocalSheetID >= 0 && d.LocalSheetID < len(b.Sheets()) {
			scope = b.Sheets()[d.LocalSheetID].Name
		}
		dn = append(dn, d.Name+"@"+scope+"="+d.RefersTo)
	}
	for _, d := range f.GetDefinedName() {
		fdn = append(fdn, d.Name+"@"+d.Scope+"="+d.RefersTo)
	}
	if strings.Join(dn, "\n") != strings.Join(fdn, "\n") {
		t.Errorf("defined names differ:\n%s\nexcelize:\n%s", strings.Join(dn, "\n"), strings.Join(fdn, "\n"))
	}

	// Custom properties.
	props, err := b.CustomProperties()
	if err != nil {
		t.Errorf("custom properties: %v", err)
	}
	fprops, _ := f.GetCustomProps()
	if len(props) != len(fprops) {
		t.Errorf("%d custom properties, excelize %d", len(props), len(fprops))
	}
	for i := range min(len(props), len(fprops)) {
		p, q := props[i], fprops[i]
		if p.Name != q.Name || (p.Type == "lpwstr" && p.Value != fmt.Sprint(q.Value)) {
			t.Errorf("property %d: %s=%q, excelize %s=%v", i, p.Name, p.Value, q.Name, q.Value)
		}
	}

	for _, si := range b.Sheets() {
		if si.Kind != "worksheet" {
			continue
		}
		crossCheckSheet(t, b, f, si.Name, ex)
	}
	return true
}

var excelizeTypes = map[excelize.CellType]ooxml.CellType{
	excelize.CellTypeUnset: ooxml.TypeNumber, excelize.CellTypeNumber: ooxml.TypeNumber,
	excelize.CellTypeSharedString: ooxml.TypeShared, excelize.CellTypeInlineString: ooxml.TypeInline,
	excelize.CellTypeFormula: ooxml.TypeFormulaString, excelize.CellTypeBool: ooxml.TypeBool,
	excelize.CellTypeError: ooxml.TypeError, excelize.CellTypeDate: ooxml.TypeDate,
}

func crossCheckSheet(t *testing.T, b *ooxml.Book, f *excelize.File, name string, ex exception) {
	sh, err := b.ReadSheet(name)
	if err != nil {
		if ex.damaged && (errors.Is(err, ooxml.ErrMalformed) || errors.Is(err, ooxml.ErrDamaged) || errors.Is(err, ooxml.ErrLimit)) {
			t.Logf("sheet %s: %v (expected)", name, err)
			return
		}
		t.Errorf("sheet %s: %v", name, err)
		return
	}
	rows, err := f.GetRows(name, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Errorf("sheet %s: excelize: %v", name, err)
		return
	}
	bad := 0
	report := func(format string, args ...any) {
		bad++
		if bad <= 10 {
			t.Errorf("%s!"+format, append([]any{name}, args...)...)
		}
	}
	// Every value excelize sees, we see.
	for r, row := range rows {
		for c, v := range row {
			if got := sh.Value(c+1, r+1); got != v {
				report("%s: %q, excelize %q", ooxml.CellRef(c+1, r+1), got, v)
			}
		}
	}
	// Every cell we see, excelize agrees on: value, type, formula, style.
	for i := range sh.Cells {
		c := &sh.Cells[i]
		ref := c.Ref()
		want := ""
		if c.Row <= len(rows) && c.Col <= len(rows[c.Row-1]) {
			want = rows[c.Row-1][c.Col-1]
		}
		if c.Value != want {
			report("%s: %q, excelize %q", ref, c.Value, want)
		}
		// excelize's type and formula of a cell inside a merged range are
		// those of the range's top-left cell.
		ec := c
		if m, ok := sh.MergedAt(c.Col, c.Row); ok {
			if ec = sh.Cell(m.Col1, m.Row1); ec == nil {
				ec = &ooxml.Cell{}
			}
		}
		if typ, err := f.GetCellType(name, ref); err != nil || excelizeTypes[typ] != ec.Type {
			report("%s: type %s, excelize %v (%v)", ref, ec.Type, typ, err)
		}
		if fm, err := f.GetCellFormula(name, ref); err != nil || fm != ec.Formula || (fm != "") != ec.HasFormula {
			report("%s: formula %q (%v), excelize %q (%v)", ref, ec.Formula, ec.HasFormula, fm, err)
		}
		if st, err := f.GetCellStyle(name, ref); err != nil || st != c.Style {
			report("%s: style %d, excelize %d (%v)", ref, c.Style, st, err)
		}
	}
	// Merged ranges.
	mc, err := f.GetMergeCells(name)
	if err != nil {
		t.Errorf("%s: merged: %v", name, err)
	}
	var fm, om []string
	for _, m := range mc {
		fm = append(fm, m.GetStartAxis()+":"+m.GetEndAxis())
	}
	for _, m := range sh.Merged {
		om = append(om, ooxml.CellRef(m.Col1, m.Row1)+":"+ooxml.CellRef(m.Col2, m.Row2))
	}
	sort.Strings(fm)
	sort.Strings(om)
	if strings.Join(fm, ",") != strings.Join(om, ",") {
		report(" merged %v, excelize %v", om, fm)
	}
	// Column widths and row heights we read.
	for _, c := range sh.Cols {
		if c.Width == 0 {
			continue
		}
		for col := c.Min; col <= min(c.Max, c.Min+3); col++ {
			if w, err := f.GetColWidth(name, ooxml.ColName(col)); err != nil || w != c.Width {
				report("column %s: width %g, excelize %g", ooxml.ColName(col), c.Width, w)
			}
		}
	}
	for _, r := range sh.Rows {
		if r.Height == 0 || ex.noHeights {
			continue
		}
		if h, err := f.GetRowHeight(name, r.Row); err != nil || h != r.Height {
			report("row %d: height %g, excelize %g", r.Row, r.Height, h)
		}
	}
	// Comments.
	cs, err := b.Comments(name)
	if err != nil {
		t.Errorf("%s: comments: %v", name, err)
	}
	fcs, _ := f.GetComments(name)
	if len(cs) != len(fcs) {
		report(" %d comments, excelize %d", len(cs), len(fcs))
	}
	for i := range min(len(cs), len(fcs)) {
		text := fcs[i].Text
		for _, r := range fcs[i].Paragraph {
			text += r.Text
		}
		if cs[i].Ref != fcs[i].Cell || cs[i].Author != fcs[i].Author || cs[i].Text() != text {
			report(" comment %d: %s %q %q, excelize %s %q %q", i, cs[i].Ref, cs[i].Author, cs[i].Text(), fcs[i].Cell, fcs[i].Author, text)
		}
	}
	// Fills of the styled cells.
	st, err := b.Styles()
	if err != nil {
		t.Errorf("styles: %v", err)
		return
	}
	seen := map[int]bool{}
	for i := range sh.Cells {
		c := &sh.Cells[i]
		if seen[c.Style] {
			continue
		}
		seen[c.Style] = true
		fst, err := f.GetStyle(c.Style)
		if err != nil {
			continue
		}
		fill := st.Fill(c.Style)
		// excelize leaves the colour empty for some fills LibreOffice and
		// Google Sheets write; those are not compared.
		if fst.Fill.Type == "pattern" && fst.Fill.Pattern == 1 && len(fst.Fill.Color) > 0 && fst.Fill.Color[0] != "" {
			want := strings.ToUpper(strings.TrimPrefix(fst.Fill.Color[0], "#"))
			if len(want) == 8 {
				want = want[2:]
			}
			if fill.Pattern != "solid" || (fill.FG.Kind == ooxml.ColorRGB && fill.FG.Hex() != want) {
				report(" style %d: fill %+v, excelize %+v", c.Style, fill, fst.Fill)
			}
		}
	}
}

// TestImpliedRefs reads the workbook whose rows and cells lack r
// attributes where they can be implied and checks it reads exactly as
// the same workbook with them.
func TestImpliedRefs(t *testing.T) {
	files := producerFiles(t)
	a, err := ooxml.Open(files["producers/excelize-filled.xlsx"], ooxml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ooxml.Open(files["producers/no-cell-refs.xlsx"], ooxml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, si := range a.Sheets() {
		x, err := a.ReadSheet(si.Name)
		if err != nil {
			t.Fatal(err)
		}
		y, err := b.ReadSheet(si.Name)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(x.Cells) != fmt.Sprint(y.Cells) || fmt.Sprint(x.Rows) != fmt.Sprint(y.Rows) {
			t.Errorf("%s reads differently without references", si.Name)
		}
	}
}
