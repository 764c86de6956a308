package pipeline

import (
	"context"
	"sync"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/rubric"
)

// cohortCache holds the figures of the cohort-relative indicators of every
// accepted submission, so a workbook arriving mid-collection gets its
// provisional Min-Max points against the cohort as it stands, cheaply.
type cohortCache struct {
	mu       sync.Mutex
	loaded   bool
	year     int
	measures map[string]map[string]float64 // indicator code → unit key → figure
}

// loadCohort reads the cohort of a year from the ledger once. Must hold c.mu.
func (p *Pipeline) loadCohort(ctx context.Context, sc *engine.Scorer, r *rubric.Rubric, year int) error {
	c := &p.cohort
	if c.loaded && c.year == year {
		return nil
	}
	c.measures = map[string]map[string]float64{}
	acc, err := p.Ledger.Accepted(ctx, year, r.ID)
	if err != nil {
		return err
	}
	for _, f := range acc {
		if f.UnitKey == AppraisalKey {
			continue
		}
		vals, probs, err := DecodeScoring(f.Data)
		if err != nil {
			p.Log.Warn().Err(err).Int64("id", f.ID).Msg("ledger record unreadable: left out of the provisional cohort")
			continue
		}
		c.put(sc, f.UnitKey, Score(sc, r, vals, probs))
	}
	c.loaded, c.year = true, year
	return nil
}

func (c *cohortCache) put(sc *engine.Scorer, unit string, res *engine.Result) {
	for _, code := range sc.CohortCodes() {
		m := c.measures[code]
		if m == nil {
			m = map[string]float64{}
			c.measures[code] = m
		}
		if ir := res.Indicator(code); ir != nil && ir.Measure != nil {
			m[unit] = *ir.Measure
		} else {
			delete(m, unit)
		}
	}
}

// provisional settles ev's cohort-relative indicators against the cohort
// as it stands (this unit's figures replacing its earlier ones).
func (p *Pipeline) provisional(ctx context.Context, ev *Evaluation) error {
	sc, err := p.Evaluator.Scorers.Get(ev.Rubric)
	if err != nil {
		return err
	}
	c := &p.cohort
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := p.loadCohort(ctx, sc, ev.Rubric, ev.Year); err != nil {
		return err
	}
	bounds := map[string]engine.Bounds{}
	for _, code := range sc.CohortCodes() {
		var b engine.Bounds
		for unit, x := range c.measures[code] {
			if unit != ev.UnitKey {
				b = b.Add(x)
			}
		}
		if ir := ev.Result.Indicator(code); ir != nil && ir.Measure != nil {
			b = b.Add(*ir.Measure)
		}
		bounds[code] = b
	}
	sc.SettleWith(ev.Result, bounds)
	return nil
}

// remember adds an accepted submission to the cohort.
func (p *Pipeline) remember(ev *Evaluation) {
	sc, err := p.Evaluator.Scorers.Get(ev.Rubric)
	if err != nil {
		return
	}
	c := &p.cohort
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded && c.year == ev.Year {
		c.put(sc, ev.UnitKey, ev.Result)
	}
}
