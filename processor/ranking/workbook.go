package ranking

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/engine"
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
	wbFont        = "Times New Roman"
	commentAuthor = "chiso"
	// Charting every unit of a large cohort gives unreadable bars: beyond
	// chartAllUpTo units the totals chart shows the first chartTop only.
	chartAllUpTo = 60
	chartTop     = 30
	compareTop   = 10 // units in the pillar comparison chart
	shortName    = 50 // runes of an indicator name in the "Chi tiết" header
)

// vnZone is Vietnam's time (UTC+7, no daylight saving). Fixed rather than
// loaded: Windows machines may have no zoneinfo database.
var vnZone = time.FixedZone("ICT", 7*3600)

type wbStyles struct {
	title, note, header, headerCohort, text, wrap, center, integer, pts, ptsBold, pct, dPts, dInt, date,
	council, maxLabel, maxPts int
	green, red, redFont int // conditional (dxf) formats
}

func newWBStyles(f *excelize.File) (wbStyles, error) {
	var s wbStyles
	var err error
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	mk := func(font *excelize.Font, align *excelize.Alignment, numFmt string, fl *excelize.Fill, bordered bool) int {
		if err != nil {
			return 0
		}
		if font == nil {
			font = &excelize.Font{Size: 11}
		}
		font.Family = wbFont
		st := &excelize.Style{Font: font, Alignment: align}
		if numFmt != "" {
			st.CustomNumFmt = &numFmt
		}
		if fl != nil {
			st.Fill = *fl
		}
		if bordered {
			st.Border = border
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	left := &excelize.Alignment{Horizontal: "left", Vertical: "top"}
	center := &excelize.Alignment{Horizontal: "center", Vertical: "top"}
	right := &excelize.Alignment{Horizontal: "right", Vertical: "top"}
	headFill, cohortFill, councilFill, maxFill := fill("D9E1F2"), fill("FCE4D6"), fill("FFEB9C"), fill("F2F2F2")
	headAlign := &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}
	const pts = "0.00"
	s.title = mk(&excelize.Font{Bold: true, Size: 14}, &excelize.Alignment{Horizontal: "left", Vertical: "center"}, "", nil, false)
	s.note = mk(&excelize.Font{Italic: true, Size: 11}, &excelize.Alignment{Horizontal: "left", Vertical: "center"}, "", nil, false)
	s.header = mk(&excelize.Font{Bold: true, Size: 11}, headAlign, "", &headFill, true)
	s.headerCohort = mk(&excelize.Font{Bold: true, Size: 11}, headAlign, "", &cohortFill, true)
	s.text = mk(nil, left, "", nil, true)
	s.wrap = mk(nil, &excelize.Alignment{Horizontal: "left", Vertical: "top", WrapText: true}, "", nil, true)
	s.center = mk(nil, center, "", nil, true)
	s.integer = mk(nil, center, "#,##0", nil, true)
	s.pts = mk(nil, right, pts, nil, true)
	s.ptsBold = mk(&excelize.Font{Bold: true, Size: 11}, right, pts, nil, true)
	s.pct = mk(nil, right, "0.00%", nil, true)
	// Changes carry their sign, so a rise reads "+2.50".
	s.dPts = mk(nil, right, "+0.00;-0.00;0.00", nil, true)
	s.dInt = mk(nil, center, "+#,##0;-#,##0;0", nil, true)
	s.date = mk(nil, center, "dd/mm/yyyy hh:mm", nil, true)
	s.council = mk(nil, right, pts, &councilFill, true)
	s.maxLabel = mk(&excelize.Font{Bold: true, Size: 11}, left, "", &maxFill, true)
	s.maxPts = mk(&excelize.Font{Bold: true, Size: 11}, right, pts, &maxFill, true)
	if err != nil {
		return s, err
	}
	cond := func(fontColor, fillColor string) int {
		if err != nil {
			return 0
		}
		st := &excelize.Style{Font: &excelize.Font{Color: fontColor}}
		if fillColor != "" {
			st.Fill = fill(fillColor)
		}
		var id int
		id, err = f.NewConditionalStyle(st)
		return id
	}
	s.green = cond("006100", "C6EFCE")
	s.red = cond("9C0006", "FFC7CE")
	s.redFont = cond("C00000", "")
	return s, err
}

// wbuilder carries state while one ranking workbook is written.
type wbuilder struct {
	f      *excelize.File
	rk     *Ranking
	r      *rubric.Rubric
	st     wbStyles
	ranked []Row
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

func colName(col int) string {
	s, _ := excelize.ColumnNumberToName(col)
	return s
}

// str writes text. Everything that comes from a submission or the roster
// goes through SetCellStr, so "=…" in a unit name stays text, never a formula.
func (b *wbuilder) str(sheet string, col, row int, s string) {
	if s != "" {
		b.check(b.f.SetCellStr(sheet, ax(col, row), s))
	}
}

func (b *wbuilder) num(sheet string, col, row int, v float64) {
	b.check(b.f.SetCellFloat(sheet, ax(col, row), v, -1, 64))
}

func (b *wbuilder) integer(sheet string, col, row, v int) {
	b.check(b.f.SetCellInt(sheet, ax(col, row), int64(v)))
}

func (b *wbuilder) style(sheet string, c1, r1, c2, r2, id int) {
	if r2 < r1 || c2 < c1 {
		return
	}
	b.check(b.f.SetCellStyle(sheet, ax(c1, r1), ax(c2, r2), id))
}

func (b *wbuilder) width(sheet string, col int, w float64) {
	b.check(b.f.SetColWidth(sheet, colName(col), colName(col), w))
}

func (b *wbuilder) comment(sheet string, col, row int, text string) {
	lines := 1 + utf8.RuneCountInString(text)/45 + strings.Count(text, "\n")
	b.check(b.f.AddComment(sheet, excelize.Comment{Cell: ax(col, row), Author: commentAuthor, Width: 300, Height: uint(min(30+lines*14, 400)),
		Paragraph: []excelize.RichTextRun{{Text: text, Font: &excelize.Font{Family: wbFont, Size: 10}}}}))
}

// header writes a header row.
func (b *wbuilder) header(sheet string, row int, heads []string, height float64) {
	for i, h := range heads {
		b.str(sheet, i+1, row, h)
	}
	b.style(sheet, 1, row, len(heads), row, b.st.header)
	b.check(b.f.SetRowHeight(sheet, row, height))
}

// fitHeight sets a row's height for wrapped text: neither Excel nor
// LibreOffice grows rows on open. About one character per width unit.
func (b *wbuilder) fitHeight(sheet string, row int, text string, width float64) {
	lines := 0
	for _, l := range strings.Split(text, "\n") {
		lines += 1 + utf8.RuneCountInString(l)/int(width)
	}
	if lines > 1 {
		b.check(b.f.SetRowHeight(sheet, row, math.Min(15*float64(lines), 409)))
	}
}

// finish adds the filter and the page set-up (A4 landscape, fit to width,
// titles repeated on every page). The filter comes first: excelize's
// AutoFilter replaces the sheet properties and would drop fit-to-page.
func (b *wbuilder) finish(sheet string, headRow, lastCol, lastRow int, titles string) {
	b.check(b.f.AutoFilter(sheet, ax(1, headRow)+":"+ax(lastCol, max(lastRow, headRow)), nil))
	size, one, zero := 9, 1, 0
	orient, fit, m := "landscape", true, 0.5
	b.check(b.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}))
	b.check(b.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	b.check(b.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &m, Right: &m, Top: &m, Bottom: &m}))
	b.check(b.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&L&\"" + wbFont + "\"&A&C&\"" + wbFont + "\"Trang &P / &N"}))
	b.check(b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet, RefersTo: "'" + sheet + "'!" + titles}))
}

