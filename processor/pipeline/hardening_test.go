package pipeline

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/processor/intake"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/roster"
)

// TestFaultAtEachStage: a file that fails with an I/O error at each stage
// ends with one recorded outcome (or, when it cannot even be claimed,
// stays in the inbox with one notice), the next valid file is still
// accepted, and a second run (a restart) fails on nothing.
func TestFaultAtEachStage(t *testing.T) {
	for _, c := range []struct {
		stage   string
		outcome ledger.Outcome // "" : not taken, stays in the inbox
		reason  string
	}{
		{"claim", "", ""},
		{"read", ledger.Rejected, "unreadable"},
		{"write", ledger.Rejected, "internal"},
		{"archive", ledger.Accepted, ""},
	} {
		t.Run(c.stage, func(t *testing.T) {
			e := newPlEnv(t, 1)
			e.p.Retry = Retry{Attempts: 2, Wait: func(int) time.Duration { return 0 }}
			calls := 0
			e.p.fault = func(stage, path string) error {
				if stage == c.stage && strings.Contains(path, "hong") {
					calls++
					return &os.PathError{Op: stage, Path: path, Err: syscall.EIO}
				}
				return nil
			}
			e.drop("hong.xlsx", plBook(t, "TS01", 1), 3)
			e.drop("tot.xlsx", plBook(t, "TS02", 1), 2)
			sum, err := e.p.Run(context.Background())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if calls < 2 {
				t.Errorf("an EIO at %s was tried %d times, want it retried", c.stage, calls)
			}
			if good := e.one("tot.xlsx"); good.Outcome != ledger.Accepted {
				t.Errorf("the next file: %s %s", good.Outcome, good.Reason)
			}
			rows := e.byName("hong.xlsx")
			switch {
			case c.outcome == "":
				if len(rows) != 0 {
					t.Errorf("unclaimable file has rows %+v", rows)
				}
				if _, err := os.Stat(filepath.Join(e.inbox, "hong.xlsx")); err != nil {
					t.Errorf("unclaimable file left the inbox: %v", err)
				}
				if n := noticesAbout(t, e, "hong"); n != 1 {
					t.Errorf("%d notices about the file left in the inbox, want 1", n)
				}
			case len(rows) != 1 || rows[0].State != ledger.StateDone || rows[0].Outcome != c.outcome || rows[0].Reason != c.reason:
				t.Errorf("faulty file rows %+v, want one %s %q", rows, c.outcome, c.reason)
			default:
				if _, err := os.Stat(rows[0].StoredPath); err != nil {
					t.Errorf("original not kept: %v", err)
				}
			}
			if len(sum.Files) == 0 {
				t.Error("nothing processed")
			}
			// A restart: nothing fails, nothing is processed twice, and the
			// file left in the inbox gets no second notice.
			e.p.fault = nil
			if c.stage == "claim" {
				e.p.fault = func(stage, path string) error {
					if stage == "claim" && strings.Contains(path, "hong") {
						return &os.PathError{Op: stage, Path: path, Err: syscall.EACCES}
					}
					return nil
				}
			}
			before := len(e.files())
			if _, err := e.p.Run(context.Background()); err != nil {
				t.Fatalf("second run: %v", err)
			}
			if len(e.files()) != before {
				t.Errorf("second run added rows: %d → %d", before, len(e.files()))
			}
			if c.stage == "claim" {
				if n := noticesAbout(t, e, "hong"); n != 1 {
					t.Errorf("%d notices after a restart, want still 1", n)
				}
			}
		})
	}
}

func noticesAbout(t *testing.T, e *plEnv, stem string) int {
	t.Helper()
	n := 0
	for _, f := range plListFiles(t, filepath.Join(e.outbox, "thong-bao")) {
		if strings.HasPrefix(f, stem) {
			n++
		}
	}
	return n
}

// TestFileChangedOrDeletedWhileProcessed: what is archived is what was read
// and hashed, whatever happened to the claimed file meanwhile.
func TestFileChangedOrDeletedWhileProcessed(t *testing.T) {
	for _, c := range []struct {
		name string
		do   func(path string) error
	}{
		{"deleted", os.Remove},
		{"truncated", func(p string) error { return os.Truncate(p, 10) }},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := newPlEnv(t, 1)
			book := plBook(t, "TS01", 1)
			e.p.fault = func(stage, path string) error {
				if stage == "archive" {
					return c.do(path)
				}
				return nil
			}
			e.drop("a.xlsx", book, 1)
			e.run()
			f := e.one("a.xlsx")
			if f.Outcome != ledger.Accepted || f.SHA256 != intake.Hash(book) {
				t.Fatalf("%s %s", f.Outcome, f.Reason)
			}
			if got := plHashFile(t, f.StoredPath); got != f.SHA256 {
				t.Errorf("archive holds %s, the ledger says %s", got, f.SHA256)
			}
		})
	}
}

