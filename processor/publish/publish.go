// Package publish builds what the office publishes from the ledger: the
// ranking of a year (workbook, CSV and JSON), the appraisal workbook, and
// at the close every unit's result workbook rewritten with the settled
// scores and its rank. It decides when a rebuild is due (Refresh), so the
// daemon, the commands and the close all follow one rule.
package publish

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/atomicfile"
	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/pipeline"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// Publisher builds the published outputs of a cohort.
type Publisher struct {
	Rubrics *rubric.Set
	Rubric  string // id of the rubric being collected
	// Collection gives the deadline (late files), the close and the time
	// zone of every time shown.
	Collection collection.Collection
	Folders    layout.Folders
	// Cohort names the cohort in output names (xep-hang-<cohort>-<year>).
	Cohort string
	Roster []roster.Unit
	// Lineage maps a unit code to its predecessors' codes (2025 mergers).
	Lineage  map[string][]string
	Ledger   *ledger.Ledger
	Workbook workbook.Limits // for reopening archived originals
	Now      func() time.Time
	Log      zerolog.Logger
	Scorers  engine.Scorers
}

// Options say what to publish.
type Options struct {
	Year int
	// Final (the close of collection) also rewrites every unit's result
	// workbook with the settled values and its rank.
	Final bool
	// Appraisal writes the appraisal workbook when it does not exist yet
	// (`chiso rank` and the final ranking; not every rebuild of a burst).
	Appraisal bool
}

// Result lists what a build wrote.
type Result struct {
	Ranking *ranking.Ranking
	Paths   []string
}

func (p *Publisher) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Publisher) rubric() (*rubric.Rubric, error) {
	r, ok := p.Rubrics.Get(p.Rubric)
	if !ok {
		return nil, fmt.Errorf("rubric %s not found", p.Rubric)
	}
	return r, nil
}

// Refresh publishes the ranking of year when something changed (changed:
// files were accepted or superseded) or the published files are stale. ok
// reports whether it did.
func (p *Publisher) Refresh(ctx context.Context, year int, changed bool) (res Result, ok bool, err error) {
	if !changed {
		if changed, err = p.Stale(ctx, year); err != nil || !changed {
			return Result{}, false, err
		}
	}
	res, err = p.Publish(ctx, Options{Year: year})
	return res, err == nil, err
}

// Build builds the ranking of a year from the ledger alone.
func (p *Publisher) Build(ctx context.Context, year int) (*ranking.Ranking, error) {
	r, err := p.rubric()
	if err != nil {
		return nil, err
	}
	in, err := p.input(ctx, r, year)
	if err != nil {
		return nil, err
	}
	// Previous year: whichever rubric most of its accepted files used.
	if prevR := p.rubricOfYear(ctx, year-1); prevR != nil {
		pin, err := p.input(ctx, prevR, year-1)
		if err == nil && len(pin.Submissions) > 0 {
			if psc, err := p.Scorers.Get(prevR); err == nil {
				in.Previous = ranking.Build(psc, pin).PreviousOf()
			}
		}
	}
	sc, err := p.Scorers.Get(r)
	if err != nil {
		return nil, err
	}
	return ranking.Build(sc, in), nil
}

func (p *Publisher) rubricOfYear(ctx context.Context, year int) *rubric.Rubric {
	id, err := p.Ledger.RubricOfYear(ctx, year, pipeline.AppraisalKey)
	if err != nil || id == "" {
		return nil
	}
	r, _ := p.Rubrics.Get(id)
	return r
}

func (p *Publisher) input(ctx context.Context, r *rubric.Rubric, year int) (ranking.Input, error) {
	in := ranking.Input{Rubric: r, Year: year, Cohort: p.Cohort, Roster: p.Roster, Lineage: p.Lineage,
		Appraisal: map[string]map[string]float64{}, Attempts: map[string][]string{}}
	sc, err := p.Scorers.Get(r)
	if err != nil {
		return in, err
	}
	err = p.Ledger.EachAccepted(ctx, year, r.ID, func(f ledger.File) error {
		if f.UnitKey == pipeline.AppraisalKey {
			ar, err := pipeline.DecodeAppraisal(f.Data)
			if err != nil {
				return fmt.Errorf("ledger file %d: %w", f.ID, err)
			}
			in.Appraisal = ar.Appraisal
			return nil
		}
		vals, probs, err := pipeline.DecodeScoring(f.Data)
		if err != nil {
			return fmt.Errorf("ledger file %d: %w", f.ID, err)
		}
		// Scored now, figures dropped: only the result is kept per unit.
		in.Submissions = append(in.Submissions, ranking.Submission{UnitKey: f.UnitKey, Code: f.UnitCode, Name: f.UnitName,
			FileID: f.ID, FileName: f.Name, SubmittedAt: f.ReceivedAt, Result: pipeline.Score(sc, r, vals, probs), Problems: probs})
		return nil
	})
	if err != nil {
		return in, err
	}
	attempts, err := p.Ledger.Attempts(ctx, year)
	if err != nil {
		return in, err
	}
	for _, f := range attempts {
		if f.UnitKey != pipeline.AppraisalKey {
			in.Attempts[f.UnitKey] = append(in.Attempts[f.UnitKey],
				fmt.Sprintf("%s (%s): %s", f.Name, p.Collection.Show(f.ReceivedAt, layout.DateTime), f.Message))
		}
	}
	return in, nil
}

