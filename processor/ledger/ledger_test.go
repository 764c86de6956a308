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

// TestScores: a submission's ranking record is kept at Finish, read back
// without the files' data, and can be set later; Ranked lists what a
// ranking counts, now and at a cutoff.
func TestScores(t *testing.T) {
	ctx := context.Background()
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	t0 := time.Date(2023, 12, 1, 8, 0, 0, 0, time.UTC)
	add := func(name, unit string, at time.Time, scores []byte) int64 {
		t.Helper()
		id, err := l.Begin(ctx, File{Name: name, SHA256: name, ReceivedAt: at})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Finish(ctx, File{ID: id, Name: name, SHA256: name, Outcome: Accepted, Year: 2023, RubricID: "r", UnitKey: unit, UnitName: "Xã " + unit,
			Errors: 1, Warnings: 2, Data: `{"values":{}}`, Scores: scores, ProcessedAt: at}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	a := add("a.xlsx", "A", t0, []byte("rec-a"))
	b := add("b.xlsx", "B", t0.Add(time.Hour), nil)
	a2 := add("a2.xlsx", "A", t0.Add(3*time.Hour), []byte("rec-a2"))
	got, err := l.Ranked(ctx, 2023, "r", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != a2 || got[1].ID != b || got[1].UnitName != "Xã B" || got[1].Errors != 1 || got[1].Warnings != 2 || got[1].Data != "" ||
		!got[1].ReceivedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("ranked %+v", got)
	}
	at, _ := l.Ranked(ctx, 2023, "r", t0.Add(2*time.Hour))
	if len(at) != 2 || at[0].ID != a || at[0].Outcome != Superseded || at[1].ID != b {
		t.Fatalf("ranked at the cutoff %+v", at)
	}
	if err := l.SetScores(ctx, b, []byte("rec-b")); err != nil {
		t.Fatal(err)
	}
	sc, err := l.ScoresOf(ctx, []int64{a, b, a2, 999})
	if err != nil {
		t.Fatal(err)
	}
	if len(sc) != 3 || string(sc[a]) != "rec-a" || string(sc[b]) != "rec-b" || string(sc[a2]) != "rec-a2" {
		t.Fatalf("scores %v", sc)
	}
	many := make([]int64, 1200)
	for i := range many {
		many[i] = int64(i + 1)
	}
	if sc, err := l.ScoresOf(ctx, many); err != nil || len(sc) != 3 {
		t.Fatalf("scores of 1,200 ids: %d, %v", len(sc), err)
	}
}

// TestLastDone: the file processed last, by processing time (not by id),
// and none in a fresh ledger or while files are only being processed.
func TestLastDone(t *testing.T) {
	ctx := context.Background()
	l, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if _, ok, err := l.LastDone(ctx); ok || err != nil {
		t.Fatalf("fresh ledger: ok %v, err %v", ok, err)
	}
	base := time.Date(2023, 12, 1, 8, 0, 0, 0, time.UTC)
	var ids []int64
	for i, name := range []string{"a.xlsx", "b.xlsx", "c.xlsx"} {
		id, err := l.Begin(ctx, File{Name: name, SHA256: name, ReceivedAt: base.Add(time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if _, ok, _ := l.LastDone(ctx); ok {
		t.Fatal("a file only being processed counted as done")
	}
	// b finishes after c (two workers).
	for _, x := range []struct {
		id  int64
		min int
	}{{ids[0], 1}, {ids[2], 2}, {ids[1], 3}} {
		if err := l.Finish(ctx, File{ID: x.id, Name: "x", SHA256: "x", Outcome: Accepted, Year: 2023, RubricID: "r", UnitKey: "u", ProcessedAt: base.Add(time.Duration(x.min) * time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	f, ok, err := l.LastDone(ctx)
	if err != nil || !ok || f.ID != ids[1] {
		t.Errorf("last done %d (ok %v, err %v), want b (%d)", f.ID, ok, err, ids[1])
	}
}
