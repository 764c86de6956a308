package ooxml

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
)

// sheetJob is everything Write changes in one existing worksheet part.
type sheetJob struct {
	e      *sheetEdit
	sorted []*cellEdit // cell edits by row, then column
	tab    int8        // tabSelected: 1 set, -1 clear, 0 keep
	// legacyRID: the sheet must have <legacyDrawing r:id=legacyRID>;
	// dropLegacy: it must have none.
	legacyRID  string
	dropLegacy bool
}

// attrChange sets (or, with remove, drops) one attribute of a start tag.
type attrChange struct {
	name   string
	value  string
	remove bool
}

// appendStartTag appends a start tag (name, attribute region as
// written) with changes applied: attributes changed in place, missing
// ones appended, the others copied as written.
func appendStartTag(dst, name, attrs []byte, changes []attrChange, selfClose bool) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	var done uint64
	for n, v := range eachAttr(attrs) {
		i := -1
		for k := range changes {
			if changes[k].name == string(n) {
				i = k
				break
			}
		}
		if i < 0 {
			q := byte('"')
			if bytes.IndexByte(v, '"') >= 0 {
				q = '\''
			}
			dst = append(dst, ' ')
			dst = append(dst, n...)
			dst = append(dst, '=', q)
			dst = append(dst, v...)
			dst = append(dst, q)
			continue
		}
		done |= 1 << i
		if !changes[i].remove {
			dst = attr(dst, changes[i].name, changes[i].value)
		}
	}
	for i, c := range changes {
		if done&(1<<i) == 0 && !c.remove {
			dst = attr(dst, c.name, c.value)
		}
	}
	if selfClose {
		return append(dst, "/>"...)
	}
	return append(dst, '>')
}

// worksheetOrder is the position of each child of <worksheet> in
// CT_Worksheet's sequence: an element the patch adds goes before the
// first existing one that comes after it.
var worksheetOrder = map[string]int{
	"sheetPr": 0, "dimension": 1, "sheetViews": 2, "sheetFormatPr": 3, "cols": 4, "sheetData": 5,
	"sheetCalcPr": 6, "sheetProtection": 7, "protectedRanges": 8, "scenarios": 9, "autoFilter": 10,
	"sortState": 11, "dataConsolidate": 12, "customSheetViews": 13, "mergeCells": 14, "phoneticPr": 15,
	"conditionalFormatting": 16, "dataValidations": 17, "hyperlinks": 18, "printOptions": 19,
	"pageMargins": 20, "pageSetup": 21, "headerFooter": 22, "rowBreaks": 23, "colBreaks": 24,
	"customProperties": 25, "cellWatches": 26, "ignoredErrors": 27, "smartTags": 28, "drawing": 29,
	"legacyDrawing": 30, "legacyDrawingHF": 31, "drawingHF": 32, "picture": 33, "oleObjects": 34,
	"controls": 35, "webPublishItems": 36, "tableParts": 37, "extLst": 38,
}

// Positions of the elements the patch may have to create.
const (
	posSheetPr = 0
	posViews   = 2
	posCols    = 4
	posData    = 5
	posPrint   = 19
	posPage    = 21
	posBreaks  = 24
	posLegacy  = 30
	posEnd     = 99
)

type sheetPatcher struct {
	s       *scanner
	lim     *Limits
	out     *bufio.Writer
	j       *sheetJob
	prefix  string // the elements' namespace prefix with its colon, "" mostly
	buf     []byte
	k       int   // next cell edit
	heights []int // rows to grow, sorted
	hk      int
	defHt   float64
	colsOK  bool
	viewsOK bool
	legacy  bool // <legacyDrawing> handled
	// The print set-up: <sheetPr>, <printOptions>, <pageSetup> handled
	// (or not to be created); inside <sheetPr>, and its <pageSetUpPr>
	// seen.
	prOK, printOK, pageOK, breaksOK bool
	inPr, setUpPr                   bool
	inData                          bool // inside <sheetData>
	seenData                        bool // after <sheetData>
	row                             int  // current row number
	col                             int  // last column in the current row
	rowHt                           float64
	views                           int
	// unshared are the shared formulas whose master was overwritten, by
	// their si.
	unshared map[int]sharedFormula
}

