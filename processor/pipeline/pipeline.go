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
	"sort"
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
	"github.com/chiso-vn/chiso/processor/scorecard"
	"github.com/chiso-vn/chiso/processor/vntext"
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
	// Retry bounds the attempts at a passing failure (a file held by
	// another program, a share hiccup) and the wait before each.
	Retry Retry
	// Labels name the shared folders in what communes read (notices).
	Labels layout.Labels
	// Office names the consolidating office on the scorecard.
	Office string
	// Standing, when set, gives the latest provisional ranking of a year
	// (nil: none yet): the cohort a new result's scorecard is compared with.
	Standing func(ctx context.Context, year int) *ranking.Ranking

	// fault, in tests, fails a stage ("claim", "read", "write", "archive")
	// of a file with an I/O error.
	fault func(stage, path string) error
	// arrival, in tests, sets when a file arrived (tests cannot wait hours
	// between two drops, nor set a file's change time).
	arrival func(*intake.Entry)

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
// It fails only when the service itself fails (see ServiceError); every
// file ends with a recorded outcome or, when it cannot even be taken,
// stays in the inbox with a notice.
func (p *Pipeline) Run(ctx context.Context) (Summary, error) {
	sum := Summary{Counts: map[ledger.Outcome]int{}}
	if err := os.MkdirAll(p.Folders.ClaimDir(), 0o755); err != nil {
		return sum, service("claim folder", err)
	}
	recovered, err := p.Recover(ctx)
	for _, f := range recovered {
		sum.add(f)
	}
	if err != nil {
		return sum, err
	}
	entries, odd, err := intake.Scan(p.Folders.Inbox, p.now())
	if err != nil {
		return sum, service("inbox "+p.Folders.Inbox, err)
	}
	for _, o := range odd {
		if err := p.NoteOdd(ctx, o); err != nil {
			return sum, err
		}
	}
	if p.arrival != nil {
		for i := range entries {
			p.arrival(&entries[i])
		}
		sort.SliceStable(entries, func(i, j int) bool { return entries[i].Arrived.Before(entries[j].Arrived) })
	}
	files, err := p.ProcessEntries(ctx, entries)
	for _, f := range files {
		sum.add(f)
	}
	return sum, err
}

// ProcessEntries claims and processes inbox files with a bounded pool of
// workers and returns their records. A service failure stops the pool;
// files in hand are finished.
func (p *Pipeline) ProcessEntries(ctx context.Context, entries []intake.Entry) ([]ledger.File, error) {
	workers := p.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var mu sync.Mutex
	var out []ledger.File
	for _, e := range entries {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error {
			f, ok, err := p.process(gctx, e)
			if err != nil || !ok {
				return err
			}
			mu.Lock()
			out = append(out, f)
			done := len(out)
			mu.Unlock()
			if p.Progress != nil {
				p.Progress(done, len(entries))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return out, err
	}
	return out, ctx.Err()
}

// ProcessPath claims one inbox file and processes it; seen is when the
// watcher first saw it (zero if unknown): the earlier of it and the file's
// own arrival time orders the submissions. ok is false when the file is not
// taken: gone (another process took it), not a regular file, or it cannot
// be moved out of the inbox (a notice says so, once; it stays there).
func (p *Pipeline) ProcessPath(ctx context.Context, path string, seen time.Time) (ledger.File, bool, error) {
	if err := ctx.Err(); err != nil {
		return ledger.File{}, false, err
	}
	e, err := intake.Stat(path, p.now())
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ledger.File{}, false, nil
	case errors.Is(err, intake.ErrNotRegular):
		return ledger.File{}, false, p.NoteOdd(ctx, intake.Odd{Name: filepath.Base(path), What: "tệp đặc biệt"})
	case err != nil:
		p.Log.Warn().Err(err).Str("file", path).Msg("cannot look at an inbox file; it is tried again later")
		return ledger.File{}, false, nil
	}
	if !seen.IsZero() && seen.Before(e.Arrived) {
		e.Arrived = seen
	}
	if p.arrival != nil {
		p.arrival(&e)
	}
	return p.process(ctx, e)
}

// process claims and processes one inbox file.
func (p *Pipeline) process(ctx context.Context, e intake.Entry) (ledger.File, bool, error) {
	if err := ctx.Err(); err != nil {
		return ledger.File{}, false, err
	}
	name := filepath.Base(e.Path)
	var claim string
	err := p.retry(ctx, func() error {
		if err := p.injected("claim", e.Path); err != nil {
			return err
		}
		var err error
		claim, err = intake.Claim(e.Path, p.Folders.ClaimDir(), e.Arrived, time.Now())
		return err
	})
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ledger.File{}, false, nil
	case err != nil:
		if intake.DiskFull(err) {
			return ledger.File{}, false, service("claim "+name, err)
		}
		// It stays in the inbox; the commune is told once, the admin each time.
		p.Log.Error().Err(err).Str("file", name).Msg("cannot move the file out of the inbox; it stays there")
		return ledger.File{}, false, p.noteOnce(ctx, "khong-chuyen-duoc/"+name+"/"+e.Modified.UTC().Format(time.RFC3339Nano), name,
			"TỆP CHƯA ĐƯỢC XỬ LÝ", "Hệ thống không chuyển được tệp ra khỏi thư mục nhận báo cáo để xử lý (tệp đang mở hoặc không đủ quyền).",
			"Đóng tệp trên máy của đơn vị; nếu vẫn vậy, chép lại tệp với tên khác hoặc báo cán bộ tổng hợp.")
	}
	row := ledger.File{Name: vntext.Clean(name), ReceivedAt: e.Arrived, ClaimPath: claim}
	id, err := p.Ledger.Begin(ctx, row)
	if err != nil {
		// It stays claimed, its arrival in its name, and is recovered at
		// the next start. Not put back: a correction dropped under the same
		// name meanwhile would be overwritten, and the rename would make it
		// look newer than that correction.
		p.Log.Error().Err(err).Str("file", claim).Msg("cannot record a claimed file; it is recovered at the next start")
		return ledger.File{}, false, service("ledger", err)
	}
	row.ID = id
	var notes []problem.Problem
	if e.FutureModified() {
		p.Log.Warn().Str("file", name).Time("modified", e.Modified).Time("arrived", e.Arrived).
			Msg("modification time in the future: the sending PC's clock is wrong; the arrival time is used")
		notes = append(notes, problem.Problem{Severity: problem.Info, Code: "future-time", Message: fmt.Sprintf(
			"Tệp ghi thời gian sửa là %s, muộn hơn lúc hệ thống nhận (%s): đồng hồ máy gửi có thể bị sai. Hệ thống tính theo thời điểm nhận.",
			p.Collection.Show(e.Modified, layout.TimeDate), p.Collection.Show(e.Arrived, layout.TimeDate))})
	}
	f, err := p.handle(ctx, row, claim, notes)
	return f, err == nil, err
}

