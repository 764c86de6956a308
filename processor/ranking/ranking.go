// Package ranking settles a cohort and ranks it: cohort-relative
// indicators over the latest accepted submission of each unit, the
// appraisal council's scores, totals, competition ranks (1, 2, 2, 4) on
// totals at their 2-decimal display precision, ties listed in Vietnamese
// alphabetical order, units without a submission listed unranked, and the
// previous year's total and rank (the mean of the predecessors' totals for
// a unit merged in the 2025 reform). It is pure: the same inputs give the
// same ranking, so a rebuild from the ledger equals the incremental result.
//
// Each unit has a Status (da_nop, nop_muon, can_sua, chua_nop): the writers
// only show it. A ranking is provisional (TẠM TÍNH) unless published as a
// numbered final version (CHÍNH THỨC), which the publisher records.
package ranking

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/validate"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// Status is where a unit of the ranking stands.
type Status string

// Statuses, as published in the JSON.
const (
	Submitted Status = "da_nop"   // accepted in time, no error
	Late      Status = "nop_muon" // accepted after the deadline, no error
	NeedsFix  Status = "can_sua"  // accepted with errors: some figures do not score until a corrected file comes
	Missing   Status = "chua_nop" // no accepted submission
)

// StatusOf is the status of a unit: without a submission chua_nop; with
// errors can_sua (whether late or not: correcting comes first); late
// nop_muon; else da_nop.
func StatusOf(submitted bool, errors int, late bool) Status {
	switch {
	case !submitted:
		return Missing
	case errors > 0:
		return NeedsFix
	case late:
		return Late
	}
	return Submitted
}

// Label is the status as people read it.
func (s Status) Label() string {
	switch s {
	case Submitted:
		return "Đã nộp"
	case Late:
		return "Nộp muộn"
	case NeedsFix:
		return "Cần sửa, nộp lại"
	}
	return "Chưa nộp"
}

// Submission is a unit's latest accepted workbook: its record, as the
// ledger keeps it from acceptance (EncodeRecord), or its figures and
// problems, scored by Build.
type Submission struct {
	UnitKey, Code, Name string
	FileID              int64
	FileName            string
	SubmittedAt         time.Time
	// Record is the unit's packed record; when set, Values and Problems
	// are not used. It must fit the rubric (CheckRecord): a record that
	// does not decode ranks the unit with no score and an error saying so.
	Record   []byte
	Values   engine.Values
	Problems []problem.Problem
	// Late: received after the deadline (nộp muộn).
	Late bool
}

// Previous is a unit's result the year before.
type Previous struct {
	Total float64
	Rank  int
}

// Input is everything a ranking is built from.
type Input struct {
	Rubric *rubric.Rubric
	Year   int
	Cohort string
	Roster []roster.Unit
	// Submissions: the latest accepted one per unit.
	Submissions []Submission
	// Appraisal holds the appraisal council's scores: unit key → indicator → points.
	Appraisal map[string]map[string]float64
	// Previous holds last year's results by unit key (code, or "ten:" key).
	Previous map[string]Previous
	// PreviousRubric is the rubric last year's totals were scored by (nil:
	// not known, or this year's).
	PreviousRubric *rubric.Rubric
	// Lineage maps a unit code to its predecessors' codes (2025 mergers).
	Lineage map[string][]string
	// Attempts lists the rejected files of units with no accepted one.
	Attempts map[string][]string
	// Deadline is the first moment a file is late (the end of the deadline
	// day; zero: none) and Zone where the ranking's times are shown.
	Deadline time.Time
	Zone     *time.Location
}

