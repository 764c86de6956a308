// Package publish builds what the office publishes from the ledger: the
// ranking of a year (workbook, CSV and JSON), the appraisal workbook, and
// at the close every unit's result workbook rewritten with the settled
// scores and its rank. It decides when a rebuild is due (Refresh), so the
// daemon, the commands and the close all follow one rule.
//
// The ranking rebuilt after each burst is provisional (TẠM TÍNH,
// xep-hang-<cohort>-<year>.*). The close (AtClose) or `chiso rank --final`
// publishes the official ranking (CHÍNH THỨC) as a new numbered version,
// xep-hang-<cohort>-<year>-chinh-thuc-v<N>.*, recorded in the ledger with
// the version it replaces; later provisional rebuilds never touch it, so
// files received after the close change nothing official until an officer
// publishes the next version.
package publish

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
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
	// Office is the consolidating office's name as people read it.
	Office string
	Roster []roster.Unit
	// Lineage maps a unit code to its predecessors' codes (2025 mergers).
	Lineage  map[string][]string
	Ledger   *ledger.Ledger
	Workbook workbook.Limits // for reopening archived originals
	Now      func() time.Time
	Log      zerolog.Logger
	Scorers  engine.Scorers
	// Issuer is who issues the ranking and signs it, as its report shows.
	Issuer workbook.Issuer

	// records caches the units' ranking records by year and rubric, then
	// file id: a daemon's rebuild after a burst reads from the ledger only
	// the records of the files accepted since.
	mu      sync.Mutex
	records map[string]map[int64][]byte

	// standing is the latest provisional ranking (see Standing).
	standingMu sync.Mutex
	standing   *ranking.Ranking
}

// Options say what to publish.
type Options struct {
	Year int
	// Final publishes the official ranking: a new numbered version,
	// recorded in the ledger, and every unit's result workbook rewritten
	// with the settled values, its rank and the version.
	Final bool
	// Cutoff, with Final, builds the official ranking from the submissions
	// received before it (the close: files received after it, however late
	// the close job runs, wait for the next version); zero: all.
	Cutoff time.Time
	// Appraisal writes the appraisal workbook when it does not exist yet
	// (`chiso rank` and the final ranking; not every rebuild of a burst).
	Appraisal bool
}

// Result lists what a build wrote.
type Result struct {
	Ranking *ranking.Ranking // the provisional ranking, or the final one with Final
	Paths   []string
	// Final is the official version published (with Options.Final).
	Final *ledger.Final
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
	return p.build(ctx, year, time.Time{})
}

// build builds the ranking of a year from the submissions received before
// cutoff (zero: all, the latest accepted of each unit).
func (p *Publisher) build(ctx context.Context, year int, cutoff time.Time) (*ranking.Ranking, error) {
	r, err := p.rubric()
	if err != nil {
		return nil, err
	}
	in, err := p.input(ctx, r, year, cutoff)
	if err != nil {
		return nil, err
	}
	// Previous year: whichever rubric most of its accepted files used.
	if prevR := p.rubricOfYear(ctx, year-1); prevR != nil {
		pin, err := p.input(ctx, prevR, year-1, time.Time{})
		if err == nil && len(pin.Submissions) > 0 {
			if psc, err := p.Scorers.Get(prevR); err == nil {
				in.Previous = ranking.Build(psc, pin).PreviousOf()
				in.PreviousRubric = prevR
			}
		}
	}
	sc, err := p.Scorers.Get(r)
	if err != nil {
		return nil, err
	}
	rk := ranking.Build(sc, in)
	rk.Cutoff = cutoff
	return rk, nil
}

func (p *Publisher) rubricOfYear(ctx context.Context, year int) *rubric.Rubric {
	id, err := p.Ledger.RubricOfYear(ctx, year, pipeline.AppraisalKey)
	if err != nil || id == "" {
		return nil
	}
	r, _ := p.Rubrics.Get(id)
	return r
}

