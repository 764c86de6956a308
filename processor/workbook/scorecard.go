package workbook

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/scorecard"
	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// The scorecard (phiếu kết quả): one unit's result on one A4 page, in
// portrait, read by a commune's chairman:
//
//   - the office and the national motto (quốc hiệu, tiêu ngữ), as on an
//     administrative document; the title with the year, the unit's name,
//     TẠM TÍNH or CHÍNH THỨC (bản số N), the rubric;
//   - the total (of the maximum, in percent), the rank among the units
//     that submitted, the status;
//   - a table of the pillars: maximum, then the unit's points, the
//     cohort's average and its best, each with a bar in its cell — ten
//     blocks are the pillar's maximum, a half block 5 % — so that the eye
//     compares the three down the page and across; the total last;
//   - the five indicators where the unit lost the most points: maximum,
//     points, points lost, and under each what the rubric asks (its task,
//     lead office and officer; else its scoring method, said to be one);
//   - the date it was made.
//
// The bars are text (█ and ▌ in Times New Roman, which has them, as has
// Liberation Serif, LibreOffice's stand-in): they print the same in Excel
// and LibreOffice, in colour or grey, with no chart part to break. Text is
// at least 9 pt. Row heights are set from the text (neither Excel nor
// LibreOffice grows a row on open), and a card's rows are fitted to one
// page: when they would not fit, the task texts, then the indicator
// names, are cut to fewer lines (with "…"; the result workbook's
// improvement plan has them whole).
//
// One card is the first sheet of a unit's result workbook
// ([AddScorecard]), fitted to one page; every unit's card is one sheet of
// the district's workbook ([WriteScorecards]), a manual page break after
// each, in ranking order. One sheet rather than a sheet per unit: it
// prints whole with Excel's default "print active sheets" and in one
// LibreOffice export, it has one set of widths and one page set-up, a
// province's hundreds of communes do not make hundreds of tabs, and no
// name is cut to Excel's 31 characters for a tab.

// SheetScorecard is the sheet of the card in a result workbook, and of
// every card in the district's workbook.
const SheetScorecard = "Phiếu kết quả"

// The card's columns (widths in Times New Roman 11 digit units): TT,
// pillar, maximum, then points and bar for the unit, the average and the
// best. About 509 pt in Excel and 498 pt in LibreOffice: A4 portrait with
// half-inch margins has 523.
var cardWidths = []float64{4, 22, 6, 7, 12.5, 7, 12.5, 7, 12.5}

const (
	cardCols = 9
	// cardPage is the printable height of an A4 portrait page with
	// half-inch margins (842 − 72 pt), less a little.
	cardPage = 765
	// barBlocks blocks are a bar of 100 %.
	barBlocks = 10
)

// Colours of the card.
const (
	colorUnit    = "1F4E79" // the unit's bars: dark blue
	colorAverage = "808080" // the average's: grey
	colorBest    = "548235" // the best's: green
	colorLost    = "C00000" // points lost, TẠM TÍNH
)

// cardStyles are the cell formats of the cards, made once per workbook.
type cardStyles struct {
	office, nation, motto, title, unit, provisional, final, rubric int
	label, value, big, bigRank, section, head, text, textBold      int
	code, max, num, numBold, maxBold                               int
	bars                                                           [3]int // unit, average, best
	barsBold                                                       [3]int
	lostName, lostNum, lostLost, task, taskBox, note, date, blank  int
	maxWhole, maxWholeBold                                         int
	// Measures made once per workbook: a province's cards repeat the
	// same pillar, indicator and task texts thousands of times.
	heights map[cardMeasure]float64
	cuts    map[cardMeasure]string
}

// cardMeasure is a text measured at a width, size and boldness (and cut
// to n lines).
type cardMeasure struct {
	s           string
	width, size float64
	bold        bool
	n           int
}

// textHeight is cardTextHeight, remembered.
func (st *cardStyles) textHeight(s string, width, size float64, bold bool) float64 {
	if st.heights == nil {
		st.heights = map[cardMeasure]float64{}
	}
	k := cardMeasure{s, width, size, bold, 0}
	h, ok := st.heights[k]
	if !ok {
		h = cardTextHeight(s, width, size, bold)
		st.heights[k] = h
	}
	return h
}

