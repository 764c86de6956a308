package workbook

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/validate"
	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// Sheets of the ranking workbook, in order: the report, the tracking
// sheet, the pillars, one detail sheet per pillar (DetailSheet), the units
// that have not submitted and the problems.
const (
	SheetRanking  = "Xếp hạng"
	SheetTracking = "Theo dõi"
	SheetPillars  = "Trụ cột"
	SheetDetail   = "Chi tiết" // followed by the pillar's code: "Chi tiết 1"
	SheetMissing  = "Chưa nộp"
	SheetProblems = "Cảnh báo"
)

// DetailSheet is the name of a pillar's detail sheet: "Chi tiết 3".
func DetailSheet(pillarCode string) string {
	code := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\'`, r) {
			return '-'
		}
		return r
	}, pillarCode)
	name := SheetDetail + " " + code
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	return name
}

const (
	commentAuthor = "chiso"
	// Charting every unit of a large cohort gives unreadable bars: beyond
	// chartAllUpTo units the totals chart shows the first chartTop only.
	chartAllUpTo = 60
	chartTop     = 30
	compareTop   = 10 // units in the pillar comparison chart
	shortName    = 60 // runes of an indicator name in a detail sheet's header
	bodySize     = 11 // points: the tables' text
)

// RankingOptions say when a ranking workbook is built and who issues it.
type RankingOptions struct {
	// Generated is shown as "Lập lúc …" and dates the report: the only
	// thing that changes between rebuilds of the same ranking (the same
	// ranking and options give the same bytes).
	Generated time.Time
	Issuer    Issuer
}

type rstyles struct {
	title, note, header, headerCohort, text, wrap, center, integer, pts, ptsBold, pct, dPts, dInt, date,
	appraisal, maxLabel, maxPts, top, bottom int
	// The report's heading and signature.
	parent, office, national, motto, dateLine, docTitle, docMark, docNote, signer int
}

func newRStyles(s *oxStyles) rstyles {
	const l, c, r = "left", "center", "right"
	cellOf := func(h, numFmt string) look { return look{size: bodySize, h: h, v: "top", border: true, numFmt: numFmt} }
	head := look{bold: true, size: bodySize, h: c, v: c, wrap: true, border: true, fill: fillHeader}
	cohortHead := head
	cohortHead.fill = fillCohort
	ptsBold := look{bold: true, size: bodySize, h: r, v: "top", border: true, numFmt: fmtPoints}
	top, bottom := ptsBold, ptsBold
	top.fill, bottom.fill = "C6EFCE", "FFC7CE"
	doc := func(size float64, bold, italic bool, h string) look {
		return look{size: size, bold: bold, italic: italic, h: h, v: c, wrap: true}
	}
	return rstyles{
		title:        s.id(look{bold: true, size: 14, h: l, v: c, wrap: true}),
		note:         s.id(look{italic: true, size: bodySize, h: l, v: "top", wrap: true}),
		header:       s.id(head),
		headerCohort: s.id(cohortHead),
		text:         s.id(cellOf(l, "")),
		wrap:         s.id(look{size: bodySize, h: l, v: "top", wrap: true, border: true}),
		center:       s.id(cellOf(c, "")),
		integer:      s.id(cellOf(c, "#,##0")),
		pts:          s.id(cellOf(r, fmtPoints)),
		ptsBold:      s.id(ptsBold),
		pct:          s.id(cellOf(r, "0.00%")),
		// Changes carry their sign, so a rise reads "+2.50"; falls in red.
		dPts:      s.id(cellOf(r, fmtDiff)),
		dInt:      s.id(cellOf(c, "+#,##0;[Red]-#,##0;0")),
		date:      s.id(cellOf(c, "dd/mm/yyyy hh:mm")),
		appraisal: s.id(look{size: bodySize, h: r, v: "top", border: true, numFmt: fmtPoints, fill: fillAppraise}),
		maxLabel:  s.id(look{bold: true, size: bodySize, h: l, v: "top", border: true, fill: fillLabel}),
		maxPts:    s.id(look{bold: true, size: bodySize, h: r, v: "top", border: true, numFmt: fmtPoints, fill: fillLabel}),
		top:       s.id(top),
		bottom:    s.id(bottom),
		parent:    s.id(doc(12, false, false, c)),
		office:    s.id(doc(12, true, false, c)),
		national:  s.id(doc(12, true, false, c)),
		motto:     s.id(doc(13, true, false, c)),
		dateLine:  s.id(doc(13, false, true, c)),
		docTitle:  s.id(doc(14, true, false, c)),
		docMark:   s.id(doc(13, true, false, c)),
		docNote:   s.id(look{italic: true, size: bodySize, h: "justify", v: "top", wrap: true}),
		signer:    s.id(look{size: 13, bold: true, h: c, v: "top", wrap: true}),
	}
}

// rbuilder carries state while one ranking workbook is written.
type rbuilder struct {
	p      *ooxml.Patch
	st     rstyles
	rk     *ranking.Ranking
	opt    RankingOptions
	ranked []*ranking.Row
	office string
	pos    int
	mu     sync.Mutex // errs: the problems sheet is built beside the others
	errs   []error
}

func (b *rbuilder) check(err error) {
	if err != nil {
		b.mu.Lock()
		b.errs = append(b.errs, err)
		b.mu.Unlock()
	}
}

// rsheet is one sheet being written, row by row.
type rsheet struct {
	b      *rbuilder
	w      *ooxml.SheetWriter
	name   string
	widths []float64
	cells  []ooxml.CellValue
}

func (b *rbuilder) sheet(name string, widths []float64) *rsheet {
	s := &rsheet{b: b, w: ooxml.NewSheetWriter(), name: name, widths: widths}
	for i, w := range widths {
		b.check(s.w.SetColWidth(i+1, i+1, w))
	}
	return s
}

// row writes cells (column i+1 for cells[i]); a cell with neither value
// nor style is left out.
func (s *rsheet) row(r int, height float64, cells []ooxml.CellValue) {
	out := s.cells[:0]
	for i, c := range cells {
		if c.Style == 0 && c.Value == ooxml.Blank() {
			continue
		}
		c.Col = i + 1
		out = append(out, c)
	}
	s.cells = out
	s.b.check(s.w.WriteRow(r, height, out...))
}

