package templates_test

import (
	"math"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/values"
	"github.com/chiso-vn/chiso/templates"
)

func load(t testing.TB) *rubric.Set {
	t.Helper()
	set := rubric.NewSet()
	if err := set.LoadFS(templates.FS, "templates"); err != nil {
		t.Fatal(err)
	}
	return set
}

func get(t testing.TB, id string) *rubric.Rubric {
	t.Helper()
	r, ok := load(t).Get(id)
	if !ok {
		t.Fatalf("no rubric %s", id)
	}
	return r
}

// score scores one set of figures given as in a values file: general
// fields by key, inputs by indicator code then key (numbers, "Có"/"Không",
// option keys or labels; percent inputs in percent, e.g. 90 for 90 %).
func score(t testing.TB, r *rubric.Rubric, general map[string]any, inputs map[string]map[string]any) *engine.Result {
	t.Helper()
	v, err := values.FromFile(r, values.File{General: general, Indicators: inputs})
	if err != nil {
		t.Fatalf("%s: %v", r.ID, err)
	}
	sc, err := engine.New(r)
	if err != nil {
		t.Fatal(err)
	}
	return sc.Score(v)
}

// handCase is one indicator scored from figures, with the points computed
// by hand from the seed text (the arithmetic is in Why).
type handCase struct {
	Code    string
	Inputs  map[string]any
	General map[string]any
	Want    float64
	Why     string
}

func runHandCases(t *testing.T, id string, cases []handCase) {
	t.Helper()
	r := get(t, id)
	covered := map[string]bool{}
	for _, c := range cases {
		res := score(t, r, c.General, map[string]map[string]any{c.Code: c.Inputs})
		ir := res.Indicator(c.Code)
		if ir == nil {
			t.Errorf("%s: no indicator %s", id, c.Code)
			continue
		}
		if math.Abs(ir.Points-c.Want) > 1e-9 {
			t.Errorf("%s %s %v: engine %v (%s), by hand %v (%s)", id, c.Code, c.Inputs, ir.Points, ir.Status, c.Want, c.Why)
		}
		covered[c.Code] = true
	}
	// Every scored leaf indicator is covered at least once.
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		if len(in.Children) == 0 && in.Rule != nil && in.Rule.Kind != rubric.KindCohort && !covered[in.Code] {
			t.Errorf("%s %s: no hand-computed case", id, in.Code)
		}
	})
}

// TestShippedRubricsCheckClean: every shipped rubric has no checker error,
// and every decision that acknowledges a finding still matches one.
func TestShippedRubricsCheckClean(t *testing.T) {
	for _, r := range load(t).All() {
		rep := rubric.Check(r)
		if err := rep.Err(); err != nil {
			t.Errorf("%s: %v", r.ID, err)
		}
		for _, f := range rep.Findings {
			if f.Severity == rubric.SevWarning {
				t.Errorf("%s: warning %s", r.ID, f)
			}
		}
	}
}

// TestGrandTotals: the maxima add up to what the seeds state.
func TestGrandTotals(t *testing.T) {
	want := map[string]float64{
		"thanhhoa-xa-2023":    1000,
		"xuanlac-xa-2023":     900,
		"quangtri-xa-2022":    880,
		"quangtri-huyen-2022": 880,
		"quangtri-so-2022":    485,
		"thanhhoa-huyen-2021": 270,
		"thanhhoa-so-2021":    160,
	}
	set := load(t)
	if len(set.All()) != len(want) {
		t.Errorf("%d rubrics shipped, want %d", len(set.All()), len(want))
	}
	for id, total := range want {
		r, ok := set.Get(id)
		if !ok {
			t.Errorf("missing rubric %s", id)
			continue
		}
		if got := r.CoreMax(); got != total {
			t.Errorf("%s: pillars add up to %v, seed says %v", id, got, total)
		}
		if r.Max == nil || *r.Max != total {
			t.Errorf("%s: declared max %v, want %v", id, r.Max, total)
		}
	}
	// Thanh Hóa districts: 160 + 75 + 35.
	r := get(t, "thanhhoa-huyen-2021")
	var parts []float64
	for _, p := range r.Pillars {
		parts = append(parts, p.MaxValue())
	}
	if len(parts) != 3 || parts[0] != 160 || parts[1] != 75 || parts[2] != 35 {
		t.Errorf("thanhhoa-huyen-2021 pillars %v, want 160 75 35", parts)
	}
	// Quảng Trị departments: seven priority-field tables, optional.
	qt := get(t, "quangtri-so-2022")
	opt := 0
	for _, p := range qt.Pillars {
		if p.Optional {
			opt++
		}
	}
	if opt != 7 || qt.Total == nil || !strings.Contains(qt.Total.Expr, "485") {
		t.Errorf("quangtri-so-2022: %d optional tables, total %+v", opt, qt.Total)
	}
}

// TestDepartmentFormula: D = (A + B) × 485 / (485 + C).
func TestDepartmentFormula(t *testing.T) {
	r := get(t, "quangtri-so-2022")
	yes := map[string]map[string]any{}
	var a float64
	for _, p := range r.Pillars {
		if p.Optional {
			continue
		}
		for _, in := range p.Indicators {
			if in.Rule.Kind == rubric.KindYesNo {
				yes[in.Code] = map[string]any{in.Rule.Input: "Có"}
				a += in.MaxValue()
			}
		}
	}
	// No priority field: D = A.
	res := score(t, r, nil, yes)
	if math.Abs(res.Total-a) > 1e-9 {
		t.Fatalf("no priority field: D = %v, want A = %v", res.Total, a)
	}
	// Y tế applies (table max 40) and earns b points of its yes/no indicators.
	var yt *rubric.Pillar
	for _, p := range r.Pillars {
		if p.Optional && strings.Contains(p.Name, "Y tế") {
			yt = p
		}
	}
	if yt == nil {
		t.Fatal("no Y tế table")
	}
	res = score(t, r, map[string]any{yt.AppliesIf: "Có"}, yes)
	b := res.Pillar(yt.Code).Points
	want := (a + b) * 485 / (485 + yt.MaxValue())
	if math.Abs(res.Total-want) > 1e-9 || yt.MaxValue() != 40 {
		t.Fatalf("D = %v, want (%v + %v) × 485 / (485 + %v) = %v", res.Total, a, b, yt.MaxValue(), want)
	}
}
