package rubric

import (
	"encoding/json"
	"sort"
	"strings"
	"unicode"

	"github.com/chiso-vn/chiso/processor/vntext"
	"golang.org/x/text/unicode/norm"
)

// Diff is what changed from rubric A (last year's) to rubric B (this
// year's): what a district must know before comparing one year's scores
// with the other's. Indicators are matched by code and name: the same code
// and name; else the same name under another code (renumbered); else the
// same code with a similar name (renamed); else a similar name (renumbered
// and renamed). The rest are added (only in B) or removed (only in A).
type Diff struct {
	A, B       *Rubric
	Pillars    []PillarDiff
	Indicators []IndicatorDiff // B's order, then the removed ones in A's order
}

// PillarDiff compares a pillar of A with the pillar of B with the same code
// (or, failing that, the same name).
type PillarDiff struct {
	CodeA, CodeB string // "" when the pillar is only in the other rubric
	Name         string
	MaxA, MaxB   *float64
}

// IndicatorDiff is one indicator of A, B or both.
type IndicatorDiff struct {
	A, B          *Indicator // nil when added (A) or removed (B)
	Renumbered    bool       // matched by name under another code
	Renamed       bool       // the name differs
	MaxChanged    bool
	MethodChanged bool // the method text differs (white space folded)
	RuleChanged   bool // the scoring differs: rule, zero denominator, input types or options
}

// Added reports an indicator only in B.
func (d IndicatorDiff) Added() bool { return d.A == nil }

// Removed reports an indicator only in A.
func (d IndicatorDiff) Removed() bool { return d.B == nil }

// Comparable reports whether a unit's scores on the indicator can be
// compared between the two years: in both rubrics, the same maximum and the
// same scoring, neither left todo.
func (d IndicatorDiff) Comparable() bool {
	return d.A != nil && d.B != nil && !d.MaxChanged && !d.RuleChanged && !d.A.IsTodo() && !d.B.IsTodo()
}

// Code is the indicator's code in B, or in A when removed.
func (d IndicatorDiff) Code() string {
	if d.B != nil {
		return d.B.Code
	}
	return d.A.Code
}

type place struct {
	in     *Indicator
	pillar string
	order  int
}

func places(r *Rubric) []place {
	var out []place
	r.Walk(func(p *Pillar, in *Indicator) { out = append(out, place{in, p.Code, len(out)}) })
	return out
}

// nameKey is a name as compared: NFC, lower case, spaces folded, no final dot.
func nameKey(s string) string {
	s = strings.ToLower(strings.Join(strings.Fields(norm.NFC.String(s)), " "))
	return strings.TrimRight(s, " .;:")
}

// words are a name's words without diacritics or punctuation, for similarity.
func words(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(vntext.Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out[w] = true
	}
	return out
}

// similarity is the Dice coefficient of two names' words.
func similarity(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	n := 0
	for w := range a {
		if b[w] {
			n++
		}
	}
	return 2 * float64(n) / float64(len(a)+len(b))
}

// Thresholds of name similarity for a match.
const (
	renamedSimilarity = 0.5 // same code
	movedSimilarity   = 0.7 // another code
)

