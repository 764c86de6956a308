package ooxml

import (
	"errors"
	"strconv"
	"strings"
)

// ErrRef is returned for a cell reference or coordinates outside Excel's
// grid (columns A–XFD, rows 1–1,048,576) or not of the form "B12".
var ErrRef = errors.New("ooxml: invalid cell reference")

// CellRef returns the A1 reference of a 1-based column and row: (2, 12) →
// "B12". It returns "" for coordinates outside the grid.
func CellRef(col, row int) string {
	if col < 1 || col > maxCol || row < 1 || row > maxRow {
		return ""
	}
	var b [12]byte
	return string(appendRef(b[:0], col, row))
}

func appendRef(b []byte, col, row int) []byte {
	b = appendColName(b, col)
	return strconv.AppendInt(b, int64(row), 10)
}

// ColName returns the letters of a 1-based column: 1 → "A", 28 → "AB".
// It returns "" outside 1..16384.
func ColName(col int) string {
	if col < 1 || col > maxCol {
		return ""
	}
	var b [4]byte
	return string(appendColName(b[:0], col))
}

func appendColName(b []byte, col int) []byte {
	var tmp [4]byte
	i := len(tmp)
	for col > 0 {
		col--
		i--
		tmp[i] = byte('A' + col%26)
		col /= 26
	}
	return append(b, tmp[i:]...)
}

// ParseRef returns the 1-based column and row of an A1 reference. Dollar
// signs are ignored and letters may be lower case ("$b$12", "B12" → 2,
// 12).
func ParseRef(ref string) (col, row int, err error) {
	col, row, ok := parseRef([]byte(strings.ReplaceAll(ref, "$", "")))
	if !ok {
		return 0, 0, ErrRef
	}
	return col, row, nil
}

// parseRef parses "B12" (no dollars).
func parseRef(b []byte) (col, row int, ok bool) {
	i := 0
	for i < len(b) && i < 4 {
		c := b[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
		i++
	}
	if i == 0 || col > maxCol || i == len(b) {
		return 0, 0, false
	}
	if b[i] == '0' {
		return 0, 0, false
	}
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		row = row*10 + int(c-'0')
		if row > maxRow {
			return 0, 0, false
		}
	}
	return col, row, true
}

// ParseColName returns the number of a column given by its letters ("AB"
// → 28).
func ParseColName(name string) (int, error) {
	col := 0
	if name == "" || len(name) > 3 {
		return 0, ErrRef
	}
	for i := 0; i < len(name); i++ {
		c := name[i] | 0x20
		if c < 'a' || c > 'z' {
			return 0, ErrRef
		}
		col = col*26 + int(c-'a'+1)
	}
	if col > maxCol {
		return 0, ErrRef
	}
	return col, nil
}

// Range is a rectangle of cells, 1-based and inclusive.
type Range struct {
	Col1, Row1, Col2, Row2 int
}

// ParseRange parses "A1:C3" or a single cell "B2" (a one-cell range).
// The corners are normalised (top-left first).
func ParseRange(s string) (Range, error) {
	a, b, two := strings.Cut(s, ":")
	c1, r1, err := ParseRef(a)
	if err != nil {
		return Range{}, err
	}
	c2, r2 := c1, r1
	if two {
		if c2, r2, err = ParseRef(b); err != nil {
			return Range{}, err
		}
	}
	return Range{min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)}, nil
}

// String formats the range as "A1:C3" ("B2" for one cell).
func (r Range) String() string {
	if r.Col1 == r.Col2 && r.Row1 == r.Row2 {
		return CellRef(r.Col1, r.Row1)
	}
	return CellRef(r.Col1, r.Row1) + ":" + CellRef(r.Col2, r.Row2)
}

// Contains reports whether the cell (col, row) is in the range.
func (r Range) Contains(col, row int) bool {
	return col >= r.Col1 && col <= r.Col2 && row >= r.Row1 && row <= r.Row2
}

func validCoords(col, row int) bool {
	return col >= 1 && col <= maxCol && row >= 1 && row <= maxRow
}
