package workbook

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/validate"
	"github.com/chiso-vn/chiso/processor/values"
	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
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
	Office string // the office, shown under the title
	Rows   []AppraisalRow
	// Each, when Rows is nil, calls fn with each row in turn and returns
	// how many there are first when count is true: a national cohort's
	// ~190,000 rows are made as they are written, never held.
	Count int
	Each  func(fn func(AppraisalRow)) error
}

// each calls fn with every row of the options.
func (opt AppraisalOptions) each(fn func(AppraisalRow)) error {
	if opt.Each != nil && opt.Rows == nil {
		return opt.Each(fn)
	}
	for _, r := range opt.Rows {
		fn(r)
	}
	return nil
}

// count is the number of rows.
func (opt AppraisalOptions) count() int {
	if opt.Each != nil && opt.Rows == nil {
		return opt.Count
	}
	return len(opt.Rows)
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
// computed ones in the ranking. A national cohort has ~190,000 rows: the
// sheet is written by ooxml's streaming writer, each row as tall as its
// wrapped indicator and unit names, so that no name runs into the rows
// below on screen or on paper.
func WriteAppraisal(w io.Writer, opt AppraisalOptions) error {
	kv := [][2]string{{MetaKind, KindAppraisal}, {MetaRubric, opt.Rubric.ID}, {MetaHash, opt.Rubric.Hash},
		{MetaVersion, TemplateVersion}, {MetaYear, strconv.Itoa(opt.Year)}, {MetaCohort, opt.Cohort}}
	var props []ooxml.Property
	for _, p := range kv {
		props = append(props, ooxml.Property{Name: "chiso_" + p[0], Value: p[1]})
	}
	p, err := ooxml.NewWorkbook(ooxml.WorkbookOptions{Font: fontName, FontSize: bodySize, Properties: props})
	if err != nil {
		return err
	}
	ss := newOxStyles(p)
	const l, c = "left", "center"
	st := struct{ title, office, guide, header, text, num, input, note int }{
		title:  ss.id(look{bold: true, size: 14, h: c, v: c, wrap: true}),
		office: ss.id(look{italic: true, size: bodySize, h: c, v: c, wrap: true}),
		guide:  ss.id(look{size: bodySize, v: "top", wrap: true}),
		header: ss.id(look{bold: true, size: bodySize, h: c, v: c, wrap: true, border: true, fill: fillHeader}),
		text:   ss.id(look{size: bodySize, h: l, v: "top", wrap: true, border: true}),
		num:    ss.id(look{size: bodySize, h: c, v: "top", wrap: true, border: true}),
		input:  ss.id(look{size: bodySize, h: c, v: "top", wrap: true, border: true, fill: fillInput, unlocked: true}),
		note:   ss.id(look{size: bodySize, h: l, v: "top", wrap: true, border: true, fill: fillInput, unlocked: true}),
	}
	var errs []error
	check := func(err error) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	sw := ooxml.NewSheetWriter()
	widths := []float64{11, 22, 7, 44, 8, 9, 10, 11, 30}
	for i, wd := range widths {
		check(sw.SetColWidth(i+1, i+1, wd))
	}
	last := appraisalFirstRow + opt.count() - 1
	if last >= appraisalFirstRow {
		check(sw.SetAutoFilter(ooxml.Range{Col1: 1, Row1: 4, Col2: 9, Row2: last}))
		check(sw.AddValidation(ooxml.Validation{Range: ooxml.Range{Col1: 8, Row1: appraisalFirstRow, Col2: 8, Row2: last},
			Type: "decimal", Operator: "between", Formula1: "0", Formula2: "1000000", AllowBlank: true,
			PromptTitle: "Điểm thẩm định", Prompt: "Nhập điểm từ 0 đến điểm tối đa của chỉ số (cột E); để trống nếu giữ điểm hệ thống.",
			ErrorTitle: "Điểm không hợp lệ", Error: "Điểm thẩm định là một số từ 0 đến điểm tối đa."}))
	}
	sw.Freeze(2, 4)
	sw.Protect()
	pl := planPrint(widths, 2, bodySize)
	footer := "&L" + hfRegular + "&A&R" + hfRegular + "Trang &P/&N"
	office := strings.TrimSpace(vntext.Clean(opt.Office))
	header := ""
	if office != "" {
		header = "&L" + hfRegular + hf(office) + "&R" + hfRegular + "Năm " + strconv.Itoa(opt.Year)
	}
	check(pl.apply(sw, header, footer))
	check(sw.SetPrintTitles(4, 4))
	total := sumWidth(widths, 1, len(widths))
	title := fmt.Sprintf("BẢNG ĐIỂM THẨM ĐỊNH CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM %d", opt.Year)
	check(sw.WriteRow(1, fitHeight(title, total, 14, true, 22), ooxml.CellValue{Col: 1, Value: ooxml.Text(title), Style: st.title}))
	check(sw.Merge(ooxml.Range{Col1: 1, Row1: 1, Col2: 9, Row2: 1}))
	if office != "" {
		check(sw.WriteRow(2, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text(office), Style: st.office}))
		check(sw.Merge(ooxml.Range{Col1: 1, Row1: 2, Col2: 9, Row2: 2}))
	}
	guide := "Hội đồng thẩm định nhập điểm vào cột \"Điểm thẩm định\" (ô màu vàng) cho những chỉ số cần điều chỉnh; để trống nếu giữ điểm hệ thống tính. Lưu tệp rồi chép vào thư mục nhận báo cáo (inbox). Tệp gửi sau thay thế tệp gửi trước."
	check(sw.WriteRow(3, fitHeight(guide, total, bodySize, false, 15), ooxml.CellValue{Col: 1, Value: ooxml.Text(guide), Style: st.guide}))
	check(sw.Merge(ooxml.Range{Col1: 1, Row1: 3, Col2: 9, Row2: 3}))
	heads := []string{"Mã đơn vị", "Đơn vị", "Mã chỉ số", "Chỉ số", "Điểm tối đa", "Điểm tự chấm", "Điểm hệ thống tính", "Điểm thẩm định", "Ghi chú của hội đồng"}
	cells := make([]ooxml.CellValue, len(heads))
	hh := 30.0
	for i, h := range heads {
		cells[i] = ooxml.CellValue{Col: i + 1, Value: ooxml.Text(h), Style: st.header}
		hh = math.Max(hh, fitHeight(h, widths[i], bodySize, true, 30))
	}
	check(sw.WriteRow(4, hh, cells...))
	// A row is as tall as its longest wrapped text; names repeat (one per
	// unit, one per indicator), so each is measured once.
	heights := map[string]float64{}
	height := func(s string, col int) float64 {
		k := strconv.Itoa(col) + s
		h, ok := heights[k]
		if !ok {
			h = fitHeight(s, widths[col-1], bodySize, false, 0)
			heights[k] = h
		}
		return h
	}
	oneLine := lineHeight(bodySize) + rowPadding
	// Unit and indicator names repeat on every row: shared strings.
	shared := p.Shared
	row := appraisalFirstRow
	err = opt.each(func(r AppraisalRow) {
		if row > last {
			check(fmt.Errorf("more rows than the %d counted", opt.count()))
			return
		}
		// Text from the ledger goes in as strings: never a formula.
		cells = cells[:0]
		cells = append(cells,
			ooxml.CellValue{Col: 1, Value: shared(r.UnitKey), Style: st.text},
			ooxml.CellValue{Col: 2, Value: shared(r.UnitName), Style: st.text},
			ooxml.CellValue{Col: 3, Value: shared(r.Code), Style: st.text},
			ooxml.CellValue{Col: 4, Value: shared(r.Name), Style: st.text},
			ooxml.CellValue{Col: 5, Value: ooxml.Number(r.Max), Style: st.num},
			ooxml.CellValue{Col: 6, Style: st.num},
			ooxml.CellValue{Col: 7, Value: ooxml.Number(roundTo2(r.Computed)), Style: st.num},
			ooxml.CellValue{Col: 8, Style: st.input},
			ooxml.CellValue{Col: 9, Value: textOrBlank(r.Note), Style: st.note})
		if r.Self != nil {
			cells[5].Value = ooxml.Number(*r.Self)
		}
		if r.Appraisal != nil {
			cells[7].Value = ooxml.Number(*r.Appraisal)
		}
		h := math.Max(height(r.Name, 4), height(r.UnitName, 2))
		if r.Note != "" {
			h = math.Max(h, height(r.Note, 9))
		}
		if h <= oneLine {
			h = 0
		}
		check(sw.WriteRow(row, h, cells...))
		row++
	})
	check(err)
	if row != last+1 {
		check(fmt.Errorf("%d rows written, %d counted", row-appraisalFirstRow, opt.count()))
	}
	check(sw.End())
	check(p.AddSheet(SheetAppraisal, 0, sw))
	meta := ooxml.NewSheetWriter()
	for i, kvp := range kv {
		check(meta.WriteRow(i+1, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text(kvp[0])}, ooxml.CellValue{Col: 2, Value: textOrBlank(kvp[1])}))
	}
	check(p.AddSheet(SheetMeta, 1, meta))
	check(p.SetSheetState(SheetMeta, ooxml.VeryHidden))
	check(p.SetActiveSheet(SheetAppraisal))
	check(ss.err)
	if len(errs) > 0 {
		return fmt.Errorf("appraisal workbook: %w", errs[0])
	}
	if err := p.Write(w); err != nil {
		return fmt.Errorf("appraisal workbook: %w", err)
	}
	return nil
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
