package scorecard_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/scorecard"
)

// cardRubric: pillar 1 with tasks at every level, pillar 2 with a method,
// nothing, and a cohort-relative indicator, an optional pillar 3 and a
// 0-point pillar 4.
const cardRubric = `
id: test-card
name: Bộ chỉ số thử phiếu
level: xa
province: Thử
year: 2023
seed: synthetic
max: 60
general:
  - {key: so_ho, label: Tổng số hộ, type: count}
  - {key: uu_tien, label: Có lĩnh vực ưu tiên, type: yes_no, optional: true}
pillars:
  - code: "1"
    name: Một
    max: 30
    task: Nhiệm vụ trụ cột 1
    lead: Văn phòng
    indicators:
      - {code: "1.1", name: Có kế hoạch, max: 10, task: Nhiệm vụ 1.1, officer: Công chức A, inputs: [{key: a, label: a, type: yes_no}], rule: {kind: yes_no, input: a}}
      - {code: "1.2", name: Tỷ lệ hộ, max: 10, inputs: [{key: a, label: a, type: count}], rule: {kind: ratio, num: a, den: so_ho}}
      - code: "1.3"
        name: Cha
        max: 10
        task: Nhiệm vụ 1.3
        rule: {kind: children}
        children:
          - {code: "1.3.1", name: Con, max: 10, inputs: [{key: a, label: a, type: yes_no}], rule: {kind: yes_no, input: a}}
  - code: "2"
    name: Hai
    max: 30
    indicators:
      - {code: "2.1", name: Có cổng, max: 10, method: "- Có: Điểm tối đa.", inputs: [{key: a, label: a, type: yes_no}], rule: {kind: yes_no, input: a}}
      - {code: "2.2", name: Không lời, max: 10, inputs: [{key: a, label: a, type: yes_no}], rule: {kind: yes_no, input: a}}
      - {code: "2.3", name: Kinh phí, max: 10, inputs: [{key: a, label: a, type: money}], rule: {kind: cohort, value: a, method: best}}
  - code: "3"
    name: Ưu tiên
    max: 10
    optional: true
    applies_if: uu_tien
    indicators:
      - {code: "3.1", name: Ưu tiên một, max: 10, inputs: [{key: a, label: a, type: yes_no}], rule: {kind: yes_no, input: a}}
  - code: "4"
    name: Tham khảo
    max: 0
    indicators:
      - {code: "4.1", name: Chỉ để biết, max: 0, inputs: [{key: a, label: a, type: yes_no}], rule: {kind: reference}}
`

// unit are one unit's figures: yes/no answers by indicator, the 1.2
// count (-1: missing), the 2.3 money, whether pillar 3 applies.
type unit struct {
	yes      map[string]bool
	count    float64
	money    float64
	optional bool
}

func all(codes ...string) map[string]bool {
	m := map[string]bool{}
	for _, c := range codes {
		m[c] = true
	}
	return m
}

func score(t *testing.T, sc *engine.Scorer, u unit, invalid ...string) *engine.Result {
	t.Helper()
	v := engine.NewValues()
	v.General["so_ho"] = engine.Num(100)
	if u.optional {
		v.General["uu_tien"] = engine.Num(1)
	}
	for _, c := range []string{"1.1", "1.3.1", "2.1", "2.2", "3.1", "4.1"} {
		y := 0.0
		if u.yes[c] {
			y = 1
		}
		v.Set(c, "a", engine.Num(y))
	}
	if u.count >= 0 {
		v.Set("1.2", "a", engine.Num(u.count))
	}
	v.Set("2.3", "a", engine.Num(u.money))
	res := sc.Score(v)
	sc.Invalidate(res, invalid)
	return res
}

