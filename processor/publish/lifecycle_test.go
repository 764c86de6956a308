package publish_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/internal/testkit/service"
	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/publish"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/workbook"
)

var vn = time.FixedZone("ICT", 7*3600)

func vnAt(m time.Month, d, h int) time.Time {
	y := 2023
	if m == time.January {
		y = 2024
	}
	return time.Date(y, m, d, h, 0, 0, 0, vn)
}

// lifecycle is an office collecting 2023 (opening 1 November, deadline 15
// December, close 20 December) on a clock the test moves.
type lifecycle struct {
	t     *testing.T
	e     *service.Env
	clock *testkit.ManualClock
	units []roster.Unit
}

func newLifecycle(t *testing.T) *lifecycle {
	t.Helper()
	lc := &lifecycle{t: t, clock: testkit.NewManualClock(vnAt(time.October, 25, 9)), units: books.Roster(5)}
	col := collection.New(books.Year, collection.Day(2023, time.November, 1, vn), collection.Day(2023, time.December, 15, vn),
		collection.Day(2023, time.December, 20, vn), vn)
	lc.e = service.New(t, service.Options{Roster: lc.units, Workers: 1, Now: lc.clock.Now, Collection: col})
	return lc
}

// arrive drops unit n's form, received now, and processes the inbox.
func (lc *lifecycle) arrive(n int, seed uint64) ledger.File {
	lc.t.Helper()
	name := lc.units[n].Code + ".xlsx"
	lc.e.DropAt(name, books.Filled(lc.t, lc.units[n], books.Options{Seed: seed, SelfNoise: 0.2}), lc.clock.Now())
	lc.e.Run()
	rows := lc.e.Rows()
	f := rows[len(rows)-1]
	if f.Outcome != ledger.Accepted {
		lc.t.Fatalf("%s: %s %s", name, f.Outcome, f.Message)
	}
	return f
}

// rankingOf reads a published ranking JSON.
func (lc *lifecycle) rankingOf(base string) ranking.JSON {
	lc.t.Helper()
	b, err := os.ReadFile(base + ".json")
	if err != nil {
		lc.t.Fatal(err)
	}
	var rk ranking.JSON
	if err := json.Unmarshal(b, &rk); err != nil {
		lc.t.Fatal(err)
	}
	return rk
}

func (lc *lifecycle) provisional() ranking.JSON {
	return lc.rankingOf(lc.e.Folders.RankingBase(lc.e.Publisher.Cohort, books.Year))
}

func (lc *lifecycle) final(v int) ranking.JSON {
	return lc.rankingOf(lc.e.Folders.FinalRankingBase(lc.e.Publisher.Cohort, books.Year, v))
}

func unitOf(rk ranking.JSON, code string) ranking.UnitJSON {
	for _, u := range rk.Units {
		if u.Code == code {
			return u
		}
	}
	return ranking.UnitJSON{}
}

// resultTitle is the title of a unit's result workbook and its status row.
func resultText(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(workbook.SheetResult)
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "|") + "\n")
	}
	return b.String()
}