// patchSheet streams a worksheet part from in to out with job's edits.
func (b *Book) patchSheet(out *bufio.Writer, in io.Reader, part string, j *sheetJob) error {
	p := &sheetPatcher{s: newScanner(in, part, &b.lim), lim: &b.lim, out: out, j: j, defHt: 15}
	defer p.s.release()
	for r := range j.e.heights {
		p.heights = append(p.heights, r)
	}
	sort.Ints(p.heights)
	p.colsOK = len(j.e.cols) == 0
	p.viewsOK = j.tab != 1
	p.legacy = j.legacyRID == "" && !j.dropLegacy
	pl := j.e.page
	p.prOK = pl == nil || pl.fitToPage() <= 0
	p.printOK = pl == nil || pl.CenterHorizontally <= 0
	p.pageOK = pl == nil || len(pl.setupChanges()) == 0
	p.breaksOK = len(j.e.breaks) == 0
	s := p.s
	for {
		k, err := s.next()
		if err != nil {
			return err
		}
		if k == tokEOF {
			return nil
		}
		if err := p.token(k); err != nil {
			return err
		}
	}
}

func (p *sheetPatcher) copy() error {
	_, err := p.out.Write(p.s.raw)
	return err
}

func (p *sheetPatcher) write(b []byte) error {
	_, err := p.out.Write(b)
	return err
}

func (p *sheetPatcher) token(k tokKind) error {
	s := p.s
	switch {
	case k == tokStart && s.depth == 1:
		if i := bytes.IndexByte(s.name, ':'); i >= 0 {
			p.prefix = string(s.name[:i+1])
		}
		if s.selfClose { // <worksheet/>: everything the patch adds goes inside
			if err := p.write(appendStartTag(p.buf[:0], s.name, s.attrs, nil, false)); err != nil {
				return err
			}
			if err := p.ensureBefore(posEnd); err != nil {
				return err
			}
			return p.write(p.endTag("worksheet"))
		}
		return p.copy()
	case k == tokStart && s.depth == 2:
		return p.child()
	case k == tokStart && s.depth == 3 && p.inData && string(s.local()) == "row":
		return p.rowStart()
	case k == tokStart && s.depth == 4 && p.inData && string(s.local()) == "c":
		return p.cell()
	case k == tokStart && s.depth == 3 && p.inPr && string(s.local()) == "pageSetUpPr":
		p.setUpPr = true
		return p.write(appendStartTag(p.buf[:0], s.name, s.attrs, p.fitChange(), s.selfClose))
	case k == tokEnd && s.depth == 2 && p.inPr:
		p.inPr = false
		if !p.setUpPr && p.j.e.page.fitToPage() > 0 {
			if err := p.write(p.setUpPrTag()); err != nil {
				return err
			}
		}
	case k == tokStart && s.depth == 5 && p.inData && p.unshared != nil && string(s.local()) == "f":
		if done, err := p.unshare(); done || err != nil {
			return err
		}
	case k == tokStart && s.depth == 3 && string(s.local()) == "sheetView" && string(localName(parentName(s))) == "sheetViews":
		p.views++
		if p.views == 1 && p.j.tab != 0 {
			ch := attrChange{name: "tabSelected", value: "1"}
			if p.j.tab < 0 {
				ch.remove = true
			}
			return p.write(appendStartTag(p.buf[:0], s.name, s.attrs, []attrChange{ch}, s.selfClose))
		}
	case k == tokEnd && s.depth == 3 && p.inData:
		if err := p.flushCells(p.row, maxCol+1); err != nil {
			return err
		}
	case k == tokEnd && s.depth == 2 && p.inData:
		if err := p.flushRows(maxRow + 1); err != nil {
			return err
		}
		p.inData = false
	case k == tokEnd && s.depth == 1:
		if err := p.ensureBefore(posEnd); err != nil {
			return err
		}
	}
	return p.copy()
}

