package collect

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/roster"
)

// The notices are plain text for commune officials: Vietnamese, saying
// what to fill, how, where to put it, by when and whom to ask.

func (c *Collector) openingNotice(year int, units []roster.Unit, paths []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "THÔNG BÁO THU THẬP BIỂU MẪU TỰ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM %d\n\n", year)
	fmt.Fprintf(&b, "Đơn vị tổng hợp: %s\n", c.officeName())
	fmt.Fprintf(&b, "Bộ chỉ số: %s (mã %s)\n", c.Rubric.Name, c.Rubric.ID)
	if dl := c.Collection.DeadlineText(); dl != "" {
		fmt.Fprintf(&b, "Hạn nộp: %s\n", dl)
	}
	b.WriteString("\n1. Nội dung cần điền\n")
	fmt.Fprintf(&b, "   Biểu mẫu tự đánh giá mức độ chuyển đổi số năm %d: số liệu của từng chỉ số, điểm tự chấm,\n", year)
	b.WriteString("   giải trình và tài liệu kiểm chứng.\n")
	b.WriteString("\n2. Cách làm\n")
	fmt.Fprintf(&b, "   a) Tải biểu mẫu của đơn vị mình ở %s\n", c.place(c.TemplateDir(year)))
	if len(c.Roster) > 0 {
		b.WriteString("      (mỗi đơn vị một tệp mang mã và tên đơn vị, đã ghi sẵn tên, mã đơn vị và năm; xem danh sách dưới đây).\n")
	} else {
		b.WriteString("      (biểu mẫu chung: ghi tên đơn vị ở trang Thông tin chung).\n")
	}
	b.WriteString("   b) Mở bằng Excel, chỉ điền vào các ô màu vàng. Không chèn, xoá hay đổi thứ tự dòng, không đổi tên trang tính.\n")
	b.WriteString("   c) Lưu lại đúng định dạng .xlsx (Excel Workbook); không lưu thành .xls hay .pdf, không đặt mật khẩu.\n")
	b.WriteString("\n3. Nơi nộp\n")
	fmt.Fprintf(&b, "   Chép tệp đã điền vào %s\n", c.inbox())
	fmt.Fprintf(&b, "   Hệ thống tự kiểm tra, chấm điểm và trả kết quả (tệp có ghi chú ở từng ô cần sửa) vào %s,\n", c.place(c.yearDir(year)))
	b.WriteString("   trong thư mục con mang mã và tên đơn vị. Tệp không nhận được có thông báo lý do ở " + c.noticeDir() + ".\n")
	b.WriteString("   Muốn sửa thì nộp lại cả tệp; bản nộp sau thay thế bản trước.\n")
	b.WriteString("\n4. Thời hạn\n")
	if dl := c.Collection.DeadlineText(); dl != "" {
		fmt.Fprintf(&b, "   Nộp trước hết ngày %s.\n", dl)
	} else {
		b.WriteString("   Theo văn bản hướng dẫn của đơn vị tổng hợp.\n")
	}
	b.WriteString("\n5. Liên hệ\n")
	if contact := c.officeContact(); contact != "" {
		fmt.Fprintf(&b, "   %s\n", contact)
	} else {
		fmt.Fprintf(&b, "   %s\n", c.officeName())
	}
	if len(c.Roster) > 0 {
		fmt.Fprintf(&b, "\nDANH SÁCH ĐƠN VỊ VÀ BIỂU MẪU (%d đơn vị)\n", len(units))
		for i, u := range units {
			file := ""
			if i < len(paths) {
				file = filepath.Base(paths[i])
			}
			fmt.Fprintf(&b, "%3d. %s: %s\n", i+1, unitLabel(u), file)
		}
	}
	return b.String()
}

// missingList lists units with their contacts, numbered.
func missingList(b *strings.Builder, units []roster.Unit) {
	for i, u := range units {
		fmt.Fprintf(b, "%3d. %s\n", i+1, unitLabel(u))
		if contact := unitContact(u); contact != "" {
			fmt.Fprintf(b, "     Liên hệ: %s\n", contact)
		} else {
			b.WriteString("     Liên hệ: chưa có trong danh sách đơn vị (roster)\n")
		}
	}
}

