package publish_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/internal/testkit/service"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/pipeline"
	"github.com/chiso-vn/chiso/processor/publish"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// The tests run the pipeline on a service.Env and publish what it accepted.

var units = []roster.Unit{{Code: "TS01", Name: "Xã Triệu Thành"}, {Code: "TS02", Name: "Phường Hàm Rồng"}, {Code: "TS03", Name: "Thị trấn Nưa"}}

var now = time.Date(2023, 11, 20, 9, 30, 0, 0, time.Local)

func newEnv(t *testing.T, workers int) *service.Env {
	t.Helper()
	return service.New(t, service.Options{Roster: units, Workers: workers, Now: func() time.Time { return now }})
}

// drop puts unit n's form (varied by seed) in the inbox, received age
// minutes before the clock.
func drop(t *testing.T, e *service.Env, name string, n int, seed uint64, age int) {
	t.Helper()
	form := books.Filled(t, units[n], books.Options{Seed: seed, Missing: 0.05, SelfNoise: 0.3})
	e.DropAt(name, form, now.Add(-time.Duration(age)*time.Minute))
}

func publishNow(t *testing.T, e *service.Env, final bool) publish.Result {
	t.Helper()
	res, err := e.Publisher.Publish(context.Background(), publish.Options{Year: books.Year, Final: final, Appraisal: true})
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	return res
}

