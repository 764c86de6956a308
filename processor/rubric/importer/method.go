package importer

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// note is one inference the importer made, written as a decision next to
// the rule (Vietnamese: problem, decision, why).
type note struct {
	problem, decision, why string
	acknowledges           string
}

// reading is what the importer made of one indicator's method text: a rule
// with its inputs and the inferences behind it, or a todo saying what is
// missing.
type reading struct {
	inputs   []rubric.Input
	rule     *rubric.Rule
	validate []rubric.Plausibility
	notes    []note
	todo     string
	kind     string // short Vietnamese name of the phrasing recognised
}

// indicatorText is what the table gives about one indicator.
type indicatorText struct {
	code, name string
	max        *float64
	method     string
	rowDefs    []def // "a | Số cuộc họp …" rows under the indicator (input rows)
}

const eps = 1e-9

func feq(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func todo(format string, args ...any) reading {
	return reading{todo: fmt.Sprintf(format, args...)}
}

// readMethod turns a method text into a rule, recognising the phrasings
// of the shipped rubrics. Whatever it cannot read with certainty becomes a
// todo; it never returns a rule it is not sure of.
func readMethod(it indicatorText) reading {
	if strings.TrimSpace(it.method) == "" {
		return todo("Bảng không ghi phương pháp tính điểm. Cần: viết inputs và rule theo văn bản của tỉnh (xem templates/README.md, mục Rule kinds).")
	}
	p := parseMethod(it.method)
	if len(p.defs) == 0 && len(it.rowDefs) > 0 {
		p.defs = it.rowDefs
	}
	fm := fold(it.method)
	if strings.Contains(fm, "trieu") && strings.Contains(fm, "ty dong") {
		return todo("Phương pháp ghi hai đơn vị tiền (triệu và tỷ đồng): không biết ngưỡng tính theo đơn vị nào. Cần: chọn đơn vị (mọi số tiền nhập theo triệu đồng), viết rule và ghi quyết định.")
	}
	if r, bad := checkDefs(p.defs); bad {
		return r
	}
	switch {
	case p.minmax:
		return readCohort(it, p)
	case p.ratioSrc != "" || p.formula != "" || len(p.branches) > 0:
		return readRatioFamily(it, p)
	case p.each != nil:
		return readEach(it, p)
	case p.per != nil:
		return readPerItem(it, p)
	case len(p.top) > 0 || len(p.groups) > 0:
		return readOutcomes(it, p)
	}
	return todo("Không nhận ra cách tính điểm trong phương pháp. Cần: viết inputs và rule theo văn bản, rồi xóa dòng todo.")
}

// checkDefs refuses definitions a person must sort out: an upper-case
// letter (000 5.8.1 «A = …» then «a+b/c»), a letter defined twice, two
// letters with the same definition (000 4.4 «c = Tổng số Công chức …», «d=
// Tổng số Công chức …»).
func checkDefs(defs []def) (reading, bool) {
	seen := map[string]string{}
	labels := map[string]string{}
	for _, d := range defs {
		if d.key != strings.ToLower(d.key) {
			return todo("Phương pháp đặt số liệu bằng chữ hoa «%s = %s» nhưng các số liệu khác và công thức dùng chữ thường. Cần: xác nhận %s là %s, viết inputs và rule.", d.key, short(d.label), d.key, strings.ToLower(d.key)), true
		}
		if _, dup := seen[d.key]; dup {
			return todo("Số liệu %s được định nghĩa hai lần. Cần: chọn định nghĩa đúng, viết inputs và rule.", d.key), true
		}
		seen[d.key] = d.label
		k := vntext.OneLine(fold(d.label))
		if other, dup := labels[k]; dup && k != "" {
			return todo("Hai số liệu %s và %s có cùng định nghĩa «%s»: có thể văn bản chép nhầm. Cần: sửa định nghĩa, viết inputs và rule (ghi quyết định).", other, d.key, short(d.label)), true
		}
		labels[k] = d.key
	}
	return reading{}, false
}

// ───────────────────────────── inputs ─────────────────────────────

// inputType guesses a figure's type from its label: money for budgets
// (triệu đồng), a count otherwise.
func inputType(label string) (rubric.InputType, string) {
	f := fold(label)
	for _, w := range []string{"kinh phi", "trieu dong", "ngan sach", "tong chi", "so tien", "chi thuong xuyen", "von dau tu"} {
		if strings.Contains(f, w) {
			return rubric.Money, "triệu đồng"
		}
	}
	return rubric.Count, ""
}

func countInput(key, label string) rubric.Input {
	t, unit := inputType(label)
	return rubric.Input{Key: key, Label: label, Type: t, Unit: unit}
}

func defInputs(defs []def) []rubric.Input {
	var out []rubric.Input
	for _, d := range defs {
		out = append(out, countInput(d.key, d.label))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func defLabel(defs []def, key string) string {
	for _, d := range defs {
		if d.key == key {
			return d.label
		}
	}
	return ""
}

// keys hands out input keys a, b, c … in order.
type keys struct{ n int }

func (k *keys) next() string {
	k.n++
	return string(rune('a' + k.n - 1))
}

// ───────────────────────────── ratios ─────────────────────────────

// readRatioFamily reads the methods built on "Tỷ lệ = a/b": a plain ratio,
// a target ("≥ X %: điểm tối đa; < X %: Tỷ lệ/X % × điểm tối đa"), a
// threshold ("≥ X %: điểm tối đa; < X %: 0 điểm"), the discontinuous
// "< X %: Tỷ lệ × điểm tối đa", and a points formula over the figures
// ("a/c*Điểm tối đa + 1/2*b/c*Điểm tối đa").
func readRatioFamily(it indicatorText, p *parsed) reading {
	if len(p.unknown) > 0 || len(p.descs) > 0 || len(p.top) > 0 || p.each != nil || p.per != nil {
		return todo("Phương pháp có tỷ lệ nhưng còn dòng chưa đọc được: «%s». Cần: viết inputs và rule theo văn bản.", short(firstOf(p.unknown, p.descs, topTexts(p.top))))
	}
	var r reading
	num, den := p.num, p.den
	switch {
	case p.ratioSrc != "" && p.ratioErr != "":
		return todo("%s. Cần: viết rule với num/den đúng và ghi quyết định.", p.ratioErr)
	case p.ratioSrc == "" && p.formula != "" && len(p.branches) == 0:
		if fr, ok := readCompound(p); ok {
			return fr
		}
		if len(p.defs) == 0 {
			return todo("Công thức «%s» dùng Tỷ lệ nhưng phương pháp không nêu số liệu a, b. Cần: khai báo inputs và rule (ghi quyết định).", p.formulaTx)
		}
		if !isAB(p.defs) {
			return todo("Công thức «%s» không đọc được chắc chắn. Cần: viết rule theo văn bản.", p.formulaTx)
		}
		num, den = "a", "b"
		r.notes = append(r.notes, impliedRatio())
	case p.ratioSrc == "":
		if len(p.defs) == 0 {
			return todo("Phương pháp tính điểm theo tỷ lệ nhưng không nêu số liệu (a = …, b = …) của tỷ lệ. Cần: khai báo inputs a, b (số liệu của tỷ lệ) và rule%s; ghi quyết định.", suggestBranches(p))
		}
		if !isAB(p.defs) {
			return todo("Phương pháp dùng Tỷ lệ nhưng không nêu Tỷ lệ = …, với %d số liệu. Cần: viết rule với num/den.", len(p.defs))
		}
		num, den = "a", "b"
		r.notes = append(r.notes, impliedRatio())
	}
	used := vars(num, den)
	for _, v := range used {
		if defLabel(p.defs, v) == "" {
			return todo("Tỷ lệ %s dùng số liệu %s nhưng phương pháp không định nghĩa %s. Cần: khai báo input %s.", p.ratioSrc, v, v, v)
		}
	}
	for _, d := range p.defs {
		if !contains(used, d.key) {
			return todo("Số liệu %s = «%s» được định nghĩa nhưng không có trong tỷ lệ %s/%s. Cần: viết rule dùng đúng các số liệu.", d.key, short(d.label), num, den)
		}
	}
	r.inputs = defInputs(p.defs)
	base := rubric.Rule{Num: num, Den: den}
	var what string
	switch {
	case len(p.branches) > 0 && p.formula != "":
		return todo("Phương pháp vừa có công thức «%s» vừa có các ngưỡng tỷ lệ. Cần: viết rule theo văn bản.", p.formulaTx)
	case len(p.branches) > 0:
		br := readBranches(p.branches, base)
		if !br.ok() {
			return todo("%s Cần: viết rule và ghi quyết định.", br.todo)
		}
		r.rule, what = br.rule, br.what
		r.notes = append(r.notes, br.notes...)
	case p.formula != "":
		o, okf := parseOutcome(p.formula)
		if !okf || o.kind != outRatio {
			return todo("Công thức điểm «%s» không đọc được chắc chắn (chỉ nhận Điểm = Tỷ lệ*Điểm tối đa). Cần: viết rule và ghi quyết định.", p.formulaTx)
		}
		rule := base
		rule.Kind = rubric.KindRatio
		r.rule, what = &rule, "Điểm = Tỷ lệ × Điểm tối đa (tỷ lệ tính tối đa 100 %)"
	default:
		return todo("Phương pháp nêu Tỷ lệ = %s nhưng không nêu cách cho điểm (không có «Điểm = …» hay các ngưỡng). Cần: viết rule (gợi ý: {kind: ratio, num: %s, den: %s} nếu Điểm = Tỷ lệ × Điểm tối đa) và ghi quyết định.", p.ratioSrc, num, den)
	}
	r.kind = "tỷ lệ"
	r.notes = append([]note{{
		problem:  "Phương pháp viết bằng lời: tỷ lệ " + ratioText(num, den) + ".",
		decision: what + ".",
		why:      "Đọc từ các dòng «Tỷ lệ …» / «Điểm = …» của phương pháp; các số liệu " + strings.Join(used, ", ") + " lấy nhãn từ các dòng «x = …».",
	}}, r.notes...)
	zeroDen(&r, p.defs, den)
	addShareCheck(&r, p.defs, num, den)
	return r
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func isAB(defs []def) bool {
	return len(defs) == 2 && defs[0].key == "a" && defs[1].key == "b"
}

func impliedRatio() note {
	return note{
		problem:  "Phương pháp nêu a, b và các ngưỡng của «Tỷ lệ» nhưng không viết «Tỷ lệ = a/b».",
		decision: "Tỷ lệ = a/b.",
		why:      "Chỉ có hai số liệu, a là phần và b là tổng, như mọi tỷ lệ khác của bộ chỉ số.",
	}
}

func ratioText(num, den string) string {
	w := func(s string) string {
		if strings.Contains(s, "+") {
			return "(" + s + ")"
		}
		return s
	}
	return w(num) + "/" + w(den)
}

func suggestBranches(p *parsed) string {
	if br := readBranches(p.branches, rubric.Rule{Num: "a", Den: "b"}); br.ok() && br.rule != nil {
		return " (gợi ý: " + ruleText(*br.rule) + ")"
	}
	return ""
}

// zeroDen applies the one decision per wording the shipped rubrics share:
// a ratio whose whole is a number of incidents ("Tổng số các sự cố") scores
// full points when there was none (thanhhoa-xa-2023 5.2 D12, xuanlac-xa-2023
// 5.7 D9). Every other zero denominator scores 0 (the rubric default).
func zeroDen(r *reading, defs []def, den string) {
	for _, v := range vars(den) {
		if strings.Contains(fold(defLabel(defs, v)), "su co") {
			setZeroDen(r.rule)
			r.notes = append(r.notes, note{
				problem:  "Mẫu số «" + defLabel(defs, v) + "» có thể bằng 0 (đơn vị không có sự cố nào); văn bản không nói khi đó được bao nhiêu điểm.",
				decision: "zero_den: full — không có sự cố nào thì được điểm tối đa.",
				why:      "Không có sự cố thì không còn sự cố nào chưa xử lý; một cách viết, một quyết định: thanhhoa-xa-2023 (5.2, D12) và xuanlac-xa-2023 (5.7, D9) cùng chấm như vậy.",
			})
			return
		}
	}
}

func setZeroDen(r *rubric.Rule) {
	if r.Den != "" {
		r.ZeroDen = rubric.ZeroDenFull
	}
	for i := range r.Parts {
		setZeroDen(&r.Parts[i].Rule)
	}
}

// addShareCheck adds "a ≤ b" as a warning for a share of single figures.
func addShareCheck(r *reading, defs []def, num, den string) {
	if len(num) != 1 || len(den) != 1 {
		return
	}
	r.validate = append(r.validate, rubric.Plausibility{
		Expr:     num + " <= " + den,
		Severity: "warning",
		Message: fmt.Sprintf("%s (%s) lớn hơn %s (%s): tỷ lệ chỉ được tính tối đa 100 %%. Kiểm tra lại %s và %s.",
			capitalize(short(defLabel(defs, num))), num, lowerFirst(short(defLabel(defs, den))), den, num, den),
	})
	r.notes = append(r.notes, note{
		problem:  "Một tỷ lệ phần trên tổng: phần lớn hơn tổng là số liệu khó có.",
		decision: fmt.Sprintf("Thêm kiểm tra %s ≤ %s ở mức cảnh báo (validate).", num, den),
		why:      "Báo cho xã kiểm tra lại số liệu; nâng lên mức lỗi (severity: error) nếu " + num + " không bao giờ được lớn hơn " + den + ".",
	})
}

func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && r[0] >= 'A' && r[0] <= 'Z' && !(r[1] >= 'A' && r[1] <= 'Z') {
		r[0] = r[0] - 'A' + 'a'
	} else if len(r) > 1 && r[0] == 'T' {
		r[0] = 't'
	}
	return string(r)
}

type branchResult struct {
	rule  *rubric.Rule
	what  string
	notes []note
	todo  string
}

func (b branchResult) ok() bool { return b.todo == "" }

// readBranches reads the two lines "Tỷ lệ ≥ X %: …" and "Tỷ lệ < X %: …".
func readBranches(bs []branch, base rubric.Rule) branchResult {
	fail := func(format string, args ...any) branchResult {
		return branchResult{todo: fmt.Sprintf(format, args...)}
	}
	if len(bs) != 2 {
		return fail("Phương pháp có %d dòng ngưỡng tỷ lệ; chỉ đọc được hai dòng (≥ X %% và < X %%).", len(bs))
	}
	var up, lo *branch
	for i := range bs {
		b := &bs[i]
		if !b.ok {
			return fail("Không đọc được điểm của dòng «%s».", b.raw)
		}
		switch b.op {
		case "≥", "=":
			up = b
		case "<", "≤":
			lo = b
		default:
			return fail("Dòng «%s» dùng dấu %s: chỉ đọc được ≥, =, < và ≤.", b.raw, b.op)
		}
	}
	if up == nil || lo == nil {
		return fail("Hai dòng ngưỡng không phải một dòng «≥ X %%» và một dòng «< X %%».")
	}
	var res branchResult
	if up.pct != lo.pct {
		if up.val != lo.val {
			return fail("Hai ngưỡng «%s» và «%s» khác nhau.", up.raw, lo.raw)
		}
		missing := lo
		if !up.pct {
			missing = up
		}
		res.notes = append(res.notes, note{
			problem:  "Dòng «" + missing.raw + "» viết ngưỡng không có dấu %.",
			decision: fmt.Sprintf("Đọc là %s %%.", vnum(missing.val)),
			why:      "Dòng còn lại của cùng phương pháp ghi " + vnum(missing.val) + " %; đọc theo số thì không đơn vị nào đạt điểm tối đa.",
		})
		up.pct, lo.pct = true, true
	}
	if !up.pct {
		return fail("Ngưỡng «%s» không có dấu %%: không rõ là phần trăm hay tỷ số.", up.raw)
	}
	t := up.val / 100
	if up.val != lo.val {
		return fail("Hai ngưỡng «%s» và «%s» khác nhau.", up.raw, lo.raw)
	}
	if t <= 0 || t > 1+eps {
		return fail("Ngưỡng %s %% nằm ngoài 0–100 %%.", vnum(up.val))
	}
	if up.op == "=" {
		if !feq(t, 1) {
			return fail("Dòng «%s» chỉ cho điểm khi tỷ lệ đúng bằng %s %%.", up.raw, vnum(up.val))
		}
		res.notes = append(res.notes, note{
			problem:  "«" + up.raw + "» cho điểm khi tỷ lệ bằng 100 %; tỷ lệ trên 100 % (a > b) không được nói đến.",
			decision: "Đọc là ≥ 100 %.",
			why:      "Dòng còn lại là «< 100 %», nên hai dòng chia mọi tỷ lệ thành hai phần; a > b là lỗi số liệu mà phần kiểm tra báo riêng.",
		})
	}
	if up.out.kind != outFrac || !feq(up.out.frac, 1) {
		return fail("Dòng «%s» không cho điểm tối đa khi đạt ngưỡng.", up.raw)
	}
	rule := base
	pctT := vnum(up.val) + " %"
	switch lo.out.kind {
	case outFrac:
		if lo.out.frac != 0 {
			return fail("Dòng «%s» cho một phần điểm cố định dưới ngưỡng.", lo.raw)
		}
		if lo.op == "≤" {
			return fail("Hai dòng «%s» và «%s» cùng chứa đúng %s nhưng cho điểm khác nhau.", up.raw, lo.raw, pctT)
		}
		rule.Kind, rule.AtLeast = rubric.KindThreshold, t
		res.what = "Tỷ lệ ≥ " + pctT + ": điểm tối đa, dưới " + pctT + ": 0 điểm (threshold " + num(t) + ")"
	case outProp:
		d := lo.out.div
		if !lo.out.divPct {
			if d != up.val {
				return fail("Dòng «%s» chia cho %s, không phải ngưỡng %s.", lo.raw, vnum(d), pctT)
			}
			res.notes = append(res.notes, note{
				problem:  "Dòng «" + lo.raw + "» chia cho " + vnum(d) + " không có dấu %.",
				decision: "Đọc là chia cho " + vnum(d) + " %.",
				why:      "Ngưỡng của cùng phương pháp là " + pctT + ".",
			})
		} else if !feq(d/100, t) {
			return fail("Dòng «%s» chia cho %s %% nhưng ngưỡng là %s: hai số khác nhau, không rõ số nào đúng.", lo.raw, vnum(d), pctT)
		}
		if lo.op == "≤" {
			res.notes = append(res.notes, note{
				problem:  "Cả hai dòng «" + up.raw + "» và «" + lo.raw + "» chứa đúng " + pctT + ".",
				decision: "Không mâu thuẫn: ở đúng " + pctT + " cả hai dòng đều cho điểm tối đa.",
				why:      "Tỷ lệ/" + pctT + " × điểm tối đa bằng điểm tối đa khi tỷ lệ bằng " + pctT + ".",
			})
		}
		rule.Kind, rule.Target = rubric.KindTarget, t
		res.what = "Tỷ lệ ≥ " + pctT + ": điểm tối đa, dưới " + pctT + ": Tỷ lệ/" + pctT + " × điểm tối đa (target " + num(t) + ")"
	case outRatio:
		one := 1.0
		thr, rat := base, base
		thr.Kind, thr.AtLeast = rubric.KindThreshold, t
		rat.Kind = rubric.KindRatio
		rule = rubric.Rule{Kind: rubric.KindSum, Parts: []rubric.Part{
			{Label: "Tỷ lệ ≥ " + pctT + ": Điểm tối đa", Share: &one, Rule: thr},
			{Label: "Tỷ lệ < " + pctT + ": Tỷ lệ × Điểm tối đa", Share: &one, Rule: rat},
		}}
		res.what = "Tỷ lệ ≥ " + pctT + ": điểm tối đa, dưới " + pctT + ": Tỷ lệ × điểm tối đa, chép nguyên văn (tổng hai phần, tính tối đa bằng điểm tối đa)"
		res.notes = append(res.notes, note{
			problem:      "Dưới " + pctT + " điểm là Tỷ lệ × điểm tối đa, không chia cho " + pctT + ": điểm nhảy bậc ở " + pctT + ".",
			decision:     "Chép nguyên văn: tổng của phần ngưỡng (≥ " + pctT + ": điểm tối đa) và phần tỷ lệ (Tỷ lệ × điểm tối đa), tính tối đa bằng điểm tối đa.",
			why:          "Quy tắc nhảy bậc được chép đúng văn bản; đọc thành Tỷ lệ/" + pctT + " sẽ đổi số học của tỉnh.",
			acknowledges: "parts-exceed",
		})
	default:
		return fail("Không đọc được điểm dưới ngưỡng ở dòng «%s».", lo.raw)
	}
	res.rule = &rule
	return res
}

// readCompound reads "Điểm = a/c*Điểm tối đa + 1/2*b/c*Điểm tối đa": terms
// coefficient × figure/figure × Điểm tối đa over one denominator.
func readCompound(p *parsed) (reading, bool) {
	f := strings.ReplaceAll(p.formula, " ", "")
	terms := strings.Split(f, "+")
	if len(terms) < 2 {
		return reading{}, false
	}
	var nums []string
	den := ""
	for _, t := range terms {
		coefP, coefQ := 1.0, 1.0
		var x, y string
		maxSeen := false
		for _, fac := range strings.Split(t, "*") {
			switch {
			case fac == "diemtoida":
				if maxSeen {
					return reading{}, false
				}
				maxSeen = true
			case len(fac) == 3 && fac[1] == '/' && fac[0] >= 'a' && fac[0] <= 'z' && fac[2] >= 'a' && fac[2] <= 'z':
				if x != "" {
					return reading{}, false
				}
				x, y = fac[:1], fac[2:]
			default:
				pq := strings.Split(fac, "/")
				if len(pq) != 2 {
					return reading{}, false
				}
				a, ok1 := parseNum(pq[0])
				b, ok2 := parseNum(pq[1])
				if !ok1 || !ok2 || b == 0 || a > b {
					return reading{}, false
				}
				coefP, coefQ = coefP*a, coefQ*b
			}
		}
		if !maxSeen || x == "" || (den != "" && y != den) {
			return reading{}, false
		}
		den = y
		switch {
		case coefP == coefQ:
			nums = append(nums, x)
		case coefP == 1:
			nums = append(nums, x+" / "+num(coefQ))
		default:
			nums = append(nums, x+" * "+num(coefP)+" / "+num(coefQ))
		}
	}
	numE := strings.Join(nums, " + ")
	used := vars(numE, den)
	for _, v := range used {
		if defLabel(p.defs, v) == "" {
			return reading{}, false
		}
	}
	if len(used) != len(p.defs) {
		return reading{}, false
	}
	r := reading{kind: "công thức điểm", inputs: defInputs(p.defs)}
	r.rule = &rubric.Rule{Kind: rubric.KindRatio, Num: "(" + numE + ")", Den: den}
	r.notes = append(r.notes, note{
		problem:  "Phương pháp cho điểm bằng công thức «" + p.formulaTx + "»; công thức có thể vượt điểm tối đa và không xác định khi " + den + " = 0.",
		decision: "Viết thành tỷ lệ (" + numE + ")/" + den + " × điểm tối đa, tính tối đa 100 %; " + den + " = 0 được 0 điểm.",
		why:      "Bằng đúng công thức về số học (các số hạng cùng mẫu số " + den + ").",
	})
	zeroDen(&r, p.defs, den)
	return r, true
}

// ───────────────────────────── cohort ─────────────────────────────

// readCohort reads "Tính điểm theo phương pháp Min-Max, dựa vào đơn vị nào
// … cao nhất thì điểm tối đa và giảm dần".
func readCohort(it indicatorText, p *parsed) reading {
	if len(p.unknown) > 0 || len(p.branches) > 0 || p.formula != "" || p.per != nil || p.each != nil || hasPoints(p.top) {
		return todo("Phương pháp nói Min-Max nhưng còn có cách cho điểm khác: «%s». Cần: viết rule theo văn bản.", short(firstOf(p.unknown, branchTexts(p.branches), topTexts(p.top))))
	}
	var r reading
	rule := rubric.Rule{Kind: rubric.KindCohort, Method: "best"}
	switch {
	case p.ratioSrc != "":
		if p.ratioErr != "" {
			return todo("%s. Cần: viết rule.", p.ratioErr)
		}
		for _, v := range vars(p.num, p.den) {
			if defLabel(p.defs, v) == "" {
				return todo("Tỷ lệ %s dùng %s nhưng phương pháp không định nghĩa %s.", p.ratioSrc, v, v)
			}
		}
		rule.Num, rule.Den = p.num, p.den
		r.inputs = defInputs(p.defs)
	case len(p.defs) == 1 && p.defs[0].key == "a":
		rule.Value = "a"
		r.inputs = defInputs(p.defs)
	case len(p.defs) == 0 && isQuantity(it.name):
		label := trimEnd(it.name)
		rule.Value = "a"
		r.inputs = []rubric.Input{countInput("a", label)}
		if strings.Contains(fold(it.method), "trieu dong") {
			r.inputs[0].Type, r.inputs[0].Unit = rubric.Money, "triệu đồng"
		}
		r.notes = append(r.notes, note{
			problem:  "Phương pháp Min-Max không đặt tên số liệu.",
			decision: "Số liệu a là chính điều tên chỉ số nêu: «" + label + "».",
			why:      "Tên chỉ số là một số lượng («Số lượng …», «Tổng …»); đơn vị có số đó cao nhất được điểm tối đa.",
		})
	case len(p.defs) == 0:
		return todo("Phương pháp Min-Max không nêu số liệu nào (a = …, b = …) và tên chỉ số không phải một số lượng. Cần: khai báo inputs (ví dụ a, b của tỷ lệ) và rule, gợi ý {kind: cohort, num: a, den: b, method: best}; ghi quyết định.")
	default:
		return todo("Phương pháp Min-Max nêu %d số liệu nhưng không nêu tỷ lệ hay số nào được so sánh. Cần: viết rule (value hoặc num/den).", len(p.defs))
	}
	r.rule = &rule
	r.kind = "Min-Max"
	r.notes = append([]note{{
		problem:  "Phương pháp «Min-Max» được tả là đơn vị cao nhất được điểm tối đa, các đơn vị khác giảm dần; Min-Max sách giáo khoa là (x − min)/(max − min).",
		decision: "cohort, method best: điểm = x / x cao nhất × điểm tối đa (x = 0 được 0 điểm), tính khi có đủ bài của cụm.",
		why:      "Văn bản tự tả thang điểm (cao nhất thì điểm tối đa và giảm dần), như các bộ chỉ số đi kèm (thanhhoa-xa-2023 D2, xuanlac-xa-2023 D15); đổi method: minmax nếu tỉnh muốn công thức sách giáo khoa.",
	}}, r.notes...)
	return r
}

func hasPoints(items []item) bool {
	for _, it := range items {
		if !(it.out.kind == outFrac && it.out.frac == 0) {
			return true
		}
	}
	return false
}

// isQuantity: a name that is itself a figure ("Số lượng sự cố …", "Tổng chi …").
func isQuantity(name string) bool {
	f := fold(strings.TrimSpace(name))
	for _, p := range []string{"so luong ", "so ", "tong ", "kinh phi "} {
		if strings.HasPrefix(f, p) {
			return true
		}
	}
	return false
}

// ───────────────────────────── lists and items ─────────────────────────────

// readEach reads "Mỗi nền tảng sau được triển khai được 1/5 số điểm tối đa"
// followed by the list of platforms.
func readEach(it indicatorText, p *parsed) reading {
	e := p.each
	if len(p.unknown) > 0 || len(p.descs) > 0 || p.per != nil || len(p.groups) > 0 || len(p.defs) > 0 || len(e.items) == 0 {
		return todo("Phương pháp «Mỗi %s sau …» có dòng chưa đọc được: «%s». Cần: viết rule theo văn bản.", e.subject, short(firstOf(p.unknown, p.descs)))
	}
	for _, t := range p.top {
		if t.out.kind != outFrac || t.out.frac != 0 {
			return todo("Phương pháp «Mỗi %s sau …» còn dòng cho điểm «%s». Cần: viết rule.", e.subject, t.line.text)
		}
	}
	var r reading
	var k keys
	verb := strings.TrimSpace(e.verb)
	if strings.HasPrefix(fold(verb), "duoc ") {
		verb = "đã " + string([]rune(verb)[len("duoc "):])
	}
	rule := rubric.Rule{Kind: rubric.KindSum}
	for _, x := range e.items {
		key := k.next()
		label := x
		if verb != "" {
			label = x + " (" + verb + ")"
		}
		r.inputs = append(r.inputs, rubric.Input{Key: key, Label: label, Type: rubric.YesNo})
		share := e.frac
		rule.Parts = append(rule.Parts, rubric.Part{Label: x, Share: &share, Rule: rubric.Rule{Kind: rubric.KindYesNo, Input: key}})
	}
	r.rule = &rule
	r.kind = "mỗi mục một phần điểm"
	total := e.frac * float64(len(e.items))
	n := note{
		problem:  fmt.Sprintf("Mỗi %s trong danh sách được %s điểm tối đa.", e.subject, fracText(e.frac)),
		decision: fmt.Sprintf("Tổng của %d phần có/không, mỗi phần %s điểm tối đa.", len(e.items), fracText(e.frac)),
		why:      "Đọc đúng văn bản; danh sách có " + fmt.Sprint(len(e.items)) + " mục.",
	}
	if total < 1-eps {
		n.why += fmt.Sprintf(" Cộng lại chỉ được %s điểm tối đa: nếu tỉnh muốn đủ điểm, sửa phần của mỗi mục (rubric check báo never-full).", fracText(total))
	}
	if total > 1+eps {
		return todo("Danh sách có %d mục × %s điểm tối đa, vượt điểm tối đa. Cần: viết rule.", len(e.items), fracText(e.frac))
	}
	r.notes = append(r.notes, n)
	return r
}

// readPerItem reads "Mỗi … được N điểm" (capped), alone or after lines that
// each give a share of the maximum (thanhhoa-xa-2023 3.9).
func readPerItem(it indicatorText, p *parsed) reading {
	pi := p.per
	if len(p.unknown) > 0 || len(p.groups) > 0 || len(p.defs) > 0 {
		return todo("Phương pháp «Mỗi %s …» có dòng chưa đọc được: «%s». Cần: viết rule.", pi.subject, short(firstOf(p.unknown, groupTexts(p.groups))))
	}
	label := "Số " + pi.subject
	if pi.note != "" {
		label += " " + pi.note
	}
	var r reading
	var k keys
	r.kind = "mỗi mục N điểm"
	if len(p.top) == 0 {
		for _, d := range p.descs {
			if strings.ContainsAny(d, "0123456789") || strings.Contains(fold(d), "diem") {
				return todo("Phương pháp «Mỗi %s …» có dòng chưa đọc được: «%s». Cần: viết rule.", pi.subject, short(d))
			}
		}
		key := k.next()
		r.inputs = []rubric.Input{{Key: key, Label: label, Type: rubric.Count}}
		rule := rubric.Rule{Kind: rubric.KindPerItem, Value: key, PointsPer: pi.points, CapPoints: pi.cap}
		r.rule = &rule
		capTxt := "điểm tối đa"
		if pi.cap != nil {
			capTxt = vnum(*pi.cap) + " điểm"
		}
		n := note{
			problem:  fmt.Sprintf("Mỗi %s được %s điểm.", pi.subject, vnum(pi.points)),
			decision: fmt.Sprintf("per_item: %s điểm × số lượng, tối đa %s.", vnum(pi.points), capTxt),
			why:      "Đọc đúng văn bản",
		}
		if p.capMax || pi.cap != nil {
			n.why += " (văn bản ghi giới hạn)."
		} else {
			n.why += "; văn bản không ghi giới hạn, điểm không vượt điểm tối đa của chỉ số."
		}
		r.notes = append(r.notes, n)
		return r
	}
	if len(p.descs) > 0 || it.max == nil {
		return todo("Phương pháp «Mỗi %s …» có thêm dòng «%s». Cần: viết rule.", pi.subject, short(firstOf(p.descs, topTexts(p.top))))
	}
	// Lines giving a share each, plus the per-item part (thanhhoa-xa-2023 3.9).
	if pi.cap == nil {
		return todo("Phương pháp cộng một phần «Mỗi %s …» không ghi tối đa bao nhiêu điểm. Cần: viết rule.", pi.subject)
	}
	rule := rubric.Rule{Kind: rubric.KindSum}
	var worth float64
	for i, t := range p.top {
		if t.out.kind != outFrac || t.out.frac <= 0 || t.afterGroups > 0 {
			return todo("Dòng «%s» không đọc được như một phần điểm. Cần: viết rule.", t.line.text)
		}
		if i == p.perLine {
			rule.Parts = append(rule.Parts, perPart(&k, &r, pi, label))
			worth += *pi.cap
		}
		key := k.next()
		r.inputs = append(r.inputs, rubric.Input{Key: key, Label: t.cond, Type: rubric.YesNo})
		share := t.out.frac
		rule.Parts = append(rule.Parts, rubric.Part{Label: t.cond + ": " + t.out.text, Share: &share, Rule: rubric.Rule{Kind: rubric.KindYesNo, Input: key}})
		worth += share * *it.max
	}
	if p.perLine >= len(p.top) {
		rule.Parts = append(rule.Parts, perPart(&k, &r, pi, label))
		worth += *pi.cap
	}
	if !feq(worth, *it.max) {
		return todo("Các phần cộng lại %s điểm, khác điểm tối đa %s. Cần: viết rule và ghi quyết định.", vnum(worth), vnum(*it.max))
	}
	r.rule = &rule
	r.notes = append(r.notes, note{
		problem:  "Phương pháp gồm các phần cộng lại, trong đó «Mỗi " + pi.subject + "» được " + vnum(pi.points) + " điểm (tối đa " + vnum(*pi.cap) + " điểm).",
		decision: "Tổng các phần: mỗi dòng «…: k × Điểm tối đa» là một phần có/không; phần «Mỗi …» là per_item " + vnum(pi.points) + " điểm, tối đa " + vnum(*pi.cap) + " điểm.",
		why:      "Các phần cộng lại đúng bằng điểm tối đa " + vnum(*it.max) + ".",
	})
	return r
}

func perPart(k *keys, r *reading, pi *perItem, label string) rubric.Part {
	key := k.next()
	r.inputs = append(r.inputs, rubric.Input{Key: key, Label: label, Type: rubric.Count})
	pts := *pi.cap
	cp := *pi.cap
	return rubric.Part{Label: "Mỗi " + pi.subject + " (" + vnum(pi.points) + " điểm, tối đa " + vnum(cp) + " điểm)", Points: &pts,
		Rule: rubric.Rule{Kind: rubric.KindPerItem, Value: key, PointsPer: pi.points, CapPoints: &cp}}
}

// ───────────────────────────── helpers ─────────────────────────────

func firstOf(lists ...[]string) string {
	for _, l := range lists {
		if len(l) > 0 {
			return l[0]
		}
	}
	return ""
}

func topTexts(items []item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.line.text)
	}
	return out
}

func branchTexts(bs []branch) []string {
	var out []string
	for _, b := range bs {
		out = append(out, b.raw)
	}
	return out
}

func groupTexts(gs []*group) []string {
	var out []string
	for _, g := range gs {
		out = append(out, g.header)
	}
	return out
}

// vnum writes a number in Vietnamese text: 0,25; 1.000 (vntext.Number).
// num writes one in a rule or an expression: 0.25.
func vnum(f float64) string { return vntext.Number(f, 6) }

func num(f float64) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.6f", f), "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// fracText writes 0.5 as 1/2, 0.2 as 1/5, else as a percentage.
func fracText(f float64) string {
	for q := 1; q <= 10; q++ {
		p := f * float64(q)
		if feq(p, math.Round(p)) {
			if q == 1 {
				return vnum(p)
			}
			return fmt.Sprintf("%d/%d", int(math.Round(p)), q)
		}
	}
	return vnum(f*100) + " %"
}

func short(s string) string {
	s = vntext.OneLine(s)
	r := []rune(s)
	if len(r) > 90 {
		return string(r[:89]) + "…"
	}
	return s
}

// ruleText is a rule in the YAML flow form, for todo suggestions.
func ruleText(r rubric.Rule) string {
	var b []string
	b = append(b, "kind: "+string(r.Kind))
	if r.Num != "" {
		b = append(b, "num: "+r.Num, "den: "+r.Den)
	}
	if r.Value != "" {
		b = append(b, "value: "+r.Value)
	}
	if r.Target != 0 {
		b = append(b, "target: "+num(r.Target))
	}
	if r.AtLeast != 0 {
		b = append(b, "at_least: "+num(r.AtLeast))
	}
	return "{" + strings.Join(b, ", ") + "}"
}
