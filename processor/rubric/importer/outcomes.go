package importer

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/chiso-vn/chiso/processor/rubric"
)

// part is what a set of "condition: outcome" lines scores: a rule worth
// share of the indicator's maximum, with its inputs.
type part struct {
	share  float64
	rule   rubric.Rule
	inputs []rubric.Input
	notes  []note
	what   string
	label  string
}

// readOutcomes reads methods made of "condition: outcome" lines: yes/no
// ("Đã có: Điểm tối đa / Chưa có: 0 điểm"), a choice ("cấp Trưởng: Điểm tối
// đa / cấp Phó: 1/2*Điểm tối đa / …: 0 điểm"), a step table ("Từ 20 camera
// trở lên: điểm tối đa / Từ 10 đến 19 camera: 1/2*…"), halves that add up,
// and headed groups that add up ("- Chuyên mục: + … - Số lượng tin, bài: + …").
func readOutcomes(it indicatorText, p *parsed) reading {
	if len(p.unknown) > 0 || len(p.descs) > 0 {
		return todo("Không đọc được dòng «%s» của phương pháp. Cần: viết inputs và rule theo văn bản.", short(firstOf(p.unknown, p.descs)))
	}
	if len(p.defs) > 0 {
		return todo("Phương pháp định nghĩa số liệu (%s = …) nhưng cho điểm theo điều kiện, không theo tỷ lệ. Cần: viết rule.", p.defs[0].key)
	}
	var leading []item
	for _, t := range p.top {
		if t.afterGroups > 0 {
			return todo("Dòng «%s» đứng sau các nhóm điểm: không rõ nó chỉ áp dụng cho một nhóm hay cho cả chỉ số (điều kiện chung). Cần: viết rule (gate nếu là điều kiện chung) và ghi quyết định.", t.line.text)
		}
		leading = append(leading, t)
	}
	var groups []*group
	for _, g := range p.groups {
		if len(g.items) == 0 {
			return todo("Nhóm «%s» không có dòng cho điểm nào. Cần: viết rule.", g.header)
		}
		groups = append(groups, g)
	}
	var k keys
	var r reading
	switch {
	case len(groups) == 0 || (len(groups) == 1 && len(leading) == 0):
		items, header := leading, ""
		if len(groups) == 1 {
			items, header = groups[0].items, groups[0].header
		}
		pt, msg := classify(it, items, header, &k, true)
		if msg != "" {
			return todo("%s Cần: viết rule và ghi quyết định.", msg)
		}
		if !feq(pt.share, 1) {
			return todo("Các dòng cho điểm cao nhất %s điểm tối đa: chỉ số không bao giờ đạt điểm tối đa. Cần: kiểm tra văn bản, viết rule.", fracText(pt.share))
		}
		rule := pt.rule
		r.rule, r.inputs, r.notes, r.kind = &rule, pt.inputs, pt.notes, pt.what
		return r
	}
	// Parts that add up: the leading lines (if any) and each group.
	var parts []part
	if len(leading) > 0 {
		pt, msg := classify(it, leading, "", &k, false)
		if msg != "" {
			return todo("%s Cần: viết rule.", msg)
		}
		parts = append(parts, pt)
	}
	for _, g := range groups {
		pt, msg := classify(it, g.items, g.header, &k, false)
		if msg != "" {
			return todo("Nhóm «%s»: %s Cần: viết rule.", g.header, msg)
		}
		parts = append(parts, pt)
	}
	rule := rubric.Rule{Kind: rubric.KindSum}
	var total float64
	var names []string
	for _, pt := range parts {
		share := pt.share
		total += share
		rule.Parts = append(rule.Parts, rubric.Part{Label: pt.label, Share: &share, Rule: pt.rule})
		r.inputs = append(r.inputs, pt.inputs...)
		r.notes = append(r.notes, pt.notes...)
		names = append(names, "«"+pt.label+"» "+fracText(share))
	}
	if total > 1+eps {
		return todo("Các nhóm cộng lại %s điểm tối đa, vượt điểm tối đa. Cần: viết rule và ghi quyết định.", fracText(total))
	}
	n := note{
		problem:  "Phương pháp có nhiều nhóm điểm; văn bản không nói các nhóm là lựa chọn hay cộng lại.",
		decision: "Cộng các nhóm: " + strings.Join(names, " + ") + "; trong mỗi nhóm các dòng là lựa chọn (điểm của dòng chia cho phần của nhóm).",
		why:      "Mỗi nhóm nói về một điều riêng (tiêu đề nhóm) và các dòng trong nhóm loại trừ nhau; cộng các nhóm",
	}
	if feq(total, 1) {
		n.why += " thì vừa đúng điểm tối đa."
	} else {
		n.why += fmt.Sprintf(" chỉ được %s điểm tối đa (rubric check báo never-full).", fracText(total))
	}
	r.notes = append([]note{n}, r.notes...)
	r.rule, r.kind = &rule, "các nhóm cộng lại"
	return r
}

