package ooxml

import (
	"archive/zip"
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"slices"
	"sort"
	"strconv"
	"time"

	"github.com/klauspost/compress/flate"
)

// SheetWriter builds a new worksheet for [Patch.AddSheet]. Rows are
// serialised as they are written (in ascending order) and compressed as
// they come, so a sheet of a hundred thousand rows costs its compressed
// size in memory; they are copied into the workbook as they are,
// compressed bytes included. Widths, merges, panes, print settings,
// comments, drawings and validations may be set at any time before the
// patch is written; rows may not be written after it.
type SheetWriter struct {
	buf        []byte // rows serialised, not compressed yet
	z          *flate.Writer
	zrows      blocks // rows compressed: deflate blocks, sync-flushed, no final block
	crc        uint32 // of the rows, uncompressed
	size       int64  // bytes of the rows, uncompressed
	sealed     bool
	lastRow    int
	used       Range // of the cells written
	cols       []colSet
	merges     []Range
	mergeTall  int // the most rows a merge spans, less one
	links      []link
	freezeCols int
	freezeRows int
	page       *PageSetup
	titleFrom  int
	titleTo    int
	titleCol1  int
	titleCol2  int
	printArea  []Range
	rowBreaks  []int
	colBreaks  []int
	noGrid     bool
	filter     Range
	protect    bool
	defHeight  float64
	comments   []Comment
	charts     []Chart
	lines      []Line
	checks     []Validation
}

// CellValue is a cell of a row written by a SheetWriter.
type CellValue struct {
	Col   int // 1-based
	Value Value
	Style int // cell format index (from Patch.AddStyle), 0 for the default
}

// PageSetup is the print setup of a new sheet: A4 (paper size 9), in
// portrait or landscape, fitted to one page wide when FitToWidth (and then
// to FitToHeight pages tall; 0: as many as it takes), else printed at Scale
// per cent.
type PageSetup struct {
	Landscape   bool
	FitToWidth  bool
	FitToHeight int
	// Scale is the print scale in per cent, 10 to 400 (0: 100), when not
	// FitToWidth.
	Scale int
	// OverThenDown prints the pages of a sheet wider than a page row band
	// by row band (across, then down) instead of column band by column
	// band (Excel's default).
	OverThenDown bool
	// CenterHorizontally centres the printed area between the side margins.
	CenterHorizontally bool
	// Margins in inches; zero values take 0.5 left/right, 0.6 top/bottom.
	Left, Right, Top, Bottom float64
	// Header and Footer, when not empty, are the page header and footer in
	// Excel's header/footer codes, e.g. "&CTrang &P / &N".
	Header, Footer string
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
	if w.sealed {
		return fmt.Errorf("ooxml: row %d written after the sheet was written", row)
	}
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
	if w.buf == nil {
		w.buf = make([]byte, 0, 16<<10) // a result sheet's rows: one allocation, not a dozen
	}
	b := append(w.buf, `<row r="`...)
	b = strconv.AppendInt(b, int64(row), 10)
	b = append(b, '"')
	if height > 0 {
		b = append(b, ` ht="`...)
		b = appendFloat(b, height)
		b = append(b, `" customHeight="1"`...)
	}
	if len(cells) == 0 {
		w.buf = append(b, "/>"...)
		return w.compress(false)
	}
	b = append(b, '>')
	for _, c := range cells {
		b = appendCell(b, "", c.Col, row, c.Value, c.Style)
		w.grow(c.Col, row)
	}
	w.buf = append(b, "</row>"...)
	return w.compress(false)
}

// rowChunk is how many serialised bytes are compressed at a time.
const rowChunk = 64 << 10

