package workbook

import (
	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/problem"
)

// chiso's look, shared by every workbook it writes: one font, one border,
// one palette, one way to make a cell format.

const fontName = "Times New Roman"

// The palette (RGB).
const (
	colorBorder  = "A6A6A6"
	colorTitle   = "1F4E79" // dark blue text
	fillHeader   = "D9E1F2" // table headers
	fillSection  = "BDD7EE"
	fillPillar   = "DDEBF7"
	fillLabel    = "F2F2F2" // labels and maxima
	fillInput    = "FFF2CC" // cells a commune fills (pale yellow)
	fillSystem   = "E2EFDA" // the system's figures (pale green)
	fillTotal    = "C6E0B4" // totals (green)
	fillCohort   = "FCE4D6" // cohort-relative indicators
	fillAppraise = "FFEB9C" // appraisal scores
)

// severityFill colours a problem's cell: Excel's light red ("Bad"), its
// standard amber, and a light blue. The amber is strong on purpose: a
// paler one is hard to tell from the template's pale yellow input cells.
var severityFill = map[problem.Severity]string{
	problem.Error:   "FFC7CE",
	problem.Warning: "FFC000",
	problem.Info:    "BDD7EE",
}

// Number formats.
const (
	fmtPoints = "#,##0.00"
	// fmtDiff shows a sign, and negative differences (points lost) in red.
	fmtDiff = "+#,##0.00;[Red]-#,##0.00;0.00"
	// numFmtPoints is Excel's built-in "#,##0.00", stored by number: Excel
	// and LibreOffice show it with the reader's own separators (1.234,50
	// in Vietnamese) where a custom code may be read as written.
	numFmtPoints = 4
)

// look describes a cell format.
type look struct {
	size         float64 // points; 0 is 12
	bold, italic bool
	color        string // font colour
	h, v         string // horizontal and vertical alignment; "" is Excel's default
	wrap         bool
	indent       int
	fill         string // a solid fill, "" none
	border       bool   // thin grey border all round
	numFmt       string
	numFmtID     int  // a built-in format by number, instead of numFmt
	unlocked     bool // an input on a protected sheet
}

// styleSet makes the formats of one workbook, each once.
type styleSet struct {
	f   *excelize.File
	ids map[look]int
	err error // the first error; later calls return 0
}

func newStyleSet(f *excelize.File) *styleSet { return &styleSet{f: f, ids: map[look]int{}} }

// id returns the format of l, made on first use.
func (s *styleSet) id(l look) int {
	if id, ok := s.ids[l]; ok || s.err != nil {
		return id
	}
	size := l.size
	if size == 0 {
		size = 12
	}
	st := &excelize.Style{
		Font:       &excelize.Font{Family: fontName, Size: size, Bold: l.bold, Italic: l.italic, Color: l.color},
		Protection: &excelize.Protection{Locked: !l.unlocked},
	}
	if l.h != "" || l.v != "" || l.wrap || l.indent != 0 {
		st.Alignment = &excelize.Alignment{Horizontal: l.h, Vertical: l.v, WrapText: l.wrap, Indent: l.indent}
	}
	if l.fill != "" {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{l.fill}}
	}
	if l.border {
		st.Border = []excelize.Border{
			{Type: "left", Color: colorBorder, Style: 1}, {Type: "right", Color: colorBorder, Style: 1},
			{Type: "top", Color: colorBorder, Style: 1}, {Type: "bottom", Color: colorBorder, Style: 1},
		}
	}
	if l.numFmtID != 0 {
		st.NumFmt = l.numFmtID
	} else if l.numFmt != "" {
		f := l.numFmt
		st.CustomNumFmt = &f
	}
	id, err := s.f.NewStyle(st)
	if err != nil {
		s.err = err
		return 0
	}
	s.ids[l] = id
	return id
}
