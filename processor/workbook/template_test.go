package workbook

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/values"
	"github.com/chiso-vn/chiso/templates"
)

func shipped(t testing.TB) []*rubric.Rubric {
	t.Helper()
	set := rubric.NewSet()
	if err := set.LoadFS(templates.FS, "templates"); err != nil {
		t.Fatal(err)
	}
	all := set.All()
	if len(all) == 0 {
		t.Fatal("no shipped rubrics")
	}
	return all
}

func generate(t testing.TB, r *rubric.Rubric, opt TemplateOptions) *excelize.File {
	t.Helper()
	f, err := Template(r, opt)
	if err != nil {
		t.Fatalf("%s: %v", r.ID, err)
	}
	return reopen(t, f)
}

// reopen saves f and opens the bytes again, as a returned file would be.
func reopen(t testing.TB, f *excelize.File) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	g, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// rawFor makes a plausible value a commune could enter for an input.
func rawFor(rng *rand.Rand, in rubric.Input, general bool) any {
	if !general && rng.IntN(20) == 0 {
		return nil // left empty: missing
	}
	switch in.Type {
	case rubric.Count:
		if general {
			return float64(10 + rng.IntN(50))
		}
		return float64(rng.IntN(45))
	case rubric.Number:
		return float64(rng.IntN(100)) / 10
	case rubric.Money:
		return float64(rng.IntN(2000)) / 10
	case rubric.Pct:
		return float64(rng.IntN(101))
	case rubric.YesNo:
		if rng.IntN(2) == 0 {
			return yesLabel
		}
		return noLabel
	case rubric.Choice:
		return in.Options[rng.IntN(len(in.Options))].Shown() // as the dropdown offers it
	case rubric.Items:
		n := rng.IntN(4)
		var items []string
		for i := 0; i < n; i++ {
			items = append(items, fmt.Sprintf("Mục %d", i+1))
		}
		return strings.Join(items, "\n")
	case rubric.Text:
		return "ghi chú"
	}
	return nil
}

// fill writes generated values into the template through the defined names
// and returns the same values as the engine would get them directly.
func fill(t testing.TB, f *excelize.File, r *rubric.Rubric, seed uint64) engine.Values {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	named := Named(f)
	want := engine.NewValues()
	put := func(name string, in rubric.Input, raw any) engine.Value {
		c, ok := named[name]
		if !ok {
			t.Fatalf("%s: no defined name %s", r.ID, name)
		}
		if raw != nil {
			if err := f.SetCellValue(c.Sheet, c.Addr, raw); err != nil {
				t.Fatal(err)
			}
		}
		v, err := values.Coerce(in, raw)
		if err != nil {
			t.Fatalf("%s %s: %v", r.ID, name, err)
		}
		return v
	}
	for _, g := range r.General {
		want.General[g.Key] = put(GeneralName(g.Key), g, rawFor(rng, g, true))
	}
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		for _, x := range in.Inputs {
			raw := rawFor(rng, x, false)
			if x.SameAs != "" {
				if rng.IntN(3) > 0 {
					// Left as issued: the pre-filled formula takes the
					// general-information figure.
					want.Set(in.Code, x.Key, want.General[x.SameAs])
					continue
				}
				if c := named[InputName(in.Code, x.Key)]; raw == nil {
					// Emptied by the commune: the formula goes too.
					if err := f.SetCellValue(c.Sheet, c.Addr, nil); err != nil {
						t.Fatal(err)
					}
				}
			}
			want.Set(in.Code, x.Key, put(InputName(in.Code, x.Key), x, raw))
		}
		self := math.Round(rng.Float64()*in.MaxValue()*2) / 2
		put(SelfName(in.Code), rubric.Input{Type: rubric.Number}, self)
		want.Self[in.Code] = self
	})
	return want
}

