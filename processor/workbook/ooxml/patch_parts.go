package ooxml

import (
	"bufio"
	"bytes"
	"io"
	"path"
	"strconv"
	"strings"
)

// streamPart copies a part token by token, letting fn handle each token
// first: fn returns true when it has written (or dropped) the token
// itself.
func streamPart(out *bufio.Writer, in io.Reader, part string, lim *Limits, fn func(s *scanner) (bool, error)) error {
	s := newScanner(in, part, lim)
	defer s.release()
	for {
		k, err := s.next()
		if err != nil {
			return err
		}
		if k == tokEOF {
			return nil
		}
		done, err := fn(s)
		if err != nil {
			return err
		}
		if !done {
			if _, err := out.Write(s.raw); err != nil {
				return err
			}
		}
	}
}

func prefixOf(name []byte) string {
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return string(name[:i+1])
	}
	return ""
}

// relTarget returns target relative to the folder of source, as
// relationships are written: "xl/comments1.xml" from
// "xl/worksheets/sheet1.xml" is "../comments1.xml".
func relTarget(source, target string) string {
	from := strings.Split(path.Dir(source), "/")
	if path.Dir(source) == "." {
		from = nil
	}
	to := strings.Split(target, "/")
	i := 0
	for i < len(from) && i < len(to)-1 && from[i] == to[i] {
		i++
	}
	return strings.Repeat("../", len(from)-i) + strings.Join(to[i:], "/")
}

func appendRel(b []byte, prefix, source string, r Relationship) []byte {
	b = append(b, '<')
	b = append(b, prefix...)
	b = append(b, "Relationship"...)
	b = attr(b, "Id", r.ID)
	b = attr(b, "Type", r.Type)
	b = attr(b, "Target", relTarget(source, r.Target))
	return append(b, "/>"...)
}

// patchRels writes a relationships part (source is the part it belongs
// to) without the relationships in drop and with those in add; in nil
// writes a new part.
func patchRels(out *bufio.Writer, in io.Reader, part, source string, add []Relationship, drop map[string]bool, lim *Limits) error {
	if in == nil {
		b := append([]byte(nil), xmlHeader...)
		b = append(b, `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`...)
		for _, r := range add {
			b = appendRel(b, "", source, r)
		}
		b = append(b, "</Relationships>"...)
		_, err := out.Write(b)
		return err
	}
	prefix := ""
	return streamPart(out, in, part, lim, func(s *scanner) (bool, error) {
		switch {
		case s.kind == tokStart && s.depth == 1:
			prefix = prefixOf(s.name)
			if s.selfClose && len(add) > 0 {
				b := appendStartTag(nil, s.name, s.attrs, nil, false)
				for _, r := range add {
					b = appendRel(b, prefix, source, r)
				}
				b = append(b, "</"...)
				b = append(b, s.name...)
				_, err := out.Write(append(b, '>'))
				return true, err
			}
		case s.kind == tokStart && s.depth == 2 && string(s.local()) == "Relationship":
			id, _, err := s.attrString("Id")
			if err != nil {
				return false, err
			}
			if drop[id] {
				return true, s.skip()
			}
		case s.kind == tokEnd && s.depth == 1:
			var b []byte
			for _, r := range add {
				b = appendRel(b, prefix, source, r)
			}
			_, err := out.Write(b)
			return false, err
		}
		return false, nil
	})
}

// patchContentTypes drops the overrides of removed parts and adds those
// (and the defaults) of new ones.
func patchContentTypes(out *bufio.Writer, in io.Reader, pl *plan, lim *Limits) error {
	prefix := ""
	have := map[string]bool{}
	haveExt := map[string]bool{}
	adds := func() []byte {
		var b []byte
		for ext, typ := range pl.defaults {
			if haveExt[ext] {
				continue
			}
			b = append(b, '<')
			b = append(b, prefix...)
			b = append(b, "Default"...)
			b = attr(b, "Extension", ext)
			b = attr(b, "ContentType", typ)
			b = append(b, "/>"...)
		}
		for _, np := range pl.sortedOverrides() {
			if have[strings.ToLower(np[0])] {
				continue
			}
			b = append(b, '<')
			b = append(b, prefix...)
			b = append(b, "Override"...)
			b = attr(b, "PartName", "/"+np[0])
			b = attr(b, "ContentType", np[1])
			b = append(b, "/>"...)
		}
		return b
	}
	return streamPart(out, in, "[Content_Types].xml", lim, func(s *scanner) (bool, error) {
		switch {
		case s.kind == tokStart && s.depth == 1:
			prefix = prefixOf(s.name)
			if s.selfClose { // <Types/>
				b := appendStartTag(nil, s.name, s.attrs, nil, false)
				b = append(b, adds()...)
				_, err := out.Write(append(b, "</"+string(s.name)+">"...))
				return true, err
			}
		case s.kind == tokStart && s.depth == 2 && string(s.local()) == "Override":
			p, _, err := s.attrString("PartName")
			if err != nil {
				return false, err
			}
			p = strings.ToLower(strings.TrimPrefix(p, "/"))
			if pl.remove[p] {
				return true, s.skip()
			}
			have[p] = true
		case s.kind == tokStart && s.depth == 2 && string(s.local()) == "Default":
			e, _, err := s.attrString("Extension")
			if err != nil {
				return false, err
			}
			haveExt[strings.ToLower(e)] = true
		case s.kind == tokEnd && s.depth == 1:
			_, err := out.Write(adds())
			return false, err
		}
		return false, nil
	})
}

