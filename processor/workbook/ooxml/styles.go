package ooxml

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
)

// ColorKind says how a colour is given.
type ColorKind uint8

const (
	ColorNone    ColorKind = iota // no colour
	ColorRGB                      // an RGB value
	ColorTheme                    // a theme colour, by index, with a tint
	ColorIndexed                  // a colour of the legacy 64-colour palette
	ColorAuto                     // the system's automatic colour
)

// Color is a colour of a style: <fgColor rgb="FFFFC7CE"/>, <color
// theme="1" tint="0.5"/>, <bgColor indexed="64"/>.
type Color struct {
	Kind  ColorKind
	RGB   string // as written: "RRGGBB" or "AARRGGBB" (ColorRGB)
	Index int    // theme or palette index
	Tint  float64
}

// RGB returns an RGB colour from "RRGGBB", "AARRGGBB" or "#RRGGBB".
func RGB(hex string) Color {
	return Color{Kind: ColorRGB, RGB: strings.ToUpper(strings.TrimPrefix(hex, "#"))}
}

// Hex returns the colour as "RRGGBB" when it is known without the theme:
// an RGB value (its alpha dropped: Excel ignores it, and producers such as
// openpyxl write 00) or a palette colour. Theme and automatic colours give
// "".
func (c Color) Hex() string {
	switch c.Kind {
	case ColorRGB:
		h := strings.ToUpper(c.RGB)
		if len(h) == 8 {
			h = h[2:]
		}
		return h
	case ColorIndexed:
		if c.Index >= 0 && c.Index < len(palette) {
			return palette[c.Index]
		}
	}
	return ""
}

// palette is Excel's default indexed colours 0–63.
var palette = [...]string{
	"000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
	"000000", "FFFFFF", "FF0000", "00FF00", "0000FF", "FFFF00", "FF00FF", "00FFFF",
	"800000", "008000", "000080", "808000", "800080", "008080", "C0C0C0", "808080",
	"9999FF", "993366", "FFFFCC", "CCFFFF", "660066", "FF8080", "0066CC", "CCCCFF",
	"000080", "FF00FF", "FFFF00", "00FFFF", "800080", "800000", "008080", "0000FF",
	"00CCFF", "CCFFFF", "CCFFCC", "FFFF99", "99CCFF", "FF99CC", "CC99FF", "FFCC99",
	"3366FF", "33CCCC", "99CC00", "FFCC00", "FF9900", "FF6600", "666699", "969696",
	"003366", "339966", "003300", "333300", "993300", "993366", "333399", "333333",
}

// Fill is a cell fill. Only pattern fills are described; a gradient fill
// reads as Pattern "gradient" with no colours.
type Fill struct {
	// Pattern is the patternType: "none", "solid", "gray125", …
	Pattern string
	// FG is the pattern's foreground: a solid fill's colour. BG is its
	// background colour.
	FG, BG Color
}

// SolidFill returns a solid fill of an RGB colour ("FFC7CE").
func SolidFill(rgb string) Fill { return Fill{Pattern: "solid", FG: RGB(rgb)} }

// Styles is the parsed cell-format part of xl/styles.xml: what a cell's
// style index (Cell.Style) refers to.
type Styles struct {
	part    string
	arena   []byte // the raw elements below, captured one after another
	numFmts []numFmt
	fonts   [][]byte // raw <font> elements
	fills   []Fill
	rawFill [][]byte
	borders [][]byte
	xfs     []xf // cellXfs
	// synth counts, for "fonts", "fills", "borders" and "cellXfs", the
	// leading items that are Excel's defaults standing for a missing or
	// empty list: a patch that adds to the list writes them first.
	synth map[string]int
}

type numFmt struct {
	id   int
	code string
}

type xf struct {
	numFmt, font, fill, border int
	raw                        []byte // the whole <xf> element as written
}

// Len returns the number of cell formats (valid Cell.Style values are
// 0..Len()-1).
func (st *Styles) Len() int { return len(st.xfs) }

