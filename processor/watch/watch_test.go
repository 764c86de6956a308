package watch

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
	"github.com/rs/zerolog"
)

// Test intervals: short enough for a fast suite, with a tick (50 ms) well
// under Settle.
const (
	settle = 100 * time.Millisecond
	rescan = 200 * time.Millisecond
)

// handover is one path received from Ready().
type handover struct {
	name string
	data []byte // the bytes read at hand-over
	at   time.Time
}

type harness struct {
	t    *testing.T
	dir  string
	w    *Watcher
	got  chan handover
	stop func()
}

// startWatcher runs a Watcher on a fresh folder (or cfg.Dir when set) and a
// consumer that reads each handed-over file and, when keep returns false,
// removes it (as the pipeline moves it away). keep may be nil.
func startWatcher(t *testing.T, cfg Config, keep func(handover) bool, setup ...func(*Watcher)) *harness {
	t.Helper()
	if cfg.Dir == "" {
		cfg.Dir = t.TempDir()
	}
	if cfg.Settle == 0 {
		cfg.Settle = settle
	}
	if cfg.Rescan == 0 {
		cfg.Rescan = rescan
	}
	if cfg.MaxWait == 0 {
		cfg.MaxWait = 5 * time.Second // longer than any test waits for a normal file
	}
	cfg.Log = zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.InfoLevel)
	w := New(cfg)
	for _, f := range setup {
		f(w)
	}
	h := &harness{t: t, dir: cfg.Dir, w: w, got: make(chan handover, 1000)}
	ctx, cancel := context.WithCancel(context.Background())
	startErr := make(chan error, 1)
	consumed := make(chan struct{})
	go func() { startErr <- w.Start(ctx) }()
	go func() {
		defer close(consumed)
		for f := range w.Ready() {
			p := f.Path
			data, err := os.ReadFile(p)
			if err != nil {
				t.Errorf("reading %s at hand-over: %v", p, err)
			}
			ho := handover{name: filepath.Base(p), data: data, at: time.Now()}
			if keep == nil || !keep(ho) {
				if err := os.Remove(p); err != nil {
					t.Errorf("consuming %s: %v", p, err)
				}
			}
			h.got <- ho
		}
	}()
	var once sync.Once
	h.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-startErr; err != nil {
				t.Errorf("Start: %v", err)
			}
			<-consumed
		})
	}
	t.Cleanup(h.stop)
	// Wait for the first listing so tests know what was there before.
	deadline := time.Now().Add(5 * time.Second)
	for w.scans.Load() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no first scan")
		}
		time.Sleep(5 * time.Millisecond)
	}
	return h
}

// expect waits until every name was handed over once and fails on any other
// name or a second hand-over. It returns the hand-overs by name.
func (h *harness) expect(timeout time.Duration, names ...string) map[string]handover {
	h.t.Helper()
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	got := make(map[string]handover, len(names))
	deadline := time.After(timeout)
	for len(got) < len(want) {
		select {
		case ho := <-h.got:
			if !want[ho.name] {
				h.t.Fatalf("unexpected hand-over of %q", ho.name)
			}
			if _, dup := got[ho.name]; dup {
				h.t.Fatalf("%q handed over twice", ho.name)
			}
			got[ho.name] = ho
		case <-deadline:
			var missing []string
			for n := range want {
				if _, ok := got[n]; !ok {
					missing = append(missing, n)
				}
			}
			h.t.Fatalf("after %v, %d of %d handed over; missing e.g. %q", timeout, len(got), len(want), missing[:min(5, len(missing))])
		}
	}
	return got
}

// quiet fails if anything is handed over within d.
// quiet checks that nothing is handed over for d and until the watcher has
// done what d stands for — d's worth of ticks and of rescans — so a loaded
// machine that starves the watcher cannot make the check vacuous.
func (h *harness) quiet(d time.Duration) {
	h.t.Helper()
	scans, ticks := h.w.scans.Load(), h.w.ticks.Load()
	wantScans, wantTicks := int64(d/h.w.cfg.Rescan), int64(d/h.w.tick)
	end := time.After(d)
	giveUp := time.After(d + 30*time.Second)
	for elapsed := false; ; {
		if elapsed && h.w.scans.Load()-scans >= wantScans && h.w.ticks.Load()-ticks >= wantTicks {
			return
		}
		select {
		case ho := <-h.got:
			h.t.Fatalf("unexpected hand-over of %q", ho.name)
		case <-end:
			elapsed = true
		case <-giveUp:
			h.t.Fatalf("the watcher did not do %d scans and %d ticks in %v", wantScans, wantTicks, d+30*time.Second)
		case <-time.After(h.w.tick):
		}
	}
}

