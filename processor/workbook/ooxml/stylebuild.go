package ooxml

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// Style describes a new cell format for [Patch.AddStyle]. Nil parts take
// the workbook's defaults (its first font, no fill, no border, General,
// default alignment, locked).
type Style struct {
	Font       *Font
	Fill       *Fill
	Border     *Border
	NumFmt     string // a format code ("#,##0.00"); "" for General
	Alignment  *Alignment
	Protection *Protection
}

// Font is a font of a new cell format.
type Font struct {
	Name      string  // "Times New Roman"; "" for Calibri
	Size      float64 // points; 0 for 11
	Bold      bool
	Italic    bool
	Underline bool
	Strike    bool
	Color     string // "RRGGBB" or "AARRGGBB"; "" for automatic
}

// Border is the four edges of a cell's border.
type Border struct {
	Left, Right, Top, Bottom BorderLine
}

// BorderLine is one edge: Style "thin", "medium", "thick", "dashed",
// "dotted", "double", "hair"… ("" for none), Color "RRGGBB" ("" for
// automatic).
type BorderLine struct {
	Style string
	Color string
}

// Alignment is a cell's text alignment.
type Alignment struct {
	Horizontal  string // "left", "center", "right", "justify"…; "" for general
	Vertical    string // "top", "center", "bottom"…; "" for bottom
	Wrap        bool
	ShrinkToFit bool
	Indent      int
	Rotation    int // degrees, 0–180 as Excel stores them
}

// Protection is a cell's protection, effective when the sheet is
// protected.
type Protection struct {
	Locked bool
	Hidden bool // the formula is hidden
}

// styleBuilder collects the formats a patch adds to xl/styles.xml; their
// indices follow the existing ones.
type styleBuilder struct {
	st                    *Styles
	fonts, fills, borders [][]byte
	xfs                   [][]byte
	numFmts               []numFmt
	index                 map[string]int // kind + XML → index, for dedupe
	nextFmt               int
}

func newStyleBuilder(st *Styles) *styleBuilder {
	sb := &styleBuilder{st: st, index: map[string]int{}, nextFmt: 164}
	for i, f := range st.fonts {
		sb.index["font"+string(f)] = i
	}
	for i, f := range st.rawFill {
		sb.index["fill"+string(f)] = i
	}
	for i, f := range st.borders {
		sb.index["border"+string(f)] = i
	}
	for i, x := range st.xfs {
		sb.index["xf"+string(x.raw)] = i
	}
	for _, n := range st.numFmts {
		if _, ok := sb.index["fmt"+n.code]; !ok {
			sb.index["fmt"+n.code] = n.id
		}
		sb.nextFmt = max(sb.nextFmt, n.id+1)
	}
	return sb
}

func (sb *styleBuilder) changed() bool {
	return len(sb.fonts)+len(sb.fills)+len(sb.borders)+len(sb.xfs)+len(sb.numFmts) > 0
}

// add returns the index of an item of kind with the given XML, appending
// it when new.
func (sb *styleBuilder) add(kind string, xml []byte, list *[][]byte, existing int) int {
	k := kind + string(xml)
	if i, ok := sb.index[k]; ok {
		return i
	}
	i := existing + len(*list)
	*list = append(*list, xml)
	sb.index[k] = i
	return i
}

func (sb *styleBuilder) numFmtID(code string) int {
	if code == "" {
		return 0
	}
	if id, ok := builtinNumFmts[code]; ok {
		return id
	}
	if id, ok := sb.index["fmt"+code]; ok {
		return id
	}
	id := sb.nextFmt
	sb.nextFmt++
	sb.numFmts = append(sb.numFmts, numFmt{id: id, code: code})
	sb.index["fmt"+code] = id
	return id
}

// maxStyles is Excel's limit on cell formats.
const maxStyles = 64000