// Fill returns the fill of cell format xf (a cell's Style); a format out
// of range has no fill.
func (st *Styles) Fill(xf int) Fill {
	if xf < 0 || xf >= len(st.xfs) {
		return Fill{Pattern: "none"}
	}
	f := st.xfs[xf].fill
	if f < 0 || f >= len(st.fills) {
		return Fill{Pattern: "none"}
	}
	return st.fills[f]
}

// TextFormat is how a cell format lays out text: what measuring a row's
// height needs.
type TextFormat struct {
	Wrap   bool    // alignment wrapText
	Indent int     // alignment indent, in steps
	Size   float64 // font size in points; 11 when the font sets none
	Bold   bool
}

// Text returns the text layout of cell format xf (a format out of range
// is Excel's default: 11 pt, no wrap).
func (st *Styles) Text(xf int) TextFormat {
	if xf < 0 || xf >= len(st.xfs) {
		return TextFormat{Size: 11}
	}
	x := st.xfs[xf]
	var font []byte
	if x.font >= 0 && x.font < len(st.fonts) {
		font = st.fonts[x.font]
	}
	return textFormat(x.raw, font)
}

// textFormat reads the text layout of an <xf> element and its <font>
// (nil: the default, 11 pt).
func textFormat(xf, font []byte) TextFormat {
	tf := TextFormat{Size: 11}
	tf.Wrap = attrIs(xf, "wrapText")
	if v, ok := attrIn(xf, "indent"); ok {
		tf.Indent, _ = strconv.Atoi(v)
	}
	if i := startTag(font, "sz"); i >= 0 {
		if v, ok := attrIn(font[i:], "val"); ok {
			if sz, err := strconv.ParseFloat(v, 64); err == nil && sz > 0 {
				tf.Size = sz
			}
		}
	}
	if i := startTag(font, "b"); i >= 0 {
		end := bytes.IndexByte(font[i:], '>')
		v, ok := attrIn(font[i:i+max(end, 0)], "val")
		tf.Bold = !ok || v == "1" || v == "true"
	}
	return tf
}

// startTag returns the offset of the first start tag in raw XML whose
// local name is local, with any prefix ("<b/>", "<x:sz val=…>"), or -1.
func startTag(raw []byte, local string) int {
	for i := 0; i < len(raw); i++ {
		if raw[i] != '<' {
			continue
		}
		j := i + 1
		for k := j; k < len(raw) && !isSpace(raw[k]) && raw[k] != '/' && raw[k] != '>'; k++ {
			if raw[k] == ':' {
				j = k + 1
			}
		}
		if bytes.HasPrefix(raw[j:], []byte(local)) {
			if k := j + len(local); k < len(raw) && (isSpace(raw[k]) || raw[k] == '/' || raw[k] == '>') {
				return i
			}
		}
	}
	return -1
}

// attrIn finds the first attribute name="…" in raw XML (quotes either
// way) and returns its value as written.
func attrIn(raw []byte, name string) (string, bool) {
	for i := 0; ; {
		j := bytes.Index(raw[i:], []byte(name+"="))
		if j < 0 {
			return "", false
		}
		j += i
		// Only a whole attribute name: preceded by a space.
		if j == 0 || !isSpace(raw[j-1]) {
			i = j + len(name)
			continue
		}
		v := raw[j+len(name)+1:]
		if len(v) == 0 || (v[0] != '"' && v[0] != '\'') {
			return "", false
		}
		end := bytes.IndexByte(v[1:], v[0])
		if end < 0 {
			return "", false
		}
		return string(v[1 : 1+end]), true
	}
}

// attrIs reports an XML boolean attribute set to true.
func attrIs(raw []byte, name string) bool {
	v, ok := attrIn(raw, name)
	return ok && (v == "1" || v == "true")
}

// NumFmt returns the number format id and code of cell format xf (the
// code is "" for built-in formats other than General).
func (st *Styles) NumFmt(xf int) (int, string) {
	if xf < 0 || xf >= len(st.xfs) {
		return 0, "General"
	}
	id := st.xfs[xf].numFmt
	for _, n := range st.numFmts {
		if n.id == id {
			return id, n.code
		}
	}
	for code, b := range builtinNumFmts {
		if b == id {
			return id, code
		}
	}
	return id, ""
}

