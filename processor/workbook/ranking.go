package workbook

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/validate"
)

// Sheets of the ranking workbook, in order.
const (
	SheetRanking  = "Xếp hạng"
	SheetDetail   = "Chi tiết"
	SheetPillars  = "Trụ cột"
	SheetMissing  = "Chưa nộp"
	SheetProblems = "Cảnh báo"
)

const (
	commentAuthor = "chiso"
	// Charting every unit of a large cohort gives unreadable bars: beyond
	// chartAllUpTo units the totals chart shows the first chartTop only.
	chartAllUpTo = 60
	chartTop     = 30
	compareTop   = 10 // units in the pillar comparison chart
	shortName    = 50 // runes of an indicator name in the "Chi tiết" header
)

type wbStyles struct {
	title, note, header, headerCohort, text, wrap, center, integer, pts, ptsBold, pct, dPts, dInt, date,
	appraisal, maxLabel, maxPts int
	green, red, redFont int // conditional (dxf) formats
}

func newWBStyles(f *excelize.File) (wbStyles, error) {
	ss := newStyleSet(f)
	const l, c, r = "left", "center", "right"
	// Table cells: 11 pt, top-aligned, bordered.
	cellOf := func(h, numFmt string) look { return look{size: 11, h: h, v: "top", border: true, numFmt: numFmt} }
	head := look{bold: true, size: 11, h: c, v: c, wrap: true, border: true, fill: fillHeader}
	cohortHead := head
	cohortHead.fill = fillCohort
	const pts = "0.00"
	s := wbStyles{
		title:        ss.id(look{bold: true, size: 14, h: l, v: c}),
		note:         ss.id(look{italic: true, size: 11, h: l, v: c}),
		header:       ss.id(head),
		headerCohort: ss.id(cohortHead),
		text:         ss.id(cellOf(l, "")),
		wrap:         ss.id(look{size: 11, h: l, v: "top", wrap: true, border: true}),
		center:       ss.id(cellOf(c, "")),
		integer:      ss.id(cellOf(c, "#,##0")),
		pts:          ss.id(cellOf(r, pts)),
		ptsBold:      ss.id(look{bold: true, size: 11, h: r, v: "top", border: true, numFmt: pts}),
		pct:          ss.id(cellOf(r, "0.00%")),
		// Changes carry their sign, so a rise reads "+2.50".
		dPts:      ss.id(cellOf(r, "+0.00;-0.00;0.00")),
		dInt:      ss.id(cellOf(c, "+#,##0;-#,##0;0")),
		date:      ss.id(cellOf(c, "dd/mm/yyyy hh:mm")),
		appraisal: ss.id(look{size: 11, h: r, v: "top", border: true, numFmt: pts, fill: fillAppraise}),
		maxLabel:  ss.id(look{bold: true, size: 11, h: l, v: "top", border: true, fill: fillLabel}),
		maxPts:    ss.id(look{bold: true, size: 11, h: r, v: "top", border: true, numFmt: pts, fill: fillLabel}),
		green:     ss.conditional("006100", "C6EFCE"),
		red:       ss.conditional("9C0006", "FFC7CE"),
		redFont:   ss.conditional("C00000", ""),
	}
	return s, ss.err
}

// wbuilder carries state while one ranking workbook is written.
type wbuilder struct {
	f      *excelize.File
	rk     *ranking.Ranking
	r      *rubric.Rubric
	st     wbStyles
	ranked []ranking.Row
	errs   []error
}

func (b *wbuilder) check(err error) {
	if err != nil {
		b.errs = append(b.errs, err)
	}
}

func ax(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
}

func columnName(col int) string {
	s, _ := excelize.ColumnNumberToName(col)
	return s
}

// Every sheet is written through an excelize StreamWriter: SetCellValue keeps
// each cell as a struct until the file is saved, about 150 MB more for the
// whole country in one cohort; a sheetStream writer serialises each row as it
// comes. The price is order: whatever excelize writes before <sheetData>
// (sheet properties with the filter and fit-to-page, dimension, panes,
// column widths) is set before the first row, rows go top to bottom, and
// nothing may touch the sheet after Flush (excelize would parse the whole
// streamed sheet back and then drop the change). Conditional formats,
// comments and charts go in before Flush: the sheetStream writes them from the
// same worksheet at Flush.

// sheetLayout is what a sheet needs before its first row.
type sheetLayout struct {
	headRow          int // the filter row
	lastCol, lastRow int // the filtered table; lastRow may be headRow
	usedCol          int // last column with anything in it, if beyond lastCol
	freezeCols       int
	freezeRows       int
	widths           []float64 // columns A, B, …; 0 keeps the default
	titles           string    // rows repeated on every printed page, e.g. "$3:$3"
}

