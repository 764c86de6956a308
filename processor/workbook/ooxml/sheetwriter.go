package ooxml

import (
	"bufio"
	"fmt"
	"slices"
	"strconv"
)

// SheetWriter builds a new worksheet for [Patch.AddSheet]. Rows are
// serialised as they are written (in ascending order); widths, merges,
// panes and print settings may be set at any time before the patch is
// written.
type SheetWriter struct {
	rows       []byte
	lastRow    int
	used       Range // of the cells written
	cols       []colSet
	merges     []Range
	mergeRows  map[int][]int // row → the merges over it, to find overlaps
	links      []link
	freezeCols int
	freezeRows int
	page       *PageSetup
	titleFrom  int
	titleTo    int
	filter     Range
	protect    bool
	defHeight  float64
	breaks     []int // manual page breaks, after these rows
}

// CellValue is a cell of a row written by a SheetWriter.
type CellValue struct {
	Col   int // 1-based
	Value Value
	Style int // cell format index (from Patch.AddStyle), 0 for the default
}

// PageSetup is the print setup of a new sheet: A4 (paper size 9), in
// portrait or landscape, fitted to one page wide when FitToWidth (and then
// to FitToHeight pages tall; 0: as many as it takes).
type PageSetup struct {
	Landscape   bool
	FitToWidth  bool
	FitToHeight int
	// CenterHorizontally centres the printed area between the side margins.
	CenterHorizontally bool
	// Margins in inches; zero values take 0.5 left/right, 0.6 top/bottom.
	Left, Right, Top, Bottom float64
	// Footer, when not empty, is the page footer in Excel's header/footer
	// codes, e.g. "&CTrang &P / &N".
	Footer string
}

type link struct {
	col, row          int
	location, tooltip string
}

// NewSheetWriter returns an empty sheet.
func NewSheetWriter() *SheetWriter { return &SheetWriter{defHeight: 15} }

// WriteRow writes one row: row numbers must increase from call to call,
// and cells be in increasing column order. height is the row's height in
// points, 0 for the default.
func (w *SheetWriter) WriteRow(row int, height float64, cells ...CellValue) error {
	if row <= w.lastRow || row > maxRow {
		return fmt.Errorf("ooxml: row %d written after row %d", row, w.lastRow)
	}
	if height < 0 || height > 409 {
		return fmt.Errorf("ooxml: invalid row height %g", height)
	}
	prev := 0
	for _, c := range cells {
		if c.Col <= prev || c.Col > maxCol {
			return fmt.Errorf("ooxml: row %d: column %d out of order", row, c.Col)
		}
		if err := c.Value.check(); err != nil {
			return err
		}
		if c.Style < 0 {
			return fmt.Errorf("ooxml: invalid style %d", c.Style)
		}
		prev = c.Col
	}
	w.lastRow = row
	if w.rows == nil {
		w.rows = make([]byte, 0, 16<<10) // a result sheet's rows: one allocation, not a dozen
	}
	b := append(w.rows, `<row r="`...)
	b = strconv.AppendInt(b, int64(row), 10)
	b = append(b, '"')
	if height > 0 {
		b = append(b, ` ht="`...)
		b = appendFloat(b, height)
		b = append(b, `" customHeight="1"`...)
	}
	if len(cells) == 0 {
		w.rows = append(b, "/>"...)
		return nil
	}
	b = append(b, '>')
	for _, c := range cells {
		b = appendCell(b, "", c.Col, row, c.Value, c.Style)
		w.grow(c.Col, row)
	}
	w.rows = append(b, "</row>"...)
	return nil
}

func (w *SheetWriter) grow(col, row int) {
	if w.used == (Range{}) {
		w.used = Range{col, row, col, row}
		return
	}
	w.used.Col1, w.used.Row1 = min(w.used.Col1, col), min(w.used.Row1, row)
	w.used.Col2, w.used.Row2 = max(w.used.Col2, col), max(w.used.Row2, row)
}

