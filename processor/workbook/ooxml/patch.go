package ooxml

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"
)

// Patch collects changes to a workbook and writes the changed copy. Parts
// it does not change are copied as they are, compressed bytes included;
// parts it changes are re-streamed token by token with the original bytes
// copied verbatim except where an edit is spliced in. Nothing is written
// until Write; a Patch can be written more than once. It is not safe for
// concurrent use, and its Book must not be used concurrently with Write.
type Patch struct {
	b      *Book
	order  []*outSheet // the sheets of the result, in order
	edits  map[string]*sheetEdit
	titles map[*outSheet]PrintTitles // print titles set on existing sheets
	sb     *styleBuilder
	active *outSheet // nil: keep the workbook's active sheet
	sst    *sstBuilder
	// valuesChanged drops xl/calcChain.xml: a cell that held a formula
	// may hold a value now, and Excel rebuilds the chain when it is
	// missing (a stale one makes it "repair" the file).
	valuesChanged bool
}

// outSheet is one sheet of the result: an existing one (orig ≥ 0) or a
// new one (w != nil).
type outSheet struct {
	info  SheetInfo
	orig  int // index in the Book, -1 for a new sheet
	w     *SheetWriter
	state SheetState
}

// Patch starts a patch of the workbook.
func (b *Book) Patch() *Patch {
	p := &Patch{b: b, edits: map[string]*sheetEdit{}}
	for i, s := range b.sheets {
		p.order = append(p.order, &outSheet{info: s, orig: i, state: s.State})
	}
	return p
}

// sheetEdit holds the changes to one existing sheet.
type sheetEdit struct {
	cells    map[uint64]*cellEdit
	cols     []colSet
	heights  map[int]float64
	comments *[]Comment
	page     *PageLayout
	breaks   []int // manual page breaks after these columns
}

type cellEdit struct {
	row, col int
	setValue bool
	value    Value
	style    int // -1: keep
}

type colSet struct {
	min, max int
	width    float64
}

func cellKey(col, row int) uint64 { return uint64(row)<<16 | uint64(col) }

func (p *Patch) find(name string) (int, *outSheet) {
	for i, o := range p.order {
		if o.info.Name == name {
			return i, o
		}
	}
	for i, o := range p.order {
		if strings.EqualFold(o.info.Name, name) {
			return i, o
		}
	}
	return -1, nil
}

// edit returns the edits of an existing sheet.
func (p *Patch) edit(sheet string) (*sheetEdit, error) {
	_, o := p.find(sheet)
	if o == nil || o.orig < 0 || o.info.Part == "" || p.b.arc.file(o.info.Part) == nil {
		if o != nil && o.orig < 0 {
			return nil, fmt.Errorf("ooxml: sheet %q is new: write it with its SheetWriter", sheet)
		}
		return nil, fmt.Errorf("%w: %q", ErrNoSheet, sheet)
	}
	if o.info.Kind != "worksheet" {
		return nil, fmt.Errorf("ooxml: sheet %q is a %s, not a worksheet", sheet, o.info.Kind)
	}
	e := p.edits[o.info.Part]
	if e == nil {
		e = &sheetEdit{cells: map[uint64]*cellEdit{}, heights: map[int]float64{}}
		p.edits[o.info.Part] = e
	}
	return e, nil
}

func (e *sheetEdit) cell(col, row int) *cellEdit {
	k := cellKey(col, row)
	c := e.cells[k]
	if c == nil {
		c = &cellEdit{row: row, col: col, style: -1}
		e.cells[k] = c
	}
	return c
}

// SetValue sets the value of a cell of an existing sheet, creating the
// cell (and its row) when missing. The cell keeps its style; a formula it
// held is removed. Text is written as an inline string, never as a
// formula.
func (p *Patch) SetValue(sheet string, col, row int, v Value) error {
	if !validCoords(col, row) {
		return ErrRef
	}
	if err := v.check(); err != nil {
		return err
	}
	e, err := p.edit(sheet)
	if err != nil {
		return err
	}
	c := e.cell(col, row)
	c.setValue, c.value = true, v
	p.valuesChanged = true
	return nil
}

