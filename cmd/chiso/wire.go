package main

import (
	"fmt"
	"os"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/calendar"
	"github.com/chiso-vn/chiso/processor/collect"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/mail"
	"github.com/chiso-vn/chiso/processor/pipeline"
	"github.com/chiso-vn/chiso/processor/publish"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// The config is turned into the library's types here, and only here.

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

// openLedger opens the ledger in the data folder.
func (a *app) openLedger() (*ledger.Ledger, error) {
	l, err := ledger.Open(a.folders.Data)
	if err != nil {
		return nil, &exitError{code: exitConfig, err: err}
	}
	return l, nil
}

// newPipeline wires the pipeline and the publisher to the folders and the
// ledger of the config. The caller closes the ledger.
func (a *app) newPipeline(log zerolog.Logger) (*pipeline.Pipeline, *publish.Publisher, error) {
	ev, err := a.evaluator()
	if err != nil {
		return nil, nil, err
	}
	f := a.folders
	for _, d := range []string{f.Inbox, f.Outbox, f.Archive, f.Rejected, f.Data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, nil, &exitError{code: exitConfig, err: err}
		}
	}
	l, err := a.openLedger()
	if err != nil {
		return nil, nil, err
	}
	p := &pipeline.Pipeline{
		Evaluator: ev, Collection: a.col, Folders: f, Ledger: l, Workers: a.cfg.Workers, Log: log,
		Timeout: time.Duration(a.cfg.Limits.TimeoutSecond) * time.Second,
	}
	pub := &publish.Publisher{
		Rubrics: ev.Rubrics, Rubric: ev.Rubric, Folders: f, Cohort: a.cfg.Office.Cohort, Roster: a.cfg.Roster,
		Lineage: a.cfg.LineageMap(), Ledger: l, Workbook: ev.Workbook, Log: log,
	}
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
		Rubric: r, Collection: a.col, Roster: a.cfg.Roster, Folders: a.folders, Office: a.office(),
		Schedule: collect.Schedule{Opening: s.Opening, Reminders: s.Reminders, DaysBefore: s.DaysBefore, Close: s.Close},
		Ledger:   l, Mail: sender, Now: time.Now, Log: log, Out: a.stdout,
	}, nil
}

// office is the consolidating office as communes are told about it.
func (a *app) office() collect.Office {
	o := a.cfg.Office
	return collect.Office{Name: o.Name, Contact: o.Contact, Phone: o.Phone, Email: o.Email}
}

// calendar builds the collection calendar of the collector's jobs.
func (a *app) calendar(col *collect.Collector, l calendar.Store, log zerolog.Logger) (*calendar.Calendar, []collect.JobSpec, error) {
	cal := calendar.New(a.col.Loc(), l, time.Now, log)
	specs, err := col.Register(cal)
	if err != nil {
		return nil, nil, &exitError{code: exitConfig, err: fmt.Errorf("schedule: %w", err)}
	}
	return cal, specs, nil
}
