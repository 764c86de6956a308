package calendar

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/ledger"
)

var _ Store = (*ledger.Ledger)(nil)

var hcm = mustZone("Asia/Ho_Chi_Minh")

func mustZone(name string) *time.Location {
	l, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return l
}

func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hcm) }

// memStore is a Store in memory.
type memStore struct {
	mu   sync.Mutex
	last map[string]time.Time
}

func newMemStore() *memStore { return &memStore{last: map[string]time.Time{}} }

func (s *memStore) LastRun(_ context.Context, name string) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last[name], nil
}

func (s *memStore) SetLastRun(_ context.Context, name string, t time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last[name] = t
	return nil
}

type run struct {
	name string
	occ  time.Time
	err  error
}

// harness runs a calendar on a manual clock until the test ends.
type harness struct {
	t     *testing.T
	clock *testkit.ManualClock
	cal   *Calendar
	done  chan run
	stop  func()
}

func newHarness(t *testing.T, now time.Time, store Store) *harness {
	t.Helper()
	h := &harness{t: t, clock: testkit.NewManualClock(now), done: make(chan run, 100)}
	h.cal = New(hcm, store, h.clock.Now, zerolog.New(zerolog.NewTestWriter(t)))
	h.cal.After = h.clock.After
	h.cal.Finished = func(name string, occ time.Time, err error) { h.done <- run{name, occ, err} }
	return h
}

// start starts the calendar and waits until it waits on the clock.
func (h *harness) start() {
	h.t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- h.cal.Start(ctx) }()
	h.stop = func() {
		cancel()
		select {
		case err := <-errc:
			if err != nil {
				h.t.Errorf("Start: %v", err)
			}
		case <-time.After(5 * time.Second):
			h.t.Error("Start did not return after cancel")
		}
	}
	h.t.Cleanup(func() {
		if h.stop != nil {
			h.stop()
		}
	})
	h.idle()
}

// restart stops the calendar (a daemon restart keeps only the store).
func (h *harness) shutdown() {
	h.t.Helper()
	h.stop()
	h.stop = nil
}

func (h *harness) idle() {
	h.t.Helper()
	if !h.clock.WaitForWaiters(1, 5*time.Second) {
		h.t.Fatal("the calendar is not waiting on the clock")
	}
}

// set moves the clock once the calendar waits on it.
func (h *harness) set(t time.Time) {
	h.t.Helper()
	h.idle()
	h.clock.Set(t)
	h.idle()
}

func (h *harness) next() run {
	h.t.Helper()
	select {
	case r := <-h.done:
		return r
	case <-time.After(5 * time.Second):
		h.t.Fatal("no job finished")
	}
	return run{}
}

// none checks that no job finished (after the calendar settled).
func (h *harness) none() {
	h.t.Helper()
	h.idle()
	select {
	case r := <-h.done:
		h.t.Fatalf("unexpected run of %s for %s", r.name, r.occ)
	case <-time.After(50 * time.Millisecond):
	}
}

func (h *harness) want(name string, occ time.Time) run {
	h.t.Helper()
	r := h.next()
	if r.name != name || !r.occ.Equal(occ) {
		h.t.Fatalf("ran %s for %s; want %s for %s", r.name, r.occ, name, occ)
	}
	return r
}

func noop(context.Context, time.Time) error { return nil }