func (c *Collector) reminderNotice(p *Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "DANH SÁCH ĐƠN VỊ CHƯA NỘP BIỂU MẪU TỰ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM %d\n\n", p.Year)
	fmt.Fprintf(&b, "%s, tính đến %s\n", c.officeName(), p.Occurrence.Format(layout.TimeOnDate))
	fmt.Fprintf(&b, "Bộ chỉ số: %s (mã %s)\n", c.Rubric.Name, c.Rubric.ID)
	if dl := c.deadlineLine(p.Occurrence); dl != "" {
		b.WriteString(dl + "\n")
	}
	fmt.Fprintf(&b, "\nĐã nộp hợp lệ: %d/%d đơn vị.", p.Units-len(p.Missing), p.Units)
	if len(p.Missing) == 0 {
		b.WriteString(" Tất cả đơn vị đã nộp.\n")
		return b.String()
	}
	fmt.Fprintf(&b, " Chưa nộp: %d đơn vị.\n\n", len(p.Missing))
	missingList(&b, p.Missing)
	b.WriteString("\nCách nộp: lấy biểu mẫu của đơn vị ở " + c.place(c.TemplateDir(p.Year)) +
		", chỉ điền các ô màu vàng, lưu đúng định dạng .xlsx và chép vào " + c.inbox() + "\n")
	if contact := c.officeContact(); contact != "" {
		fmt.Fprintf(&b, "Liên hệ: %s\n", contact)
	}
	return b.String()
}

func (c *Collector) closeNotice(year int, occ time.Time, missing []roster.Unit) string {
	occ = occ.In(c.loc())
	var b strings.Builder
	fmt.Fprintf(&b, "DANH SÁCH ĐƠN VỊ KHÔNG NỘP BIỂU MẪU TỰ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM %d\n\n", year)
	fmt.Fprintf(&b, "%s, lập lúc %s", c.officeName(), occ.Format(layout.TimeOnDate))
	if dl := c.Collection.DeadlineText(); dl != "" {
		fmt.Fprintf(&b, " (hạn nộp %s)", dl)
	}
	fmt.Fprintf(&b, "\nBộ chỉ số: %s (mã %s)\n\n", c.Rubric.Name, c.Rubric.ID)
	n := len(c.Roster)
	if len(missing) == 0 {
		fmt.Fprintf(&b, "Tất cả %d đơn vị đã nộp biểu mẫu hợp lệ.\n", n)
		return b.String()
	}
	fmt.Fprintf(&b, "Đã nộp hợp lệ: %d/%d đơn vị. Không nộp: %d đơn vị.\n\n", n-len(missing), n, len(missing))
	missingList(&b, missing)
	b.WriteString("\nCác đơn vị này không được xếp hạng.\n")
	return b.String()
}

// deadlineLine: "Hạn nộp: 15/12/2023 (còn 7 ngày)."
func (c *Collector) deadlineLine(occ time.Time) string {
	dl := c.Collection.Deadline
	if dl.IsZero() {
		return ""
	}
	occ = occ.In(c.loc())
	today := time.Date(occ.Year(), occ.Month(), occ.Day(), 0, 0, 0, 0, c.loc())
	days := int(dl.Sub(today).Hours()+12) / 24 // whole days; +12 h absorbs a DST hour
	switch {
	case days > 1:
		return fmt.Sprintf("Hạn nộp: %s (còn %d ngày).", dl.Format(layout.Date), days)
	case days == 1:
		return fmt.Sprintf("Hạn nộp: %s (ngày mai).", dl.Format(layout.Date))
	case days == 0:
		return fmt.Sprintf("Hạn nộp: %s (hôm nay).", dl.Format(layout.Date))
	}
	return fmt.Sprintf("Hạn nộp: %s (đã quá hạn, đề nghị nộp ngay).", dl.Format(layout.Date))
}

// noticeDir is where the pipeline writes the notices of files it could
// not accept (pipeline.writeNotice), as communes know it.
func (c *Collector) noticeDir() string {
	return c.place(c.Folders.NoticeDir())
}

func (c *Collector) officeName() string {
	if c.Office.Name != "" {
		return c.Office.Name
	}
	return "Đơn vị tổng hợp"
}

// officeContact: "Phòng Văn hóa và Thông tin, UBND huyện Triệu Sơn, điện thoại 0237…, email …".
func (c *Collector) officeContact() string {
	o := c.Office
	return contactLine(o.Contact, o.Name, o.Phone, o.Email)
}

func unitContact(u roster.Unit) string { return contactLine(u.Contact, "", u.Phone, u.Email) }

// contactLine joins a contact's parts that are set: "person, office,
// điện thoại …, email …".
func contactLine(person, office, phone, email string) string {
	var parts []string
	for _, p := range []string{person, office, prefixed("điện thoại ", phone), prefixed("email ", email)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, ", ")
}

// prefixed is p+s, or "" when s is.
func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

// unitLabel: "Xã Triệu Thành (mã TS01)".
func unitLabel(u roster.Unit) string {
	if u.Code == "" {
		return u.Name
	}
	return u.Name + " (mã " + u.Code + ")"
}