func (sb *styleBuilder) addStyle(s Style) (int, error) {
	if len(sb.st.xfs)+len(sb.xfs) >= maxStyles {
		return 0, fmt.Errorf("ooxml: more than %d cell formats", maxStyles)
	}
	fontID, fillID, borderID := 0, 0, 0
	if s.Font != nil {
		fontID = sb.add("font", fontXML(s.Font), &sb.fonts, len(sb.st.fonts))
	}
	if s.Fill != nil {
		fillID = sb.add("fill", fillXML(*s.Fill), &sb.fills, len(sb.st.fills))
	}
	if s.Border != nil {
		borderID = sb.add("border", borderXML(s.Border), &sb.borders, len(sb.st.borders))
	}
	fmtID := sb.numFmtID(s.NumFmt)
	var b []byte
	b = fmt.Appendf(b, `<xf numFmtId="%d" fontId="%d" fillId="%d" borderId="%d" xfId="0"`, fmtID, fontID, fillID, borderID)
	if fmtID != 0 {
		b = append(b, ` applyNumberFormat="1"`...)
	}
	if s.Font != nil {
		b = append(b, ` applyFont="1"`...)
	}
	if s.Fill != nil {
		b = append(b, ` applyFill="1"`...)
	}
	if s.Border != nil {
		b = append(b, ` applyBorder="1"`...)
	}
	if s.Alignment != nil {
		b = append(b, ` applyAlignment="1"`...)
	}
	if s.Protection != nil {
		b = append(b, ` applyProtection="1"`...)
	}
	if s.Alignment == nil && s.Protection == nil {
		b = append(b, "/>"...)
	} else {
		b = append(b, '>')
		if a := s.Alignment; a != nil {
			b = append(b, "<alignment"...)
			b = attr(b, "horizontal", a.Horizontal)
			b = attr(b, "vertical", a.Vertical)
			if a.Rotation != 0 {
				b = attr(b, "textRotation", strconv.Itoa(a.Rotation))
			}
			if a.Wrap {
				b = attr(b, "wrapText", "1")
			}
			if a.Indent > 0 {
				b = attr(b, "indent", strconv.Itoa(a.Indent))
			}
			if a.ShrinkToFit {
				b = attr(b, "shrinkToFit", "1")
			}
			b = append(b, "/>"...)
		}
		if p := s.Protection; p != nil {
			b = append(b, "<protection"...)
			b = attr(b, "locked", boolDigit(p.Locked))
			b = attr(b, "hidden", boolDigit(p.Hidden))
			b = append(b, "/>"...)
		}
		b = append(b, "</xf>"...)
	}
	return sb.add("xf", b, &sb.xfs, len(sb.st.xfs)), nil
}

// deriveFill returns a cell format equal to xf but for its fill: the <xf>
// element is copied as written with only fillId (and applyFill) changed.
// text is the text layout of format xf, the workbook's or an added one.
func (sb *styleBuilder) text(xf int) TextFormat {
	n := len(sb.st.xfs)
	if xf < n {
		return sb.st.Text(xf)
	}
	if xf-n >= len(sb.xfs) {
		return TextFormat{Size: 11}
	}
	raw := sb.xfs[xf-n]
	var font []byte
	if v, ok := attrIn(raw, "fontId"); ok {
		if id, err := strconv.Atoi(v); err == nil && id >= 0 {
			switch {
			case id < len(sb.st.fonts):
				font = sb.st.fonts[id]
			case id-len(sb.st.fonts) < len(sb.fonts):
				font = sb.fonts[id-len(sb.st.fonts)]
			}
		}
	}
	return textFormat(raw, font)
}

func (sb *styleBuilder) deriveFill(base int, f Fill) (int, error) {
	if base < 0 || base >= len(sb.st.xfs)+len(sb.xfs) {
		return 0, fmt.Errorf("ooxml: no cell format %d", base)
	}
	if len(sb.st.xfs)+len(sb.xfs) >= maxStyles {
		return 0, fmt.Errorf("ooxml: more than %d cell formats", maxStyles)
	}
	var raw []byte
	if base < len(sb.st.xfs) {
		raw = sb.st.xfs[base].raw
	} else {
		raw = sb.xfs[base-len(sb.st.xfs)]
	}
	fillID := sb.add("fill", fillXML(f), &sb.fills, len(sb.st.fills))
	x, err := setAttrs(raw, []attrChange{{name: "fillId", value: strconv.Itoa(fillID)}, {name: "applyFill", value: "1"}})
	if err != nil {
		return 0, err
	}
	return sb.add("xf", x, &sb.xfs, len(sb.st.xfs)), nil
}