// Publish rebuilds the ranking of a year from the ledger and writes the
// ranking workbook, its CSV and JSON, and (when asked and absent) the
// appraisal workbook. With Final it also rewrites every unit's result
// workbook with the settled values and its rank.
func (p *Publisher) Publish(ctx context.Context, opt Options) (Result, error) {
	rk, err := p.Build(ctx, opt.Year)
	if err != nil {
		return Result{}, err
	}
	res := Result{Ranking: rk}
	r, err := p.rubric()
	if err != nil {
		return res, err
	}
	if err := os.MkdirAll(p.Folders.YearDir(opt.Year), 0o755); err != nil {
		return res, err
	}
	base := p.Folders.RankingBase(p.Cohort, opt.Year)
	now := p.now()
	for _, out := range []struct {
		ext   string
		write func(io.Writer) error
	}{
		{".xlsx", func(w io.Writer) error { return workbook.WriteRanking(w, rk, r, now) }},
		{".csv", rk.WriteCSV},
		{".json", rk.WriteJSON},
	} {
		path, err := atomicfile.Write(base+out.ext, out.write)
		if err != nil {
			return res, err
		}
		res.Paths = append(res.Paths, path)
	}
	ap := p.Folders.AppraisalPath(p.Cohort, opt.Year)
	if _, err := os.Stat(ap); (opt.Appraisal || opt.Final) && os.IsNotExist(err) {
		path, err := atomicfile.Write(ap, func(w io.Writer) error { return workbook.WriteAppraisal(w, appraisalOptions(r, rk, p.Cohort)) })
		if err != nil {
			return res, err
		}
		res.Paths = append(res.Paths, path)
	}
	if opt.Final {
		paths, err := p.reannotate(ctx, r, rk)
		res.Paths = append(res.Paths, paths...)
		if err != nil {
			return res, err
		}
	}
	if err := p.Ledger.SetLastRun(ctx, rankingJob(opt.Year), now); err != nil {
		return res, err
	}
	p.Log.Info().Str("event", "audit").Int("year", opt.Year).Int("ranked", len(rk.Ranked())).Int("missing", len(rk.Missing())).
		Bool("final", opt.Final).Msg("ranking rebuilt")
	return res, nil
}

func rankingJob(year int) string { return fmt.Sprintf("ranking-%d", year) }

// Stale reports whether the ranking of a year was built before the
// ledger's last accepted or superseded file (e.g. a crash between the last
// outcome and the rebuild), never, or its files are gone.
func (p *Publisher) Stale(ctx context.Context, year int) (bool, error) {
	change, err := p.Ledger.LastChange(ctx, year)
	if err != nil || change.IsZero() {
		return false, err
	}
	base := p.Folders.RankingBase(p.Cohort, year)
	for _, ext := range layout.RankingExts {
		if _, err := os.Stat(base + ext); err != nil {
			return true, nil
		}
	}
	built, err := p.Ledger.LastRun(ctx, rankingJob(year))
	if err != nil {
		return false, err
	}
	return built.Before(change), nil
}

// appraisalOptions lists every submitted unit's leaf indicators for the
// appraisal council, with its current appraisal scores.
func appraisalOptions(r *rubric.Rubric, rk *ranking.Ranking, cohort string) workbook.AppraisalOptions {
	opt := workbook.AppraisalOptions{Rubric: r, Year: rk.Year, Cohort: cohort}
	for _, row := range rk.Ranked() {
		for _, ir := range row.Result.Indicators {
			if !ir.Leaf {
				continue
			}
			computed := ir.Points
			if ir.Appraisal != nil {
				computed = ir.Computed
			}
			opt.Rows = append(opt.Rows, workbook.AppraisalRow{UnitKey: row.UnitKey, UnitName: row.Name, Code: ir.Code,
				Name: ir.Name, Max: ir.Max, Computed: computed, Self: ir.Self, Appraisal: ir.Appraisal})
		}
	}
	return opt
}

// reannotate rewrites each ranked unit's result workbook from its archived
// original with the settled scores and its rank.
func (p *Publisher) reannotate(ctx context.Context, r *rubric.Rubric, rk *ranking.Ranking) ([]string, error) {
	ranked := rk.Ranked()
	sort.Slice(ranked, func(i, j int) bool { return ranked[i].FileID < ranked[j].FileID })
	var paths []string
	for _, row := range ranked {
		if err := ctx.Err(); err != nil {
			return paths, err
		}
		f, err := p.Ledger.Get(ctx, row.FileID)
		if err != nil {
			return paths, err
		}
		_, probs, err := pipeline.DecodeScoring(f.Data)
		if err != nil {
			return paths, fmt.Errorf("re-annotate %s: %w", f.Name, err)
		}
		data, err := os.ReadFile(f.StoredPath)
		if err != nil {
			return paths, fmt.Errorf("re-annotate %s: %w", f.Name, err)
		}
		book, err := workbook.Open(data, p.Workbook)
		if err != nil {
			return paths, fmt.Errorf("re-annotate %s: %w", f.Name, err)
		}
		err = book.Annotate(workbook.Annotation{Rubric: r, Sub: book.Read(r), Result: row.Result, Problems: probs,
			FileName: f.Name, Hash: f.SHA256, Received: f.ReceivedAt, Zone: p.Collection.Loc(), Unit: row.Name, Year: rk.Year,
			CohortDate: p.now(), Rank: fmt.Sprintf("%d/%d", row.Rank, len(ranked))})
		var out bytes.Buffer
		if err == nil {
			err = book.Write(&out)
		}
		book.Close()
		if err != nil {
			return paths, fmt.Errorf("re-annotate %s: %w", f.Name, err)
		}
		path, err := atomicfile.Write(f.OutputPath, func(w io.Writer) error { _, err := w.Write(out.Bytes()); return err })
		if err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
