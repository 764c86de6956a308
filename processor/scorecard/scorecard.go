// Package scorecard computes a unit's one-page result (phiếu kết quả): its
// total and rank in its cohort, each pillar against the cohort's average
// and best, and the indicators where it lost the most points, each with
// what the rubric asks the unit to do. It is pure: no I/O, no clock; the
// workbook package prints a Card.
//
// # The cohort
//
// The cohort is the units of the same collection scored on the same
// rubric, the unit among them: the units a ranking ranks (see
// [FromRanking]), or whatever set of scored units the caller has
// ([Build]). Averages and bests are over those units; a pillar that does
// not apply to a unit (an optional Quảng Trị table) counts only over the
// units it applies to. The rank is the ranking's: competition style (1, 2,
// 2, 4) on totals rounded to 2 decimals. A unit alone in its cohort is
// first of one, its own average and best.
//
// # Points lost
//
// Lost lists at most [MaxLost] leaf indicators by points lost (maximum −
// points, at display precision), most first, ties in rubric order; an
// indicator that lost nothing is not listed. Reference (0-point)
// indicators are not, nor those of a pillar that does not apply to the
// unit, nor cohort-relative (Min-Max) ones until the cohort
// is settled (their 0 then says nothing); indicators whose figures are
// impossible are, with the reason (they score 0 until corrected).
//
// The task shown with each is the rubric's "task" (nhiệm vụ) of the
// indicator, else of its parent, else of its pillar, with the lead office
// and the officer responsible. Of the shipped rubrics only xuanlac-xa-2023
// states tasks; for the others the card shows the indicator's scoring
// method as the rubric prints it (Method, "cách xác định và tính điểm"):
// it is the one text in those rubrics that says what earns the points, so
// it is what the unit has to achieve. TaskFrom says which was used.
package scorecard

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/rubric"
)

// MaxLost is the number of indicators a card lists.
const MaxLost = 5

// Card is one unit's one-page result.
type Card struct {
	UnitKey, Code, Name  string
	Year                 int
	RubricID, RubricName string
	Level                rubric.Level // of the units the rubric assesses
	// Office is the consolidating office as people read it ("UBND huyện
	// Triệu Sơn"), never a file-name slug.
	Office string
	// Final: the card of an official ranking (CHÍNH THỨC), version Version;
	// otherwise provisional (TẠM TÍNH).
	Final   bool
	Version int
	// Status is the unit's status as people read it ("Đã nộp", "Nộp
	// muộn"…); "" when not known.
	Status string
	// Total and Max are the unit's total and the rubric's maximum; Rank is
	// its rank among Of units (the cohort, the unit included), shared with
	// Tied others (the same total at display precision).
	Total, Max     float64
	Rank, Of, Tied int
	// Average and Best are the cohort's mean and highest total.
	Average, Best float64
	Pillars       []Pillar
	// Lost are the indicators where the unit lost the most points.
	Lost []Lost
	// Unsettled lists the cohort-relative indicators left out of Lost
	// because the cohort is not settled yet.
	Unsettled []string
	// Basis says, when it is not the ranking's own cohort, which units
	// the rank and the comparisons are over (see Standing).
	Basis string
	// Generated is when the card was made (zero: not said), shown in Zone.
	Generated time.Time
	Zone      *time.Location
}

// Pillar is one pillar of a card.
type Pillar struct {
	Code, Name string
	Max        float64
	Points     float64
	// Applies is false for an optional pillar that does not apply to the
	// unit: its points do not count.
	Applies bool
	// Average and Best are over the Units units of the cohort the pillar
	// applies to (0 when none).
	Average, Best float64
	Units         int
}

// TaskSource says where a Lost's Task comes from.
type TaskSource int

// Task sources.
const (
	TaskNone   TaskSource = iota // the rubric has neither a task nor a method
	TaskRubric                   // the rubric's task (nhiệm vụ)
	TaskMethod                   // the indicator's scoring method, for want of a task
)

// Lost is an indicator where the unit lost points.
type Lost struct {
	Code, Name string
	Pillar     string // its pillar's code
	Max        float64
	Points     float64
	Lost       float64 // Max − Points at display precision
	Status     engine.Status
	// Reason says briefly why, when it is not simply a lower figure:
	// missing or impossible figures, a zero denominator, the council's
	// score.
	Reason        string
	Task          string
	TaskFrom      TaskSource
	Lead, Officer string
}