// SetStyle sets the style (cell format index) of a cell of an existing
// sheet, creating the cell when missing; its value is kept.
func (p *Patch) SetStyle(sheet string, col, row int, style int) error {
	if !validCoords(col, row) {
		return ErrRef
	}
	if style < 0 {
		return fmt.Errorf("ooxml: invalid style %d", style)
	}
	e, err := p.edit(sheet)
	if err != nil {
		return err
	}
	e.cell(col, row).style = style
	return nil
}

// SetCell sets both the value and the style of a cell.
func (p *Patch) SetCell(sheet string, col, row int, v Value, style int) error {
	if err := p.SetValue(sheet, col, row, v); err != nil {
		return err
	}
	return p.SetStyle(sheet, col, row, style)
}

// SetColWidth sets the width (in characters) of columns min..max of an
// existing sheet. Existing <col> ranges are split where they overlap, so
// that columns outside min..max keep their width and style.
func (p *Patch) SetColWidth(sheet string, min, max int, width float64) error {
	if min < 1 || max < min || max > maxCol || !(width >= 0 && width <= 255) {
		return fmt.Errorf("ooxml: invalid column width %d:%d %g", min, max, width)
	}
	e, err := p.edit(sheet)
	if err != nil {
		return err
	}
	e.cols = append(e.cols, colSet{min, max, width})
	return nil
}

// GrowRowHeight makes a row of an existing sheet at least height points
// tall; a taller row is left alone.
func (p *Patch) GrowRowHeight(sheet string, row int, height float64) error {
	if row < 1 || row > maxRow || !(height > 0 && height <= 409) {
		return fmt.Errorf("ooxml: invalid row height %d %g", row, height)
	}
	e, err := p.edit(sheet)
	if err != nil {
		return err
	}
	e.heights[row] = max(e.heights[row], height)
	return nil
}

// SetComments replaces all the comments of an existing sheet (read them
// with Book.Comments to keep some). The comments part, the legacy VML
// drawing Excel and LibreOffice show them with, the relationships, the
// content types and the sheet's <legacyDrawing> are written as needed; an
// empty list removes the sheet's comments. A cell has at most one
// comment. A VML drawing the sheet already had is replaced: shapes other
// than comments in it (old form controls) are lost.
func (p *Patch) SetComments(sheet string, cs []Comment) error {
	e, err := p.edit(sheet)
	if err != nil {
		return err
	}
	seen := make(map[uint64]bool, len(cs))
	for i := range cs {
		col, row, err := ParseRef(cs[i].Ref)
		if err != nil {
			return fmt.Errorf("ooxml: comment at %q: %w", cs[i].Ref, err)
		}
		if seen[cellKey(col, row)] {
			return fmt.Errorf("ooxml: two comments on cell %s (a cell has at most one)", cs[i].Ref)
		}
		seen[cellKey(col, row)] = true
	}
	cp := append([]Comment(nil), cs...)
	e.comments = &cp
	return nil
}

// SetPageLayout changes the print set-up of an existing sheet: the
// fields of pl that are set replace the sheet's (see [PageLayout]); a
// second call adds to the first. The elements are changed in place, or
// created where the schema puts them: <sheetPr><pageSetUpPr fitToPage>,
// <printOptions horizontalCentered>, <pageSetup>.
func (p *Patch) SetPageLayout(sheet string, pl PageLayout) error {
	if err := pl.check(); err != nil {
		return err
	}
	e, err := p.edit(sheet)
	if err != nil {
		return err
	}
	if e.page == nil {
		e.page = &PageLayout{}
	}
	*e.page = e.page.merge(pl)
	return nil
}

