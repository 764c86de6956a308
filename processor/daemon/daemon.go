// Package daemon runs chiso all year: it takes files from the inbox as the
// watcher hands them over, processes them with a bounded pool of workers,
// rebuilds the ranking once per burst, and runs the collection calendar.
// One instance per inbox: a lock file on local disk.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/pipeline"
	"github.com/chiso-vn/chiso/processor/watch"
)

// Scheduler is the collection calendar (processor/calendar).
type Scheduler interface {
	Start(ctx context.Context) error
}

// Daemon wires the watcher, the pipeline and the calendar.
type Daemon struct {
	Pipeline *pipeline.Pipeline
	Watch    watch.Config
	Workers  int           // files processed in parallel
	Debounce time.Duration // the ranking is rebuilt once a burst has been quiet this long
	Year     int           // the year whose ranking is rebuilt
	Calendar Scheduler     // optional
	Log      zerolog.Logger
	// Rebuilt, when set, is called after each ranking rebuild (tests).
	Rebuilt func(pipeline.RankResult, error)
}

// ErrLocked is returned when another instance holds the inbox.
var ErrLocked = errors.New("another chiso serve is already running on this inbox")

// Lock takes the one-instance lock in dir (local disk) and returns its
// release function.
func Lock(dir string) (func(), error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "chiso.lock")
	fl := flock.New(path)
	ok, err := fl.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if !ok {
		return nil, fmt.Errorf("%w (lock %s)", ErrLocked, path)
	}
	os.WriteFile(path+".pid", []byte(fmt.Sprintf("%d\n", os.Getpid())), 0o644)
	return func() { fl.Unlock(); os.Remove(path + ".pid") }, nil
}

// Start runs until ctx is done. Files in hand when ctx ends are finished
// (with their own context) so nothing is left half-done; a file not yet
// started stays in the inbox for the next start. Interrupted work from a
// crash is recovered first, then the backlog is processed.
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
	w := watch.New(d.Watch)
	var wg sync.WaitGroup
	watchErr := make(chan error, 1)
	wg.Add(1)
	go func() {
		defer wg.Done()
		watchErr <- w.Start(ctx)
	}()
	if d.Calendar != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.Calendar.Start(ctx); err != nil && !errors.Is(err, context.Canceled) {
				d.Log.Error().Err(err).Msg("calendar stopped")
			}
		}()
	}
	workers := d.Workers
	if workers <= 0 {
		workers = 2
	}
	jobs := make(chan string)
	accepted := make(chan struct{}, 1)
	var wwg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			for path := range jobs {
				f, ok, err := p.ProcessPath(work, path)
				switch {
				case err != nil:
					d.Log.Error().Err(err).Str("file", filepath.Base(path)).Msg("processing failed; the file is recovered at the next start")
				case ok && (f.Outcome == ledger.Accepted || f.Outcome == ledger.Superseded):
					select {
					case accepted <- struct{}{}:
					default:
					}
				}
			}
		}()
	}
	// A rebuild is pending after startup if anything was recovered, or if
	// the last one was cut short.
	stale, err := p.RankingStale(work, d.Year)
	if err != nil {
		return fmt.Errorf("ranking state: %w", err)
	}
	dirty := len(recovered) > 0 || stale
	debounce := time.NewTimer(d.Debounce)
	if !dirty {
		debounce.Stop()
	}
	ready := w.Ready()
	// The rebuild runs beside the intake (a national cohort takes seconds),
	// one at a time; changes during a rebuild trigger another after it.
	rebuilding := false
	rebuilt := make(chan struct{}, 1)
	var rwg sync.WaitGroup
	startRebuild := func() {
		dirty, rebuilding = false, true
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			d.rebuild(work)
			rebuilt <- struct{}{}
		}()
	}
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case err := <-watchErr:
			if err != nil {
				close(jobs)
				wwg.Wait()
				rwg.Wait()
				return fmt.Errorf("watch: %w", err)
			}
		case path := <-ready:
			select {
			case jobs <- path:
			case <-ctx.Done():
				break loop
			}
		case <-accepted:
			dirty = true
			debounce.Reset(d.Debounce)
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
	close(jobs)
	wwg.Wait() // files in hand are finished
	wg.Wait()
	rwg.Wait()
	if dirty {
		d.rebuild(work)
	}
	d.Log.Info().Msg("stopped cleanly")
	return nil
}

func (d *Daemon) rebuild(ctx context.Context) {
	start := time.Now()
	res, err := d.Pipeline.Rank(ctx, pipeline.RankOptions{Year: d.Year})
	if err != nil {
		d.Log.Error().Err(err).Msg("ranking rebuild failed")
	} else {
		d.Log.Info().Dur("duration", time.Since(start)).Int("ranked", len(res.Ranking.Ranked())).Msg("ranking rebuilt")
	}
	if d.Rebuilt != nil {
		d.Rebuilt(res, err)
	}
}
