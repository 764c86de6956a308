package ooxml

import (
	"fmt"
	"strconv"
)

// Printing, comments, data validation and drawings of a new sheet.

// SetPrintTitleColumns repeats columns first..last at the left of every
// printed page (with SetPrintTitles, rows at the top too).
func (w *SheetWriter) SetPrintTitleColumns(first, last int) error {
	if first < 1 || last < first || last > maxCol {
		return fmt.Errorf("ooxml: invalid print title columns %d:%d", first, last)
	}
	w.titleCol1, w.titleCol2 = first, last
	return nil
}

// SetPrintArea limits printing to the given ranges, each printed on its
// own pages.
func (w *SheetWriter) SetPrintArea(ranges ...Range) error {
	for _, r := range ranges {
		if !validCoords(r.Col1, r.Row1) || !validCoords(r.Col2, r.Row2) || r.Col2 < r.Col1 || r.Row2 < r.Row1 {
			return fmt.Errorf("ooxml: invalid print area %v", r)
		}
	}
	w.printArea = append([]Range(nil), ranges...)
	return nil
}

// AddRowBreak starts a new printed page after row (a manual page break).
func (w *SheetWriter) AddRowBreak(row int) error {
	if row < 1 || row >= maxRow {
		return fmt.Errorf("ooxml: invalid row break %d", row)
	}
	w.rowBreaks = addBreak(w.rowBreaks, row)
	return nil
}

// AddColBreak starts a new printed page after column col.
func (w *SheetWriter) AddColBreak(col int) error {
	if col < 1 || col >= maxCol {
		return fmt.Errorf("ooxml: invalid column break %d", col)
	}
	w.colBreaks = addBreak(w.colBreaks, col)
	return nil
}

func addBreak(at []int, n int) []int {
	for i, x := range at {
		switch {
		case x == n:
			return at
		case x > n:
			at = append(at, 0)
			copy(at[i+1:], at[i:])
			at[i] = n
			return at
		}
	}
	return append(at, n)
}

// HideGridLines hides the cell grid on screen (it never prints): for a
// sheet laid out as a document.
func (w *SheetWriter) HideGridLines() { w.noGrid = true }

// AddComment adds a comment (a note) to a cell of the sheet.
func (w *SheetWriter) AddComment(c Comment) error {
	if _, _, err := ParseRef(c.Ref); err != nil {
		return err
	}
	w.comments = append(w.comments, c)
	return nil
}

// Validation is a data validation rule on a range: Type "decimal",
// "whole", "list", "textLength"…; Operator "between",
// "greaterThanOrEqual"…; formulas as Excel writes them ("0", "$E5").
type Validation struct {
	Range              Range
	Type, Operator     string
	Formula1, Formula2 string
	AllowBlank         bool
	PromptTitle        string // shown when the cell is selected
	Prompt             string
	ErrorTitle         string // shown when a value is refused
	Error              string
}

// AddValidation adds a data validation rule.
func (w *SheetWriter) AddValidation(v Validation) error {
	r := v.Range
	if !validCoords(r.Col1, r.Row1) || !validCoords(r.Col2, r.Row2) || r.Col2 < r.Col1 || r.Row2 < r.Row1 {
		return fmt.Errorf("ooxml: invalid validation range %v", r)
	}
	w.checks = append(w.checks, v)
	return nil
}

