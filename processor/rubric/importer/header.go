package importer

import (
	"regexp"
	"strings"

	"github.com/chiso-vn/chiso/processor/vntext"
)

// column is what a table column holds.
type column int

const (
	colNone column = iota
	colCode
	colName
	colMax
	colMethod
	colSource
	colOfficer
	colEvidence
	colTime
	colTask
	colLead
	colSupport
)

// classifyHeader says which column a header cell names. The header texts of
// the seeds: "TT"/"STT", "Chỉ số/Chỉ số thành phần", "Chỉ số chính/Chỉ số
// thành phần", "Điểm tối đa", "Phương pháp xác định và cách cho điểm",
// "Cách xác định và tính điểm", "Nguồn cung cấp dữ liệu", "Công chức chủ
// trì", "Tài liệu kiểm chứng", "Thời gian hoàn thành", "Nhiệm vụ giải
// pháp", "Bộ phận chủ trì", "Bộ phận phối hợp". Self-assessment columns
// ("Điểm số tự chấm", "Giải trình", "Điểm thẩm định") are ignored.
func classifyHeader(cell string) column {
	f := strings.Trim(vntext.OneLine(fold(cell)), " .:*()")
	if f == "" || len(f) > 80 {
		return colNone
	}
	has := func(ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(f, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("tu cham", "tu danh gia", "tham dinh", "giai trinh", "dat duoc", "ghi chu", "so lieu ke khai"):
		return colNone
	case has("phuong phap", "cach xac dinh", "cach tinh", "cach cho diem", "cach danh gia", "huong dan cham"):
		return colMethod
	case has("diem toi da", "thang diem", "diem chuan") || f == "diem" || f == "so diem" || f == "toi da" || f == "diem so":
		return colMax
	case f == "tt" || f == "stt" || f == "so tt" || f == "ma" || f == "ma so" || f == "ma chi so" || f == "so thu tu" || f == "thu tu":
		return colCode
	case has("nguon"):
		return colSource
	case has("cong chuc chu tri", "can bo phu trach", "nguoi phu trach", "cong chuc phu trach"):
		return colOfficer
	case has("kiem chung", "tai lieu"):
		return colEvidence
	case has("thoi gian", "thoi han", "han hoan thanh"):
		return colTime
	case has("nhiem vu"):
		return colTask
	case has("phoi hop"):
		return colSupport
	case has("chu tri"):
		return colLead
	case has("chi so", "tieu chi", "noi dung"):
		return colName
	}
	return colNone
}

// header is the column layout of a table.
type header struct {
	cols map[column]int
	n    int // the row it was found on
}

// findHeader looks for the header row among the first rows of t: a row
// naming at least the code, name and maximum columns. Cells copied from a
// merged range to their left are ignored (a merged "QUY CHUẨN ĐÁNH GIÁ"
// over two columns names neither).
func findHeader(t *Table, from int) (header, int, bool) {
	for i := from; i < len(t.Rows) && i < from+headerSearchRows; i++ {
		if h, ok := headerOf(t.Rows[i]); ok {
			return h, i, true
		}
	}
	return header{}, 0, false
}

// headerSearchRows bounds how far into a table the header is looked for.
const headerSearchRows = 60

func headerOf(r Row) (header, bool) {
	h := header{cols: map[column]int{}, n: r.N}
	for i := range r.Cells {
		c, m := r.Cell(i)
		if m == FromLeft {
			continue
		}
		role := classifyHeader(c)
		if role == colNone {
			continue
		}
		if _, dup := h.cols[role]; !dup {
			h.cols[role] = i
		}
	}
	_, code := h.cols[colCode]
	_, name := h.cols[colName]
	_, max := h.cols[colMax]
	return h, code && name && max
}

func (h header) get(r Row, c column) (string, Merge) {
	i, ok := h.cols[c]
	if !ok {
		return "", Own
	}
	return r.Cell(i)
}

func (h header) has(c column) bool { _, ok := h.cols[c]; return ok }

// width is the number of columns up to the last one the header names.
func (h header) width() int {
	w := 0
	for _, i := range h.cols {
		if i+1 > w {
			w = i + 1
		}
	}
	return w
}

var letterRow = regexp.MustCompile(`^(?:[A-Z]|\(?\d{1,2}\)?)$`)

// columnLetters is the row under a header that numbers the columns
// ("A B C D E F", "(1) (2) (3)").
func columnLetters(r Row) bool {
	n := 0
	for i := range r.Cells {
		c, m := r.Cell(i)
		c = strings.TrimSpace(c)
		if c == "" || m == FromLeft {
			continue
		}
		if !letterRow.MatchString(c) {
			return false
		}
		n++
	}
	return n >= 3
}
