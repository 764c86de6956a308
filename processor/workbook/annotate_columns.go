package workbook

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// The system's columns on the commune's own indicator sheet.

// indicatorSheet writes the indicator's code and name, the system score,
// the difference and the system's note beside each indicator, pillar and
// total row of the commune's indicator sheet, and sets how it prints.
//
// The sheet stays protected as the template left it: protection does not
// stop a program writing, the values and comments show on a protected
// sheet, and the new cells are locked, which is right for the system's
// figures. A password, if the commune set one, is kept too.
func (an *annotator) indicatorSheet() {
	c, a, st := an.c, an.a, an.st
	sheet := a.Sub.Sheet
	if sheet == "" || len(a.Sub.Rows) == 0 || !c.hasSheet(sheet) {
		return
	}
	val := func(col, row int) string { return strings.TrimSpace(c.value(sheet, col, row)) }
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
			v := val(c, r)
			if v == "" {
				continue
			}
			switch vntext.Fold(v) {
			case foldedSelfHeader:
				header, selfCol = r, c
			case foldedSysScore:
				sysCol = c
			}
		}
	}
	if header == 0 {
		header, sysCol = min(4, firstInd-1), 0
	}
	targets := an.targetRows(sheet, header, val)
	// The block's first column: after the last used one; where a previous
	// annotation wrote it, found by the score's header (results written
	// before the code and name were copied have the score first).
	first := sysCol
	switch {
	case sysCol == 0:
		if first = an.freeColumn(sheet, firstInd, targets, val); first == 0 {
			return
		}
	case sysCol > 2 && val(sysCol-2, header) == hdrSysCode && val(sysCol-1, header) == hdrSysName:
		first = sysCol - 2
	}
	cols := make([]int, len(sysHeaders))
	for i := range cols {
		cols[i] = first + i
	}
	widths := sysWidths(targets)
	for i, col := range cols {
		an.check(c.setColWidth(sheet, col, widths[i]))
	}
	if sysCol > 0 {
		// Clear what the previous annotation wrote in these columns, and
		// in the three it wrote before the code and name were copied.
		for _, row := range targets {
			for col := first; col <= max(cols[len(cols)-1], sysCol+2); col++ {
				if c.value(sheet, col, row.row) != "" {
					an.check(c.setCell(sheet, col, row.row, blankValue(), -1))
				}
			}
		}
	}
	if header > 0 {
		hst := st.sysHeader
		if selfCol > 0 {
			// Look like the template's own header row.
			if sid, err := c.style(sheet, selfCol, header); err == nil && sid != 0 {
				hst = sid
			}
		}
		for i, h := range sysHeaders {
			an.check(c.setCell(sheet, cols[i], header, textValue(h), hst))
		}
		// The template numbers its columns (A, B, …) on the row below the
		// header: continue the numbering.
		if first > 1 && header+1 < firstInd && val(first-1, header+1) == ooxml.ColName(first-1) {
			sid, _ := c.style(sheet, first-1, header+1)
			for _, col := range cols {
				an.check(c.setCell(sheet, col, header+1, textValue(ooxml.ColName(col)), sid))
			}
		}
	}
	an.printLayout(sheet, header, first, val)
	// The messages each indicator's note carries: every error and
	// warning (a comment does not print: the note is what a printed
	// result keeps), and the information that names no cell (one with a
	// cell is in that cell's comment).
	notes := map[string][]string{}
	for _, p := range an.problems {
		if p.Indicator == "" {
			continue
		}
		if _, _, ok := an.locate(p.Cell); ok && p.Severity != problem.Error && p.Severity != problem.Warning {
			continue
		}
		notes[p.Indicator] = append(notes[p.Indicator], p.Severity.Label()+": "+p.Message)
	}
	merged := c.merges(sheet)
	for _, t := range targets {
		var points, basis, self float64
		hasSelf, bold := false, true
		note := ""
		code, name := t.label(a.Rubric)
		switch {
		case t.total:
			points, basis, self, hasSelf = a.Result.Total, a.Result.SelfBasis, a.Result.Self, a.Result.HasSelf
			if an.provisional() {
				note = "Tạm tính, xếp hạng sau."
			}
		case t.pillar != nil:
			points, basis, self, hasSelf = t.pillar.Points, t.pillar.SelfBasis, t.pillar.Self, t.pillar.HasSelf
			note = an.cohortNote(t.pillar.Code, false)
		default:
			ir := t.ind
			bold = false
			if ir.Self != nil {
				self, hasSelf = *ir.Self, true
			}
			points, basis = ir.Points, ir.Points
			note = joinNonEmpty("\n", an.statusNote(ir), strings.Join(notes[ir.Code], "\n"))
		}
		numSt, diffSt, labelSt := st.sysNum, st.sysDiff, st.sysLabel
		switch {
		case t.total:
			numSt, diffSt, labelSt = st.sysNumBold, st.sysDiffBold, st.sysLabelTotal
		case bold:
			numSt, diffSt, labelSt = st.sysNumBold, st.sysDiffBold, st.sysLabelBold
		}
		an.check(c.setCell(sheet, cols[0], t.row, textValue(code), labelSt))
		an.check(c.setCell(sheet, cols[1], t.row, textValue(name), labelSt))
		score := numValue(engine.Round2(points))
		if t.ind != nil && t.ind.Status == engine.StatusPending {
			score = textValue(PendingText)
			hasSelf = false // no difference until settled
		}
		an.check(c.setCell(sheet, cols[2], t.row, score, numSt))
		if hasSelf {
			an.check(c.setCell(sheet, cols[3], t.row, numValue(engine.Round2(engine.Round2(basis)-engine.Round2(self))), diffSt))
		} else {
			an.check(c.setStyle(sheet, cols[3], t.row, diffSt))
		}
		an.check(c.setCell(sheet, cols[4], t.row, textValue(note), st.sysNote))
		an.growRow(sheet, t.row, max(
			textHeight(code, widths[0], sysLabelSize, bold),
			textHeight(name, widths[1], sysLabelSize, bold),
			textHeight(note, widths[4], sysNoteSize, false),
			an.typedHeight(sheet, t.row, first, merged)))
	}
}

