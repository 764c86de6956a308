// Package validate checks a submission's figures and self-scores and
// explains every problem in Vietnamese, naming the indicator and the cell
// and saying what to do. It is pure: it sees values, never files.
//
// An error on a figure (a > b for a share, a negative count, a failed
// rubric check of severity error) makes the figure unusable: Invalid lists
// the indicators that use it, and they score 0 ("không tính điểm cho đến
// khi sửa", engine.Invalidate) until the commune corrects it. Errors on a
// self-score do not touch the computed score.
package validate

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"unicode"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/formula"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/values"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// Codes of the problems Check reports. They are stable: reports, ledgers
// and tests key on them.
const (
	CodeNegative          = "negative"            // a figure below 0 (error)
	CodeNotWhole          = "not-whole"           // a count with a fraction (warning)
	CodeRubricCheck       = "rubric-check"        // a rubric `validate:` expression failed (its own severity)
	CodeRatioOver100      = "ratio-over-100"      // a > b where the ratio cannot exceed 100 % (error)
	CodeGeneralMismatch   = "general-mismatch"    // a same_as denominator differs from Thông tin chung (warning)
	CodeGeneralEmpty      = "general-empty"       // a same_as denominator given, Thông tin chung empty (info)
	CodeGeneralAbsurd     = "general-absurd"      // Thông tin chung figures that cannot all be true (warning)
	CodeMissing           = "missing"             // figures missing: 0 points (warning)
	CodeZeroDen           = "zero-den"            // denominator 0: 0 points (warning)
	CodeSelfAboveMax      = "self-above-max"      // self-score above the maximum (error)
	CodeSelfDiffers       = "self-differs"        // self-score ≠ computed score (warning)
	CodeSelfCohort        = "self-cohort"         // self-score of a cohort indicator not settled yet (info)
	CodeSelfReference     = "self-reference"      // points claimed on a 0-point reference indicator (warning)
	CodeExplainContradict = "explain-contradicts" // "Chưa …" explanation with points claimed (warning)
	CodeNoEvidence        = "no-evidence"         // points claimed, no evidence listed (info)
	CodeMoneyInDong       = "money-in-dong"       // money typed in đồng instead of triệu đồng (warning)
	CodePercentAsCount    = "percent-as-count"    // a percentage typed where a count is asked (warning)
	CodeSelfMissing       = "self-missing"        // no self-score (warning): "chưa tự chấm"
)

// Input is what validation looks at (the workbook reader fills it).
type Input struct {
	Values   engine.Values     // each engine.Value has Cell ("Chỉ số!E12") and Text as typed; Set=false when empty
	Explain  map[string]string // indicator code → explanation (giải trình)
	Evidence map[string]string // indicator code → evidence listed
	Cells    map[string]string // "code/tu_cham", "code/giai_trinh", "code/kiem_chung", "general/<key>" → cell address
}

// Keys of Input.Cells besides input keys (the workbook reader's RawKey).
const (
	keySelf     = "tu_cham"
	keyExplain  = "giai_trinh"
	keyEvidence = "kiem_chung"
	keyGeneral  = "general"
)

// SelfTolerance is how far a self-score may be from the computed score
// before it is reported: scores are shown with 2 decimals, so 10,53 for
// 10,526… is not a difference.
const SelfTolerance = 0.01

const eps = 1e-9

// Order returns each indicator's position in rubric order, for Sort.
// General information (indicator "") sorts first.
func Order(r *rubric.Rubric) map[string]int {
	order := map[string]int{}
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		if _, ok := order[in.Code]; !ok {
			order[in.Code] = len(order) + 1
		}
	})
	return order
}

// Check validates a submission's figures, self-scores, explanations and
// evidence against rubric r and returns every problem found, sorted. res is
// the engine's score of in.Values (cohort indicators may be pending); when
// nil, Check scores in.Values itself.
func Check(r *rubric.Rubric, in Input, res *engine.Result) []problem.Problem {
	if in.Values.General == nil && in.Values.Inputs == nil && in.Values.Self == nil {
		in.Values = engine.NewValues()
	}
	if res == nil {
		if sc, err := engine.New(r); err == nil {
			res = sc.Score(in.Values)
		}
	}
	c := &checker{r: r, in: in, res: res}
	c.general()
	r.Walk(func(p *rubric.Pillar, ind *rubric.Indicator) { c.indicator(ind) })
	c.selfMissing()
	problem.Sort(c.ps, Order(r))
	return c.ps
}

type checker struct {
	r   *rubric.Rubric
	in  Input
	res *engine.Result
	ps  []problem.Problem
}

// Said after an error on a figure: the indicators using it do not score.
const (
	voidIndicator = " Chỉ số này không tính điểm cho đến khi sửa."
	voidGeneral   = " Các chỉ số dùng số liệu này không tính điểm cho đến khi sửa."
)

