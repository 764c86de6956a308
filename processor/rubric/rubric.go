// Package rubric holds the DTI rubric (bộ chỉ số) as plain data: pillars,
// indicators, their typed inputs and scoring rules, and the decisions taken
// where a seed document is ambiguous. It parses and checks rubric files but
// does no other I/O; scoring lives in package engine.
package rubric

import (
	"sync"
)

// Level is the administrative level a rubric assesses.
type Level string

// Levels used by the seeds.
const (
	LevelCommune    Level = "xa"    // UBND xã, phường, thị trấn
	LevelDistrict   Level = "huyen" // UBND huyện
	LevelDepartment Level = "so"    // sở, ban, ngành
)

// Label is the Vietnamese name of the level.
func (l Level) Label() string {
	switch l {
	case LevelCommune:
		return "xã"
	case LevelDistrict:
		return "huyện"
	case LevelDepartment:
		return "sở, ban, ngành"
	}
	return string(l)
}

// Rubric is one rubric set: everything needed to collect, score and explain
// a unit's self-assessment for one year.
type Rubric struct {
	ID       string `yaml:"id"`
	Name     string `yaml:"name"`
	Level    Level  `yaml:"level"`
	Province string `yaml:"province"`
	Year     int    `yaml:"year"`
	// Seed names the source document and where in it the rubric is printed.
	Seed string `yaml:"seed"`
	// Max is the grand total the seed states; nil when it states none.
	Max *float64 `yaml:"max"`
	// Total, when set, replaces the plain sum of pillars (Quảng Trị
	// departments: D = (A + B) × 485 / (485 + C)).
	Total *TotalFormula `yaml:"total,omitempty"`
	// General are the "Thông tin chung" fields; indicators may use them as
	// denominators and inputs may be checked against them.
	General   []Input     `yaml:"general"`
	Pillars   []*Pillar   `yaml:"pillars"`
	Decisions []Decision  `yaml:"decisions"`
	Notes     string      `yaml:"notes,omitempty"`
	Defaults  RuleDefault `yaml:"defaults,omitempty"`

	// Origin is where the rubric was loaded from (not part of the file).
	Origin string `yaml:"-"`
	// Hash is the SHA-256 of the file's bytes, hex (not part of the file).
	Hash string `yaml:"-"`

	indexOnce sync.Once
	index     map[string]located
}

type located struct {
	p  *Pillar
	in *Indicator
}

// RuleDefault holds rubric-wide defaults for rules.
type RuleDefault struct {
	// ZeroDen is the default behaviour of a ratio whose denominator is 0.
	ZeroDen ZeroDen `yaml:"zero_den,omitempty"`
}

// TotalFormula is a whole-score formula over pillar sums. Its expression may
// use A (score of the core pillars), B (score of the applicable optional
// pillars), C (maximum of the applicable optional pillars) and M (maximum of
// the core pillars).
type TotalFormula struct {
	Expr string `yaml:"expr"`
	Note string `yaml:"note,omitempty"`
}

// Pillar is a main indicator (chỉ số chính), or an optional table such as a
// Quảng Trị priority field (lĩnh vực ưu tiên).
type Pillar struct {
	Code    string   `yaml:"code"`
	Name    string   `yaml:"name"`
	Section string   `yaml:"section,omitempty"`
	Max     *float64 `yaml:"max"`
	// Optional pillars count only when the general-information yes/no field
	// named by AppliesIf is true (priority-field tables).
	Optional   bool         `yaml:"optional,omitempty"`
	AppliesIf  string       `yaml:"applies_if,omitempty"`
	Task       string       `yaml:"task,omitempty"`
	Lead       string       `yaml:"lead,omitempty"`
	Support    string       `yaml:"support,omitempty"`
	Indicators []*Indicator `yaml:"indicators"`
}

// Indicator is a component indicator (chỉ số thành phần). A parent indicator
// has Children and a rule of kind "children".
type Indicator struct {
	Code string   `yaml:"code"`
	Name string   `yaml:"name"`
	Max  *float64 `yaml:"max"`
	// Method is the seed's "cách xác định và tính điểm" text, verbatim.
	Method string `yaml:"method,omitempty"`
	// Todo, when set, says in Vietnamese what is still missing before the
	// indicator can be scored (written by `chiso rubric import` for a method
	// it could not read with certainty). The checker reports every todo as
	// an error; the engine scores a todo indicator 0 with status todo.
	Todo   string  `yaml:"todo,omitempty"`
	Inputs []Input `yaml:"inputs,omitempty"`
	Rule   *Rule   `yaml:"rule,omitempty"`
	// Validate holds extra plausibility checks on the inputs.
	Validate []Plausibility `yaml:"validate,omitempty"`
	Children []*Indicator   `yaml:"children,omitempty"`
	Inferred string         `yaml:"inferred,omitempty"` // why the method was chosen, when the seed states none
	Task     string         `yaml:"task,omitempty"`
	Lead     string         `yaml:"lead,omitempty"`
	Support  string         `yaml:"support,omitempty"`
	Officer  string         `yaml:"officer,omitempty"`
	Evidence []string       `yaml:"evidence,omitempty"`
	Source   string         `yaml:"source,omitempty"` // nguồn cung cấp dữ liệu
	Freq     string         `yaml:"frequency,omitempty"`
	Deadline string         `yaml:"deadline,omitempty"`
	Note     string         `yaml:"note,omitempty"`
}

