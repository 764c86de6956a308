package collect

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/mail"
	"github.com/chiso-vn/chiso/processor/roster"
)

// Plan is what a reminder does for one occurrence.
type Plan struct {
	Year       int
	Occurrence time.Time // in the calendar's time zone
	Deadline   string    // "15/12/2023", or "" when none is set
	Units      int       // units in the roster
	Missing    []roster.Unit
	// Email: a Sender is set. Mail lists the missing units that get an
	// e-mail (they have an address); NoEmail those that cannot.
	Email         bool
	Mail, NoEmail []roster.Unit
	// Office is the summary's recipient ("" when none is sent).
	Office string
	Notice string // the notice file written
}

// String is the plan for `chiso remind --dry-run`, in Vietnamese.
func (p *Plan) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Nhắc nộp năm %d, ngày %s", p.Year, p.Occurrence.Format(layout.DateTime))
	if p.Deadline != "" {
		fmt.Fprintf(&b, " (hạn nộp %s)", p.Deadline)
	}
	fmt.Fprintf(&b, ": %d/%d đơn vị chưa nộp.\n", len(p.Missing), p.Units)
	for _, u := range p.Missing {
		fmt.Fprintf(&b, "  %s\n", unitLabel(u))
	}
	fmt.Fprintf(&b, "Thông báo: %s\n", p.Notice)
	switch {
	case !p.Email:
		b.WriteString("Không gửi thư: chưa cấu hình máy chủ thư (smtp.host).\n")
	case len(p.Mail) > 0:
		fmt.Fprintf(&b, "Sẽ gửi thư nhắc tới %d đơn vị:\n", len(p.Mail))
		for _, u := range p.Mail {
			fmt.Fprintf(&b, "  %s <%s>\n", u.Name, strings.Join(emails(u.Email), ", "))
		}
	}
	if len(p.NoEmail) > 0 {
		fmt.Fprintf(&b, "Không có địa chỉ email trong danh sách đơn vị (roster): %s\n", names(p.NoEmail))
	}
	if p.Office != "" {
		fmt.Fprintf(&b, "Sẽ gửi bản tổng hợp tới văn phòng: %s\n", p.Office)
	}
	return b.String()
}

// PlanReminder computes who a reminder for occ would remind, and how,
// without writing or sending anything.
func (c *Collector) PlanReminder(ctx context.Context, occ time.Time) (*Plan, error) {
	occ = occ.In(c.loc())
	year := c.year(occ)
	missing, err := c.Missing(ctx, year)
	if err != nil {
		return nil, err
	}
	p := &Plan{
		Year: year, Occurrence: occ, Deadline: c.Collection.DeadlineText(), Units: len(c.Roster), Missing: missing,
		Notice: c.Folders.ReminderNoticePath(year, occ),
	}
	if c.Mail == nil {
		return p, nil
	}
	p.Email = true
	for _, u := range missing {
		if len(emails(u.Email)) > 0 {
			p.Mail = append(p.Mail, u)
		} else {
			p.NoEmail = append(p.NoEmail, u)
		}
	}
	if len(missing) > 0 {
		p.Office = strings.Join(emails(c.Office.Email), ", ")
	}
	return p, nil
}

// Reminder writes the notice of the units without an accepted submission
// and, when a Sender is set, e-mails each of them its template and the
// office a summary. An e-mail already sent for this occurrence is not sent
// again (a failed run is retried at the next start); a send that fails does
// not stop the others, and makes the run fail so it is retried.
func (c *Collector) Reminder(ctx context.Context, occ time.Time) error {
	p, err := c.PlanReminder(ctx, occ)
	if err != nil {
		return err
	}
	if c.DryRun {
		c.printf("%s", p.String())
		return nil
	}
	if _, err := writeText(p.Notice, c.reminderNotice(p)); err != nil {
		return fmt.Errorf("reminder: %w", err)
	}
	c.Log.Info().Str("event", "audit").Str("action", "reminder-notice").Int("year", p.Year).Int("missing", len(p.Missing)).
		Str("notice", p.Notice).Time("occurrence", p.Occurrence).Msg("reminder notice written")
	if c.Mail == nil || len(p.Missing) == 0 {
		return nil
	}
	var errs []error
	var sent, failed []roster.Unit
	for _, u := range p.Mail {
		if err := ctx.Err(); err != nil {
			return errors.Join(append(errs, err)...)
		}
		_, err := c.sendOnce(ctx, "reminder-mail/"+roster.UnitKey(u), p.Occurrence, func() (mail.Message, error) { return c.unitMail(p, u) }, u)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", u.Name, err))
			failed = append(failed, u)
			continue
		}
		sent = append(sent, u) // now, or by an earlier try of this occurrence
	}
	for _, u := range p.NoEmail {
		c.Log.Warn().Str("unit", u.Name).Str("unit_code", u.Code).Msg("no e-mail address in the roster: reminder notice only")
	}
	if p.Office != "" {
		office := roster.Unit{Name: c.Office.Name, Email: c.Office.Email}
		_, err := c.sendOnce(ctx, "reminder-mail/office", p.Occurrence, func() (mail.Message, error) {
			return c.summaryMail(p, sent, failed), nil
		}, office)
		if err != nil {
			errs = append(errs, fmt.Errorf("office summary: %w", err))
		}
	}
	return errors.Join(errs...)
}

