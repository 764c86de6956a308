package ooxml

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// CellType is how a cell's value is stored (its t attribute).
type CellType uint8

const (
	// TypeNumber: no t attribute or t="n"; Value is the number as written
	// ("" for a blank cell that only carries a style).
	TypeNumber CellType = iota
	// TypeShared: t="s"; Value is the resolved shared string.
	TypeShared
	// TypeInline: t="inlineStr"; Value is the inline string's text.
	TypeInline
	// TypeFormulaString: t="str", a formula's cached text result.
	TypeFormulaString
	// TypeBool: t="b"; Value is "0" or "1".
	TypeBool
	// TypeError: t="e"; Value is the error ("#N/A", "#REF!"…).
	TypeError
	// TypeDate: t="d"; Value is an ISO 8601 date as written.
	TypeDate
)

var cellTypeNames = [...]string{"n", "s", "inlineStr", "str", "b", "e", "d"}

// String returns the t attribute the type stands for ("n" for numbers).
func (t CellType) String() string {
	if int(t) < len(cellTypeNames) {
		return cellTypeNames[t]
	}
	return "?"
}

// IsText reports whether the value is text (shared, inline or a formula's
// text result).
func (t CellType) IsText() bool {
	return t == TypeShared || t == TypeInline || t == TypeFormulaString
}

func parseCellType(b []byte) (CellType, bool) {
	switch string(b) {
	case "", "n":
		return TypeNumber, true
	case "s":
		return TypeShared, true
	case "inlineStr":
		return TypeInline, true
	case "str":
		return TypeFormulaString, true
	case "b":
		return TypeBool, true
	case "e":
		return TypeError, true
	case "d":
		return TypeDate, true
	}
	return 0, false
}

// Cell is one <c> element of a sheet (64 bytes; the strings share one
// arena per sheet).
type Cell struct {
	Row, Col int // 1-based
	Style    int // index into the cell formats (cellXfs), 0 by default
	// Value is the raw value as stored: shared and inline strings
	// resolved to their text, numbers as written (not formatted), "0"/"1"
	// for booleans, the error text for errors. For a formula it is the
	// cached result ("" when the producer wrote none).
	Value string
	// Formula is the formula text without "=". A cell of a shared formula
	// gets the master's formula shifted to its position, as Excel shows
	// it.
	Formula    string
	Type       CellType
	HasFormula bool
}

// Ref returns the cell's A1 reference.
func (c *Cell) Ref() string { return CellRef(c.Col, c.Row) }

// Number returns the value as a number when it is stored as one (a number
// cell, or a formula whose cached result is a number).
func (c *Cell) Number() (float64, bool) {
	if c.Type != TypeNumber || c.Value == "" {
		return 0, false
	}
	f, err := strconv.ParseFloat(c.Value, 64)
	return f, err == nil
}

// Col is one <col> element: a range of columns sharing a width and style.
type Col struct {
	Min, Max    int
	Width       float64 // in characters; 0 when not given
	CustomWidth bool
	Hidden      bool
	Style       int
}

// Row holds a row's own attributes; only rows that have a height, a style
// or are hidden are listed.
type Row struct {
	Row          int
	Height       float64 // points; 0 when not given
	CustomHeight bool
	Hidden       bool
	Style        int // when CustomFormat
	CustomFormat bool
}

// Sheet is what ReadSheet returns: a sheet's cells and layout.
type Sheet struct {
	Name string
	Part string
	// Cells are sorted by row, then column; every <c> element is one,
	// including blank cells that only carry a style.
	Cells  []Cell
	Merged []Range
	Cols   []Col
	Rows   []Row
	// DefaultRowHeight is sheetFormatPr's defaultRowHeight (15 when
	// absent).
	DefaultRowHeight float64
	Dimension        string // the <dimension ref> as written
	TabSelected      bool   // the first sheetView's tabSelected
	// LegacyDrawing is the relationship id of <legacyDrawing> (the VML
	// drawing that shows comments), "" when none.
	LegacyDrawing string
	// Rels are the sheet's relationships; CommentsPart the comments part
	// among them ("" when the sheet has no comments).
	Rels         []Relationship
	CommentsPart string
}

