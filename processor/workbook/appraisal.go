package workbook

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/validate"
	"github.com/chiso-vn/chiso/processor/values"
)

// SheetAppraisal is the appraisal council's score sheet.
const SheetAppraisal = "Thẩm định"

// AppraisalRow is one unit × indicator line of the appraisal sheet.
type AppraisalRow struct {
	UnitKey, UnitName string
	Code, Name        string
	Max, Computed     float64
	Self              *float64
	Appraisal         *float64 // the current council score, if any
	Note              string
}

// AppraisalOptions say what the appraisal workbook holds.
type AppraisalOptions struct {
	Rubric *rubric.Rubric
	Year   int
	Cohort string
	Office string
	Rows   []AppraisalRow
}

const appraisalFirstRow = 5

// Appraisal columns: the council types in H (Điểm thẩm định) and I (Ghi chú).
const (
	apUnitKey   = "A"
	apUnit      = "B"
	apCode      = "C"
	apName      = "D"
	apMax       = "E"
	apSelf      = "F"
	apComp      = "G"
	apAppraisal = "H"
	apNote      = "I"
)

// WriteAppraisal writes the council's score sheet: one row per unit and
// indicator with the self-declared and computed scores, and an editable
// "Điểm thẩm định" column. Dropped back into the inbox, it is recognised by
// its metadata (kind tham-dinh) and the scores it holds replace the
// computed ones in the ranking.
func WriteAppraisal(w io.Writer, opt AppraisalOptions) error {
	f, err := appraisalWorkbook(opt)
	if err != nil {
		return err
	}
	defer f.Close()
	return write(f, w)
}

func appraisalWorkbook(opt AppraisalOptions) (*excelize.File, error) {
	f := excelize.NewFile()
	st, err := newStyles(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	g := &generator{f: f, r: opt.Rubric, st: st, general: map[string]string{}, listRef: map[string]string{}}
	s := SheetAppraisal
	g.check(f.SetSheetName("Sheet1", s))
	_, err = f.NewSheet(SheetMeta)
	g.check(err)
	widths := map[string]float64{apUnitKey: 12, apUnit: 26, apCode: 8, apName: 48, apMax: 9, apSelf: 10, apComp: 10, apAppraisal: 12, apNote: 36}
	// The sheet is streamed: a national cohort has ~190,000 rows, which
	// excelize would otherwise hold cell by cell in memory. Filter,
	// validation, page set-up and protection are set on the sheet first;
	// the stream writer's Flush writes them after the rows.
	last := appraisalFirstRow + len(opt.Rows) - 1
	if last >= appraisalFirstRow {
		g.check(f.AutoFilter(s, "A4:"+cell(apNote, last), nil))
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(cell(apAppraisal, appraisalFirstRow) + ":" + cell(apAppraisal, last))
		g.check(dv.SetRange(0, 1e6, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorGreaterThanOrEqual))
		dv.SetInput("Điểm thẩm định", "Nhập điểm từ 0 đến điểm tối đa của chỉ số (cột E); để trống nếu giữ điểm hệ thống.")
		dv.SetError(excelize.DataValidationErrorStyleStop, "Điểm không hợp lệ", "Điểm thẩm định là một số từ 0 đến điểm tối đa.")
		g.check(f.AddDataValidation(s, dv))
	}
	g.pageSetup(s, "$4:$4", true)
	g.protect(s)
	sw, err := f.NewStreamWriter(s)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("appraisal workbook: %w", err)
	}
	for i, c := range []string{apUnitKey, apUnit, apCode, apName, apMax, apSelf, apComp, apAppraisal, apNote} {
		g.check(sw.SetColWidth(i+1, i+1, widths[c]))
	}
	g.check(sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: 4, TopLeftCell: "C5", ActivePane: "bottomRight"}))
	title := fmt.Sprintf("BẢNG ĐIỂM THẨM ĐỊNH CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM %d", opt.Year)
	guide := "Hội đồng thẩm định nhập điểm vào cột \"Điểm thẩm định\" (ô màu vàng) cho những chỉ số cần điều chỉnh; để trống nếu giữ điểm hệ thống tính. Lưu tệp rồi chép vào thư mục nhận báo cáo (inbox). Tệp gửi sau thay thế tệp gửi trước."
	g.check(sw.SetRow("A1", []any{excelize.Cell{StyleID: st.title, Value: title}}, excelize.RowOpts{Height: 22}))
	g.check(sw.SetRow("A2", []any{excelize.Cell{StyleID: st.guide, Value: guide}}, excelize.RowOpts{Height: 36}))
	heads := []any{}
	for _, h := range []string{"Mã đơn vị", "Đơn vị", "Mã chỉ số", "Chỉ số", "Điểm tối đa", "Điểm tự chấm", "Điểm hệ thống tính", "Điểm thẩm định", "Ghi chú của hội đồng"} {
		heads = append(heads, excelize.Cell{StyleID: st.header, Value: h})
	}
	g.check(sw.SetRow("A4", heads, excelize.RowOpts{Height: 32}))
	row := appraisalFirstRow
	cells := make([]excelize.Cell, 9)
	vals := make([]any, 9)
	for _, r := range opt.Rows {
		// Text from the ledger goes in as strings: never a formula.
		cells[0] = excelize.Cell{StyleID: st.indicator, Value: r.UnitKey}
		cells[1] = excelize.Cell{StyleID: st.indicator, Value: r.UnitName}
		cells[2] = excelize.Cell{StyleID: st.indicator, Value: r.Code}
		cells[3] = excelize.Cell{StyleID: st.indicator, Value: r.Name}
		cells[4] = excelize.Cell{StyleID: st.indicatorNum, Value: r.Max}
		cells[5] = excelize.Cell{StyleID: st.indicatorNum}
		if r.Self != nil {
			cells[5].Value = *r.Self
		}
		cells[6] = excelize.Cell{StyleID: st.indicatorNum, Value: roundTo2(r.Computed)}
		cells[7] = excelize.Cell{StyleID: st.selfIn}
		if r.Appraisal != nil {
			cells[7].Value = *r.Appraisal
		}
		cells[8] = excelize.Cell{StyleID: st.textIn, Value: r.Note}
		for i := range cells {
			vals[i] = &cells[i]
		}
		g.check(sw.SetRow(cell("A", row), vals))
		row++
	}
	g.check(sw.MergeCell("A1", "I1"))
	g.check(sw.MergeCell("A2", "I2"))
	g.check(sw.Flush())
	kv := [][2]string{{MetaKind, KindAppraisal}, {MetaRubric, opt.Rubric.ID}, {MetaHash, opt.Rubric.Hash},
		{MetaVersion, TemplateVersion}, {MetaYear, strconv.Itoa(opt.Year)}, {MetaCohort, opt.Cohort}}
	for i, p := range kv {
		g.check(f.SetCellStr(SheetMeta, cell("A", i+1), p[0]))
		g.check(f.SetCellStr(SheetMeta, cell("B", i+1), p[1]))
		g.check(f.SetCustomProps(excelize.CustomProperty{Name: "chiso_" + p[0], Value: p[1]}))
	}
	g.check(f.SetSheetVisible(SheetMeta, false, true))
	if len(g.errs) > 0 {
		f.Close()
		return nil, fmt.Errorf("appraisal workbook: %w", g.errs[0])
	}
	return f, nil
}

