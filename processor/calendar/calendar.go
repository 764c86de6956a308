// Package calendar runs named jobs on cron schedules (robfig/cron/v3 specs)
// in a time zone, with an injectable clock and timer so tests are
// deterministic.
//
// cron.Cron's own runner is not used: it reads the wall clock and forgets
// runs missed while the process was down. Here each job's last occurrence
// is persisted in a Store (the ledger) after the job succeeds, an
// occurrence at or before the stored one never runs again (no duplicate
// e-mails across restarts), and Start catches up, once, the latest
// occurrence missed while the daemon was down. Jobs run under the
// equivalent of cron.NewChain(cron.Recover, cron.SkipIfStillRunning).
//
// A job may occur once (Spec.At) instead of on a cron schedule, and may be
// bounded (Spec.From, Spec.Until): a collection's reminders run only between
// its opening and its deadline, its opening once, caught up however late
// until the deadline.
package calendar

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"github.com/rs/zerolog"
)

// Store persists each job's last occurrence; *ledger.Ledger satisfies it.
type Store interface {
	LastRun(ctx context.Context, name string) (time.Time, error)
	SetLastRun(ctx context.Context, name string, t time.Time) error
}

// Job is the work of a job; occurrence is the scheduled time it runs for
// (the current time for RunNow).
type Job func(ctx context.Context, occurrence time.Time) error

// ErrRunning is returned by RunNow when the job is already running.
var ErrRunning = errors.New("job is already running")

// DefaultMaxLate is how old a missed occurrence may be and still be caught up.
const DefaultMaxLate = 7 * 24 * time.Hour

type entry struct {
	name     string
	spec     string
	schedule cron.Schedule
	loc      *time.Location
	run      Job
	// from, until bound the occurrences (zero: unbounded); nothing runs
	// once until has passed. maxLate overrides Calendar.MaxLate when not 0;
	// negative: a missed occurrence is caught up whatever its age.
	from, until time.Time
	maxLate     time.Duration

	// Guarded by Calendar.mu.
	cursor  time.Time // occurrences at or before it are never run again
	running bool
}

// Calendar is a set of named jobs. Set the exported fields before Start.
type Calendar struct {
	// After returns a channel that receives once d has passed (default
	// time.After). Tests inject a ManualClock's After.
	After func(d time.Duration) <-chan time.Time
	// MaxLate: a missed occurrence older than this is not caught up (a
	// daemon down since October must not send November's opening in
	// March). 0 or less means DefaultMaxLate.
	MaxLate time.Duration
	// MaxWait caps one wait so that a wall clock set forward or back is
	// noticed within it (Go timers follow the monotonic clock). Default 1 min.
	MaxWait time.Duration
	// Finished, when set, is called after each run, once its occurrence
	// has been persisted (err == nil) or not (err != nil).
	Finished func(name string, occurrence time.Time, err error)

	loc   *time.Location
	store Store
	now   func() time.Time
	log   zerolog.Logger

	mu      sync.Mutex
	jobs    []*entry // in Add order: jobs due together run in this order
	byName  map[string]*entry
	started bool
	wg      sync.WaitGroup
}

// New returns an empty calendar whose specs are read in loc (nil: UTC).
// now nil means time.Now.
func New(loc *time.Location, store Store, now func() time.Time, log zerolog.Logger) *Calendar {
	if loc == nil {
		loc = time.UTC
	}
	if now == nil {
		now = time.Now
	}
	return &Calendar{
		After:   time.After,
		MaxLate: DefaultMaxLate,
		MaxWait: time.Minute,
		loc:     loc,
		store:   store,
		now:     now,
		log:     log,
		byName:  map[string]*entry{},
	}
}