func (s *rsheet) merge(c1, r1, c2, r2 int) {
	if c2 > c1 || r2 > r1 {
		s.b.check(s.w.Merge(ooxml.Range{Col1: c1, Row1: r1, Col2: c2, Row2: r2}))
	}
}

func (s *rsheet) comment(col, row int, text string) {
	s.b.check(s.w.AddComment(ooxml.Comment{Ref: ooxml.CellRef(col, row), Author: commentAuthor, Width: 300,
		Runs: []ooxml.Run{{Text: text, Font: fontName, Size: 10}}}))
}

// print plans the sheet's pages: repeat columns on every page when it must
// be split; the header row(s) repeated at the top.
func (s *rsheet) print(repeat, titleFrom, titleTo int) printPlan {
	pl := planPrint(s.widths, repeat, bodySize)
	s.b.check(pl.apply(s.w, s.b.header(), s.b.footer()))
	if titleFrom > 0 {
		s.b.check(s.w.SetPrintTitles(titleFrom, titleTo))
	}
	return pl
}

// done ends the sheet and adds it to the workbook.
func (s *rsheet) done() {
	s.b.check(s.w.End())
	s.b.check(s.b.p.AddSheet(s.name, s.b.pos, s.w))
	s.b.pos++
}

func text(style int, s string) ooxml.CellValue {
	if s == "" {
		return ooxml.CellValue{Style: style}
	}
	return ooxml.CellValue{Style: style, Value: ooxml.Text(s)}
}

// shared is a text cell whose text repeats (a unit's name and code on
// every sheet, a status, a cell reference): written once in the workbook's
// shared-string table.
func (b *rbuilder) shared(style int, s string) ooxml.CellValue {
	if s == "" {
		return ooxml.CellValue{Style: style}
	}
	return ooxml.CellValue{Style: style, Value: b.p.Shared(s)}
}

func number(style int, x float64) ooxml.CellValue {
	return ooxml.CellValue{Style: style, Value: ooxml.Number(x)}
}

// blankCells resets cells to empty cells with the columns' styles.
func blankCells(cells []ooxml.CellValue, styles []int) {
	for i := range cells {
		cells[i] = ooxml.CellValue{Style: styles[i]}
	}
}

// WriteRanking writes the consolidated ranking workbook (xep-hang-…xlsx)
// in Vietnamese, print-ready on A4: "Xếp hạng", the report the office
// signs; "Theo dõi", submissions and self-scores; "Trụ cột", pillar
// scores and charts; one "Chi tiết" sheet per pillar; "Chưa nộp" and
// "Cảnh báo". It is written with ooxml's streaming sheet writer.
func WriteRanking(w io.Writer, rk *ranking.Ranking, opt RankingOptions) error {
	p, err := ooxml.NewWorkbook(ooxml.WorkbookOptions{Font: fontName, FontSize: bodySize})
	if err != nil {
		return err
	}
	ss := newOxStyles(p)
	b := &rbuilder{p: p, st: newRStyles(ss), rk: rk, opt: opt, office: strings.TrimSpace(vntext.Clean(opt.Issuer.Office))}
	if b.office == "" {
		b.office = rk.Cohort
	}
	for i := range rk.Rows {
		if rk.Rows[i].Rank > 0 {
			b.ranked = append(b.ranked, &rk.Rows[i])
		}
	}
	// The problems sheet, the largest (every error and warning of the
	// cohort), is built beside the others on a second core; the names it
	// shares are interned first, the patch not being safe for concurrent
	// use.
	names := map[string]ooxml.Value{}
	for _, x := range b.ranked {
		names[x.Name] = p.Shared(x.Name)
	}
	for _, sv := range []problem.Severity{problem.Error, problem.Warning} {
		names[sv.Label()] = p.Shared(sv.Label())
	}
	problems := make(chan *rsheet, 1)
	go func() { problems <- b.problemSheet(names) }()
	b.reportSheet()
	b.trackingSheet()
	b.pillarSheet()
	for k := range rk.Pillars {
		b.detailSheet(k)
	}
	b.missingSheet()
	(<-problems).done()
	b.check(ss.err)
	if len(b.errs) > 0 {
		// The first error says what broke; a systematic one would repeat per cell.
		return fmt.Errorf("bảng xếp hạng %s %d: %w (%d lỗi)", rk.Cohort, rk.Year, b.errs[0], len(b.errs))
	}
	b.check(p.SetActiveSheet(SheetRanking))
	if err := p.Write(w); err != nil {
		return fmt.Errorf("bảng xếp hạng %s %d: %w", rk.Cohort, rk.Year, err)
	}
	return nil
}

// mark is what the ranking is, for titles: "TẠM TÍNH", "CHÍNH THỨC — BẢN
// SỐ 2, THAY THẾ BẢN SỐ 1".
func (b *rbuilder) mark() string {
	rk := b.rk
	if !rk.Final {
		return "TẠM TÍNH"
	}
	s := fmt.Sprintf("CHÍNH THỨC — BẢN SỐ %d", rk.Version)
	if rk.Replaces > 0 {
		s += fmt.Sprintf(", THAY THẾ BẢN SỐ %d", rk.Replaces)
	}
	return s
}

// header and footer of every printed page: the office, what the ranking
// is (provisional or which official version), the sheet, the page.
func (b *rbuilder) header() string {
	center := hfBold + "BẢN TẠM TÍNH"
	if b.rk.Final {
		center = hfBold + fmt.Sprintf("BẢN CHÍNH THỨC SỐ %d", b.rk.Version)
	}
	return "&L" + hfRegular + hf(b.office) + "&C" + center + "&R" + hfRegular + "Năm " + strconv.Itoa(b.rk.Year)
}

func (b *rbuilder) footer() string {
	return "&L" + hfRegular + "&A — lập lúc " + hf(b.generated()) + "&R" + hfRegular + "Trang &P/&N"
}

func (b *rbuilder) generated() string {
	return layout.Show(b.opt.Generated, b.rk.Zone, layout.DateTime)
}

