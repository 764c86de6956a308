// Package watch tells the daemon which files in the inbox are ready to be
// processed.
//
// Rules:
//
//   - Only direct children of the inbox are considered. Subfolders and
//     everything in them are ignored (the README's rule: drop files directly
//     in the inbox); so are entries that are not regular files (links,
//     devices, pipes), which are never opened: links are not followed.
//     Each such entry that would otherwise be taken (and each subfolder)
//     is reported once per appearance to Config.Odd.
//   - Which names are taken is intake.Candidate's decision, the same rule
//     `chiso process` follows: it drops "~$" owner files, Excel's temporary
//     save files without extension, hidden files…
//   - fsnotify events are only a hint ("look at this name soon"). The
//     periodic full listing of the folder is the truth: on network shares
//     (SMB/NFS) inotify sees only local writes, fsnotify has no polling
//     backend, and its queue can overflow. Any watcher error, overflow
//     included, triggers a rescan.
//   - A file is ready when its size and modification time have not changed
//     for Config.Settle and, for a name ending .xlsx/.xlsm whose first bytes
//     are a zip header, it opens as a complete zip (a copy in progress has no
//     central directory yet). A file that never completes is handed over
//     after Config.MaxWait so that it is rejected rather than stuck. On a
//     share the client caches sizes and times (Windows' SMB client about
//     10 s, Linux cifs actimeo=1 s), so a "stable" size may be stale there:
//     the zip check reads the file itself and is what protects workbooks;
//     a Settle above the cache lifetime protects other files.
//   - Files are handed over in the order they were first seen (for files
//     found by one listing, their names' order), never by the sender's
//     modification time; the hand-over carries that first-seen time.
//   - Each appearance of a path is handed over once; Again offers it once
//     more (the daemon could not take it and tries later). A handed-over path is
//     offered again only after it left the folder and came back, or was
//     replaced (a Create event, or a different size, modification time or
//     inode) — e.g. Excel's save dance on a file already handed over.
package watch

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"time"

	"github.com/chiso-vn/chiso/processor/intake"
	"github.com/fsnotify/fsnotify"
	"github.com/rs/zerolog"
)

// Defaults for the zero values of Config.
const (
	DefaultRescan  = 30 * time.Second
	DefaultSettle  = 2 * time.Second
	DefaultMaxWait = 2 * time.Minute
)

// Config configures a Watcher. Zero durations take the defaults above.
type Config struct {
	Dir    string        // the inbox
	Rescan time.Duration // full rescan period; the rescan is the truth
	Settle time.Duration // a file is ready once size and mod time are unchanged this long
	Events bool          // use fsnotify as a hint (false: rescan only, as on a share)
	// MaxWait: a file that never opens as a complete zip is handed over
	// anyway after being unchanged this long, so it is rejected, not stuck.
	MaxWait time.Duration
	// Odd, when set, is called (from the watcher's goroutine: it must not
	// block) once per appearance of an entry that is not taken because it
	// is not a regular file: a subfolder, a link, a device.
	Odd func(intake.Odd)
	// Scanned, when set, is called (from the watcher's goroutine: it must
	// not block) after each complete listing of the inbox: tests wait for
	// listings instead of for time.
	Scanned func()
	Log     zerolog.Logger
}

// File is a file ready to be processed.
type File struct {
	Path string
	Seen time.Time // when the watcher first saw this appearance of it
}

// Watcher reports the files of one inbox that are ready to be processed.
type Watcher struct {
	cfg     Config
	dir     string
	tick    time.Duration
	ready   chan File
	again   chan string
	started atomic.Bool

	// Test hooks: errors injected into the watcher-error path, events
	// discarded (simulating lost events), completed scans and ticks
	// counted (so a test waits for the watcher's work, not for time).
	injectErr  chan error
	dropEvents atomic.Bool
	scans      atomic.Int64
	ticks      atomic.Int64

	// Owned by the Start loop.
	entries  map[string]*entry
	nReady   int
	next     string // the ready name being offered on Ready()
	fsw      *fsnotify.Watcher
	wantScan bool
	lastScan time.Time
	scanErr  bool            // the last listing failed (logged once, not every period)
	odd      map[string]bool // entries reported to Config.Odd, while present
}

