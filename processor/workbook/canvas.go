package workbook

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// canvas is what the annotator reads from and writes to a commune's
// workbook: the few reads and writes it needs, and no more. The annotator
// is one piece of code; production backs it with ooxml's patcher
// (patchCanvas: untouched parts copied as they are), the tests also with
// excelize (the writer it replaced), to compare the two cell by cell.
//
// Sheets are named as the workbook names them; cells are 1-based column
// and row numbers; a style is a cell format index (cellXfs).
type canvas interface {
	// sheets lists the sheets in tab order, as they stand.
	sheets() []string
	hasSheet(name string) bool
	// value is a cell's raw value ("" for none); rows a sheet's raw
	// values from A1 (for the bookkeeping sheet).
	value(sheet string, col, row int) string
	rows(sheet string) [][]string
	// style is the format a cell shows: its own, else its row's or its
	// column's.
	style(sheet string, col, row int) (int, error)
	// colWidth is a column's width in character units as the sheet sets
	// it (Excel's default when it sets none), 0 when hidden.
	colWidth(sheet string, col int) float64
	// textFormat is how a format lays out text.
	textFormat(style int) ooxml.TextFormat
	merges(sheet string) []ooxml.Range
	// comments are a sheet's comments as they stand (an error when its
	// comments part cannot be read).
	comments(sheet string) ([]ooxml.Comment, error)
	// fill is the fill of a format.
	fill(style int) (ooxml.Fill, error)
	definedNames() []namedRef // workbook-scoped ones

	removeSheet(name string) error
	// addSheet adds a sheet built by the annotator, first or last.
	addSheet(name string, first bool, s *sheetBuild) error
	// setCell sets a cell's value and, when style ≥ 0, its format. Text
	// is always written as text, never as a formula.
	setCell(sheet string, col, row int, v cellValue, style int) error
	setStyle(sheet string, col, row int, style int) error
	setColWidth(sheet string, col int, width float64) error
	// growRow makes a row at least height points tall; it never shrinks.
	growRow(sheet string, row int, height float64) error
	// deriveFill is format style with fill f instead of its own.
	deriveFill(style int, f ooxml.Fill) (int, error)
	// addStyle registers one of chiso's formats.
	addStyle(l look) (int, error)
	// setComments replaces a sheet's comments.
	setComments(sheet string, cs []ooxml.Comment) error
	hideVery(sheet string) error
	activate(sheet string) error
	// printTitles are the rows and columns a sheet prints on every page
	// (its _xlnm.Print_Titles name); setPrintTitles replaces them.
	printTitles(sheet string) ooxml.PrintTitles
	setPrintTitles(sheet string, t ooxml.PrintTitles) error
	// setPageLayout changes a sheet's print set-up: the fields set in pl
	// replace the sheet's, the others are kept.
	setPageLayout(sheet string, pl ooxml.PageLayout) error
	// setColBreak starts a new printed page after column col.
	setColBreak(sheet string, col int) error
}

// defaultColWidth is the width Excel gives a column the sheet sets none
// for, as excelize reports it.
const defaultColWidth = 9.140625

// cellValue is a value the annotator writes: text, a number, or none
// (a cell that only carries a format).
type cellValue struct {
	text  string
	num   float64
	isNum bool
}

func textValue(s string) cellValue { return cellValue{text: s} }
func numValue(x float64) cellValue { return cellValue{num: x, isNum: true} }
func blankValue() cellValue        { return cellValue{} }

// raw is the value as a reader sees it stored.
func (v cellValue) raw() string {
	if v.isNum {
		return strconv.FormatFloat(v.num, 'f', -1, 64)
	}
	return v.text
}

func ooxmlValue(v cellValue) ooxml.Value {
	switch {
	case v.isNum:
		return ooxml.Number(v.num)
	case v.text == "":
		return ooxml.Blank()
	}
	return ooxml.Text(v.text)
}

// ------------------------------------------------------------ new sheets

// sheetBuild is a new sheet as the annotator writes it: cells (set in any
// order; the last write of a cell wins), merged ranges, column widths,
// row heights, links to cells of the workbook, frozen rows, print set-up
// and print titles.
type sheetBuild struct {
	rows       map[int][]buildCol // cells by row, in the order set
	heights    map[int]float64
	widths     map[int]float64
	merges     []ooxml.Range
	links      []buildLink
	freezeRows int
	page       *ooxml.PageSetup
	titleFrom  int // print titles: rows titleFrom..titleTo; 0 none
	titleTo    int
}

type buildCell struct {
	v     cellValue
	style int
}

type buildLink struct {
	col, row int
	location string
}

type buildRow struct {
	row    int
	height float64
	cells  []buildCol
}