// title writes a working sheet's title (row 1: what, the year, TẠM TÍNH or
// CHÍNH THỨC) and the line under it (row 2: the office, then sub), each
// merged across the first page's columns.
func (s *rsheet) title(what, sub string, last int) {
	b := s.b
	t := upper(what+" năm "+strconv.Itoa(b.rk.Year)) + " (" + b.mark() + ")"
	last = max(last, 1)
	width := sumWidth(s.widths, 1, last)
	s.row(1, fitHeight(t, width, 14, true, 22), []ooxml.CellValue{text(b.st.title, t)})
	s.merge(1, 1, last, 1)
	sub = b.office + ". " + sub
	s.row(2, fitHeight(sub, width, bodySize, false, 15), []ooxml.CellValue{text(b.st.note, sub)})
	s.merge(1, 2, last, 2)
}

// headerRow writes a table's header row, its height fitted to the wrapped
// headings.
func (s *rsheet) headerRow(r int, heads []string, min float64) {
	cells := make([]ooxml.CellValue, len(heads))
	h := min
	for i, t := range heads {
		cells[i] = text(s.b.st.header, t)
		h = math.Max(h, fitHeight(t, s.widths[i], bodySize, true, min))
	}
	s.row(r, h, cells)
}

func pillarLabel(p ranking.Pillar) string {
	return p.Code + ". " + p.Name + " (" + validate.FormatNum(p.Max) + ")"
}

func (b *rbuilder) nameWidth() float64 {
	w := 18
	for _, x := range b.rk.Rows {
		w = max(w, utf8.RuneCountInString(x.Name)+2)
	}
	return float64(min(w, 34))
}

func (b *rbuilder) hasCodes() bool {
	for _, x := range b.rk.Rows {
		if x.Code != "" {
			return true
		}
	}
	return false
}

// loc is where the ranking's times are shown.
func (b *rbuilder) loc() *time.Location {
	if b.rk.Zone == nil {
		return layout.Vietnam
	}
	return b.rk.Zone
}

// markNote says which version an official ranking is and what it
// replaces, or which official version is in force beside a provisional
// one.
func (b *rbuilder) markNote() string {
	rk := b.rk
	switch {
	case rk.Final && rk.Replaces > 0:
		return fmt.Sprintf("Bảng xếp hạng CHÍNH THỨC bản số %d, thay thế bản số %d.", rk.Version, rk.Replaces) + b.cutoffNote()
	case rk.Final:
		return fmt.Sprintf("Bảng xếp hạng CHÍNH THỨC bản số %d.", rk.Version) + b.cutoffNote()
	case rk.Official > 0:
		return fmt.Sprintf("Bảng TẠM TÍNH, cập nhật theo các tệp nhận đến nay; bảng xếp hạng chính thức hiện hành là bản số %d (tệp …-chinh-thuc-v%d.xlsx).", rk.Official, rk.Official)
	}
	return "Bảng TẠM TÍNH: bảng xếp hạng chính thức được ban hành khi chốt đợt thu thập."
}

// cutoffNote says which files an official ranking counts.
func (b *rbuilder) cutoffNote() string {
	if b.rk.Cutoff.IsZero() {
		return ""
	}
	return " Tính theo các tệp nhận trước khi chốt đợt thu thập (" + layout.Show(b.rk.Cutoff, b.rk.Zone, layout.TimeOnDate) + ")."
}

// methodNote is the rubric and how the scores and ranks are computed, for
// the report.
func (b *rbuilder) methodNote() string {
	rk := b.rk
	var cohort []string
	methods := map[string]bool{}
	for _, d := range rk.Indicators {
		if d.Cohort != "" && d.Leaf {
			cohort = append(cohort, d.Code)
			methods[d.Cohort] = true
		}
	}
	s := fmt.Sprintf("Bộ chỉ số: %s; tổng điểm tối đa %s. Điểm từng chỉ số thành phần được tính theo phương pháp của bộ chỉ số từ số liệu đơn vị tự đánh giá "+
		"(chỉ số có số liệu không hợp lệ không được tính điểm cho đến khi đơn vị sửa)", rk.RubricName, viNum(rk.Max))
	if len(cohort) > 0 {
		var how []string
		if methods["minmax"] {
			how = append(how, "Min-Max: (x − nhỏ nhất)/(lớn nhất − nhỏ nhất)")
		}
		if methods["best"] {
			how = append(how, "so với cao nhất: x/lớn nhất")
		}
		s += fmt.Sprintf("; %d chỉ số (%s) tính tương đối giữa các đơn vị đã nộp (%s)", len(cohort), strings.Join(cohort, ", "), strings.Join(how, "; "))
	}
	for _, x := range b.ranked {
		if x.Appraised {
			s += "; ở các chỉ số Hội đồng thẩm định cho điểm, điểm đạt được là điểm thẩm định"
			break
		}
	}
	s += ". Xếp hạng theo tổng điểm làm tròn đến 2 chữ số thập phân; bằng điểm thì cùng hạng, xếp theo tên. "
	s += fmt.Sprintf("Đã nộp %s/%s đơn vị", vntext.Number(float64(len(b.ranked)), 0), vntext.Number(float64(len(rk.Rows)), 0))
	if !rk.Deadline.IsZero() {
		s += "; hạn nộp " + layout.Show(rk.DeadlineLast(), rk.Zone, layout.Date) + " (nộp sau hạn: nộp muộn)"
	}
	s += ". Lập lúc " + b.generated() + ". " + b.markNote()
	if rk.Comparison != "" {
		s = strings.TrimSpace(s) + " " + rk.Comparison
	}
	return s
}

// rowNote is a unit's note on the report: its status when it is not
// simply submitted, and whether the council changed its scores.
func rowNote(x *ranking.Row) string {
	s := ""
	if x.Status != ranking.Submitted {
		s = x.Status.Label()
	}
	if x.Appraised {
		if s != "" {
			s += "; "
		}
		s += "Đã thẩm định"
	}
	return s
}

