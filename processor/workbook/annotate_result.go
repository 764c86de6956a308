package workbook

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"strconv"
	"strings"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/scorecard"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// The result sheet ("Kết quả chấm"): identification, the pillar table, the
// problems and the improvement plan.

// Columns of the result sheet, shared by its tables (widths in
// characters). They add up to 160, so that fitted to one A4 landscape page
// wide the sheet prints at about 87 %: its 11 pt text at 9.6 pt. Column C
// holds the problems' cell references on one line (LibreOffice does not
// wrap a link), so it grows to the longest, taking from B.
var resultWidths = map[string]float64{"A": 10, "B": 30, "C": 20, "D": 10, "E": 10, "F": 20, "G": 24, "H": 12, "I": 12, "J": 12}

const resultLast = "J"

// rw writes the result sheet row by row.
type rw struct {
	an     *annotator
	s      *sheetBuild
	row    int
	widths map[string]float64
}

// span is the width of columns from..to.
func (w *rw) span(from, to string) float64 {
	var s float64
	for c := from[0]; c <= to[0]; c++ {
		s += w.widths[string(c)]
	}
	return s
}

// resultColumns are the result sheet's widths for these problems: C as
// wide as the longest cell reference (up to 30), B narrower by as much.
func resultColumns(problems []problem.Problem) map[string]float64 {
	ws := maps.Clone(resultWidths)
	need := 0.0
	for _, p := range problems {
		need = max(need, math.Ceil((textWidth(p.Cell, resultTextSize, false)+cellPadding)/ptPerUnit)+1)
	}
	if extra := min(need, 30) - ws["C"]; extra > 0 {
		ws["C"] += extra
		ws["B"] -= extra
	}
	return ws
}

// resultTextSize is the font size of the result sheet's table text.
const resultTextSize = 11

func (w *rw) str(col, s string, style int) {
	w.s.set(colIndex(col), w.row, textValue(s), style)
}

func (w *rw) num(col string, x float64, style int) {
	w.s.set(colIndex(col), w.row, numValue(engine.Round2(x)), style)
}

func (w *rw) blank(col string, style int) {
	w.s.setStyle(colIndex(col), w.row, style)
}

// scores writes a pillar table row's maximum (C), self-score (D), computed
// score (E) and difference (F), taken over the self-scored indicators
// (basis); D and F stay blank without a self-score.
func (w *rw) scores(max, points, basis, self float64, hasSelf bool, num, diff int) {
	w.num("C", max, num)
	if hasSelf {
		w.num("D", self, num)
		w.num("F", engine.Round2(basis)-engine.Round2(self), diff)
	} else {
		w.blank("D", num)
		w.blank("F", diff)
	}
	w.num("E", points, num)
}

// merge merges from..to of the current row.
func (w *rw) merge(from, to string) {
	w.s.merges = append(w.s.merges, ooxml.Range{Col1: colIndex(from), Row1: w.row, Col2: colIndex(to), Row2: w.row})
}

// merged writes s across from..to of the current row.
func (w *rw) merged(from, to, s string, style int) {
	w.merge(from, to)
	w.str(from, s, style)
	for c := colIndex(from) + 1; c <= colIndex(to); c++ {
		w.s.setStyle(c, w.row, style)
	}
}

// fit grows the current row to its wrapped text (neither Excel nor
// LibreOffice grows rows on open, so the writer sets it); widths of merged
// cells are given as the sum of their columns, in characters. The text is
// measured in Times New Roman 12 pt, the largest the tables use, bold for
// header rows.
func (w *rw) fit(widths map[string]float64, minHeight float64, bold bool) {
	h := minHeight
	for col, wd := range widths {
		h = max(h, textHeight(w.s.get(colIndex(col), w.row).raw(), wd, 12, bold))
	}
	w.s.heights[w.row] = min(math.Ceil(h), maxRowHeight)
}