func parse(t *testing.T) (*rubric.Rubric, *engine.Scorer) {
	t.Helper()
	r, err := rubric.Parse(strings.NewReader(cardRubric), "card.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := engine.New(r)
	if err != nil {
		t.Fatal(err)
	}
	return r, sc
}

func TestBuild(t *testing.T) {
	r, sc := parse(t)
	type pillar struct {
		code                  string
		points, average, best float64
		units                 int
		applies               bool
	}
	type lost struct {
		code   string
		lost   float64
		from   scorecard.TaskSource
		task   string
		reason string
	}
	for _, tc := range []struct {
		name    string
		unit    unit
		invalid []string
		cohort  []unit
		settled bool
		// want
		total, average, best float64
		rank, of, tied       int
		pillars              []pillar
		lost                 []lost
		unsettled            []string
	}{
		{
			name: "alone in its cohort",
			unit: unit{yes: all("1.1", "2.1"), count: 50, money: 5}, settled: true,
			// 10 + 5 + 0 | 10 + 0 + 10 (best of itself)
			total: 35, average: 35, best: 35, rank: 1, of: 1,
			pillars: []pillar{{"1", 15, 15, 15, 1, true}, {"2", 20, 20, 20, 1, true}, {"3", 0, 0, 0, 0, false}, {"4", 0, 0, 0, 1, true}},
			// 1.3.1 and 2.2 lose 10 each (rubric order), then 1.2 loses 5.
			lost: []lost{
				{"1.3.1", 10, scorecard.TaskRubric, "Nhiệm vụ 1.3", ""},
				{"2.2", 10, scorecard.TaskNone, "", ""},
				{"1.2", 5, scorecard.TaskRubric, "Nhiệm vụ trụ cột 1", ""},
			},
		},
		{
			name: "ties: rank shared, lost in rubric order",
			unit: unit{yes: all("1.1", "1.3.1"), count: 100, money: 10},
			cohort: []unit{
				{yes: all("1.1", "1.3.1", "2.1", "2.2"), count: 100, money: 0},                 // 30 + 20 + 0 = 50
				{yes: all("1.1", "1.3.1"), count: 100, money: 10},                              // 30 + 0 + 10 = 40, ties the unit
				{yes: all("1.1", "1.3.1", "2.1", "3.1"), count: 100, money: 5, optional: true}, // 30 + 10 + 5 + 10 = 55
			},
			settled: true,
			total:   40, average: (40 + 50 + 40 + 55) / 4.0, best: 55, rank: 3, of: 4, tied: 1,
			pillars: []pillar{
				{"1", 30, 30, 30, 4, true},
				{"2", 10, (10 + 20 + 10 + 15) / 4.0, 20, 4, true},
				{"3", 0, 10, 10, 1, false},
				{"4", 0, 0, 0, 4, true},
			},
			lost: []lost{
				{"2.1", 10, scorecard.TaskMethod, "- Có: Điểm tối đa.", ""},
				{"2.2", 10, scorecard.TaskNone, "", ""},
			},
		},
		{
			name: "figures with errors do not score, missing figures",
			unit: unit{yes: all("1.1", "1.3.1", "2.1", "2.2"), count: -1, money: 10}, invalid: []string{"1.1"},
			cohort:  []unit{{yes: all("1.1"), count: 100, money: 20}},
			settled: true,
			// 0 (invalid) + 0 (missing) + 10 | 10 + 10 + 5
			// A: 10 + 10 + 0 | 0 + 0 + 10
			total: 35, average: (35 + 30) / 2.0, best: 35, rank: 1, of: 2,
			pillars: []pillar{{"1", 10, 15, 20, 2, true}, {"2", 25, 17.5, 25, 2, true}, {"3", 0, 0, 0, 0, false}, {"4", 0, 0, 0, 2, true}},
			lost: []lost{
				{"1.1", 10, scorecard.TaskRubric, "Nhiệm vụ 1.1", "Số liệu không hợp lệ: không tính điểm cho đến khi sửa"},
				{"1.2", 10, scorecard.TaskRubric, "Nhiệm vụ trụ cột 1", "Thiếu số liệu: a"},
				{"2.3", 5, scorecard.TaskNone, "", ""},
			},
		},
		{
			name:  "cohort not settled: Min-Max left out of the lost",
			unit:  unit{yes: all("1.1", "1.3.1", "2.1", "2.2"), count: 100, money: 0},
			total: 50, average: 50, best: 50, rank: 1, of: 1,
			pillars:   []pillar{{"1", 30, 30, 30, 1, true}, {"2", 20, 20, 20, 1, true}, {"3", 0, 0, 0, 0, false}, {"4", 0, 0, 0, 1, true}},
			unsettled: []string{"2.3"},
		},
		{
			name: "more than five lost",
			unit: unit{count: 0, money: 0, optional: true}, settled: true,
			total: 0, average: 0, best: 0, rank: 1, of: 1,
			pillars: []pillar{{"1", 0, 0, 0, 1, true}, {"2", 0, 0, 0, 1, true}, {"3", 0, 0, 0, 1, true}, {"4", 0, 0, 0, 1, true}},
			// 2.3 (best of a cohort whose best is 0) scores 0 too: seven
			// leaves lose 10, the first five in rubric order are listed.
			lost: []lost{
				{"1.1", 10, scorecard.TaskRubric, "Nhiệm vụ 1.1", ""},
				{"1.2", 10, scorecard.TaskRubric, "Nhiệm vụ trụ cột 1", ""},
				{"1.3.1", 10, scorecard.TaskRubric, "Nhiệm vụ 1.3", ""},
				{"2.1", 10, scorecard.TaskMethod, "- Có: Điểm tối đa.", ""},
				{"2.2", 10, scorecard.TaskNone, "", ""},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := score(t, sc, tc.unit, tc.invalid...)
			results := []*engine.Result{res}
			cohort := []scorecard.Entry{{Key: "U", Code: "U", Name: "Xã Thử", Result: res}} // listed: counted once
			for i, u := range tc.cohort {
				o := score(t, sc, u)
				results = append(results, o)
				cohort = append(cohort, scorecard.Entry{Key: string(rune('A' + i)), Name: "Xã " + string(rune('A'+i)), Result: o})
			}
			if tc.settled {
				sc.Settle(results)
			}
			c, err := scorecard.Build(scorecard.Input{Rubric: r, Year: 2023, Unit: cohort[0], Cohort: cohort, Office: "UBND huyện Thử",
				Settled: tc.settled})
			if err != nil {
				t.Fatal(err)
			}
			near := func(what string, got, want float64) {
				t.Helper()
				if math.Abs(got-want) > 1e-9 {
					t.Errorf("%s = %v, want %v", what, got, want)
				}
			}
			near("total", c.Total, tc.total)
			near("average", c.Average, tc.average)
			near("best", c.Best, tc.best)
			if c.Rank != tc.rank || c.Of != tc.of || c.Tied != tc.tied {
				t.Errorf("rank %d/%d tied with %d, want %d/%d tied with %d", c.Rank, c.Of, c.Tied, tc.rank, tc.of, tc.tied)
			}
			if want := map[bool]float64{false: 60, true: 70}[tc.unit.optional]; c.Max != want { // the optional pillar counts where it applies
				t.Errorf("max %v, want %v", c.Max, want)
			}
			if len(c.Pillars) != len(tc.pillars) {
				t.Fatalf("pillars %+v", c.Pillars)
			}
			for i, w := range tc.pillars {
				p := c.Pillars[i]
				if p.Code != w.code || p.Applies != w.applies || p.Units != w.units {
					t.Errorf("pillar %+v, want %+v", p, w)
				}
				near("pillar "+w.code+" points", p.Points, w.points)
				near("pillar "+w.code+" average", p.Average, w.average)
				near("pillar "+w.code+" best", p.Best, w.best)
			}
			var got []lost
			for _, l := range c.Lost {
				got = append(got, lost{l.Code, l.Lost, l.TaskFrom, l.Task, l.Reason})
			}
			if !slices.Equal(got, tc.lost) {
				t.Errorf("lost\n got %+v\nwant %+v", got, tc.lost)
			}
			if !slices.Equal(c.Unsettled, tc.unsettled) {
				t.Errorf("unsettled %v, want %v", c.Unsettled, tc.unsettled)
			}
		})
	}
}

func TestBuildOfficersAndMark(t *testing.T) {
	r, sc := parse(t)
	res := score(t, sc, unit{count: 100, money: 1})
	sc.Settle([]*engine.Result{res})
	c, err := scorecard.Build(scorecard.Input{Rubric: r, Unit: scorecard.Entry{Key: "U", Result: res}, Final: true, Version: 2, Settled: true})
	if err != nil {
		t.Fatal(err)
	}
	if c.Lost[0].Code != "1.1" || c.Lost[0].Lead != "Văn phòng" || c.Lost[0].Officer != "Công chức A" {
		t.Errorf("1.1: %+v", c.Lost[0])
	}
	if m := c.Mark(); m != "CHÍNH THỨC (bản số 2)" {
		t.Errorf("mark %q", m)
	}
	c.Final = false
	if m := c.Mark(); m != "TẠM TÍNH" {
		t.Errorf("mark %q", m)
	}
}

func TestBuildErrors(t *testing.T) {
	r, sc := parse(t)
	res := score(t, sc, unit{})
	other, _ := testkit.CohortRubric(t)
	osc, _ := engine.New(other)
	for _, tc := range []struct {
		name string
		in   scorecard.Input
		want error
	}{
		{"no score", scorecard.Input{Rubric: r, Unit: scorecard.Entry{Name: "Xã Thử"}}, scorecard.ErrNoResult},
		{"a cohort unit without score", scorecard.Input{Rubric: r, Unit: scorecard.Entry{Key: "U", Result: res}, Cohort: []scorecard.Entry{{Key: "A"}}}, scorecard.ErrNoResult},
		{"another rubric", scorecard.Input{Rubric: other, Unit: scorecard.Entry{Key: "U", Result: res}}, scorecard.ErrRubric},
		{"a cohort unit of another rubric", scorecard.Input{Rubric: r, Unit: scorecard.Entry{Key: "U", Result: res},
			Cohort: []scorecard.Entry{{Key: "A", Result: osc.Score(engine.NewValues())}}}, scorecard.ErrRubric},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := scorecard.Build(tc.in); !errors.Is(err, tc.want) {
				t.Errorf("err %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := scorecard.Build(scorecard.Input{Unit: scorecard.Entry{Result: res}}); err == nil {
		t.Error("no rubric: no error")
	}
}

// TestFromRanking: the cards of the small ranked cohort follow the
// ranking: its order, its ranks (ties shared), the council's score, the
// statuses; the rubric states no task, so the method is not there either
// and nothing is said.
func TestFromRanking(t *testing.T) {
	r, rk := testkit.RankedCohort(t)
	cards, err := scorecard.FromRanking(rk, r, "UBND huyện Thử")
	if err != nil {
		t.Fatal(err)
	}
	ranked := rk.Ranked()
	if len(cards) != len(ranked) {
		t.Fatalf("%d cards for %d ranked units", len(cards), len(ranked))
	}
	for i, c := range cards {
		row := ranked[i]
		if c.UnitKey != row.UnitKey || c.Name != row.Name || c.Rank != row.Rank || c.Of != len(ranked) || c.Total != row.Final ||
			c.Status != row.Status.Label() || c.Office != "UBND huyện Thử" || c.Year != 2024 || c.Final {
			t.Errorf("card %d %+v for row %+v", i, c, row)
		}
		// Totals 35, 30, 20, 20.
		if c.Average != 26.25 || c.Best != 35 {
			t.Errorf("%s: average %v best %v", c.Name, c.Average, c.Best)
		}
	}
	// C: the council's 5 on 2.2 (of 20) is said.
	c := cards[0]
	if c.UnitKey != "C" || len(c.Lost) != 1 || c.Lost[0].Code != "2.2" || c.Lost[0].Lost != 15 || !strings.Contains(c.Lost[0].Reason, "thẩm định") {
		t.Errorf("C: %+v", c.Lost)
	}
	// Ranks 1, 2, 3, 3.
	var ranks []int
	for _, c := range cards {
		ranks = append(ranks, c.Rank)
	}
	if !slices.Equal(ranks, []int{1, 2, 3, 3}) {
		t.Errorf("ranks %v", ranks)
	}
	fin := *rk
	fin.Final, fin.Version = true, 1
	cards, _ = scorecard.FromRanking(&fin, r, "")
	if !cards[0].Final || cards[0].Mark() != "CHÍNH THỨC (bản số 1)" {
		t.Errorf("final: %+v", cards[0])
	}
}

// TestFromRankingLarge: on a large random cohort of a shipped rubric, the
// cards' ranks are the ranking's, ties included, and an empty ranking has
// no card.
func TestFromRankingLarge(t *testing.T) {
	r := testkit.Rubric(t, "thanhhoa-xa-2023")
	sc, err := engine.New(r)
	if err != nil {
		t.Fatal(err)
	}
	in := testkit.RandomCohort(r, 300, 3)
	rk := ranking.Build(sc, in)
	cards, err := scorecard.FromRanking(rk, r, "UBND tỉnh Thử")
	if err != nil {
		t.Fatal(err)
	}
	ties := 0
	for i, row := range rk.Ranked() {
		if cards[i].UnitKey != row.UnitKey || cards[i].Rank != row.Rank || cards[i].Of != 300 {
			t.Fatalf("card %d: %s rank %d/%d, row %s rank %d", i, cards[i].UnitKey, cards[i].Rank, cards[i].Of, row.UnitKey, row.Rank)
		}
		if i > 0 && row.Rank == rk.Ranked()[i-1].Rank {
			ties++
		}
		tied := -1
		for _, o := range rk.Ranked() {
			if o.Rank == row.Rank {
				tied++
			}
		}
		if cards[i].Tied != tied {
			t.Errorf("%s: tied with %d, want %d", row.UnitKey, cards[i].Tied, tied)
		}
	}
	t.Logf("%d ties", ties)
	in.Submissions = nil
	if cards, err := scorecard.FromRanking(ranking.Build(sc, in), r, ""); err != nil || len(cards) != 0 {
		t.Errorf("no submission: %v, %v", cards, err)
	}
}