// typedHeight is the height a row's own wrapped text needs in the
// columns before the system's: the form's text, and what the commune typed
// there (a long explanation, a list of evidence), which the form's row
// heights did not foresee and Excel does not grow on its own. Merged
// cells, hidden columns and text that does not wrap are left as they are.
func (an *annotator) typedHeight(sheet string, row, first int, merged []ooxml.Range) float64 {
	h := 0.0
	for col := 1; col < first; col++ {
		v := an.c.value(sheet, col, row)
		if v == "" || inRanges(merged, col, row) {
			continue
		}
		w := an.c.colWidth(sheet, col)
		if w <= 0 {
			continue
		}
		avail := w*ptPerUnit - cellPadding
		if !strings.Contains(v, "\n") && float64(utf8.RuneCountInString(v))*oneLineBound <= avail {
			continue // one line whatever the font: every row has room for it
		}
		st, err := an.c.style(sheet, col, row)
		if err != nil {
			continue
		}
		tf, ok := an.formats[st]
		if !ok {
			tf = an.c.textFormat(st)
			if an.formats == nil {
				an.formats = map[int]ooxml.TextFormat{}
			}
			an.formats[st] = tf
		}
		if !tf.Wrap {
			continue
		}
		n := wrappedLines(v, avail-float64(tf.Indent)*indentPt, tf.Size, tf.Bold)
		h = max(h, float64(n)*lineHeight(tf.Size)+rowPadding)
	}
	return h
}

// oneLineBound is more than any letter's advance, in points, in the sizes
// a form uses (a full em at 16 pt).
const oneLineBound = 16.0

func inRanges(rs []ooxml.Range, col, row int) bool {
	for _, r := range rs {
		if r.Contains(col, row) {
			return true
		}
	}
	return false
}

// sysHeaders are the headers of the columns Annotate adds, in order.
var sysHeaders = []string{hdrSysCode, hdrSysName, hdrSysScore, hdrSysDiff, hdrSysNote}

// Font sizes of the added columns' text (the figures are 12 pt).
const sysLabelSize, sysNoteSize = 11, 11

// sysWidths are the widths of the added columns: the code as wide as the
// longest code in bold (at least the form's 7), the name as the form's,
// score, difference, and a note wide enough for two sentences a line. Code
// and name are copied so that the page the system's columns print on
// reads on its own (see printLayout); all five fit one landscape page at
// the print scale with room to spare.
func sysWidths(targets []targetRow) []float64 {
	code := 7.0
	for _, t := range targets {
		if t.ind != nil {
			code = max(code, math.Ceil((textWidth(t.ind.Code, sysLabelSize, true)+cellPadding)/ptPerUnit))
		}
	}
	return []float64{code, 30, 12, 14, 60}
}

