package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/daemon"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/watch"
)

func setupServe(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	noCalendar := fs.Bool("no-calendar", false, "không chạy lịch thu thập (mở đợt, nhắc nộp, kết thúc)")
	return func(ctx context.Context, _ []string) error { return a.serve(ctx, *noCalendar) }
}

func (a *app) serve(ctx context.Context, noCalendar bool) error {
	c := a.cfg
	// A share that is not connected stops here, before the lock would create
	// the inbox's control folder in its place.
	if err := a.requireShares(true); err != nil {
		return err
	}
	// One instance per inbox and per ledger.
	unlock, err := daemon.LockAs("serve", a.now(), a.folders.ControlDir(), a.folders.Data)
	if err != nil {
		if errors.Is(err, daemon.ErrLocked) {
			return failed("%s", lockedText)
		}
		return &exitError{code: exitConfig, err: err}
	}
	defer unlock()
	log, closer := newLogger(c, a.col.Loc(), a.stderr)
	defer closer.Close()
	p, pub, err := a.newPipeline(log, true)
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
			_, _, err := pub.AtClose(ctx, p.Year())
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
	a.logCollection(log)
	log.Info().Str("inbox", a.folders.Inbox).Str("outbox", a.folders.Outbox).Int("year", p.Year()).
		Str("rubric", c.Rubric).Msg("chiso serve started; Ctrl+C to stop")
	if err := d.Start(ctx); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// logCollection says what the configured collection collects and where it
// stands; after the close, that it is over (nothing is sent) and which
// settings start the next one.
func (a *app) logCollection(log zerolog.Logger) {
	col, now := a.col, a.now()
	stage := col.StageAt(now)
	ev := log.Info()
	if stage == collection.Closed {
		ev = log.Warn()
	}
	ev = ev.Int("year", col.YearAt(now)).Str("rubric", a.cfg.Rubric).Str("stage", stage.String()).Str("timezone", col.Loc().String())
	for _, t := range []struct {
		key, format string
		at          time.Time
	}{{"opening", layout.ISO, col.Opening}, {"deadline", layout.ISODate, col.Deadline}, {"close", layout.ISO, col.Close}} {
		if !t.at.IsZero() {
			ev = ev.Str(t.key, t.at.In(col.Loc()).Format(t.format))
		}
	}
	switch stage {
	case collection.Closed:
		ev.Msg("the configured collection is over: nothing is sent; files are still accepted, marked late, and change nothing official until 'chiso rank --final'; " +
			"to collect a new year, set year:, opening:, deadline: and close: in " + a.cfgPath)
	case collection.Late:
		ev.Msg("collecting: the deadline has passed, files are accepted and marked late until the close")
	case collection.BeforeOpening:
		ev.Msg("collecting: the collection opens at the opening date (templates for every unit)")
	default:
		ev.Msg("collecting")
	}
}