// cut is cardCut, remembered.
func (st *cardStyles) cut(s string, width, size float64, bold bool, n int) string {
	if st.cuts == nil {
		st.cuts = map[cardMeasure]string{}
	}
	k := cardMeasure{s, width, size, bold, n}
	c, ok := st.cuts[k]
	if !ok {
		c = cardCut(s, width, size, bold, n)
		st.cuts[k] = c
	}
	return c
}

// newCardStyles adds the card's formats to a patch.
func newCardStyles(p *ooxml.Patch) (*cardStyles, error) {
	var err error
	border := &ooxml.Border{}
	for _, l := range []*ooxml.BorderLine{&border.Left, &border.Right, &border.Top, &border.Bottom} {
		*l = ooxml.BorderLine{Style: "thin", Color: colorBorder}
	}
	add := func(size float64, bold, italic bool, color, h string, wrap, framed bool, fill, numFmt string) int {
		if err != nil {
			return 0
		}
		if color == "" {
			color = "000000"
		}
		s := ooxml.Style{Font: &ooxml.Font{Name: fontName, Size: size, Bold: bold, Italic: italic, Color: color},
			Alignment: &ooxml.Alignment{Horizontal: h, Vertical: "center", Wrap: wrap}, NumFmt: numFmt}
		if framed {
			s.Border = border
		}
		if fill != "" {
			f := ooxml.SolidFill(fill)
			s.Fill = &f
		}
		var id int
		id, err = p.AddStyle(s)
		return id
	}
	st := &cardStyles{}
	st.office = add(10, true, false, "", "center", true, false, "", "")
	st.nation = add(10, true, false, "", "center", false, false, "", "")
	st.motto = add(11, true, false, "", "center", false, false, "", "")
	st.title = add(13, true, false, colorTitle, "center", true, false, "", "")
	st.unit = add(14, true, false, "", "center", true, false, "", "")
	st.provisional = add(11, true, false, colorLost, "center", false, false, "", "")
	st.final = add(11, true, false, colorTitle, "center", false, false, "", "")
	st.rubric = add(9, false, true, "", "center", true, false, "", "")
	st.label = add(10, true, false, "", "left", false, true, fillLabel, "")
	st.value = add(10, false, false, "", "left", true, true, "", "")
	st.big = add(12, true, false, colorTitle, "center", false, true, "", fmtPoints)
	st.bigRank = add(12, true, false, colorTitle, "center", false, true, "", "0")
	st.section = add(10, true, false, colorTitle, "left", false, false, "", "")
	st.head = add(9, true, false, "", "center", true, true, fillHeader, "")
	st.text = add(10, false, false, "", "left", true, true, "", "")
	st.textBold = add(10, true, false, "", "left", true, true, fillPillar, "")
	st.code = add(9, false, false, "", "center", false, true, "", "")
	st.max = add(9, false, false, "", "center", false, true, fillLabel, fmtPoints)
	st.maxBold = add(9, true, false, "", "center", false, true, fillPillar, fmtPoints)
	st.maxWhole = add(9, false, false, "", "center", false, true, fillLabel, "#,##0")
	st.maxWholeBold = add(9, true, false, "", "center", false, true, fillPillar, "#,##0")
	st.num = add(9, false, false, "", "right", false, true, "", fmtPoints)
	st.numBold = add(9, true, false, "", "right", false, true, fillPillar, fmtPoints)
	for i, c := range []string{colorUnit, colorAverage, colorBest} {
		st.bars[i] = add(9, false, false, c, "left", false, true, "", "")
		st.barsBold[i] = add(9, false, false, c, "left", false, true, fillPillar, "")
	}
	st.lostName = add(10, false, false, "", "left", true, true, "", "")
	st.lostNum = add(9, false, false, "", "right", false, true, "", fmtPoints)
	st.lostLost = add(9, true, false, colorLost, "right", false, true, "", fmtPoints)
	st.task = add(9, false, false, "", "left", true, true, fillLabel, "")
	st.taskBox = add(9, false, false, "", "center", false, true, fillLabel, "")
	st.note = add(9, false, true, "", "left", true, false, "", "")
	st.date = add(9, false, true, "", "right", false, false, "", "")
	st.blank = add(9, false, false, "", "", false, false, "", "")
	return st, err
}

