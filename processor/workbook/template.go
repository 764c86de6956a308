package workbook

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/formula"
	"github.com/chiso-vn/chiso/processor/rubric"
)

// TemplateOptions say for whom and when a template is generated.
type TemplateOptions struct {
	Year     int
	UnitCode string // empty for the generic form
	UnitName string
	Deadline string // as shown to communes, e.g. "15/12/2023"
	Office   string // consolidating office, e.g. "UBND huyện Triệu Sơn"
	Contact  string // whom to contact, free text
	Inbox    string // where to put the finished file, free text
}

// Columns of the indicator sheet.
const (
	colTT       = "A"
	colName     = "B"
	colMax      = "C"
	colMethod   = "D"
	colValue    = "E"
	colUnit     = "F"
	colScore    = "G"
	colSelf     = "H"
	colExplain  = "I"
	colEvidence = "J"
	colOfficer  = "K"
	lastCol     = colOfficer
	headerRow   = 4 // column titles; row 5 holds the column letters
	firstRow    = 6
)

// styles used by the template generator.
type styles struct {
	title, header, letters, section, pillar, pillarMax, pillarPoints, indicator, indicatorMax, method, input, inputNum,
	inputLabel, aside, unit, score, selfFigure, textIn, total, totalMax, note, guide, guideTitle, guideHead, guideItem, genLabel, genValue, genLocked int
}

func newStyles(f *excelize.File) (styles, error) {
	ss := newStyleSet(f)
	// Table cells: wrapped, top-aligned, bordered. Figures a person types
	// or reads as typed use Excel's General format (the reader's decimal
	// separator, no trailing one); computed points two decimals.
	const l, c, r = "left", "center", "right"
	cellOf := func(h string) look { return look{h: h, v: "top", wrap: true, border: true} }
	s := styles{
		title:        ss.id(look{bold: true, size: 14, h: c, v: c, wrap: true}),
		header:       ss.id(look{bold: true, h: c, v: c, wrap: true, border: true, fill: fillHeader}),
		letters:      ss.id(look{italic: true, size: 11, h: c, border: true, fill: fillHeader}),
		indicator:    ss.id(cellOf(l)),
		indicatorMax: ss.id(look{h: c, v: "top", wrap: true, border: true}),
		section:      ss.id(look{bold: true, h: l, v: "top", wrap: true, border: true, fill: fillSection}),
		pillar:       ss.id(look{bold: true, h: l, v: "top", wrap: true, border: true, fill: fillPillar}),
		pillarMax:    ss.id(look{bold: true, h: c, v: "top", wrap: true, border: true, fill: fillPillar}),
		pillarPoints: ss.id(look{bold: true, h: c, v: "top", wrap: true, border: true, fill: fillPillar, numFmtID: numFmtPoints}),
		method:       ss.id(look{size: 11, h: l, v: "top", wrap: true, border: true}),
		input:        ss.id(look{h: l, v: "top", wrap: true, border: true, fill: fillInput, unlocked: true}),
		inputNum:     ss.id(look{h: r, v: "top", wrap: true, border: true, fill: fillInput, unlocked: true}),
		inputLabel:   ss.id(look{italic: true, size: 11, v: "top", wrap: true, indent: 1, border: true}),
		aside:        ss.id(look{italic: true, size: 11, v: "top", wrap: true, border: true}),
		unit:         ss.id(look{size: 11, h: c, v: "top", wrap: true, border: true}),
		score:        ss.id(look{bold: true, color: colorTitle, h: c, v: "top", wrap: true, border: true, fill: fillSystem, numFmtID: numFmtPoints}),
		selfFigure:   ss.id(look{h: c, v: "top", wrap: true, border: true, fill: fillInput, unlocked: true}),
		textIn:       ss.id(look{size: 11, h: l, v: "top", wrap: true, border: true, fill: fillInput, unlocked: true}),
		total:        ss.id(look{bold: true, size: 13, h: c, v: "top", wrap: true, border: true, fill: fillTotal, numFmtID: numFmtPoints}),
		totalMax:     ss.id(look{bold: true, size: 13, h: c, v: "top", wrap: true, border: true, fill: fillTotal}),
		note:         ss.id(look{italic: true, size: 11, v: "top", wrap: true}),
		guide:        ss.id(look{v: "top", wrap: true}),
		guideTitle:   ss.id(look{bold: true, size: 13, v: "top", wrap: true}),
		guideHead:    ss.id(look{bold: true, v: "top", wrap: true}),
		guideItem:    ss.id(look{v: "top", wrap: true, indent: 1}),
		genLabel:     ss.id(cellOf(l)),
		genValue:     ss.id(look{h: l, v: "top", wrap: true, border: true, fill: fillInput, unlocked: true}),
		genLocked:    ss.id(look{bold: true, h: l, v: "top", wrap: true, border: true}),
	}
	return s, ss.err
}

// generator carries state while one template is written.
type generator struct {
	f       *excelize.File
	r       *rubric.Rubric
	opt     TemplateOptions
	st      styles
	general map[string]string  // general key → absolute ref on the general sheet
	lists   int                // rows used on the lists sheet
	listRef map[string]string  // list items → their range, so equal lists share one
	cols    map[string]float64 // the indicator sheet's column widths
	errs    []error
}