// resultSheet builds the result sheet and puts it first.
func (an *annotator) resultSheet() error {
	a, st := an.a, an.st
	s := newSheetBuild()
	w := &rw{an: an, s: s, row: 1, widths: resultColumns(an.problems)}
	for c, wd := range w.widths {
		s.widths[colIndex(c)] = wd
	}
	res := a.Result
	w.merged("A", resultLast, fmt.Sprintf("KẾT QUẢ CHẤM ĐIỂM BỘ CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM %d — %s", a.Year, an.mark()), st.title)
	s.heights[1] = 24
	w.row++
	total := fmt.Sprintf("Tổng điểm hệ thống chấm: %s / %s", viNum(res.Total), viNum(res.Max))
	if res.HasSelf {
		total += fmt.Sprintf(" (tự chấm: %s)", viNum(res.Self))
	}
	if an.provisional() {
		total += " — tạm tính"
	}
	w.merged("A", resultLast, joinNonEmpty(" — ", an.unitName(), total), st.subtitle)
	w.fit(map[string]float64{"A": w.span("A", resultLast)}, 20, true)
	w.row += 2

	// Identification.
	info := [][2]string{
		{"Đơn vị", an.unitName() + prefixed(" (mã ", a.Sub.UnitCode) + suffixIf(a.Sub.UnitCode, ")")},
		{"Năm đánh giá", strconv.Itoa(a.Year)},
		{"Bộ chỉ số", a.Rubric.ID + " — " + a.Rubric.Name},
		{"Tệp đã nhận", a.FileName},
		{"Thời điểm nhận", fmtTime(a.Received, a.Zone)},
		{"Trạng thái", an.statusText()},
		{"Mã SHA-256 của tệp", a.Hash},
		{"Xếp hạng", an.rankText()},
		{"Số vấn đề phát hiện", an.problemCount()},
	}
	for _, kv := range info {
		w.merge("A", "B")
		w.str("A", kv[0], st.label)
		w.blank("B", st.label)
		w.merged("C", resultLast, kv[1], st.value)
		w.fit(map[string]float64{"C": w.span("C", resultLast)}, 18, false)
		w.row++
	}
	w.row++
	an.pillarTable(w)
	w.row++
	an.problemTable(w)
	w.row++
	an.planTable(w)

	// A4 landscape, one page wide, the title rows on every page.
	s.page = &ooxml.PageSetup{Landscape: true, FitToWidth: true, Left: 0.5, Right: 0.5, Top: 0.5, Bottom: 0.5,
		Footer: "&C&\"" + fontName + "\"Trang &P / &N"}
	s.titleFrom, s.titleTo = 1, 2
	s.freezeRows = 2
	return an.c.addSheet(SheetResult, true, s)
}

func (an *annotator) unitName() string {
	if an.a.Unit != "" {
		return an.a.Unit
	}
	return an.a.Sub.UnitName
}

// mark says whether the result is provisional or part of an official
// ranking, as its title shows it.
func (an *annotator) mark() string {
	if an.a.Official > 0 && an.a.Rank != "" {
		return fmt.Sprintf("CHÍNH THỨC (BẢN SỐ %d)", an.a.Official)
	}
	return "TẠM TÍNH"
}

// statusText is the unit's status, and what late and after the close mean.
func (an *annotator) statusText() string {
	a := an.a
	n := problem.Count(an.problems, problem.Error)
	parts := []string{cmp.Or(a.Status, ranking.StatusOf(true, n, a.Late).Label())}
	if n > 0 {
		figures := false // an error on a figure, not only on a self-score
		for _, p := range an.problems {
			figures = figures || (p.Severity == problem.Error && p.Input != "tu_cham")
		}
		if figures {
			parts[0] += fmt.Sprintf(" (%d lỗi: các chỉ số có lỗi số liệu không tính điểm cho đến khi sửa)", n)
		} else {
			parts[0] += fmt.Sprintf(" (%d lỗi)", n)
		}
	}
	if a.Late {
		parts = append(parts, "nộp muộn: nhận sau hạn nộp"+prefixed(" ", a.Deadline))
	}
	if a.AfterClose {
		parts = append(parts, "nhận sau khi đã chốt đợt thu thập: không thay đổi bảng xếp hạng chính thức đã ban hành cho đến khi đơn vị tổng hợp ban hành bản mới")
	}
	return strings.Join(parts, "; ")
}

func (an *annotator) rankText() string {
	a := an.a
	rank := a.Rank
	if rank != "" && a.Official > 0 {
		rank += fmt.Sprintf(" (bảng xếp hạng chính thức, bản số %d)", a.Official)
	}
	parts := []string{cmp.Or(rank, "chưa xếp hạng")}
	switch {
	case !a.CohortDate.IsZero():
		parts = append(parts, "tính theo cụm ngày "+layout.Show(a.CohortDate, a.Zone, layout.Date))
	case an.provisional():
		parts = append(parts, "các chỉ số so sánh giữa các đơn vị (phương pháp Min-Max) tạm tính, xếp hạng sau khi có số liệu của tất cả các đơn vị")
	}
	return strings.Join(parts, "; ")
}

