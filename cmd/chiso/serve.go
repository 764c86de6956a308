package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/chiso-vn/chiso/processor/daemon"
	"github.com/chiso-vn/chiso/processor/pipeline"
	"github.com/chiso-vn/chiso/processor/watch"
)

func (a *app) serveCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	noCalendar := fs.Bool("no-calendar", false, "do not run the collection calendar (opening, reminders, close)")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	c := a.cfg
	// One instance per inbox: the lock lives with the ledger, on local disk.
	unlock, err := daemon.Lock(c.Path(c.Data))
	if err != nil {
		if errors.Is(err, daemon.ErrLocked) {
			return failed("%v", err)
		}
		return &exitError{code: exitConfig, err: err}
	}
	defer unlock()
	log, closer := newLogger(c, a.stderr)
	defer closer.Close()
	p, err := a.newPipeline(log)
	if err != nil {
		return err
	}
	defer p.Ledger.Close()
	d := &daemon.Daemon{
		Pipeline: p,
		Watch: watch.Config{
			Dir: c.Path(c.Inbox), Rescan: time.Duration(c.Watch.RescanSeconds) * time.Second,
			Settle: time.Duration(c.Watch.SettleSeconds) * time.Second, Events: c.Watch.Events,
			Filter: pipeline.Candidate, Log: log,
		},
		Workers:  c.Workers,
		Debounce: time.Duration(c.Watch.DebounceSeconds) * time.Second,
		Year:     p.Settings.Year,
		Log:      log,
	}
	if !*noCalendar {
		col, err := a.collector(p.Ledger, log)
		if err != nil {
			return err
		}
		col.Final = func(ctx context.Context) error {
			_, err := p.Rank(ctx, pipeline.RankOptions{Year: p.Settings.Year, Final: true})
			return err
		}
		cal, _, err := a.calendar(col, p.Ledger, log)
		if err != nil {
			return err
		}
		for name, next := range cal.Next() {
			log.Info().Str("job", name).Time("next", next).Msg("scheduled")
		}
		d.Calendar = cal
	}
	log.Info().Str("inbox", c.Path(c.Inbox)).Str("outbox", c.Path(c.Outbox)).Int("year", p.Settings.Year).
		Str("rubric", c.Rubric).Msg("chiso serve started; Ctrl+C to stop")
	if err := d.Start(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
