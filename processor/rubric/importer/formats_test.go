package importer_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/docx"
	"github.com/chiso-vn/chiso/processor/rubric/importer"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// The rows of tableRows are: the title, the header, then sections, pillars,
// indicators and the total; a data row is {code, name, max, method}.

// docxTables lays the rows out as a Word appendix table does: the title as
// paragraphs above, a two-row header with "QUY CHUẨN ĐÁNH GIÁ" merged over
// the maximum and method and TT / Chỉ số merged down, a row of column
// letters, section rows merged across, methods as paragraphs and line
// breaks, the self-assessment columns left empty, the total merged over TT
// and Chỉ số; the table is broken in two at a page, the second part
// repeating the header.
func docxTables(t *testing.T, rows [][]string) []importer.Table {
	t.Helper()
	type C = testkit.DocxCell
	header := [][]C{
		{{Text: "TT", VMerge: "restart"}, {Text: "Chỉ số/Chỉ số thành phần", VMerge: "restart"}, {Text: "QUY CHUẨN ĐÁNH GIÁ", Span: 2}, {Text: "TỰ ĐÁNH GIÁ", Span: 2}},
		{{VMerge: "continue"}, {VMerge: "continue"}, {Text: rows[1][2]}, {Text: rows[1][3]}, {Text: "Điểm số tự chấm"}, {Text: "Giải trình kết quả"}},
	}
	data := [][]C{}
	for i, r := range rows[2:] {
		code, name, max, method := r[0], r[1], r[2], r[3]
		switch {
		case code == "" && strings.HasPrefix(name, "Tổng"):
			data = append(data, []C{{Text: name, Span: 2}, {Text: max}, {}, {}, {}})
		case max == "" && method == "":
			data = append(data, []C{{Text: code}, {Text: name, Span: 5}})
		default:
			// Alternate how a cell's lines are kept: paragraphs or line breaks.
			if i%2 == 0 {
				method = strings.ReplaceAll(method, "\n", "\v")
			}
			data = append(data, []C{{Text: code}, {Text: name}, {Text: max}, {Text: method}, {}, {}})
		}
	}
	half := len(data) / 2
	first := append(append(append([][]C{}, header...), []C{{Text: "A"}, {Text: "B"}, {Text: "C"}, {Text: "D"}, {Text: "E"}, {Text: "F"}}), data[:half]...)
	second := append(append([][]C{}, header...), data[half:]...)
	b := testkit.Docx(
		testkit.DocxTable{Title: []string{"Phụ lục", strings.ToUpper(rows[0][0])}, Rows: first},
		testkit.DocxTable{Title: []string{"(tiếp theo)"}, Rows: second},
		testkit.DocxTable{Title: []string{"Nơi nhận:"}, Rows: [][]C{{{Text: "KT. CHỦ TỊCH"}, {Text: "PHÓ CHỦ TỊCH"}}}},
	)
	tables, err := docx.ReadTables(b, docx.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	return tables
}

// xlsxTables lays the rows out as a province's Excel form: a help sheet
// first, then the table with a merged title, a two-row merged header, the
// column letters, section rows merged across, multi-line methods, maxima
// stored as numbers.
func xlsxTables(t *testing.T, rows [][]string) []importer.Table {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Hướng dẫn"))
	must(f.SetCellValue("Hướng dẫn", "A1", "Điền số liệu vào trang tính Biểu mẫu; không sửa cột Điểm tối đa."))
	s := "Biểu mẫu"
	_, err := f.NewSheet(s)
	must(err)
	set := func(r, c int, v any) {
		t.Helper()
		cell, err := excelize.CoordinatesToCellName(c, r)
		must(err)
		must(f.SetCellValue(s, cell, v))
	}
	merge := func(r1, c1, r2, c2 int) {
		t.Helper()
		a, _ := excelize.CoordinatesToCellName(c1, r1)
		b, _ := excelize.CoordinatesToCellName(c2, r2)
		must(f.MergeCell(s, a, b))
	}
	set(1, 1, rows[0][0])
	merge(1, 1, 1, 6)
	set(3, 1, "STT")
	merge(3, 1, 4, 1)
	set(3, 2, "Chỉ số")
	merge(3, 2, 4, 2)
	set(3, 3, "QUY CHUẨN ĐÁNH GIÁ")
	merge(3, 3, 3, 4)
	set(3, 5, "TỰ ĐÁNH GIÁ")
	merge(3, 5, 3, 6)
	set(4, 3, "Điểm tối đa")
	set(4, 4, "Cách xác định và tính điểm")
	set(4, 5, "Điểm tự chấm")
	set(4, 6, "Giải trình")
	for i, l := range []string{"(1)", "(2)", "(3)", "(4)", "(5)", "(6)"} {
		set(5, i+1, l)
	}
	r := 6
	for _, row := range rows[2:] {
		code, name, max, method := row[0], row[1], row[2], row[3]
		switch {
		case code == "" && strings.HasPrefix(name, "Tổng"):
			set(r, 1, name)
			merge(r, 1, r, 2)
			set(r, 3, number(t, max))
		case max == "" && method == "":
			set(r, 1, code)
			set(r, 2, name)
			merge(r, 2, r, 6)
		default:
			set(r, 1, code)
			set(r, 2, name)
			if max != "" {
				set(r, 3, number(t, max))
			}
			set(r, 4, method)
		}
		r++
	}
	var buf bytes.Buffer
	must(f.Write(&buf))
	tables, err := workbook.ReadTables(buf.Bytes(), workbook.DefaultTableLimits)
	must(err)
	return tables
}

func number(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}
