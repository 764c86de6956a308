package workbook

import (
	"archive/zip"
	"bytes"
	"cmp"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
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
	"github.com/chiso-vn/chiso/processor/scorecard"
	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

const cardOffice = "UBND huyện Triệu Sơn"

// cardNames are commune names with every kind of diacritic, two differing
// only in a tone mark.
var cardNames = []string{"Xã Triệu Thành", "Xã Hợp Thành", "Xã Hợp Thanh", "Thị trấn Nưa", "Xã Đồng Tiến", "Xã Thọ Ngọc"}

// randomCards ranks n random units of a shipped rubric (named after
// cardNames) and returns the ranking and its cards.
func randomCards(t *testing.T, id string, n int, final bool) (*rubric.Rubric, *ranking.Ranking, []scorecard.Card) {
	t.Helper()
	r := testkit.Rubric(t, id)
	sc, err := engine.New(r)
	if err != nil {
		t.Fatal(err)
	}
	in := testkit.RandomCohort(r, n, 1)
	for i := range in.Submissions {
		in.Submissions[i].Name = cardNames[i%len(cardNames)]
	}
	in.Roster = nil
	in.Year = 2023
	rk := ranking.Build(sc, in)
	rk.Generated = time.Date(2024, 1, 20, 17, 0, 0, 0, layout.Vietnam)
	rk.Final, rk.Version = final, map[bool]int{true: 1}[final]
	cards, err := scorecard.FromRanking(rk, r, cardOffice)
	if err != nil {
		t.Fatal(err)
	}
	return r, rk, cards
}

func writeCards(t *testing.T, cards []scorecard.Card) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteScorecards(&buf, cards); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// sheetXML returns the XML of the first worksheet of a workbook.
func sheetXML(t *testing.T, data []byte) string {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			return string(b)
		}
	}
	t.Fatal("no sheet1.xml")
	return ""
}

// TestScorecardsGolden: the small ranked cohort's cards as a text dump,
// read back by excelize; one sheet, a page break after every card but the
// last, A4 portrait.
func TestScorecardsGolden(t *testing.T) {
	r, rk := testkit.RankedCohort(t)
	rk.Generated = time.Date(2024, 1, 20, 17, 0, 0, 0, layout.Vietnam)
	cards, err := scorecard.FromRanking(rk, r, cardOffice)
	if err != nil {
		t.Fatal(err)
	}
	data := writeCards(t, cards)
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 1 || got[0] != SheetScorecard {
		t.Fatalf("sheets %v", got)
	}
	var buf bytes.Buffer
	if err := testkit.Dump(&buf, f); err != nil {
		t.Fatal(err)
	}
	testkit.Golden(t, filepath.Join("testdata", "golden", "phieu-ket-qua.txt"), buf.Bytes())
	x := sheetXML(t, data)
	if n := strings.Count(x, `<brk `); n != len(cards)-1 {
		t.Errorf("%d page breaks for %d cards", n, len(cards))
	}
	if !strings.Contains(x, `<pageSetup paperSize="9" orientation="portrait"/>`) || !strings.Contains(x, `horizontalCentered="1"`) {
		t.Errorf("page setup: %s", x[strings.Index(x, "<printOptions"):])
	}
	// Each card's title, name, mark and office; numbers are numbers.
	for _, c := range cards {
		for _, want := range []string{"PHIẾU KẾT QUẢ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM 2024", c.Name + " (mã " + c.Code + ")", "TẠM TÍNH", "UBND HUYỆN TRIỆU SƠN"} {
			if !strings.Contains(buf.String(), want) {
				t.Errorf("%s: %q missing", c.Name, want)
			}
		}
	}
}

