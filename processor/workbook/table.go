package workbook

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/rubric/importer"
)

// TableLimits bound what an Excel rubric table may make ReadTables do.
type TableLimits struct {
	File      int64 // bytes of the .xlsx
	Unzip     int64 // unzipped bytes, all parts
	UnzipPart int64 // unzipped bytes of one part
	Rows      int   // rows of one sheet
	Cols      int   // columns read
}

// DefaultTableLimits fit a rubric table (a few hundred rows, a dozen columns).
var DefaultTableLimits = TableLimits{File: 20 << 20, Unzip: 200 << 20, UnzipPart: 100 << 20, Rows: 20000, Cols: 100}

// ErrNotTable is wrapped by the errors of a file ReadTables cannot open.
var ErrNotTable = errors.New("không đọc được tệp Excel")

// ReadTables reads the visible sheets of an .xlsx workbook as rubric tables
// for the importer (processor/rubric/importer), one per sheet, named
// "trang tính «Tên»". Cells keep their stored values (a number as stored,
// "10.5", not as displayed; a text with its line breaks); a merged range
// repeats its text in every cell it covers, marked FromLeft in its first
// row and FromAbove below. Rows are numbered as in Excel.
func ReadTables(data []byte, lim TableLimits) ([]importer.Table, error) {
	if int64(len(data)) > lim.File {
		return nil, fmt.Errorf("%w: tệp quá lớn (%d KB, tối đa %d KB)", ErrNotTable, len(data)>>10, lim.File>>10)
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xd0, 0xcf, 0x11, 0xe0}):
		return nil, fmt.Errorf("%w: tệp .xls của Excel 97–2003 hoặc tệp có mật khẩu (mở bằng Excel, Lưu thành .xlsx không mật khẩu)", ErrNotTable)
	case bytes.HasPrefix(data, []byte("%PDF")):
		return nil, fmt.Errorf("%w: đây là tệp PDF (cần bản Word hoặc Excel của bảng)", ErrNotTable)
	}
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.Unzip, UnzipXMLSizeLimit: lim.UnzipPart})
	if err != nil {
		if errors.Is(err, excelize.ErrWorkbookPassword) {
			return nil, fmt.Errorf("%w: tệp có mật khẩu (bỏ mật khẩu rồi nhập lại)", ErrNotTable)
		}
		return nil, fmt.Errorf("%w: %v", ErrNotTable, err)
	}
	defer f.Close()
	var out []importer.Table
	for _, sheet := range f.GetSheetList() {
		if vis, err := f.GetSheetVisible(sheet); err == nil && !vis {
			continue
		}
		t, err := sheetTable(f, sheet, lim)
		if err != nil {
			return nil, fmt.Errorf("%w: trang tính «%s»: %v", ErrNotTable, sheet, err)
		}
		out = append(out, t)
	}
	return out, nil
}

func sheetTable(f *excelize.File, sheet string, lim TableLimits) (importer.Table, error) {
	t := importer.Table{Name: "trang tính «" + sheet + "»"}
	rows, err := f.Rows(sheet)
	if err != nil {
		return t, err
	}
	defer rows.Close()
	var grid [][]string
	for rows.Next() {
		if len(grid) >= lim.Rows {
			return t, fmt.Errorf("hơn %d hàng", lim.Rows)
		}
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return t, err
		}
		if len(cols) > lim.Cols {
			cols = cols[:lim.Cols]
		}
		grid = append(grid, cols)
	}
	if err := rows.Error(); err != nil {
		return t, err
	}
	merges := make([][]importer.Merge, len(grid))
	mcs, err := f.GetMergeCells(sheet, true)
	if err != nil {
		return t, err
	}
	for _, mc := range mcs {
		c1, r1, err1 := excelize.CellNameToCoordinates(mc.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(mc.GetEndAxis())
		if err1 != nil || err2 != nil || r1 > len(grid) {
			continue
		}
		r2, c2 = min(r2, len(grid)), min(c2, lim.Cols)
		text := cellAt(grid, r1-1, c1-1)
		for r := r1; r <= r2; r++ {
			for c := c1; c <= c2; c++ {
				if r == r1 && c == c1 {
					continue
				}
				m := importer.FromAbove
				if r == r1 {
					m = importer.FromLeft
				}
				setCell(grid, merges, r-1, c-1, text, m)
			}
		}
	}
	for i, cols := range grid {
		t.Rows = append(t.Rows, importer.Row{N: i + 1, Cells: cols, Merge: merges[i]})
	}
	return t, nil
}

func cellAt(grid [][]string, r, c int) string {
	if r < len(grid) && c < len(grid[r]) {
		return grid[r][c]
	}
	return ""
}

func setCell(grid [][]string, merges [][]importer.Merge, r, c int, text string, m importer.Merge) {
	for len(grid[r]) <= c {
		grid[r] = append(grid[r], "")
	}
	grid[r][c] = text
	for len(merges[r]) <= c {
		merges[r] = append(merges[r], importer.Own)
	}
	merges[r][c] = m
}
