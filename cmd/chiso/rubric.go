package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
)

func setupRubricList(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(context.Context, []string) error { return a.rubricList() }
}

func setupRubricShow(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(_ context.Context, args []string) error {
		r, err := a.rubricByIDOrFile(firstOr(args, ""))
		if err != nil {
			return err
		}
		showRubric(a.stdout, r)
		return nil
	}
}

func setupRubricCheck(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(_ context.Context, args []string) error { return a.rubricCheck(args) }
}

func firstOr(xs []string, def string) string {
	if len(xs) == 0 {
		return def
	}
	return xs[0]
}

func (a *app) rubricList() error {
	set, err := a.loadRubrics()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCẤP\tTỈNH\tNĂM\tĐIỂM\tCHỈ SỐ\tTÊN")
	for _, r := range set.All() {
		n := 0
		r.Walk(func(*rubric.Pillar, *rubric.Indicator) { n++ })
		mark := ""
		if r.ID == a.cfg.Rubric {
			mark = " (mặc định)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%d\t%s%s\n", r.ID, r.Level.Label(), r.Province, r.Year, fmtNum(grandMax(r)), n, r.Name, mark)
	}
	return tw.Flush()
}

// grandMax is the maximum a unit can reach: the declared total when the
// rubric uses a whole-score formula, else the sum of the core pillars.
func grandMax(r *rubric.Rubric) float64 {
	return r.CoreMax()
}

func (a *app) rubricCheck(args []string) error {
	var targets []*rubric.Rubric
	if len(args) == 0 {
		set, err := a.loadRubrics()
		if err != nil {
			return err
		}
		targets = set.All()
	}
	for _, arg := range args {
		r, err := a.rubricByIDOrFile(arg)
		if err != nil {
			return err
		}
		targets = append(targets, r)
	}
	errorsFound := 0
	for i, r := range targets {
		if i > 0 {
			fmt.Fprintln(a.stdout)
		}
		rep := rubric.Check(r)
		printReport(a.stdout, rep)
		errorsFound += rep.Count(rubric.SevError)
	}
	a.printCrossCheck(a.stdout, targets)
	if errorsFound > 0 {
		return failed("%d lỗi trong tệp bộ chỉ số", errorsFound)
	}
	return nil
}

func printReport(w io.Writer, rep *rubric.Report) {
	r := rep.Rubric
	fmt.Fprintf(w, "== %s  (%s)\n", r.ID, r.Origin)
	for _, sev := range []rubric.Severity{rubric.SevError, rubric.SevWarning, rubric.SevDecided, rubric.SevInfo} {
		for _, f := range rep.Findings {
			if f.Severity == sev {
				fmt.Fprintf(w, "  %s\n", f)
			}
		}
	}
	if len(r.Decisions) > 0 {
		fmt.Fprintf(w, "  quyết định đã ghi (%d):\n", len(r.Decisions))
		for _, d := range r.Decisions {
			fmt.Fprintf(w, "    %-4s %-8s %s\n", d.ID, d.Where, truncate(vntext.OneLine(d.Decision), 140))
		}
	}
	fmt.Fprintf(w, "  %d lỗi, %d cảnh báo, %d đã có quyết định, %d cách tính suy ra\n",
		rep.Count(rubric.SevError), rep.Count(rubric.SevWarning), rep.Count(rubric.SevDecided), rep.Count(rubric.SevInfo))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// fmtNum writes a number for a reader: 1.000; 2,5 (vntext.Number).
func fmtNum(f float64) string { return vntext.Number(f, 2) }

func showRubric(w io.Writer, r *rubric.Rubric) {
	fmt.Fprintf(w, "%s — %s\n", r.ID, r.Name)
	// An imported rubric may have no province yet.
	about := slices.DeleteFunc([]string{"cấp " + r.Level.Label(), r.Province, fmt.Sprintf("năm %d", r.Year)}, func(s string) bool { return s == "" })
	fmt.Fprintf(w, "%s; nguồn: %s\n\n", strings.Join(about, ", "), r.Seed)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MÃ\tCHỈ SỐ\tTỐI ĐA\tCÁCH TÍNH\t")
	var core, optional float64
	for _, p := range r.Pillars {
		title := p.Name
		if p.Optional {
			title += " (lĩnh vực ưu tiên, khi " + p.AppliesIf + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t\t\n", p.Code, strings.ToUpper(truncate(title, 70)), maxText(p.Max))
		var sum float64
		var walk func(in *rubric.Indicator, depth int)
		walk = func(in *rubric.Indicator, depth int) {
			mark := ""
			if in.Inferred != "" {
				mark = " *"
			}
			fmt.Fprintf(tw, "%s%s\t%s%s\t%s\t%s\t\n", strings.Repeat("  ", depth+1), in.Code, truncate(vntext.OneLine(in.Name), 70), mark, maxText(in.Max), truncate(rubric.Summary(in), 60))
			for _, c := range in.Children {
				walk(c, depth+1)
			}
		}
		for _, in := range p.Indicators {
			walk(in, 0)
			sum += in.MaxValue()
		}
		fmt.Fprintf(tw, "\tCộng %s\t%s\t\t\n", p.Code, fmtNum(sum))
		if p.Optional {
			optional += p.MaxValue()
		} else {
			core += p.MaxValue()
		}
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintf(w, "Tổng điểm tối đa (các chỉ số chính): %s", fmtNum(core))
	if r.Max != nil {
		fmt.Fprintf(w, "  (văn bản ghi: %s)", fmtNum(*r.Max))
	}
	fmt.Fprintln(w)
	if optional > 0 {
		fmt.Fprintf(w, "Lĩnh vực ưu tiên: %s điểm tối đa cộng lại\n", fmtNum(optional))
	}
	if r.Total != nil {
		fmt.Fprintf(w, "Điểm tổng hợp: %s\n", r.Total.Expr)
	}
	fmt.Fprintln(w, "(* cách tính được suy ra vì văn bản không nêu; xem inferred trong tệp bộ chỉ số)")
	printDecisions(w, r)
}

// printDecisions lists how the rubric reads its ambiguous rules, as the
// form's guide does ("Cách hiểu của đơn vị tổng hợp").
func printDecisions(w io.Writer, r *rubric.Rubric) {
	if len(r.Decisions) == 0 {
		return
	}
	fmt.Fprintf(w, "\nCÁCH HIỂU CỦA ĐƠN VỊ TỔNG HỢP (%d quyết định):\n", len(r.Decisions))
	for _, d := range r.Decisions {
		fmt.Fprintf(w, "\n  %s — %s\n", d.ID, r.Place(d.Where))
		for _, p := range []struct{ label, text string }{{"Vấn đề", d.Problem}, {"Cách hiểu", d.Decision}, {"Lý do", d.Why}} {
			if t := vntext.OneLine(p.text); t != "" {
				fmt.Fprintf(w, "    %s: %s\n", p.label, t)
			}
		}
	}
}

func maxText(m *float64) string {
	if m == nil {
		return "(không ghi)"
	}
	return fmtNum(*m)
}