// Mark says what the card is, as its title shows it: "TẠM TÍNH" or
// "CHÍNH THỨC (bản số 2)".
func (c *Card) Mark() string {
	if !c.Final {
		return "TẠM TÍNH"
	}
	if c.Version > 0 {
		return fmt.Sprintf("CHÍNH THỨC (bản số %d)", c.Version)
	}
	return "CHÍNH THỨC"
}

// Entry is one scored unit of a cohort.
type Entry struct {
	Key, Code, Name string
	Result          *engine.Result
}

// Input is what a card is built from.
type Input struct {
	Rubric *rubric.Rubric
	Year   int
	Unit   Entry
	// Cohort holds the scored units of the cohort; the unit counts once
	// whether it is listed (by Key) or not.
	Cohort []Entry
	Office string
	Final  bool
	// Version of the official ranking (with Final).
	Version int
	Status  string
	// Settled: the cohort-relative indicators are settled over the cohort
	// (as a ranking settles them). When false, those indicators are left
	// out of Lost and listed in Unsettled.
	Settled   bool
	Generated time.Time
	Zone      *time.Location
}

// Errors of Build.
var (
	ErrNoResult = errors.New("scorecard: no score")
	ErrRubric   = errors.New("scorecard: scored on another rubric")
)

// Build computes a unit's card.
func Build(in Input) (Card, error) {
	r, u := in.Rubric, in.Unit
	if r == nil {
		return Card{}, errors.New("scorecard: no rubric")
	}
	cohort := []Entry{u}
	for _, e := range in.Cohort {
		if e.Key != u.Key || e.Key == "" {
			cohort = append(cohort, e)
		}
	}
	st, err := newStats(r, cohort)
	if err != nil {
		return Card{}, err
	}
	return st.card(in), nil
}

// stats are a cohort's totals and pillars, computed once for all its
// cards.
type stats struct {
	totals  []float64 // displayed totals, highest first
	sum     float64
	best    float64
	pillars map[string]*pillarStats
}

type pillarStats struct {
	units     int
	sum, best float64
}

func newStats(r *rubric.Rubric, cohort []Entry) (*stats, error) {
	st := &stats{pillars: map[string]*pillarStats{}}
	for _, e := range cohort {
		if err := st.addResult(r, e); err != nil {
			return nil, err
		}
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(st.totals)))
	return st, nil
}

// addResult counts a scored unit (st.totals is sorted after the last).
func (st *stats) addResult(r *rubric.Rubric, e Entry) error {
	res := e.Result
	if res == nil {
		return fmt.Errorf("%w for %s", ErrNoResult, e.Name)
	}
	if res.RubricID != r.ID {
		return fmt.Errorf("%w: %s, not %s", ErrRubric, res.RubricID, r.ID)
	}
	st.addTotal(engine.Round2(res.Total), res.Total)
	for _, pr := range res.Pillars {
		if !pr.Optional || pr.Applies {
			st.addPillar(pr.Code, pr.Points)
		}
	}
	return nil
}

// addRows counts the ranked rows of rk, but the unit skip's.
func (st *stats) addRows(rk *ranking.Ranking, skip string) {
	for _, row := range rk.Ranked() {
		if skip != "" && row.UnitKey == skip {
			continue
		}
		st.addTotal(row.Display, row.Final)
		for k, p := range rk.Pillars {
			if points := row.Pillars[k]; !math.IsNaN(points) { // NaN: an optional pillar that does not apply
				st.addPillar(p.Code, points)
			}
		}
	}
}

func (st *stats) addTotal(display, total float64) {
	if len(st.totals) == 0 || total > st.best {
		st.best = total
	}
	st.totals = append(st.totals, display)
	st.sum += total
}

func (st *stats) addPillar(code string, points float64) {
	ps := st.pillars[code]
	if ps == nil {
		ps = &pillarStats{best: points}
		st.pillars[code] = ps
	}
	ps.units++
	ps.sum += points
	ps.best = max(ps.best, points)
}