// Styles reads the workbook's cell formats once (xl/styles.xml). A
// workbook without a styles part has one default format.
func (b *Book) Styles() (*Styles, error) {
	if b.styles != nil {
		return b.styles, nil
	}
	part := b.stylesPart
	if part == "" {
		part = "xl/styles.xml"
	}
	st := &Styles{part: part}
	err := b.walk(part, func(s *scanner) error {
		if s.kind != tokStart {
			return nil
		}
		if s.depth == 3 {
			return st.item(s, b)
		}
		return nil
	})
	if errors.Is(err, errPartMissing) {
		// No styles part: Excel's defaults, which a patch that adds
		// formats writes as a new part.
		err = nil
		st = &Styles{}
	}
	if err != nil {
		return nil, err
	}
	// Lists a part lacks (a script's, or a bare <styleSheet/>) get Excel's
	// defaults, so that the indices of added formats are right and fills
	// 0 and 1 keep the meaning Excel gives them.
	st.synth = map[string]int{}
	if len(st.fonts) == 0 {
		st.fonts = [][]byte{[]byte(`<font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>`)}
		st.synth["fonts"] = 1
	}
	if len(st.fills) == 0 {
		st.rawFill = [][]byte{[]byte(`<fill><patternFill patternType="none"/></fill>`), []byte(`<fill><patternFill patternType="gray125"/></fill>`)}
		st.fills = []Fill{{Pattern: "none"}, {Pattern: "gray125"}}
		st.synth["fills"] = 2
	}
	if len(st.borders) == 0 {
		st.borders = [][]byte{[]byte(`<border><left/><right/><top/><bottom/><diagonal/></border>`)}
		st.synth["borders"] = 1
	}
	if len(st.xfs) == 0 {
		st.xfs = []xf{{raw: []byte(`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>`)}}
		st.synth["cellXfs"] = 1
	}
	b.styles = st
	return st, nil
}

// item reads one child of numFmts, fonts, fills, borders or cellXfs.
func (st *Styles) item(s *scanner, b *Book) error {
	parent := localName(parentName(s))
	n := len(st.numFmts) + len(st.fonts) + len(st.fills) + len(st.borders) + len(st.xfs)
	if n >= b.lim.MaxItems {
		return b.tooMany(s.part)
	}
	var err error
	switch string(parent) + "/" + string(s.local()) {
	case "numFmts/numFmt":
		id, _, _ := s.attrString("numFmtId")
		code, _, err := s.attrString("formatCode")
		if err != nil {
			return err
		}
		x, _ := strconv.Atoi(id)
		st.numFmts = append(st.numFmts, numFmt{id: x, code: code})
	case "fonts/font":
		raw, err := st.capture(s, b.lim.MaxValueBytes)
		if err != nil {
			return err
		}
		st.fonts = append(st.fonts, raw)
	case "fills/fill":
		raw, err := st.capture(s, b.lim.MaxValueBytes)
		if err != nil {
			return err
		}
		st.rawFill = append(st.rawFill, raw)
		st.fills = append(st.fills, parseFill(raw))
	case "borders/border":
		raw, err := st.capture(s, b.lim.MaxValueBytes)
		if err != nil {
			return err
		}
		st.borders = append(st.borders, raw)
	case "cellXfs/xf":
		x := xf{}
		num := func(name string) int {
			v, _ := s.attr(name)
			i, _ := strconv.Atoi(string(v))
			return i
		}
		x.numFmt, x.font, x.fill, x.border = num("numFmtId"), num("fontId"), num("fillId"), num("borderId")
		if x.raw, err = st.capture(s, b.lim.MaxValueBytes); err != nil {
			return err
		}
		st.xfs = append(st.xfs, x)
	default:
		return s.skip()
	}
	return nil
}