// TestLifecycle moves the clock across the collection with a file arriving
// at each stage and the process restarted in each: files after the
// deadline are late in their result, the ranking and the exports; the close
// publishes the official ranking v1; a file after the close is answered and
// changes nothing official; the close retried publishes nothing more; a
// second final publishes v2 replacing v1, v1 untouched.
func TestLifecycle(t *testing.T) {
	lc := newLifecycle(t)
	ctx := context.Background()
	pub := func() *publish.Publisher { return lc.e.Publisher }

	// Before the opening, and open: in time. (Seeds 1, 2, 4 and 8 give
	// forms without errors; seed 3's has a+b > c on 1.2: cần sửa.)
	lc.arrive(0, 1)
	lc.e.Restart()
	lc.clock.Set(vnAt(time.November, 20, 9))
	fix := lc.arrive(1, 3)
	if fix.Errors == 0 {
		t.Fatal("seed 3's form has no error any more: pick another")
	}
	notices, _ := filepath.Glob(filepath.Join(lc.e.Folders.NoticeDir(), lc.units[1].Code+" - *.txt"))
	if len(notices) != 1 {
		t.Fatalf("notice of a file with errors: %v", notices)
	} else if b, _ := os.ReadFile(notices[0]); !strings.Contains(string(b), "TỆP ĐÃ NHẬN — CẦN SỬA, NỘP LẠI") || !strings.Contains(string(b), "không được tính điểm cho đến khi sửa") {
		t.Errorf("notice of a file with errors:\n%s", b)
	}
	if text := resultText(t, fix.OutputPath); !strings.Contains(text, "Trạng thái|") || !strings.Contains(text, "Cần sửa, nộp lại") {
		t.Errorf("result of a file with errors:\n%s", text)
	}
	lc.e.Restart()
	// The deadline day itself is in time; the day after is late.
	lc.clock.Set(vnAt(time.December, 15, 23))
	lc.arrive(2, 2)
	lc.clock.Set(vnAt(time.December, 17, 9))
	late := lc.arrive(3, 4)
	if text := resultText(t, late.OutputPath); !strings.Contains(text, "Trạng thái|") || !strings.Contains(text, "Nộp muộn") ||
		!strings.Contains(text, "nộp muộn: nhận sau hạn nộp 15/12/2023") || !strings.Contains(text, "— TẠM TÍNH") {
		t.Errorf("late result:\n%s", text)
	}
	notices, _ = filepath.Glob(filepath.Join(lc.e.Folders.NoticeDir(), lc.units[3].Code+" - *.txt"))
	if len(notices) != 1 {
		t.Fatalf("late file's notice: %v", notices)
	} else if b, _ := os.ReadFile(notices[0]); !strings.Contains(string(b), "TỆP ĐÃ NHẬN — NỘP MUỘN") || !strings.Contains(string(b), "sau hạn nộp 15/12/2023") {
		t.Errorf("late notice:\n%s", b)
	}
	if _, err := pub().Publish(ctx, publish.Options{Year: books.Year}); err != nil {
		t.Fatal(err)
	}
	rk := lc.provisional()
	if rk.Final || rk.Version != 0 || rk.Deadline != "2023-12-15T23:59:59+07:00" {
		t.Errorf("provisional head: final %v version %d deadline %q", rk.Final, rk.Version, rk.Deadline)
	}
	for code, want := range map[string]ranking.Status{"D001": ranking.Submitted, "D002": ranking.NeedsFix, "D003": ranking.Submitted, "D004": ranking.Late, "D005": ranking.Missing} {
		if u := unitOf(rk, code); u.Status != want || u.Late != (want == ranking.Late) {
			t.Errorf("provisional %s: %s late %v, want %s", code, u.Status, u.Late, want)
		}
	}
	lc.e.Restart()

	// The close: the official ranking, version 1, with the late file.
	lc.clock.Set(vnAt(time.December, 20, 17))
	res, ok, err := pub().AtClose(ctx, books.Year)
	if err != nil || !ok || res.Final == nil || res.Final.Version != 1 {
		t.Fatalf("AtClose: %v %v %+v", ok, err, res.Final)
	}
	v1 := lc.final(1)
	if !v1.Final || v1.Version != 1 || v1.Replaces != 0 || unitOf(v1, "D004").Status != ranking.Late || !strings.HasSuffix(v1.GeneratedAt, "+07:00") {
		t.Errorf("v1: %+v", v1)
	}
	if text := resultText(t, late.OutputPath); !strings.Contains(text, "CHÍNH THỨC (BẢN SỐ 1)") || !strings.Contains(text, "bảng xếp hạng chính thức, bản số 1") {
		t.Errorf("late unit's result after the close:\n%s", text)
	}
	v1Files := map[string][]byte{}
	for _, ext := range []string{".xlsx", ".csv", ".json"} {
		b, err := os.ReadFile(lc.e.Folders.FinalRankingBase(pub().Cohort, books.Year, 1) + ext)
		if err != nil {
			t.Fatal(err)
		}
		v1Files[ext] = b
	}
	lc.e.Restart()

	// After the close: recorded and answered, late; the provisional ranking
	// shows it, the official one does not change.
	lc.clock.Set(vnAt(time.December, 22, 9))
	after := lc.arrive(4, 8)
	if text := resultText(t, after.OutputPath); !strings.Contains(text, "nhận sau khi đã chốt đợt thu thập") {
		t.Errorf("after-close result:\n%s", text)
	}
	if _, err := pub().Publish(ctx, publish.Options{Year: books.Year}); err != nil {
		t.Fatal(err)
	}
	if u := unitOf(lc.provisional(), "D005"); u.Status != ranking.Late || !u.Late || u.Rank == 0 {
		t.Errorf("provisional after the close: D005 %+v", u)
	}
	if u := unitOf(lc.final(1), "D005"); u.Status != ranking.Missing {
		t.Errorf("the official v1 changed: D005 %+v", u)
	}
	// The close job retried (a restart before it was recorded): no v2.
	lc.e.Restart()
	if _, ok, err := pub().AtClose(ctx, books.Year); ok || err != nil {
		t.Errorf("the close published again: %v %v", ok, err)
	}
	// An officer's second final: v2 replaces v1, with the file after the close.
	lc.clock.Set(vnAt(time.January, 5, 10))
	res, err = pub().Publish(ctx, publish.Options{Year: books.Year, Final: true})
	if err != nil || res.Final == nil || res.Final.Version != 2 || res.Final.Replaces != 1 {
		t.Fatalf("second final: %v %+v", err, res.Final)
	}
	v2 := lc.final(2)
	if !v2.Final || v2.Version != 2 || v2.Replaces != 1 || unitOf(v2, "D005").Status != ranking.Late {
		t.Errorf("v2: final %v version %d replaces %d, D005 %+v", v2.Final, v2.Version, v2.Replaces, unitOf(v2, "D005"))
	}
	for ext, want := range v1Files {
		if got, _ := os.ReadFile(lc.e.Folders.FinalRankingBase(pub().Cohort, books.Year, 1) + ext); !bytes.Equal(got, want) {
			t.Errorf("v1%s was rewritten", ext)
		}
	}
	lc.e.Restart()
	finals, err := lc.e.Ledger.Finals(ctx, books.Year, books.RubricID)
	if err != nil || len(finals) != 2 || finals[1].Replaces != 1 || len(finals[1].Paths) != 4 {
		t.Errorf("ledger finals after a restart: %+v %v", finals, err)
	}
	if text := resultText(t, after.OutputPath); !strings.Contains(text, "CHÍNH THỨC (BẢN SỐ 2)") {
		t.Errorf("the after-close unit's result in v2:\n%s", text)
	}
}

