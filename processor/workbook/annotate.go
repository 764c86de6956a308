package workbook

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// Sheets and marks an annotation adds to a commune's workbook.
const (
	// SheetResult is the result sheet Annotate puts first.
	SheetResult = "Kết quả chấm"
	// SheetAnnot is a very hidden sheet listing the cells Annotate coloured
	// and the fill each had before, so that annotating a returned annotated
	// workbook again (a commune corrects the result file and sends it back)
	// restores them first instead of leaving stale colours.
	SheetAnnot = "_chiso_ketqua"
	// CommentAuthor is the author of the cell comments Annotate writes.
	CommentAuthor = "chiso"
)

// Headers of the columns Annotate adds to the indicator sheet; they are also
// how a previous annotation's columns are found again.
const (
	hdrSysScore = "Điểm hệ thống chấm"
	hdrSysDiff  = "Chênh lệch (hệ thống − tự chấm)"
	hdrSysNote  = "Ghi chú của hệ thống"
)

// commentHead starts every comment Annotate writes. When a cell already
// holds the commune's own comment, ours is appended to it after this run,
// so a later annotation can cut it off again and keep theirs.
const commentHead = "Hệ thống chấm điểm (chiso):"

// Fills by severity: Excel's light red ("Bad"), its standard amber, and a
// light blue. The amber is strong on purpose: a paler one is hard to tell
// from the template's pale yellow input cells.
var severityFill = map[problem.Severity]string{
	problem.Error:   "FFC7CE",
	problem.Warning: "FFC000",
	problem.Info:    "BDD7EE",
}

// Annotation is what goes into a commune's result workbook.
type Annotation struct {
	Rubric   *rubric.Rubric
	Sub      *Submission // as read (Rows, Sheet, unit fields, Explain/Evidence)
	Result   *engine.Result
	Problems []problem.Problem
	FileName string    // the file as received
	Hash     string    // SHA-256 hex
	Received time.Time // shown in Vietnam's time
	Unit     string    // unit name as identified (roster name)
	Year     int
	// CohortDate is when the cohort the Min-Max scores were computed on stood;
	// they stay provisional until Rank is set by the final ranking.
	CohortDate time.Time
	Rank       string // "" until the ranking settles it, e.g. "5/30"
}

// Annotate turns the commune's own workbook f, opened, into its result
// workbook, in memory (the caller saves it): a first sheet "Kết quả chấm"
// (unit, file, per-pillar table, problems, improvement plan); on the
// indicator sheet three columns after the last used one (system score,
// difference, system note); every problem's cell coloured by severity with
// a comment carrying the messages. The commune's sheets are otherwise kept
// as they are. A workbook annotated before is cleaned of the previous
// annotation first, so annotating is repeatable.
//
// Text that came from a workbook is only ever written with SetCellStr:
// nothing here writes a formula.
func annotate(f *excelize.File, a Annotation) error {
	if f == nil || a.Rubric == nil || a.Result == nil {
		return errors.New("annotate: workbook, rubric and result are required")
	}
	if a.Sub == nil {
		a.Sub = &Submission{}
	}
	an := &annotator{f: f, a: a, res: map[string]*engine.IndicatorResult{}, order: map[string]int{}, styleCache: map[string]int{}}
	for i := range a.Result.Indicators {
		ir := &a.Result.Indicators[i]
		an.res[ir.Code] = ir
	}
	n := 0
	a.Rubric.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		n++
		an.order[in.Code] = n
	})
	an.problems = append([]problem.Problem(nil), a.Problems...)
	problem.Sort(an.problems, an.order)
	an.undo()
	if err := an.addResultSheet(); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	an.resultSheet()
	an.indicatorSheet()
	an.markCells()
	an.saveUndo()
	idx, _ := f.GetSheetIndex(SheetResult)
	f.SetActiveSheet(idx)
	if len(an.errs) > 0 {
		return fmt.Errorf("annotate: %w", errors.Join(an.errs...))
	}
	return nil
}

type annotator struct {
	f          *excelize.File
	a          Annotation
	res        map[string]*engine.IndicatorResult
	order      map[string]int
	problems   []problem.Problem // sorted: errors first, then rubric order
	styleCache map[string]int
	st         annotStyles
	undoRows   [][3]string // sheet, cell, original fill as JSON
	errs       []error
}

func (an *annotator) check(err error) {
	if err != nil {
		an.errs = append(an.errs, err)
	}
}

// soft takes the error of marking one cell of the commune's sheets (its
// fill or comment) or of keeping a sheet-scoped name. These are best effort: a damaged comments part or
// style in a hostile file must not cost the commune its result, and every
// problem is listed with its cell on the result sheet anyway.
func (an *annotator) soft(err error) { _ = err }

// ---------------------------------------------------------------- cleaning

