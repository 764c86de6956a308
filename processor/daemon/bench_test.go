package daemon_test

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/processor/config"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/ranking"
)

// Latency benchmarks of the daemon with the default timings of
// config.yaml (settle 2 s, rescan 30 s, file events on, 2 workers). They
// are latency figures, not throughput: one iteration is one drop (or one
// burst), so run them with a small count, e.g.
//
//	go test -run XXX -bench DropToResult -benchtime 5x ./processor/daemon
//	go test -run XXX -bench Burst500 -benchtime 1x ./processor/daemon
//
// The acceptance bound for a single drop is Settle + 1 s; it is logged,
// not enforced (a benchmark reports, the integration tests check).

// defaults are config.Default()'s watch timings and the daemon's default
// of 2 workers.
var defaults = func() options {
	w := config.Default().Watch
	sec := func(n int) time.Duration { return time.Duration(n) * time.Second }
	return options{Settle: sec(w.SettleSeconds), Rescan: sec(w.RescanSeconds), Debounce: sec(w.DebounceSeconds), Events: w.Events, Workers: 2}
}()

// BenchmarkDropToResult: from a drop completely written to the inbox to
// its annotated workbook in the outbox. Each iteration drops a workbook of
// its own content; between iterations the benchmark waits (untimed) for
// the debounced ranking rebuild, so a rebuild never runs inside a
// measurement — the figure is the answer to a single drop in a quiet inbox.
func BenchmarkDropToResult(b *testing.B) {
	units := rosterN(8)
	e := newEnv(b, units)
	o := defaults
	// Only the untimed wait between iterations depends on it.
	o.Debounce = time.Second
	e.start(o)
	var total, worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		u := units[i%len(units)]
		data := book(b, u, uint64(1000+i))
		out := resultPath(e.outbox, u)
		// The unit's previous result (an earlier iteration's) goes, so the
		// poll below sees this drop's.
		os.Remove(out)
		rebuilds := e.rebuildCount()
		name := fmt.Sprintf("bieu-mau-%03d.xlsx", i)
		e.drop(name, data)
		b.StartTimer()
		start := time.Now()
		for {
			if _, err := os.Stat(out); err == nil {
				break
			}
			if time.Since(start) > time.Minute {
				b.Fatalf("no result %s a minute after the drop\n%s", out, e.log.tail())
			}
			time.Sleep(5 * time.Millisecond)
		}
		lat := time.Since(start)
		b.StopTimer()
		total += lat
		worst = max(worst, lat)
		if lat > o.Settle+time.Second {
			b.Logf("drop %d: %v, above settle + 1 s", i, lat.Round(time.Millisecond))
		}
		if r := e.waitOutcomes(time.Minute, name)[name]; r.Outcome != ledger.Accepted {
			b.Fatalf("%s: %s %q", name, r.Outcome, r.Reason)
		}
		for wait := time.Now(); e.rebuildCount() == rebuilds; time.Sleep(10 * time.Millisecond) {
			if time.Since(wait) > time.Minute {
				b.Fatalf("no ranking rebuild a minute after drop %d\n%s", i, e.log.tail())
			}
		}
		b.StartTimer()
	}
	b.StopTimer()
	mean := total.Seconds() / float64(b.N)
	b.ReportMetric(mean, "s/drop")
	b.ReportMetric(mean-o.Settle.Seconds(), "s-beyond-settle/drop")
	b.ReportMetric(worst.Seconds(), "max-s/drop")
}

// BenchmarkBurst500: from the end of a 500-file burst (written at once)
// to the updated ranking: the last rebuild, once every file has its
// outcome and the daemon is quiet. That includes processing the burst and
// the Debounce (5 s by default), reported separately. Two bursts:
//
//   - copies: 20 distinct workbooks under 500 names (480 duplicates: the
//     cost of the intake itself, claims, notices and ledger);
//   - distinct: 500 communes, each evaluated and annotated, and a ranking
//     of 500 (generating them once takes about 20 s on 2 cores, untimed).
func BenchmarkBurst500(b *testing.B) {
	b.Run("copies", func(b *testing.B) { benchBurst(b, 20) })
	b.Run("distinct", func(b *testing.B) { benchBurst(b, 500) })
}

