// Package engine scores a unit's figures against a rubric. It is pure: no
// I/O, no clock, deterministic. Scores keep full float64 precision; only
// display and totals for ranking are rounded (see Round2).
//
// Missing data is not a reported zero: an indicator whose rule needs a figure
// that was not given scores 0 with status StatusMissing ("thiếu số liệu"), per
// the Thanh Hóa rule "không có số liệu thì không có điểm". Impossible
// figures (a > b for a share, negative counts: errors found by validation)
// score 0 with status StatusInvalid until corrected (Invalidate).
//
// Differences from the self-declared scores are taken over the indicators
// that have one (SelfBasis): an indicator the commune did not self-score is
// not a difference of its whole score.
package engine

import (
	"errors"
	"fmt"
	"math"

	"github.com/chiso-vn/chiso/processor/formula"
	"github.com/chiso-vn/chiso/processor/rubric"
)

// Status of an indicator's score.
type Status string

// Statuses.
const (
	StatusOK        Status = "ok"
	StatusMissing   Status = "missing"   // a needed figure was not given: 0 points
	StatusZeroDen   Status = "zero_den"  // ratio with denominator 0: 0 points
	StatusPending   Status = "pending"   // cohort-relative, not settled yet
	StatusSettled   Status = "settled"   // cohort-relative, settled over a cohort
	StatusReference Status = "reference" // 0-point indicator, for reference
	StatusInvalid   Status = "invalid"   // impossible figures: 0 points until corrected
	StatusTodo      Status = "todo"      // the rubric has no scoring method yet: 0 points
)

// NoteInvalid is the note of an indicator whose figures are impossible.
const NoteInvalid = "số liệu không hợp lệ: không tính điểm cho đến khi sửa"

// Value is one reported figure. Set is false when the cell was left empty.
// Num is the figure as the engine uses it: yes/no as 1/0, a choice as its
// option's fraction, a percent as a fraction, an item list as its length.
//
// The ledger stores Values as JSON; empty fields are left out (the key names
// are the field names, so records written before the tags still decode).
type Value struct {
	Set    bool     `json:"Set,omitempty"`
	Num    float64  `json:"Num,omitempty"`
	Choice string   `json:"Choice,omitempty"` // option key, for choice inputs
	Items  []string `json:"Items,omitempty"`  // for item lists
	Text   string   `json:"Text,omitempty"`   // as typed, for text inputs and messages
	Cell   string   `json:"Cell,omitempty"`   // where it came from ("Chỉ số!E12"), when read from a workbook
}

// Num returns a set numeric value.
func Num(f float64) Value { return Value{Set: true, Num: f} }

// Values are a unit's figures: general information by key, indicator inputs
// by indicator code then input key, and optional self-declared scores.
type Values struct {
	General map[string]Value
	Inputs  map[string]map[string]Value
	Self    map[string]float64
}

// NewValues returns empty Values ready to fill.
func NewValues() Values {
	return Values{General: map[string]Value{}, Inputs: map[string]map[string]Value{}, Self: map[string]float64{}}
}

// Set stores an indicator input.
func (v Values) Set(code, key string, val Value) {
	m := v.Inputs[code]
	if m == nil {
		m = map[string]Value{}
		v.Inputs[code] = m
	}
	m[key] = val
}

// IndicatorResult is the score of one indicator.
type IndicatorResult struct {
	Code    string
	Pillar  string
	Parent  string // code of the parent indicator, if any
	Name    string
	Max     float64
	Points  float64 // full precision
	Status  Status
	Measure *float64 // the measured figure of numeric rules (ratio, count…)
	Missing []string // the figures that were missing
	Self    *float64 // the self-declared score, when given
	Cohort  *CohortInfo
	Note    string // e.g. "tỷ lệ vượt 100 %, tính 100 %"
	Leaf    bool   // scored itself (not the sum of children)
	// Computed is the score from the figures when an appraisal council's
	// score (Appraisal) replaced it in Points.
	Computed  float64
	Appraisal *float64
}

