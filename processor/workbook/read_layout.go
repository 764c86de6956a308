package workbook

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// Problem codes of the layout reader.
const (
	CodeIndicatorNotFound  = "indicator-not-found"
	CodeIndicatorDuplicate = "indicator-duplicate"
	CodeInputNotFound      = "input-not-found"
	CodeGeneralNotFound    = "general-not-found"
	CodeLayoutUnreadable   = "layout-unreadable"
	CodeSheetDamaged       = "sheet-damaged"
)

// readByLayout finds the cells of a workbook whose defined names are
// broken (rows deleted, content pasted into another file, a hand-made copy)
// by the indicator codes in the TT column, the column headers and the input
// labels, and fills s.Cells, s.Rows and s.Sheet as fromNames does. What it
// finds is checked against the rubric: excelize's row iterator can return
// partial data without an error on a damaged sheet, so a missing indicator
// is reported, never assumed empty.
func readByLayout(src source, r *rubric.Rubric, s *Submission) {
	l := &layoutReader{src: src, r: r, s: s, rows: map[string][][]string{}, codes: map[string]*rubric.Indicator{}, pillars: map[string]bool{}}
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		l.codes[normCode(in.Code)] = in
		l.total++
	})
	for _, p := range r.Pillars {
		l.pillars[normCode(p.Code)] = true
	}
	sheet := l.indicatorSheet()
	found := 0
	if sheet != "" {
		found = l.readIndicators(sheet)
	}
	if found*2 < l.total {
		// Decision: when most indicators are missing the file is not our
		// form at all; one error says so instead of a warning per indicator
		// or input row.
		s.Problems = append(s.Problems, problem.Problem{Severity: problem.Error, Code: CodeLayoutUnreadable, Message: fmt.Sprintf(
			"Không đọc được bảng chỉ số của tệp: chỉ tìm thấy %d trong %d chỉ số (theo mã ở cột TT). Hãy dùng biểu mẫu do hệ thống phát hành, điền số liệu vào đó (không xoá, thêm hay đổi thứ tự dòng, cột) rồi gửi lại.",
			found, l.total)})
	} else {
		s.Problems = append(s.Problems, l.pending...)
		reportNotFound(r, s)
	}
	l.readGeneral()
	// Every sheet that could not be read, among those looked at: a table
	// cut off there would pass its missing figures off as zeros.
	for _, sh := range l.src.sheetList() {
		if l.broken[sh] && sh != SheetMeta && sh != SheetLists {
			s.Problems = append(s.Problems, damagedSheet(sh))
		}
	}
}

// reportNotFound adds a warning for every indicator of r that has no row in
// s.Rows. The names path can call it too: a defined name whose cells were
// deleted refers to #REF! and gives no row.
func reportNotFound(r *rubric.Rubric, s *Submission) {
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		if _, ok := s.Rows[in.Code]; !ok {
			s.Problems = append(s.Problems, problem.Problem{Severity: problem.Warning, Code: CodeIndicatorNotFound, Indicator: in.Code, Message: fmt.Sprintf(
				"Không tìm thấy chỉ số %s trong tệp: chỉ số này chưa được chấm. Kiểm tra mã chỉ số ở cột TT (ghi %s) hoặc dùng biểu mẫu do hệ thống phát hành.",
				in.Code, in.Code)})
		}
	})
}

// damagedSheet is the error for a sheet whose content could be read only in
// part.
func damagedSheet(sheet string) problem.Problem {
	return problem.Problem{Severity: problem.Error, Code: CodeSheetDamaged, Message: fmt.Sprintf(
		"Trang “%s” của tệp bị hỏng, chỉ đọc được một phần nên số liệu có thể thiếu: mở tệp bằng Excel, lưu lại rồi gửi lại; nếu Excel báo lỗi, hãy điền lại vào biểu mẫu do hệ thống phát hành.", sheet)}
}