// reportSheet writes "Xếp hạng" as an administrative document: the
// issuing office and the national title, the place and date, the title
// with TẠM TÍNH or CHÍNH THỨC, the rubric and method, the ranking table
// (rank, unit, total, share of the maximum, pillars, last year's total and
// rank when there are any, a note), and the signature block.
func (b *rbuilder) reportSheet() {
	rk, st := b.rk, b.st
	type column struct {
		head  string
		width float64
	}
	cols := []column{{"Hạng", 6}}
	cCode := 0
	if b.hasCodes() {
		cols = append(cols, column{"Mã", 8})
		cCode = len(cols)
	}
	cols = append(cols, column{"Đơn vị", b.nameWidth()})
	cName := len(cols)
	cols = append(cols, column{"Tổng điểm", 9}, column{"% điểm tối đa", 8})
	cTotal := cName + 1
	cPillar := len(cols) + 1
	for _, p := range rk.Pillars {
		cols = append(cols, column{pillarLabel(p), 9})
	}
	hasPrev, hasNote := false, false
	for i := range rk.Rows {
		hasPrev = hasPrev || rk.Rows[i].Prev != nil || rk.Rows[i].PrevNote != ""
		hasNote = hasNote || rowNote(&rk.Rows[i]) != ""
	}
	cPrev := 0
	if hasPrev {
		cols = append(cols, column{"Điểm năm trước", 9}, column{"Hạng năm trước", 8}, column{"Thay đổi hạng (+ là tăng)", 9})
		cPrev = len(cols) - 2
	}
	cNote := 0
	if hasNote {
		w := 10.0
		for i := range rk.Rows {
			// Wide enough in LibreOffice too (5.5 pt a unit), with room.
			w = math.Max(w, math.Ceil((textWidth(rowNote(&rk.Rows[i]), bodySize, false)+2*cellPadding)/5.5)+1)
		}
		cols = append(cols, column{"Ghi chú", math.Min(w, 24)})
		cNote = len(cols)
	}
	widths := make([]float64, len(cols))
	heads := make([]string, len(cols))
	for i, c := range cols {
		widths[i], heads[i] = c.width, c.head
	}

	// The heading's two blocks sit on the first printed page: the office
	// over the unit columns, the national title over the last columns,
	// wide enough for it (columns are widened when the table is narrow).
	need := textWidth(nationalTitle, 12, true) + 12
	pl := planPrint(widths, cName, bodySize)
	band := pl.firstBand
	right := band
	for right > cName+1 && sumWidth(widths, right, band)*ptPerUnit < need {
		right--
	}
	if short := need - sumWidth(widths, right, band)*ptPerUnit; short > 0 {
		widths[band-1] += math.Ceil(short / ptPerUnit)
		pl = planPrint(widths, cName, bodySize)
	}
	// The office's block: the unit columns, and more while it stays within
	// the left 45 % of the page (the decree's layout) and clear of the
	// national title's.
	left := cName
	for left+1 < right && sumWidth(widths, 1, left+1) <= 0.45*sumWidth(widths, 1, band) {
		left++
	}
	s := b.sheet(SheetRanking, widths)
	s.w.HideGridLines()
	s.print(cName, 0, 0)
	leftW, rightW, bandW := sumWidth(widths, 1, left), sumWidth(widths, right, band), sumWidth(widths, 1, band)

	is := b.opt.Issuer
	office := upper(b.office)
	parent := upper(strings.TrimSpace(vntext.Clean(is.Parent)))
	row := 1
	officeRow := 1
	cells := make([]ooxml.CellValue, band)
	put := func(r int, height float64, l, rt ooxml.CellValue) {
		for i := range cells {
			cells[i] = ooxml.CellValue{}
		}
		cells[0], cells[right-1] = l, rt
		s.row(r, height, cells)
		s.merge(1, r, left, r)
		s.merge(right, r, band, r)
	}
	h1 := math.Max(fitHeight(nationalTitle, rightW, 12, true, 18), 18)
	if parent != "" {
		h1 = math.Max(h1, fitHeight(parent, leftW, 12, false, 18))
		put(row, h1, text(st.parent, parent), text(st.national, nationalTitle))
		row++
		officeRow = row
		put(row, math.Max(fitHeight(office, leftW, 12, true, 18), fitHeight(nationalMotto, rightW, 13, true, 18)),
			text(st.office, office), text(st.motto, nationalMotto))
	} else {
		put(row, math.Max(h1, fitHeight(office, leftW, 12, true, 18)), text(st.office, office), text(st.national, nationalTitle))
		row++
		put(row, fitHeight(nationalMotto, rightW, 13, true, 18), ooxml.CellValue{}, text(st.motto, nationalMotto))
	}
	mottoRow := row
	row++
	// The rules: under the office, a third of its name; under the motto,
	// its whole length.
	officeLen := math.Max(40, math.Min(textWidth(office, 12, true), leftW*ptPerUnit)/3)
	b.check(s.w.AddLine(rule(widths, 1, left, officeRow+1, officeLen, 1)))
	b.check(s.w.AddLine(rule(widths, right, band, mottoRow+1, textWidth(nationalMotto, 13, true), 1)))
	s.row(row, 8, nil)
	row++
	place := strings.TrimSpace(vntext.Clean(is.Place))
	if place == "" {
		place = PlaceOf(b.office)
	}
	date := dateLine(place, b.opt.Generated, b.loc())
	put(row, fitHeight(date, rightW, 13, false, 20), ooxml.CellValue{}, text(st.dateLine, date))
	row++
	s.row(row, 10, nil)
	row++
	title := upper("Bảng xếp hạng chỉ số chuyển đổi số năm " + strconv.Itoa(rk.Year))
	s.row(row, fitHeight(title, bandW, 14, true, 22), []ooxml.CellValue{text(st.docTitle, title)})
	s.merge(1, row, band, row)
	row++
	mark := "(" + b.mark() + ")"
	s.row(row, fitHeight(mark, bandW, 13, true, 20), []ooxml.CellValue{text(st.docMark, mark)})
	s.merge(1, row, band, row)
	row++
	note := b.methodNote()
	s.row(row, fitHeight(note, bandW, bodySize, false, 15), []ooxml.CellValue{text(st.docNote, note)})
	s.merge(1, row, band, row)
	row++
	s.row(row, 8, nil)
	row++

	hdr := row
	s.headerRow(hdr, heads, 30)
	b.check(s.w.SetPrintTitles(hdr, hdr))
	s.w.Freeze(cName, hdr)
	first, last := hdr+1, hdr+len(rk.Rows)
	b.check(s.w.SetAutoFilter(ooxml.Range{Col1: 1, Row1: hdr, Col2: len(cols), Row2: max(last, hdr)}))

	styles := make([]int, len(cols))
	for c := range styles {
		styles[c] = st.pts
	}
	styles[0], styles[cName-1], styles[cTotal-1], styles[cTotal] = st.integer, st.text, st.ptsBold, st.pct
	if cCode > 0 {
		styles[cCode-1] = st.text
	}
	if cPrev > 0 {
		styles[cPrev], styles[cPrev+1] = st.integer, st.dInt
	}
	if cNote > 0 {
		styles[cNote-1] = st.text
	}
	rowCells := make([]ooxml.CellValue, len(cols))
	for i := range rk.Rows {
		x := &rk.Rows[i]
		r := first + i
		blankCells(rowCells, styles)
		set := func(col int, v ooxml.Value) { rowCells[col-1].Value = v }
		if x.Rank > 0 {
			set(1, ooxml.Number(float64(x.Rank)))
		}
		if cCode > 0 {
			rowCells[cCode-1] = b.shared(st.text, x.Code)
		}
		rowCells[cName-1] = b.shared(st.text, x.Name)
		if x.Submitted {
			// Points at their 2-decimal display precision, the figures that
			// are ranked and published in the CSV and JSON.
			set(cTotal, ooxml.Number(x.Display))
			if rk.Max > 0 {
				set(cTotal+1, ooxml.Number(engine.Round2(x.Final/rk.Max*100)/100))
			}
			for k := range rk.Pillars {
				if v := x.Pillars[k]; !math.IsNaN(v) {
					set(cPillar+k, ooxml.Number(engine.Round2(v)))
				}
			}
		}
		if cPrev > 0 && x.Prev != nil {
			set(cPrev, ooxml.Number(engine.Round2(x.Prev.Total)))
			if x.Prev.Rank > 0 {
				set(cPrev+1, ooxml.Number(float64(x.Prev.Rank)))
				if x.Rank > 0 {
					set(cPrev+2, ooxml.Number(float64(x.Prev.Rank-x.Rank)))
				}
			}
		}
		if cPrev > 0 && x.PrevNote != "" {
			s.comment(cPrev, r, x.PrevNote)
		}
		if cNote > 0 {
			rowCells[cNote-1] = b.shared(st.text, rowNote(x))
		}
		s.row(r, 0, rowCells)
	}

	// The signature block under the table, on the right: one cell, so that
	// a page break never parts the title from the name. The authority and
	// title, room to sign and seal, the name (a blank line to write it in
	// when the config has none).
	var lines []string
	if a := upper(strings.TrimSpace(vntext.Clean(is.SignerAuthority))); a != "" {
		lines = append(lines, a)
	}
	title = upper(strings.TrimSpace(vntext.Clean(is.SignerTitle)))
	if title == "" {
		title = defaultSigner
	}
	lines = append(lines, title, "", "", "", strings.TrimSpace(vntext.Clean(is.SignerName)))
	sign := strings.Join(lines, "\n")
	put(max(last, hdr)+2, fitHeight(sign, rightW, 13, true, 0), ooxml.CellValue{}, text(st.signer, sign))
	s.done()
}