func (b *wbuilder) freeze(sheet string, cols, rows int) {
	b.check(b.f.SetPanes(sheet, &excelize.Panes{Freeze: true, XSplit: cols, YSplit: rows, TopLeftCell: ax(cols+1, rows+1), ActivePane: "bottomRight"}))
}

// Workbook builds the consolidated ranking workbook (xep-hang-…xlsx) in
// Vietnamese, print-ready: "Xếp hạng", "Chi tiết", "Trụ cột", "Chưa nộp" and
// "Cảnh báo". r must be the rubric the ranking was built with. generated
// is shown as "Lập lúc …", the only cell that changes between rebuilds.
func (rk *Ranking) Workbook(r *rubric.Rubric, generated time.Time) (*excelize.File, error) {
	f := excelize.NewFile()
	st, err := newWBStyles(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	b := &wbuilder{f: f, rk: rk, r: r, st: st, ranked: rk.Ranked()}
	b.check(f.SetDefaultFont(wbFont))
	b.check(f.SetSheetName("Sheet1", SheetRanking))
	for _, s := range []string{SheetDetail, SheetPillars, SheetMissing, SheetProblems} {
		_, err := f.NewSheet(s)
		b.check(err)
	}
	b.rankingSheet(generated)
	b.detailSheet()
	b.pillarSheet()
	b.missingSheet()
	b.problemSheet()
	f.SetActiveSheet(0)
	stableContentTypes(f)
	if len(b.errs) > 0 {
		f.Close()
		// The first error says what broke; a systematic one would repeat per cell.
		return nil, fmt.Errorf("bảng xếp hạng %s %d: %w (%d lỗi)", rk.Cohort, rk.Year, b.errs[0], len(b.errs))
	}
	return f, nil
}

// stableContentTypes sorts the default content types. excelize adds the
// image types from a map when the first comment is written, in random
// order; sorted, two builds of the same ranking give the same bytes.
func stableContentTypes(f *excelize.File) {
	if ct := f.ContentTypes; ct != nil {
		sort.SliceStable(ct.Defaults, func(i, j int) bool { return ct.Defaults[i].Extension < ct.Defaults[j].Extension })
	}
}

func pillarLabel(p *rubric.Pillar) string {
	return p.Code + ". " + p.Name + " (" + validate.FormatNum(p.MaxValue()) + ")"
}

// title writes the title and the line under it.
func (b *wbuilder) title(sheet, title, sub string) {
	b.str(sheet, 1, 1, title)
	b.check(b.f.SetCellStyle(sheet, "A1", "A1", b.st.title))
	b.check(b.f.SetRowHeight(sheet, 1, 22))
	b.str(sheet, 1, 2, sub)
	b.check(b.f.SetCellStyle(sheet, "A2", "A3", b.st.note))
}

func (b *wbuilder) nameWidth() float64 {
	w := 18
	for _, x := range b.rk.Rows {
		w = max(w, utf8.RuneCountInString(x.Name)+2)
	}
	return float64(min(w, 40))
}

func (b *wbuilder) rankingSheet(generated time.Time) {
	sh, rk, st := SheetRanking, b.rk, b.st
	b.title(sh, strings.ToUpper("Xếp hạng chỉ số chuyển đổi số năm "+strconv.Itoa(rk.Year))+" — "+rk.Cohort,
		fmt.Sprintf("Bộ chỉ số: %s. Cụm: %s. Điểm tối đa: %s. Đã nộp: %d/%d đơn vị.", rk.RubricName, rk.Cohort,
			validate.FormatNum(rk.Max), len(b.ranked), len(rk.Rows)))
	b.str(sh, 1, 3, "Lập lúc "+generated.In(vnZone).Format("02/01/2006 15:04"))

	const hdr = 4
	heads := []string{"Hạng", "Mã đơn vị", "Đơn vị", "Tổng điểm (điểm đạt được)", "% điểm tối đa"}
	cPillar := len(heads) + 1
	for _, p := range b.r.Pillars {
		heads = append(heads, pillarLabel(p))
	}
	cSelf := len(heads) + 1
	heads = append(heads, "Điểm tự chấm", "Chênh lệch so với tự chấm", "Điểm hệ thống tính (trước thẩm định)", "Đã thẩm định",
		"Điểm năm trước", "Thay đổi điểm", "Hạng năm trước", "Thay đổi hạng (+ là tăng)", "Thời gian nộp", "Số lỗi", "Số cảnh báo", "Trạng thái")
	cDiff, cComp, cCouncil, cPrev, cDPts, cPrevRank, cDRank, cTime, cErr, cWarn, cStatus :=
		cSelf+1, cSelf+2, cSelf+3, cSelf+4, cSelf+5, cSelf+6, cSelf+7, cSelf+8, cSelf+9, cSelf+10, cSelf+11
	b.header(sh, hdr, heads, 60)

	row := hdr
	for _, x := range rk.Rows {
		row++
		if x.Rank > 0 {
			b.integer(sh, 1, row, x.Rank)
		}
		b.str(sh, 2, row, x.Code)
		b.str(sh, 3, row, x.Name)
		status := "Chưa nộp"
		if x.Submitted {
			status = "Đã nộp"
			// Points are written at their 2-decimal display precision, the
			// figures that are ranked and published in the CSV and JSON.
			b.num(sh, 4, row, x.Display)
			if rk.Max > 0 {
				b.num(sh, 5, row, engine.Round2(x.Final/rk.Max*100)/100)
			}
			for i, p := range b.r.Pillars {
				// An optional pillar that does not apply to the unit stays blank.
				if pr := x.Result.Pillar(p.Code); pr != nil && (!pr.Optional || pr.Applies) {
					b.num(sh, cPillar+i, row, engine.Round2(pr.Points))
				}
			}
			if x.HasSelf {
				b.num(sh, cSelf, row, engine.Round2(x.Self))
				b.num(sh, cDiff, row, engine.Round2(x.Final-x.Self))
			}
			b.num(sh, cComp, row, engine.Round2(x.Computed))
			if x.Council {
				b.str(sh, cCouncil, row, "Có")
				status = "Đã thẩm định"
			}
			if !x.SubmittedAt.IsZero() {
				b.check(b.f.SetCellValue(sh, ax(cTime, row), x.SubmittedAt.In(vnZone)))
			}
			b.integer(sh, cErr, row, x.Errors)
			b.integer(sh, cWarn, row, x.Warnings)
		}
		if x.Prev != nil {
			prev := engine.Round2(x.Prev.Total)
			b.num(sh, cPrev, row, prev)
			if x.Submitted {
				b.num(sh, cDPts, row, engine.Round2(x.Display-prev))
			}
			if x.Prev.Rank > 0 {
				b.integer(sh, cPrevRank, row, x.Prev.Rank)
				if x.Rank > 0 {
					b.integer(sh, cDRank, row, x.Prev.Rank-x.Rank)
				}
			}
		}
		if x.PrevNote != "" {
			b.comment(sh, cPrev, row, x.PrevNote)
		}
		b.str(sh, cStatus, row, status)
	}
	first, last := hdr+1, row
	b.style(sh, 1, first, 1, last, st.integer)
	b.style(sh, 2, first, 3, last, st.text)
	b.style(sh, 4, first, 4, last, st.ptsBold)
	b.style(sh, 5, first, 5, last, st.pct)
	b.style(sh, cPillar, first, cComp, last, st.pts)
	b.style(sh, cDiff, first, cDiff, last, st.dPts)
	b.style(sh, cCouncil, first, cCouncil, last, st.center)
	b.style(sh, cPrev, first, cPrev, last, st.pts)
	b.style(sh, cDPts, first, cDPts, last, st.dPts)
	b.style(sh, cPrevRank, first, cPrevRank, last, st.integer)
	b.style(sh, cDRank, first, cDRank, last, st.dInt)
	b.style(sh, cTime, first, cTime, last, st.date)
	b.style(sh, cErr, first, cWarn, last, st.integer)
	b.style(sh, cStatus, first, cStatus, last, st.text)

	widths := []float64{7, 11, b.nameWidth(), 12, 10}
	for range b.r.Pillars {
		widths = append(widths, 12)
	}
	widths = append(widths, 10, 11, 12, 10, 10, 10, 9, 10, 17, 7, 9, 14)
	for i, w := range widths {
		b.width(sh, i+1, w)
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
	b.freeze(sh, 3, hdr)
	b.finish(sh, hdr, len(heads), last, "$"+strconv.Itoa(hdr)+":$"+strconv.Itoa(hdr))
}

// leafIndicator is one column of "Chi tiết".
type leafIndicator struct {
	p  *rubric.Pillar
	in *rubric.Indicator
}

func truncate(s string, n int) string {
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
	b.title(sh, strings.ToUpper("Chi tiết điểm theo chỉ số thành phần năm "+strconv.Itoa(b.rk.Year))+" — "+b.rk.Cohort,
		"Cột tô màu cam: chỉ số tính tương đối theo cụm (Min-Max: (x − nhỏ nhất)/(lớn nhất − nhỏ nhất); so với cao nhất: x/lớn nhất). "+
			"Ô tô màu vàng: điểm do Hội đồng thẩm định cho (xem ghi chú trong ô).")
	const hCode, hName, hMax = 3, 4, 5
	const c0 = 5 // first indicator column
	for i, h := range []string{"Hạng", "Mã đơn vị", "Đơn vị", "Tổng điểm"} {
		b.str(sh, i+1, hCode, h)
		b.check(b.f.MergeCell(sh, ax(i+1, hCode), ax(i+1, hName)))
	}
	b.style(sh, 1, hCode, c0-1, hName, st.header)
	for i, l := range leaves {
		c := c0 + i
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
		b.str(sh, c, hCode, head)
		b.str(sh, c, hName, truncate(l.in.Name, shortName))
		b.style(sh, c, hCode, c, hName, style)
		b.num(sh, c, hMax, l.in.MaxValue())
	}
	last := c0 + len(leaves) - 1
	b.str(sh, 3, hMax, "Điểm tối đa")
	b.num(sh, 4, hMax, b.rk.Max)
	b.style(sh, 1, hMax, 3, hMax, st.maxLabel)
	b.style(sh, 4, hMax, max(last, 4), hMax, st.maxPts)
	b.check(b.f.SetRowHeight(sh, hCode, 30))
	b.check(b.f.SetRowHeight(sh, hName, 75))

	type councilCell struct {
		col, row int
		text     string
	}
	var council []councilCell
	row := hMax
	for _, x := range b.ranked {
		row++
		b.integer(sh, 1, row, x.Rank)
		b.str(sh, 2, row, x.Code)
		b.str(sh, 3, row, x.Name)
		b.num(sh, 4, row, x.Display)
		applies := map[string]bool{}
		for _, p := range x.Result.Pillars {
			applies[p.Code] = !p.Optional || p.Applies
		}
		for i, l := range leaves {
			ir := x.Result.Indicator(l.in.Code)
			if ir == nil || !applies[l.p.Code] {
				continue
			}
			b.num(sh, c0+i, row, engine.Round2(ir.Points))
			if ir.Council != nil {
				council = append(council, councilCell{c0 + i, row, "Hội đồng thẩm định: " + validate.FormatNum(*ir.Council) +
					" (hệ thống: " + validate.FormatNum(ir.Computed) + ")"})
			}
		}
	}
	b.style(sh, 1, hMax+1, 1, row, st.integer)
	b.style(sh, 2, hMax+1, 3, row, st.text)
	b.style(sh, 4, hMax+1, 4, row, st.ptsBold)
	b.style(sh, c0, hMax+1, last, row, st.pts)
	for _, c := range council {
		b.style(sh, c.col, c.row, c.col, c.row, st.council)
		b.comment(sh, c.col, c.row, c.text)
	}
	b.width(sh, 1, 7)
	b.width(sh, 2, 11)
	b.width(sh, 3, b.nameWidth())
	b.width(sh, 4, 11)
	if len(leaves) > 0 {
		b.check(b.f.SetColWidth(sh, colName(c0), colName(last), 11))
	}
	b.freeze(sh, 4, hMax)
	// The filter row is "Điểm tối đa": a filter on a header row above it
	// would sort the maxima in among the units.
	b.finish(sh, hMax, max(last, 4), row, "$"+strconv.Itoa(hCode)+":$"+strconv.Itoa(hMax))
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
	b.title(sh, strings.ToUpper("Điểm theo trụ cột năm "+strconv.Itoa(rk.Year))+" — "+rk.Cohort, note)
	const hdr = 3
	heads := []string{"Hạng", "Mã đơn vị", "Đơn vị"}
	for _, p := range b.r.Pillars {
		heads = append(heads, pillarLabel(p))
	}
	cTotal := len(heads) + 1
	heads = append(heads, "Tổng điểm")
	b.header(sh, hdr, heads, 60)
	row := hdr
	for _, x := range b.ranked {
		row++
		b.integer(sh, 1, row, x.Rank)
		b.str(sh, 2, row, x.Code)
		b.str(sh, 3, row, x.Name)
		for i, p := range b.r.Pillars {
			if pr := x.Result.Pillar(p.Code); pr != nil && (!pr.Optional || pr.Applies) {
				b.num(sh, 4+i, row, engine.Round2(pr.Points))
			}
		}
		b.num(sh, cTotal, row, x.Display)
	}
	b.style(sh, 1, hdr+1, 1, row, st.integer)
	b.style(sh, 2, hdr+1, 3, row, st.text)
	b.style(sh, 4, hdr+1, cTotal-1, row, st.pts)
	b.style(sh, cTotal, hdr+1, cTotal, row, st.ptsBold)
	b.width(sh, 1, 7)
	b.width(sh, 2, 11)
	b.width(sh, 3, b.nameWidth())
	for c := 4; c <= cTotal; c++ {
		b.width(sh, c, 12)
	}

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
	if n > 0 && len(cmp) > 0 {
		b.str(sh, cName, hdr, "Đơn vị ("+strconv.Itoa(len(top))+" đơn vị dẫn đầu)")
		for i, p := range cmp {
			b.str(sh, cName+1+i, hdr, p.Code+". "+p.Name)
		}
		b.style(sh, cName, hdr, cName+len(cmp), hdr, st.header)
		for k, x := range top {
			r := hdr + 1 + k
			b.str(sh, cName, r, x.Name)
			for i, p := range cmp {
				if pr := x.Result.Pillar(p.Code); pr != nil && (!pr.Optional || pr.Applies) {
					b.num(sh, cName+1+i, r, math.Round(pr.Points/p.MaxValue()*10000)/10000)
				}
			}
		}
		b.style(sh, cName, hdr+1, cName, hdr+len(top), st.text)
		b.style(sh, cName+1, hdr+1, cName+len(cmp), hdr+len(top), st.pct)
		b.width(sh, cName, b.nameWidth())
		b.check(b.f.SetColWidth(sh, colName(cName+1), colName(cName+len(cmp)), 12))
	}

	if n > 0 {
		quoted := "'" + sh + "'!"
		abs := func(col, r int) string { return "$" + colName(col) + "$" + strconv.Itoa(r) }
		font := &excelize.Font{Family: wbFont, Size: 12, Bold: true}
		totalTitle := "Tổng điểm"
		if chartN < n {
			totalTitle += " — " + strconv.Itoa(chartN) + " đơn vị dẫn đầu"
		}
		height := uint(120 + 18*chartN)
		at := hdr + len(top) + 3 // charts below the comparison table
		axisFont := excelize.Font{Family: wbFont, Size: 9, Color: "000000"}
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
				Legend:    excelize.ChartLegend{Position: "bottom", Font: &excelize.Font{Family: wbFont, Size: 9}},
				XAxis:     excelize.ChartAxis{Font: axisFont},
				YAxis:     excelize.ChartAxis{MajorGridLines: true, Minimum: ptrFloat(0), Maximum: ptrFloat(1), NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, Font: axisFont},
				Dimension: excelize.ChartDimension{Width: 720, Height: 420},
				Format:    excelize.GraphicOptions{AltText: cmpTitle},
			}))
		}
	}
	b.freeze(sh, 3, hdr)
	b.finish(sh, hdr, cTotal, row, "$"+strconv.Itoa(hdr)+":$"+strconv.Itoa(hdr))
}