// layout carries the state of one layout read.
type layoutReader struct {
	src     source
	r       *rubric.Rubric
	s       *Submission
	rows    map[string][][]string // sheet → rows (raw values), read once
	codes   map[string]*rubric.Indicator
	pillars map[string]bool
	total   int
	merged  []mergedRange // of the sheet being read
	// pending are the problems about single indicators, reported only when
	// the table as a whole was readable.
	pending []problem.Problem
	// broken marks sheets that cannot be read (damaged, over a limit).
	broken  map[string]bool
	general string // the general-information sheet found
}

type mergedRange struct {
	sheet                  string
	col1, row1, col2, row2 int
}

// sheetRows reads a sheet's raw values once; a sheet that cannot be read
// gives none and is marked broken.
func (l *layoutReader) sheetRows(sheet string) [][]string {
	if rows, ok := l.rows[sheet]; ok {
		return rows
	}
	var rows [][]string
	if sh, err := l.src.sheet(sheet); err != nil {
		if l.broken == nil {
			l.broken = map[string]bool{}
		}
		l.broken[sheet] = true
	} else {
		rows = sh.rows()
	}
	l.rows[sheet] = rows
	return rows
}

// normCode normalises an indicator code as officials write it: "1,1",
// "1.1.", " 1.1 ", "1. 1" and "1.1" are the same code; letters compare
// case-insensitively ("I.1.1.3.a").
func normCode(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			continue
		case r == ',':
			r = '.'
		case r == '–' || r == '—' || r == '−':
			r = '-'
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	c := strings.TrimRight(b.String(), ".)")
	// A code typed into a number cell may be stored with binary noise
	// ("1.1000000000000001").
	if x, err := strconv.ParseFloat(c, 64); err == nil && len(c) > 8 && !math.IsInf(x, 0) {
		c = strconv.FormatFloat(math.Round(x*1e6)/1e6, 'f', -1, 64)
	}
	return c
}

// firstText returns the first non-empty cell among columns [from, to) of a
// row, and its 0-based column.
func firstText(row []string, from, to int) (string, int) {
	for j := from; j < to && j < len(row); j++ {
		if t := strings.TrimSpace(row[j]); t != "" {
			return t, j
		}
	}
	return "", -1
}

// rowCode returns the normalised code in a row's TT column: the first
// non-empty cell in columns A–B (a hand-made copy may keep a serial number
// column before the codes only when A is empty).
func rowCode(row []string) string {
	t, _ := firstText(row, 0, 2)
	if t == "" || len(t) > 40 {
		return ""
	}
	return normCode(t)
}

// indicatorSheet picks the sheet with the most distinct indicator codes in
// its TT column; the template's sheet name wins a tie.
func (l *layoutReader) indicatorSheet() string {
	best, bestN := "", 0
	for _, sheet := range l.src.sheetList() {
		if sheet == SheetMeta || sheet == SheetLists {
			continue
		}
		seen := map[string]bool{}
		for _, row := range l.sheetRows(sheet) {
			if c := rowCode(row); l.codes[c] != nil {
				seen[c] = true
			}
		}
		if n := len(seen); n > bestN || (n == bestN && n > 0 && sheet == SheetScores) {
			best, bestN = sheet, n
		}
	}
	return best
}

// columns are the 1-based columns of the indicator table.
type columns struct{ value, self, explain, evidence int }

// findColumns reads the header rows above the first indicator row; a column
// whose header is not found keeps the template's position (E, H, I, J).
func findColumns(rows [][]string, first int) columns {
	c := columns{}
	for i := 0; i < first && i < len(rows); i++ {
		for j, cell := range rows[i] {
			k := labelKey(cell)
			if k == "" || len([]rune(k)) > 60 {
				continue
			}
			col := j + 1
			switch {
			case c.self == 0 && strings.Contains(k, "tu cham"):
				c.self = col
			case c.explain == 0 && strings.Contains(k, "giai trinh"):
				c.explain = col
			case c.evidence == 0 && strings.Contains(k, "kiem chung"):
				c.evidence = col
			case c.value == 0 && (k == "so lieu" || strings.HasPrefix(k, "so lieu ")):
				c.value = col
			}
		}
	}
	def := func(v *int, col string) {
		if *v == 0 {
			*v, _ = excelize.ColumnNameToNumber(col)
		}
	}
	def(&c.value, colValue)
	def(&c.self, colSelf)
	def(&c.explain, colExplain)
	def(&c.evidence, colEvidence)
	return c
}