// Cell returns the cell at (col, row), or nil when the sheet has no <c>
// there. Lookups are binary searches: O(log n), no allocation.
func (s *Sheet) Cell(col, row int) *Cell {
	cs := s.Cells
	i := sort.Search(len(cs), func(i int) bool {
		return cs[i].Row > row || (cs[i].Row == row && cs[i].Col >= col)
	})
	if i < len(cs) && cs[i].Row == row && cs[i].Col == col {
		return &cs[i]
	}
	return nil
}

// CellAt returns the cell at an A1 reference ("E12", "$E$12"), or nil.
func (s *Sheet) CellAt(ref string) *Cell {
	col, row, err := ParseRef(ref)
	if err != nil {
		return nil
	}
	return s.Cell(col, row)
}

// Value returns the raw value at (col, row), "" when there is no cell.
func (s *Sheet) Value(col, row int) string {
	if c := s.Cell(col, row); c != nil {
		return c.Value
	}
	return ""
}

// RowCells returns the cells of one row, in column order.
func (s *Sheet) RowCells(row int) []Cell {
	cs := s.Cells
	i := sort.Search(len(cs), func(i int) bool { return cs[i].Row >= row })
	j := i
	for j < len(cs) && cs[j].Row == row {
		j++
	}
	return cs[i:j]
}

// MergedAt returns the merged range that contains (col, row).
func (s *Sheet) MergedAt(col, row int) (Range, bool) {
	for _, m := range s.Merged {
		if m.Contains(col, row) {
			return m, true
		}
	}
	return Range{}, false
}

// RowHeight returns a row's height in points: its own, else the sheet's
// default.
func (s *Sheet) RowHeight(row int) float64 {
	i := sort.Search(len(s.Rows), func(i int) bool { return s.Rows[i].Row >= row })
	if i < len(s.Rows) && s.Rows[i].Row == row && s.Rows[i].Height > 0 {
		return s.Rows[i].Height
	}
	return s.DefaultRowHeight
}

// ColWidth returns the width of a column as set by <cols>, and whether
// one is set.
func (s *Sheet) ColWidth(col int) (float64, bool) {
	for _, c := range s.Cols {
		if col >= c.Min && col <= c.Max && c.Width > 0 {
			return c.Width, true
		}
	}
	return 0, false
}

// MaxRow returns the last row holding a cell (0 for an empty sheet).
func (s *Sheet) MaxRow() int {
	if len(s.Cells) == 0 {
		return 0
	}
	return s.Cells[len(s.Cells)-1].Row
}

// MaxCol returns the last column holding a cell (0 for an empty sheet).
func (s *Sheet) MaxCol() int {
	m := 0
	for i := range s.Cells {
		m = max(m, s.Cells[i].Col)
	}
	return m
}

// cellText locates a cell's strings in the sheet's arena while it is
// read.
type cellText struct {
	vOff, vLen, fOff, fLen uint32
	sst                    int32 // shared-string index, -1 for none
}

type sharedFormula struct {
	row, col int
	text     string
}

