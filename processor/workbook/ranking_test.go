package workbook

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"os"
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
)

var generated = time.Date(2024, 1, 5, 9, 30, 0, 0, layout.Vietnam)

// issuer is the office of the tests: a district under its province, a
// vice-chairman signing for the chairman.
var issuer = Issuer{Office: "UBND huyện Thử & Nghiệm", Parent: "UBND tỉnh Thanh Hóa", SignerAuthority: "KT. Chủ tịch",
	SignerTitle: "Phó Chủ tịch", SignerName: "Lê Văn Ký"}

func rankingOptions() RankingOptions { return RankingOptions{Generated: generated, Issuer: issuer} }

// written builds the workbook, writes it and reopens it, as a reader would.
func written(t *testing.T, rk *ranking.Ranking, opt RankingOptions) (*excelize.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteRanking(&buf, rk, opt); err != nil {
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

func ax(col, row int) string {
	s, _ := excelize.CoordinatesToCellName(col, row)
	return s
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

// findRow is the first row whose column col holds v (0 if none).
func findRow(t *testing.T, f *excelize.File, sheet string, col int, v string) int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if len(r) >= col && r[col-1] == v {
			return i + 1
		}
	}
	return 0
}

// sheetText is every non-empty cell of a sheet, in order.
func sheetText(t *testing.T, f *excelize.File, sheet string) []string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rows {
		for _, v := range r {
			if v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

func TestWorkbook(t *testing.T) {
	_, rk := testkit.RankedCohort(t)
	f, data := written(t, rk, rankingOptions())

	wantSheets := []string{"Xếp hạng", "Theo dõi", "Trụ cột", "Chi tiết 1", "Chi tiết 2", "Chưa nộp", "Cảnh báo"}
	if got := f.GetSheetList(); !slices.Equal(got, wantSheets) {
		t.Fatalf("sheets %q, want %q", got, wantSheets)
	}

	// The report: the heading of an administrative document, then the
	// table, then the signature.
	text := sheetText(t, f, SheetRanking)
	heading := []string{"UBND TỈNH THANH HÓA", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "UBND HUYỆN THỬ & NGHIỆM", "Độc lập - Tự do - Hạnh phúc",
		"Thử & Nghiệm, ngày 05 tháng 01 năm 2024", "BẢNG XẾP HẠNG CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM 2024", "(TẠM TÍNH)"}
	if !slices.Equal(text[:len(heading)], heading) {
		t.Errorf("heading\n got %q\nwant %q", text[:len(heading)], heading)
	}
	note := text[len(heading)]
	for _, want := range []string{"Bộ chỉ số thử xếp hạng", "tổng điểm tối đa 50", "2 chỉ số (2.1, 2.2) tính tương đối", "Min-Max", "so với cao nhất",
		"điểm thẩm định", "Đã nộp 4/6 đơn vị", "hạn nộp 02/12/2023", "Lập lúc 05/01/2024 09:30", "Bảng TẠM TÍNH"} {
		if !strings.Contains(note, want) {
			t.Errorf("note lacks %q: %s", want, note)
		}
	}
	if got, want := text[len(text)-1], "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\n\n\n\nLê Văn Ký"; got != want {
		t.Errorf("signature %q, want %q", got, want)
	}
	hdr := findRow(t, f, SheetRanking, 1, "Hạng")
	heads := []string{"Hạng", "Mã", "Đơn vị", "Tổng điểm", "% điểm tối đa", "1. Một (10)", "2. Hai (40)", "Điểm năm trước", "Hạng năm trước",
		"Thay đổi hạng (+ là tăng)", "Ghi chú"}
	if got := row(t, f, SheetRanking, hdr, len(heads)); !slices.Equal(got, heads) {
		t.Errorf("Xếp hạng headers\n got %q\nwant %q", got, heads)
	}
	missing := rk.Missing()
	if len(missing) != 2 {
		t.Fatalf("missing %+v", missing)
	}
	fi := slices.IndexFunc(missing, func(m ranking.Row) bool { return m.Code == "F" })
	wantRows := [][]string{
		// excelize shows a zero change with the positive section ("+0"); Excel
		// and LibreOffice use the zero section. The value is 0 (below).
		{"1", "C", "Xã Cao", "35.00", "70.00%", "10.00", "25.00", "45.00", "1", "+0", "Nộp muộn; Đã thẩm định"},
		{"2", "A", "Xã Bình", "30.00", "60.00%", "10.00", "20.00", "28.00", "3", "+1", ""},
		{"3", "B", "Xã Ăn Khê", "20.00", "40.00%", "0.00", "20.00", "25.00", "", "", ""},
		{"3", "D", "Xã Đông", "20.00", "40.00%", "10.00", "10.00", "22.00", "2", "-1", "Cần sửa, nộp lại"},
	}
	for _, m := range missing {
		wantRows = append(wantRows, []string{"", m.Code, m.Name, "", "", "", "", "", "", "", "Chưa nộp"})
	}
	for i, w := range wantRows {
		if got := row(t, f, SheetRanking, hdr+1+i, len(heads)); !slices.Equal(got, w) {
			t.Errorf("Xếp hạng row %d\n got %q\nwant %q", hdr+1+i, got, w)
		}
	}
	if v, _ := f.GetCellValue(SheetRanking, ax(10, hdr+1), excelize.Options{RawCellValue: true}); v != "0" {
		t.Errorf("change of rank %q, want 0", v)
	}
	comments, _ := f.GetComments(SheetRanking)
	if len(comments) != 1 || comments[0].Cell != ax(8, hdr+3) || !strings.Contains(commentText(comments[0]), "trung bình") {
		t.Errorf("Xếp hạng comments %+v", comments)
	}

	// Theo dõi: self-scores, the computed score, times, late, counts.
	th := []string{"Hạng", "Mã đơn vị", "Đơn vị", "Tổng điểm (điểm đạt được)", "Điểm hệ thống tính (trước thẩm định)", "Đã thẩm định",
		"Điểm năm trước", "Thay đổi điểm", "Thời gian nộp", "Nộp muộn", "Số lỗi", "Số cảnh báo", "Trạng thái"}
	if got := row(t, f, SheetTracking, 3, len(th)); !slices.Equal(got, th) {
		t.Errorf("Theo dõi headers\n got %q\nwant %q", got, th)
	}
	tw := [][]string{
		{"1", "C", "Xã Cao", "35.00", "50.00", "Có", "45.00", "-10.00", "03/12/2023 12:00", "Có", "0", "0", "Nộp muộn — Đã thẩm định"},
		{"2", "A", "Xã Bình", "30.00", "30.00", "", "28.00", "+2.00", "01/12/2023 08:00", "", "0", "1", "Đã nộp"},
		{"3", "B", "Xã Ăn Khê", "20.00", "20.00", "", "25.00", "-5.00", "02/12/2023 10:00", "", "0", "0", "Đã nộp"},
		{"3", "D", "Xã Đông", "20.00", "20.00", "", "22.00", "-2.00", "04/12/2023 14:00", "Có", "1", "0", "Cần sửa, nộp lại"},
	}
	for i, w := range tw {
		if got := row(t, f, SheetTracking, 4+i, len(th)); !slices.Equal(got, w) {
			t.Errorf("Theo dõi row %d\n got %q\nwant %q", 4+i, got, w)
		}
	}
	if got := row(t, f, SheetTracking, 8+fi, len(th)); got[2] != "=SUM(1,2)" || got[12] != "Chưa nộp" || got[3] != "" {
		t.Errorf("Theo dõi unsubmitted %q", got)
	}
	// The top three are shaded; four units: no bottom three.
	if fill := fillOf(t, f, SheetTracking, "D4"); fill != "C6EFCE" {
		t.Errorf("top total fill %q", fill)
	}
	for _, s := range []string{SheetRanking, SheetTracking, SheetPillars, "Chi tiết 1", SheetMissing, SheetProblems} {
		if v, _ := f.GetCellValue(s, "A1"); s != SheetRanking && (!strings.Contains(v, "NĂM 2024") || !strings.HasSuffix(v, "(TẠM TÍNH)")) {
			t.Errorf("%s title %q", s, v)
		}
		if v, _ := f.GetCellValue(s, "A2"); s != SheetRanking && !strings.HasPrefix(v, "UBND huyện Thử & Nghiệm. ") {
			t.Errorf("%s line under the title %q", s, v)
		}
	}

	// Text from submissions and the roster stays text.
	for _, c := range []struct{ sheet, cell, want string }{
		{SheetRanking, ax(3, hdr+5+fi), "=SUM(1,2)"}, {SheetMissing, ax(2, 4+fi), "=SUM(1,2)"},
		{SheetProblems, "E5", "=1+1 không phải là điểm tự chấm: nhập số từ 0 đến 20."},
	} {
		if fm, _ := f.GetCellFormula(c.sheet, c.cell); fm != "" {
			t.Errorf("%s!%s holds formula %q", c.sheet, c.cell, fm)
		}
		if v, _ := f.GetCellValue(c.sheet, c.cell); v != c.want {
			t.Errorf("%s!%s = %q, want %q", c.sheet, c.cell, v, c.want)
		}
	}

	// Chi tiết: one sheet per pillar; codes, names, the maximum row,
	// cohort indicators marked and shaded, the council's cell shaded with
	// its comment.
	const d2 = "Chi tiết 2"
	if got, want := row(t, f, d2, 3, 6), []string{"Hạng", "Mã đơn vị", "Đơn vị", "Điểm trụ cột", "2.1 (so với cao nhất)", "2.2 (Min-Max)"}; !slices.Equal(got, want) {
		t.Errorf("Chi tiết codes %q", got)
	}
	if got, want := row(t, f, d2, 4, 6), []string{"Hạng", "Mã đơn vị", "Đơn vị", "Điểm trụ cột", "kinh phí", "tỷ lệ"}; !slices.Equal(got, want) {
		t.Errorf("Chi tiết names %q", got)
	}
	if got, want := row(t, f, d2, 5, 6), []string{"", "", "Điểm tối đa", "40.00", "20.00", "20.00"}; !slices.Equal(got, want) {
		t.Errorf("Chi tiết maxima %q", got)
	}
	if got, want := row(t, f, d2, 6, 6), []string{"1", "C", "Xã Cao", "25.00", "20.00", "5.00"}; !slices.Equal(got, want) {
		t.Errorf("Chi tiết first unit %q", got)
	}
	if got, want := row(t, f, "Chi tiết 1", 6, 5), []string{"1", "C", "Xã Cao", "10.00", "10.00"}; !slices.Equal(got, want) {
		t.Errorf("Chi tiết 1 first unit %q", got)
	}
	if v, _ := f.GetCellValue(d2, "C10"); v != "" {
		t.Errorf("Chi tiết lists an unsubmitted unit: %q", v)
	}
	if fill := fillOf(t, f, d2, "F3"); fill != "FCE4D6" {
		t.Errorf("cohort header fill %q", fill)
	}
	if fill := fillOf(t, f, "Chi tiết 1", "E3"); fill == "FCE4D6" {
		t.Error("a yes/no indicator is shaded as cohort-relative")
	}
	if fill := fillOf(t, f, d2, "F6"); fill != "FFEB9C" {
		t.Errorf("council cell fill %q", fill)
	}
	if fill := fillOf(t, f, d2, "E6"); fill == "FFEB9C" {
		t.Error("a computed cell is shaded as the council's")
	}
	dc, _ := f.GetComments(d2)
	if len(dc) != 1 || dc[0].Cell != "F6" || commentText(dc[0]) != "Hội đồng thẩm định: 5 (hệ thống: 20)" {
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
		if !strings.Contains(html.UnescapeString(files[name]), "'Trụ cột'!$") {
			t.Errorf("%s does not chart the Trụ cột sheet", name)
		}
	}
	if x := html.UnescapeString(files["xl/charts/chart1.xml"]); !strings.Contains(x, "'Trụ cột'!$C$4:$C$7") || !strings.Contains(x, `<c:barDir val="bar"/>`) {
		t.Errorf("totals chart does not bar the 4 ranked units:\n%s", x)
	}

	// Chưa nộp: contact and rejected attempts, one per line.
	if got, want := row(t, f, SheetMissing, 4+fi, 6), []string{"F", "=SUM(1,2)", "Lê Văn Tư", "0912345678", "tu@example.vn",
		"f1.xlsx (02/12/2023): không phải mẫu của bộ chỉ số\nf2.xlsx (03/12/2023): tệp bị hỏng"}; !slices.Equal(got, want) {
		t.Errorf("Chưa nộp row %q", got)
	}
	if h, _ := f.GetRowHeight(SheetMissing, 4+fi); h < 30 {
		t.Errorf("two attempts in a row %v high", h)
	}

	// Cảnh báo: errors and warnings (not info), units in rank order.
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

	// Print set-up: A4, the header and footer, titles repeated; frozen
	// panes and filters.
	panes := map[string][2]int{SheetRanking: {3, hdr}, SheetTracking: {3, 3}, SheetPillars: {3, 3}, "Chi tiết 1": {4, 5}, SheetMissing: {2, 3}, SheetProblems: {1, 3}}
	for s, pane := range panes {
		pl, err := f.GetPageLayout(s)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Size == nil || *pl.Size != 9 {
			t.Errorf("%s page %+v", s, pl)
		}
		hf, _ := f.GetHeaderFooter(s)
		if !strings.Contains(hf.OddHeader, "BẢN TẠM TÍNH") || !strings.Contains(hf.OddHeader, "Thử && Nghiệm") || !strings.Contains(hf.OddFooter, "Trang &P/&N") {
			t.Errorf("%s header/footer %+v", s, hf)
		}
		p, _ := f.GetPanes(s)
		if !p.Freeze || p.XSplit != pane[0] || p.YSplit != pane[1] {
			t.Errorf("%s panes %+v, want %v", s, p, pane)
		}
	}
	names := map[string]string{}
	for _, n := range f.GetDefinedName() {
		names[n.Scope+" "+n.Name] = n.RefersTo
	}
	for k, want := range map[string]string{
		"Xếp hạng _xlnm.Print_Titles":       fmt.Sprintf("'Xếp hạng'!$%d:$%d", hdr, hdr),
		"Xếp hạng _xlnm._FilterDatabase":    fmt.Sprintf("'Xếp hạng'!$A$%d:$K$%d", hdr, hdr+6),
		"Theo dõi _xlnm.Print_Titles":       "'Theo dõi'!$3:$3",
		"Chi tiết 2 _xlnm.Print_Titles":     "'Chi tiết 2'!$3:$5",
		"Chi tiết 2 _xlnm._FilterDatabase":  "'Chi tiết 2'!$A$5:$F$9",
		"Trụ cột _xlnm.Print_Area":          "'Trụ cột'!$A$1:$F$7",
		"Cảnh báo _xlnm._FilterDatabase":    "'Cảnh báo'!$A$3:$E$5",
		"Chưa nộp _xlnm._FilterDatabase":    "'Chưa nộp'!$A$3:$F$5",
		"Trụ cột _xlnm._FilterDatabase":     "'Trụ cột'!$A$3:$F$7",
		"Theo dõi _xlnm._FilterDatabase":    "'Theo dõi'!$A$3:$M$9",
		"Chi tiết 1 _xlnm._FilterDatabase":  "'Chi tiết 1'!$A$5:$E$9",
		"Chi tiết 1 _xlnm.Print_Titles":     "'Chi tiết 1'!$3:$5",
		"Cảnh báo _xlnm.Print_Titles":       "'Cảnh báo'!$3:$3",
		"Chưa nộp _xlnm.Print_Titles":       "'Chưa nộp'!$3:$3",
		"Trụ cột _xlnm.Print_Titles":        "'Trụ cột'!$3:$3",
		"Xếp hạng _xlnm.Print_Area":         "",
		"Theo dõi _xlnm.Print_Area":         "",
		"Chi tiết 1 _xlnm.Print_Area":       "",
		"Cảnh báo _xlnm.Print_Area":         "",
		"Chưa nộp _xlnm.Print_Area":         "",
		"Chi tiết 2 _xlnm.Print_Area":       "",
		"Xếp hạng _xlnm.Print_Titles_extra": "",
	} {
		if names[k] != want {
			t.Errorf("%s = %q, want %q", k, names[k], want)
		}
	}
	// The rules under the office and the motto are drawn.
	if d := files["xl/drawings/drawing1.xml"]; strings.Count(d, "<xdr:cxnSp") != 2 {
		t.Errorf("the report's rules: %s", d)
	}
	// Cells are the styled table's even when empty.
	if a, _ := f.GetCellStyle(SheetRanking, ax(4, hdr+5)); a == 0 || a != must(f.GetCellStyle(SheetRanking, ax(4, hdr+1))) {
		t.Errorf("blank total styled %d", a)
	}
	goldenDump(t, "xep-hang.txt", f)
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
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
	_, rk := testkit.RankedCohort(t)
	var first []byte
	for i := range 5 {
		var buf bytes.Buffer
		if err := WriteRanking(&buf, rk, rankingOptions()); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.Bytes()
		} else if !bytes.Equal(first, buf.Bytes()) {
			t.Fatalf("build %d differs from the first", i+1)
		}
	}
}

// TestWorkbookLargeCohort: over 60 units the totals chart shows the top 30
// and says so; the bottom three shaded; nothing submitted still gives a
// workbook, without charts.
func TestWorkbookLargeCohort(t *testing.T) {
	r, sc := testkit.CohortRubric(t)
	rng := rand.New(rand.NewPCG(3, 4))
	var subs []ranking.Submission
	for i := range 70 {
		subs = append(subs, testkit.CohortSubmission(fmt.Sprintf("U%02d", i), fmt.Sprintf("Xã %02d", i), float64(rng.IntN(2)), rng.Float64()*100, rng.Float64()))
	}
	rk := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2024, Submissions: subs})
	f, data := written(t, rk, rankingOptions())
	if v, _ := f.GetCellValue(SheetPillars, "A2"); !strings.Contains(v, "30 đơn vị dẫn đầu") || !strings.Contains(v, "70") {
		t.Errorf("note %q", v)
	}
	x := html.UnescapeString(zipFiles(t, data)["xl/charts/chart1.xml"])
	if !strings.Contains(x, "'Trụ cột'!$C$4:$C$33") {
		t.Error("totals chart is not limited to the top 30")
	}
	if fill := fillOf(t, f, SheetTracking, "D73"); fill != "FFC7CE" {
		t.Errorf("bottom total fill %q", fill)
	}
	if fill := fillOf(t, f, SheetTracking, "D40"); fill != "" {
		t.Errorf("a middle total is shaded %q", fill)
	}

	empty := ranking.Build(sc, ranking.Input{Rubric: r, Year: 2024, Roster: testkit.CohortUnits})
	f, data = written(t, empty, RankingOptions{Generated: generated, Issuer: Issuer{Office: "UBND huyện Triệu Sơn"}})
	if _, ok := zipFiles(t, data)["xl/charts/chart1.xml"]; ok {
		t.Error("chart without data")
	}
	hdr := findRow(t, f, SheetRanking, 1, "Hạng")
	if v, _ := f.GetCellValue(SheetRanking, ax(3, hdr+1)); v == "" {
		t.Error("roster not listed")
	}
	// Defaults that read: no parent office, the place from the office's
	// name, the signer's title, a blank for the name.
	text := sheetText(t, f, SheetRanking)
	if !slices.Contains(text, "UBND HUYỆN TRIỆU SƠN") || !slices.Contains(text, "Triệu Sơn, ngày 05 tháng 01 năm 2024") ||
		text[len(text)-1] != defaultSigner+"\n\n\n\n" {
		t.Errorf("defaults: %q", text)
	}
}

