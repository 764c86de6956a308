// Package importer builds a rubric from a rubric table: the appendix table
// of a province's decision (Word) or the self-assessment form (Excel) that a
// district office receives each year, with columns TT, Chỉ số, Điểm tối đa,
// Phương pháp in any order. It does no I/O: adapters read files into Tables
// (processor/docx for .docx, processor/workbook.ReadTables for .xlsx,
// ParseText here for text), and Import turns Tables into a rubric.
//
// # What it reads
//
//   - The header row, found by its texts (see classifyHeader), possibly under
//     a title and a row of merged group headings; a repeated header on every
//     page and the "A B C D" row of column letters are skipped.
//   - Rows by their code: "I" or "A" without a maximum followed by a pillar is
//     a section; a one-part code ("3", "II") a pillar; "3.4", "I.1.2.3.a",
//     "1.2.2-1" an indicator under the code it extends; "a", "b" rows with no
//     maximum define the figures of the indicator above; "Tổng cộng" the
//     grand total. "1,1" is read as "1.1".
//   - Each method text: the phrasings of the seven shipped rubrics (see
//     readMethod), with the figures labelled a, b, c… from the text.
//
// # What it does not guess
//
// An indicator whose method it cannot read with certainty keeps its method
// text verbatim and gets a todo saying what is missing (rubric check lists
// it as an error). Every inference is written as a decision (Vietnamese:
// problem, decision, why) next to the rule.
//
// # Errors
//
// A table without a header, a maximum that is not a number, a code used
// twice and an indicator outside any pillar stop the import (ImportError);
// pillar maxima that do not add up, a missing maximum and an empty method
// are warnings (the file is written; rubric check reports them again).
// Every message names the row.
package importer

