package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/daemon"
	"github.com/chiso-vn/chiso/processor/intake"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
)

// status tells the office where the collection stands. It works on a
// fresh install (nothing processed yet, no ledger) and with the inbox
// missing (an unconnected share), saying so.
func (a *app) status(ctx context.Context) error {
	c := a.cfg
	l, err := a.openLedger()
	if err != nil {
		return err
	}
	defer l.Close()
	w := a.stdout
	now := a.now()
	year := a.col.YearAt(now)
	fmt.Fprintf(w, "Năm %d, bộ chỉ số %s, thư mục nhận %s\n", year, c.Rubric, a.folders.Inbox)
	a.printCollection(w, now)
	finals, err := l.Finals(ctx, year, c.Rubric)
	if err != nil {
		return err
	}
	if len(finals) == 0 {
		fmt.Fprintln(w, "Bảng xếp hạng chính thức: chưa ban hành (bảng hiện có là bản tạm tính)")
		if a.col.StageAt(now) == collection.Closed {
			fmt.Fprintln(w, "  Đợt đã chốt mà chưa có bảng chính thức (chiso không chạy lúc chốt?): chạy chiso rank --final để ban hành.")
		}
	} else {
		f := finals[len(finals)-1]
		fmt.Fprintf(w, "Bảng xếp hạng chính thức: bản số %d, ban hành lúc %s", f.Version, a.col.Show(f.PublishedAt, layout.TimeDate))
		if f.Replaces > 0 {
			fmt.Fprintf(w, ", thay thế bản số %d", f.Replaces)
		}
		if len(f.Paths) > 0 {
			fmt.Fprintf(w, " (%s)", filepath.Base(f.Paths[0]))
		}
		fmt.Fprintln(w)
	}
	a.printDaemon(w)
	for _, f := range a.shares() {
		if msg := a.shareProblem(f); msg != "" {
			fmt.Fprintln(w, "CHÚ Ý: "+msg+" serve và process sẽ không chạy.")
		}
	}
	counts, err := l.Counts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Tệp đã xử lý: %d nhận, %d đã thay thế, %d trùng, %d trả lại; %d đang xử lý\n",
		counts[string(ledger.Accepted)], counts[string(ledger.Superseded)], counts[string(ledger.Duplicate)],
		counts[string(ledger.Rejected)], counts[ledger.StateProcessing])
	last, ok, err := l.LastDone(ctx)
	if err != nil {
		return err
	}
	if ok {
		fmt.Fprintf(w, "Tệp xử lý gần nhất: %s (%s, %s) lúc %s\n", last.Name, last.Outcome.Label(), last.UnitName, a.col.Show(last.ProcessedAt, layout.TimeDate))
	}
	pending, _, _ := intake.Scan(a.folders.Inbox, time.Now())
	claimed, _ := os.ReadDir(a.folders.ClaimDir())
	fmt.Fprintf(w, "Tệp chờ xử lý: %d trong thư mục nhận, %d đang được xử lý\n", len(pending), len(claimed))
	a.printNextJobs(w, l)
	if len(c.Roster) == 0 {
		fmt.Fprintln(w, "Chưa có danh sách đơn vị (roster) trong config.yaml: không xác định được đơn vị chưa nộp.")
		return nil
	}
	for _, l := range a.lookalikes() {
		fmt.Fprintln(w, "Lưu ý: "+l)
	}
	col, err := a.collector(l, zerolog.Nop())
	if err != nil {
		return err
	}
	units, err := col.Missing(ctx, year)
	if err != nil {
		return err
	}
	var missing []string
	for _, u := range units {
		missing = append(missing, u.Name)
	}
	fmt.Fprintf(w, "Đơn vị chưa nộp: %d/%d\n", len(missing), len(c.Roster))
	for _, m := range missing {
		fmt.Fprintln(w, "  - "+m)
	}
	return nil
}

// printCollection says the collection's dates and where it stands; after
// the close, that it is over and which settings start the next one.
func (a *app) printCollection(w io.Writer, now time.Time) {
	col := a.col
	show := func(t time.Time, format string) string {
		if t.IsZero() {
			return "chưa đặt"
		}
		return col.Show(t, format)
	}
	fmt.Fprintf(w, "Đợt thu thập năm %d: mở %s, hạn nộp %s, chốt %s (giờ %s)\n", col.YearAt(now),
		show(col.Opening, layout.TimeDate), show(col.Deadline, layout.Date), show(col.Close, layout.TimeDate), col.Loc())
	stage := col.StageAt(now)
	fmt.Fprintf(w, "Trạng thái đợt thu thập: %s\n", stage.Label())
	if stage == collection.Closed {
		fmt.Fprintln(w, overNotice(col.YearAt(now), a.cfgPath))
	}
}

// overNotice tells the office the configured collection is over.
func overNotice(year int, cfgPath string) string {
	return fmt.Sprintf("Đợt thu thập năm %d đã kết thúc: không gửi biểu mẫu hay nhắc nộp nữa. Để thu thập năm mới, sửa year, opening, deadline, close (và roster nếu có thay đổi) trong %s, rồi khởi động lại chiso serve.", year, cfgPath)
}

// printDaemon says whether a chiso serve (or process) holds this inbox.
func (a *app) printDaemon(w io.Writer) {
	h, running, err := daemon.Holding(a.folders.Data)
	switch {
	case err != nil:
		fmt.Fprintf(w, "Dịch vụ: không xác định được (%v)\n", err)
	case !running:
		fmt.Fprintln(w, "Dịch vụ: không chạy (chưa có chiso serve nào trên thư mục nhận này)")
	default:
		what := "chiso " + h.Command
		if h.Command == "" {
			what = "chiso"
		}
		since := ""
		if !h.Since.IsZero() {
			since = ", từ " + a.col.Show(h.Since, layout.TimeDate)
		}
		fmt.Fprintf(w, "Dịch vụ: đang chạy (%s, pid %d%s)\n", what, h.PID, since)
	}
}