// cardCell is one cell of a card row, spanning columns Col..To.
type cardCell struct {
	col, to int
	value   ooxml.Value
	style   int
	text    string  // for the height: the text, its size and boldness
	size    float64 // 0: not measured
	bold    bool
}

// cardRow is one row of a card.
type cardRow struct {
	cells  []cardCell
	height float64
}

// cardLayout is a card laid out as rows; caps bound the lines of the
// texts that may be cut.
type cardLayout struct {
	st    *cardStyles
	rows  []cardRow
	tasks int // at most so many lines of a task text (0: no bound)
	names int // at most so many lines of a lost indicator's name
}

// add adds a row at least height points high (whole pixels), as high as
// its measured texts need.
func (l *cardLayout) add(height float64, cells ...cardCell) {
	r := cardRow{cells: cells, height: math.Ceil(height/0.75) * 0.75}
	for _, c := range cells {
		if c.size > 0 {
			r.height = max(r.height, l.st.textHeight(c.text, cardSpanWidth(c.col, c.to), c.size, c.bold))
		}
	}
	l.rows = append(l.rows, r)
}

func (l *cardLayout) height() float64 {
	var h float64
	for _, r := range l.rows {
		h += r.height
	}
	return h
}

// cardSpan is a text cell across columns from..to, measured.
func cardSpan(from, to int, s string, style int, size float64, bold bool) cardCell {
	return cardCell{col: from, to: to, value: ooxml.Text(s), style: style, text: s, size: size, bold: bold}
}

// cardNum is a number cell.
func cardNum(col int, x float64, style int) cardCell {
	return cardCell{col: col, to: col, value: ooxml.Number(engine.Round2(x)), style: style}
}

// cardMax is a maximum: without decimals when it is whole (Excel would
// print "100," with a format of optional decimals).
func cardMax(col int, x float64, frac, whole int) cardCell {
	if x == math.Trunc(x) {
		return cardNum(col, x, whole)
	}
	return cardNum(col, x, frac)
}

// cardBox is a blank cell with a style (a border, a fill).
func cardBox(col, to, style int) cardCell {
	return cardCell{col: col, to: to, value: ooxml.Blank(), style: style}
}