func TestTemplateRoundTrip(t *testing.T) {
	for _, r := range shipped(t) {
		t.Run(r.ID, func(t *testing.T) {
			sc, err := engine.New(r)
			if err != nil {
				t.Fatal(err)
			}
			for seed := uint64(1); seed <= 3; seed++ {
				f := generate(t, r, TemplateOptions{Year: r.Year, UnitCode: "TS01", UnitName: "Xã Triệu Thành"})
				want := fill(t, f, r, seed)
				f = reopen(t, f)
				got, err := readValues(f, r)
				if err != nil {
					t.Fatalf("read back: %v", err)
				}
				direct, read := sc.Score(want), sc.Score(got)
				for i, ir := range direct.Indicators {
					rr := read.Indicators[i]
					if ir.Points != rr.Points || ir.Status != rr.Status {
						t.Errorf("seed %d %s: direct %v (%s), read back %v (%s)", seed, ir.Code, ir.Points, ir.Status, rr.Points, rr.Status)
					}
				}
				if direct.Total != read.Total || direct.Self != read.Self {
					t.Errorf("seed %d total: direct %v/%v, read back %v/%v", seed, direct.Total, direct.Self, read.Total, read.Self)
				}
				compareExcel(t, f, r, direct, fmt.Sprintf("seed %d", seed))
				f.Close()
			}
		})
	}
}

// compareExcel recalculates every provisional score with excelize and
// compares it with the engine, to 2 decimals.
func compareExcel(t *testing.T, f *excelize.File, r *rubric.Rubric, res *engine.Result, label string) {
	t.Helper()
	named := Named(f)
	n := 0
	for _, ir := range res.Indicators {
		if _, in := r.Indicator(ir.Code); in.Rule != nil && in.Rule.Kind == rubric.KindCohort {
			continue // shows "xếp hạng sau": settled over the cohort
		}
		c := named[ScoreName(ir.Code)]
		got, err := f.CalcCellValue(c.Sheet, c.Addr, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Errorf("%s %s: calc %s: %v", label, ir.Code, c.Where(), err)
			continue
		}
		x, err := strconv.ParseFloat(got, 64)
		if err != nil || engine.Round2(x) != engine.Round2(ir.Points) {
			fm, _ := f.GetCellFormula(c.Sheet, c.Addr)
			var inputs []string
			_, in := r.Indicator(ir.Code)
			for _, x := range in.Inputs {
				ic := named[InputName(ir.Code, x.Key)]
				v, _ := f.GetCellValue(ic.Sheet, ic.Addr, excelize.Options{RawCellValue: true})
				inputs = append(inputs, fmt.Sprintf("%s=%s=%q", x.Key, ic.Addr, v))
			}
			t.Errorf("%s %s: Excel %q, engine %v (%s) inputs %v\n  =%s", label, ir.Code, got, ir.Points, ir.Status, inputs, fm)
		}
		n++
	}
	if n == 0 {
		t.Errorf("%s: no indicator compared", label)
	}
	c := named["diem_tong"]
	got, err := f.CalcCellValue(c.Sheet, c.Addr, excelize.Options{RawCellValue: true})
	x, _ := strconv.ParseFloat(got, 64)
	if err != nil || engine.Round2(x) != engine.Round2(res.Total) {
		t.Errorf("%s: Excel total %q (%v), engine %v", label, got, err, res.Total)
	}
}