// ReadSheet streams a sheet's part once and returns its cells and layout.
// The name is matched as Excel does (ignoring case). Errors match
// [ErrNoSheet], [ErrLimit], [ErrMalformed] or [ErrDamaged].
func (b *Book) ReadSheet(name string) (*Sheet, error) {
	i := b.sheetIndex(name)
	if i < 0 || b.sheets[i].Part == "" || b.arc.file(b.sheets[i].Part) == nil {
		return nil, fmt.Errorf("%w: %q", ErrNoSheet, name)
	}
	info := b.sheets[i]
	sh := &Sheet{Name: info.Name, Part: info.Part, DefaultRowHeight: 15}
	rels, err := b.sheetRels(info.Part)
	if err != nil {
		return nil, err
	}
	sh.Rels = rels
	for _, r := range rels {
		if relIs(r.Type, "comments") && !r.External {
			sh.CommentsPart = r.Target
		}
	}
	rd := sheetReader{b: b, sh: sh, shared: map[int]sharedFormula{}}
	if f := b.arc.file(info.Part); f != nil && f.UncompressedSize64 <= uint64(b.lim.MaxPartBytes) {
		// About 70 bytes of XML a cell in real sheets (a filled form's
		// indicator sheet: 71): one allocation, not a copy as it grows.
		// The header is only trusted within a bound (a bigger part is
		// rejected when opened).
		n := int(min(f.UncompressedSize64/64, 1<<14, uint64(b.lim.MaxCells)))
		sh.Cells = make([]Cell, 0, n)
		rd.texts = make([]cellText, 0, n)
	}
	if err := b.walk(info.Part, rd.token); err != nil {
		if errors.Is(err, errPartMissing) {
			return nil, fmt.Errorf("%w: %q", ErrNoSheet, name)
		}
		return nil, err
	}
	if err := rd.finish(); err != nil {
		return nil, err
	}
	return sh, nil
}

// sheetReader is the state of one ReadSheet.
type sheetReader struct {
	b      *Book
	sh     *Sheet
	texts  []cellText
	arena  []byte
	row    int // current row number
	rows   int // <row> elements seen
	col    int // last column in the row
	inRow  int // cells in the current row
	sorted bool
	d2     string // local name of the current child of <worksheet>
	shared map[int]sharedFormula
	views  int
}

func (rd *sheetReader) fail(s *scanner, format string, args ...any) error {
	return s.fail(s.off, fmt.Sprintf(format, args...))
}

func (rd *sheetReader) token(s *scanner) error {
	if s.kind != tokStart {
		return nil
	}
	lim := &rd.b.lim
	switch s.depth {
	case 2:
		rd.d2 = string(s.local())
		switch rd.d2 {
		case "dimension":
			v, _, err := s.attrString("ref")
			rd.sh.Dimension = v
			return err
		case "sheetFormatPr":
			if v, ok := s.attr("defaultRowHeight"); ok {
				if h, err := strconv.ParseFloat(string(v), 64); err == nil && h > 0 {
					rd.sh.DefaultRowHeight = h
				}
			}
		case "legacyDrawing":
			if v, ok := s.attrLocal("id", true); ok {
				rd.sh.LegacyDrawing = string(v)
			}
		case "sheetData":
			rd.sorted = true
		}
	case 3:
		local := s.local()
		switch {
		case rd.d2 == "sheetData" && string(local) == "row":
			return rd.rowStart(s)
		case rd.d2 == "cols" && string(local) == "col":
			if len(rd.sh.Cols) >= lim.MaxItems {
				return rd.b.tooMany(s.part)
			}
			var c Col
			for n, v := range eachAttr(s.attrs) {
				switch string(n) {
				case "min":
					c.Min, _ = strconv.Atoi(string(v))
				case "max":
					c.Max, _ = strconv.Atoi(string(v))
				case "width":
					c.Width, _ = strconv.ParseFloat(string(v), 64)
				case "customWidth":
					c.CustomWidth = xmlBool(string(v))
				case "hidden":
					c.Hidden = xmlBool(string(v))
				case "style":
					c.Style, _ = strconv.Atoi(string(v))
				}
			}
			if c.Min < 1 || c.Max < c.Min || c.Max > maxCol {
				return rd.fail(s, "invalid column range %d:%d", c.Min, c.Max)
			}
			rd.sh.Cols = append(rd.sh.Cols, c)
		case rd.d2 == "mergeCells" && string(local) == "mergeCell":
			if len(rd.sh.Merged) >= lim.MaxItems {
				return rd.b.tooMany(s.part)
			}
			ref, _, err := s.attrString("ref")
			if err != nil {
				return err
			}
			r, err := ParseRange(ref)
			if err != nil {
				return rd.fail(s, "invalid merged range %q", ref)
			}
			rd.sh.Merged = append(rd.sh.Merged, r)
		case rd.d2 == "sheetViews" && string(local) == "sheetView":
			if rd.views == 0 {
				v, _ := s.attr("tabSelected")
				rd.sh.TabSelected = xmlBool(string(v))
			}
			rd.views++
		}
	case 4:
		if rd.d2 == "sheetData" && string(s.local()) == "c" {
			return rd.cell(s)
		}
	}
	return nil
}

