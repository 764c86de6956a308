package workbook

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"gopkg.in/yaml.v3"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/values"
)

// formulaText is typed by a commune as an explanation; it must stay text.
const formulaText = `=HYPERLINK("x")`

// trieuThanhExplain are explanations as the 2023 report gives them.
var trieuThanhExplain = map[string]string{
	"1.2":  "Cấp trưởng chủ trì 3, cấp phó chủ trì 1",
	"1.3":  "Chưa có chuyên mục riêng",
	"1.4":  "chưa có chuyên mục riêng",
	"2.5":  formulaText,
	"3.10": "Chưa triển khai",
	"4.4":  "Có chủ tịch trưởng ban được tập huấn",
	"4.5":  "Chưa.",
}

func rubricByID(t testing.TB, id string) *rubric.Rubric {
	t.Helper()
	for _, r := range shipped(t) {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no rubric %s", id)
	return nil
}

// trieuThanhWorkbook generates the template, fills it with the Triệu Thành
// 2023 figures through the defined names as a commune would, and reopens it.
func trieuThanhWorkbook(t testing.TB) (*rubric.Rubric, *excelize.File) {
	t.Helper()
	r := rubricByID(t, "thanhhoa-xa-2023")
	data, err := os.ReadFile(filepath.Join("..", "..", "templates", "testdata", "trieu-thanh-2023.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var vf values.File
	if err := yaml.Unmarshal(data, &vf); err != nil {
		t.Fatal(err)
	}
	f := generate(t, r, TemplateOptions{Year: 2023, UnitCode: "TS01", UnitName: "Xã Triệu Thành"})
	named := Named(f)
	put := func(name string, raw any) {
		t.Helper()
		c, ok := named[name]
		if !ok {
			t.Fatalf("no defined name %s", name)
		}
		var err error
		if s, ok := raw.(string); ok {
			err = f.SetCellStr(c.Sheet, c.Addr, s)
		} else {
			err = f.SetCellValue(c.Sheet, c.Addr, raw)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for k, raw := range vf.General {
		put(GeneralName(k), raw)
	}
	for code, inputs := range vf.Indicators {
		_, in := r.Indicator(code)
		for k, raw := range inputs {
			x, _ := in.Input(k)
			if s, ok := raw.(string); ok && x.Type == rubric.Choice {
				// The commune picks the label from the dropdown.
				if o, ok := values.MatchOption(x, s); ok {
					raw = o.Label
				}
			}
			put(InputName(code, k), raw)
		}
	}
	for code, s := range vf.Self {
		put(SelfName(code), s)
	}
	for code, s := range trieuThanhExplain {
		put(ExplainName(code), s)
	}
	put(EvidenceName("1.6"), "Kế hoạch tập huấn số 12/KH-UBND")
	return r, reopen(t, f)
}

// trieuThanhProblems are hand-made problems on real cells of the submission.
func trieuThanhProblems(sub *Submission) []problem.Problem {
	at := func(code, key string) string { return sub.Cells[RawKey(code, key)].Where() }
	return []problem.Problem{
		{Severity: problem.Info, Code: "no-evidence", Indicator: "2.1", Input: KeyEvidence, Cell: at("2.1", KeyEvidence),
			Message: "Chỉ số 2.1: tự chấm 20 điểm nhưng chưa liệt kê tài liệu kiểm chứng (ô " + at("2.1", KeyEvidence) + "). Hãy ghi số, ngày của nghị quyết."},
		{Severity: problem.Warning, Code: "self-differs", Indicator: "1.4", Input: KeySelf, Cell: at("1.4", KeySelf),
			Message: "Chỉ số 1.4: điểm tự chấm 10 khác điểm hệ thống chấm 0. Hãy xem lại."},
		{Severity: problem.Warning, Code: "explain-contradicts", Indicator: "1.4", Input: KeySelf, Cell: at("1.4", KeySelf),
			Message: "Chỉ số 1.4: giải trình \"chưa có chuyên mục riêng\" nhưng tự chấm 10 điểm. Hãy sửa điểm tự chấm hoặc giải trình."},
		{Severity: problem.Error, Code: "not-number", Indicator: "1.5", Input: "a", Cell: at("1.5", "a"),
			Message: "Chỉ số 1.5, số liệu a (ô " + at("1.5", "a") + "): cần một số. Hãy nhập số lần, không kèm chữ."},
		{Severity: problem.Warning, Code: "den-mismatch", Input: "so_cbcc", Cell: sub.Cells[RawKey(GeneralKey, "so_cbcc")].Where(),
			Message: "Thông tin chung \"Tổng số cán bộ công chức (CBCC)\": 19, khác số máy tính được cấp. Hãy kiểm tra lại."},
		{Severity: problem.Info, Code: "cohort", Indicator: "3.10",
			Message: "Chỉ số 3.10: giải trình \"Chưa triển khai\"."},
		{Severity: problem.Info, Code: "read-by-names", Message: "Tệp được đọc theo tên ô của biểu mẫu."},
	}
}

var trieuThanhReceived = time.Date(2023, 12, 19, 2, 30, 0, 0, time.UTC) // 09:30 in Vietnam

// annotateTrieuThanh reads, scores and annotates the Triệu Thành workbook
// and returns it saved and reopened.
func annotateTrieuThanh(t *testing.T, f *excelize.File, r *rubric.Rubric, problems func(*Submission) []problem.Problem) (*excelize.File, *Submission, *engine.Result) {
	t.Helper()
	sub := readSubmission(excelSource{f}, r)
	if sub.FoundBy != "names" || len(sub.Problems) > 0 {
		t.Fatalf("read by %s, problems %v", sub.FoundBy, sub.Problems)
	}
	sc, err := engine.New(r)
	if err != nil {
		t.Fatal(err)
	}
	res := sc.Score(sub.Values)
	sum := sha256.Sum256([]byte("trieu-thanh-2023"))
	g := annotateFile(t, f, Annotation{
		Rubric: r, Sub: sub, Result: res, Problems: problems(sub),
		FileName: "Triệu Thành - DTI 2023.xlsx", Hash: hex.EncodeToString(sum[:]),
		Received: trieuThanhReceived, Unit: "Xã Triệu Thành", Year: 2023,
	})
	return g, sub, res
}

func TestAnnotateTrieuThanh(t *testing.T) {
	r, f := trieuThanhWorkbook(t)
	// The commune's own comment on a cell that will get a problem.
	self14 := Named(f)[SelfName("1.4")]
	if err := f.AddComment(self14.Sheet, excelize.Comment{Cell: self14.Addr, Author: "Nguyễn Văn A", Text: "Đã hỏi huyện"}); err != nil {
		t.Fatal(err)
	}
	f, sub, res := annotateTrieuThanh(t, f, r, trieuThanhProblems)
	defer f.Close()

	t.Run("sheets", func(t *testing.T) {
		want := []string{SheetResult, SheetGuide, SheetGeneral, SheetScores, SheetLists, SheetMeta, SheetAnnot}
		if got := f.GetSheetList(); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("sheets %v, want %v", got, want)
		}
		if f.GetActiveSheetIndex() != 0 {
			t.Errorf("active sheet %d", f.GetActiveSheetIndex())
		}
		if vis, _ := f.GetSheetVisible(SheetAnnot); vis {
			t.Errorf("%s visible", SheetAnnot)
		}
		// Sheet-scoped names follow their sheet through the move.
		titles := map[string]string{}
		for _, dn := range f.GetDefinedName() {
			if dn.Name == "_xlnm.Print_Titles" {
				titles[dn.Scope] = dn.RefersTo
			}
		}
		for sheet, want := range map[string]string{SheetScores: "'Chỉ số'!$4:$5", SheetGeneral: "'Thông tin chung'!$1:$1", SheetResult: "'Kết quả chấm'!$1:$2"} {
			if titles[sheet] != want {
				t.Errorf("print titles of %s = %q, want %q (all %v)", sheet, titles[sheet], want, titles)
			}
		}
		// Still a readable submission with the same figures.
		again := readSubmission(excelSource{f}, r)
		if again.FoundBy != "names" || len(again.Problems) > 0 || again.Values.Self["1.4"] != 10 {
			t.Errorf("annotated workbook no longer reads: %s %v", again.FoundBy, again.Problems)
		}
	})

	rows, err := f.GetRows(SheetResult, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	find := func(col int, text string) int {
		for i, r := range rows {
			if col < len(r) && r[col] == text {
				return i
			}
		}
		t.Fatalf("no %q in column %d of %s", text, col, SheetResult)
		return -1
	}
	colv := func(r []string, i int) string {
		if i < len(r) {
			return r[i]
		}
		return ""
	}

	t.Run("header", func(t *testing.T) {
		for label, want := range map[string]string{
			"Đơn vị":         "Xã Triệu Thành (mã TS01)",
			"Năm đánh giá":   "2023",
			"Tệp đã nhận":    "Triệu Thành - DTI 2023.xlsx",
			"Thời điểm nhận": "19/12/2023 09:30",
			"Bộ chỉ số":      "thanhhoa-xa-2023 — " + r.Name,
		} {
			if got := colv(rows[find(0, label)], 2); got != want {
				t.Errorf("%s = %q, want %q", label, got, want)
			}
		}
		if got := colv(rows[find(0, "Xếp hạng")], 2); !strings.Contains(got, "chưa xếp hạng") || !strings.Contains(got, "xếp hạng sau") {
			t.Errorf("rank %q", got)
		}
		if got := colv(rows[find(0, "Số vấn đề phát hiện")], 2); got != "1 lỗi, 3 cảnh báo, 3 thông tin" {
			t.Errorf("problem count %q", got)
		}
		p, _ := f.GetPanes(SheetResult)
		pl, _ := f.GetPageLayout(SheetResult)
		if !p.Freeze || p.YSplit != 2 || pl.Size == nil || *pl.Size != 9 || *pl.Orientation != "landscape" {
			t.Errorf("panes %+v layout %+v", p, pl)
		}
		sid, _ := f.GetCellStyle(SheetResult, "A1")
		if st, _ := f.GetStyle(sid); st.Font == nil || st.Font.Family != fontName {
			t.Errorf("title font %+v", st.Font)
		}
	})

	t.Run("pillars", func(t *testing.T) {
		h := find(0, "TT")
		if got := strings.Join(rows[h][:6], "|"); got != "TT|Trụ cột|Điểm tối đa|Tự chấm|Hệ thống chấm|Chênh lệch (hệ thống − tự chấm)" {
			t.Errorf("pillar header %q", got)
		}
		// Pillar 1: 20 + 17.5 + 0 + 0 + 10 + 20 against a self-score of 100.
		if got := strings.Join(rows[h+1][:6], "|"); got != "1|Nhận thức số|100|100|67.5|-32.5" {
			t.Errorf("pillar 1 row %q", got)
		}
		for i, pr := range res.Pillars {
			row := rows[h+1+i]
			if row[0] != pr.Code || row[4] != ftoa(engine.Round2(pr.Points)) || row[3] != ftoa(pr.Self) {
				t.Errorf("pillar %s row %v, result %+v", pr.Code, row, pr)
			}
		}
		total := rows[h+1+len(res.Pillars)]
		if total[1] != "TỔNG ĐIỂM" || total[2] != "1000" || total[3] != "775" || total[4] != ftoa(engine.Round2(res.Total)) {
			t.Errorf("total row %v (total %v)", total, res.Total)
		}
		if n := colv(rows[h+3], 6); !strings.Contains(n, "3.4, 3.5, 3.11") || !strings.Contains(n, "xếp hạng sau") {
			t.Errorf("pillar 3 note %q", n)
		}
	})

	t.Run("problems", func(t *testing.T) {
		h := find(0, "Mức độ")
		want := [][]string{
			{"Lỗi", "1.5. ", sub.Cells[RawKey("1.5", "a")].Where()},
			{"Cảnh báo", "Thông tin chung", SheetGeneral + "!"},
			{"Cảnh báo", "1.4. ", sub.Cells[RawKey("1.4", KeySelf)].Where()},
			{"Cảnh báo", "1.4. ", sub.Cells[RawKey("1.4", KeySelf)].Where()},
			{"Thông tin", "Cả tệp", ""},
			{"Thông tin", "2.1. ", sub.Cells[RawKey("2.1", KeyEvidence)].Where()},
			{"Thông tin", "3.10. ", ""},
		}
		for i, w := range want {
			row := rows[h+1+i]
			if row[0] != w[0] || !strings.HasPrefix(row[1], w[1]) || !strings.HasPrefix(colv(row, 2), w[2]) || colv(row, 3) == "" {
				t.Errorf("problem row %d = %q, want %q…", i+1, row, w)
			}
		}
		if colv(rows[h+1+len(want)], 0) == "Thông tin" {
			t.Errorf("more problem rows than problems")
		}
		// The cell address links to the cell.
		if ok, link, _ := f.GetCellHyperLink(SheetResult, cell("C", h+2)); !ok || link != "'Chỉ số'!"+sub.Cells[RawKey("1.5", "a")].Addr {
			t.Errorf("link %v %q", ok, link)
		}
	})

	t.Run("cells", func(t *testing.T) {
		fillOf := func(c Cell) (string, *excelize.Style) {
			sid, _ := f.GetCellStyle(c.Sheet, c.Addr)
			st, _ := f.GetStyle(sid)
			if len(st.Fill.Color) == 0 {
				return "", st
			}
			return st.Fill.Color[0], st
		}
		for _, tc := range []struct {
			c    Cell
			fill string
		}{
			{sub.Cells[RawKey("1.5", "a")], "FFC7CE"},
			{sub.Cells[RawKey("1.4", KeySelf)], "FFC000"},
			{sub.Cells[RawKey("2.1", KeyEvidence)], "BDD7EE"},
			{sub.Cells[RawKey(GeneralKey, "so_cbcc")], "FFC000"},
			{sub.Cells[RawKey("1.2", "a")], "FFF2CC"}, // no problem: the template's input colour
		} {
			got, st := fillOf(tc.c)
			if got != tc.fill {
				t.Errorf("%s fill %q, want %q", tc.c.Where(), got, tc.fill)
			}
			// The rest of the style is kept: still an unlocked input in Times New Roman.
			if st.Protection == nil || st.Protection.Locked || st.Font == nil || st.Font.Family != fontName || len(st.Border) == 0 {
				t.Errorf("%s style lost: %+v", tc.c.Where(), st)
			}
		}
		comments := map[string]excelize.Comment{}
		for _, s := range []string{SheetScores, SheetGeneral} {
			cs, _ := f.GetComments(s)
			for _, c := range cs {
				comments[s+"!"+c.Cell] = c
			}
		}
		if len(comments) != 4 {
			t.Errorf("%d comments, want 4: %v", len(comments), comments)
		}
		c := comments[sub.Cells[RawKey("1.5", "a")].Where()]
		if text := commentText(c); c.Author != CommentAuthor || !strings.Contains(text, "Lỗi: Chỉ số 1.5") {
			t.Errorf("1.5 comment %s: %q", c.Author, text)
		}
		// Two problems on one cell: one comment, after the commune's own.
		c = comments[sub.Cells[RawKey("1.4", KeySelf)].Where()]
		text := commentText(c)
		if c.Author != "Nguyễn Văn A" || !strings.HasPrefix(text, "Đã hỏi huyện\n\n"+commentHead) ||
			strings.Count(text, "Cảnh báo: Chỉ số 1.4") != 2 {
			t.Errorf("1.4 comment %s: %q", c.Author, text)
		}
	})

	t.Run("indicator sheet", func(t *testing.T) {
		get := func(addr string) string {
			v, _ := f.GetCellValue(SheetScores, addr, excelize.Options{RawCellValue: true})
			return v
		}
		if got := get("L4") + "|" + get("M4") + "|" + get("N4") + "|" + get("O4") + "|" + get("P4"); got != strings.Join(sysHeaders, "|") {
			t.Errorf("headers %q", got)
		}
		if got := get("L5") + get("M5") + get("N5") + get("O5") + get("P5"); got != "LMNOP" {
			t.Errorf("column letters %q", got)
		}
		for code, want := range map[string][3]string{
			"1.2": {"17.5", "-2.5", ""},
			"4.4": {"2.11", "-17.89", ""},
			"3.4": {PendingText, "", "tạm tính, xếp hạng sau"},
			"3.7": {"0", "-10", "Thiếu số liệu: a"},
			"5.2": {"20", "0", "mẫu số bằng 0"},
		} {
			row := sub.Rows[code]
			got := [3]string{get(cell("N", row)), get(cell("O", row)), get(cell("P", row))}
			if got[0] != want[0] || got[1] != want[1] || !strings.Contains(strings.ToLower(got[2]), strings.ToLower(want[2])) {
				t.Errorf("%s row %d: %q, want %q", code, row, got, want)
			}
			// The code and name beside them, for the page they print on.
			if _, in := r.Indicator(code); get(cell("L", row)) != code || get(cell("M", row)) != in.Name {
				t.Errorf("%s row %d: code and name %q %q", code, row, get(cell("L", row)), get(cell("M", row)))
			}
		}
		if n := get(cell("P", sub.Rows["3.10"])); !strings.Contains(n, "Thông tin: Chỉ số 3.10") {
			t.Errorf("3.10 note without its cell-less problem: %q", n)
		}
		// Pillar and total rows.
		named := Named(f)
		_, totalRow, _ := excelize.CellNameToCoordinates(named["diem_tong"].Addr)
		if got := get(cell("M", totalRow)) + "|" + get(cell("N", totalRow)); got != "TỔNG ĐIỂM|"+ftoa(engine.Round2(res.Total)) {
			t.Errorf("total %q, want %v", got, res.Total)
		}
		if got := get(cell("L", sub.Rows["1.1"]-1)) + "|" + get(cell("M", sub.Rows["1.1"]-1)) + "|" + get(cell("N", sub.Rows["1.1"]-1)) + "|" + get(cell("O", sub.Rows["1.1"]-1)); got != "1|NHẬN THỨC SỐ|67.5|-32.5" {
			t.Errorf("pillar 1 row %q", got)
		}
		sid, _ := f.GetCellStyle(SheetScores, cell("N", sub.Rows["1.2"]))
		if st, _ := f.GetStyle(sid); numFmtCode(st) != fmtPoints || st.Protection == nil || !st.Protection.Locked {
			t.Errorf("score style %+v", st)
		}
	})

	t.Run("plan", func(t *testing.T) {
		h := find(0, "STT")
		var codes []string
		for _, row := range rows[h+1 : h+11] {
			code, _, _ := strings.Cut(row[1], ". ")
			codes = append(codes, code)
		}
		// Most points lost first (7.6 and 7.7: 40, figures missing), ties in
		// rubric order; pending cohort indicators (5.1: 20) are left out.
		if got, want := strings.Join(codes, " "), "7.6 7.7 8.5 1.3 2.5 4.5 7.1 4.4 1.4 3.6"; got != want {
			t.Errorf("plan %q, want %q", got, want)
		}
		if got := strings.Join(rows[h+1][:5], "|"); got != "1|7.6. Số DN tham gia sàn thương mại điện tử\n(Thiếu số liệu: a, b)|40|0|40" {
			t.Errorf("plan row 1 %q", got)
		}
		if got := strings.Join(rows[h+4], "|"); got != "4|1.3. "+r.Pillars[0].Indicators[2].Name+"\n(Thiếu số liệu: b)|20|0|20|Chưa có chuyên mục riêng" {
			t.Errorf("plan row 4 %q", got)
		}
		for _, row := range rows[h+1 : h+11] {
			if strings.HasPrefix(row[1], "3.4.") || strings.HasPrefix(row[1], "5.4.") {
				t.Errorf("pending cohort indicator in the plan: %q", row)
			}
		}
		if !strings.Contains(strings.Join(rows[h+11], ""), "không nêu nhiệm vụ") {
			t.Errorf("no note about the missing responsibilities: %q", rows[h+11])
		}
	})

	t.Run("formula text stays text", func(t *testing.T) {
		ex := Named(f)[ExplainName("2.5")]
		if fm, _ := f.GetCellFormula(ex.Sheet, ex.Addr); fm != "" || ex.Raw != formulaText {
			t.Errorf("explanation cell %s: formula %q value %q", ex.Where(), fm, ex.Raw)
		}
		found := false
		for ri, row := range rows {
			for ci, v := range row {
				addr, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				if fm, _ := f.GetCellFormula(SheetResult, addr); fm != "" {
					t.Errorf("%s!%s has formula %q", SheetResult, addr, fm)
				}
				if v == formulaText {
					found = true
					if typ, _ := f.GetCellType(SheetResult, addr); typ == excelize.CellTypeFormula {
						t.Errorf("%s typed as formula", addr)
					}
				}
			}
		}
		if !found {
			t.Errorf("the 2.5 explanation is not in the plan")
		}
	})

	t.Run("golden", func(t *testing.T) {
		var buf bytes.Buffer
		if err := testkit.Dump(&buf, f, "chiso_"+MetaHash); err != nil {
			t.Fatal(err)
		}
		testkit.Golden(t, filepath.Join("testdata", "golden", "annotated-trieu-thanh.txt"), buf.Bytes())
	})
}

// TestAnnotateAgain annotates an annotated workbook (a commune corrected the
// result file and sent it back): the previous marks go, the commune's own
// comment stays, nothing is duplicated.
func TestAnnotateAgain(t *testing.T) {
	r, f := trieuThanhWorkbook(t)
	self14 := Named(f)[SelfName("1.4")]
	if err := f.AddComment(self14.Sheet, excelize.Comment{Cell: self14.Addr, Author: "Nguyễn Văn A", Text: "Đã hỏi huyện"}); err != nil {
		t.Fatal(err)
	}
	f, sub, _ := annotateTrieuThanh(t, f, r, trieuThanhProblems)
	var first bytes.Buffer
	if err := testkit.Dump(&first, f); err != nil {
		t.Fatal(err)
	}
	// Same problems again: the same workbook.
	f, _, _ = annotateTrieuThanh(t, f, r, trieuThanhProblems)
	var second bytes.Buffer
	if err := testkit.Dump(&second, f); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() {
		t.Errorf("annotating twice differs from once")
	}
	// Only the 1.5 error left.
	f, _, _ = annotateTrieuThanh(t, f, r, func(s *Submission) []problem.Problem { return trieuThanhProblems(s)[3:4] })
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 7 || got[0] != SheetResult {
		t.Errorf("sheets %v", got)
	}
	cs, _ := f.GetComments(SheetScores)
	byCell := map[string]excelize.Comment{}
	for _, c := range cs {
		byCell[c.Cell] = c
	}
	if c := byCell[self14.Addr]; c.Author != "Nguyễn Văn A" || commentText(c) != "Đã hỏi huyện" {
		t.Errorf("commune comment %s %q", c.Author, commentText(c))
	}
	if len(cs) != 2 {
		t.Errorf("comments %v", cs)
	}
	for addr, want := range map[string]string{self14.Addr: "FFF2CC", sub.Cells[RawKey("1.5", "a")].Addr: "FFC7CE"} {
		sid, _ := f.GetCellStyle(SheetScores, addr)
		st, _ := f.GetStyle(sid)
		if len(st.Fill.Color) == 0 || st.Fill.Color[0] != want {
			t.Errorf("%s fill %v, want %s", addr, st.Fill, want)
		}
	}
	if v, _ := f.GetCellValue(SheetScores, "Q4"); v != "" {
		t.Errorf("columns added again: Q4 = %q", v)
	}
	gen, _ := f.GetCellValue(SheetGeneral, sub.Cells[RawKey(GeneralKey, "so_cbcc")].Addr)
	sid, _ := f.GetCellStyle(SheetGeneral, sub.Cells[RawKey(GeneralKey, "so_cbcc")].Addr)
	if st, _ := f.GetStyle(sid); gen != "19" || isOurFill(fillOfExcel(st.Fill)) {
		t.Errorf("general cell %q keeps fill %v", gen, st.Fill)
	}
}

// TestAnnotateSettled: cohort-relative scores settled against the units in
// so far stay provisional ("tạm tính, xếp hạng sau") and out of the plan;
// once the ranking gives a cohort date they say when, the rank shows and
// they enter the improvement plan.
func TestAnnotateSettled(t *testing.T) {
	for _, tc := range []struct {
		name       string
		cohortDate time.Time
		rank       string
		official   int
		want       []string // in the result sheet
		notWant    []string
		note34     string // on 3.4's row
	}{
		{name: "provisional",
			want:    []string{"— TẠM TÍNH", "chưa xếp hạng", "3.4, 3.5, 3.11 tính theo các đơn vị đã nộp", "Chưa xét các chỉ số so sánh giữa các đơn vị 3.4, 3.5, 3.11, 5.1, 5.4"},
			notWant: []string{"|5.1. ", "cụm ngày"},
			note34:  "tạm tính theo 2 đơn vị đã nộp, xếp hạng sau"},
		{name: "settled", cohortDate: time.Date(2024, 1, 31, 0, 0, 0, 0, layout.Vietnam), rank: "5/30", official: 2,
			want: []string{"NĂM 2023 — CHÍNH THỨC (BẢN SỐ 2)", "5/30 (bảng xếp hạng chính thức, bản số 2); tính theo cụm ngày 31/01/2024", "|5.1. ",
				"3.4, 3.5, 3.11: tính theo cụm ngày 31/01/2024"},
			notWant: []string{"xếp hạng sau", "tạm tính"},
			note34:  "tính theo cụm ngày 31/01/2024 (2 đơn vị có số liệu)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, f := trieuThanhWorkbook(t)
			defer f.Close()
			sub := readSubmission(excelSource{f}, r)
			sc, _ := engine.New(r)
			res := sc.Score(sub.Values)
			other := engine.NewValues()
			other.Set("3.4", "a", engine.Num(100))
			other.Set("3.4", "b", engine.Num(100))
			sc.Settle([]*engine.Result{res, sc.Score(other)})
			f = annotateFile(t, f, Annotation{Rubric: r, Sub: sub, Result: res, Unit: "Xã Triệu Thành", Year: 2023,
				CohortDate: tc.cohortDate, Rank: tc.rank, Official: tc.official})
			defer f.Close()
			rows, _ := f.GetRows(SheetResult)
			all := ""
			for _, r := range rows {
				all += strings.Join(r, "|") + "\n"
			}
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("no %q in:\n%s", w, all)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(strings.ToLower(all), strings.ToLower(w)) {
					t.Errorf("%q in:\n%s", w, all)
				}
			}
			// Half the best unit's figure: 5 of 10, provisional or not.
			note, _ := f.GetCellValue(SheetScores, cell("P", sub.Rows["3.4"]))
			score, _ := f.GetCellValue(SheetScores, cell("N", sub.Rows["3.4"]), excelize.Options{RawCellValue: true})
			if !strings.Contains(note, tc.note34) || score != "5" {
				t.Errorf("3.4: %q %q", score, note)
			}
		})
	}
}

// TestAnnotateAppraisal: an appraisal council's score is the system score,
// and the note gives the score computed from the figures.
func TestAnnotateAppraisal(t *testing.T) {
	r, f := trieuThanhWorkbook(t)
	defer f.Close()
	sub := readSubmission(excelSource{f}, r)
	sc, _ := engine.New(r)
	res := sc.Score(sub.Values)
	sc.Override(res, map[string]float64{"1.4": 5})
	f = annotateFile(t, f, Annotation{Rubric: r, Sub: sub, Result: res, Year: 2023})
	defer f.Close()
	row := sub.Rows["1.4"]
	score, _ := f.GetCellValue(SheetScores, cell("N", row), excelize.Options{RawCellValue: true})
	diff, _ := f.GetCellValue(SheetScores, cell("O", row), excelize.Options{RawCellValue: true})
	note, _ := f.GetCellValue(SheetScores, cell("P", row))
	if score != "5" || diff != "-5" || note != "Điểm thẩm định của Hội đồng: 5 (điểm tính theo số liệu: 0)." {
		t.Errorf("1.4: %q %q %q", score, diff, note)
	}
}

// TestAnnotateDamagedComments: a workbook whose comments part is damaged
// (the commune's comments are unreadable) is still annotated in full.
func TestAnnotateDamagedComments(t *testing.T) {
	r, f := trieuThanhWorkbook(t)
	f, _, _ = annotateTrieuThanh(t, f, r, trieuThanhProblems)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	zr, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	damaged := 0
	for _, zf := range zr.File {
		w, _ := zw.Create(zf.Name)
		if strings.HasPrefix(zf.Name, "xl/comments") {
			w.Write([]byte("<comments><<<"))
			damaged++
			continue
		}
		rc, _ := zf.Open()
		io.Copy(w, rc)
		rc.Close()
	}
	zw.Close()
	if damaged == 0 {
		t.Fatal("no comments part to damage")
	}
	g, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	g, _, _ = annotateTrieuThanh(t, g, r, trieuThanhProblems)
	defer g.Close()
	if got := g.GetSheetList(); got[0] != SheetResult {
		t.Errorf("sheets %v", got)
	}
	rows, _ := g.GetRows(SheetResult)
	n := 0
	for _, row := range rows {
		if len(row) > 0 && (row[0] == "Lỗi" || row[0] == "Cảnh báo" || row[0] == "Thông tin") {
			n++
		}
	}
	if n != len(trieuThanhProblems(&Submission{Cells: map[string]Cell{}})) {
		t.Errorf("%d problem rows", n)
	}
}

// TestAnnotatedInLibreOffice opens the annotated workbook in LibreOffice,
// renders it to PDF and saves it back as .xlsx: the result sheet stays
// first, the system's columns and the comments survive.
func TestAnnotatedInLibreOffice(t *testing.T) {
	bin := soffice(t)
	r, f := trieuThanhWorkbook(t)
	f, sub, _ := annotateTrieuThanh(t, f, r, trieuThanhProblems)
	dir, out := t.TempDir(), t.TempDir()
	p := filepath.Join(dir, "annotated.xlsx")
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
	f.Close()
	runSoffice(t, bin, out, "pdf", p)
	if b, err := os.ReadFile(filepath.Join(out, "annotated.pdf")); err != nil || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Errorf("no PDF: %v", err)
	}
	runSoffice(t, bin, out, "xlsx:Calc MS Excel 2007 XML", p)
	g, err := excelize.OpenFile(filepath.Join(out, "annotated.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if got := g.GetSheetList(); len(got) == 0 || got[0] != SheetResult {
		t.Errorf("sheets after LibreOffice: %v", got)
	}
	if v, _ := g.GetCellValue(SheetScores, cell("N", sub.Rows["1.2"]), excelize.Options{RawCellValue: true}); v != "17.5" {
		t.Errorf("1.2 system score after LibreOffice: %q", v)
	}
	cs, _ := g.GetComments(SheetScores)
	found := false
	for _, c := range cs {
		found = found || (c.Cell == sub.Cells[RawKey("1.5", "a")].Addr && strings.Contains(commentText(c), "Chỉ số 1.5"))
	}
	if !found {
		t.Errorf("1.5 comment lost in LibreOffice: %v", cs)
	}
}

// TestAnnotateResponsibility: the plan takes task, offices and officer
// from the indicator, else its parent, else its pillar.
func TestAnnotateResponsibility(t *testing.T) {
	r := &rubric.Rubric{Pillars: []*rubric.Pillar{{Code: "1", Task: "Nhiệm vụ trụ cột", Lead: "Văn phòng", Support: "Các đoàn thể",
		Indicators: []*rubric.Indicator{
			{Code: "1.1", Task: "Nhiệm vụ 1.1", Officer: "Công chức A"},
			{Code: "1.2", Lead: "BCĐ", Children: []*rubric.Indicator{{Code: "1.2.1"}}},
		}}}}
	an := &annotator{a: Annotation{Rubric: r}, res: map[string]*engine.IndicatorResult{
		"1.1": {Code: "1.1"}, "1.2": {Code: "1.2"}, "1.2.1": {Code: "1.2.1", Parent: "1.2"},
	}}
	for code, want := range map[string][4]string{
		"1.1":   {"Nhiệm vụ 1.1", "Văn phòng", "Các đoàn thể", "Công chức A"},
		"1.2.1": {"Nhiệm vụ trụ cột", "BCĐ", "Các đoàn thể", ""},
	} {
		_, in := r.Indicator(code)
		task, lead, support, officer := an.responsibility(in)
		if got := [4]string{task, lead, support, officer}; got != want {
			t.Errorf("%s: %q, want %q", code, got, want)
		}
	}
}

func TestViNum(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 17.5: "17,5", 697.305: "697,31", 1000: "1.000", -32.5: "-32,5", 1234567.891: "1.234.567,89"} {
		if got := viNum(x); got != want {
			t.Errorf("viNum(%v) = %q, want %q", x, got, want)
		}
	}
}

func commentText(c excelize.Comment) string {
	var b strings.Builder
	for _, r := range commentRuns(c) {
		b.WriteString(r.Text)
	}
	return b.String()
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }

// TestAnnotateOldColumns: a result written before the code and name were
// copied beside the system's columns (score, difference and note at L:N)
// is annotated again into the five columns from L, with nothing of the
// old three left.
func TestAnnotateOldColumns(t *testing.T) {
	r, f := trieuThanhWorkbook(t)
	sub := readSubmission(excelSource{f}, r)
	old := map[string]string{"L4": hdrSysScore, "M4": hdrSysDiff, "N4": hdrSysNote, "L5": "L", "M5": "M", "N5": "N"}
	for _, code := range []string{"1.2", "3.7"} {
		row := sub.Rows[code]
		old[cell("L", row)], old[cell("M", row)], old[cell("N", row)] = "99", "-1", "ghi chú cũ"
	}
	for addr, v := range old {
		if err := f.SetCellStr(SheetScores, addr, v); err != nil {
			t.Fatal(err)
		}
	}
	g, _, _ := annotateTrieuThanh(t, f, r, trieuThanhProblems)
	defer g.Close()
	get := func(col string, row int) string {
		v, _ := g.GetCellValue(SheetScores, cell(col, row), excelize.Options{RawCellValue: true})
		return v
	}
	var heads []string
	for _, col := range []string{"L", "M", "N", "O", "P", "Q"} {
		heads = append(heads, get(col, 4))
	}
	if got := strings.Join(heads, "|"); got != strings.Join(sysHeaders, "|")+"|" {
		t.Errorf("headers %q", got)
	}
	for code, want := range map[string]string{"1.2": "17.5|-2.5|", "3.7": "0|-10|Thiếu số liệu: a"} {
		row := sub.Rows[code]
		got := get("N", row) + "|" + get("O", row) + "|" + get("P", row)
		if get("L", row) != code || !strings.HasPrefix(got, want) || get("Q", row) != "" {
			t.Errorf("%s: %s %q, Q %q", code, get("L", row), got, get("Q", row))
		}
	}
}

// TestAnnotateGrowsTypedRows: a commune that types a long explanation in
// the form's narrow column gets a result whose row shows it whole (Excel
// keeps the form's row height as the commune typed); rows with no more
// text than the form foresaw keep the form's height.
func TestAnnotateGrowsTypedRows(t *testing.T) {
	r, f := trieuThanhWorkbook(t)
	named := Named(f)
	long := strings.Repeat("Đã ban hành kế hoạch, tổ chức tập huấn cho cán bộ, công chức và người dân. ", 6)
	ex := named[ExplainName("1.6")]
	if err := f.SetCellStr(ex.Sheet, ex.Addr, long); err != nil {
		t.Fatal(err)
	}
	_, row, err := excelize.CellNameToCoordinates(ex.Addr)
	if err != nil {
		t.Fatal(err)
	}
	_, quietRow, _ := excelize.CellNameToCoordinates(named[SelfName("1.2")].Addr)
	before := func(r int) float64 {
		h, err := f.GetRowHeight(ex.Sheet, r)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	formLong, formQuiet := before(row), before(quietRow)
	g, _, _ := annotateTrieuThanh(t, f, r, func(*Submission) []problem.Problem { return nil })
	defer g.Close()
	got, err := g.GetRowHeight(ex.Sheet, row)
	if err != nil {
		t.Fatal(err)
	}
	col, _, _ := excelize.CellNameToCoordinates(ex.Addr)
	name, _ := excelize.ColumnNumberToName(col)
	w, err := g.GetColWidth(ex.Sheet, name)
	if err != nil {
		t.Fatal(err)
	}
	// The explanation's cell is 11–12 pt: it needs at least this many lines.
	need := float64(wrappedLines(long, w*ptPerUnit-cellPadding, 11, false)) * lineHeight(11)
	if got < need || got <= formLong {
		t.Errorf("row %d with a %d-letter explanation: %.0f pt (form %.0f), needs at least %.0f", row, len([]rune(long)), got, formLong, need)
	}
	quiet, err := g.GetRowHeight(ex.Sheet, quietRow)
	if err != nil {
		t.Fatal(err)
	}
	if quiet > formQuiet && quiet > 0 {
		// The system's own note may grow a row; 1.2 has no problem here.
		t.Errorf("row %d: %.0f pt, the form's %.0f: grown without typed text", quietRow, quiet, formQuiet)
	}
}