func (g *generator) check(err error) {
	if err != nil {
		g.errs = append(g.errs, err)
	}
}

func abs(sheet, col string, row int) string {
	return "'" + sheet + "'!$" + col + "$" + strconv.Itoa(row)
}

func (g *generator) name(name, sheet, col string, row int) {
	g.check(g.f.SetDefinedName(&excelize.DefinedName{Name: name, RefersTo: abs(sheet, col, row)}))
}

func cell(col string, row int) string { return col + strconv.Itoa(row) }

// WriteTemplate writes the blank self-assessment workbook for rubric r.
func WriteTemplate(w io.Writer, r *rubric.Rubric, opt TemplateOptions) error {
	f, err := Template(r, opt)
	if err != nil {
		return err
	}
	defer f.Close()
	return write(f, w)
}

// Template builds the blank self-assessment workbook for rubric r, open
// (test and sample generators fill it through its defined names).
func Template(r *rubric.Rubric, opt TemplateOptions) (*excelize.File, error) {
	f := excelize.NewFile()
	if err := setDefaultFont(f); err != nil {
		f.Close()
		return nil, err
	}
	st, err := newStyles(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	g := &generator{f: f, r: r, opt: opt, st: st, general: map[string]string{}, listRef: map[string]string{}}
	g.check(f.SetSheetName("Sheet1", SheetGuide))
	for _, s := range []string{SheetGeneral, SheetScores, SheetLists, SheetMeta} {
		_, err := f.NewSheet(s)
		g.check(err)
	}
	g.generalSheet()
	g.scoresSheet()
	g.guideSheet()
	g.meta()
	g.check(f.SetSheetVisible(SheetLists, false, true))
	g.check(f.SetSheetVisible(SheetMeta, false, true))
	idx, _ := f.GetSheetIndex(SheetScores)
	f.SetActiveSheet(idx)
	if len(g.errs) > 0 {
		f.Close()
		return nil, fmt.Errorf("template %s: %w", r.ID, g.errs[0])
	}
	return f, nil
}

// dropList registers a list on the hidden lists sheet and returns its range.
func (g *generator) dropList(items []string) string {
	key := strings.Join(items, "\x00")
	if ref, ok := g.listRef[key]; ok {
		return ref
	}
	start := g.lists + 1
	for i, it := range items {
		g.check(g.f.SetCellStr(SheetLists, cell("A", start+i), it))
	}
	g.lists += len(items)
	ref := "'" + SheetLists + "'!$A$" + strconv.Itoa(start) + ":$A$" + strconv.Itoa(start+len(items)-1)
	g.listRef[key] = ref
	return ref
}

// validate attaches the data validation an input type calls for.
func (g *generator) validate(sheet, ref string, in rubric.Input, label string) {
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(ref)
	title := clip("Nhập "+label, 32) // Excel's limit for a prompt title
	switch in.Type {
	case rubric.YesNo:
		dv.SetSqrefDropList(g.dropList([]string{yesLabel, noLabel}))
		dv.SetInput(title, "Chọn Có hoặc Không trong danh sách.")
		dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", "Chỉ được chọn Có hoặc Không.")
	case rubric.Choice:
		var labels []string
		for _, o := range in.Options {
			labels = append(labels, o.Shown())
		}
		dv.SetSqrefDropList(g.dropList(labels))
		dv.SetInput(title, clip("Chọn một trong: "+strings.Join(labels, "; "), 250))
		dv.SetError(excelize.DataValidationErrorStyleStop, "Giá trị không hợp lệ", "Hãy chọn một giá trị trong danh sách.")
	case rubric.Count:
		g.check(dv.SetRange(0, 1e9, excelize.DataValidationTypeWhole, excelize.DataValidationOperatorBetween))
		dv.SetInput(title, "Nhập số nguyên, không âm (ví dụ 19). Không nhập chữ hay đơn vị.")
		dv.SetError(excelize.DataValidationErrorStyleStop, "Cần số nguyên không âm", "Ô này cần một số nguyên từ 0 trở lên, không kèm chữ.")
	case rubric.Number, rubric.Money:
		g.check(dv.SetRange(0, 1e12, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween))
		msg := "Nhập số không âm."
		if in.Type == rubric.Money {
			msg = "Nhập số tiền theo đơn vị triệu đồng (ví dụ 9 hoặc 9,5), không ghi đồng."
		}
		dv.SetInput(title, msg)
		dv.SetError(excelize.DataValidationErrorStyleStop, "Cần một số không âm", "Ô này cần một số từ 0 trở lên, không kèm chữ.")
	case rubric.Pct:
		g.check(dv.SetRange(0, 100, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween))
		dv.SetInput(title, "Nhập tỷ lệ phần trăm từ 0 đến 100 (ví dụ 90 nghĩa là 90%).")
		dv.SetError(excelize.DataValidationErrorStyleStop, "Cần tỷ lệ 0–100", "Nhập số từ 0 đến 100 (phần trăm).")
	default:
		return
	}
	g.check(g.f.AddDataValidation(sheet, dv))
}

// clip shortens s to at most n characters at a word boundary, marking the
// cut with "…".
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := n - 1
	for i := cut; i > n/2; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(r[:cut]), " ,;:") + "…"
}