// ensureBefore writes the elements the patch needs that the sheet lacks
// and that go before position pos: the selected sheetView, <cols>,
// <sheetData> with the new rows, <legacyDrawing>.
func (p *sheetPatcher) ensureBefore(pos int) error {
	if !p.prOK && pos > posSheetPr {
		p.prOK = true
		p.buf = append(p.buf[:0], '<')
		p.buf = append(p.buf, p.prefix...)
		p.buf = append(p.buf, "sheetPr>"...)
		if err := p.write(p.buf); err != nil {
			return err
		}
		if err := p.write(p.setUpPrTag()); err != nil {
			return err
		}
		if err := p.write(p.endTag("sheetPr")); err != nil {
			return err
		}
	}
	if !p.viewsOK && pos > posViews {
		p.viewsOK = true
		p.buf = append(p.buf[:0], '<')
		p.buf = append(p.buf, p.prefix...)
		p.buf = append(p.buf, "sheetViews><"...)
		p.buf = append(p.buf, p.prefix...)
		p.buf = append(p.buf, `sheetView tabSelected="1" workbookViewId="0"/></`...)
		p.buf = append(p.buf, p.prefix...)
		p.buf = append(p.buf, "sheetViews>"...)
		if err := p.write(p.buf); err != nil {
			return err
		}
	}
	if !p.colsOK && pos > posCols {
		if err := p.writeCols(nil); err != nil {
			return err
		}
	}
	if !p.seenData && pos > posData {
		p.seenData = true
		if len(p.j.sorted) > 0 || len(p.heights) > 0 {
			p.buf = append(p.buf[:0], '<')
			p.buf = append(p.buf, p.prefix...)
			p.buf = append(p.buf, "sheetData>"...)
			if err := p.write(p.buf); err != nil {
				return err
			}
			if err := p.flushRows(maxRow + 1); err != nil {
				return err
			}
			if err := p.write(p.endTag("sheetData")); err != nil {
				return err
			}
		}
	}
	if !p.printOK && pos > posPrint {
		p.printOK = true
		name := []byte(p.prefix + "printOptions")
		if err := p.write(appendStartTag(p.buf[:0], name, nil, p.centerChange(), true)); err != nil {
			return err
		}
	}
	if !p.pageOK && pos > posPage {
		p.pageOK = true
		name := []byte(p.prefix + "pageSetup")
		if err := p.write(appendStartTag(p.buf[:0], name, nil, p.j.e.page.setupChanges(), true)); err != nil {
			return err
		}
	}
	if !p.breaksOK && pos > posBreaks {
		p.breaksOK = true
		if err := p.writeColBreaks([]byte(p.prefix+"colBreaks"), nil, nil); err != nil {
			return err
		}
	}
	if !p.legacy && pos > posLegacy {
		p.legacy = true
		return p.write(p.legacyTag())
	}
	return nil
}

// brkEl is one <brk> of <colBreaks>: its column and its bytes.
type brkEl struct {
	id     int
	manual bool
	raw    []byte
}

// colBreaks reads the sheet's <colBreaks>, adds the new breaks and writes
// it.
func (p *sheetPatcher) colBreaks() error {
	s := p.s
	name, attrs := append([]byte(nil), s.name...), append([]byte(nil), s.attrs...)
	var els []brkEl
	err := s.children(func(local []byte) error {
		if string(local) != "brk" {
			return nil
		}
		if len(els) >= p.lim.MaxItems {
			return &LimitError{Limit: LimitItems, Max: int64(p.lim.MaxItems), Part: s.part}
		}
		id, _ := s.attr("id")
		man, _ := s.attr("man")
		var b brkEl
		b.id, _ = strconv.Atoi(string(id))
		b.manual = xmlBool(string(man))
		raw, err := capture(s, nil, p.lim.MaxTokenBytes)
		if err != nil {
			return err
		}
		b.raw = raw
		els = append(els, b)
		return nil
	})
	if err != nil {
		return err
	}
	return p.writeColBreaks(name, attrs, els)
}

