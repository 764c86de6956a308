package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// The process-level tests below build the chiso binary, run `chiso process`
// on generated inboxes and kill it (SIGKILL on Unix, TerminateProcess on
// Windows) at random moments, then check after a complete re-run that
// nothing was lost, processed twice or left half-written.

// killSeed seeds the kill moments; CHISO_KILL_SEED overrides it to replay
// a failing run.
const killSeed = 20231120

// killTrials is how many fresh inboxes are killed and recovered.
const killTrials = 20

// killInput is one file dropped in the inbox.
type killInput struct {
	name    string
	data    []byte
	sha     string
	ignored bool           // never taken (~$ owner file, temporary file, link, pipe)
	special string         // "link" (to a workbook outside the inbox) or "fifo": not a regular file
	outcome ledger.Outcome // expected; "" when decided by order (the copy pair)
	reason  string         // expected rejection reason
}

// killFixture is the binary and the inbox content, made once.
type killFixture struct {
	bin    string
	config string
	inputs []killInput
	ranks  bool // this chiso writes a ranking at the end of a run
}

func TestProcessKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("process-level kill test: builds chiso and runs it about 70 times")
	}
	fx := newKillFixture(t)
	t.Run("kill", func(t *testing.T) { testKill(t, fx) })
	t.Run("concurrent", func(t *testing.T) { testConcurrent(t, fx) })
	t.Run("ranking", func(t *testing.T) { testRankingAfterKill(t, fx) })
}