// sheetStream writes one sheet row by row.
type sheetStream struct {
	b   *wbuilder
	sw  *excelize.StreamWriter
	buf []any
}

// open sets a sheet's filter, page set-up, used range, widths and panes,
// then starts streaming it.
func (b *wbuilder) open(sheet string, l sheetLayout) *sheetStream {
	b.pageSetup(sheet, l)
	// The sheetStream writer leaves the dimension at A1; readers that trust it
	// (openpyxl in read-only mode) would see one cell.
	b.check(b.f.SetSheetDimension(sheet, "A1:"+ax(max(l.lastCol, l.usedCol), max(l.lastRow, l.headRow))))
	s := &sheetStream{b: b}
	sw, err := b.f.NewStreamWriter(sheet)
	if err != nil {
		b.check(err)
		return s
	}
	s.sw = sw
	for i, w := range l.widths {
		if w > 0 {
			b.check(sw.SetColWidth(i+1, i+1, w))
		}
	}
	b.check(sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: l.freezeCols, YSplit: l.freezeRows,
		TopLeftCell: ax(l.freezeCols+1, l.freezeRows+1), ActivePane: "bottomRight"}))
	return s
}

// pageSetup adds the filter and the page set-up (A4 landscape, fit to
// width, titles repeated on every page). The filter comes first: excelize's
// AutoFilter replaces the sheet properties and would drop fit-to-page.
func (b *wbuilder) pageSetup(sheet string, l sheetLayout) {
	b.check(b.f.AutoFilter(sheet, ax(1, l.headRow)+":"+ax(l.lastCol, max(l.lastRow, l.headRow)), nil))
	size, one, zero := 9, 1, 0
	orient, fit, m := "landscape", true, 0.5
	b.check(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}))
	b.check(b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	b.check(b.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &m, Right: &m, Top: &m, Bottom: &m}))
	b.check(b.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&L&\"" + fontName + "\"&A&C&\"" + fontName + "\"Trang &P / &N"}))
	b.check(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet, RefersTo: "'" + sheet + "'!" + l.titles}))
}

// row writes cells from column A of row r; height 0 keeps the default. A
// cell with neither style nor value is left out.
func (s *sheetStream) row(r int, cells []excelize.Cell, height float64) {
	if s.sw == nil {
		return
	}
	s.buf = s.buf[:0]
	for i, c := range cells {
		if c.StyleID == 0 && c.Value == nil {
			s.buf = append(s.buf, nil)
		} else {
			// A pointer: boxing a Cell would allocate once per cell.
			// SetRow is done with it before the caller reuses cells.
			s.buf = append(s.buf, &cells[i])
		}
	}
	s.b.check(s.sw.SetRow(ax(1, r), s.buf, excelize.RowOpts{Height: height}))
}

func (s *sheetStream) merge(c1, r1, c2, r2 int) {
	if s.sw != nil {
		s.b.check(s.sw.MergeCell(ax(c1, r1), ax(c2, r2)))
	}
}

func (s *sheetStream) flush() {
	if s.sw != nil {
		s.b.check(s.sw.Flush())
	}
}

// title writes the title (row 1), marked TẠM TÍNH or CHÍNH THỨC (bản số
// N) on every sheet, and the line under it (row 2).
func (s *sheetStream) title(title, sub string) {
	s.row(1, []excelize.Cell{textCell(s.b.st.title, title+" — "+s.b.rk.Mark())}, 22)
	s.row(2, []excelize.Cell{textCell(s.b.st.note, sub)}, 0)
}

// header writes a header row.
func (s *sheetStream) header(r int, heads []string, height float64) {
	cells := make([]excelize.Cell, len(heads))
	for i, h := range heads {
		cells[i] = textCell(s.b.st.header, h)
	}
	s.row(r, cells, height)
}

// text is a text cell. Everything that comes from a submission or the
// roster is written as a string value, never Cell.Formula: the sheetStream
// writer stores it as an inline string, so "=…" in a unit name stays text.
// An empty string gives an empty cell that keeps its style (and border).
func textCell(style int, s string) excelize.Cell {
	if s == "" {
		return excelize.Cell{StyleID: style}
	}
	return excelize.Cell{StyleID: style, Value: s}
}

// blank resets cells to empty cells with the column styles.
func blankCells(cells []excelize.Cell, styles []int) {
	for i := range cells {
		cells[i] = excelize.Cell{StyleID: styles[i]}
	}
}