// TestScorecardNumbers: totals, averages and bests are numeric cells with
// number formats; numbers in text are Vietnamese.
func TestScorecardNumbers(t *testing.T) {
	_, _, cards := randomCards(t, "thanhhoa-xa-2023", 3, false)
	data := writeCards(t, cards[:1])
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c := cards[0]
	rows, _ := f.GetRows(SheetScorecard, excelize.Options{RawCellValue: true})
	found := map[string]bool{}
	for i, row := range rows {
		if len(row) < 4 {
			continue
		}
		switch row[0] {
		case "Tổng điểm":
			found["total"] = true
			if row[3] != fmt.Sprint(engine.Round2(c.Total)) {
				t.Errorf("total cell %q, want %v", row[3], engine.Round2(c.Total))
			}
			addr := fmt.Sprintf("D%d", i+1)
			st, _ := f.GetCellStyle(SheetScorecard, addr)
			if style, _ := f.GetStyle(st); style == nil || style.NumFmt != 4 { // built-in #,##0.00
				t.Errorf("total format %+v", style)
			}
			if want := "trên 1.000 điểm tối đa (" + vntext.Number(100*c.Total/c.Max, 2) + " %)"; row[5] != want {
				t.Errorf("total text %q, want %q", row[5], want)
			}
		case "Xếp hạng":
			found["rank"] = true
			if row[3] != fmt.Sprint(c.Rank) || row[5] != "trên 3 xã đã nộp (tạm tính)" {
				t.Errorf("rank row %q", row)
			}
		}
		if len(row) > 1 && row[1] == "TỔNG ĐIỂM" {
			found["table"] = true
			if row[5] != fmt.Sprint(engine.Round2(c.Average)) || row[7] != fmt.Sprint(engine.Round2(c.Best)) {
				t.Errorf("total row %q: average %v best %v", row, c.Average, c.Best)
			}
		}
	}
	if len(found) != 3 {
		t.Errorf("rows found: %v", found)
	}
}

// TestScorecardBars: ten blocks are the maximum, a half block 5 %.
func TestScorecardBars(t *testing.T) {
	for _, tc := range []struct {
		x, of float64
		want  string
	}{
		{0, 100, ""}, {100, 100, "██████████"}, {120, 100, "██████████"}, {50, 100, "█████"}, {55, 100, "█████▌"},
		{52, 100, "█████"}, {53, 100, "█████▌"}, {2, 100, ""}, {3, 100, "▌"}, {5, 0, ""}, {-1, 10, ""},
	} {
		if got := cardBar(1, tc.x, tc.of, 0).value; got != ooxml.Text(tc.want) {
			t.Errorf("bar(%v of %v) = %v, want %q", tc.x, tc.of, got, tc.want)
		}
	}
}

// TestScorecardFitsOnePage: every shipped rubric's cards, with the longest
// texts its rubric has, fit one page by the layout's own measure; a task
// cut says so with "…".
func TestScorecardFitsOnePage(t *testing.T) {
	for _, r := range testkit.Rubrics(t).All() {
		t.Run(r.ID, func(t *testing.T) {
			_, _, cards := randomCards(t, r.ID, 4, false)
			st := &cardStyles{}
			for _, c := range cards {
				// The longest names and tasks of the rubric on the lost.
				for i := range c.Lost {
					c.Lost[i].Name = strings.Repeat(c.Lost[i].Name+" ", 2)
					c.Lost[i].Task = strings.Repeat(c.Lost[i].Task+" ", 3)
					c.Lost[i].TaskFrom = scorecard.TaskRubric
					c.Lost[i].Lead, c.Lost[i].Officer = "Văn phòng - Thống kê", "Công chức Văn hóa - Xã hội"
				}
				l := layoutCard(st, c)
				if h := l.height(); h > cardPage {
					t.Errorf("%s: %v pt high", c.Name, h)
				}
			}
		})
	}
}

// TestAddScorecard: the card as the first sheet of a commune's workbook,
// fitted to one page; sent back, the workbook gets a new card, not two.
func TestAddScorecard(t *testing.T) {
	_, _, cards := randomCards(t, "thanhhoa-xa-2023", 2, true)
	p, err := ooxml.NewWorkbook(ooxml.WorkbookOptions{Font: fontName, FontSize: 11})
	if err != nil {
		t.Fatal(err)
	}
	sw := ooxml.NewSheetWriter()
	if err := sw.WriteRow(1, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text("Biểu mẫu của xã")}); err != nil {
		t.Fatal(err)
	}
	if err := p.AddSheet(SheetScores, 0, sw); err != nil {
		t.Fatal(err)
	}
	if err := AddScorecard(p, cards[0]); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := p.Write(&out); err != nil {
		t.Fatal(err)
	}
	b, err := ooxml.Open(out.Bytes(), ooxml.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	p = b.Patch()
	if err := AddScorecard(p, cards[1]); err != nil {
		t.Fatal(err)
	}
	out.Reset()
	if err := p.Write(&out); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != SheetScorecard || got[1] != SheetScores {
		t.Fatalf("sheets %v", got)
	}
	pl, _ := f.GetPageLayout(SheetScorecard)
	if pl.FitToHeight == nil || *pl.FitToHeight != 1 || pl.FitToWidth == nil || *pl.FitToWidth != 1 {
		t.Errorf("page layout %+v", pl)
	}
	rows, _ := f.GetRows(SheetScorecard)
	if text := fmt.Sprint(rows); !strings.Contains(text, cards[1].Name) || !strings.Contains(text, "CHÍNH THỨC (bản số 1)") {
		t.Errorf("the second card is not there: %s", text)
	}
}

