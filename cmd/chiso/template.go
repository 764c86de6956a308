package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/chiso-vn/chiso/processor/collect"
	"github.com/chiso-vn/chiso/processor/roster"
)

func setupTemplate(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	var o templateOpts
	fs.StringVar(&o.rubric, "rubric", "", "mã hoặc tệp bộ chỉ số `ID` (mặc định theo cấu hình)")
	fs.IntVar(&o.year, "year", 0, "năm báo cáo `NĂM` (mặc định theo cấu hình)")
	fs.StringVar(&o.unit, "unit", "", "một đơn vị `TÊN` trong danh sách, theo mã hoặc tên")
	fs.BoolVar(&o.all, "all", false, "mỗi đơn vị trong danh sách một biểu mẫu đã điền sẵn tên")
	fs.StringVar(&o.out, "out", "", "thư mục `THƯ_MỤC` ghi ra (mặc định outbox/<năm>/bieu-mau)")
	return func(ctx context.Context, _ []string) error { return a.template(ctx, o) }
}

type templateOpts struct {
	rubric, unit, out string
	year              int
	all               bool
}

func (a *app) template(ctx context.Context, o templateOpts) error {
	rubricID, year, unit, all, out := &o.rubric, &o.year, &o.unit, &o.all, &o.out
	if *unit != "" && *all {
		return usageErr("template: --unit và --all không dùng cùng nhau")
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
			return usageErr("template --all: config.yaml chưa có danh sách đơn vị (roster)")
		}
		units = a.cfg.Roster
	case *unit != "":
		for _, w := range a.lookalikes() {
			fmt.Fprintln(a.stderr, "chiso: lưu ý:", w)
		}
		u, ok := roster.Find(a.cfg.Roster, *unit, *unit)
		if !ok {
			return usageErr("template: không có đơn vị %q trong danh sách đơn vị (roster) của config.yaml%s", *unit, suggest(a.cfg.Roster, *unit))
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
		return "; có phải \"" + strings.Join(c, "\", \"") + "\"?"
	}
	return ""
}
