package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// The process-level tests below build chiso, run `chiso serve` on a
// generated config, drop files into its inbox while it runs, and stop it
// with SIGTERM (a clean stop) or SIGKILL (a crash) at seeded random
// moments; after a restart every file must have exactly one outcome and no
// output may be partial. Unix only (signals).

// serveSeed seeds the kill moments; CHISO_SERVE_SEED overrides it to
// replay a failing run.
const serveSeed = 20231101

// serveTrials is how many bursts are killed and recovered.
const serveTrials = 10

// serveSettle is the config's settle period: the daemon's reaction time.
const serveSettle = time.Second

// serveInput is one file dropped in the inbox.
type serveInput struct {
	name    string
	data    []byte
	sha     string
	ignored bool           // never taken (~$ owner file, Excel's temporary file)
	outcome ledger.Outcome // expected; "" for the file and its copy (order decides)
	reason  string
}

// serveFixture is the binary, the config and the burst, made once.
type serveFixture struct {
	bin    string
	config string
	inputs []serveInput
}

func TestServe(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level test of chiso serve: builds chiso and runs it about 25 times")
	}
	if runtime.GOOS == "windows" {
		t.Skip("SIGTERM and SIGKILL are Unix signals")
	}
	fx := newServeFixture(t)
	var full time.Duration
	t.Run("sigterm", func(t *testing.T) { full = testServeSIGTERM(t, fx) })
	t.Run("second-instance", func(t *testing.T) { testServeSecondInstance(t, fx) })
	t.Run("sigkill", func(t *testing.T) {
		if full == 0 {
			// Run alone (-run TestServe/sigkill), or after a failed SIGTERM
			// run: time a clean run here.
			if full = testServeSIGTERM(t, fx); full == 0 || t.Failed() {
				t.Fatal("no clean run to time the kills")
			}
		}
		testServeSIGKILL(t, fx, full)
	})
}

