// Package pipeline is the main job: it takes each file from the inbox,
// records it in the ledger, evaluates it (identify, read, validate, score),
// writes the commune's annotated workbook or a notice, keeps the original,
// and records exactly one outcome. A crash at any point is recovered on the
// next run; outputs are written to a temporary file and renamed.
//
// The ranking built from the outcomes is package publish's job.
package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/intake"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// Pipeline processes an inbox into an outbox, recording in a ledger.
type Pipeline struct {
	Evaluator  *Evaluator
	Collection collection.Collection
	Folders    layout.Folders
	Ledger     *ledger.Ledger
	Workers    int           // evaluations in parallel; 0 = number of CPUs
	Timeout    time.Duration // per file; 0 = 2 minutes
	Now        func() time.Time
	Log        zerolog.Logger
	// Progress, when set, is called after each file with done and total.
	Progress func(done, total int)
	// Labels name the shared folders in what communes read (notices).
	Labels layout.Labels

	cohort cohortCache
	mu     sync.Mutex // serialises commits (outputs, moves, ledger outcome)
	hashMu sync.Mutex
	hashes map[string]*sync.Mutex // one lock per content hash in flight
}

// Summary counts what a run did.
type Summary struct {
	Counts map[ledger.Outcome]int
	Files  []ledger.File
}

func (s *Summary) add(f ledger.File) {
	s.Counts[f.Outcome]++
	s.Files = append(s.Files, f)
}

func (p *Pipeline) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Year is the year being collected now.
func (p *Pipeline) Year() int { return p.Collection.YearAt(p.now()) }

// Run recovers interrupted work, then processes every file in the inbox.
func (p *Pipeline) Run(ctx context.Context) (Summary, error) {
	sum := Summary{Counts: map[ledger.Outcome]int{}}
	if err := os.MkdirAll(p.Folders.ClaimDir(), 0o755); err != nil {
		return sum, err
	}
	recovered, err := p.Recover(ctx)
	for _, f := range recovered {
		sum.add(f)
	}
	if err != nil {
		return sum, err
	}
	paths, err := intake.List(p.Folders.Inbox)
	if err != nil {
		return sum, fmt.Errorf("inbox %s: %w", p.Folders.Inbox, err)
	}
	files, err := p.ProcessPaths(ctx, paths)
	for _, f := range files {
		sum.add(f)
	}
	return sum, err
}

// ProcessPaths claims and processes the given inbox files with a bounded
// pool of workers and returns their records. The first error stops the
// pool; files in hand are finished.
func (p *Pipeline) ProcessPaths(ctx context.Context, paths []string) ([]ledger.File, error) {
	workers := p.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var mu sync.Mutex
	var out []ledger.File
	for _, path := range paths {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			f, ok, err := p.ProcessPath(gctx, path)
			if err != nil || !ok {
				return err
			}
			mu.Lock()
			out = append(out, f)
			done := len(out)
			mu.Unlock()
			if p.Progress != nil {
				p.Progress(done, len(paths))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return out, err
	}
	return out, ctx.Err()
}

// ProcessPath claims one inbox file and processes it. ok is false when the
// file was gone (another process took it).
func (p *Pipeline) ProcessPath(ctx context.Context, path string) (ledger.File, bool, error) {
	if err := ctx.Err(); err != nil {
		return ledger.File{}, false, err
	}
	name := filepath.Base(path)
	received := p.now()
	if info, err := os.Stat(path); err == nil && info.ModTime().Before(received) {
		received = info.ModTime()
	}
	claim, err := intake.Claim(path, p.Folders.ClaimDir(), time.Now())
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return ledger.File{}, false, nil
		}
		return ledger.File{}, false, err
	}
	row := ledger.File{Name: name, ReceivedAt: received, ClaimPath: claim}
	id, err := p.Ledger.Begin(ctx, row)
	if err != nil {
		// Put it back: it stays in the inbox for the next run.
		if rerr := os.Rename(claim, path); rerr != nil {
			p.Log.Error().Err(rerr).Str("file", claim).Msg("cannot put a claimed file back; it is recovered at the next start")
		}
		return ledger.File{}, false, err
	}
	row.ID = id
	f, err := p.handle(ctx, row, claim)
	return f, err == nil, err
}