func (rd *sheetReader) rowStart(s *scanner) error {
	lim := &rd.b.lim
	if rd.rows++; rd.rows > lim.MaxRows {
		return &LimitError{Limit: LimitRows, Max: int64(lim.MaxRows), Part: s.part}
	}
	r := Row{}
	has := false
	next := rd.row + 1
	for n, v := range eachAttr(s.attrs) {
		switch string(n) {
		case "r":
			x, err := strconv.Atoi(string(v))
			if err != nil || x < 1 || x > maxRow {
				return rd.fail(s, "invalid row number %q", v)
			}
			next = x
		case "ht":
			r.Height, _ = strconv.ParseFloat(string(v), 64)
			has = true
		case "customHeight":
			r.CustomHeight = xmlBool(string(v))
		case "hidden":
			r.Hidden = xmlBool(string(v))
			has = has || r.Hidden
		case "s":
			r.Style, _ = strconv.Atoi(string(v))
		case "customFormat":
			r.CustomFormat = xmlBool(string(v))
			has = has || r.CustomFormat
		}
	}
	if next > lim.MaxRows {
		return &LimitError{Limit: LimitRows, Max: int64(lim.MaxRows), Part: s.part}
	}
	if next <= rd.row {
		rd.sorted = false
	}
	rd.row, rd.col, rd.inRow = next, 0, 0
	if has {
		if len(rd.sh.Rows) >= lim.MaxItems {
			return rd.b.tooMany(s.part)
		}
		r.Row = next
		rd.sh.Rows = append(rd.sh.Rows, r)
	}
	return nil
}

// cell reads one <c> and its children.
func (rd *sheetReader) cell(s *scanner) error {
	lim := &rd.b.lim
	if len(rd.sh.Cells) >= lim.MaxCells {
		return &LimitError{Limit: LimitCells, Max: int64(lim.MaxCells), Part: s.part}
	}
	if rd.inRow++; rd.inRow > lim.MaxCols {
		return &LimitError{Limit: LimitCols, Max: int64(lim.MaxCols), Part: s.part}
	}
	c := Cell{Row: rd.row, Col: rd.col + 1}
	for n, v := range eachAttr(s.attrs) {
		switch string(n) {
		case "r":
			col, row, ok := parseRef(v)
			if !ok {
				return rd.fail(s, "invalid cell reference %q", v)
			}
			c.Col, c.Row = col, row
		case "t":
			t, ok := parseCellType(v)
			if !ok {
				return rd.fail(s, "invalid cell type %q", v)
			}
			c.Type = t
		case "s":
			x, err := strconv.Atoi(string(v))
			if err != nil || x < 0 {
				return rd.fail(s, "invalid style index %q", v)
			}
			c.Style = x
		}
	}
	if c.Col > lim.MaxCols {
		return &LimitError{Limit: LimitCols, Max: int64(lim.MaxCols), Part: s.part}
	}
	if c.Row > lim.MaxRows {
		return &LimitError{Limit: LimitRows, Max: int64(lim.MaxRows), Part: s.part}
	}
	if n := len(rd.sh.Cells); n > 0 {
		p := &rd.sh.Cells[n-1]
		if c.Row < p.Row || (c.Row == p.Row && c.Col <= p.Col) {
			rd.sorted = false
		}
	}
	rd.col = c.Col
	t := cellText{sst: -1}
	if !s.selfClose {
		if err := rd.cellChildren(s, &c, &t); err != nil {
			return err
		}
	}
	rd.sh.Cells = append(rd.sh.Cells, c)
	rd.texts = append(rd.texts, t)
	return nil
}

