package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/chiso-vn/chiso/processor/collect"
	"github.com/chiso-vn/chiso/processor/roster"
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
		y = a.col.YearAt(a.now())
	}
	dir := *out
	if dir == "" {
		dir = a.folders.TemplateDir(y)
	}
	var units []roster.Unit
	switch {
	case *all:
		if len(a.cfg.Roster) == 0 {
			return usageErr("template --all: the config has no roster of units")
		}
		units = a.cfg.Roster
	case *unit != "":
		for _, w := range a.lookalikes() {
			fmt.Fprintln(a.stderr, "chiso: warning:", w)
		}
		u, ok := roster.Find(a.cfg.Roster, *unit, *unit)
		if !ok {
			return usageErr("template: no unit %q in the roster%s", *unit, suggest(a.cfg.Roster, *unit))
		}
		units = []roster.Unit{u}
	default:
		units = []roster.Unit{{}} // the generic form
	}
	col := &collect.Collector{Rubric: r, Collection: a.col, Folders: a.folders, Labels: a.labels(), Office: a.office()}
	paths, err := col.WriteTemplates(ctx, y, dir, units)
	for _, p := range paths {
		fmt.Fprintln(a.stdout, p)
	}
	return err
}

func suggest(units []roster.Unit, name string) string {
	if c := roster.Closest(units, name, 3); len(c) > 0 {
		return " (có phải: '" + strings.Join(c, "', '") + "'?)"
	}
	return ""
}
