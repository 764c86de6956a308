package workbook

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode"

	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// What makes a sheet a Vietnamese administrative document (Nghị định
// 30/2020/NĐ-CP, Phụ lục I): the issuing office under its parent at the
// top left, upper case, the office in bold with a short rule under it;
// the national title and motto at the top right, bold, the motto ruled
// under; the place and date line in italics; the title; and the signature
// block at the end: the authority and title of the signer in bold upper
// case, room to sign, the name in bold. And what makes any sheet print
// legibly on A4: no text under 9 points on paper.

// Issuer is the office that issues a document and who signs it.
type Issuer struct {
	Office string // the issuing office, "UBND huyện Triệu Sơn"
	Parent string // its parent office (cơ quan chủ quản), "" for none
	Place  string // địa danh of the date line; "" takes it from Office
	// SignerAuthority is the signing authority (thẩm quyền ký: "TM. ỦY BAN
	// NHÂN DÂN", "KT. CHỦ TỊCH", …), "" for none; SignerTitle the signer's
	// title ("" reads "THỦ TRƯỞNG CƠ QUAN"); SignerName, "" leaves the line
	// blank to be written by hand.
	SignerAuthority string
	SignerTitle     string
	SignerName      string
}

const (
	nationalTitle = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
	nationalMotto = "Độc lập - Tự do - Hạnh phúc"
	// defaultSigner is the signer's title when the config gives none.
	defaultSigner = "THỦ TRƯỞNG CƠ QUAN"
)

// adminLevels are the words that begin an administrative unit's name, for
// taking the place name from an office's.
var adminLevels = []string{"ủy ban nhân dân", "uỷ ban nhân dân", "ubnd", "hđnd", "tỉnh", "thành phố", "tp.", "huyện", "quận", "thị xã", "thị trấn", "xã", "phường"}

// PlaceOf takes a place name (địa danh) from an office's name: "UBND
// huyện Triệu Sơn" gives "Triệu Sơn"; "" when it cannot tell (a
// department: "Sở Thông tin và Truyền thông" names no place).
func PlaceOf(office string) string {
	s := strings.TrimSpace(vntext.Clean(office))
	for changed := true; changed; {
		changed = false
		low := strings.ToLower(s)
		for _, w := range adminLevels {
			if strings.HasPrefix(low, w+" ") {
				s, changed = strings.TrimSpace(s[len(w):]), true
				break
			}
		}
	}
	if s == "" || strings.EqualFold(s, strings.TrimSpace(office)) {
		return ""
	}
	// "Sở Thông tin và Truyền thông tỉnh Thanh Hóa" → not a place.
	for _, r := range s {
		if !unicode.IsUpper(r) {
			return ""
		}
		break
	}
	return s
}

// dateLine is the place and date line: "Triệu Sơn, ngày 05 tháng 02 năm
// 2024" (a day under 10, and January and February, with a leading 0).
func dateLine(place string, t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = layout.Vietnam
	}
	t = t.In(loc)
	month := fmt.Sprint(int(t.Month()))
	if t.Month() <= time.February {
		month = fmt.Sprintf("%02d", int(t.Month()))
	}
	if place == "" {
		place = "………"
	}
	return fmt.Sprintf("%s, ngày %02d tháng %s năm %d", place, t.Day(), month, t.Year())
}

// upper is a heading in upper case: Vietnamese letters and "Đ" included.
func upper(s string) string { return strings.ToUpper(s) }

// ---------------------------------------------------------------- print

// A4 in points, and the margins the sheets print with (inches).
const (
	a4Short      = 595.3
	a4Long       = 841.9
	marginLeft   = 0.6
	marginRight  = 0.4
	marginTop    = 0.75
	marginBottom = 0.75
	minPaperPt   = 9.0 // the smallest text on paper
)

// colPoints is a column's printed width in points: the wider of Excel's
// (a digit of Times New Roman 11 pt rounded to 7 pixels, 5.25 points) and
// LibreOffice's (5.5 points) reading of its width, so that what is
// planned to fit a page fits in both.
func colPoints(w float64) float64 { return w*5.5 + 1 }

// printPlan is how a sheet prints: orientation, fitted to the page's width
// or at a scale, and, when it cannot fit legibly, the columns after which
// a new page starts, with the first columns repeated on every page.
type printPlan struct {
	landscape bool
	fit       bool
	scale     int
	breaks    []int // a new page after these columns
	repeat    int   // columns repeated at the left of every page
	firstBand int   // the last column of the first page
}

