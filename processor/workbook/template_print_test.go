package workbook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit"
)

// minPrintPt is the smallest font size a printed form may use.
const minPrintPt = 8

// TestTemplatesPrint prints every shipped rubric's template to PDF with
// LibreOffice and reads it back: every text of the visible sheets is on the
// pages (nothing cut at the right margin), LibreOffice clipped no cell (no
// row too low for its wrapped text, no header cut), and nothing is printed
// smaller than 8 pt, by the PDF's font sizes and by pdftotext's word boxes.
// Set CHISO_TEST_ARTIFACTS=DIR to keep the PDFs (and a PNG of the guide's
// first page and the indicator sheet's) for a look.
func TestTemplatesPrint(t *testing.T) {
	testkit.Soffice(t)
	testkit.Poppler(t)
	dir := testkit.Artifacts(t)
	rubrics := shipped(t)
	var files []string
	texts := map[string][]string{}
	for _, r := range rubrics {
		f := generate(t, r, TemplateOptions{Year: r.Year, UnitCode: "TS01", UnitName: "Xã Triệu Thành", Deadline: "15/12/2023",
			Office: "UBND huyện Triệu Sơn", Contact: "Phòng Văn hóa và Thông tin, 0237 3865 123"})
		p := filepath.Join(dir, "bieu-mau-"+r.ID+".xlsx")
		if err := f.SaveAs(p); err != nil {
			t.Fatal(err)
		}
		texts[r.ID] = visibleTexts(t, f)
		f.Close()
		files = append(files, p)
	}
	testkit.Convert(t, dir, "pdf", files...)
	for _, r := range rubrics {
		t.Run(r.ID, func(t *testing.T) {
			pdf := filepath.Join(dir, "bieu-mau-"+r.ID+".pdf")
			if missing := testkit.MissingText(testkit.PDFText(t, pdf), texts[r.ID]); len(missing) > 0 {
				for _, m := range missing {
					t.Errorf("not printed whole: %s", m)
				}
			}
			for _, c := range testkit.PDFClipped(t, pdf) {
				t.Errorf("clipped to its cell: %v", c)
			}
			small := testkit.PDFSmallest(t, pdf)
			if small.Size < minPrintPt {
				t.Errorf("text printed at %.1f pt: %v", small.Size, small)
			}
			words := testkit.PDFWordHeights(t, pdf)
			if words[0].Height() < minPrintPt {
				t.Errorf("word printed %.1f pt high: %v", words[0].Height(), words[0])
			}
			t.Logf("%s: smallest text %.1f pt (%q), smallest word %.1f pt high (%q)", r.ID, small.Size, small.Words, words[0].Height(), words[0].Text)
			if testkitKeeps() {
				// The guide's first page and the indicator sheet's.
				testkit.PagePNG(t, pdf, 1, 60)
				for i, p := range testkit.PDFPageSizes(t, pdf) {
					if p[0] > p[1] {
						testkit.PagePNG(t, pdf, i+1, 60)
						break
					}
				}
			}
		})
	}
}

func testkitKeeps() bool { return strings.TrimSpace(os.Getenv("CHISO_TEST_ARTIFACTS")) != "" }

// visibleTexts returns the text of every string cell on the visible sheets.
func visibleTexts(t *testing.T, f *excelize.File) []string {
	t.Helper()
	var out []string
	for _, s := range f.GetSheetList() {
		if vis, _ := f.GetSheetVisible(s); !vis {
			continue
		}
		rows, err := f.GetRows(s, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for ri, row := range rows {
			for ci, v := range row {
				addr, _ := excelize.CoordinatesToCellName(ci+1, ri+1)
				if typ, _ := f.GetCellType(s, addr); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
					if fm, _ := f.GetCellFormula(s, addr); fm == "" && strings.TrimSpace(v) != "" {
						out = append(out, v)
					}
				}
			}
		}
	}
	return out
}