func unitText(in rubric.Input) string {
	if in.Unit != "" {
		return in.Unit
	}
	switch in.Type {
	case rubric.Count:
		return "số lượng"
	case rubric.Money:
		return "triệu đồng"
	case rubric.Pct:
		return "%"
	case rubric.YesNo:
		return "Có/Không"
	case rubric.Choice:
		return "chọn"
	case rubric.Items:
		return "mỗi dòng một mục"
	case rubric.Number:
		return "số"
	}
	return ""
}

func (g *generator) generalSheet() {
	f, s, st := g.f, SheetGeneral, g.st
	for c, w := range generalWidths {
		g.check(f.SetColWidth(s, c, c, w))
	}
	g.check(f.MergeCell(s, "A1", "C1"))
	g.check(f.SetCellStr(s, "A1", "THÔNG TIN CHUNG"))
	g.check(f.SetCellStyle(s, "A1", "C1", st.title))
	g.check(f.SetRowHeight(s, 1, 24))
	row := 3
	unitLocked := g.opt.UnitName != ""
	fields := []struct {
		name, label, value string
		locked             bool
	}{
		{NameUnitName, "Tên đơn vị", g.opt.UnitName, unitLocked},
		{NameUnitCode, "Mã đơn vị", g.opt.UnitCode, unitLocked},
		{NameUnitAddress, "Địa chỉ", "", false},
		{NameYear, "Năm báo cáo (kỳ đánh giá)", strconv.Itoa(g.opt.Year), true},
		{NameContactName, "Người đầu mối nhập báo cáo: họ và tên", "", false},
		{NameContactRole, "Chức danh / chức vụ", "", false},
		{NameContactPhone, "Số điện thoại", "", false},
		{NameContactEmail, "Email", "", false},
	}
	for _, fd := range fields {
		g.check(f.SetCellStr(s, cell("A", row), fd.label))
		g.check(f.SetCellStyle(s, cell("A", row), cell("A", row), st.genLabel))
		if fd.name == NameYear {
			g.check(f.SetCellInt(s, cell("B", row), int64(g.opt.Year)))
		} else {
			g.check(f.SetCellStr(s, cell("B", row), fd.value))
		}
		style := st.genValue
		if fd.locked {
			style = st.genLocked
		}
		g.check(f.SetCellStyle(s, cell("B", row), cell("B", row), style))
		g.check(f.SetCellStyle(s, cell("C", row), cell("C", row), st.genLabel))
		g.name(fd.name, s, "B", row)
		g.fitText(s, row, generalWidths, 18)
		row++
	}
	row++
	g.check(f.MergeCell(s, cell("A", row), cell("C", row)))
	g.check(f.SetCellStr(s, cell("A", row), "SỐ LIỆU CHUNG (dùng làm mẫu số cho các chỉ số)"))
	g.check(f.SetCellStyle(s, cell("A", row), cell("C", row), st.section))
	g.fitText(s, row, map[string]float64{"A": generalWidths["A"] + generalWidths["B"] + generalWidths["C"]}, 18)
	row++
	for _, in := range g.r.General {
		g.check(f.SetCellStr(s, cell("A", row), in.Label))
		g.check(f.SetCellStyle(s, cell("A", row), cell("A", row), st.genLabel))
		style := st.genValue
		g.check(f.SetCellStyle(s, cell("B", row), cell("B", row), style))
		g.check(f.SetCellStr(s, cell("C", row), unitText(in)))
		g.check(f.SetCellStyle(s, cell("C", row), cell("C", row), st.unit))
		g.validate(s, cell("B", row), in, in.Label)
		g.name(GeneralName(in.Key), s, "B", row)
		g.general[in.Key] = abs(s, "B", row)
		g.fitText(s, row, generalWidths, 18)
		row++
	}
	g.pageSetup(s, "$1:$1", false)
	g.protect(s)
}

func (g *generator) pageSetup(sheet, titles string, landscape bool) {
	size, one, zero := 9, 1, 0
	orient := "portrait"
	if landscape {
		orient = "landscape"
	}
	fit := true
	g.check(g.f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: &size, Orientation: &orient, FitToWidth: &one, FitToHeight: &zero}))
	g.check(g.f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}))
	m := 0.5
	g.check(g.f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &m, Right: &m, Top: &m, Bottom: &m}))
	g.check(g.f.SetHeaderFooter(sheet, &excelize.HeaderFooterOptions{OddFooter: "&C&\"Times New Roman\"Trang &P / &N"}))
	if titles != "" {
		g.check(g.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", Scope: sheet, RefersTo: "'" + sheet + "'!" + titles}))
	}
}

func (g *generator) protect(sheet string) {
	g.check(g.f.ProtectSheet(sheet, &excelize.SheetProtectionOptions{
		SelectLockedCells: true, SelectUnlockedCells: true, FormatColumns: true, FormatRows: true, AutoFilter: true,
	}))
}