func (an *annotator) problemCount() string {
	ps := an.problems
	if len(ps) == 0 {
		return "không có"
	}
	var parts []string
	for _, s := range []struct {
		sev  problem.Severity
		word string
	}{{problem.Error, "lỗi"}, {problem.Warning, "cảnh báo"}, {problem.Info, "thông tin"}} {
		if n := problem.Count(ps, s.sev); n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s.word))
		}
	}
	return strings.Join(parts, ", ")
}

func (an *annotator) pillarTable(w *rw) {
	st, res, r := an.st, an.a.Result, an.a.Rubric
	w.merged("A", resultLast, "1. ĐIỂM THEO CHỈ SỐ CHÍNH (TRỤ CỘT)", st.section)
	w.row++
	for _, h := range [][2]string{{"A", "TT"}, {"B", "Trụ cột"}, {"C", "Điểm tối đa"}, {"D", "Tự chấm"}, {"E", "Hệ thống chấm"}, {"F", "Chênh lệch (hệ thống − tự chấm)"}} {
		w.str(h[0], h[1], st.header)
	}
	w.merged("G", resultLast, "Ghi chú", st.header)
	w.fit(map[string]float64{"A": w.widths["A"], "B": w.widths["B"], "C": w.widths["C"], "D": w.widths["D"], "E": w.widths["E"], "F": w.widths["F"]}, 20, true)
	w.row++
	var pendingAll []string
	for _, pr := range res.Pillars {
		w.str("A", pr.Code, st.text)
		w.str("B", pr.Name, st.text)
		w.scores(pr.Max, pr.Points, pr.SelfBasis, pr.Self, pr.HasSelf, st.num, st.diff)
		var notes []string
		if pr.Optional && !pr.Applies {
			notes = append(notes, "Không áp dụng cho đơn vị: không tính vào tổng điểm.")
		}
		notes = append(notes, an.cohortNote(pr.Code, true))
		pendingAll = append(pendingAll, an.cohortCodes(pr.Code, cohortPending, cohortProvisional)...)
		w.merged("G", resultLast, joinNonEmpty(" ", notes...), st.text)
		w.fit(map[string]float64{"B": w.widths["B"], "G": w.span("G", resultLast)}, 18, false)
		w.row++
	}
	w.blank("A", st.textBold)
	w.str("B", "TỔNG ĐIỂM", st.textBold)
	w.scores(res.Max, res.Total, res.SelfBasis, res.Self, res.HasSelf, st.numBold, st.diffBold)
	note := ""
	if r.Total != nil {
		note = "Điểm tổng hợp theo công thức " + r.Total.Expr + "."
	}
	if an.provisional() {
		note = joinNonEmpty(" ", note, "Tạm tính, xếp hạng sau.")
	}
	w.merged("G", resultLast, note, st.textBold)
	w.row++
	if len(pendingAll) > 0 {
		w.merged("A", resultLast, "Các chỉ số "+strings.Join(pendingAll, ", ")+" được chấm bằng cách so sánh giữa các đơn vị (phương pháp Min-Max): điểm của các chỉ số này tạm tính, xếp hạng sau — được tính lại khi đã có số liệu của tất cả các đơn vị, nên tổng điểm trên có thể thay đổi.", st.note)
		w.fit(map[string]float64{"A": w.span("A", resultLast)}, 18, false)
		w.row++
	}
}

// cohortState says where a cohort-relative (Min-Max) indicator stands.
type cohortState int

const (
	notCohort         cohortState = iota
	cohortPending                 // no points yet
	cohortProvisional             // points against the cohort so far (no CohortDate)
	cohortFinal                   // settled by the ranking of CohortDate
)

// cohort tells the state of an indicator: pending and settled statuses
// occur only on cohort-relative leaves. Settled points are provisional
// until the ranking gives a CohortDate (the pipeline settles each workbook
// against the submissions in so far).
func (an *annotator) cohort(ir *engine.IndicatorResult) cohortState {
	switch {
	case !ir.Leaf:
		return notCohort
	case ir.Status == engine.StatusPending:
		return cohortPending
	case ir.Status != engine.StatusSettled:
		return notCohort
	case an.a.CohortDate.IsZero() || an.a.Rank == "":
		return cohortProvisional
	}
	return cohortFinal
}