// stepCond is the figure a step line is about: "Từ 20 camera trở lên",
// "Từ 10 đến 19 camera", "Dưới 6 tin, bài".
type stepCond struct {
	ok             bool
	min, below, hi float64
	hasMin, hasHi  bool
	hiExcl         bool
	isBelow        bool
	unit, prefix   string
	unitKey        string
}

var (
	rangeRe = regexp.MustCompile(`(?:^|\s)tu\s+` + numRe + `\s*(?:den|-)\s*(duoi\s+)?` + numRe)
	belowRe = regexp.MustCompile(`(?:^|\s)duoi\s+` + numRe + `|<\s*` + numRe)
	fromRe  = regexp.MustCompile(`(?:^|\s)tu\s+` + numRe + `|≥\s*` + numRe)
	aboveRe = regexp.MustCompile(`(?:^|\s)tren\s+\d|>\s*\d`)
	leadZ   = regexp.MustCompile(`(^|[^0-9])0+([0-9])`)
)

func parseStepCond(cond string) (stepCond, bool) {
	f := fold(cond)
	var s stepCond
	var m []int
	switch {
	case rangeRe.MatchString(f):
		m = rangeRe.FindStringSubmatchIndex(f)
		s.min, s.hasMin = mustNum(f[m[2]:m[3]]), true
		s.hi, s.hasHi = mustNum(f[m[6]:m[7]]), true
		s.hiExcl = m[4] >= 0
	case belowRe.MatchString(f):
		m = belowRe.FindStringSubmatchIndex(f)
		g := 2
		if m[2] < 0 {
			g = 4
		}
		s.below, s.isBelow = mustNum(f[m[g]:m[g+1]]), true
	case fromRe.MatchString(f):
		m = fromRe.FindStringSubmatchIndex(f)
		g := 2
		if m[2] < 0 {
			g = 4
		}
		s.min, s.hasMin = mustNum(f[m[g]:m[g+1]]), true
	case aboveRe.MatchString(f):
		return s, true // a strict "trên N": numeric, not read
	default:
		return s, false
	}
	s.ok = true
	r := []rune(cond)
	start, end := runeOff(f, m[0]), runeOff(f, m[1])
	s.prefix = trimEnd(string(r[:start]))
	u := strings.TrimSpace(string(r[end:]))
	uf := fold(u)
	if i := strings.Index(uf, "tro len"); i >= 0 {
		ur := []rune(u)
		u = string(ur[:runeOff(uf, i)]) + string(ur[runeOff(uf, i)+len("tro len"):])
	}
	s.unit = trimEnd(u)
	s.unitKey = leadZ.ReplaceAllString(strings.ReplaceAll(fold(s.unit), " ", ""), "$1$2")
	return s, true
}

// classify reads a set of "condition: outcome" lines. whole is true when
// the set is the indicator's whole method (not one part of a sum).
func classify(it indicatorText, items []item, header string, k *keys, whole bool) (part, string) {
	for _, x := range items {
		if x.out.kind != outFrac {
			return part{}, fmt.Sprintf("Dòng «%s» không cho một phần của điểm tối đa.", x.line.text)
		}
	}
	conds := make([]stepCond, len(items))
	numeric := 0
	for i, x := range items {
		sc, isNum := parseStepCond(x.cond)
		if isNum && !sc.ok {
			return part{}, fmt.Sprintf("Không đọc được ngưỡng của dòng «%s» (chỉ đọc «từ N», «từ N đến M», «dưới N»).", x.line.text)
		}
		conds[i] = sc
		if isNum {
			numeric++
		}
	}
	if numeric > 0 {
		return steps(it, items, conds, header, k, whole)
	}
	return alternatives(it, items, header, k, whole)
}

