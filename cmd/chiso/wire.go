package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/calendar"
	"github.com/chiso-vn/chiso/processor/collect"
	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/config"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/mail"
	"github.com/chiso-vn/chiso/processor/pipeline"
	"github.com/chiso-vn/chiso/processor/publish"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// The config is turned into the library's types here, and only here.

// collectionOf is the collection round the config describes: its year, its
// dates (opening, deadline, close) read in schedule.timezone, and that zone.
// Configs written before the dates existed still work: year 0 is the year
// of now; without opening: the first occurrence of schedule.opening in the
// year, else 1 November (unless that is after the deadline); without
// close: the first occurrence of schedule.close from the deadline day on,
// else the end of the deadline day.
func collectionOf(cfg config.Config, now time.Time) (collection.Collection, error) {
	loc, err := time.LoadLocation(cfg.Schedule.TimeZone)
	if err != nil {
		return collection.Collection{}, fmt.Errorf("schedule.timezone: %w", err)
	}
	year := cfg.CollectionYear()
	if year == 0 {
		year = now.In(loc).Year()
	}
	opening, deadline, closing := cfg.Dates(loc)
	if opening.IsZero() && cfg.Schedule.Opening == "" {
		if nov := collection.Day(year, time.November, 1, loc); deadline.IsZero() || !nov.After(deadline) {
			opening = nov
		}
	}
	if closing.IsZero() && cfg.Schedule.Close == "" {
		closing = deadline
	}
	col := collection.New(year, opening, deadline, closing, loc)
	first := func(key, spec string, from time.Time) (time.Time, error) {
		sched, _, err := calendar.Parse(spec, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s %q: %w", key, spec, err)
		}
		return sched.Next(from.Add(-time.Nanosecond)), nil
	}
	if cfg.Opening == "" && cfg.Schedule.Opening != "" {
		if col.Opening, err = first("schedule.opening", cfg.Schedule.Opening, collection.Day(year, time.January, 1, loc)); err != nil {
			return col, err
		}
	}
	if cfg.Close == "" && cfg.Schedule.Close != "" {
		from := deadline
		if from.IsZero() {
			from = collection.Day(year, time.January, 1, loc)
		}
		if col.Close, err = first("schedule.close", cfg.Schedule.Close, from); err != nil {
			return col, err
		}
		if end := col.DeadlineEnd(); !end.IsZero() && col.Close.Before(end) {
			col.Close = end
		}
	}
	return col, nil
}

// workbookLimits are the config's bounds on opening one workbook.
func (a *app) workbookLimits() workbook.Limits {
	l := a.cfg.Limits
	return workbook.Limits{UnzipSize: l.UnzipMB << 20, UnzipXMLSize: l.UnzipXMLMB << 20}
}

// evaluator judges files against the configured rubric and roster.
func (a *app) evaluator() (*pipeline.Evaluator, error) {
	set, err := a.loadRubrics()
	if err != nil {
		return nil, err
	}
	if _, ok := set.Get(a.cfg.Rubric); !ok {
		return nil, &exitError{code: exitConfig, err: fmt.Errorf("config: không có bộ chỉ số %q (xem chiso rubric list)", a.cfg.Rubric)}
	}
	return &pipeline.Evaluator{Rubrics: set, Rubric: a.cfg.Rubric, Roster: roster.NewIndex(a.cfg.Roster),
		MaxFileSize: a.cfg.Limits.MaxFileMB << 20, Workbook: a.workbookLimits()}, nil
}

