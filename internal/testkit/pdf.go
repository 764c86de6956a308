package testkit

import (
	"bytes"
	"compress/zlib"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/unicode/norm"
)

// Reading back what LibreOffice printed: the text (pdftotext), every word's
// box (pdftotext -bbox), and, from the PDF's own drawing instructions, the
// size every run of text is drawn at and whether LibreOffice had to clip it
// to its cell (it clips a cell's text only when the text does not fit).
// With -short, or without poppler-utils, the tests using them are skipped
// (in CI, .ci/run installs poppler-utils: there their absence fails).

// Poppler returns the folder of pdftotext and pdftoppm.
func Poppler(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("PDF checks are slow; skipped with -short")
	}
	p, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext not found: .ci/run should have installed poppler-utils")
		}
		t.Skip("poppler-utils not installed")
	}
	return filepath.Dir(p)
}

// Artifacts is the folder where a test leaves files worth looking at (PDFs,
// PNGs): $CHISO_TEST_ARTIFACTS/<test name> when that variable is set, so
// that they outlive the test, else a temporary folder.
func Artifacts(t testing.TB) string {
	t.Helper()
	root := os.Getenv("CHISO_TEST_ARTIFACTS")
	if root == "" {
		return t.TempDir()
	}
	dir := filepath.Join(root, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// PDFText is the text of a PDF as printed, read back from pdftotext's word
// boxes: the words of each line left to right, lines top to bottom, pages
// in order. Pieces of one word drawn in two fonts (a LibreOffice without
// Vietnamese letters in Liberation Serif draws them in DejaVu) are joined
// again. Text outside the page is not in it.
func PDFText(t testing.TB, pdf string) string {
	t.Helper()
	words, _ := pdfWords(t, pdf)
	var b strings.Builder
	var line []PDFWord
	flush := func() {
		sort.SliceStable(line, func(i, j int) bool { return line[i].XMin < line[j].XMin })
		for i, w := range line {
			// A space is a quarter em or more; pieces of a word touch.
			if i > 0 && w.XMin-line[i-1].XMax > 0.12*math.Min(w.Height(), line[i-1].Height()) {
				b.WriteByte(' ')
			}
			b.WriteString(w.Text)
		}
		if len(line) > 0 {
			b.WriteByte('\n')
		}
		line = line[:0]
	}
	for _, w := range words {
		if len(line) > 0 {
			l := line[0]
			// Same line: same page, and the boxes overlap by half a word.
			overlap := math.Min(l.YMax, w.YMax) - math.Max(l.YMin, w.YMin)
			if l.Page != w.Page || overlap < 0.5*math.Min(l.Height(), w.Height()) {
				flush()
			}
		}
		line = append(line, w)
	}
	flush()
	return b.String()
}

// MissingText returns the texts with a word that pdfText (PDFText) holds
// fewer times than the texts together: a text cut at the right margin, or
// left off its page. Words compare in Unicode NFKC and in the pieces a
// line may break between (after - / . @ and the like, before an opening
// bracket); a text printed more than once (a repeated header row) is fine.
func MissingText(pdfText string, texts []string) []string {
	have := map[string]int{}
	for _, w := range printWords(pdfText) {
		have[w]++
	}
	want := map[string]int{}
	for _, s := range texts {
		for _, w := range printWords(s) {
			want[w]++
		}
	}
	var missing []string
	for _, s := range texts {
		for _, w := range printWords(s) {
			if have[w] < want[w] {
				missing = append(missing, fmt.Sprintf("%q (%q printed %d times of %d)", s, w, have[w], want[w]))
				break
			}
		}
	}
	return missing
}

// printWords splits s where a printed line may break.
func printWords(s string) []string {
	var out []string
	for _, w := range strings.Fields(norm.NFKC.String(s)) {
		start := 0
		for i, r := range w {
			switch {
			case strings.ContainsRune("([{", r) && i > start:
				out = append(out, w[start:i])
				start = i
			case strings.ContainsRune("-–—/.@&,;:?!)]}%", r):
				out = append(out, w[start:i+len(string(r))])
				start = i + len(string(r))
			}
		}
		if start < len(w) {
			out = append(out, w[start:])
		}
	}
	return out
}

// PDFWord is one word as pdftotext -bbox places it: page from 1, box in
// points from the page's top left.
type PDFWord struct {
	Page                   int
	Text                   string
	XMin, YMin, XMax, YMax float64
}

// Height is the word's box height in points: the font size times its
// ascent plus descent (1.107 for Liberation Serif, Times New Roman's
// metric twin), so an 8 pt word is about 8.9 pt high.
func (w PDFWord) Height() float64 { return w.YMax - w.YMin }

func (w PDFWord) String() string {
	return fmt.Sprintf("page %d %q (%.1f pt high at %.0f,%.0f)", w.Page, w.Text, w.Height(), w.XMin, w.YMin)
}

// PDFWordHeights returns every word of a PDF with its box, the smallest
// first (pdftotext -bbox).
func PDFWordHeights(t testing.TB, pdf string) []PDFWord {
	t.Helper()
	words, _ := pdfWords(t, pdf)
	sort.SliceStable(words, func(i, j int) bool { return words[i].Height() < words[j].Height() })
	return words
}

type pdfPage struct{ w, h float64 }

func pdfWords(t testing.TB, pdf string) ([]PDFWord, []pdfPage) {
	t.Helper()
	out, err := exec.Command(filepath.Join(Poppler(t), "pdftotext"), "-bbox", "-enc", "UTF-8", pdf, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -bbox %s: %v", pdf, err)
	}
	// Words are XHTML elements; the header holds metadata we skip.
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	var words []PDFWord
	var pages []pdfPage
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("pdftotext -bbox %s: %v", pdf, err)
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		attr := func(name string) float64 {
			for _, a := range se.Attr {
				if a.Name.Local == name {
					f, _ := strconv.ParseFloat(a.Value, 64)
					return f
				}
			}
			return 0
		}
		switch se.Name.Local {
		case "page":
			pages = append(pages, pdfPage{attr("width"), attr("height")})
		case "word":
			var text string
			if err := dec.DecodeElement(&text, &se); err != nil {
				t.Fatal(err)
			}
			words = append(words, PDFWord{Page: len(pages), Text: text, XMin: attr("xMin"), YMin: attr("yMin"), XMax: attr("xMax"), YMax: attr("yMax")})
		}
	}
	return words, pages
}

// PDFPageSizes returns the width and height of every page, in points.
func PDFPageSizes(t testing.TB, pdf string) [][2]float64 {
	t.Helper()
	_, pages := pdfWords(t, pdf)
	out := make([][2]float64, len(pages))
	for i, p := range pages {
		out[i] = [2]float64{p.w, p.h}
	}
	return out
}

// PDFRun is one run of text as the PDF draws it (a Tj or TJ): page from 1,
// position in points from the page's top left, the font size it is drawn at
// after every scaling, and the cell clip it is drawn in, if any.
type PDFRun struct {
	Page    int
	X, Y    float64
	Size    float64
	Clipped bool
	Clip    [4]float64 // the clip: x, y from the top, width, height
	Words   string     // pdftotext's words at that place, for messages
}

func (r PDFRun) String() string {
	return fmt.Sprintf("page %d at %.0f,%.0f, %.1f pt: %q", r.Page, r.X, r.Y, r.Size, r.Words)
}

// PDFRuns reads every run of text of a PDF written by LibreOffice: its
// page content streams (Flate), in page order. A run is Clipped when it is
// drawn inside a clip path smaller than the page: LibreOffice clips a
// cell's text only when it does not fit the cell (a row too low for its
// wrapped lines, a word wider than its column).
func PDFRuns(t testing.TB, pdf string) []PDFRun {
	t.Helper()
	data, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	words, pages := pdfWords(t, pdf)
	var streams [][]byte
	for _, m := range streamRE.FindAllSubmatchIndex(data, -1) {
		dict, body := data[m[2]:m[3]], data[m[4]:m[5]]
		if !bytes.Contains(dict, []byte("/FlateDecode")) || bytes.Contains(dict, []byte("/Length1")) || bytes.Contains(dict, []byte("/Subtype")) {
			continue // not a page's content: a font program, an image, a form
		}
		zr, err := zlib.NewReader(bytes.NewReader(body))
		if err != nil {
			continue
		}
		b, err := io.ReadAll(zr)
		if err != nil && len(b) == 0 {
			continue
		}
		if bytes.Contains(b, []byte("BT")) && bytes.Contains(b, []byte("Tf")) {
			streams = append(streams, b)
		}
	}
	if len(streams) != len(pages) {
		t.Fatalf("%s: %d content streams with text for %d pages: not a PDF as LibreOffice writes it", pdf, len(streams), len(pages))
	}
	var runs []PDFRun
	for i, s := range streams {
		pg := pages[i]
		for _, r := range contentRuns(s, pg) {
			r.Page = i + 1
			r.Words = wordsAt(words, r.Page, r.X, r.Y)
			runs = append(runs, r)
		}
	}
	return runs
}

// PDFClipped returns the text LibreOffice clipped to its cell, text a
// reader of the printed page cannot see whole: the first run drawn in each
// clip.
func PDFClipped(t testing.TB, pdf string) []PDFRun {
	t.Helper()
	type key struct {
		page int
		clip [4]float64
	}
	seen := map[key]bool{}
	var out []PDFRun
	for _, r := range PDFRuns(t, pdf) {
		if k := (key{r.Page, r.Clip}); r.Clipped && !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

// PDFSmallest returns the run drawn at the smallest font size.
func PDFSmallest(t testing.TB, pdf string) PDFRun {
	t.Helper()
	runs := PDFRuns(t, pdf)
	if len(runs) == 0 {
		t.Fatalf("%s: no text", pdf)
	}
	min := runs[0]
	for _, r := range runs[1:] {
		if r.Size < min.Size {
			min = r
		}
	}
	return min
}

var streamRE = regexp.MustCompile(`(?s)<<((?:[^<>]|<[^<]|>[^>])*?)>>\s*stream\r?\n(.*?)\r?\nendstream`)

// wordsAt joins the words whose box starts on the baseline at x, y.
func wordsAt(words []PDFWord, page int, x, y float64) string {
	var out []string
	for _, w := range words {
		if w.Page == page && w.YMin-1 <= y && y <= w.YMax+1 && w.XMin >= x-1 && len(out) < 8 {
			out = append(out, w.Text)
		}
	}
	return strings.Join(out, " ")
}

type gstate struct {
	ctm  [6]float64
	clip *[4]float64 // x, y from the top, width, height in page points
}

func mul(a, b [6]float64) [6]float64 {
	return [6]float64{
		a[0]*b[0] + a[1]*b[2], a[0]*b[1] + a[1]*b[3],
		a[2]*b[0] + a[3]*b[2], a[2]*b[1] + a[3]*b[3],
		a[4]*b[0] + a[5]*b[2] + b[4], a[4]*b[1] + a[5]*b[3] + b[5],
	}
}

// contentRuns interprets a page's content stream far enough to place text:
// q/Q, cm, re with W/W*, BT/ET, Tf, Td/TD/Tm/T*, Tj/TJ/'/".
func contentRuns(s []byte, pg pdfPage) []PDFRun {
	ident := [6]float64{1, 0, 0, 1, 0, 0}
	st := gstate{ctm: ident}
	var stack []gstate
	var ops []string
	var rect [4]float64
	pendingClip := false
	var tm, tlm [6]float64
	var size, leading float64
	var runs []PDFRun
	num := func(i int) float64 {
		if i < 0 || i >= len(ops) {
			return 0
		}
		f, _ := strconv.ParseFloat(ops[i], 64)
		return f
	}
	n := func() int { return len(ops) }
	show := func() {
		m := mul(tm, st.ctm)
		scale := math.Sqrt(math.Abs(m[0]*m[3] - m[1]*m[2]))
		r := PDFRun{X: m[4], Y: pg.h - m[5], Size: size * scale}
		// A header or footer is drawn in a clip of its own, within the top
		// or bottom half inch of the page, where no cell is (chiso's
		// margins are at least that): not a cell.
		if c := st.clip; c != nil && c[1] < pg.h-36 && c[1]+c[3] > 36 {
			r.Clipped, r.Clip = true, *c
		}
		runs = append(runs, r)
	}
	for _, tok := range pdfTokens(s) {
		if !isOperator(tok) {
			ops = append(ops, tok)
			continue
		}
		switch tok {
		case "q":
			stack = append(stack, st)
		case "Q":
			if len(stack) > 0 {
				st, stack = stack[len(stack)-1], stack[:len(stack)-1]
			}
		case "cm":
			if n() >= 6 {
				st.ctm = mul([6]float64{num(n() - 6), num(n() - 5), num(n() - 4), num(n() - 3), num(n() - 2), num(n() - 1)}, st.ctm)
			}
		case "re":
			rect = [4]float64{num(n() - 4), num(n() - 3), num(n() - 2), num(n() - 1)}
		case "W", "W*":
			pendingClip = true
		case "n", "f", "f*", "S", "s", "B", "B*", "b", "b*":
			if pendingClip {
				w := math.Abs(rect[2] * st.ctm[0])
				h := math.Abs(rect[3] * st.ctm[3])
				if w < pg.w*0.9 || h < pg.h*0.9 {
					x, y := rect[0]*st.ctm[0]+st.ctm[4], rect[1]*st.ctm[3]+st.ctm[5]
					top := pg.h - math.Max(y, y+rect[3]*st.ctm[3])
					st.clip = &[4]float64{math.Min(x, x+rect[2]*st.ctm[0]), top, w, h}
				}
				pendingClip = false
			}
		case "BT":
			tm, tlm = ident, ident
		case "Tf":
			size = num(n() - 1)
		case "TL":
			leading = num(n() - 1)
		case "Td", "TD":
			tx, ty := num(n()-2), num(n()-1)
			if tok == "TD" {
				leading = -ty
			}
			tlm = mul([6]float64{1, 0, 0, 1, tx, ty}, tlm)
			tm = tlm
		case "Tm":
			tlm = [6]float64{num(n() - 6), num(n() - 5), num(n() - 4), num(n() - 3), num(n() - 2), num(n() - 1)}
			tm = tlm
		case "T*":
			tlm = mul([6]float64{1, 0, 0, 1, 0, -leading}, tlm)
			tm = tlm
		case "Tj", "TJ":
			show()
		case "'", "\"":
			tlm = mul([6]float64{1, 0, 0, 1, 0, -leading}, tlm)
			tm = tlm
			show()
		}
		ops = ops[:0]
	}
	return runs
}

func isOperator(tok string) bool {
	if tok == "" {
		return false
	}
	switch c := tok[0]; {
	case c == '/' || c == '(' || c == '<' || c == '[' || c == ']' || c == '>' || c == '{' || c == '}':
		return false
	case c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9'):
		return false
	}
	return tok != "true" && tok != "false" && tok != "null"
}

// pdfTokens splits a content stream into tokens; strings, hex strings and
// arrays are kept whole (their content does not matter here).
func pdfTokens(s []byte) []string {
	var toks []string
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0:
			i++
		case c == '%':
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		case c == '(':
			j, depth := i+1, 1
			for j < len(s) && depth > 0 {
				switch s[j] {
				case '\\':
					j++
				case '(':
					depth++
				case ')':
					depth--
				}
				j++
			}
			toks = append(toks, "(")
			i = j
		case c == '<' && i+1 < len(s) && s[i+1] == '<':
			toks = append(toks, "<<")
			i += 2
		case c == '>' && i+1 < len(s) && s[i+1] == '>':
			toks = append(toks, ">>")
			i += 2
		case c == '<':
			j := bytes.IndexByte(s[i:], '>')
			if j < 0 {
				j = len(s) - i - 1
			}
			toks = append(toks, "<")
			i += j + 1
		case c == '[':
			// An array (a TJ's glyphs and spacing): one token.
			j, depth := i, 0
		scan:
			for j < len(s) {
				switch s[j] {
				case '[':
					depth++
				case ']':
					depth--
					if depth == 0 {
						j++
						break scan
					}
				case '(':
					for j++; j < len(s) && s[j] != ')'; j++ {
						if s[j] == '\\' {
							j++
						}
					}
				}
				j++
			}
			toks = append(toks, "[")
			i = j
		default:
			j := i
			if c == '/' {
				j++
			}
			for j < len(s) && !strings.ContainsRune(" \n\r\t\f\x00()<>[]{}/%", rune(s[j])) {
				j++
			}
			if j == i {
				j++
			}
			toks = append(toks, string(s[i:j]))
			i = j
		}
	}
	return toks
}

// PagePNG renders one page of a PDF to a PNG beside it at dpi (pdftoppm)
// and returns its path, for a person to look at.
func PagePNG(t testing.TB, pdf string, page, dpi int) string {
	t.Helper()
	prefix := strings.TrimSuffix(pdf, filepath.Ext(pdf)) + "-p" + strconv.Itoa(page)
	p := strconv.Itoa(page)
	out, err := exec.Command(filepath.Join(Poppler(t), "pdftoppm"), "-png", "-singlefile", "-r", strconv.Itoa(dpi), "-f", p, "-l", p, pdf, prefix).CombinedOutput()
	if err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	return prefix + ".png"
}