// TestWorkbookMarks: the report's title and every sheet's say TẠM TÍNH or
// CHÍNH THỨC with the version, and the note which version a final one
// replaces, or which official version is in force beside a provisional
// one: provisional and final workbooks never look alike, on screen and on
// every printed page.
func TestWorkbookMarks(t *testing.T) {
	_, rk := testkit.RankedCohort(t)
	for _, tt := range []struct {
		final            bool
		version, replace int
		official         int
		title, note, hdr string
	}{
		{final: true, version: 1, title: "(CHÍNH THỨC — BẢN SỐ 1)", note: "Bảng xếp hạng CHÍNH THỨC bản số 1.", hdr: "BẢN CHÍNH THỨC SỐ 1"},
		{final: true, version: 2, replace: 1, title: "(CHÍNH THỨC — BẢN SỐ 2, THAY THẾ BẢN SỐ 1)", note: "CHÍNH THỨC bản số 2, thay thế bản số 1.",
			hdr: "BẢN CHÍNH THỨC SỐ 2"},
		{official: 2, title: "(TẠM TÍNH)", note: "bảng xếp hạng chính thức hiện hành là bản số 2", hdr: "BẢN TẠM TÍNH"},
	} {
		rk.Final, rk.Version, rk.Replaces, rk.Official = tt.final, tt.version, tt.replace, tt.official
		f, _ := written(t, rk, rankingOptions())
		for _, s := range f.GetSheetList() {
			text := sheetText(t, f, s)
			if !slices.Contains(text, tt.title) && !strings.HasSuffix(text[0], " "+tt.title) {
				t.Errorf("%s: no %q in %q", s, tt.title, text[:min(8, len(text))])
			}
			if hf, _ := f.GetHeaderFooter(s); !strings.Contains(hf.OddHeader, tt.hdr) {
				t.Errorf("%s header %q, want %q", s, hf.OddHeader, tt.hdr)
			}
		}
		if text := sheetText(t, f, SheetRanking); !strings.Contains(strings.Join(text, "\n"), tt.note) {
			t.Errorf("report lacks %q", tt.note)
		}
	}
}

