package publish

import (
	"io"

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