func (g *generator) scoresSheet() {
	f, s, st := g.f, SheetScores, g.st
	g.cols = g.scoreColumns()
	widths := g.cols
	for c, w := range widths {
		g.check(f.SetColWidth(s, c, c, w))
	}
	unit := g.opt.UnitName
	if unit == "" {
		unit = "…………………… (ghi tên đơn vị ở trang Thông tin chung)"
	}
	g.check(f.MergeCell(s, "A1", cell(lastCol, 1)))
	g.check(f.SetCellStr(s, "A1", strings.ToUpper("Kết quả tự đánh giá bộ chỉ số chuyển đổi số năm "+strconv.Itoa(g.opt.Year))))
	g.check(f.SetCellStyle(s, "A1", cell(lastCol, 1), st.title))
	g.fitText(s, 1, g.wide(), 30)
	g.check(f.MergeCell(s, "A2", cell(lastCol, 2)))
	g.check(f.SetCellStr(s, "A2", "Đơn vị: "+unit+"   —   "+g.r.Name))
	g.check(f.SetCellStyle(s, "A2", cell(lastCol, 2), st.guide))
	g.fitText(s, 2, g.wide(), 18)
	g.check(f.MergeCell(s, "A3", cell(lastCol, 3)))
	g.check(f.SetCellStr(s, "A3", UnknownNote))
	g.check(f.SetCellStyle(s, "A3", cell(lastCol, 3), st.note))
	g.fitText(s, 3, g.wide(), 18)
	headers := []struct{ col, text string }{
		{colTT, "TT"}, {colName, "Chỉ số / Chỉ số thành phần"}, {colMax, "Điểm tối đa"},
		{colMethod, "Cách xác định và tính điểm"}, {colValue, "Số liệu"}, {colUnit, "Đơn vị tính"},
		{colScore, "Điểm tạm tính"}, {colSelf, "Điểm tự chấm"}, {colExplain, "Giải trình kết quả"},
		{colEvidence, "Tài liệu kiểm chứng"}, {colOfficer, "Công chức chủ trì"},
	}
	for i, h := range headers {
		g.check(f.SetCellStr(s, cell(h.col, headerRow), h.text))
		g.check(f.SetCellStr(s, cell(h.col, headerRow+1), string(rune('A'+i))))
	}
	g.check(f.SetCellStyle(s, cell("A", headerRow), cell(lastCol, headerRow), st.header))
	g.check(f.SetCellStyle(s, cell("A", headerRow+1), cell(lastCol, headerRow+1), st.letters))
	g.fitText(s, headerRow, g.cols, 30)
	g.check(f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: firstRow - 1, TopLeftCell: cell("A", firstRow), ActivePane: "bottomLeft"}))

	row := firstRow
	section := ""
	var pillarScore []string // pillar score cells, for the total
	var pillarSelf []string
	type opt struct{ applies, score, max string }
	var optionals []opt
	for _, p := range g.r.Pillars {
		if p.Section != "" && p.Section != section {
			section = p.Section
			g.check(f.MergeCell(s, cell("A", row), cell(lastCol, row)))
			g.check(f.SetCellStr(s, cell("A", row), section))
			g.check(f.SetCellStyle(s, cell("A", row), cell(lastCol, row), st.section))
			g.fitText(s, row, g.wide(), 18)
			row++
		}
		prow := row
		title := strings.ToUpper(p.Name)
		if p.Optional {
			title += " (lĩnh vực ưu tiên: chỉ tính nếu đơn vị thuộc lĩnh vực này)"
		}
		g.check(f.SetCellStr(s, cell(colTT, prow), p.Code))
		g.check(f.SetCellStr(s, cell(colName, prow), title))
		g.check(f.SetCellValue(s, cell(colMax, prow), p.MaxValue()))
		g.check(f.SetCellStyle(s, cell("A", prow), cell(lastCol, prow), st.pillar))
		g.check(f.SetCellStyle(s, cell(colMax, prow), cell(colMax, prow), st.pillarMax))
		g.check(f.SetCellStyle(s, cell(colScore, prow), cell(colSelf, prow), st.pillarPoints))
		if p.Task != "" || p.Lead != "" {
			g.check(f.SetCellStr(s, cell(colMethod, prow), joinNonEmpty("\n", prefixed("Nhiệm vụ: ", p.Task), prefixed("Chủ trì: ", p.Lead), prefixed("Phối hợp: ", p.Support))))
		}
		g.fitText(s, prow, g.cols, 20)
		row++
		var top []int
		for _, in := range p.Indicators {
			top = append(top, row)
			row = g.indicator(in, row)
		}
		var sc, sf []string
		for _, r := range top {
			sc = append(sc, cell(colScore, r))
			sf = append(sf, cell(colSelf, r))
		}
		g.check(f.SetCellFormula(s, cell(colScore, prow), unknownIfAny(sc, sumOf(sc))))
		g.check(f.SetCellFormula(s, cell(colSelf, prow), sumOf(sf)))
		if p.Optional {
			optionals = append(optionals, opt{applies: g.general[p.AppliesIf], score: "$" + colScore + "$" + strconv.Itoa(prow), max: fnum(p.MaxValue())})
		} else {
			pillarScore = append(pillarScore, "$"+colScore+"$"+strconv.Itoa(prow))
		}
		pillarSelf = append(pillarSelf, cell(colSelf, prow))
	}
	// Grand total.
	g.check(f.MergeCell(s, cell(colTT, row), cell(colName, row)))
	g.check(f.SetCellStr(s, cell(colTT, row), "TỔNG ĐIỂM"))
	g.check(f.SetCellValue(s, cell(colMax, row), g.r.CoreMax()))
	total := sumOf(pillarScore)
	unknown := slices.Clone(pillarScore) // a "?" here makes the total "?"
	if g.r.Total != nil {
		var b, c []string
		for _, o := range optionals {
			unknown = append(unknown, "IF("+o.applies+"="+quote(yesLabel)+","+o.score+",0)")
			// Typed otherwise than Có, Không or nothing ("x", "có áp
			// dụng"), the reader may take it for Có: Excel cannot tell.
			unknown = append(unknown, "IF(OR("+o.applies+"="+quote(yesLabel)+","+o.applies+"="+quote(noLabel)+","+o.applies+"=\"\"),0,"+quote(unknownScore)+")")
			b = append(b, "IF("+o.applies+"="+quote(yesLabel)+","+o.score+",0)")
			c = append(c, "IF("+o.applies+"="+quote(yesLabel)+","+o.max+",0)")
		}
		vars := map[string]string{"A": "(" + total + ")", "B": "(" + joinOr(b, "0") + ")", "C": "(" + joinOr(c, "0") + ")", "M": fnum(g.r.CoreMax())}
		e, err := compileTotal(g.r.Total.Expr)
		g.check(err)
		if err == nil {
			total = e.Excel(func(n string) string { return vars[n] })
		}
		g.check(f.SetCellStr(s, cell(colMethod, row), "Điểm tổng hợp: "+g.r.Total.Expr+" (A: điểm các chỉ số chính; B, C: điểm và điểm tối đa của lĩnh vực ưu tiên áp dụng)"))
	}
	g.check(f.SetCellFormula(s, cell(colScore, row), unknownIfAny(unknown, total)))
	g.check(f.SetCellFormula(s, cell(colSelf, row), sumOf(pillarSelf)))
	g.check(f.SetCellStyle(s, cell("A", row), cell(lastCol, row), st.total))
	g.check(f.SetCellStyle(s, cell(colMax, row), cell(colMax, row), st.totalMax))
	g.fitText(s, row, map[string]float64{colTT: g.cols[colTT] + g.cols[colName], colMethod: g.cols[colMethod]}, 24)
	g.check(f.SetDefinedName(&excelize.DefinedName{Name: "diem_tong", RefersTo: abs(s, colScore, row)}))
	g.check(f.SetDefinedName(&excelize.DefinedName{Name: "tu_cham_tong", RefersTo: abs(s, colSelf, row)}))
	g.pageSetup(s, "$"+strconv.Itoa(headerRow)+":$"+strconv.Itoa(headerRow+1), true)
	g.protect(s)
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func joinNonEmpty(sep string, xs ...string) string {
	var out []string
	for _, x := range xs {
		if x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, sep)
}