// Parse parses a standard 5-field cron spec ("minute hour day-of-month
// month day-of-week", or a descriptor such as @daily), optionally prefixed
// by CRON_TZ=Zone or TZ=Zone, read in loc unless the prefix names a zone.
// It never panics: robfig/cron v3.0.1 panics on a prefix with no space
// after it ("CRON_TZ=UTC", "TZ="), so the prefix is split and checked here,
// and the parser is called under recover as well.
func Parse(spec string, loc *time.Location) (cron.Schedule, *time.Location, error) {
	s := strings.TrimSpace(spec)
	if s == "" {
		return nil, nil, errors.New("empty schedule")
	}
	if strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		rest := s[strings.IndexByte(s, '=')+1:]
		i := strings.IndexAny(rest, " \t")
		if i <= 0 {
			return nil, nil, fmt.Errorf("time zone prefix %q must be followed by a zone name, a space and the schedule fields", s)
		}
		l, err := time.LoadLocation(rest[:i])
		if err != nil {
			return nil, nil, fmt.Errorf("time zone %q: %w", rest[:i], err)
		}
		loc, s = l, strings.TrimSpace(rest[i:])
	}
	if strings.HasPrefix(s, "@every") {
		// A constant delay has no fixed occurrences to persist or catch up.
		return nil, nil, errors.New("@every is not supported: give fixed times")
	}
	sched, err := parseStandard(s)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := sched.(*cron.SpecSchedule); !ok {
		return nil, nil, fmt.Errorf("unsupported schedule %T", sched)
	}
	if loc == nil {
		loc = time.UTC
	}
	// SpecSchedule.Next gives up (zero time) after five years: "0 0 31 2 *".
	if sched.Next(time.Date(2000, 1, 1, 0, 0, 0, 0, loc)).IsZero() {
		return nil, nil, errors.New("the schedule never occurs")
	}
	return sched, loc, nil
}

func parseStandard(s string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("invalid schedule: %v", r)
		}
	}()
	return cron.ParseStandard(s)
}

// Add registers a job on a cron spec. Names are unique; specs are parsed
// now, so a bad config fails at start, naming the job and the spec.
func (c *Calendar) Add(name, spec string, run func(ctx context.Context, occurrence time.Time) error) error {
	return c.AddSpec(Spec{Name: name, Cron: spec, Run: run})
}

// Spec is a job: a name, when it occurs (a cron spec, or once At), the
// bounds of its occurrences, and its work.
type Spec struct {
	Name string
	Cron string    // "minute hour day-of-month month day-of-week", or
	At   time.Time // one occurrence
	// From and Until bound the occurrences (zero: unbounded): none before
	// From or after Until runs, and once Until has passed nothing runs,
	// not even a missed occurrence.
	From, Until time.Time
	// MaxLate overrides the calendar's MaxLate when not 0; negative: a
	// missed occurrence is caught up whatever its age (within the bounds).
	MaxLate time.Duration
	Run     Job
}

// once is a schedule with one occurrence.
type once struct{ at time.Time }

func (o once) Next(t time.Time) time.Time {
	if t.Before(o.at) {
		return o.at
	}
	return time.Time{}
}

// AddSpec registers a job. Names are unique; cron specs are parsed now.
func (c *Calendar) AddSpec(s Spec) error {
	if s.Name == "" || s.Run == nil {
		return fmt.Errorf("calendar: job %q: a name and a function are needed", s.Name)
	}
	e := &entry{name: s.Name, run: s.Run, from: s.From, until: s.Until, maxLate: s.MaxLate, loc: c.loc}
	switch {
	case s.Cron != "" && !s.At.IsZero():
		return fmt.Errorf("calendar: job %q: a cron spec or a time, not both", s.Name)
	case s.Cron != "":
		sched, loc, err := Parse(s.Cron, c.loc)
		if err != nil {
			return fmt.Errorf("calendar: job %q, schedule %q: %w", s.Name, s.Cron, err)
		}
		e.spec, e.schedule, e.loc = s.Cron, sched, loc
	case !s.At.IsZero():
		e.spec, e.schedule = s.At.In(c.loc).Format("once 2006-01-02 15:04"), once{at: s.At}
	default:
		return fmt.Errorf("calendar: job %q: no schedule", s.Name)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.started {
		return fmt.Errorf("calendar: job %q added after Start", s.Name)
	}
	if c.byName[s.Name] != nil {
		return fmt.Errorf("calendar: job %q added twice", s.Name)
	}
	c.jobs = append(c.jobs, e)
	c.byName[s.Name] = e
	return nil
}

// Names returns the job names in the order they were added.
func (c *Calendar) Names() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]string, len(c.jobs))
	for i, e := range c.jobs {
		out[i] = e.name
	}
	return out
}

