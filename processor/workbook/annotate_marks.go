package workbook

import (
	"fmt"
	"strings"

	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// Problem cells: coloured by severity, with a comment carrying the messages.

// locate splits a problem's cell ("Chỉ số!E12", "'Chỉ số'!$E$12") and
// checks that it is on a commune sheet of this workbook.
func (an *annotator) locate(ref string) (sheet, addr string, ok bool) {
	i := strings.LastIndex(ref, "!")
	if i <= 0 {
		return "", "", false
	}
	sheet = ref[:i]
	if len(sheet) >= 2 && sheet[0] == '\'' && sheet[len(sheet)-1] == '\'' {
		sheet = strings.ReplaceAll(sheet[1:len(sheet)-1], "''", "'")
	}
	addr = strings.ToUpper(strings.ReplaceAll(ref[i+1:], "$", ""))
	if _, _, err := ooxml.ParseRef(addr); err != nil {
		return "", "", false
	}
	if sheet == SheetResult || sheet == SheetAnnot || !an.c.hasSheet(sheet) {
		return "", "", false
	}
	return sheet, addr, true
}

func quoteSheet(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// markCells colours every problem's cell by its worst severity, keeping
// the rest of the cell's style, and adds one comment with all its messages
// (after the commune's own comment on that cell, if any). Best effort: see
// soft.
func (an *annotator) markCells() {
	type group struct {
		sheet, addr string
		ps          []problem.Problem
	}
	byCell := map[string]*group{}
	var keys []string
	for _, p := range an.problems {
		sheet, addr, ok := an.locate(p.Cell)
		if !ok {
			continue
		}
		k := sheet + "!" + addr
		g := byCell[k]
		if g == nil {
			g = &group{sheet: sheet, addr: addr}
			byCell[k] = g
			keys = append(keys, k)
		}
		g.ps = append(g.ps, p)
	}
	// The comments of each sheet marked, as they stand after undo: the
	// commune's are kept, ours added or appended to theirs.
	comments := map[string][]ooxml.Comment{}
	var sheets []string
	for _, k := range keys { // problem order: errors first, deterministic
		g := byCell[k]
		worst := g.ps[0].Severity // sorted: the first is the worst
		if _, ok := severityFill[worst]; !ok {
			worst = problem.Info
		}
		an.soft(an.colour(g.sheet, g.addr, worst))
		cs, ok := comments[g.sheet]
		if !ok {
			cs, _ = an.c.comments(g.sheet) // unreadable: none to keep
			sheets = append(sheets, g.sheet)
		}
		at := -1
		for i := range cs {
			if strings.EqualFold(cs[i].Ref, g.addr) {
				at = i
				break
			}
		}
		if at < 0 {
			cs = append(cs, an.comment(g.addr, g.ps, nil))
		} else {
			cs[at] = an.comment(g.addr, g.ps, &cs[at])
		}
		comments[g.sheet] = cs
	}
	for _, sheet := range sheets {
		an.soft(an.c.setComments(sheet, comments[sheet]))
	}
}

// colour gives a cell the fill of severity sv, keeping the rest of its
// style, and records its fill for a later annotation to restore.
func (an *annotator) colour(sheet, addr string, sv problem.Severity) error {
	col, row, err := ooxml.ParseRef(addr)
	if err != nil {
		return err
	}
	sid, err := an.c.style(sheet, col, row)
	if err != nil {
		return err
	}
	fl, err := an.c.fill(sid)
	if err != nil {
		return err
	}
	ck := fmt.Sprintf("%d/%s", sid, sv)
	ns, ok := an.styleCache[ck]
	if !ok {
		if ns, err = an.c.deriveFill(sid, ooxml.SolidFill(severityFill[sv])); err != nil {
			return err
		}
		an.styleCache[ck] = ns
	}
	if err := an.c.setStyle(sheet, col, row, ns); err != nil {
		return err
	}
	an.undoRows = append(an.undoRows, [3]string{sheet, addr, encodeFill(fl)})
	return nil
}

// comment returns the problems' messages as the cell's comment, appended
// to the commune's own comment old when there is one.
func (an *annotator) comment(addr string, ps []problem.Problem, old *ooxml.Comment) ooxml.Comment {
	run := func(text string, bold bool) ooxml.Run {
		return ooxml.Run{Text: text, Font: fontName, Size: 10, Bold: bold}
	}
	c := ooxml.Comment{Ref: addr, Author: CommentAuthor}
	head := commentHead + "\n"
	if old != nil {
		c.Ref, c.Author = old.Ref, old.Author
		c.Runs = append(c.Runs, old.Runs...)
		head = "\n\n" + head
	}
	c.Runs = append(c.Runs, run(head, true))
	chars := 0
	for i, p := range ps {
		msg := p.Message
		if i < len(ps)-1 {
			msg += "\n"
		}
		c.Runs = append(c.Runs, run(p.Severity.Label()+": ", true), run(msg, false))
		chars += len([]rune(p.Message)) + 12
	}
	// Comment box in pixels: about 50 characters a line at 10 pt.
	lines := len(ps) + 1 + chars/50
	c.Width, c.Height = 340, min(40+lines*14, 600)
	return c
}