// checkLineage checks that each predecessor in the lineage was a unit of
// the previous year, as the ledger knows that year (its roster, recorded
// with its ranking, and its files): a mistyped code would silently drop a
// predecessor from the merged unit's comparison. A ledger that knows
// nothing of the previous year cannot tell: the check is skipped, saying so.
func (a *app) checkLineage(ctx context.Context, l *ledger.Ledger, log zerolog.Logger) error {
	if len(a.cfg.Lineage) == 0 {
		return nil
	}
	prev := a.col.YearAt(a.now()) - 1
	known, err := l.YearUnits(ctx, prev)
	if err != nil {
		return err
	}
	if len(known) == 0 {
		log.Warn().Int("year", prev).Msg("lineage: the ledger knows no unit of the previous year, so the predecessors' codes cannot be checked")
		return nil
	}
	var errs []error
	for i, m := range a.cfg.Lineage {
		for _, p := range m.Predecessors {
			if !known[strings.ToLower(strings.TrimSpace(p))] {
				errs = append(errs, a.cfg.Problem(fmt.Sprintf("lineage[%d].predecessors", i),
					"predecessor %q of %s is not a unit of %d (neither in that year's roster nor in its files)", p, m.Code, prev))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return &exitError{code: exitConfig, err: err}
	}
	return nil
}

// lookalikes says which roster units have names equal without diacritics
// (Hợp Thành, Hợp Thanh): not an error when they have codes, but worth
// the admin's attention, since a name typed without diacritics finds
// neither.
func (a *app) lookalikes() []string {
	var out []string
	for _, g := range roster.Lookalikes(a.cfg.Roster) {
		var names []string
		for _, u := range g {
			names = append(names, fmt.Sprintf("%q (mã %s)", u.Name, u.Code))
		}
		out = append(out, strings.Join(names, " và ")+" trùng tên khi bỏ dấu: tệp của các đơn vị này được nhận theo mã, hoặc theo đúng tên có dấu.")
	}
	return out
}

// openLedger opens the ledger in the data folder, creating both on a fresh
// install (the data folder is local and chiso's own).
func (a *app) openLedger() (*ledger.Ledger, error) {
	if err := os.MkdirAll(a.folders.Data, 0o755); err != nil {
		return nil, &exitError{code: exitConfig, err: fmt.Errorf("data: %w", err)}
	}
	l, err := ledger.Open(a.folders.Data)
	if err != nil {
		return nil, &exitError{code: exitConfig, err: err}
	}
	return l, nil
}

// requireShares checks that the inbox (when asked) and the outbox exist:
// they are often network shares, and a share that is not connected must stop
// chiso with a message, not be created empty on the local disk and watched.
func (a *app) requireShares(inbox bool) error {
	var errs []error
	for _, f := range a.shares() {
		if f.key == "inbox" && !inbox {
			continue
		}
		if msg := a.shareProblem(f); msg != "" {
			errs = append(errs, errors.New(msg))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return &exitError{code: exitConfig, err: err}
	}
	return nil
}

// share is a configured folder chiso cannot do without.
type share struct{ key, label, path string }

func (a *app) shares() []share {
	return []share{{"inbox", "Thư mục nhận", a.folders.Inbox}, {"outbox", "Thư mục kết quả", a.folders.Outbox}}
}

// shareProblem says, in Vietnamese, what is wrong with a configured
// folder ("" when nothing is): the same words for serve, process, remind
// and status.
func (a *app) shareProblem(f share) string {
	st, err := os.Stat(f.path)
	switch {
	case err != nil:
		return fmt.Sprintf("%s %s không tồn tại hoặc không đọc được (ổ mạng chưa kết nối?). Kết nối ổ mạng, tạo thư mục, hoặc sửa %s: trong %s.",
			f.label, f.path, f.key, a.cfgPath)
	case !st.IsDir():
		return fmt.Sprintf("%s %s không phải là thư mục: sửa %s: trong %s.", f.label, f.path, f.key, a.cfgPath)
	}
	return ""
}

// newPipeline wires the pipeline and the publisher to the folders and the
// ledger of the config. The outbox (and with inbox, the inbox) must exist;
// the local folders (archive, rejected, data) are created. The caller
// closes the ledger.
func (a *app) newPipeline(log zerolog.Logger, inbox bool) (*pipeline.Pipeline, *publish.Publisher, error) {
	ev, err := a.evaluator()
	if err != nil {
		return nil, nil, err
	}
	if err := a.requireShares(inbox); err != nil {
		return nil, nil, err
	}
	f := a.folders
	for _, d := range []string{f.Archive, f.Rejected, f.Data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, nil, &exitError{code: exitConfig, err: err}
		}
	}
	l, err := a.openLedger()
	if err != nil {
		return nil, nil, err
	}
	for _, w := range a.lookalikes() {
		log.Warn().Msg(w)
	}
	if err := a.checkLineage(context.Background(), l, log); err != nil {
		l.Close()
		return nil, nil, err
	}
	p := &pipeline.Pipeline{
		Evaluator: ev, Collection: a.col, Folders: f, Labels: a.labels(), Ledger: l, Workers: a.cfg.Workers, Log: log, Now: a.now,
		Timeout: time.Duration(a.cfg.Limits.TimeoutSecond) * time.Second,
	}
	pub := &publish.Publisher{
		Rubrics: ev.Rubrics, Rubric: ev.Rubric, Collection: a.col, Folders: f, Cohort: a.cfg.Office.Cohort, Office: a.cfg.Office.Name, Roster: a.cfg.Roster,
		Lineage: a.cfg.LineageMap(), Ledger: l, Workbook: ev.Workbook, Log: log, Now: a.now, Issuer: a.issuer(),
	}
	// A new result's scorecard is compared with the latest provisional
	// ranking the publisher holds.
	p.Office, p.Standing = a.cfg.Office.Name, pub.Standing
	return p, pub, nil
}

// collector wires the collection jobs to the config, rubric, ledger and
// (when configured) the mail server.
func (a *app) collector(l collect.Ledger, log zerolog.Logger) (*collect.Collector, error) {
	r, err := a.rubricByIDOrFile("")
	if err != nil {
		return nil, err
	}
	var sender mail.Sender
	if a.cfg.SMTP.Host != "" {
		s, err := mail.NewSMTP(mail.Options(a.cfg.SMTP))
		if err != nil {
			return nil, &exitError{code: exitConfig, err: fmt.Errorf("smtp: %w", err)}
		}
		sender = s
	}
	s := a.cfg.Schedule
	return &collect.Collector{
		Rubric: r, Collection: a.col, Roster: a.cfg.Roster, Folders: a.folders, Labels: a.labels(), Office: a.office(),
		Schedule: collect.Schedule{Reminders: s.Reminders, DaysBefore: s.DaysBefore},
		Ledger:   l, Mail: sender, Now: a.now, Log: log, Out: a.stdout,
	}, nil
}

// labels are how communes know the shared folders (inbox_label,
// outbox_label), never the server's paths.
func (a *app) labels() layout.Labels {
	return layout.DefaultLabels(a.cfg.InboxLabel, a.cfg.OutboxLabel, a.cfg.Office.Name)
}

// issuer is the office as the ranking report shows it: its name under its
// parent, the place of the date line, who signs.
func (a *app) issuer() workbook.Issuer {
	o := a.cfg.Office
	return workbook.Issuer{Office: o.Name, Parent: o.Parent, Place: o.Place,
		SignerAuthority: o.Signer.Authority, SignerTitle: o.Signer.Title, SignerName: o.Signer.Name}
}

// office is the consolidating office as communes are told about it.
func (a *app) office() collect.Office {
	o := a.cfg.Office
	return collect.Office{Name: o.Name, Contact: o.Contact, Phone: o.Phone, Email: o.Email}
}

// calendar builds the collection calendar of the collector's jobs.
func (a *app) calendar(col *collect.Collector, l calendar.Store, log zerolog.Logger) (*calendar.Calendar, []collect.JobSpec, error) {
	cal := calendar.New(a.col.Loc(), l, a.now, log)
	specs, err := col.Register(cal)
	if err != nil {
		return nil, nil, &exitError{code: exitConfig, err: fmt.Errorf("schedule: %w", err)}
	}
	return cal, specs, nil
}