// label is what a target row's code and name columns show: the
// indicator's or the pillar's code and name as the form writes them.
func (t targetRow) label(r *rubric.Rubric) (code, name string) {
	switch {
	case t.total:
		return "", "TỔNG ĐIỂM"
	case t.pillar != nil:
		if p := r.Pillar(t.pillar.Code); p != nil {
			return p.Code, strings.ToUpper(p.Name)
		}
		return t.pillar.Code, ""
	}
	if _, in := r.Indicator(t.ind.Code); in != nil {
		return in.Code, in.Name
	}
	return t.ind.Code, ""
}

// resultScale is the print scale of the result's indicator sheet (%).
const resultScale = 83

// printLayout sets how the indicator sheet prints in the result: first
// is the first column Annotate added.
//
// The form fits its columns (A–K) to one A4 landscape page wide, at about
// 83 %, so that its 11 pt text prints at 9 pt. Kept, that fit would
// squeeze in the columns added after the last too and print every word
// at about 5 pt. So the sheet prints instead at a fixed 83 % (11 pt at
// 9.1 pt), landscape, with a page break before the added columns and the
// pages ordered across, then down: each band of rows prints the commune's
// figures on one page and, on the next, the same rows' code, name, system
// score, difference and note, under the header rows the form repeats.
//
// The code and name are copies in the added columns rather than the
// form's columns A:B repeated as print titles: the form merges its title
// and section rows across A–K, and a merged cell's part in repeated
// columns prints cut at column B on every page of notes. A commune's
// sheet wider than the form spills onto more pages across, never into
// smaller print.
func (an *annotator) printLayout(sheet string, header, first int, val func(col, row int) string) {
	c := an.c
	an.check(c.setPageLayout(sheet, ooxml.PageLayout{PaperSize: 9, Orientation: "landscape", Scale: resultScale, PageOrder: "overThenDown"}))
	if first > 1 {
		an.check(c.setColBreak(sheet, first-1))
	}
	if t := c.printTitles(sheet); t.Row1 == 0 && header > 0 {
		// A copy that lost its title rows: the header, and the row of
		// column letters under it.
		t.Row1, t.Row2 = header, header
		if val(1, header+1) == "A" {
			t.Row2 = header + 1
		}
		an.check(c.setPrintTitles(sheet, t))
	}
}

// selfHeader is the title of the self-score column in the template.
const selfHeader = "Điểm tự chấm"

// The headers the indicator sheet is searched for, folded once.
var foldedSelfHeader, foldedSysScore = vntext.Fold(selfHeader), vntext.Fold(hdrSysScore)

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
	for _, dn := range an.c.definedNames() {
		if dn.name != "diem_tong" {
			continue
		}
		if s, addr, ok := splitRef(dn.refersTo); ok && s == sheet {
			if _, row, err := ooxml.ParseRef(addr); err == nil && row > header {
				out = append(out, targetRow{row: row, total: true})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].row < out[j].row })
	return out
}

// freeColumn returns the first column after the last used one, looking at
// the rows above the first indicator and the rows that will be written
// (values and merged areas). As many empty columns in a row as Annotate
// adds end the search: the columns returned are then empty on every row
// Annotate writes. It returns 0 when no column is free within maxScanCols.
func (an *annotator) freeColumn(sheet string, firstInd int, targets []targetRow, val func(col, row int) string) int {
	rows := make([]int, 0, firstInd+len(targets))
	for r := 1; r < firstInd; r++ {
		rows = append(rows, r)
	}
	for _, t := range targets {
		rows = append(rows, t.row)
	}
	last := 0
	for _, m := range an.c.merges(sheet) {
		last = max(last, m.Col2)
	}
	for c, empty := 1, 0; empty < len(sysHeaders); c++ {
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
	if last+len(sysHeaders) > maxScanCols {
		return 0
	}
	return last + 1
}

// maxScanCols bounds the search for free columns on the indicator sheet.
const maxScanCols = 200

// growRow makes a row at least height points tall; it never shrinks the
// commune's rows.
func (an *annotator) growRow(sheet string, row int, height float64) {
	if height > 0 {
		an.check(an.c.growRow(sheet, row, math.Min(math.Ceil(height), maxRowHeight)))
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
			s = "Chỉ số so sánh giữa các đơn vị (phương pháp Min-Max): tính theo cụm ngày " + layout.Show(an.a.CohortDate, an.a.Zone, layout.Date) + " (" + strings.TrimSpace(n) + " đơn vị có số liệu)."
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