// Row is one unit in the ranking.
type Row struct {
	Rank             int // 0: not ranked (no submission)
	UnitKey          string
	Code             string
	Name             string
	Contact          roster.Unit
	Submitted        bool
	FileID           int64
	FileName         string
	SubmittedAt      time.Time
	Late             bool // received after the deadline
	Status           Status
	Errors, Warnings int
	// Points are the settled points of each indicator (Ranking.Indicators,
	// in that order), the council's where it gave one; Pillars the points
	// of each pillar (Ranking.Pillars), NaN for an optional pillar that
	// does not apply to the unit; Council the indicators the council
	// scored, with the score computed from the figures. Kept compact: a
	// national cohort holds thousands of rows (Ranking.Result gives a
	// unit's full result).
	Points    []float64
	Pillars   []float64
	Council   []Council
	Computed  float64 // total from the figures alone (settled)
	Self      float64
	HasSelf   bool
	SelfBasis float64 // the final points of the self-scored indicators: the difference is SelfBasis − Self
	Appraised bool    // an appraisal changed at least one score
	Final     float64 // điểm đạt được, full precision
	Display   float64 // Final rounded to 2 decimals: what is ranked
	Prev      *Previous
	PrevNote  string // e.g. how a merged unit's previous score was formed
	Attempts  []string
	record    []byte
}

// Council is an indicator the appraisal council scored: its index in
// Ranking.Indicators and the score computed from the figures that the
// council's replaced.
type Council struct {
	Index    int
	Computed float64
}

// Indicator describes one indicator of the ranking's rubric, in result
// order (parents before their children).
type Indicator struct {
	Code, Pillar, Name string
	Max                float64
	Leaf               bool
	// Cohort is the method of a cohort-relative indicator ("minmax",
	// "best"), "" for the others; Reference marks a 0-point indicator
	// collected for reference.
	Cohort    string
	Reference bool
}

// Pillar describes one pillar of the ranking's rubric.
type Pillar struct {
	Code, Name string
	Max        float64
	Optional   bool
}

// Ranking is a ranked cohort.
type Ranking struct {
	RubricID   string
	RubricName string
	Year       int
	Cohort     string
	Max        float64
	// Final: published as the official ranking (CHÍNH THỨC), version
	// Version (from 1), replacing version Replaces (0: none). A provisional
	// ranking (TẠM TÍNH) has Version 0 and says in Official the version of
	// the official ranking in force, if any.
	Final     bool
	Version   int
	Replaces  int
	Official  int
	Generated time.Time // when it was built (zero: not said)
	// Cutoff: built from the submissions received before it (the close's
	// official ranking); zero: all.
	Cutoff     time.Time
	Deadline   time.Time // the first moment a file is late (zero: no deadline)
	Zone       *time.Location
	Rows       []Row // ranked units first (by rank, ties alphabetical), then units without submission
	Indicators []Indicator
	Pillars    []Pillar
	// Comparison says why last year's totals compare with this year's
	// only roughly: last year was scored by another rubric, and which of
	// this year's indicators cannot be compared ("" when nothing differs).
	Comparison string

	sc        *engine.Scorer
	bounds    map[string]engine.Bounds
	appraisal map[string]map[string]float64
}