func maxFrac(items []item) float64 {
	m := 0.0
	for _, x := range items {
		if x.out.frac > m {
			m = x.out.frac
		}
	}
	return m
}

// alternatives reads lines without figures: yes/no, a choice, or halves
// that add up.
func alternatives(it indicatorText, items []item, header string, k *keys, whole bool) (part, string) {
	share := maxFrac(items)
	var nz, zs []item
	for _, x := range items {
		if x.out.frac > eps {
			nz = append(nz, x)
		} else {
			zs = append(zs, x)
		}
	}
	label := header
	if label == "" {
		label = trimEnd(it.name)
	}
	switch {
	case share <= eps:
		return part{}, "Mọi dòng đều cho 0 điểm."
	case len(nz) == 1 && len(zs) <= 1:
		key := k.next()
		pos := nz[0]
		in := rubric.Input{Key: key, Label: yesNoLabel(pos.cond, it.name, whole), Type: rubric.YesNo}
		pt := part{share: share, rule: rubric.Rule{Kind: rubric.KindYesNo, Input: key}, inputs: []rubric.Input{in}, what: "có/không", label: pos.cond}
		if whole {
			neg := "không có dòng 0 điểm: không đạt thì 0 điểm"
			if len(zs) == 1 {
				neg = "«" + zs[0].cond + "»: 0 điểm"
			}
			pt.notes = append(pt.notes, note{
				problem:  "Phương pháp viết bằng lời: «" + pos.cond + "»: " + pos.out.text + "; " + neg + ".",
				decision: "yes_no: Có → điểm tối đa, Không → 0 điểm; số liệu a = «" + in.Label + "» (Có/Không).",
				why:      "Một điều kiện được điểm tối đa, còn lại 0 điểm.",
			})
		}
		return pt, ""
	case whole && len(nz) >= 2 && share < 1-eps && sumsToOne(nz) && len(zs) <= 1:
		return addUp(it, nz, zs, k)
	case len(nz) >= 2 && len(zs) >= 1 && (!whole || feq(share, 1)):
		return choice(it, items, label, share, k, whole)
	}
	return part{}, fmt.Sprintf("Các dòng cho %s điểm tối đa: không rõ là lựa chọn hay cộng lại.", fracList(items))
}

func sumsToOne(items []item) bool {
	var s float64
	for _, x := range items {
		s += x.out.frac
	}
	return feq(s, 1)
}

func fracList(items []item) string {
	var out []string
	for _, x := range items {
		out = append(out, fracText(x.out.frac))
	}
	return strings.Join(out, ", ")
}

// yesNoLabel: the condition that earns the points, with the indicator's
// name when the condition alone says little ("Đã có", "Có kết nối").
func yesNoLabel(cond, name string, whole bool) string {
	if whole && len(strings.Fields(cond)) <= 4 {
		return cond + ": " + trimEnd(name)
	}
	return cond
}

func choice(it indicatorText, items []item, label string, share float64, k *keys, whole bool) (part, string) {
	key := k.next()
	in := rubric.Input{Key: key, Label: label, Type: rubric.Choice}
	seen := map[string]bool{}
	var opts []string
	for i, x := range items {
		ok := slug(x.cond, 24)
		if ok == "" || seen[ok] {
			ok = fmt.Sprintf("lua_chon_%d", i+1)
		}
		seen[ok] = true
		in.Options = append(in.Options, rubric.Option{Key: ok, Label: x.cond, Fraction: x.out.frac / share})
		opts = append(opts, "«"+x.cond+"» "+fracText(x.out.frac/share))
	}
	shorts := shortAnswers(in.Options)
	for i := range in.Options {
		in.Options[i].Short = shorts[i]
	}
	pt := part{share: share, rule: rubric.Rule{Kind: rubric.KindChoice, Input: key}, inputs: []rubric.Input{in}, what: "lựa chọn", label: label}
	n := note{
		problem:  fmt.Sprintf("Phương pháp liệt kê %d trường hợp loại trừ nhau, mỗi trường hợp một mức điểm.", len(items)),
		decision: "choice: " + strings.Join(opts, ", ") + ".",
		why:      "Các dòng là các trường hợp của cùng một điều (dòng cuối 0 điểm), đơn vị chọn một.",
	}
	if !whole {
		n.decision = "Nhóm «" + label + "» là một lựa chọn, phần điểm " + fracText(share) + ": " + strings.Join(opts, ", ") + " (của phần nhóm)."
	}
	var shown []string
	for _, o := range in.Options {
		if o.Short != "" {
			shown = append(shown, "«"+o.Short+"»")
		}
	}
	if len(shown) > 0 {
		n.decision += " Ô thả xuống của biểu mẫu hiện câu trả lời ngắn " + strings.Join(shown, ", ") + " (câu đầy đủ in bên cạnh)."
	}
	pt.notes = append(pt.notes, n)
	return pt, ""
}