// TestPrintPlan: a narrow table prints portrait, a wide one landscape,
// shrunk while its text stays 9 points or more, else split into bands of
// columns with the unit columns repeated.
func TestPrintPlan(t *testing.T) {
	wide := []float64{6, 9, 24}
	for range 60 {
		wide = append(wide, 10)
	}
	for _, tt := range []struct {
		name      string
		widths    []float64
		landscape bool
		fit       bool
		bands     int
	}{
		{"narrow", []float64{6, 20, 30, 10}, false, false, 1},
		{"landscape", []float64{6, 20, 30, 10, 10, 10, 10, 10, 10, 10, 10}, true, false, 1},
		{"shrunk", []float64{6, 9, 22, 9, 8, 9, 9, 9, 9, 9, 9, 9, 9, 14, 10}, true, true, 1},
		{"split", wide, true, false, 7},
	} {
		pl := planPrint(tt.widths, 3, bodySize)
		if pl.landscape != tt.landscape || pl.fit != tt.fit || len(pl.breaks)+1 != tt.bands {
			t.Errorf("%s: %+v", tt.name, pl)
		}
		// Every band fits the page at full size, the repeated columns with it.
		if len(pl.breaks) > 0 {
			from := 1
			for _, b := range append(pl.breaks, len(tt.widths)) {
				w := 0.0
				for c := 1; c <= 3; c++ {
					w += colPoints(tt.widths[c-1])
				}
				for c := max(from, 4); c <= b; c++ {
					w += colPoints(tt.widths[c-1])
				}
				if w > a4Long-(marginLeft+marginRight)*72 {
					t.Errorf("%s: band to column %d is %.0f pt wide", tt.name, b, w)
				}
				from = b + 1
			}
		}
	}
}