// trackingSheet writes "Theo dõi": per unit, its total, self-declared
// score and the difference, the computed score before appraisal, when it
// was submitted, late, errors and warnings, status. The three best totals
// are shaded green, the three worst red (from six ranked units).
func (b *rbuilder) trackingSheet() {
	rk, st := b.rk, b.st
	hasSelf, hasCouncil, hasLate, hasPrev := false, false, false, false
	for i := range rk.Rows {
		x := &rk.Rows[i]
		hasSelf, hasCouncil, hasLate, hasPrev = hasSelf || x.HasSelf, hasCouncil || x.Appraised, hasLate || x.Late, hasPrev || x.Prev != nil
	}
	type column struct {
		head  string
		width float64
		style int
		value func(x *ranking.Row) ooxml.Value
	}
	num := func(v float64) ooxml.Value { return ooxml.Number(v) }
	cols := []column{
		{"Hạng", 6, st.integer, func(x *ranking.Row) ooxml.Value {
			if x.Rank == 0 {
				return ooxml.Blank()
			}
			return num(float64(x.Rank))
		}},
		{"Mã đơn vị", 9, st.text, func(x *ranking.Row) ooxml.Value { return b.p.Shared(x.Code) }},
		{"Đơn vị", b.nameWidth(), st.text, func(x *ranking.Row) ooxml.Value { return b.p.Shared(x.Name) }},
		{"Tổng điểm (điểm đạt được)", 10, st.ptsBold, func(x *ranking.Row) ooxml.Value { return num(x.Display) }},
	}
	if hasSelf {
		cols = append(cols,
			column{"Điểm tự chấm", 9, st.pts, func(x *ranking.Row) ooxml.Value {
				if !x.HasSelf {
					return ooxml.Blank()
				}
				return num(engine.Round2(x.Self))
			}},
			column{"Chênh lệch so với tự chấm", 10, st.dPts, func(x *ranking.Row) ooxml.Value {
				if !x.HasSelf {
					return ooxml.Blank()
				}
				return num(engine.Round2(x.SelfBasis - x.Self))
			}})
	}
	if hasCouncil {
		cols = append(cols,
			column{"Điểm hệ thống tính (trước thẩm định)", 11, st.pts, func(x *ranking.Row) ooxml.Value { return num(engine.Round2(x.Computed)) }},
			column{"Đã thẩm định", 9, st.center, func(x *ranking.Row) ooxml.Value {
				if x.Appraised {
					return ooxml.Text("Có")
				}
				return ooxml.Blank()
			}})
	}
	if hasPrev {
		cols = append(cols,
			column{"Điểm năm trước", 9, st.pts, func(x *ranking.Row) ooxml.Value {
				if x.Prev == nil {
					return ooxml.Blank()
				}
				return num(engine.Round2(x.Prev.Total))
			}},
			column{"Thay đổi điểm", 9, st.dPts, func(x *ranking.Row) ooxml.Value {
				if x.Prev == nil {
					return ooxml.Blank()
				}
				return num(engine.Round2(x.Display - engine.Round2(x.Prev.Total)))
			}})
	}
	cols = append(cols, column{"Thời gian nộp", 16, st.date, func(x *ranking.Row) ooxml.Value {
		if x.SubmittedAt.IsZero() {
			return ooxml.Blank()
		}
		return num(excelTime(x.SubmittedAt.In(b.loc())))
	}})
	if hasLate {
		cols = append(cols, column{"Nộp muộn", 8, st.center, func(x *ranking.Row) ooxml.Value {
			if x.Late {
				return ooxml.Text("Có")
			}
			return ooxml.Blank()
		}})
	}
	cols = append(cols,
		column{"Số lỗi", 7, st.integer, func(x *ranking.Row) ooxml.Value { return num(float64(x.Errors)) }},
		column{"Số cảnh báo", 8, st.integer, func(x *ranking.Row) ooxml.Value { return num(float64(x.Warnings)) }},
		column{"Trạng thái", 18, st.text, func(x *ranking.Row) ooxml.Value { return b.p.Shared(x.StatusText()) }})
	widths := make([]float64, len(cols))
	heads := make([]string, len(cols))
	for i, c := range cols {
		widths[i], heads[i] = c.width, c.head
	}
	const hdr = 3
	s := b.sheet(SheetTracking, widths)
	pl := s.print(3, hdr, hdr)
	s.w.Freeze(3, hdr)
	last := hdr + len(rk.Rows)
	b.check(s.w.SetAutoFilter(ooxml.Range{Col1: 1, Row1: hdr, Col2: len(cols), Row2: last}))
	sub := "Tổng điểm: 3 đơn vị cao nhất tô xanh"
	if len(b.ranked) >= 6 {
		sub += ", 3 đơn vị thấp nhất tô đỏ"
	}
	s.title("Theo dõi nộp báo cáo và tự chấm", sub+"; chênh lệch âm (đỏ): điểm hệ thống thấp hơn điểm đơn vị tự chấm. Lập lúc "+b.generated()+".", pl.firstBand)
	s.headerRow(hdr, heads, 30)
	// The totals shaded: the three highest and (from six ranked units,
	// so that one unit is never both) the three lowest, ties included.
	hi, lo := math.Inf(1), math.Inf(-1)
	if n := len(b.ranked); n > 0 {
		hi = b.ranked[min(2, n-1)].Display
		if n >= 6 {
			lo = b.ranked[n-3].Display
		}
	}
	cells := make([]ooxml.CellValue, len(cols))
	for i := range rk.Rows {
		x := &rk.Rows[i]
		for k, c := range cols {
			cells[k] = ooxml.CellValue{Style: c.style}
			if x.Submitted || k < 3 || k == len(cols)-1 {
				cells[k].Value = c.value(x)
			}
		}
		if x.Submitted {
			switch {
			case x.Display >= hi:
				cells[3].Style = st.top
			case x.Display <= lo:
				cells[3].Style = st.bottom
			}
		}
		s.row(hdr+1+i, 0, cells)
	}
	s.done()
}

