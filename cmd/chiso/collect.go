package main

import (
	"context"
	"fmt"
	"io"
	"sort"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/collect"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
)

// remind reminds the units that have not submitted, now (dry: only say
// who would be reminded).
func (a *app) remind(ctx context.Context, dry bool) error {
	if !dry {
		if err := a.requireShares(false); err != nil {
			return err
		}
	}
	log, closer := newLogger(a.cfg, a.col.Loc(), a.stderr)
	defer closer.Close()
	l, err := a.openLedger()
	if err != nil {
		return err
	}
	defer l.Close()
	col, err := a.collector(l, log)
	if err != nil {
		return err
	}
	col.DryRun = dry
	if err := col.RemindNow(ctx); err != nil {
		return failed("remind: %v", err)
	}
	return nil
}

// printNextJobs lists the next occurrence of each scheduled job.
func (a *app) printNextJobs(w io.Writer, l *ledger.Ledger) {
	col, err := a.collector(l, zerolog.Nop())
	if err != nil {
		fmt.Fprintf(w, "Lịch thu thập: %v\n", err)
		return
	}
	cal, specs, err := a.calendar(col, l, zerolog.Nop())
	if err != nil {
		fmt.Fprintf(w, "Lịch thu thập: %v\n", err)
		return
	}
	next := cal.Next()
	var due []collect.JobSpec
	for _, s := range specs {
		if _, ok := next[s.Name]; ok {
			due = append(due, s)
		}
	}
	if len(due) == 0 {
		fmt.Fprintln(w, "Lịch thu thập: không còn việc nào theo lịch của đợt này.")
		return
	}
	sort.SliceStable(due, func(i, j int) bool { return next[due[i].Name].Before(next[due[j].Name]) })
	fmt.Fprintln(w, "Lịch thu thập (lần chạy tới):")
	for _, s := range due {
		fmt.Fprintf(w, "  %-16s %s  (%s: %s)\n", a.col.Show(next[s.Name], layout.TimeDate), s.Label(), s.Name, s.Spec(a.col.Loc()))
	}
}