func joinOr(xs []string, empty string) string {
	if len(xs) == 0 {
		return empty
	}
	return strings.Join(xs, "+")
}

func sumOf(cells []string) string {
	if len(cells) == 0 {
		return "0"
	}
	return "SUM(" + strings.Join(cells, ",") + ")"
}

// Column widths (Excel units, see textfit.go). The indicator sheet fits an
// A4 landscape page at about 83 % (no text smaller than 9 pt on paper);
// the guide and the general sheet fit A4 portrait as they are: LibreOffice
// does not shrink a sheet of one column wider than the page, it cuts it.
var (
	scoreWidths   = map[string]float64{colTT: 7, colName: 30, colMax: 7, colMethod: 34, colValue: 16, colUnit: 9, colScore: 9, colSelf: 8, colExplain: 18, colEvidence: 16, colOfficer: 13}
	generalWidths = map[string]float64{"A": 44, "B": 28, "C": 12}
	guideWidth    = 90.0
)

// scoreColumns are the indicator sheet's widths for this rubric: the TT
// column as wide as its longest code in bold (a code such as "III.5.2.1"
// would wrap), taken from the name column.
func (g *generator) scoreColumns() map[string]float64 {
	cols := maps.Clone(scoreWidths)
	need := 0.0
	for _, p := range g.r.Pillars {
		need = math.Max(need, textWidth(p.Code, 12, true))
	}
	g.r.Walk(func(_ *rubric.Pillar, in *rubric.Indicator) { need = math.Max(need, textWidth(in.Code, 12, true)) })
	if tt := math.Ceil((need + cellPadding) / ptPerUnit); tt > cols[colTT] {
		cols[colName] -= tt - cols[colTT]
		cols[colTT] = tt
	}
	return cols
}

// wide is the width of a row merged across the indicator sheet.
func (g *generator) wide() map[string]float64 { return map[string]float64{"A": totalWidth(g.cols)} }