// capture captures an element into the arena (full slice expressions: an
// element never grows into the next).
func (st *Styles) capture(s *scanner, max int) ([]byte, error) {
	if st.arena == nil {
		st.arena = make([]byte, 0, 16<<10)
	}
	from := len(st.arena)
	a, err := capture(s, st.arena, max+from)
	if err != nil {
		return nil, err
	}
	st.arena = a
	return a[from:len(a):len(a)], nil
}

// parentName is the name of the element enclosing the current start tag.
func parentName(s *scanner) []byte {
	k := len(s.ends)
	if !s.selfClose {
		k-- // the current element is on the stack
	}
	if k <= 0 {
		return nil
	}
	from := 0
	if k > 1 {
		from = s.ends[k-2]
	}
	return s.names[from:s.ends[k-1]]
}

// capture appends the raw bytes of the element whose start tag is the
// current token, up to and including its end tag.
func capture(s *scanner, dst []byte, max int) ([]byte, error) {
	dst = append(dst, s.raw...)
	if s.selfClose {
		return dst, nil
	}
	d := s.depth
	for {
		k, err := s.next()
		if err != nil {
			return nil, err
		}
		if k == tokEOF {
			return nil, s.fail(s.off, "unexpected end of the part")
		}
		dst = append(dst, s.raw...)
		if len(dst) > max {
			return nil, &LimitError{Limit: LimitValueBytes, Max: int64(max), Part: s.part}
		}
		if k == tokEnd && s.depth == d {
			return dst, nil
		}
	}
}

// parseFill reads a captured <fill> element.
func parseFill(raw []byte) Fill {
	f := Fill{Pattern: "none"}
	lim := DefaultLimits()
	s := newScanner(bytes.NewReader(raw), "fill", &lim)
	defer s.release()
	for {
		k, err := s.next()
		if err != nil || k == tokEOF {
			return f
		}
		if k != tokStart {
			continue
		}
		switch string(s.local()) {
		case "patternFill":
			if v, ok, _ := s.attrString("patternType"); ok {
				f.Pattern = v
			} else {
				f.Pattern = "none"
			}
		case "gradientFill":
			return Fill{Pattern: "gradient"}
		case "fgColor":
			f.FG = parseColor(s)
		case "bgColor":
			f.BG = parseColor(s)
		}
	}
}

func parseColor(s *scanner) Color {
	var c Color
	if v, ok, _ := s.attrString("tint"); ok {
		c.Tint, _ = strconv.ParseFloat(v, 64)
	}
	if v, ok, _ := s.attrString("rgb"); ok {
		c.Kind, c.RGB = ColorRGB, v
		return c
	}
	if v, ok, _ := s.attrString("theme"); ok {
		c.Kind = ColorTheme
		c.Index, _ = strconv.Atoi(v)
		return c
	}
	if v, ok, _ := s.attrString("indexed"); ok {
		c.Kind = ColorIndexed
		c.Index, _ = strconv.Atoi(v)
		return c
	}
	if v, ok, _ := s.attrString("auto"); ok && xmlBool(v) {
		c.Kind = ColorAuto
	}
	return c
}

// builtinNumFmts are the number formats Excel knows by id, not written in
// styles.xml.
var builtinNumFmts = map[string]int{
	"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4,
	"0%": 9, "0.00%": 10, "0.00E+00": 11, "# ?/?": 12, "# ??/??": 13,
	"mm-dd-yy": 14, "d-mmm-yy": 15, "d-mmm": 16, "mmm-yy": 17,
	"h:mm AM/PM": 18, "h:mm:ss AM/PM": 19, "h:mm": 20, "h:mm:ss": 21, "m/d/yy h:mm": 22,
	"#,##0 ;(#,##0)": 37, "#,##0 ;[Red](#,##0)": 38, "#,##0.00;(#,##0.00)": 39, "#,##0.00;[Red](#,##0.00)": 40,
	"mm:ss": 45, "[h]:mm:ss": 46, "mmss.0": 47, "##0.0E+0": 48, "@": 49,
}