// comment adds a note to a cell of a sheet being streamed (before Flush).
func (b *wbuilder) comment(col, row int, sheet, text string) {
	lines := 1 + utf8.RuneCountInString(text)/45 + strings.Count(text, "\n")
	b.check(b.f.AddComment(sheet, excelize.Comment{Cell: ax(col, row), Author: commentAuthor, Width: 300, Height: uint(min(30+lines*14, 400)),
		Paragraph: []excelize.RichTextRun{{Text: text, Font: &excelize.Font{Family: fontName, Size: 10}}}}))
}

// wrapHeight is a row's height for wrapped text, 0 for one line: neither
// Excel nor LibreOffice grows rows on open. About one character per width
// unit.
func wrapHeight(text string, width float64) float64 {
	lines := 0
	for _, l := range strings.Split(text, "\n") {
		lines += 1 + utf8.RuneCountInString(l)/int(width)
	}
	if lines > 1 {
		return math.Min(15*float64(lines), 409)
	}
	return 0
}

// WriteRanking writes the consolidated ranking workbook (xep-hang-…xlsx)
// in Vietnamese, print-ready: "Xếp hạng", "Chi tiết", "Trụ cột", "Chưa nộp"
// and "Cảnh báo". r must be the rubric the ranking was built with.
// generated is shown as "Lập lúc …", the only cell that changes between
// rebuilds: the same ranking gives the same bytes again.
func WriteRanking(w io.Writer, rk *ranking.Ranking, r *rubric.Rubric, generated time.Time) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newWBStyles(f)
	if err != nil {
		return err
	}
	b := &wbuilder{f: f, rk: rk, r: r, st: st, ranked: rk.Ranked()}
	b.check(f.SetDefaultFont(fontName))
	b.check(f.SetSheetName("Sheet1", SheetRanking))
	for _, s := range []string{SheetDetail, SheetPillars, SheetMissing, SheetProblems} {
		_, err := f.NewSheet(s)
		b.check(err)
	}
	// Before any sheet is streamed: SetActiveSheet reads every sheet.
	f.SetActiveSheet(0)
	b.rankingSheet(generated)
	b.detailSheet()
	b.pillarSheet()
	b.missingSheet()
	b.problemSheet()
	stableContentTypes(f)
	if len(b.errs) > 0 {
		// The first error says what broke; a systematic one would repeat per cell.
		return fmt.Errorf("bảng xếp hạng %s %d: %w (%d lỗi)", rk.Cohort, rk.Year, b.errs[0], len(b.errs))
	}
	if err := write(f, w); err != nil {
		return fmt.Errorf("bảng xếp hạng %s %d: %w", rk.Cohort, rk.Year, err)
	}
	return nil
}

// stableContentTypes sorts the default content types. excelize adds the
// image types from a map when the first comment is written, in random
// order; sorted, two builds of the same workbook give the same bytes.
func stableContentTypes(f *excelize.File) {
	if ct := f.ContentTypes; ct != nil {
		sort.SliceStable(ct.Defaults, func(i, j int) bool { return ct.Defaults[i].Extension < ct.Defaults[j].Extension })
	}
}

func pillarLabel(p *rubric.Pillar) string {
	return p.Code + ". " + p.Name + " (" + validate.FormatNum(p.MaxValue()) + ")"
}

func (b *wbuilder) nameWidth() float64 {
	w := 18
	for _, x := range b.rk.Rows {
		w = max(w, utf8.RuneCountInString(x.Name)+2)
	}
	return float64(min(w, 40))
}

// applies tells whether a pillar counts for a unit: an optional pillar
// that does not apply stays blank.
func pillarApplies(pr *engine.PillarResult) bool {
	return pr != nil && (!pr.Optional || pr.Applies)
}