// makeZip returns a small complete .xlsx-like zip of about size bytes
// (stored, incompressible, so the size is what is asked).
func makeZip(t *testing.T, seed uint64, size int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: "[Content_Types].xml", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fw.Write([]byte(`<?xml version="1.0"?><Types/>`)); err != nil {
		t.Fatal(err)
	}
	fw, err = zw.CreateHeader(&zip.FileHeader{Name: "xl/media/blob.bin", Method: zip.Store})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, seed))
	payload := make([]byte, size)
	for i := range payload {
		payload[i] = byte(r.UintN(256))
	}
	if _, err := fw.Write(payload); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDrop(t *testing.T) {
	t.Parallel()
	for _, events := range []bool{true, false} {
		t.Run(fmt.Sprintf("events=%v", events), func(t *testing.T) {
			t.Parallel()
			h := startWatcher(t, Config{Events: events}, nil)
			data := makeZip(t, 1, 4096)
			dropped := time.Now()
			writeFile(t, filepath.Join(h.dir, "Xã Triệu Thành 2026.xlsx"), data)
			writeFile(t, filepath.Join(h.dir, "notes.pdf"), []byte("%PDF-1.4 not a workbook"))
			got := h.expect(3*time.Second, "Xã Triệu Thành 2026.xlsx", "notes.pdf")
			ho := got["Xã Triệu Thành 2026.xlsx"]
			if !bytes.Equal(ho.data, data) {
				t.Error("content at hand-over differs from the file written")
			}
			// Latency: Settle + at most two ticks with events; without
			// events the file is only found by the next rescan.
			lat := ho.at.Sub(dropped)
			limit := settle + 2*h.w.tick + 150*time.Millisecond
			if !events {
				limit += rescan
			}
			t.Logf("drop → hand-over: %v (settle %v, tick %v, rescan %v)", lat.Round(time.Millisecond), settle, h.w.tick, rescan)
			if lat < settle {
				t.Errorf("handed over after %v, before the settle period", lat)
			}
			if lat > limit {
				t.Errorf("handed over after %v, want at most %v", lat, limit)
			}
			h.quiet(3 * rescan)
		})
	}
}