// CohortInfo says how a cohort-relative score was settled.
type CohortInfo struct {
	Method string
	N      int     // units with a figure
	Best   float64 // x_best (or max for minmax)
	Min    float64
}

// PillarResult is a pillar's score.
type PillarResult struct {
	Code    string
	Name    string
	Max     float64
	Points  float64
	Self    float64
	HasSelf bool
	// SelfBasis is the points of the indicators that have a self-declared
	// score (on themselves or a parent): what Self is compared with.
	SelfBasis float64
	Optional  bool
	Applies   bool
}

// Result is a unit's full score.
type Result struct {
	RubricID   string
	Indicators []IndicatorResult // rubric order, parents before children
	Pillars    []PillarResult
	Total      float64 // full precision; Round2 for display and ranking
	Max        float64
	Self       float64 // sum of the self-declared scores (of an indicator, else of its children)
	HasSelf    bool
	SelfBasis  float64 // the points of the self-scored indicators: the difference is SelfBasis − Self
	Pending    int     // cohort indicators not settled yet
	index      map[string]int
	applies    map[string]bool // optional pillars that apply to this unit
}

// Indicator returns the result for a code.
func (r *Result) Indicator(code string) *IndicatorResult {
	if i, ok := r.index[code]; ok {
		return &r.Indicators[i]
	}
	return nil
}

// Pillar returns the pillar result for a code.
func (r *Result) Pillar(code string) *PillarResult {
	for i := range r.Pillars {
		if r.Pillars[i].Code == code {
			return &r.Pillars[i]
		}
	}
	return nil
}

// Round2 rounds half away from zero to 2 decimals, as displayed and ranked.
// A 1e-9 nudge makes decimal halves that binary floats store just below
// (2.675 is 2.67499999…) round the way they are written.
func Round2(x float64) float64 {
	if x < 0 {
		return -Round2(-x)
	}
	return math.Floor(x*100+0.5+1e-9) / 100
}

// Scorer scores values against one rubric; build it once per rubric.
type Scorer struct {
	r     *rubric.Rubric
	rules map[*rubric.Indicator]*crule
	total *formula.Expr
	// The indicators in result order (the rubric's, parents before their
	// children), each result's starting point, and the index of a code in
	// them, shared by every result of the scorer.
	order []*rubric.Indicator
	tmpl  []IndicatorResult
	index map[string]int
}

type crule struct {
	rule                  *rubric.Rule
	value, num, den, gate *formula.Expr
	expr                  *formula.Expr
	parts                 []*crule
}

// New compiles the rubric's expressions. It fails only on a broken rubric;
// run rubric.Check for the full list of problems.
func New(r *rubric.Rubric) (*Scorer, error) {
	s := &Scorer{r: r, rules: map[*rubric.Indicator]*crule{}, index: map[string]int{}}
	var walk func(p *rubric.Pillar, parent string, in *rubric.Indicator)
	walk = func(p *rubric.Pillar, parent string, in *rubric.Indicator) {
		s.index[in.Code] = len(s.tmpl)
		s.order = append(s.order, in)
		s.tmpl = append(s.tmpl, IndicatorResult{Code: in.Code, Pillar: p.Code, Parent: parent, Name: in.Name, Max: in.MaxValue(), Leaf: len(in.Children) == 0})
		for _, c := range in.Children {
			walk(p, in.Code, c)
		}
	}
	for _, p := range r.Pillars {
		for _, in := range p.Indicators {
			walk(p, "", in)
		}
	}
	var errs []error
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		if in.IsTodo() && (len(in.Children) == 0 || in.Rule == nil) {
			return // a todo leaf scores 0 whatever rule it may have; a parent sums its children
		}
		if in.Rule == nil {
			errs = append(errs, fmt.Errorf("%s %s: no rule", r.ID, in.Code))
			return
		}
		c, err := compileRule(in.Rule)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s %s: %w", r.ID, in.Code, err))
			return
		}
		s.rules[in] = c
	})
	if r.Total != nil {
		e, err := formula.Compile(r.Total.Expr)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s total: %w", r.ID, err))
		}
		s.total = e
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