func (b *wbuilder) rankingSheet(generated time.Time) {
	sh, rk, st := SheetRanking, b.rk, b.st
	const hdr = 4
	heads := []string{"Hạng", "Mã đơn vị", "Đơn vị", "Tổng điểm (điểm đạt được)", "% điểm tối đa"}
	cPillar := len(heads) + 1
	for _, p := range b.r.Pillars {
		heads = append(heads, pillarLabel(p))
	}
	cSelf := len(heads) + 1
	heads = append(heads, "Điểm tự chấm", "Chênh lệch so với tự chấm", "Điểm hệ thống tính (trước thẩm định)", "Đã thẩm định",
		"Điểm năm trước", "Thay đổi điểm", "Hạng năm trước", "Thay đổi hạng (+ là tăng)", "Thời gian nộp", "Nộp muộn", "Số lỗi", "Số cảnh báo", "Trạng thái")
	cDiff, cComp, cAppraised, cPrev, cDPts, cPrevRank, cDRank, cTime, cLate, cErr, cWarn, cStatus :=
		cSelf+1, cSelf+2, cSelf+3, cSelf+4, cSelf+5, cSelf+6, cSelf+7, cSelf+8, cSelf+9, cSelf+10, cSelf+11, cSelf+12
	first, last := hdr+1, hdr+len(rk.Rows)

	widths := []float64{7, 11, b.nameWidth(), 12, 10}
	for range b.r.Pillars {
		widths = append(widths, 12)
	}
	widths = append(widths, 10, 11, 12, 10, 10, 10, 9, 10, 17, 8, 7, 9, 18)
	s := b.open(sh, sheetLayout{headRow: hdr, lastCol: len(heads), lastRow: last, freezeCols: 3, freezeRows: hdr,
		widths: widths, titles: "$" + strconv.Itoa(hdr) + ":$" + strconv.Itoa(hdr)})
	sub := fmt.Sprintf("Bộ chỉ số: %s. Cụm: %s. Điểm tối đa: %s. Đã nộp: %d/%d đơn vị.", rk.RubricName, rk.Cohort,
		validate.FormatNum(rk.Max), len(b.ranked), len(rk.Rows))
	if !rk.Deadline.IsZero() {
		sub += " Hạn nộp: " + layout.Show(rk.DeadlineLast(), rk.Zone, layout.Date) + " (nộp sau hạn: nộp muộn)."
	}
	s.title(strings.ToUpper("Xếp hạng chỉ số chuyển đổi số năm "+strconv.Itoa(rk.Year))+" — "+rk.Cohort, sub)
	s.row(3, []excelize.Cell{textCell(st.note, "Lập lúc "+layout.Show(generated, rk.Zone, layout.DateTime)+b.markNote())}, 0)
	s.header(hdr, heads, 60)

	styles := make([]int, len(heads))
	for c := range styles {
		styles[c] = st.pts // pillars, self-declared, computed, previous
	}
	styles[0], styles[1], styles[2], styles[3], styles[4] = st.integer, st.text, st.text, st.ptsBold, st.pct
	for c, id := range map[int]int{cDiff: st.dPts, cAppraised: st.center, cDPts: st.dPts, cPrevRank: st.integer, cDRank: st.dInt,
		cTime: st.date, cLate: st.center, cErr: st.integer, cWarn: st.integer, cStatus: st.text} {
		styles[c-1] = id
	}
	cells := make([]excelize.Cell, len(heads))
	for i, x := range rk.Rows {
		row := first + i
		blankCells(cells, styles)
		set := func(col int, v any) { cells[col-1].Value = v }
		if x.Rank > 0 {
			set(1, x.Rank)
		}
		cells[1], cells[2] = textCell(st.text, x.Code), textCell(st.text, x.Name)
		if x.Submitted {
			// Points are written at their 2-decimal display precision, the
			// figures that are ranked and published in the CSV and JSON.
			set(4, x.Display)
			if rk.Max > 0 {
				set(5, engine.Round2(x.Final/rk.Max*100)/100)
			}
			for i, p := range b.r.Pillars {
				if pr := x.Result.Pillar(p.Code); pillarApplies(pr) {
					set(cPillar+i, engine.Round2(pr.Points))
				}
			}
			if x.HasSelf {
				set(cSelf, engine.Round2(x.Self))
				set(cDiff, engine.Round2(x.SelfBasis-x.Self))
			}
			set(cComp, engine.Round2(x.Computed))
			if x.Appraised {
				set(cAppraised, "Có")
			}
			if !x.SubmittedAt.IsZero() {
				set(cTime, x.SubmittedAt.In(b.loc()))
			}
			if x.Late {
				set(cLate, "Có")
			}
			set(cErr, x.Errors)
			set(cWarn, x.Warnings)
		}
		if x.Prev != nil {
			prev := engine.Round2(x.Prev.Total)
			set(cPrev, prev)
			if x.Submitted {
				set(cDPts, engine.Round2(x.Display-prev))
			}
			if x.Prev.Rank > 0 {
				set(cPrevRank, x.Prev.Rank)
				if x.Rank > 0 {
					set(cDRank, x.Prev.Rank-x.Rank)
				}
			}
		}
		if x.PrevNote != "" {
			b.comment(cPrev, row, sh, x.PrevNote)
		}
		set(cStatus, x.StatusText())
		s.row(row, cells, 0)
	}

	if n := len(b.ranked); n > 0 {
		ref := ax(4, first) + ":" + ax(4, first+n-1)
		rules := []excelize.ConditionalFormatOptions{{Type: "top", Criteria: "=", Value: "3", Format: &st.green}}
		// Below six ranked units the top and bottom three would overlap, and
		// one unit cannot be both the best and the worst: no bottom colour.
		if n >= 6 {
			rules = append(rules, excelize.ConditionalFormatOptions{Type: "bottom", Criteria: "=", Value: "3", Format: &st.red})
		}
		b.check(b.f.SetConditionalFormat(sh, ref, rules))
	}
	// Negative changes, including a total below the self-declared one, in red.
	for _, c := range []int{cDiff, cDPts, cDRank} {
		b.check(b.f.SetConditionalFormat(sh, ax(c, first)+":"+ax(c, max(last, first)),
			[]excelize.ConditionalFormatOptions{{Type: "cell", Criteria: "<", Value: "0", Format: &st.redFont}}))
	}
	s.flush()
}