// writeColBreaks writes <colBreaks> with the breaks it had (els) and the
// new ones, in column order.
func (p *sheetPatcher) writeColBreaks(name, attrs []byte, els []brkEl) error {
	for _, col := range p.j.e.breaks {
		if slices.ContainsFunc(els, func(b brkEl) bool { return b.id == col }) {
			continue
		}
		raw := fmt.Appendf(nil, `<%sbrk id="%d" max="%d" man="1"/>`, p.prefix, col, maxRow-1)
		els = append(els, brkEl{id: col, manual: true, raw: raw})
	}
	sort.SliceStable(els, func(i, j int) bool { return els[i].id < els[j].id })
	manual := 0
	for _, b := range els {
		if b.manual {
			manual++
		}
	}
	ch := []attrChange{{name: "count", value: strconv.Itoa(len(els))}, {name: "manualBreakCount", value: strconv.Itoa(manual)}}
	if err := p.write(appendStartTag(p.buf[:0], name, attrs, ch, false)); err != nil {
		return err
	}
	for _, b := range els {
		if err := p.write(b.raw); err != nil {
			return err
		}
	}
	return p.write(p.endTag("colBreaks"))
}

// setUpPrTag is a new <pageSetUpPr> that turns fit-to-page on.
func (p *sheetPatcher) setUpPrTag() []byte {
	return appendStartTag(p.buf[:0], []byte(p.prefix+"pageSetUpPr"), nil, p.fitChange(), true)
}

// fitChange is the change to <pageSetUpPr fitToPage>, none when kept.
func (p *sheetPatcher) fitChange() []attrChange {
	switch p.j.e.page.fitToPage() {
	case 1:
		return []attrChange{{name: "fitToPage", value: "1"}}
	case -1:
		return []attrChange{{name: "fitToPage", remove: true}}
	}
	return nil
}

// centerChange is the change to <printOptions horizontalCentered>.
func (p *sheetPatcher) centerChange() []attrChange {
	switch p.j.e.page.CenterHorizontally {
	case 1:
		return []attrChange{{name: "horizontalCentered", value: "1"}}
	case -1:
		return []attrChange{{name: "horizontalCentered", remove: true}}
	}
	return nil
}

// child handles a start tag directly under <worksheet>.
func (p *sheetPatcher) child() error {
	s := p.s
	name := string(s.local())
	if pos, ok := worksheetOrder[name]; ok {
		if err := p.ensureBefore(pos); err != nil {
			return err
		}
	} else if name == "AlternateContent" && p.seenData {
		// Excel wraps controls and OLE objects in mc:AlternateContent,
		// after where <legacyDrawing> goes.
		if err := p.ensureBefore(worksheetOrder["controls"]); err != nil {
			return err
		}
	}
	pl := p.j.e.page
	switch name {
	case "sheetPr":
		p.prOK = true
		if pl == nil || pl.fitToPage() == 0 {
			break
		}
		if !s.selfClose {
			p.inPr, p.setUpPr = true, false
			break
		}
		if pl.fitToPage() < 0 {
			break // no <pageSetUpPr>: fit-to-page is off
		}
		if err := p.write(appendStartTag(p.buf[:0], s.name, s.attrs, nil, false)); err != nil {
			return err
		}
		if err := p.write(p.setUpPrTag()); err != nil {
			return err
		}
		return p.write(p.endTag("sheetPr"))
	case "printOptions":
		p.printOK = true
		if pl != nil && pl.CenterHorizontally != 0 {
			return p.write(appendStartTag(p.buf[:0], s.name, s.attrs, p.centerChange(), s.selfClose))
		}
	case "colBreaks":
		p.breaksOK = true
		if len(p.j.e.breaks) > 0 {
			return p.colBreaks()
		}
	case "pageSetup":
		p.pageOK = true
		if pl != nil {
			if ch := pl.setupChanges(); len(ch) > 0 {
				return p.write(appendStartTag(p.buf[:0], s.name, s.attrs, ch, s.selfClose))
			}
		}
	case "sheetViews":
		p.viewsOK = true
	case "dimension":
		if ref, ok := p.dimension(); ok {
			return p.write(appendStartTag(p.buf[:0], s.name, s.attrs, []attrChange{{name: "ref", value: ref}}, s.selfClose))
		}
	case "sheetFormatPr":
		if v, ok := s.attr("defaultRowHeight"); ok {
			if h, err := strconv.ParseFloat(string(v), 64); err == nil && h > 0 {
				p.defHt = h
			}
		}
	case "cols":
		return p.cols()
	case "sheetData":
		p.inData, p.seenData = true, true
		if s.selfClose {
			p.buf = appendStartTag(p.buf[:0], s.name, s.attrs, nil, false)
			if err := p.write(p.buf); err != nil {
				return err
			}
			if err := p.flushRows(maxRow + 1); err != nil {
				return err
			}
			p.inData = false
			return p.write(p.endTag("sheetData"))
		}
	case "legacyDrawing":
		p.legacy = true
		if p.j.dropLegacy {
			return s.skip()
		}
		if p.j.legacyRID != "" {
			if err := s.skip(); err != nil {
				return err
			}
			return p.write(p.legacyTag())
		}
	}
	return p.copy()
}

