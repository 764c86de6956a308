package workbook

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// source is a workbook as the readers see it: sheets, defined names,
// properties and cells as stored. A submission is read through ooxml's
// bounded streaming reader (bookSource); workbooks chiso builds itself
// with excelize are read through excelSource (the sample generator,
// tests).
type source interface {
	sheetList() []string
	definedNames() []namedRef // workbook-scoped ones only
	customProps() []property
	// sheet returns a sheet's cells; an error means it cannot be read
	// (damaged, over a limit, missing).
	sheet(name string) (sheetData, error)
	// calc computes a formula cell that carries no cached value (a file a
	// program wrote, not Excel).
	calc(sheet, addr string) (string, error)
}

// sheetData is one sheet's content.
type sheetData interface {
	cell(col, row int) Cell
	rows() [][]string // raw values, from A1, rows and columns up to the last used
	merged() []mergedRange
}

type namedRef struct{ name, refersTo string }

type property struct{ name, value string }

// ---------------------------------------------------------------- ooxml

// bookSource reads a workbook with ooxml, within limits, each sheet once.
type bookSource struct {
	b    *ooxml.Book
	data []byte
	lim  Limits

	names     []namedRef // workbook-scoped, listed once
	namesOnce sync.Once

	mu     sync.Mutex
	sheets map[string]*bookSheet
	errs   map[string]error
	excel  *excelize.File // opened only to calculate a formula with no cached value
}

func newBookSource(b *ooxml.Book, data []byte, lim Limits) *bookSource {
	return &bookSource{b: b, data: data, lim: lim, sheets: map[string]*bookSheet{}, errs: map[string]error{}}
}

func (s *bookSource) sheetList() []string {
	var out []string
	for _, si := range s.b.Sheets() {
		out = append(out, si.Name)
	}
	return out
}

func (s *bookSource) definedNames() []namedRef {
	s.namesOnce.Do(func() {
		for _, dn := range s.b.DefinedNames() {
			if dn.LocalSheetID < 0 {
				s.names = append(s.names, namedRef{dn.Name, dn.RefersTo})
			}
		}
	})
	return s.names
}

func (s *bookSource) customProps() []property {
	ps, err := s.b.CustomProperties()
	if err != nil {
		return nil
	}
	out := make([]property, len(ps))
	for i, p := range ps {
		out[i] = property{p.Name, p.Value}
	}
	return out
}

func (s *bookSource) sheet(name string) (sheetData, error) {
	bs, err := s.read(name)
	if err != nil {
		return nil, err
	}
	return bs, nil
}

// read reads a sheet once; the annotation reuses what the reading parsed.
func (s *bookSource) read(name string) (*bookSheet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sh, ok := s.sheets[name]; ok {
		return sh, nil
	}
	if err, ok := s.errs[name]; ok {
		return nil, err
	}
	sh, err := s.b.ReadSheet(name)
	if err != nil {
		s.errs[name] = err
		return nil, err
	}
	bs := &bookSheet{s: sh}
	s.sheets[name] = bs
	return bs, nil
}

func (s *bookSource) calc(sheet, addr string) (string, error) {
	if v, ok := s.calcSimple(sheet, addr); ok {
		return v, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.excel == nil {
		f, err := excelize.OpenReader(bytes.NewReader(s.data), excelize.Options{UnzipSizeLimit: s.lim.UnzipSize, UnzipXMLSizeLimit: s.lim.UnzipXMLSize})
		if err != nil {
			return "", err
		}
		s.excel = f
	}
	return s.excel.CalcCellValue(sheet, addr, excelize.Options{RawCellValue: true})
}

// cellRefRE is one cell reference: B13, $B$13, 'Thông tin chung'!$B$13,
// Sheet1!B13.
var cellRefRE = regexp.MustCompile(`^(?:(?:'(?:[^']|'')+'|[\p{L}\p{N}_.]+)!)?\$?[A-Za-z]{1,3}\$?[0-9]+$`)

// calcSimple computes the formulas the template itself writes that a file
// saved by a program rather than Excel carries without a cached value: a
// reference to a cell, and a pre-filled denominator,
// IF(LEN(TRIM(ref))=0,"",ref). It reads them from the sheets parsed: the
// whole workbook opened again with excelize cost three times the rest of
// reading it. ok is false for any other formula, and for a reference to a
// formula that has no cached value either; excelize computes those.
func (s *bookSource) calcSimple(sheet, addr string) (string, bool) {
	bs, err := s.read(sheet)
	if err != nil {
		return "", false
	}
	c := bs.s.CellAt(addr)
	if c == nil || !c.HasFormula {
		return "", false
	}
	f := strings.TrimSpace(c.Formula)
	ref, ifBlank := f, false
	const pre, mid = "IF(LEN(TRIM(", `))=0,"",`
	if strings.HasPrefix(f, pre) && strings.HasSuffix(f, ")") {
		a, b, ok := strings.Cut(f[len(pre):len(f)-1], mid)
		if !ok || a != b {
			return "", false
		}
		ref, ifBlank = a, true
	}
	if !cellRefRE.MatchString(ref) {
		return "", false
	}
	tsheet, taddr := sheet, strings.ReplaceAll(ref, "$", "")
	if strings.Contains(ref, "!") {
		var ok bool
		if tsheet, taddr, ok = splitRef(ref); !ok {
			return "", false
		}
	}
	ts, err := s.read(tsheet)
	if err != nil {
		return "", false
	}
	v := ""
	if tc := ts.s.CellAt(taddr); tc != nil {
		if tc.HasFormula && tc.Value == "" {
			return "", false
		}
		v = tc.Value
	}
	if ifBlank && strings.TrimSpace(v) == "" {
		return "", true
	}
	return v, true
}

// readErrs are the errors of the sheets read so far.
func (s *bookSource) readErrs() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []error
	for _, err := range s.errs {
		out = append(out, err)
	}
	return out
}

