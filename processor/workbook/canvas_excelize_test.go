package workbook

import (
	"errors"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// excelCanvas is the annotator's canvas on excelize: the writer results
// were written with before the ooxml patcher, kept to compare the two on
// the whole corpus (TestCanvasesAgree) and to make results as the old
// writer made them (re-annotation of old results).
type excelCanvas struct {
	f  *excelize.File
	ss *styleSet
}

func newExcelCanvas(f *excelize.File) *excelCanvas { return &excelCanvas{f: f, ss: newStyleSet(f)} }

func (c *excelCanvas) sheets() []string { return c.f.GetSheetList() }

func (c *excelCanvas) hasSheet(name string) bool {
	idx, _ := c.f.GetSheetIndex(name)
	return idx >= 0
}

func (c *excelCanvas) value(sheet string, col, row int) string {
	addr, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return ""
	}
	v, _ := c.f.GetCellValue(sheet, addr, excelize.Options{RawCellValue: true})
	return v
}

func (c *excelCanvas) rows(sheet string) [][]string {
	rows, _ := c.f.GetRows(sheet, excelize.Options{RawCellValue: true})
	return rows
}

func (c *excelCanvas) style(sheet string, col, row int) (int, error) {
	addr, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return 0, err
	}
	return c.f.GetCellStyle(sheet, addr)
}

func (c *excelCanvas) colWidth(sheet string, col int) float64 {
	name, err := excelize.ColumnNumberToName(col)
	if err != nil {
		return 0
	}
	if visible, err := c.f.GetColVisible(sheet, name); err == nil && !visible {
		return 0
	}
	w, err := c.f.GetColWidth(sheet, name)
	if err != nil {
		return defaultColWidth
	}
	return w
}

func (c *excelCanvas) textFormat(style int) ooxml.TextFormat {
	tf := ooxml.TextFormat{Size: 11}
	st, err := c.f.GetStyle(style)
	if err != nil {
		return tf
	}
	if st.Font != nil {
		if st.Font.Size > 0 {
			tf.Size = st.Font.Size
		}
		tf.Bold = st.Font.Bold
	}
	if st.Alignment != nil {
		tf.Wrap, tf.Indent = st.Alignment.WrapText, st.Alignment.Indent
	}
	return tf
}

func (c *excelCanvas) merges(sheet string) []ooxml.Range {
	mc, err := c.f.GetMergeCells(sheet, true)
	if err != nil {
		return nil
	}
	var out []ooxml.Range
	for _, m := range mc {
		r, err := ooxml.ParseRange(m.GetStartAxis() + ":" + m.GetEndAxis())
		if err == nil {
			out = append(out, r)
		}
	}
	return out
}

func (c *excelCanvas) comments(sheet string) ([]ooxml.Comment, error) {
	cs, err := c.f.GetComments(sheet)
	if err != nil {
		return nil, err
	}
	out := make([]ooxml.Comment, 0, len(cs))
	for _, x := range cs {
		cm := ooxml.Comment{Ref: x.Cell, Author: x.Author}
		for _, r := range commentRuns(x) {
			run := ooxml.Run{Text: r.Text}
			if r.Font != nil {
				run.Bold, run.Italic, run.Font, run.Size, run.Color = r.Font.Bold, r.Font.Italic, r.Font.Family, r.Font.Size, r.Font.Color
			}
			cm.Runs = append(cm.Runs, run)
		}
		out = append(out, cm)
	}
	return out, nil
}

func (c *excelCanvas) fill(style int) (ooxml.Fill, error) {
	st, err := c.f.GetStyle(style)
	if err != nil {
		return ooxml.Fill{}, err
	}
	return fillOfExcel(st.Fill), nil
}

// fillOfExcel is excelize's description of a fill as an ooxml one.
func fillOfExcel(fl excelize.Fill) ooxml.Fill {
	if fl.Type != "pattern" || fl.Pattern < 0 || fl.Pattern >= len(excelizePatterns) {
		return ooxml.Fill{Pattern: "none"}
	}
	f := ooxml.Fill{Pattern: excelizePatterns[fl.Pattern]}
	if len(fl.Color) > 0 && fl.Color[0] != "" {
		f.FG = ooxml.RGB(fl.Color[0])
	}
	return f
}

func (c *excelCanvas) definedNames() []namedRef { return excelSource{c.f}.definedNames() }

func (c *excelCanvas) removeSheet(name string) error { return c.f.DeleteSheet(name) }