func totalWidth(ws map[string]float64) float64 {
	var s float64
	for _, w := range ws {
		s += w
	}
	return s
}

// indicator writes an indicator row, its input rows and its children, and
// returns the next free row.
func (g *generator) indicator(in *rubric.Indicator, row int) int {
	f, s, st := g.f, SheetScores, g.st
	irow := row
	g.check(f.SetCellStr(s, cell(colTT, irow), in.Code))
	g.check(f.SetCellStr(s, cell(colName, irow), in.Name))
	g.check(f.SetCellValue(s, cell(colMax, irow), in.MaxValue()))
	method := in.Method
	if in.Inferred != "" {
		method = joinNonEmpty("\n", method, "(Cách tính do hệ thống áp dụng vì văn bản không quy định: "+in.Inferred+")")
	}
	if len(in.Evidence) > 0 {
		method = joinNonEmpty("\n", method, "Tài liệu kiểm chứng cần có: "+strings.Join(in.Evidence, "; "))
	}
	g.check(f.SetCellStr(s, cell(colMethod, irow), method))
	officer := in.Officer
	if officer == "" {
		officer = in.Lead
	}
	g.check(f.SetCellStr(s, cell(colOfficer, irow), officer))
	g.check(f.SetCellStyle(s, cell("A", irow), cell(lastCol, irow), st.indicator))
	g.check(f.SetCellStyle(s, cell(colMax, irow), cell(colMax, irow), st.indicatorMax))
	g.check(f.SetCellStyle(s, cell(colMethod, irow), cell(colMethod, irow), st.method))
	g.check(f.SetCellStyle(s, cell(colScore, irow), cell(colScore, irow), st.score))
	g.check(f.SetCellStyle(s, cell(colSelf, irow), cell(colSelf, irow), st.selfFigure))
	// The officer is pre-filled from the rubric; the commune names its own.
	g.check(f.SetCellStyle(s, cell(colExplain, irow), cell(colOfficer, irow), st.textIn))
	g.name(SelfName(in.Code), s, colSelf, irow)
	g.name(ExplainName(in.Code), s, colExplain, irow)
	g.name(EvidenceName(in.Code), s, colEvidence, irow)
	g.name(ScoreName(in.Code), s, colScore, irow)
	dv := excelize.NewDataValidation(true)
	dv.SetSqref(cell(colSelf, irow))
	g.check(dv.SetRange(0, in.MaxValue(), excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween))
	dv.SetInput("Điểm tự chấm", "Nhập điểm đơn vị tự chấm, từ 0 đến "+fnum(in.MaxValue())+".")
	dv.SetError(excelize.DataValidationErrorStyleStop, "Điểm không hợp lệ", "Điểm tự chấm phải từ 0 đến điểm tối đa ("+fnum(in.MaxValue())+").")
	g.check(f.AddDataValidation(s, dv))
	g.fitText(s, irow, g.cols, 30)
	row++

	refs := map[string]cellRef{}
	for _, x := range in.Inputs {
		g.check(f.SetCellStr(s, cell(colName, row), x.Key+" = "+x.Label))
		g.check(f.SetCellStr(s, cell(colUnit, row), unitText(x)))
		g.check(f.SetCellStyle(s, cell("A", row), cell(lastCol, row), st.indicator))
		g.check(f.SetCellStyle(s, cell(colName, row), cell(colName, row), st.inputLabel))
		g.check(f.SetCellStyle(s, cell(colUnit, row), cell(colUnit, row), st.unit))
		style := st.inputNum
		if x.Type == rubric.Text || x.Type == rubric.Items || x.Type == rubric.Choice || x.Type == rubric.YesNo {
			style = st.input
		}
		g.check(f.SetCellStyle(s, cell(colValue, row), cell(colValue, row), style))
		g.validate(s, cell(colValue, row), x, x.Key)
		g.name(InputName(in.Code, x.Key), s, colValue, row)
		if x.Type == rubric.Choice {
			// The dropdown offers short answers; the full wording is here.
			lines := []string{"Chọn trong danh sách ở cột E:"}
			for _, o := range x.Options {
				if o.Short != "" && o.Short != o.Label {
					lines = append(lines, "• "+o.Short+": "+o.Label)
				} else {
					lines = append(lines, "• "+o.Label)
				}
			}
			g.check(f.SetCellStr(s, cell(colMethod, row), strings.Join(lines, "\n")))
			g.check(f.SetCellStyle(s, cell(colMethod, row), cell(colMethod, row), st.aside))
		}
		if gref, ok := g.general[x.SameAs]; ok {
			// A denominator that is a general-information figure points
			// at it: typed once, still overwritable; the reader takes the
			// cell's value (cached, or computed when there is none).
			gi, _ := g.r.GeneralField(x.SameAs)
			g.check(f.SetCellFormula(s, cell(colValue, row), "IF("+blank(gref)+",\"\","+gref+")"))
			g.check(f.SetCellStr(s, cell(colMethod, row), "Lấy từ trang Thông tin chung ("+gi.Label+"); ghi số khác nếu chỉ số này dùng số liệu khác."))
			g.check(f.SetCellStyle(s, cell(colMethod, row), cell(colMethod, row), st.aside))
		}
		refs[x.Key] = cellRef{ref: "$" + colValue + "$" + strconv.Itoa(row), input: x}
		g.fitText(s, row, g.cols, g.answerHeight(x))
		row++
	}
	childTop := []int{}
	for _, c := range in.Children {
		childTop = append(childTop, row)
		row = g.indicator(c, row)
	}
	switch {
	case len(in.Children) > 0:
		var cs []string
		for _, r := range childTop {
			cs = append(cs, cell(colScore, r))
		}
		g.check(f.SetCellFormula(s, cell(colScore, irow), unknownIfAny(cs, "MIN("+fnum(in.MaxValue())+","+sumOf(cs)+")")))
	case in.Rule != nil && in.Rule.Kind == rubric.KindCohort:
		g.check(f.SetCellStr(s, cell(colScore, irow), PendingText))
	case in.Rule != nil:
		b := ruleBuilder{rubric: g.r, refs: func(name string) (cellRef, bool) {
			if c, ok := refs[name]; ok {
				return c, true
			}
			if ref, ok := g.general[name]; ok {
				gi, _ := g.r.GeneralField(name)
				return cellRef{ref: ref, input: gi}, true
			}
			return cellRef{}, false
		}}
		fm, err := b.formula(*in.Rule, in.MaxValue())
		if err != nil {
			g.check(fmt.Errorf("indicator %s: %w", in.Code, err))
		} else {
			g.check(f.SetCellFormula(s, cell(colScore, irow), fm))
		}
	}
	return row
}