// readIndicators reads the indicator table of sheet and returns how many
// indicators were found.
func (l *layoutReader) readIndicators(sheet string) int {
	rows := l.sheetRows(sheet)
	l.loadMerged(sheet)
	type hit struct {
		in  *rubric.Indicator
		row int // 0-based
	}
	// Pass 1: the code rows, in sheet order.
	var hits []hit
	isCode := make([]bool, len(rows))
	for i, row := range rows {
		c := rowCode(row)
		if c == "" {
			continue
		}
		if l.pillars[c] {
			isCode[i] = true
			continue
		}
		in := l.codes[c]
		if in == nil {
			continue
		}
		isCode[i] = true
		if prev, dup := l.s.Rows[in.Code]; dup {
			// Excel turns a typed "3.10" into the number 3.1: a second "3.1"
			// is "3.10" when that code exists and is not found yet.
			if alt := l.codes[c+"0"]; alt != nil {
				if _, seen := l.s.Rows[alt.Code]; !seen {
					in = alt
				}
			}
			if in == l.codes[c] {
				l.pending = append(l.pending, problem.Problem{Severity: problem.Warning, Code: CodeIndicatorDuplicate, Indicator: in.Code,
					Cell: sheet + "!A" + strconv.Itoa(i+1), Message: fmt.Sprintf(
						"Chỉ số %s xuất hiện nhiều lần (dòng %d và dòng %d): chỉ đọc dòng %d. Hãy xoá dòng thừa.", in.Code, prev, i+1, prev)})
				continue
			}
		}
		l.s.Rows[in.Code] = i + 1
		hits = append(hits, hit{in, i})
	}
	if len(hits) == 0 {
		return 0
	}
	l.s.Sheet = sheet
	cols := findColumns(rows, hits[0].row)
	// Pass 2: each indicator's own cells and the input rows below it, up to
	// the next code row.
	for _, h := range hits {
		code := h.in.Code
		l.s.Cells[RawKey(code, KeySelf)] = l.cell(sheet, cols.self, h.row+1)
		l.s.Cells[RawKey(code, KeyExplain)] = l.cell(sheet, cols.explain, h.row+1)
		l.s.Cells[RawKey(code, KeyEvidence)] = l.cell(sheet, cols.evidence, h.row+1)
		if len(h.in.Inputs) == 0 {
			continue
		}
		end := h.row + 1
		for end < len(rows) && !isCode[end] {
			end++
		}
		got := map[string]int{} // input key → 1-based row
		for i := h.row + 1; i < end; i++ {
			if x, ok := matchInput(h.in, rows[i], cols.value, got); ok {
				got[x] = i + 1
			}
		}
		// Decision: a hand-made copy may put the only figure of a
		// one-input indicator on the indicator row itself; use it when no
		// input row was found and that cell is not empty.
		if len(got) == 0 && len(h.in.Inputs) == 1 {
			c := l.cell(sheet, cols.value, h.row+1)
			if strings.TrimSpace(c.Raw) != "" {
				got[h.in.Inputs[0].Key] = h.row + 1
			}
		}
		for _, x := range h.in.Inputs {
			row, ok := got[x.Key]
			if !ok {
				l.pending = append(l.pending, problem.Problem{Severity: problem.Warning, Code: CodeInputNotFound, Indicator: code, Input: x.Key,
					Cell: sheet + "!B" + strconv.Itoa(h.row+1), Message: fmt.Sprintf(
						"Không tìm thấy dòng số liệu %s (%s) của chỉ số %s trong tệp: thêm lại dòng “%s = …” ngay dưới dòng chỉ số và ghi số liệu vào cột “Số liệu”, hoặc dùng biểu mẫu do hệ thống phát hành.",
						x.Key, x.Label, code, x.Key)})
				continue
			}
			l.s.Cells[RawKey(code, x.Key)] = l.cell(sheet, cols.value, row)
		}
	}
	return len(hits)
}