// undo removes a previous annotation: the result and bookkeeping sheets,
// our comments (and our part of merged ones), and the fills we set, where
// the cell still has our colour (a commune that recoloured a cell keeps
// its colour). The added columns are found again by their header and
// rewritten in place.
func (an *annotator) undo() {
	f := an.f
	if idx, _ := f.GetSheetIndex(SheetAnnot); idx >= 0 {
		rows, _ := f.GetRows(SheetAnnot, excelize.Options{RawCellValue: true})
		for i, r := range rows {
			if i == 0 || len(r) < 3 {
				continue // header
			}
			var orig excelize.Fill
			if json.Unmarshal([]byte(r[2]), &orig) != nil {
				continue
			}
			if si, _ := f.GetSheetIndex(r[0]); si < 0 {
				continue
			}
			sid, err := f.GetCellStyle(r[0], r[1])
			if err != nil {
				continue
			}
			st, err := f.GetStyle(sid)
			if err != nil || !isOurFill(st.Fill) {
				continue
			}
			st.Fill = orig
			if ns, err := f.NewStyle(st); err == nil {
				an.soft(f.SetCellStyle(r[0], r[1], r[1], ns))
			}
		}
		an.check(f.DeleteSheet(SheetAnnot))
	}
	if idx, _ := f.GetSheetIndex(SheetResult); idx >= 0 {
		an.check(f.DeleteSheet(SheetResult))
	}
	for _, sheet := range f.GetSheetList() {
		cs, err := f.GetComments(sheet)
		if err != nil {
			continue
		}
		for _, c := range cs {
			if c.Author == CommentAuthor {
				an.soft(f.DeleteComment(sheet, c.Cell))
				continue
			}
			runs := commentRuns(c)
			cut := -1
			for i, r := range runs {
				if strings.Contains(r.Text, commentHead) {
					cut = i
					break
				}
			}
			if cut < 0 {
				continue
			}
			an.soft(f.DeleteComment(sheet, c.Cell))
			keep := runs[:cut]
			if len(keep) > 0 {
				an.soft(f.AddComment(sheet, excelize.Comment{Cell: c.Cell, Author: c.Author, Paragraph: keep}))
			}
		}
	}
}

// isOurFill reports whether a fill is one Annotate sets.
func isOurFill(fl excelize.Fill) bool {
	if fl.Type != "pattern" || fl.Pattern != 1 || len(fl.Color) == 0 {
		return false
	}
	c := strings.ToUpper(strings.TrimPrefix(fl.Color[0], "#"))
	if len(c) == 8 {
		c = c[2:] // ARGB
	}
	for _, x := range severityFill {
		if c == x {
			return true
		}
	}
	return false
}

// commentRuns returns a comment's text as runs (a plain-text comment as one).
func commentRuns(c excelize.Comment) []excelize.RichTextRun {
	var runs []excelize.RichTextRun
	if c.Text != "" {
		runs = append(runs, excelize.RichTextRun{Text: c.Text})
	}
	return append(runs, c.Paragraph...)
}

// addResultSheet creates the result sheet as the first sheet.
//
// excelize's MoveSheet reorders the sheets but not the sheet index that
// sheet-scoped defined names (print titles, filters) carry, so those would
// point at the wrong sheet: they are taken out before the move and put back
// under the same sheet names after it.
func (an *annotator) addResultSheet() error {
	f := an.f
	var scoped []excelize.DefinedName
	for _, dn := range f.GetDefinedName() {
		if dn.Scope != "" && dn.Scope != "Workbook" {
			scoped = append(scoped, dn)
		}
	}
	if _, err := f.NewSheet(SheetResult); err != nil {
		return err
	}
	// A name that cannot be moved (a duplicate in a damaged file) is at
	// worst a print setting lost: not worth the commune's result.
	for _, dn := range scoped {
		an.soft(f.DeleteDefinedName(&excelize.DefinedName{Name: dn.Name, Scope: dn.Scope}))
	}
	if first := f.GetSheetList()[0]; first != SheetResult {
		if err := f.MoveSheet(SheetResult, first); err != nil {
			return err
		}
	}
	for _, dn := range scoped {
		an.soft(f.SetDefinedName(&dn))
	}
	return nil
}

// ------------------------------------------------------------------ styles

type annotStyles struct {
	title, subtitle, section, label, value, header, text, textBold, num, numBold, diff, diffBold, note int
	sev                                                                                                map[problem.Severity]int
	sysNum, sysNumBold, sysDiff, sysDiffBold, sysNote, sysHeader                                       int
}

const (
	pointsFmt = "#,##0.00"
	// diffFmt shows a sign and negative differences (points lost) in red.
	diffFmt = "+#,##0.00;[Red]-#,##0.00;0.00"
)