func TestParse(t *testing.T) {
	valid := []string{"0 8 1 11 *", "0 8 * 11 1", " 0 17 15 12 * ", "CRON_TZ=Asia/Ho_Chi_Minh 0 8 * * 1", "TZ=UTC 0 8 * * *", "@daily", "*/15 8-17 * * 1-5"}
	for _, s := range valid {
		if _, _, err := Parse(s, hcm); err != nil {
			t.Errorf("Parse(%q): %v", s, err)
		}
	}
	invalid := []string{"", "   ", "CRON_TZ=", "TZ=", "CRON_TZ=UTC", "TZ=0", "TZ=TZ=TZ=", "CRON_TZ= 0 8 * * *",
		"CRON_TZ=Mars/Base 0 8 * * *", "0 8 * *", "0 8 1 11 * *", "61 8 * * *", "0 8 32 * *", "@every 1h", "@hourly-ish",
		"0 0 31 2 *", "thứ hai 8 giờ"}
	for _, s := range invalid {
		if _, _, err := Parse(s, hcm); err == nil {
			t.Errorf("Parse(%q): no error", s)
		}
	}
	// The prefix's zone wins over the calendar's.
	sched, loc, err := Parse("CRON_TZ=UTC 0 8 * * *", hcm)
	if err != nil || loc != time.UTC {
		t.Fatalf("Parse: %v, %v", loc, err)
	}
	if got := sched.Next(at(2023, 11, 1, 0, 0).In(loc)); !got.Equal(time.Date(2023, 11, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("Next = %s", got)
	}
}

func TestAddErrorsNameJobAndSpec(t *testing.T) {
	c := New(hcm, newMemStore(), nil, zerolog.Nop())
	err := c.Add("reminder-2", "CRON_TZ=UTC", noop)
	if err == nil || !strings.Contains(err.Error(), `"reminder-2"`) || !strings.Contains(err.Error(), `"CRON_TZ=UTC"`) {
		t.Errorf("Add error = %v", err)
	}
	if err := c.Add("opening", "0 8 1 11 *", noop); err != nil {
		t.Fatal(err)
	}
	if err := c.Add("opening", "0 8 2 11 *", noop); err == nil {
		t.Error("a second job with the same name was accepted")
	}
	if err := c.Add("x", "0 8 2 11 *", nil); err == nil {
		t.Error("a job without a function was accepted")
	}
}

func TestRunsAtOccurrenceAndPersists(t *testing.T) {
	store := newMemStore()
	h := newHarness(t, at(2023, 10, 31, 12, 0), store)
	if err := h.cal.Add("opening", "0 8 1 11 *", noop); err != nil {
		t.Fatal(err)
	}
	if err := h.cal.Add("reminder-1", "0 8 * 11 1", noop); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.none()
	h.set(at(2023, 11, 1, 7, 59))
	h.none()
	h.set(at(2023, 11, 1, 8, 0))
	h.want("opening", at(2023, 11, 1, 8, 0))
	h.none()
	if got := store.last["opening"]; !got.Equal(at(2023, 11, 1, 8, 0)) {
		t.Errorf("stored last run = %s", got)
	}
	next := h.cal.Next()
	if !next["reminder-1"].Equal(at(2023, 11, 6, 8, 0)) || !next["opening"].Equal(at(2024, 11, 1, 8, 0)) {
		t.Errorf("Next = %v", next)
	}
	if next["reminder-1"].Location() != hcm {
		t.Errorf("Next is in %s", next["reminder-1"].Location())
	}
	h.set(at(2023, 11, 6, 8, 0))
	h.want("reminder-1", at(2023, 11, 6, 8, 0))
	h.none()
}

func TestCatchUpAfterDowntimeOnceAndNoDuplicate(t *testing.T) {
	store := newMemStore()
	store.last["reminder-1"] = at(2023, 11, 6, 8, 0)
	var mu sync.Mutex
	var sent []time.Time
	job := func(_ context.Context, occ time.Time) error {
		mu.Lock()
		sent = append(sent, occ)
		mu.Unlock()
		return nil
	}
	// Down from before the 13th and the 20th: only the latest is caught up.
	h := newHarness(t, at(2023, 11, 22, 9, 30), store)
	if err := h.cal.Add("reminder-1", "0 8 * 11 1", job); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.want("reminder-1", at(2023, 11, 20, 8, 0))
	h.none()
	h.shutdown()

	// A restart, later the same day: nothing to catch up.
	h2 := newHarness(t, at(2023, 11, 22, 15, 0), store)
	if err := h2.cal.Add("reminder-1", "0 8 * 11 1", job); err != nil {
		t.Fatal(err)
	}
	h2.start()
	h2.none()
	h2.set(at(2023, 11, 27, 8, 0))
	h2.want("reminder-1", at(2023, 11, 27, 8, 0))
	h2.none()
	mu.Lock()
	defer mu.Unlock()
	if len(sent) != 2 {
		t.Errorf("sent for %v; want the 20th and the 27th", sent)
	}
}

func TestCatchUpBounds(t *testing.T) {
	tests := []struct {
		name string
		last time.Time
		now  time.Time
		want time.Time // zero: nothing runs
	}{
		{"never ran, occurrence 2 days ago", time.Time{}, at(2023, 11, 3, 10, 0), at(2023, 11, 1, 8, 0)},
		{"never ran, installed in March", time.Time{}, at(2024, 3, 10, 10, 0), time.Time{}},
		{"ran last year, down since October", at(2022, 11, 1, 8, 0), at(2023, 12, 20, 9, 0), time.Time{}},
		{"already ran", at(2023, 11, 1, 8, 0), at(2023, 11, 3, 10, 0), time.Time{}},
		{"clock behind the store", at(2023, 11, 1, 8, 0), at(2023, 10, 1, 8, 0), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			if !tt.last.IsZero() {
				store.last["opening"] = tt.last
			}
			h := newHarness(t, tt.now, store)
			if err := h.cal.Add("opening", "0 8 1 11 *", noop); err != nil {
				t.Fatal(err)
			}
			h.start()
			if tt.want.IsZero() {
				h.none()
				return
			}
			h.want("opening", tt.want)
			h.none()
		})
	}
}