func compileRule(r *rubric.Rule) (*crule, error) {
	c := &crule{rule: r}
	var err error
	comp := func(src string) *formula.Expr {
		if src == "" || err != nil {
			return nil
		}
		var e *formula.Expr
		e, err = formula.Compile(src)
		return e
	}
	c.value, c.num, c.den, c.gate, c.expr = comp(r.Value), comp(r.Num), comp(r.Den), comp(r.Gate), comp(r.Expr)
	if err != nil {
		return nil, err
	}
	for i := range r.Parts {
		pc, err := compileRule(&r.Parts[i].Rule)
		if err != nil {
			return nil, fmt.Errorf("part %d: %w", i+1, err)
		}
		c.parts = append(c.parts, pc)
	}
	return c, nil
}

// Env resolves a name for an indicator of r: the indicator's input first,
// then a general field. Optional figures left empty read as 0; other empty
// figures are missing.
func Env(r *rubric.Rubric, in *rubric.Indicator, v Values) formula.Env {
	inputs := v.Inputs[in.Code]
	return func(name string) (float64, bool) {
		if x, ok := in.Input(name); ok {
			val, set := inputs[name]
			if set && val.Set {
				return val.Num, true
			}
			return 0, x.Optional
		}
		if g, ok := r.GeneralField(name); ok {
			val, set := v.General[name]
			if set && val.Set {
				return val.Num, true
			}
			return 0, g.Optional
		}
		return 0, false
	}
}

// Score scores one unit. Cohort-relative indicators are left pending with
// their measure; Settle gives them points.
func (s *Scorer) Score(v Values) *Result {
	res := &Result{RubricID: s.r.ID, index: s.index, Indicators: make([]IndicatorResult, len(s.tmpl))}
	copy(res.Indicators, s.tmpl)
	for i, in := range s.order {
		ir := &res.Indicators[i]
		if self, ok := v.Self[in.Code]; ok {
			x := self
			ir.Self = &x
		}
		switch {
		case ir.Leaf && in.IsTodo():
			ir.Status, ir.Note = StatusTodo, "chưa có cách tính điểm, 0 điểm: "+in.Todo
		case ir.Leaf:
			o := s.eval(s.rules[in], in.MaxValue(), Env(s.r, in, v))
			ir.Points, ir.Status, ir.Missing, ir.Measure, ir.Note = o.points, o.status, o.missing, o.measure, o.note
		}
	}
	res.applies = map[string]bool{}
	for _, p := range s.r.Pillars {
		if p.Optional {
			g := v.General[p.AppliesIf]
			res.applies[p.Code] = g.Set && g.Num != 0
		}
	}
	s.finish(res)
	return res
}

// finish derives parents, pillars and the total from the leaves.
func (s *Scorer) finish(res *Result) {
	// Parents: children come after their parent, so go backwards.
	for i := len(res.Indicators) - 1; i >= 0; i-- {
		ir := &res.Indicators[i]
		if ir.Leaf {
			continue
		}
		var sum float64
		ir.Status = StatusOK
		for j := i + 1; j < len(res.Indicators); j++ {
			c := res.Indicators[j]
			if c.Parent != ir.Code {
				continue
			}
			sum += c.Points
			if c.Status == StatusMissing || c.Status == StatusPending || c.Status == StatusInvalid {
				ir.Status = c.Status
			}
		}
		ir.Points = math.Min(sum, ir.Max)
	}
	res.Pillars = res.Pillars[:0]
	res.Pending = 0
	res.Self, res.SelfBasis, res.HasSelf = 0, 0, false
	var a, b, c float64
	for _, p := range s.r.Pillars {
		pr := PillarResult{Code: p.Code, Name: p.Name, Max: p.MaxValue(), Optional: p.Optional, Applies: true}
		if p.Optional {
			pr.Applies = res.applies[p.Code]
		}
		for _, in := range p.Indicators {
			pr.Points += res.Indicator(in.Code).Points
			res.self(in, &pr)
		}
		if p.Max == nil {
			for _, in := range p.Indicators {
				pr.Max += in.MaxValue()
			}
		}
		switch {
		case !p.Optional:
			a += pr.Points
		case pr.Applies:
			b += pr.Points
			c += pr.Max
		}
		if pr.Applies {
			res.Self += pr.Self
			res.SelfBasis += pr.SelfBasis
			res.HasSelf = res.HasSelf || pr.HasSelf
		}
		res.Pillars = append(res.Pillars, pr)
	}
	for _, ir := range res.Indicators {
		if ir.Status == StatusPending && ir.Leaf {
			res.Pending++
		}
	}
	m := s.r.CoreMax()
	res.Total, res.Max = a+b, m+c
	if s.total != nil {
		t, err := s.total.Eval(formula.MapEnv(map[string]float64{"A": a, "B": b, "C": c, "M": m}))
		if err == nil {
			res.Total = t
		}
		// A whole-score formula rescales to the core maximum (D out of 485).
		res.Max = m
	}
}