func rankingJSON(t *testing.T, e *service.Env) []byte {
	t.Helper()
	b, err := os.ReadFile(e.Folders.RankingBase(e.Publisher.Cohort, books.Year) + ".json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRebuildEqualsIncremental: the ranking built batch by batch equals the
// one rebuilt from the ledger alone by a fresh publisher.
func TestRebuildEqualsIncremental(t *testing.T) {
	e := newEnv(t, 2)
	drop(t, e, "a.xlsx", 0, 1, 30)
	drop(t, e, "b.xlsx", 1, 2, 29)
	e.Run()
	publishNow(t, e, false)
	drop(t, e, "c.xlsx", 2, 3, 20)
	drop(t, e, "a2.xlsx", 0, 4, 19) // a resubmission
	e.Run()
	publishNow(t, e, false)
	incremental := rankingJSON(t, e)
	// A fresh publisher on the same ledger and folders.
	l2, err := ledger.Open(e.Folders.Data)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	p := e.Publisher
	p2 := &publish.Publisher{Rubrics: p.Rubrics, Rubric: p.Rubric, Folders: p.Folders, Cohort: p.Cohort, Roster: p.Roster,
		Ledger: l2, Workbook: p.Workbook, Now: p.Now, Log: p.Log}
	if _, err := p2.Publish(context.Background(), publish.Options{Year: books.Year}); err != nil {
		t.Fatal(err)
	}
	rebuilt := rankingJSON(t, e)
	if !bytes.Equal(incremental, rebuilt) {
		t.Fatalf("rebuild differs from the incremental ranking:\n%s\n---\n%s", incremental, rebuilt)
	}
	if !bytes.Contains(rebuilt, []byte(`"code": "TS03"`)) || bytes.Count(rebuilt, []byte(`"submitted": true`)) != 3 {
		t.Errorf("ranking does not hold the three units:\n%s", rebuilt)
	}
}

// TestAppraisalFileChangesRanking: the council fills the appraisal
// workbook the ranking wrote, drops it in the inbox, and the ranking uses
// its scores; a later appraisal file supersedes it.
func TestAppraisalFileChangesRanking(t *testing.T) {
	e := newEnv(t, 1)
	drop(t, e, "a.xlsx", 0, 1, 30)
	drop(t, e, "b.xlsx", 1, 2, 29)
	e.Run()
	res := publishNow(t, e, false)
	rows := res.Ranking.Ranked()
	if len(rows) != 2 {
		t.Fatalf("%d ranked", len(rows))
	}
	first, second := rows[0], rows[1]
	gap := first.Final - second.Final
	// Cut the leader's points on leaf indicators until it falls behind.
	appraisal := map[string]float64{}
	cut := 0.0
	for k, d := range res.Ranking.Indicators {
		if d.Leaf && first.Points[k] > 0 && cut <= gap {
			appraisal[d.Code] = 0
			cut += first.Points[k]
		}
	}
	ap := e.Folders.AppraisalPath(e.Publisher.Cohort, books.Year)
	f, err := excelize.OpenFile(ap)
	if err != nil {
		t.Fatalf("appraisal workbook: %v", err)
	}
	sheetRows, _ := f.GetRows(workbook.SheetAppraisal)
	filled := 0
	for i, r := range sheetRows {
		if len(r) > 2 && r[0] == first.UnitKey {
			if _, ok := appraisal[r[2]]; ok {
				f.SetCellValue(workbook.SheetAppraisal, "H"+strconv.Itoa(i+1), 0)
				filled++
			}
		}
	}
	if filled != len(appraisal) {
		t.Fatalf("filled %d appraisal scores, want %d", filled, len(appraisal))
	}
	// One bad row, on the other unit: outside 0..max, reported and skipped.
	for i, r := range sheetRows {
		if len(r) > 2 && r[0] == second.UnitKey {
			f.SetCellValue(workbook.SheetAppraisal, "H"+strconv.Itoa(i+1), 9999)
			break
		}
	}
	var buf bytes.Buffer
	f.Write(&buf)
	f.Close()
	e.DropAt("tham-dinh-hoi-dong.xlsx", buf.Bytes(), now.Add(-5*time.Minute))
	sum := e.Run()
	if len(sum.Files) != 1 || sum.Files[0].Outcome != ledger.Accepted || sum.Files[0].Errors != 1 {
		t.Fatalf("appraisal file: %+v", sum.Files)
	}
	res = publishNow(t, e, false)
	after := res.Ranking.Ranked()
	if after[0].UnitKey != second.UnitKey || after[1].UnitKey != first.UnitKey || !after[1].Appraised {
		t.Fatalf("council scores did not change the order: %s %v, %s %v", after[0].UnitKey, after[0].Final, after[1].UnitKey, after[1].Final)
	}
	if after[1].Computed != first.Final {
		t.Errorf("computed score %v changed, want %v kept beside the council's", after[1].Computed, first.Final)
	}
	// A later appraisal file with no scores supersedes it: back to the order computed from the figures.
	f, _ = excelize.OpenFile(ap) // written once: still the blank one
	buf.Reset()
	f.Write(&buf)
	f.Close()
	e.DropAt("tham-dinh-lan-2.xlsx", buf.Bytes(), now.Add(-time.Minute))
	e.Run()
	res = publishNow(t, e, false)
	if res.Ranking.Ranked()[0].UnitKey != first.UnitKey {
		t.Errorf("a later appraisal file did not supersede the first")
	}
	n := 0
	for _, fl := range e.Rows() {
		if fl.UnitKey == pipeline.AppraisalKey && fl.Outcome == ledger.Superseded {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d superseded appraisal files, want 1", n)
	}
}

// TestResultScorecard: a result's first sheet is the unit's scorecard,
// compared on arrival with the latest provisional ranking (the unit's new
// result in place of its row), and made official by the final ranking.
func TestResultScorecard(t *testing.T) {
	e := newEnv(t, 1)
	drop(t, e, "a.xlsx", 0, 1, 30)
	drop(t, e, "b.xlsx", 1, 2, 29)
	e.Run()
	outOf := func(name string) string {
		for _, r := range e.Rows() {
			if r.Name == name {
				return r.OutputPath
			}
		}
		t.Fatalf("no %s", name)
		return ""
	}
	// Within one batch, before any ranking was published: a small cohort's
	// standing follows each acceptance.
	out := outOf("b.xlsx")
	card := func(want ...string) {
		t.Helper()
		f, err := excelize.OpenFile(out)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if s := f.GetSheetList(); s[0] != workbook.SheetScorecard || f.GetActiveSheetIndex() != 0 {
			t.Fatalf("sheets %q, active %d: want the scorecard first and open", s, f.GetActiveSheetIndex())
		}
		rows, err := f.GetRows(workbook.SheetScorecard)
		if err != nil {
			t.Fatal(err)
		}
		var text bytes.Buffer
		for _, r := range rows {
			for _, c := range r {
				text.WriteString(c + "\n")
			}
		}
		for _, w := range want {
			if !bytes.Contains(text.Bytes(), []byte(w)) {
				t.Errorf("the card lacks %q:\n%s", w, text.String())
			}
		}
	}
	card("Phường Hàm Rồng", "TẠM TÍNH", "SO VỚI 2 XÃ ĐÃ NỘP")
	publishNow(t, e, false)
	drop(t, e, "c.xlsx", 2, 3, 20)
	e.Run()
	out = outOf("c.xlsx")
	card("Thị trấn Nưa", "TẠM TÍNH", "SO VỚI 3 XÃ ĐÃ NỘP", "trên các đơn vị đã có kết quả khi nhận tệp này")
	publishNow(t, e, true)
	card("Thị trấn Nưa", "CHÍNH THỨC (bản số 1)", "SO VỚI 3 XÃ ĐÃ NỘP")
}

// TestStaleScorecards: a deleted output, the district's scorecards too,
// makes the published files stale.
func TestStaleScorecards(t *testing.T) {
	e := newEnv(t, 1)
	drop(t, e, "a.xlsx", 0, 1, 30)
	e.Run()
	ctx := context.Background()
	publishNow(t, e, false)
	if stale, err := e.Publisher.Stale(ctx, books.Year); err != nil || stale {
		t.Fatalf("just published: stale %v, %v", stale, err)
	}
	if err := os.Remove(e.Folders.ScorecardsPath(e.Publisher.Cohort, books.Year)); err != nil {
		t.Fatal(err)
	}
	if stale, err := e.Publisher.Stale(ctx, books.Year); err != nil || !stale {
		t.Fatalf("scorecards deleted: stale %v, %v", stale, err)
	}
}
