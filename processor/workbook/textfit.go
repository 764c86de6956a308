package workbook

import (
	"math"
	"strings"
	"sync"
	"unicode"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/unicode/norm"
)

// Row heights for wrapped text. Neither Excel nor LibreOffice grows a row
// to its wrapped text when a workbook is opened, so the writer sets each
// height itself: it lays the text out as they do, word by word, with the
// widths of Times New Roman (Liberation Serif in LibreOffice has the same
// metrics), and sizes the row to the lines.
//
// Column widths are in Excel's character units: the width of a digit of
// the workbook's default font. A workbook using these functions sets that
// font to Times New Roman (setDefaultFont), where a digit is half an em: at
// 11 pt Excel rounds it to 7 pixels (5.25 pt), LibreOffice keeps 7.33
// (5.5 pt). Wrapping is estimated on the narrower, so a row is never too
// low in either.

const (
	defaultFontSize = 11
	ptPerUnit       = 5.25 // one width unit in points (Excel's rounding)
	cellPadding     = 5.0  // points taken by the cell's left and right padding
	indentPt        = 9.0  // one indent level
	lineFactor      = 1.17 // line height / font size, with room for Vietnamese marks
	rowPadding      = 4.0  // points above and below the lines
	maxRowHeight    = 409  // Excel's maximum row height
)

// setDefaultFont makes Times New Roman the workbook's default font, which
// fixes the width unit of its columns (see above) in Excel and LibreOffice
// alike (a LibreOffice without Calibri measures columns in another font).
func setDefaultFont(f *excelize.File) error { return f.SetDefaultFont(fontName) }

// Times New Roman advance widths in thousandths of an em (Adobe's
// Times-Roman and Times-Bold metrics), for ASCII from space.
var (
	timesRegular = [95]int16{
		250, 333, 408, 500, 500, 833, 778, 333, 333, 333, 500, 564, 250, 333, 250, 278, // space–/
		500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 278, 278, 564, 564, 564, 444, // 0–?
		921, 722, 667, 667, 722, 611, 556, 722, 722, 333, 389, 722, 611, 889, 722, 722, // @–O
		556, 722, 667, 556, 611, 722, 722, 944, 722, 722, 611, 333, 278, 333, 469, 500, // P–_
		333, 444, 500, 444, 500, 444, 333, 500, 500, 278, 278, 500, 278, 778, 500, 500, // `–o
		500, 500, 333, 389, 278, 500, 500, 722, 500, 500, 444, 480, 200, 480, 541, // p–~
	}
	timesBold = [95]int16{
		250, 333, 555, 500, 500, 1000, 833, 333, 333, 333, 500, 570, 250, 333, 250, 278,
		500, 500, 500, 500, 500, 500, 500, 500, 500, 500, 333, 333, 570, 570, 570, 500,
		930, 722, 667, 722, 722, 667, 611, 778, 778, 389, 500, 778, 667, 944, 722, 778,
		611, 778, 722, 556, 667, 722, 722, 1000, 722, 722, 667, 333, 278, 333, 581, 500,
		333, 500, 556, 444, 556, 444, 333, 500, 556, 278, 333, 556, 278, 833, 556, 500,
		556, 556, 444, 389, 333, 556, 500, 722, 500, 500, 444, 394, 220, 394, 520,
	}
)

// runeWidth is the advance of r in thousandths of an em. A Vietnamese
// letter is its base letter (marks take no room), a little wider for the
// precomposed letters of Latin Extended Additional (ạ, ế, ữ…), which a
// LibreOffice with the old Liberation fonts draws in a wider fallback font.
func runeWidth(r rune, bold bool) float64 {
	table := &timesRegular
	if bold {
		table = &timesBold
	}
	if r >= ' ' && r <= '~' {
		return float64(table[r-' '])
	}
	if r >= 0 && r < widthTableSize {
		// Letters up to Latin Extended Additional (Vietnamese) from a table
		// measured once: a national ranking measures every message of the
		// cohort, and a map look-up per letter shows in its profile.
		widthTable.once.Do(func() {
			for c := rune(0); c < widthTableSize; c++ {
				widthTable.w[0][c], widthTable.w[1][c] = float32(otherWidth(c, &timesRegular)), float32(otherWidth(c, &timesBold))
			}
		})
		if bold {
			return float64(widthTable.w[1][r])
		}
		return float64(widthTable.w[0][r])
	}
	key := glyphKey{r, bold}
	if w, ok := glyphs.Load(key); ok {
		return w.(float64)
	}
	w := otherWidth(r, table)
	glyphs.Store(key, w)
	return w
}

const widthTableSize = 0x2000