// sortedOverrides returns the overrides to add in a stable order.
func (pl *plan) sortedOverrides() [][2]string {
	var out [][2]string
	for _, np := range pl.added {
		if t, ok := pl.overrides[np.name]; ok {
			out = append(out, [2]string{np.name, t})
		}
	}
	for name, t := range pl.overrides {
		found := false
		for _, o := range out {
			if o[0] == name {
				found = true
			}
		}
		if !found {
			out = append(out, [2]string{name, t})
		}
	}
	return out
}

// patchApp drops the sheet titles of docProps/app.xml when the sheets
// changed: they are optional, and stale ones are worse than none (Excel
// writes them again on save).
func patchApp(out *bufio.Writer, in io.Reader, part string, lim *Limits) error {
	return streamPart(out, in, part, lim, func(s *scanner) (bool, error) {
		if s.kind == tokStart && s.depth == 2 {
			switch string(s.local()) {
			case "HeadingPairs", "TitlesOfParts":
				return true, s.skip()
			}
		}
		return false, nil
	})
}

// workbookPlan is what changes in xl/workbook.xml.
type workbookPlan struct {
	order       []*outSheet
	active      int
	oldActive   int
	changedList bool
	names       []DefinedName // to add
	// dropTitles are the sheets (by their index in the Book) whose print
	// titles are replaced by ones in names, or removed.
	dropTitles map[int]bool
}

// workbookOrder is the position of each child of <workbook> in
// CT_Workbook's sequence: an element the patch creates goes before the
// first existing one that comes after it.
var workbookOrder = map[string]int{
	"fileVersion": 0, "fileSharing": 1, "workbookPr": 2, "workbookProtection": 3, "bookViews": 4,
	"sheets": 5, "functionGroups": 6, "externalReferences": 7, "definedNames": 8, "calcPr": 9,
	"oleSize": 10, "customWorkbookViews": 11, "pivotCaches": 12, "smartTagPr": 13, "smartTagTypes": 14,
	"webPublishing": 15, "fileRecoveryPr": 16, "webPublishObjects": 17, "extLst": 18,
}

