package workbook_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/rubric/importer"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// rubricSheet writes a small rubric table the way a province's form has it:
// a merged title, a two-row header with merged cells, a section row merged
// across, multi-line methods, numbers stored as numbers.
func rubricSheet(t *testing.T) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	s := "Bộ chỉ số"
	if err := f.SetSheetName("Sheet1", s); err != nil {
		t.Fatal(err)
	}
	set := func(cell string, v any) {
		t.Helper()
		if err := f.SetCellValue(s, cell, v); err != nil {
			t.Fatal(err)
		}
	}
	merge := func(a, b string) {
		t.Helper()
		if err := f.MergeCell(s, a, b); err != nil {
			t.Fatal(err)
		}
	}
	set("A1", "BỘ CHỈ SỐ CẤP XÃ NĂM 2025")
	merge("A1", "D1")
	set("A3", "TT")
	merge("A3", "A4")
	set("B3", "Chỉ số")
	merge("B3", "B4")
	set("C3", "QUY CHUẨN ĐÁNH GIÁ")
	merge("C3", "D3")
	set("C4", "Điểm tối đa")
	set("D4", "Phương pháp")
	set("A5", "I")
	set("B5", "Nhóm chỉ số chung")
	merge("B5", "D5")
	set("A6", "1")
	set("B6", "Nhận thức số")
	set("C6", 20.5)
	set("A7", "1.1")
	set("B7", "Có Ban Chỉ đạo")
	set("C7", 20.5)
	set("D7", "- Đã có: Điểm tối đa.\n- Chưa có: 0 điểm.")
	if _, err := f.NewSheet("_an"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("_an", "A1", "không đọc"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetSheetVisible("_an", false); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadTables(t *testing.T) {
	tables, err := workbook.ReadTables(rubricSheet(t), workbook.DefaultTableLimits)
	if err != nil {
		t.Fatal(err)
	}
	if len(tables) != 1 || tables[0].Name != "trang tính «Bộ chỉ số»" {
		t.Fatalf("tables %d, first %q (hidden sheets are not read)", len(tables), tables[0].Name)
	}
	rows := tables[0].Rows
	type want struct {
		row, col int
		text     string
		merge    importer.Merge
	}
	for _, w := range []want{
		{1, 1, "BỘ CHỈ SỐ CẤP XÃ NĂM 2025", importer.FromLeft},
		{4, 1, "Chỉ số", importer.FromAbove},
		{3, 3, "QUY CHUẨN ĐÁNH GIÁ", importer.FromLeft},
		{4, 2, "Điểm tối đa", importer.Own},
		{5, 2, "Nhóm chỉ số chung", importer.FromLeft},
		{7, 2, "20.5", importer.Own},
		{7, 3, "- Đã có: Điểm tối đa.\n- Chưa có: 0 điểm.", importer.Own},
	} {
		r := rows[w.row-1]
		if r.N != w.row {
			t.Errorf("row %d numbered %d", w.row, r.N)
		}
		text, m := r.Cell(w.col)
		if text != w.text || m != w.merge {
			t.Errorf("row %d col %d: %q %v, want %q %v", w.row, w.col, text, m, w.text, w.merge)
		}
	}
	// The importer reads it: section, pillar, indicator, rule.
	res, err := importer.Import(tables, importer.Options{Source: "bo-chi-so.xlsx"})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Rubric.Pillars[0]
	if p.Section != "I. Nhóm chỉ số chung" || *p.Max != 20.5 || p.Indicators[0].Rule.Kind != "yes_no" || res.Rubric.Year != 2025 {
		t.Errorf("imported %+v, first indicator %+v", p, p.Indicators[0])
	}
}

func TestReadTablesRefuses(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		lim  workbook.TableLimits
		says string
	}{
		{"not a workbook", []byte("TT;Chỉ số"), workbook.DefaultTableLimits, "zip"},
		{"xls", append([]byte{0xd0, 0xcf, 0x11, 0xe0}, make([]byte, 64)...), workbook.DefaultTableLimits, ".xls"},
		{"too large", make([]byte, 2048), workbook.TableLimits{File: 1024, Unzip: 1 << 20, UnzipPart: 1 << 20, Rows: 10, Cols: 10}, "quá lớn"},
		{"too many rows", rubricSheet(t), workbook.TableLimits{File: 1 << 20, Unzip: 1 << 20, UnzipPart: 1 << 20, Rows: 3, Cols: 10}, "hàng"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := workbook.ReadTables(tt.data, tt.lim)
			if !errors.Is(err, workbook.ErrNotTable) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want one saying %q", err, tt.says)
			}
		})
	}
}

// TestNumberCodes: codes typed into number cells lose their trailing zero
// (3.10 is stored as 3.1); the importer says so on the duplicate it makes.
func TestNumberCodes(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	rows := [][]any{{"TT", "Chỉ số", "Điểm tối đa", "Phương pháp"}, {3, "Hạ tầng số", 20, nil},
		{3.1, "Tỷ lệ máy tính", 10, "- Đã có: Điểm tối đa.\n- Chưa có: 0 điểm."}, {3.10, "Hệ thống đài truyền thanh", 10, "- Đã có: Điểm tối đa.\n- Chưa có: 0 điểm."}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	tables, err := workbook.ReadTables(buf.Bytes(), workbook.DefaultTableLimits)
	if err != nil {
		t.Fatal(err)
	}
	_, err = importer.Import(tables, importer.Options{Source: "x.xlsx", Year: 2025})
	if err == nil || !strings.Contains(err.Error(), "hàng 4 (3.1): mã 3.1 đã dùng ở trang tính «Sheet1», hàng 3") || !strings.Contains(err.Error(), "Văn bản/Text") {
		t.Fatalf("error %v", err)
	}
}