// card is in.Unit's card in the cohort of st (which counts it).
func (st *stats) card(in Input) Card {
	r, u, res := in.Rubric, in.Unit, in.Unit.Result
	c := Card{UnitKey: u.Key, Code: u.Code, Name: u.Name, Year: in.Year, RubricID: r.ID, RubricName: r.Name, Level: r.Level, Office: in.Office,
		Final: in.Final, Version: in.Version, Status: in.Status, Total: res.Total, Max: res.Max, Of: len(st.totals),
		Average: st.sum / float64(len(st.totals)), Best: st.best, Generated: in.Generated, Zone: in.Zone}
	// Competition rank on the displayed totals, as the ranking ranks: one
	// more than the units ahead.
	mine := engine.Round2(res.Total)
	ahead := sort.Search(len(st.totals), func(i int) bool { return st.totals[i] <= mine })
	c.Rank = 1 + ahead
	c.Tied = sort.Search(len(st.totals), func(i int) bool { return st.totals[i] < mine }) - ahead - 1
	for _, pr := range res.Pillars {
		p := Pillar{Code: pr.Code, Name: pr.Name, Max: pr.Max, Points: pr.Points, Applies: !pr.Optional || pr.Applies}
		if ps := st.pillars[pr.Code]; ps != nil {
			p.Units, p.Average, p.Best = ps.units, ps.sum/float64(ps.units), ps.best
		}
		c.Pillars = append(c.Pillars, p)
	}
	c.Lost, c.Unsettled = lost(r, res, in.Settled)
	return c
}

// lost returns the MaxLost indicators that lost the most points, and the
// cohort-relative ones left out because the cohort is not settled.
func lost(r *rubric.Rubric, res *engine.Result, settled bool) ([]Lost, []string) {
	out, unsettled := Losses(r, res, settled)
	if len(out) > MaxLost {
		out = out[:MaxLost]
	}
	return out, unsettled
}

// Losses lists the leaf indicators that lost points (maximum − points, in
// displayed precision), most first, ties in rubric order, with why and who
// is responsible; and the cohort-relative ones left out because the cohort
// is not settled (their 0 says nothing yet). Indicators of an optional
// pillar that does not apply to the unit, and reference ones, are not
// listed. The scorecard shows the first MaxLost; the result's improvement
// plan more.
func Losses(r *rubric.Rubric, res *engine.Result, settled bool) ([]Lost, []string) {
	var out []Lost
	var unsettled []string
	for i := range res.Indicators {
		ir := &res.Indicators[i]
		if !ir.Leaf || ir.Status == engine.StatusReference {
			continue
		}
		if pr := res.Pillar(ir.Pillar); pr != nil && pr.Optional && !pr.Applies {
			continue // a table that does not apply to the unit
		}
		if ir.Status == engine.StatusPending || (ir.Status == engine.StatusSettled && !settled) {
			unsettled = append(unsettled, ir.Code)
			continue
		}
		loss := engine.Round2(engine.Round2(ir.Max) - engine.Round2(ir.Points))
		if loss <= 0 {
			continue
		}
		p, ind := r.Indicator(ir.Code)
		if ind == nil {
			continue
		}
		l := Lost{Code: ir.Code, Name: ir.Name, Pillar: ir.Pillar, Max: ir.Max, Points: ir.Points, Lost: loss, Status: ir.Status,
			Reason: reason(r, ir, ind)}
		l.Task, l.TaskFrom, l.Lead, l.Officer = task(r, res, p, ind)
		out = append(out, l)
	}
	// Stable: ties stay in rubric order.
	sort.SliceStable(out, func(i, j int) bool { return out[i].Lost > out[j].Lost })
	return out, unsettled
}

// reason says why an indicator lost points, when the figures alone do not.
func reason(r *rubric.Rubric, ir *engine.IndicatorResult, in *rubric.Indicator) string {
	var s string
	switch ir.Status {
	case engine.StatusMissing:
		s = "Thiếu số liệu"
		var names []string
		for _, k := range ir.Missing {
			if _, ok := in.Input(k); ok {
				names = append(names, k)
			} else if g, ok := r.GeneralField(k); ok {
				names = append(names, g.Label)
			} else {
				names = append(names, k)
			}
		}
		if len(names) > 0 {
			s += ": " + strings.Join(names, ", ")
		}
	case engine.StatusZeroDen:
		s = "Mẫu số bằng 0"
	case engine.StatusInvalid:
		s = "Số liệu không hợp lệ: không tính điểm cho đến khi sửa"
	case engine.StatusTodo:
		s = "Bộ chỉ số chưa có cách tính điểm"
	}
	if ir.Appraisal != nil {
		s = strings.TrimPrefix(s+"; điểm thẩm định của Hội đồng", "; ")
	}
	return s
}