// loc is where the ranking's times are shown.
func (b *wbuilder) loc() *time.Location {
	if b.rk.Zone == nil {
		return layout.Vietnam
	}
	return b.rk.Zone
}

// markNote says, after "Lập lúc", which version an official ranking is and
// what it replaces, or which official version is in force beside a
// provisional one.
func (b *wbuilder) markNote() string {
	rk := b.rk
	switch {
	case rk.Final && rk.Replaces > 0:
		return fmt.Sprintf(". Bảng xếp hạng CHÍNH THỨC bản số %d, thay thế bản số %d.", rk.Version, rk.Replaces) + b.cutoffNote()
	case rk.Final:
		return fmt.Sprintf(". Bảng xếp hạng CHÍNH THỨC bản số %d.", rk.Version) + b.cutoffNote()
	case rk.Official > 0:
		return fmt.Sprintf(". Bảng TẠM TÍNH, cập nhật theo các tệp nhận đến nay; bảng xếp hạng chính thức hiện hành là bản số %d (tệp …-chinh-thuc-v%d.xlsx).", rk.Official, rk.Official)
	}
	return ". Bảng TẠM TÍNH: bảng xếp hạng chính thức được ban hành khi chốt đợt thu thập."
}

// cutoffNote says which files an official ranking counts.
func (b *wbuilder) cutoffNote() string {
	if b.rk.Cutoff.IsZero() {
		return ""
	}
	return " Tính theo các tệp nhận trước khi chốt đợt thu thập (" + layout.Show(b.rk.Cutoff, b.rk.Zone, layout.TimeOnDate) + ")."
}