// Build ranks a cohort. The scorer must be for in.Rubric. Each unit's
// record is decoded twice, once for the cohort's bounds and once to settle
// it; only the compact row is kept.
func Build(sc *engine.Scorer, in Input) *Ranking {
	rk := &Ranking{RubricID: in.Rubric.ID, RubricName: in.Rubric.Name, Year: in.Year, Cohort: in.Cohort, Max: in.Rubric.CoreMax(),
		sc: sc, appraisal: in.Appraisal}
	rk.Deadline, rk.Zone = in.Deadline, in.Zone
	rk.describe(sc, in.Rubric)
	if len(in.Previous) > 0 {
		rk.Comparison = comparison(in.PreviousRubric, in.Rubric, in.Year)
	}
	subs := append([]Submission(nil), in.Submissions...)
	sort.Slice(subs, func(i, j int) bool { return subs[i].UnitKey < subs[j].UnitKey })
	recs := make([]record, len(subs))
	var res engine.Result
	rk.bounds = sc.NewBounds()
	for i, s := range subs {
		data := s.Record
		if data == nil {
			// Impossible figures score 0 until corrected, as the pipeline scored them.
			r := sc.Score(s.Values)
			sc.Invalidate(r, validate.Invalid(in.Rubric, s.Problems))
			data = EncodeRecord(sc, in.Rubric, r, s.Problems)
			subs[i].Record = data
		}
		rec, err := parseRecord(data)
		if err == nil {
			err = sc.Decode(rec.scores, &res)
		}
		if err != nil {
			subs[i].Record = unreadable(sc, in.Rubric)
			rec, _ = parseRecord(subs[i].Record)
			_ = sc.Decode(rec.scores, &res) // an empty result: nothing to widen
		}
		recs[i] = rec
		sc.Widen(rk.bounds, &res)
	}
	// The roster by code, then Find for a unit without one (a national
	// roster is searched for every unit).
	byCode := make(map[string]roster.Unit, len(in.Roster))
	for _, u := range in.Roster {
		if c := strings.ToLower(strings.TrimSpace(u.Code)); c != "" {
			if _, dup := byCode[c]; !dup {
				byCode[c] = u
			}
		}
	}
	var index *roster.Index
	find := func(code, name string) (roster.Unit, bool) {
		if u, ok := byCode[strings.ToLower(strings.TrimSpace(code))]; ok {
			return u, true
		}
		if index == nil {
			index = roster.NewIndex(in.Roster)
		}
		return index.Find(code, name)
	}
	nInd, nPil := len(rk.Indicators), len(rk.Pillars)
	points := make([]float64, len(subs)*nInd)
	pillars := make([]float64, len(subs)*nPil)
	byKey := map[string]bool{}
	for i, s := range subs {
		rec := recs[i]
		_ = sc.Decode(rec.scores, &res) // decoded once already
		sc.SettleWith(&res, rk.bounds)
		row := Row{UnitKey: s.UnitKey, Code: vntext.Clean(s.Code), Name: vntext.Clean(s.Name), Submitted: true, FileID: s.FileID, FileName: s.FileName,
			SubmittedAt: s.SubmittedAt, Computed: res.Total, Errors: rec.errors, Warnings: rec.warnings, record: subs[i].Record}
		if u, ok := find(s.Code, s.Name); ok {
			row.Contact = u
			row.Name = vntext.Clean(u.Name)
		}
		if c := in.Appraisal[s.UnitKey]; len(c) > 0 {
			sc.Override(&res, c)
			row.Appraised = true
		}
		row.Points = points[i*nInd : (i+1)*nInd : (i+1)*nInd]
		for k := range res.Indicators {
			ir := &res.Indicators[k]
			row.Points[k] = ir.Points
			if ir.Appraisal != nil {
				row.Council = append(row.Council, Council{Index: k, Computed: ir.Computed})
			}
		}
		row.Pillars = pillars[i*nPil : (i+1)*nPil : (i+1)*nPil]
		for k := range res.Pillars {
			pr := &res.Pillars[k]
			row.Pillars[k] = pr.Points
			if pr.Optional && !pr.Applies {
				row.Pillars[k] = math.NaN()
			}
		}
		row.Self, row.HasSelf, row.SelfBasis = res.Self, res.HasSelf, res.SelfBasis
		row.Final = res.Total
		row.Late = s.Late
		row.Display = engine.Round2(res.Total)
		rk.Rows = append(rk.Rows, row)
		byKey[s.UnitKey] = true
	}
	sort.SliceStable(rk.Rows, func(i, j int) bool {
		a, b := rk.Rows[i], rk.Rows[j]
		if a.Display != b.Display {
			return a.Display > b.Display
		}
		if c := vntext.Compare(a.Name, b.Name); c != 0 {
			return c < 0
		}
		return a.UnitKey < b.UnitKey
	})
	for i := range rk.Rows {
		if i > 0 && rk.Rows[i].Display == rk.Rows[i-1].Display {
			rk.Rows[i].Rank = rk.Rows[i-1].Rank
		} else {
			rk.Rows[i].Rank = i + 1
		}
	}
	// Roster units without an accepted submission: listed, unranked.
	var missing []Row
	for _, u := range in.Roster {
		key := roster.UnitKey(u)
		if byKey[key] {
			continue
		}
		missing = append(missing, Row{UnitKey: key, Code: vntext.Clean(u.Code), Name: vntext.Clean(u.Name), Contact: u, Attempts: in.Attempts[key]})
	}
	sort.SliceStable(missing, func(i, j int) bool { return vntext.Compare(missing[i].Name, missing[j].Name) < 0 })
	rk.Rows = append(rk.Rows, missing...)
	for i := range rk.Rows {
		r := &rk.Rows[i]
		r.Status = StatusOf(r.Submitted, r.Errors, r.Late)
		previous(r, in)
	}
	return rk
}