// AddColBreak starts a new printed page after column col of an existing
// sheet (a manual page break), keeping the breaks it has.
func (p *Patch) AddColBreak(sheet string, col int) error {
	if col < 1 || col >= maxCol {
		return fmt.Errorf("ooxml: invalid page break after column %d", col)
	}
	e, err := p.edit(sheet)
	if err != nil {
		return err
	}
	if !slices.Contains(e.breaks, col) {
		e.breaks = append(e.breaks, col)
		slices.Sort(e.breaks)
	}
	return nil
}

// SetPrintTitles sets the rows and columns an existing sheet prints on
// every page: its _xlnm.Print_Titles name is replaced (zero titles remove
// it). Read the current ones with [Book.PrintTitles] to keep some.
func (p *Patch) SetPrintTitles(sheet string, t PrintTitles) error {
	if err := t.check(); err != nil {
		return err
	}
	_, o := p.find(sheet)
	switch {
	case o == nil:
		return fmt.Errorf("%w: %q", ErrNoSheet, sheet)
	case o.orig < 0:
		return fmt.Errorf("ooxml: sheet %q is new: write it with its SheetWriter", sheet)
	}
	if p.titles == nil {
		p.titles = map[*outSheet]PrintTitles{}
	}
	p.titles[o] = t
	return nil
}

// Styles returns the workbook's existing cell formats.
func (p *Patch) Styles() (*Styles, error) { return p.b.Styles() }

// TextFormat is the text layout of cell format xf, one of the workbook's
// or one the patch added (AddStyle, DeriveFill).
func (p *Patch) TextFormat(xf int) (TextFormat, error) {
	if p.sb != nil {
		return p.sb.text(xf), nil
	}
	st, err := p.b.Styles()
	if err != nil {
		return TextFormat{}, err
	}
	return st.Text(xf), nil
}

func (p *Patch) builder() (*styleBuilder, error) {
	if p.sb == nil {
		st, err := p.b.Styles()
		if err != nil {
			return nil, err
		}
		p.sb = newStyleBuilder(st)
	}
	return p.sb, nil
}

// AddStyle appends a cell format (with its font, fill, border and number
// format) to xl/styles.xml and returns its index. Identical formats added
// twice share one index.
func (p *Patch) AddStyle(s Style) (int, error) {
	sb, err := p.builder()
	if err != nil {
		return 0, err
	}
	return sb.addStyle(s)
}

// DeriveFill returns a cell format equal to format xf (an existing or an
// added one) except for its fill. Deriving twice from the same format and
// fill gives the same index.
func (p *Patch) DeriveFill(xf int, f Fill) (int, error) {
	sb, err := p.builder()
	if err != nil {
		return 0, err
	}
	return sb.deriveFill(xf, f)
}

// AddSheet adds a new worksheet named name at position pos (0 = first;
// beyond the end = last), with the content of w. The name must be a valid
// Excel sheet name not used by another sheet.
func (p *Patch) AddSheet(name string, pos int, w *SheetWriter) error {
	if err := checkSheetName(name); err != nil {
		return err
	}
	if _, o := p.find(name); o != nil {
		return fmt.Errorf("ooxml: a sheet named %q exists", name)
	}
	if w == nil {
		w = NewSheetWriter()
	}
	o := &outSheet{info: SheetInfo{Name: name, Kind: "worksheet"}, orig: -1, w: w}
	pos = max(0, min(pos, len(p.order)))
	p.order = append(p.order, nil)
	copy(p.order[pos+1:], p.order[pos:])
	p.order[pos] = o
	return nil
}

