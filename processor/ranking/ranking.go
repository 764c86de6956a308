// Package ranking settles a cohort and ranks it: cohort-relative
// indicators over the latest accepted submission of each unit, the
// appraisal council's scores, totals, competition ranks (1, 2, 2, 4) on
// totals at their 2-decimal display precision, ties listed in Vietnamese
// alphabetical order, units without a submission listed unranked, and the
// previous year's total and rank (the mean of the predecessors' totals for
// a unit merged in the 2025 reform). It is pure: the same inputs give the
// same ranking, so a rebuild from the ledger equals the incremental result.
package ranking

import (
	"sort"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// Submission is a unit's latest accepted workbook.
type Submission struct {
	UnitKey, Code, Name string
	FileID              int64
	FileName            string
	SubmittedAt         time.Time
	Values              engine.Values
	// Result, when set, is Values already scored (unsettled): a caller
	// ranking thousands of units scores each as it decodes it and drops the
	// figures, to keep memory small.
	Result   *engine.Result
	Problems []problem.Problem
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
	// Lineage maps a unit code to its predecessors' codes (2025 mergers).
	Lineage map[string][]string
	// Attempts lists the rejected files of units with no accepted one.
	Attempts map[string][]string
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
	Errors, Warnings int
	// Result holds the settled scores with the council's applied; each
	// indicator keeps the computed score in Computed when overridden.
	Result    *engine.Result
	Computed  float64 // total from the figures alone (settled)
	Self      float64
	HasSelf   bool
	Appraised bool    // an appraisal changed at least one score
	Final     float64 // điểm đạt được, full precision
	Display   float64 // Final rounded to 2 decimals: what is ranked
	Prev      *Previous
	PrevNote  string // e.g. how a merged unit's previous score was formed
	Attempts  []string
}

// Ranking is a ranked cohort.
type Ranking struct {
	RubricID   string
	RubricName string
	Year       int
	Cohort     string
	Max        float64
	Rows       []Row                        // ranked units first (by rank, ties alphabetical), then units without submission
	Problems   map[string][]problem.Problem // by unit key
}

// Build ranks a cohort. The scorer must be for in.Rubric.
func Build(sc *engine.Scorer, in Input) *Ranking {
	rk := &Ranking{RubricID: in.Rubric.ID, RubricName: in.Rubric.Name, Year: in.Year, Cohort: in.Cohort, Max: in.Rubric.CoreMax(),
		Problems: map[string][]problem.Problem{}}
	subs := append([]Submission(nil), in.Submissions...)
	sort.Slice(subs, func(i, j int) bool { return subs[i].UnitKey < subs[j].UnitKey })
	results := make([]*engine.Result, len(subs))
	for i, s := range subs {
		if s.Result != nil {
			results[i] = s.Result
		} else {
			results[i] = sc.Score(s.Values)
		}
	}
	sc.Settle(results)
	byKey := map[string]bool{}
	for i, s := range subs {
		res := results[i]
		row := Row{UnitKey: s.UnitKey, Code: vntext.Clean(s.Code), Name: vntext.Clean(s.Name), Submitted: true, FileID: s.FileID, FileName: s.FileName,
			SubmittedAt: s.SubmittedAt, Result: res, Computed: res.Total, Self: res.Self, HasSelf: res.HasSelf,
			Errors: problem.Count(s.Problems, problem.Error), Warnings: problem.Count(s.Problems, problem.Warning)}
		if u, ok := roster.Find(in.Roster, s.Code, s.Name); ok {
			row.Contact = u
			row.Name = vntext.Clean(u.Name)
		}
		if c := in.Appraisal[s.UnitKey]; len(c) > 0 {
			sc.Override(res, c)
			row.Appraised = true
		}
		row.Final = res.Total
		row.Display = engine.Round2(res.Total)
		rk.Problems[s.UnitKey] = s.Problems
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
		previous(&rk.Rows[i], in)
	}
	return rk
}

// previous fills a row's previous-year result; a merged unit takes the mean
// of its predecessors' totals (the rule the national DTI used for merged
// provinces) and no previous rank.
func previous(row *Row, in Input) {
	if p, ok := in.Previous[row.UnitKey]; ok {
		row.Prev = &p
		return
	}
	preds := in.Lineage[row.Code]
	if len(preds) == 0 {
		return
	}
	var sum float64
	var found []string
	for _, c := range preds {
		if p, ok := in.Previous[c]; ok {
			sum += p.Total
			found = append(found, c)
		}
	}
	if len(found) == 0 {
		row.PrevNote = "Đơn vị sáp nhập: chưa có điểm năm trước của các đơn vị cũ (" + strings.Join(preds, ", ") + ")."
		return
	}
	row.Prev = &Previous{Total: sum / float64(len(found))}
	row.PrevNote = "Đơn vị sáp nhập: điểm năm trước là trung bình điểm của " + strings.Join(found, ", ") + "."
	if len(found) < len(preds) {
		row.PrevNote += " Thiếu điểm năm trước của một số đơn vị cũ."
	}
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