// TestErrorsDoNotScoreEverywhere: an indicator with impossible figures
// scores 0 in the pipeline's result, the ledger total, the ranking rebuilt
// from the ledger and the result workbook alike, and the unit is "cần sửa".
func TestErrorsDoNotScoreEverywhere(t *testing.T) {
	units := books.Roster(1)
	e := service.New(t, service.Options{Roster: units, Workers: 1})
	e.Drop("a.xlsx", books.Filled(t, units[0], books.Options{Seed: 3})) // a+b > c on 1.2
	e.Run()
	f := e.Rows()[0]
	if f.Outcome != ledger.Accepted || f.Errors == 0 {
		t.Fatalf("%s with %d errors", f.Outcome, f.Errors)
	}
	rk, err := e.Publisher.Build(context.Background(), books.Year)
	if err != nil {
		t.Fatal(err)
	}
	row := rk.Rows[0]
	res, err := rk.Result(&row)
	if err != nil {
		t.Fatal(err)
	}
	if ir := res.Indicator("1.2"); ir.Points != 0 || !strings.Contains(ir.Note, "không tính điểm cho đến khi sửa") || row.Points[rk.IndicatorIndex("1.2")] != 0 {
		t.Errorf("ranking 1.2: %v %q", ir.Points, ir.Note)
	}
	if row.Display != engine.Round2(f.Total) || row.Status != ranking.NeedsFix {
		t.Errorf("ranking total %v, ledger %v; status %s", row.Display, f.Total, row.Status)
	}
	if text := resultText(t, f.OutputPath); !strings.Contains(text, "Cần sửa, nộp lại") {
		t.Errorf("result:\n%s", text)
	}
}