// addSheet adds the sheet; put first, it keeps the sheet-scoped defined
// names (print titles, filters) on their sheets: excelize's MoveSheet
// reorders the sheets but not the sheet index those names carry, so they
// are taken out before the move and put back under the same sheet names
// after it.
func (c *excelCanvas) addSheet(name string, first bool, s *sheetBuild) error {
	f := c.f
	var scoped []excelize.DefinedName
	for _, dn := range f.GetDefinedName() {
		if dn.Scope != "" && dn.Scope != "Workbook" {
			scoped = append(scoped, dn)
		}
	}
	if _, err := f.NewSheet(name); err != nil {
		return err
	}
	if first {
		for _, dn := range scoped {
			_ = f.DeleteDefinedName(&excelize.DefinedName{Name: dn.Name, Scope: dn.Scope})
		}
		if list := f.GetSheetList(); list[0] != name {
			if err := f.MoveSheet(name, list[0]); err != nil {
				return err
			}
		}
		for _, dn := range scoped {
			_ = f.SetDefinedName(&dn)
		}
	}
	var errs []error
	check := func(err error) { errs = append(errs, err) }
	for _, wd := range s.sortedWidths() {
		col := ooxml.ColName(int(wd[0]))
		check(f.SetColWidth(name, col, col, wd[1]))
	}
	for _, r := range s.sorted() {
		for _, cl := range r.cells {
			addr := ooxml.CellRef(cl.col, r.row)
			switch {
			case cl.v.isNum:
				check(f.SetCellFloat(name, addr, cl.v.num, -1, 64))
			case cl.v.text != "":
				check(f.SetCellStr(name, addr, cl.v.text))
			}
			check(f.SetCellStyle(name, addr, addr, cl.style))
		}
		if r.height > 0 {
			check(f.SetRowHeight(name, r.row, r.height))
		}
	}
	for _, m := range s.merges {
		check(f.MergeCell(name, ooxml.CellRef(m.Col1, m.Row1), ooxml.CellRef(m.Col2, m.Row2)))
	}
	for _, l := range s.links {
		check(f.SetCellHyperLink(name, ooxml.CellRef(l.col, l.row), l.location, "Location"))
	}
	if ps := s.page; ps != nil {
		size, one, zero := 9, 1, 0
		orient := "portrait"
		if ps.Landscape {
			orient = "landscape"
		}
		fit := ps.FitToWidth
		check(f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}))
		check(f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}))
		check(f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{Left: &ps.Left, Right: &ps.Right, Top: &ps.Top, Bottom: &ps.Bottom}))
		check(f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{OddFooter: ps.Footer}))
	}
	if s.titleFrom > 0 {
		check(f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: name,
			RefersTo: quoteSheet(name) + "!$" + strconv.Itoa(s.titleFrom) + ":$" + strconv.Itoa(s.titleTo)}))
	}
	if s.freezeRows > 0 {
		top := ooxml.CellRef(1, s.freezeRows+1)
		check(f.SetPanes(name, &excelize.Panes{Freeze: true, YSplit: s.freezeRows, TopLeftCell: top, ActivePane: "bottomLeft"}))
	}
	return errors.Join(errs...)
}

func (c *excelCanvas) setCell(sheet string, col, row int, v cellValue, style int) error {
	addr := ooxml.CellRef(col, row)
	var err error
	switch {
	case v.isNum:
		err = c.f.SetCellFloat(sheet, addr, v.num, -1, 64)
	case v.text == "":
		err = c.f.SetCellValue(sheet, addr, nil)
	default:
		err = c.f.SetCellStr(sheet, addr, v.text)
	}
	if err != nil || style < 0 {
		return err
	}
	return c.f.SetCellStyle(sheet, addr, addr, style)
}

func (c *excelCanvas) setStyle(sheet string, col, row int, style int) error {
	addr := ooxml.CellRef(col, row)
	return c.f.SetCellStyle(sheet, addr, addr, style)
}

func (c *excelCanvas) setColWidth(sheet string, col int, width float64) error {
	n := ooxml.ColName(col)
	return c.f.SetColWidth(sheet, n, n, width)
}

func (c *excelCanvas) growRow(sheet string, row int, height float64) error {
	if h, err := c.f.GetRowHeight(sheet, row); err == nil && h < height {
		return c.f.SetRowHeight(sheet, row, height)
	}
	return nil
}

// deriveFill makes a format as the excelize annotator did: the style read
// back, its fill replaced, its colours made RGB (see rgbOnly).
func (c *excelCanvas) deriveFill(style int, fl ooxml.Fill) (int, error) {
	st, err := c.f.GetStyle(style)
	if err != nil {
		return 0, err
	}
	st.Fill = excelize.Fill{Type: "pattern", Pattern: max(patternNumber(fl.Pattern), 0)}
	if h := fl.FG.Hex(); h != "" {
		st.Fill.Color = []string{h}
	}
	rgbOnly(st)
	return c.f.NewStyle(st)
}

func (c *excelCanvas) addStyle(l look) (int, error) {
	id := c.ss.id(l)
	return id, c.ss.err
}