func ptrFloat(f float64) *float64 { return &f }

func (b *wbuilder) missingSheet() {
	sh, st := SheetMissing, b.st
	missing := b.rk.Missing()
	sub := fmt.Sprintf("%d/%d đơn vị trong danh sách chưa có bản tự đánh giá được chấp nhận.", len(missing), len(b.rk.Rows))
	if len(missing) == 0 {
		sub = "Tất cả đơn vị trong danh sách đã nộp."
	}
	b.title(sh, strings.ToUpper("Đơn vị chưa nộp năm "+strconv.Itoa(b.rk.Year))+" — "+b.rk.Cohort, sub)
	const hdr = 3
	heads := []string{"Mã", "Đơn vị", "Người liên hệ", "Điện thoại", "Email", "Các lần gửi bị trả lại"}
	b.header(sh, hdr, heads, 30)
	widths := []float64{11, b.nameWidth(), 24, 15, 28, 70}
	row := hdr
	for _, x := range missing {
		row++
		// Phone numbers are text: a leading 0 must survive.
		for i, s := range []string{x.Code, x.Name, x.Contact.Contact, x.Contact.Phone, x.Contact.Email, strings.Join(x.Attempts, "\n")} {
			b.str(sh, i+1, row, s)
		}
		b.fitHeight(sh, row, strings.Join(x.Attempts, "\n"), widths[5])
	}
	b.style(sh, 1, hdr+1, 5, row, st.text)
	b.style(sh, 6, hdr+1, 6, row, st.wrap)
	for i, w := range widths {
		b.width(sh, i+1, w)
	}
	b.freeze(sh, 2, hdr)
	b.finish(sh, hdr, len(heads), row, "$"+strconv.Itoa(hdr)+":$"+strconv.Itoa(hdr))
}

