package ooxml

import (
	"fmt"
	"strconv"
	"strings"
)

// PageLayout changes the print set-up of an existing sheet
// ([Patch.SetPageLayout]). A zero field keeps what the sheet has; every
// other attribute of its <pageSetup> (margins, header and footer, printer
// settings) is kept as written.
type PageLayout struct {
	// PaperSize is Excel's paper number: 9 is A4.
	PaperSize int
	// Orientation is "portrait" or "landscape".
	Orientation string
	// Scale prints at this percentage (10 to 400) and turns fit-to-page
	// off: Excel and LibreOffice ignore the scale while it is on.
	Scale int
	// FitWidth and FitHeight, when either is set, fit the sheet to that
	// many pages wide and tall (0: as many as it takes) and turn
	// fit-to-page on. They cannot be set with Scale.
	FitWidth, FitHeight int
	// PageOrder is "downThenOver" (Excel's default: every page of the
	// first columns, then the next columns) or "overThenDown" (across a
	// band of rows, then the next band).
	PageOrder string
	// CenterHorizontally: 1 centres the printed area between the side
	// margins, -1 stops centring it, 0 keeps.
	CenterHorizontally int8
}

func (pl PageLayout) check() error {
	switch {
	case pl.PaperSize < 0 || pl.PaperSize > 255:
		return fmt.Errorf("ooxml: invalid paper size %d", pl.PaperSize)
	case pl.Orientation != "" && pl.Orientation != "portrait" && pl.Orientation != "landscape":
		return fmt.Errorf("ooxml: invalid orientation %q", pl.Orientation)
	case pl.Scale != 0 && (pl.Scale < 10 || pl.Scale > 400):
		return fmt.Errorf("ooxml: invalid print scale %d %%", pl.Scale)
	case pl.FitWidth < 0 || pl.FitHeight < 0 || pl.FitWidth > 32767 || pl.FitHeight > 32767:
		return fmt.Errorf("ooxml: invalid fit to %d × %d pages", pl.FitWidth, pl.FitHeight)
	case pl.Scale != 0 && pl.fits():
		return fmt.Errorf("ooxml: a print scale and fit to pages exclude each other")
	case pl.PageOrder != "" && pl.PageOrder != "downThenOver" && pl.PageOrder != "overThenDown":
		return fmt.Errorf("ooxml: invalid page order %q", pl.PageOrder)
	case pl.CenterHorizontally < -1 || pl.CenterHorizontally > 1:
		return fmt.Errorf("ooxml: invalid centring %d", pl.CenterHorizontally)
	}
	return nil
}

func (pl PageLayout) fits() bool { return pl.FitWidth > 0 || pl.FitHeight > 0 }

// fitToPage is what <pageSetUpPr fitToPage> becomes: 1 on, -1 off, 0 kept.
func (pl PageLayout) fitToPage() int8 {
	switch {
	case pl.fits():
		return 1
	case pl.Scale > 0:
		return -1
	}
	return 0
}

// setupChanges are the attributes of <pageSetup> the layout changes.
func (pl PageLayout) setupChanges() []attrChange {
	var ch []attrChange
	if pl.PaperSize > 0 {
		ch = append(ch, attrChange{name: "paperSize", value: strconv.Itoa(pl.PaperSize)})
	}
	if pl.Scale > 0 {
		ch = append(ch, attrChange{name: "scale", value: strconv.Itoa(pl.Scale)})
	}
	if pl.fits() {
		ch = append(ch, attrChange{name: "fitToWidth", value: strconv.Itoa(pl.FitWidth)},
			attrChange{name: "fitToHeight", value: strconv.Itoa(pl.FitHeight)})
	}
	if pl.PageOrder != "" {
		ch = append(ch, attrChange{name: "pageOrder", value: pl.PageOrder})
	}
	if pl.Orientation != "" {
		ch = append(ch, attrChange{name: "orientation", value: pl.Orientation})
	}
	return ch
}

// merge lays the fields set in b over pl.
func (pl PageLayout) merge(b PageLayout) PageLayout {
	a := pl
	if b.PaperSize != 0 {
		a.PaperSize = b.PaperSize
	}
	if b.Orientation != "" {
		a.Orientation = b.Orientation
	}
	if b.Scale != 0 {
		a.Scale, a.FitWidth, a.FitHeight = b.Scale, 0, 0
	}
	if b.fits() {
		a.Scale, a.FitWidth, a.FitHeight = 0, b.FitWidth, b.FitHeight
	}
	if b.PageOrder != "" {
		a.PageOrder = b.PageOrder
	}
	if b.CenterHorizontally != 0 {
		a.CenterHorizontally = b.CenterHorizontally
	}
	return a
}