// cardLines lays a card out with the given bounds on cut texts.
func cardLines(st *cardStyles, c scorecard.Card, tasks, names int) *cardLayout {
	l := &cardLayout{st: st, tasks: tasks, names: names}
	unit := cardFirst(strings.TrimSpace(c.Name), c.Code)
	office := strings.ToUpper(cardFirst(strings.TrimSpace(c.Office), "Đơn vị tổng hợp"))

	// The heading of an administrative document.
	l.add(15, cardSpan(1, 4, office, st.office, 10, true), cardSpan(5, 9, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st.nation, 10, true))
	l.add(16, cardBox(1, 4, st.blank), cardSpan(5, 9, "Độc lập - Tự do - Hạnh phúc", st.motto, 11, true))
	l.add(8)
	l.add(0, cardSpan(1, 9, fmt.Sprintf("PHIẾU KẾT QUẢ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM %d", c.Year), st.title, 13, true))
	l.add(0, cardSpan(1, 9, unit+cardCode(c.Code), st.unit, 14, true))
	markStyle := st.provisional
	if c.Final {
		markStyle = st.final
	}
	l.add(0, cardSpan(1, 9, c.Mark(), markStyle, 11, true))
	l.add(0, cardSpan(1, 9, "Theo "+cardLowerFirst(cardFirst(c.RubricName, c.RubricID)), st.rubric, 9, false))
	l.add(6)

	// The total, the rank, the status.
	pct := ""
	if c.Max > 0 {
		pct = " (" + vntext.Number(100*c.Total/c.Max, 2) + " %)"
	}
	l.add(0, cardSpan(1, 3, "Tổng điểm", st.label, 10, true), cardCell{col: 4, to: 5, value: ooxml.Number(engine.Round2(c.Total)), style: st.big},
		cardSpan(6, 9, "trên "+vntext.Number(c.Max, 2)+" điểm tối đa"+pct, st.value, 10, false))
	of := fmt.Sprintf("trên %d %s đã nộp", c.Of, cardUnits(c.Level))
	switch {
	case c.Of == 1:
		of = "đơn vị duy nhất đã nộp"
	case c.Tied > 0:
		of += fmt.Sprintf(", đồng hạng với %d %s khác", c.Tied, cardUnits(c.Level))
	}
	if !c.Final {
		of += " (tạm tính)"
	}
	l.add(0, cardSpan(1, 3, "Xếp hạng", st.label, 10, true), cardCell{col: 4, to: 5, value: ooxml.Number(float64(c.Rank)), style: st.bigRank},
		cardSpan(6, 9, of, st.value, 10, false))
	if c.Status != "" {
		l.add(0, cardSpan(1, 3, "Tình trạng", st.label, 10, true), cardSpan(4, 9, c.Status, st.value, 10, false))
	}
	l.add(6)

	// The pillars against the cohort.
	l.add(0, cardSpan(1, 9, fmt.Sprintf("1. ĐIỂM THEO TRỤ CỘT, SO VỚI %d %s ĐÃ NỘP", c.Of, strings.ToUpper(cardUnits(c.Level))), st.section, 10, true))
	l.add(0, cardSpan(1, 1, "TT", st.head, 9, true), cardSpan(2, 2, "Trụ cột", st.head, 9, true), cardSpan(3, 3, "Tối đa", st.head, 9, true),
		cardSpan(4, 5, "Điểm của "+cardUnits(c.Level), st.head, 9, true), cardSpan(6, 7, "Trung bình", st.head, 9, true),
		cardSpan(8, 9, "Cao nhất", st.head, 9, true))
	anyNA := false
	for _, p := range c.Pillars {
		cells := []cardCell{cardSpan(1, 1, p.Code, st.code, 9, false), cardSpan(2, 2, p.Name, st.text, 10, false), cardMax(3, p.Max, st.max, st.maxWhole)}
		switch {
		case p.Max == 0:
			cells = append(cells, cardSpan(4, 9, "chỉ số tham khảo, không tính điểm", st.text, 10, false))
			l.add(0, cells...)
			continue
		case !p.Applies:
			anyNA = true
			cells = append(cells, cardSpan(4, 5, "không áp dụng", st.text, 10, false))
		default:
			cells = append(cells, cardNum(4, p.Points, st.num), cardBar(5, p.Points, p.Max, st.bars[0]))
		}
		if p.Units == 0 {
			cells = append(cells, cardBox(6, 6, st.num), cardBox(7, 7, st.bars[1]), cardBox(8, 8, st.num), cardBox(9, 9, st.bars[2]))
		} else {
			cells = append(cells, cardNum(6, p.Average, st.num), cardBar(7, p.Average, p.Max, st.bars[1]), cardNum(8, p.Best, st.num), cardBar(9, p.Best, p.Max, st.bars[2]))
		}
		l.add(0, cells...)
	}
	l.add(0, cardBox(1, 1, st.textBold), cardSpan(2, 2, "TỔNG ĐIỂM", st.textBold, 10, true), cardMax(3, c.Max, st.maxBold, st.maxWholeBold),
		cardNum(4, c.Total, st.numBold), cardBar(5, c.Total, c.Max, st.barsBold[0]), cardNum(6, c.Average, st.numBold), cardBar(7, c.Average, c.Max, st.barsBold[1]),
		cardNum(8, c.Best, st.numBold), cardBar(9, c.Best, c.Max, st.barsBold[2]))
	legend := "Mỗi thanh dài 10 ô là điểm tối đa của trụ cột (mỗi ô 10 %, nửa ô 5 %): xanh đậm là " + cardUnits(c.Level) +
		", xám là trung bình, xanh lá là cao nhất"
	if c.Of > 1 {
		legend += fmt.Sprintf(" của %d %s đã nộp", c.Of, cardUnits(c.Level))
	}
	legend += "."
	if anyNA {
		legend += " Trụ cột không áp dụng cho đơn vị không tính vào tổng điểm; trung bình và cao nhất của trụ cột ấy tính trên các đơn vị áp dụng."
	}
	l.add(0, cardSpan(1, 9, legend, st.note, 9, false))
	l.add(6)

	// The points lost.
	l.add(0, cardSpan(1, 9, "2. CÁC CHỈ SỐ BỊ MẤT NHIỀU ĐIỂM NHẤT VÀ VIỆC CẦN LÀM", st.section, 10, true))
	var methods, none []string
	for _, x := range c.Lost {
		switch x.TaskFrom {
		case scorecard.TaskMethod:
			methods = append(methods, x.Code)
		case scorecard.TaskNone:
			none = append(none, x.Code)
		}
	}
	if len(methods) > 0 {
		l.add(0, cardSpan(1, 9, "Bộ chỉ số không nêu nhiệm vụ của "+cardCodes(methods, len(c.Lost))+": dưới chỉ số là cách tính điểm của bộ chỉ số, "+
			"cho biết cần đạt gì để được điểm tối đa.", st.note, 9, false))
	}
	if len(none) > 0 {
		l.add(0, cardSpan(1, 9, "Bộ chỉ số không nêu nhiệm vụ và cách tính điểm của "+cardCodes(none, len(c.Lost))+".", st.note, 9, false))
	}
	l.add(0, cardSpan(1, 1, "STT", st.head, 9, true), cardSpan(2, 6, "Chỉ số", st.head, 9, true), cardSpan(7, 7, "Điểm tối đa", st.head, 9, true),
		cardSpan(8, 8, "Đạt", st.head, 9, true), cardSpan(9, 9, "Bị mất", st.head, 9, true))
	if len(c.Lost) == 0 {
		l.add(0, cardSpan(1, 9, "Không có chỉ số nào bị mất điểm.", st.text, 10, false))
	}
	for i, x := range c.Lost {
		name := st.cut(x.Code+". "+x.Name, cardSpanWidth(2, 6), 10, false, l.names)
		l.add(0, cardSpan(1, 1, strconv.Itoa(i+1), st.code, 9, false), cardSpan(2, 6, name, st.lostName, 10, false),
			cardNum(7, x.Max, st.lostNum), cardNum(8, x.Points, st.lostNum), cardNum(9, x.Lost, st.lostLost))
		if task := cardTask(x); task != "" {
			l.add(0, cardBox(1, 1, st.taskBox), cardSpan(2, 9, st.cut(task, cardSpanWidth(2, 9), 9, false, l.tasks), st.task, 9, false))
		}
	}
	if len(c.Unsettled) > 0 {
		l.add(0, cardSpan(1, 9, "Chưa xét các chỉ số so sánh giữa các đơn vị (phương pháp Min-Max) "+strings.Join(c.Unsettled, ", ")+
			": tạm tính, xếp hạng sau khi có số liệu của tất cả các đơn vị.", st.note, 9, false))
	}
	if c.Basis != "" {
		l.add(0, cardSpan(1, 9, c.Basis, st.note, 9, false))
	}
	if d := layout.Show(c.Generated, c.Zone, layout.Date); d != "" {
		l.add(0, cardSpan(1, 9, "Lập ngày "+d+".", st.date, 9, false))
	}
	return l
}