func (rd *sheetReader) cellChildren(s *scanner, c *Cell, t *cellText) error {
	lim := &rd.b.lim
	return s.children(func(local []byte) error {
		var err error
		switch string(local) {
		case "v":
			off := len(rd.arena)
			if rd.arena, err = s.text(rd.arena, off+lim.MaxValueBytes); err != nil {
				return err
			}
			if c.Type == TypeShared {
				x, err := strconv.Atoi(string(trimSpace(rd.arena[off:])))
				rd.arena = rd.arena[:off]
				if err != nil || x < 0 {
					return s.fail(s.off, "invalid shared string index")
				}
				t.sst = int32(min(x, 1<<31-1))
				return nil
			}
			t.vOff, t.vLen = uint32(off), uint32(len(rd.arena)-off)
		case "is":
			off := len(rd.arena)
			if rd.arena, err = richText(s, rd.arena, off+lim.MaxValueBytes); err != nil {
				return err
			}
			rd.arena = append(rd.arena[:off], unescapeX(rd.arena[off:])...)
			if c.Type == TypeInline {
				t.vOff, t.vLen = uint32(off), uint32(len(rd.arena)-off)
			} else {
				rd.arena = rd.arena[:off]
			}
		case "f":
			c.HasFormula = true
			var ft, si, ref []byte
			for n, v := range eachAttr(s.attrs) {
				switch string(n) {
				case "t":
					ft = v
				case "si":
					si = v
				case "ref":
					ref = v
				}
			}
			off := len(rd.arena)
			if rd.arena, err = s.text(rd.arena, off+lim.MaxValueBytes); err != nil {
				return err
			}
			t.fOff, t.fLen = uint32(off), uint32(len(rd.arena)-off)
			if string(ft) != "shared" || si == nil {
				return nil
			}
			idx, err := strconv.Atoi(string(si))
			if err != nil {
				return nil
			}
			if ref != nil {
				if _, ok := rd.shared[idx]; !ok {
					if len(rd.shared) >= lim.MaxItems {
						return rd.b.tooMany(s.part)
					}
					rd.shared[idx] = sharedFormula{row: c.Row, col: c.Col, text: string(rd.arena[off:])}
				}
			}
			if m, ok := rd.shared[idx]; ok && (m.row != c.Row || m.col != c.Col) {
				rd.arena = shiftFormula(rd.arena[:off], m.text, c.Col-m.col, c.Row-m.row)
				if len(rd.arena)-off > lim.MaxValueBytes {
					return &LimitError{Limit: LimitValueBytes, Max: int64(lim.MaxValueBytes), Part: s.part}
				}
				t.fLen = uint32(len(rd.arena) - off)
			}
		}
		return nil
	})
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// finish resolves the strings, sorts the cells if the part did not, and
// drops duplicates (the first of two cells at one reference wins, as in
// excelize).
func (rd *sheetReader) finish() error {
	sh := rd.sh
	var sst *sharedStrings
	for _, t := range rd.texts {
		if t.sst >= 0 {
			var err error
			if sst, err = rd.b.sharedStrings(); err != nil {
				return err
			}
			break
		}
	}
	arena := string(rd.arena)
	for i := range sh.Cells {
		t := &rd.texts[i]
		c := &sh.Cells[i]
		if t.sst >= 0 {
			c.Value, _ = sst.get(int(t.sst))
		} else {
			c.Value = arena[t.vOff : t.vOff+t.vLen]
		}
		c.Formula = arena[t.fOff : t.fOff+t.fLen]
	}
	rd.texts, rd.arena = nil, nil
	if !rd.sorted {
		sort.SliceStable(sh.Cells, func(i, j int) bool {
			a, b := &sh.Cells[i], &sh.Cells[j]
			return a.Row < b.Row || (a.Row == b.Row && a.Col < b.Col)
		})
		out := sh.Cells[:0]
		for i := range sh.Cells {
			if len(out) > 0 && out[len(out)-1].Row == sh.Cells[i].Row && out[len(out)-1].Col == sh.Cells[i].Col {
				continue
			}
			out = append(out, sh.Cells[i])
		}
		sh.Cells = out
		sort.SliceStable(sh.Rows, func(i, j int) bool { return sh.Rows[i].Row < sh.Rows[j].Row })
	}
	return nil
}
