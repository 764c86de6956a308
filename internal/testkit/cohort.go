package testkit

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
)

// A small cohort on a three-indicator rubric (testdata/cohort.yaml), with
// scores computed by hand, for the ranking and its outputs.

// CohortRubric is the rubric of the small cohort and its scorer.
func CohortRubric(t testing.TB) (*rubric.Rubric, *engine.Scorer) {
	t.Helper()
	f, err := os.Open(filepath.Join(Dir(), "testdata", "cohort.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := rubric.Parse(f, "cohort.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := engine.New(r)
	if err != nil {
		t.Fatal(err)
	}
	return r, sc
}

// CohortSubmission is one unit's submission to the small cohort.
func CohortSubmission(key, name string, yes, money, pct float64) ranking.Submission {
	v := engine.NewValues()
	v.Set("1.1", "a", engine.Num(yes))
	v.Set("2.1", "a", engine.Num(money))
	v.Set("2.2", "a", engine.Num(pct))
	return ranking.Submission{UnitKey: key, Code: key, Name: name, Values: v}
}

// CohortUnits is the small cohort's roster: A to D submit, E does not.
var CohortUnits = []roster.Unit{
	{Code: "A", Name: "Xã Bình"}, {Code: "B", Name: "Xã Ăn Khê"}, {Code: "C", Name: "Xã Cao"},
	{Code: "D", Name: "Xã Đông"}, {Code: "E", Name: "Xã Yên"},
}

// The cohort, by hand: best(2.1) over 10, 5, 10, 0 → 20, 10, 20, 0;
// minmax(2.2) over 0.2, 0.5, 0.8, 0.5 → 0, 10, 20, 10.
//
//	A Xã Bình:   10 + 20 + 0  = 30
//	B Xã Ăn Khê:  0 + 10 + 10 = 20
//	C Xã Cao:    10 + 20 + 20 = 50
//	D Xã Đông:   10 +  0 + 10 = 20
//
// Ranks: C 1, A 2, then B and D tie at 3 — "Ăn Khê" before "Đông"
// (Vietnamese order; byte order would also differ for Ă against B).
func Cohort() []ranking.Submission {
	return []ranking.Submission{
		CohortSubmission("A", "Xã Bình", 1, 10, 0.2), CohortSubmission("B", "Xã Ăn Khê", 0, 5, 0.5),
		CohortSubmission("C", "Xã Cao", 1, 10, 0.8), CohortSubmission("D", "Xã Đông", 1, 0, 0.5),
	}
}

// RankedCohort is the small cohort with an
// appraisal, a previous year, a merged unit, problems, submission times
// (C and D late), and two roster units that have not submitted (one named
// like a formula).
//
// The council gives C 5 instead of 20 on 2.2: C 10 + 20 + 5 = 35.
// Ranks: C 1 (35), A 2 (30), B 3 and D 3 (20, Ăn Khê before Đông).
// Previous year: A 28 rank 3, C 45 rank 1, D 22 rank 2; B is merged from
// P1 (20) and P2 (30): 25, no rank.
func RankedCohort(t testing.TB) (*rubric.Rubric, *ranking.Ranking) {
	t.Helper()
	r, sc := CohortRubric(t)
	subs := Cohort()
	at := time.Date(2023, 12, 1, 1, 0, 0, 0, time.UTC) // 08:00 in Vietnam
	for i := range subs {
		subs[i].SubmittedAt = at.Add(time.Duration(i) * 26 * time.Hour)
		subs[i].FileID = int64(i + 1)
	}
	subs[0].Problems = []problem.Problem{
		{Severity: problem.Warning, Code: "w", Indicator: "2.1", Cell: "Chỉ số!E12", Message: "Kinh phí 10 triệu đồng cao bất thường: kiểm tra lại."},
		{Severity: problem.Info, Code: "i", Message: "Chỉ để biết."},
	}
	subs[3].Problems = []problem.Problem{
		// An error on a self-score: the figures, and so the hand-computed
		// scores, stand (an error on a figure would make 2.2 score 0).
		{Severity: problem.Error, Code: "e", Indicator: "2.2", Input: "tu_cham", Cell: "Chỉ số!H14", Message: "=1+1 không phải là điểm tự chấm: nhập số từ 0 đến 20."},
	}
	// The deadline is 2 December: C and D are late (D has an error too).
	deadline := time.Date(2023, 12, 2, 17, 0, 0, 0, time.UTC) // 3 December 00:00 in Vietnam
	for i := range subs {
		subs[i].Late = !subs[i].SubmittedAt.Before(deadline)
	}
	roster := append(slices.Clone(CohortUnits), roster.Unit{Code: "F", Name: "=SUM(1,2)", Contact: "Lê Văn Tư", Phone: "0912345678", Email: "tu@example.vn"})
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2024, Cohort: "thu", Roster: roster, Submissions: subs, Deadline: deadline,
		Appraisal: map[string]map[string]float64{"C": {"2.2": 5}},
		Previous:  map[string]ranking.Previous{"A": {Total: 28, Rank: 3}, "C": {Total: 45, Rank: 1}, "D": {Total: 22, Rank: 2}, "P1": {Total: 20, Rank: 4}, "P2": {Total: 30, Rank: 5}},
		Lineage:   map[string][]string{"B": {"P1", "P2"}},
		Attempts:  map[string][]string{"F": {"f1.xlsx (02/12/2023): không phải mẫu của bộ chỉ số", "f2.xlsx (03/12/2023): tệp bị hỏng"}},
	})
	return r, rk
}