func TestTemplateMetadataAndNames(t *testing.T) {
	for _, r := range shipped(t) {
		t.Run(r.ID, func(t *testing.T) {
			f := generate(t, r, TemplateOptions{Year: 2026, UnitCode: "TS07", UnitName: "Xã Dân Lý"})
			defer f.Close()
			m := readMeta(excelSource{f})
			want := Meta{RubricID: r.ID, RubricHash: r.Hash, Version: TemplateVersion, UnitCode: "TS07", UnitName: "Xã Dân Lý", Year: "2026", Kind: KindTemplate, From: "properties"}
			if m != want {
				t.Errorf("meta %+v, want %+v", m, want)
			}
			// The hidden sheet carries the same, for copies that lost the properties.
			rows, _ := f.GetRows(SheetMeta)
			if len(rows) < 6 || rows[0][1] != r.ID || rows[5][1] != "2026" {
				t.Errorf("hidden sheet rows %v", rows)
			}
			for _, s := range []string{SheetMeta, SheetLists} {
				if vis, _ := f.GetSheetVisible(s); vis {
					t.Errorf("%s is visible", s)
				}
			}
			if got := f.GetSheetList(); strings.Join(got[:3], "|") != SheetGuide+"|"+SheetGeneral+"|"+SheetScores {
				t.Errorf("sheets %v", got)
			}
			named := Named(f)
			for _, n := range []string{NameUnitName, NameUnitCode, NameYear, NameContactName, NameContactEmail, "diem_tong"} {
				if _, ok := named[n]; !ok {
					t.Errorf("no defined name %s", n)
				}
			}
			if named[NameUnitName].Raw != "Xã Dân Lý" || named[NameYear].Raw != "2026" {
				t.Errorf("unit fields not pre-filled: %+v %+v", named[NameUnitName], named[NameYear])
			}
			r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
				for _, n := range []string{SelfName(in.Code), ExplainName(in.Code), EvidenceName(in.Code), ScoreName(in.Code)} {
					if _, ok := named[n]; !ok {
						t.Errorf("no defined name %s", n)
					}
				}
				for _, x := range in.Inputs {
					c, ok := named[InputName(in.Code, x.Key)]
					if !ok {
						t.Errorf("no defined name for %s %s", in.Code, x.Key)
						continue
					}
					if c.Sheet != SheetScores || !strings.HasPrefix(c.Addr, colValue) {
						t.Errorf("%s %s at %s", in.Code, x.Key, c.Where())
					}
				}
			})
		})
	}
}