func (an *annotator) styles() {
	var err error
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		if st.Font == nil {
			st.Font = &excelize.Font{Size: 12}
		}
		st.Font.Family = fontName
		var id int
		id, err = an.f.NewStyle(st)
		return id
	}
	wrap := func(h string) *excelize.Alignment {
		return &excelize.Alignment{WrapText: true, Vertical: "top", Horizontal: h}
	}
	fill := func(c string) excelize.Fill { return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{c}} }
	pf, df := pointsFmt, diffFmt
	s := annotStyles{sev: map[problem.Severity]int{}}
	s.title = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	s.subtitle = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F4E79"}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	s.section = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12, Color: "1F4E79"}, Alignment: &excelize.Alignment{Vertical: "center"}})
	s.label = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: wrap("left"), Border: border, Fill: fill("F2F2F2")})
	s.value = mk(&excelize.Style{Alignment: wrap("left"), Border: border})
	s.header = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}, Border: border, Fill: fill("D9E1F2")})
	s.text = mk(&excelize.Style{Font: &excelize.Font{Size: 11}, Alignment: wrap("left"), Border: border})
	s.textBold = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: wrap("left"), Border: border, Fill: fill("C6E0B4")})
	s.num = mk(&excelize.Style{Alignment: wrap("right"), Border: border, CustomNumFmt: &pf})
	s.numBold = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: wrap("right"), Border: border, CustomNumFmt: &pf, Fill: fill("C6E0B4")})
	s.diff = mk(&excelize.Style{Alignment: wrap("right"), Border: border, CustomNumFmt: &df})
	s.diffBold = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: wrap("right"), Border: border, CustomNumFmt: &df, Fill: fill("C6E0B4")})
	s.note = mk(&excelize.Style{Font: &excelize.Font{Italic: true, Size: 11}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	for _, sv := range []problem.Severity{problem.Error, problem.Warning, problem.Info} {
		s.sev[sv] = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 11}, Alignment: wrap("center"), Border: border, Fill: fill(severityFill[sv])})
	}
	// The indicator sheet's columns: locked (the sheet stays protected: these
	// are the system's figures, not the commune's), green like the template's
	// provisional score.
	locked := &excelize.Protection{Locked: true}
	s.sysNum = mk(&excelize.Style{Alignment: wrap("center"), Border: border, CustomNumFmt: &pf, Fill: fill("E2EFDA"), Protection: locked})
	s.sysNumBold = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: wrap("center"), Border: border, CustomNumFmt: &pf, Fill: fill("C6E0B4"), Protection: locked})
	s.sysDiff = mk(&excelize.Style{Alignment: wrap("center"), Border: border, CustomNumFmt: &df, Fill: fill("E2EFDA"), Protection: locked})
	s.sysDiffBold = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: wrap("center"), Border: border, CustomNumFmt: &df, Fill: fill("C6E0B4"), Protection: locked})
	s.sysNote = mk(&excelize.Style{Font: &excelize.Font{Size: 11}, Alignment: wrap("left"), Border: border, Protection: locked})
	s.sysHeader = mk(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}, Border: border, Fill: fill("C6E0B4"), Protection: locked})
	an.check(err)
	an.st = s
}

// -------------------------------------------------------------- result sheet

// Columns of the result sheet, shared by its tables (widths in characters).
var resultWidths = map[string]float64{"A": 9, "B": 38, "C": 15, "D": 11, "E": 11, "F": 26, "G": 30, "H": 18, "I": 18, "J": 18}

const resultLast = "J"

// rw writes the result sheet row by row.
type rw struct {
	an  *annotator
	row int
}

func (w *rw) str(col, s string, style int) {
	c := cell(col, w.row)
	w.an.check(w.an.f.SetCellStr(SheetResult, c, s))
	w.an.check(w.an.f.SetCellStyle(SheetResult, c, c, style))
}

func (w *rw) num(col string, x float64, style int) {
	c := cell(col, w.row)
	w.an.check(w.an.f.SetCellFloat(SheetResult, c, engine.Round2(x), -1, 64))
	w.an.check(w.an.f.SetCellStyle(SheetResult, c, c, style))
}

func (w *rw) blank(col string, style int) {
	c := cell(col, w.row)
	w.an.check(w.an.f.SetCellStyle(SheetResult, c, c, style))
}

// merged writes s across from..to of the current row.
func (w *rw) merged(from, to, s string, style int) {
	w.an.check(w.an.f.MergeCell(SheetResult, cell(from, w.row), cell(to, w.row)))
	w.str(from, s, style)
	w.an.check(w.an.f.SetCellStyle(SheetResult, cell(from, w.row), cell(to, w.row), style))
}

// fit grows the current row to its wrapped text; widths of merged cells
// are given as the sum of their columns.
func (w *rw) fit(widths map[string]float64, min float64) {
	g := &generator{f: w.an.f}
	g.fitRow(SheetResult, w.row, widths, min)
	w.an.errs = append(w.an.errs, g.errs...)
}

func (an *annotator) resultSheet() {
	an.styles()
	f, a, st := an.f, an.a, an.st
	for c, wd := range resultWidths {
		an.check(f.SetColWidth(SheetResult, c, c, wd))
	}
	w := &rw{an: an, row: 1}
	res := a.Result
	w.merged("A", resultLast, fmt.Sprintf("KẾT QUẢ CHẤM ĐIỂM BỘ CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM %d", a.Year), st.title)
	an.check(f.SetRowHeight(SheetResult, 1, 24))
	w.row++
	total := fmt.Sprintf("Tổng điểm hệ thống chấm: %s / %s", viNum(res.Total), viNum(res.Max))
	if res.HasSelf {
		total += fmt.Sprintf(" (tự chấm: %s)", viNum(res.Self))
	}
	if an.provisional() {
		total += " — tạm tính"
	}
	w.merged("A", resultLast, joinNonEmpty(" — ", an.unitName(), total), st.subtitle)
	w.fit(map[string]float64{"A": sumWidths("A", resultLast)}, 20)
	w.row += 2

	// Identification.
	info := [][2]string{
		{"Đơn vị", an.unitName() + prefixed(" (mã ", a.Sub.UnitCode) + suffixIf(a.Sub.UnitCode, ")")},
		{"Năm đánh giá", strconv.Itoa(a.Year)},
		{"Bộ chỉ số", a.Rubric.ID + " — " + a.Rubric.Name},
		{"Tệp đã nhận", a.FileName},
		{"Thời điểm nhận", fmtTime(a.Received)},
		{"Mã SHA-256 của tệp", a.Hash},
		{"Xếp hạng", an.rankText()},
		{"Số vấn đề phát hiện", an.problemCount()},
	}
	for _, kv := range info {
		an.check(f.MergeCell(SheetResult, cell("A", w.row), cell("B", w.row)))
		w.str("A", kv[0], st.label)
		w.blank("B", st.label)
		w.merged("C", resultLast, kv[1], st.value)
		w.fit(map[string]float64{"C": sumWidths("C", resultLast)}, 18)
		w.row++
	}
	w.row++
	an.pillarTable(w)
	w.row++
	an.problemTable(w)
	w.row++
	an.planTable(w)

	g := &generator{f: f}
	g.pageSetup(SheetResult, "$1:$2", true)
	an.errs = append(an.errs, g.errs...)
	an.check(f.SetPanes(SheetResult, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}))
}