func textOrBlank(s string) ooxml.Value {
	if s == "" {
		return ooxml.Blank()
	}
	return ooxml.Text(s)
}

// excelTime is a time as Excel's serial date (days since 30 December
// 1899), in the time's own zone.
func excelTime(t time.Time) float64 {
	y, m, d := t.Date()
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Sub(time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)).Hours() / 24
	return days + float64(t.Hour()*3600+t.Minute()*60+t.Second())/86400
}

// pillarSheet writes "Trụ cột": each unit's pillar scores and total; beside
// them each pillar as a share of its maximum for the leading units, and
// two charts (totals, pillar comparison). The table is what prints.
func (b *rbuilder) pillarSheet() {
	rk, st := b.rk, b.st
	n := len(b.ranked)
	chartN := n
	note := "Biểu đồ: tổng điểm của từng đơn vị; so sánh các trụ cột (% điểm tối đa của trụ cột) của " + strconv.Itoa(min(n, compareTop)) + " đơn vị dẫn đầu."
	if n > chartAllUpTo {
		chartN = chartTop
		note = fmt.Sprintf("Biểu đồ tổng điểm chỉ thể hiện %d đơn vị dẫn đầu (có %d đơn vị đã nộp); đầy đủ ở bảng bên trái. "+
			"Biểu đồ so sánh trụ cột: %d đơn vị dẫn đầu, theo %% điểm tối đa của trụ cột.", chartTop, n, compareTop)
	}
	if n == 0 {
		note = "Chưa có đơn vị nào nộp bản tự đánh giá hợp lệ: chưa có biểu đồ."
	}
	const hdr = 3
	heads := []string{"Hạng", "Mã đơn vị", "Đơn vị"}
	for _, p := range rk.Pillars {
		heads = append(heads, pillarLabel(p))
	}
	cTotal := len(heads) + 1
	heads = append(heads, "Tổng điểm")

	// The comparison table beside the main one feeds the pillar chart:
	// each pillar as a share of its maximum, so pillars of different
	// weight compare. Pillars worth 0 points have no share.
	cName := cTotal + 2
	var cmp []int
	for k, p := range rk.Pillars {
		if p.Max > 0 {
			cmp = append(cmp, k)
		}
	}
	top := b.ranked[:min(n, compareTop)]
	table := n > 0 && len(cmp) > 0
	widths := []float64{6, 9, b.nameWidth()}
	for c := 4; c <= cTotal; c++ {
		widths = append(widths, 10)
	}
	width := cTotal
	if table {
		widths = append(widths, 2, b.nameWidth())
		for range cmp {
			widths = append(widths, 10)
		}
		width = cName + len(cmp)
	}
	s := b.sheet(SheetPillars, widths)
	// Only the table prints; the comparison and the charts are for the
	// screen.
	saved := s.widths
	s.widths = widths[:cTotal]
	pl := s.print(3, hdr, hdr)
	s.widths = saved
	b.check(s.w.SetPrintArea(ooxml.Range{Col1: 1, Row1: 1, Col2: cTotal, Row2: hdr + max(n, 1)}))
	s.w.Freeze(3, hdr)
	b.check(s.w.SetAutoFilter(ooxml.Range{Col1: 1, Row1: hdr, Col2: cTotal, Row2: hdr + n}))
	s.title("Điểm theo trụ cột", note, pl.firstBand)

	cells := make([]ooxml.CellValue, width)
	for i, h := range heads {
		cells[i] = text(st.header, h)
	}
	hh := 30.0
	for i, h := range heads {
		hh = math.Max(hh, fitHeight(h, widths[i], bodySize, true, 30))
	}
	if table {
		cells[cName-1] = text(st.header, "Đơn vị ("+strconv.Itoa(len(top))+" đơn vị dẫn đầu)")
		for i, k := range cmp {
			h := rk.Pillars[k].Code + ". " + rk.Pillars[k].Name
			cells[cName+i] = text(st.header, h)
			hh = math.Max(hh, fitHeight(h, 10, bodySize, true, 30))
		}
	}
	s.row(hdr, hh, cells)

	styles := make([]int, width)
	for c := 3; c < cTotal-1; c++ {
		styles[c] = st.pts
	}
	styles[0], styles[1], styles[2], styles[cTotal-1] = st.integer, st.text, st.text, st.ptsBold
	for k, x := range b.ranked {
		r := hdr + 1 + k
		blankCells(cells, styles)
		cells[0].Value = ooxml.Number(float64(x.Rank))
		cells[1], cells[2] = b.shared(st.text, x.Code), b.shared(st.text, x.Name)
		for i := range rk.Pillars {
			if v := x.Pillars[i]; !math.IsNaN(v) {
				cells[3+i].Value = ooxml.Number(engine.Round2(v))
			}
		}
		cells[cTotal-1].Value = ooxml.Number(x.Display)
		if table && k < len(top) {
			cells[cName-1] = b.shared(st.text, x.Name)
			for i, pk := range cmp {
				cells[cName+i].Style = st.pct
				if v := x.Pillars[pk]; !math.IsNaN(v) {
					cells[cName+i].Value = ooxml.Number(math.Round(v/rk.Pillars[pk].Max*10000) / 10000)
				}
			}
		}
		s.row(r, 0, cells)
	}

	if n > 0 {
		ref := func(c1, r1, c2, r2 int) string {
			return ooxml.RangeRef(SheetPillars, ooxml.Range{Col1: c1, Row1: r1, Col2: c2, Row2: r2})
		}
		totalTitle := "Tổng điểm"
		if chartN < n {
			totalTitle += " — " + strconv.Itoa(chartN) + " đơn vị dẫn đầu"
		}
		height := float64(90 + 13*chartN)
		at := hdr + len(top) + 3 // charts below the comparison table
		zero, one := 0.0, 1.0
		// Horizontal bars, categories reversed: rank 1 on top, names readable.
		b.check(s.w.AddChart(ooxml.Chart{Kind: ooxml.BarChart, Title: totalTitle, At: ooxml.Anchor{Col: cName, Row: at}, Width: 540, Height: height,
			Series: []ooxml.ChartSeries{{Name: ref(cTotal, hdr, cTotal, hdr), Categories: ref(3, hdr+1, 3, hdr+chartN), Values: ref(cTotal, hdr+1, cTotal, hdr+chartN)}},
			Font:   fontName, ReverseCategories: true, ValueMin: &zero, Labels: true, LabelFormat: "0.00", AltText: totalTitle}))
		if len(cmp) > 0 {
			var series []ooxml.ChartSeries
			for k := range top {
				r := hdr + 1 + k
				series = append(series, ooxml.ChartSeries{Name: ref(cName, r, cName, r), Categories: ref(cName+1, hdr, cName+len(cmp), hdr),
					Values: ref(cName+1, r, cName+len(cmp), r)})
			}
			cmpTitle := "So sánh trụ cột (% điểm tối đa) — " + strconv.Itoa(len(top)) + " đơn vị dẫn đầu"
			// Clustered columns: one group per pillar, one bar per unit.
			b.check(s.w.AddChart(ooxml.Chart{Kind: ooxml.ColumnChart, Title: cmpTitle, At: ooxml.Anchor{Col: cName, Row: at + int(height)/15 + 2},
				Width: 540, Height: 315, Series: series, Font: fontName, ValueMin: &zero, ValueMax: &one, ValueFormat: "0%", Legend: "b", AltText: cmpTitle}))
		}
	}
	s.done()
}