// matchInput recognises an input row of indicator in: its label (the first
// non-empty cell left of the value column, in columns A–C) starts with the
// input key followed by "=", ".", ":" or ")" ("a = Số CBCC…", "b. Tổng số…"),
// is the key alone (the key in the TT column, the label next to it), or
// else equals or begins with the input's label.
func matchInput(in *rubric.Indicator, row []string, valueCol int, got map[string]int) (string, bool) {
	limit := 3
	if valueCol-1 < limit {
		limit = valueCol - 1
	}
	t, j := firstText(row, 0, limit)
	if t == "" {
		return "", false
	}
	low := strings.ToLower(t)
	for _, x := range in.Inputs {
		if _, done := got[x.Key]; done {
			continue
		}
		k := strings.ToLower(x.Key)
		rest, ok := strings.CutPrefix(low, k)
		if !ok {
			continue
		}
		rest = strings.TrimLeft(rest, " \u00a0")
		if rest == "" {
			return x.Key, true
		}
		if strings.ContainsRune("=.:)", rune(rest[0])) {
			return x.Key, true
		}
	}
	// By label: the longest input label the row's label begins with.
	key := labelKey(t)
	if j < len(row)-1 && len([]rune(key)) <= 3 {
		key = labelKey(row[j+1]) // a serial in one column, the label next to it
	}
	best, bestLen := "", 0
	for _, x := range in.Inputs {
		if _, done := got[x.Key]; done {
			continue
		}
		lk := labelKey(x.Label)
		if lk != "" && (key == lk || strings.HasPrefix(key, lk+" ")) && len(lk) > bestLen {
			best, bestLen = x.Key, len(lk)
		}
	}
	return best, best != ""
}

// labelKey folds a label for matching: diacritics, case and punctuation
// removed, leading enumeration ("3.", "1)") dropped.
func labelKey(s string) string {
	f := vntext.Fold(s)
	var b strings.Builder
	space := true
	for _, r := range f {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	words := strings.Fields(b.String())
	for len(words) > 1 && strings.IndexFunc(words[0], func(r rune) bool { return !unicode.IsDigit(r) }) < 0 {
		words = words[1:]
	}
	return strings.Join(words, " ")
}

// loadMerged remembers the merged ranges of sheet, for cell.
func (l *layoutReader) loadMerged(sheet string) {
	l.merged = l.merged[:0]
	if sh, err := l.src.sheet(sheet); err == nil {
		l.merged = append(l.merged, sh.merged()...)
	}
}

// cell reads one cell by column and 1-based row. A cell inside a merged
// range is read, and addressed, at the range's top-left cell. A formula
// gives its cached value; with no cached value it is calculated. A sheet
// that cannot be read gives empty cells (and is reported damaged).
func (l *layoutReader) cell(sheet string, col, row int) Cell {
	for _, m := range l.merged {
		if m.sheet == sheet && col >= m.col1 && col <= m.col2 && row >= m.row1 && row <= m.row2 {
			col, row = m.col1, m.row1
			break
		}
	}
	addr, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return Cell{Sheet: sheet}
	}
	l.sheetRows(sheet)
	if l.broken[sheet] {
		return Cell{Sheet: sheet, Addr: addr}
	}
	return readCellCalc(l.src, sheet, addr)
}

// readCellCalc is readCell, calculating a formula cell that has no cached
// value (a file written by a program rather than saved by Excel).
func readCellCalc(src source, sheet, addr string) Cell {
	c := readCell(src, sheet, addr)
	if strings.TrimSpace(c.Raw) != "" || !c.formula {
		return c
	}
	v, err := src.calc(sheet, addr)
	if err != nil {
		return c
	}
	c.Raw = vntext.Clean(v)
	_, perr := strconv.ParseFloat(v, 64)
	c.Number = perr == nil && v != ""
	return c
}

// unitField is a unit field of the general sheet and the labels it goes by.
type unitField struct {
	dst    *string
	labels []string // label keys (see labelKey)
}