func (an *annotator) unitName() string {
	if an.a.Unit != "" {
		return an.a.Unit
	}
	return an.a.Sub.UnitName
}

func (an *annotator) rankText() string {
	a := an.a
	parts := []string{firstNonEmpty(a.Rank, "chưa xếp hạng")}
	switch {
	case !a.CohortDate.IsZero():
		parts = append(parts, "tính theo cụm ngày "+a.CohortDate.In(layout.Vietnam).Format(layout.Date))
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
	an.check(an.f.SetRowHeight(SheetResult, w.row, 36))
	w.row++
	var pendingAll []string
	for _, pr := range res.Pillars {
		w.str("A", pr.Code, st.text)
		w.str("B", pr.Name, st.text)
		w.num("C", pr.Max, st.num)
		if pr.HasSelf {
			w.num("D", pr.Self, st.num)
			w.num("F", engine.Round2(pr.Points)-engine.Round2(pr.Self), st.diff)
		} else {
			w.blank("D", st.num)
			w.blank("F", st.diff)
		}
		w.num("E", pr.Points, st.num)
		var notes []string
		if pr.Optional && !pr.Applies {
			notes = append(notes, "Không áp dụng cho đơn vị: không tính vào tổng điểm.")
		}
		notes = append(notes, an.cohortNote(pr.Code, true))
		pendingAll = append(pendingAll, an.cohortCodes(pr.Code, cohortPending, cohortProvisional)...)
		w.merged("G", resultLast, joinNonEmpty(" ", notes...), st.text)
		w.fit(map[string]float64{"B": resultWidths["B"], "G": sumWidths("G", resultLast)}, 18)
		w.row++
	}
	w.blank("A", st.textBold)
	w.str("B", "TỔNG ĐIỂM", st.textBold)
	w.num("C", res.Max, st.numBold)
	if res.HasSelf {
		w.num("D", res.Self, st.numBold)
		w.num("F", engine.Round2(res.Total)-engine.Round2(res.Self), st.diffBold)
	} else {
		w.blank("D", st.numBold)
		w.blank("F", st.diffBold)
	}
	w.num("E", res.Total, st.numBold)
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
		w.fit(map[string]float64{"A": sumWidths("A", resultLast)}, 18)
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
	return " đến ngày " + an.a.CohortDate.In(layout.Vietnam).Format(layout.Date)
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
		notes = append(notes, strings.Join(c, ", ")+": tính theo cụm ngày "+an.a.CohortDate.In(layout.Vietnam).Format(layout.Date)+".")
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
	an.check(an.f.SetRowHeight(SheetResult, w.row, 20))
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
			an.check(an.f.SetCellHyperLink(SheetResult, cell("C", w.row), quoteSheet(sheet)+"!"+addr, "Location"))
		}
		w.merged("D", resultLast, p.Message, st.text)
		w.fit(map[string]float64{"B": resultWidths["B"], "C": resultWidths["C"], "D": sumWidths("D", resultLast)}, 18)
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

// plan returns the indicators that lost the most points (max − points, in
// displayed precision), at most 10, ties in rubric order. Only leaves are
// listed (a parent's loss is its children's), and cohort-relative
// indicators only once settled: before that their 0 says nothing.
func (an *annotator) plan() []planRow {
	var rows []planRow
	for i := range an.a.Result.Indicators {
		ir := &an.a.Result.Indicators[i]
		if !ir.Leaf || ir.Status == engine.StatusReference || an.cohort(ir) == cohortPending || an.cohort(ir) == cohortProvisional {
			continue
		}
		lost := engine.Round2(engine.Round2(ir.Max) - engine.Round2(ir.Points))
		if lost <= 0 {
			continue
		}
		_, in := an.a.Rubric.Indicator(ir.Code)
		if in == nil {
			continue
		}
		rows = append(rows, planRow{ir: ir, in: in, lost: lost})
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].lost > rows[j].lost })
	if len(rows) > 10 {
		rows = rows[:10]
	}
	return rows
}

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
		task, lead, support, officer = firstNonEmpty(task, x.Task), firstNonEmpty(lead, x.Lead), firstNonEmpty(support, x.Support), firstNonEmpty(officer, x.Officer)
	}
	if p, _ := r.Indicator(in.Code); p != nil {
		task, lead, support = firstNonEmpty(task, p.Task), firstNonEmpty(lead, p.Lead), firstNonEmpty(support, p.Support)
	}
	return
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func (an *annotator) planTable(w *rw) {
	st := an.st
	w.merged("A", resultLast, "3. KẾ HOẠCH CẢI THIỆN: CÁC CHỈ SỐ BỊ MẤT NHIỀU ĐIỂM NHẤT", st.section)
	w.row++
	heads := []string{"STT", "Chỉ số", "Điểm tối đa", "Hệ thống chấm", "Điểm bị mất", "Giải trình của đơn vị", "Nhiệm vụ cần thực hiện", "Bộ phận chủ trì", "Bộ phận phối hợp", "Công chức phụ trách"}
	for i, h := range heads {
		w.str(string(rune('A'+i)), h, st.header)
	}
	an.check(an.f.SetRowHeight(SheetResult, w.row, 36))
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
		w.fit(resultWidths, 18)
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
	}
	return ""
}

