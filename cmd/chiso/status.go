package main

import (
	"context"

	"flag"
	"fmt"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/intake"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
)

func (a *app) statusCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("status", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	if err := fs.Parse(args); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	c := a.cfg
	l, err := a.openLedger()
	if err != nil {
		return err
	}
	defer l.Close()
	w := a.stdout
	year := a.col.YearAt(time.Now())
	fmt.Fprintf(w, "Năm %d, bộ chỉ số %s, thư mục nhận %s\n", year, c.Rubric, a.folders.Inbox)
	counts, err := l.Counts(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Tệp đã xử lý: %d nhận, %d đã thay thế, %d trùng, %d trả lại; %d đang xử lý\n",
		counts[string(ledger.Accepted)], counts[string(ledger.Superseded)], counts[string(ledger.Duplicate)],
		counts[string(ledger.Rejected)], counts[ledger.StateProcessing])
	files, err := l.Files(ctx)
	if err != nil {
		return err
	}
	var last *ledger.File
	for i := range files {
		if files[i].State == ledger.StateDone && (last == nil || files[i].ProcessedAt.After(last.ProcessedAt)) {
			last = &files[i]
		}
	}
	if last != nil {
		fmt.Fprintf(w, "Tệp xử lý gần nhất: %s (%s, %s) lúc %s\n", last.Name, last.Outcome.Label(), last.UnitName, layout.Show(last.ProcessedAt, layout.TimeDate))
	}
	pending, _, _ := intake.Scan(a.folders.Inbox, time.Now())
	claimed, _ := os.ReadDir(a.folders.ClaimDir())
	fmt.Fprintf(w, "Tệp chờ xử lý: %d trong thư mục nhận, %d đang được xử lý\n", len(pending), len(claimed))
	a.printNextJobs(w, l)
	if len(c.Roster) == 0 {
		fmt.Fprintln(w, "Chưa có danh sách đơn vị (roster) trong config.yaml: không xác định được đơn vị chưa nộp.")
		return nil
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