// ErrNotCollecting is returned by RemindNow outside the collection: before
// its opening (nothing to remind of yet) and after its close (it is over).
var ErrNotCollecting = errors.New("không trong đợt thu thập")

// RemindNow runs the reminder for the occurrence "now" (Now), as
// `chiso remind` does; with DryRun it only prints the plan to Out. After
// the deadline it still reminds ("đã quá hạn, đề nghị nộp ngay"); before
// the opening or after the close it sends nothing (ErrNotCollecting).
func (c *Collector) RemindNow(ctx context.Context) error {
	now := c.now()
	col := c.Collection
	switch col.StageAt(now) {
	case collection.BeforeOpening:
		return fmt.Errorf("%w: đợt thu thập năm %d mở lúc %s; chưa có gì để nhắc", ErrNotCollecting, col.YearAt(now), col.Show(col.Opening, layout.TimeDate))
	case collection.Closed:
		return fmt.Errorf("%w: đợt thu thập năm %d đã chốt lúc %s; không gửi nhắc nào (muốn thu thập năm mới: sửa year:, opening:, deadline: và close: trong config.yaml)",
			ErrNotCollecting, col.YearAt(now), col.Show(col.Close, layout.TimeDate))
	}
	return c.Reminder(ctx, now)
}

// sendOnce sends the message unless one was already sent under key for
// this occurrence (or a later one), and records it; sent reports whether
// it sent now. The record is per recipient so that a retried run after a
// partial failure sends only what is missing.
func (c *Collector) sendOnce(ctx context.Context, key string, occ time.Time, build func() (mail.Message, error), u roster.Unit) (sent bool, err error) {
	last, err := c.Ledger.LastRun(ctx, key)
	if err != nil {
		return false, err
	}
	if !last.IsZero() && !last.Before(occ) {
		c.Log.Info().Str("unit", u.Name).Time("occurrence", occ).Msg("reminder already sent for this occurrence")
		return false, nil
	}
	m, err := build()
	if err != nil {
		return false, err
	}
	if err := c.Mail.Send(ctx, m); err != nil {
		c.Log.Error().Str("event", "audit").Str("action", "reminder-failed").Str("unit", u.Name).Str("unit_code", u.Code).
			Strs("to", m.To).Time("occurrence", occ).Err(err).Msg("reminder e-mail failed")
		return false, err
	}
	c.Log.Info().Str("event", "audit").Str("action", "reminder-sent").Str("unit", u.Name).Str("unit_code", u.Code).
		Strs("to", m.To).Str("subject", m.Subject).Int("attachments", len(m.Attachments)).Time("occurrence", occ).Msg("reminder sent")
	// Recorded even if ctx was cancelled meanwhile: the e-mail is gone.
	if err := c.Ledger.SetLastRun(context.WithoutCancel(ctx), key, occ); err != nil {
		return true, fmt.Errorf("record the e-mail to %s: %w", u.Name, err)
	}
	return true, nil
}

// Subject is the reminder's subject line.
func (p *Plan) Subject() string {
	s := fmt.Sprintf("Nhắc nộp biểu mẫu tự đánh giá chuyển đổi số năm %d", p.Year)
	if p.Deadline != "" {
		s += " — hạn " + p.Deadline
	}
	return s
}