func (s *bookSource) close() {
	if s.excel != nil {
		s.excel.Close()
	}
}

type bookSheet struct {
	s    *ooxml.Sheet
	rws  [][]string
	once sync.Once
}

func (b *bookSheet) cell(col, row int) Cell {
	c := b.s.Cell(col, row)
	if c == nil {
		return Cell{}
	}
	out := Cell{Raw: vntext.Clean(c.Value), formula: c.HasFormula}
	switch c.Type {
	case ooxml.TypeNumber, ooxml.TypeDate, ooxml.TypeFormulaString:
		// As excelize reads it: a formula's text result that is a number
		// counts as one.
		_, err := strconv.ParseFloat(c.Value, 64)
		out.Number = err == nil && c.Value != ""
	}
	return out
}

func (b *bookSheet) rows() [][]string {
	b.once.Do(func() {
		n := b.s.MaxRow()
		b.rws = make([][]string, n)
		for i := range b.s.Cells {
			c := &b.s.Cells[i]
			r := b.rws[c.Row-1]
			for len(r) < c.Col {
				r = append(r, "")
			}
			r[c.Col-1] = c.Value
			b.rws[c.Row-1] = r
		}
		// Trailing empty cells are not columns (as excelize's GetRows).
		for i, r := range b.rws {
			for len(r) > 0 && r[len(r)-1] == "" {
				r = r[:len(r)-1]
			}
			b.rws[i] = r
		}
	})
	return b.rws
}

func (b *bookSheet) merged() []mergedRange {
	out := make([]mergedRange, len(b.s.Merged))
	for i, m := range b.s.Merged {
		out[i] = mergedRange{b.s.Name, m.Col1, m.Row1, m.Col2, m.Row2}
	}
	return out
}

// ------------------------------------------------------------- excelize

// excelSource reads a workbook excelize holds (one chiso built).
type excelSource struct{ f *excelize.File }

func (s excelSource) sheetList() []string { return s.f.GetSheetList() }

func (s excelSource) definedNames() []namedRef {
	var out []namedRef
	for _, dn := range s.f.GetDefinedName() {
		if dn.Scope == "" || dn.Scope == "Workbook" {
			out = append(out, namedRef{dn.Name, dn.RefersTo})
		}
	}
	return out
}

func (s excelSource) customProps() []property {
	ps, err := s.f.GetCustomProps()
	if err != nil {
		return nil
	}
	out := make([]property, len(ps))
	for i, p := range ps {
		out[i] = property{p.Name, fmt.Sprint(p.Value)}
	}
	return out
}

func (s excelSource) sheet(name string) (sheetData, error) {
	// excelize parses a sheet whole on the first cell read; a sheet that
	// does not parse fails every read.
	if _, err := s.f.GetCellValue(name, "A1"); err != nil {
		return nil, err
	}
	return excelSheet{s.f, name}, nil
}

func (s excelSource) calc(sheet, addr string) (string, error) {
	return s.f.CalcCellValue(sheet, addr, excelize.Options{RawCellValue: true})
}

type excelSheet struct {
	f    *excelize.File
	name string
}

func (e excelSheet) cell(col, row int) Cell {
	addr, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return Cell{}
	}
	raw, err := e.f.GetCellValue(e.name, addr, excelize.Options{RawCellValue: true})
	if err != nil {
		return Cell{}
	}
	c := Cell{Raw: vntext.Clean(raw)}
	if fm, err := e.f.GetCellFormula(e.name, addr); err == nil && fm != "" {
		c.formula = true
	}
	if t, err := e.f.GetCellType(e.name, addr); err == nil {
		switch t {
		case excelize.CellTypeNumber, excelize.CellTypeDate:
			c.Number = true
		case excelize.CellTypeUnset, excelize.CellTypeFormula:
			_, perr := strconv.ParseFloat(raw, 64)
			c.Number = perr == nil && raw != ""
		}
	}
	return c
}

func (e excelSheet) rows() [][]string {
	rows, _ := e.f.GetRows(e.name, excelize.Options{RawCellValue: true})
	return rows
}

func (e excelSheet) merged() []mergedRange {
	mcs, err := e.f.GetMergeCells(e.name, true)
	if err != nil {
		return nil
	}
	var out []mergedRange
	for _, m := range mcs {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, mergedRange{e.name, min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)})
	}
	return out
}