// TestPlaceAndDate: the place from the office's name; the date line with
// the leading zeros the decree asks for.
func TestPlaceAndDate(t *testing.T) {
	for office, want := range map[string]string{"UBND huyện Triệu Sơn": "Triệu Sơn", "Ủy ban nhân dân tỉnh Thanh Hóa": "Thanh Hóa",
		"UBND thành phố Thanh Hóa": "Thanh Hóa", "Sở Thông tin và Truyền thông": "", "don-vi": "", "UBND huyện": ""} {
		if got := PlaceOf(office); got != want {
			t.Errorf("PlaceOf(%q) = %q, want %q", office, got, want)
		}
	}
	for at, want := range map[time.Time]string{
		time.Date(2024, 2, 5, 9, 0, 0, 0, layout.Vietnam):   "Triệu Sơn, ngày 05 tháng 02 năm 2024",
		time.Date(2023, 12, 15, 9, 0, 0, 0, layout.Vietnam): "Triệu Sơn, ngày 15 tháng 12 năm 2023",
		time.Date(2023, 3, 1, 9, 0, 0, 0, layout.Vietnam):   "Triệu Sơn, ngày 01 tháng 3 năm 2023",
	} {
		if got := dateLine("Triệu Sơn", at, layout.Vietnam); got != want {
			t.Errorf("dateLine %v = %q, want %q", at, got, want)
		}
	}
}