// unreadable is the record of a unit whose record could not be decoded:
// no figure, and an error saying so (a record is checked with CheckRecord
// before it is ranked, so this does not happen).
func unreadable(sc *engine.Scorer, r *rubric.Rubric) []byte {
	p := problem.Problem{Severity: problem.Error, Code: "record-unreadable",
		Message: "Không đọc được điểm đã lưu của bản nộp này: chạy lại chiso rank; nếu vẫn vậy, gửi lại tệp."}
	return EncodeRecord(sc, r, sc.Score(engine.NewValues()), []problem.Problem{p})
}

// describe lists the rubric's indicators and pillars as results give
// them.
func (rk *Ranking) describe(sc *engine.Scorer, r *rubric.Rubric) {
	empty := sc.Score(engine.NewValues())
	for _, ir := range empty.Indicators {
		d := Indicator{Code: ir.Code, Pillar: ir.Pillar, Name: ir.Name, Max: ir.Max, Leaf: ir.Leaf}
		if _, in := r.Indicator(ir.Code); in != nil && in.Rule != nil {
			switch in.Rule.Kind {
			case rubric.KindCohort:
				d.Cohort = in.Rule.Method
				if d.Cohort == "" {
					d.Cohort = "best"
				}
			case rubric.KindReference:
				d.Reference = true
			}
		}
		rk.Indicators = append(rk.Indicators, d)
	}
	for _, pr := range empty.Pillars {
		rk.Pillars = append(rk.Pillars, Pillar{Code: pr.Code, Name: pr.Name, Max: pr.Max, Optional: pr.Optional})
	}
}

// Result is a ranked unit's full result: its figures' scores settled over
// the cohort, the council's scores applied (nil for a unit without
// submission).
func (rk *Ranking) Result(row *Row) (*engine.Result, error) {
	if !row.Submitted || row.record == nil {
		return nil, nil
	}
	rec, err := parseRecord(row.record)
	if err != nil {
		return nil, err
	}
	res := &engine.Result{}
	if err := rk.sc.Decode(rec.scores, res); err != nil {
		return nil, err
	}
	rk.sc.SettleWith(res, rk.bounds)
	if c := rk.appraisal[row.UnitKey]; len(c) > 0 {
		rk.sc.Override(res, c)
	}
	return res, nil
}

// Problems are a ranked unit's errors and warnings, as validation sorted
// them.
func (r *Row) Problems() []problem.Problem {
	if r.record == nil {
		return nil
	}
	rec, err := parseRecord(r.record)
	if err != nil {
		return nil
	}
	ps, _ := decodeProblems(rec.problems)
	return ps
}

// IndicatorIndex is the index of an indicator in Indicators (and a row's
// Points), -1 if the rubric has none of that code.
func (rk *Ranking) IndicatorIndex(code string) int {
	for i, d := range rk.Indicators {
		if d.Code == code {
			return i
		}
	}
	return -1
}

