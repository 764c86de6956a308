package workbook

import (
	"errors"

	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// OverLimitText says in Vietnamese which bound an ErrOverLimit error went
// over, for the commune's rejection message ("" when err names none). A
// commune that typed a long list needs to know it was the rows, not the
// strings; a file built to hurt is told its structure is not a form's.
func OverLimitText(err error) string {
	var le *ooxml.LimitError
	if !errors.As(err, &le) {
		return ""
	}
	n := vntext.Number(float64(le.Max), 0)
	switch le.Limit {
	case ooxml.LimitRows:
		return "một trang tính có hơn " + n + " dòng"
	case ooxml.LimitCols:
		return "một trang tính có hơn " + n + " cột"
	case ooxml.LimitCells:
		return "một trang tính có hơn " + n + " ô có dữ liệu"
	case ooxml.LimitSharedStrings:
		return "tệp chứa hơn " + n + " chuỗi ký tự khác nhau"
	case ooxml.LimitStringBytes:
		return "tổng các chuỗi ký tự trong tệp dài hơn " + n + " byte"
	case ooxml.LimitValueBytes:
		return "một ô chứa hơn " + n + " byte chữ"
	case ooxml.LimitDepth, ooxml.LimitTokenBytes:
		return "cấu trúc bên trong tệp lồng nhau hoặc dài bất thường, không phải của một tệp Excel bình thường"
	case ooxml.LimitEntries, ooxml.LimitItems:
		return "tệp có hơn " + n + " thành phần bên trong"
	}
	return ""
}