// asOf names the date of the cohort provisional scores were computed on.
func (an *annotator) asOf() string {
	if an.a.CohortDate.IsZero() {
		return ""
	}
	return " đến ngày " + layout.Show(an.a.CohortDate, an.a.Zone, layout.Date)
}

// cohortCodes lists the indicators of a pillar ("" for all) in the states.
func (an *annotator) cohortCodes(pillar string, states ...cohortState) []string {
	var out []string
	for i := range an.a.Result.Indicators {
		ir := &an.a.Result.Indicators[i]
		if pillar != "" && ir.Pillar != pillar {
			continue
		}
		st := an.cohort(ir)
		for _, s := range states {
			if st == s {
				out = append(out, ir.Code)
				break
			}
		}
	}
	return out
}

// provisional reports whether any score is not final yet.
func (an *annotator) provisional() bool {
	return len(an.cohortCodes("", cohortPending, cohortProvisional)) > 0
}

// cohortNote says which cohort-relative indicators of a pillar are pending,
// provisional or settled.
func (an *annotator) cohortNote(pillar string, long bool) string {
	var notes []string
	if c := an.cohortCodes(pillar, cohortPending); len(c) > 0 {
		notes = append(notes, "Tạm tính, xếp hạng sau: chưa gồm "+strings.Join(c, ", ")+".")
	}
	if c := an.cohortCodes(pillar, cohortProvisional); len(c) > 0 {
		notes = append(notes, "Tạm tính, xếp hạng sau: "+strings.Join(c, ", ")+" tính theo các đơn vị đã nộp"+an.asOf()+".")
	}
	if c := an.cohortCodes(pillar, cohortFinal); len(c) > 0 && long {
		notes = append(notes, strings.Join(c, ", ")+": tính theo cụm ngày "+layout.Show(an.a.CohortDate, an.a.Zone, layout.Date)+".")
	}
	return strings.Join(notes, " ")
}

func (an *annotator) problemTable(w *rw) {
	st := an.st
	w.merged("A", resultLast, fmt.Sprintf("2. CÁC VẤN ĐỀ CẦN XEM LẠI (%d)", len(an.problems)), st.section)
	w.row++
	w.str("A", "Mức độ", st.header)
	w.str("B", "Chỉ số", st.header)
	w.str("C", "Ô", st.header)
	w.merged("D", resultLast, "Nội dung", st.header)
	w.fit(map[string]float64{"A": w.widths["A"], "B": w.widths["B"], "C": w.widths["C"]}, 20, true)
	w.row++
	if len(an.problems) == 0 {
		w.merged("A", resultLast, "Không phát hiện vấn đề nào.", st.text)
		w.row++
		return
	}
	for _, p := range an.problems {
		sev, ok := st.sev[p.Severity]
		if !ok {
			sev = st.sev[problem.Info]
		}
		w.str("A", p.Severity.Label(), sev)
		w.str("B", an.indicatorLabel(p), st.text)
		w.str("C", p.Cell, st.text)
		if sheet, addr, ok := an.locate(p.Cell); ok {
			// Clicking the address jumps to the cell (an internal link
			// location, not a formula).
			w.s.links = append(w.s.links, buildLink{colIndex("C"), w.row, quoteSheet(sheet) + "!" + addr})
		}
		w.merged("D", resultLast, p.Message, st.text)
		w.fit(map[string]float64{"B": w.widths["B"], "C": w.widths["C"], "D": w.span("D", resultLast)}, 18, false)
		w.row++
	}
}

func (an *annotator) indicatorLabel(p problem.Problem) string {
	if p.Indicator == "" {
		if p.Input != "" || strings.HasPrefix(p.Cell, SheetGeneral+"!") {
			return "Thông tin chung"
		}
		return "Cả tệp"
	}
	if _, in := an.a.Rubric.Indicator(p.Indicator); in != nil {
		return in.Code + ". " + in.Name
	}
	return p.Indicator
}

// planRow is one indicator of the improvement plan.
type planRow struct {
	ir   *engine.IndicatorResult
	in   *rubric.Indicator
	lost float64
}