// checkSheetName applies Excel's rules for sheet names.
func checkSheetName(name string) error {
	n := 0
	for _, r := range name {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	switch {
	case name == "" || n > 31:
		return fmt.Errorf("ooxml: sheet name %q: 1 to 31 characters", name)
	case strings.ContainsAny(name, `[]:*?/\`):
		return fmt.Errorf("ooxml: sheet name %q: none of []:*?/\\", name)
	case strings.HasPrefix(name, "'") || strings.HasSuffix(name, "'"):
		return fmt.Errorf("ooxml: sheet name %q: no apostrophe at either end", name)
	case strings.EqualFold(name, "History"):
		return fmt.Errorf("ooxml: sheet name %q is reserved", name)
	}
	for _, r := range name {
		if !isXMLChar(r) || r < 0x20 {
			return fmt.Errorf("ooxml: sheet name %q: invalid character", name)
		}
	}
	return nil
}

// RemoveSheet removes a sheet (an existing or an added one) with its
// part, its relationships and its comments and their drawing. Defined
// names scoped to it, and workbook names that refer to it, are removed;
// the indices of other sheet-scoped names follow the sheets.
func (p *Patch) RemoveSheet(name string) error {
	i, o := p.find(name)
	if o == nil {
		return fmt.Errorf("%w: %q", ErrNoSheet, name)
	}
	p.order = append(p.order[:i], p.order[i+1:]...)
	if o.orig >= 0 {
		delete(p.edits, o.info.Part)
		p.valuesChanged = true // the calculation chain may list its cells
	}
	if p.active == o {
		p.active = nil
	}
	return nil
}

// SetSheetState sets a sheet's visibility.
func (p *Patch) SetSheetState(name string, st SheetState) error {
	_, o := p.find(name)
	if o == nil {
		return fmt.Errorf("%w: %q", ErrNoSheet, name)
	}
	if st > VeryHidden {
		return fmt.Errorf("ooxml: invalid sheet state %d", st)
	}
	o.state = st
	return nil
}

// SetActiveSheet makes a sheet the one shown when the workbook opens (and
// the only selected tab). Without a call, the sheet active before stays
// active. A hidden sheet cannot be active: the first visible one is, then.
func (p *Patch) SetActiveSheet(name string) error {
	_, o := p.find(name)
	if o == nil {
		return fmt.Errorf("%w: %q", ErrNoSheet, name)
	}
	p.active = o
	return nil
}

// ---------------------------------------------------------------- writing

// Pooled BestSpeed compressors for the re-encoded parts: results are
// written by the thousand, and the default level spends much of the time
// for a slightly smaller file. klauspost/compress's deflate writes the
// same format as the standard library's, faster (its inflater reads the
// inputs, see archive.go). A compressor is about 1 MB: they are kept in a
// small free list that, unlike a sync.Pool, survives garbage collections.
var freeFlate = make(chan *flate.Writer, 8)

type pooledFlate struct{ *flate.Writer }

func (f *pooledFlate) Close() error {
	err := f.Writer.Close()
	select {
	case freeFlate <- f.Writer:
	default:
	}
	f.Writer = nil
	return err
}

func fastCompressor(w io.Writer) (io.WriteCloser, error) {
	select {
	case fw := <-freeFlate:
		fw.Reset(w)
		return &pooledFlate{fw}, nil
	default:
	}
	fw, err := flate.NewWriter(w, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	return &pooledFlate{fw}, nil
}

var bufPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 32<<10) }}

// partWriter produces a part of the result: from the original part (in,
// nil for a new part) to out.
type partWriter func(out *bufio.Writer, in io.Reader) error

// Write writes the patched workbook to w, streaming: memory does not grow
// with the size of the parts. The changed parts are read again from the
// Book (within its limits), so an error may be a limit or malformed-XML
// error of a part the caller never read. On error w holds part of an
// archive: write to a temporary file and rename it only on success.
func (p *Patch) Write(w io.Writer) error {
	pl, err := p.plan()
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, fastCompressor)
	for _, f := range p.b.arc.zr.File {
		key := strings.ToLower(f.Name)
		if pl.remove[key] {
			continue
		}
		if pw, ok := pl.rewrite[key]; ok {
			if err := p.writePart(zw, f.Name, f, pw); err != nil {
				return err
			}
			continue
		}
		if err := copyRaw(zw, f); err != nil {
			return err
		}
	}
	for _, np := range pl.added {
		if np.raw != nil {
			if err := np.raw(zw, np.name, p.modified()); err != nil {
				return err
			}
			continue
		}
		if err := p.writePart(zw, np.name, nil, np.w); err != nil {
			return err
		}
	}
	return zw.Close()
}

// copyRaw copies an entry as it is, compressed bytes included.
func copyRaw(zw *zip.Writer, f *zip.File) error {
	fh := f.FileHeader
	fh.Extra = stripZip64(fh.Extra)
	dst, err := zw.CreateRaw(&fh)
	if err != nil {
		return err
	}
	src, err := f.OpenRaw()
	if err != nil {
		return &damaged{part: f.Name, cause: err}
	}
	buf := getBuf()
	defer putBuf(buf)
	if _, err := io.CopyBuffer(dst, struct{ io.Reader }{src}, buf); err != nil {
		return &damaged{part: f.Name, cause: err}
	}
	return nil
}

// stripZip64 drops the zip64 extra field: the writer declares sizes
// itself (and adds its own zip64 field when needed).
func stripZip64(extra []byte) []byte {
	var out []byte
	for len(extra) >= 4 {
		id := int(extra[0]) | int(extra[1])<<8
		n := int(extra[2]) | int(extra[3])<<8
		if 4+n > len(extra) {
			break
		}
		if id != 0x0001 {
			out = append(out, extra[:4+n]...)
		}
		extra = extra[4+n:]
	}
	return out
}

func (p *Patch) writePart(zw *zip.Writer, name string, f *zip.File, pw partWriter) error {
	fh := &zip.FileHeader{Name: name, Method: zip.Deflate}
	if f != nil {
		fh.Modified = f.Modified
	} else {
		fh.Modified = p.modified()
	}
	dst, err := zw.CreateHeader(fh)
	if err != nil {
		return err
	}
	out := bufPool.Get().(*bufio.Writer)
	out.Reset(dst)
	defer func() { out.Reset(nil); bufPool.Put(out) }()
	var in io.Reader
	if f != nil {
		rc, err := p.b.arc.open(f.Name)
		if err != nil {
			return err
		}
		defer rc.Close()
		in = rc
	}
	if err := pw(out, in); err != nil {
		return err
	}
	return out.Flush()
}

// modified is the time of new parts: the workbook part's.
func (p *Patch) modified() time.Time {
	if wf := p.b.arc.file(p.b.workbookPart); wf != nil {
		return wf.Modified
	}
	return time.Time{}
}

// ------------------------------------------------------------------ plan

// newPart is a part the patch adds: written through a compressor by w, or
// as it is by raw (a new sheet, its rows compressed already).
type newPart struct {
	name string
	w    partWriter
	raw  func(zw *zip.Writer, name string, modified time.Time) error
}

// plan is what Write does with each part.
type plan struct {
	remove  map[string]bool       // lower-case names of parts dropped
	rewrite map[string]partWriter // lower-case names of parts re-streamed
	added   []newPart
	used    map[string]bool // lower-case names of all parts of the result
	// content types to add (part name → type) and to drop.
	overrides map[string]string
	defaults  map[string]string
	// workbook relationships to add and to drop.
	addRels  []Relationship
	dropRels map[string]bool
}

func (pl *plan) add(name string, w partWriter) {
	pl.added = append(pl.added, newPart{name: name, w: w})
	pl.used[strings.ToLower(name)] = true
}

// freeName returns pattern with the lowest N ≥ 1 that names no part.
func (pl *plan) freeName(pattern string) string {
	for n := 1; ; n++ {
		name := fmt.Sprintf(pattern, n)
		if !pl.used[strings.ToLower(name)] {
			pl.used[strings.ToLower(name)] = true
			return name
		}
	}
}

const (
	nsMain       = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel        = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	relWorksheet = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
	relComments  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
	relVML       = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
	relStyles    = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
	ctWorksheet  = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
	ctComments   = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
	ctVML        = "application/vnd.openxmlformats-officedocument.vmlDrawing"
	ctStyles     = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
)

func (p *Patch) plan() (*plan, error) {
	var err error
	b := p.b
	pl := &plan{remove: map[string]bool{}, rewrite: map[string]partWriter{}, used: map[string]bool{},
		overrides: map[string]string{}, defaults: map[string]string{}, dropRels: map[string]bool{}}
	for _, f := range b.arc.zr.File {
		pl.used[strings.ToLower(f.Name)] = true
	}
	visible := 0
	for _, o := range p.order {
		if o.state == Visible {
			visible++
		}
	}
	if len(p.order) == 0 || visible == 0 {
		return nil, errors.New("ooxml: a workbook needs at least one visible sheet")
	}
	changedList := len(p.order) != len(b.sheets)
	for i, o := range p.order {
		if o.orig != i {
			changedList = true
		}
	}

	// Removed sheets: their part, relationships, comments and drawing.
	kept := map[int]bool{}
	for _, o := range p.order {
		if o.orig >= 0 {
			kept[o.orig] = true
		}
	}
	for i, s := range b.sheets {
		if kept[i] {
			continue
		}
		pl.dropRels[s.RelID] = true
		if s.Part == "" {
			continue
		}
		pl.dropPart(s.Part)
		rels, err := b.sheetRels(s.Part)
		if err != nil {
			return nil, err
		}
		if len(rels) > 0 || b.arc.file(relsPartOf(s.Part)) != nil {
			pl.dropPart(relsPartOf(s.Part))
		}
		for _, r := range rels {
			if !r.External && (relIs(r.Type, "comments") || relIs(r.Type, "vmlDrawing")) {
				pl.dropPart(r.Target)
			}
		}
	}

	// New sheets: part names, relationship ids, sheet ids.
	relIDs := map[string]bool{}
	for _, r := range b.rels {
		relIDs[r.ID] = true
	}
	maxID := 0
	for _, s := range b.sheets {
		maxID = max(maxID, s.SheetID)
	}
	for _, o := range p.order {
		if o.orig >= 0 {
			continue
		}
		o.info.Part = pl.freeName("xl/worksheets/sheet%d.xml")
		o.info.RelID = freeID(relIDs)
		maxID++
		o.info.SheetID = maxID
		pl.addRels = append(pl.addRels, Relationship{ID: o.info.RelID, Type: relWorksheet, Target: o.info.Part})
		pl.overrides[o.info.Part] = ctWorksheet
	}

	// The active sheet: the one asked for, else the one active before,
	// else the first visible one.
	active := p.active
	if active == nil {
		for _, o := range p.order {
			if o.orig == b.activeTab {
				active = o
			}
		}
	}
	if active == nil || active.state != Visible {
		for _, o := range p.order {
			if o.state == Visible {
				active = o
				break
			}
		}
	}
	activeIdx := 0
	for i, o := range p.order {
		if o == active {
			activeIdx = i
		}
	}
	selChange := changedList || activeIdx != b.activeTab || p.active != nil

	// Which existing sheets must be rewritten: edited ones, and those whose
	// tabSelected is wrong once the active sheet moved.
	sheetJobs := map[string]*sheetJob{}
	for part, e := range p.edits {
		sheetJobs[part] = &sheetJob{e: e}
	}
	if selChange {
		for _, o := range p.order {
			if o.orig < 0 {
				continue
			}
			sel, err := b.peekTabSelected(o.info.Part)
			if err != nil {
				return nil, err
			}
			want := o == active
			if sel != want {
				j := sheetJobs[o.info.Part]
				if j == nil {
					j = &sheetJob{e: &sheetEdit{}}
					sheetJobs[o.info.Part] = j
				}
				j.tab = -1
				if want {
					j.tab = 1
				}
			}
		}
	}
	// Comments of edited sheets, in sheet order (the new parts' names
	// do not depend on map order).
	vmlN := 0
	var refs map[string]int
	for _, o := range p.order {
		j := sheetJobs[o.info.Part]
		if o.orig < 0 || j == nil || j.e.comments == nil {
			continue
		}
		if refs == nil {
			if refs, err = p.commentRefs(); err != nil {
				return nil, err
			}
		}
		if err := p.planComments(pl, o.info.Part, j, &vmlN, refs); err != nil {
			return nil, err
		}
	}
	for target, n := range refs {
		if n == 0 { // a shared part no sheet refers to any more
			pl.dropPart(target)
		}
	}
	for part, j := range sheetJobs {
		if len(j.e.cells) > 0 {
			j.sorted = make([]*cellEdit, 0, len(j.e.cells))
			for _, c := range j.e.cells {
				j.sorted = append(j.sorted, c)
			}
			sort.Slice(j.sorted, func(a, b int) bool {
				x, y := j.sorted[a], j.sorted[b]
				return x.row < y.row || (x.row == y.row && x.col < y.col)
			})
		}
		pl.rewrite[strings.ToLower(part)] = func(out *bufio.Writer, in io.Reader) error {
			return b.patchSheet(out, in, part, j)
		}
	}

	// New sheets' parts, with their comments and drawings.
	for _, o := range p.order {
		if o.orig >= 0 {
			continue
		}
		w, selected := o.w, o == active
		rels := p.planNewSheet(pl, o, &vmlN)
		pl.added = append(pl.added, newPart{name: o.info.Part, raw: func(zw *zip.Writer, name string, modified time.Time) error {
			return w.writeRaw(zw, name, modified, selected, rels)
		}})
		pl.used[strings.ToLower(o.info.Part)] = true
	}

	// Styles.
	if p.sb != nil && p.sb.changed() {
		sb := p.sb
		if sb.st.part == "" {
			part := pl.freeName("xl/styles%d.xml")
			if !pl.used["xl/styles.xml"] {
				part = "xl/styles.xml"
				pl.used["xl/styles.xml"] = true
			}
			pl.add(part, func(out *bufio.Writer, _ io.Reader) error { return sb.writeNew(out) })
			pl.addRels = append(pl.addRels, Relationship{ID: freeID(relIDs), Type: relStyles, Target: part})
			pl.overrides[part] = ctStyles
		} else {
			pl.rewrite[strings.ToLower(sb.st.part)] = func(out *bufio.Writer, in io.Reader) error {
				return b.patchStyles(out, in, sb)
			}
		}
	}

	p.planSST(pl, relIDs)

	// The calculation chain goes when values changed.
	if p.valuesChanged {
		for _, r := range b.rels {
			if relIs(r.Type, "calcChain") && !r.External {
				pl.dropRels[r.ID] = true
				pl.dropPart(r.Target)
			}
		}
	}

	// Workbook, its relationships, the content types, app.xml.
	wbPlan := &workbookPlan{order: p.order, active: activeIdx, oldActive: b.activeTab, changedList: changedList}
	wbPlan.names = p.newNames()
	for o := range p.titles {
		if wbPlan.dropTitles == nil {
			wbPlan.dropTitles = map[int]bool{}
		}
		wbPlan.dropTitles[o.orig] = true
	}
	if changedList || selChange || p.statesChanged() || len(wbPlan.names) > 0 || len(wbPlan.dropTitles) > 0 {
		pl.rewrite[strings.ToLower(b.workbookPart)] = func(out *bufio.Writer, in io.Reader) error {
			return b.patchWorkbook(out, in, wbPlan)
		}
	}
	if len(pl.addRels) > 0 || len(pl.dropRels) > 0 {
		rp := relsPartOf(b.workbookPart)
		add, drop := pl.addRels, pl.dropRels
		if b.arc.file(rp) != nil {
			pl.rewrite[strings.ToLower(rp)] = func(out *bufio.Writer, in io.Reader) error {
				return patchRels(out, in, rp, b.workbookPart, add, drop, &b.lim)
			}
		} else {
			pl.add(rp, func(out *bufio.Writer, _ io.Reader) error {
				return patchRels(out, nil, rp, b.workbookPart, add, drop, &b.lim)
			})
		}
	}
	if len(pl.overrides) > 0 || len(pl.defaults) > 0 || len(pl.remove) > 0 {
		const ct = "[Content_Types].xml"
		if b.arc.file(ct) == nil {
			return nil, damagedf(ct, "missing")
		}
		pl.rewrite[strings.ToLower(ct)] = func(out *bufio.Writer, in io.Reader) error {
			return patchContentTypes(out, in, pl, &b.lim)
		}
	}
	if changedList {
		for _, r := range b.pkgRels {
			if relIs(r.Type, "extended-properties") && !r.External && b.arc.file(r.Target) != nil {
				pl.rewrite[strings.ToLower(r.Target)] = func(out *bufio.Writer, in io.Reader) error {
					return patchApp(out, in, r.Target, &b.lim)
				}
			}
		}
	}
	return pl, nil
}

func (pl *plan) dropPart(name string) {
	k := strings.ToLower(name)
	if pl.used[k] {
		pl.remove[k] = true
	}
}

func (p *Patch) statesChanged() bool {
	for _, o := range p.order {
		if o.orig >= 0 && o.state != o.info.State {
			return true
		}
	}
	return false
}

// freeID returns the lowest unused "rIdN" and marks it used.
func freeID(used map[string]bool) string {
	for n := 1; ; n++ {
		id := "rId" + strconv.Itoa(n)
		if !used[id] {
			used[id] = true
			return id
		}
	}
}

// newNames are the defined names the new sheets need (print titles and
// the autofilter's hidden database name) and the print titles set on
// existing sheets.
func (p *Patch) newNames() []DefinedName {
	var out []DefinedName
	for i, o := range p.order {
		if o.orig >= 0 {
			if t, ok := p.titles[o]; ok && !t.IsZero() {
				out = append(out, DefinedName{Name: "_xlnm.Print_Titles", LocalSheetID: i, RefersTo: t.RefersTo(o.info.Name)})
			}
			continue
		}
		q := quoteSheet(o.info.Name)
		if w := o.w; w.titleFrom > 0 || w.titleCol1 > 0 {
			// Columns first, then rows, as Excel writes them.
			var refs []string
			if w.titleCol1 > 0 {
				refs = append(refs, fmt.Sprintf("%s!$%s:$%s", q, ColName(w.titleCol1), ColName(w.titleCol2)))
			}
			if w.titleFrom > 0 {
				refs = append(refs, fmt.Sprintf("%s!$%d:$%d", q, w.titleFrom, w.titleTo))
			}
			out = append(out, DefinedName{Name: "_xlnm.Print_Titles", LocalSheetID: i, RefersTo: strings.Join(refs, ",")})
		}
		if w := o.w; len(w.printArea) > 0 {
			var refs []string
			for _, r := range w.printArea {
				refs = append(refs, q+"!"+absRange(r))
			}
			out = append(out, DefinedName{Name: "_xlnm.Print_Area", LocalSheetID: i, RefersTo: strings.Join(refs, ",")})
		}
		if w := o.w; w.filter != (Range{}) {
			out = append(out, DefinedName{Name: "_xlnm._FilterDatabase", LocalSheetID: i, Hidden: true,
				RefersTo: q + "!" + absRange(w.filter)})
		}
	}
	return out
}

// quoteSheet quotes a sheet name for a formula: 'Kết quả'.
func quoteSheet(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func absRange(r Range) string {
	return fmt.Sprintf("$%s$%d:$%s$%d", ColName(r.Col1), r.Row1, ColName(r.Col2), r.Row2)
}
