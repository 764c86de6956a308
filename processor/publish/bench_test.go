package publish_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/internal/testkit/service"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/pipeline"
	"github.com/chiso-vn/chiso/processor/publish"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// The national cohort: 3,321 communes after the 2025 reform.
const national = 3321

// cohortLedger is an office whose ledger holds n accepted submissions with
// random figures, each with the data and the ranking record the pipeline
// keeps at acceptance, and a roster of n units.
func cohortLedger(tb testing.TB, n int) (*service.Env, ranking.Input) {
	tb.Helper()
	r := testkit.Rubric(tb, books.RubricID)
	in := testkit.RandomCohort(r, n, 0)
	e := service.New(tb, service.Options{Roster: in.Roster, Now: func() time.Time { return now }})
	sc, err := engine.New(r)
	if err != nil {
		tb.Fatal(err)
	}
	ctx := context.Background()
	for i, s := range in.Submissions {
		at := now.Add(-time.Duration(n-i) * time.Minute)
		addAccepted(tb, ctx, e, sc, r, s, at, fmt.Sprintf("x%05d.xlsx", i))
	}
	return e, in
}

// addAccepted records one accepted submission as the pipeline does.
func addAccepted(tb testing.TB, ctx context.Context, e *service.Env, sc *engine.Scorer, r *rubric.Rubric, s ranking.Submission, at time.Time, name string) {
	tb.Helper()
	id, err := e.Ledger.Begin(ctx, ledger.File{Name: name, SHA256: name, ReceivedAt: at})
	if err != nil {
		tb.Fatal(err)
	}
	data, err := json.Marshal(pipeline.Record{Values: s.Values, Problems: s.Problems})
	if err != nil {
		tb.Fatal(err)
	}
	res := pipeline.Score(sc, r, s.Values, s.Problems)
	f := ledger.File{ID: id, Name: name, SHA256: name, Outcome: ledger.Accepted, Year: books.Year, RubricID: r.ID,
		UnitKey: s.UnitKey, UnitCode: s.Code, UnitName: s.Name, Total: res.Total, ProcessedAt: at, Data: string(data),
		Scores: ranking.EncodeRecord(sc, r, res, s.Problems)}
	if err := e.Ledger.Finish(ctx, f); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkRankingRebuild rebuilds the provisional ranking of 3,321 units
// from the ledger alone, as `chiso rank` does: a new publisher (nothing
// cached), the records read and decoded, the cohort settled and ranked, the
// workbook, CSV and JSON written.
func BenchmarkRankingRebuild(b *testing.B) {
	e, _ := cohortLedger(b, national)
	p := e.Publisher
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		fresh := &publish.Publisher{Rubrics: p.Rubrics, Rubric: p.Rubric, Collection: p.Collection, Folders: p.Folders, Cohort: p.Cohort,
			Roster: p.Roster, Ledger: p.Ledger, Now: p.Now, Log: p.Log, Issuer: workbook.Issuer{Office: "UBND tỉnh Thử Nghiệm"}}
		res, err := fresh.Publish(context.Background(), publish.Options{Year: books.Year})
		if err != nil {
			b.Fatal(err)
		}
		if n := len(res.Ranking.Ranked()); n != national {
			b.Fatalf("%d ranked", n)
		}
	}
}

// BenchmarkRankingIncremental is the daemon's rebuild after one new file:
// the publisher has the cohort's records from its last rebuild and reads
// only the new one (a unit's corrected resubmission) from the ledger; the
// cohort is settled, ranked and written again.
func BenchmarkRankingIncremental(b *testing.B) {
	e, in := cohortLedger(b, national)
	p := e.Publisher
	ctx := context.Background()
	if _, err := p.Publish(ctx, publish.Options{Year: books.Year}); err != nil {
		b.Fatal(err)
	}
	r := testkit.Rubric(b, books.RubricID)
	sc, err := engine.New(r)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		b.StopTimer()
		s := in.Submissions[i%len(in.Submissions)]
		addAccepted(b, ctx, e, sc, r, s, now.Add(time.Duration(i)*time.Second), fmt.Sprintf("lai-%05d.xlsx", i))
		i++
		b.StartTimer()
		if _, err := p.Publish(ctx, publish.Options{Year: books.Year}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIncrementalEqualsRebuild: after a resubmission, the publisher that
// read only the new record from the ledger publishes the same ranking as a
// fresh one that read them all.
func TestIncrementalEqualsRebuild(t *testing.T) {
	e, in := cohortLedger(t, 40)
	p := e.Publisher
	ctx := context.Background()
	if _, err := p.Publish(ctx, publish.Options{Year: books.Year}); err != nil {
		t.Fatal(err)
	}
	r := testkit.Rubric(t, books.RubricID)
	sc, _ := engine.New(r)
	s := in.Submissions[7]
	s.Values = in.Submissions[8].Values // the unit's figures change
	addAccepted(t, ctx, e, sc, r, s, now.Add(time.Hour), "lai.xlsx")
	inc, err := p.Publish(ctx, publish.Options{Year: books.Year})
	if err != nil {
		t.Fatal(err)
	}
	fresh := &publish.Publisher{Rubrics: p.Rubrics, Rubric: p.Rubric, Collection: p.Collection, Folders: p.Folders, Cohort: p.Cohort,
		Roster: p.Roster, Ledger: p.Ledger, Now: p.Now, Log: p.Log}
	full, err := fresh.Build(ctx, books.Year)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(inc.Ranking.ToJSON())
	full.Generated = inc.Ranking.Generated
	bj, _ := json.Marshal(full.ToJSON())
	if string(a) != string(bj) {
		t.Errorf("incremental and full rebuilds differ:\n%s\n%s", a, bj)
	}
	row := inc.Ranking.Rows[0]
	for _, x := range inc.Ranking.Rows {
		if x.UnitKey == s.UnitKey {
			row = x
		}
	}
	if row.FileName != "lai.xlsx" {
		t.Errorf("the resubmission is not ranked: %+v", row.FileName)
	}
}
