package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/atomic"
	"github.com/chiso-vn/chiso/processor/config"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
)

func (a *app) templateCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("template", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	rubricID := fs.String("rubric", "", "rubric id or file (default from config)")
	year := fs.Int("year", 0, "reporting year (default from config)")
	unit := fs.String("unit", "", "one roster unit, by code or name")
	all := fs.Bool("all", false, "one pre-filled template per roster unit")
	out := fs.String("out", "", "output folder (default outbox/<year>/bieu-mau)")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	if *unit != "" && *all {
		return usageErr("template: --unit and --all exclude each other")
	}
	r, err := a.rubricByIDOrFile(*rubricID)
	if err != nil {
		return err
	}
	y := *year
	if y == 0 {
		y = a.cfg.ReportingYear(time.Now())
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join(a.cfg.Path(a.cfg.Outbox), strconv.Itoa(y), "bieu-mau")
	}
	var units []config.Unit
	switch {
	case *all:
		if len(a.cfg.Roster) == 0 {
			return usageErr("template --all: the config has no roster of units")
		}
		units = a.cfg.Roster
	case *unit != "":
		u, ok := roster.Find(a.cfg.Roster, *unit, *unit)
		if !ok {
			return usageErr("template: no unit %q in the roster%s", *unit, suggest(a.cfg.Roster, *unit))
		}
		units = []config.Unit{u}
	default:
		units = []config.Unit{{}} // the generic form
	}
	paths, err := writeTemplates(ctx, r, a.cfg, y, dir, units)
	for _, p := range paths {
		fmt.Fprintln(a.stdout, p)
	}
	return err
}

func suggest(units []config.Unit, name string) string {
	if c := roster.Closest(units, name, 3); len(c) > 0 {
		return " (có phải: '" + strings.Join(c, "', '") + "'?)"
	}
	return ""
}

// writeTemplates writes one template per unit (a zero Unit is the generic
// form) and returns the files written.
func writeTemplates(ctx context.Context, r *rubric.Rubric, cfg config.Config, year int, dir string, units []config.Unit) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, u := range units {
		if err := ctx.Err(); err != nil {
			return paths, err
		}
		f, err := workbook.Template(r, workbook.TemplateOptions{
			Year: year, UnitCode: u.Code, UnitName: u.Name,
			Deadline: displayDate(cfg.Deadline), Office: cfg.Office.Name,
			Contact: joinNonEmpty(", ", cfg.Office.Contact, cfg.Office.Phone, cfg.Office.Email),
			Inbox:   "thư mục nhận báo cáo (inbox) của " + cfg.Office.Name,
		})
		if err != nil {
			return paths, err
		}
		name := fmt.Sprintf("bieu-mau-%s-%d.xlsx", r.ID, year)
		if u.Name != "" {
			name = fmt.Sprintf("bieu-mau-%s-%s-%d.xlsx", roster.Slug(u.Code), roster.Slug(u.Name), year)
		}
		p, err := atomic.WriteFile(filepath.Join(dir, name), func(w io.Writer) error { return f.Write(w) })
		f.Close()
		if err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// displayDate shows "2023-12-15" as "15/12/2023".
func displayDate(iso string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return t.Format("02/01/2006")
}

func joinNonEmpty(sep string, xs ...string) string {
	out := ""
	for _, x := range xs {
		if x == "" {
			continue
		}
		if out != "" {
			out += sep
		}
		out += x
	}
	return out
}