func (c *checker) add(sev problem.Severity, code, indicator, input, cell, msg string) {
	if sev == problem.Error && input != keySelf {
		if indicator != "" {
			msg += voidIndicator
		} else if input != "" {
			msg += voidGeneral
		}
	}
	c.ps = append(c.ps, problem.Problem{Severity: sev, Code: code, Indicator: indicator, Input: input, Cell: cell, Message: msg})
}

// ───────────────────────────── naming things ─────────────────────────────

// at formats a cell for a message: " (ô Chỉ số!E12)", or "" when unknown
// (figures from a values file have no cells).
func at(cell string) string {
	if cell == "" {
		return ""
	}
	return " (ô " + cell + ")"
}

// shortName is short for the rubric's names (of indicators, inputs and
// general fields), cached: every workbook names the same few hundred, and
// building the names was a tenth of checking one workbook. Text from a
// workbook goes through short, uncached.
func shortName(s string) string {
	if v, ok := shortNames.Load(s); ok {
		return v.(string)
	}
	v := short(s)
	shortNames.Store(s, v)
	return v
}

var shortNames sync.Map // rubric name → short(name)

// short cuts a long indicator name for messages; the code identifies it,
// the name only reminds the reader which one it is.
func short(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= 60 {
		return s
	}
	cut := 57
	for i := cut; i > 30; i-- {
		if r[i] == ' ' {
			cut = i
			break
		}
	}
	return strings.TrimRight(string(r[:cut]), " ,.;:") + "…"
}

// indName names an indicator: `Chỉ số 3.1 "Tỷ lệ CBCC…"`.
func indName(ind *rubric.Indicator) string {
	return "Chỉ số " + ind.Code + " \"" + shortName(ind.Name) + "\""
}

// inputName names an input of an indicator: `số liệu a "Số CBCC…"`.
func inputName(x rubric.Input) string {
	return "số liệu " + x.Key + " \"" + shortName(x.Label) + "\""
}

func generalName(g rubric.Input) string {
	return "Thông tin chung \"" + shortName(g.Label) + "\""
}

// FormatNum formats a figure the Vietnamese way, as messages show it:
// 1.234,5 (thousands with dots, decimal comma, at most 2 decimals).
func FormatNum(x float64) string { return vntext.Number(x, 2) }

func num(x float64) string { return FormatNum(x) }

func pct(x float64) string { return num(x*100) + " %" }

// shown is a figure for a message: formatted when the commune typed a plain
// number, else quoted as typed ("70%", "Có", "10 CBCC"), so they recognise it.
func shown(v engine.Value) string {
	t := strings.TrimSpace(v.Text)
	if t == "" {
		return num(v.Num)
	}
	plain := strings.IndexFunc(t, func(r rune) bool {
		return !(r >= '0' && r <= '9') && !strings.ContainsRune(".,- +\u00a0", r)
	}) < 0
	if n, _, err := values.Number(t); plain && err == nil && n == v.Num {
		return num(v.Num)
	}
	return "\"" + t + "\""
}

// inputCell is where an indicator input is: the value's own cell, else the
// reader's cell map (an empty cell has no value).
func (c *checker) inputCell(code, key string) string {
	if v, ok := c.in.Values.Inputs[code][key]; ok && v.Cell != "" {
		return v.Cell
	}
	return c.in.Cells[code+"/"+key]
}

func (c *checker) generalCell(key string) string {
	if v, ok := c.in.Values.General[key]; ok && v.Cell != "" {
		return v.Cell
	}
	return c.in.Cells[keyGeneral+"/"+key]
}

// varCell finds the cell of a name in an indicator's expression: its own
// input first, then a general field (the order engine.Env resolves them).
func (c *checker) varCell(ind *rubric.Indicator, name string) string {
	if _, ok := ind.Input(name); ok {
		return c.inputCell(ind.Code, name)
	}
	if _, ok := c.r.GeneralField(name); ok {
		return c.generalCell(name)
	}
	return ""
}

// varValue returns a set figure of an indicator's expression.
func (c *checker) varValue(ind *rubric.Indicator, name string) (engine.Value, bool) {
	if _, ok := ind.Input(name); ok {
		v, ok := c.in.Values.Inputs[ind.Code][name]
		return v, ok && v.Set
	}
	v, ok := c.in.Values.General[name]
	return v, ok && v.Set
}

// varLabel names a figure of an indicator's expression for a message.
func (c *checker) varLabel(ind *rubric.Indicator, name string) string {
	if x, ok := ind.Input(name); ok {
		return inputName(x)
	}
	if g, ok := c.r.GeneralField(name); ok {
		return generalName(g)
	}
	return name
}

