package workbook

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/xuri/excelize/v2"
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
	if _, _, err := excelize.CellNameToCoordinates(addr); err != nil {
		return "", "", false
	}
	if sheet == SheetResult || sheet == SheetAnnot {
		return "", "", false
	}
	if idx, _ := an.f.GetSheetIndex(sheet); idx < 0 {
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
	comments := map[string]map[string]excelize.Comment{}
	for _, k := range keys { // problem order: errors first, deterministic
		g := byCell[k]
		worst := g.ps[0].Severity // sorted: the first is the worst
		if _, ok := severityFill[worst]; !ok {
			worst = problem.Info
		}
		an.soft(an.colour(g.sheet, g.addr, worst))
		if comments[g.sheet] == nil {
			comments[g.sheet] = map[string]excelize.Comment{}
			cs, _ := an.f.GetComments(g.sheet)
			for _, c := range cs {
				comments[g.sheet][c.Cell] = c
			}
		}
		old, had := comments[g.sheet][g.addr]
		an.soft(an.comment(g.sheet, g.addr, g.ps, old, had))
	}
}

// colour gives a cell the fill of severity sv, keeping the rest of its
// style, and records its fill for a later annotation to restore.
func (an *annotator) colour(sheet, addr string, sv problem.Severity) error {
	f := an.f
	sid, err := f.GetCellStyle(sheet, addr)
	if err != nil {
		return err
	}
	st, err := f.GetStyle(sid)
	if err != nil {
		return err
	}
	orig, err := json.Marshal(st.Fill)
	if err != nil {
		return err
	}
	ck := fmt.Sprintf("%d/%s", sid, sv)
	ns, ok := an.styleCache[ck]
	if !ok {
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{severityFill[sv]}}
		rgbOnly(st)
		if ns, err = f.NewStyle(st); err != nil {
			return err
		}
		an.styleCache[ck] = ns
	}
	if err := f.SetCellStyle(sheet, addr, addr, ns); err != nil {
		return err
	}
	an.undoRows = append(an.undoRows, [3]string{sheet, addr, string(orig)})
	return nil
}

// comment writes the problems' messages as the cell's comment, appended
// to the commune's own comment old when there is one (had).
func (an *annotator) comment(sheet, addr string, ps []problem.Problem, old excelize.Comment, had bool) error {
	font := func(bold bool) *excelize.Font { return &excelize.Font{Family: fontName, Size: 10, Bold: bold} }
	c := excelize.Comment{Cell: addr, Author: CommentAuthor}
	head := commentHead + "\n"
	if had {
		if err := an.f.DeleteComment(sheet, addr); err != nil {
			return err
		}
		c.Author = old.Author
		c.Paragraph = commentRuns(old)
		head = "\n\n" + head
	}
	c.Paragraph = append(c.Paragraph, excelize.RichTextRun{Text: head, Font: font(true)})
	chars := 0
	for i, p := range ps {
		msg := p.Message
		if i < len(ps)-1 {
			msg += "\n"
		}
		c.Paragraph = append(c.Paragraph,
			excelize.RichTextRun{Text: p.Severity.Label() + ": ", Font: font(true)},
			excelize.RichTextRun{Text: msg, Font: font(false)})
		chars += len([]rune(p.Message)) + 12
	}
	// Comment box in pixels: about 50 characters a line at 10 pt.
	lines := len(ps) + 1 + chars/50
	c.Width, c.Height = 340, uint(min(40+lines*14, 600))
	return an.f.AddComment(sheet, c)
}

// saveUndo writes the very hidden bookkeeping sheet (see SheetAnnot).

// rgbOnly makes the colours GetStyle returns for files other programs saved
// fit NewStyle, which takes RGB and prefixes an alpha: 8-digit ARGB
// (openpyxl writes "00FF0000") would become ten digits, and an automatic
// border colour (LibreOffice) "FF" — both of which Excel ignores and
// openpyxl refuses.
func rgbOnly(st *excelize.Style) {
	fix := func(c string) string {
		c = strings.TrimPrefix(c, "#")
		if len(c) == 8 {
			return c[2:]
		}
		return c
	}
	if st.Font != nil {
		st.Font.Color = fix(st.Font.Color)
	}
	for i := range st.Border {
		// An automatic or indexed colour reads as "": NewStyle would write
		// rgb="FF". Automatic is black.
		if st.Border[i].Color = fix(st.Border[i].Color); st.Border[i].Color == "" {
			st.Border[i].Color = "000000"
		}
	}
	for i := range st.Fill.Color {
		st.Fill.Color[i] = fix(st.Fill.Color[i])
	}
}
