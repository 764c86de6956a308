package pipeline

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/workbook"
)

func (e *plEnv) rank(final bool) RankResult {
	e.t.Helper()
	res, err := e.p.Rank(context.Background(), RankOptions{Year: plYear, Final: final, Appraisal: true})
	if err != nil {
		e.t.Fatalf("Rank: %v", err)
	}
	return res
}

func rankingJSON(t *testing.T, e *plEnv) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(e.outbox, strconv.Itoa(plYear), "xep-hang-don-vi-"+strconv.Itoa(plYear)+".json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRebuildEqualsIncremental: the ranking built batch by batch equals the
// one rebuilt from the ledger alone by a fresh pipeline.
func TestRebuildEqualsIncremental(t *testing.T) {
	e := newPlEnv(t, 2)
	e.drop("a.xlsx", plBook(t, "TS01", 1), 30)
	e.drop("b.xlsx", plBook(t, "TS02", 2), 29)
	e.run()
	e.rank(false)
	e.drop("c.xlsx", plBook(t, "TS03", 3), 20)
	e.drop("a2.xlsx", plBook(t, "TS01", 4), 19) // a resubmission
	e.run()
	e.rank(false)
	incremental := rankingJSON(t, e)
	// A fresh pipeline on the same ledger and folders.
	l2, err := ledger.Open(e.data)
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	p2 := &Pipeline{Settings: e.p.Settings, Inbox: e.p.Inbox, Outbox: e.p.Outbox, Archive: e.p.Archive,
		Rejected: e.p.Rejected, Ledger: l2, Now: e.p.Now, Log: e.p.Log}
	if _, err := p2.Rank(context.Background(), RankOptions{Year: plYear}); err != nil {
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
	e := newPlEnv(t, 1)
	e.drop("a.xlsx", plBook(t, "TS01", 1), 30)
	e.drop("b.xlsx", plBook(t, "TS02", 2), 29)
	e.run()
	res := e.rank(false)
	rows := res.Ranking.Ranked()
	if len(rows) != 2 {
		t.Fatalf("%d ranked", len(rows))
	}
	first, second := rows[0], rows[1]
	gap := first.Final - second.Final
	// Cut the leader's points on leaf indicators until it falls behind.
	council := map[string]float64{}
	cut := 0.0
	for _, ir := range first.Result.Indicators {
		if ir.Leaf && ir.Points > 0 && cut <= gap {
			council[ir.Code] = 0
			cut += ir.Points
		}
	}
	ap := filepath.Join(e.outbox, strconv.Itoa(plYear), "tham-dinh-don-vi-"+strconv.Itoa(plYear)+".xlsx")
	f, err := excelize.OpenFile(ap)
	if err != nil {
		t.Fatalf("appraisal workbook: %v", err)
	}
	sheetRows, _ := f.GetRows(workbook.SheetAppraisal)
	filled := 0
	for i, r := range sheetRows {
		if len(r) > 2 && r[0] == first.UnitKey {
			if _, ok := council[r[2]]; ok {
				f.SetCellValue(workbook.SheetAppraisal, "H"+strconv.Itoa(i+1), 0)
				filled++
			}
		}
	}
	if filled != len(council) {
		t.Fatalf("filled %d council scores, want %d", filled, len(council))
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
	e.drop("tham-dinh-hoi-dong.xlsx", buf.Bytes(), 5)
	sum := e.run()
	if len(sum.Files) != 1 || sum.Files[0].Outcome != ledger.Accepted || sum.Files[0].Errors != 1 {
		t.Fatalf("appraisal file: %+v", sum.Files)
	}
	res = e.rank(false)
	after := res.Ranking.Ranked()
	if after[0].UnitKey != second.UnitKey || after[1].UnitKey != first.UnitKey || !after[1].Council {
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
	e.drop("tham-dinh-lan-2.xlsx", buf.Bytes(), 1)
	e.run()
	res = e.rank(false)
	if res.Ranking.Ranked()[0].UnitKey != first.UnitKey {
		t.Errorf("a later appraisal file did not supersede the first")
	}
	n := 0
	for _, fl := range e.files() {
		if fl.UnitKey == AppraisalKey && fl.Outcome == ledger.Superseded {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d superseded appraisal files, want 1", n)
	}
}
