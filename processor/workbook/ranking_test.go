package workbook

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/rubric"
)

var generated = time.Date(2024, 1, 15, 9, 30, 0, 0, layout.Vietnam)

// written builds the workbook, writes it and reopens it, as a reader would.
func written(t *testing.T, rk *ranking.Ranking, r *rubric.Rubric) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteRanking(&buf, rk, r, generated); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()
	back, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { back.Close() })
	return back, data
}

func zipFiles(t *testing.T, data []byte) map[string]string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[zf.Name] = string(b)
	}
	return out
}

func row(t *testing.T, f *excelize.File, sheet string, r, cols int) []string {
	t.Helper()
	var out []string
	for c := 1; c <= cols; c++ {
		v, err := f.GetCellValue(sheet, ax(c, r))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

func TestWorkbook(t *testing.T) {
	r, rk := testkit.RankedCohort(t)
	f, data := written(t, rk, r)

	wantSheets := []string{"Xếp hạng", "Chi tiết", "Trụ cột", "Chưa nộp", "Cảnh báo"}
	if got := f.GetSheetList(); !slices.Equal(got, wantSheets) {
		t.Fatalf("sheets %q, want %q", got, wantSheets)
	}

	heads := []string{"Hạng", "Mã đơn vị", "Đơn vị", "Tổng điểm (điểm đạt được)", "% điểm tối đa", "1. Một (10)", "2. Hai (40)",
		"Điểm tự chấm", "Chênh lệch so với tự chấm", "Điểm hệ thống tính (trước thẩm định)", "Đã thẩm định", "Điểm năm trước",
		"Thay đổi điểm", "Hạng năm trước", "Thay đổi hạng (+ là tăng)", "Thời gian nộp", "Nộp muộn", "Số lỗi", "Số cảnh báo", "Trạng thái"}
	if got := row(t, f, SheetRanking, 4, len(heads)); !slices.Equal(got, heads) {
		t.Errorf("Xếp hạng headers\n got %q\nwant %q", got, heads)
	}
	if v, _ := f.GetCellValue(SheetRanking, "A3"); !strings.HasPrefix(v, "Lập lúc 15/01/2024 09:30. Bảng TẠM TÍNH") {
		t.Errorf("A3 = %q", v)
	}
	for _, s := range wantSheets {
		if v, _ := f.GetCellValue(s, "A1"); !strings.Contains(v, "2024") || !strings.Contains(v, "thu") || !strings.HasSuffix(v, " — TẠM TÍNH") {
			t.Errorf("%s title %q", s, v)
		}
	}
	if v, _ := f.GetCellValue(SheetRanking, "A2"); !strings.Contains(v, "Bộ chỉ số thử xếp hạng") || !strings.Contains(v, "4/6") || !strings.Contains(v, "Hạn nộp: 02/12/2023") {
		t.Errorf("subtitle %q", v)
	}

	// Every row: rank, code, total, pillars, computed, council, previous
	// year and its changes, status. Units without submission at the bottom,
	// unranked.
	missing := rk.Missing()
	wantRows := [][]string{
		// rank code name total pct p1 p2 self diff computed council prev Δ prevRank Δrank time late err warn status
		{"1", "C", "Xã Cao", "35.00", "70.00%", "10.00", "25.00", "", "", "50.00", "Có", "45.00", "-10.00", "1", "+0", "03/12/2023 12:00", "Có", "0", "0", "Nộp muộn — Đã thẩm định"},
		{"2", "A", "Xã Bình", "30.00", "60.00%", "10.00", "20.00", "", "", "30.00", "", "28.00", "+2.00", "3", "+1", "01/12/2023 08:00", "", "0", "1", "Đã nộp"},
		{"3", "B", "Xã Ăn Khê", "20.00", "40.00%", "0.00", "20.00", "", "", "20.00", "", "25.00", "-5.00", "", "", "02/12/2023 10:00", "", "0", "0", "Đã nộp"},
		{"3", "D", "Xã Đông", "20.00", "40.00%", "10.00", "10.00", "", "", "20.00", "", "22.00", "-2.00", "2", "-1", "04/12/2023 14:00", "Có", "1", "0", "Cần sửa, nộp lại"},
	}
	for _, m := range missing {
		wantRows = append(wantRows, []string{"", m.Code, m.Name, "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "Chưa nộp"})
	}
	if len(missing) != 2 {
		t.Fatalf("missing %+v", missing)
	}
	for i, w := range wantRows {
		if got := row(t, f, SheetRanking, 5+i, len(heads)); !slices.Equal(got, w) {
			t.Errorf("Xếp hạng row %d\n got %q\nwant %q", 5+i, got, w)
		}
	}
	// excelize renders a zero with the positive section ("+0"); Excel and
	// LibreOffice use the zero section. The stored value is what counts.
	if v, _ := f.GetCellValue(SheetRanking, "O5", excelize.Options{RawCellValue: true}); v != "0" {
		t.Errorf("O5 = %q, want 0", v)
	}
	if v, _ := f.GetCellValue(SheetRanking, ax(1, 5+len(wantRows))); v != "" {
		t.Errorf("row after the table: %q", v)
	}
	// The merged unit's previous score carries its explanation.
	comments, _ := f.GetComments(SheetRanking)
	if len(comments) != 1 || comments[0].Cell != "L7" || !strings.Contains(commentText(comments[0]), "trung bình") {
		t.Errorf("Xếp hạng comments %+v", comments)
	}

	// Text from submissions and the roster stays text.
	fi := slices.IndexFunc(missing, func(m ranking.Row) bool { return m.Code == "F" })
	for _, c := range []struct{ sheet, cell, want string }{
		{SheetRanking, ax(3, 9+fi), "=SUM(1,2)"}, {SheetMissing, ax(2, 4+fi), "=SUM(1,2)"},
		{SheetProblems, "E5", "=1+1 không phải là điểm tự chấm: nhập số từ 0 đến 20."},
	} {
		if fm, _ := f.GetCellFormula(c.sheet, c.cell); fm != "" {
			t.Errorf("%s!%s holds formula %q", c.sheet, c.cell, fm)
		}
		if v, _ := f.GetCellValue(c.sheet, c.cell); v != c.want {
			t.Errorf("%s!%s = %q, want %q", c.sheet, c.cell, v, c.want)
		}
	}

	// Chi tiết: codes, short names, the maximum row, cohort indicators
	// marked and shaded, the council's cell shaded with its comment.
	if got, want := row(t, f, SheetDetail, 3, 7), []string{"Hạng", "Mã đơn vị", "Đơn vị", "Tổng điểm", "1.1", "2.1 (so với cao nhất)", "2.2 (Min-Max)"}; !slices.Equal(got, want) {
		t.Errorf("Chi tiết codes %q", got)
	}
	if got, want := row(t, f, SheetDetail, 4, 7), []string{"Hạng", "Mã đơn vị", "Đơn vị", "Tổng điểm", "có/không", "kinh phí", "tỷ lệ"}; !slices.Equal(got, want) {
		t.Errorf("Chi tiết names %q", got)
	}
	if got, want := row(t, f, SheetDetail, 5, 7), []string{"", "", "Điểm tối đa", "50.00", "10.00", "20.00", "20.00"}; !slices.Equal(got, want) {
		t.Errorf("Chi tiết maxima %q", got)
	}
	if got, want := row(t, f, SheetDetail, 6, 7), []string{"1", "C", "Xã Cao", "35.00", "10.00", "20.00", "5.00"}; !slices.Equal(got, want) {
		t.Errorf("Chi tiết first unit %q", got)
	}
	if v, _ := f.GetCellValue(SheetDetail, "C10"); v != "" {
		t.Errorf("Chi tiết lists an unsubmitted unit: %q", v)
	}
	if fill := fillOf(t, f, SheetDetail, "G3"); fill != "FCE4D6" {
		t.Errorf("cohort header fill %q", fill)
	}
	if fill := fillOf(t, f, SheetDetail, "E3"); fill == "FCE4D6" {
		t.Error("a yes/no indicator is shaded as cohort-relative")
	}
	if fill := fillOf(t, f, SheetDetail, "G6"); fill != "FFEB9C" {
		t.Errorf("council cell fill %q", fill)
	}
	if fill := fillOf(t, f, SheetDetail, "F6"); fill == "FFEB9C" {
		t.Error("a computed cell is shaded as the council's")
	}
	dc, _ := f.GetComments(SheetDetail)
	if len(dc) != 1 || dc[0].Cell != "G6" || commentText(dc[0]) != "Hội đồng thẩm định: 5 (hệ thống: 20)" {
		t.Errorf("Chi tiết comments %+v", dc)
	}

	// Trụ cột: pillar scores in rank order, the comparison table, charts.
	if got, want := row(t, f, SheetPillars, 4, 6), []string{"1", "C", "Xã Cao", "10.00", "25.00", "35.00"}; !slices.Equal(got, want) {
		t.Errorf("Trụ cột first row %q", got)
	}
	if got, want := row(t, f, SheetPillars, 4, 10)[7:], []string{"Xã Cao", "100.00%", "62.50%"}; !slices.Equal(got, want) {
		t.Errorf("Trụ cột comparison %q", got)
	}
	files := zipFiles(t, data)
	for _, name := range []string{"xl/charts/chart1.xml", "xl/charts/chart2.xml"} {
		x, ok := files[name]
		if !ok {
			t.Errorf("no %s", name)
			continue
		}
		if !strings.Contains(html.UnescapeString(x), "'Trụ cột'!$") {
			t.Errorf("%s does not chart the Trụ cột sheet", name)
		}
	}
	if x := html.UnescapeString(files["xl/charts/chart1.xml"]); !strings.Contains(x, "'Trụ cột'!$C$4:$C$7") || !strings.Contains(x, `<barDir val="bar"`) {
		t.Errorf("totals chart does not bar the 4 ranked testkit.CohortUnits:\n%s", x)
	}

	// Chưa nộp: contact and rejected attempts, one per line.
	if got, want := row(t, f, SheetMissing, 4+fi, 6), []string{"F", "=SUM(1,2)", "Lê Văn Tư", "0912345678", "tu@example.vn",
		"f1.xlsx (02/12/2023): không phải mẫu của bộ chỉ số\nf2.xlsx (03/12/2023): tệp bị hỏng"}; !slices.Equal(got, want) {
		t.Errorf("Chưa nộp row %q", got)
	}

	// Cảnh báo: errors and warnings (not info), testkit.CohortUnits in rank order.
	if got, want := row(t, f, SheetProblems, 3, 5), []string{"Đơn vị", "Mức độ", "Chỉ số", "Ô", "Nội dung"}; !slices.Equal(got, want) {
		t.Errorf("Cảnh báo headers %q", got)
	}
	if got, want := row(t, f, SheetProblems, 4, 4), []string{"Xã Bình", "Cảnh báo", "2.1", "Chỉ số!E12"}; !slices.Equal(got, want) {
		t.Errorf("Cảnh báo row 4 %q", got)
	}
	if got, want := row(t, f, SheetProblems, 5, 4), []string{"Xã Đông", "Lỗi", "2.2", "Chỉ số!H14"}; !slices.Equal(got, want) {
		t.Errorf("Cảnh báo row 5 %q", got)
	}
	if v, _ := f.GetCellValue(SheetProblems, "A6"); v != "" {
		t.Errorf("info listed: %q", v)
	}

	// Print set-up, frozen panes and filters of every sheet.
	panes := map[string][2]int{SheetRanking: {3, 4}, SheetDetail: {4, 5}, SheetPillars: {3, 3}, SheetMissing: {2, 3}, SheetProblems: {1, 3}}
	for _, s := range wantSheets {
		pl, err := f.GetPageLayout(s)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Size == nil || *pl.Size != 9 || pl.Orientation == nil || *pl.Orientation != "landscape" || pl.FitToWidth == nil || *pl.FitToWidth != 1 ||
			(pl.FitToHeight != nil && *pl.FitToHeight != 0) {
			t.Errorf("%s page %+v", s, pl)
		}
		if pr, _ := f.GetSheetProps(s); pr.FitToPage == nil || !*pr.FitToPage {
			t.Errorf("%s: fit to page is off", s)
		}
		p, _ := f.GetPanes(s)
		if !p.Freeze || p.XSplit != panes[s][0] || p.YSplit != panes[s][1] {
			t.Errorf("%s panes %+v, want %v", s, p, panes[s])
		}
	}
	filters := map[string]string{}
	var wb struct {
		Names []struct {
			Name  string `xml:"name,attr"`
			Sheet int    `xml:"localSheetId,attr"`
			Ref   string `xml:",chardata"`
		} `xml:"definedNames>definedName"`
	}
	if err := xml.Unmarshal([]byte(files["xl/workbook.xml"]), &wb); err != nil {
		t.Fatal(err)
	}
	for _, n := range wb.Names {
		if n.Name == "_xlnm._FilterDatabase" {
			filters[wantSheets[n.Sheet]] = n.Ref
		}
	}
	wantFilters := map[string]string{
		SheetRanking: "'Xếp hạng'!$A$4:$T$10", SheetDetail: "'Chi tiết'!$A$5:$G$9", SheetPillars: "'Trụ cột'!$A$3:$F$7",
		SheetMissing: "'Chưa nộp'!$A$3:$F$5", SheetProblems: "'Cảnh báo'!$A$3:$E$5",
	}
	for s, w := range wantFilters {
		if filters[s] != w {
			t.Errorf("%s filter %q, want %q", s, filters[s], w)
		}
	}
	if n := strings.Count(files["xl/worksheets/sheet1.xml"], "<autoFilter "); n != 1 {
		t.Errorf("Xếp hạng has %d autoFilter elements", n)
	}

	// Conditional colours: the top three totals; with four ranked testkit.CohortUnits no
	// bottom three; negative changes in red.
	cf, err := f.GetConditionalFormats(SheetRanking)
	if err != nil {
		t.Fatal(err)
	}
	if top := cf["D5:D8"]; len(top) != 1 || top[0].Type != "top" || top[0].Value != "3" {
		t.Errorf("totals colours %+v", top)
	}
	for _, ref := range []string{"I5:I10", "M5:M10", "O5:O10"} {
		if c := cf[ref]; len(c) != 1 || c[0].Type != "cell" || c[0].Criteria != "less than" {
			t.Errorf("%s: %+v", ref, c)
		}
	}

	// The sheets are streamed: what excelize needs before the first row
	// (used range, widths, panes) and the styles of empty cells as the
	// table's, references written with the usual r: prefix.
	dims := map[string]string{SheetRanking: "A1:T10", SheetDetail: "A1:G9", SheetPillars: "A1:J7", SheetMissing: "A1:F5", SheetProblems: "A1:E5"}
	for s, want := range dims {
		if got, _ := f.GetSheetDimension(s); got != want {
			t.Errorf("%s used range %q, want %q", s, got, want)
		}
	}
	for _, c := range []struct {
		sheet  string
		row    int
		height float64
	}{{SheetRanking, 1, 22}, {SheetRanking, 4, 60}, {SheetDetail, 3, 30}, {SheetDetail, 4, 75}, {SheetMissing, 4 + fi, 30}, {SheetProblems, 3, 30}} {
		if h, _ := f.GetRowHeight(c.sheet, c.row); h != c.height {
			t.Errorf("%s row %d height %v, want %v", c.sheet, c.row, h, c.height)
		}
	}
	for _, c := range []struct {
		sheet, col string
		width      float64
	}{{SheetRanking, "A", 7}, {SheetRanking, "T", 18}, {SheetDetail, "G", 11}, {SheetPillars, "I", 12}, {SheetProblems, "E", 90}} {
		if w, _ := f.GetColWidth(c.sheet, c.col); w != c.width {
			t.Errorf("%s column %s width %v, want %v", c.sheet, c.col, w, c.width)
		}
	}
	// An unsubmitted unit's blank total keeps the column's border and format.
	if a, _ := f.GetCellStyle(SheetRanking, "D9"); a == 0 || a != must(f.GetCellStyle(SheetRanking, "D5")) {
		t.Errorf("blank total styled %d", a)
	}
	// The line under the title does not take the header's place.
	if fill := fillOf(t, f, SheetProblems, "A3"); fill != "D9E1F2" {
		t.Errorf("Cảnh báo header fill %q", fill)
	}
	for name, x := range files {
		if strings.HasPrefix(name, "xl/worksheets/sheet") && strings.Contains(x, "xmlns:relationships") {
			t.Errorf("%s: relationships prefix left", name)
		}
	}
	for name, ref := range map[string]string{"xl/worksheets/sheet1.xml": "<legacyDrawing r:id=", "xl/worksheets/sheet2.xml": "<legacyDrawing r:id=",
		"xl/worksheets/sheet3.xml": "<drawing r:id="} {
		if !strings.Contains(files[name], ref) {
			t.Errorf("%s: no %s", name, ref)
		}
	}

	goldenDump(t, "xep-hang.txt", f)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestRelFix: the relationships prefix is replaced however the part is cut
// into writes, including across two writes.
func TestRelFix(t *testing.T) {
	pre := string(relPrefix)
	for _, in := range []string{
		"",
		"<sheetData></sheetData>",
		"<drawing " + pre + `:id="rId1"></drawing>`,
		"<drawing " + pre + `:id="rId1"></drawing><legacyDrawing ` + pre + `:id="rId2"></legacyDrawing>`,
		pre[:20] + " " + pre[:len(pre)-1], // beginnings only
		pre + pre + "x" + pre,
	} {
		want := strings.ReplaceAll(in, pre, "r")
		for _, size := range []int{1, 2, 7, len(pre) - 1, len(pre), len(pre) + 1, len(in) + 1} {
			var out bytes.Buffer
			fix := &relFix{w: &out}
			for rest := in; rest != ""; {
				n := min(size, len(rest))
				if k, err := fix.Write([]byte(rest[:n])); err != nil || k != n {
					t.Fatalf("write %d: %d, %v", n, k, err)
				}
				rest = rest[n:]
			}
			if err := fix.flush(); err != nil {
				t.Fatal(err)
			}
			if out.String() != want {
				t.Errorf("%q in writes of %d:\n got %q\nwant %q", in, size, out.String(), want)
			}
		}
	}
}

func fillOf(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Fill.Color) == 0 {
		return ""
	}
	c := strings.ToUpper(st.Fill.Color[0])
	if len(c) == 8 { // ARGB
		c = c[2:]
	}
	return c
}

func goldenDump(t *testing.T, name string, f *excelize.File) {
	t.Helper()
	var buf bytes.Buffer
	if err := testkit.Dump(&buf, f); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, filepath.Join("testdata", "golden", name), buf.Bytes())
}

// TestWorkbookDeterministic: the same ranking gives the same bytes, so a
// rebuild from the ledger can be compared with the published file.
func TestWorkbookDeterministic(t *testing.T) {
	r, rk := testkit.RankedCohort(t)
	var first []byte
	for i := range 5 {
		var buf bytes.Buffer
		if err := WriteRanking(&buf, rk, r, generated); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.Bytes()
		} else if !bytes.Equal(first, buf.Bytes()) {
			t.Fatalf("build %d differs from the first", i+1)
		}
	}
}

// TestWorkbookLargeCohort: over 60 testkit.CohortUnits the totals chart shows the top 30
// and says so; bottom three coloured; nothing submitted still gives a
// workbook.
func TestWorkbookLargeCohort(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	rng := rand.New(rand.NewPCG(3, 4))
	var subs []ranking.Submission
	for i := range 70 {
		subs = append(subs, testkit.CohortSubmission(fmt.Sprintf("U%02d", i), fmt.Sprintf("Xã %02d", i), float64(rng.IntN(2)), rng.Float64()*100, rng.Float64()))
	}
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2024, Submissions: subs})
	f, data := written(t, rk, r)
	if v, _ := f.GetCellValue(SheetPillars, "A2"); !strings.Contains(v, "30 đơn vị dẫn đầu") || !strings.Contains(v, "70") {
		t.Errorf("note %q", v)
	}
	x := html.UnescapeString(zipFiles(t, data)["xl/charts/chart1.xml"])
	if !strings.Contains(x, "'Trụ cột'!$C$4:$C$33") {
		t.Error("totals chart is not limited to the top 30")
	}
	cf, _ := f.GetConditionalFormats(SheetRanking)
	if c := cf["D5:D74"]; len(c) != 2 || c[1].Type != "bottom" {
		t.Errorf("totals colours %+v", c)
	}

	empty := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2024, Roster: testkit.CohortUnits})
	f, data = written(t, empty, r)
	if _, ok := zipFiles(t, data)["xl/charts/chart1.xml"]; ok {
		t.Error("chart without data")
	}
	if v, _ := f.GetCellValue(SheetRanking, "C5"); v == "" {
		t.Error("roster not listed")
	}
}

