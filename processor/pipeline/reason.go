package pipeline

import (
	"fmt"
	"strings"

	"github.com/chiso-vn/chiso/processor/workbook"
)

// Reason says why a file was not accepted. Its value is the stable code
// kept in the ledger and shown in `chiso check --json`.
type Reason string

// Reasons.
const (
	ReasonTooLarge         Reason = "too-large"
	ReasonTooLargeUnzipped Reason = "too-large-unzipped"
	ReasonOverLimit        Reason = "over-limit"
	ReasonEmptyFile        Reason = "empty-file"
	ReasonXLS              Reason = "xls"
	ReasonPassword         Reason = "password"
	ReasonPDF              Reason = "pdf"
	ReasonNotXLSX          Reason = "not-xlsx"
	ReasonDamaged          Reason = "damaged"
	ReasonNotTemplate      Reason = "not-template"
	ReasonUnknownRubric    Reason = "unknown-rubric"
	ReasonOtherRubric      Reason = "other-rubric"
	ReasonOtherYear        Reason = "other-year"
	ReasonNoUnit           Reason = "no-unit"
	ReasonUnknownUnit      Reason = "unknown-unit"
	ReasonUnitConflict     Reason = "unit-conflict"
	ReasonEmpty            Reason = "empty"
	ReasonAppraisalInvalid Reason = "appraisal-invalid"
	// ReasonDuplicate marks a duplicate's ledger row (its outcome is
	// Duplicate, not Rejected).
	ReasonDuplicate Reason = "duplicate"
	// Transient reasons: they say nothing about the file's content.
	ReasonTimeout    Reason = "timeout"
	ReasonInternal   Reason = "internal"
	ReasonLost       Reason = "lost"
	ReasonUnreadable Reason = "unreadable" // locked, no permission, a share that failed
	ReasonVanished   Reason = "vanished"   // deleted or moved away while processed
)

// Transient reports a reason that says nothing about the file's content (a
// time-out, an internal error, a file lost in a crash): the same bytes sent
// again are processed again, not called a duplicate.
func (r Reason) Transient() bool {
	switch r {
	case ReasonTimeout, ReasonInternal, ReasonLost, ReasonUnreadable, ReasonVanished:
		return true
	}
	return false
}

// Rejection is a reason with what the commune reads: what is wrong and
// what to do, in Vietnamese.
type Rejection struct {
	Reason  Reason
	Message string
	Advice  string
}

// texts holds the message and advice of the reasons that take no detail.
var texts = map[Reason][2]string{
	ReasonEmptyFile: {"Tệp rỗng (0 byte): có thể tệp chưa được chép xong.", "Chép lại tệp vào thư mục nhận báo cáo."},
	ReasonXLS: {"Tệp ở định dạng .xls (Excel 97–2003), hệ thống chỉ đọc được .xlsx.",
		"Mở tệp bằng Excel, chọn File > Save As > Excel Workbook (*.xlsx) rồi gửi lại tệp .xlsx."},
	ReasonPassword: {"Tệp có mật khẩu nên hệ thống không mở được.",
		"Mở tệp bằng Excel, vào File > Info > Protect Workbook > Encrypt with Password, xoá mật khẩu, lưu lại rồi gửi lại."},
	ReasonPDF: {"Tệp là tệp PDF, không phải tệp Excel.",
		"Gửi tệp Excel (.xlsx) của biểu mẫu đã điền, không gửi bản PDF hay bản chụp."},
	ReasonNotXLSX: {"Tệp không phải tệp Excel (.xlsx).", "Gửi tệp Excel (.xlsx) của biểu mẫu tự đánh giá đã điền."},
	ReasonDamaged: {"Tệp Excel bị hỏng hoặc chưa được chép xong nên không mở được.",
		"Mở thử tệp bằng Excel trên máy của đơn vị; nếu mở được, lưu lại rồi gửi lại; nếu không, điền lại vào biểu mẫu mới."},
	ReasonNotTemplate: {"Tệp không phải biểu mẫu tự đánh giá chuyển đổi số do hệ thống phát hành (không tìm thấy các ô số liệu).",
		"Dùng biểu mẫu do cơ quan tổng hợp phát hành, điền số liệu vào các ô màu vàng, không đổi tên trang tính, rồi gửi lại."},
	ReasonNoUnit: {"Biểu mẫu chưa ghi tên đơn vị.", "Ghi tên đơn vị ở trang \"Thông tin chung\" (ví dụ: Xã Triệu Thành) rồi gửi lại."},
	ReasonEmpty:  {"Biểu mẫu chưa có số liệu nào.", "Điền số liệu, điểm tự chấm vào các ô màu vàng rồi gửi lại."},
	ReasonAppraisalInvalid: {"Bảng thẩm định không có điểm thẩm định nào dùng được (xem các lỗi bên dưới).",
		"Sửa các ô điểm thẩm định được nêu (số từ 0 đến điểm tối đa, đúng mã đơn vị và mã chỉ số) rồi gửi lại tệp."},
	ReasonTimeout: {"Tệp xử lý quá lâu nên hệ thống đã dừng.",
		"Tệp đã được lưu lại; cán bộ tổng hợp sẽ kiểm tra. Có thể gửi lại tệp nhỏ gọn hơn (không chèn ảnh)."},
	ReasonInternal: {"Hệ thống gặp lỗi khi xử lý tệp.", "Tệp đã được lưu lại; cán bộ tổng hợp sẽ kiểm tra và liên hệ với đơn vị."},
	ReasonLost:     {"Tệp không còn ở thư mục xử lý sau khi hệ thống bị dừng đột ngột.", "Gửi lại tệp."},
	ReasonUnreadable: {"Hệ thống không đọc được tệp (tệp đang bị khoá, không có quyền đọc, hoặc thư mục chia sẻ bị gián đoạn).",
		"Đóng tệp trên máy của đơn vị rồi chép lại vào thư mục nhận báo cáo; nếu vẫn bị trả lại, báo cán bộ tổng hợp."},
	ReasonVanished: {"Tệp bị xoá hoặc di chuyển khỏi thư mục trong lúc hệ thống đang xử lý.",
		"Chép lại tệp vào thư mục nhận báo cáo và để nguyên ở đó cho đến khi có kết quả."},
}