// patchWorkbook rewrites the sheet list, the defined names' sheet
// indices and the active tab, creating <bookViews>, <sheets> and
// <definedNames> where the part lacks them.
func (b *Book) patchWorkbook(out *bufio.Writer, in io.Reader, wp *workbookPlan) error {
	oldToNew := make([]int, len(b.sheets))
	for i := range oldToNew {
		oldToNew[i] = -1
	}
	removed := map[string]bool{}
	for i, o := range wp.order {
		if o.orig >= 0 {
			oldToNew[o.orig] = i
		}
	}
	for i, s := range b.sheets {
		if oldToNew[i] < 0 {
			removed[s.Name] = true
		}
	}
	for _, o := range wp.order {
		delete(removed, o.info.Name) // a new sheet of the same name takes the references
	}
	prefix := ""
	viewsDone := wp.active == 0 // else a missing <bookViews> must be created
	sheetsDone := false
	namesDone := len(wp.names) == 0
	views := 0
	write := func(b []byte) error {
		_, err := out.Write(b)
		return err
	}
	names := func(container bool) []byte {
		namesDone = true
		var buf []byte
		if container {
			buf = append(buf, "<"+prefix+"definedNames>"...)
		}
		for _, dn := range wp.names {
			buf = append(buf, "<"+prefix+"definedName"...)
			buf = attr(buf, "name", dn.Name)
			if dn.LocalSheetID >= 0 {
				buf = attr(buf, "localSheetId", strconv.Itoa(dn.LocalSheetID))
			}
			if dn.Hidden {
				buf = attr(buf, "hidden", "1")
			}
			buf = append(buf, '>')
			buf = appendEscaped(buf, dn.RefersTo)
			buf = append(buf, "</"+prefix+"definedName>"...)
		}
		if container {
			buf = append(buf, "</"+prefix+"definedNames>"...)
		}
		return buf
	}
	// ensure writes what the part lacks and goes before position pos.
	ensure := func(pos int) error {
		if !viewsDone && pos > workbookOrder["bookViews"] {
			viewsDone = true
			if err := write([]byte("<" + prefix + "bookViews><" + prefix + `workbookView activeTab="` + strconv.Itoa(wp.active) + `"/></` + prefix + "bookViews>")); err != nil {
				return err
			}
		}
		if !sheetsDone && pos > workbookOrder["sheets"] {
			sheetsDone = true
			buf := append([]byte("<"+prefix+"sheets>"), appendSheets(nil, prefix, wp, nil)...)
			if err := write(append(buf, "</"+prefix+"sheets>"...)); err != nil {
				return err
			}
		}
		if !namesDone && pos > workbookOrder["definedNames"] {
			return write(names(true))
		}
		return nil
	}
	return streamPart(out, in, b.workbookPart, &b.lim, func(s *scanner) (bool, error) {
		switch {
		case s.kind == tokStart && s.depth == 1:
			prefix = prefixOf(s.name)
			if s.selfClose {
				if err := write(appendStartTag(nil, s.name, s.attrs, nil, false)); err != nil {
					return false, err
				}
				if err := ensure(len(workbookOrder)); err != nil {
					return false, err
				}
				return true, write([]byte("</" + string(s.name) + ">"))
			}
		case s.kind == tokStart && s.depth == 2:
			name := string(s.local())
			if pos, ok := workbookOrder[name]; ok {
				if err := ensure(pos); err != nil {
					return false, err
				}
			}
			switch name {
			case "bookViews":
				viewsDone = true
			case "sheets":
				sheetsDone = true
				return true, b.writeSheets(out, s, wp)
			case "definedNames":
				if s.selfClose && !namesDone {
					return true, write(names(true))
				}
			}
		case s.kind == tokStart && s.depth == 3 && string(s.local()) == "workbookView" && views == 0:
			views++ // only the first view
			ch := []attrChange{{name: "activeTab", value: strconv.Itoa(wp.active)}}
			if wp.active == 0 {
				ch[0].remove = true
			}
			if wp.changedList {
				ch = append(ch, attrChange{name: "firstSheet", remove: true})
			}
			return true, write(appendStartTag(nil, s.name, s.attrs, ch, s.selfClose))
		case s.kind == tokStart && s.depth == 3 && string(s.local()) == "definedName":
			return true, b.rewriteName(out, s, oldToNew, removed, wp.dropTitles)
		case s.kind == tokEnd && s.depth == 2 && string(s.local()) == "definedNames" && !namesDone:
			if err := write(names(false)); err != nil {
				return false, err
			}
		case s.kind == tokEnd && s.depth == 1:
			if err := ensure(len(workbookOrder)); err != nil {
				return false, err
			}
		}
		return false, nil
	})
}

// writeSheets replaces the children of <sheets> with the result's sheets:
// existing ones as written (their state changed if asked), new ones after
// their fashion.
func (b *Book) writeSheets(out *bufio.Writer, s *scanner, wp *workbookPlan) error {
	var tags [][2][]byte // name and attributes of the existing <sheet> elements
	start := appendStartTag(nil, s.name, s.attrs, nil, false)
	err := s.children(func(local []byte) error {
		if string(local) != "sheet" {
			return nil
		}
		if len(tags) >= b.lim.MaxItems {
			return b.tooMany(s.part)
		}
		tags = append(tags, [2][]byte{append([]byte(nil), s.name...), append([]byte(nil), s.attrs...)})
		return s.skip()
	})
	if err != nil {
		return err
	}
	buf := appendSheets(start, prefixOf(s.name), wp, tags)
	buf = append(buf, "</"...)
	buf = append(buf, s.name...)
	_, err = out.Write(append(buf, '>'))
	return err
}