// TestScorecardsPrint prints the district's workbooks of three rubrics —
// Thanh Hóa's commune rubric (no task: the methods), Xuân Lạc's (tasks and
// officers), Quảng Trị's departments (13 pillars, optional ones) — and a
// result's single card with LibreOffice, and reads the PDFs back: one page
// per card, each with the office, the quốc hiệu, the unit, TẠM TÍNH or
// CHÍNH THỨC, the total, every pillar and the lost indicators; nothing
// printed under 8 pt. Set CHISO_TEST_ARTIFACTS to keep the PDFs and PNGs.
func TestScorecardsPrint(t *testing.T) {
	testkit.Soffice(t)
	dir := testkit.Artifacts(t)
	type book struct {
		name  string
		r     *rubric.Rubric
		cards []scorecard.Card
	}
	var books []book
	for _, tc := range []struct {
		id    string
		n     int
		final bool
	}{{"thanhhoa-xa-2023", 5, false}, {"xuanlac-xa-2023", 3, true}, {"quangtri-so-2022", 2, false}} {
		r, _, cards := randomCards(t, tc.id, tc.n, tc.final)
		books = append(books, book{"phieu-ket-qua-" + tc.id, r, cards})
	}
	var files []string
	for _, b := range books {
		path := filepath.Join(dir, b.name+".xlsx")
		if err := os.WriteFile(path, writeCards(t, b.cards), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, path)
	}
	// A result's card alone, fitted to its page.
	p, err := ooxml.NewWorkbook(ooxml.WorkbookOptions{Font: fontName, FontSize: 11})
	if err != nil {
		t.Fatal(err)
	}
	if err := AddScorecard(p, books[1].cards[0]); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := p.Write(&out); err != nil {
		t.Fatal(err)
	}
	single := filepath.Join(dir, "ket-qua-phieu.xlsx")
	if err := os.WriteFile(single, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	files = append(files, single)
	books = append(books, book{"ket-qua-phieu", books[1].r, books[1].cards[:1]})

	testkit.OpenpyxlLoads(t, files...)
	testkit.Convert(t, dir, "pdf", files...)
	number := func(x float64) *regexp.Regexp { // as LibreOffice's locale prints #,##0.00
		s := fmt.Sprintf("%.2f", engine.Round2(x))
		ip, fp, _ := strings.Cut(s, ".")
		return regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(ip) + `[.,]` + fp + `(\s|$)`)
	}
	for _, b := range books {
		t.Run(b.name, func(t *testing.T) {
			pdf := filepath.Join(dir, b.name+".pdf")
			words := testkit.PDFWordHeights(t, pdf)
			pages := 0
			for _, w := range words {
				pages = max(pages, w.Page)
			}
			if pages != len(b.cards) {
				t.Errorf("%d pages for %d cards", pages, len(b.cards))
			}
			if len(words) > 0 && words[0].Height() < 8.8 { // 8 pt is 8.9 pt high
				t.Errorf("printed under 8 pt: %v", words[0])
			}
			pageText := byPage(words)
			for i, c := range b.cards {
				if i >= len(pageText) {
					break
				}
				pt := pageText[i]
				wants := []string{"UBND HUYỆN TRIỆU SƠN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
					c.Name, c.Mark(), "Tổng điểm", "TỔNG ĐIỂM"}
				for _, l := range c.Lost {
					wants = append(wants, l.Code+".")
				}
				flat := strings.Join(strings.Fields(pt), " ")
				for _, w := range wants {
					if !strings.Contains(flat, strings.Join(strings.Fields(w), " ")) {
						t.Errorf("page %d (%s): %q not printed", i+1, c.Name, w)
					}
				}
				// A pillar's name may wrap in its cell: its words, in order
				// on their lines.
				have := strings.Fields(pt)
				for _, p := range c.Pillars {
					if missing := missingWords(have, p.Name); missing != "" {
						t.Errorf("page %d (%s): pillar %q: %q not printed", i+1, c.Name, p.Name, missing)
					}
				}
				if !number(c.Total).MatchString(pt) {
					t.Errorf("page %d (%s): total %v not printed", i+1, c.Name, engine.Round2(c.Total))
				}
			}
			if b.name == "phieu-ket-qua-thanhhoa-xa-2023" || b.name == "ket-qua-phieu" {
				testkit.PagePNG(t, pdf, 1, 110)
			}
		})
	}
}