// A copy in chunks with pauses shorter than Settle is taken only once
// complete, with all its bytes.
func TestSlowCopy(t *testing.T) {
	t.Parallel()
	h := startWatcher(t, Config{Events: true}, nil)
	data := makeZip(t, 2, 64<<10)
	path := filepath.Join(h.dir, "slow.xlsx")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	const chunks = 10
	pause := 70 * time.Millisecond // > Settle/2, < Settle; total 630 ms > Settle
	step := (len(data) + chunks - 1) / chunks
	for i := 0; i < len(data); i += step {
		if _, err := f.Write(data[i:min(i+step, len(data))]); err != nil {
			t.Fatal(err)
		}
		if i+step < len(data) {
			time.Sleep(pause)
		}
		select {
		case ho := <-h.got:
			t.Fatalf("%s handed over after %d of %d bytes", ho.name, i+step, len(data))
		default:
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	done := time.Now()
	ho := h.expect(3*time.Second, "slow.xlsx")["slow.xlsx"]
	if !bytes.Equal(ho.data, data) {
		t.Errorf("read %d bytes at hand-over, want the full %d", len(ho.data), len(data))
	}
	t.Logf("copy end → hand-over: %v", ho.at.Sub(done).Round(time.Millisecond))
	h.quiet(3 * rescan)
}

// Excel saves by writing a temporary file without extension, moving the
// original aside and renaming the temporary file to the original name; "~$"
// owner files live beside the workbook while it is open. Only the workbook is
// handed over: once as first dropped and once more after the re-save
// (a new appearance), with the new content.
func TestExcelSave(t *testing.T) {
	t.Parallel()
	for _, events := range []bool{true, false} {
		t.Run(fmt.Sprintf("events=%v", events), func(t *testing.T) {
			t.Parallel()
			first := true
			// Keep the first version in the inbox (received, not yet moved).
			keep := func(ho handover) bool { k := first; first = false; return k }
			h := startWatcher(t, Config{Events: events}, keep)
			book := filepath.Join(h.dir, "Book.xlsx")
			v1, v2 := makeZip(t, 3, 8192), makeZip(t, 4, 8192) // same size on purpose
			owner := filepath.Join(h.dir, "~$Book.xlsx")
			writeFile(t, owner, []byte("\x0bNguyen Van A"))
			writeFile(t, book, v1)
			if ho := h.expect(3*time.Second, "Book.xlsx")["Book.xlsx"]; !bytes.Equal(ho.data, v1) {
				t.Fatal("first version: wrong content")
			}
			// The save dance.
			tmp := filepath.Join(h.dir, "A1B2C3D4")
			f, err := os.Create(tmp)
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < len(v2); i += 2048 {
				f.Write(v2[i:min(i+2048, len(v2))])
				time.Sleep(20 * time.Millisecond)
			}
			f.Close()
			aside := filepath.Join(h.dir, "5E6F7A8B.tmp")
			if err := os.Rename(book, aside); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, book); err != nil {
				t.Fatal(err)
			}
			if err := os.Remove(aside); err != nil {
				t.Fatal(err)
			}
			if ho := h.expect(3*time.Second, "Book.xlsx")["Book.xlsx"]; !bytes.Equal(ho.data, v2) {
				t.Fatal("re-saved version: wrong content")
			}
			os.Remove(owner)
			h.quiet(3 * rescan)
		})
	}
}

// Owner files, temporary files, hidden files and subfolders (with what is in
// them) are never handed over.
func TestIgnored(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	zipped := makeZip(t, 5, 1024)
	// Some already there at start, some dropped while watching.
	writeFile(t, filepath.Join(dir, "~$Old.xlsx"), zipped)
	if err := os.Mkdir(filepath.Join(dir, "2025"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "2025", "old.xlsx"), zipped)
	h := startWatcher(t, Config{Dir: dir, Events: true}, nil)
	writeFile(t, filepath.Join(dir, "~$Book.xlsx"), zipped)
	writeFile(t, filepath.Join(dir, "F3A9C21B"), zipped)
	writeFile(t, filepath.Join(dir, ".hidden.xlsx"), zipped)
	writeFile(t, filepath.Join(dir, "copy.tmp"), zipped)
	if err := os.Mkdir(filepath.Join(dir, "folder.xlsx"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "folder.xlsx", "inner.xlsx"), zipped)
	writeFile(t, filepath.Join(dir, "2025", "new.xlsx"), zipped)
	writeFile(t, filepath.Join(dir, "real.xlsx"), zipped)
	h.expect(3*time.Second, "real.xlsx")
	h.quiet(4 * rescan)
}

// A burst of 500 files: each handed over exactly once, with a bounded number
// of goroutines. Not parallel: it counts goroutines.
func TestBurst(t *testing.T) {
	before := runtime.NumGoroutine()
	h := startWatcher(t, Config{Events: true}, nil)
	const n = 500
	names := make([]string, n)
	data := makeZip(t, 6, 2048)
	peak := runtime.NumGoroutine()
	for i := range n {
		names[i] = fmt.Sprintf("xa-%03d.xlsx", i)
		writeFile(t, filepath.Join(h.dir, names[i]), data)
		if i%50 == 0 {
			peak = max(peak, runtime.NumGoroutine())
		}
	}
	end := time.Now()
	sample := make(chan struct{})
	go func() { // sample while the watcher works
		defer close(sample)
		for range 20 {
			peak = max(peak, runtime.NumGoroutine())
			time.Sleep(20 * time.Millisecond)
		}
	}()
	got := h.expect(10*time.Second, names...)
	<-sample
	var last time.Time
	for _, ho := range got {
		if ho.at.After(last) {
			last = ho.at
		}
	}
	t.Logf("%d files: end of burst → last hand-over %v; goroutines before %d, peak %d",
		n, last.Sub(end).Round(time.Millisecond), before, peak)
	h.quiet(3 * rescan)
	// Watcher loop, fsnotify reader, consumer, sampler, Start runner: a
	// constant, whatever the number of files.
	if peak > before+8 {
		t.Errorf("goroutines: %d before, peak %d", before, peak)
	}
	h.stop()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("goroutines: %d before, %d after stop", before, after)
	}
}