// ----------------------------------------------------------- indicator sheet

// indicatorSheet writes the system score, the difference and the system's
// note beside each indicator row of the commune's indicator sheet.
//
// The sheet stays protected as the template left it: excelize writes
// regardless of protection, the values and comments show on a protected
// sheet, and the new cells are locked, which is right for the system's
// figures. A password, if the commune set one, is kept too.
func (an *annotator) indicatorSheet() {
	f, a, st := an.f, an.a, an.st
	sheet := a.Sub.Sheet
	if sheet == "" || len(a.Sub.Rows) == 0 {
		return
	}
	if idx, _ := f.GetSheetIndex(sheet); idx < 0 {
		return
	}
	// Cells are read one by one: GetRows on a sheet excelize has loaded
	// already (Read did) serialises and re-parses the whole sheet, which
	// cost more than the rest of Annotate together.
	val := func(col, row int) string {
		addr, err := excelize.CoordinatesToCellName(col, row)
		if err != nil {
			return ""
		}
		v, _ := f.GetCellValue(sheet, addr, excelize.Options{RawCellValue: true})
		return strings.TrimSpace(v)
	}
	firstInd := math.MaxInt
	for _, r := range a.Sub.Rows {
		if r > 0 {
			firstInd = min(firstInd, r)
		}
	}
	if firstInd == math.MaxInt {
		return
	}
	// The header row holds "Điểm tự chấm"; else row 4, the template's.
	const scanCols = 40
	header, selfCol, sysCol := 0, 0, 0
	for r := 1; r < firstInd && r <= 30 && header == 0; r++ {
		for c := 1; c <= scanCols; c++ {
			switch vntext.Fold(val(c, r)) {
			case vntext.Fold(selfHeader):
				header, selfCol = r, c
			case vntext.Fold(hdrSysScore):
				sysCol = c
			}
		}
	}
	if header == 0 {
		header, sysCol = min(4, firstInd-1), 0
	}
	targets := an.targetRows(sheet, header, val)
	if sysCol == 0 {
		if sysCol = an.freeColumn(sheet, firstInd, targets, val); sysCol == 0 {
			return
		}
	}
	reused := sysCol > 0 && val(sysCol, header) != ""
	cols := make([]string, 3)
	for i := range cols {
		cols[i], _ = excelize.ColumnNumberToName(sysCol + i)
	}
	widths := map[string]float64{cols[0]: 12, cols[1]: 14, cols[2]: 40}
	for c, wd := range widths {
		an.check(f.SetColWidth(sheet, c, c, wd))
	}
	if reused {
		// Clear what the previous annotation wrote in these columns.
		for _, row := range targets {
			for _, c := range cols {
				if v, _ := f.GetCellValue(sheet, cell(c, row.row)); v != "" {
					an.check(f.SetCellValue(sheet, cell(c, row.row), nil))
				}
			}
		}
	}
	if header > 0 {
		hst := st.sysHeader
		if selfCol > 0 {
			// Look like the template's own header row.
			sc, _ := excelize.ColumnNumberToName(selfCol)
			if sid, err := f.GetCellStyle(sheet, cell(sc, header)); err == nil && sid != 0 {
				hst = sid
			}
		}
		for i, h := range []string{hdrSysScore, hdrSysDiff, hdrSysNote} {
			an.check(f.SetCellStr(sheet, cell(cols[i], header), h))
			an.check(f.SetCellStyle(sheet, cell(cols[i], header), cell(cols[i], header), hst))
		}
		// The template numbers its columns (A, B, …) on the row below the
		// header: continue the numbering.
		prev, _ := excelize.ColumnNumberToName(sysCol - 1)
		if sysCol > 1 && header+1 < firstInd && val(sysCol-1, header+1) == prev {
			sid, _ := f.GetCellStyle(sheet, cell(prev, header+1))
			for _, c := range cols {
				an.check(f.SetCellStr(sheet, cell(c, header+1), c))
				an.check(f.SetCellStyle(sheet, cell(c, header+1), cell(c, header+1), sid))
			}
		}
	}
	noCell := map[string][]string{} // problems of an indicator that name no cell
	for _, p := range an.problems {
		if p.Indicator != "" {
			if _, _, ok := an.locate(p.Cell); !ok {
				noCell[p.Indicator] = append(noCell[p.Indicator], p.Severity.Label()+": "+p.Message)
			}
		}
	}
	for _, t := range targets {
		var points, self float64
		hasSelf, bold := false, true
		note := ""
		switch {
		case t.total:
			points, self, hasSelf = a.Result.Total, a.Result.Self, a.Result.HasSelf
			if an.provisional() {
				note = "Tạm tính, xếp hạng sau."
			}
		case t.pillar != nil:
			points, self, hasSelf = t.pillar.Points, t.pillar.Self, t.pillar.HasSelf
			note = an.cohortNote(t.pillar.Code, false)
		default:
			ir := t.ind
			bold = false
			if ir.Self != nil {
				self, hasSelf = *ir.Self, true
			}
			points = ir.Points
			note = joinNonEmpty("\n", an.statusNote(ir), strings.Join(noCell[ir.Code], "\n"))
			if ir.Status == engine.StatusPending {
				an.check(f.SetCellStr(sheet, cell(cols[0], t.row), PendingText))
				hasSelf = false // no difference until settled
			}
		}
		if t.ind == nil || t.ind.Status != engine.StatusPending {
			an.check(f.SetCellFloat(sheet, cell(cols[0], t.row), engine.Round2(points), -1, 64))
		}
		if hasSelf {
			an.check(f.SetCellFloat(sheet, cell(cols[1], t.row), engine.Round2(engine.Round2(points)-engine.Round2(self)), -1, 64))
		}
		an.check(f.SetCellStr(sheet, cell(cols[2], t.row), note))
		numSt, diffSt := st.sysNum, st.sysDiff
		if bold {
			numSt, diffSt = st.sysNumBold, st.sysDiffBold
		}
		an.check(f.SetCellStyle(sheet, cell(cols[0], t.row), cell(cols[0], t.row), numSt))
		an.check(f.SetCellStyle(sheet, cell(cols[1], t.row), cell(cols[1], t.row), diffSt))
		an.check(f.SetCellStyle(sheet, cell(cols[2], t.row), cell(cols[2], t.row), st.sysNote))
		an.growRow(sheet, t.row, note, widths[cols[2]])
	}
}