// compress moves the serialised rows into the compressed buffer, when
// there are enough of them or at the end (sync-flushed, without a final
// block: the sheet's end follows at Write).
func (w *SheetWriter) compress(end bool) error {
	if len(w.buf) < rowChunk && !end {
		return nil
	}
	if len(w.buf) > 0 {
		if w.z == nil {
			w.z = getFlate(&w.zrows)
		}
		w.crc = crc32.Update(w.crc, crc32.IEEETable, w.buf)
		w.size += int64(len(w.buf))
		if _, err := w.z.Write(w.buf); err != nil {
			return err
		}
		w.buf = w.buf[:0]
	}
	if end && w.z != nil {
		err := w.z.Flush()
		putFlate(w.z)
		w.z = nil
		return err
	}
	return nil
}

// End finishes the rows: no row may be written after it, and the
// compressor the sheet holds goes back to the pool. Writing the patch ends
// every new sheet; a caller building many large sheets ends each when it
// is done, so that they do not hold a compressor each.
func (w *SheetWriter) End() error {
	if w.sealed {
		return nil
	}
	w.sealed = true
	err := w.compress(true)
	w.buf = nil
	return err
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
	// An overlapping merge begins at most mergeTall rows above r: the
	// merges are kept in order of their first row, and only those of the
	// rows nearby are looked at (a province's scorecards make 80,000).
	end := sort.Search(len(w.merges), func(k int) bool { return w.merges[k].Row1 > r.Row2 })
	for k := end - 1; k >= 0 && w.merges[k].Row1 >= r.Row1-w.mergeTall; k-- {
		if m := w.merges[k]; r.Col1 <= m.Col2 && m.Col1 <= r.Col2 && r.Row1 <= m.Row2 && m.Row1 <= r.Row2 {
			return fmt.Errorf("ooxml: merged range %s overlaps %s", r, m)
		}
	}
	at := sort.Search(len(w.merges), func(k int) bool { return w.merges[k].Row1 > r.Row1 })
	w.merges = slices.Insert(w.merges, at, r)
	w.mergeTall = max(w.mergeTall, r.Row2-r.Row1)
	return nil
}

// Freeze freezes the first cols columns and rows rows (0, 0: none).
func (w *SheetWriter) Freeze(cols, rows int) {
	w.freezeCols, w.freezeRows = max(0, min(cols, maxCol-1)), max(0, min(rows, maxRow-1))
}

// SetPageSetup sets A4 paper, orientation, fit to width or scale, page
// order, margins, header and footer.
func (w *SheetWriter) SetPageSetup(ps PageSetup) { w.page = &ps }

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

// sheetRels are the relationship ids of a new sheet's drawing and legacy
// drawing (comments), "" for none.
type sheetRels struct {
	drawing, legacy string
}

// head is the sheet's XML up to and including <sheetData>.
func (w *SheetWriter) head(selected bool) []byte {
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
	if w.noGrid {
		b = append(b, ` showGridLines="0"`...)
	}
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
	return append(b, "<sheetData>"...)
}

// tail is the sheet's XML from </sheetData> to the end, in the order the
// schema requires.
func (w *SheetWriter) tail(rels sheetRels) []byte {
	b := append([]byte(nil), "</sheetData>"...)
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
	b = w.appendValidations(b)
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
		b = append(b, `<pageSetup paperSize="9"`...)
		if !ps.FitToWidth && ps.Scale > 0 && ps.Scale != 100 {
			b = attr(b, "scale", strconv.Itoa(min(max(ps.Scale, 10), 400)))
		}
		if ps.FitToWidth {
			b = fmt.Appendf(b, ` fitToWidth="1" fitToHeight="%d"`, max(0, ps.FitToHeight))
		}
		if ps.OverThenDown {
			b = append(b, ` pageOrder="overThenDown"`...)
		}
		b = append(b, ` orientation="`+orient+`"/>`...)
		if ps.Header != "" || ps.Footer != "" {
			b = append(b, "<headerFooter>"...)
			if ps.Header != "" {
				b = appendTextElem(b, "oddHeader", ps.Header)
			}
			if ps.Footer != "" {
				b = appendTextElem(b, "oddFooter", ps.Footer)
			}
			b = append(b, "</headerFooter>"...)
		}
	}
	b = appendBreaks(b, "rowBreaks", w.rowBreaks, maxCol-1)
	b = appendBreaks(b, "colBreaks", w.colBreaks, maxRow-1)
	if rels.drawing != "" {
		b = append(b, "<drawing"...)
		b = attr(b, "r:id", rels.drawing)
		b = append(b, "/>"...)
	}
	if rels.legacy != "" {
		b = append(b, "<legacyDrawing"...)
		b = attr(b, "r:id", rels.legacy)
		b = append(b, "/>"...)
	}
	return append(b, "</worksheet>"...)
}