// byPage is the text of each page: words in lines top to bottom, left to
// right.
func byPage(words []testkit.PDFWord) []string {
	words = slices.Clone(words)
	slices.SortStableFunc(words, func(a, b testkit.PDFWord) int {
		switch {
		case a.Page != b.Page:
			return a.Page - b.Page
		case math.Abs(a.YMin-b.YMin) > 2:
			return cmp.Compare(a.YMin, b.YMin)
		}
		return cmp.Compare(a.XMin, b.XMin)
	})
	var pages []string
	var b strings.Builder
	for i, w := range words {
		if i > 0 && w.Page != words[i-1].Page {
			pages = append(pages, b.String())
			b.Reset()
		}
		for len(pages) < w.Page-1 {
			pages = append(pages, "")
		}
		prev := testkit.PDFWord{}
		if i > 0 {
			prev = words[i-1]
		}
		switch {
		case i > 0 && w.Page == prev.Page && math.Abs(w.YMin-prev.YMin) > 2:
			b.WriteByte('\n')
		case b.Len() > 0 && w.XMin-prev.XMax > 0.12*math.Min(w.Height(), prev.Height()):
			// A space; the pieces of a word drawn in two fonts touch.
			b.WriteByte(' ')
		}
		b.WriteString(w.Text)
	}
	return append(pages, b.String())
}

// missingWords returns the first word of s that have lacks.
func missingWords(have []string, s string) string {
	count := map[string]int{}
	for _, w := range have {
		count[w]++
	}
	for _, w := range strings.Fields(s) {
		if count[w] == 0 {
			return w
		}
		count[w]--
	}
	return ""
}

// TestScorecardsOpenpyxl: openpyxl reads the district's workbook as it is
// meant: one sheet, A4 portrait, a manual break after each card but the
// last, each card's total a number with its format, its title merged.
func TestScorecardsOpenpyxl(t *testing.T) {
	_, _, cards := randomCards(t, "thanhhoa-xa-2023", 4, false)
	path := filepath.Join(t.TempDir(), "phieu.xlsx")
	if err := os.WriteFile(path, writeCards(t, cards), 0o644); err != nil {
		t.Fatal(err)
	}
	var totals []string
	for _, c := range cards {
		totals = append(totals, fmt.Sprint(engine.Round2(c.Total)))
	}
	testkit.Openpyxl(t, `
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
assert wb.sheetnames == ["Phiếu kết quả"], wb.sheetnames
ws = wb.active
assert ws.page_setup.orientation == "portrait" and int(ws.page_setup.paperSize) == 9, ws.page_setup
breaks = [b.id for b in ws.row_breaks.brk]
assert len(breaks) == 3 and all(b.man for b in ws.row_breaks.brk), breaks
totals = [ws.cell(row=r, column=4) for r in range(1, ws.max_row + 1) if ws.cell(row=r, column=1).value == "Tổng điểm"]
assert [round(c.value, 2) for c in totals] == [float(x) for x in sys.argv[2:]], [c.value for c in totals]
assert all(c.number_format == "#,##0.00" for c in totals), [c.number_format for c in totals]
titles = [r for r in range(1, ws.max_row + 1) if str(ws.cell(row=r, column=1).value).startswith("PHIẾU KẾT QUẢ")]
assert len(titles) == 4
merged = {str(m) for m in ws.merged_cells.ranges}
assert all("A%d:I%d" % (r, r) in merged for r in titles), titles
# every card ends at a break: its title comes right after one
assert [r - 4 for r in titles[1:]] == breaks, (titles, breaks)
`, append([]string{path}, totals...)...)
}

// WriteScorecards writes the district's workbook of every unit's card
// (phieu-ket-qua-…xlsx), in the order given: one sheet, one A4 page per
// card. Without cards the sheet says there are none yet.
func WriteScorecards(w io.Writer, cards []scorecard.Card) error {
	return WriteScorecardsEach(w, func(fn func(scorecard.Card) error) error {
		for _, c := range cards {
			if err := fn(c); err != nil {
				return err
			}
		}
		return nil
	})
}