// leafIndicator is one column of "Chi tiết".
type leafIndicator struct {
	p  *rubric.Pillar
	in *rubric.Indicator
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func (b *wbuilder) detailSheet() {
	sh, st := SheetDetail, b.st
	var leaves []leafIndicator
	b.r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		// Reference indicators are collected, never scored: no column.
		if len(in.Children) == 0 && (in.Rule == nil || in.Rule.Kind != rubric.KindReference) {
			leaves = append(leaves, leafIndicator{p, in})
		}
	})
	const hCode, hName, hMax = 3, 4, 5
	const c0 = 5 // first indicator column
	last := c0 + len(leaves) - 1
	widths := []float64{7, 11, b.nameWidth(), 11}
	for range leaves {
		widths = append(widths, 11)
	}
	lastRow := hMax + len(b.ranked)
	// The filter row is "Điểm tối đa": a filter on a header row above it
	// would sort the maxima in among the units.
	s := b.open(sh, sheetLayout{headRow: hMax, lastCol: max(last, 4), lastRow: lastRow, freezeCols: 4, freezeRows: hMax,
		widths: widths, titles: "$" + strconv.Itoa(hCode) + ":$" + strconv.Itoa(hMax)})
	s.title(strings.ToUpper("Chi tiết điểm theo chỉ số thành phần năm "+strconv.Itoa(b.rk.Year))+" — "+b.rk.Cohort,
		"Cột tô màu cam: chỉ số tính tương đối theo cụm (Min-Max: (x − nhỏ nhất)/(lớn nhất − nhỏ nhất); so với cao nhất: x/lớn nhất). "+
			"Ô tô màu vàng: điểm do Hội đồng thẩm định cho (xem ghi chú trong ô).")

	width := max(last, 4)
	codes, names, maxima := make([]excelize.Cell, width), make([]excelize.Cell, width), make([]excelize.Cell, width)
	for i, h := range []string{"Hạng", "Mã đơn vị", "Đơn vị", "Tổng điểm"} {
		codes[i], names[i] = textCell(st.header, h), textCell(st.header, "")
		s.merge(i+1, hCode, i+1, hName)
	}
	maxima[0], maxima[1], maxima[2] = textCell(st.maxLabel, ""), textCell(st.maxLabel, ""), textCell(st.maxLabel, "Điểm tối đa")
	maxima[3] = excelize.Cell{StyleID: st.maxPts, Value: b.rk.Max}
	for i, l := range leaves {
		head, style := l.in.Code, st.header
		if l.in.Rule != nil && l.in.Rule.Kind == rubric.KindCohort {
			// The method decides the label: "Min-Max" would misdescribe x/x_best.
			style = st.headerCohort
			if l.in.Rule.Method == "minmax" {
				head += " (Min-Max)"
			} else {
				head += " (so với cao nhất)"
			}
		}
		codes[c0-1+i], names[c0-1+i] = textCell(style, head), textCell(style, truncateRunes(l.in.Name, shortName))
		maxima[c0-1+i] = excelize.Cell{StyleID: st.maxPts, Value: l.in.MaxValue()}
	}
	s.row(hCode, codes, 30)
	s.row(hName, names, 75)
	s.row(hMax, maxima, 0)

	styles := make([]int, width)
	for c := range styles {
		styles[c] = st.pts
	}
	styles[0], styles[1], styles[2], styles[3] = st.integer, st.text, st.text, st.ptsBold
	cells := make([]excelize.Cell, width)
	applied := map[string]bool{}
	for k, x := range b.ranked {
		row := hMax + 1 + k
		blankCells(cells, styles)
		cells[0].Value = x.Rank
		cells[1], cells[2] = textCell(st.text, x.Code), textCell(st.text, x.Name)
		cells[3].Value = x.Display
		clear(applied)
		for _, p := range x.Result.Pillars {
			applied[p.Code] = !p.Optional || p.Applies
		}
		for i, l := range leaves {
			ir := x.Result.Indicator(l.in.Code)
			if ir == nil || !applied[l.p.Code] {
				continue
			}
			c := c0 + i
			cells[c-1].Value = engine.Round2(ir.Points)
			if ir.Appraisal != nil {
				cells[c-1].StyleID = st.appraisal
				b.comment(c, row, sh, "Hội đồng thẩm định: "+validate.FormatNum(*ir.Appraisal)+
					" (hệ thống: "+validate.FormatNum(ir.Computed)+")")
			}
		}
		s.row(row, cells, 0)
	}
	s.flush()
}