// Recover finishes the files a crash interrupted: rows still processing, and
// files in the claim folder with no row at all (a crash between the claim
// and the ledger record).
func (p *Pipeline) Recover(ctx context.Context) ([]ledger.File, error) {
	rows, err := p.Ledger.Interrupted(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	var out []ledger.File
	for _, row := range rows {
		known[row.ClaimPath] = true
		src := row.ClaimPath
		if _, err := os.Stat(src); err != nil {
			src = row.StoredPath // moved before the crash; outcome not yet recorded
		}
		if _, err := os.Stat(src); src == "" || err != nil {
			rej := ReasonLost.Reject()
			row.Outcome, row.Reason, row.Message, row.ProcessedAt = ledger.Rejected, string(rej.Reason), rej.Message, p.now()
			if err := p.Ledger.Finish(ctx, row); err != nil {
				return out, err
			}
			out = append(out, row)
			continue
		}
		p.Log.Warn().Str("file", row.Name).Int64("id", row.ID).Msg("resuming a file interrupted by a crash")
		f, err := p.handle(ctx, row, src)
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
	p.cleanTemp()
	entries, err := os.ReadDir(p.Folders.ClaimDir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return out, err
	}
	for _, e := range entries {
		path := filepath.Join(p.Folders.ClaimDir(), e.Name())
		if e.IsDir() || known[path] || layout.IsTemp(e.Name()) {
			continue
		}
		// The claim kept the file's time: it says when it was received.
		received := p.now()
		if info, err := e.Info(); err == nil && info.ModTime().Before(received) {
			received = info.ModTime()
		}
		row := ledger.File{Name: layout.ClaimedName(e.Name()), ReceivedAt: received, ClaimPath: path}
		id, err := p.Ledger.Begin(ctx, row)
		if err != nil {
			return out, err
		}
		row.ID = id
		f, err := p.handle(ctx, row, path)
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
	return out, nil
}

// cleanTemp removes temporary output files a crash left behind (never a
// final output: those are only ever renamed into place complete). Files
// younger than a minute may belong to another running process.
func (p *Pipeline) cleanTemp() {
	_ = filepath.WalkDir(p.Folders.Outbox, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !layout.IsTemp(d.Name()) {
			return nil
		}
		if info, err := d.Info(); err == nil && time.Since(info.ModTime()) > time.Minute {
			if err := os.Remove(path); err != nil {
				p.Log.Warn().Err(err).Str("file", path).Msg("cannot remove a temporary file")
			}
		}
		return nil
	})
}

// hashLock serialises files with the same content, so a file dropped twice
// in one burst is a duplicate, not two submissions.
func (p *Pipeline) hashLock(sha string) func() {
	p.hashMu.Lock()
	if p.hashes == nil {
		p.hashes = map[string]*sync.Mutex{}
	}
	m, ok := p.hashes[sha]
	if !ok {
		m = &sync.Mutex{}
		p.hashes[sha] = m
	}
	p.hashMu.Unlock()
	m.Lock()
	return m.Unlock
}

// handle evaluates the file at src (row already in the ledger) and commits
// its outcome.
func (p *Pipeline) handle(ctx context.Context, row ledger.File, src string) (ledger.File, error) {
	start := time.Now()
	data, size, err := intake.ReadLimited(src, p.Evaluator.MaxFileSize)
	row.Size = size
	var ev *Evaluation
	switch {
	case errors.Is(err, intake.ErrTooLarge):
		ev = (&Evaluation{Name: row.Name, Size: size}).reject(tooLarge(size, p.Evaluator.MaxFileSize))
		if ev.SHA256, err = intake.HashFile(src); err != nil {
			return row, fmt.Errorf("hash %s: %w", src, err)
		}
	case err != nil:
		return row, fmt.Errorf("read %s: %w", src, err)
	}
	if ev == nil {
		row.SHA256 = intake.Hash(data)
	} else {
		row.SHA256 = ev.SHA256
	}
	unlock := p.hashLock(row.SHA256)
	defer unlock()
	if prev, ok, err := p.Ledger.FindDone(ctx, row.SHA256); err != nil {
		return row, err
	} else if ok && prev.ID != row.ID && !(prev.Outcome == ledger.Rejected && Reason(prev.Reason).Transient()) {
		return p.commitDuplicate(ctx, row, src, prev)
	}
	var output []byte
	if ev == nil {
		ev, output = p.evaluate(ctx, row, data)
	}
	f, err := p.commit(ctx, row, src, ev, output)
	if err == nil {
		p.Log.Info().Str("event", "audit").Str("file", f.Name).Str("unit", f.UnitName).Str("outcome", string(f.Outcome)).
			Str("reason", f.Reason).Float64("total", engine.Round2(f.Total)).Int("errors", f.Errors).Int("warnings", f.Warnings).
			Dur("duration", time.Since(start)).Msg("processed")
	}
	return f, err
}

// evaluate runs Evaluate and the annotation under recover and a timeout,
// so one hostile file cannot stop the batch. It returns the annotated
// workbook's bytes for an accepted submission.
func (p *Pipeline) evaluate(ctx context.Context, row ledger.File, data []byte) (*Evaluation, []byte) {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	type res struct {
		ev  *Evaluation
		out []byte
	}
	ch := make(chan res, 1)
	year := p.Year()
	go func() {
		defer func() {
			if r := recover(); r != nil {
				p.Log.Error().Str("file", row.Name).Interface("panic", r).Bytes("stack", debug.Stack()).Msg("panic while evaluating")
				ch <- res{ev: (&Evaluation{Name: row.Name, SHA256: row.SHA256, Size: int64(len(data))}).reject(ReasonInternal.Reject())}
			}
		}()
		ev := p.Evaluator.Evaluate(row.Name, data, year)
		if ev.Outcome != ledger.Accepted || ev.Kind == workbook.KindAppraisal {
			ev.close()
			ch <- res{ev: ev}
			return
		}
		defer ev.close()
		out, err := p.annotate(ctx, ev, row)
		if err != nil {
			p.Log.Error().Err(err).Str("file", row.Name).Msg("cannot write the result workbook")
			ch <- res{ev: ev.reject(ReasonInternal.Reject())}
			return
		}
		ch <- res{ev: ev, out: out}
	}()
	select {
	case r := <-ch:
		return r.ev, r.out
	case <-time.After(timeout):
		p.Log.Error().Str("file", row.Name).Dur("timeout", timeout).Msg("evaluation timed out")
		return (&Evaluation{Name: row.Name, SHA256: row.SHA256, Size: int64(len(data))}).reject(ReasonTimeout.Reject()), nil
	}
}

// annotate writes an accepted submission's result workbook, with its
// cohort-relative indicators settled provisionally against the cohort as
// it stands.
func (p *Pipeline) annotate(ctx context.Context, ev *Evaluation, row ledger.File) ([]byte, error) {
	var cohortDate time.Time
	if len(ev.Result.Indicators) > 0 {
		if err := p.provisional(ctx, ev); err != nil {
			return nil, err
		}
		cohortDate = p.now()
	}
	col := p.Collection
	late := col.Late(row.ReceivedAt)
	err := ev.Book.Annotate(workbook.Annotation{
		Rubric: ev.Rubric, Sub: ev.Sub, Result: ev.Result, Problems: ev.Problems,
		FileName: row.Name, Hash: ev.SHA256, Received: row.ReceivedAt, Zone: col.Loc(), Unit: ev.Unit.Name, Year: ev.Year,
		CohortDate: cohortDate,
		Status:     ranking.StatusOf(true, problem.Count(ev.Problems, problem.Error), late).Label(),
		Late:       late, AfterClose: col.Closed(row.ReceivedAt), Deadline: col.DeadlineText(),
	})
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := ev.Book.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