func (p *sheetPatcher) endTag(local string) []byte {
	p.buf = append(p.buf[:0], "</"...)
	p.buf = append(p.buf, p.prefix...)
	p.buf = append(p.buf, local...)
	return append(p.buf, '>')
}

func (p *sheetPatcher) legacyTag() []byte {
	p.buf = append(p.buf[:0], '<')
	p.buf = append(p.buf, p.prefix...)
	p.buf = append(p.buf, `legacyDrawing xmlns:r="`+nsRel+`" r:id="`...)
	p.buf = appendEscaped(p.buf, p.j.legacyRID)
	return append(p.buf, `"/>`...)
}

// dimension returns the sheet's used range grown to the new cells.
func (p *sheetPatcher) dimension() (string, bool) {
	if len(p.j.sorted) == 0 {
		return "", false
	}
	v, _, err := p.s.attrString("ref")
	if err != nil {
		return "", false
	}
	r, err := ParseRange(v)
	if err != nil {
		return "", false
	}
	grown := r
	for _, c := range p.j.sorted {
		grown.Col1, grown.Row1 = min(grown.Col1, c.col), min(grown.Row1, c.row)
		grown.Col2, grown.Row2 = max(grown.Col2, c.col), max(grown.Row2, c.row)
	}
	if grown == r {
		return "", false
	}
	return grown.String(), true
}

// colEl is one <col> being rewritten.
type colEl struct {
	min, max int
	attrs    []byte // the attribute region as written
	width    float64
	setWidth bool
}

// cols reads the sheet's <cols>, applies the width settings and writes it.
func (p *sheetPatcher) cols() error {
	s := p.s
	start := appendStartTag(nil, s.name, s.attrs, nil, false)
	p.colsOK = true
	var els []colEl
	err := s.children(func(local []byte) error {
		if string(local) != "col" {
			return nil
		}
		var c colEl
		mn, _ := s.attr("min")
		mx, _ := s.attr("max")
		c.min, _ = strconv.Atoi(string(mn))
		c.max, _ = strconv.Atoi(string(mx))
		c.attrs = append([]byte(nil), s.attrs...)
		els = append(els, c)
		return s.skip()
	})
	if err != nil {
		return err
	}
	if err := p.write(start); err != nil {
		return err
	}
	if err := p.writeColEls(els); err != nil {
		return err
	}
	return p.write(p.endTag("cols"))
}