// PrintTitles are the rows and the columns of a sheet printed on every
// page (Excel's _xlnm.Print_Titles name): rows Row1 to Row2 at the top,
// columns Col1 to Col2 at the left; zeros for none.
type PrintTitles struct {
	Row1, Row2 int
	Col1, Col2 int
}

// IsZero reports whether no row and no column is repeated.
func (t PrintTitles) IsZero() bool { return t.Row1 == 0 && t.Col1 == 0 }

func (t PrintTitles) check() error {
	if t.Row1 != 0 && (t.Row1 < 1 || t.Row2 < t.Row1 || t.Row2 > maxRow) ||
		t.Row1 == 0 && t.Row2 != 0 ||
		t.Col1 != 0 && (t.Col1 < 1 || t.Col2 < t.Col1 || t.Col2 > maxCol) ||
		t.Col1 == 0 && t.Col2 != 0 {
		return fmt.Errorf("ooxml: invalid print titles rows %d:%d, columns %d:%d", t.Row1, t.Row2, t.Col1, t.Col2)
	}
	return nil
}

// RefersTo is the titles as the defined name's formula, as Excel writes
// it: the columns first, "'Chỉ số'!$A:$B,'Chỉ số'!$4:$5".
func (t PrintTitles) RefersTo(sheet string) string {
	q := quoteSheet(sheet)
	var parts []string
	if t.Col1 > 0 {
		parts = append(parts, fmt.Sprintf("%s!$%s:$%s", q, ColName(t.Col1), ColName(t.Col2)))
	}
	if t.Row1 > 0 {
		parts = append(parts, fmt.Sprintf("%s!$%d:$%d", q, t.Row1, t.Row2))
	}
	return strings.Join(parts, ",")
}

// ParsePrintTitles reads a _xlnm.Print_Titles formula: areas of whole
// rows ($4:$5), whole columns ($A:$B), or ranges spanning every column
// or every row (as some producers write them), each with or without its
// sheet. What it cannot read is left out.
func ParsePrintTitles(refersTo string) PrintTitles {
	var t PrintTitles
	for _, area := range splitAreas(refersTo) {
		if i := strings.LastIndexByte(area, '!'); i >= 0 {
			area = area[i+1:]
		}
		a, b, ok := strings.Cut(strings.ReplaceAll(strings.TrimSpace(area), "$", ""), ":")
		if !ok {
			continue
		}
		if r1, err1 := strconv.Atoi(a); err1 == nil {
			if r2, err2 := strconv.Atoi(b); err2 == nil && r1 >= 1 && r2 >= r1 && r2 <= maxRow {
				t.Row1, t.Row2 = r1, r2
			}
			continue
		}
		if c1, err1 := ParseColName(a); err1 == nil {
			if c2, err2 := ParseColName(b); err2 == nil && c2 >= c1 {
				t.Col1, t.Col2 = c1, c2
			}
			continue
		}
		r, err := ParseRange(a + ":" + b)
		switch {
		case err != nil:
		case r.Col1 == 1 && r.Col2 == maxCol:
			t.Row1, t.Row2 = r.Row1, r.Row2
		case r.Row1 == 1 && r.Row2 == maxRow:
			t.Col1, t.Col2 = r.Col1, r.Col2
		}
	}
	return t
}

// splitAreas splits a formula at the commas outside quoted sheet names.
func splitAreas(s string) []string {
	var out []string
	quoted, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\'':
			quoted = !quoted // '' inside a name toggles twice
		case ',':
			if !quoted {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

// isPrintTitles reports whether a defined name is Excel's print titles.
func isPrintTitles(name string) bool { return strings.EqualFold(name, "_xlnm.Print_Titles") }

// PrintTitles returns the rows and columns a sheet prints on every page,
// as the workbook's _xlnm.Print_Titles name for that sheet says.
func (b *Book) PrintTitles(sheet string) PrintTitles {
	i := b.sheetIndex(sheet)
	if i < 0 {
		return PrintTitles{}
	}
	for _, dn := range b.names {
		if dn.LocalSheetID == i && isPrintTitles(dn.Name) {
			return ParsePrintTitles(dn.RefersTo)
		}
	}
	return PrintTitles{}
}