// answerHeight is the height an input row needs for the longest answer its
// dropdown offers (the value cell wraps).
func (g *generator) answerHeight(x rubric.Input) float64 {
	lines := 1
	for _, o := range x.Options {
		lines = max(lines, wrappedLines(o.Shown(), g.cols[colValue]*ptPerUnit-cellPadding, 12, false))
	}
	return max(18, float64(lines)*lineHeight(12)+rowPadding)
}

// PendingText is shown instead of a provisional score for cohort-relative
// indicators, which are settled only when the cohort is in.
const PendingText = "xếp hạng sau"

// UnknownNote, above the indicator table, says what a "?" score means.
const UnknownNote = "Cột G \"Điểm tạm tính\" hiện \"?\" khi Excel không tính được số liệu đã ghi (ví dụ \"19/19\", \"10 CBCC\", \"x\" thay cho Có): " +
	"hệ thống vẫn đọc số liệu đó khi chấm điểm; muốn xem điểm tạm tính thì ghi số (19) hoặc chọn trong danh sách."

func (g *generator) guideSheet() {
	f, s, st := g.f, SheetGuide, g.st
	g.check(f.SetColWidth(s, "A", "A", guideWidth))
	deadline := g.opt.Deadline
	if deadline == "" {
		deadline = "theo thông báo của cơ quan tổng hợp"
	}
	office := g.opt.Office
	if office == "" {
		office = "cơ quan tổng hợp"
	}
	inbox := g.opt.Inbox
	if inbox == "" {
		inbox = "thư mục dùng chung do " + office + " thông báo"
	}
	lines := []struct {
		text  string
		title bool
	}{
		{"HƯỚNG DẪN ĐIỀN BIỂU MẪU TỰ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM " + strconv.Itoa(g.opt.Year), true},
		{"Bộ chỉ số: " + g.r.Name + ".", false},
		{"1. Trang \"Thông tin chung\": ghi địa chỉ, người đầu mối (họ tên, chức vụ, điện thoại, email) và các số liệu chung (số cán bộ công chức, số hộ, dân số…). Các số liệu chung được dùng làm mẫu số khi tính tỷ lệ, vì vậy cần ghi đúng và đầy đủ. Ở trang \"Chỉ số\", ô số liệu nào trùng với một số liệu chung (ví dụ Tổng số CBCC) đã được điền sẵn công thức lấy từ trang này; nếu chỉ số dùng số liệu khác thì ghi đè số đúng vào ô đó.", false},
		{"2. Trang \"Chỉ số\": mỗi chỉ số có một dòng chính và các dòng số liệu a, b, c… bên dưới. Chỉ nhập vào các ô màu vàng nhạt:", false},
		{"   • Cột E \"Số liệu\": con số theo định nghĩa a, b, c ghi ở cột B. Nhập số, không kèm chữ (ví dụ 19, không ghi \"19 CBCC\"); tỷ lệ ghi theo phần trăm (90 nghĩa là 90%); kinh phí ghi theo triệu đồng. Ô Có/Không và ô lựa chọn: chọn trong danh sách.", false},
		{"   • Cột H \"Điểm tự chấm\": điểm đơn vị tự chấm, từ 0 đến điểm tối đa ở cột C.", false},
		{"   • Cột I \"Giải trình kết quả\" và cột J \"Tài liệu kiểm chứng\": giải trình ngắn gọn và liệt kê văn bản, tài liệu chứng minh (số, ngày văn bản).", false},
		{"   • Cột K \"Công chức chủ trì\": ghi sẵn theo bộ chỉ số (nếu có); sửa thành chức danh hoặc họ tên công chức phụ trách chỉ số ở đơn vị.", false},
		{"3. Cột G \"Điểm tạm tính\" tự tính điểm theo số liệu vừa nhập để đơn vị đối chiếu với điểm tự chấm. Chỉ số tính theo phương pháp Min-Max (so sánh giữa các đơn vị) hiện \"" + PendingText + "\": điểm được tính khi đã có số liệu của tất cả các đơn vị. Ô hiện \"?\" là Excel không tính được số liệu đã ghi (ví dụ \"19/19\", \"10 CBCC\"): hệ thống vẫn đọc số liệu đó khi chấm; ghi số hoặc chọn trong danh sách để xem điểm tạm tính.", false},
		{"4. Không thêm, xoá hay đổi thứ tự dòng, cột; không đổi tên các trang. Các ô không phải ô nhập đã được khoá để tránh sửa nhầm (khoá không đặt mật khẩu).", false},
		{"5. Ô để trống được hiểu là chưa có số liệu và chỉ số đó được 0 điểm; nếu số liệu thực tế bằng 0 thì ghi 0.", false},
		{"6. Lưu tệp dưới dạng Excel (.xlsx), giữ nguyên tên trang, và gửi vào: " + inbox + ". Hạn nộp: " + deadline + ". Nộp lại tệp đã sửa thì bản nộp sau thay thế bản trước.", false},
		{"7. Sau khi nộp, hệ thống gửi lại tệp kết quả chấm (trang \"Kết quả chấm\") nêu điểm hệ thống tính, chênh lệch với điểm tự chấm và các ô cần xem lại.", false},
		{"Liên hệ: " + joinNonEmpty(", ", office, g.opt.Contact) + ".", false},
		{"Ý nghĩa các cột trang \"Chỉ số\": A - TT (mã chỉ số); B - tên chỉ số và định nghĩa số liệu; C - điểm tối đa; D - cách xác định và tính điểm theo bộ chỉ số; E - số liệu; F - đơn vị tính; G - điểm tạm tính; H - điểm tự chấm; I - giải trình; J - tài liệu kiểm chứng; K - công chức chủ trì.", false},
	}
	row := 0
	put := func(text string, style int) {
		row++
		c := cell("A", row)
		g.check(f.SetCellStr(s, c, text))
		g.check(f.SetCellStyle(s, c, c, style))
		g.fitText(s, row, map[string]float64{"A": guideWidth}, 18)
	}
	for _, l := range lines {
		style := st.guide
		if l.title {
			style = st.guideTitle
		}
		put(l.text, style)
	}
	g.decisions(put)
	g.pageSetup(s, "", false)
	g.protect(s)
}

