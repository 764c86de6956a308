package ranking_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/rubric"
)

type want struct {
	key   string
	rank  int
	total float64
}

func check(t *testing.T, rk *ranking.Ranking, ws []want) {
	t.Helper()
	if len(rk.Rows) != len(ws) {
		t.Fatalf("%d rows, want %d", len(rk.Rows), len(ws))
	}
	for i, w := range ws {
		r := rk.Rows[i]
		if r.UnitKey != w.key || r.Rank != w.rank || r.Display != w.total {
			t.Errorf("row %d: %s rank %d total %v; want %s rank %d total %v", i, r.UnitKey, r.Rank, r.Display, w.key, w.rank, w.total)
		}
	}
}

func TestBuildHandComputed(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Roster: testkit.CohortUnits, Submissions: testkit.Cohort()})
	check(t, rk, []want{{"C", 1, 50}, {"A", 2, 30}, {"B", 3, 20}, {"D", 3, 20}, {"E", 0, 0}})
	if m := rk.Missing(); len(m) != 1 || m[0].Name != "Xã Yên" || m[0].Submitted {
		t.Errorf("missing %+v", m)
	}
	// Order of the inputs does not matter (pure function of the set).
	rev := testkit.Cohort()
	for i, j := 0, len(rev)-1; i < j; i, j = i+1, j-1 {
		rev[i], rev[j] = rev[j], rev[i]
	}
	var a, b bytes.Buffer
	rk.WriteJSON(&a)
	ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Roster: testkit.CohortUnits, Submissions: rev}).WriteJSON(&b)
	if a.String() != b.String() {
		t.Error("ranking depends on the order of submissions")
	}
}

func TestResubmissionChangesOrder(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	subs := testkit.Cohort()
	subs[1] = testkit.CohortSubmission("B", "Xã Ăn Khê", 1, 10, 0.8) // B corrects its figures: 10 + 20 + 20
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Submissions: subs})
	// minmax over 0.2, 0.8, 0.8, 0.5: A 0, B 20, C 20, D 10 → B 50, C 50 tie; D 10+0+10 = 20.
	check(t, rk, []want{{"B", 1, 50}, {"C", 1, 50}, {"A", 3, 30}, {"D", 4, 20}})
}

func TestAppraisalChangesRanking(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	appraisal := map[string]map[string]float64{"C": {"1.1": 0, "2.2": 5}} // C: 0 + 20 + 5 = 25
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Submissions: testkit.Cohort(), Appraisal: appraisal})
	check(t, rk, []want{{"A", 1, 30}, {"C", 2, 25}, {"B", 3, 20}, {"D", 3, 20}})
	c := rk.Rows[1]
	res, err := rk.Result(&c)
	if err != nil {
		t.Fatal(err)
	}
	k := rk.IndicatorIndex("2.2")
	if !c.Appraised || c.Computed != 50 || res.Indicator("2.2").Computed != 20 || *res.Indicator("2.2").Appraisal != 5 {
		t.Errorf("council row %+v", c)
	}
	if c.Points[k] != 5 || len(c.Council) != 2 || c.Council[1] != (ranking.Council{Index: k, Computed: 20}) || res.Total != c.Final {
		t.Errorf("compact row %+v, council %+v", c.Points, c.Council)
	}
}

func TestSingleUnitAndAllZero(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Submissions: []ranking.Submission{testkit.CohortSubmission("A", "Xã Bình", 0, 3, 0.4)}})
	check(t, rk, []want{{"A", 1, 40}}) // best and max=min>0: full points on both
	rk = ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Submissions: []ranking.Submission{testkit.CohortSubmission("A", "Xã Bình", 1, 0, 0), testkit.CohortSubmission("B", "Xã Ăn Khê", 1, 0, 0)}})
	check(t, rk, []want{{"B", 1, 10}, {"A", 1, 10}})
}