// Compare matches the indicators and pillars of a and b.
func Compare(a, b *Rubric) *Diff {
	d := &Diff{A: a, B: b}
	pa, pb := places(a), places(b)
	matchA := make([]int, len(pa)) // index into pb + 1, 0 unmatched
	matchB := make([]int, len(pb))
	kind := map[[2]int]string{}
	link := func(i, j int, how string) {
		matchA[i], matchB[j] = j+1, i+1
		kind[[2]int{i, j}] = how
	}
	byCodeB := map[string]int{}
	for j, p := range pb {
		if _, dup := byCodeB[p.in.Code]; !dup {
			byCodeB[p.in.Code] = j
		}
	}
	// 1. Same code, same name.
	for i, p := range pa {
		if j, ok := byCodeB[p.in.Code]; ok && matchB[j] == 0 && nameKey(p.in.Name) == nameKey(pb[j].in.Name) {
			link(i, j, "same")
		}
	}
	// 2. Same name, another code, unique among the unmatched on both sides.
	names := func(ps []place, m []int) map[string][]int {
		out := map[string][]int{}
		for i, p := range ps {
			if m[i] == 0 && nameKey(p.in.Name) != "" {
				k := nameKey(p.in.Name)
				out[k] = append(out[k], i)
			}
		}
		return out
	}
	na, nb := names(pa, matchA), names(pb, matchB)
	for i, p := range pa {
		k := nameKey(p.in.Name)
		if matchA[i] == 0 && len(na[k]) == 1 && len(nb[k]) == 1 {
			link(i, nb[k][0], "renumbered")
		}
	}
	// 3. Same code, similar name.
	for i, p := range pa {
		if j, ok := byCodeB[p.in.Code]; ok && matchA[i] == 0 && matchB[j] == 0 &&
			similarity(words(p.in.Name), words(pb[j].in.Name)) >= renamedSimilarity {
			link(i, j, "renamed")
		}
	}
	// 4. Similar name, another code: the best pairs first.
	type cand struct {
		i, j int
		s    float64
	}
	var cands []cand
	for i, p := range pa {
		if matchA[i] != 0 {
			continue
		}
		wa := words(p.in.Name)
		for j, q := range pb {
			if matchB[j] != 0 {
				continue
			}
			if s := similarity(wa, words(q.in.Name)); s >= movedSimilarity {
				cands = append(cands, cand{i, j, s})
			}
		}
	}
	sort.SliceStable(cands, func(x, y int) bool {
		if cands[x].s != cands[y].s {
			return cands[x].s > cands[y].s
		}
		if cands[x].i != cands[y].i {
			return cands[x].i < cands[y].i
		}
		return cands[x].j < cands[y].j
	})
	for _, c := range cands {
		if matchA[c.i] == 0 && matchB[c.j] == 0 {
			link(c.i, c.j, "moved")
		}
	}
	for j, q := range pb {
		id := IndicatorDiff{B: q.in}
		if m := matchB[j]; m != 0 {
			p := pa[m-1]
			id.A = p.in
			id.Renumbered = p.in.Code != q.in.Code
			id.Renamed = nameKey(p.in.Name) != nameKey(q.in.Name)
			id.MaxChanged = !sameMax(p.in.Max, q.in.Max)
			id.MethodChanged = MethodKey(p.in.Method) != MethodKey(q.in.Method)
			id.RuleChanged = scoring(a, p.in) != scoring(b, q.in)
		}
		d.Indicators = append(d.Indicators, id)
	}
	for i, p := range pa {
		if matchA[i] == 0 {
			d.Indicators = append(d.Indicators, IndicatorDiff{A: p.in})
		}
	}
	d.Pillars = comparePillars(a, b)
	return d
}

func sameMax(x, y *float64) bool {
	return (x == nil) == (y == nil) && (x == nil || feq(*x, *y))
}

func comparePillars(a, b *Rubric) []PillarDiff {
	var out []PillarDiff
	used := map[*Pillar]bool{}
	find := func(p *Pillar) *Pillar {
		for _, q := range a.Pillars {
			if !used[q] && q.Code == p.Code {
				return q
			}
		}
		for _, q := range a.Pillars {
			if !used[q] && nameKey(q.Name) == nameKey(p.Name) {
				return q
			}
		}
		return nil
	}
	for _, p := range b.Pillars {
		pd := PillarDiff{CodeB: p.Code, Name: p.Name, MaxB: p.Max}
		if q := find(p); q != nil {
			used[q] = true
			pd.CodeA, pd.MaxA = q.Code, q.Max
		}
		out = append(out, pd)
	}
	for _, q := range a.Pillars {
		if !used[q] {
			out = append(out, PillarDiff{CodeA: q.Code, Name: q.Name, MaxA: q.Max})
		}
	}
	return out
}

// scoring is what decides an indicator's points, as a comparable string:
// its rule without labels, the effective zero-denominator decisions, the
// types of its inputs and the fractions of their options.
func scoring(r *Rubric, in *Indicator) string {
	if in.IsTodo() || in.Rule == nil {
		return "todo"
	}
	var strip func(x Rule) Rule
	strip = func(x Rule) Rule {
		x.Steps = append([]Step(nil), x.Steps...)
		for i := range x.Steps {
			x.Steps[i].Label = ""
		}
		x.Parts = append([]Part(nil), x.Parts...)
		for i := range x.Parts {
			x.Parts[i].Label = ""
			x.Parts[i].Rule = strip(x.Parts[i].Rule)
		}
		if x.Den != "" {
			x.ZeroDen = r.ZeroDenOf(x)
		}
		return x
	}
	type input struct {
		Key, Type string
		Options   []float64 `json:",omitempty"`
	}
	var ins []input
	for _, x := range in.Inputs {
		i := input{Key: x.Key, Type: string(x.Type)}
		for _, o := range x.Options {
			i.Options = append(i.Options, o.Fraction)
		}
		ins = append(ins, i)
	}
	b, _ := json.Marshal(struct {
		Rule   Rule
		Inputs []input
	}{strip(*in.Rule), ins})
	return string(b)
}