// input gathers what a ranking of a year is built from: the record of each
// unit's current file (received before cutoff, when given), the appraisal
// council's scores, the rejected attempts. Records come from the cache,
// else from the ledger; a file without a record, or whose record was made
// with another version of the rubric, is scored again from its data and
// its record kept for the next time.
func (p *Publisher) input(ctx context.Context, r *rubric.Rubric, year int, cutoff time.Time) (ranking.Input, error) {
	in := ranking.Input{Rubric: r, Year: year, Cohort: p.Cohort, Roster: p.Roster, Lineage: p.Lineage,
		Appraisal: map[string]map[string]float64{}, Attempts: map[string][]string{}, Zone: p.Collection.Loc()}
	if year == p.Collection.YearAt(p.now()) {
		in.Deadline = p.Collection.DeadlineEnd()
	}
	sc, err := p.Scorers.Get(r)
	if err != nil {
		return in, err
	}
	files, err := p.Ledger.Ranked(ctx, year, r.ID, cutoff)
	if err != nil {
		return in, err
	}
	key := fmt.Sprintf("%d/%s/%s", year, r.ID, r.Hash)
	p.mu.Lock()
	cached := p.records[key]
	p.mu.Unlock()
	var need []int64
	for _, f := range files {
		if _, ok := cached[f.ID]; !ok && f.UnitKey != pipeline.AppraisalKey {
			need = append(need, f.ID)
		}
	}
	kept, err := p.Ledger.ScoresOf(ctx, need)
	if err != nil {
		return in, err
	}
	records := make(map[int64][]byte, len(files))
	for _, f := range files {
		if f.UnitKey == pipeline.AppraisalKey {
			full, err := p.Ledger.Get(ctx, f.ID)
			if err != nil {
				return in, err
			}
			ar, err := pipeline.DecodeAppraisal(full.Data)
			if err != nil {
				return in, fmt.Errorf("ledger file %d: %w", f.ID, err)
			}
			in.Appraisal = ar.Appraisal
			continue
		}
		rec, ok := cached[f.ID]
		if !ok {
			rec = kept[f.ID]
			if rec == nil || ranking.CheckRecord(sc, r, rec) != nil {
				if rec, err = p.remake(ctx, sc, r, f.ID); err != nil {
					return in, err
				}
			}
		}
		records[f.ID] = rec
		in.Submissions = append(in.Submissions, ranking.Submission{UnitKey: f.UnitKey, Code: f.UnitCode, Name: f.UnitName,
			FileID: f.ID, FileName: f.Name, SubmittedAt: f.ReceivedAt, Late: !in.Deadline.IsZero() && !f.ReceivedAt.Before(in.Deadline),
			Record: rec})
	}
	p.mu.Lock()
	if p.records == nil {
		p.records = map[string]map[int64][]byte{}
	}
	p.records[key] = records
	p.mu.Unlock()
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

// remake scores a file again from the figures the ledger keeps and keeps
// its new ranking record (a ledger written before records were kept, or a
// rubric file changed since the file was accepted).
func (p *Publisher) remake(ctx context.Context, sc *engine.Scorer, r *rubric.Rubric, id int64) ([]byte, error) {
	f, err := p.Ledger.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	vals, probs, err := pipeline.DecodeScoring(f.Data)
	if err != nil {
		return nil, fmt.Errorf("ledger file %d: %w", f.ID, err)
	}
	rec := ranking.EncodeRecord(sc, r, pipeline.Score(sc, r, vals, probs), probs)
	if err := p.Ledger.SetScores(ctx, id, rec); err != nil {
		p.Log.Warn().Err(err).Int64("file", id).Msg("ranking record not kept")
	}
	return rec, nil
}

// Publish rebuilds the ranking of a year from the ledger and writes the
// provisional ranking workbook, its CSV and JSON, and (when asked and
// absent) the appraisal workbook. With Final it first publishes the official
// ranking as the next numbered version (its own files, every unit's result
// workbook rewritten with its rank, recorded in the ledger last, so a crash
// before that publishes the same version again).
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
	now := p.now()
	rk.Generated = now
	latest, published, err := p.Ledger.LatestFinal(ctx, opt.Year, r.ID)
	if err != nil {
		return res, err
	}
	if published {
		rk.Official = latest.Version
	}
	var final *ranking.Ranking
	var finalPaths []string
	if opt.Final {
		f := *rk
		if !opt.Cutoff.IsZero() {
			at, err := p.build(ctx, opt.Year, opt.Cutoff)
			if err != nil {
				return res, err
			}
			at.Generated = now
			f = *at
		}
		final = &f
		final.Final, final.Version, final.Replaces, final.Official = true, latest.Version+1, latest.Version, 0
		paths, err := p.writeRanking(p.Folders.FinalRankingBase(p.Cohort, opt.Year, final.Version), final, r, now)
		res.Paths = append(res.Paths, paths...)
		finalPaths = paths // the workbook, CSV, JSON and scorecards of the version
		if err != nil {
			return res, err
		}
		rk.Official = final.Version
		res.Ranking = final
	}
	// The appraisal workbook, when it is due, is written beside the
	// ranking (a second core: both only read the ranking).
	type written struct {
		path string
		err  error
	}
	var appraisal chan written
	ap := p.Folders.AppraisalPath(p.Cohort, opt.Year)
	if _, err := os.Stat(ap); (opt.Appraisal || opt.Final) && os.IsNotExist(err) {
		appraisal = make(chan written, 1)
		go func() {
			opt := appraisalOptions(r, rk, p.Cohort, p.Issuer.Office)
			path, err := atomicfile.Write(ap, func(w io.Writer) error { return workbook.WriteAppraisal(w, opt) })
			appraisal <- written{path, err}
		}()
	}
	paths, err := p.writeRanking(p.Folders.RankingBase(p.Cohort, opt.Year), rk, r, now)
	res.Paths = append(res.Paths, paths...)
	if err == nil {
		p.stand(rk)
	}
	if appraisal != nil {
		a := <-appraisal
		if err == nil {
			err = a.err
		}
		if a.err == nil {
			res.Paths = append(res.Paths, a.path)
		}
	}
	if err != nil {
		return res, err
	}
	if final != nil {
		paths, err := p.reannotate(ctx, r, final)
		if err != nil {
			return res, err
		}
		f := ledger.Final{Year: opt.Year, RubricID: r.ID, Version: final.Version, PublishedAt: now, Replaces: final.Replaces, Paths: finalPaths}
		if err := p.Ledger.AddFinal(ctx, f); err != nil {
			return res, err
		}
		res.Final = &f
		res.Paths = append(res.Paths, paths...)
		p.Log.Info().Str("event", "audit").Str("action", "official-ranking").Int("year", opt.Year).Int("version", f.Version).
			Int("replaces", f.Replaces).Strs("files", f.Paths).Msg("official ranking published")
	}
	if err := p.Ledger.SetLastRun(ctx, rankingJob(opt.Year), now); err != nil {
		return res, err
	}
	if len(p.Roster) > 0 {
		// Next year's lineage is checked against the units of this one.
		units := map[string]string{}
		for _, u := range p.Roster {
			if c := strings.TrimSpace(u.Code); c != "" {
				units[c] = u.Name
			}
		}
		if err := p.Ledger.SetRoster(ctx, opt.Year, units); err != nil {
			return res, err
		}
	}
	p.Log.Info().Str("event", "audit").Int("year", opt.Year).Int("ranked", len(rk.Ranked())).Int("missing", len(rk.Missing())).
		Bool("final", opt.Final).Msg("ranking rebuilt")
	return res, nil
}

