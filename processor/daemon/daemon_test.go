package daemon_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/internal/testkit/service"
	"github.com/chiso-vn/chiso/processor/daemon"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/pipeline"
	"github.com/chiso-vn/chiso/processor/publish"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/chiso-vn/chiso/processor/watch"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// The tests below run the daemon on real folders under t.TempDir(): files
// are written into the inbox as a commune's copy would write them, and the
// ledger, the outbox and the Rebuilt hook say what happened.

const (
	tRubric = books.RubricID
	tYear   = books.Year
)

// fast are the timings of the integration tests: short enough to keep the
// package quick, long enough that a loaded 2-core machine does not break
// the settle rule by descheduling the writer.
var fast = options{Settle: 200 * time.Millisecond, Rescan: 500 * time.Millisecond, Debounce: 300 * time.Millisecond, Events: true}

func rubrics(tb testing.TB) *rubric.Set { return books.Rubrics(tb) }

func unitN(n int) roster.Unit { return books.Unit(n) }

func rosterN(n int) []roster.Unit { return books.Roster(n) }

// book returns a filled workbook of unit u, varied by seed (cached).
func book(tb testing.TB, u roster.Unit, seed uint64) []byte {
	tb.Helper()
	return books.Filled(tb, u, books.Options{Seed: seed, Missing: 0.03, SelfNoise: 0.3})
}