func TestFailureIsNotPersistedAndRetriedAtStart(t *testing.T) {
	store := newMemStore()
	fail := true
	var mu sync.Mutex
	job := func(context.Context, time.Time) error {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			return errors.New("smtp down")
		}
		return nil
	}
	h := newHarness(t, at(2023, 11, 30, 16, 0), store)
	if err := h.cal.Add("close", "0 17 30 11 *", job); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.set(at(2023, 11, 30, 17, 0))
	if r := h.next(); r.err == nil {
		t.Fatal("the failure was not reported")
	}
	if _, ok := store.last["close"]; ok {
		t.Fatal("a failed run was recorded")
	}
	h.shutdown()
	mu.Lock()
	fail = false
	mu.Unlock()
	h2 := newHarness(t, at(2023, 11, 30, 18, 0), store)
	if err := h2.cal.Add("close", "0 17 30 11 *", job); err != nil {
		t.Fatal(err)
	}
	h2.start()
	h2.want("close", at(2023, 11, 30, 17, 0))
	if !store.last["close"].Equal(at(2023, 11, 30, 17, 0)) {
		t.Errorf("stored %s", store.last["close"])
	}
}

func TestPanicIsRecovered(t *testing.T) {
	store := newMemStore()
	calls := 0
	job := func(context.Context, time.Time) error {
		calls++
		if calls == 1 {
			panic("nil map")
		}
		return nil
	}
	store.last["tick"] = at(2023, 11, 1, 7, 30) // no catch-up of 07:00
	h := newHarness(t, at(2023, 11, 1, 7, 30), store)
	if err := h.cal.Add("tick", "0 * * * *", job); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.set(at(2023, 11, 1, 8, 0))
	if r := h.next(); r.err == nil || !strings.Contains(r.err.Error(), "panicked") {
		t.Fatalf("err = %v", r.err)
	}
	h.set(at(2023, 11, 1, 9, 0))
	if r := h.want("tick", at(2023, 11, 1, 9, 0)); r.err != nil {
		t.Fatal(r.err)
	}
}

func TestSkipIfStillRunning(t *testing.T) {
	store := newMemStore()
	release := make(chan struct{})
	started := make(chan time.Time, 10)
	job := func(_ context.Context, occ time.Time) error {
		started <- occ
		<-release
		return nil
	}
	store.last["slow"] = at(2023, 11, 1, 7, 59)
	h := newHarness(t, at(2023, 11, 1, 7, 59).Add(30*time.Second), store)
	if err := h.cal.Add("slow", "* * * * *", job); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.set(at(2023, 11, 1, 8, 0))
	<-started
	h.set(at(2023, 11, 1, 8, 1)) // still running: skipped
	if err := h.cal.RunNow(context.Background(), "slow"); !errors.Is(err, ErrRunning) {
		t.Errorf("RunNow while running: %v", err)
	}
	close(release)
	h.want("slow", at(2023, 11, 1, 8, 0))
	h.none()
	select {
	case occ := <-started:
		t.Fatalf("the skipped occurrence %s ran", occ)
	default:
	}
	h.set(at(2023, 11, 1, 8, 2))
	h.want("slow", at(2023, 11, 1, 8, 2))
}

func TestSameTimeRunsInAddOrder(t *testing.T) {
	var mu sync.Mutex
	var order []string
	job := func(name string) Job {
		return func(context.Context, time.Time) error {
			mu.Lock()
			order = append(order, name)
			mu.Unlock()
			return nil
		}
	}
	// 1 November 2027 is a Monday: the opening and the weekly reminder coincide.
	h := newHarness(t, at(2027, 10, 31, 0, 0), newMemStore())
	for _, n := range []string{"opening", "reminder-1"} {
		if err := h.cal.Add(n, map[string]string{"opening": "0 8 1 11 *", "reminder-1": "0 8 * 11 1"}[n], job(n)); err != nil {
			t.Fatal(err)
		}
	}
	h.start()
	h.set(at(2027, 11, 1, 8, 0))
	h.next()
	h.next()
	if strings.Join(order, ",") != "opening,reminder-1" {
		t.Errorf("order = %v", order)
	}
}