// RandomCohort makes n submitting units (and missing more that did not),
// with random figures, a few problems, some appraisals and a previous year.
func RandomCohort(r *rubric.Rubric, n, missing int) ranking.Input {
	rng := rand.New(rand.NewPCG(1, 2))
	in := ranking.Input{Rubric: r, Year: 2025, Cohort: "ca-nuoc", Appraisal: map[string]map[string]float64{}, Previous: map[string]ranking.Previous{},
		Attempts: map[string][]string{}}
	random := func(x rubric.Input) engine.Value {
		switch x.Type {
		case rubric.YesNo:
			return engine.Num(float64(rng.IntN(2)))
		case rubric.Pct:
			return engine.Num(rng.Float64())
		case rubric.Choice:
			if len(x.Options) == 0 {
				return engine.Value{}
			}
			o := x.Options[rng.IntN(len(x.Options))]
			return engine.Value{Set: true, Num: o.Fraction, Choice: o.Key}
		case rubric.Text:
			return engine.Value{Set: true, Text: "x"}
		}
		return engine.Num(float64(rng.IntN(200)))
	}
	for i := range n + missing {
		code := fmt.Sprintf("X%04d", i)
		in.Roster = append(in.Roster, roster.Unit{Code: code, Name: fmt.Sprintf("Xã Thử %04d", i), Phone: "09" + strconv.Itoa(10000000+i)})
		if i >= n {
			in.Attempts[code] = []string{"x.xlsx: không đọc được"}
			continue
		}
		v := engine.NewValues()
		for _, g := range r.General {
			v.General[g.Key] = random(g)
		}
		var codes []string
		r.Walk(func(p *rubric.Pillar, ind *rubric.Indicator) {
			if len(ind.Children) == 0 {
				codes = append(codes, ind.Code)
			}
			for _, x := range ind.Inputs {
				v.Set(ind.Code, x.Key, random(x))
			}
		})
		s := ranking.Submission{UnitKey: code, Code: code, Name: fmt.Sprintf("Xã Thử %04d", i), FileID: int64(i),
			SubmittedAt: time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(rng.IntN(30*24)) * time.Hour), Values: v}
		for range rng.IntN(4) {
			s.Problems = append(s.Problems, problem.Problem{Severity: problem.Warning, Indicator: codes[rng.IntN(len(codes))],
				Cell: "Chỉ số!E" + strconv.Itoa(6+rng.IntN(80)), Message: "Số liệu bất thường so với năm trước: kiểm tra lại và ghi rõ nguồn trong cột Giải trình."})
		}
		in.Submissions = append(in.Submissions, s)
		if rng.IntN(20) == 0 {
			in.Appraisal[code] = map[string]float64{codes[rng.IntN(len(codes))]: 0}
		}
		in.Previous[code] = ranking.Previous{Total: rng.Float64() * 100, Rank: 1 + rng.IntN(n)}
	}
	return in
}