func (b *wbuilder) pillarSheet() {
	sh, st, rk := SheetPillars, b.st, b.rk
	n := len(b.ranked)
	chartN := n
	note := "Biểu đồ: tổng điểm của từng đơn vị; so sánh các trụ cột (% điểm tối đa của trụ cột) của " + strconv.Itoa(min(n, compareTop)) + " đơn vị dẫn đầu."
	if n > chartAllUpTo {
		chartN = chartTop
		note = fmt.Sprintf("Biểu đồ tổng điểm chỉ thể hiện %d đơn vị dẫn đầu (cụm có %d đơn vị đã nộp); đầy đủ ở bảng bên trái. "+
			"Biểu đồ so sánh trụ cột: %d đơn vị dẫn đầu, theo %% điểm tối đa của trụ cột.", chartTop, n, compareTop)
	}
	if n == 0 {
		note = "Chưa có đơn vị nào nộp bản tự đánh giá hợp lệ: chưa có biểu đồ."
	}
	const hdr = 3
	heads := []string{"Hạng", "Mã đơn vị", "Đơn vị"}
	for _, p := range b.r.Pillars {
		heads = append(heads, pillarLabel(p))
	}
	cTotal := len(heads) + 1
	heads = append(heads, "Tổng điểm")

	// The comparison table beside the main one feeds the pillar chart:
	// each pillar as a share of its maximum, so pillars of different
	// weight compare. Pillars worth 0 points have no share.
	cName := cTotal + 2
	var cmp []*rubric.Pillar
	for _, p := range b.r.Pillars {
		if p.MaxValue() > 0 {
			cmp = append(cmp, p)
		}
	}
	top := b.ranked[:min(n, compareTop)]
	table := n > 0 && len(cmp) > 0
	widths := []float64{7, 11, b.nameWidth()}
	for c := 4; c <= cTotal; c++ {
		widths = append(widths, 12)
	}
	width, used := cTotal, 0
	if table {
		widths = append(widths, 0, b.nameWidth())
		for range cmp {
			widths = append(widths, 12)
		}
		width, used = cName+len(cmp), cName+len(cmp)
	}
	s := b.open(sh, sheetLayout{headRow: hdr, lastCol: cTotal, lastRow: hdr + n, usedCol: used, freezeCols: 3, freezeRows: hdr,
		widths: widths, titles: "$" + strconv.Itoa(hdr) + ":$" + strconv.Itoa(hdr)})
	s.title(strings.ToUpper("Điểm theo trụ cột năm "+strconv.Itoa(rk.Year))+" — "+rk.Cohort, note)

	cells := make([]excelize.Cell, width)
	for i, h := range heads {
		cells[i] = textCell(st.header, h)
	}
	if table {
		cells[cName-1] = textCell(st.header, "Đơn vị ("+strconv.Itoa(len(top))+" đơn vị dẫn đầu)")
		for i, p := range cmp {
			cells[cName+i] = textCell(st.header, p.Code+". "+p.Name)
		}
	}
	s.row(hdr, cells, 60)

	styles := make([]int, width)
	for c := 3; c < cTotal-1; c++ {
		styles[c] = st.pts
	}
	styles[0], styles[1], styles[2], styles[cTotal-1] = st.integer, st.text, st.text, st.ptsBold
	for k, x := range b.ranked {
		row := hdr + 1 + k
		blankCells(cells, styles)
		cells[0].Value = x.Rank
		cells[1], cells[2] = textCell(st.text, x.Code), textCell(st.text, x.Name)
		for i, p := range b.r.Pillars {
			if pr := x.Result.Pillar(p.Code); pillarApplies(pr) {
				cells[3+i].Value = engine.Round2(pr.Points)
			}
		}
		cells[cTotal-1].Value = x.Display
		if table && k < len(top) {
			cells[cName-1] = textCell(st.text, x.Name)
			for i, p := range cmp {
				cells[cName+i].StyleID = st.pct
				if pr := x.Result.Pillar(p.Code); pillarApplies(pr) {
					cells[cName+i].Value = math.Round(pr.Points/p.MaxValue()*10000) / 10000
				}
			}
		}
		s.row(row, cells, 0)
	}

	if n > 0 {
		quoted := "'" + sh + "'!"
		abs := func(col, r int) string { return "$" + columnName(col) + "$" + strconv.Itoa(r) }
		font := &excelize.Font{Family: fontName, Size: 12, Bold: true}
		totalTitle := "Tổng điểm"
		if chartN < n {
			totalTitle += " — " + strconv.Itoa(chartN) + " đơn vị dẫn đầu"
		}
		height := uint(120 + 18*chartN)
		at := hdr + len(top) + 3 // charts below the comparison table
		axisFont := excelize.Font{Family: fontName, Size: 9, Color: "000000"}
		// Horizontal bars, categories reversed: rank 1 on top, names readable.
		b.check(b.f.AddChart(sh, ax(cName, at), &excelize.Chart{
			Type:       excelize.Bar,
			VaryColors: new(bool), // one colour: the bars are one series
			Series: []excelize.ChartSeries{{Name: quoted + abs(cTotal, hdr),
				Categories: quoted + abs(3, hdr+1) + ":" + abs(3, hdr+chartN),
				Values:     quoted + abs(cTotal, hdr+1) + ":" + abs(cTotal, hdr+chartN)}},
			Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: totalTitle, Font: font}}},
			Legend:    excelize.ChartLegend{Position: "none"},
			XAxis:     excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
			YAxis:     excelize.ChartAxis{MajorGridLines: true, Minimum: ptrFloat(0), Font: axisFont},
			PlotArea:  excelize.ChartPlotArea{ShowVal: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0.00"}},
			Dimension: excelize.ChartDimension{Width: 720, Height: height},
			Format:    excelize.GraphicOptions{AltText: totalTitle},
		}))
		if len(cmp) > 0 {
			var series []excelize.ChartSeries
			for k := range top {
				r := hdr + 1 + k
				series = append(series, excelize.ChartSeries{Name: quoted + abs(cName, r),
					Categories: quoted + abs(cName+1, hdr) + ":" + abs(cName+len(cmp), hdr),
					Values:     quoted + abs(cName+1, r) + ":" + abs(cName+len(cmp), r)})
			}
			cmpTitle := "So sánh trụ cột (% điểm tối đa) — " + strconv.Itoa(len(top)) + " đơn vị dẫn đầu"
			// Clustered columns: one group per pillar, one bar per unit.
			b.check(b.f.AddChart(sh, ax(cName, at+int(height)/20+2), &excelize.Chart{
				Type:      excelize.Col,
				Series:    series,
				Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: cmpTitle, Font: font}}},
				Legend:    excelize.ChartLegend{Position: "bottom", Font: &excelize.Font{Family: fontName, Size: 9}},
				XAxis:     excelize.ChartAxis{Font: axisFont},
				YAxis:     excelize.ChartAxis{MajorGridLines: true, Minimum: ptrFloat(0), Maximum: ptrFloat(1), NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, Font: axisFont},
				Dimension: excelize.ChartDimension{Width: 720, Height: 420},
				Format:    excelize.GraphicOptions{AltText: cmpTitle},
			}))
		}
	}
	s.flush()
}