func TestRunNow(t *testing.T) {
	store := newMemStore()
	clock := testkit.NewManualClock(at(2023, 11, 8, 14, 30))
	c := New(hcm, store, clock.Now, zerolog.Nop())
	var got time.Time
	if err := c.Add("reminder-1", "0 8 * 11 1", func(_ context.Context, occ time.Time) error { got = occ; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := c.RunNow(context.Background(), "reminder-1"); err != nil {
		t.Fatal(err)
	}
	if !got.Equal(at(2023, 11, 8, 14, 30)) || !store.last["reminder-1"].Equal(got) {
		t.Errorf("occurrence %s, stored %s", got, store.last["reminder-1"])
	}
	if err := c.RunNow(context.Background(), "nope"); err == nil {
		t.Error("RunNow of an unknown job: no error")
	}
	// A record never moves back.
	if err := c.persist(context.Background(), "reminder-1", at(2023, 11, 6, 8, 0)); err != nil {
		t.Fatal(err)
	}
	if !store.last["reminder-1"].Equal(got) {
		t.Errorf("the record moved back to %s", store.last["reminder-1"])
	}
}

func TestPersistedWhenCancelledAfterSuccess(t *testing.T) {
	store := newMemStore()
	h := newHarness(t, at(2023, 11, 1, 7, 0), store)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := h.cal.Add("opening", "0 8 1 11 *", func(context.Context, time.Time) error { cancel(); return nil }); err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() { errc <- h.cal.Start(ctx) }()
	h.idle()
	h.clock.Set(at(2023, 11, 1, 8, 0))
	h.want("opening", at(2023, 11, 1, 8, 0))
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if !store.last["opening"].Equal(at(2023, 11, 1, 8, 0)) {
		t.Errorf("stored %s", store.last["opening"])
	}
}

func TestLedgerStoreAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	l, err := ledger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, at(2023, 11, 10, 9, 0), l)
	if err := h.cal.Add("reminder-1", "0 8 * 11 1", noop); err != nil {
		t.Fatal(err)
	}
	h.start()
	h.want("reminder-1", at(2023, 11, 6, 8, 0))
	h.none()
	h.shutdown()
	l.Close()

	l, err = ledger.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	h2 := newHarness(t, at(2023, 11, 10, 9, 5), l)
	if err := h2.cal.Add("reminder-1", "0 8 * 11 1", noop); err != nil {
		t.Fatal(err)
	}
	h2.start()
	h2.none()
	h2.shutdown()
}

// TestBoundedJobs: a job once at a time, caught up whatever its age until
// its bound; a cron job only within its bounds, nothing at all once the
// upper bound has passed, even a missed occurrence.
func TestBoundedJobs(t *testing.T) {
	store := newMemStore()
	open, end := at(2023, 11, 1, 8, 0), at(2023, 12, 16, 0, 0)
	add := func(h *harness) {
		h.t.Helper()
		for _, s := range []Spec{
			{Name: "opening", At: open, Until: end, MaxLate: -1, Run: noop},
			{Name: "monday", Cron: "0 8 * * 1", From: open, Until: end, Run: noop},
		} {
			if err := h.cal.AddSpec(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Started in October: the Mondays of October are out of bounds.
	h := newHarness(t, at(2023, 10, 20, 9, 0), store)
	add(h)
	h.start()
	h.none()
	if next := h.cal.Next(); !next["opening"].Equal(open) || !next["monday"].Equal(at(2023, 11, 6, 8, 0)) {
		t.Errorf("Next = %v", next)
	}
	h.shutdown()
	// Three weeks late: the opening however late, then the last Monday.
	h = newHarness(t, at(2023, 11, 22, 9, 0), store)
	add(h)
	h.start()
	h.want("opening", open)
	h.want("monday", at(2023, 11, 20, 8, 0))
	h.none()
	h.set(at(2023, 12, 11, 8, 0))
	h.want("monday", at(2023, 12, 11, 8, 0))
	h.shutdown()
	// After the upper bound: not even Monday 18 December, nor a catch-up.
	h = newHarness(t, at(2023, 12, 19, 9, 0), store)
	add(h)
	h.start()
	h.none()
	if next := h.cal.Next(); len(next) != 0 {
		t.Errorf("Next after the bound = %v", next)
	}
	h.shutdown()
	// A cron spec and a time together are refused.
	if err := New(hcm, store, nil, zerolog.Nop()).AddSpec(Spec{Name: "x", Cron: "0 8 * * 1", At: open, Run: noop}); err == nil {
		t.Error("a cron spec and a time were both accepted")
	}
}
