package testkit

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Dump writes a stable, sorted text rendering of a workbook for golden
// tests and review: sheets with visibility, page set-up (a scale and the
// page order shown only where they are not the defaults), panes, merges,
// every non-empty cell (value or formula, and whether it is unlocked), data
// validations, comments, defined names and custom properties.
// Volatile metadata is left out: pass skipProps for properties to omit.
func Dump(w io.Writer, f *excelize.File, skipProps ...string) error {
	skip := map[string]bool{}
	for _, p := range skipProps {
		skip[p] = true
	}
	for _, sheet := range f.GetSheetList() {
		visible, _ := f.GetSheetVisible(sheet)
		fmt.Fprintf(w, "== sheet %q visible=%v\n", sheet, visible)
		if pl, err := f.GetPageLayout(sheet); err == nil {
			fmt.Fprintf(w, "page size=%s orientation=%s fit=%sx%s%s\n", ptr(pl.Size), ptr(pl.Orientation), ptr(pl.FitToWidth), ptr(pl.FitToHeight), pageExtra(f, sheet, pl))
		}
		if p, err := f.GetPanes(sheet); err == nil && p.Freeze {
			fmt.Fprintf(w, "freeze x=%d y=%d\n", p.XSplit, p.YSplit)
		}
		covered := map[string]bool{} // merged cells other than the top-left one
		if mc, err := f.GetMergeCells(sheet, true); err == nil {
			var ms []string
			for _, m := range mc {
				ms = append(ms, m.GetStartAxis()+":"+m.GetEndAxis())
				c1, r1, _ := excelize.CellNameToCoordinates(m.GetStartAxis())
				c2, r2, _ := excelize.CellNameToCoordinates(m.GetEndAxis())
				for r := r1; r <= r2; r++ {
					for c := c1; c <= c2; c++ {
						if r != r1 || c != c1 {
							n, _ := excelize.CoordinatesToCellName(c, r)
							covered[n] = true
						}
					}
				}
			}
			sort.Strings(ms)
			if len(ms) > 0 {
				fmt.Fprintf(w, "merged %s\n", strings.Join(ms, " "))
			}
		}
		rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
		if err != nil {
			return err
		}
		maxCol := 0
		for _, r := range rows {
			if len(r) > maxCol {
				maxCol = len(r)
			}
		}
		for ri := 1; ri <= len(rows)+1; ri++ {
			for ci := 1; ci <= maxCol+1; ci++ {
				addr, _ := excelize.CoordinatesToCellName(ci, ri)
				if covered[addr] {
					continue
				}
				fm, _ := f.GetCellFormula(sheet, addr)
				val, _ := f.GetCellValue(sheet, addr, excelize.Options{RawCellValue: true})
				lock := ""
				if sid, err := f.GetCellStyle(sheet, addr); err == nil && sid != 0 {
					if st, err := f.GetStyle(sid); err == nil && st.Protection != nil && !st.Protection.Locked {
						lock = " [nhập]"
					}
				}
				switch {
				case fm != "":
					fmt.Fprintf(w, "%s =%s%s\n", addr, fm, lock)
				case val != "":
					fmt.Fprintf(w, "%s %q%s\n", addr, val, lock)
				case lock != "":
					fmt.Fprintf(w, "%s (trống)%s\n", addr, lock)
				}
			}
		}
		if dvs, err := f.GetDataValidations(sheet); err == nil {
			var lines []string
			for _, dv := range dvs {
				lines = append(lines, fmt.Sprintf("validation %s %s %s %s %s", dv.Sqref, dv.Type, dv.Operator, dv.Formula1, dv.Formula2))
			}
			sort.Strings(lines)
			for _, l := range lines {
				fmt.Fprintln(w, strings.TrimSpace(l))
			}
		}
		if cs, err := f.GetComments(sheet); err == nil {
			var lines []string
			for _, c := range cs {
				var text strings.Builder
				for _, p := range c.Paragraph {
					text.WriteString(p.Text)
				}
				if text.Len() == 0 {
					text.WriteString(c.Text)
				}
				lines = append(lines, fmt.Sprintf("comment %s %q", c.Cell, text.String()))
			}
			sort.Strings(lines)
			for _, l := range lines {
				fmt.Fprintln(w, l)
			}
		}
	}
	var names []string
	for _, dn := range f.GetDefinedName() {
		scope := dn.Scope
		if scope == "" {
			scope = "Workbook"
		}
		names = append(names, fmt.Sprintf("name %s [%s] %s", dn.Name, scope, dn.RefersTo))
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintln(w, n)
	}
	if props, err := f.GetCustomProps(); err == nil {
		var lines []string
		for _, p := range props {
			if skip[p.Name] {
				continue
			}
			lines = append(lines, fmt.Sprintf("property %s = %v", p.Name, p.Value))
		}
		sort.Strings(lines)
		for _, l := range lines {
			fmt.Fprintln(w, l)
		}
	}
	return nil
}

// pageExtra is what a sheet's page set-up has beyond paper, orientation
// and fit: a scale when it prints at one (not fitted to pages, not 100 %),
// and the page order across then down.
func pageExtra(f *excelize.File, sheet string, pl excelize.PageLayoutOptions) string {
	var out string
	props, _ := f.GetSheetProps(sheet)
	if (props.FitToPage == nil || !*props.FitToPage) && pl.AdjustTo != nil && *pl.AdjustTo != 100 {
		out += fmt.Sprintf(" not fitted, scale=%d%%", *pl.AdjustTo)
	}
	if ptr(pl.PageOrder) == "overThenDown" {
		out += " order=overThenDown"
	}
	return out
}

func ptr[T any](p *T) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}