// selfHeader is the title of the self-score column in the template.
const selfHeader = "Điểm tự chấm"

// targetRow is a row of the indicator sheet that gets the system's figures.
type targetRow struct {
	row    int
	ind    *engine.IndicatorResult
	pillar *engine.PillarResult
	total  bool
}

// targetRows lists, in sheet order, the indicator rows, the pillar rows
// (a row just above a pillar's first indicator whose TT cell holds the
// pillar code) and the grand-total row (the template's "diem_tong" name).
func (an *annotator) targetRows(sheet string, header int, val func(col, row int) string) []targetRow {
	a := an.a
	var out []targetRow
	for i := range a.Result.Indicators {
		ir := &a.Result.Indicators[i]
		if row, ok := a.Sub.Rows[ir.Code]; ok && row > header {
			out = append(out, targetRow{row: row, ind: ir})
		}
	}
	ttCol := 0 // the TT column: where the indicator codes are
	for _, p := range a.Rubric.Pillars {
		if len(p.Indicators) == 0 {
			continue
		}
		top, ok := a.Sub.Rows[p.Indicators[0].Code]
		if !ok {
			continue
		}
		for c := 1; ttCol == 0 && c <= 40; c++ {
			if val(c, top) == p.Indicators[0].Code {
				ttCol = c
			}
		}
		if ttCol == 0 {
			break
		}
		for r := top - 1; r > header && r >= top-3; r-- {
			if val(ttCol, r) == p.Code {
				if pr := a.Result.Pillar(p.Code); pr != nil {
					out = append(out, targetRow{row: r, pillar: pr})
				}
				break
			}
		}
	}
	for _, dn := range an.f.GetDefinedName() {
		if dn.Name != "diem_tong" || (dn.Scope != "" && dn.Scope != "Workbook") {
			continue
		}
		if s, addr, ok := splitRef(dn.RefersTo); ok && s == sheet {
			if _, row, err := excelize.CellNameToCoordinates(addr); err == nil && row > header {
				out = append(out, targetRow{row: row, total: true})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].row < out[j].row })
	return out
}

// freeColumn returns the first column after the last used one, looking at
// the rows above the first indicator and the rows that will be written
// (values and merged areas). Three empty columns in a row end the search:
// the columns returned are then empty on every row Annotate writes. It
// returns 0 when no column is free within maxScanCols.
func (an *annotator) freeColumn(sheet string, firstInd int, targets []targetRow, val func(col, row int) string) int {
	rows := make([]int, 0, firstInd+len(targets))
	for r := 1; r < firstInd; r++ {
		rows = append(rows, r)
	}
	for _, t := range targets {
		rows = append(rows, t.row)
	}
	last := 0
	if mc, err := an.f.GetMergeCells(sheet, true); err == nil {
		for _, m := range mc {
			if c, _, err := excelize.CellNameToCoordinates(m.GetEndAxis()); err == nil {
				last = max(last, c)
			}
		}
	}
	for c, empty := 1, 0; empty < 3; c++ {
		if c > maxScanCols {
			return 0 // a hostile or odd sheet: leave it alone
		}
		used := false
		for _, r := range rows {
			if val(c, r) != "" {
				used = true
				break
			}
		}
		if used {
			last, empty = max(last, c), 0
		} else {
			empty++
		}
	}
	if last+3 > maxScanCols {
		return 0
	}
	return last + 1
}