// decisions lists, under "Cách hiểu của đơn vị tổng hợp", how the rubric's
// ambiguous rules are read: each decision's place, the problem in the
// document, the reading and why, one paragraph each.
func (g *generator) decisions(put func(text string, style int)) {
	if len(g.r.Decisions) == 0 {
		return
	}
	st := g.st
	put("", st.guide)
	put("CÁCH HIỂU CỦA ĐƠN VỊ TỔNG HỢP", st.guideTitle)
	put("Những chỗ văn bản bộ chỉ số chưa rõ hoặc chưa thống nhất, và cách hệ thống hiểu khi chấm điểm. Đơn vị có ý kiến khác thì trao đổi với "+
		cmp.Or(g.opt.Office, "cơ quan tổng hợp")+" trước hạn nộp.", st.guide)
	for _, d := range g.r.Decisions {
		put(d.ID+" — "+capitalize(g.r.Place(d.Where)), st.guideHead)
		for _, p := range []struct{ label, text string }{{"Vấn đề", d.Problem}, {"Cách hiểu", d.Decision}, {"Lý do", d.Why}} {
			if t := strings.TrimSpace(p.text); t != "" {
				put(p.label+": "+t, st.guideItem)
			}
		}
	}
}

func (g *generator) meta() {
	f := g.f
	kv := [][2]string{
		{MetaRubric, g.r.ID},
		{MetaHash, g.r.Hash},
		{MetaVersion, TemplateVersion},
		{MetaUnitCode, g.opt.UnitCode},
		{MetaUnitName, g.opt.UnitName},
		{MetaYear, strconv.Itoa(g.opt.Year)},
		{MetaKind, KindTemplate},
	}
	for i, p := range kv {
		g.check(f.SetCellStr(SheetMeta, cell("A", i+1), p[0]))
		g.check(f.SetCellStr(SheetMeta, cell("B", i+1), p[1]))
		g.check(f.SetCustomProps(excelize.CustomProperty{Name: "chiso_" + p[0], Value: p[1]}))
	}
	g.protect(SheetMeta)
	g.check(f.SetDocProps(&excelize.DocProperties{
		Title:    "Biểu mẫu tự đánh giá chuyển đổi số " + strconv.Itoa(g.opt.Year),
		Subject:  g.r.Name,
		Creator:  "chiso",
		Keywords: "chiso;" + g.r.ID,
		Language: "vi-VN",
	}))
}

func compileTotal(src string) (*formula.Expr, error) { return formula.Compile(src) }