// Recover finishes the files a crash interrupted: rows still processing, and
// files in the claim folder with no row at all (a crash between the claim
// and the ledger record).
func (p *Pipeline) Recover(ctx context.Context) ([]ledger.File, error) {
	rows, err := p.Ledger.Interrupted(ctx)
	if err != nil {
		return nil, service("ledger", err)
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
				return out, service("ledger", err)
			}
			out = append(out, row)
			continue
		}
		p.Log.Warn().Str("file", row.Name).Int64("id", row.ID).Msg("resuming a file interrupted by a crash")
		f, err := p.handle(ctx, row, src, nil)
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
	p.cleanTemp()
	entries, err := os.ReadDir(p.Folders.ClaimDir())
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return out, service("claim folder", err)
	}
	for _, e := range entries {
		path := filepath.Join(p.Folders.ClaimDir(), e.Name())
		if e.IsDir() || known[path] || layout.IsTemp(e.Name()) {
			continue
		}
		if held, err := p.Ledger.Holds(ctx, path); err != nil {
			return out, service("ledger", err)
		} else if held {
			continue // an original that could not be moved, recorded where it is
		}
		// Claimed but not recorded: its name keeps its arrival in the
		// inbox (the rename into the claim folder changed its ctime); a
		// name without one (an older chiso's) arrived when it was claimed.
		received, ok := layout.ClaimedArrival(e.Name())
		if !ok {
			received = p.now()
			if en, err := intake.Stat(path, received); err == nil {
				if p.arrival != nil {
					p.arrival(&en)
				}
				received = en.Arrived
			}
		}
		row := ledger.File{Name: layout.ClaimedName(e.Name()), ReceivedAt: received, ClaimPath: path}
		id, err := p.Ledger.Begin(ctx, row)
		if err != nil {
			return out, service("ledger", err)
		}
		row.ID = id
		f, err := p.handle(ctx, row, path, nil)
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
// its outcome. Any failure tied to this file ends it as rejected (see
// quarantine); only a ServiceError is returned.
func (p *Pipeline) handle(ctx context.Context, row ledger.File, src string, notes []problem.Problem) (ledger.File, error) {
	start := time.Now()
	var data []byte
	var size int64
	err := p.retry(ctx, func() error {
		if err := p.injected("read", src); err != nil {
			return err
		}
		var err error
		data, size, err = intake.ReadLimited(src, p.Evaluator.MaxFileSize)
		return err
	})
	row.Size = size
	var ev *Evaluation
	switch {
	case err == nil:
		row.SHA256 = intake.Hash(data)
	case errors.Is(err, intake.ErrTooLarge):
		ev = (&Evaluation{Name: row.Name, Size: size}).reject(tooLarge(size, p.Evaluator.MaxFileSize))
		row.SHA256, _ = intake.HashFile(src) // "" if it cannot be read: no duplicate check then
	case errors.Is(err, fs.ErrNotExist):
		ev = (&Evaluation{Name: row.Name}).reject(ReasonVanished.Reject())
	default:
		p.Log.Error().Err(err).Str("file", row.Name).Msg("cannot read the file")
		ev = (&Evaluation{Name: row.Name}).reject(ReasonUnreadable.Reject())
	}
	if ev != nil {
		ev.SHA256 = row.SHA256
	}
	if row.SHA256 != "" {
		unlock := p.hashLock(row.SHA256)
		defer unlock()
		if prev, ok, err := p.Ledger.FindDone(ctx, row.SHA256); err != nil {
			return row, service("ledger", err)
		} else if ok && prev.ID != row.ID && !(prev.Outcome == ledger.Rejected && Reason(prev.Reason).Transient()) {
			f, err := p.commitDuplicate(ctx, row, src, prev, data)
			return p.quarantineIf(ctx, row, src, data, f, err)
		}
	}
	var output []byte
	if ev == nil {
		ev, output = p.evaluate(ctx, row, data, notes)
	}
	f, err := p.commit(ctx, row, src, ev, output, data)
	f, err = p.quarantineIf(ctx, row, src, data, f, err)
	if err == nil {
		p.Log.Info().Str("event", "audit").Str("file", f.Name).Str("unit", f.UnitName).Str("outcome", string(f.Outcome)).
			Str("reason", f.Reason).Float64("total", engine.Round2(f.Total)).Int("errors", f.Errors).Int("warnings", f.Warnings).
			Int64("duration_ms", time.Since(start).Milliseconds()).Msg("processed")
	}
	return f, err
}

// evaluate runs Evaluate and the annotation under recover and a timeout,
// so one hostile file cannot stop the batch. It returns the annotated
// workbook's bytes for an accepted submission.
func (p *Pipeline) evaluate(ctx context.Context, row ledger.File, data []byte, notes []problem.Problem) (*Evaluation, []byte) {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	// The work stops at its next step once the time is up; a stop signal
	// does not cut it short (a file in hand is finished).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), timeout)
	defer cancel()
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
		ev := p.Evaluator.Evaluate(ctx, row.Name, data, year)
		if ev.Outcome == ledger.Accepted && len(notes) > 0 {
			ev.Problems = append(ev.Problems, notes...)
		}
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
	case <-ctx.Done():
		p.Log.Error().Str("file", row.Name).Int64("timeout_ms", timeout.Milliseconds()).Msg("evaluation timed out")
		return (&Evaluation{Name: row.Name, SHA256: row.SHA256, Size: int64(len(data))}).reject(ReasonTimeout.Reject()), nil
	}
}