// TestLineageFromTheLedger: a merged unit that kept one predecessor's code
// is compared with the mean of its predecessors' previous-year totals, as
// the ledger has them, whatever code it kept.
func TestLineageFromTheLedger(t *testing.T) {
	units := []roster.Unit{{Code: "A1", Name: "Xã An Một"}, {Code: "A2", Name: "Xã An Hai"}}
	e := service.New(t, service.Options{Roster: units, Workers: 1})
	ctx := context.Background()
	// 2022: both communes submit.
	e.Pipeline.Collection.Year, e.Publisher.Collection.Year = 2022, 2022
	e.Drop("a1-2022.xlsx", books.Filled(t, units[0], books.Options{Seed: 1, Year: 2022}))
	e.Drop("a2-2022.xlsx", books.Filled(t, units[1], books.Options{Seed: 2, Year: 2022}))
	e.Run()
	prev, err := e.Publisher.Build(ctx, 2022)
	if err != nil || len(prev.Ranked()) != 2 {
		t.Fatalf("2022: %v, %d ranked", err, len(prev.Ranked()))
	}
	var a1, a2 float64
	for _, r := range prev.Ranked() {
		if r.Code == "A1" {
			a1 = r.Display
		} else {
			a2 = r.Display
		}
	}
	// 2023: A2 merged into A1, which kept its code.
	e.Pipeline.Collection.Year, e.Publisher.Collection.Year = 2023, 2023
	e.Publisher.Roster = units[:1]
	e.Publisher.Lineage = map[string][]string{"A1": {"A1", "A2"}}
	e.Drop("a1-2023.xlsx", books.Filled(t, units[0], books.Options{Seed: 4}))
	e.Run()
	rk, err := e.Publisher.Build(ctx, 2023)
	if err != nil {
		t.Fatal(err)
	}
	row := rk.Rows[0]
	if row.Prev == nil || row.Prev.Total != (a1+a2)/2 || row.Prev.Rank != 0 {
		t.Errorf("A1's previous year %+v, want the mean of %v and %v, no rank", row.Prev, a1, a2)
	}
	if !strings.Contains(row.PrevNote, "trung bình cộng điểm của A1, A2") {
		t.Errorf("note %q", row.PrevNote)
	}
}

// TestCloseCountsFilesBeforeIt: the close job caught up two days late
// publishes the ranking as it stood at the close: a file received after it
// waits for the next version, and a unit that resubmitted after it is
// ranked on the file it had sent by then, whose official result is written
// beside (never over) the result of its new file.
func TestCloseCountsFilesBeforeIt(t *testing.T) {
	lc := newLifecycle(t)
	ctx := context.Background()
	lc.clock.Set(vnAt(time.November, 20, 9))
	first := lc.arrive(0, 1)
	lc.arrive(1, 2)
	lc.clock.Set(vnAt(time.December, 21, 9)) // after the close (20 December 17:00)
	resub := lc.arrive(0, 4)
	lc.arrive(2, 8)
	lc.clock.Set(vnAt(time.December, 22, 9))
	res, ok, err := lc.e.Publisher.AtClose(ctx, books.Year)
	if err != nil || !ok || res.Final.Version != 1 {
		t.Fatalf("AtClose: %v %v %+v", ok, err, res.Final)
	}
	v1 := lc.final(1)
	if unitOf(v1, "D003").Status != ranking.Missing || unitOf(v1, "D001").SubmittedAt != "2023-11-20T09:00:00+07:00" {
		t.Errorf("v1 counts files after the close: D003 %s, D001 submitted %s", unitOf(v1, "D003").Status, unitOf(v1, "D001").SubmittedAt)
	}
	if p := lc.provisional(); unitOf(p, "D003").Status != ranking.Late || unitOf(p, "D001").SubmittedAt != "2023-12-21T09:00:00+07:00" {
		t.Errorf("provisional: D003 %s, D001 submitted %s", unitOf(p, "D003").Status, unitOf(p, "D001").SubmittedAt)
	}
	if text := resultText(t, resub.OutputPath); strings.Contains(text, "CHÍNH THỨC") || !strings.Contains(text, "nhận sau khi đã chốt") {
		t.Errorf("the resubmission's result was overwritten:\n%s", text)
	}
	beside := lc.e.Folders.ResultPath(books.Year, "D001", lc.units[0].Name, ".xlsx", first.ID)
	if text := resultText(t, beside); !strings.Contains(text, "CHÍNH THỨC (BẢN SỐ 1)") || !strings.Contains(text, first.SHA256) {
		t.Errorf("the official result of the file counted at the close:\n%s", text)
	}
}