type buildCol struct {
	col int
	buildCell
}

func newSheetBuild() *sheetBuild {
	return &sheetBuild{rows: map[int][]buildCol{}, heights: map[int]float64{}, widths: map[int]float64{}}
}

// at returns the cell at (col, row), created blank.
func (s *sheetBuild) at(col, row int) *buildCol {
	cs := s.rows[row]
	for i := range cs {
		if cs[i].col == col {
			return &cs[i]
		}
	}
	s.rows[row] = append(cs, buildCol{col: col})
	return &s.rows[row][len(cs)]
}

// set writes a cell's value and format.
func (s *sheetBuild) set(col, row int, v cellValue, style int) {
	c := s.at(col, row)
	c.v, c.style = v, style
}

// setStyle gives a cell a format, keeping its value.
func (s *sheetBuild) setStyle(col, row int, style int) { s.at(col, row).style = style }

func (s *sheetBuild) get(col, row int) cellValue {
	for _, c := range s.rows[row] {
		if c.col == col {
			return c.v
		}
	}
	return cellValue{}
}

// sorted returns the rows with cells or a height, in order, their cells
// in column order.
func (s *sheetBuild) sorted() []buildRow {
	nums := make([]int, 0, len(s.rows)+len(s.heights))
	for r := range s.rows {
		nums = append(nums, r)
	}
	for r := range s.heights {
		if _, ok := s.rows[r]; !ok {
			nums = append(nums, r)
		}
	}
	slices.Sort(nums)
	out := make([]buildRow, len(nums))
	for i, r := range nums {
		cs := s.rows[r]
		slices.SortFunc(cs, func(a, b buildCol) int { return a.col - b.col })
		out[i] = buildRow{row: r, height: s.heights[r], cells: cs}
	}
	return out
}