// layoutCard lays a card out to fit one page, cutting task texts, then
// indicator names, to fewer lines while it does not.
func layoutCard(st *cardStyles, c scorecard.Card) *cardLayout {
	var l *cardLayout
	for _, caps := range [][2]int{{0, 0}, {4, 0}, {3, 0}, {3, 2}, {2, 2}, {2, 1}, {1, 1}} {
		l = cardLines(st, c, caps[0], caps[1])
		if l.height() <= cardPage {
			break
		}
	}
	return l
}

// cardTask is why a lost indicator lost and what the rubric asks of it
// ("" when nothing is known).
func cardTask(x scorecard.Lost) string {
	var parts []string
	if x.Reason != "" {
		parts = append(parts, "Lý do: "+cardLowerFirst(x.Reason)+".")
	}
	switch x.TaskFrom {
	case scorecard.TaskRubric:
		parts = append(parts, "Nhiệm vụ: "+strings.TrimRight(cardOneLine(x.Task), ".")+".")
	case scorecard.TaskMethod:
		parts = append(parts, "Cách tính điểm: "+cardOneLine(x.Task))
	}
	var who []string
	if x.Lead != "" {
		who = append(who, "chủ trì: "+x.Lead)
	}
	if x.Officer != "" {
		who = append(who, "công chức phụ trách: "+x.Officer)
	}
	if len(who) > 0 {
		parts = append(parts, capitalize(strings.Join(who, "; "))+".")
	}
	return strings.Join(parts, " ")
}