// TestPoisonUnitName: a unit name of 500 characters (no roster: units are
// who they say they are) is processed like any other; the run goes on.
func TestPoisonUnitName(t *testing.T) {
	e := newPlEnv(t, 1)
	e.p.Evaluator.Roster = roster.NewIndex(nil)
	long := roster.Unit{Name: "Xã " + strings.Repeat("Thử Nghiệm Rất Dài ", 27)}
	if len([]rune(long.Name)) < 500 {
		t.Fatalf("name of %d characters", len([]rune(long.Name)))
	}
	e.drop("dai.xlsx", books.Filled(t, long, books.Default), 2)
	e.drop("b.xlsx", plBook(t, "TS02", 1), 1)
	if _, err := e.p.Run(context.Background()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	f := e.one("dai.xlsx")
	if f.Outcome != ledger.Accepted {
		t.Fatalf("%s %s %s", f.Outcome, f.Reason, f.Message)
	}
	if len(filepath.Base(f.OutputPath)) > 100 {
		t.Errorf("result name %d bytes", len(filepath.Base(f.OutputPath)))
	}
	if _, err := e.p.Run(context.Background()); err != nil {
		t.Fatalf("second run: %v", err)
	}
	e.checkSettled()
}

// TestNotRegularFilesNeverTaken: links (to a workbook outside the inbox,
// to a system file), a pipe and a subfolder are never opened, hashed or
// moved; each gets one notice.
func TestNotRegularFilesNeverTaken(t *testing.T) {
	e := newPlEnv(t, 1)
	outside := filepath.Join(e.dir, "ngoai.xlsx")
	book := plBook(t, "TS01", 1)
	if err := os.WriteFile(outside, book, 0o644); err != nil {
		t.Fatal(err)
	}
	secret := filepath.Join(e.dir, "mat.txt")
	if err := os.WriteFile(secret, []byte("root:x:0:0"), 0o600); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{"lien-ket.xlsx": outside, "passwd.xlsx": secret} {
		if err := os.Symlink(target, filepath.Join(e.inbox, link)); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
	}
	if err := syscall.Mkfifo(filepath.Join(e.inbox, "ong.xlsx"), 0o644); err != nil {
		t.Logf("no FIFO: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(e.inbox, "thu muc con"), 0o755); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run writes no second notice
		if _, err := e.p.Run(context.Background()); err != nil {
			t.Fatalf("Run: %v", err)
		}
	}
	for _, f := range e.files() {
		if f.SHA256 == intake.Hash(book) {
			t.Errorf("the link's target was read: row %+v", f)
		}
	}
	if len(e.files()) != 0 {
		t.Errorf("rows for entries that are not files: %+v", e.files())
	}
	for _, name := range []string{"lien-ket", "passwd", "thu muc con"} {
		if n := noticesAbout(t, e, name); n != 1 {
			t.Errorf("%s: %d notices, want 1", name, n)
		}
		if _, err := os.Lstat(filepath.Join(e.inbox, name+map[bool]string{true: "", false: ".xlsx"}[name == "thu muc con"])); err != nil {
			t.Errorf("%s moved: %v", name, err)
		}
	}
	// A file swapped for a link after it was listed is refused at open.
	claim := filepath.Join(e.p.Folders.ClaimDir(), "x-swap.xlsx")
	if err := os.Symlink(outside, claim); err != nil {
		t.Fatal(err)
	}
	if _, _, err := intake.ReadLimited(claim, 0); !errors.Is(err, intake.ErrNotRegular) {
		t.Errorf("read through a swapped-in link: %v", err)
	}
}

// TestArrivalOrderNotSenderClock: two submissions of one unit in the inbox
// together; the one whose modification time says 2100 was dropped first.
// The resubmission dropped after it wins, and the future time is noted.
func TestArrivalOrderNotSenderClock(t *testing.T) {
	e := newPlEnv(t, 1)
	e.p.Now, e.p.arrival = nil, nil // the real clock and the files' real arrival
	first := e.drop("lan-1.xlsx", plBook(t, "TS01", 1), 0)
	future := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(first, future, future); err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // change times are coarse (a few ms)
	second := e.drop("lan-2.xlsx", plBook(t, "TS01", 2), 0)
	past := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := os.Chtimes(second, past, past); err != nil {
		t.Fatal(err)
	}
	e.run()
	a, b := e.one("lan-1.xlsx"), e.one("lan-2.xlsx")
	if a.Outcome != ledger.Superseded || b.Outcome != ledger.Accepted {
		t.Fatalf("lan-1 %s, lan-2 %s: want the one dropped later current", a.Outcome, b.Outcome)
	}
	if a.ReceivedAt.After(time.Now()) || !a.ReceivedAt.Before(b.ReceivedAt) {
		t.Errorf("received %v then %v", a.ReceivedAt, b.ReceivedAt)
	}
	// The future time is noted among the first file's problems.
	full, err := e.p.Ledger.Get(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, probs, err := DecodeScoring(full.Data)
	if err != nil {
		t.Fatal(err)
	}
	noted := false
	for _, p := range probs {
		noted = noted || (p.Code == "future-time" && strings.Contains(p.Message, "đồng hồ máy gửi"))
	}
	if !noted {
		t.Errorf("no note of the future modification time in %+v", probs)
	}
}