type state uint8

const (
	pending state = iota // being watched until stable and complete
	ready                // waiting to be received from Ready()
	handed               // received; waits to leave the folder
)

type entry struct {
	size  int64
	mod   time.Time
	ino   uint64 // 0 when the platform does not say
	seen  bool   // stat'ed at least once in this appearance
	first time.Time
	since time.Time // when the current size and mod time were first observed
	state state
	check bool      // an event asked for a look at the next tick
	retry time.Time // earliest next completeness check
}

// New returns a Watcher for cfg; nothing happens until Start.
func New(cfg Config) *Watcher {
	if cfg.Rescan <= 0 {
		cfg.Rescan = DefaultRescan
	}
	if cfg.Settle <= 0 {
		cfg.Settle = DefaultSettle
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = DefaultMaxWait
	}
	// The tick bounds how late a change or a stable file is noticed:
	// hand-over comes at most Settle + 2 ticks after the last write. Settle/8
	// capped at 250 ms (not Settle/4 up to 1 s) keeps that within Settle +
	// 0.5 s, leaving the daemon time to meet "annotated within Settle + 1 s";
	// only files not yet ready are stat'ed at each tick.
	tick := min(max(cfg.Settle/8, 50*time.Millisecond), 250*time.Millisecond)
	return &Watcher{
		cfg:  cfg,
		dir:  filepath.Clean(cfg.Dir),
		tick: tick,
		// Unbuffered: a send completes only when the daemon takes the file,
		// so nothing queues here beyond the folder listing.
		ready:     make(chan File),
		again:     make(chan string, 64),
		injectErr: make(chan error),
		entries:   make(map[string]*entry),
		odd:       make(map[string]bool),
	}
}

// Ready delivers each file that is ready, once per appearance, first seen
// first (so resubmissions come in order). It is closed when Start returns. The daemon consumes a path by
// moving the file out of the inbox; a path it receives may already be gone
// (e.g. replaced and taken meanwhile) and should then be skipped.
func (w *Watcher) Ready() <-chan File { return w.ready }

// Again asks for path, handed over before and still in the inbox, to be
// offered once more once it is stable. It never blocks (a request that
// finds the queue full is dropped: the file is offered at the next start).
func (w *Watcher) Again(path string) {
	select {
	case w.again <- filepath.Base(path):
	default:
	}
}

