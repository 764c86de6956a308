package publish

import (
	"context"
	"io"
	"time"

	"github.com/chiso-vn/chiso/processor/atomicfile"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/scorecard"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// writeScorecards writes the district's workbook of every ranked unit's
// scorecard (phiếu kết quả, one A4 page each) beside a ranking: the
// provisional one's, phieu-ket-qua-<cohort>-<year>.xlsx, rewritten with
// it; an official version's, phieu-ket-qua-<cohort>-<year>-chinh-thuc-v<N>.xlsx,
// written once with it. The cards say the office by its name (Office).
func (p *Publisher) writeScorecards(rk *ranking.Ranking, r *rubric.Rubric) (string, error) {
	path := p.Folders.ScorecardsPath(p.Cohort, rk.Year)
	if rk.Final {
		path = p.Folders.FinalScorecardsPath(p.Cohort, rk.Year, rk.Version)
	}
	// Each card is made and written in turn: a province's are never held.
	return atomicfile.Write(path, func(w io.Writer) error {
		return workbook.WriteScorecardsEach(w, func(fn func(scorecard.Card) error) error {
			return scorecard.EachFromRanking(rk, r, p.Office, fn)
		})
	})
}

// standingAge is how old the standing ranking may be before a new result
// asks for a fresh one: a batch of a thousand files is compared with the
// cohort as it grows, at the cost of one build (from the cached records)
// every so often, not one per file.
const standingAge = 20 * time.Second

// standingSmall is the size of a cohort (rows of its ranking) below which
// the standing ranking is rebuilt after every acceptance, whatever its age.
const standingSmall = 100

// Standing is the latest provisional ranking of year, the cohort a new
// result's scorecard is compared with (pipeline.Pipeline.Standing): the one
// last published, or one built from the ledger when that is older than
// standingAge. nil when none can be built (the card then compares the unit
// with itself alone, and says so).
func (p *Publisher) Standing(ctx context.Context, year int) *ranking.Ranking {
	p.standingMu.Lock()
	defer p.standingMu.Unlock()
	if s := p.standing; s != nil && s.Year == year && p.now().Sub(s.Generated) < standingAge {
		if len(s.Rows) >= standingSmall {
			return s
		}
		// A district's cohort is rebuilt in milliseconds: as soon as a file
		// was accepted since, so the batch's cards compare with each other.
		if change, err := p.Ledger.LastChange(ctx, year); err != nil || change.Before(s.Generated) {
			return s
		}
	}
	rk, err := p.Build(ctx, year)
	if err != nil {
		p.Log.Warn().Err(err).Int("year", year).Msg("no standing ranking for the scorecards")
		return p.standing
	}
	rk.Generated = p.now()
	p.standing = rk
	return rk
}

// stand records a provisional ranking just published as the standing one.
func (p *Publisher) stand(rk *ranking.Ranking) {
	p.standingMu.Lock()
	p.standing = rk
	p.standingMu.Unlock()
}

// cardsOf are the scorecards of a ranking's units by unit key, for their
// result workbooks.
func (p *Publisher) cardsOf(rk *ranking.Ranking, r *rubric.Rubric) (map[string]scorecard.Card, error) {
	cards := map[string]scorecard.Card{}
	err := scorecard.EachFromRanking(rk, r, p.Office, func(c scorecard.Card) error {
		cards[c.UnitKey] = c
		return nil
	})
	return cards, err
}