// writeRanking writes a ranking's workbook, CSV and JSON at base.
// The workbook and the scorecards are written on their own goroutines
// while the CSV and the JSON are; the paths come in that order: workbook,
// CSV, JSON, scorecards.
func (p *Publisher) writeRanking(base string, rk *ranking.Ranking, r *rubric.Rubric, now time.Time) ([]string, error) {
	type written struct {
		path string
		err  error
	}
	book, cards := make(chan written, 1), make(chan written, 1)
	go func() {
		path, err := p.writeScorecards(rk, r)
		cards <- written{path, err}
	}()
	go func() {
		path, err := atomicfile.Write(base+".xlsx", func(w io.Writer) error {
			return workbook.WriteRanking(w, rk, workbook.RankingOptions{Generated: now, Issuer: p.Issuer})
		})
		book <- written{path, err}
	}()
	var rest []string
	var err error
	for _, out := range []struct {
		ext   string
		write func(io.Writer) error
	}{{".csv", rk.WriteCSV}, {".json", rk.WriteJSON}} {
		var path string
		if path, err = atomicfile.Write(base+out.ext, out.write); err != nil {
			break
		}
		rest = append(rest, path)
	}
	b, c := <-book, <-cards
	if b.err != nil {
		return nil, b.err
	}
	paths := append([]string{b.path}, rest...)
	if err == nil && c.err != nil {
		err = c.err
	}
	if c.err == nil {
		paths = append(paths, c.path)
	}
	return paths, err
}