// previous fills a row's previous-year result. A merged unit (in the
// lineage) takes the mean of all its predecessors' totals, whatever code it
// kept (its own record of last year is one predecessor among the others),
// and no previous rank (the rule the national DTI used for merged
// provinces); the note says so and names the predecessors that have no
// previous-year submission.
func previous(row *Row, in Input) {
	preds := in.Lineage[row.Code]
	if len(preds) == 0 {
		if p, ok := in.Previous[row.UnitKey]; ok {
			row.Prev = &p
		}
		return
	}
	var sum float64
	var found, missing, figures []string
	for _, c := range preds {
		if p, ok := in.Previous[c]; ok {
			sum += p.Total
			found = append(found, c)
			figures = append(figures, vntext.Number(p.Total, 2))
		} else {
			missing = append(missing, c)
		}
	}
	prevYear := strconv.Itoa(in.Year - 1)
	note := "Đơn vị hợp nhất từ " + strings.Join(preds, ", ") + ": "
	if len(found) == 0 {
		row.PrevNote = note + "các đơn vị cũ không có bài nộp năm " + prevYear + ", không so sánh được với năm trước."
		return
	}
	mean := sum / float64(len(found))
	row.Prev = &Previous{Total: mean}
	if len(found) == 1 {
		note += "điểm năm trước là điểm của " + found[0] + " (" + figures[0] + ")."
	} else {
		note += "điểm năm trước là trung bình cộng điểm của " + strings.Join(found, ", ") + " (" + strings.Join(figures, "; ") + "), bằng " +
			vntext.Number(mean, 2) + "."
	}
	if len(missing) > 0 {
		note += " " + strings.Join(missing, ", ") + " không có bài nộp năm " + prevYear + " nên không được tính."
	}
	row.PrevNote = note
}

// Mark says what the ranking is, as its outputs title it: "TẠM TÍNH", or
// "CHÍNH THỨC (bản số 2, thay thế bản số 1)".
func (rk *Ranking) Mark() string {
	if !rk.Final {
		return "TẠM TÍNH"
	}
	s := fmt.Sprintf("CHÍNH THỨC (bản số %d", rk.Version)
	if rk.Replaces > 0 {
		s += fmt.Sprintf(", thay thế bản số %d", rk.Replaces)
	}
	return s + ")"
}

// Ranked returns the rows with a rank.
func (rk *Ranking) Ranked() []Row {
	var out []Row
	for _, r := range rk.Rows {
		if r.Rank > 0 {
			out = append(out, r)
		}
	}
	return out
}

// Missing returns the roster units with no accepted submission.
func (rk *Ranking) Missing() []Row {
	var out []Row
	for _, r := range rk.Rows {
		if !r.Submitted {
			out = append(out, r)
		}
	}
	return out
}

// PreviousOf turns a ranking into the Previous map of the next year.
func (rk *Ranking) PreviousOf() map[string]Previous {
	out := map[string]Previous{}
	for _, r := range rk.Ranked() {
		out[r.UnitKey] = Previous{Total: r.Display, Rank: r.Rank}
	}
	return out
}

// comparison is the ranking's note on last year's totals when they were
// scored by another rubric: which of this year's indicators cannot be
// compared (added, or another maximum or scoring; see rubric.Diff), and a
// change of the total maximum. "" when the two score alike.
func comparison(prev, cur *rubric.Rubric, year int) string {
	if prev == nil || cur == nil || prev.ID == cur.ID {
		return ""
	}
	d := rubric.Compare(prev, cur)
	var codes []string
	for _, x := range d.NotComparable() {
		codes = append(codes, x.B.Code)
	}
	removed := 0
	for _, x := range d.Indicators {
		if x.Removed() {
			removed++
		}
	}
	maxA, maxB := prev.CoreMax(), cur.CoreMax()
	if len(codes) == 0 && removed == 0 && math.Abs(maxA-maxB) < 1e-9 {
		return ""
	}
	s := fmt.Sprintf("Điểm năm %d chấm theo bộ chỉ số «%s», năm %d theo «%s»", year-1, prev.Name, year, cur.Name)
	var what []string
	if len(codes) > 0 {
		list := codes
		if len(list) > 12 {
			list = append(append([]string(nil), list[:12]...), "…")
		}
		what = append(what, fmt.Sprintf("%d chỉ số năm nay không so sánh được với năm trước (%s)", len(codes), strings.Join(list, ", ")))
	}
	if removed > 0 {
		what = append(what, fmt.Sprintf("%d chỉ số năm trước không còn", removed))
	}
	if math.Abs(maxA-maxB) >= 1e-9 {
		what = append(what, "tổng điểm tối đa "+vntext.Number(maxA, 2)+" → "+vntext.Number(maxB, 2))
	}
	return s + ": " + strings.Join(what, "; ") + ". Thay đổi điểm và thay đổi hạng so với năm trước chỉ để tham khảo."
}