// Next returns each job's next occurrence after now (and after its last
// run once Start has read it), in the calendar's time zone; a job that
// never occurs again is left out.
func (c *Calendar) Next() map[string]time.Time {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]time.Time{}
	for _, e := range c.jobs {
		if t := e.next(later(now, e.cursor)); !t.IsZero() {
			out[e.name] = t.In(c.loc)
		}
	}
	return out
}

// next is the first occurrence after after within the job's bounds, or zero.
func (e *entry) next(after time.Time) time.Time {
	if !e.from.IsZero() && after.Before(e.from) {
		after = e.from.Add(-time.Nanosecond)
	}
	t := e.schedule.Next(after.In(e.loc))
	if !t.IsZero() && !e.until.IsZero() && t.After(e.until) {
		return time.Time{}
	}
	return t
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Start reads each job's last run from the store, runs once every job whose
// latest occurrence at or before now is later than its last run (and not
// older than MaxLate), then runs jobs as they fall due. It blocks until ctx
// is done and the running jobs have returned, and then returns nil.
func (c *Calendar) Start(ctx context.Context) error {
	c.mu.Lock()
	if c.started {
		c.mu.Unlock()
		return errors.New("calendar: started twice")
	}
	c.started = true
	jobs := append([]*entry(nil), c.jobs...)
	c.mu.Unlock()
	for _, e := range jobs {
		last, err := c.store.LastRun(ctx, e.name)
		if err != nil {
			return fmt.Errorf("calendar: last run of job %q: %w", e.name, err)
		}
		c.mu.Lock()
		e.cursor = later(e.cursor, last)
		c.mu.Unlock()
	}
	after := c.After
	if after == nil {
		after = time.After
	}
	defer c.wg.Wait()
	// The first tick is the catch-up: same rule as every later tick.
	for ctx.Err() == nil {
		now := c.now()
		wait := c.tick(ctx, now)
		select {
		case <-ctx.Done():
			return nil
		case <-after(wait):
		}
	}
	return nil
}

// tick starts the jobs due at now and returns how long to wait for the next.
func (c *Calendar) tick(ctx context.Context, now time.Time) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	var due []*entry
	var occ []time.Time
	for _, e := range c.jobs {
		o := c.latestDue(e, now)
		e.cursor = later(e.cursor, now)
		if o.IsZero() {
			continue
		}
		if e.running {
			// cron.SkipIfStillRunning: this occurrence is dropped, not queued.
			c.log.Warn().Str("job", e.name).Time("occurrence", o).Msg("job still running: occurrence skipped")
			continue
		}
		e.running = true
		due = append(due, e)
		occ = append(occ, o)
	}
	if len(due) > 0 {
		// Jobs due together run one after another in Add order, so the
		// opening's templates exist before a reminder sent the same minute.
		c.wg.Add(1)
		go func() {
			defer c.wg.Done()
			for i, e := range due {
				c.runAndRecord(ctx, e, occ[i])
			}
		}()
	}
	wait := c.MaxWait
	if wait <= 0 {
		wait = time.Minute
	}
	for _, e := range c.jobs {
		if t := e.next(e.cursor); !t.IsZero() && t.Sub(now) < wait {
			wait = t.Sub(now)
		}
	}
	return max(wait, 0)
}