func (c *excelCanvas) setComments(sheet string, cs []ooxml.Comment) error {
	old, _ := c.f.GetComments(sheet)
	for _, x := range old {
		if err := c.f.DeleteComment(sheet, x.Cell); err != nil {
			return err
		}
	}
	for _, x := range cs {
		ec := excelize.Comment{Cell: x.Ref, Author: x.Author, Width: uint(x.Width), Height: uint(x.Height)}
		for _, r := range x.Runs {
			run := excelize.RichTextRun{Text: r.Text}
			if r.Bold || r.Italic || r.Font != "" || r.Size != 0 || r.Color != "" {
				run.Font = &excelize.Font{Bold: r.Bold, Italic: r.Italic, Family: r.Font, Size: r.Size, Color: r.Color}
			}
			ec.Paragraph = append(ec.Paragraph, run)
		}
		if err := c.f.AddComment(sheet, ec); err != nil {
			return err
		}
	}
	return nil
}

func (c *excelCanvas) hideVery(sheet string) error { return c.f.SetSheetVisible(sheet, false, true) }

func (c *excelCanvas) activate(sheet string) error {
	idx, err := c.f.GetSheetIndex(sheet)
	if err != nil {
		return err
	}
	c.f.SetActiveSheet(idx)
	return nil
}

// commentRuns returns a comment's text as runs (a plain-text comment as one).
func commentRuns(c excelize.Comment) []excelize.RichTextRun {
	var runs []excelize.RichTextRun
	if c.Text != "" {
		runs = append(runs, excelize.RichTextRun{Text: c.Text})
	}
	return append(runs, c.Paragraph...)
}

// rgbOnly makes the colours GetStyle returns for files other programs saved
// fit NewStyle, which takes RGB and prefixes an alpha: 8-digit ARGB
// (openpyxl writes "00FF0000") would become ten digits, and an automatic
// border colour (LibreOffice) "FF" — both of which Excel ignores and
// openpyxl refuses.
func rgbOnly(st *excelize.Style) {
	fix := func(c string) string {
		c = strings.TrimPrefix(c, "#")
		if len(c) == 8 {
			return c[2:]
		}
		return c
	}
	if st.Font != nil {
		st.Font.Color = fix(st.Font.Color)
	}
	for i := range st.Border {
		// An automatic or indexed colour reads as "": NewStyle would write
		// rgb="FF". Automatic is black.
		if st.Border[i].Color = fix(st.Border[i].Color); st.Border[i].Color == "" {
			st.Border[i].Color = "000000"
		}
	}
	for i := range st.Fill.Color {
		st.Fill.Color[i] = fix(st.Fill.Color[i])
	}
}

const printTitlesName = "_xlnm.Print_Titles"

func (c *excelCanvas) printTitles(sheet string) ooxml.PrintTitles {
	for _, dn := range c.f.GetDefinedName() {
		if dn.Name == printTitlesName && dn.Scope == sheet {
			return ooxml.ParsePrintTitles(dn.RefersTo)
		}
	}
	return ooxml.PrintTitles{}
}

func (c *excelCanvas) setPrintTitles(sheet string, t ooxml.PrintTitles) error {
	_ = c.f.DeleteDefinedName(&excelize.DefinedName{Name: printTitlesName, Scope: sheet})
	if t.IsZero() {
		return nil
	}
	return c.f.SetDefinedName(&excelize.DefinedName{Name: printTitlesName, Scope: sheet, RefersTo: t.RefersTo(sheet)})
}

// setPageLayout sets what ooxml's SetPageLayout sets, with excelize's
// options.
func (c *excelCanvas) setPageLayout(sheet string, pl ooxml.PageLayout) error {
	var o excelize.PageLayoutOptions
	var fit *bool
	if pl.PaperSize > 0 {
		o.Size = &pl.PaperSize
	}
	if pl.Orientation != "" {
		o.Orientation = &pl.Orientation
	}
	if pl.Scale > 0 {
		s, off := uint(pl.Scale), false
		o.AdjustTo, fit = &s, &off
	}
	if pl.FitWidth > 0 || pl.FitHeight > 0 {
		on := true
		o.FitToWidth, o.FitToHeight, fit = &pl.FitWidth, &pl.FitHeight, &on
	}
	if pl.PageOrder != "" {
		o.PageOrder = &pl.PageOrder
	}
	errs := []error{c.f.SetPageLayout(sheet, &o)}
	if fit != nil {
		errs = append(errs, c.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: fit}))
	}
	if pl.CenterHorizontally != 0 {
		on := pl.CenterHorizontally > 0
		errs = append(errs, c.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Horizontally: &on}))
	}
	return errors.Join(errs...)
}

func (c *excelCanvas) setColBreak(sheet string, col int) error {
	return c.f.InsertPageBreak(sheet, ooxml.CellRef(col+1, 1))
}

// patternNumber is excelize's number of a fill pattern, -1 for none.
func patternNumber(name string) int {
	for i, p := range excelizePatterns {
		if p == name {
			return i
		}
	}
	return -1
}