import (
	"cmp"
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// Options are what the table cannot say.
type Options struct {
	// ID is the rubric id; default: the source file's name as a slug.
	ID string
	// Source names the file read (for the seed field and messages).
	Source string
	// Year is used when neither the table's title nor the file name gives one.
	Year int
}

// Severity of an import problem.
type Severity string

// Severities.
const (
	Error   Severity = "lỗi"      // the import stops
	Warning Severity = "cảnh báo" // the file is written; rubric check reports it again
)

// Problem is something wrong with the table, naming its row.
type Problem struct {
	Severity Severity
	Where    string // "hàng 12", "bảng 2, hàng 5", "dòng 7"
	Code     string // the indicator or pillar, when there is one
	Message  string // Vietnamese, for a district officer
}

func (p Problem) String() string {
	s := p.Where
	if p.Code != "" {
		if s != "" {
			s += " "
		}
		s += "(" + p.Code + ")"
	}
	if s != "" {
		s += ": "
	}
	return s + p.Message
}

// ImportError is an import that stopped: the table cannot be used as it is.
type ImportError struct{ Problems []Problem }

func (e *ImportError) Error() string {
	var b []string
	for _, p := range e.Problems {
		b = append(b, p.String())
	}
	return "bảng chỉ số không dùng được:\n  " + strings.Join(b, "\n  ")
}

// Result is an imported rubric.
type Result struct {
	Rubric   *rubric.Rubric
	Problems []Problem // warnings
	// Rules and Todos count leaf indicators read into a rule and left todo.
	Rules, Todos int
	// Rows maps an indicator or pillar code to where it is in the table.
	Rows map[string]string
	// comments are the YAML comments put next to each indicator's rule.
	comments map[string]string
}

// entry is one pillar, section or indicator row of the table.
type entry struct {
	code    string
	name    string
	maxText string
	max     *float64
	method  string
	extra   map[column]string
	rowDefs []def
	where   string
	single  bool // one-part code: pillar or section
	heading bool // a row with a name only: a section heading, or nothing

	children []*entry
	parent   *entry
	section  string
}

type builder struct {
	opt      Options
	problems []Problem
	entries  []*entry
	byCode   map[string]*entry
	titles   []string
	total    *float64
	totalAt  string
	noMethod bool
	comma    []string // rows whose code used a decimal comma
	empty    []*entry // leaf indicators with an empty method
	tables   []string
}

func (b *builder) add(sev Severity, where, code, format string, args ...any) {
	b.problems = append(b.problems, Problem{Severity: sev, Where: where, Code: code, Message: fmt.Sprintf(format, args...)})
}

func (b *builder) fatal() []Problem {
	var out []Problem
	for _, p := range b.problems {
		if p.Severity == Error {
			out = append(out, p)
		}
	}
	return out
}

func (b *builder) warnings() []Problem {
	var out []Problem
	for _, p := range b.problems {
		if p.Severity != Error {
			out = append(out, p)
		}
	}
	return out
}

// Import builds a rubric from the tables of one file.
func Import(tables []Table, opt Options) (*Result, error) {
	b := &builder{opt: opt, byCode: map[string]*entry{}}
	if !b.readTables(tables) {
		return nil, &ImportError{Problems: b.fatal()}
	}
	b.resolveSections()
	b.buildTree()
	if len(b.fatal()) > 0 {
		return nil, &ImportError{Problems: b.fatal()}
	}
	res := b.rubric()
	if len(b.fatal()) > 0 {
		return nil, &ImportError{Problems: b.fatal()}
	}
	res.Problems = b.warnings()
	return res, nil
}

// readTables finds the header and reads the data rows of every table that
// has one, and of the tables without a header that continue them.
func (b *builder) readTables(tables []Table) bool {
	var cur *header
	found := false
	for ti := range tables {
		t := &tables[ti]
		if !found {
			b.titles = append(b.titles, t.Title...)
		}
		h, at, ok := findHeader(t, 0)
		start := 0
		switch {
		case ok:
			b.titleRows(t.Rows[:at])
			cur, start, found = &h, at+1, true
			b.tables = append(b.tables, tableName(t, ti))
		case cur != nil && continues(t, *cur):
			b.tables = append(b.tables, tableName(t, ti))
		default:
			if !found {
				b.titleRows(t.Rows)
			}
			cur = nil
			continue
		}
		if !cur.has(colMethod) && !b.noMethod {
			b.noMethod = true
			b.add(Warning, t.where(cur.n), "", "bảng không có cột phương pháp (Phương pháp / Cách xác định và tính điểm): mọi chỉ số sẽ để todo")
		}
		for _, r := range t.Rows[start:] {
			b.readRow(t, *cur, r)
		}
	}
	if !found {
		where := ""
		if len(tables) > 0 && tables[0].Name != "" {
			where = tables[0].Name
		}
		b.add(Error, where, "", "không tìm thấy dòng tiêu đề của bảng chỉ số trong %d hàng đầu của mỗi bảng: cần một hàng có các cột TT (hoặc STT), Chỉ số, Điểm tối đa và Phương pháp (thứ tự nào cũng được)", headerSearchRows)
		return false
	}
	if len(b.entries) == 0 {
		b.add(Error, "", "", "bảng có dòng tiêu đề nhưng không có hàng chỉ số nào có mã (TT)")
		return false
	}
	return len(b.fatal()) == 0
}

func tableName(t *Table, i int) string {
	if t.Name != "" {
		return t.Name
	}
	return fmt.Sprintf("bảng %d", i+1)
}

// continues: a table without a header continues the previous one when its
// rows have about as many cells as the header names.
func continues(t *Table, h header) bool {
	w := h.width()
	n, fit := 0, 0
	for _, r := range t.Rows {
		if len(r.Cells) == 0 {
			continue
		}
		n++
		if len(r.Cells) >= w {
			fit++
		}
	}
	return n > 0 && fit*2 >= n
}

func (b *builder) titleRows(rows []Row) {
	for _, r := range rows {
		for i := range r.Cells {
			c, m := r.Cell(i)
			if m != Own {
				continue
			}
			for _, l := range strings.Split(c, "\n") {
				if l = vntext.OneLine(l); l != "" {
					b.titles = append(b.titles, l)
				}
			}
		}
	}
}

var (
	numberLike = regexp.MustCompile(`^\d+\.\d$`)
	codeRe     = regexp.MustCompile(`^(?:[0-9]+|[IVXLC]+|[A-Z])(?:[.\-][0-9A-Za-z]+)*$`)
	commaCode  = regexp.MustCompile(`^[0-9IVX]+(?:[,.][0-9A-Za-z]+)+$`)
)

// normCode reads a code cell: "1.1", "1.1.", "1,1" (decimal comma), "I".
func normCode(s string) (code string, comma, ok bool) {
	s = strings.ReplaceAll(vntext.OneLine(s), " ", "")
	s = strings.TrimRight(s, ".")
	if len(s) == 1 && s[0] >= 'a' && s[0] <= 'z' {
		return s, false, true // an input row: "a", "b"
	}
	if strings.Contains(s, ",") && commaCode.MatchString(s) {
		s, comma = strings.ReplaceAll(s, ",", "."), true
	}
	return s, comma, codeRe.MatchString(s)
}

func (b *builder) readRow(t *Table, h header, r Row) {
	where := t.where(r.N)
	cell := func(c column, allowAbove bool) string {
		s, m := h.get(r, c)
		if m == FromLeft || (m == FromAbove && !allowAbove) {
			return ""
		}
		return clean(s)
	}
	codeRaw, codeMerge := h.get(r, colCode)
	name := cell(colName, false)
	maxT := vntext.OneLine(cell(colMax, false))
	method := cell(colMethod, true)
	if strings.TrimSpace(codeRaw) == "" && name == "" && maxT == "" && method == "" {
		return
	}
	if _, ok := headerOf(r); ok || columnLetters(r) {
		return
	}
	if f := fold(vntext.OneLine(codeRaw)); f == "tt" || f == "stt" {
		return
	}
	prev := b.last()
	if codeMerge == FromAbove && strings.TrimSpace(codeRaw) != "" {
		// The code cell is merged over several rows: this row belongs to the indicator above.
		if prev != nil {
			prev.appendText(cell(colName, false), cell(colMethod, false))
		}
		return
	}
	code, comma, ok := normCode(codeRaw)
	if codeRaw == "" || !ok {
		label := name
		if label == "" {
			label = vntext.OneLine(codeRaw)
		}
		if strings.HasPrefix(fold(label), "tong") && maxT != "" {
			v, okm := parseMax(maxT)
			if !okm {
				b.add(Error, where, "", "tổng điểm «%s» không phải là số", maxT)
				return
			}
			b.total, b.totalAt = v, where
			return
		}
		if codeRaw == "" && name == "" && method != "" && prev != nil {
			prev.appendText("", method) // a method cell broken over two rows (page break)
			return
		}
		if codeRaw == "" && name != "" && maxT == "" && method == "" {
			// A heading without a code: a section if a pillar follows (resolveSections).
			b.entries = append(b.entries, &entry{name: vntext.OneLine(name), where: where, single: true, heading: true})
			return
		}
		if codeRaw == "" {
			if prev != nil && maxT == "" && method == "" {
				b.add(Warning, where, prev.code, "hàng không có mã (TT), chỉ có chữ «%s»: không đọc, để nguyên phương pháp của %s", short(name), prev.code)
			} else {
				b.add(Warning, where, "", "hàng không có mã (TT): bỏ qua «%s»", short(cmp.Or(name, maxT, method)))
			}
			return
		}
		b.add(Warning, where, "", "mã «%s» không đọc được (cần dạng 1, 1.2, I, I.1.2.a): bỏ qua hàng «%s»", vntext.OneLine(codeRaw), short(name))
		return
	}
	if comma {
		b.comma = append(b.comma, where)
	}
	if len(code) == 1 && code[0] >= 'a' && code[0] <= 'z' {
		switch {
		case prev == nil || prev.single:
			b.add(Warning, where, "", "hàng «%s» không thuộc chỉ số nào: bỏ qua", code)
		case maxT != "":
			b.add(Warning, where, prev.code, "hàng «%s» có điểm tối đa; mã đầy đủ là %s.%s? Sửa mã trong bảng rồi nhập lại: bỏ qua hàng", code, prev.code, code)
		default:
			prev.rowDefs = append(prev.rowDefs, def{key: code, label: vntext.OneLine(name)})
		}
		return
	}
	e := &entry{code: code, name: vntext.OneLine(name), maxText: maxT, method: method, where: where, extra: map[column]string{}, single: !strings.ContainsAny(code, ".-")}
	for _, c := range []column{colSource, colOfficer, colEvidence, colTime, colTask, colLead, colSupport} {
		if v := cell(c, true); v != "" {
			e.extra[c] = v
		}
	}
	if maxT != "" {
		v, okm := parseMax(maxT)
		if !okm {
			b.add(Error, where, code, "điểm tối đa «%s» không phải là số", maxT)
		}
		e.max = v
	}
	b.entries = append(b.entries, e)
}

func (b *builder) last() *entry {
	if len(b.entries) == 0 {
		return nil
	}
	return b.entries[len(b.entries)-1]
}

func (e *entry) appendText(name, method string) {
	if name != "" && !e.single {
		e.name = vntext.OneLine(e.name + " " + name)
	}
	if method != "" {
		if e.method != "" {
			e.method += "\n"
		}
		e.method += method
	}
}

var (
	maxRe       = regexp.MustCompile(`^(\d+(?:[.,]\d+)?)\s*(?:điểm|đ)?$`)
	thousandsRe = regexp.MustCompile(`^\d{1,3}(?:\.\d{3})+$`)
)

// parseMax reads a maximum: "20", "20 điểm", "10,5", "1.000" (thousands).
func parseMax(s string) (*float64, bool) {
	s = strings.TrimSpace(s)
	if thousandsRe.MatchString(s) && !strings.HasPrefix(s, "0") {
		s = strings.ReplaceAll(s, ".", "")
	}
	m := maxRe.FindStringSubmatch(s)
	if m == nil {
		return nil, false
	}
	v, ok := parseNum(m[1])
	return &v, ok
}

// resolveSections: a one-part code without a maximum or method directly
// followed by another one-part code is a section heading ("I Nhóm chỉ số
// chung" before "1 Nhận thức số"), not a pillar.
func (b *builder) resolveSections() {
	var kept []*entry
	section := ""
	for i, e := range b.entries {
		if e.single {
			var next *entry
			for _, n := range b.entries[i+1:] {
				if !n.heading {
					next = n
					break
				}
			}
			if e.max == nil && e.maxText == "" && strings.TrimSpace(e.method) == "" && (next == nil || next.single) {
				section = e.name
				if e.code != "" {
					section = e.code + ". " + e.name
				}
				continue
			}
			if e.heading {
				prev := "bảng"
				if len(kept) > 0 {
					prev = kept[len(kept)-1].code
				}
				b.add(Warning, e.where, prev, "hàng không có mã (TT), chỉ có chữ «%s»: bỏ qua", short(e.name))
				continue
			}
			e.section = section
		}
		kept = append(kept, e)
	}
	b.entries = kept
	for _, e := range b.entries {
		if first, dup := b.byCode[e.code]; dup {
			hint := ""
			if strings.Contains(e.where, "trang tính") && numberLike.MatchString(e.code) {
				// Excel stores "3.10" typed in a number cell as 3.1.
				hint = " (nếu cột TT trong Excel là kiểu số thì «" + e.code + "0» đã thành «" + e.code + "»: định dạng cột TT là Văn bản/Text rồi gõ lại mã)"
			}
			b.add(Error, e.where, e.code, "mã %s đã dùng ở %s: mỗi chỉ số một mã%s", e.code, first.where, hint)
			continue
		}
		b.byCode[e.code] = e
	}
}

// parentCode: "3.4" → "3", "I.1.2.3.a" → "I.1.2.3", "1.2.2-1" → "1.2.2".
func parentCode(code string) string {
	i := strings.LastIndexAny(code, ".-")
	if i < 0 {
		return ""
	}
	return code[:i]
}

func (b *builder) buildTree() {
	for _, e := range b.entries {
		if e.single {
			continue
		}
		pc := parentCode(e.code)
		p := b.byCode[pc]
		if p == nil {
			b.add(Error, e.where, e.code, "chỉ số %s không nằm dưới trụ cột hay chỉ số nào: bảng không có hàng mã %s", e.code, pc)
			continue
		}
		e.parent = p
		p.children = append(p.children, e)
	}
}

func (b *builder) pillars() []*entry {
	var out []*entry
	for _, e := range b.entries {
		if e.single {
			out = append(out, e)
		}
	}
	return out
}

func sumMax(es []*entry) float64 {
	var s float64
	for _, e := range es {
		if e.max != nil {
			s += *e.max
		}
	}
	return s
}

// baseName is the file name without folders or extension.
func baseName(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	p = path.Base(p)
	return strings.TrimSuffix(p, path.Ext(p))
}
