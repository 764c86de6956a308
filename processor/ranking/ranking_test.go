package ranking_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/ranking"
)

type want struct {
	key   string
	rank  int
	total float64
}

func check(t *testing.T, rk *ranking.Ranking, ws []want) {
	t.Helper()
	if len(rk.Rows) != len(ws) {
		t.Fatalf("%d rows, want %d", len(rk.Rows), len(ws))
	}
	for i, w := range ws {
		r := rk.Rows[i]
		if r.UnitKey != w.key || r.Rank != w.rank || r.Display != w.total {
			t.Errorf("row %d: %s rank %d total %v; want %s rank %d total %v", i, r.UnitKey, r.Rank, r.Display, w.key, w.rank, w.total)
		}
	}
}

func TestBuildHandComputed(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Roster: testkit.CohortUnits, Submissions: testkit.Cohort()})
	check(t, rk, []want{{"C", 1, 50}, {"A", 2, 30}, {"B", 3, 20}, {"D", 3, 20}, {"E", 0, 0}})
	if m := rk.Missing(); len(m) != 1 || m[0].Name != "Xã Yên" || m[0].Submitted {
		t.Errorf("missing %+v", m)
	}
	// Order of the inputs does not matter (pure function of the set).
	rev := testkit.Cohort()
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	var a, b bytes.Buffer
	rk.WriteJSON(&a)
	ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Roster: testkit.CohortUnits, Submissions: rev}).WriteJSON(&b)
	if a.String() != b.String() {
		t.Error("ranking depends on the order of submissions")
	}
}

func TestResubmissionChangesOrder(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	subs := testkit.Cohort()
	subs[1] = testkit.CohortSubmission("B", "Xã Ăn Khê", 1, 10, 0.8) // B corrects its figures: 10 + 20 + 20
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Submissions: subs})
	// minmax over 0.2, 0.8, 0.8, 0.5: A 0, B 20, C 20, D 10 → B 50, C 50 tie; D 10+0+10 = 20.
	check(t, rk, []want{{"B", 1, 50}, {"C", 1, 50}, {"A", 3, 30}, {"D", 4, 20}})
}

func TestAppraisalChangesRanking(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	appraisal := map[string]map[string]float64{"C": {"1.1": 0, "2.2": 5}} // C: 0 + 20 + 5 = 25
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Submissions: testkit.Cohort(), Appraisal: appraisal})
	check(t, rk, []want{{"A", 1, 30}, {"C", 2, 25}, {"B", 3, 20}, {"D", 3, 20}})
	c := rk.Rows[1]
	if !c.Appraised || c.Computed != 50 || c.Result.Indicator("2.2").Computed != 20 || *c.Result.Indicator("2.2").Appraisal != 5 {
		t.Errorf("council row %+v", c)
	}
}

func TestSingleUnitAndAllZero(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Submissions: []ranking.Submission{testkit.CohortSubmission("A", "Xã Bình", 0, 3, 0.4)}})
	check(t, rk, []want{{"A", 1, 40}}) // best and max=min>0: full points on both
	rk = ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Submissions: []ranking.Submission{testkit.CohortSubmission("A", "Xã Bình", 1, 0, 0), testkit.CohortSubmission("B", "Xã Ăn Khê", 1, 0, 0)}})
	check(t, rk, []want{{"B", 1, 10}, {"A", 1, 10}})
}

func TestPreviousYearAndMergedUnit(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	subs := append(testkit.Cohort(), testkit.CohortSubmission("M", "Xã Mới", 1, 10, 0.5))
	prev := map[string]ranking.Previous{"A": {Total: 28, Rank: 3}, "P1": {Total: 40, Rank: 1}, "P2": {Total: 30, Rank: 2}}
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2025, Submissions: subs, Previous: prev, Lineage: map[string][]string{"M": {"P1", "P2", "P3"}}})
	for _, row := range rk.Rows {
		switch row.UnitKey {
		case "A":
			if row.Prev == nil || row.Prev.Total != 28 || row.Prev.Rank != 3 {
				t.Errorf("A prev %+v", row.Prev)
			}
		case "M":
			if row.Prev == nil || row.Prev.Total != 35 || row.Prev.Rank != 0 || !strings.Contains(row.PrevNote, "trung bình") || !strings.Contains(row.PrevNote, "Thiếu") {
				t.Errorf("M prev %+v %q", row.Prev, row.PrevNote)
			}
		case "B":
			if row.Prev != nil {
				t.Errorf("B has no previous year, got %+v", row.Prev)
			}
		}
	}
}

func TestExports(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Cohort: "thu", Roster: testkit.CohortUnits, Submissions: testkit.Cohort()})
	var csvBuf bytes.Buffer
	if err := rk.WriteCSV(&csvBuf); err != nil {
		t.Fatal(err)
	}
	s := csvBuf.String()
	if !strings.HasPrefix(s, "\ufeffHạng,Mã đơn vị,Đơn vị,Tổng điểm") || !strings.Contains(s, "3,B,Xã Ăn Khê,20.00") || !strings.Contains(s, ",E,Xã Yên,") || !strings.Contains(s, "Chưa nộp") {
		t.Errorf("CSV:\n%s", s)
	}
	var js bytes.Buffer
	rk.WriteJSON(&js)
	var back ranking.JSON
	dec := json.NewDecoder(&js)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if back.Units[0].Name != "Xã Cao" || *back.Units[0].Total != 50 || *back.Units[0].Percent != 100 || back.Units[4].Submitted || back.Units[4].Total != nil {
		t.Errorf("JSON %+v", back.Units)
	}
}
