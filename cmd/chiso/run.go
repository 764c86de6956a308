package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/config"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/templates"
)

// Exit codes, mapped in one place.
const (
	exitOK       = 0
	exitFailed   = 1 // the command ran and found problems (check errors…)
	exitUsage    = 2 // bad command line
	exitConfig   = 3 // config or rubric files unusable
	exitInternal = 4
)

// exitError carries an exit code with its error.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

func failed(format string, args ...any) error {
	return &exitError{code: exitFailed, err: fmt.Errorf(format, args...)}
}

const usage = `chiso: thu nhận, kiểm tra, chấm điểm và xếp hạng bộ chỉ số chuyển đổi số (DTI)

Usage: chiso [--config FILE] COMMAND [ARGS]

Commands:
  serve [--no-calendar]     the daemon: watch the inbox, process, rank, run the collection calendar
  process                   process every file in the inbox once, then exit
  check FILE                validate and score one workbook, touching no folder [--json]
  remind [--dry-run]        remind the units that have not submitted (notice; e-mail when SMTP is set)
  status                    counts by outcome, last file, pending files, next jobs, missing units
  rank [--year Y] [--final] rebuild the ranking from the ledger (xep-hang-<cohort>-<year>.xlsx/.csv/.json)
  rubric list               list the rubric sets
  rubric show [ID]          print a rubric as a table with pillar and grand totals
  rubric check [ID|FILE]    check rubrics for arithmetic and structural problems
  rubric import FILE [--id ID] [--out FILE.yaml] [--force]
                            read a province's rubric table (.docx, .xlsx or text) into a rubric file
  rubric diff A B           what changed from rubric A (last year) to B (ids or files)
  score --values FILE       score one set of figures (YAML or JSON) [--rubric ID] [--json]
  template [--rubric ID] [--year Y] [--unit NAME | --all] [--out DIR]
                            write blank self-assessment workbooks (default outbox/<year>/bieu-mau/)
  version                   print the version

--config defaults to config.yaml in the current folder (built-in defaults if absent).
`

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// app holds what every command needs.
type app struct {
	stdout, stderr io.Writer
	cfg            config.Config
	cfgPath        string
	rubrics        *rubric.Set
	// Derived from cfg once it is loaded.
	col     collection.Collection
	folders layout.Folders
	// now is the clock of every command (time.Now; tests move it).
	now func() time.Time
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runAt(ctx, time.Now, args, stdout, stderr)
}

// runAt is run with a clock: tests run the commands at any moment of a
// collection.
func runAt(ctx context.Context, now func() time.Time, args []string, stdout, stderr io.Writer) int {
	err := dispatch(ctx, now, args, stdout, stderr)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintln(stderr, "chiso:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		return exitFailed
	}
	return exitInternal
}

func dispatch(ctx context.Context, now func() time.Time, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chiso", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfgPath := fs.String("config", "config.yaml", "config file")
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &exitError{code: exitUsage, err: err}
	}
	rest := fs.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return usageErr("no command given")
	}
	a := &app{stdout: stdout, stderr: stderr, cfgPath: *cfgPath, now: now}
	cmd, cargs := rest[0], rest[1:]
	switch cmd {
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	case "version":
		fmt.Fprintln(stdout, "chiso", version)
		return nil
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	cfg, err := config.Load(*cfgPath, explicit)
	if err != nil {
		return &exitError{code: exitConfig, err: err}
	}
	a.cfg, a.folders = cfg, cfg.Folders()
	if a.col, err = collectionOf(cfg, now()); err != nil {
		return &exitError{code: exitConfig, err: fmt.Errorf("config %s: %w", *cfgPath, err)}
	}
	a.folders.Zone = a.col.Loc()
	switch cmd {
	case "rubric":
		return a.rubricCmd(ctx, cargs)
	case "score":
		return a.scoreCmd(ctx, cargs)
	case "template":
		return a.templateCmd(ctx, cargs)
	case "serve":
		return a.serveCmd(ctx, cargs)
	case "process":
		return a.processCmd(ctx, cargs)
	case "check":
		return a.checkCmd(ctx, cargs)
	case "rank":
		return a.rankCmd(ctx, cargs)
	case "status":
		return a.statusCmd(ctx, cargs)
	case "remind":
		return a.remindCmd(ctx, cargs)
	}
	fmt.Fprint(stderr, usage)
	return usageErr("unknown command %q", cmd)
}

// loadRubrics loads the embedded rubrics, then the override file or folder
// named in the config. Every broken file is reported.
func (a *app) loadRubrics() (*rubric.Set, error) {
	if a.rubrics != nil {
		return a.rubrics, nil
	}
	set := rubric.NewSet()
	var errs []error
	if err := set.LoadFS(templates.FS, "templates"); err != nil {
		errs = append(errs, err)
	}
	if p := a.cfg.Path(a.cfg.Rubrics); p != "" {
		st, err := os.Stat(p)
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("rubrics: %w", err))
		case st.IsDir():
			if err := set.LoadFS(os.DirFS(p), p); err != nil {
				errs = append(errs, err)
			}
		default:
			r, err := parseRubricFile(p)
			if err != nil {
				errs = append(errs, err)
			} else {
				set.Add(r)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, &exitError{code: exitConfig, err: err}
	}
	a.rubrics = set
	return set, nil
}

func parseRubricFile(p string) (*rubric.Rubric, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return rubric.Parse(f, p)
}

// rubricByIDOrFile resolves an argument that is a rubric id or a file path;
// empty means the configured default.
func (a *app) rubricByIDOrFile(arg string) (*rubric.Rubric, error) {
	if arg != "" && (strings.HasSuffix(arg, ".yaml") || strings.HasSuffix(arg, ".yml") || strings.ContainsRune(arg, filepath.Separator)) {
		r, err := parseRubricFile(arg)
		if err != nil {
			return nil, &exitError{code: exitConfig, err: err}
		}
		return r, nil
	}
	set, err := a.loadRubrics()
	if err != nil {
		return nil, err
	}
	if arg == "" {
		arg = a.cfg.Rubric
	}
	r, ok := set.Get(arg)
	if !ok {
		var ids []string
		for _, r := range set.All() {
			ids = append(ids, r.ID)
		}
		return nil, usageErr("no rubric %q (have: %s)", arg, strings.Join(ids, ", "))
	}
	return r, nil
}