// TestTemplateExcelConventions reads back dropdowns, number checks, locked
// and unlocked cells, sheet protection, print set-up, frozen header and fonts.
func TestTemplateExcelConventions(t *testing.T) {
	r := shipped(t)[0]
	for _, x := range shipped(t) {
		if x.ID == "thanhhoa-xa-2023" {
			r = x
		}
	}
	f := generate(t, r, TemplateOptions{Year: 2023})
	defer f.Close()
	named := Named(f)
	dvs, err := f.GetDataValidations(SheetScores)
	if err != nil {
		t.Fatal(err)
	}
	bySqref := map[string]string{}
	for _, dv := range dvs {
		bySqref[dv.Sqref] = dv.Type + " " + dv.Formula1 + " " + dv.Formula2
		if dv.Prompt == nil || *dv.Prompt == "" || dv.Error == nil || *dv.Error == "" {
			t.Errorf("validation %s has no Vietnamese prompt or error message", dv.Sqref)
		}
	}
	kinds := map[rubric.InputType]int{}
	var yesNoList string
	choices := map[string][]string{} // list range → the answers it should offer
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		for _, x := range in.Inputs {
			c := named[InputName(in.Code, x.Key)]
			dv := bySqref[c.Addr]
			switch x.Type {
			case rubric.YesNo, rubric.Choice:
				if x.Type == rubric.YesNo {
					yesNoList = strings.TrimSpace(strings.TrimPrefix(dv, "list "))
				} else {
					var shown []string
					for _, o := range x.Options {
						shown = append(shown, o.Shown())
					}
					choices[strings.TrimSpace(strings.TrimPrefix(dv, "list "))] = shown
				}
				if !strings.HasPrefix(dv, "list ") {
					t.Errorf("%s %s (%s): validation %q, want a dropdown list", in.Code, x.Key, x.Type, dv)
				}
			case rubric.Count:
				if !strings.HasPrefix(dv, "whole ") || !strings.Contains(dv, " 0 ") {
					t.Errorf("%s %s: validation %q, want whole ≥ 0", in.Code, x.Key, dv)
				}
			case rubric.Pct:
				if !strings.HasPrefix(dv, "decimal 0 100") {
					t.Errorf("%s %s: validation %q, want 0..100", in.Code, x.Key, dv)
				}
			}
			kinds[x.Type]++
			assertLocked(t, f, c, false)
		}
		assertLocked(t, f, named[ScoreName(in.Code)], true)
		assertLocked(t, f, named[SelfName(in.Code)], false)
		// The responsible officer (K) is the commune's to name.
		self := named[SelfName(in.Code)]
		assertLocked(t, f, Cell{Sheet: SheetScores, Addr: colOfficer + strings.TrimLeft(self.Addr, "ABCDEFGHIJ")}, false)
	})
	if kinds[rubric.YesNo] == 0 || kinds[rubric.Count] == 0 {
		t.Fatalf("test rubric lacks yes/no or count inputs: %v", kinds)
	}
	// The dropdown for yes/no offers exactly Có and Không; a choice its
	// short answers, each short enough for the value column.
	if items := listItems(f, yesNoList); strings.Join(items, "|") != "Có|Không" {
		t.Errorf("yes/no dropdown %s offers %v", yesNoList, items)
	}
	if len(choices) == 0 {
		t.Fatal("test rubric lacks choice inputs")
	}
	for ref, want := range choices {
		items := listItems(f, ref)
		if !slices.Equal(items, want) {
			t.Errorf("dropdown %s offers %v, want %v", ref, items, want)
		}
		for _, it := range items {
			if len([]rune(it)) > rubric.MaxShown {
				t.Errorf("dropdown answer %q is longer than %d characters", it, rubric.MaxShown)
			}
		}
	}
	// Method text and name cells are locked; the title uses Times New Roman.
	assertLocked(t, f, Cell{Sheet: SheetScores, Addr: "D7"}, true)
	sid, _ := f.GetCellStyle(SheetScores, "A1")
	st, _ := f.GetStyle(sid)
	if st.Font == nil || st.Font.Family != "Times New Roman" {
		t.Errorf("title font %+v", st.Font)
	}
	// The default font fixes the width unit of the columns alike in Excel
	// and LibreOffice.
	if df, _ := f.GetDefaultFont(); df != "Times New Roman" {
		t.Errorf("default font %q", df)
	}
	for _, s := range []string{SheetGuide, SheetGeneral, SheetScores} {
		pl, err := f.GetPageLayout(s)
		if err != nil || pl.Size == nil || *pl.Size != 9 || pl.FitToWidth == nil || *pl.FitToWidth != 1 {
			t.Errorf("%s page layout %+v: want A4 fit to width", s, pl)
		}
		if s == SheetScores && (pl.Orientation == nil || *pl.Orientation != "landscape") {
			t.Errorf("indicator sheet not landscape")
		}
	}
	p, _ := f.GetPanes(SheetScores)
	if !p.Freeze || p.YSplit != firstRow-1 {
		t.Errorf("panes %+v", p)
	}
	var titles bool
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Titles" && dn.Scope == SheetScores && strings.Contains(dn.RefersTo, "$4:$5") {
			titles = true
		}
	}
	if !titles {
		t.Errorf("no repeated header rows on %s", SheetScores)
	}
	// Sheet protection without password on every visible sheet.
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	zr, _ := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	protected := 0
	for _, zf := range zr.File {
		if !strings.HasPrefix(zf.Name, "xl/worksheets/sheet") {
			continue
		}
		rc, _ := zf.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(b, []byte("<sheetProtection")) {
			protected++
			if bytes.Contains(b, []byte("password=")) || bytes.Contains(b, []byte("hashValue=")) {
				t.Errorf("%s: protection has a password", zf.Name)
			}
		}
	}
	if protected < 3 {
		t.Errorf("%d sheets protected, want the guide, general and indicator sheets", protected)
	}
}

// listItems returns the cells of a dropdown's list range ('Sheet'!$A$1:$A$3).
func listItems(f *excelize.File, ref string) []string {
	sheet, rng, _ := strings.Cut(ref, "!")
	from, to, _ := strings.Cut(strings.ReplaceAll(rng, "$", ""), ":")
	var items []string
	for row, _ := strconv.Atoi(from[1:]); ; row++ {
		v, _ := f.GetCellValue(strings.Trim(sheet, "'"), "A"+strconv.Itoa(row))
		items = append(items, v)
		if "A"+strconv.Itoa(row) == to || row > 1000 {
			break
		}
	}
	return items
}

