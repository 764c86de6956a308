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

// exitError carries an exit code with its error, and for a bad command
// line the usage to print after it.
type exitError struct {
	code int
	err  error
	help string
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// usageErrHelp is a bad command line: the message, then the usage.
func usageErrHelp(help, format string, args ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, args...), help: help}
}

func failed(format string, args ...any) error {
	return &exitError{code: exitFailed, err: fmt.Errorf(format, args...)}
}

// lockedText says that another chiso holds the inbox (daemon.ErrLocked).
const lockedText = "một chiso khác (serve hoặc process) đang chạy với thư mục nhận này: chờ lần chạy đó xong, hoặc dừng nó"

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
		if ee.help != "" {
			fmt.Fprint(stderr, "\n"+ee.help)
		}
		return ee.code
	}
	if errors.Is(err, context.Canceled) {
		return exitFailed
	}
	return exitInternal
}

// loadConfig reads the config (explicit: named on the command line, so it
// must exist) and derives the collection and the folders.
func (a *app) loadConfig(explicit bool) error {
	cfg, err := config.Load(a.cfgPath, explicit)
	if err != nil {
		return &exitError{code: exitConfig, err: err}
	}
	a.cfg, a.folders = cfg, cfg.Folders()
	if a.col, err = collectionOf(cfg, a.now()); err != nil {
		return &exitError{code: exitConfig, err: fmt.Errorf("config %s: %w", a.cfgPath, err)}
	}
	a.folders.Zone = a.col.Loc()
	return nil
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
		return nil, usageErr("không có bộ chỉ số %q (có: %s)", arg, strings.Join(ids, ", "))
	}
	return r, nil
}