var widthTable struct {
	once sync.Once
	w    [2][widthTableSize]float32
}

// glyphs caches the widths of letters outside ASCII: decomposing a letter
// is slow, and a province's scorecards measure millions.
var glyphs sync.Map

type glyphKey struct {
	r    rune
	bold bool
}

func otherWidth(r rune, table *[95]int16) float64 {
	switch r {
	case '█', '▌': // the scorecard's bars
		return 720
	case 'đ':
		return float64(table['d'-' '])
	case 'Đ':
		return float64(table['D'-' '])
	case '…', '—', '\u2003':
		return 1000
	case '–', '«', '»', '\u00a0':
		return 500
	case '“', '”':
		return 444
	case '‘', '’':
		return 333
	case '•':
		return 350
	case '≥', '≤', '×', '±', '≠', '÷':
		return 564
	}
	if unicode.Is(unicode.Mn, r) {
		return 0
	}
	w := 600.0 // anything else: as wide as a wide letter
	if d := []rune(norm.NFD.String(string(r))); len(d) > 0 && d[0] < 0x7f && d[0] >= ' ' {
		w = float64(table[d[0]-' '])
		if d[0] == 'o' || d[0] == 'u' || d[0] == 'O' || d[0] == 'U' {
			w += 40 // ơ, ư: the horn
		}
	}
	if r >= 0x1ea0 && r <= 0x1ef9 {
		w *= 1.25
	}
	return w
}

// textWidth is the width of s in points.
func textWidth(s string, size float64, bold bool) float64 {
	var w float64
	for _, r := range s {
		w += runeWidth(r, bold)
	}
	return w * size / 1000
}

// wrappedLines is the number of lines s takes in a cell whose text area is
// width points wide: paragraphs at line feeds, lines broken between words,
// a word longer than a line broken anywhere. It allocates nothing: the
// ranking measures every message of a national cohort.
func wrappedLines(s string, width, size float64, bold bool) int {
	if width <= 0 {
		width = 1
	}
	space := textWidth(" ", size, bold)
	lines := 1
	x := 0.0
	word := 0.0 // width of the word being read, in thousandths of an em
	inWord := false
	end := func() { // a word ends: place it
		w := word * size / 1000
		word, inWord = 0, false
		if x > 0 && x+space+w > width {
			lines++
			x = 0
		}
		if x > 0 {
			x += space
		}
		for w > width { // a word wider than the cell
			if x > 0 {
				lines++
				x = 0
			}
			lines++
			w -= width
		}
		x += w
	}
	for _, r := range s {
		switch {
		case r == '\n':
			if inWord {
				end()
			}
			lines++
			x = 0
		case unicode.IsSpace(r):
			if inWord {
				end()
			}
		default:
			word += runeWidth(r, bold)
			inWord = true
		}
	}
	if inWord {
		end()
	}
	return lines
}

// textHeight is the height of a row that shows s whole in a column
// widthUnits wide (0 for no text).
func textHeight(s string, widthUnits, size float64, bold bool) float64 {
	if strings.TrimSpace(s) == "" {
		return 0
	}
	n := wrappedLines(s, widthUnits*ptPerUnit-cellPadding, size, bold)
	return float64(n)*lineHeight(size) + rowPadding
}

// lineHeight is the height of one line of text at size points.
func lineHeight(size float64) float64 { return math.Ceil(size*lineFactor*4) / 4 }

// fitText sets a row's height to its wrapped text: for every column given
// (width in units; a merged cell's width is the sum of its columns), the
// cell's text in its own font size, boldness and indent. The row is at
// least minHeight high.
func (g *generator) fitText(sheet string, row int, widths map[string]float64, minHeight float64) {
	h := minHeight
	for col, w := range widths {
		v, _ := g.f.GetCellValue(sheet, cell(col, row))
		if strings.TrimSpace(v) == "" {
			continue
		}
		size, bold, indent := float64(defaultFontSize), false, 0
		if sid, err := g.f.GetCellStyle(sheet, cell(col, row)); err == nil && sid != 0 {
			if st, err := g.f.GetStyle(sid); err == nil {
				if st.Font != nil {
					if st.Font.Size > 0 {
						size = st.Font.Size
					}
					bold = st.Font.Bold
				}
				if st.Alignment != nil {
					indent = st.Alignment.Indent
				}
			}
		}
		width := w*ptPerUnit - cellPadding - float64(indent)*indentPt
		n := wrappedLines(v, width, size, bold)
		h = math.Max(h, float64(n)*lineHeight(size)+rowPadding)
	}
	g.check(g.f.SetRowHeight(sheet, row, math.Min(math.Ceil(h), maxRowHeight)))
}
