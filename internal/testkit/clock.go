package testkit

import (
	"sync"
	"time"
)

// ManualClock is a clock that moves only when told to, for deterministic
// tests of code that takes a clock and a timer: pass Now as the clock and
// After as Calendar.After.
type ManualClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []manualWaiter
	changed chan struct{} // closed and replaced whenever waiters change
}

type manualWaiter struct {
	at time.Time
	ch chan time.Time
}

// NewManualClock returns a clock showing t.
func NewManualClock(t time.Time) *ManualClock {
	return &ManualClock{now: t, changed: make(chan struct{})}
}

// Now returns the clock's time.
func (m *ManualClock) Now() time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.now
}

// After returns a channel that receives once the clock reaches now+d.
func (m *ManualClock) After(d time.Duration) <-chan time.Time {
	m.mu.Lock()
	defer m.mu.Unlock()
	ch := make(chan time.Time, 1)
	at := m.now.Add(d)
	if d <= 0 {
		ch <- m.now
		return ch
	}
	m.waiters = append(m.waiters, manualWaiter{at: at, ch: ch})
	m.signal()
	return ch
}

// Set moves the clock to t (forward or back) and fires the waiters due.
func (m *ManualClock) Set(t time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.now = t
	kept := m.waiters[:0]
	for _, w := range m.waiters {
		if w.at.After(t) {
			kept = append(kept, w)
			continue
		}
		w.ch <- t
	}
	m.waiters = kept
	m.signal()
}

// Advance moves the clock forward by d.
func (m *ManualClock) Advance(d time.Duration) { m.Set(m.Now().Add(d)) }

// Waiters is the number of pending After calls.
func (m *ManualClock) Waiters() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.waiters)
}

// WaitForWaiters blocks until at least n After calls are pending, or
// timeout has passed (real time); it reports whether they are.
func (m *ManualClock) WaitForWaiters(n int, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		m.mu.Lock()
		ok, ch := len(m.waiters) >= n, m.changed
		m.mu.Unlock()
		if ok {
			return true
		}
		select {
		case <-ch:
		case <-deadline:
			return false
		}
	}
}

func (m *ManualClock) signal() {
	close(m.changed)
	m.changed = make(chan struct{})
}
