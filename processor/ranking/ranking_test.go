package ranking

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/processor/config"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/rubric"
)

func setup(t *testing.T) (*rubric.Rubric, *engine.Scorer) {
	t.Helper()
	f, err := os.Open("testdata/cohort.yaml")
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

func sub(key, name string, yes, money, pct float64) Submission {
	v := engine.NewValues()
	v.Set("1.1", "a", engine.Num(yes))
	v.Set("2.1", "a", engine.Num(money))
	v.Set("2.2", "a", engine.Num(pct))
	return Submission{UnitKey: key, Code: key, Name: name, Values: v}
}

var units = []config.Unit{
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
func cohort() []Submission {
	return []Submission{
		sub("A", "Xã Bình", 1, 10, 0.2), sub("B", "Xã Ăn Khê", 0, 5, 0.5),
		sub("C", "Xã Cao", 1, 10, 0.8), sub("D", "Xã Đông", 1, 0, 0.5),
	}
}

type want struct {
	key   string
	rank  int
	total float64
}

func check(t *testing.T, rk *Ranking, ws []want) {
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
	r, sc := setup(t)
	rk := Build(sc, Input{Rubric: r, Year: 2023, Roster: units, Submissions: cohort()})
	check(t, rk, []want{{"C", 1, 50}, {"A", 2, 30}, {"B", 3, 20}, {"D", 3, 20}, {"E", 0, 0}})
	if m := rk.Missing(); len(m) != 1 || m[0].Name != "Xã Yên" || m[0].Submitted {
		t.Errorf("missing %+v", m)
	}
	// Order of the inputs does not matter (pure function of the set).
	rev := cohort()
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	var a, b bytes.Buffer
	rk.WriteJSON(&a)
	Build(sc, Input{Rubric: r, Year: 2023, Roster: units, Submissions: rev}).WriteJSON(&b)
	if a.String() != b.String() {
		t.Error("ranking depends on the order of submissions")
	}
}

func TestResubmissionChangesOrder(t *testing.T) {
	r, sc := setup(t)
	subs := cohort()
	subs[1] = sub("B", "Xã Ăn Khê", 1, 10, 0.8) // B corrects its figures: 10 + 20 + 20
	rk := Build(sc, Input{Rubric: r, Year: 2023, Submissions: subs})
	// minmax over 0.2, 0.8, 0.8, 0.5: A 0, B 20, C 20, D 10 → B 50, C 50 tie; D 10+0+10 = 20.
	check(t, rk, []want{{"B", 1, 50}, {"C", 1, 50}, {"A", 3, 30}, {"D", 4, 20}})
}

func TestCouncilChangesRanking(t *testing.T) {
	r, sc := setup(t)
	council := map[string]map[string]float64{"C": {"1.1": 0, "2.2": 5}} // C: 0 + 20 + 5 = 25
	rk := Build(sc, Input{Rubric: r, Year: 2023, Submissions: cohort(), Council: council})
	check(t, rk, []want{{"A", 1, 30}, {"C", 2, 25}, {"B", 3, 20}, {"D", 3, 20}})
	c := rk.Rows[1]
	if !c.Council || c.Computed != 50 || c.Result.Indicator("2.2").Computed != 20 || *c.Result.Indicator("2.2").Council != 5 {
		t.Errorf("council row %+v", c)
	}
}

func TestSingleUnitAndAllZero(t *testing.T) {
	r, sc := setup(t)
	rk := Build(sc, Input{Rubric: r, Year: 2023, Submissions: []Submission{sub("A", "Xã Bình", 0, 3, 0.4)}})
	check(t, rk, []want{{"A", 1, 40}}) // best and max=min>0: full points on both
	rk = Build(sc, Input{Rubric: r, Year: 2023, Submissions: []Submission{sub("A", "Xã Bình", 1, 0, 0), sub("B", "Xã Ăn Khê", 1, 0, 0)}})
	check(t, rk, []want{{"B", 1, 10}, {"A", 1, 10}})
}

func TestPreviousYearAndMergedUnit(t *testing.T) {
	r, sc := setup(t)
	subs := append(cohort(), sub("M", "Xã Mới", 1, 10, 0.5))
	prev := map[string]Previous{"A": {Total: 28, Rank: 3}, "P1": {Total: 40, Rank: 1}, "P2": {Total: 30, Rank: 2}}
	rk := Build(sc, Input{Rubric: r, Year: 2025, Submissions: subs, Previous: prev, Lineage: map[string][]string{"M": {"P1", "P2", "P3"}}})
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
	r, sc := setup(t)
	rk := Build(sc, Input{Rubric: r, Year: 2023, Cohort: "thu", Roster: units, Submissions: cohort()})
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
	var back JSON
	dec := json.NewDecoder(&js)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if back.Units[0].Name != "Xã Cao" || *back.Units[0].Total != 50 || *back.Units[0].Percent != 100 || back.Units[4].Submitted || back.Units[4].Total != nil {
		t.Errorf("JSON %+v", back.Units)
	}
}