// InputType is the kind of figure a unit reports.
type InputType string

// Input types.
const (
	Count  InputType = "count"   // whole number ≥ 0
	Number InputType = "number"  // any number ≥ 0
	Money  InputType = "money"   // triệu đồng
	Pct    InputType = "percent" // stored as a fraction: 50 % → 0.5
	YesNo  InputType = "yes_no"  // 1 or 0
	Choice InputType = "choice"  // one of Options
	Items  InputType = "items"   // a list; its value is the count
	Text   InputType = "text"    // not scored
)

// Input is one raw figure (a, b, c… in the seeds) or general-information field.
type Input struct {
	Key     string    `yaml:"key"`
	Label   string    `yaml:"label"`
	Type    InputType `yaml:"type"`
	Unit    string    `yaml:"unit,omitempty"`
	Options []Option  `yaml:"options,omitempty"`
	// SameAs names a general-information field this figure should equal
	// (a denominator such as "Tổng số CBCC"); a difference is a warning.
	SameAs   string `yaml:"same_as,omitempty"`
	Optional bool   `yaml:"optional,omitempty"`
	Note     string `yaml:"note,omitempty"`
}

// Option is one labelled choice and the fraction of the maximum it earns.
// Short, when set, is what the form's dropdown offers (the full label is
// printed beside it); a label longer than MaxShown needs one.
type Option struct {
	Key      string   `yaml:"key"`
	Label    string   `yaml:"label"`
	Short    string   `yaml:"short,omitempty"`
	Fraction float64  `yaml:"fraction"`
	Aliases  []string `yaml:"aliases,omitempty"`
}

// MaxShown is the longest dropdown answer, in characters, that the form's
// value column shows on one line.
const MaxShown = 15

// Shown is the answer the form's dropdown offers: Short, else Label.
func (o Option) Shown() string {
	if o.Short != "" {
		return o.Short
	}
	return o.Label
}

// RuleKind names a scoring method.
type RuleKind string

// Rule kinds. Every rule yields a fraction of the indicator's maximum in
// [0, 1] except per_item and formula, which yield points.
const (
	KindYesNo     RuleKind = "yes_no"    // input true → full, else 0
	KindChoice    RuleKind = "choice"    // option's fraction
	KindRatio     RuleKind = "ratio"     // min(measure, cap)
	KindTarget    RuleKind = "target"    // min(measure / target, 1)
	KindThreshold RuleKind = "threshold" // measure ≥ at_least → full, else 0
	KindSteps     RuleKind = "steps"     // first step whose min ≤ measure
	KindSum       RuleKind = "sum"       // sum of parts, capped at max
	KindPerItem   RuleKind = "per_item"  // measure × points_per, capped
	KindChildren  RuleKind = "children"  // sum of child indicators
	KindCohort    RuleKind = "cohort"    // relative to the cohort, settled later
	KindReference RuleKind = "reference" // 0-point, collected for reference
	KindFormula   RuleKind = "formula"   // points = expr, clamped to [0, max]
)

// ZeroDen says what a ratio with a zero denominator scores.
type ZeroDen string

// Zero-denominator behaviours.
const (
	ZeroDenZero ZeroDen = "zero" // 0 points, status "zero denominator"
	ZeroDenFull ZeroDen = "full" // nothing to do, so full points
)

// ZeroDenOf is what a ratio rule of r does when its denominator is 0: its
// own zero_den, else the rubric's default, else zero (0 points, marked).
func (r *Rubric) ZeroDenOf(rule Rule) ZeroDen {
	switch {
	case rule.ZeroDen != "":
		return rule.ZeroDen
	case r != nil && r.Defaults.ZeroDen != "":
		return r.Defaults.ZeroDen
	}
	return ZeroDenZero
}

// Rule is a scoring method as data. The measure of numeric kinds is either
// Value (an expression) or Num/Den (a ratio of expressions).
type Rule struct {
	Kind  RuleKind `yaml:"kind"`
	Input string   `yaml:"input,omitempty"` // yes_no, choice
	Value string   `yaml:"value,omitempty"`
	Num   string   `yaml:"num,omitempty"`
	Den   string   `yaml:"den,omitempty"`
	// ZeroDen overrides the rubric default for a zero denominator.
	ZeroDen ZeroDen `yaml:"zero_den,omitempty"`
	// Cap bounds a ratio; nil means 1 (100 %).
	Cap       *float64 `yaml:"cap,omitempty"`
	Target    float64  `yaml:"target,omitempty"`
	AtLeast   float64  `yaml:"at_least,omitempty"`
	Steps     []Step   `yaml:"steps,omitempty"`
	PointsPer float64  `yaml:"points_per,omitempty"`
	// CapPoints bounds per_item points; nil means the indicator maximum.
	CapPoints *float64 `yaml:"cap_points,omitempty"`
	// Method of a cohort rule: "best" (x / x_best) or "minmax"
	// ((x − min) / (max − min)).
	Method string `yaml:"method,omitempty"`
	// Gate, when set, must evaluate non-zero for any points to be given.
	Gate  string `yaml:"gate,omitempty"`
	Parts []Part `yaml:"parts,omitempty"`
	Expr  string `yaml:"expr,omitempty"`
}

