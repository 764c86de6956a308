package engine_test

import (
	"math"
	"os"
	"strings"
	"testing"

	_ "github.com/chiso-vn/chiso/internal/testkit" // the -update flag
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/rubric"
)

func loadKinds(t *testing.T) *engine.Scorer {
	t.Helper()
	f, err := os.Open("testdata/kinds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := rubric.Parse(f, "testdata/kinds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if rep := rubric.Check(r); rep.Err() != nil {
		t.Fatalf("test rubric has errors: %v", rep.Err())
	}
	s, err := engine.New(r)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

type in map[string]float64

func vals(code string, inputs in) engine.Values {
	v := engine.NewValues()
	for k, x := range inputs {
		v.Set(code, k, engine.Num(x))
	}
	return v
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestRuleKinds checks every rule kind just below, at and above each
// threshold, with zero denominators, missing inputs and values above 100 %.
func TestRuleKinds(t *testing.T) {
	s := loadKinds(t)
	tests := []struct {
		name   string
		code   string
		inputs in
		want   float64
		status engine.Status
	}{
		{"yes", "1.1", in{"a": 1}, 10, engine.StatusOK},
		{"no", "1.1", in{"a": 0}, 0, engine.StatusOK},
		{"yes/no missing", "1.1", in{}, 0, engine.StatusMissing},
		{"choice full", "1.2", in{"a": 1}, 20, engine.StatusOK},
		{"choice half", "1.2", in{"a": 0.5}, 10, engine.StatusOK},
		{"choice none", "1.2", in{"a": 0}, 0, engine.StatusOK},
		{"ratio 19/19", "1.3", in{"a": 19, "b": 19}, 10, engine.StatusOK},
		{"ratio 10/19", "1.3", in{"a": 10, "b": 19}, 10.0 * 10 / 19, engine.StatusOK},
		{"ratio above 100% capped", "1.3", in{"a": 25, "b": 19}, 10, engine.StatusOK},
		{"ratio zero numerator", "1.3", in{"a": 0, "b": 19}, 0, engine.StatusOK},
		{"ratio zero denominator", "1.3", in{"a": 0, "b": 0}, 0, engine.StatusZeroDen},
		{"ratio missing b", "1.3", in{"a": 3}, 0, engine.StatusMissing},
		{"compound a/c + ½b/c", "1.4", in{"a": 3, "b": 1, "c": 4}, 3.0/4*20 + 0.5*1.0/4*20, engine.StatusOK},
		{"compound all chaired by head", "1.4", in{"a": 4, "b": 0, "c": 4}, 20, engine.StatusOK},
		{"target below", "1.5", in{"a": 49, "b": 100}, 0.49 / 0.5 * 20, engine.StatusOK},
		{"target at", "1.5", in{"a": 50, "b": 100}, 20, engine.StatusOK},
		{"target above", "1.5", in{"a": 51, "b": 100}, 20, engine.StatusOK},
		{"threshold below 70%", "1.6", in{"a": 69, "b": 100}, 0, engine.StatusOK},
		{"threshold at 70%", "1.6", in{"a": 7, "b": 10}, 20, engine.StatusOK},
		{"threshold above", "1.6", in{"a": 71, "b": 100}, 20, engine.StatusOK},
		{"steps 21", "1.7", in{"a": 21}, 10, engine.StatusOK},
		{"steps 20", "1.7", in{"a": 20}, 10, engine.StatusOK},
		{"steps 19", "1.7", in{"a": 19}, 5, engine.StatusOK},
		{"steps 10", "1.7", in{"a": 10}, 5, engine.StatusOK},
		{"steps 9", "1.7", in{"a": 9}, 2.5, engine.StatusOK},
		{"steps 1", "1.7", in{"a": 1}, 2.5, engine.StatusOK},
		{"steps 0", "1.7", in{"a": 0}, 0, engine.StatusOK},
		{"gate false needs nothing more", "1.8", in{"a": 0}, 0, engine.StatusOK},
		{"gate true, 48 articles", "1.8", in{"a": 1, "b": 48}, 20, engine.StatusOK},
		{"gate true, 47 articles", "1.8", in{"a": 1, "b": 47}, 12 + 4, engine.StatusOK},
		{"gate true, 12 articles", "1.8", in{"a": 1, "b": 12}, 16, engine.StatusOK},
		{"gate true, 11 articles", "1.8", in{"a": 1, "b": 11}, 12, engine.StatusOK},
		{"gate true, articles missing", "1.8", in{"a": 1}, 12, engine.StatusMissing},
		{"gate missing", "1.8", in{"b": 50}, 0, engine.StatusMissing},
		{"per item 14", "1.9", in{"a": 14}, 28, engine.StatusOK},
		{"per item 15 hits cap", "1.9", in{"a": 15}, 30, engine.StatusOK},
		{"per item 16 capped", "1.9", in{"a": 16}, 30, engine.StatusOK},
		{"reference", "1.11", in{"a": 5}, 0, engine.StatusReference},
		{"formula in range", "1.12", in{"a": 3}, 6, engine.StatusOK},
		{"formula clamped to max", "1.12", in{"a": 7}, 10, engine.StatusOK},
		{"cohort pending", "2.1", in{"a": 9}, 0, engine.StatusPending},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := s.Score(vals(tt.code, tt.inputs))
			ir := res.Indicator(tt.code)
			if !near(ir.Points, tt.want) || ir.Status != tt.status {
				t.Errorf("%s %v: got %v (%s), want %v (%s)", tt.code, tt.inputs, ir.Points, ir.Status, tt.want, tt.status)
			}
		})
	}
}

func TestChildrenAndGeneralDenominator(t *testing.T) {
	s := loadKinds(t)
	v := engine.NewValues()
	v.General["so_cbcc"] = engine.Num(20)
	v.Set("1.10.1", "a", engine.Num(1))
	v.Set("1.10.2", "a", engine.Num(10))
	res := s.Score(v)
	if got := res.Indicator("1.10").Points; !near(got, 5+7.5) {
		t.Fatalf("parent = %v, want 12.5", got)
	}
	if got := res.Pillar("1").Points; !near(got, 12.5) {
		t.Fatalf("pillar = %v, want 12.5 (parent counted once, not with its children)", got)
	}
	// General field missing: the child that needs it is missing.
	v2 := engine.NewValues()
	v2.Set("1.10.2", "a", engine.Num(10))
	ir := s.Score(v2).Indicator("1.10.2")
	if ir.Status != engine.StatusMissing || len(ir.Missing) != 1 || ir.Missing[0] != "so_cbcc" {
		t.Fatalf("got %+v, want missing so_cbcc", ir)
	}
}

func TestOptionalPillarAndZeroDenFull(t *testing.T) {
	s := loadKinds(t)
	v := vals("3.1", in{"a": 0, "b": 0})
	res := s.Score(v)
	if p := res.Pillar("3"); p.Applies || !near(p.Points, 50) {
		t.Fatalf("pillar 3 = %+v, want not applying, 50 points computed", p)
	}
	if !near(res.Total, 0) || !near(res.Max, 230) {
		t.Fatalf("total %v / %v: an optional pillar that does not apply must not count", res.Total, res.Max)
	}
	v.General["uu_tien"] = engine.Num(1)
	res = s.Score(v)
	if !near(res.Total, 50) || !near(res.Max, 280) {
		t.Fatalf("total %v / %v, want 50 / 280", res.Total, res.Max)
	}
}

// TestSettle covers both cohort variants, ties at the maximum, a missing
// figure, an all-zero cohort and a single-unit cohort.
func TestSettle(t *testing.T) {
	s := loadKinds(t)
	score := func(best, pct *float64) *engine.Result {
		v := engine.NewValues()
		if best != nil {
			v.Set("2.1", "a", engine.Num(*best))
		}
		if pct != nil {
			v.Set("2.2", "a", engine.Num(*pct))
		}
		return s.Score(v)
	}
	f := func(x float64) *float64 { return &x }
	// Budgets 10, 5, 10 (tie at best), missing; percents 0.2, 0.5, 0.8, 0.5.
	rs := []*engine.Result{score(f(10), f(0.2)), score(f(5), f(0.5)), score(f(10), f(0.8)), score(nil, f(0.5))}
	s.Settle(rs)
	wantBest := []float64{20, 10, 20, 0}
	wantMM := []float64{0, 10, 20, 10}
	for i, r := range rs {
		if got := r.Indicator("2.1").Points; !near(got, wantBest[i]) {
			t.Errorf("unit %d best: %v, want %v", i, got, wantBest[i])
		}
		if got := r.Indicator("2.2").Points; !near(got, wantMM[i]) {
			t.Errorf("unit %d minmax: %v, want %v", i, got, wantMM[i])
		}
	}
	if st := rs[3].Indicator("2.1").Status; st != engine.StatusMissing {
		t.Errorf("missing figure settled as %s", st)
	}
	if !near(rs[2].Total, 40) || !near(rs[2].Pillar("2").Points, 40) {
		t.Errorf("totals not refreshed after settling: %v", rs[2].Total)
	}
	// All zero: nobody gets points (best) / (minmax).
	zs := []*engine.Result{score(f(0), f(0)), score(f(0), f(0))}
	s.Settle(zs)
	for _, r := range zs {
		if r.Indicator("2.1").Points != 0 || r.Indicator("2.2").Points != 0 {
			t.Errorf("all-zero cohort gave points")
		}
	}
	// Single unit (max = min > 0): full points in both variants.
	one := []*engine.Result{score(f(3), f(0.4))}
	s.Settle(one)
	if !near(one[0].Indicator("2.1").Points, 20) || !near(one[0].Indicator("2.2").Points, 20) {
		t.Errorf("single-unit cohort: %v, %v", one[0].Indicator("2.1").Points, one[0].Indicator("2.2").Points)
	}
	// Settling twice gives the same result (rebuild = incremental).
	s.Settle(rs)
	if !near(rs[1].Indicator("2.1").Points, 10) {
		t.Errorf("settling again changed the result")
	}
}

func TestRound2(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{
		{2.675, 2.68}, {2.665, 2.67}, {1.005, 1.01}, {0.125, 0.13}, {10.0 / 3, 3.33}, {-2.675, -2.68}, {0, 0}, {899.995, 900},
	} {
		if got := engine.Round2(tt.in); got != tt.want {
			t.Errorf("Round2(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestOverride(t *testing.T) {
	s := loadKinds(t)
	v := vals("1.1", in{"a": 1})
	v.Set("1.3", "a", engine.Num(5))
	v.Set("1.3", "b", engine.Num(10))
	res := s.Score(v)
	if !near(res.Total, 15) {
		t.Fatalf("total %v", res.Total)
	}
	s.Override(res, map[string]float64{"1.1": 4, "1.3": 99})
	if ir := res.Indicator("1.1"); !near(ir.Points, 4) || !near(ir.Computed, 10) || ir.Appraisal == nil {
		t.Fatalf("1.1 %+v", ir)
	}
	if ir := res.Indicator("1.3"); !near(ir.Points, 10) { // clamped to the maximum
		t.Fatalf("1.3 %+v", ir)
	}
	if !near(res.Total, 14) || !near(res.Pillar("1").Points, 14) {
		t.Fatalf("total after council %v", res.Total)
	}
	// Applying another appraisal starts again from the computed scores.
	s.Override(res, map[string]float64{"1.3": 1})
	if !near(res.Indicator("1.1").Points, 10) || !near(res.Total, 11) {
		t.Fatalf("re-override: 1.1 %v, total %v", res.Indicator("1.1").Points, res.Total)
	}
}

// TestInvalidate: an indicator whose figures are impossible scores 0 with
// its note until corrected, whatever its rule would give; its parent, pillar
// and the total follow, and a re-settle or an appraisal leaves it at 0.
func TestInvalidate(t *testing.T) {
	s := loadKinds(t)
	v := vals("1.1", in{"a": 1})
	v.Set("1.3", "a", engine.Num(25)) // a > b: capped at 100 %, full points
	v.Set("1.3", "b", engine.Num(19))
	v.General["so_cbcc"] = engine.Num(20)
	v.Set("1.10.1", "a", engine.Num(1))
	v.Set("1.10.2", "a", engine.Num(30))
	res := s.Score(v)
	if !near(res.Indicator("1.3").Points, 10) || !near(res.Indicator("1.10").Points, 20) {
		t.Fatalf("before: 1.3 %v, 1.10 %v", res.Indicator("1.3").Points, res.Indicator("1.10").Points)
	}
	before := res.Total
	s.Invalidate(res, []string{"1.3", "1.10.2", "1.10", "9.9"})
	for _, code := range []string{"1.3", "1.10.2"} {
		ir := res.Indicator(code)
		if ir.Points != 0 || ir.Status != engine.StatusInvalid || ir.Note != engine.NoteInvalid || ir.Measure != nil {
			t.Errorf("%s: %+v", code, ir)
		}
	}
	if ir := res.Indicator("1.10"); !near(ir.Points, 5) || ir.Status != engine.StatusInvalid {
		t.Errorf("parent: %v %s, want 5 (its valid child) and invalid", ir.Points, ir.Status)
	}
	if !near(res.Total, before-10-15) || !near(res.Pillar("1").Points, res.Total-res.Pillar("2").Points) {
		t.Errorf("total %v, want %v", res.Total, before-25)
	}
	s.Settle([]*engine.Result{res})
	if res.Indicator("1.3").Points != 0 {
		t.Errorf("settling brought back 1.3: %v", res.Indicator("1.3").Points)
	}
}

// TestSelfBasis: the difference from the self-declared scores is taken over
// the indicators that have one; a child's self-score counts when its parent
// has none.
func TestSelfBasis(t *testing.T) {
	s := loadKinds(t)
	v := vals("1.1", in{"a": 1})                                         // 10, self 8
	v.Set("1.2", "a", engine.Value{Set: true, Num: 1, Choice: "truong"}) // 20, no self
	v.General["so_cbcc"] = engine.Num(20)
	v.Set("1.10.1", "a", engine.Num(1))  // 5, self 5
	v.Set("1.10.2", "a", engine.Num(10)) // 7.5, no self
	v.Self["1.1"], v.Self["1.10.1"] = 8, 5
	res := s.Score(v)
	p := res.Pillar("1")
	if !p.HasSelf || !near(p.Self, 13) || !near(p.SelfBasis, 15) {
		t.Errorf("pillar: self %v over %v, want 13 over 15 (1.1 and 1.10.1 only)", p.Self, p.SelfBasis)
	}
	if !near(res.Self, 13) || !near(res.SelfBasis, 15) {
		t.Errorf("total: self %v over %v", res.Self, res.SelfBasis)
	}
	v.Self["1.10"] = 12 // the parent's own self-score covers its children
	res = s.Score(v)
	if p := res.Pillar("1"); !near(p.Self, 20) || !near(p.SelfBasis, 10+12.5) {
		t.Errorf("with the parent's: self %v over %v, want 20 over 22.5", p.Self, p.SelfBasis)
	}
}

// TestTodoScoresZero: an indicator whose method an import could not read
// (todo, no rule) scores 0 with status todo and says why; the rest of the
// rubric scores as usual.
func TestTodoScoresZero(t *testing.T) {
	src := `id: t
name: thử
level: xa
year: 2023
max: 20
pillars:
  - code: "1"
    name: Một
    max: 20
    indicators:
      - code: "1.1"
        name: Đã có
        max: 10
        inputs: [{key: a, label: Đã có, type: yes_no}]
        rule: {kind: yes_no, input: a}
      - code: "1.2"
        name: Tỷ lệ dân số trưởng thành có điện thoại thông minh
        max: 10
        method: Tính điểm theo phương pháp Min-Max.
        todo: phương pháp không nêu số liệu a, b của tỷ lệ
`
	r, err := rubric.Parse(strings.NewReader(src), "t.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := engine.New(r)
	if err != nil {
		t.Fatalf("a todo indicator must not stop the scorer: %v", err)
	}
	v := vals("1.1", in{"a": 1})
	v.Set("1.2", "a", engine.Num(5))
	res := s.Score(v)
	ir := res.Indicator("1.2")
	if ir.Points != 0 || ir.Status != engine.StatusTodo || !strings.Contains(ir.Note, "số liệu a, b") {
		t.Errorf("todo: %+v", ir)
	}
	if res.Total != 10 || res.Max != 20 {
		t.Errorf("total %v / %v", res.Total, res.Max)
	}
}