// Start watches until ctx is done and then returns nil. It returns an error
// only if the inbox cannot be listed at start (or Start was already called);
// later listing failures (a share gone away) are logged and retried.
// Start starts no goroutine of its own; fsnotify's are closed on return.
func (w *Watcher) Start(ctx context.Context) error {
	if !w.started.CompareAndSwap(false, true) {
		return errors.New("watch: Start called twice")
	}
	defer close(w.ready)
	log := w.cfg.Log

	// Watch before the first listing so that no file falls in between.
	if w.cfg.Events {
		fsw, err := fsnotify.NewWatcher()
		if err != nil {
			log.Warn().Err(err).Str("dir", w.dir).Msg("file events unavailable; rescanning only")
		} else {
			w.fsw = fsw
			defer fsw.Close()
			if err := fsw.Add(w.dir); err != nil {
				// Retried after each successful rescan.
				log.Warn().Err(err).Str("dir", w.dir).Msg("cannot watch the inbox; rescanning only for now")
			}
		}
	}
	if err := w.scan(time.Now()); err != nil {
		return fmt.Errorf("watch: cannot read the inbox %s: %w", w.dir, err)
	}

	ticker := time.NewTicker(w.tick)
	defer ticker.Stop()
	timer := time.NewTimer(w.cfg.Rescan)
	defer timer.Stop()
	var events <-chan fsnotify.Event
	var errs <-chan error
	if w.fsw != nil {
		events, errs = w.fsw.Events, w.fsw.Errors
	}

	for {
		if ctx.Err() != nil {
			return nil // before offering anything more
		}
		if w.next == "" && w.nReady > 0 {
			w.next = w.pickNext(time.Now())
		}
		var out chan<- File
		var file File
		if w.next != "" {
			file = File{Path: filepath.Join(w.dir, w.next)}
			if e := w.entries[w.next]; e != nil {
				file.Seen = e.first
			}
			out = w.ready
		}
		select {
		case <-ctx.Done():
			return nil
		case out <- file:
			if e := w.entries[w.next]; e != nil {
				w.setState(e, handed)
				log.Debug().Str("file", file.Path).Int64("waited_ms", time.Since(e.first).Milliseconds()).Msg("file ready")
			}
			w.next = ""
		case name := <-w.again:
			if e := w.entries[name]; e != nil && e.state == handed {
				w.setState(e, pending)
				e.since, e.retry, e.check = time.Now(), time.Time{}, true
			}
		case now := <-ticker.C:
			w.checkPending(now)
			w.ticks.Add(1)
		case <-timer.C:
			w.wantScan = true
		case ev, ok := <-events:
			if !ok {
				events = nil
				w.wantScan = true
				continue
			}
			w.onEvent(ev)
		case err, ok := <-errs:
			if !ok {
				errs = nil
				continue
			}
			w.onWatchError(err)
		case err := <-w.injectErr:
			w.onWatchError(err)
		}
		// At most one scan per tick, so an error storm cannot make the loop
		// list continuously.
		if now := time.Now(); w.wantScan && now.Sub(w.lastScan) >= w.tick {
			_ = w.scan(now) // failures are logged by scan
			timer.Reset(w.cfg.Rescan)
		}
	}
}

// onEvent marks a name for a look at the next tick. Events are never trusted
// for state beyond that, except that a path removed or renamed away is
// forgotten (a later Create is a new appearance).
func (w *Watcher) onEvent(ev fsnotify.Event) {
	if w.dropEvents.Load() {
		return
	}
	name := filepath.Clean(ev.Name)
	if name == w.dir {
		// The inbox itself was removed or moved: the watch is gone; the
		// rescan logs it and re-adds the watch when the folder is back.
		w.wantScan = true
		return
	}
	if filepath.Dir(name) != w.dir {
		return
	}
	base := filepath.Base(name)
	if !intake.Candidate(base, false) {
		return
	}
	e := w.entries[base]
	switch {
	case ev.Has(fsnotify.Remove) || ev.Has(fsnotify.Rename):
		// Rename carries the old name; if something takes the name again, a
		// Create follows.
		w.forget(base)
		return
	case ev.Has(fsnotify.Create) && e != nil:
		// Replaced in place (a rename over it sends only a Create on
		// Linux): a new appearance, even if size and time happen to match.
		e.seen = false
		if e.state != pending {
			w.setState(e, pending)
			e.first = time.Now()
		}
		if w.next == base {
			w.next = ""
		}
	}
	if e == nil {
		e = &entry{first: time.Now()}
		w.entries[base] = e
	}
	e.check = true
}

// onWatchError handles any error from fsnotify (or injected by tests): events
// may have been lost, so the folder is listed again.
func (w *Watcher) onWatchError(err error) {
	ev := w.cfg.Log.Warn().Err(err).Str("dir", w.dir)
	if errors.Is(err, fsnotify.ErrEventOverflow) {
		ev.Msg("file events overflowed; rescanning the inbox")
	} else {
		ev.Msg("file watcher error; rescanning the inbox")
	}
	w.wantScan = true
}