// Step is one row of a step table: measure ≥ Min earns Fraction of the
// maximum (or Points). A nil Min matches anything ("otherwise").
type Step struct {
	Min      *float64 `yaml:"min"`
	Fraction *float64 `yaml:"fraction,omitempty"`
	Points   *float64 `yaml:"points,omitempty"`
	Label    string   `yaml:"label,omitempty"`
}

// Part is one term of a sum rule, worth Share of the indicator maximum or a
// fixed number of Points.
type Part struct {
	Label  string   `yaml:"label,omitempty"`
	Share  *float64 `yaml:"share,omitempty"`
	Points *float64 `yaml:"points,omitempty"`
	Rule   Rule     `yaml:"rule"`
}

// Plausibility is a check on the inputs on the inputs: when Expr evaluates false the
// submission gets Message at Severity.
type Plausibility struct {
	Expr     string `yaml:"expr"`
	Severity string `yaml:"severity"` // error | warning | info
	Message  string `yaml:"message"`  // Vietnamese, for the commune
}

// Decision records how an ambiguity or error in the seed was resolved.
// Acknowledges names the checker finding code it accepts at Where, so the
// checker lists it as decided instead of reporting it.
type Decision struct {
	ID           string `yaml:"id"`
	Where        string `yaml:"where"` // indicator or pillar code, or "rubric"
	SeedRef      string `yaml:"seed_ref"`
	Problem      string `yaml:"problem"`
	Decision     string `yaml:"decision"`
	Why          string `yaml:"why"`
	Acknowledges string `yaml:"acknowledges,omitempty"`
}

// IsTodo reports whether the indicator still waits for its scoring method.
func (in *Indicator) IsTodo() bool { return in.Todo != "" }

// MaxValue returns the indicator's maximum, or 0 when the seed states none.
func (in *Indicator) MaxValue() float64 {
	if in.Max == nil {
		return 0
	}
	return *in.Max
}

// MaxValue returns the pillar's declared maximum, or 0 when none.
func (p *Pillar) MaxValue() float64 {
	if p.Max == nil {
		return 0
	}
	return *p.Max
}

// Input returns the indicator's input with the given key.
func (in *Indicator) Input(key string) (Input, bool) {
	for _, x := range in.Inputs {
		if x.Key == key {
			return x, true
		}
	}
	return Input{}, false
}

// GeneralField returns the general-information field with the given key.
func (r *Rubric) GeneralField(key string) (Input, bool) {
	for _, x := range r.General {
		if x.Key == key {
			return x, true
		}
	}
	return Input{}, false
}

// Walk calls fn for every indicator, parents before their children.
func (r *Rubric) Walk(fn func(p *Pillar, in *Indicator)) {
	var walk func(p *Pillar, in *Indicator)
	walk = func(p *Pillar, in *Indicator) {
		fn(p, in)
		for _, c := range in.Children {
			walk(p, c)
		}
	}
	for _, p := range r.Pillars {
		for _, in := range p.Indicators {
			walk(p, in)
		}
	}
}

// Indicator finds an indicator by code anywhere in the rubric (the first,
// if a faulty rubric repeats a code). The index is built on first use: a
// rubric is not changed after it is loaded.
func (r *Rubric) Indicator(code string) (*Pillar, *Indicator) {
	r.indexOnce.Do(func() {
		r.index = map[string]located{}
		r.Walk(func(p *Pillar, in *Indicator) {
			if _, dup := r.index[in.Code]; !dup {
				r.index[in.Code] = located{p, in}
			}
		})
	})
	l := r.index[code]
	return l.p, l.in
}

// Pillar finds a pillar by code.
func (r *Rubric) Pillar(code string) *Pillar {
	for _, p := range r.Pillars {
		if p.Code == code {
			return p
		}
	}
	return nil
}

// Place names, in Vietnamese, where a decision or finding applies: the
// whole rubric, the general information, a pillar or an indicator.
func (r *Rubric) Place(where string) string {
	switch where {
	case "rubric", "":
		return "cả bộ chỉ số"
	case "general":
		return "thông tin chung"
	}
	if p := r.Pillar(where); p != nil {
		return "nhóm chỉ số " + p.Code + " (" + p.Name + ")"
	}
	if _, in := r.Indicator(where); in != nil {
		return "chỉ số " + in.Code
	}
	return where
}

// CoreMax is the sum of the declared maxima of the non-optional pillars.
func (r *Rubric) CoreMax() float64 {
	var s float64
	for _, p := range r.Pillars {
		if !p.Optional {
			s += p.MaxValue()
		}
	}
	return s
}