// booksOf generates one workbook per unit, in parallel.
func booksOf(tb testing.TB, units []roster.Unit, seed uint64) [][]byte {
	tb.Helper()
	return books.Many(tb, units, books.Options{Seed: seed, Missing: 0.03, SelfNoise: 0.3})
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// ownerFile looks like Excel's "~$" owner file: the user's name, padded,
// 165 bytes.
func ownerFile(user string) []byte {
	b := append([]byte{byte(len(user))}, user...)
	for len(b) < 165 {
		b = append(b, ' ')
	}
	return b
}

// options are the daemon's timings in a test.
type options struct {
	Settle, Rescan, Debounce time.Duration
	Events                   bool
	Workers                  int
}

// env is a pipeline and a publisher on fresh folders, built like
// cmd/chiso's newPipeline.
type env struct {
	*service.Env
	tb                                          testing.TB
	dir, inbox, outbox, archive, rejected, data string
	p                                           *pipeline.Pipeline

	mu       sync.Mutex
	rebuilds []rebuild
	log      *syncBuffer
	scans    atomic.Int64 // complete listings of the inbox by the watcher
}

// rebuild is one call of the Rebuilt hook.
type rebuild struct {
	at  time.Time
	res publish.Result
	err error
}

func newEnv(tb testing.TB, units []roster.Unit) *env {
	tb.Helper()
	se := service.New(tb, service.Options{Roster: units})
	f := se.Folders
	return &env{Env: se, tb: tb, dir: se.Dir, inbox: f.Inbox, outbox: f.Outbox, archive: f.Archive, rejected: f.Rejected,
		data: f.Data, p: se.Pipeline, log: &syncBuffer{}}
}

// running is one Daemon.Start in a goroutine.
type running struct {
	cancel context.CancelFunc
	done   chan struct{}
	err    error
}

// start runs a daemon on the env until stop (or the end of the test).
func (e *env) start(o options) *running {
	e.tb.Helper()
	d := &daemon.Daemon{
		Pipeline: e.p, Publisher: e.Publisher,
		Watch: watch.Config{Dir: e.inbox, Rescan: o.Rescan, Settle: o.Settle, Events: o.Events, Log: zerolog.Nop(),
			Scanned: func() { e.scans.Add(1) }},
		Workers:  o.Workers,
		Debounce: o.Debounce,
		Log:      zerolog.New(e.log),
		Rebuilt: func(res publish.Result, err error) {
			e.mu.Lock()
			e.rebuilds = append(e.rebuilds, rebuild{at: time.Now(), res: res, err: err})
			e.mu.Unlock()
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{cancel: cancel, done: make(chan struct{})}
	go func() {
		r.err = d.Start(ctx)
		close(r.done)
	}()
	// Registered after the ledger's Close, so it runs before it.
	e.tb.Cleanup(func() { r.stop(e.tb) })
	return r
}

// stop cancels the daemon and waits for Start to return.
func (r *running) stop(tb testing.TB) error {
	tb.Helper()
	r.cancel()
	select {
	case <-r.done:
	case <-time.After(time.Minute):
		tb.Fatal("Daemon.Start did not return within a minute of its context ending")
	}
	return r.err
}

func (e *env) drop(name string, data []byte) { e.Drop(name, data) }

// listings waits until the watcher has listed the inbox n more times (and
// every file it saw settled: at least one settle period passed), so "nothing
// more comes" is checked after the watcher's work, not after a time a
// loaded machine may not have used for it.
func (e *env) listings(n int64, o options) {
	e.tb.Helper()
	start, since := e.scans.Load(), time.Now()
	for deadline := time.Now().Add(time.Minute); e.scans.Load()-start < n || time.Since(since) < o.Settle; {
		if time.Now().After(deadline) {
			e.tb.Fatalf("the watcher listed the inbox %d times in a minute, want %d", e.scans.Load()-start, n)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (e *env) rows() []ledger.File { return e.Rows() }

// waitOutcomes waits until every name has a finished ledger row and
// returns the rows by name (the last one when a name has several).
func (e *env) waitOutcomes(timeout time.Duration, names ...string) map[string]ledger.File {
	e.tb.Helper()
	deadline := time.Now().Add(timeout)
	poll := 20 * time.Millisecond
	if len(names) > 50 {
		poll = 200 * time.Millisecond // the ledger has one connection, shared with the workers
	}
	for {
		byName := map[string]ledger.File{}
		for _, r := range e.rows() {
			if r.State == ledger.StateDone {
				byName[r.Name] = r
			}
		}
		var missing []string
		for _, n := range names {
			if _, ok := byName[n]; !ok {
				missing = append(missing, n)
			}
		}
		if len(missing) == 0 {
			return byName
		}
		if time.Now().After(deadline) {
			if len(missing) > 10 {
				missing = append(missing[:10], "…")
			}
			e.tb.Fatalf("after %v, no outcome for %d files: %v\ninbox: %v\nlog:\n%s", timeout, len(missing), missing,
				files(e.tb, e.inbox), e.log.tail())
		}
		time.Sleep(poll)
	}
}

// rebuildCount is how many times the ranking was rebuilt so far.
func (e *env) rebuildCount() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.rebuilds)
}

func (e *env) lastRebuild() (rebuild, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.rebuilds) == 0 {
		return rebuild{}, false
	}
	return e.rebuilds[len(e.rebuilds)-1], true
}

// waitRanking waits for a rebuild whose ranking satisfies ok.
func (e *env) waitRanking(timeout time.Duration, what string, ok func(*ranking.Ranking) bool) rebuild {
	e.tb.Helper()
	deadline := time.Now().Add(timeout)
	for {
		e.mu.Lock()
		rbs := append([]rebuild(nil), e.rebuilds...)
		e.mu.Unlock()
		for _, rb := range rbs {
			if rb.err != nil {
				e.tb.Fatalf("ranking rebuild failed: %v", rb.err)
			}
			if rb.res.Ranking != nil && ok(rb.res.Ranking) {
				return rb
			}
		}
		if time.Now().After(deadline) {
			e.tb.Fatalf("after %v, no ranking rebuild %s (%d rebuilds)\nlog:\n%s", timeout, what, len(rbs), e.log.tail())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// rankedByCode indexes a ranking's ranked units by roster code.
func rankedByCode(rk *ranking.Ranking) map[string]ranking.Row {
	out := map[string]ranking.Row{}
	for _, r := range rk.Ranked() {
		out[r.Code] = r
	}
	return out
}

// verify checks the state after a test: every dropped file has exactly
// one finished ledger row with a final outcome, its original kept once
// where the row says and its output present; the inbox holds only the
// ignored files and nothing is left in the claim folder (any subfolder of
// the inbox). It returns the rows by name.
func (e *env) verify(dropped, ignored []string) map[string]ledger.File {
	e.tb.Helper()
	rows := e.rows()
	byName := map[string][]ledger.File{}
	for _, r := range rows {
		byName[r.Name] = append(byName[r.Name], r)
	}
	out := map[string]ledger.File{}
	for _, n := range dropped {
		rs := byName[n]
		if len(rs) != 1 {
			e.tb.Errorf("%s: %d ledger rows, want 1", n, len(rs))
			continue
		}
		r := rs[0]
		out[n] = r
		if r.State != ledger.StateDone {
			e.tb.Errorf("%s: left %s", n, r.State)
		}
		switch r.Outcome {
		case ledger.Accepted, ledger.Superseded, ledger.Duplicate, ledger.Rejected:
		default:
			e.tb.Errorf("%s: outcome %q", n, r.Outcome)
		}
		folder := e.archive
		if r.Outcome == ledger.Rejected {
			folder = e.rejected
		}
		if !strings.HasPrefix(r.StoredPath, folder+string(filepath.Separator)) {
			e.tb.Errorf("%s (%s): original kept at %s, not under %s", n, r.Outcome, r.StoredPath, folder)
		} else if got := hashFile(e.tb, r.StoredPath); got != r.SHA256 {
			e.tb.Errorf("%s: kept original %s has hash %s, ledger %s", n, r.StoredPath, got, r.SHA256)
		}
		if _, err := os.Stat(r.OutputPath); err != nil {
			e.tb.Errorf("%s (%s): output: %v", n, r.Outcome, err)
		}
	}
	if len(rows) != len(dropped) {
		var extra []string
		want := map[string]bool{}
		for _, n := range dropped {
			want[n] = true
		}
		for _, r := range rows {
			if !want[r.Name] {
				extra = append(extra, r.Name)
			}
		}
		e.tb.Errorf("%d ledger rows for %d dropped files; rows for names never dropped (or ignored): %v", len(rows), len(dropped), extra)
	}
	// Originals: exactly one per row, nothing else in the archive folders.
	if kept := len(files(e.tb, e.archive)) + len(files(e.tb, e.rejected)); kept != len(rows) {
		e.tb.Errorf("%d originals kept for %d rows", kept, len(rows))
	}
	left := files(e.tb, e.inbox)
	sort.Strings(ignored)
	if strings.Join(left, "|") != strings.Join(ignored, "|") {
		e.tb.Errorf("left in the inbox (claim folder included): %q, want only the ignored %q", left, ignored)
	}
	return out
}

// files lists the regular files under dir, relative to it, sorted.
func files(tb testing.TB, dir string) []string {
	tb.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// claimed lists the files in a subfolder of the inbox: the claim folder,
// i.e. files in hand.
func claimed(tb testing.TB, inbox string) []string {
	var out []string
	for _, f := range files(tb, inbox) {
		if strings.Contains(f, "/") {
			out = append(out, f)
		}
	}
	return out
}

func hashFile(tb testing.TB, path string) string {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Error(err)
		return ""
	}
	return sha(b)
}

// resultText opens a result workbook and returns the text of its result
// sheet, which must come first.
func resultText(tb testing.TB, path string) string {
	tb.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		tb.Fatalf("result %s: %v", path, err)
	}
	defer f.Close()
	if s := f.GetSheetList(); len(s) < 2 || s[0] != workbook.SheetScorecard || s[1] != workbook.SheetResult {
		tb.Fatalf("result %s: sheets %q, want %q then %q first", path, s, workbook.SheetScorecard, workbook.SheetResult)
	}
	rows, err := f.GetRows(workbook.SheetResult)
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteByte('\n')
	}
	return b.String()
}

// resultPath is where the pipeline writes a unit's result workbook
// (pipeline.commit's naming: outbox/<year>/<code>-<slug>/ket-qua-<code>-<slug>-<year>.xlsx).
func resultPath(outbox string, u roster.Unit) string {
	slug := vntext.Slug(u.Code) + "-" + vntext.Slug(u.Name)
	return filepath.Join(outbox, fmt.Sprint(tYear), slug, fmt.Sprintf("ket-qua-%s-%d.xlsx", slug, tYear))
}

// syncBuffer collects the daemon's log for failure messages.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *syncBuffer) tail() string {
	t := s.String()
	if len(t) > 3000 {
		t = "…" + t[len(t)-3000:]
	}
	return t
}

// A plain drop: accepted, its result in the outbox, the ranking rebuilt
// with the unit in it.
func TestDrop(t *testing.T) {
	t.Parallel()
	units := rosterN(2)
	e := newEnv(t, units)
	e.start(fast)
	data := book(t, units[0], 1)
	e.drop("bieu-mau-d001.xlsx", data)
	r := e.waitOutcomes(30*time.Second, "bieu-mau-d001.xlsx")["bieu-mau-d001.xlsx"]
	if r.Outcome != ledger.Accepted || r.UnitCode != "D001" || r.SHA256 != sha(data) {
		t.Fatalf("row: %s %q unit %q sha %s, want accepted D001 %s", r.Outcome, r.Reason, r.UnitCode, r.SHA256, sha(data))
	}
	if r.OutputPath != resultPath(e.outbox, units[0]) {
		t.Errorf("result at %s, want %s", r.OutputPath, resultPath(e.outbox, units[0]))
	}
	if text := resultText(t, r.OutputPath); !strings.Contains(text, r.SHA256) {
		t.Errorf("the result sheet does not name the file's hash %s", r.SHA256)
	}
	rb := e.waitRanking(30*time.Second, "listing D001", func(rk *ranking.Ranking) bool {
		row, ok := rankedByCode(rk)["D001"]
		return ok && row.FileID == r.ID
	})
	if m := rb.res.Ranking.Missing(); len(m) != 1 || m[0].Code != "D002" {
		t.Errorf("missing units %v, want D002", m)
	}
	if len(rb.res.Paths) < 3 {
		t.Errorf("ranking wrote %v, want the workbook, CSV and JSON", rb.res.Paths)
	}
	for _, p := range rb.res.Paths {
		if _, err := os.Stat(p); err != nil {
			t.Error(err)
		}
	}
	e.verify([]string{"bieu-mau-d001.xlsx"}, nil)
}

// A slow copy over the network, in chunks with pauses, one of them longer
// than Settle: the file is taken only once complete (the stable but
// truncated zip has no central directory), so the ledger's hash is the
// full file's.
func TestSlowCopy(t *testing.T) {
	t.Parallel()
	units := rosterN(1)
	e := newEnv(t, units)
	e.start(fast)
	data := book(t, units[0], 2)
	name := "bieu-mau-cham.xlsx"
	f, err := os.Create(filepath.Join(e.inbox, name))
	if err != nil {
		t.Fatal(err)
	}
	const chunks = 10
	step := len(data)/chunks + 1
	for i := 0; i < len(data); i += step {
		if _, err := f.Write(data[i:min(i+step, len(data))]); err != nil {
			t.Fatal(err)
		}
		if i/step == chunks/2 {
			time.Sleep(4 * fast.Settle) // stalled transfer: stable but incomplete
			if rows := e.rows(); len(rows) != 0 {
				t.Fatalf("a half-copied file was taken: %+v", rows[0])
			}
		} else {
			time.Sleep(fast.Settle / 4)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	r := e.waitOutcomes(30*time.Second, name)[name]
	if r.SHA256 != sha(data) || r.Size != int64(len(data)) {
		t.Errorf("ledger: sha %s size %d, want the full file's %s %d", r.SHA256, r.Size, sha(data), len(data))
	}
	if r.Outcome != ledger.Accepted {
		t.Errorf("outcome %s %q (%s), want accepted", r.Outcome, r.Reason, r.Message)
	}
	e.verify([]string{name}, nil)
}

// Excel saving on the share: the owner file "~$…", the new content written
// to a temporary name without extension, the old file renamed away, the
// temporary renamed into place, the old one deleted — twice in a row (the
// official presses Ctrl+S again). Only the final content is taken, once,
// under the real name; no temporary name reaches the ledger.
func TestExcelSave(t *testing.T) {
	t.Parallel()
	units := rosterN(1)
	e := newEnv(t, units)
	o := fast
	o.Settle = time.Second // the two saves take milliseconds: well within
	e.start(o)
	target := filepath.Join(e.inbox, "bieu-mau-d001.xlsx")
	owner := "~$bieu-mau-d001.xlsx"
	e.drop(owner, ownerFile("vanhoa"))
	v1, v2 := book(t, units[0], 3), book(t, units[0], 4)
	save := func(tmp, old string, data []byte) {
		t.Helper()
		e.drop(tmp, data)
		if old != "" {
			if err := os.Rename(target, filepath.Join(e.inbox, old)); err != nil {
				t.Fatal(err)
			}
		}
		if err := os.Rename(filepath.Join(e.inbox, tmp), target); err != nil {
			t.Fatal(err)
		}
		if old != "" {
			if err := os.Remove(filepath.Join(e.inbox, old)); err != nil {
				t.Fatal(err)
			}
		}
	}
	save("8F3A21C0", "", v1)
	time.Sleep(50 * time.Millisecond)
	save("1B2C3D4E", "5F6A7B8C.tmp", v2)
	// Excel still open: the owner file stays.
	r := e.waitOutcomes(30*time.Second, "bieu-mau-d001.xlsx")["bieu-mau-d001.xlsx"]
	if r.SHA256 != sha(v2) || r.Outcome != ledger.Accepted {
		t.Errorf("taken: %s sha %s, want accepted with the second save's content %s (first %s)", r.Outcome, r.SHA256, sha(v2), sha(v1))
	}
	e.listings(2, o) // nothing more comes
	e.verify([]string{"bieu-mau-d001.xlsx"}, []string{owner})
}

// "~$" owner files are never taken, whatever their content, even one that
// is a complete workbook; the file beside them is.
func TestOwnerFilesIgnored(t *testing.T) {
	t.Parallel()
	units := rosterN(1)
	e := newEnv(t, units)
	e.start(fast)
	data := book(t, units[0], 5)
	ignored := []string{"~$bieu-mau-d001.xlsx", "~$Book1.xlsx"}
	e.drop(ignored[0], ownerFile("vanhoa"))
	e.drop(ignored[1], data)
	e.drop("bieu-mau-d001.xlsx", data)
	e.waitOutcomes(30*time.Second, "bieu-mau-d001.xlsx")
	// Several rescans and settle periods pass without the owner files.
	e.listings(3, fast)
	e.verify([]string{"bieu-mau-d001.xlsx"}, ignored)
}

// A burst of 500 files (20 distinct workbooks under 500 names: most are
// duplicates): each file gets exactly one outcome, each content is
// accepted once, and the ranking is rebuilt once or a few times, not once
// per file.
func TestBurst500(t *testing.T) {
	if testing.Short() {
		t.Skip("500 files: about 20 s")
	}
	units := rosterN(20)
	e := newEnv(t, units)
	o := fast
	// The debounce must outlast the gap between two accepted files (one
	// evaluation, ~0.3 s on a loaded 2-core machine), as the default 5 s
	// does in production; the burst is then one quiet period.
	o.Debounce = time.Second
	r := e.start(o)
	distinct := booksOf(t, units, 7)
	names := make([]string, 500)
	for i := range names {
		names[i] = fmt.Sprintf("tep-%03d.xlsx", i)
	}
	start := time.Now()
	for i, n := range names {
		e.drop(n, distinct[i%len(distinct)])
	}
	end := time.Now()
	rows := e.waitOutcomes(3*time.Minute, names...)
	done := time.Now()
	byHash := map[string]ledger.File{}
	counts := map[ledger.Outcome]int{}
	for _, n := range names {
		r := rows[n]
		counts[r.Outcome]++
		if r.Outcome == ledger.Accepted {
			if prev, ok := byHash[r.SHA256]; ok {
				t.Errorf("%s and %s: same content accepted twice", prev.Name, n)
			}
			byHash[r.SHA256] = r
		}
	}
	if counts[ledger.Accepted] != 20 || counts[ledger.Duplicate] != 480 {
		t.Errorf("outcomes %v, want 20 accepted and 480 duplicates", counts)
	}
	for _, n := range names {
		if r := rows[n]; r.Outcome == ledger.Duplicate {
			if a, ok := byHash[r.SHA256]; !ok || a.ID != r.DuplicateOf {
				t.Errorf("%s: duplicate of %d, want the accepted file with its content", n, r.DuplicateOf)
			}
		}
	}
	e.waitRanking(30*time.Second, "listing the 20 units", func(rk *ranking.Ranking) bool { return len(rk.Ranked()) == 20 })
	// No further rebuild is due: stopping the daemon rebuilds only when
	// the ranking is still dirty, so the count must not move.
	n := e.rebuildCount()
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if after := e.rebuildCount(); after != n {
		t.Errorf("a rebuild was still due after the ranking listed every unit (%d rebuilds, %d at stop)", n, after)
	}
	last, _ := e.lastRebuild()
	t.Logf("burst written in %v; all outcomes %v after its end; %d rebuilds, the last %v after the end",
		end.Sub(start).Round(time.Millisecond), done.Sub(end).Round(time.Millisecond), n, last.at.Sub(end).Round(time.Millisecond))
	if n < 1 || n > 3 {
		t.Errorf("ranking rebuilt %d times for one burst, want 1 to 3", n)
	}
	if got := len(last.res.Ranking.Ranked()); got != 20 {
		t.Errorf("the last ranking ranks %d units, want 20", got)
	}
	e.verify(names, nil)
}

// With file events disabled (a network share, where inotify sees nothing)
// the periodic rescan alone finds both the backlog present at start and
// files dropped later. This is also what a watcher overflow falls back on:
// the overflow itself (an fsnotify error triggering a rescan) cannot be
// injected from outside the watcher and is tested in processor/watch
// (TestOverflowRescan).
func TestRescanOnly(t *testing.T) {
	t.Parallel()
	units := rosterN(3)
	e := newEnv(t, units)
	e.drop("cu-1.xlsx", book(t, units[0], 8))
	e.drop("cu-2.xlsx", book(t, units[1], 8))
	o := fast
	o.Events = false
	e.start(o)
	e.waitOutcomes(30*time.Second, "cu-1.xlsx", "cu-2.xlsx")
	start := time.Now()
	e.drop("moi.xlsx", book(t, units[2], 8))
	e.waitOutcomes(30*time.Second, "moi.xlsx")
	t.Logf("a drop without events took %v (rescan %v, settle %v)", time.Since(start).Round(time.Millisecond), o.Rescan, o.Settle)
	rows := e.verify([]string{"cu-1.xlsx", "cu-2.xlsx", "moi.xlsx"}, nil)
	for n, r := range rows {
		if r.Outcome != ledger.Accepted {
			t.Errorf("%s: %s %q, want accepted", n, r.Outcome, r.Reason)
		}
	}
	e.waitRanking(10*time.Second, "listing the 3 units", func(rk *ranking.Ranking) bool { return len(rk.Ranked()) == 3 })
}

// A corrected resubmission: the first file becomes superseded, the unit's
// result workbook is replaced by the new one's, and the ranking follows.
func TestResubmission(t *testing.T) {
	t.Parallel()
	units := rosterN(2)
	e := newEnv(t, units)
	e.start(fast)
	v1, v2 := book(t, units[0], 11), book(t, units[0], 12)
	e.drop("bieu-mau-d001.xlsx", v1)
	r1 := e.waitOutcomes(30*time.Second, "bieu-mau-d001.xlsx")["bieu-mau-d001.xlsx"]
	if r1.Outcome != ledger.Accepted {
		t.Fatalf("first: %s %q", r1.Outcome, r1.Reason)
	}
	e.waitRanking(30*time.Second, "with the first file", func(rk *ranking.Ranking) bool { return rankedByCode(rk)["D001"].FileID == r1.ID })
	if !strings.Contains(resultText(t, r1.OutputPath), sha(v1)) {
		t.Fatal("the first result does not name the first file")
	}

	e.drop("bieu-mau-d001-da-sua.xlsx", v2)
	r2 := e.waitOutcomes(30*time.Second, "bieu-mau-d001-da-sua.xlsx")["bieu-mau-d001-da-sua.xlsx"]
	if r2.Outcome != ledger.Accepted || r2.UnitCode != "D001" {
		t.Fatalf("second: %s %q unit %q", r2.Outcome, r2.Reason, r2.UnitCode)
	}
	first, err := e.p.Ledger.Get(context.Background(), r1.ID)
	if err != nil {
		t.Fatal(err)
	}
	if first.Outcome != ledger.Superseded || first.SupersededBy != r2.ID {
		t.Errorf("first after the second: %s by %d, want superseded by %d", first.Outcome, first.SupersededBy, r2.ID)
	}
	if r2.OutputPath != r1.OutputPath {
		t.Errorf("second result at %s, want it to replace %s", r2.OutputPath, r1.OutputPath)
	}
	if text := resultText(t, r2.OutputPath); !strings.Contains(text, sha(v2)) || strings.Contains(text, sha(v1)) {
		t.Error("the result workbook was not replaced by the second file's")
	}
	rb := e.waitRanking(30*time.Second, "with the second file", func(rk *ranking.Ranking) bool {
		return rankedByCode(rk)["D001"].FileID == r2.ID
	})
	if row := rankedByCode(rb.res.Ranking)["D001"]; row.FileName != "bieu-mau-d001-da-sua.xlsx" {
		t.Errorf("ranking row names %q", row.FileName)
	}
	e.verify([]string{"bieu-mau-d001.xlsx", "bieu-mau-d001-da-sua.xlsx"}, nil)
}

// Stopping (ctx cancelled) while files are in hand: Start returns nil, the
// files in hand are finished (no row left processing, nothing in the
// claim folder), the others stay in the inbox untouched and are taken at
// the next start.
func TestStopFinishesInHand(t *testing.T) {
	units := rosterN(8)
	e := newEnv(t, units)
	var names []string
	for i, u := range units {
		n := fmt.Sprintf("bieu-mau-%d.xlsx", i+1)
		e.drop(n, book(t, u, 13))
		names = append(names, n)
	}
	r := e.start(fast)
	deadline := time.Now().Add(30 * time.Second)
	for len(claimed(t, e.inbox)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no file taken in 30 s")
		}
		time.Sleep(2 * time.Millisecond)
	}
	if err := r.stop(t); err != nil {
		t.Fatalf("Start returned %v after a stop, want nil", err)
	}
	if !strings.Contains(e.log.String(), "stopped cleanly") {
		t.Errorf("log does not say it stopped cleanly:\n%s", e.log.tail())
	}
	if c := claimed(t, e.inbox); len(c) != 0 {
		t.Errorf("left in the claim folder after a stop: %v", c)
	}
	rows := e.rows()
	if len(rows) == 0 {
		t.Error("the file in hand has no ledger row after the stop")
	}
	has := map[string]int{}
	for _, row := range rows {
		has[row.Name]++
		if row.State != ledger.StateDone {
			t.Errorf("%s: left %s after a stop", row.Name, row.State)
		}
	}
	for _, n := range names {
		_, err := os.Stat(filepath.Join(e.inbox, n))
		inInbox := err == nil
		if (has[n] == 1) == inInbox || has[n] > 1 {
			t.Errorf("%s: %d rows, in the inbox %v: want either one row or still in the inbox", n, has[n], inInbox)
		}
	}
	t.Logf("stopped with %d of %d files done", len(rows), len(names))

	e.start(fast)
	e.waitOutcomes(60*time.Second, names...)
	e.waitRanking(30*time.Second, "listing the 8 units", func(rk *ranking.Ranking) bool { return len(rk.Ranked()) == 8 })
	e.verify(names, nil)
}

// A crash after a file's outcome but before the debounced rebuild
// (simulated: the file processed by the pipeline alone, no ranking
// written) leaves a ranking without the unit. The next start must bring
// the ranking up to date even though nothing is left to process.
func TestRankingAfterCrash(t *testing.T) {
	t.Parallel()
	units := rosterN(2)
	e := newEnv(t, units)
	e.drop("bieu-mau-d001.xlsx", book(t, units[0], 14))
	f, ok, err := e.p.ProcessPath(context.Background(), filepath.Join(e.inbox, "bieu-mau-d001.xlsx"), time.Time{})
	if err != nil || !ok || f.Outcome != ledger.Accepted {
		t.Fatalf("ProcessPath: %v %v %s", err, ok, f.Outcome)
	}
	if m, _ := filepath.Glob(filepath.Join(e.outbox, "*", "xep-hang-*")); len(m) != 0 {
		t.Fatalf("a ranking before the daemon ran: %v", m)
	}
	e.start(fast)
	e.waitRanking(5*time.Second, "after a restart with an outdated ranking", func(rk *ranking.Ranking) bool {
		return rankedByCode(rk)["D001"].FileID == f.ID
	})
	e.verify([]string{"bieu-mau-d001.xlsx"}, nil)
}

// One instance per inbox: a second lock on the same folder is refused with
// ErrLocked until the first is released; meanwhile Holding says which
// process holds it, since when.
func TestLock(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if _, running, err := daemon.Holding(dir); running || err != nil {
		t.Errorf("nothing started: Holding = %v, %v", running, err)
	}
	since := time.Date(2026, 12, 1, 8, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	unlock, err := daemon.LockAs("serve", since, dir)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "chiso.lock.pid")); err != nil || strings.Fields(string(b))[0] != fmt.Sprint(os.Getpid()) {
		t.Errorf("pid file: %q %v", b, err)
	}
	h, running, err := daemon.Holding(dir)
	if !running || err != nil || h.PID != os.Getpid() || !h.Since.Equal(since) || h.Command != "serve" {
		t.Errorf("Holding = %+v, %v, %v", h, running, err)
	}
	if _, err := daemon.LockAs("", time.Now(), dir); !errors.Is(err, daemon.ErrLocked) {
		t.Errorf("second lock: %v, want ErrLocked", err)
	}
	unlock()
	if _, running, _ := daemon.Holding(dir); running {
		t.Error("released, still held")
	}
	again, err := daemon.LockAs("", time.Now(), dir)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	again()
}

// TestLockBesideStatus: a serve starting while `chiso status` probes the
// lock (holding it for an instant) still starts; a status probing while
// serve holds it sees serve.
func TestLockBesideStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	probe := flock.New(filepath.Join(dir, "chiso.lock"))
	if ok, err := probe.TryLock(); !ok || err != nil {
		t.Fatalf("probe: %v %v", ok, err)
	}
	go func() {
		time.Sleep(30 * time.Millisecond) // as long as a loaded machine's status may take
		probe.Unlock()
	}()
	unlock, err := daemon.LockAs("serve", time.Now(), dir)
	if err != nil {
		t.Fatalf("serve refused while status probed: %v", err)
	}
	defer unlock()
	for i := 0; i < 20; i++ {
		h, running, err := daemon.Holding(dir)
		if !running || err != nil || h.PID != os.Getpid() || h.Command != "serve" {
			t.Fatalf("probe %d: Holding = %+v, %v, %v", i, h, running, err)
		}
	}
}

// TestLockPerInbox: two instances with different data folders but one
// inbox exclude each other (the lock is also in the inbox's control folder).
func TestLockPerInbox(t *testing.T) {
	t.Parallel()
	inbox := filepath.Join(t.TempDir(), "inbox", ".chiso")
	unlock, err := daemon.LockAs("", time.Now(), inbox, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	other := t.TempDir()
	if _, err := daemon.LockAs("", time.Now(), inbox, other); !errors.Is(err, daemon.ErrLocked) {
		t.Errorf("second instance on the same inbox: %v, want ErrLocked", err)
	}
	// The second data folder's lock was released when the inbox's failed.
	again, err := daemon.LockAs("", time.Now(), other)
	if err != nil {
		t.Fatalf("data folder left locked: %v", err)
	}
	again()
}

// TestLinksNeverFollowed: the daemon neither reads nor moves links in the
// inbox (to a valid workbook outside it, to a system file); each gets one
// notice; real files beside them are processed.
func TestLinksNeverFollowed(t *testing.T) {
	t.Parallel()
	units := rosterN(2)
	e := newEnv(t, units)
	outside := filepath.Join(e.dir, "ngoai.xlsx")
	target := book(t, units[1], 3)
	if err := os.WriteFile(outside, target, 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(e.dir, "passwd")
	if err := os.WriteFile(secret, []byte("root:x:0:0:root:/root:/bin/bash\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(e.inbox, "lien-ket.xlsx")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := os.Symlink(secret, filepath.Join(e.inbox, "passwd.xlsx")); err != nil {
		t.Fatal(err)
	}
	e.start(fast)
	e.drop("bieu-mau-d001.xlsx", book(t, units[0], 1))
	e.waitOutcomes(30*time.Second, "bieu-mau-d001.xlsx")
	e.listings(3, fast) // several listings see the links
	secretHash := hashFile(t, secret)
	for _, r := range e.rows() {
		if r.SHA256 == sha(target) || r.SHA256 == secretHash || strings.Contains(r.Name, "lien-ket") || strings.Contains(r.Name, "passwd") {
			t.Errorf("a link was taken: %+v", r)
		}
	}
	for _, name := range []string{"lien-ket", "passwd"} {
		if fi, err := os.Lstat(filepath.Join(e.inbox, name+".xlsx")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s: moved or replaced (%v)", name, err)
		}
		n := 0
		for _, f := range files(t, filepath.Join(e.outbox, "thong-bao")) {
			if strings.HasPrefix(f, name) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d notices, want 1", name, n)
		}
	}
}
