package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/calendar"
	"github.com/chiso-vn/chiso/processor/collect"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/mail"
)

// collector wires the collection jobs to the config, rubric, ledger and
// (when configured) the mail server.
func (a *app) collector(l *ledger.Ledger, log zerolog.Logger) (*collect.Collector, error) {
	r, err := a.rubricByIDOrFile("")
	if err != nil {
		return nil, err
	}
	var sender mail.Sender
	if a.cfg.SMTP.Host != "" {
		s, err := mail.NewSMTP(a.cfg.SMTP)
		if err != nil {
			return nil, &exitError{code: exitConfig, err: fmt.Errorf("smtp: %w", err)}
		}
		sender = s
	}
	return &collect.Collector{Config: a.cfg, Rubric: r, Ledger: l, Mail: sender, Clock: time.Now, Log: log, Out: a.stdout}, nil
}

// calendar builds the collection calendar from the config.
func (a *app) calendar(col *collect.Collector, l *ledger.Ledger, log zerolog.Logger) (*calendar.Calendar, []collect.JobSpec, error) {
	loc, err := time.LoadLocation(a.cfg.Schedule.TimeZone)
	if err != nil {
		return nil, nil, &exitError{code: exitConfig, err: fmt.Errorf("schedule.timezone: %w", err)}
	}
	cal := calendar.New(loc, l, time.Now, log)
	specs, err := col.Register(cal)
	if err != nil {
		return nil, nil, &exitError{code: exitConfig, err: fmt.Errorf("schedule: %w", err)}
	}
	return cal, specs, nil
}

func (a *app) remindCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("remind", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	dry := fs.Bool("dry-run", false, "print who would be reminded; write and send nothing")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	log, closer := newLogger(a.cfg, a.stderr)
	defer closer.Close()
	l, err := ledger.Open(a.cfg.Path(a.cfg.Data))
	if err != nil {
		return &exitError{code: exitConfig, err: err}
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