// AtClose publishes the official ranking of year at the collection's close
// (the close job), unless a version was already published at or after the
// close: a close job retried after a crash, or an officer's `rank --final`,
// is not published twice. ok reports whether it published.
func (p *Publisher) AtClose(ctx context.Context, year int) (Result, bool, error) {
	r, err := p.rubric()
	if err != nil {
		return Result{}, false, err
	}
	latest, published, err := p.Ledger.LatestFinal(ctx, year, r.ID)
	if err != nil {
		return Result{}, false, err
	}
	if published && !p.Collection.Close.IsZero() && !latest.PublishedAt.Before(p.Collection.Close) {
		p.Log.Info().Int("year", year).Int("version", latest.Version).Time("published", latest.PublishedAt).
			Msg("the official ranking was already published at the close: not again")
		return Result{}, false, nil
	}
	res, err := p.Publish(ctx, Options{Year: year, Final: true, Cutoff: p.Collection.Close})
	return res, err == nil, err
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
	if _, err := os.Stat(p.Folders.ScorecardsPath(p.Cohort, year)); err != nil {
		return true, nil // the district's scorecards, deleted or never written
	}
	built, err := p.Ledger.LastRun(ctx, rankingJob(year))
	if err != nil {
		return false, err
	}
	return built.Before(change), nil
}

// appraisalOptions lists every submitted unit's leaf indicators for the
// appraisal council, with its current appraisal scores: made unit by unit
// as the workbook is written.
func appraisalOptions(r *rubric.Rubric, rk *ranking.Ranking, cohort string, office string) workbook.AppraisalOptions {
	opt := workbook.AppraisalOptions{Rubric: r, Year: rk.Year, Cohort: cohort, Office: office}
	leaves := 0
	for _, d := range rk.Indicators {
		if d.Leaf {
			leaves++
		}
	}
	opt.Count = leaves * len(rk.Ranked())
	opt.Each = func(fn func(workbook.AppraisalRow)) error {
		for i := range rk.Rows {
			row := &rk.Rows[i]
			if row.Rank == 0 {
				continue
			}
			res, err := rk.Result(row)
			if err != nil {
				return err
			}
			for _, ir := range res.Indicators {
				if !ir.Leaf {
					continue
				}
				computed := ir.Points
				if ir.Appraisal != nil {
					computed = ir.Computed
				}
				fn(workbook.AppraisalRow{UnitKey: row.UnitKey, UnitName: row.Name, Code: ir.Code,
					Name: ir.Name, Max: ir.Max, Computed: computed, Self: ir.Self, Appraisal: ir.Appraisal})
			}
		}
		return nil
	}
	return opt
}

// reannotate rewrites each ranked unit's result workbook from its archived
// original with the settled scores and its rank.
func (p *Publisher) reannotate(ctx context.Context, r *rubric.Rubric, rk *ranking.Ranking) ([]string, error) {
	var ranked []*ranking.Row
	for i := range rk.Rows {
		if rk.Rows[i].Rank > 0 {
			ranked = append(ranked, &rk.Rows[i])
		}
	}
	sort.Slice(ranked, func(i, j int) bool { return ranked[i].FileID < ranked[j].FileID })
	cards, err := p.cardsOf(rk, r)
	if err != nil {
		return nil, fmt.Errorf("re-annotate: scorecards: %w", err)
	}
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
		result, err := rk.Result(row)
		if err != nil {
			book.Close()
			return paths, fmt.Errorf("re-annotate %s: %w", f.Name, err)
		}
		a := workbook.Annotation{Rubric: r, Sub: book.Read(r), Result: result, Problems: probs,
			FileName: f.Name, Hash: f.SHA256, Received: f.ReceivedAt, Zone: p.Collection.Loc(), Unit: row.Name, Year: rk.Year,
			CohortDate: p.now(), Rank: fmt.Sprintf("%d/%d", row.Rank, len(ranked)), Official: rk.Version,
			Status: row.Status.Label(), Late: row.Late, Deadline: p.Collection.DeadlineText()}
		if c, ok := cards[row.UnitKey]; ok {
			a.Card = &c
		}
		err = book.Annotate(a)
		var out bytes.Buffer
		if err == nil {
			err = book.Write(&out)
		}
		book.Close()
		if err != nil {
			return paths, fmt.Errorf("re-annotate %s: %w", f.Name, err)
		}
		dest := f.OutputPath
		if f.Outcome != ledger.Accepted {
			// Counted at the close, superseded since: its official result is
			// kept beside, never over, the current submission's.
			dest = p.Folders.ResultPath(rk.Year, f.UnitCode, f.UnitName, filepath.Ext(f.OutputPath), f.ID)
		}
		path, err := atomicfile.Write(dest, func(w io.Writer) error { _, err := w.Write(out.Bytes()); return err })
		if err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