// BenchmarkWorkbook3321 builds and writes the ranking workbook of the whole
// country in one cohort (3,321 communes after the 2025 reform) on the
// shipped Thanh Hóa commune rubric, with random figures.
func BenchmarkWorkbook3321(b *testing.B) {
	r := testkit.Rubric(b, "thanhhoa-xa-2023")
	sc, err := engine.New(r)
	if err != nil {
		b.Fatal(err)
	}
	rk := ranking.Build(sc, testkit.RandomCohort(r, 3321, 30))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := WriteRanking(io.Discard, rk, r, generated); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWorkbookMarks: every sheet's title says TẠM TÍNH or CHÍNH THỨC with
// the version, and the line under the first title which version a final
// one replaces, or which official version is in force beside a provisional
// one: provisional and final workbooks never look alike.
func TestWorkbookMarks(t *testing.T) {
	r, rk := testkit.RankedCohort(t)
	for _, tt := range []struct {
		final            bool
		version, replace int
		official         int
		title, note      string
	}{
		{final: true, version: 1, title: " — CHÍNH THỨC (bản số 1)", note: "Bảng xếp hạng CHÍNH THỨC bản số 1."},
		{final: true, version: 2, replace: 1, title: " — CHÍNH THỨC (bản số 2, thay thế bản số 1)", note: "CHÍNH THỨC bản số 2, thay thế bản số 1."},
		{official: 2, title: " — TẠM TÍNH", note: "bảng xếp hạng chính thức hiện hành là bản số 2"},
	} {
		rk.Final, rk.Version, rk.Replaces, rk.Official = tt.final, tt.version, tt.replace, tt.official
		f, _ := written(t, rk, r)
		for _, s := range f.GetSheetList() {
			if v, _ := f.GetCellValue(s, "A1"); !strings.HasSuffix(v, tt.title) {
				t.Errorf("%s title %q, want …%q", s, v, tt.title)
			}
		}
		if v, _ := f.GetCellValue(SheetRanking, "A3"); !strings.Contains(v, tt.note) {
			t.Errorf("A3 %q lacks %q", v, tt.note)
		}
	}
}