func newKillFixture(t *testing.T) *killFixture {
	t.Helper()
	pf := buildAndGenerate(t, 40, 11)
	genDir, fix := pf.genDir, pf.fixDir
	fx := &killFixture{bin: pf.bin}
	fx.config = "rubric: thanhhoa-xa-2023\nyear: 2023\ninbox: inbox\noutbox: outbox\narchive: luu-tru\nrejected: khong-hop-le\n" +
		"data: data\nworkers: 2\nlog: {level: info, format: json}\noffice: {name: UBND tỉnh Thử Nghiệm, cohort: thu-nghiem}\n" +
		pf.roster

	read := func(p string) []byte {
		t.Helper()
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	entries, err := os.ReadDir(filepath.Join(genDir, "inbox"))
	if err != nil {
		t.Fatal(err)
	}
	add := func(name string, data []byte, outcome ledger.Outcome, reason string) {
		s := sha256.Sum256(data)
		fx.inputs = append(fx.inputs, killInput{name: name, data: data, sha: hex.EncodeToString(s[:]), outcome: outcome, reason: reason})
	}
	for _, e := range entries {
		switch e.Name() {
		case "bieu-mau-x0001.xlsx":
			add(e.Name(), read(filepath.Join(genDir, "inbox", e.Name())), ledger.Superseded, "")
		case "bieu-mau-x0002.xlsx":
			add(e.Name(), read(filepath.Join(genDir, "inbox", e.Name())), "", "")
		default:
			add(e.Name(), read(filepath.Join(genDir, "inbox", e.Name())), ledger.Accepted, "")
		}
	}
	if len(fx.inputs) != 40 {
		t.Fatalf("bench/gen wrote %d workbooks, want 40", len(fx.inputs))
	}
	fixed := read(filepath.Join(fix, "inbox", "bieu-mau-x0001.xlsx"))
	if bytes.Equal(fixed, fx.inputs[0].data) {
		t.Fatal("the corrected X0001 equals the first")
	}
	good := read(filepath.Join(genDir, "inbox", "bieu-mau-x0003.xlsx"))
	add("bieu-mau-x0001-sua.xlsx", fixed, ledger.Accepted, "")
	add("bieu-mau-x0002 - Copy.xlsx", read(filepath.Join(genDir, "inbox", "bieu-mau-x0002.xlsx")), "", "")
	add("bieu-mau-x0099.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 4096)...), ledger.Rejected, "xls")
	add("ban-scan.pdf", []byte("%PDF-1.4\n% scanned form\n"), ledger.Rejected, "pdf")
	add("bieu-mau-x0003-chep-do.xlsx", good[:len(good)/2], ledger.Rejected, "damaged")
	add("trong.xlsx", nil, ledger.Rejected, "empty-file")
	fx.inputs = append(fx.inputs,
		killInput{name: "~$bieu-mau-x0001.xlsx", data: []byte("owner"), ignored: true},
		killInput{name: "8F3A21C0", data: good[:100], ignored: true})
	// Poison: inputs that once stopped the service or reached outside the
	// inbox. Every trial is killed with them in the inbox.
	long := books.Filled(t, roster.Unit{Name: "Xã " + strings.Repeat("Thử Nghiệm Rất Dài ", 27)}, books.Default)
	add("ten-don-vi-500-ky-tu.xlsx", long, ledger.Rejected, "unknown-unit")
	add("xml-hong.xlsx", malformedXML(t, good), ledger.Rejected, "damaged")
	fx.inputs = append(fx.inputs,
		killInput{name: "lien-ket.xlsx", data: good, ignored: true, special: "link"},
		killInput{name: "ong-dan.xlsx", ignored: true, special: "fifo"})
	return fx
}

// fresh writes a new set of folders under dir: config and a full inbox,
// the corrected X0001 newer than the rest.
func (fx *killFixture) fresh(t *testing.T, dir string) string {
	t.Helper()
	inbox := filepath.Join(dir, "inbox")
	for _, d := range []string{inbox, filepath.Join(dir, "outbox")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(fx.config), 0o644); err != nil {
		t.Fatal(err)
	}
	// The correction arrives last; its own modification time (a sender's
	// clock) says it is older than the rest, which must not matter.
	base := time.Now().Add(-time.Hour)
	var correction *killInput
	write := func(in killInput) {
		p := filepath.Join(inbox, in.name)
		switch in.special {
		case "link":
			outside := filepath.Join(dir, "ngoai-hop-thu.xlsx")
			if err := os.WriteFile(outside, in.data, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, p); err != nil {
				t.Fatal(err)
			}
			return
		case "fifo":
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		if err := os.WriteFile(p, in.data, 0o644); err != nil {
			t.Fatal(err)
		}
		mt := base
		if in.name == "bieu-mau-x0001-sua.xlsx" {
			mt = base.Add(-time.Minute)
		}
		os.Chtimes(p, mt, mt)
	}
	for i, in := range fx.inputs {
		if in.name == "bieu-mau-x0001-sua.xlsx" {
			correction = &fx.inputs[i]
			continue
		}
		write(in)
	}
	if correction != nil {
		time.Sleep(20 * time.Millisecond) // change times are coarse (a few ms)
		write(*correction)
	}
	return dir
}

// killRun is one `chiso process` started on root.
type killRun struct {
	cmd    *exec.Cmd
	out    bytes.Buffer
	done   chan struct{}
	err    error
	killed bool
	began  time.Time     // when the process started
	ran    time.Duration // how long it ran, once it ended
}

func (fx *killFixture) start(t *testing.T, root string) *killRun {
	t.Helper()
	r := &killRun{done: make(chan struct{})}
	r.cmd = exec.Command(fx.bin, "--config", filepath.Join(root, "config.yaml"), "process", "--quiet")
	r.cmd.Stdout, r.cmd.Stderr = &r.out, &r.out
	r.began = time.Now()
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.err = r.cmd.Wait(); r.ran = time.Since(r.began); close(r.done) }()
	return r
}

// wait waits for the run to end on its own (at most a minute) and fails
// the test unless it succeeded.
func (r *killRun) wait(t *testing.T) {
	t.Helper()
	r.end(t)
	if r.err != nil {
		t.Errorf("chiso process: %v\n%s", r.err, r.tail())
	}
}

func (r *killRun) end(t *testing.T) {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(time.Minute):
		r.cmd.Process.Kill()
		<-r.done
		t.Fatalf("chiso process did not finish in a minute:\n%s", r.tail())
	}
}

// refused reports a run that ended because another instance holds the
// inbox's lock: a clear refusal, not a failure.
func (r *killRun) refused() bool {
	out := r.out.String()
	return r.err != nil && (strings.Contains(out, "chiso.lock") || strings.Contains(out, "đang chạy với thư mục nhận này"))
}

// killAfter kills the run after d unless it ends first.
func (r *killRun) killAfter(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case <-r.done:
		if r.err != nil {
			t.Errorf("chiso process (not killed): %v\n%s", r.err, r.tail())
		}
	case <-time.After(d):
		if err := r.cmd.Process.Kill(); err == nil {
			r.killed = true
		}
		<-r.done
	}
}