// readGeneral reads the general-information sheet: labels in column A,
// values in column B. The sheet named "Thông tin chung" (folded) is used
// when it has any known label, else the sheet with the most.
func (l *layoutReader) readGeneral() {
	s := l.s
	units := []unitField{
		{&s.UnitName, []string{"ten don vi", "ten don vi bao cao"}},
		{&s.UnitCode, []string{"ma don vi"}},
		{&s.Address, []string{"dia chi"}},
		{&s.Year, []string{"nam bao cao", "ky bao cao", "nam danh gia"}},
		{&s.ContactName, []string{"nguoi dau moi nhap bao cao ho va ten", "ho va ten", "ho ten", "nguoi dau moi"}},
		{&s.ContactRole, []string{"chuc danh chuc vu", "chuc danh", "chuc vu"}},
		{&s.ContactPhone, []string{"so dien thoai", "dien thoai"}},
		{&s.ContactEmail, []string{"email", "thu dien tu"}},
	}
	// Candidates: general fields first (their labels are the longer and
	// more specific), then unit fields.
	type cand struct {
		key   string // general key, or "" for a unit field
		unit  int
		label string
	}
	var cands []cand
	for _, g := range l.r.General {
		if k := labelKey(g.Label); k != "" {
			cands = append(cands, cand{key: g.Key, unit: -1, label: k})
		}
	}
	for i, u := range units {
		for _, lb := range u.labels {
			cands = append(cands, cand{unit: i, label: lb})
		}
	}
	id := func(c cand) string {
		if c.unit >= 0 {
			return "unit/" + strconv.Itoa(c.unit)
		}
		return c.key
	}
	// match assigns rows to candidates: exact labels first, then the
	// longest label a row's label begins with. Each field takes its first row.
	match := func(rows [][]string) map[string]int {
		got := map[string]int{}
		keys := make([]string, len(rows))
		for i, row := range rows {
			if len(row) > 0 {
				keys[i] = labelKey(row[0])
			}
		}
		for i, k := range keys {
			if k == "" {
				continue
			}
			for _, c := range cands {
				if _, done := got[id(c)]; !done && c.label == k {
					got[id(c)] = i + 1
					keys[i] = ""
					break
				}
			}
		}
		for i, k := range keys {
			if k == "" {
				continue
			}
			best := -1
			for ci, c := range cands {
				if _, done := got[id(c)]; done || !strings.HasPrefix(k, c.label+" ") {
					continue
				}
				if best < 0 || len(c.label) > len(cands[best].label) {
					best = ci
				}
			}
			if best >= 0 {
				got[id(cands[best])] = i + 1
			}
		}
		return got
	}
	sheet, got := "", map[string]int(nil)
	for _, sh := range l.src.sheetList() {
		if sh == SheetMeta || sh == SheetLists {
			continue
		}
		g := match(l.sheetRows(sh))
		if len(g) == 0 {
			continue
		}
		named := labelKey(sh) == "thong tin chung"
		if named || len(g) > len(got) {
			sheet, got = sh, g
		}
		if named {
			break
		}
	}
	if sheet == "" {
		if len(l.r.General) > 0 {
			s.Problems = append(s.Problems, problem.Problem{Severity: problem.Warning, Code: CodeGeneralNotFound, Message: "Không tìm thấy trang “Thông tin chung” (tên đơn vị, số liệu chung dùng làm mẫu số) trong tệp: hãy dùng biểu mẫu do hệ thống phát hành và điền trang này."})
		}
		return
	}
	l.general = sheet
	l.loadMerged(sheet)
	for i, u := range units {
		if row, ok := got["unit/"+strconv.Itoa(i)]; ok {
			*u.dst = strings.TrimSpace(l.cell(sheet, 2, row).Raw)
		}
	}
	for _, g := range l.r.General {
		row, ok := got[g.Key]
		if !ok {
			if !g.Optional {
				s.Problems = append(s.Problems, problem.Problem{Severity: problem.Warning, Code: CodeGeneralNotFound, Input: g.Key, Message: fmt.Sprintf(
					"Không tìm thấy dòng “%s” ở trang %s: thêm lại dòng này (nhãn ở cột A, số liệu ở cột B) hoặc dùng biểu mẫu do hệ thống phát hành.", g.Label, sheet)})
			}
			continue
		}
		s.Cells[RawKey(GeneralKey, g.Key)] = l.cell(sheet, 2, row)
	}
}