func roundTo2(x float64) float64 {
	if x < 0 {
		return -roundTo2(-x)
	}
	return float64(int64(x*100+0.5+1e-9)) / 100
}

// AppraisalEntry is one council score read back.
type AppraisalEntry struct {
	UnitKey, UnitName, Code string
	Score                   float64
	Note                    string
	Cell                    string
}

// ReadAppraisal reads the council's scores from an appraisal workbook.
// Rows without a score are skipped; a score that is not a number, is
// outside 0..max, or names an unknown or non-leaf indicator is a Problem
// (the row is not used).
func readAppraisal(src source, r *rubric.Rubric) ([]AppraisalEntry, []problem.Problem) {
	sh, err := src.sheet(SheetAppraisal)
	var rows [][]string
	if err == nil {
		rows = sh.rows()
	}
	if err != nil {
		return nil, []problem.Problem{{Severity: problem.Error, Code: "appraisal-unreadable",
			Message: "Không tìm thấy trang \"" + SheetAppraisal + "\" trong tệp thẩm định: dùng tệp do hệ thống lập, không đổi tên trang."}}
	}
	var out []AppraisalEntry
	var probs []problem.Problem
	col := func(row []string, i int) string {
		if i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	for i := appraisalFirstRow - 1; i < len(rows); i++ {
		row := rows[i]
		raw := col(row, 7)
		if raw == "" {
			continue
		}
		where := SheetAppraisal + "!" + cell(apAppraisal, i+1)
		unit, code := col(row, 0), col(row, 2)
		e := AppraisalEntry{UnitKey: unit, UnitName: col(row, 1), Code: code, Note: col(row, 8), Cell: where}
		bad := func(msg string) {
			probs = append(probs, problem.Problem{Severity: problem.Error, Code: "appraisal-invalid", Indicator: code, Cell: where, Message: msg})
		}
		_, in := r.Indicator(code)
		switch {
		case unit == "":
			bad(fmt.Sprintf("Dòng %d: thiếu mã đơn vị (cột A), điểm thẩm định không được dùng.", i+1))
			continue
		case in == nil:
			bad(fmt.Sprintf("Dòng %d: không có chỉ số \"%s\" trong bộ chỉ số %s.", i+1, code, r.ID))
			continue
		case len(in.Children) > 0:
			bad(fmt.Sprintf("Dòng %d: chỉ số %s là tổng của các chỉ số con; hãy nhập điểm thẩm định cho từng chỉ số con.", i+1, code))
			continue
		}
		score, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			n, _, nerr := values.Number(raw)
			if nerr != nil {
				bad(fmt.Sprintf("Dòng %d (%s, chỉ số %s): điểm thẩm định \"%s\" không phải là số.", i+1, e.UnitName, code, raw))
				continue
			}
			score = n
		}
		if score < 0 || score > in.MaxValue()+1e-9 {
			bad(fmt.Sprintf("Dòng %d (%s, chỉ số %s): điểm thẩm định %s nằm ngoài khoảng 0 đến %s.", i+1, e.UnitName, code,
				validate.FormatNum(score), validate.FormatNum(in.MaxValue())))
			continue
		}
		e.Score = score
		out = append(out, e)
	}
	return out, probs
}
