package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/ledger"
)

func (a *app) remindCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("remind", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	dry := fs.Bool("dry-run", false, "print who would be reminded; write and send nothing")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	log, closer := newLogger(a.cfg, a.stderr)
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
	col.DryRun = *dry
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
	sort.Slice(specs, func(i, j int) bool { return next[specs[i].Name].Before(next[specs[j].Name]) })
	fmt.Fprintln(w, "Lịch thu thập (lần chạy tới):")
	for _, s := range specs {
		fmt.Fprintf(w, "  %-20s %-10s %s  (%s)\n", s.Name, s.Kind, next[s.Name].Format("15:04 02/01/2006"), s.Spec)
	}
}