func ptrFloat(f float64) *float64 { return &f }

func (b *wbuilder) missingSheet() {
	sh, st := SheetMissing, b.st
	missing := b.rk.Missing()
	const hdr = 3
	heads := []string{"Mã", "Đơn vị", "Người liên hệ", "Điện thoại", "Email", "Các lần gửi bị trả lại"}
	widths := []float64{11, b.nameWidth(), 24, 15, 28, 70}
	s := b.open(sh, sheetLayout{headRow: hdr, lastCol: len(heads), lastRow: hdr + len(missing), freezeCols: 2, freezeRows: hdr,
		widths: widths, titles: "$" + strconv.Itoa(hdr) + ":$" + strconv.Itoa(hdr)})
	sub := fmt.Sprintf("%d/%d đơn vị trong danh sách chưa có bản tự đánh giá được chấp nhận.", len(missing), len(b.rk.Rows))
	if len(missing) == 0 {
		sub = "Tất cả đơn vị trong danh sách đã nộp."
	}
	s.title(strings.ToUpper("Đơn vị chưa nộp năm "+strconv.Itoa(b.rk.Year))+" — "+b.rk.Cohort, sub)
	s.header(hdr, heads, 30)
	cells := make([]excelize.Cell, len(heads))
	for k, x := range missing {
		attempts := strings.Join(x.Attempts, "\n")
		// Phone numbers are text: a leading 0 must survive.
		for i, v := range []string{x.Code, x.Name, x.Contact.Contact, x.Contact.Phone, x.Contact.Email} {
			cells[i] = textCell(st.text, v)
		}
		cells[5] = textCell(st.wrap, attempts)
		s.row(hdr+1+k, cells, wrapHeight(attempts, widths[5]))
	}
	s.flush()
}

func (b *wbuilder) problemSheet() {
	sh, st := SheetProblems, b.st
	const hdr = 3
	heads := []string{"Đơn vị", "Mức độ", "Chỉ số", "Ô", "Nội dung"}
	widths := []float64{b.nameWidth(), 11, 10, 18, 90}
	// Counted first: the count is in the line under the title, and the
	// sheetStream writes rows top to bottom.
	listed := func(p problem.Problem) bool { return p.Severity == problem.Error || p.Severity == problem.Warning }
	count := 0
	for _, x := range b.ranked {
		for _, p := range b.rk.Problems[x.UnitKey] {
			if listed(p) {
				count++
			}
		}
	}
	s := b.open(sh, sheetLayout{headRow: hdr, lastCol: len(heads), lastRow: hdr + count, freezeCols: 1, freezeRows: hdr,
		widths: widths, titles: "$" + strconv.Itoa(hdr) + ":$" + strconv.Itoa(hdr)})
	sub := fmt.Sprintf("%d lỗi và cảnh báo trong các bản đã nộp. Dùng nút lọc ở dòng tiêu đề để xem theo đơn vị, mức độ hoặc chỉ số.", count)
	if count == 0 {
		sub = "Các bản đã nộp không có lỗi hay cảnh báo nào."
	}
	s.title(strings.ToUpper("Lỗi và cảnh báo năm "+strconv.Itoa(b.rk.Year))+" — "+b.rk.Cohort, sub)
	s.header(hdr, heads, 30)
	row := hdr
	cells := make([]excelize.Cell, len(heads))
	// Units in rank order; each unit's problems as validation sorted them.
	for _, x := range b.ranked {
		for _, p := range b.rk.Problems[x.UnitKey] {
			if !listed(p) {
				continue
			}
			row++
			for i, v := range []string{x.Name, p.Severity.Label(), p.Indicator, p.Cell} {
				cells[i] = textCell(st.text, v)
			}
			cells[4] = textCell(st.wrap, p.Message)
			s.row(row, cells, wrapHeight(p.Message, widths[4]))
		}
	}
	s.flush()
}