func (c *Collector) unitMail(p *Plan, u roster.Unit) (mail.Message, error) {
	data, err := c.template(p.Year, u)
	if err != nil {
		return mail.Message{}, err
	}
	name := c.templateName(p.Year, u)
	var b strings.Builder
	greet := "Kính gửi: " + u.Name
	if u.Contact != "" {
		greet += " (đồng chí " + u.Contact + ")"
	}
	b.WriteString(greet + ",\n\n")
	fmt.Fprintf(&b, "Đến %s, %s chưa nhận được biểu mẫu tự đánh giá mức độ chuyển đổi số năm %d hợp lệ của đơn vị.\n",
		p.Occurrence.Format(layout.Date), c.officeName(), p.Year)
	if dl := c.deadlineLine(p.Occurrence); dl != "" {
		b.WriteString(dl + "\n")
	}
	b.WriteString("\nViệc cần làm:\n")
	filled := "tên, mã đơn vị"
	if u.Code == "" {
		filled = "tên đơn vị"
	}
	fmt.Fprintf(&b, "1. Mở tệp đính kèm %s bằng Excel. Biểu mẫu đã ghi sẵn %s và năm %d.\n", name, filled, p.Year)
	b.WriteString("2. Chỉ điền vào các ô màu vàng: số liệu, điểm tự chấm, giải trình và tài liệu kiểm chứng của từng chỉ số. " +
		"Không chèn, xoá hay đổi thứ tự dòng, không đổi tên trang tính.\n")
	b.WriteString("3. Lưu lại đúng định dạng .xlsx (Excel Workbook); không lưu thành .xls hay .pdf, không đặt mật khẩu.\n")
	fmt.Fprintf(&b, "4. Chép tệp đã điền vào %s\n", c.inbox())
	b.WriteString("   Hệ thống tự kiểm tra, chấm điểm và trả lại tệp có ghi chú ở từng ô cần sửa.\n\n")
	fmt.Fprintf(&b, "Nếu đơn vị đã nộp nhưng tệp bị trả lại, xin xem thông báo lý do ở %s, sửa và nộp lại; "+
		"bản nộp sau thay thế bản trước.\n", c.noticeDir())
	if contact := c.officeContact(); contact != "" {
		fmt.Fprintf(&b, "\nMọi vướng mắc xin liên hệ: %s.\n", contact)
	}
	fmt.Fprintf(&b, "\nThư này do hệ thống tổng hợp chỉ số chuyển đổi số của %s gửi tự động.\n", c.officeName())
	return mail.Message{
		To: emails(u.Email), Subject: p.Subject(), Text: b.String(),
		Attachments: []mail.Attachment{{Name: name, Data: data}},
	}, nil
}

func (c *Collector) summaryMail(p *Plan, sent, failed []roster.Unit) mail.Message {
	var b strings.Builder
	b.WriteString(c.reminderNotice(p))
	b.WriteString("\nThư nhắc:\n")
	fmt.Fprintf(&b, "- Đã gửi (%d): %s\n", len(sent), names(sent))
	if len(failed) > 0 {
		fmt.Fprintf(&b, "- Gửi không được (%d, sẽ thử lại): %s\n", len(failed), names(failed))
	}
	if len(p.NoEmail) > 0 {
		fmt.Fprintf(&b, "- Không có địa chỉ email trong danh sách đơn vị (%d): %s\n", len(p.NoEmail), names(p.NoEmail))
	}
	return mail.Message{
		To:      emails(c.Office.Email),
		Subject: fmt.Sprintf("Đơn vị chưa nộp biểu mẫu chuyển đổi số năm %d: %d/%d — ngày %s", p.Year, len(p.Missing), p.Units, p.Occurrence.Format(layout.Date)),
		Text:    b.String(),
	}
}

// emails splits a roster e-mail field: "a@x.vn; b@x.vn" or "a@x.vn, b@x.vn".
func emails(s string) []string {
	var out []string
	for _, e := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		if strings.Contains(e, "@") {
			out = append(out, e)
		}
	}
	return out
}

func names(units []roster.Unit) string {
	if len(units) == 0 {
		return "không có"
	}
	ns := make([]string, len(units))
	for i, u := range units {
		ns[i] = u.Name
	}
	return strings.Join(ns, ", ")
}
