package testkit

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
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