func TestPreviousYearAndMergedUnit(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	subs := append(testkit.Cohort(), testkit.CohortSubmission("M", "Xã Mới", 1, 10, 0.5))
	prev := map[string]ranking.Previous{"A": {Total: 28, Rank: 3}, "P1": {Total: 40, Rank: 1}, "P2": {Total: 30, Rank: 2}}
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2025, Submissions: subs, Previous: prev, Lineage: map[string][]string{"M": {"P1", "P2", "P3"}}})
	for _, row := range rk.Rows {
		switch row.UnitKey {
		case "A":
			if row.Prev == nil || row.Prev.Total != 28 || row.Prev.Rank != 3 {
				t.Errorf("A prev %+v", row.Prev)
			}
		case "M":
			if row.Prev == nil || row.Prev.Total != 35 || row.Prev.Rank != 0 || !strings.Contains(row.PrevNote, "trung bình cộng điểm của P1, P2 (40; 30), bằng 35") ||
				!strings.Contains(row.PrevNote, "P3 không có bài nộp năm 2024") {
				t.Errorf("M prev %+v %q", row.Prev, row.PrevNote)
			}
		case "B":
			if row.Prev != nil {
				t.Errorf("B has no previous year, got %+v", row.Prev)
			}
		}
	}
}

func TestExports(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2023, Cohort: "thu", Roster: testkit.CohortUnits, Submissions: testkit.Cohort()})
	var csvBuf bytes.Buffer
	if err := rk.WriteCSV(&csvBuf); err != nil {
		t.Fatal(err)
	}
	s := csvBuf.String()
	if !strings.HasPrefix(s, "\ufeffHạng,Mã đơn vị,Đơn vị,Tổng điểm") || !strings.Contains(s, "3,B,Xã Ăn Khê,20.00") || !strings.Contains(s, ",E,Xã Yên,") || !strings.Contains(s, "Chưa nộp") {
		t.Errorf("CSV:\n%s", s)
	}
	var js bytes.Buffer
	rk.WriteJSON(&js)
	var back ranking.JSON
	dec := json.NewDecoder(&js)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if back.Units[0].Name != "Xã Cao" || *back.Units[0].Total != 50 || *back.Units[0].Percent != 100 || back.Units[4].Submitted || back.Units[4].Total != nil {
		t.Errorf("JSON %+v", back.Units)
	}
}

// TestStatusAndContract: each unit's status (da_nop, nop_muon, can_sua,
// chua_nop) and lateness, and the JSON contract other tools rely on: final,
// version, generated_at and deadline at the top, ISO 8601 times with the
// offset of the zone; the CSV says late, the status and the mark.
func TestStatusAndContract(t *testing.T) {
	_, rk := testkit.RankedCohort(t)
	rk.Zone = time.FixedZone("ICT", 7*3600)
	rk.Generated = time.Date(2024, 1, 20, 10, 0, 0, 0, time.UTC)
	want := map[string]struct {
		status ranking.Status
		late   bool
	}{"A": {ranking.Submitted, false}, "B": {ranking.Submitted, false}, "C": {ranking.Late, true}, "D": {ranking.NeedsFix, true},
		"E": {ranking.Missing, false}, "F": {ranking.Missing, false}}
	for _, r := range rk.Rows {
		if w := want[r.UnitKey]; r.Status != w.status || r.Late != w.late {
			t.Errorf("%s: %s late=%v, want %s late=%v", r.UnitKey, r.Status, r.Late, w.status, w.late)
		}
	}
	var js bytes.Buffer
	if err := rk.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(js.String(), "{\n  \"final\": false,\n  \"version\": 0,\n  \"generated_at\": \"2024-01-20T17:00:00+07:00\",\n  \"deadline\": \"2023-12-02T23:59:59+07:00\",") {
		t.Errorf("JSON head:\n%s", js.String()[:200])
	}
	var doc struct {
		Units []map[string]any `json:"units"`
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, u := range doc.Units {
		code := u["code"].(string)
		if u["status"] != string(want[code].status) || u["late"] != want[code].late {
			t.Errorf("JSON %s: status %v late %v", code, u["status"], u["late"])
		}
		if at, ok := u["submitted_at"].(string); ok && !strings.HasSuffix(at, "+07:00") {
			t.Errorf("JSON %s: submitted_at %q without the offset", code, at)
		}
	}
	rk.Final, rk.Version, rk.Replaces = true, 2, 1
	js.Reset()
	rk.WriteJSON(&js)
	if !strings.HasPrefix(js.String(), "{\n  \"final\": true,\n  \"version\": 2,\n  \"replaces\": 1,") {
		t.Errorf("final JSON head:\n%s", js.String()[:120])
	}
	var csvBuf bytes.Buffer
	rk.WriteCSV(&csvBuf)
	lines := strings.Split(csvBuf.String(), "\n")
	if !strings.HasSuffix(lines[0], "Thời gian nộp,Nộp muộn,Số lỗi,Số cảnh báo,Trạng thái,Bảng") {
		t.Errorf("CSV head %q", lines[0])
	}
	for _, l := range lines[1:] {
		if l != "" && !strings.HasSuffix(l, `"CHÍNH THỨC (bản số 2, thay thế bản số 1)"`) {
			t.Errorf("CSV row without the mark: %q", l)
		}
	}
	if !strings.Contains(csvBuf.String(), "2023-12-04T14:00:00+07:00,Có,1,0,"+`"Cần sửa, nộp lại"`) {
		t.Errorf("CSV D row:\n%s", csvBuf.String())
	}
}

// TestMergedUnitKeepsACode: a merged unit that kept one predecessor's code
// is compared with the mean of all its predecessors, not with its own
// record of last year alone; the note says how, and the JSON and CSV carry it.
func TestMergedUnitKeepsACode(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	prev := map[string]ranking.Previous{"A": {Total: 912, Rank: 1}, "A2": {Total: 600.13, Rank: 7}}
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2026, Submissions: testkit.Cohort(), Previous: prev,
		Lineage: map[string][]string{"A": {"A", "A2"}}})
	for _, row := range rk.Rows {
		if row.UnitKey != "A" {
			continue
		}
		if row.Prev == nil || row.Prev.Total != 756.065 || row.Prev.Rank != 0 {
			t.Errorf("A prev %+v, want the mean 756.065 and no rank", row.Prev)
		}
		if !strings.Contains(row.PrevNote, "Đơn vị hợp nhất từ A, A2: điểm năm trước là trung bình cộng điểm của A, A2 (912; 600,13), bằng 756,07.") {
			t.Errorf("note %q", row.PrevNote)
		}
	}
	var js, csvBuf bytes.Buffer
	rk.WriteJSON(&js)
	rk.WriteCSV(&csvBuf)
	for what, out := range map[string]string{"JSON": js.String(), "CSV": csvBuf.String()} {
		if !strings.Contains(out, "trung bình cộng điểm của A, A2") || !strings.Contains(out, "756.07") {
			t.Errorf("%s lacks the merged unit's note or mean:\n%s", what, out)
		}
	}
}

