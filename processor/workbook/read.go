package workbook

import (
	"slices"
	"strconv"
	"strings"

	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/xuri/excelize/v2"
)

// Meta is what a workbook claims to be.
type Meta struct {
	RubricID, RubricHash, Version, UnitCode, UnitName, Year string
	Kind, Cohort                                            string
	// From says where the metadata was found: "properties", "sheet" or "".
	From string
}

// ReadMeta reads the template metadata from the custom properties, falling
// back to the hidden sheet (a copy whose properties were lost).
func readMeta(src source) Meta {
	var m Meta
	fields := map[string]*string{MetaRubric: &m.RubricID, MetaHash: &m.RubricHash, MetaVersion: &m.Version,
		MetaUnitCode: &m.UnitCode, MetaUnitName: &m.UnitName, MetaYear: &m.Year, MetaKind: &m.Kind, MetaCohort: &m.Cohort}
	set := func(k, v string) {
		if p, ok := fields[k]; ok {
			*p = v
		}
	}
	for _, p := range src.customProps() {
		if k, ok := strings.CutPrefix(p.name, "chiso_"); ok {
			set(k, vntext.Clean(p.value))
		}
	}
	if m.RubricID != "" {
		m.From = "properties"
		return m
	}
	if sh, err := src.sheet(SheetMeta); err == nil {
		for _, r := range sh.rows() {
			if len(r) >= 2 {
				set(r[0], vntext.Clean(r[1]))
			}
		}
		if m.RubricID != "" {
			m.From = "sheet"
		}
	}
	return m
}

// Cell is a cell read through a defined name.
type Cell struct {
	Sheet, Addr string
	Raw         string // the stored value (the cached result for formulas)
	Number      bool   // stored as a number
	formula     bool   // the cell holds a formula
}

// Where formats the cell for messages: "Chỉ số!E12".
func (c Cell) Where() string { return c.Sheet + "!" + c.Addr }

// Named returns the cells behind the workbook-scoped defined names that
// point at a single cell, by name, with their stored values (a formula gives
// its cached value; none is calculated — Read does that for the cells it
// needs).
func Named(f *excelize.File) map[string]Cell {
	src := excelSource{f}
	out, _ := namedRefs(src)
	for n, c := range out {
		out[n] = readCell(src, c.Sheet, c.Addr)
	}
	return out
}

// namedRefs returns where the workbook-scoped single-cell defined names
// point, without reading the cells, and the sheets names point at that do
// not parse. Names on a damaged sheet are skipped, and names that no
// longer point at a real cell (#REF! after deleted rows) too.
func namedRefs(src source) (map[string]Cell, []string) {
	out := map[string]Cell{}
	parses := map[string]bool{}
	var damaged []string
	for _, dn := range src.definedNames() {
		sheet, addr, ok := splitRef(dn.refersTo)
		if !ok {
			continue
		}
		if _, _, err := excelize.CellNameToCoordinates(addr); err != nil {
			continue
		}
		ok, seen := parses[sheet]
		if !seen {
			_, err := src.sheet(sheet)
			ok = err == nil
			parses[sheet] = ok
			if !ok && slices.Contains(src.sheetList(), sheet) {
				damaged = append(damaged, sheet)
			}
		}
		if !ok {
			continue
		}
		out[dn.name] = Cell{Sheet: sheet, Addr: addr}
	}
	return out, damaged
}

// readCell reads one cell as stored.
func readCell(src source, sheet, addr string) Cell {
	c := Cell{Sheet: sheet, Addr: addr}
	col, row, err := excelize.CellNameToCoordinates(addr)
	if err != nil {
		return c
	}
	sh, err := src.sheet(sheet)
	if err != nil {
		return c
	}
	got := sh.cell(col, row)
	c.Raw, c.Number, c.formula = got.Raw, got.Number, got.formula
	return c
}

// splitRef splits "'Chỉ số'!$E$12" into sheet and "E12".
func splitRef(ref string) (sheet, addr string, ok bool) {
	i := strings.LastIndex(ref, "!")
	if i < 0 {
		return "", "", false
	}
	sheet = strings.Trim(ref[:i], "'")
	sheet = strings.ReplaceAll(sheet, "''", "'")
	addr = strings.ReplaceAll(ref[i+1:], "$", "")
	if addr == "" || strings.ContainsAny(addr, ":,") {
		return "", "", false
	}
	return sheet, addr, true
}

// raw turns a cell into the raw value values.Coerce expects.
func (c Cell) raw() any {
	if c.Number {
		if f, err := strconv.ParseFloat(c.Raw, 64); err == nil {
			return f
		}
	}
	return c.Raw
}