// self adds an indicator's self-declared score and the points it is
// compared with to its pillar: the indicator's own, else its children's.
func (res *Result) self(in *rubric.Indicator, pr *PillarResult) {
	ir := res.Indicator(in.Code)
	if ir.Self != nil {
		pr.Self += *ir.Self
		pr.SelfBasis += ir.Points
		pr.HasSelf = true
		return
	}
	for _, c := range in.Children {
		res.self(c, pr)
	}
}

// Invalidate gives the leaf indicators listed (their figures are
// impossible: validation found errors in them) 0 points with status
// StatusInvalid and NoteInvalid, out of any cohort settlement, until the
// commune corrects them; parents, pillars and the total follow. Codes that
// are not leaves are ignored.
func (s *Scorer) Invalidate(res *Result, codes []string) {
	if len(codes) == 0 {
		return
	}
	for _, code := range codes {
		ir := res.Indicator(code)
		if ir == nil || !ir.Leaf {
			continue
		}
		ir.Points, ir.Status, ir.Note, ir.Measure, ir.Cohort, ir.Missing = 0, StatusInvalid, NoteInvalid, nil, nil, nil
	}
	s.finish(res)
}

type outcome struct {
	points  float64
	status  Status
	missing []string
	measure *float64
	note    string
}

func missingOutcome(err error) (outcome, bool) {
	var me *formula.MissingError
	if errors.As(err, &me) {
		return outcome{status: StatusMissing, missing: me.Vars}, true
	}
	return outcome{}, false
}

// measure evaluates value or num/den. ok is false when o is final.
func (s *Scorer) measure(c *crule, max float64, env formula.Env) (m float64, o outcome, ok bool) {
	if c.num != nil {
		n, err1 := c.num.Eval(env)
		d, err2 := c.den.Eval(env)
		if mo, miss := missingOutcome(errors.Join(err1, err2)); miss {
			// Report every missing figure of the ratio, not just the first.
			var all []string
			for _, e := range []error{err1, err2} {
				var me *formula.MissingError
				if errors.As(e, &me) {
					all = append(all, me.Vars...)
				}
			}
			mo.missing = dedupe(all)
			return 0, mo, false
		}
		if err := errors.Join(err1, err2); err != nil && !errors.Is(err, formula.ErrDivZero) {
			return 0, outcome{status: StatusMissing, note: err.Error()}, false
		}
		if d == 0 {
			if s.r.ZeroDenOf(*c.rule) == rubric.ZeroDenFull {
				return 0, outcome{points: max, status: StatusOK, note: "mẫu số bằng 0: không phát sinh, tính điểm tối đa"}, false
			}
			return 0, outcome{status: StatusZeroDen, note: "mẫu số bằng 0: không tính được tỷ lệ"}, false
		}
		return n / d, outcome{}, true
	}
	if c.value == nil {
		return 0, outcome{status: StatusMissing, note: "rule has no measure"}, false
	}
	x, err := c.value.Eval(env)
	if mo, miss := missingOutcome(err); miss {
		return 0, mo, false
	}
	if errors.Is(err, formula.ErrDivZero) {
		return 0, outcome{status: StatusZeroDen, note: "mẫu số bằng 0: không tính được tỷ lệ"}, false
	}
	if err != nil {
		return 0, outcome{status: StatusMissing, note: err.Error()}, false
	}
	return x, outcome{}, true
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

const eps = 1e-9

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }

