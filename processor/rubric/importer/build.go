package importer

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// rubric assembles the rubric from the table's entries, reading every
// method, and records each inference as a decision.
func (b *builder) rubric() *Result {
	res := &Result{Rows: map[string]string{}, comments: map[string]string{}}
	r := &rubric.Rubric{Defaults: rubric.RuleDefault{ZeroDen: rubric.ZeroDenZero}}
	res.Rubric = r
	src := b.opt.Source
	if src == "" {
		src = "bảng"
	}
	ref := func(where string) string {
		if where == "" {
			return baseName(src)
		}
		return baseName(src) + ", " + where
	}
	decide := func(where, seedRef string, n note) string {
		id := "D" + strconv.Itoa(len(r.Decisions)+1)
		r.Decisions = append(r.Decisions, rubric.Decision{ID: id, Where: where, SeedRef: seedRef,
			Problem: n.problem, Decision: n.decision, Why: n.why, Acknowledges: n.acknowledges})
		return id
	}
	b.header(r, res, ref, decide)

	var walk func(e *entry) *rubric.Indicator
	walk = func(e *entry) *rubric.Indicator {
		res.Rows[e.code] = e.where
		in := &rubric.Indicator{Code: e.code, Name: e.name, Max: e.max, Method: e.method}
		b.extras(in, e)
		if e.name == "" {
			b.add(Warning, e.where, e.code, "chỉ số không có tên")
		}
		if len(e.children) > 0 {
			for _, c := range e.children {
				in.Children = append(in.Children, walk(c))
			}
			in.Rule = &rubric.Rule{Kind: rubric.KindChildren}
			n := note{
				problem:  "Chỉ số " + e.code + " có các chỉ số con " + childCodes(e) + ".",
				decision: "Điểm của " + e.code + " là tổng điểm các chỉ số con (children), tính tối đa bằng điểm tối đa của " + e.code + ".",
				why:      "Các chỉ số con chia nhỏ chỉ số cha",
			}
			if strings.TrimSpace(e.method) != "" {
				n.why += "; phương pháp ghi ở hàng chỉ số cha được giữ nguyên văn để tham khảo"
			}
			if e.max != nil && !feq(*e.max, sumMax(e.children)) {
				b.add(Warning, e.where, e.code, "chỉ số %s ghi %s điểm nhưng các chỉ số con cộng lại %s điểm", e.code, vnum(*e.max), vnum(sumMax(e.children)))
				n.why += "; điểm tối đa ghi " + vnum(*e.max) + " nhưng các chỉ số con cộng lại " + vnum(sumMax(e.children)) + " (rubric check báo parent-max-sum)"
			}
			n.why += "."
			id := decide(e.code, ref(e.where), n)
			res.comments[e.code] = id + ": " + n.decision
			return in
		}
		b.leaf(in, e, res, ref, decide)
		return in
	}
	for _, pe := range b.pillars() {
		res.Rows[pe.code] = pe.where
		p := &rubric.Pillar{Code: pe.code, Name: pe.name, Section: pe.section, Max: pe.max}
		if pe.name == "" {
			b.add(Warning, pe.where, pe.code, "trụ cột không có tên")
		}
		if len(pe.children) == 0 {
			b.add(Warning, pe.where, pe.code, "trụ cột %s không có chỉ số nào", pe.code)
		}
		for _, c := range pe.children {
			p.Indicators = append(p.Indicators, walk(c))
		}
		sum := sumMax(pe.children)
		switch {
		case pe.max == nil:
			v := sum
			p.Max = &v
			b.add(Warning, pe.where, pe.code, "trụ cột %s không ghi điểm tối đa: lấy tổng các chỉ số, %s điểm", pe.code, vnum(sum))
			decide(pe.code, ref(pe.where), note{
				problem:  "Trụ cột " + pe.code + " không ghi điểm tối đa.",
				decision: "Điểm tối đa của trụ cột là tổng các chỉ số: " + vnum(sum) + ".",
				why:      "Không có số nào khác trong bảng; sửa nếu văn bản của tỉnh ghi khác.",
			})
		case !feq(*pe.max, sum):
			b.add(Warning, pe.where, pe.code, "trụ cột %s «%s» ghi %s điểm nhưng các chỉ số cộng lại %s điểm", pe.code, short(pe.name), vnum(*pe.max), vnum(sum))
		}
		r.Pillars = append(r.Pillars, p)
	}
	switch n := len(b.empty); {
	case n == 1:
		b.add(Warning, b.empty[0].where, b.empty[0].code, "phương pháp trống: chỉ số để todo")
	case n > 1:
		var codes []string
		for _, e := range b.empty {
			codes = append(codes, e.code)
		}
		list := strings.Join(codes, ", ")
		if n > 12 {
			list = strings.Join(codes[:12], ", ") + ", …"
		}
		b.add(Warning, b.empty[0].where+" trở đi", "", "%d chỉ số có phương pháp trống (%s): các chỉ số này để todo", n, list)
	}
	var core float64
	for _, p := range r.Pillars {
		core += p.MaxValue()
	}
	switch {
	case b.total != nil:
		r.Max = b.total
		if !feq(*b.total, core) {
			b.add(Warning, b.totalAt, "", "tổng điểm ghi %s nhưng các trụ cột cộng lại %s", vnum(*b.total), vnum(core))
		}
	default:
		v := core
		r.Max = &v
		decide("rubric", ref(""), note{
			problem:  "Bảng không có hàng tổng điểm.",
			decision: "max: " + num(core) + ", tổng điểm tối đa của các trụ cột.",
			why:      "Để rubric check có tổng điểm để đối chiếu; không đổi điểm nào.",
		})
	}
	if len(b.comma) > 0 {
		decide("rubric", ref(b.comma[0]), note{
			problem:  fmt.Sprintf("%d mã chỉ số viết dấu phẩy thập phân («1,1»), ví dụ ở %s.", len(b.comma), b.comma[0]),
			decision: "Đọc dấu phẩy trong mã là dấu chấm: «1,1» là chỉ số 1.1.",
			why:      "Cách viết số thập phân của tiếng Việt; mã chỉ số luôn viết bằng dấu chấm trong các bộ chỉ số.",
		})
	}
	return res
}