// writeCols writes a whole new <cols> for a sheet that had none.
func (p *sheetPatcher) writeCols(els []colEl) error {
	p.colsOK = true
	p.buf = append(p.buf[:0], '<')
	p.buf = append(p.buf, p.prefix...)
	p.buf = append(p.buf, "cols>"...)
	if err := p.write(p.buf); err != nil {
		return err
	}
	if err := p.writeColEls(els); err != nil {
		return err
	}
	return p.write(p.endTag("cols"))
}

func (p *sheetPatcher) writeColEls(els []colEl) error {
	for _, set := range p.j.e.cols {
		els = applyColWidth(els, set)
	}
	name := []byte(p.prefix + "col")
	for _, c := range els {
		ch := []attrChange{{name: "min", value: strconv.Itoa(c.min)}, {name: "max", value: strconv.Itoa(c.max)}}
		if c.setWidth {
			ch = append(ch, attrChange{name: "width", value: string(appendFloat(nil, c.width))}, attrChange{name: "customWidth", value: "1"})
		}
		if err := p.write(appendStartTag(p.buf[:0], name, c.attrs, ch, true)); err != nil {
			return err
		}
	}
	return nil
}

// applyColWidth sets the width of columns set.min..set.max: ranges that
// overlap are split so that the columns outside keep what they had, and
// columns in no range get a range of their own.
func applyColWidth(els []colEl, set colSet) []colEl {
	var out []colEl
	for _, c := range els {
		if c.max < set.min || c.min > set.max || c.min < 1 || c.max < c.min {
			out = append(out, c)
			continue
		}
		if c.min < set.min {
			left := c
			left.max = set.min - 1
			out = append(out, left)
		}
		mid := c
		mid.min, mid.max = max(c.min, set.min), min(c.max, set.max)
		mid.width, mid.setWidth = set.width, true
		out = append(out, mid)
		if c.max > set.max {
			right := c
			right.min = set.max + 1
			out = append(out, right)
		}
	}
	// The gaps of set's range no range covers.
	sort.SliceStable(out, func(i, j int) bool { return out[i].min < out[j].min })
	next := set.min
	var gaps []colEl
	for _, c := range out {
		if c.max < next || c.min > set.max {
			continue
		}
		if c.min > next {
			gaps = append(gaps, colEl{min: next, max: c.min - 1, width: set.width, setWidth: true})
		}
		next = max(next, c.max+1)
	}
	if next <= set.max {
		gaps = append(gaps, colEl{min: next, max: set.max, width: set.width, setWidth: true})
	}
	out = append(out, gaps...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].min < out[j].min })
	return out
}

// rowStart handles a <row> of <sheetData>.
func (p *sheetPatcher) rowStart() error {
	s := p.s
	num := p.row + 1
	hasR := false
	p.rowHt = 0
	for n, v := range eachAttr(s.attrs) {
		switch string(n) {
		case "r":
			x, err := strconv.Atoi(string(v))
			if err != nil || x < 1 || x > maxRow {
				return s.fail(s.off, "invalid row number")
			}
			num, hasR = x, true
		case "ht":
			p.rowHt, _ = strconv.ParseFloat(string(v), 64)
		}
	}
	if err := p.flushRows(num); err != nil {
		return err
	}
	p.row, p.col = num, 0
	cells := p.k < len(p.j.sorted) && p.j.sorted[p.k].row == num
	var ch []attrChange
	if !hasR {
		ch = append(ch, attrChange{name: "r", value: strconv.Itoa(num)})
	}
	for p.hk < len(p.heights) && p.heights[p.hk] < num {
		p.hk++
	}
	if p.hk < len(p.heights) && p.heights[p.hk] == num {
		cur := p.rowHt
		if cur == 0 {
			cur = p.defHt
		}
		if h := p.j.e.heights[num]; h > cur {
			ch = append(ch, attrChange{name: "ht", value: string(appendFloat(nil, h))}, attrChange{name: "customHeight", value: "1"})
		}
		p.hk++
	}
	if cells {
		ch = append(ch, attrChange{name: "spans", remove: true})
	}
	if len(ch) == 0 {
		return p.copy()
	}
	if s.selfClose && cells {
		if err := p.write(appendStartTag(p.buf[:0], s.name, s.attrs, ch, false)); err != nil {
			return err
		}
		if err := p.flushCells(num, maxCol+1); err != nil {
			return err
		}
		return p.write(p.endTag("row"))
	}
	return p.write(appendStartTag(p.buf[:0], s.name, s.attrs, ch, s.selfClose))
}

