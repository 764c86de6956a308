// Package service sets up what the tests of the pipeline, the publisher,
// the daemon and the commands run against: the folders of an office under
// t.TempDir(), a ledger, and a pipeline and a publisher wired to them as
// cmd/chiso wires them.
package service

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/pipeline"
	"github.com/chiso-vn/chiso/processor/publish"
	"github.com/chiso-vn/chiso/processor/roster"
)

// Options vary an Env.
type Options struct {
	Roster  []roster.Unit
	Workers int              // 0: 2
	Now     func() time.Time // nil: the wall clock
	Cohort  string           // "" : "thu-nghiem"
	Log     zerolog.Logger   // zero: discard
	// Collection is the round collected; zero: books.Year, no dates.
	Collection collection.Collection
}

// Env is one office's folders, ledger, pipeline and publisher.
type Env struct {
	tb        testing.TB
	o         Options
	Dir       string
	Folders   layout.Folders
	Ledger    *ledger.Ledger
	Pipeline  *pipeline.Pipeline
	Publisher *publish.Publisher
}

// New sets up an Env collecting books.Year on books.RubricID.
func New(tb testing.TB, o Options) *Env {
	tb.Helper()
	dir := tb.TempDir()
	f := layout.Folders{Inbox: filepath.Join(dir, "inbox"), Outbox: filepath.Join(dir, "outbox"),
		Archive: filepath.Join(dir, "luu-tru"), Rejected: filepath.Join(dir, "khong-hop-le"), Data: filepath.Join(dir, "data")}
	for _, d := range []string{f.Inbox, f.Outbox, f.Archive, f.Rejected, f.Data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			tb.Fatal(err)
		}
	}
	if o.Workers == 0 {
		o.Workers = 2
	}
	if o.Cohort == "" {
		o.Cohort = "thu-nghiem"
	}
	if o.Collection.Year == 0 {
		o.Collection.Year = books.Year
	}
	e := &Env{tb: tb, o: o, Dir: dir, Folders: f}
	e.open()
	tb.Cleanup(func() { e.Ledger.Close() })
	return e
}

// open opens the ledger and wires a pipeline and a publisher to it.
func (e *Env) open() {
	e.tb.Helper()
	l, err := ledger.Open(e.Folders.Data)
	if err != nil {
		e.tb.Fatal(err)
	}
	o, f, set := e.o, e.Folders, books.Rubrics(e.tb)
	e.Ledger = l
	e.Pipeline = &pipeline.Pipeline{
		Evaluator: &pipeline.Evaluator{Rubrics: set, Rubric: books.RubricID, Roster: roster.NewIndex(o.Roster),
			MaxFileSize: 20 << 20, Workbook: books.Limits},
		Collection: o.Collection,
		Folders:    f, Ledger: l, Workers: o.Workers, Timeout: 2 * time.Minute, Now: o.Now, Log: o.Log,
	}
	e.Publisher = &publish.Publisher{Rubrics: set, Rubric: books.RubricID, Collection: o.Collection, Folders: f, Cohort: o.Cohort, Roster: o.Roster,
		Ledger: l, Workbook: books.Limits, Now: o.Now, Log: o.Log}
	e.Pipeline.Standing = e.Publisher.Standing
}

// Restart closes the ledger and wires a new pipeline and publisher to it
// reopened, as a process restarted on the same folders: only what the
// ledger and the folders keep survives.
func (e *Env) Restart() {
	e.tb.Helper()
	if err := e.Ledger.Close(); err != nil {
		e.tb.Fatal(err)
	}
	e.open()
}

// Drop writes a file into the inbox and returns its path.
func (e *Env) Drop(name string, data []byte) string {
	e.tb.Helper()
	p := filepath.Join(e.Folders.Inbox, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		e.tb.Fatal(err)
	}
	return p
}

// DropAt writes a file into the inbox with modification time mt.
func (e *Env) DropAt(name string, data []byte, mt time.Time) string {
	e.tb.Helper()
	p := e.Drop(name, data)
	if err := os.Chtimes(p, mt, mt); err != nil {
		e.tb.Fatal(err)
	}
	return p
}

// Rows returns every ledger row, oldest first.
func (e *Env) Rows() []ledger.File {
	e.tb.Helper()
	rows, err := e.Ledger.Files(context.Background())
	if err != nil {
		e.tb.Fatal(err)
	}
	return rows
}

// Run processes the inbox once.
func (e *Env) Run() pipeline.Summary {
	e.tb.Helper()
	sum, err := e.Pipeline.Run(context.Background())
	if err != nil {
		e.tb.Fatalf("Run: %v", err)
	}
	return sum
}