// appendSheets appends the <sheet> elements of the result.
func appendSheets(buf []byte, prefix string, wp *workbookPlan, tags [][2][]byte) []byte {
	for _, o := range wp.order {
		state := attrChange{name: "state", value: o.state.String()}
		if o.state == Visible {
			state.remove = true
		}
		if o.orig >= 0 && o.orig < len(tags) {
			var ch []attrChange
			if o.state != o.info.State {
				ch = append(ch, state)
			}
			buf = appendStartTag(buf, tags[o.orig][0], tags[o.orig][1], ch, true)
			continue
		}
		if o.orig >= 0 {
			continue // listed in no <sheet> element: nothing to copy
		}
		buf = append(buf, '<')
		buf = append(buf, prefix...)
		buf = append(buf, "sheet"...)
		buf = attr(buf, "name", o.info.Name)
		buf = attr(buf, "sheetId", strconv.Itoa(o.info.SheetID))
		if !state.remove {
			buf = attr(buf, "state", state.value)
		}
		// The relationships prefix is declared on the element itself:
		// producers such as openpyxl declare it on each <sheet>, not on
		// the root.
		buf = append(buf, ` xmlns:r="`+nsRel+`"`...)
		buf = attr(buf, "r:id", o.info.RelID)
		buf = append(buf, "/>"...)
	}
	return buf
}

// rewriteName copies one <definedName>, its sheet index following its
// sheet, or drops it when its sheet is removed or it refers to one, or
// when it is the print titles of a sheet in dropTitles.
func (b *Book) rewriteName(out *bufio.Writer, s *scanner, oldToNew []int, removed map[string]bool, dropTitles map[int]bool) error {
	name, attrs, self := append([]byte(nil), s.name...), append([]byte(nil), s.attrs...), s.selfClose
	local := -1
	if v, ok := s.attr("localSheetId"); ok {
		if x, err := strconv.Atoi(strings.TrimSpace(string(v))); err == nil {
			local = x
		}
	}
	titles := false
	if v, _, err := s.attrString("name"); err == nil && isPrintTitles(v) {
		titles = true
	}
	raw, err := capture(s, nil, b.lim.MaxValueBytes+int(b.lim.MaxTokenBytes))
	if err != nil {
		return err
	}
	if titles && local >= 0 && dropTitles[local] {
		return nil
	}
	var ch []attrChange
	if local >= 0 && local < len(oldToNew) {
		if oldToNew[local] < 0 {
			return nil
		}
		if oldToNew[local] != local {
			ch = append(ch, attrChange{name: "localSheetId", value: strconv.Itoa(oldToNew[local])})
		}
	}
	if len(removed) > 0 {
		text := raw[bytes.IndexByte(raw, '>')+1:]
		dec, err := decodeText(nil, text)
		if err == nil {
			for n := range removed {
				if refersToSheet(string(dec), n) {
					return nil
				}
			}
		}
	}
	if len(ch) == 0 {
		_, err := out.Write(raw)
		return err
	}
	start := appendStartTag(nil, name, attrs, ch, self)
	if _, err := out.Write(start); err != nil {
		return err
	}
	if self {
		return nil
	}
	_, err = out.Write(raw[bytes.IndexByte(raw, '>')+1:])
	return err
}

// refersToSheet reports whether a formula refers to a sheet: 'Name'!… or
// Name!… .
func refersToSheet(formula, sheet string) bool {
	if strings.Contains(formula, quoteSheet(sheet)+"!") {
		return true
	}
	for i := 0; ; {
		j := strings.Index(formula[i:], sheet+"!")
		if j < 0 {
			return false
		}
		j += i
		if j == 0 || !isIdentChar(formula[j-1]) {
			return true
		}
		i = j + 1
	}
}

// ----------------------------------------------------------------- styles

// order of the children of <styleSheet>.
var styleOrder = []string{"numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs", "tableStyles", "colors", "extLst"}

func stylePos(name string) int {
	for i, n := range styleOrder {
		if n == name {
			return i
		}
	}
	return len(styleOrder)
}

// styleAdds returns, for one container of styles.xml, the items the
// patch adds and the container's new count.
func (sb *styleBuilder) styleAdds(container, prefix string) ([]byte, int, bool) {
	var items [][]byte
	var n int
	switch container {
	case "numFmts":
		for _, f := range sb.numFmts {
			var b []byte
			b = append(b, "<numFmt"...)
			b = attr(b, "numFmtId", strconv.Itoa(f.id))
			b = attr(b, "formatCode", f.code)
			items = append(items, append(b, "/>"...))
		}
		n = len(sb.st.numFmts)
	case "fonts":
		items, n = synthFirst(sb.st.fonts, sb.st.synth[container], sb.fonts)
	case "fills":
		items, n = synthFirst(sb.st.rawFill, sb.st.synth[container], sb.fills)
	case "borders":
		items, n = synthFirst(sb.st.borders, sb.st.synth[container], sb.borders)
	case "cellXfs":
		raws := make([][]byte, len(sb.st.xfs))
		for i := range sb.st.xfs {
			raws[i] = sb.st.xfs[i].raw
		}
		items, n = synthFirst(raws, sb.st.synth[container], sb.xfs)
	default:
		return nil, 0, false
	}
	if len(items) == 0 {
		return nil, 0, false
	}
	var b []byte
	for _, it := range items {
		if prefix != "" {
			it = prefixed(it, prefix)
		}
		b = append(b, it...)
	}
	return b, n + len(items), true
}