// TestAppraisalWorkbook: the council's sheet as written (golden), read back
// by excelize: long indicator names wrap, each row as tall as its text; the
// input column unlocked and validated on a protected sheet; the metadata.
func TestAppraisalWorkbook(t *testing.T) {
	data := appraisalBook(t)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{SheetAppraisal, SheetMeta}) {
		t.Fatalf("sheets %q", got)
	}
	if v, _ := f.GetCellValue(SheetAppraisal, "A2"); v != "UBND huyện Triệu Sơn" {
		t.Errorf("office %q", v)
	}
	long := 0
	rows, _ := f.GetRows(SheetAppraisal)
	for i, r := range rows[appraisalFirstRow-1:] {
		if len(r) < 4 {
			continue
		}
		h, _ := f.GetRowHeight(SheetAppraisal, appraisalFirstRow+i)
		lines := textLines(r[3], 44, bodySize, false)
		if lines > 1 {
			long++
			if h < float64(lines)*lineHeight(bodySize) {
				t.Errorf("row %d: %d lines of %q in %v pt", appraisalFirstRow+i, lines, r[3], h)
			}
		}
	}
	if long == 0 {
		t.Error("no indicator name wraps: the test says nothing")
	}
	if dv, _ := f.GetDataValidations(SheetAppraisal); len(dv) != 1 || !strings.HasPrefix(dv[0].Sqref, "H5:H") {
		t.Errorf("validation %+v", dv)
	}
	if props, _ := f.GetCustomProps(); len(props) != 6 {
		t.Errorf("properties %+v", props)
	}
	goldenDump(t, "tham-dinh.txt", f)
}