func (s *Scorer) eval(c *crule, max float64, env formula.Env) outcome {
	r := c.rule
	if c.gate != nil {
		g, err := c.gate.Eval(env)
		if o, miss := missingOutcome(err); miss {
			return o
		}
		if err == nil && g == 0 {
			return outcome{status: StatusOK, note: "không đạt điều kiện: 0 điểm"}
		}
	}
	switch r.Kind {
	case rubric.KindYesNo, rubric.KindChoice:
		x, ok := env(r.Input)
		if !ok {
			return outcome{status: StatusMissing, missing: []string{r.Input}}
		}
		if r.Kind == rubric.KindYesNo {
			if x != 0 {
				return outcome{points: max, status: StatusOK}
			}
			return outcome{status: StatusOK}
		}
		return outcome{points: clamp01(x) * max, status: StatusOK}
	case rubric.KindReference:
		return outcome{status: StatusReference}
	case rubric.KindFormula:
		x, err := c.expr.Eval(func(name string) (float64, bool) {
			if name == "max" {
				return max, true
			}
			return env(name)
		})
		if o, miss := missingOutcome(err); miss {
			return o
		}
		if errors.Is(err, formula.ErrDivZero) {
			return outcome{status: StatusZeroDen, note: "mẫu số bằng 0: không tính được tỷ lệ"}
		}
		return outcome{points: math.Max(0, math.Min(x, max)), status: StatusOK}
	case rubric.KindSum:
		var total float64
		st := StatusOK
		var missing []string
		var notes string
		for i, p := range r.Parts {
			pmax := 0.0
			if p.Share != nil {
				pmax = *p.Share * max
			} else if p.Points != nil {
				pmax = *p.Points
			}
			o := s.eval(c.parts[i], pmax, env)
			total += o.points
			if o.status == StatusMissing {
				st = StatusMissing
				missing = append(missing, o.missing...)
			}
			if o.note != "" && notes == "" {
				notes = o.note
			}
		}
		return outcome{points: math.Min(total, max), status: st, missing: dedupe(missing), note: notes}
	case rubric.KindChildren:
		return outcome{status: StatusOK} // derived in finish
	}
	m, o, ok := s.measure(c, max, env)
	if !ok {
		return o
	}
	meas := m
	out := outcome{status: StatusOK, measure: &meas}
	switch r.Kind {
	case rubric.KindRatio:
		cp := 1.0
		if r.Cap != nil {
			cp = *r.Cap
		}
		if m > cp+eps {
			out.note = "tỷ lệ vượt mức tối đa, chỉ tính tối đa"
		}
		out.points = math.Max(0, math.Min(m, cp)) * max
	case rubric.KindTarget:
		out.points = clamp01(m/r.Target) * max
	case rubric.KindThreshold:
		if m >= r.AtLeast-eps {
			out.points = max
		}
	case rubric.KindSteps:
		for _, st := range r.Steps {
			if st.Min == nil || m >= *st.Min-eps {
				if st.Fraction != nil {
					out.points = *st.Fraction * max
				} else if st.Points != nil {
					out.points = math.Min(*st.Points, max)
				}
				break
			}
		}
	case rubric.KindPerItem:
		cp := max
		if r.CapPoints != nil {
			cp = math.Min(*r.CapPoints, max)
		}
		out.points = math.Max(0, math.Min(m*r.PointsPer, cp))
	case rubric.KindCohort:
		out.status = StatusPending
	default:
		return outcome{status: StatusMissing, note: "unknown rule kind " + string(r.Kind)}
	}
	return out
}