// synthFirst returns the items to write into a list: the defaults that
// stand for a list the part lacks (the first synth of existing), then the
// added ones; and the count of items the part's list had.
func synthFirst(existing [][]byte, synth int, added [][]byte) ([][]byte, int) {
	if synth == 0 {
		return added, len(existing)
	}
	return append(append([][]byte(nil), existing[:synth]...), added...), len(existing) - synth
}

// prefixed puts a namespace prefix on the unprefixed element names of
// style XML (a producer that writes <x:font> gets <x:font>); names that
// have one (a format copied from the file) are left alone.
func prefixed(xml []byte, prefix string) []byte {
	var out []byte
	for i := 0; i < len(xml); i++ {
		out = append(out, xml[i])
		if xml[i] == '<' && i+1 < len(xml) {
			if xml[i+1] == '/' {
				out = append(out, '/')
				i++
			}
			end := bytes.IndexAny(xml[i+1:], " />")
			if end < 0 || bytes.IndexByte(xml[i+1:i+1+end], ':') < 0 {
				out = append(out, prefix...)
			}
		}
	}
	return out
}

// patchStyles appends the new formats to xl/styles.xml.
func (b *Book) patchStyles(out *bufio.Writer, in io.Reader, sb *styleBuilder) error {
	prefix := ""
	seen := map[string]bool{}
	// missing writes the containers with additions that the file lacks
	// and that go before position pos.
	missing := func(pos int) error {
		for _, c := range styleOrder[:min(pos, len(styleOrder))] {
			if seen[c] {
				continue
			}
			items, n, ok := sb.styleAdds(c, prefix)
			if !ok {
				continue
			}
			seen[c] = true
			buf := []byte("<" + prefix + c + ` count="` + strconv.Itoa(n) + `">`)
			buf = append(buf, items...)
			buf = append(buf, "</"+prefix+c+">"...)
			if _, err := out.Write(buf); err != nil {
				return err
			}
		}
		return nil
	}
	return streamPart(out, in, sb.st.part, &b.lim, func(s *scanner) (bool, error) {
		switch {
		case s.kind == tokStart && s.depth == 1:
			prefix = prefixOf(s.name)
			if s.selfClose { // <styleSheet/>
				if _, err := out.Write(appendStartTag(nil, s.name, s.attrs, nil, false)); err != nil {
					return false, err
				}
				if err := missing(len(styleOrder)); err != nil {
					return false, err
				}
				_, err := out.Write([]byte("</" + string(s.name) + ">"))
				return true, err
			}
		case s.kind == tokStart && s.depth == 2:
			name := string(s.local())
			if err := missing(stylePos(name)); err != nil {
				return false, err
			}
			seen[name] = true
			items, n, ok := sb.styleAdds(name, prefix)
			if !ok {
				return false, nil
			}
			buf := appendStartTag(nil, s.name, s.attrs, []attrChange{{name: "count", value: strconv.Itoa(n)}}, false)
			if s.selfClose {
				buf = append(buf, items...)
				buf = append(buf, "</"...)
				buf = append(buf, s.name...)
				buf = append(buf, '>')
			}
			_, err := out.Write(buf)
			return true, err
		case s.kind == tokEnd && s.depth == 2:
			if items, _, ok := sb.styleAdds(string(s.local()), prefix); ok {
				_, err := out.Write(items)
				return false, err
			}
		case s.kind == tokEnd && s.depth == 1:
			return false, missing(len(styleOrder))
		}
		return false, nil
	})
}

// writeNew writes a whole styles part for a workbook that had none: its
// lists are all Excel's defaults (see Styles) and the additions.
func (sb *styleBuilder) writeNew(out *bufio.Writer) error {
	b := append([]byte(nil), xmlHeader...)
	b = append(b, `<styleSheet xmlns="`+nsMain+`">`...)
	for _, c := range []string{"numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs"} {
		if c == "cellStyleXfs" {
			b = append(b, `<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>`...)
			continue
		}
		items, n, ok := sb.styleAdds(c, "")
		if !ok {
			continue
		}
		b = append(b, "<"+c+` count="`+strconv.Itoa(n)+`">`...)
		b = append(b, items...)
		b = append(b, "</"+c+">"...)
	}
	b = append(b, `<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>`...)
	_, err := out.Write(b)
	return err
}
