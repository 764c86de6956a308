// Package daemon runs chiso all year: it takes files from the inbox as the
// watcher hands them over, processes them with a bounded pool of workers,
// rebuilds the ranking once per burst, and runs the collection calendar.
// One instance per inbox and per ledger: lock files in the inbox's control
// folder and the data folder.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/rs/zerolog"
	"golang.org/x/sync/errgroup"

	"github.com/chiso-vn/chiso/processor/intake"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/pipeline"
	"github.com/chiso-vn/chiso/processor/publish"
	"github.com/chiso-vn/chiso/processor/watch"
)

// Scheduler is the collection calendar (processor/calendar).
type Scheduler interface {
	Start(ctx context.Context) error
}

// Daemon wires the watcher, the pipeline, the publisher and the calendar.
type Daemon struct {
	Pipeline  *pipeline.Pipeline
	Publisher *publish.Publisher
	Watch     watch.Config
	Workers   int           // files processed in parallel; 0: one per CPU
	Debounce  time.Duration // the ranking is rebuilt once a burst has been quiet this long
	Calendar  Scheduler     // optional
	Log       zerolog.Logger
	// Rebuilt, when set, is called after each ranking rebuild (tests).
	Rebuilt func(publish.Result, error)
}

// ErrLocked is returned when another instance holds the inbox.
var ErrLocked = errors.New("another chiso serve is already running on this inbox")

// LockAs takes the one-instance lock in each of dirs — the inbox's control
// folder and the data folder, so that two instances never share an inbox
// nor a ledger — and returns the function that releases them. Beside each
// lock it says which command holds it since when (see Holding).
func LockAs(command string, since time.Time, dirs ...string) (func(), error) {
	var held []func()
	release := func() {
		for i := len(held) - 1; i >= 0; i-- {
			held[i]()
		}
	}
	for _, dir := range dirs {
		unlock, err := lock(dir, command, since)
		if err != nil {
			release()
			return nil, err
		}
		held = append(held, unlock)
	}
	return release, nil
}

func lock(dir, command string, since time.Time) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := layout.LockFile(dir)
	fl := flock.New(path)
	// `chiso status` takes the lock for an instant to see whether it is
	// held: a lock refused is tried again a few times before it counts as
	// another instance's.
	var ok bool
	for try := 0; ; try++ {
		var err error
		if ok, err = fl.TryLock(); err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok || try == lockTries-1 {
			break
		}
		time.Sleep(lockRetry)
	}
	if !ok {
		return nil, fmt.Errorf("%w (lock %s)", ErrLocked, path)
	}
	// Written whole (a fixed temporary name, then rename): a status reading
	// it meanwhile sees no file or all of it, and a crash in between leaves
	// nothing the next instance does not overwrite.
	pid := path + ".pid"
	body := fmt.Sprintf("%d\n%s\n%s\n", os.Getpid(), since.Format(time.RFC3339), command)
	err := os.WriteFile(pid+".tmp", []byte(body), 0o644)
	if err == nil {
		err = os.Rename(pid+".tmp", pid)
	}
	if err != nil {
		fl.Unlock()
		return nil, fmt.Errorf("lock %s: %w", pid, err)
	}
	return func() {
		os.Remove(pid)
		fl.Unlock()
	}, nil
}

// A refused lock is tried lockTries times, lockRetry apart: longer than
// a status probe holds it, far shorter than any real instance.
const (
	lockTries = 5
	lockRetry = 40 * time.Millisecond
)

// Holder is the process holding the one-instance lock.
type Holder struct {
	PID     int
	Since   time.Time // zero when not recorded
	Command string    // "serve", "process"; "" when not recorded
}

// Holding reports whether a chiso process holds the lock in dir, and which.
func Holding(dir string) (Holder, bool, error) {
	path := layout.LockFile(dir)
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return Holder{}, false, nil
	}
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err != nil {
		return Holder{}, false, fmt.Errorf("lock %s: %w", path, err)
	}
	if ok {
		fl.Unlock()
		return Holder{}, false, nil
	}
	var h Holder
	// The holder writes its pid file just after taking the lock.
	data, err := os.ReadFile(path + ".pid")
	for try := 1; errors.Is(err, os.ErrNotExist) && try < lockTries; try++ {
		time.Sleep(lockRetry)
		data, err = os.ReadFile(path + ".pid")
	}
	lines := strings.Split(string(data), "\n")
	h.PID, _ = strconv.Atoi(strings.TrimSpace(lines[0]))
	if len(lines) > 1 {
		h.Since, _ = time.Parse(time.RFC3339, strings.TrimSpace(lines[1]))
	}
	if len(lines) > 2 {
		h.Command = strings.TrimSpace(lines[2])
	}
	return h, true, nil
}

// processed is a worker's word to the loop: a file is done.
type processed struct {
	path    string
	taken   bool // false: it was not taken (it may still be in the inbox)
	changed bool // accepted or superseded: the ranking changes
	err     error
}

// Back-off for a file that could not be taken from the inbox (held open
// by another program, no permission): offered again after these waits,
// then left until the next start.
var retryWaits = []time.Duration{10 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute}