// cardOneLine makes one paragraph of a text's lines: a method's "- " and
// "+ " items lose their marks and end in a full stop or a semicolon.
func cardOneLine(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		line = strings.Join(strings.Fields(line), " ")
		line = strings.TrimSpace(strings.TrimLeft(line, "-+•–"))
		if line == "" {
			continue
		}
		if n := len(out); n > 0 && !strings.ContainsAny(out[n-1][len(out[n-1])-1:], ".:;!?") {
			out[n-1] += ";"
		}
		out = append(out, line)
	}
	return strings.Join(out, " ")
}

func cardLowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && !unicode.IsUpper(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// cardUnits names the units a rubric assesses: "xã", else "đơn vị".
func cardUnits(l rubric.Level) string {
	if l == rubric.LevelCommune {
		return "xã"
	}
	return "đơn vị"
}

// cardBar is a bar of x out of of: barBlocks blocks for the whole, a half
// block for a remaining half or more of a block; empty for nothing or no
// maximum.
func cardBar(col int, x, of float64, style int) cardCell {
	s := ""
	if of > 0 && x > 0 {
		halves := int(math.Round(math.Min(x/of, 1) * 2 * barBlocks))
		s = strings.Repeat("█", halves/2)
		if halves%2 == 1 {
			s += "▌"
		}
	}
	return cardCell{col: col, to: col, value: ooxml.Text(s), style: style, text: s}
}

// Text measurement, for row heights: textfit.go's. Column widths are in
// digit units of the default font (Times New Roman 11: 7 pixels in Excel,
// 5.5 pt in LibreOffice); the narrower, Excel's, is taken.

// cardSpanWidth is the text area of columns from..to in points (Excel's
// rounding: 7 pixels a unit and 5 of padding, per column; 4 pt of cell
// padding taken off).
func cardSpanWidth(from, to int) float64 {
	var w float64
	for c := from; c <= to; c++ {
		w += (cardWidths[c-1]*7 + 5) * 0.75
	}
	return w - 4
}

// cardTextHeight is the height of a row holding s wrapped in width
// points, in whole pixels (0.75 pt), as Excel keeps row heights.
func cardTextHeight(s string, width, size float64, bold bool) float64 {
	lines := float64(wrappedLines(s, width, size, bold))
	return math.Ceil((lines*size*lineFactor+rowPadding)/0.75) * 0.75
}

// cardCut cuts s to at most n lines of width (0: no bound), ending it
// with "…".
func cardCut(s string, width, size float64, bold bool, n int) string {
	if n <= 0 || wrappedLines(s, width, size, bold) <= n {
		return s
	}
	words := strings.Fields(s)
	for k := len(words) - 1; k > 0; k-- {
		t := strings.Join(words[:k], " ") + "…"
		if wrappedLines(t, width, size, bold) <= n {
			return t
		}
	}
	return "…"
}

// writeCard writes a laid-out card from row top and returns the row after
// it.
// Texts go in the workbook's shared-string table when share is given:
// the cards of a province repeat most of their texts.
func writeCard(sw *ooxml.SheetWriter, l *cardLayout, top int, share func(string) ooxml.Value) (int, error) {
	row := top
	var cells []ooxml.CellValue
	for _, r := range l.rows {
		cells = cells[:0]
		for _, c := range r.cells {
			v := c.value
			if share != nil && c.text != "" {
				v = share(c.text)
			}
			cells = append(cells, ooxml.CellValue{Col: c.col, Value: v, Style: c.style})
			for col := c.col + 1; col <= c.to; col++ {
				cells = append(cells, ooxml.CellValue{Col: col, Value: ooxml.Blank(), Style: c.style})
			}
			if c.to > c.col {
				if err := sw.Merge(ooxml.Range{Col1: c.col, Row1: row, Col2: c.to, Row2: row}); err != nil {
					return row, err
				}
			}
		}
		h := r.height
		if h == 0 {
			h = 15
		}
		if err := sw.WriteRow(row, h, cardDedupe(cells)...); err != nil {
			return row, err
		}
		row++
	}
	return row, nil
}

// cardDedupe keeps the first cell of each column (a box after a span
// that covers it), in column order.
func cardDedupe(cells []ooxml.CellValue) []ooxml.CellValue {
	out := cells[:0]
	last := 0
	for _, c := range cells {
		if c.Col > last {
			out = append(out, c)
			last = c.Col
		}
	}
	return out
}

// setCardColumns sets the card's column widths.
func setCardColumns(sw *ooxml.SheetWriter) error {
	for i, w := range cardWidths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	return nil
}

// cardMargins are the card's page margins: half an inch all round.
var cardMargins = ooxml.PageSetup{Left: 0.5, Right: 0.5, Top: 0.5, Bottom: 0.5, CenterHorizontally: true}

// writeScorecardSheet writes one card on sw, from its first row, with its
// widths and print set-up: A4 portrait, fitted to one page (the layout
// already fits it; the fit is a safety net).
func writeScorecardSheet(sw *ooxml.SheetWriter, st *cardStyles, c scorecard.Card) error {
	if err := setCardColumns(sw); err != nil {
		return err
	}
	ps := cardMargins
	ps.FitToWidth, ps.FitToHeight = true, 1
	sw.SetPageSetup(ps)
	_, err := writeCard(sw, layoutCard(st, c), 1, nil)
	return err
}

// AddScorecard adds a unit's card to a patched workbook as its first
// sheet, SheetScorecard (an earlier card of that name, in a result
// workbook sent back, is replaced). The caller chooses the active sheet.
func AddScorecard(p *ooxml.Patch, c scorecard.Card) error {
	st, err := newCardStyles(p)
	if err != nil {
		return err
	}
	sw := ooxml.NewSheetWriter()
	if err := writeScorecardSheet(sw, st, c); err != nil {
		return err
	}
	_ = p.RemoveSheet(SheetScorecard) // absent: nothing to replace
	return p.AddSheet(SheetScorecard, 0, sw)
}

// WriteScorecardsEach writes the district's workbook of every unit's card
// (phieu-ket-qua-…xlsx), the cards given one at a time by each
// (scorecard.EachFromRanking) and written as they come: one sheet, one A4
// page per card. Without cards the sheet says there are none yet.
func WriteScorecardsEach(w io.Writer, each func(fn func(scorecard.Card) error) error) error {
	p, err := ooxml.NewWorkbook(ooxml.WorkbookOptions{Font: fontName, FontSize: 11})
	if err != nil {
		return err
	}
	st, err := newCardStyles(p)
	if err != nil {
		return err
	}
	sw := ooxml.NewSheetWriter()
	if err := setCardColumns(sw); err != nil {
		return err
	}
	sw.SetPageSetup(cardMargins)
	row := 1
	err = each(func(c scorecard.Card) error {
		// A page break after each card: before every card but the first.
		if row > 1 {
			if err := sw.AddRowBreak(row - 1); err != nil {
				return err
			}
		}
		var err error
		if row, err = writeCard(sw, layoutCard(st, c), row, p.Shared); err != nil {
			return fmt.Errorf("scorecard of %s: %w", c.Name, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if row == 1 {
		if err := sw.WriteRow(1, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("Chưa có đơn vị nào nộp báo cáo: chưa có phiếu kết quả."), Style: st.note}); err != nil {
			return err
		}
	}
	if err := p.AddSheet(SheetScorecard, 0, sw); err != nil {
		return err
	}
	return p.Write(w)
}

func cardFirst(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// cardCode is " (mã X)" for a unit with a code.
func cardCode(code string) string {
	if code = strings.TrimSpace(code); code == "" {
		return ""
	}
	return " (mã " + code + ")"
}

// cardCodes names some of a card's lost indicators: "các chỉ số này" when
// they are all of them, else "chỉ số 1.2, 3.4".
func cardCodes(codes []string, of int) string {
	if len(codes) == of && of > 1 {
		return "các chỉ số này"
	}
	return "chỉ số " + strings.Join(codes, ", ")
}
