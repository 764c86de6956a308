package ledger

import (
	"context"
	"testing"
	"time"
)

func TestLedgerLifecycle(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2023, 12, 1, 8, 0, 0, 0, time.UTC)
	begin := func(name, sha string) int64 {
		t.Helper()
		id, err := l.Begin(ctx, File{Name: name, SHA256: sha, Size: 10, ReceivedAt: now, ClaimPath: "/claim/" + name})
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	finish := func(id int64, o Outcome, unit string) {
		t.Helper()
		f, _ := l.Get(ctx, id)
		if err := l.Finish(ctx, File{ID: id, Name: "x", SHA256: f.SHA256, Outcome: o, Year: 2023, RubricID: "r", UnitKey: unit, ProcessedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	a := begin("a.xlsx", "h1")
	b := begin("b.xlsx", "h2")
	c := begin("c.xlsx", "h3")
	if in, _ := l.Interrupted(ctx); len(in) != 3 {
		t.Fatalf("interrupted %d, want 3", len(in))
	}
	finish(a, Accepted, "TS01")
	finish(b, Accepted, "TS02")
	if _, ok, _ := l.FindDone(ctx, "h1"); !ok {
		t.Fatal("h1 not found")
	}
	if _, ok, _ := l.FindDone(ctx, "h3"); ok {
		t.Fatal("h3 is still processing, must not count as done")
	}
	// A resubmission for TS01 supersedes a, not b.
	finish(c, Accepted, "TS01")
	fa, _ := l.Get(ctx, a)
	fb, _ := l.Get(ctx, b)
	if fa.Outcome != Superseded || fa.SupersededBy != c || fb.Outcome != Accepted {
		t.Fatalf("a %s by %d, b %s", fa.Outcome, fa.SupersededBy, fb.Outcome)
	}
	acc, _ := l.Accepted(ctx, 2023, "r")
	if len(acc) != 2 || acc[0].ID != c || acc[1].ID != b {
		t.Fatalf("accepted %+v", acc)
	}
	d := begin("d.xlsx", "h1")
	if err := l.Finish(ctx, File{ID: d, SHA256: "h1", Outcome: Duplicate, DuplicateOf: a, ProcessedAt: now}); err != nil {
		t.Fatal(err)
	}
	counts, _ := l.Counts(ctx)
	if counts["accepted"] != 2 || counts["superseded"] != 1 || counts["duplicate"] != 1 || counts["processing"] != 0 {
		t.Fatalf("counts %v", counts)
	}
	// Reopening keeps everything, and job runs persist.
	if err := l.SetLastRun(ctx, "reminder", now); err != nil {
		t.Fatal(err)
	}
	l.Close()
	l2, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	all, _ := l2.Files(ctx)
	last, _ := l2.LastRun(ctx, "reminder")
	if len(all) != 4 || !last.Equal(now) {
		t.Fatalf("after reopen: %d files, last run %v", len(all), last)
	}
}

// TestFinals: the official rankings of a year are numbered and kept across
// a reopening; a version cannot be recorded twice.
func TestFinals(t *testing.T) {
	dir := t.TempDir()
	l, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, ok, err := l.LatestFinal(ctx, 2023, "r"); ok || err != nil {
		t.Fatalf("fresh ledger: %v %v", ok, err)
	}
	at := time.Date(2024, 1, 20, 10, 0, 0, 0, time.UTC)
	for _, f := range []Final{{Year: 2023, RubricID: "r", Version: 1, PublishedAt: at, Paths: []string{"a.xlsx", "a.json"}},
		{Year: 2023, RubricID: "r", Version: 2, PublishedAt: at.Add(time.Hour), Replaces: 1}} {
		if err := l.AddFinal(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.AddFinal(ctx, Final{Year: 2023, RubricID: "r", Version: 2, PublishedAt: at}); err == nil {
		t.Error("version 2 recorded twice")
	}
	l.Close()
	l, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fs, err := l.Finals(ctx, 2023, "r")
	if err != nil || len(fs) != 2 || fs[0].Version != 1 || len(fs[0].Paths) != 2 || fs[1].Replaces != 1 || !fs[1].PublishedAt.Equal(at.Add(time.Hour)) {
		t.Errorf("after reopening: %+v, %v", fs, err)
	}
	if f, ok, _ := l.LatestFinal(ctx, 2023, "r"); !ok || f.Version != 2 {
		t.Errorf("latest %+v", f)
	}
	if fs, _ := l.Finals(ctx, 2024, "r"); len(fs) != 0 {
		t.Errorf("another year: %+v", fs)
	}
}

// TestYearUnits: the units known for a year are its recorded roster and
// the codes of its files, whatever their outcome.
func TestYearUnits(t *testing.T) {
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	ctx := context.Background()
	if u, err := l.YearUnits(ctx, 2022); err != nil || len(u) != 0 {
		t.Fatalf("empty ledger: %v %v", u, err)
	}
	if err := l.SetRoster(ctx, 2022, map[string]string{"A1": "Xã A", "A2": "Xã B"}); err != nil {
		t.Fatal(err)
	}
	if err := l.SetRoster(ctx, 2022, map[string]string{"A1": "Xã A"}); err != nil { // replaced
		t.Fatal(err)
	}
	id, _ := l.Begin(ctx, File{Name: "x.xlsx", SHA256: "x", ReceivedAt: time.Now()})
	if err := l.Finish(ctx, File{ID: id, Name: "x.xlsx", SHA256: "x", Outcome: Rejected, Year: 2022, UnitKey: "B7", UnitCode: "B7", ProcessedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	u, err := l.YearUnits(ctx, 2022)
	if err != nil || len(u) != 2 || !u["a1"] || !u["b7"] {
		t.Errorf("YearUnits = %v, %v; want a1 and b7", u, err)
	}
}