var (
	burstMu    sync.Mutex
	burstBooks = map[int][][]byte{}
)

func benchBurst(b *testing.B, distinct int) {
	const n = 500
	units := rosterN(distinct)
	burstMu.Lock()
	data, ok := burstBooks[distinct]
	if !ok {
		data = booksOf(b, units, 21)
		burstBooks[distinct] = data
	}
	burstMu.Unlock()
	var toOutcomes, toRanking, rebuilds, rebuildTime, peak, peakIntake float64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := newEnv(b, units)
		o := defaults
		r := e.start(o)
		runtime.GC() // the previous iteration's garbage is not this burst's
		peakNow, stopPeak := heapPeak()
		b.StartTimer()
		start := time.Now()
		var names []string
		for j := 0; j < n; j++ {
			name := fmt.Sprintf("tep-%03d.xlsx", j)
			e.drop(name, data[j%distinct])
			names = append(names, name)
		}
		end := time.Now()
		e.waitOutcomes(10*time.Minute, names...)
		done := time.Now()
		// Before the final rebuild (unless the last accepted file came long
		// before the end): the intake's own footprint.
		peakIntake = max(peakIntake, peakNow())
		e.waitRanking(time.Minute, fmt.Sprintf("ranking the %d units", distinct), func(rk *ranking.Ranking) bool {
			return len(rk.Ranked()) == distinct
		})
		// Quiet: no rebuild is pending once Debounce has passed after the
		// last outcome.
		time.Sleep(o.Debounce + time.Second)
		b.StopTimer()
		last, _ := e.lastRebuild()
		if last.at.Before(done) && distinct == n {
			b.Errorf("the last rebuild came before the last outcome")
		}
		toOutcomes += done.Sub(end).Seconds()
		toRanking += last.at.Sub(end).Seconds()
		rebuilds += float64(e.rebuildCount())
		rebuildTime += rebuildDuration(e)
		peak = max(peak, stopPeak())
		r.stop(b)
		b.Logf("burst of %d (%d distinct) written in %v; outcomes %v after; ranking %v after; %d rebuilds",
			n, distinct, end.Sub(start).Round(time.Millisecond), done.Sub(end).Round(time.Millisecond),
			last.at.Sub(end).Round(time.Millisecond), e.rebuildCount())
	}
	N := float64(b.N)
	b.ReportMetric(toRanking/N, "s-to-ranking/burst")
	b.ReportMetric(toRanking/N-defaults.Debounce.Seconds(), "s-to-ranking-minus-debounce/burst")
	b.ReportMetric(toOutcomes/N, "s-to-outcomes/burst")
	b.ReportMetric(rebuilds/N, "rebuilds/burst")
	b.ReportMetric(rebuildTime/N, "s-last-rebuild/burst")
	b.ReportMetric(peak/(1<<20), "peak-heap-MB")
	b.ReportMetric(peakIntake/(1<<20), "peak-heap-MB-to-outcomes")
}

// rebuildDuration is how long the last rebuild took, from the daemon's
// log ("ranking rebuilt" with its duration in ms).
func rebuildDuration(e *env) float64 {
	var d float64
	for _, line := range strings.Split(e.log.String(), "\n") {
		var ev struct {
			Message  string  `json:"message"`
			Duration float64 `json:"duration_ms"`
		}
		if json.Unmarshal([]byte(line), &ev) == nil && ev.Message == "ranking rebuilt" {
			d = ev.Duration / 1000
		}
	}
	return d
}

// heapPeak samples the heap in use every 50 ms until stop is called;
// peak returns the peak so far, stop the final one, in bytes: a burst must
// be absorbed without memory growing with its size.
func heapPeak() (peak func() float64, stop func() float64) {
	var hi atomic.Uint64
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > hi.Load() {
				hi.Store(m.HeapInuse)
			}
			select {
			case <-quit:
				return
			case <-t.C:
			}
		}
	}()
	peak = func() float64 { return float64(hi.Load()) }
	stop = func() float64 {
		close(quit)
		<-done
		return float64(hi.Load())
	}
	return peak, stop
}
