package workbook

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/rubric"
)

// smallestPrinted is the smallest font size anything may print at (the
// plans keep text at 9 pt on paper or more; 8 leaves room for LibreOffice's
// rounding of the scale).
const smallestPrinted = 8

// TestRankingPrint prints the ranking workbook (provisional and official)
// and an appraisal workbook to PDF with LibreOffice and reads them back:
// the report's heading (the national title and motto, the office, TẠM TÍNH
// or CHÍNH THỨC, the title), every text of every sheet on the pages (no
// header cut, nothing left off at the margin), no cell clipped (a row too
// low for its wrapped text), and nothing printed under 8 pt, by the PDF's
// font sizes and by pdftotext's word boxes. Set CHISO_TEST_ARTIFACTS=DIR to
// keep the PDFs and a PNG of the first page of each.
func TestRankingPrint(t *testing.T) {
	testkit.Soffice(t)
	testkit.Poppler(t)
	dir := testkit.Artifacts(t)
	_, rk := testkit.RankedCohort(t)
	final := *rk
	final.Final, final.Version = true, 1
	books := map[string][]byte{}
	for name, r := range map[string]*ranking.Ranking{"xep-hang": rk, "xep-hang-chinh-thuc-v1": &final} {
		var buf bytes.Buffer
		if err := WriteRanking(&buf, r, rankingOptions()); err != nil {
			t.Fatal(err)
		}
		books[name] = buf.Bytes()
	}
	books["tham-dinh"] = appraisalBook(t)
	var files []string
	for name, data := range books {
		p := filepath.Join(dir, name+".xlsx")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	testkit.Convert(t, dir, "pdf", files...)
	for name, data := range books {
		t.Run(name, func(t *testing.T) {
			pdf := filepath.Join(dir, name+".pdf")
			text := testkit.PDFText(t, pdf)
			var want []string
			switch name {
			case "xep-hang":
				want = []string{nationalTitle, nationalMotto, "UBND HUYỆN THỬ & NGHIỆM", "UBND TỈNH THANH HÓA", "BẢNG XẾP HẠNG CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM 2024",
					"(TẠM TÍNH)", "BẢN TẠM TÍNH", "Thử & Nghiệm, ngày 05 tháng 01 năm 2024", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Lê Văn Ký", "Trang 1/"}
			case "xep-hang-chinh-thuc-v1":
				want = []string{nationalTitle, nationalMotto, "UBND HUYỆN THỬ & NGHIỆM", "(CHÍNH THỨC — BẢN SỐ 1)", "BẢN CHÍNH THỨC SỐ 1"}
			default:
				want = []string{"BẢNG ĐIỂM THẨM ĐỊNH CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM 2023", "UBND huyện Triệu Sơn", "Điểm thẩm định"}
			}
			flat := strings.Join(strings.Fields(text), " ")
			for _, w := range want {
				if !strings.Contains(flat, w) {
					t.Errorf("%q not printed", w)
				}
			}
			if name == "xep-hang" && strings.Contains(flat, "CHÍNH THỨC —") || name != "xep-hang" && strings.Contains(flat, "BẢN TẠM TÍNH") {
				t.Error("a provisional ranking printed as official, or an official one as provisional")
			}
			f, err := excelize.OpenReader(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if missing := testkit.MissingText(text, printedTexts(t, f)); len(missing) > 0 {
				for _, m := range missing[:min(len(missing), 10)] {
					t.Errorf("not printed whole: %s", m)
				}
			}
			for _, c := range testkit.PDFClipped(t, pdf) {
				t.Errorf("clipped to its cell: %v", c)
			}
			small := testkit.PDFSmallest(t, pdf)
			if small.Size < smallestPrinted {
				t.Errorf("text printed at %.1f pt: %v", small.Size, small)
			}
			words := testkit.PDFWordHeights(t, pdf)
			if words[0].Height() < smallestPrinted {
				t.Errorf("word printed %.1f pt high: %v", words[0].Height(), words[0])
			}
			t.Logf("%s: %d pages, smallest text %.1f pt (%q), smallest word %.1f pt high (%q)", name, len(testkit.PDFPageSizes(t, pdf)),
				small.Size, small.Words, words[0].Height(), words[0].Text)
			if strings.TrimSpace(os.Getenv("CHISO_TEST_ARTIFACTS")) != "" {
				testkit.PagePNG(t, pdf, 1, 70)
			}
		})
	}
}

// printedTexts returns the text of every cell of the visible sheets that
// prints: within the sheet's print area, and on one line of its cell
// (wrapped text is checked by PDFClipped: pdftotext interleaves the lines
// of neighbouring wrapped cells).
func printedTexts(t *testing.T, f *excelize.File) []string {
	t.Helper()
	areas := map[string][]string{}
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm.Print_Area" {
			for _, ref := range strings.Split(dn.RefersTo, ",") {
				_, r, _ := strings.Cut(ref, "!")
				areas[dn.Scope] = append(areas[dn.Scope], strings.ReplaceAll(r, "$", ""))
			}
		}
	}
	inArea := func(sheet string, col, row int) bool {
		if len(areas[sheet]) == 0 {
			return true
		}
		for _, a := range areas[sheet] {
			from, to, _ := strings.Cut(a, ":")
			c1, r1, _ := excelize.CellNameToCoordinates(from)
			c2, r2, _ := excelize.CellNameToCoordinates(to)
			if col >= c1 && col <= c2 && row >= r1 && row <= r2 {
				return true
			}
		}
		return false
	}
	var out []string
	for _, s := range f.GetSheetList() {
		if vis, _ := f.GetSheetVisible(s); !vis {
			continue
		}
		span := map[string]float64{} // a merged cell's width
		merged, _ := f.GetMergeCells(s)
		for _, m := range merged {
			c1, _, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
			c2, _, _ := excelize.CellNameToCoordinates(m.GetEndAxis())
			w := 0.0
			for c := c1; c <= c2; c++ {
				name, _ := excelize.ColumnNumberToName(c)
				cw, _ := f.GetColWidth(s, name)
				w += cw
			}
			span[m.GetStartAxis()] = w
		}
		rows, err := f.GetRows(s, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for ri, row := range rows {
			for ci, v := range row {
				addr, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				typ, _ := f.GetCellType(s, addr)
				if (typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString) || strings.TrimSpace(v) == "" || !inArea(s, ci+1, ri+1) {
					continue
				}
				w, ok := span[addr]
				if !ok {
					name, _ := excelize.ColumnNumberToName(ci + 1)
					w, _ = f.GetColWidth(s, name)
				}
				if textLines(v, w, 14, true) == 1 {
					out = append(out, v)
				}
			}
		}
	}
	return out
}

// appraisalBook is the appraisal workbook of three units on the Thanh Hóa
// commune rubric, whose indicator names are long.
func appraisalBook(t *testing.T) []byte {
	t.Helper()
	r := testkit.Rubric(t, "thanhhoa-xa-2023")
	var rows []AppraisalRow
	self := 3.5
	for i, u := range []string{"Xã Triệu Thành", "Phường Hàm Rồng", "Thị trấn Nưa"} {
		r.Walk(func(_ *rubric.Pillar, in *rubric.Indicator) {
			if len(in.Children) == 0 {
				rows = append(rows, AppraisalRow{UnitKey: fmt.Sprintf("TS%02d", i+1), UnitName: u, Code: in.Code, Name: in.Name, Max: in.MaxValue(), Computed: in.MaxValue() / 2, Self: &self})
			}
		})
	}
	var buf bytes.Buffer
	if err := WriteAppraisal(&buf, AppraisalOptions{Rubric: r, Year: 2023, Cohort: "trieu-son", Office: "UBND huyện Triệu Sơn", Rows: rows}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