func (r *killRun) tail() string {
	s := r.out.String()
	if len(s) > 3000 {
		s = "…" + s[len(s)-3000:]
	}
	return s
}

func testKill(t *testing.T, fx *killFixture) {
	seed := uint64(killSeed)
	if s := os.Getenv("CHISO_KILL_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("CHISO_KILL_SEED: %v", err)
		}
		seed = v
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	began := time.Now()
	base := t.TempDir()

	// A run without a kill gives the time a full run takes, the range of
	// the kill moments.
	root := fx.fresh(t, filepath.Join(base, "full"))
	start := time.Now()
	fx.start(t, root).wait(t)
	full := time.Since(start)
	rankings, _ := filepath.Glob(filepath.Join(root, "outbox", "*", "xep-hang-*.json"))
	fx.ranks = len(rankings) > 0
	fx.verify(t, root)
	os.RemoveAll(root)

	kills, runs, trials := 0, 1, 0
	for trial := 0; trial < killTrials && !t.Failed(); trial++ {
		trials++
		root := fx.fresh(t, filepath.Join(base, fmt.Sprintf("trial-%02d", trial)))
		var at []string
		for k := 0; k < 1+trial%3; k++ {
			// The first kill of a trial comes before the run could end.
			span := full
			if k == 0 {
				span = full * 8 / 10
			}
			d := time.Duration(rng.Int64N(int64(span)))
			r := fx.start(t, root)
			r.killAfter(t, d)
			runs++
			if r.killed {
				kills++
				at = append(at, d.Round(time.Millisecond).String())
			} else if k == 0 {
				// A run from a fresh inbox ended before its kill: the
				// measured full run was slow (a loaded machine); aim
				// the next kills within this faster one.
				full = min(full, r.ran)
			}
		}
		r := fx.start(t, root)
		r.wait(t)
		runs++
		if !fx.verify(t, root) {
			t.Errorf("trial %d (seed %d): killed at %v; last run:\n%s", trial, seed, at, r.tail())
		}
		os.RemoveAll(root)
	}
	t.Logf("seed %d: %d trials, %d runs, %d kills; full run %v; total %v", seed, trials, runs, kills,
		full.Round(time.Millisecond), time.Since(began).Round(time.Millisecond))
	if kills < 20 && !t.Failed() {
		t.Errorf("only %d kills landed in %d trials, want at least 20", kills, killTrials)
	}
}

// testConcurrent starts a second `chiso process` while the first runs:
// both finish, and no file is processed twice.
func testConcurrent(t *testing.T, fx *killFixture) {
	base := t.TempDir()
	for round, delay := range []time.Duration{0, 30 * time.Millisecond, 150 * time.Millisecond} {
		root := fx.fresh(t, filepath.Join(base, fmt.Sprintf("round-%d", round)))
		a := fx.start(t, root)
		time.Sleep(delay)
		b := fx.start(t, root)
		a.end(t)
		b.end(t)
		// Either may wait for the other or refuse to start; at least one
		// does the work, and neither fails.
		for _, r := range []*killRun{a, b} {
			if r.err != nil && !r.refused() {
				t.Errorf("round %d: chiso process: %v\n%s", round, r.err, r.tail())
			}
		}
		if a.refused() && b.refused() {
			t.Errorf("round %d: both runs refused", round)
		}
		if !fx.verify(t, root) {
			t.Errorf("round %d (second started after %v):\nfirst:\n%s\nsecond:\n%s", round, delay, a.tail(), b.tail())
		}
	}
}

