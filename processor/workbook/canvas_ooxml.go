package workbook

import (
	"fmt"
	"sort"
	"strings"

	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// patchCanvas is the annotator's canvas on ooxml's patcher: reads come
// from the sheets the submission reading already parsed (each sheet is
// parsed once), writes go to an ooxml.Patch, whose Write copies every part
// it does not change as it is and re-streams only the changed ones. What
// the annotator reads after writing (a format it changed, comments it
// rewrote) is read from what it wrote.
type patchCanvas struct {
	src    *bookSource
	b      *ooxml.Book
	p      *ooxml.Patch
	order  []string // the sheets as they stand
	st     *ooxml.Styles
	fills  map[int]ooxml.Fill // of the formats added
	edits  map[string]map[uint64]pending
	notes  map[string][]ooxml.Comment // comments read or set, by sheet
	added  map[string]bool            // sheets added: written, not read
	titles map[string]ooxml.PrintTitles
}

// pending is a cell written and not yet saved.
type pending struct {
	v        cellValue
	setValue bool
	style    int // -1: unchanged
}

func newPatchCanvas(src *bookSource) *patchCanvas {
	c := &patchCanvas{src: src, b: src.b, p: src.b.Patch(), fills: map[int]ooxml.Fill{},
		edits: map[string]map[uint64]pending{}, notes: map[string][]ooxml.Comment{}, added: map[string]bool{},
		titles: map[string]ooxml.PrintTitles{}}
	for _, s := range src.b.Sheets() {
		c.order = append(c.order, s.Name)
	}
	return c
}

func key(col, row int) uint64 { return uint64(row)<<16 | uint64(col) }

// name returns the sheet's name as the workbook spells it (Excel compares
// names ignoring case), "" when there is none.
func (c *patchCanvas) name(sheet string) string {
	for _, n := range c.order {
		if n == sheet {
			return n
		}
	}
	for _, n := range c.order {
		if strings.EqualFold(n, sheet) {
			return n
		}
	}
	return ""
}

func (c *patchCanvas) sheets() []string { return append([]string(nil), c.order...) }

func (c *patchCanvas) hasSheet(name string) bool { return c.name(name) != "" }

// parsed returns a sheet of the original workbook as read.
func (c *patchCanvas) parsed(sheet string) (*ooxml.Sheet, error) {
	n := c.name(sheet)
	if n == "" || c.added[n] {
		return nil, fmt.Errorf("%w: %q", ooxml.ErrNoSheet, sheet)
	}
	bs, err := c.src.read(n)
	if err != nil {
		return nil, err
	}
	return bs.s, nil
}

func (c *patchCanvas) value(sheet string, col, row int) string {
	if e, ok := c.edits[c.name(sheet)][key(col, row)]; ok && e.setValue {
		return e.v.raw()
	}
	sh, err := c.parsed(sheet)
	if err != nil {
		return ""
	}
	return sh.Value(col, row)
}

func (c *patchCanvas) rows(sheet string) [][]string {
	n := c.name(sheet)
	if n == "" || c.added[n] {
		return nil
	}
	bs, err := c.src.read(n)
	if err != nil {
		return nil
	}
	return bs.rows()
}

// style is the cell's own format, else its row's (a row with its own
// format), else its column's, as Excel shows an empty cell.
func (c *patchCanvas) style(sheet string, col, row int) (int, error) {
	if e, ok := c.edits[c.name(sheet)][key(col, row)]; ok && e.style >= 0 {
		return e.style, nil
	}
	sh, err := c.parsed(sheet)
	if err != nil {
		return 0, err
	}
	if cl := sh.Cell(col, row); cl != nil {
		return cl.Style, nil
	}
	i := sort.Search(len(sh.Rows), func(i int) bool { return sh.Rows[i].Row >= row })
	if i < len(sh.Rows) && sh.Rows[i].Row == row && sh.Rows[i].CustomFormat {
		return sh.Rows[i].Style, nil
	}
	for _, cl := range sh.Cols {
		if col >= cl.Min && col <= cl.Max {
			return cl.Style, nil
		}
	}
	return 0, nil
}

func (c *patchCanvas) colWidth(sheet string, col int) float64 {
	sh, err := c.parsed(sheet)
	if err != nil {
		return defaultColWidth
	}
	for _, cl := range sh.Cols {
		if col >= cl.Min && col <= cl.Max {
			switch {
			case cl.Hidden:
				return 0
			case cl.Width > 0:
				return cl.Width
			}
			break
		}
	}
	return defaultColWidth
}

func (c *patchCanvas) textFormat(style int) ooxml.TextFormat {
	tf, err := c.p.TextFormat(style)
	if err != nil {
		return ooxml.TextFormat{Size: 11}
	}
	return tf
}

func (c *patchCanvas) merges(sheet string) []ooxml.Range {
	sh, err := c.parsed(sheet)
	if err != nil {
		return nil
	}
	return sh.Merged
}

func (c *patchCanvas) comments(sheet string) ([]ooxml.Comment, error) {
	n := c.name(sheet)
	if n == "" || c.added[n] {
		return nil, fmt.Errorf("%w: %q", ooxml.ErrNoSheet, sheet)
	}
	if cs, ok := c.notes[n]; ok {
		return append([]ooxml.Comment(nil), cs...), nil
	}
	cs, err := c.b.Comments(n)
	if err != nil {
		return nil, err
	}
	c.notes[n] = cs
	return append([]ooxml.Comment(nil), cs...), nil
}

func (c *patchCanvas) styles() (*ooxml.Styles, error) {
	if c.st == nil {
		st, err := c.p.Styles()
		if err != nil {
			return nil, err
		}
		c.st = st
	}
	return c.st, nil
}

func (c *patchCanvas) fill(style int) (ooxml.Fill, error) {
	if f, ok := c.fills[style]; ok {
		return f, nil
	}
	st, err := c.styles()
	if err != nil {
		return ooxml.Fill{}, err
	}
	return st.Fill(style), nil
}

func (c *patchCanvas) definedNames() []namedRef { return c.src.definedNames() }

func (c *patchCanvas) removeSheet(name string) error {
	n := c.name(name)
	if err := c.p.RemoveSheet(n); err != nil {
		return err
	}
	for i, s := range c.order {
		if s == n {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
	delete(c.edits, n)
	delete(c.notes, n)
	delete(c.added, n)
	delete(c.titles, n)
	return nil
}

func (c *patchCanvas) addSheet(name string, first bool, s *sheetBuild) error {
	w := ooxml.NewSheetWriter()
	for _, wd := range s.sortedWidths() {
		if err := w.SetColWidth(int(wd[0]), int(wd[0]), wd[1]); err != nil {
			return err
		}
	}
	for _, r := range s.sorted() {
		cells := make([]ooxml.CellValue, len(r.cells))
		for i, cl := range r.cells {
			cells[i] = ooxml.CellValue{Col: cl.col, Value: ooxmlValue(cl.v), Style: cl.style}
		}
		if err := w.WriteRow(r.row, r.height, cells...); err != nil {
			return err
		}
	}
	for _, m := range s.merges {
		if err := w.Merge(m); err != nil {
			return err
		}
	}
	for _, l := range s.links {
		if err := w.AddLink(l.col, l.row, l.location, ""); err != nil {
			return err
		}
	}
	if s.freezeRows > 0 {
		w.Freeze(0, s.freezeRows)
	}
	if s.page != nil {
		w.SetPageSetup(*s.page)
	}
	if s.titleFrom > 0 {
		if err := w.SetPrintTitles(s.titleFrom, s.titleTo); err != nil {
			return err
		}
	}
	pos := len(c.order)
	if first {
		pos = 0
	}
	if err := c.p.AddSheet(name, pos, w); err != nil {
		return err
	}
	c.order = append(c.order, "")
	copy(c.order[pos+1:], c.order[pos:])
	c.order[pos] = name
	c.added[name] = true
	return nil
}

func (c *patchCanvas) edit(sheet string, col, row int) (string, pending) {
	n := c.name(sheet)
	e, ok := c.edits[n][key(col, row)]
	if !ok {
		e.style = -1
	}
	return n, e
}

func (c *patchCanvas) put(n string, col, row int, e pending) {
	if c.edits[n] == nil {
		c.edits[n] = map[uint64]pending{}
	}
	c.edits[n][key(col, row)] = e
}

func (c *patchCanvas) setCell(sheet string, col, row int, v cellValue, style int) error {
	n, e := c.edit(sheet, col, row)
	if err := c.p.SetValue(n, col, row, ooxmlValue(v)); err != nil {
		return err
	}
	e.v, e.setValue = v, true
	if style >= 0 {
		if err := c.p.SetStyle(n, col, row, style); err != nil {
			return err
		}
		e.style = style
	}
	c.put(n, col, row, e)
	return nil
}

func (c *patchCanvas) setStyle(sheet string, col, row int, style int) error {
	n, e := c.edit(sheet, col, row)
	if err := c.p.SetStyle(n, col, row, style); err != nil {
		return err
	}
	e.style = style
	c.put(n, col, row, e)
	return nil
}

func (c *patchCanvas) setColWidth(sheet string, col int, width float64) error {
	return c.p.SetColWidth(c.name(sheet), col, col, width)
}

func (c *patchCanvas) growRow(sheet string, row int, height float64) error {
	return c.p.GrowRowHeight(c.name(sheet), row, height)
}

func (c *patchCanvas) deriveFill(style int, f ooxml.Fill) (int, error) {
	id, err := c.p.DeriveFill(style, f)
	if err == nil {
		c.fills[id] = f
	}
	return id, err
}

func (c *patchCanvas) addStyle(l look) (int, error) {
	s := lookStyle(l)
	id, err := c.p.AddStyle(s)
	if err == nil {
		f := ooxml.Fill{Pattern: "none"}
		if s.Fill != nil {
			f = *s.Fill
		}
		c.fills[id] = f
	}
	return id, err
}

func (c *patchCanvas) setComments(sheet string, cs []ooxml.Comment) error {
	n := c.name(sheet)
	if err := c.p.SetComments(n, cs); err != nil {
		return err
	}
	c.notes[n] = append([]ooxml.Comment(nil), cs...)
	return nil
}

func (c *patchCanvas) hideVery(sheet string) error {
	return c.p.SetSheetState(c.name(sheet), ooxml.VeryHidden)
}

func (c *patchCanvas) activate(sheet string) error { return c.p.SetActiveSheet(c.name(sheet)) }

func (c *patchCanvas) printTitles(sheet string) ooxml.PrintTitles {
	n := c.name(sheet)
	if t, ok := c.titles[n]; ok {
		return t
	}
	if n == "" || c.added[n] {
		return ooxml.PrintTitles{}
	}
	return c.b.PrintTitles(n)
}

func (c *patchCanvas) setPrintTitles(sheet string, t ooxml.PrintTitles) error {
	n := c.name(sheet)
	if err := c.p.SetPrintTitles(n, t); err != nil {
		return err
	}
	c.titles[n] = t
	return nil
}

func (c *patchCanvas) setPageLayout(sheet string, pl ooxml.PageLayout) error {
	return c.p.SetPageLayout(c.name(sheet), pl)
}

func (c *patchCanvas) setColBreak(sheet string, col int) error {
	return c.p.AddColBreak(c.name(sheet), col)
}