// SetColWidth sets the width of columns min..max in characters.
func (w *SheetWriter) SetColWidth(min, max int, width float64) error {
	if min < 1 || max < min || max > maxCol || !(width >= 0 && width <= 255) {
		return fmt.Errorf("ooxml: invalid column width %d:%d %g", min, max, width)
	}
	var els []colEl
	for _, c := range w.cols {
		els = append(els, colEl{min: c.min, max: c.max, width: c.width, setWidth: true})
	}
	els = applyColWidth(els, colSet{min, max, width})
	w.cols = w.cols[:0]
	for _, e := range els {
		w.cols = append(w.cols, colSet{e.min, e.max, e.width})
	}
	return nil
}

// Merge merges a range of cells; ranges may not overlap.
func (w *SheetWriter) Merge(r Range) error {
	if !validCoords(r.Col1, r.Row1) || !validCoords(r.Col2, r.Row2) || r.Col2 < r.Col1 || r.Row2 < r.Row1 {
		return fmt.Errorf("ooxml: invalid merged range %v", r)
	}
	if r.Col1 == r.Col2 && r.Row1 == r.Row2 {
		return nil
	}
	if w.mergeRows == nil {
		w.mergeRows = map[int][]int{}
	}
	for row := r.Row1; row <= r.Row2; row++ {
		for _, i := range w.mergeRows[row] {
			if m := w.merges[i]; r.Col1 <= m.Col2 && m.Col1 <= r.Col2 {
				return fmt.Errorf("ooxml: merged range %s overlaps %s", r, m)
			}
		}
	}
	for row := r.Row1; row <= r.Row2; row++ {
		w.mergeRows[row] = append(w.mergeRows[row], len(w.merges))
	}
	w.merges = append(w.merges, r)
	return nil
}

// Freeze freezes the first cols columns and rows rows (0, 0: none).
func (w *SheetWriter) Freeze(cols, rows int) {
	w.freezeCols, w.freezeRows = max(0, min(cols, maxCol-1)), max(0, min(rows, maxRow-1))
}

// SetPageSetup sets A4 paper, orientation, fit to width and margins.
func (w *SheetWriter) SetPageSetup(ps PageSetup) { w.page = &ps }

// AddRowBreak starts a new printed page after row (a manual page break).
func (w *SheetWriter) AddRowBreak(row int) error {
	if row < 1 || row >= maxRow {
		return fmt.Errorf("ooxml: invalid page break after row %d", row)
	}
	i, found := slices.BinarySearch(w.breaks, row)
	if !found {
		w.breaks = slices.Insert(w.breaks, i, row)
	}
	return nil
}

// SetPrintTitles repeats rows first..last at the top of every printed
// page.
func (w *SheetWriter) SetPrintTitles(first, last int) error {
	if first < 1 || last < first || last > maxRow {
		return fmt.Errorf("ooxml: invalid print titles %d:%d", first, last)
	}
	w.titleFrom, w.titleTo = first, last
	return nil
}

// SetAutoFilter puts filter buttons on the first row of r.
func (w *SheetWriter) SetAutoFilter(r Range) error {
	if !validCoords(r.Col1, r.Row1) || !validCoords(r.Col2, r.Row2) {
		return fmt.Errorf("ooxml: invalid filter range %v", r)
	}
	w.filter = r
	return nil
}

// Protect protects the sheet without a password: locked cells cannot be
// edited until Review > Unprotect Sheet.
func (w *SheetWriter) Protect() { w.protect = true }

// AddLink makes a cell a link to a place in the workbook, e.g.
// "'Chỉ số'!E12" (a location, not a formula, not an external address).
func (w *SheetWriter) AddLink(col, row int, location, tooltip string) error {
	if !validCoords(col, row) {
		return ErrRef
	}
	w.links = append(w.links, link{col, row, location, tooltip})
	return nil
}

