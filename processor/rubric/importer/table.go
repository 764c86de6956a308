package importer

import (
	"fmt"
	"strings"
)

// Merge says where a cell's text comes from when the cell is part of a
// merged range: the adapter fills every cell a merged range covers with the
// range's text, and marks the copies.
type Merge uint8

// Merge origins.
const (
	Own       Merge = iota // the cell's own text (or the first cell of a merged range)
	FromLeft               // copied from a range that starts in a cell to the left, same row
	FromAbove              // copied from a range that starts in a row above
)

// Row is one table row as the adapter read it.
type Row struct {
	// N is the row's number in the source, for messages: the Excel row,
	// the row of the Word table (1-based), the line of a text file.
	N int
	// Cells are the cells' texts, merged cells filled in; a cell with
	// several lines or paragraphs keeps them separated by "\n".
	Cells []string
	// Merge[i] says whether Cells[i] is a copy from a merged range; nil
	// means no cell of the row is.
	Merge []Merge
}

// Cell returns the text of column i ("" beyond the row) and where it comes from.
func (r Row) Cell(i int) (string, Merge) {
	if i < 0 || i >= len(r.Cells) {
		return "", Own
	}
	m := Own
	if i < len(r.Merge) {
		m = r.Merge[i]
	}
	return r.Cells[i], m
}

// Table is a rubric table read from a file by an adapter: a Word table, an
// Excel sheet or a text file. The importer does no I/O; adapters build Tables.
type Table struct {
	// Name says which table of the file this is, for messages: "bảng 2"
	// (Word), "trang tính «Chỉ số»" (Excel); "" for the only table.
	Name string
	// Lines is true when rows are lines of a text file ("dòng", not "hàng").
	Lines bool
	// Title is the text just above the table outside it (the paragraphs
	// before a Word table): the rubric's name, level and year are read
	// from it as from the rows above the header.
	Title []string
	Rows  []Row
}

// where names a row of the table for messages: "hàng 12", "dòng 12",
// "bảng 2, hàng 12".
func (t *Table) where(n int) string {
	w := fmt.Sprintf("hàng %d", n)
	if t.Lines {
		w = fmt.Sprintf("dòng %d", n)
	}
	if t.Name != "" {
		w = t.Name + ", " + w
	}
	return w
}

var cleaner = strings.NewReplacer("\u00a0", " ", "\u200b", "", "\ufeff", "", "\r\n", "\n", "\r", "\n")

// clean trims a cell: non-breaking spaces become spaces, every line is
// trimmed, empty lines at either end are dropped.
func clean(s string) string {
	s = cleaner.Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	for len(lines) > 0 && lines[0] == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}