// latestDue is the latest occurrence of e in (cursor, now], not older than
// MaxLate; zero if none. Called with c.mu held.
func (c *Calendar) latestDue(e *entry, now time.Time) time.Time {
	if !e.until.IsZero() && now.After(e.until) {
		return time.Time{} // over: not even a missed occurrence runs
	}
	maxLate := c.MaxLate
	if maxLate <= 0 {
		maxLate = DefaultMaxLate
	}
	if e.maxLate != 0 {
		maxLate = e.maxLate
	}
	from := now.Add(-maxLate)
	if maxLate < 0 {
		// Any age: from the first occurrence the bounds allow (a cron
		// schedule without a lower bound looks back a year).
		from = e.from.Add(-time.Nanosecond)
		if e.from.IsZero() {
			from = now.AddDate(-1, 0, 0)
		}
	}
	if e.cursor.After(from) {
		from = e.cursor
	} else if !e.cursor.IsZero() {
		// Occurrences in (cursor, now-MaxLate] are too old: say so once.
		if t := e.next(e.cursor); !t.IsZero() && !t.After(from) {
			c.log.Warn().Str("job", e.name).Time("occurrence", t.In(c.loc)).Int64("max_late_ms", maxLate.Milliseconds()).
				Msg("occurrence missed while stopped and too old to catch up: run it by hand if still needed")
		}
	}
	var last time.Time
	for t := e.next(from); !t.IsZero() && !t.After(now); t = e.next(t) {
		last = t
	}
	if last.IsZero() {
		return last
	}
	return last.In(c.loc)
}

// RunNow runs the named job at once for the occurrence "now" and records
// it, unless it is already running (ErrRunning).
func (c *Calendar) RunNow(ctx context.Context, name string) error {
	c.mu.Lock()
	e := c.byName[name]
	if e == nil {
		c.mu.Unlock()
		return fmt.Errorf("calendar: no job %q", name)
	}
	if e.running {
		c.mu.Unlock()
		return fmt.Errorf("calendar: job %q: %w", name, ErrRunning)
	}
	occ := c.now().In(c.loc)
	e.running = true
	// The loop must not run again an occurrence this run covers.
	e.cursor = later(e.cursor, occ)
	c.mu.Unlock()
	return c.runAndRecord(ctx, e, occ)
}

// runAndRecord runs e for occ (e.running already set), persists occ on
// success and clears e.running.
func (c *Calendar) runAndRecord(ctx context.Context, e *entry, occ time.Time) error {
	start := c.now()
	log := c.log.With().Str("job", e.name).Time("occurrence", occ).Logger()
	log.Info().Msg("job started")
	err := c.protect(ctx, e, occ)
	if err == nil {
		// Persisted even when ctx was cancelled just after the job
		// succeeded: a lost record means the same e-mails again at restart.
		err = c.persist(context.WithoutCancel(ctx), e.name, occ)
	}
	dur := c.now().Sub(start)
	if err != nil {
		log.Error().Err(err).Int64("duration_ms", dur.Milliseconds()).Msg("job failed: it will be retried at the next start")
	} else {
		log.Info().Int64("duration_ms", dur.Milliseconds()).Msg("job finished")
	}
	c.mu.Lock()
	e.running = false
	c.mu.Unlock()
	if c.Finished != nil {
		c.Finished(e.name, occ, err)
	}
	return err
}

// protect is cron.Recover: a panicking job is logged and counted as failed.
func (c *Calendar) protect(ctx context.Context, e *entry, occ time.Time) (err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error().Str("job", e.name).Str("stack", string(debug.Stack())).Msgf("job panicked: %v", r)
			err = fmt.Errorf("job %q panicked: %v", e.name, r)
		}
	}()
	return e.run(ctx, occ)
}

// persist records occ unless a later occurrence is already recorded.
func (c *Calendar) persist(ctx context.Context, name string, occ time.Time) error {
	last, err := c.store.LastRun(ctx, name)
	if err != nil {
		return fmt.Errorf("calendar: last run of job %q: %w", name, err)
	}
	if !occ.After(last) {
		return nil
	}
	if err := c.store.SetLastRun(ctx, name, occ); err != nil {
		return fmt.Errorf("calendar: record run of job %q: %w", name, err)
	}
	return nil
}