// task returns what the rubric asks of an indicator: its task, else its
// parent's, else its pillar's; without any, its scoring method (else its
// parent's). Lead and officer follow the same chain.
func task(r *rubric.Rubric, res *engine.Result, p *rubric.Pillar, in *rubric.Indicator) (text string, from TaskSource, lead, officer string) {
	chain := []*rubric.Indicator{in}
	for cur := res.Indicator(in.Code); cur != nil && cur.Parent != ""; cur = res.Indicator(cur.Parent) {
		if _, parent := r.Indicator(cur.Parent); parent != nil {
			chain = append(chain, parent)
		}
	}
	var method string
	for _, x := range chain {
		text, lead, officer = first(text, x.Task), first(lead, x.Lead), first(officer, x.Officer)
		method = first(method, x.Method)
	}
	if p != nil {
		text, lead = first(text, p.Task), first(lead, p.Lead)
	}
	switch {
	case strings.TrimSpace(text) != "":
		from = TaskRubric
	case strings.TrimSpace(method) != "":
		text, from = method, TaskMethod
	}
	return strings.TrimSpace(text), from, strings.TrimSpace(lead), strings.TrimSpace(officer)
}

func first(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}

// FromRanking builds the card of every ranked unit of a ranking, in
// ranking order: the cohort is the ranked units, settled as the ranking
// settled them (with the council's scores), provisional or official as
// the ranking is. r must be the rubric the ranking was built with.
func FromRanking(rk *ranking.Ranking, r *rubric.Rubric, office string) ([]Card, error) {
	var cards []Card
	err := EachFromRanking(rk, r, office, func(c Card) error {
		cards = append(cards, c)
		return nil
	})
	return cards, err
}

// EachFromRanking is FromRanking one card at a time, for a writer that
// writes each as it comes: the cohort's figures come from the ranking's
// compact rows, and a unit's full result is made again only while its
// card is made (a province's results, or its cards, are never held at
// once).
func EachFromRanking(rk *ranking.Ranking, r *rubric.Rubric, office string, fn func(Card) error) error {
	ranked := rk.Ranked()
	if len(ranked) == 0 {
		return nil
	}
	if r == nil {
		return errors.New("scorecard: no rubric")
	}
	if rk.RubricID != r.ID {
		return fmt.Errorf("%w: %s, not %s", ErrRubric, rk.RubricID, r.ID)
	}
	st := &stats{pillars: map[string]*pillarStats{}}
	st.addRows(rk, "")
	sort.Sort(sort.Reverse(sort.Float64Slice(st.totals)))
	for i := range ranked {
		row := &ranked[i]
		res, err := rk.Result(row)
		if err != nil {
			return err
		}
		if res == nil {
			return fmt.Errorf("%w for %s", ErrNoResult, row.Name)
		}
		c := st.card(Input{Rubric: r, Year: rk.Year, Unit: Entry{Key: row.UnitKey, Code: row.Code, Name: row.Name, Result: res}, Office: office,
			Final: rk.Final, Version: rk.Version, Status: row.Status.Label(), Settled: true, Generated: rk.Generated, Zone: rk.Zone})
		if err := fn(c); err != nil {
			return err
		}
	}
	return nil
}

// Standing is the card of a unit just scored, against the cohort of the
// latest provisional ranking rk (nil: none yet) with the unit's own new
// result in place of its row: what a commune's result workbook shows on
// arrival, before the next ranking (TẠM TÍNH; the official ranking
// rewrites it). The card's Basis says which cohort it was compared with.
func Standing(in Input, rk *ranking.Ranking) (Card, error) {
	r := in.Rubric
	if r == nil {
		return Card{}, errors.New("scorecard: no rubric")
	}
	st := &stats{pillars: map[string]*pillarStats{}}
	if err := st.addResult(r, in.Unit); err != nil {
		return Card{}, err
	}
	if rk != nil && rk.RubricID == r.ID && rk.Year == in.Year {
		st.addRows(rk, in.Unit.Key)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(st.totals)))
	c := st.card(in)
	c.Basis = "Hạng và so sánh tạm tính, trên các đơn vị đã có kết quả khi nhận tệp này"
	if rk != nil && !rk.Generated.IsZero() {
		c.Basis += " (bảng xếp hạng tạm tính lúc " + layout.Show(rk.Generated, in.Zone, layout.TimeOnDate) + ")"
	}
	c.Basis += "; bảng xếp hạng chính thức sẽ thay thế."
	return c, nil
}