// cell handles a <c> of the current row.
func (p *sheetPatcher) cell() error {
	s := p.s
	if p.unshared == nil && (p.k >= len(p.j.sorted) || p.j.sorted[p.k].row > p.row) {
		// No edit left in this row: the cell is copied as written, its
		// position unparsed (only edits and shared formulas need it).
		return p.copy()
	}
	col, row := p.col+1, p.row
	hasR := false
	var style []byte
	for n, v := range eachAttr(s.attrs) {
		switch string(n) {
		case "r":
			c, r, ok := parseRef(v)
			if !ok {
				return s.fail(s.off, "invalid cell reference")
			}
			col, row, hasR = c, r, true
		case "s":
			style = v
		}
	}
	if err := p.flushCells(row, col); err != nil {
		return err
	}
	p.col = col
	if p.k < len(p.j.sorted) && p.j.sorted[p.k].row == row && p.j.sorted[p.k].col == col {
		e := p.j.sorted[p.k]
		p.k++
		if e.setValue {
			st := e.style
			if st < 0 {
				st, _ = strconv.Atoi(string(style))
			}
			if err := p.dropCell(col, row); err != nil {
				return err
			}
			return p.write(appendCell(p.buf[:0], p.prefix, col, row, e.value, st))
		}
		ch := []attrChange{{name: "s", value: strconv.Itoa(e.style)}}
		if e.style == 0 {
			ch[0].remove = true
		}
		if !hasR {
			ch = append(ch, attrChange{name: "r", value: CellRef(col, row)})
		}
		return p.write(appendStartTag(p.buf[:0], s.name, s.attrs, ch, s.selfClose))
	}
	if !hasR {
		return p.write(appendStartTag(p.buf[:0], s.name, s.attrs, []attrChange{{name: "r", value: CellRef(col, row)}}, s.selfClose))
	}
	return p.copy()
}

// dropCell consumes the <c> being replaced. When it is the master of a
// shared formula, its formula is kept so that the cells sharing it get
// their own (see unshare).
func (p *sheetPatcher) dropCell(col, row int) error {
	s := p.s
	return s.children(func(local []byte) error {
		if string(local) != "f" {
			return nil
		}
		t, _ := s.attr("t")
		si, hasSI := s.attr("si")
		_, hasRef := s.attr("ref")
		if string(t) != "shared" || !hasSI || !hasRef {
			return nil
		}
		idx, err := strconv.Atoi(string(si))
		if err != nil {
			return nil
		}
		text, err := s.text(nil, maxFormula)
		if err != nil {
			return err
		}
		if p.unshared == nil {
			p.unshared = map[int]sharedFormula{}
		}
		p.unshared[idx] = sharedFormula{row: row, col: col, text: string(text)}
		return nil
	})
}

// maxFormula bounds a formula's text: Excel's limit is 8,192 characters.
const maxFormula = 32 << 10

// unshare replaces the <f t="shared" si="N"/> of a cell whose master was
// overwritten with the master's formula moved to the cell: without its
// master a shared formula is invalid and Excel "repairs" the file.
func (p *sheetPatcher) unshare() (bool, error) {
	s := p.s
	t, _ := s.attr("t")
	si, ok := s.attr("si")
	if !ok || string(t) != "shared" {
		return false, nil
	}
	idx, err := strconv.Atoi(string(si))
	if err != nil {
		return false, nil
	}
	m, ok := p.unshared[idx]
	if !ok {
		return false, nil
	}
	if err := s.skip(); err != nil {
		return false, err
	}
	f := shiftFormula(nil, m.text, p.col-m.col, p.row-m.row)
	p.buf = append(p.buf[:0], '<')
	p.buf = append(p.buf, p.prefix...)
	p.buf = append(p.buf, "f>"...)
	p.buf = appendEscaped(p.buf, string(f))
	p.buf = append(p.buf, "</"...)
	p.buf = append(p.buf, p.prefix...)
	p.buf = append(p.buf, "f>"...)
	return true, p.write(p.buf)
}