func (b *wbuilder) problemSheet() {
	sh, st := SheetProblems, b.st
	const hdr = 3
	heads := []string{"Đơn vị", "Mức độ", "Chỉ số", "Ô", "Nội dung"}
	widths := []float64{b.nameWidth(), 11, 10, 18, 90}
	b.header(sh, hdr, heads, 30)
	row := hdr
	// Units in rank order; each unit's problems as validation sorted them.
	for _, x := range b.ranked {
		for _, p := range b.rk.Problems[x.UnitKey] {
			if p.Severity != validate.Error && p.Severity != validate.Warning {
				continue
			}
			row++
			for i, s := range []string{x.Name, p.Severity.Label(), p.Indicator, p.Cell, p.Message} {
				b.str(sh, i+1, row, s)
			}
			b.fitHeight(sh, row, p.Message, widths[4])
		}
	}
	sub := fmt.Sprintf("%d lỗi và cảnh báo trong các bản đã nộp. Dùng nút lọc ở dòng tiêu đề để xem theo đơn vị, mức độ hoặc chỉ số.", row-hdr)
	if row == hdr {
		sub = "Các bản đã nộp không có lỗi hay cảnh báo nào."
	}
	b.title(sh, strings.ToUpper("Lỗi và cảnh báo năm "+strconv.Itoa(b.rk.Year))+" — "+b.rk.Cohort, sub)
	b.style(sh, 1, hdr+1, 4, row, st.text)
	b.style(sh, 5, hdr+1, 5, row, st.wrap)
	for i, w := range widths {
		b.width(sh, i+1, w)
	}
	b.freeze(sh, 1, hdr)
	b.finish(sh, hdr, len(heads), row, "$"+strconv.Itoa(hdr)+":$"+strconv.Itoa(hdr))
}