func assertLocked(t *testing.T, f *excelize.File, c Cell, locked bool) {
	t.Helper()
	sid, err := f.GetCellStyle(c.Sheet, c.Addr)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := f.GetStyle(sid)
	isLocked := st == nil || st.Protection == nil || st.Protection.Locked
	if isLocked != locked {
		t.Errorf("%s locked=%v, want %v", c.Where(), isLocked, locked)
	}
}

// TestTemplateGolden keeps a text dump of one generic template per rubric.
func TestTemplateGolden(t *testing.T) {
	for _, r := range shipped(t) {
		t.Run(r.ID, func(t *testing.T) {
			f := generate(t, r, TemplateOptions{Year: r.Year, Deadline: "15/12/" + strconv.Itoa(r.Year), Office: "UBND huyện Mẫu"})
			defer f.Close()
			var buf bytes.Buffer
			if err := testkit.Dump(&buf, f, "chiso_"+MetaHash); err != nil {
				t.Fatal(err)
			}
			testkit.Golden(t, filepath.Join("testdata", "golden", r.ID+".txt"), buf.Bytes())
		})
	}
}

// CellError is a problem with one cell's content.
type CellError struct {
	Cell      Cell
	Indicator string // indicator code, or "" for general information
	Input     string
	Err       error
}

func (e *CellError) Error() string {
	if e.Indicator == "" {
		return fmt.Sprintf("%s (%s): %v", e.Cell.Where(), e.Input, e.Err)
	}
	return fmt.Sprintf("%s (chỉ số %s, %s): %v", e.Cell.Where(), e.Indicator, e.Input, e.Err)
}

func (e *CellError) Unwrap() error { return e.Err }

// readValues reads every input, general field and self-score of rubric r
// through the defined names. All unreadable cells are returned as
// *CellError, joined; the values that could be read are returned anyway.
func readValues(f *excelize.File, r *rubric.Rubric) (engine.Values, error) {
	refs := NamedRefs(f)
	named := map[string]Cell{}
	for n, c := range refs {
		if strings.HasPrefix(n, "diem_") {
			continue // the provisional scores: not figures
		}
		named[n] = readCellCalc(excelSource{f}, c.Sheet, c.Addr)
	}
	v := engine.NewValues()
	var errs []error
	for _, g := range r.General {
		c, ok := named[GeneralName(g.Key)]
		if !ok {
			continue
		}
		val, err := values.Coerce(g, c.raw())
		if err != nil {
			errs = append(errs, &CellError{Cell: c, Input: g.Label, Err: err})
			continue
		}
		val.Cell = c.Where()
		v.General[g.Key] = val
	}
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		for _, x := range in.Inputs {
			c, ok := named[InputName(in.Code, x.Key)]
			if !ok {
				continue
			}
			val, err := values.Coerce(x, c.raw())
			if err != nil {
				errs = append(errs, &CellError{Cell: c, Indicator: in.Code, Input: x.Key, Err: err})
				continue
			}
			val.Cell = c.Where()
			v.Set(in.Code, x.Key, val)
		}
		if c, ok := named[SelfName(in.Code)]; ok && strings.TrimSpace(c.Raw) != "" {
			n, err := values.Coerce(rubric.Input{Type: rubric.Number}, c.raw())
			if err != nil {
				errs = append(errs, &CellError{Cell: c, Indicator: in.Code, Input: "điểm tự chấm", Err: err})
			} else {
				v.Self[in.Code] = n.Num
			}
		}
	})
	return v, errors.Join(errs...)
}

// NamedRefs returns where the workbook-scoped single-cell defined names
// point, without reading the cells (reading costs: a provisional-score
// formula without a cached value would be calculated).
// Names on a sheet that does not parse are skipped (excelize does not cache
// a failed parse, so reading each would parse the damaged sheet again), and
// names that no longer point at a real cell (#REF! after deleted rows) too.
func NamedRefs(f *excelize.File) map[string]Cell {
	out, _ := namedRefs(excelSource{f})
	return out
}