// annotate writes an accepted submission's result workbook, with its
// cohort-relative indicators settled provisionally against the cohort as
// it stands.
func (p *Pipeline) annotate(ctx context.Context, ev *Evaluation, row ledger.File) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var cohortDate time.Time
	if len(ev.Result.Indicators) > 0 {
		if err := p.provisional(ctx, ev); err != nil {
			return nil, err
		}
		cohortDate = p.now()
	}
	col := p.Collection
	late := col.Late(row.ReceivedAt)
	status := ranking.StatusOf(true, problem.Count(ev.Problems, problem.Error), late).Label()
	err := ev.Book.Annotate(workbook.Annotation{
		Rubric: ev.Rubric, Sub: ev.Sub, Result: ev.Result, Problems: ev.Problems,
		FileName: row.Name, Hash: ev.SHA256, Received: row.ReceivedAt, Zone: col.Loc(), Unit: ev.Unit.Name, Year: ev.Year,
		CohortDate: cohortDate, Status: status,
		Late: late, AfterClose: col.Closed(row.ReceivedAt), Deadline: col.DeadlineText(),
		Card: p.card(ctx, ev, status),
	})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := ev.Book.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// card is the scorecard of an accepted submission against the latest
// provisional ranking (see scorecard.Standing); nil when it cannot be made,
// which leaves the result without one rather than without a result.
func (p *Pipeline) card(ctx context.Context, ev *Evaluation, status string) *scorecard.Card {
	var standing *ranking.Ranking
	if p.Standing != nil {
		standing = p.Standing(ctx, ev.Year)
	}
	c, err := scorecard.Standing(scorecard.Input{Rubric: ev.Rubric, Year: ev.Year,
		Unit:   scorecard.Entry{Key: ev.UnitKey, Code: ev.Unit.Code, Name: ev.Unit.Name, Result: ev.Result},
		Office: p.Office, Status: status, Generated: p.now(), Zone: p.Collection.Loc()}, standing)
	if err != nil {
		p.Log.Warn().Err(err).Str("unit", ev.Unit.Name).Msg("no scorecard for this result")
		return nil
	}
	return &c
}