// detailSheet writes one pillar's "Chi tiết" sheet: the indicator × unit
// matrix of its leaf indicators (codes, short names, the maximum row),
// cohort-relative indicators marked and shaded, the council's scores
// shaded with a comment. Indicators no unit has a score for (a pillar
// that applies to none) are left out; a pillar with none is not written.
func (b *rbuilder) detailSheet(k int) {
	rk, st := b.rk, b.st
	pillar := rk.Pillars[k]
	var leaves []int
	for i, d := range rk.Indicators {
		// Reference indicators are collected, never scored: no column.
		if d.Pillar != pillar.Code || !d.Leaf || d.Reference {
			continue
		}
		leaves = append(leaves, i)
	}
	applies := len(b.ranked) == 0
	for _, x := range b.ranked {
		applies = applies || !math.IsNaN(x.Pillars[k])
	}
	if len(leaves) == 0 || !applies {
		return
	}
	const hCode, hName, hMax = 3, 4, 5
	const c0 = 5 // first indicator column
	last := c0 + len(leaves) - 1
	widths := []float64{6, 9, b.nameWidth(), 10}
	for range leaves {
		widths = append(widths, 12)
	}
	s := b.sheet(DetailSheet(pillar.Code), widths)
	pl := s.print(4, hCode, hMax)
	// The filter row is "Điểm tối đa": a filter on a header row above it
	// would sort the maxima in among the units.
	s.w.Freeze(4, hMax)
	b.check(s.w.SetAutoFilter(ooxml.Range{Col1: 1, Row1: hMax, Col2: last, Row2: hMax + len(b.ranked)}))
	s.title("Chi tiết điểm trụ cột "+pillar.Code+". "+pillar.Name,
		"Cột tô màu cam: chỉ số tính tương đối giữa các đơn vị (Min-Max: (x − nhỏ nhất)/(lớn nhất − nhỏ nhất); so với cao nhất: x/lớn nhất). "+
			"Ô tô màu vàng: điểm do Hội đồng thẩm định cho (xem ghi chú trong ô).", pl.firstBand)

	codes, names, maxima := make([]ooxml.CellValue, last), make([]ooxml.CellValue, last), make([]ooxml.CellValue, last)
	for i, h := range []string{"Hạng", "Mã đơn vị", "Đơn vị", "Điểm trụ cột"} {
		codes[i], names[i] = text(st.header, h), text(st.header, "")
		s.merge(i+1, hCode, i+1, hName)
	}
	maxima[0], maxima[1], maxima[2] = text(st.maxLabel, ""), text(st.maxLabel, ""), text(st.maxLabel, "Điểm tối đa")
	maxima[3] = number(st.maxPts, pillar.Max)
	nameHeight, codeHeight := 30.0, 22.0
	for i, idx := range leaves {
		d := rk.Indicators[idx]
		head, style := d.Code, st.header
		if d.Cohort != "" {
			// The method decides the label: "Min-Max" would misdescribe x/x_best.
			style = st.headerCohort
			if d.Cohort == "minmax" {
				head += " (Min-Max)"
			} else {
				head += " (so với cao nhất)"
			}
		}
		short := truncateRunes(d.Name, shortName)
		codes[c0-1+i], names[c0-1+i] = text(style, head), text(style, short)
		maxima[c0-1+i] = number(st.maxPts, d.Max)
		nameHeight = math.Max(nameHeight, fitHeight(short, widths[c0-1+i], bodySize, true, 30))
		codeHeight = math.Max(codeHeight, fitHeight(head, widths[c0-1+i], bodySize, true, 22))
	}
	s.row(hCode, codeHeight, codes)
	s.row(hName, nameHeight, names)
	s.row(hMax, 0, maxima)

	styles := make([]int, last)
	for c := range styles {
		styles[c] = st.pts
	}
	styles[0], styles[1], styles[2], styles[3] = st.integer, st.text, st.text, st.ptsBold
	cells := make([]ooxml.CellValue, last)
	for r, x := range b.ranked {
		row := hMax + 1 + r
		blankCells(cells, styles)
		cells[0].Value = ooxml.Number(float64(x.Rank))
		cells[1], cells[2] = b.shared(st.text, x.Code), b.shared(st.text, x.Name)
		if math.IsNaN(x.Pillars[k]) {
			s.row(row, 0, cells)
			continue
		}
		cells[3].Value = ooxml.Number(engine.Round2(x.Pillars[k]))
		for i, idx := range leaves {
			c := c0 + i
			cells[c-1].Value = ooxml.Number(engine.Round2(x.Points[idx]))
			for _, cc := range x.Council {
				if cc.Index == idx {
					cells[c-1].Style = st.appraisal
					s.comment(c, row, "Hội đồng thẩm định: "+validate.FormatNum(x.Points[idx])+" (hệ thống: "+validate.FormatNum(cc.Computed)+")")
				}
			}
		}
		s.row(row, 0, cells)
	}
	s.done()
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

func (b *rbuilder) missingSheet() {
	st := b.st
	missing := b.rk.Missing()
	const hdr = 3
	heads := []string{"Mã", "Đơn vị", "Người liên hệ", "Điện thoại", "Email", "Các lần gửi bị trả lại"}
	widths := []float64{9, b.nameWidth(), 22, 13, 26, 60}
	s := b.sheet(SheetMissing, widths)
	pl := s.print(2, hdr, hdr)
	s.w.Freeze(2, hdr)
	b.check(s.w.SetAutoFilter(ooxml.Range{Col1: 1, Row1: hdr, Col2: len(heads), Row2: hdr + len(missing)}))
	sub := fmt.Sprintf("%d/%d đơn vị trong danh sách chưa có bản tự đánh giá được chấp nhận.", len(missing), len(b.rk.Rows))
	if len(missing) == 0 {
		sub = "Tất cả đơn vị trong danh sách đã nộp."
	}
	s.title("Đơn vị chưa nộp", sub, pl.firstBand)
	s.headerRow(hdr, heads, 30)
	cells := make([]ooxml.CellValue, len(heads))
	for k, x := range missing {
		attempts := strings.Join(x.Attempts, "\n")
		// Phone numbers are text: a leading 0 must survive.
		for i, v := range []string{x.Code, x.Name, x.Contact.Contact, x.Contact.Phone, x.Contact.Email} {
			cells[i] = text(st.text, v)
		}
		cells[5] = text(st.wrap, attempts)
		h := 0.0
		if attempts != "" {
			if h = fitHeight(attempts, widths[5], bodySize, false, 0); h <= lineHeight(bodySize)+rowPadding {
				h = 0
			}
		}
		s.row(hdr+1+k, h, cells)
	}
	s.done()
}

// problemSheet builds "Cảnh báo" and returns it, to be added by the
// caller: names holds the shared values of the units' names and the
// severities.
func (b *rbuilder) problemSheet(names map[string]ooxml.Value) *rsheet {
	st := b.st
	const hdr = 3
	heads := []string{"Đơn vị", "Mức độ", "Chỉ số", "Ô", "Nội dung"}
	widths := []float64{b.nameWidth(), 9, 8, 20, 76}
	// Counted first: the count is in the line under the title.
	count := 0
	for _, x := range b.ranked {
		count += x.Errors + x.Warnings
	}
	s := b.sheet(SheetProblems, widths)
	pl := s.print(1, hdr, hdr)
	s.w.Freeze(1, hdr)
	b.check(s.w.SetAutoFilter(ooxml.Range{Col1: 1, Row1: hdr, Col2: len(heads), Row2: hdr + count}))
	sub := fmt.Sprintf("%s lỗi và cảnh báo trong các bản đã nộp. Dùng nút lọc ở dòng tiêu đề để xem theo đơn vị, mức độ hoặc chỉ số.", vntext.Number(float64(count), 0))
	if count == 0 {
		sub = "Các bản đã nộp không có lỗi hay cảnh báo nào."
	}
	s.title("Lỗi và cảnh báo", sub, pl.firstBand)
	s.headerRow(hdr, heads, 30)
	row := hdr
	cells := make([]ooxml.CellValue, len(heads))
	oneLine := lineHeight(bodySize) + rowPadding
	// Units in rank order; each unit's problems as validation sorted them.
	for _, x := range b.ranked {
		for _, p := range x.Problems() {
			row++
			cells[0] = ooxml.CellValue{Style: st.text, Value: names[x.Name]}
			cells[1] = ooxml.CellValue{Style: st.text, Value: names[p.Severity.Label()]}
			cells[2], cells[3] = text(st.text, p.Indicator), text(st.text, p.Cell)
			cells[4] = text(st.wrap, p.Message)
			h := fitHeight(p.Message, widths[4], bodySize, false, 0)
			if h <= oneLine {
				h = 0
			}
			s.row(row, h, cells)
		}
	}
	s.b.check(s.w.End())
	return s
}