// sortedWidths returns the column widths in column order.
func (s *sheetBuild) sortedWidths() [][2]float64 {
	var out [][2]float64
	for c, w := range s.widths {
		out = append(out, [2]float64{float64(c), w})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// colIndex is the number of a column letter ("A" → 1).
func colIndex(col string) int {
	n, err := ooxml.ParseColName(col)
	if err != nil {
		panic("workbook: bad column " + col)
	}
	return n
}

// ------------------------------------------------------------ fills kept

// The bookkeeping sheet records each coloured cell's fill before, as JSON.
// A fill excelize could describe is written as excelize wrote it (chiso's
// results before the ooxml writer): {"Type":"pattern","Pattern":1,
// "Color":["FFF2CC"],"Shading":0,"Transparency":0}, so that the record
// reads the same whichever chiso wrote it. Other fills (theme or indexed
// colours, two-colour patterns) are written exactly, which excelize's form
// could not: {"patternType":"gray125","fg":{"theme":4,"tint":0.4},"bg":…}.
// Both forms are read.

type fillRecord struct {
	Type         string   `json:"Type,omitempty"`
	Pattern      int      `json:"Pattern"`
	Color        []string `json:"Color"`
	Shading      int      `json:"Shading"`
	Transparency int      `json:"Transparency"`
}

type exactFill struct {
	PatternType string      `json:"patternType"`
	FG          *exactColor `json:"fg,omitempty"`
	BG          *exactColor `json:"bg,omitempty"`
}

type exactColor struct {
	RGB     string  `json:"rgb,omitempty"`
	Theme   *int    `json:"theme,omitempty"`
	Indexed *int    `json:"indexed,omitempty"`
	Auto    bool    `json:"auto,omitempty"`
	Tint    float64 `json:"tint,omitempty"`
}

// excelizePatterns are excelize's fill pattern numbers.
var excelizePatterns = []string{
	"none", "solid", "mediumGray", "darkGray", "lightGray", "darkHorizontal", "darkVertical", "darkDown", "darkUp",
	"darkGrid", "darkTrellis", "lightHorizontal", "lightVertical", "lightDown", "lightUp", "lightGrid", "lightTrellis",
	"gray125", "gray0625",
}

// encodeFill writes a fill for the bookkeeping sheet.
func encodeFill(f ooxml.Fill) string {
	pattern := f.Pattern
	if pattern == "" {
		pattern = "none"
	}
	noColour := f.FG.Kind == ooxml.ColorNone && f.BG.Kind == ooxml.ColorNone
	var rec *fillRecord
	switch {
	case pattern == "none" && noColour:
		rec = &fillRecord{Type: "pattern"}
	case pattern == "solid" && f.FG.Kind == ooxml.ColorRGB:
		rec = &fillRecord{Type: "pattern", Pattern: 1, Color: []string{f.FG.Hex()}}
	}
	if rec != nil {
		b, _ := json.Marshal(rec)
		return string(b)
	}
	b, _ := json.Marshal(exactFill{PatternType: pattern, FG: exactOf(f.FG), BG: exactOf(f.BG)})
	return string(b)
}

func exactOf(c ooxml.Color) *exactColor {
	switch c.Kind {
	case ooxml.ColorRGB:
		return &exactColor{RGB: strings.ToUpper(c.RGB), Tint: c.Tint}
	case ooxml.ColorTheme:
		i := c.Index
		return &exactColor{Theme: &i, Tint: c.Tint}
	case ooxml.ColorIndexed:
		i := c.Index
		return &exactColor{Indexed: &i, Tint: c.Tint}
	case ooxml.ColorAuto:
		return &exactColor{Auto: true}
	}
	return nil
}

func (c *exactColor) color() ooxml.Color {
	switch {
	case c == nil:
		return ooxml.Color{}
	case c.RGB != "":
		col := ooxml.RGB(c.RGB)
		col.Tint = c.Tint
		return col
	case c.Theme != nil:
		return ooxml.Color{Kind: ooxml.ColorTheme, Index: *c.Theme, Tint: c.Tint}
	case c.Indexed != nil:
		return ooxml.Color{Kind: ooxml.ColorIndexed, Index: *c.Indexed, Tint: c.Tint}
	case c.Auto:
		return ooxml.Color{Kind: ooxml.ColorAuto}
	}
	return ooxml.Color{}
}

// decodeFill reads a fill the bookkeeping sheet recorded, in either form.
func decodeFill(s string) (ooxml.Fill, error) {
	var raw struct {
		fillRecord
		exactFill
	}
	if err := json.Unmarshal([]byte(s), &raw); err != nil {
		return ooxml.Fill{}, err
	}
	if raw.PatternType != "" {
		return ooxml.Fill{Pattern: raw.PatternType, FG: raw.FG.color(), BG: raw.BG.color()}, nil
	}
	switch raw.Type {
	case "pattern":
		if raw.Pattern < 0 || raw.Pattern >= len(excelizePatterns) {
			return ooxml.Fill{}, fmt.Errorf("fill pattern %d", raw.Pattern)
		}
		f := ooxml.Fill{Pattern: excelizePatterns[raw.Pattern]}
		if len(raw.Color) > 0 && raw.Color[0] != "" && f.Pattern != "none" {
			f.FG = ooxml.RGB(rgb6(raw.Color[0]))
		}
		return f, nil
	case "gradient":
		// A gradient excelize described by its colours only: the cell
		// loses our colour, not the gradient's exact shading.
		return ooxml.Fill{Pattern: "none"}, nil
	}
	return ooxml.Fill{}, fmt.Errorf("fill type %q", raw.Type)
}

// rgb6 drops the alpha of an 8-digit ARGB colour: excelize recorded
// openpyxl's "00FF0000" as it read it.
func rgb6(c string) string {
	c = strings.TrimPrefix(c, "#")
	if len(c) == 8 {
		return c[2:]
	}
	return c
}

// isOurFill reports whether a fill is one Annotate sets.
func isOurFill(fl ooxml.Fill) bool {
	if fl.Pattern != "solid" || fl.FG.Kind != ooxml.ColorRGB {
		return false
	}
	c := fl.FG.Hex()
	for _, x := range severityFill {
		if c == x {
			return true
		}
	}
	return false
}

// builtinCodes are the codes of the built-in number formats a look names
// by number (numFmtID).
var builtinCodes = map[int]string{numFmtPoints: "#,##0.00"}

// lookStyle is a look as an ooxml format: what styleSet makes with
// excelize, property for property.
func lookStyle(l look) ooxml.Style {
	size := l.size
	if size == 0 {
		size = 12
	}
	s := ooxml.Style{
		Font:       &ooxml.Font{Name: fontName, Size: size, Bold: l.bold, Italic: l.italic, Color: l.color},
		Protection: &ooxml.Protection{Locked: !l.unlocked},
		NumFmt:     l.numFmt,
	}
	if code, ok := builtinCodes[l.numFmtID]; ok && l.numFmtID != 0 {
		s.NumFmt = code // ooxml writes a built-in format's code as its number
	}
	if l.h != "" || l.v != "" || l.wrap || l.indent != 0 {
		s.Alignment = &ooxml.Alignment{Horizontal: l.h, Vertical: l.v, Wrap: l.wrap, Indent: l.indent}
	}
	if l.fill != "" {
		f := ooxml.SolidFill(l.fill)
		s.Fill = &f
	}
	if l.border {
		line := ooxml.BorderLine{Style: "thin", Color: colorBorder}
		s.Border = &ooxml.Border{Left: line, Right: line, Top: line, Bottom: line}
	}
	return s
}