// Reject is the rejection for a reason that takes no detail.
func (r Reason) Reject() Rejection {
	t, ok := texts[r]
	if !ok {
		return Rejection{r, "Tệp không được chấp nhận (" + string(r) + ").", "Liên hệ cán bộ tổng hợp."}
	}
	return Rejection{r, t[0], t[1]}
}

// mb shows a size in whole megabytes.
func mb(n int64) int64 { return n / 1e6 }

func tooLarge(size, max int64) Rejection {
	return Rejection{ReasonTooLarge, fmt.Sprintf("Tệp quá lớn (%d MB; tối đa %d MB).", mb(size), mb(max)),
		"Xoá ảnh, trang tính thừa trong tệp rồi lưu lại và gửi lại; tài liệu kiểm chứng gửi riêng, không chèn vào biểu mẫu."}
}

func tooLargeUnzipped(max int64) Rejection {
	return Rejection{ReasonTooLargeUnzipped, fmt.Sprintf("Tệp giải nén ra quá lớn (hơn %d MB): có thể tệp chứa nhiều ảnh hoặc bị hỏng.", mb(max)),
		"Xoá ảnh và các trang tính thừa, lưu lại rồi gửi lại; tài liệu kiểm chứng gửi riêng, không chèn vào biểu mẫu."}
}

// overLimit names the bound the file went over (workbook.OverLimitText),
// so a commune that pasted a long list knows what to remove.
func overLimit(err error) Rejection {
	what := workbook.OverLimitText(err)
	if what == "" {
		what = "quá nhiều dòng, ô hoặc chuỗi ký tự"
	}
	return Rejection{ReasonOverLimit, "Tệp chứa quá nhiều dữ liệu so với một biểu mẫu tự đánh giá (" + what + "): có thể không phải biểu mẫu, hoặc tệp bị hỏng.",
		"Dùng biểu mẫu do cơ quan tổng hợp phát hành; xoá các trang tính, dòng và ảnh thừa rồi lưu lại và gửi lại."}
}

func unknownRubric(id string) Rejection {
	return Rejection{ReasonUnknownRubric, fmt.Sprintf("Biểu mẫu theo bộ chỉ số \"%s\" mà hệ thống không có.", id),
		"Dùng biểu mẫu của năm nay do cơ quan tổng hợp phát hành."}
}

func otherRubric(got, want string) Rejection {
	return Rejection{ReasonOtherRubric, fmt.Sprintf("Biểu mẫu theo \"%s\", không phải bộ chỉ số đang thu thập (\"%s\").", got, want),
		"Tải biểu mẫu mới do cơ quan tổng hợp phát hành, chép số liệu sang rồi gửi lại."}
}

func otherYear(want int, got string) Rejection {
	return Rejection{ReasonOtherYear, fmt.Sprintf("Không phải biểu mẫu của năm %d (tệp ghi năm %s).", want, got),
		fmt.Sprintf("Dùng biểu mẫu năm %d do cơ quan tổng hợp phát hành, điền số liệu của năm %d rồi gửi lại.", want, want)}
}

func unknownUnit(name string, closest []string) Rejection {
	msg := fmt.Sprintf("Không nhận ra đơn vị \"%s\" trong danh sách đơn vị của cơ quan tổng hợp.", name)
	if len(closest) > 0 {
		msg += " Có phải: \"" + strings.Join(closest, "\", \"") + "\"?"
	}
	return Rejection{ReasonUnknownUnit, msg, "Ghi đúng tên đơn vị ở trang \"Thông tin chung\" (như trong danh sách của huyện/tỉnh) rồi gửi lại."}
}

func unitConflict(issued, typed string) Rejection {
	return Rejection{ReasonUnitConflict, fmt.Sprintf("Biểu mẫu được phát cho \"%s\" nhưng trang \"Thông tin chung\" ghi \"%s\".", issued, typed),
		"Mỗi đơn vị dùng biểu mẫu phát cho chính đơn vị mình; nếu đây là tệp của đơn vị khác, hãy gửi đúng tệp."}
}