// plan returns the indicators that lost the most points, at most 10: the
// scorecard's list (scorecard.Losses), cohort-relative indicators only once
// the ranking settled them.
func (an *annotator) plan() []planRow {
	settled := !an.a.CohortDate.IsZero() && an.a.Rank != ""
	losses, _ := scorecard.Losses(an.a.Rubric, an.a.Result, settled)
	var rows []planRow
	for _, l := range losses {
		ir := an.a.Result.Indicator(l.Code)
		_, in := an.a.Rubric.Indicator(l.Code)
		if ir == nil || in == nil {
			continue
		}
		rows = append(rows, planRow{ir: ir, in: in, lost: l.Lost})
		if len(rows) == maxPlan {
			break
		}
	}
	return rows
}

// maxPlan is the number of indicators the improvement plan lists.
const maxPlan = 10

// responsibility returns the task, lead and supporting offices and officer
// of an indicator: its own, else its parent's, else its pillar's (the
// pillar has no officer).
func (an *annotator) responsibility(in *rubric.Indicator) (task, lead, support, officer string) {
	r := an.a.Rubric
	chain := []*rubric.Indicator{in}
	for cur := an.res[in.Code]; cur != nil && cur.Parent != ""; cur = an.res[cur.Parent] {
		if _, p := r.Indicator(cur.Parent); p != nil {
			chain = append(chain, p)
		}
	}
	for _, x := range chain {
		task, lead, support, officer = cmp.Or(task, x.Task), cmp.Or(lead, x.Lead), cmp.Or(support, x.Support), cmp.Or(officer, x.Officer)
	}
	if p, _ := r.Indicator(in.Code); p != nil {
		task, lead, support = cmp.Or(task, p.Task), cmp.Or(lead, p.Lead), cmp.Or(support, p.Support)
	}
	return
}

func (an *annotator) planTable(w *rw) {
	st := an.st
	w.merged("A", resultLast, "3. KẾ HOẠCH CẢI THIỆN: CÁC CHỈ SỐ BỊ MẤT NHIỀU ĐIỂM NHẤT", st.section)
	w.row++
	heads := []string{"STT", "Chỉ số", "Điểm tối đa", "Hệ thống chấm", "Điểm bị mất", "Giải trình của đơn vị", "Nhiệm vụ cần thực hiện", "Bộ phận chủ trì", "Bộ phận phối hợp", "Công chức phụ trách"}
	for i, h := range heads {
		w.str(string(rune('A'+i)), h, st.header)
	}
	w.fit(w.widths, 20, true)
	w.row++
	rows := an.plan()
	if len(rows) == 0 {
		w.merged("A", resultLast, "Không có chỉ số nào bị mất điểm.", st.text)
		w.row++
	}
	anyOwner := false
	for i, pr := range rows {
		task, lead, support, officer := an.responsibility(pr.in)
		anyOwner = anyOwner || task != "" || lead != "" || officer != ""
		w.num("A", float64(i+1), st.text)
		w.str("B", joinNonEmpty("\n", pr.in.Code+". "+pr.in.Name, planStatus(pr.ir, an.a.Rubric)), st.text)
		w.num("C", pr.ir.Max, st.num)
		w.num("D", pr.ir.Points, st.num)
		w.num("E", pr.lost, st.num)
		w.str("F", an.a.Sub.Explain[pr.in.Code], st.text)
		w.str("G", task, st.text)
		w.str("H", lead, st.text)
		w.str("I", support, st.text)
		w.str("J", officer, st.text)
		w.fit(w.widths, 18, false)
		w.row++
	}
	if len(rows) > 0 && !anyOwner {
		w.merged("A", resultLast, "Bộ chỉ số này không nêu nhiệm vụ, bộ phận chủ trì và công chức phụ trách từng chỉ số: đơn vị tự phân công.", st.note)
		w.row++
	}
	if c := an.cohortCodes("", cohortPending, cohortProvisional); len(c) > 0 {
		w.merged("A", resultLast, "Chưa xét các chỉ số so sánh giữa các đơn vị "+strings.Join(c, ", ")+" (tạm tính, xếp hạng sau).", st.note)
		w.row++
	}
}

// planStatus says briefly why an indicator in the plan lost points.
func planStatus(ir *engine.IndicatorResult, r *rubric.Rubric) string {
	switch ir.Status {
	case engine.StatusMissing:
		return "(Thiếu số liệu: " + missingText(ir, r) + ")"
	case engine.StatusZeroDen:
		return "(Mẫu số bằng 0)"
	case engine.StatusInvalid:
		return "(Số liệu không hợp lệ: không tính điểm cho đến khi sửa)"
	}
	return ""
}
