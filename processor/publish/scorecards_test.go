package publish_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// cardsText is the text of the scorecards workbook at path.
func cardsText(t *testing.T, path string) string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("scorecards: %v", err)
	}
	defer f.Close()
	rows, err := f.GetRows(workbook.SheetScorecard)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(rows)
}

// TestScorecardsBesideRanking: the provisional ranking comes with every
// ranked unit's scorecard, TẠM TÍNH, the office by its name; an official
// version with its own, CHÍNH THỨC, never written over; the ledger's
// record of the version keeps the ranking's three files.
func TestScorecardsBesideRanking(t *testing.T) {
	e := newEnv(t, 1)
	e.Publisher.Office = "UBND huyện Thử Nghiệm"
	drop(t, e, "a.xlsx", 0, 1, 30)
	drop(t, e, "b.xlsx", 1, 2, 29)
	e.Run()
	res := publishNow(t, e, false)
	path := e.Folders.ScorecardsPath(e.Publisher.Cohort, books.Year)
	if !slices.Contains(res.Paths, path) {
		t.Fatalf("paths %v lack %s", res.Paths, path)
	}
	text := cardsText(t, path)
	for _, want := range []string{"UBND HUYỆN THỬ NGHIỆM", units[0].Name, units[1].Name, "TẠM TÍNH", "trên 2 xã đã nộp"} {
		if !strings.Contains(text, want) {
			t.Errorf("provisional scorecards lack %q", want)
		}
	}
	if strings.Contains(text, units[2].Name) {
		t.Errorf("a unit without submission has a card")
	}

	res = publishNow(t, e, true)
	final := e.Folders.FinalScorecardsPath(e.Publisher.Cohort, books.Year, 1)
	if !slices.Contains(res.Paths, final) || !slices.Contains(res.Paths, path) {
		t.Fatalf("paths %v lack %s or %s", res.Paths, final, path)
	}
	if text := cardsText(t, final); !strings.Contains(text, "CHÍNH THỨC (bản số 1)") || strings.Contains(text, "TẠM TÍNH") {
		t.Errorf("official scorecards: %s", text)
	}
	if res.Final == nil || len(res.Final.Paths) != 4 || !strings.HasSuffix(res.Final.Paths[0], "-chinh-thuc-v1.xlsx") || res.Final.Paths[3] != final {
		t.Errorf("final recorded %+v", res.Final)
	}
}