// TestWorkbookReaders: openpyxl reads the ranking and appraisal workbooks
// (excelize does in every test above).
func TestWorkbookReaders(t *testing.T) {
	_, rk := testkit.RankedCohort(t)
	_, data := written(t, rk, rankingOptions())
	path := filepath.Join(t.TempDir(), "xep-hang.xlsx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ap := filepath.Join(t.TempDir(), "tham-dinh.xlsx")
	if err := os.WriteFile(ap, appraisalBook(t), 0o644); err != nil {
		t.Fatal(err)
	}
	testkit.Openpyxl(t, `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ws = wb["Thẩm định"]
assert ws["B5"].value == "Xã Triệu Thành", ws["B5"].value
assert ws["H5"].protection.locked is False
assert ws.protection.sheet
assert ws.print_title_rows in ("4:4", "$4:$4"), ws.print_title_rows
assert wb["_chiso"].sheet_state == "veryHidden"
`, ap)
	testkit.Openpyxl(t, `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames[0] == "Xếp hạng", wb.sheetnames
ws = wb["Xếp hạng"]
values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in values, values[:10]
assert "Xã Cao" in values and 35 in values, values
assert ws.page_setup.paperSize in (9, "9"), ws.page_setup.paperSize
assert wb["Chi tiết 2"]["F6"].comment is not None
assert len(wb["Trụ cột"]._charts) == 2
`, path)
}

// BenchmarkWorkbook3321 writes the ranking workbook of the whole country in
// one cohort (3,321 communes after the 2025 reform) on the shipped Thanh
// Hóa commune rubric, with random figures.
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
		if err := WriteRanking(io.Discard, rk, rankingOptions()); err != nil {
			b.Fatal(err)
		}
	}
}
