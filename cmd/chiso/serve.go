package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/chiso-vn/chiso/processor/daemon"
	"github.com/chiso-vn/chiso/processor/publish"
	"github.com/chiso-vn/chiso/processor/watch"
)

func setupServe(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	noCalendar := fs.Bool("no-calendar", false, "không chạy lịch thu thập (mở đợt, nhắc nộp, kết thúc)")
	return func(ctx context.Context, _ []string) error { return a.serve(ctx, *noCalendar) }
}

func (a *app) serve(ctx context.Context, noCalendar bool) error {
	c := a.cfg
	// One instance per inbox and per ledger.
	unlock, err := daemon.Lock(a.folders.ControlDir(), a.folders.Data)
	if err != nil {
		if errors.Is(err, daemon.ErrLocked) {
			return failed("%s", lockedText)
		}
		return &exitError{code: exitConfig, err: err}
	}
	defer unlock()
	log, closer := newLogger(c, a.stderr)
	defer closer.Close()
	p, pub, err := a.newPipeline(log)
	if err != nil {
		return err
	}
	defer p.Ledger.Close()
	d := &daemon.Daemon{
		Pipeline: p, Publisher: pub,
		Watch: watch.Config{
			Dir: a.folders.Inbox, Rescan: time.Duration(c.Watch.RescanSeconds) * time.Second,
			Settle: time.Duration(c.Watch.SettleSeconds) * time.Second, Events: c.Watch.Events, Log: log,
		},
		Workers:  c.Workers,
		Debounce: time.Duration(c.Watch.DebounceSeconds) * time.Second,
		Log:      log,
	}
	if !noCalendar {
		col, err := a.collector(p.Ledger, log)
		if err != nil {
			return err
		}
		col.Final = func(ctx context.Context) error {
			_, err := pub.Publish(ctx, publish.Options{Year: p.Year(), Final: true})
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
	log.Info().Str("inbox", a.folders.Inbox).Str("outbox", a.folders.Outbox).Int("year", p.Year()).
		Str("rubric", c.Rubric).Msg("chiso serve started; Ctrl+C to stop")
	if err := d.Start(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}