func childCodes(e *entry) string {
	var cs []string
	for _, c := range e.children {
		cs = append(cs, c.code)
	}
	return strings.Join(cs, ", ")
}

// leaf reads a leaf indicator's method into its rule, or a todo.
func (b *builder) leaf(in *rubric.Indicator, e *entry, res *Result, ref func(string) string, decide func(string, string, note) string) {
	rd := readMethod(indicatorText{code: e.code, name: e.name, max: e.max, method: e.method, rowDefs: e.rowDefs})
	switch {
	case e.max != nil && *e.max == 0:
		in.Rule = &rubric.Rule{Kind: rubric.KindReference}
		if rd.todo == "" {
			in.Inputs = rd.inputs
		}
		n := note{
			problem:  "Điểm tối đa của " + e.code + " là 0.",
			decision: "Chỉ số tham khảo (reference): không tính điểm, vẫn thu thập và báo cáo.",
			why:      "Chỉ số 0 điểm chỉ để tham khảo",
		}
		if len(in.Inputs) > 0 {
			n.why += "; số liệu của phương pháp vẫn được hỏi."
		} else {
			n.why += "."
		}
		id := decide(e.code, ref(e.where), n)
		res.comments[e.code] = id + ": " + n.decision
		res.Rules++
		return
	case e.max == nil && e.maxText == "":
		b.add(Warning, e.where, e.code, "chỉ số %s không ghi điểm tối đa: để todo", e.code)
		in.Todo = "Bảng không ghi điểm tối đa. Cần: điền max"
		if rd.todo != "" {
			in.Todo += "; " + rd.todo
		} else {
			in.Todo += " (cách tính đã đọc được, xem rule)."
			in.Inputs, in.Rule, in.Validate = rd.inputs, rd.rule, rd.validate
		}
		res.Todos++
		return
	case rd.todo != "":
		in.Todo = rd.todo
		if strings.TrimSpace(e.method) == "" && !b.noMethod {
			b.empty = append(b.empty, e)
		}
		res.Todos++
		return
	}
	in.Inputs, in.Rule, in.Validate = rd.inputs, rd.rule, rd.validate
	var ids []string
	for _, n := range rd.notes {
		ids = append(ids, decide(e.code, ref(e.where), n))
	}
	if len(ids) > 0 {
		res.comments[e.code] = strings.Join(ids, ", ") + ": " + rd.notes[0].decision
	}
	res.Rules++
}

// extras copies the optional columns (source, officer, evidence, time,
// task, lead, support).
func (b *builder) extras(in *rubric.Indicator, e *entry) {
	for c, v := range e.extra {
		switch c {
		case colSource:
			in.Source = vntext.OneLine(v)
		case colOfficer:
			in.Officer = vntext.OneLine(v)
		case colEvidence:
			for _, l := range strings.Split(v, "\n") {
				if l = strings.TrimSpace(strings.TrimLeft(l, "-+•")); l != "" {
					in.Evidence = append(in.Evidence, l)
				}
			}
		case colTime:
			if yearRe.MatchString(v) {
				in.Deadline = vntext.OneLine(v)
			} else {
				in.Freq = vntext.OneLine(v)
			}
		case colTask:
			in.Task = v
		case colLead:
			in.Lead = vntext.OneLine(v)
		case colSupport:
			in.Support = vntext.OneLine(v)
		}
	}
}

var (
	yearRe     = regexp.MustCompile(`\b(20\d\d)\b`)
	namYearRe  = regexp.MustCompile(`(?i)năm\s+(20\d\d)\b`)
	provinceRe = regexp.MustCompile(`(?:tỉnh|Tỉnh|TỈNH)\s+(\p{Lu}\p{Ll}+(?:\s+\p{Lu}\p{Ll}+){0,3})`)
)