// With events lost (an overflow), nothing is seen until the watcher error
// triggers a rescan; Rescan() does the same on request.
func TestOverflowRescan(t *testing.T) {
	t.Parallel()
	h := startWatcher(t, Config{Events: true, Rescan: time.Hour}, nil,
		func(w *Watcher) { w.dropEvents.Store(true) })
	data := makeZip(t, 7, 1024)
	for _, n := range []string{"a.xlsx", "b.xlsx", "c.xlsx"} {
		writeFile(t, filepath.Join(h.dir, n), data)
	}
	h.quiet(5 * settle) // events dropped, no periodic rescan: unseen
	h.w.injectErr <- fsnotify.ErrEventOverflow
	h.expect(2*time.Second, "a.xlsx", "b.xlsx", "c.xlsx")

	// Any other watcher error rescans too.
	writeFile(t, filepath.Join(h.dir, "e.xlsx"), data)
	h.quiet(3 * settle)
	h.w.injectErr <- errors.New("read error")
	h.expect(2*time.Second, "e.xlsx")
}

// A zip that never completes (and a workbook name whose content never
// arrives) is handed over after MaxWait, so that it is rejected; a file
// with a workbook name but no zip header only needs to be stable.
func TestMaxWait(t *testing.T) {
	t.Parallel()
	const maxWait = 600 * time.Millisecond
	h := startWatcher(t, Config{Events: true, MaxWait: maxWait}, nil)
	full := makeZip(t, 8, 8192)
	dropped := time.Now()
	writeFile(t, filepath.Join(h.dir, "truncated.xlsx"), full[:len(full)/2])
	writeFile(t, filepath.Join(h.dir, "zeros.xlsm"), make([]byte, 4096))
	writeFile(t, filepath.Join(h.dir, "empty.xlsx"), nil)
	writeFile(t, filepath.Join(h.dir, "old-excel.xlsx"), append([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"), make([]byte, 504)...))
	got := h.expect(3*time.Second, "old-excel.xlsx", "truncated.xlsx", "zeros.xlsm", "empty.xlsx")
	if lat := got["old-excel.xlsx"].at.Sub(dropped); lat >= maxWait {
		t.Errorf("non-zip workbook handed over after %v, want only the settle period", lat)
	}
	for _, n := range []string{"truncated.xlsx", "zeros.xlsm", "empty.xlsx"} {
		lat := got[n].at.Sub(dropped)
		t.Logf("%s handed over after %v", n, lat.Round(time.Millisecond))
		if lat < maxWait || lat > maxWait+time.Second {
			t.Errorf("%s handed over after %v, want MaxWait %v (+ up to 1 s)", n, lat, maxWait)
		}
	}
	if !bytes.Equal(got["truncated.xlsx"].data, full[:len(full)/2]) {
		t.Error("truncated file: content changed")
	}
}

// A file received but not moved away is not offered again; once it leaves
// and comes back it is.
func TestOncePerAppearance(t *testing.T) {
	t.Parallel()
	for _, events := range []bool{true, false} {
		t.Run(fmt.Sprintf("events=%v", events), func(t *testing.T) {
			t.Parallel()
			h := startWatcher(t, Config{Events: events}, func(handover) bool { return true })
			data := makeZip(t, 9, 1024)
			path := filepath.Join(h.dir, "kept.xlsx")
			writeFile(t, path, data)
			h.expect(3*time.Second, "kept.xlsx")
			h.quiet(4 * rescan)
			// Moved away, noticed, and dropped again.
			aside := filepath.Join(t.TempDir(), "kept.xlsx")
			if err := os.Rename(path, aside); err != nil {
				t.Fatal(err)
			}
			h.quiet(2 * rescan) // the move is noticed
			if err := os.Rename(aside, path); err != nil {
				t.Fatal(err)
			}
			h.expect(3*time.Second, "kept.xlsx")
			h.quiet(2 * rescan)
		})
	}
}

// Nothing is offered before the consumer asks, and a late consumer still gets
// every file once, first seen first: the files' own modification times (a
// sender's clock) do not order them.
func TestLateConsumer(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	w := New(Config{Dir: dir, Settle: settle, Rescan: rescan, Events: true, Log: zerolog.Nop()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Start(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for w.scans.Load() == 0 { // the first listing: the folder was empty
		time.Sleep(w.tick)
	}
	data := makeZip(t, 10, 1024)
	base := time.Now().Add(-time.Hour)
	for i, n := range []string{"c.xlsx", "a.xlsx", "b.xlsx"} {
		p := filepath.Join(dir, n)
		writeFile(t, p, data)
		mt := base.Add(-time.Duration(i) * time.Minute) // b oldest by its clock, then a, then c
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
		// Change times are coarse (a few ms): files seen by one listing
		// are ordered by them, so they must differ.
		time.Sleep(20 * time.Millisecond)
	}
	// All ready, nobody receiving: wait for the watcher's work, not a time.
	for s := w.scans.Load(); w.scans.Load()-s < 4 || w.ticks.Load() < int64(4*rescan/w.tick); {
		time.Sleep(w.tick)
	}
	var order []string
	for range 3 {
		select {
		case f := <-w.Ready():
			order = append(order, filepath.Base(f.Path))
			os.Remove(f.Path)
		case <-time.After(2 * time.Second):
			t.Fatalf("only %v handed over", order)
		}
	}
	if fmt.Sprint(order) != "[c.xlsx a.xlsx b.xlsx]" {
		t.Errorf("order %v, want first seen first [c.xlsx a.xlsx b.xlsx]", order)
	}
	select {
	case f := <-w.Ready():
		t.Errorf("extra hand-over %s", f.Path)
	case <-time.After(3 * rescan):
	}
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	w := New(Config{Dir: filepath.Join(t.TempDir(), "missing"), Events: true})
	if err := w.Start(context.Background()); err == nil {
		t.Fatal("Start on a missing folder: no error")
	}
	if _, ok := <-w.Ready(); ok {
		t.Error("Ready() not closed after Start returned")
	}
	if err := w.Start(context.Background()); err == nil {
		t.Error("second Start: no error")
	}
}

func TestComplete(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	full := makeZip(t, 11, 4096)
	for _, tc := range []struct {
		name     string
		data     []byte
		complete bool
	}{
		{"ok.xlsx", full, true},
		{"OK.XLSM", full, true},
		{"truncated.xlsx", full[:len(full)-10], false},
		{"no-central-directory.xlsx", full[:len(full)/2], false},
		{"empty.xlsx", nil, false},
		{"zeros.xlsx", make([]byte, 100), false},
		{"short.xlsx", []byte("PK"), false},
		{"ole.xlsx", []byte("\xd0\xcf\x11\xe0 encrypted or .xls"), true},
		{"pdf.xlsx", []byte("%PDF-1.7"), true},
		{"truncated.pdf", full[:100], true}, // only .xlsx/.xlsm are opened
	} {
		p := filepath.Join(dir, tc.name)
		writeFile(t, p, tc.data)
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		err = complete(p, fi.Size(), fi.ModTime())
		if (err == nil) != tc.complete {
			t.Errorf("%s: complete = %v (%v), want %v", tc.name, err == nil, err, tc.complete)
		}
	}
}

// TestAgain: a file the daemon could not take stays in the inbox; Again
// offers it once more, and only once.
func TestAgain(t *testing.T) {
	t.Parallel()
	h := startWatcher(t, Config{Settle: settle, Rescan: rescan, Events: true}, func(handover) bool { return true })
	p := filepath.Join(h.dir, "giu-lai.xlsx")
	writeFile(t, p, makeZip(t, 11, 1024))
	h.expect(2*time.Second, "giu-lai.xlsx")
	h.quiet(3 * rescan) // not offered again by itself
	h.w.Again(p)
	h.expect(2*time.Second, "giu-lai.xlsx")
	h.quiet(3 * rescan)
}