// figures lists the figures of an expression with their values and cells:
// "a = 25 ở ô E12; b = 19 ở ô E13". Inputs go by key, as the rubric's own
// messages name them ("(a)"); general fields by their label.
func (c *checker) figures(ind *rubric.Indicator, names []string) string {
	var parts []string
	for _, n := range names {
		v, ok := c.varValue(ind, n)
		if !ok {
			continue
		}
		label := n
		if _, own := ind.Input(n); !own {
			if g, ok := c.r.GeneralField(n); ok {
				label = generalName(g)
			}
		}
		part := label + " = " + shown(v)
		if cl := c.varCell(ind, n); cl != "" {
			part += " ở ô " + cl
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, "; ")
}

// ───────────────────────────── expressions ─────────────────────────────

// compiled caches rubric expressions across calls: a batch checks thousands
// of workbooks against the same few rubrics.
var compiled sync.Map // string → *formula.Expr (nil when it does not compile)

func compile(src string) *formula.Expr {
	if src == "" {
		return nil
	}
	if e, ok := compiled.Load(src); ok {
		return e.(*formula.Expr)
	}
	e, err := formula.Compile(src)
	if err != nil {
		e = nil // a broken expression is rubric.Check's business, not the commune's
	}
	compiled.Store(src, e)
	return e
}

// vars returns a copy of an expression's variables (the cached slice is
// shared between goroutines, so callers may not append to it).
func vars(src string) []string {
	if e := compile(src); e != nil {
		return append([]string(nil), e.Vars()...)
	}
	return nil
}

// ───────────────────────────── figures ─────────────────────────────

// Money bounds, in triệu đồng, above which a figure looks typed in đồng.
// A commune's whole yearly budget is some tens of billions of đồng, so a
// commune figure of 100 000 triệu (100 tỷ) or more is taken as đồng; a
// district or department line gets 1 000 000 triệu (1 000 tỷ). Totals in
// Thông tin chung (a whole budget) get ten times more room. A figure in
// đồng below the bound (a few triệu typed as 5 000 000 at district level)
// slips through; the bound errs on not accusing correct figures.
func moneyBound(level rubric.Level, general bool) float64 {
	b := 1_000_000.0
	if level == rubric.LevelCommune {
		b = 100_000
	}
	if general {
		b *= 10
	}
	return b
}

// figure runs the checks that need only one figure: negative, not whole,
// percentage typed for a count, money in đồng. ratioInput says the figure
// is a count inside a ratio's numerator or denominator.
func (c *checker) figure(subject, indicator string, x rubric.Input, v engine.Value, cell string, ratioInput, general bool) {
	if !v.Set {
		return
	}
	switch x.Type {
	case rubric.Count, rubric.Number, rubric.Money, rubric.Pct, rubric.Items:
	default:
		return
	}
	where := subject + at(cell)
	// Negative figures are unusable wherever they are, Thông tin chung
	// included: general fields are denominators too.
	if v.Num < 0 {
		c.add(problem.Error, CodeNegative, indicator, x.Key, cell,
			fmt.Sprintf("%s là số âm (%s). Số liệu không thể âm: nhập lại số đúng (nhập 0 nếu không có).", where, shown(v)))
		return
	}
	if x.Type == rubric.Count {
		pctText := strings.Contains(v.Text, "%")
		frac := ratioInput && v.Num > 0 && v.Num < 1
		if pctText || frac {
			// One message for "70%" or 0,7 in a count cell; "not whole" would
			// only repeat it less helpfully.
			c.add(problem.Warning, CodePercentAsCount, indicator, x.Key, cell,
				fmt.Sprintf("%s được nhập là %s, giống một tỷ lệ phần trăm, nhưng ô này cần số lượng (%s). Nhập số đếm được, ví dụ số người, số hộ; tỷ lệ do hệ thống tự tính.",
					where, shown(v), unitOr(x, "số nguyên")))
			return
		}
		if math.Abs(v.Num-math.Round(v.Num)) > eps {
			c.add(problem.Warning, CodeNotWhole, indicator, x.Key, cell,
				fmt.Sprintf("%s là %s nhưng đây là số lượng, phải là số nguyên. Kiểm tra lại (có thể nhầm dấu phẩy, dấu chấm) và nhập số nguyên.", where, shown(v)))
		}
	}
	if x.Type == rubric.Money {
		if b := moneyBound(c.r.Level, general); v.Num >= b {
			c.add(problem.Warning, CodeMoneyInDong, indicator, x.Key, cell,
				fmt.Sprintf("%s là %s triệu đồng (%s tỷ đồng), quá lớn: có lẽ đã nhập theo đồng. Số liệu này tính bằng triệu đồng: nếu là %s đồng thì nhập %s.",
					where, num(v.Num), num(v.Num/1000), num(v.Num), num(v.Num/1_000_000)))
		}
	}
}

func unitOr(x rubric.Input, def string) string {
	if x.Unit != "" {
		return x.Unit
	}
	return def
}

// ───────────────────────────── Thông tin chung ─────────────────────────────

// generalLimits are pairs of Thông tin chung fields where the first cannot
// exceed the second (officials, households or age groups are part of the
// population; SMEs are enterprises). The rubric schema has no checks on
// general fields, so the known keys of the shipped rubrics are listed
// here; a pair applies only when the rubric has both fields.
var generalLimits = []struct{ small, large string }{
	{"so_cbcc", "dan_so"}, {"so_cong_chuc", "dan_so"}, {"so_vien_chuc", "dan_so"},
	{"so_cong_chuc", "so_dan_so"}, {"so_vien_chuc", "so_dan_so"}, {"so_cbcc_dia_ban", "dan_so"},
	{"dan_so_truong_thanh", "dan_so"}, {"dan_so_tu_15_tuoi", "dan_so"}, {"dan_so_do_tuoi_lao_dong", "dan_so"},
	{"luc_luong_lao_dong", "dan_so"}, {"so_dan_so_do_tuoi_lao_dong", "so_dan_so"},
	{"so_ho", "dan_so"}, {"so_ho_gia_dinh", "so_dan_so"}, {"so_ho_ngheo", "so_ho"},
	{"so_doanh_nghiep_nho_va_vua", "so_doanh_nghiep"}, {"so_dnnv", "so_doanh_nghiep"},
	{"so_lanh_dao", "so_cbcc"},
}

func (c *checker) general() {
	for _, g := range c.r.General {
		v, ok := c.in.Values.General[g.Key]
		if !ok {
			continue
		}
		c.figure(generalName(g), "", g, v, c.generalCell(g.Key), false, true)
	}
	for _, l := range generalLimits {
		gs, ok1 := c.r.GeneralField(l.small)
		gl, ok2 := c.r.GeneralField(l.large)
		if !ok1 || !ok2 {
			continue
		}
		vs, vl := c.in.Values.General[l.small], c.in.Values.General[l.large]
		// Only figures that are themselves plausible: a negative one is
		// already an error, and 0 means "not counted" more often than not.
		if !vs.Set || !vl.Set || vs.Num < 0 || vl.Num <= 0 || vs.Num <= vl.Num+eps {
			continue
		}
		cell := c.generalCell(l.small)
		c.add(problem.Warning, CodeGeneralAbsurd, "", l.small, cell,
			fmt.Sprintf("%s%s là %s, lớn hơn %s%s là %s: không thể như vậy. Kiểm tra lại hai ô này (có thể nhập nhầm ô hoặc thừa, thiếu chữ số).",
				generalName(gs), at(cell), num(vs.Num), generalName(gl), at(c.generalCell(l.large)), num(vl.Num)))
	}
}

// ───────────────────────────── indicators ─────────────────────────────

// ratioInputs are the inputs a rule (or its parts) divides: the counts
// where a percentage would be a mistake.
func ratioInputs(r *rubric.Rule, out map[string]bool) {
	if r == nil {
		return
	}
	if r.Num != "" {
		for _, v := range vars(r.Num) {
			out[v] = true
		}
		for _, v := range vars(r.Den) {
			out[v] = true
		}
	}
	for i := range r.Parts {
		ratioInputs(&r.Parts[i].Rule, out)
	}
}

func (c *checker) indicator(ind *rubric.Indicator) {
	var ir *engine.IndicatorResult
	if c.res != nil {
		ir = c.res.Indicator(ind.Code)
	}
	ratio := map[string]bool{}
	ratioInputs(ind.Rule, ratio)
	for _, x := range ind.Inputs {
		v, ok := c.in.Values.Inputs[ind.Code][x.Key]
		if !ok {
			continue
		}
		c.figure(indName(ind)+", "+inputName(x), ind.Code, x, v, c.inputCell(ind.Code, x.Key), ratio[x.Key], false)
	}
	c.sameAs(ind)
	failed := c.plausibility(ind)
	if ir != nil {
		c.ratioOver(ind, ir, failed)
		c.missing(ind, ir)
		c.zeroDen(ind, ir)
	}
	c.self(ind, ir)
}

// sameAs compares denominators with Thông tin chung.
func (c *checker) sameAs(ind *rubric.Indicator) {
	for _, x := range ind.Inputs {
		if x.SameAs == "" {
			continue
		}
		g, ok := c.r.GeneralField(x.SameAs)
		if !ok {
			continue // rubric.Check reports same-as-unknown
		}
		v := c.in.Values.Inputs[ind.Code][x.Key]
		if !v.Set {
			continue // missing: reported by missing()
		}
		cell, gcell := c.inputCell(ind.Code, x.Key), c.generalCell(x.SameAs)
		gv := c.in.Values.General[x.SameAs]
		subject := indName(ind) + ", " + inputName(x)
		if !gv.Set {
			c.add(problem.Info, CodeGeneralEmpty, ind.Code, x.Key, cell,
				fmt.Sprintf("%s%s là %s nhưng %s%s để trống. Điền phần Thông tin chung để hệ thống đối chiếu các mẫu số.",
					subject, at(cell), shown(v), generalName(g), at(gcell)))
			continue
		}
		if math.Abs(v.Num-gv.Num) > eps {
			c.add(problem.Warning, CodeGeneralMismatch, ind.Code, x.Key, cell,
				fmt.Sprintf("%s%s là %s, khác với %s%s là %s. Hai số này phải bằng nhau: kiểm tra và sửa ô sai.",
					subject, at(cell), shown(v), generalName(g), at(gcell), shown(gv)))
		}
	}
}

// plausibility evaluates the rubric's own `validate:` expressions. It
// returns the variables of the failed ones, so ratioOver does not say the
// same thing again.
func (c *checker) plausibility(ind *rubric.Indicator) [][]string {
	var failed [][]string
	env := engine.Env(c.r, ind, c.in.Values)
	for _, pl := range ind.Validate {
		e := compile(pl.Expr)
		if e == nil {
			continue
		}
		x, err := e.Eval(env)
		if err != nil || x != 0 {
			// Missing figures are reported once, by missing(); a zero
			// denominator inside a check proves nothing either way.
			continue
		}
		failed = append(failed, e.Vars())
		sev := problem.Severity(pl.Severity)
		if sev != problem.Error && sev != problem.Warning && sev != problem.Info {
			sev = problem.Warning
		}
		var key, cell string
		for _, n := range e.Vars() {
			if cl := c.varCell(ind, n); cl != "" || key == "" {
				key, cell = n, cl
				if cl != "" {
					break
				}
			}
		}
		msg := fmt.Sprintf("%s%s: %s", indName(ind), at(cell), strings.TrimSpace(pl.Message))
		if f := c.figures(ind, e.Vars()); f != "" {
			msg += " Số liệu đã nhập: " + f + "."
		}
		c.add(sev, CodeRubricCheck, ind.Code, key, cell, msg)
	}
	return failed
}

// ratioOver reports a ratio above 100 % for rules that cannot exceed it
// (ratio with no cap above 1, target, threshold), unless a failed rubric
// check on the same figures already said so.
func (c *checker) ratioOver(ind *rubric.Indicator, ir *engine.IndicatorResult, failed [][]string) {
	r := ind.Rule
	if r == nil || r.Num == "" || ir.Measure == nil || *ir.Measure <= 1+eps {
		return
	}
	switch r.Kind {
	case rubric.KindRatio:
		if r.Cap != nil && *r.Cap > 1 {
			return // the rubric allows more than 100 %
		}
	case rubric.KindTarget, rubric.KindThreshold:
	default:
		return
	}
	ratioVars := map[string]bool{}
	for _, v := range append(vars(r.Num), vars(r.Den)...) {
		ratioVars[v] = true
	}
	for _, f := range failed {
		covered := len(f) > 0
		for _, v := range f {
			covered = covered && ratioVars[v]
		}
		if covered {
			return
		}
	}
	nv := vars(r.Num)
	key, cell := c.firstCell(ind, nv)
	c.add(problem.Error, CodeRatioOver100, ind.Code, key, cell,
		fmt.Sprintf("%s%s: tỷ lệ tính được là %s (%s), vượt 100 %%: tử số (%s) không thể lớn hơn mẫu số (%s). Kiểm tra lại các số liệu này.",
			indName(ind), at(cell), pct(*ir.Measure), c.figures(ind, append(nv, vars(r.Den)...)), r.Num, r.Den))
}

// missing reports a leaf indicator that scored 0 for want of figures.
func (c *checker) missing(ind *rubric.Indicator, ir *engine.IndicatorResult) {
	if !ir.Leaf || ir.Status != engine.StatusMissing {
		return
	}
	var names []string
	var key, cell string
	for _, n := range ir.Missing {
		names = append(names, c.varLabel(ind, n)+at(c.varCell(ind, n)))
		if cell == "" {
			key, cell = n, c.varCell(ind, n)
		}
	}
	if cell == "" {
		cell = c.in.Cells[ind.Code+"/"+keySelf]
	}
	what := "thiếu số liệu"
	if len(names) > 0 {
		what = "thiếu " + strings.Join(names, "; ")
	}
	subject := indName(ind)
	if len(names) == 0 {
		subject += at(cell) // else each missing figure names its own cell
	}
	c.add(problem.Warning, CodeMissing, ind.Code, key, cell,
		fmt.Sprintf("%s: %s. Ô để trống hoặc không đọc được nên chỉ số được 0 điểm. Điền đủ số liệu để được chấm điểm; nếu thực sự không có thì nhập 0 (hoặc Không).",
			subject, what))
}

// zeroDen reports a ratio whose denominator is 0. A warning, not an info:
// the unit loses every point of the indicator, and a 0 typed for "không
// biết" is common.
func (c *checker) zeroDen(ind *rubric.Indicator, ir *engine.IndicatorResult) {
	if !ir.Leaf || ir.Status != engine.StatusZeroDen {
		return
	}
	den := ""
	if ind.Rule != nil {
		den = ind.Rule.Den
		if den == "" {
			den = ind.Rule.Value
		}
	}
	dv := vars(den)
	key, cell := c.firstCell(ind, dv)
	what := "mẫu số bằng 0"
	if f := c.figures(ind, dv); f != "" {
		what += " (" + f + ")"
	}
	c.add(problem.Warning, CodeZeroDen, ind.Code, key, cell,
		fmt.Sprintf("%s%s: %s nên không tính được tỷ lệ, chỉ số được 0 điểm. Nếu địa phương thực sự không có, giữ nguyên; nếu không, nhập đúng số.",
			indName(ind), at(cell), what))
}

// firstCell returns the first of the variables that has a cell, and that
// cell; else the first variable and no cell.
func (c *checker) firstCell(ind *rubric.Indicator, vs []string) (key, cell string) {
	for _, n := range vs {
		if key == "" {
			key = n
		}
		if cl := c.varCell(ind, n); cl != "" {
			return n, cl
		}
	}
	return key, ""
}

// isReference says an indicator is collected for reference only (0 points).
func isReference(ind *rubric.Indicator) bool {
	return (ind.Rule != nil && ind.Rule.Kind == rubric.KindReference) || (ind.Max != nil && *ind.Max == 0)
}

// isCohort says an indicator is scored relative to the cohort (Min-Max).
func isCohort(ind *rubric.Indicator) bool {
	return ind.Rule != nil && ind.Rule.Kind == rubric.KindCohort
}

// childHasSelf says a child indicator carries its own self-score: then
// differences are reported on the child, not again on the parent.
func (c *checker) childHasSelf(ind *rubric.Indicator) bool {
	for _, ch := range ind.Children {
		if _, ok := c.in.Values.Self[ch.Code]; ok || c.childHasSelf(ch) {
			return true
		}
	}
	return false
}

// self checks the self-declared score, the explanation and the evidence.
func (c *checker) self(ind *rubric.Indicator, ir *engine.IndicatorResult) {
	s, ok := c.in.Values.Self[ind.Code]
	if !ok {
		return
	}
	cell := c.in.Cells[ind.Code+"/"+keySelf]
	name := indName(ind) + at(cell)
	switch {
	case isReference(ind):
		// One message: "above the maximum 0" and "differs from 0" would
		// say the same thing three ways. A self-score of 0 is what the form
		// expects there, so it is not reported.
		if s != 0 {
			c.add(problem.Warning, CodeSelfReference, ind.Code, keySelf, cell,
				fmt.Sprintf("%s: chỉ số này chỉ để tham khảo (0 điểm) nhưng tự chấm %s điểm. Để điểm tự chấm là 0; số liệu vẫn được ghi nhận.", name, num(s)))
		}
	case s < 0:
		c.add(problem.Error, CodeNegative, ind.Code, keySelf, cell,
			fmt.Sprintf("%s: điểm tự chấm %s là số âm. Nhập điểm từ 0 đến %s.", name, num(s), num(ind.MaxValue())))
	case ind.Max != nil && s > *ind.Max+eps:
		// The difference from the computed score follows from this; it
		// is said here, not in a second warning.
		msg := fmt.Sprintf("%s: điểm tự chấm %s vượt điểm tối đa %s. Sửa điểm tự chấm, không quá %s", name, num(s), num(*ind.Max), num(*ind.Max))
		if ir != nil && ir.Status != engine.StatusPending {
			msg += fmt.Sprintf(" (hệ thống tính được %s điểm)", num(ir.Points))
		}
		c.add(problem.Error, CodeSelfAboveMax, ind.Code, keySelf, cell, msg+".")
	case ir == nil || c.childHasSelf(ind):
	case ir.Status == engine.StatusPending:
		c.add(problem.Info, CodeSelfCohort, ind.Code, keySelf, cell,
			fmt.Sprintf("%s: điểm tự chấm %s chưa đối chiếu được: chỉ số này chấm theo phương pháp Min-Max, so với các đơn vị khác, nên điểm sẽ được xác định khi tổng hợp đủ các đơn vị.", name, num(s)))
	case math.Abs(s-ir.Points) > SelfTolerance+eps:
		why := ""
		switch ir.Status {
		case engine.StatusMissing:
			why = " vì thiếu số liệu"
		case engine.StatusZeroDen:
			why = " vì mẫu số bằng 0"
		case engine.StatusSettled:
			why = " khi so với các đơn vị khác (Min-Max)"
		}
		more := "thấp hơn"
		if ir.Points > s {
			more = "cao hơn"
		}
		c.add(problem.Warning, CodeSelfDiffers, ind.Code, keySelf, cell,
			fmt.Sprintf("%s: điểm tự chấm %s, hệ thống tính được %s điểm%s (%s %s điểm). Kiểm tra lại số liệu và cách tính; nếu số liệu đúng, sửa điểm tự chấm thành %s.",
				name, num(s), num(ir.Points), why, more, num(math.Abs(ir.Points-s)), num(ir.Points)))
	}
	if s <= 0 {
		return
	}
	if ex := c.in.Explain[ind.Code]; Contradicts(ex) {
		ecell := c.in.Cells[ind.Code+"/"+keyExplain]
		key := keyExplain
		if ecell == "" {
			ecell, key = cell, keySelf
		}
		c.add(problem.Warning, CodeExplainContradict, ind.Code, key, ecell,
			fmt.Sprintf("%s%s: giải trình \"%s\" cho thấy chưa thực hiện, nhưng điểm tự chấm là %s%s. Nếu chưa thực hiện thì chỉ số được 0 điểm: sửa điểm tự chấm, hoặc viết lại giải trình cho đúng việc đã làm.",
				indName(ind), at(ecell), short(ex), num(s), at(cell)))
	}
	c.evidence(ind, s)
}

// evidence reports points claimed on a leaf with no evidence listed. It
// runs only when the submission has somewhere to list evidence (a workbook
// column); a values file without any is not nagged 50 times.
func (c *checker) evidence(ind *rubric.Indicator, s float64) {
	if len(ind.Children) > 0 {
		return // a parent's evidence is its children's
	}
	ecell, hasCell := c.in.Cells[ind.Code+"/"+keyEvidence]
	if c.in.Evidence == nil && !hasCell {
		return
	}
	if !noEvidence(c.in.Evidence[ind.Code]) {
		return
	}
	msg := fmt.Sprintf("%s%s: tự chấm %s điểm nhưng chưa liệt kê tài liệu kiểm chứng. Ghi tên văn bản, quyết định, báo cáo… chứng minh kết quả",
		indName(ind), at(ecell), num(s))
	if len(ind.Evidence) > 0 {
		msg += " (tài liệu cần có: " + strings.Join(ind.Evidence, "; ") + ")"
	}
	c.add(problem.Info, CodeNoEvidence, ind.Code, keyEvidence, ecell, msg+".")
}

// noEvidence says an evidence cell lists nothing: empty, a dash, or "không".
func noEvidence(s string) bool {
	f := strings.Trim(vntext.Fold(s), " -.–—_/")
	switch f {
	case "", "khong", "khong co", "chua co", "chua", "0", "x", "n/a":
		return true
	}
	return false
}

// ───────────────────────────── explanations ─────────────────────────────

// Contradicts reports whether an explanation (giải trình) says the thing
// was not done, which contradicts any points claimed. The rule, on the
// folded text (no case, no diacritics):
//
//   - leading bullets and dashes are dropped, then a leading subject or
//     time word ("xã", "UBND xã", "đơn vị", "hiện nay", "năm nay"…);
//   - the explanation must then begin with the word "chưa" or "không":
//     a negation further on usually qualifies a partial result ("Đã có kế
//     hoạch, chưa triển khai đến thôn"), which may earn partial points;
//   - it is not a contradiction when the negated thing is itself bad, so
//     its absence is good: "Không có sự cố", "Chưa phát sinh", "Không để
//     xảy ra vi phạm", "Không dùng tiền mặt", "Không giấy tờ", "không
//     ngừng", "không những … mà còn" — looked for in the first clause (up
//     to , . ; : or " - ").
func Contradicts(explanation string) bool {
	f := vntext.Fold(explanation)
	f = strings.TrimLeftFunc(f, func(r rune) bool { return !unicode.IsLetter(r) })
	if i := strings.IndexAny(f, ".,;:!?()\n"); i >= 0 {
		f = f[:i]
	}
	if i := strings.Index(f, " - "); i >= 0 {
		f = f[:i]
	}
	words := strings.Fields(f)
	for {
		n := leadWords(words)
		if n == 0 {
			break
		}
		words = words[n:]
	}
	if len(words) == 0 || (words[0] != "chua" && words[0] != "khong") {
		return false
	}
	rest := " " + strings.Join(words[1:], " ") + " "
	for _, b := range benignNext {
		if strings.HasPrefix(rest, " "+b+" ") {
			return false
		}
	}
	for _, b := range benignAny {
		if strings.Contains(rest, " "+b+" ") {
			return false
		}
	}
	return true
}

// leadSubjects are folded words that may come before the negation without
// changing its meaning ("Xã chưa có …", "Hiện nay chưa …").
var leadSubjects = []string{
	"ubnd xa", "ubnd phuong", "ubnd thi tran", "ubnd", "xa", "phuong", "thi tran", "don vi", "dia phuong",
	"hien nay", "hien tai", "hien", "nam nay", "trong nam", "van",
}

func leadWords(words []string) int {
	for _, s := range leadSubjects {
		sw := strings.Fields(s)
		if len(words) > len(sw) && strings.Join(words[:len(sw)], " ") == s {
			return len(sw)
		}
	}
	return 0
}

// benignNext: right after the negation, these make a positive phrase.
var benignNext = []string{
	"ngung", "nhung", "gioi han", "giay", "phat sinh", "xay ra", "de xay ra", "de xay", "dung tien mat", "tiep xuc",
}

// benignAny: the negated thing is bad, so its absence is good.
var benignAny = []string{
	"su co", "ma doc", "virus", "vi pham", "tan cong", "mat an toan", "lo lot", "khieu nai",
	"ton dong", "qua han", "tre han", "tien mat",
}

// ───────────────────────────── self-scores ─────────────────────────────

// selfMissing reports the indicators without a self-score: one warning for
// a form with none at all; else each indicator with points to claim that
// has no self-score, itself or on a parent, and none on its children (a
// parent whose children are partly self-scored is reported child by child).
// Cohort-relative (Min-Max) indicators are left out: a commune cannot
// score them alone.
func (c *checker) selfMissing() {
	if len(c.in.Values.Self) == 0 {
		c.add(problem.Warning, CodeSelfMissing, "", "", "",
			"Biểu mẫu chưa tự chấm chỉ số nào (cột Điểm tự chấm để trống). Nhập điểm tự chấm của từng chỉ số; chênh lệch với điểm hệ thống chỉ tính trên các chỉ số đã tự chấm.")
		return
	}
	var walk func(ind *rubric.Indicator)
	walk = func(ind *rubric.Indicator) {
		if _, ok := c.in.Values.Self[ind.Code]; ok || isReference(ind) || isCohort(ind) {
			return
		}
		if len(ind.Children) > 0 && c.childHasSelf(ind) {
			for _, ch := range ind.Children {
				walk(ch)
			}
			return
		}
		cell := c.in.Cells[ind.Code+"/"+keySelf]
		c.add(problem.Warning, CodeSelfMissing, ind.Code, keySelf, cell,
			fmt.Sprintf("%s%s: chưa tự chấm. Nhập điểm tự chấm (0 nếu đơn vị tự đánh giá là chưa đạt); chỉ số này không được tính vào chênh lệch giữa điểm hệ thống và điểm tự chấm.",
				indName(ind), at(cell)))
	}
	for _, p := range c.r.Pillars {
		for _, ind := range p.Indicators {
			walk(ind)
		}
	}
}

// ───────────────────────────── unusable figures ─────────────────────────────

// Invalid returns the leaf indicators of r whose figures have an error
// among ps: those named by an error on one of their inputs, and those whose
// rule uses a general field (Thông tin chung) with an error. Errors on a
// self-score are left out: the figures are fine. The engine gives them 0
// points until corrected (engine.Scorer.Invalidate).
func Invalid(r *rubric.Rubric, ps []problem.Problem) []string {
	direct, general := map[string]bool{}, map[string]bool{}
	for _, p := range ps {
		if p.Severity != problem.Error || p.Input == keySelf {
			continue
		}
		switch {
		case p.Indicator != "":
			direct[p.Indicator] = true
		case p.Input != "":
			if _, ok := r.GeneralField(p.Input); ok {
				general[p.Input] = true
			}
		}
	}
	if len(direct) == 0 && len(general) == 0 {
		return nil
	}
	var out []string
	r.Walk(func(_ *rubric.Pillar, ind *rubric.Indicator) {
		if len(ind.Children) > 0 {
			return
		}
		if direct[ind.Code] {
			out = append(out, ind.Code)
			return
		}
		if len(general) == 0 {
			return
		}
		for _, v := range ruleVars(ind.Rule) {
			if _, own := ind.Input(v); !own && general[v] {
				out = append(out, ind.Code)
				return
			}
		}
	})
	return out
}

// ruleVars lists the names a rule (and its parts) reads.
func ruleVars(r *rubric.Rule) []string {
	if r == nil {
		return nil
	}
	var out []string
	if r.Input != "" {
		out = append(out, r.Input)
	}
	for _, src := range []string{r.Value, r.Num, r.Den, r.Gate, r.Expr} {
		out = append(out, vars(src)...)
	}
	for i := range r.Parts {
		out = append(out, ruleVars(&r.Parts[i].Rule)...)
	}
	return out
}