// header fills the rubric's id, name, level, province, year, seed and
// zero-denominator default from the title above the table, the file name
// and the options, with a decision for each inference.
func (b *builder) header(r *rubric.Rubric, res *Result, ref func(string) string, decide func(string, string, note) string) {
	src := b.opt.Source
	title := strings.Join(b.titles, "\n")
	r.ID = b.opt.ID
	if r.ID == "" {
		r.ID = idSlug(baseName(src))
		if r.ID == "" {
			r.ID = "bo-chi-so-nhap"
		}
	}
	for _, t := range b.titles {
		if strings.Contains(fold(t), "chi so") && len([]rune(t)) < 250 {
			r.Name = t
			break
		}
	}
	if r.Name == "" {
		r.Name = "Bộ chỉ số nhập từ " + path_(src)
		decide("rubric", ref(""), note{
			problem:  "Phía trên bảng không có tiêu đề nêu tên bộ chỉ số.",
			decision: "name: «" + r.Name + "».",
			why:      "Cần một tên để hiện trong biểu mẫu và bảng xếp hạng; sửa theo tên trong văn bản của tỉnh.",
		})
	}
	switch {
	case namYearRe.MatchString(title):
		r.Year, _ = strconv.Atoi(namYearRe.FindStringSubmatch(title)[1])
	case yearRe.MatchString(title):
		r.Year, _ = strconv.Atoi(yearRe.FindStringSubmatch(title)[1])
		decide("rubric", ref(""), note{problem: "Tiêu đề không ghi «năm …».", decision: fmt.Sprintf("year: %d, năm đầu tiên trong tiêu đề.", r.Year), why: "Năm đánh giá cần để nhận biết biểu mẫu; sửa nếu năm trong tiêu đề là năm ban hành văn bản."})
	case yearRe.MatchString(baseName(src)):
		r.Year, _ = strconv.Atoi(yearRe.FindStringSubmatch(baseName(src))[1])
		decide("rubric", ref(""), note{problem: "Tiêu đề không ghi năm.", decision: fmt.Sprintf("year: %d, theo tên tệp.", r.Year), why: "Năm đánh giá cần để nhận biết biểu mẫu."})
	default:
		r.Year = b.opt.Year
		decide("rubric", ref(""), note{problem: "Cả tiêu đề lẫn tên tệp đều không ghi năm.", decision: fmt.Sprintf("year: %d, năm báo cáo trong cấu hình.", r.Year), why: "Năm đánh giá cần để nhận biết biểu mẫu; sửa nếu bộ chỉ số dùng cho năm khác."})
	}
	ft := fold(title + " " + baseName(src))
	switch {
	case containsAny(ft, "cap xa", "ubnd xa", "xa, phuong", "xa phuong", "-xa-", "cap co so"):
		r.Level = rubric.LevelCommune
	case containsAny(ft, "cap huyen", "ubnd huyen", "huyen, thi xa", "-huyen-", "cac huyen"):
		r.Level = rubric.LevelDistrict
	case containsAny(ft, "so, ban, nganh", "so ban nganh", "cac so, ban", "cap so", "-so-"):
		r.Level = rubric.LevelDepartment
	default:
		r.Level = rubric.LevelCommune
		decide("rubric", ref(""), note{problem: "Tiêu đề không nói bộ chỉ số dùng cho cấp nào.", decision: "level: xa (cấp xã).", why: "Cấp thường gặp nhất; sửa thành huyen hoặc so nếu cần."})
	}
	if m := provinceRe.FindStringSubmatch(title); m != nil {
		r.Province = m[1]
	}
	r.Seed = "nhập từ " + path_(src)
	if len(b.tables) > 0 && !(len(b.tables) == 1 && strings.HasPrefix(b.tables[0], "bảng 1")) {
		r.Seed += " (" + strings.Join(b.tables, ", ") + ")"
	}
	r.Seed += " bằng chiso rubric import"
	decide("rubric", ref(""), note{
		problem:  "Bảng không nói mẫu số bằng 0 (không có đối tượng để tính tỷ lệ) được bao nhiêu điểm.",
		decision: "defaults.zero_den: zero — 0 điểm, đánh dấu «mẫu số bằng 0»; trừ các tỷ lệ trên số sự cố (xem quyết định của từng chỉ số).",
		why:      "Như các bộ chỉ số đi kèm: không có số liệu thì không có điểm; hội đồng thẩm định xem lại từng trường hợp.",
	})
}

func path_(p string) string {
	p = strings.ReplaceAll(p, "\\", "/")
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[i+1:]
	}
	return p
}

func containsAny(s string, ws ...string) bool {
	for _, w := range ws {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// idSlug: "Bộ chỉ số xã 2025" → "bo-chi-so-xa-2025".
func idSlug(s string) string {
	return strings.ReplaceAll(slug(s, 60), "_", "-")
}