// planPrint plans a sheet of the given column widths whose smallest text
// is size points: portrait when it fits, else landscape, else landscape
// shrunk to the width while its text stays at least 9 points on paper,
// else landscape at full size split into bands of columns, the first
// repeat columns printed on every page.
func planPrint(widths []float64, repeat int, size float64) printPlan {
	total := 0.0
	for _, w := range widths {
		total += colPoints(w)
	}
	avail := func(landscape bool) float64 {
		w := a4Short
		if landscape {
			w = a4Long
		}
		return w - (marginLeft+marginRight)*72
	}
	pl := printPlan{scale: 100, firstBand: len(widths)}
	switch {
	case total <= avail(false):
		return pl
	case total <= avail(true):
		pl.landscape = true
		return pl
	case size*avail(true)/total >= minPaperPt+0.2: // a margin for the readers' rounding
		pl.landscape, pl.fit = true, true
		return pl
	}
	pl.landscape, pl.repeat = true, repeat
	fixed := 0.0
	for _, w := range widths[:min(repeat, len(widths))] {
		fixed += colPoints(w)
	}
	used := fixed
	for c := repeat; c < len(widths); c++ {
		w := colPoints(widths[c])
		if used+w > avail(true) && used > fixed {
			pl.breaks = append(pl.breaks, c) // after column c (1-based: the previous one)
			if len(pl.breaks) == 1 {
				pl.firstBand = c
			}
			used = fixed
		}
		used += w
	}
	return pl
}

// apply sets a sheet's page set-up from the plan, with the header and
// footer.
func (pl printPlan) apply(w *ooxml.SheetWriter, header, footer string) error {
	w.SetPageSetup(ooxml.PageSetup{Landscape: pl.landscape, FitToWidth: pl.fit, Scale: pl.scale,
		Left: marginLeft, Right: marginRight, Top: marginTop, Bottom: marginBottom, Header: header, Footer: footer})
	for _, c := range pl.breaks {
		if err := w.AddColBreak(c); err != nil {
			return err
		}
	}
	if pl.repeat > 0 && len(pl.breaks) > 0 {
		return w.SetPrintTitleColumns(1, pl.repeat)
	}
	return nil
}

// hf escapes text for a page header or footer ("&" is a code there).
func hf(s string) string { return strings.ReplaceAll(s, "&", "&&") }

// Header and footer fonts: 10 pt, at least 9 on paper at any scale the
// plans use.
const (
	hfRegular = `&"Times New Roman,Regular"&10 `
	hfBold    = `&"Times New Roman,Bold"&10 `
)

// textLines is how many lines s takes in a cell width units wide.
func textLines(s string, widthUnits, size float64, bold bool) int {
	return wrappedLines(s, widthUnits*ptPerUnit-cellPadding, size, bold)
}

// fitHeight is the height of a row holding s wrapped in a cell width
// units wide, at least min.
func fitHeight(s string, widthUnits, size float64, bold bool, min float64) float64 {
	h := float64(textLines(s, widthUnits, size, bold))*lineHeight(size) + rowPadding
	return math.Min(math.Max(h, min), maxRowHeight)
}

// sumWidth is the width in units of columns from..to (1-based) of widths.
func sumWidth(widths []float64, from, to int) float64 {
	s := 0.0
	for c := from; c <= to && c <= len(widths); c++ {
		s += widths[c-1]
	}
	return s
}

// excelPoints is a column's width as Excel draws it: w units of 7 pixels
// (a digit of the default font) at 96 dpi. Drawings are placed with it.
func excelPoints(w float64) float64 { return math.Floor(w*7+0.5) * 0.75 }

// rule returns a horizontal line length points long, centred on the
// columns from..to of widths, top points below the top of row.
func rule(widths []float64, from, to, row int, length, top float64) ooxml.Line {
	x0 := 0.0
	for c := from; c <= to; c++ {
		x0 += excelPoints(widths[c-1])
	}
	center := x0 / 2
	at := func(x float64) ooxml.Anchor {
		c := from
		for c < to && x >= excelPoints(widths[c-1]) {
			x -= excelPoints(widths[c-1])
			c++
		}
		return ooxml.Anchor{Col: c, Row: row, ColOff: int64(math.Max(0, x) * ooxml.EMUPerPoint), RowOff: int64(top * ooxml.EMUPerPoint)}
	}
	return ooxml.Line{From: at(center - length/2), To: at(center + length/2), Width: 0.75}
}