// maxScanCols bounds the search for free columns on the indicator sheet.
const maxScanCols = 200

// growRow makes a row tall enough for a wrapped note; it never shrinks
// the commune's rows.
func (an *annotator) growRow(sheet string, row int, text string, width float64) {
	if text == "" {
		return
	}
	lines := 0
	per := int(width * 1.05)
	for _, para := range strings.Split(text, "\n") {
		lines += max(1, (len([]rune(para))+per-1)/per)
	}
	need := math.Min(float64(lines)*15+3, 409)
	if h, err := an.f.GetRowHeight(sheet, row); err == nil && h < need {
		an.check(an.f.SetRowHeight(sheet, row, need))
	}
}

// statusNote explains an indicator's score in the note column.
func (an *annotator) statusNote(ir *engine.IndicatorResult) string {
	r := an.a.Rubric
	var s string
	switch ir.Status {
	case engine.StatusPending:
		s = "Chỉ số so sánh giữa các đơn vị (phương pháp Min-Max): tạm tính, xếp hạng sau — điểm được tính khi đã có số liệu của tất cả các đơn vị."
	case engine.StatusSettled:
		n := ""
		if ir.Cohort != nil {
			n = fmt.Sprintf(" %d", ir.Cohort.N)
		}
		if an.cohort(ir) == cohortFinal {
			s = "Chỉ số so sánh giữa các đơn vị (phương pháp Min-Max): tính theo cụm ngày " + an.a.CohortDate.In(layout.Vietnam).Format(layout.Date) + " (" + strings.TrimSpace(n) + " đơn vị có số liệu)."
		} else {
			s = "Chỉ số so sánh giữa các đơn vị (phương pháp Min-Max): tạm tính theo" + n + " đơn vị đã nộp" + an.asOf() + ", xếp hạng sau — điểm được tính lại khi đã có số liệu của tất cả các đơn vị."
		}
	case engine.StatusMissing:
		if len(ir.Missing) > 0 {
			s = "Thiếu số liệu: " + missingText(ir, r) + " — chỉ số được 0 điểm. Hãy nhập đủ số liệu."
		} else {
			s = "Không tính được điểm" + prefixed(": ", ir.Note) + "."
		}
	case engine.StatusZeroDen:
		s = "Mẫu số bằng 0: không tính được tỷ lệ, chỉ số được 0 điểm. Hãy kiểm tra lại mẫu số."
	case engine.StatusReference:
		s = "Chỉ số tham khảo: không tính điểm."
	default:
		if ir.Note != "" {
			s = capitalize(ir.Note) + "."
		}
	}
	if ir.Appraisal != nil {
		s = joinNonEmpty(" ", "Điểm thẩm định của Hội đồng: "+viNum(*ir.Appraisal)+" (điểm tính theo số liệu: "+viNum(ir.Computed)+").", s)
	}
	return s
}

// missingText names the missing figures: input keys as the sheet shows
// them (a, b…), general fields by label.
func missingText(ir *engine.IndicatorResult, r *rubric.Rubric) string {
	_, in := r.Indicator(ir.Code)
	var out []string
	for _, k := range ir.Missing {
		if in != nil {
			if _, ok := in.Input(k); ok {
				out = append(out, k)
				continue
			}
		}
		if g, ok := r.GeneralField(k); ok {
			out = append(out, "\""+g.Label+"\" (trang "+SheetGeneral+")")
			continue
		}
		out = append(out, k)
	}
	return strings.Join(out, ", ")
}

// ------------------------------------------------------------ problem cells

// locate splits a problem's cell ("Chỉ số!E12", "'Chỉ số'!$E$12") and
// checks that it is on a commune sheet of this workbook.
func (an *annotator) locate(ref string) (sheet, addr string, ok bool) {
	i := strings.LastIndex(ref, "!")
	if i <= 0 {
		return "", "", false
	}
	sheet = ref[:i]
	if len(sheet) >= 2 && sheet[0] == '\'' && sheet[len(sheet)-1] == '\'' {
		sheet = strings.ReplaceAll(sheet[1:len(sheet)-1], "''", "'")
	}
	addr = strings.ToUpper(strings.ReplaceAll(ref[i+1:], "$", ""))
	if _, _, err := excelize.CellNameToCoordinates(addr); err != nil {
		return "", "", false
	}
	if sheet == SheetResult || sheet == SheetAnnot {
		return "", "", false
	}
	if idx, _ := an.f.GetSheetIndex(sheet); idx < 0 {
		return "", "", false
	}
	return sheet, addr, true
}