// flushCells writes the new cells of row before column col.
func (p *sheetPatcher) flushCells(row, col int) error {
	for p.k < len(p.j.sorted) {
		e := p.j.sorted[p.k]
		if e.row != row || e.col >= col {
			if e.row < row { // a cell the file's order skipped past
				p.k++
				continue
			}
			return nil
		}
		p.k++
		st := max(e.style, 0)
		v := e.value
		if !e.setValue {
			v = Blank()
		}
		if err := p.write(appendCell(p.buf[:0], p.prefix, e.col, e.row, v, st)); err != nil {
			return err
		}
	}
	return nil
}

// flushRows writes the new rows before row number before: rows with new
// cells, or only a new height.
func (p *sheetPatcher) flushRows(before int) error {
	for {
		next := before
		if p.k < len(p.j.sorted) {
			next = min(next, p.j.sorted[p.k].row)
		}
		for p.hk < len(p.heights) && p.heights[p.hk] <= p.row {
			p.hk++
		}
		if p.hk < len(p.heights) {
			next = min(next, p.heights[p.hk])
		}
		if next >= before {
			return nil
		}
		if next <= p.row { // out of the file's order: drop rather than corrupt
			if p.k < len(p.j.sorted) && p.j.sorted[p.k].row == next {
				p.k++
			}
			continue
		}
		p.buf = append(p.buf[:0], '<')
		p.buf = append(p.buf, p.prefix...)
		p.buf = append(p.buf, `row r="`...)
		p.buf = strconv.AppendInt(p.buf, int64(next), 10)
		p.buf = append(p.buf, '"')
		if h, ok := p.j.e.heights[next]; ok && h > p.defHt {
			p.buf = append(p.buf, ` ht="`...)
			p.buf = appendFloat(p.buf, h)
			p.buf = append(p.buf, `" customHeight="1"`...)
		}
		if p.hk < len(p.heights) && p.heights[p.hk] == next {
			p.hk++
		}
		p.buf = append(p.buf, '>')
		if err := p.write(p.buf); err != nil {
			return err
		}
		p.row = next
		if err := p.flushCells(next, maxCol+1); err != nil {
			return err
		}
		if err := p.write(p.endTag("row")); err != nil {
			return err
		}
	}
}

// peekTabSelected reads the start of a sheet, up to <sheetData>, for its
// first sheetView's tabSelected.
func (b *Book) peekTabSelected(part string) (bool, error) {
	rc, err := b.arc.open(part)
	if err != nil {
		return false, nil // a missing part: nothing to fix
	}
	defer rc.Close()
	s := b.scanner(rc, part)
	for {
		k, err := s.next()
		if err != nil {
			return false, err
		}
		switch {
		case k == tokEOF:
			return false, nil
		case k == tokStart && s.depth == 2 && string(s.local()) == "sheetData":
			return false, nil
		case k == tokStart && s.depth == 3 && string(s.local()) == "sheetView":
			v, _ := s.attr("tabSelected")
			return xmlBool(string(v)), nil
		}
	}
}

// peekLegacyDrawing streams a sheet for its <legacyDrawing> r:id.
func (b *Book) peekLegacyDrawing(part string) (string, error) {
	rid := ""
	err := b.walk(part, func(s *scanner) error {
		if s.kind == tokStart && s.depth == 2 {
			switch string(s.local()) {
			case "legacyDrawing":
				if v, ok := s.attrLocal("id", true); ok {
					rid = string(v)
				}
			case "sheetData":
				return s.skip()
			}
		}
		return nil
	})
	return rid, err
}