// shortAnswers gives each option longer than the form's dropdown shows
// (rubric.MaxShown) a short answer: its closing parenthesis when that is
// short ("… (cấp Trưởng)" → "Cấp Trưởng"), else its first words and "…".
// When two would read the same, the long options are numbered instead
// ("Lựa chọn 2"). An option short enough keeps its label ("").
func shortAnswers(opts []rubric.Option) []string {
	out := make([]string, len(opts))
	seen := map[string]bool{}
	clash := false
	for i, o := range opts {
		label := strings.TrimSpace(o.Label)
		if len([]rune(label)) <= rubric.MaxShown {
			seen[strings.ToLower(label)] = true
			continue
		}
		out[i] = shortAnswer(label)
	}
	for _, s := range out {
		k := strings.ToLower(s)
		if s != "" && seen[k] {
			clash = true
		}
		seen[k] = true
	}
	if clash {
		for i := range out {
			if out[i] != "" {
				out[i] = fmt.Sprintf("Lựa chọn %d", i+1)
			}
		}
	}
	return out
}

func shortAnswer(label string) string {
	if strings.HasSuffix(label, ")") {
		if i := strings.LastIndex(label, "("); i > 0 {
			inner := strings.TrimSpace(label[i+1 : len(label)-1])
			if n := len([]rune(inner)); n > 0 && n <= rubric.MaxShown {
				r := []rune(inner)
				return strings.ToUpper(string(r[0])) + string(r[1:])
			}
		}
	}
	var b strings.Builder
	for _, w := range strings.Fields(label) {
		next := len([]rune(b.String())) + len([]rune(w)) + 1
		if b.Len() > 0 {
			next++
		}
		if next > rubric.MaxShown {
			break
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w)
	}
	if b.Len() == 0 { // one word longer than the dropdown
		return string([]rune(label)[:rubric.MaxShown-1]) + "…"
	}
	return strings.TrimRight(b.String(), ",;:") + "…"
}

// addUp reads "Đã triển khai: 1/2*Điểm tối đa; Đã triển khai đến từng thiết
// bị cá nhân: 1/2*Điểm tối đa; Chưa triển khai: 0 điểm" as halves that add up.
func addUp(it indicatorText, nz, zs []item, k *keys) (part, string) {
	rule := rubric.Rule{Kind: rubric.KindSum}
	var ins []rubric.Input
	var names []string
	for _, x := range nz {
		key := k.next()
		ins = append(ins, rubric.Input{Key: key, Label: x.cond, Type: rubric.YesNo})
		share := x.out.frac
		rule.Parts = append(rule.Parts, rubric.Part{Label: x.cond + ": " + x.out.text, Share: &share, Rule: rubric.Rule{Kind: rubric.KindYesNo, Input: key}})
		names = append(names, "«"+x.cond+"» "+fracText(share))
	}
	pt := part{share: 1, rule: rule, inputs: ins, what: "các phần cộng lại"}
	pt.notes = append(pt.notes, note{
		problem:  "Các dòng cho " + fracList(nz) + " điểm tối đa; không rõ là lựa chọn hay cộng dồn.",
		decision: "Cộng dồn: " + strings.Join(names, " + ") + ", mỗi phần có/không.",
		why:      "Đọc là lựa chọn thì không trường hợp nào đạt điểm tối đa; các phần cộng lại vừa đúng điểm tối đa (như thanhhoa-xa-2023 D19).",
	})
	return pt, ""
}

type stepRow struct {
	min   float64
	frac  float64
	hi    float64
	hasHi bool
	excl  bool
	label string
}