func quoteSheet(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// markCells colours every problem's cell by its worst severity, keeping
// the rest of the cell's style, and adds one comment with all its messages
// (after the commune's own comment on that cell, if any). Best effort: see
// soft.
func (an *annotator) markCells() {
	type group struct {
		sheet, addr string
		ps          []problem.Problem
	}
	byCell := map[string]*group{}
	var keys []string
	for _, p := range an.problems {
		sheet, addr, ok := an.locate(p.Cell)
		if !ok {
			continue
		}
		k := sheet + "!" + addr
		g := byCell[k]
		if g == nil {
			g = &group{sheet: sheet, addr: addr}
			byCell[k] = g
			keys = append(keys, k)
		}
		g.ps = append(g.ps, p)
	}
	comments := map[string]map[string]excelize.Comment{}
	for _, k := range keys { // problem order: errors first, deterministic
		g := byCell[k]
		worst := g.ps[0].Severity // sorted: the first is the worst
		if _, ok := severityFill[worst]; !ok {
			worst = problem.Info
		}
		an.soft(an.colour(g.sheet, g.addr, worst))
		if comments[g.sheet] == nil {
			comments[g.sheet] = map[string]excelize.Comment{}
			cs, _ := an.f.GetComments(g.sheet)
			for _, c := range cs {
				comments[g.sheet][c.Cell] = c
			}
		}
		old, had := comments[g.sheet][g.addr]
		an.soft(an.comment(g.sheet, g.addr, g.ps, old, had))
	}
}

// colour gives a cell the fill of severity sv, keeping the rest of its
// style, and records its fill for a later annotation to restore.
func (an *annotator) colour(sheet, addr string, sv problem.Severity) error {
	f := an.f
	sid, err := f.GetCellStyle(sheet, addr)
	if err != nil {
		return err
	}
	st, err := f.GetStyle(sid)
	if err != nil {
		return err
	}
	orig, err := json.Marshal(st.Fill)
	if err != nil {
		return err
	}
	ck := fmt.Sprintf("%d/%s", sid, sv)
	ns, ok := an.styleCache[ck]
	if !ok {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{severityFill[sv]}}
		if ns, err = f.NewStyle(st); err != nil {
			return err
		}
		an.styleCache[ck] = ns
	}
	if err := f.SetCellStyle(sheet, addr, addr, ns); err != nil {
		return err
	}
	an.undoRows = append(an.undoRows, [3]string{sheet, addr, string(orig)})
	return nil
}

// comment writes the problems' messages as the cell's comment, appended
// to the commune's own comment old when there is one (had).
func (an *annotator) comment(sheet, addr string, ps []problem.Problem, old excelize.Comment, had bool) error {
	font := func(bold bool) *excelize.Font { return &excelize.Font{Family: fontName, Size: 10, Bold: bold} }
	c := excelize.Comment{Cell: addr, Author: CommentAuthor}
	head := commentHead + "\n"
	if had {
		if err := an.f.DeleteComment(sheet, addr); err != nil {
			return err
		}
		c.Author = old.Author
		c.Paragraph = commentRuns(old)
		head = "\n\n" + head
	}
	c.Paragraph = append(c.Paragraph, excelize.RichTextRun{Text: head, Font: font(true)})
	chars := 0
	for i, p := range ps {
		msg := p.Message
		if i < len(ps)-1 {
			msg += "\n"
		}
		c.Paragraph = append(c.Paragraph,
			excelize.RichTextRun{Text: p.Severity.Label() + ": ", Font: font(true)},
			excelize.RichTextRun{Text: msg, Font: font(false)})
		chars += len([]rune(p.Message)) + 12
	}
	// Comment box in pixels: about 50 characters a line at 10 pt.
	lines := len(ps) + 1 + chars/50
	c.Width, c.Height = 340, uint(min(40+lines*14, 600))
	return an.f.AddComment(sheet, c)
}

// saveUndo writes the very hidden bookkeeping sheet (see SheetAnnot).
func (an *annotator) saveUndo() {
	if len(an.undoRows) == 0 {
		return
	}
	f := an.f
	if _, err := f.NewSheet(SheetAnnot); err != nil {
		an.check(err)
		return
	}
	an.check(f.SetCellStr(SheetAnnot, "A1", "Trang"))
	an.check(f.SetCellStr(SheetAnnot, "B1", "Ô"))
	an.check(f.SetCellStr(SheetAnnot, "C1", "Màu nền trước khi đánh dấu"))
	for i, r := range an.undoRows {
		for j, v := range r {
			an.check(f.SetCellStr(SheetAnnot, cell(string(rune('A'+j)), i+2), v))
		}
	}
	an.check(f.SetSheetVisible(SheetAnnot, false, true))
}

// ----------------------------------------------------------------- helpers

func sumWidths(from, to string) float64 {
	var s float64
	for c := from[0]; c <= to[0]; c++ {
		s += resultWidths[string(c)]
	}
	return s
}

func suffixIf(cond, s string) string {
	if cond == "" {
		return ""
	}
	return s
}

func fmtTime(t time.Time) string { return layout.Show(t, layout.DateTime) }

func capitalize(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// viNum formats points the Vietnamese way for text: 1.234,5 (at most two
// decimals, trailing zeros dropped).
func viNum(x float64) string {
	s := strconv.FormatFloat(engine.Round2(x), 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, d := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	out := b.String()
	if frac != "" {
		out += "," + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