func appendBreaks(b []byte, elem string, at []int, maxOther int) []byte {
	if len(at) == 0 {
		return b
	}
	b = fmt.Appendf(b, `<%s count="%d" manualBreakCount="%d">`, elem, len(at), len(at))
	for _, n := range at {
		b = fmt.Appendf(b, `<brk id="%d" max="%d" man="1"/>`, n, maxOther)
	}
	return fmt.Appendf(b, "</%s>", elem)
}

// writeRaw writes the sheet as an entry of zw: its head and tail are
// compressed now, the rows were compressed as they came; the three
// pieces of deflate data are joined as they are (the first two end on a
// sync flush) and their checksums combined.
func (w *SheetWriter) writeRaw(zw *zip.Writer, name string, modified time.Time, selected bool, rels sheetRels) error {
	if err := w.End(); err != nil {
		return err
	}
	head, tail := w.head(selected), w.tail(rels)
	zhead, err := deflateBytes(head, false)
	if err != nil {
		return err
	}
	ztail, err := deflateBytes(tail, true)
	if err != nil {
		return err
	}
	crc := crc32.ChecksumIEEE(head)
	crc = crc32Combine(crc, w.crc, w.size)
	crc = crc32Combine(crc, crc32.ChecksumIEEE(tail), int64(len(tail)))
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc,
		CompressedSize64:   uint64(len(zhead) + w.zrows.Len() + len(ztail)),
		UncompressedSize64: uint64(int64(len(head)) + w.size + int64(len(tail)))}
	if !modified.IsZero() {
		fh.SetModTime(modified) //nolint:staticcheck // CreateRaw does not convert Modified itself
	}
	dst, err := zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	if _, err := dst.Write(zhead); err != nil {
		return err
	}
	for _, b := range w.zrows.list {
		if _, err := dst.Write(b); err != nil {
			return err
		}
	}
	_, err = dst.Write(ztail)
	return err
}

// blocks is a buffer kept as a list of blocks: it grows without copying
// what it holds (a national sheet's compressed rows are tens of megabytes,
// which a doubling buffer would hold twice while it grows).
type blocks struct {
	list [][]byte
	n    int
}

const blockSize = 256 << 10

func (b *blocks) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if len(b.list) == 0 || len(b.list[len(b.list)-1]) == blockSize {
			b.list = append(b.list, make([]byte, 0, blockSize))
		}
		last := &b.list[len(b.list)-1]
		k := min(len(p), blockSize-len(*last))
		*last = append(*last, p[:k]...)
		p = p[k:]
	}
	b.n += n
	return n, nil
}

// Len is the number of bytes held.
func (b *blocks) Len() int { return b.n }

// deflateBytes compresses b at the fastest level: sync-flushed (more data
// follows) or closed with the final block.
func deflateBytes(b []byte, final bool) ([]byte, error) {
	var out bytes.Buffer
	z := getFlate(&out)
	defer putFlate(z)
	if _, err := z.Write(b); err != nil {
		return nil, err
	}
	var err error
	if final {
		err = z.Close()
	} else {
		err = z.Flush()
	}
	return out.Bytes(), err
}

// getFlate takes a BestSpeed compressor from the free list.
func getFlate(w io.Writer) *flate.Writer {
	select {
	case fw := <-freeFlate:
		fw.Reset(w)
		return fw
	default:
	}
	fw, _ := flate.NewWriter(w, flate.BestSpeed) // BestSpeed is a valid level
	return fw
}

func putFlate(fw *flate.Writer) {
	fw.Reset(nil)
	select {
	case freeFlate <- fw:
	default:
	}
}