// Start runs until ctx is done or the watcher fails. Files in hand when
// ctx ends are finished (with their own context) so nothing is left
// half-done; a file not yet started stays in the inbox for the next start.
// Interrupted work from a crash is recovered first, then the backlog is
// processed. A watcher error stops the calendar too, and is returned.
func (d *Daemon) Start(ctx context.Context) error {
	p := d.Pipeline
	work := context.WithoutCancel(ctx) // in-hand files finish even after a stop signal
	recovered, err := p.Recover(work)
	if err != nil {
		return fmt.Errorf("recover: %w", err)
	}
	if len(recovered) > 0 {
		d.Log.Warn().Int("files", len(recovered)).Msg("recovered files interrupted by a crash")
	}
	// A rebuild is pending after startup if anything was recovered, or if
	// the last one was cut short.
	stale, err := d.Publisher.Stale(work, p.Year())
	if err != nil {
		return fmt.Errorf("ranking state: %w", err)
	}

	// The watcher and the calendar: the first to fail stops both.
	gctxBase, stop := context.WithCancel(ctx)
	defer stop()
	g, gctx := errgroup.WithContext(gctxBase)
	odd := make(chan intake.Odd, 64)
	wc := d.Watch
	wc.Odd = func(o intake.Odd) {
		select {
		case odd <- o:
		default: // noted at the next appearance or start
		}
	}
	w := watch.New(wc)
	g.Go(func() error {
		if err := w.Start(gctx); err != nil {
			return fmt.Errorf("watch: %w", err)
		}
		return nil
	})
	if d.Calendar != nil {
		g.Go(func() error {
			if err := d.Calendar.Start(gctx); err != nil && !errors.Is(err, context.Canceled) {
				d.Log.Error().Err(err).Msg("calendar stopped")
			}
			return nil
		})
	}

	workers := d.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	var pool errgroup.Group // never returns an error: workers report on done
	done := make(chan processed, workers)
	inflight := 0
	dirty := len(recovered) > 0 || stale
	debounce := time.NewTimer(d.Debounce)
	if !dirty {
		debounce.Stop()
	}
	// The rebuild runs beside the intake (a national cohort takes seconds),
	// one at a time; changes during a rebuild trigger another after it.
	rebuilding := false
	rebuilt := make(chan struct{}, 1)
	var rebuilds errgroup.Group
	startRebuild := func() {
		dirty, rebuilding = false, true
		rebuilds.Go(func() error {
			d.rebuild(work)
			rebuilt <- struct{}{}
			return nil
		})
	}
	// A service failure (ledger, outbox, disk) stops the daemon; the file
	// in hand is recovered at the next start.
	var failed error
	attempts := map[string]int{}
	finish := func(o processed) {
		inflight--
		switch {
		case o.err != nil:
			d.Log.Error().Err(o.err).Str("file", filepath.Base(o.path)).Msg("the service failed; stopping (the file is recovered at the next start)")
			if failed == nil {
				failed = o.err
			}
		case o.changed:
			dirty = true
			debounce.Reset(d.Debounce)
		case !o.taken:
			if _, err := os.Lstat(o.path); err != nil {
				delete(attempts, o.path)
				return // gone: taken by someone else
			}
			n := attempts[o.path]
			if n >= len(retryWaits) {
				d.Log.Warn().Str("file", filepath.Base(o.path)).Msg("file still cannot be taken; it is tried again at the next start")
				return
			}
			attempts[o.path] = n + 1
			path := o.path
			time.AfterFunc(retryWaits[n], func() { w.Again(path) })
		}
	}
loop:
	for {
		if failed != nil {
			break loop
		}
		// Take a file only when a worker is free (nil channel otherwise).
		var ready <-chan watch.File
		if inflight < workers {
			ready = w.Ready()
		}
		select {
		case <-gctx.Done():
			break loop
		case file, ok := <-ready:
			if !ok {
				break loop
			}
			inflight++
			pool.Go(func() error {
				f, ok, err := p.ProcessPath(work, file.Path, file.Seen)
				done <- processed{path: file.Path, taken: ok, err: err,
					changed: ok && (f.Outcome == ledger.Accepted || f.Outcome == ledger.Superseded)}
				return nil
			})
		case o := <-done:
			finish(o)
		case o := <-odd:
			if err := p.NoteOdd(work, o); err != nil && failed == nil {
				failed = err
			}
		case <-debounce.C:
			if dirty && !rebuilding {
				startRebuild()
			}
		case <-rebuilt:
			rebuilding = false
			if dirty {
				debounce.Reset(d.Debounce)
			}
		}
	}
	// Files in hand are finished; then the watcher, calendar and rebuild stop.
	stop()
	go func() { pool.Wait(); close(done) }()
	for o := range done {
		finish(o)
	}
	werr := g.Wait()
	rebuilds.Wait()
	if dirty {
		d.rebuild(work)
	}
	if err := errors.Join(failed, werr); err != nil {
		return err
	}
	d.Log.Info().Msg("stopped cleanly")
	return nil
}

func (d *Daemon) rebuild(ctx context.Context) {
	start := time.Now()
	res, err := d.Publisher.Publish(ctx, publish.Options{Year: d.Pipeline.Year()})
	if err != nil {
		d.Log.Error().Err(err).Msg("ranking rebuild failed")
	} else {
		d.Log.Info().Int64("duration_ms", time.Since(start).Milliseconds()).Int("ranked", len(res.Ranking.Ranked())).Msg("ranking rebuilt")
	}
	if d.Rebuilt != nil {
		d.Rebuilt(res, err)
	}
}