func newServeFixture(t *testing.T) *serveFixture {
	t.Helper()
	pf := buildAndGenerate(t, 30, 21)
	genDir, fix := pf.genDir, pf.fixDir
	fx := &serveFixture{bin: pf.bin}
	fx.config = "rubric: thanhhoa-xa-2023\nyear: 2023\ninbox: inbox\noutbox: outbox\narchive: luu-tru\nrejected: khong-hop-le\n" +
		"data: data\nworkers: 2\nlog: {level: info, format: json}\n" +
		"watch: {rescan_seconds: 2, settle_seconds: 1, events: true, debounce_seconds: 1}\n" +
		"office: {name: UBND tỉnh Thử Nghiệm, cohort: thu-nghiem}\n" + pf.roster

	read := func(p string) []byte {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	add := func(name string, data []byte, outcome ledger.Outcome, reason string) {
		s := sha256.Sum256(data)
		fx.inputs = append(fx.inputs, serveInput{name: name, data: data, sha: hex.EncodeToString(s[:]), outcome: outcome, reason: reason})
	}
	entries, err := os.ReadDir(filepath.Join(genDir, "inbox"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data := read(filepath.Join(genDir, "inbox", e.Name()))
		switch e.Name() {
		case "bieu-mau-x0001.xlsx":
			add(e.Name(), data, ledger.Superseded, "")
		case "bieu-mau-x0002.xlsx":
			add(e.Name(), data, "", "")
			add("bieu-mau-x0002 - Copy.xlsx", data, "", "")
		default:
			add(e.Name(), data, ledger.Accepted, "")
		}
	}
	if len(fx.inputs) != 31 {
		t.Fatalf("bench/gen wrote %d workbooks, want 30", len(fx.inputs)-1)
	}
	// Rejections the watcher hands over at once (not a zip). A truncated
	// or empty .xlsx would wait for watch.DefaultMaxWait (2 min) first: the
	// watcher's own tests cover those.
	add("bieu-mau-x0099.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 4096)...), ledger.Rejected, "xls")
	add("ban-scan.pdf", []byte("%PDF-1.4\n% scanned form\n"), ledger.Rejected, "pdf")
	good := read(filepath.Join(genDir, "inbox", "bieu-mau-x0003.xlsx"))
	fx.inputs = append(fx.inputs,
		serveInput{name: "~$bieu-mau-x0001.xlsx", data: []byte("\x06vanhoa                    "), ignored: true},
		serveInput{name: "8F3A21C0", data: good[:100], ignored: true})
	// Last, so it is the newer submission of X0001 whatever the order of
	// processing.
	add("bieu-mau-x0001-sua.xlsx", read(filepath.Join(fix, "inbox", "bieu-mau-x0001.xlsx")), ledger.Accepted, "")
	return fx
}

// root makes a fresh folder with the config (and an empty inbox and outbox).
func (fx *serveFixture) root(t *testing.T, dir string) string {
	t.Helper()
	for _, d := range []string{"inbox", "outbox"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(fx.config), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// drop writes the burst into the running daemon's inbox, in order.
func (fx *serveFixture) drop(t *testing.T, root string) {
	t.Helper()
	for i, in := range fx.inputs {
		if i == len(fx.inputs)-1 {
			time.Sleep(10 * time.Millisecond) // the resubmission is strictly newer
		}
		if err := os.WriteFile(filepath.Join(root, "inbox", in.name), in.data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func (fx *serveFixture) taken() int {
	n := 0
	for _, in := range fx.inputs {
		if !in.ignored {
			n++
		}
	}
	return n
}

// serveRun is one `chiso serve` on a root.
type serveRun struct {
	cmd  *exec.Cmd
	out  *serveBuffer
	done chan struct{}
	err  error
}

func (fx *serveFixture) start(t *testing.T, root string) *serveRun {
	t.Helper()
	r := &serveRun{out: &serveBuffer{}, done: make(chan struct{})}
	r.cmd = exec.Command(fx.bin, "--config", filepath.Join(root, "config.yaml"), "serve", "--no-calendar")
	r.cmd.Stdout, r.cmd.Stderr = r.out, r.out
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.err = r.cmd.Wait(); close(r.done) }()
	t.Cleanup(func() {
		select {
		case <-r.done:
		default:
			r.cmd.Process.Kill()
			<-r.done
		}
	})
	// Its first log line comes after the signal handlers are in place: a
	// SIGTERM before that would kill it like SIGKILL.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(r.out.String(), "chiso serve started") {
		select {
		case <-r.done:
			t.Fatalf("chiso serve exited at start: %v\n%s", r.err, r.out.tail())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("chiso serve did not start in 30 s:\n%s", r.out.tail())
		}
		time.Sleep(5 * time.Millisecond)
	}
	return r
}

// term sends SIGTERM and waits for the exit; a clean stop takes well
// under the 10 s allowed here.
func (r *serveRun) term(t *testing.T) time.Duration {
	t.Helper()
	start := time.Now()
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-r.done:
	case <-time.After(10 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
		t.Fatalf("chiso serve still running 10 s after SIGTERM:\n%s", r.out.tail())
	}
	if r.err != nil {
		t.Errorf("chiso serve after SIGTERM: %v, want exit 0\n%s", r.err, r.out.tail())
	}
	return time.Since(start)
}

func (r *serveRun) kill(t *testing.T) bool {
	t.Helper()
	select {
	case <-r.done:
		t.Errorf("chiso serve ended before the kill: %v\n%s", r.err, r.out.tail())
		return false
	default:
	}
	if err := r.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-r.done
	return true
}

// settled waits until the inbox holds only the ignored files, nothing is
// in the claim folder and the ledger has a finished row for every file
// taken. It fails the test if the daemon exits or a minute passes.
func (fx *serveFixture) settled(t *testing.T, root string, r *serveRun) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	want := fx.taken()
	for {
		left := len(serveFiles(t, filepath.Join(root, "inbox")))
		done := 0
		if left == len(fx.inputs)-want {
			for _, row := range serveRows(t, root) {
				if row.State == ledger.StateDone {
					done++
				}
			}
			if done == want {
				return
			}
		}
		select {
		case <-r.done:
			t.Fatalf("chiso serve exited: %v\n%s", r.err, r.out.tail())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("not settled after a minute: %d files in the inbox, %d of %d rows done\n%s", left, done, want, r.out.tail())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// serveRows reads the ledger (another process may be writing it: SQLite
// in WAL mode lets the test read meanwhile).
func serveRows(t *testing.T, root string) []ledger.File {
	t.Helper()
	l, err := ledger.Open(filepath.Join(root, "data"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	rows, err := l.Files(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// testServeSIGTERM: a burst processed by serve, then SIGTERM: exit 0 within
// seconds, "stopped cleanly" in the log, nothing processing. It returns
// the time from the end of the drop to the last outcome, the range of the
// kill moments.
func testServeSIGTERM(t *testing.T, fx *serveFixture) time.Duration {
	root := fx.root(t, filepath.Join(t.TempDir(), "root"))
	r := fx.start(t, root)
	fx.drop(t, root)
	start := time.Now()
	fx.settled(t, root, r)
	full := time.Since(start)
	stop := r.term(t)
	if !strings.Contains(r.out.String(), `"message":"stopped cleanly"`) {
		t.Errorf("the log does not say it stopped cleanly:\n%s", r.out.tail())
	}
	t.Logf("burst of %d files settled %v after the drop; stopped %v after SIGTERM", len(fx.inputs), full.Round(time.Millisecond), stop.Round(time.Millisecond))
	fx.verify(t, root)
	return full
}

// testServeSecondInstance: a second serve on the same config refuses to
// start, saying why, and the first keeps running.
func testServeSecondInstance(t *testing.T, fx *serveFixture) {
	root := fx.root(t, filepath.Join(t.TempDir(), "root"))
	first := fx.start(t, root)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, fx.bin, "--config", filepath.Join(root, "config.yaml"), "serve", "--no-calendar").CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() <= 0 {
		t.Fatalf("second serve: %v, want a non-zero exit\n%s", err, out)
	}
	if !strings.Contains(string(out), "đang chạy với thư mục nhận này") {
		t.Errorf("second serve (exit %d) does not say another instance is running:\n%s", ee.ExitCode(), out)
	}
	select {
	case <-first.done:
		t.Fatalf("the first serve stopped: %v\n%s", first.err, first.out.tail())
	default:
	}
	first.term(t)
}

// testServeSIGKILL: in each trial serve is killed at a seeded random moment
// of a burst, restarted, and must bring everything to exactly one outcome.
// The last trial kills right after the last outcome, before the debounced
// ranking rebuild: the restart must still bring the ranking up to date.
func testServeSIGKILL(t *testing.T, fx *serveFixture, full time.Duration) {
	seed := uint64(serveSeed)
	if s := os.Getenv("CHISO_SERVE_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CHISO_SERVE_SEED: %v", err)
		}
		seed = v
	}
	rng := rand.New(rand.NewPCG(seed, 11))
	base := t.TempDir()
	began := time.Now()
	// Kills land from half a settle period after the drop (files being
	// claimed) to the end of a clean run's processing.
	lo := serveSettle / 2
	span := max(full-lo, time.Second)
	kills, bad, interrupted, inClaim := 0, 0, 0, 0
	// Every trial runs (the last one is the deterministic one) unless three
	// have failed already.
	for trial := 0; trial < serveTrials && bad < 3; trial++ {
		root := fx.root(t, filepath.Join(base, fmt.Sprintf("trial-%02d", trial)))
		r := fx.start(t, root)
		fx.drop(t, root)
		var at string
		if trial == serveTrials-1 {
			fx.settled(t, root, r)
			at = "right after the last outcome"
		} else {
			d := lo + time.Duration(rng.Int64N(int64(span)))
			time.Sleep(d)
			at = d.Round(time.Millisecond).String() + " after the drop"
		}
		if r.kill(t) {
			kills++
		}
		// What the kill interrupted: rows left processing, files in the
		// claim folder (the restart must recover both).
		for _, row := range serveRows(t, root) {
			if row.State == ledger.StateProcessing {
				interrupted++
			}
		}
		for _, f := range serveFiles(t, filepath.Join(root, "inbox")) {
			if strings.Contains(f, "/") {
				inClaim++
			}
		}
		r2 := fx.start(t, root)
		fx.settled(t, root, r2)
		r2.term(t)
		if !fx.verify(t, root) {
			bad++
			t.Errorf("trial %d (seed %d): killed %s; killed run:\n%s\nrestart:\n%s", trial, seed, at, r.out.tail(), r2.out.tail())
		}
		os.RemoveAll(root)
	}
	t.Logf("seed %d: %d trials, %d kills leaving %d rows processing and %d files in the claim folder; clean run %v; total %v",
		seed, serveTrials, kills, interrupted, inClaim, full.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	if kills < serveTrials && bad == 0 {
		t.Errorf("only %d kills landed in %d trials", kills, serveTrials)
	}
}

// verify checks a stopped root against the inputs: one finished row per
// file taken, with its hash and expected outcome; each original kept once
// where its row says; every final-name output complete (".chiso-*.tmp"
// temporaries a kill left are ignored); nothing in the claim folder; the
// ranking listing exactly the accepted units.
func (fx *serveFixture) verify(t *testing.T, root string) bool {
	t.Helper()
	failed := false
	errorf := func(format string, args ...any) {
		t.Helper()
		failed = true
		t.Errorf(format, args...)
	}
	archive, rejected, outbox := filepath.Join(root, "luu-tru"), filepath.Join(root, "khong-hop-le"), filepath.Join(root, "outbox")
	rows := serveRows(t, root)
	byName := map[string][]ledger.File{}
	for _, r := range rows {
		byName[r.Name] = append(byName[r.Name], r)
		if r.State != ledger.StateDone {
			errorf("%s (id %d): left %s", r.Name, r.ID, r.State)
		}
	}
	var pair []ledger.File
	var ignored []string
	want := map[string]int{} // hash → originals expected
	for _, in := range fx.inputs {
		rs := byName[in.name]
		if in.ignored {
			ignored = append(ignored, in.name)
			if len(rs) != 0 {
				errorf("%s: ignored file has %d ledger rows", in.name, len(rs))
			}
			continue
		}
		want[in.sha]++
		if len(rs) != 1 {
			errorf("%s: %d ledger rows, want 1", in.name, len(rs))
			continue
		}
		r := rs[0]
		if r.SHA256 != in.sha {
			errorf("%s: ledger hash %s, want %s", in.name, r.SHA256, in.sha)
		}
		if in.outcome == "" {
			pair = append(pair, r)
		} else if r.Outcome != in.outcome || r.Reason != in.reason {
			errorf("%s: %s %q, want %s %q", in.name, r.Outcome, r.Reason, in.outcome, in.reason)
		}
	}
	if len(rows) != fx.taken() {
		errorf("%d ledger rows for %d files", len(rows), fx.taken())
	}
	if len(pair) == 2 {
		if o := string(pair[0].Outcome) + "+" + string(pair[1].Outcome); o != "accepted+duplicate" && o != "duplicate+accepted" {
			errorf("a file and its copy: %s", o)
		}
	}

	// The inbox: only the ignored files; the claim folder (inside it) empty.
	sort.Strings(ignored)
	if left := serveFiles(t, filepath.Join(root, "inbox")); strings.Join(left, "|") != strings.Join(ignored, "|") {
		errorf("left in the inbox (claim folder included): %q, want %q", left, ignored)
	}

	// The originals: each kept exactly once, where its row says.
	kept := map[string]bool{}
	got := map[string]int{}
	for _, dir := range []string{archive, rejected} {
		for _, rel := range serveFiles(t, dir) {
			p := filepath.Join(dir, filepath.FromSlash(rel))
			kept[p] = true
			b, err := os.ReadFile(p)
			if err != nil {
				errorf("%v", err)
			}
			s := sha256.Sum256(b)
			got[hex.EncodeToString(s[:])]++
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		errorf("originals kept by hash %v, want %v", got, want)
	}
	for _, r := range rows {
		folder := archive
		if r.Outcome == ledger.Rejected {
			folder = rejected
		}
		if !kept[r.StoredPath] || !strings.HasPrefix(r.StoredPath, folder+string(filepath.Separator)) {
			errorf("%s (%s): original recorded at %s, not found there", r.Name, r.Outcome, r.StoredPath)
		}
	}

	// The outputs: every final name complete; each row's own present.
	for _, rel := range serveFiles(t, outbox) {
		p := filepath.Join(outbox, filepath.FromSlash(rel))
		name := filepath.Base(p)
		switch {
		case strings.HasPrefix(name, ".chiso-") && strings.HasSuffix(name, ".tmp"):
			// A temporary a kill left behind: never an output.
		case strings.HasSuffix(name, ".xlsx"):
			if f, err := excelize.OpenFile(p); err != nil {
				errorf("output %s does not open: %v", rel, err)
			} else {
				f.Close()
			}
		case strings.HasSuffix(name, ".txt"):
			b, _ := os.ReadFile(p)
			if !bytes.HasPrefix(b, []byte("\ufeff")) || !bytes.HasSuffix(b, []byte("\r\n")) {
				errorf("notice %s is partial: %q", rel, b)
			}
		case strings.HasSuffix(name, ".json"):
			b, _ := os.ReadFile(p)
			if !json.Valid(b) {
				errorf("%s is not valid JSON", rel)
			}
		case strings.HasSuffix(name, ".csv"):
		default:
			errorf("unexpected file in the outbox: %s", rel)
		}
	}
	for _, r := range rows {
		if r.Outcome == ledger.Superseded {
			continue // its result may have been replaced by the newer one's
		}
		if _, err := os.Stat(r.OutputPath); err != nil {
			errorf("%s (%s): output %v", r.Name, r.Outcome, err)
		} else if r.Outcome == ledger.Accepted {
			if text, err := serveResultText(r.OutputPath); err != nil || !strings.Contains(text, r.SHA256) {
				errorf("%s: result %s is not this file's (%v)", r.Name, r.OutputPath, err)
			}
		}
	}

	// The ranking lists exactly the units whose submission is accepted.
	rankings, _ := filepath.Glob(filepath.Join(outbox, "*", "xep-hang-*.json"))
	if len(rankings) != 1 {
		errorf("ranking JSON: %v, want one", rankings)
	} else {
		var rk struct {
			Units []struct {
				Code      string `json:"code"`
				Submitted bool   `json:"submitted"`
			} `json:"units"`
		}
		b, _ := os.ReadFile(rankings[0])
		if err := json.Unmarshal(b, &rk); err != nil {
			errorf("ranking %s: %v", rankings[0], err)
		}
		var got, want []string
		for _, u := range rk.Units {
			if u.Submitted {
				got = append(got, u.Code)
			}
		}
		for _, r := range rows {
			if r.Outcome == ledger.Accepted {
				want = append(want, r.UnitCode)
			}
		}
		sort.Strings(got)
		sort.Strings(want)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			errorf("the ranking lists %d submitted units, the ledger %d accepted", len(got), len(want))
		}
		// Not older than the last accepted outcome: a resubmission changes
		// the unit's figures, not the list of units.
		var last time.Time
		for _, r := range rows {
			if (r.Outcome == ledger.Accepted || r.Outcome == ledger.Superseded) && r.ProcessedAt.After(last) {
				last = r.ProcessedAt
			}
		}
		if fi, err := os.Stat(rankings[0]); err == nil && fi.ModTime().Before(last) {
			errorf("the ranking (written %s) is older than the last accepted file (%s)",
				fi.ModTime().Format("15:04:05.000"), last.Local().Format("15:04:05.000"))
		}
	}
	return !failed
}

// serveFiles lists the regular files under dir, relative to it, sorted.
func serveFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), "chiso.lock") { // the instance lock and its pid
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// serveResultText returns the text of a result workbook's first sheet,
// which must be the result sheet.
func serveResultText(path string) (string, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) < 2 || sheets[0] != workbook.SheetScorecard || sheets[1] != workbook.SheetResult {
		return "", fmt.Errorf("sheets %q, want %q then %q first", sheets, workbook.SheetScorecard, workbook.SheetResult)
	}
	rows, err := f.GetRows(workbook.SheetResult)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteByte('\n')
	}
	return b.String(), nil
}

// serveBuffer collects a process's output while the test reads it.
type serveBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *serveBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *serveBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (s *serveBuffer) tail() string {
	t := s.String()
	if len(t) > 3000 {
		t = "…" + t[len(t)-3000:]
	}
	return t
}