// steps reads a step table on one figure.
func steps(it indicatorText, items []item, conds []stepCond, header string, k *keys, whole bool) (part, string) {
	share := maxFrac(items)
	if share <= eps {
		return part{}, "Mọi bậc đều cho 0 điểm."
	}
	unitKey, unit, prefix := "", "", ""
	var rows []stepRow
	var below *item
	var belowAt float64
	var words []item
	for i, x := range items {
		c := conds[i]
		if !c.ok {
			words = append(words, x)
			continue
		}
		if unitKey == "" {
			unitKey, unit, prefix = c.unitKey, c.unit, c.prefix
		} else if c.unitKey != unitKey && c.unitKey != "" {
			return part{}, fmt.Sprintf("Các bậc đo bằng đơn vị khác nhau («%s» và «%s»): cần quy về một số liệu.", unit, c.unit)
		}
		if c.isBelow {
			if below != nil {
				return part{}, "Có hai dòng «dưới …»."
			}
			xx := x
			below, belowAt = &xx, c.below
			continue
		}
		rows = append(rows, stepRow{min: c.min, frac: x.out.frac / share, hi: c.hi, hasHi: c.hasHi, excl: c.hiExcl, label: trimEnd(x.line.text)})
	}
	if len(rows) == 0 {
		return part{}, "Không có bậc «từ N» nào."
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].min > rows[j].min })
	var notes []note
	for i, s := range rows {
		if i == 0 {
			if s.hasHi {
				return part{}, fmt.Sprintf("Bậc cao nhất «%s» có giới hạn trên: không nói trên mức đó được bao nhiêu điểm.", s.label)
			}
			continue
		}
		up := rows[i-1]
		if s.min == up.min {
			return part{}, "Hai bậc cùng bắt đầu từ " + vnum(s.min) + "."
		}
		if s.frac > up.frac+eps {
			return part{}, fmt.Sprintf("Bậc «%s» thấp hơn nhưng được nhiều điểm hơn.", s.label)
		}
		if s.hasHi {
			next := s.hi + 1
			if s.excl {
				next = s.hi
			}
			if !feq(next, up.min) {
				return part{}, fmt.Sprintf("Bậc «%s» không nối liền với bậc «%s».", s.label, up.label)
			}
		}
	}
	lowest := rows[len(rows)-1].min
	var gateCond string
	hasOtherwise := false
	var last rubric.Step
	if below != nil {
		if !feq(belowAt, lowest) {
			return part{}, fmt.Sprintf("Dòng «%s» không nối liền với bậc thấp nhất (từ %s).", below.line.text, vnum(lowest))
		}
		f := below.out.frac / share
		last = rubric.Step{Fraction: &f, Label: trimEnd(below.line.text)}
		hasOtherwise = true
	}
	for _, w := range words {
		if w.out.frac > eps {
			return part{}, fmt.Sprintf("Dòng «%s» cho điểm nhưng không nêu ngưỡng.", w.line.text)
		}
		switch {
		case below != nil && below.out.frac > eps && gateCond == "" && startsNegative(w.cond):
			gateCond = w.cond
		case !hasOtherwise:
			z := 0.0
			last = rubric.Step{Fraction: &z, Label: trimEnd(w.line.text)}
			hasOtherwise = true
		case below != nil && below.out.frac <= eps:
			// "Dưới N: 0 điểm" and "Chưa có: 0 điểm" say the same.
		default:
			return part{}, fmt.Sprintf("Không rõ dòng «%s» áp dụng khi nào.", w.line.text)
		}
	}
	if !hasOtherwise {
		z := 0.0
		last = rubric.Step{Fraction: &z, Label: "Dưới " + vnum(lowest) + " " + unit}
		notes = append(notes, note{
			problem:  "Bảng bậc không nói dưới " + vnum(lowest) + " " + unit + " được bao nhiêu điểm.",
			decision: "Dưới bậc thấp nhất: 0 điểm.",
			why:      "Không đạt bậc nào thì không có điểm.",
		})
	}
	if lowest <= 0 && hasOtherwise {
		return part{}, "Bậc thấp nhất bắt đầu từ 0 nhưng còn dòng cho mức dưới đó."
	}
	var gateKey string
	var ins []rubric.Input
	if gateCond != "" {
		gateKey = k.next()
		pos := positive(gateCond)
		ins = append(ins, rubric.Input{Key: gateKey, Label: pos, Type: rubric.YesNo})
		notes = append(notes, note{
			problem:  "Phương pháp vừa có bậc «" + trimEnd(below.line.text) + "» (được điểm) vừa có «" + gateCond + ": 0 điểm».",
			decision: "«" + pos + "» là điều kiện (gate) của cả chỉ số: không có thì 0 điểm, có thì tính theo bậc; có nhưng " + strings.ToLower(trimEnd(below.cond)) + " vẫn được " + fracText(below.out.frac) + " điểm tối đa như văn bản.",
			why:      "Dòng «" + gateCond + "» không phải một bậc của số liệu; đọc đúng văn bản (như xuanlac-xa-2023 D10).",
		})
	}
	key := k.next()
	t := rubric.Count
	if strings.Contains(unit, "/") {
		t = rubric.Number
	}
	label := stepLabel(prefix, unit, header)
	ins = append(ins, rubric.Input{Key: key, Label: label, Type: t})
	rule := rubric.Rule{Kind: rubric.KindSteps, Value: key, Gate: gateKey}
	var desc []string
	for _, s := range rows {
		m, f := s.min, s.frac
		rule.Steps = append(rule.Steps, rubric.Step{Min: &m, Fraction: &f, Label: s.label})
		desc = append(desc, "từ "+num(s.min)+": "+fracText(s.frac*share))
	}
	rule.Steps = append(rule.Steps, last)
	desc = append(desc, "còn lại: "+fracText(*last.Fraction*share))
	main := note{
		problem:  "Phương pháp là bảng bậc theo " + unitOr(unit) + ".",
		decision: "steps trên a = «" + label + "»: " + strings.Join(desc, "; ") + " (điểm tối đa).",
		why:      "«Từ N … trở lên», «từ N đến M», «dưới N» là các bậc liền nhau; mốc «từ» tính cả N.",
	}
	main.decision = strings.Replace(main.decision, "a = ", key+" = ", 1)
	if !whole {
		main.decision = "Nhóm «" + header + "», phần điểm " + fracText(share) + ": " + main.decision
	}
	if t == rubric.Number {
		main.why += " Số liệu là một tần suất («" + unit + "»), nhập số lần trung bình."
	}
	return part{share: share, rule: rule, inputs: ins, notes: append([]note{main}, notes...), what: "bảng bậc", label: headerOr(header, label)}, ""
}