// scan lists the inbox and reconciles every entry with it.
func (w *Watcher) scan(now time.Time) error {
	w.lastScan, w.wantScan = now, false
	list, err := os.ReadDir(w.dir)
	if err != nil {
		if !w.scanErr {
			w.cfg.Log.Warn().Err(err).Str("dir", w.dir).Msg("cannot list the inbox; will retry")
		}
		w.scanErr = true
		return err
	}
	if w.scanErr {
		w.cfg.Log.Info().Str("dir", w.dir).Msg("inbox readable again")
		w.scanErr = false
	}
	present := make(map[string]struct{}, len(list))
	odd := map[string]bool{}
	for _, d := range list {
		name := d.Name()
		if d.IsDir() && !strings.HasPrefix(name, ".") {
			odd[name] = true
			w.reportOdd(name, "thư mục con")
			continue
		}
		if d.IsDir() || !intake.Candidate(name, false) {
			continue
		}
		fi, err := d.Info() // the entry itself: a link is not followed
		if err != nil {
			continue // gone meanwhile
		}
		if !fi.Mode().IsRegular() {
			odd[name] = true
			what := "tệp đặc biệt"
			if fi.Mode()&fs.ModeSymlink != 0 {
				what = "liên kết"
			}
			w.reportOdd(name, what)
			continue
		}
		present[name] = struct{}{}
		e := w.entries[name]
		if e == nil {
			e = &entry{first: now}
			w.entries[name] = e
		}
		w.observe(name, e, fi, now)
	}
	for name := range w.odd {
		if !odd[name] {
			delete(w.odd, name) // gone: reported again if it comes back
		}
	}
	for name, e := range w.entries {
		// An entry an event announced may be newer than the listing: the
		// next tick's stat decides.
		if _, ok := present[name]; !ok && !e.check {
			w.forget(name)
		}
	}
	if w.fsw != nil && len(w.fsw.WatchList()) == 0 {
		if err := w.fsw.Add(w.dir); err == nil {
			w.cfg.Log.Info().Str("dir", w.dir).Msg("watching the inbox again")
			w.wantScan = true // events between the listing and Add were missed
		}
	}
	w.scans.Add(1)
	if w.cfg.Scanned != nil {
		w.cfg.Scanned()
	}
	return nil
}

// reportOdd tells Config.Odd about an entry, once per appearance.
func (w *Watcher) reportOdd(name, what string) {
	if w.odd[name] || w.cfg.Odd == nil {
		return
	}
	w.odd[name] = true
	w.cfg.Odd(intake.Odd{Name: name, What: what})
}

// checkPending looks at every file not yet ready, every file an event
// pointed at, and the file being offered.
func (w *Watcher) checkPending(now time.Time) {
	for name, e := range w.entries {
		if e.state == pending || e.check || name == w.next {
			w.stat(name, e, now)
		}
	}
}

// stat looks at one file and records what it sees.
func (w *Watcher) stat(name string, e *entry, now time.Time) {
	fi, err := os.Lstat(filepath.Join(w.dir, name))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		w.forget(name)
	case err != nil:
		// Unreadable for now (share hiccup, permissions): keep it; a ready
		// file must be confirmed again before it is offered.
		w.cfg.Log.Debug().Err(err).Str("file", name).Msg("cannot stat")
		e.check = false
		if e.state == ready {
			w.setState(e, pending)
			if w.next == name {
				w.next = ""
			}
		}
	case !fi.Mode().IsRegular():
		w.forget(name)
	default:
		w.observe(name, e, fi, now)
	}
}