func (w *SheetWriter) appendValidations(b []byte) []byte {
	if len(w.checks) == 0 {
		return b
	}
	b = fmt.Appendf(b, `<dataValidations count="%d">`, len(w.checks))
	for _, v := range w.checks {
		b = append(b, "<dataValidation"...)
		if v.Type != "" {
			b = attr(b, "type", v.Type)
		}
		if v.Operator != "" {
			b = attr(b, "operator", v.Operator)
		}
		if v.AllowBlank {
			b = attr(b, "allowBlank", "1")
		}
		if v.Prompt != "" || v.PromptTitle != "" {
			b = attr(b, "showInputMessage", "1")
		}
		if v.Error != "" || v.ErrorTitle != "" {
			b = attr(b, "showErrorMessage", "1")
		}
		// Excel refuses titles over 32 characters and messages over 255.
		if v.ErrorTitle != "" {
			b = attr(b, "errorTitle", cutRunes(v.ErrorTitle, 32))
		}
		if v.Error != "" {
			b = attr(b, "error", cutRunes(v.Error, 255))
		}
		if v.PromptTitle != "" {
			b = attr(b, "promptTitle", cutRunes(v.PromptTitle, 32))
		}
		if v.Prompt != "" {
			b = attr(b, "prompt", cutRunes(v.Prompt, 255))
		}
		b = attr(b, "sqref", v.Range.String())
		b = append(b, '>')
		if v.Formula1 != "" {
			b = appendTextElem(b, "formula1", v.Formula1)
		}
		if v.Formula2 != "" {
			b = appendTextElem(b, "formula2", v.Formula2)
		}
		b = append(b, "</dataValidation>"...)
	}
	return append(b, "</dataValidations>"...)
}

func cutRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// Anchor is a point of a sheet for a drawing: a cell (1-based) and an
// offset into it in EMU (914,400 to the inch, 12,700 to the point).
type Anchor struct {
	Col, Row       int
	ColOff, RowOff int64
}

// EMU per point.
const EMUPerPoint = 12700

// Line is a straight line drawn on the sheet from one point to another,
// e.g. the short rule under a document's heading. Width is in points (0:
// 0.75), Color "RRGGBB" ("": black).
type Line struct {
	From, To Anchor
	Width    float64
	Color    string
}

// AddLine draws a line on the sheet.
func (w *SheetWriter) AddLine(l Line) error {
	if !validCoords(l.From.Col, l.From.Row) || !validCoords(l.To.Col, l.To.Row) {
		return ErrRef
	}
	w.lines = append(w.lines, l)
	return nil
}

// ChartKind is the kind of a chart.
type ChartKind uint8

// Chart kinds.
const (
	BarChart    ChartKind = iota // horizontal bars
	ColumnChart                  // vertical bars
)

// ChartSeries is one series of a chart: references to a cell holding its
// name, to the categories and to the values ("'Trụ cột'!$C$4:$C$33", see
// [RangeRef]), and an optional colour "RRGGBB".
type ChartSeries struct {
	Name, Categories, Values string
	Color                    string
}

// Chart is a bar or column chart anchored at a cell, Width × Height
// points.
type Chart struct {
	Kind   ChartKind
	Title  string
	Series []ChartSeries
	At     Anchor
	Width  float64
	Height float64
	// Font is the text font ("" for the application's); TitleSize and
	// Size (axes, labels, legend) in points, 0 for 12 and 9.
	Font            string
	TitleSize, Size float64
	// ReverseCategories puts the first category at the top of a bar
	// chart (rank 1 first).
	ReverseCategories bool
	// ValueMin and ValueMax fix the value axis (nil: automatic);
	// ValueFormat is its number format ("0%"), "" the cells' own.
	ValueMin, ValueMax *float64
	ValueFormat        string
	// Labels shows each bar's value, in LabelFormat ("0.00").
	Labels      bool
	LabelFormat string
	// Legend: "b" (bottom), "r" (right), "" for none.
	Legend  string
	AltText string
}

// AddChart adds a chart to the sheet.
func (w *SheetWriter) AddChart(c Chart) error {
	if !validCoords(c.At.Col, c.At.Row) || len(c.Series) == 0 || c.Width <= 0 || c.Height <= 0 {
		return fmt.Errorf("ooxml: invalid chart %q", c.Title)
	}
	w.charts = append(w.charts, c)
	return nil
}

// RangeRef is a reference to a range of a sheet as charts and defined
// names write it: 'Trụ cột'!$C$4:$C$33 (one cell: 'Trụ cột'!$C$3).
func RangeRef(sheet string, r Range) string {
	if r.Col1 == r.Col2 && r.Row1 == r.Row2 {
		return quoteSheet(sheet) + "!$" + ColName(r.Col1) + "$" + strconv.Itoa(r.Row1)
	}
	return quoteSheet(sheet) + "!" + absRange(r)
}