// TestComparisonWithAnotherRubric: last year scored by another rubric (2.2
// worth 10, not 20; 2.1 scored another way) — the ranking says which of
// this year's indicators cannot be compared and that the change of score
// and rank is only indicative, in the JSON too; with the same rubric it
// says nothing.
func TestComparisonWithAnotherRubric(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	data, err := os.ReadFile(filepath.Join(testkit.Dir(), "testdata", "cohort.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	old := strings.NewReplacer("id: test-cohort", "id: test-cohort-cu", "max: 50", "max: 40", "max: 40\n", "max: 30\n",
		`{code: "2.2", name: tỷ lệ, max: 20`, `{code: "2.2", name: tỷ lệ, max: 10`, "method: best", "method: minmax").Replace(string(data))
	prevR, err := rubric.Parse(strings.NewReader(old), "cohort-cu.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prev := map[string]ranking.Previous{"A": {Total: 30, Rank: 1}}
	for _, tc := range []struct {
		prevR *rubric.Rubric
		want  string
	}{
		{prevR, "Điểm năm 2025 chấm theo bộ chỉ số «Bộ chỉ số thử xếp hạng», năm 2026 theo «Bộ chỉ số thử xếp hạng»: 2 chỉ số năm nay không so sánh được với năm trước (2.1, 2.2); tổng điểm tối đa 40 → 50. Thay đổi điểm và thay đổi hạng so với năm trước chỉ để tham khảo."},
		{r, ""},
		{nil, ""},
	} {
		rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2026, Submissions: testkit.Cohort(), Previous: prev, PreviousRubric: tc.prevR})
		if rk.Comparison != tc.want {
			t.Errorf("comparison %q\nwant %q", rk.Comparison, tc.want)
		}
		var js bytes.Buffer
		if err := rk.WriteJSON(&js); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(js.String(), `"previous_comparison"`); got != (tc.want != "") {
			t.Errorf("JSON has previous_comparison: %v, want %v", got, tc.want != "")
		}
	}
}