// observe records a file's size, time and identity; a change restarts the
// settle period (and makes a file already handed over a new appearance). A
// file stable for Settle is checked for completeness.
func (w *Watcher) observe(name string, e *entry, fi fs.FileInfo, now time.Time) {
	e.check = false
	ino := inode(fi)
	changed := !e.seen || fi.Size() != e.size || !fi.ModTime().Equal(e.mod) ||
		(ino != 0 && e.ino != 0 && ino != e.ino)
	if changed {
		e.size, e.mod, e.ino, e.seen = fi.Size(), fi.ModTime(), ino, true
		e.since, e.retry = now, time.Time{}
		if e.state != pending {
			w.setState(e, pending)
			e.first = now
			if w.next == name {
				w.next = ""
			}
		}
		return
	}
	if e.state != pending || now.Sub(e.since) < w.cfg.Settle || now.Before(e.retry) {
		return
	}
	path := filepath.Join(w.dir, name)
	err := complete(path, e.size, e.mod)
	if err == nil {
		w.setState(e, ready)
		return
	}
	if now.Sub(e.since) >= w.cfg.MaxWait {
		// The pipeline rejects it with a message the commune can act on;
		// waiting longer would leave it in the inbox unanswered.
		w.cfg.Log.Warn().Err(err).Str("file", path).Int64("unchanged_ms", now.Sub(e.since).Milliseconds()).
			Msg("file never became a complete workbook; handing it over to be rejected")
		w.setState(e, ready)
		return
	}
	// Reopening at every tick would be wasteful on a share.
	e.retry = now.Add(max(w.cfg.Settle, w.tick))
	w.cfg.Log.Debug().Err(err).Str("file", path).Msg("stable but not complete yet")
}

// pickNext returns the ready file first seen (then by name), after
// checking it is still there and unchanged.
func (w *Watcher) pickNext(now time.Time) string {
	for {
		var best string
		var be *entry
		for name, e := range w.entries {
			if e.state != ready {
				continue
			}
			if be == nil || e.first.Before(be.first) || (e.first.Equal(be.first) && name < best) {
				best, be = name, e
			}
		}
		if be == nil {
			return ""
		}
		w.stat(best, be, now)
		if e := w.entries[best]; e == be && e.state == ready {
			return best
		}
		// Gone, changed or unreadable: it left the ready set, so the loop
		// ends.
	}
}

func (w *Watcher) setState(e *entry, s state) {
	if e.state == ready {
		w.nReady--
	}
	if s == ready {
		w.nReady++
	}
	e.state = s
}

func (w *Watcher) forget(name string) {
	if e, ok := w.entries[name]; ok {
		w.setState(e, pending)
		delete(w.entries, name)
	}
	if w.next == name {
		w.next = ""
	}
}

var zipHeader = []byte("PK\x03\x04")

// complete reports (nil) whether the file at path can be handed over: any
// file that is not an .xlsx/.xlsm with a zip header is (the pipeline rejects
// what it cannot read); a zip must open completely.
func complete(path string, size int64, mod time.Time) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".xlsx" && ext != ".xlsm" {
		return nil
	}
	f, err := intake.Open(path)
	if err != nil {
		return err // locked by the writer (Windows), permissions: retry
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if fi.Size() != size || !fi.ModTime().Equal(mod) {
		return errors.New("changed while checking")
	}
	var head [4]byte
	n, _ := io.ReadFull(f, head[:])
	if n < len(head) || head == [4]byte{} {
		// Empty or zero-filled start: what a copy that preallocates the
		// file (Windows Explorer) looks like before the data arrives.
		return errors.New("empty or zero-filled start")
	}
	if string(head[:]) != string(zipHeader) {
		return nil // not a zip (.xls renamed, encrypted, PDF…)
	}
	if _, err := zip.NewReader(f, size); err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return err
	}
	return nil
}

// inode returns the file's inode number where the platform has one (Unix),
// else 0. Read by reflection to stay portable without build-tagged files.
func inode(fi fs.FileInfo) uint64 {
	v := reflect.ValueOf(fi.Sys())
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return 0
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return 0
	}
	f := v.FieldByName("Ino")
	switch f.Kind() {
	case reflect.Uint, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return f.Uint()
	case reflect.Int, reflect.Int32, reflect.Int64:
		return uint64(f.Int())
	}
	return 0
}