// setAttrs rewrites the start tag at the beginning of an element's raw
// bytes with attribute changes, keeping the rest as written.
func setAttrs(raw []byte, changes []attrChange) ([]byte, error) {
	lim := DefaultLimits()
	s := newScanner(bytes.NewReader(raw), "styles", &lim)
	defer s.release()
	k, err := s.next()
	if err != nil || k != tokStart {
		return nil, fmt.Errorf("ooxml: malformed style element")
	}
	out := appendStartTag(nil, s.name, s.attrs, changes, s.selfClose)
	return append(out, raw[len(s.raw):]...), nil
}

func boolDigit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func attr(b []byte, name, val string) []byte {
	if val == "" {
		return b
	}
	b = append(b, ' ')
	b = append(b, name...)
	b = append(b, `="`...)
	b = appendEscaped(b, val)
	return append(b, '"')
}

// argb normalises "RRGGBB" / "#RRGGBB" to "FFRRGGBB"; 8 digits are kept.
func argb(hex string) string {
	h := strings.ToUpper(strings.TrimPrefix(hex, "#"))
	if len(h) == 6 {
		return "FF" + h
	}
	return h
}

func colorXML(b []byte, elem string, c Color) []byte {
	switch c.Kind {
	case ColorNone:
		return b
	case ColorRGB:
		return fmt.Appendf(b, `<%s rgb="%s"/>`, elem, appendEscaped(nil, argb(c.RGB)))
	case ColorTheme:
		b = fmt.Appendf(b, `<%s theme="%d"`, elem, c.Index)
	case ColorIndexed:
		b = fmt.Appendf(b, `<%s indexed="%d"`, elem, c.Index)
	case ColorAuto:
		b = fmt.Appendf(b, `<%s auto="1"`, elem)
	}
	if c.Tint != 0 {
		b = append(b, ` tint="`...)
		b = strconv.AppendFloat(b, c.Tint, 'g', -1, 64)
		b = append(b, '"')
	}
	return append(b, "/>"...)
}

func fillXML(f Fill) []byte {
	p := f.Pattern
	if p == "" || p == "gradient" {
		p = "none"
	}
	b := append([]byte(nil), `<fill><patternFill patternType="`...)
	b = appendEscaped(b, p)
	b = append(b, '"')
	if f.FG.Kind == ColorNone && f.BG.Kind == ColorNone {
		return append(b, "/></fill>"...)
	}
	b = append(b, '>')
	b = colorXML(b, "fgColor", f.FG)
	bg := f.BG
	if bg.Kind == ColorNone && p == "solid" {
		bg = Color{Kind: ColorIndexed, Index: 64}
	}
	b = colorXML(b, "bgColor", bg)
	return append(b, "</patternFill></fill>"...)
}

func fontXML(f *Font) []byte {
	b := append([]byte(nil), "<font>"...)
	if f.Bold {
		b = append(b, "<b/>"...)
	}
	if f.Italic {
		b = append(b, "<i/>"...)
	}
	if f.Strike {
		b = append(b, "<strike/>"...)
	}
	if f.Underline {
		b = append(b, "<u/>"...)
	}
	size := f.Size
	if size <= 0 {
		size = 11
	}
	b = append(b, `<sz val="`...)
	b = strconv.AppendFloat(b, size, 'g', -1, 64)
	b = append(b, `"/>`...)
	if f.Color != "" {
		b = colorXML(b, "color", RGB(f.Color))
	} else {
		b = append(b, `<color theme="1"/>`...)
	}
	name := f.Name
	if name == "" {
		name = "Calibri"
	}
	b = append(b, `<name val="`...)
	b = appendEscaped(b, name)
	b = append(b, `"/><family val="2"/>`...)
	if name == "Calibri" {
		b = append(b, `<scheme val="minor"/>`...)
	}
	return append(b, "</font>"...)
}

func borderXML(bd *Border) []byte {
	b := append([]byte(nil), "<border>"...)
	for _, e := range []struct {
		name string
		l    BorderLine
	}{{"left", bd.Left}, {"right", bd.Right}, {"top", bd.Top}, {"bottom", bd.Bottom}} {
		if e.l.Style == "" {
			b = fmt.Appendf(b, "<%s/>", e.name)
			continue
		}
		b = fmt.Appendf(b, `<%s style="%s">`, e.name, appendEscaped(nil, e.l.Style))
		if e.l.Color != "" {
			b = colorXML(b, "color", RGB(e.l.Color))
		} else {
			b = append(b, `<color auto="1"/>`...)
		}
		b = fmt.Appendf(b, "</%s>", e.name)
	}
	return append(b, "<diagonal/></border>"...)
}