func unitOr(u string) string {
	if u == "" {
		return "một số liệu"
	}
	return "số " + u
}

func headerOr(h, l string) string {
	if h != "" {
		return h
	}
	return l
}

// stepLabel names the figure of a step table: the group heading when it
// names one ("Số lượng tin, bài về Chuyển đổi số trong năm"), else the text
// before the number with the unit ("Tần suất phát sóng (lần/1 tháng)"),
// else "Số <unit>".
func stepLabel(prefix, unit, header string) string {
	hf := fold(header)
	if i := strings.Index(hf, "so luong"); i >= 0 {
		h := string([]rune(header)[runeOff(hf, i):])
		h = strings.TrimSuffix(strings.TrimSpace(h), " đạt")
		return capitalize(trimEnd(h))
	}
	switch {
	case prefix != "" && unit != "":
		return capitalize(prefix) + " (" + unit + ")"
	case unit != "" && header != "":
		return "Số " + unit + " (" + header + ")"
	case unit != "":
		return "Số " + unit
	case header != "":
		return header
	}
	return "Số liệu xếp bậc"
}

func startsNegative(cond string) bool {
	f := fold(cond)
	return strings.HasPrefix(f, "chua ") || strings.HasPrefix(f, "khong ")
}

// positive turns "Chưa có chuyên mục" into "Đã có chuyên mục".
func positive(cond string) string {
	f := fold(cond)
	r := []rune(cond)
	switch {
	case strings.HasPrefix(f, "chua co "):
		return "Đã có " + string(r[len("chua co "):])
	case strings.HasPrefix(f, "chua "):
		return "Đã " + string(r[len("chua "):])
	case strings.HasPrefix(f, "khong co "):
		return "Có " + string(r[len("khong co "):])
	case strings.HasPrefix(f, "khong "):
		return "Có " + string(r[len("khong "):])
	}
	return cond
}