// testRankingAfterKill: a kill after the last file's outcome but before
// the ranking was written (simulated by removing it) leaves nothing to
// process; the next run must still bring the ranking up to date.
func testRankingAfterKill(t *testing.T, fx *killFixture) {
	root := fx.fresh(t, filepath.Join(t.TempDir(), "root"))
	fx.start(t, root).wait(t)
	rankings, _ := filepath.Glob(filepath.Join(root, "outbox", "*", "xep-hang-*"))
	if len(rankings) == 0 {
		t.Fatal("the first run wrote no ranking")
	}
	for _, p := range rankings {
		os.Remove(p)
	}
	fx.start(t, root).wait(t)
	fx.ranks = true
	fx.verify(t, root)
}

// verify checks a settled set of folders against the inputs and reports
// whether everything held.
func (fx *killFixture) verify(t *testing.T, root string) bool {
	t.Helper()
	failed := false
	errorf := func(format string, args ...any) {
		t.Helper()
		failed = true
		t.Errorf(format, args...)
	}
	archive, rejected, outbox := filepath.Join(root, "luu-tru"), filepath.Join(root, "khong-hop-le"), filepath.Join(root, "outbox")
	l, err := ledger.Open(filepath.Join(root, "data"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := l.Files(context.Background())
	l.Close()
	if err != nil {
		t.Fatal(err)
	}

	// The ledger: one finished row per file taken, with its hash.
	byName := map[string][]ledger.File{}
	for _, r := range rows {
		byName[r.Name] = append(byName[r.Name], r)
		if r.State != ledger.StateDone {
			errorf("%s (id %d): left %s", r.Name, r.ID, r.State)
		}
	}
	taken := 0
	var pair []ledger.File // the file and its copy
	for _, in := range fx.inputs {
		rs := byName[in.name]
		if in.ignored {
			if len(rs) != 0 {
				errorf("%s: ignored file has %d ledger rows", in.name, len(rs))
			}
			if _, err := os.Lstat(filepath.Join(root, "inbox", in.name)); err != nil {
				errorf("%s: ignored file not left in the inbox: %v", in.name, err)
			}
			if in.special == "link" {
				for _, r := range rows {
					if r.SHA256 == in.sha {
						errorf("%s: the link's target was read (row %d, %s)", in.name, r.ID, r.Name)
					}
				}
			}
			continue
		}
		taken++
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
	if len(rows) != taken {
		errorf("%d ledger rows for %d files", len(rows), taken)
	}
	if len(pair) == 2 {
		if o := string(pair[0].Outcome) + "+" + string(pair[1].Outcome); o != "accepted+duplicate" && o != "duplicate+accepted" {
			errorf("a file and its copy: %s", o)
		}
	}

	// The inbox: only what is never taken; the claim folder empty.
	if left := killFiles(t, filepath.Join(root, "inbox")); len(left) != len(fx.inputs)-taken {
		errorf("left in the inbox: %v", left)
	}

	// The originals: each kept exactly once, where the ledger says.
	kept := map[string]int{} // path → 1, checked against stored paths
	shas := map[string]int{}
	for _, dir := range []string{archive, rejected} {
		for _, rel := range killFiles(t, dir) {
			p := filepath.Join(dir, rel)
			kept[p]++
			shas[killHash(t, p)]++
		}
	}
	want := map[string]int{}
	for _, in := range fx.inputs {
		if !in.ignored {
			want[in.sha]++
		}
	}
	if len(kept) != taken || fmt.Sprint(shas) != fmt.Sprint(want) {
		errorf("%d originals kept for %d files; hashes kept %v, want %v", len(kept), taken, shas, want)
	}
	for _, r := range rows {
		folder := archive
		if r.Outcome == ledger.Rejected {
			folder = rejected
		}
		if kept[r.StoredPath] != 1 || !strings.HasPrefix(r.StoredPath, folder+string(filepath.Separator)) {
			errorf("%s (%s): original recorded at %s, not found there", r.Name, r.Outcome, r.StoredPath)
		}
	}

	// The outputs: every final name complete; each row's output present.
	results := map[string]string{} // path → text of the result sheet
	for _, rel := range killFiles(t, outbox) {
		p := filepath.Join(outbox, rel)
		name := filepath.Base(p)
		switch {
		case strings.HasPrefix(name, ".chiso-") && strings.HasSuffix(name, ".tmp"):
			// A temporary file a kill left: not an output.
		case strings.HasPrefix(name, "xep-hang-") || strings.HasPrefix(name, "tham-dinh-") || strings.HasPrefix(name, "phieu-ket-qua-"):
			// The cohort's ranking, appraisal and scorecards workbooks (checked below).
			if strings.HasSuffix(name, ".xlsx") {
				if f, err := excelize.OpenFile(p); err != nil {
					errorf("ranking %s: %v", rel, err)
				} else {
					f.Close()
				}
			}
		case strings.HasSuffix(name, ".xlsx"):
			text, err := killResultText(p)
			if err != nil {
				errorf("output %s: %v", rel, err)
			}
			results[p] = text
		case strings.HasSuffix(name, ".txt"):
			b, _ := os.ReadFile(p)
			if !bytes.HasPrefix(b, []byte("\ufeff")) || !bytes.HasSuffix(b, []byte("không bị xoá.\r\n")) {
				errorf("notice %s is partial: %q", rel, b)
			}
		default:
			errorf("unexpected file in the outbox: %s", rel)
		}
	}
	accepted := 0
	for _, r := range rows {
		switch r.Outcome {
		case ledger.Accepted:
			accepted++
			if text, ok := results[r.OutputPath]; !ok || !strings.Contains(text, r.SHA256) {
				errorf("%s: result %s missing or not this file's", r.Name, r.OutputPath)
			}
		case ledger.Duplicate, ledger.Rejected:
			if b, err := os.ReadFile(r.OutputPath); err != nil || !strings.Contains(string(b), r.Name) {
				errorf("%s: notice %s: %v", r.Name, r.OutputPath, err)
			}
		}
	}
	if len(results) != accepted {
		errorf("%d result workbooks for %d accepted files", len(results), accepted)
	}

	// The ranking, when this chiso writes one, lists exactly the units whose
	// submission is accepted, even when a kill came between the last file
	// and the ranking.
	rankings, _ := filepath.Glob(filepath.Join(outbox, "*", "xep-hang-*.json"))
	if fx.ranks || len(rankings) > 0 {
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
				errorf("ranking lists %d submitted units, the ledger %d accepted: %v vs %v", len(got), len(want), got, want)
			}
		}
	}
	return !failed
}

// malformedXML puts a raw control byte into every sheet part holding a
// value: their XML no longer parses.
func malformedXML(t *testing.T, good []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	done := false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.Index(body, []byte("<v>")); strings.HasPrefix(f.Name, "xl/worksheets/") && i >= 0 {
			body = append(append(append([]byte{}, body[:i+3]...), 0x01), body[i+3:]...)
			done = true
		}
		w, err := zw.Create(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(body)
	}
	if err := zw.Close(); err != nil || !done {
		t.Fatalf("malformed XML: %v, done %v", err, done)
	}
	return out.Bytes()
}

// killFiles lists the regular files under dir, relative to it (the claim
// folder inside the inbox included).
func killFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), "chiso.lock") { // the instance lock and its pid
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

func killHash(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// killResultText opens a result workbook and returns its first sheet's
// text, failing unless that sheet is "Kết quả chấm".
func killResultText(path string) (string, error) {
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