// write serialises the sheet.
func (w *SheetWriter) write(out *bufio.Writer, selected bool) error {
	b := append([]byte(nil), xmlHeader...)
	b = append(b, `<worksheet xmlns="`+nsMain+`" xmlns:r="`+nsRel+`">`...)
	if w.page != nil && w.page.FitToWidth {
		b = append(b, `<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>`...)
	}
	dim := w.used
	if dim == (Range{}) {
		dim = Range{1, 1, 1, 1}
	}
	b = append(b, `<dimension ref="`...)
	b = append(b, dim.String()...)
	b = append(b, `"/><sheetViews><sheetView`...)
	if selected {
		b = append(b, ` tabSelected="1"`...)
	}
	b = append(b, ` workbookViewId="0"`...)
	if w.freezeCols == 0 && w.freezeRows == 0 {
		b = append(b, "/>"...)
	} else {
		top := CellRef(w.freezeCols+1, w.freezeRows+1)
		pane := "bottomRight"
		switch {
		case w.freezeCols == 0:
			pane = "bottomLeft"
		case w.freezeRows == 0:
			pane = "topRight"
		}
		b = append(b, "><pane"...)
		if w.freezeCols > 0 {
			b = attr(b, "xSplit", strconv.Itoa(w.freezeCols))
		}
		if w.freezeRows > 0 {
			b = attr(b, "ySplit", strconv.Itoa(w.freezeRows))
		}
		b = attr(b, "topLeftCell", top)
		b = attr(b, "activePane", pane)
		b = append(b, ` state="frozen"/><selection`...)
		b = attr(b, "pane", pane)
		b = attr(b, "activeCell", top)
		b = attr(b, "sqref", top)
		b = append(b, "/></sheetView>"...)
	}
	b = append(b, `</sheetViews><sheetFormatPr defaultRowHeight="15"/>`...)
	if len(w.cols) > 0 {
		b = append(b, "<cols>"...)
		for _, c := range w.cols {
			b = fmt.Appendf(b, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, c.min, c.max, appendFloat(nil, c.width))
		}
		b = append(b, "</cols>"...)
	}
	b = append(b, "<sheetData>"...)
	if _, err := out.Write(b); err != nil {
		return err
	}
	if _, err := out.Write(w.rows); err != nil {
		return err
	}
	b = append(b[:0], "</sheetData>"...)
	if w.protect {
		b = append(b, `<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0" autoFilter="0"/>`...)
	}
	if w.filter != (Range{}) {
		b = append(b, `<autoFilter ref="`...)
		b = append(b, w.filter.String()...)
		b = append(b, `"/>`...)
	}
	if len(w.merges) > 0 {
		b = fmt.Appendf(b, `<mergeCells count="%d">`, len(w.merges))
		for _, m := range w.merges {
			b = append(b, `<mergeCell ref="`...)
			b = append(b, m.String()...)
			b = append(b, `"/>`...)
		}
		b = append(b, "</mergeCells>"...)
	}
	if len(w.links) > 0 {
		b = append(b, "<hyperlinks>"...)
		for _, l := range w.links {
			b = append(b, "<hyperlink"...)
			b = attr(b, "ref", CellRef(l.col, l.row))
			b = attr(b, "location", l.location)
			b = attr(b, "tooltip", l.tooltip)
			b = append(b, "/>"...)
		}
		b = append(b, "</hyperlinks>"...)
	}
	if ps := w.page; ps != nil {
		if ps.CenterHorizontally {
			b = append(b, `<printOptions horizontalCentered="1"/>`...)
		}
		m := func(v, d float64) string {
			if v <= 0 {
				v = d
			}
			return string(appendFloat(nil, v))
		}
		b = fmt.Appendf(b, `<pageMargins left="%s" right="%s" top="%s" bottom="%s" header="0.3" footer="0.3"/>`,
			m(ps.Left, 0.5), m(ps.Right, 0.5), m(ps.Top, 0.6), m(ps.Bottom, 0.6))
		orient := "portrait"
		if ps.Landscape {
			orient = "landscape"
		}
		b = append(b, `<pageSetup paperSize="9" orientation="`+orient+`"`...)
		if ps.FitToWidth {
			b = fmt.Appendf(b, ` fitToWidth="1" fitToHeight="%d"`, max(0, ps.FitToHeight))
		}
		b = append(b, "/>"...)
		if ps.Footer != "" {
			b = append(b, "<headerFooter><oddFooter>"...)
			b = appendEscaped(b, ps.Footer)
			b = append(b, "</oddFooter></headerFooter>"...)
		}
	}
	if len(w.breaks) > 0 {
		b = fmt.Appendf(b, `<rowBreaks count="%d" manualBreakCount="%d">`, len(w.breaks), len(w.breaks))
		for _, r := range w.breaks {
			b = fmt.Appendf(b, `<brk id="%d" max="%d" man="1"/>`, r, maxCol-1)
		}
		b = append(b, "</rowBreaks>"...)
	}
	b = append(b, "</worksheet>"...)
	_, err := out.Write(b)
	return err
}