// Override puts the appraisal council's scores (điểm thẩm định) in place
// of the computed ones for the given leaf indicators, keeping the computed
// score in Computed, and refreshes parents, pillars and the total. Scores are
// clamped to 0..max; codes that are not leaves are ignored (the appraisal
// file is validated before this).
func (s *Scorer) Override(res *Result, appraisal map[string]float64) {
	for i := range res.Indicators {
		ir := &res.Indicators[i]
		if !ir.Leaf {
			continue
		}
		if ir.Appraisal != nil { // re-applying: start from the computed score
			ir.Points, ir.Appraisal = ir.Computed, nil
		}
		ir.Computed = ir.Points
		if v, ok := appraisal[ir.Code]; ok {
			v = math.Max(0, math.Min(v, ir.Max))
			ir.Appraisal = &v
			ir.Points = v
		}
	}
	s.finish(res)
}

// Bounds are a cohort-relative indicator's figures over a cohort: the
// lowest and highest (negative figures count as 0) and how many units
// reported one.
type Bounds struct {
	Lo, Hi float64
	N      int
}

// Add widens b to include x.
func (b Bounds) Add(x float64) Bounds {
	x = math.Max(0, x)
	if b.N == 0 {
		return Bounds{Lo: x, Hi: x, N: 1}
	}
	return Bounds{Lo: math.Min(b.Lo, x), Hi: math.Max(b.Hi, x), N: b.N + 1}
}

// CohortCodes returns the codes of the rubric's cohort-relative indicators.
func (s *Scorer) CohortCodes() []string {
	var codes []string
	s.r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		if in.Rule != nil && in.Rule.Kind == rubric.KindCohort && len(in.Children) == 0 {
			codes = append(codes, in.Code)
		}
	})
	return codes
}

// Settle gives cohort-relative indicators their points over the cohort of
// results (all scored with this scorer) and refreshes totals.
//
//   - best:   points = max × x / x_best; when every unit has 0 (or the best
//     is ≤ 0), everyone gets 0 — "không có thì không có điểm".
//   - minmax: points = max × (x − min) / (max − min); when all units report
//     the same figure, they all get full points if it is above 0, else 0.
//
// Units whose figure is missing take no part in x_best, min and max and
// keep 0 points with status missing. Negative figures count as 0.
func (s *Scorer) Settle(results []*Result) {
	bounds := s.NewBounds()
	for _, res := range results {
		s.Widen(bounds, res)
	}
	for _, res := range results {
		s.SettleWith(res, bounds)
	}
}

// NewBounds returns empty bounds for each cohort-relative indicator, to
// be widened with Widen over a cohort and given to SettleWith.
func (s *Scorer) NewBounds() map[string]Bounds {
	bounds := map[string]Bounds{}
	for _, code := range s.CohortCodes() {
		bounds[code] = Bounds{}
	}
	return bounds
}

// Widen widens bounds (from NewBounds) with one result's figures: Settle
// over a cohort too large to hold as Results is Widen over each, then
// SettleWith on each.
func (s *Scorer) Widen(bounds map[string]Bounds, res *Result) {
	for code, b := range bounds {
		if ir := res.Indicator(code); settleable(ir) {
			bounds[code] = b.Add(*ir.Measure)
		}
	}
}

func settleable(ir *IndicatorResult) bool {
	return ir != nil && ir.Measure != nil && (ir.Status == StatusPending || ir.Status == StatusSettled)
}

// SettleWith settles one result's cohort-relative indicators against given
// cohort bounds (which must include this unit's own figures) and refreshes
// its totals. The pipeline uses it for provisional scores against the cohort
// as it stands when a workbook arrives.
func (s *Scorer) SettleWith(res *Result, bounds map[string]Bounds) {
	for code, b := range bounds {
		ir := res.Indicator(code)
		if !settleable(ir) {
			continue
		}
		_, in := s.r.Indicator(code)
		method := in.Rule.Method
		x := math.Max(0, *ir.Measure)
		var f float64
		switch method {
		case "minmax":
			switch {
			case b.Hi-b.Lo > eps:
				f = (x - b.Lo) / (b.Hi - b.Lo)
			case b.Hi > eps:
				f = 1
			}
		default: // best
			if b.Hi > eps {
				f = x / b.Hi
			}
		}
		ir.Points = clamp01(f) * ir.Max
		ir.Status = StatusSettled
		ir.Cohort = &CohortInfo{Method: method, N: b.N, Best: b.Hi, Min: b.Lo}
	}
	s.finish(res)
}
