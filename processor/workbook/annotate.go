package workbook

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
)

// Sheets and marks an annotation adds to a commune's workbook.
const (
	// SheetResult is the result sheet Annotate puts first.
	SheetResult = "Kết quả chấm"
	// SheetAnnot is a very hidden sheet listing the cells Annotate coloured
	// and the fill each had before, so that annotating a returned annotated
	// workbook again (a commune corrects the result file and sends it back)
	// restores them first instead of leaving stale colours.
	SheetAnnot = "_chiso_ketqua"
	// CommentAuthor is the author of the cell comments Annotate writes.
	CommentAuthor = "chiso"
)

// Headers of the columns Annotate adds to the indicator sheet; they are also
// how a previous annotation's columns are found again.
const (
	hdrSysScore = "Điểm hệ thống chấm"
	hdrSysDiff  = "Chênh lệch (hệ thống − tự chấm)"
	hdrSysNote  = "Ghi chú của hệ thống"
)

// commentHead starts every comment Annotate writes. When a cell already
// holds the commune's own comment, ours is appended to it after this run,
// so a later annotation can cut it off again and keep theirs.
const commentHead = "Hệ thống chấm điểm (chiso):"

// Annotation is what goes into a commune's result workbook.
type Annotation struct {
	Rubric   *rubric.Rubric
	Sub      *Submission // as read (Rows, Sheet, unit fields, Explain/Evidence)
	Result   *engine.Result
	Problems []problem.Problem
	FileName string    // the file as received
	Hash     string    // SHA-256 hex
	Received time.Time // shown in Zone
	// Zone is where times are shown (the collection's; nil: Vietnam's time).
	Zone *time.Location
	Unit string // unit name as identified (roster name)
	Year int
	// CohortDate is when the cohort the Min-Max scores were computed on stood;
	// they stay provisional until Rank is set by the final ranking.
	CohortDate time.Time
	Rank       string // "" until the ranking settles it, e.g. "5/30"
	// Official is the version of the official ranking (CHÍNH THỨC) the
	// rank belongs to; 0: provisional (TẠM TÍNH).
	Official int
	// Status is the unit's status as the ranking shows it ("Đã nộp", "Nộp
	// muộn", "Cần sửa, nộp lại"; ranking.Status.Label); "": from the
	// problems and Late.
	Status string
	// Late: received after the deadline (Deadline, as communes read it);
	// AfterClose: received after the close, so not in the official ranking
	// in force until the office publishes a new version.
	Late, AfterClose bool
	Deadline         string
}

// Annotate turns the commune's own workbook f, opened, into its result
// workbook, in memory (the caller saves it): a first sheet "Kết quả chấm"
// (unit, file, per-pillar table, problems, improvement plan); on the
// indicator sheet three columns after the last used one (system score,
// difference, system note); every problem's cell coloured by severity with
// a comment carrying the messages. The commune's sheets are otherwise kept
// as they are. A workbook annotated before is cleaned of the previous
// annotation first, so annotating is repeatable.
//
// Text that came from a workbook is only ever written with SetCellStr:
// nothing here writes a formula.
func annotate(f *excelize.File, a Annotation) error {
	if f == nil || a.Rubric == nil || a.Result == nil {
		return errors.New("annotate: workbook, rubric and result are required")
	}
	if a.Sub == nil {
		a.Sub = &Submission{}
	}
	an := &annotator{f: f, a: a, res: map[string]*engine.IndicatorResult{}, order: map[string]int{}, styleCache: map[string]int{}}
	for i := range a.Result.Indicators {
		ir := &a.Result.Indicators[i]
		an.res[ir.Code] = ir
	}
	n := 0
	a.Rubric.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		n++
		an.order[in.Code] = n
	})
	an.problems = append([]problem.Problem(nil), a.Problems...)
	problem.Sort(an.problems, an.order)
	an.undo()
	if err := an.addResultSheet(); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	an.resultSheet()
	an.indicatorSheet()
	an.markCells()
	an.saveUndo()
	idx, _ := f.GetSheetIndex(SheetResult)
	f.SetActiveSheet(idx)
	if len(an.errs) > 0 {
		return fmt.Errorf("annotate: %w", errors.Join(an.errs...))
	}
	return nil
}

type annotator struct {
	f          *excelize.File
	a          Annotation
	res        map[string]*engine.IndicatorResult
	order      map[string]int
	problems   []problem.Problem // sorted: errors first, then rubric order
	styleCache map[string]int
	st         annotStyles
	undoRows   [][3]string // sheet, cell, original fill as JSON
	errs       []error
}

func (an *annotator) check(err error) {
	if err != nil {
		an.errs = append(an.errs, err)
	}
}

// soft takes the error of marking one cell of the commune's sheets (its
// fill or comment) or of keeping a sheet-scoped name. These are best effort: a damaged comments part or
// style in a hostile file must not cost the commune its result, and every
// problem is listed with its cell on the result sheet anyway.
func (an *annotator) soft(err error) { _ = err }

// ---------------------------------------------------------------- cleaning

// undo removes a previous annotation: the result and bookkeeping sheets,
// our comments (and our part of merged ones), and the fills we set, where
// the cell still has our colour (a commune that recoloured a cell keeps
// its colour). The added columns are found again by their header and
// rewritten in place.
func (an *annotator) undo() {
	f := an.f
	if idx, _ := f.GetSheetIndex(SheetAnnot); idx >= 0 {
		rows, _ := f.GetRows(SheetAnnot, excelize.Options{RawCellValue: true})
		for i, r := range rows {
			if i == 0 || len(r) < 3 {
				continue // header
			}
			var orig excelize.Fill
			if json.Unmarshal([]byte(r[2]), &orig) != nil {
				continue
			}
			if si, _ := f.GetSheetIndex(r[0]); si < 0 {
				continue
			}
			sid, err := f.GetCellStyle(r[0], r[1])
			if err != nil {
				continue
			}
			st, err := f.GetStyle(sid)
			if err != nil || !isOurFill(st.Fill) {
				continue
			}
			st.Fill = orig
			rgbOnly(st)
			if ns, err := f.NewStyle(st); err == nil {
				an.soft(f.SetCellStyle(r[0], r[1], r[1], ns))
			}
		}
		an.check(f.DeleteSheet(SheetAnnot))
	}
	if idx, _ := f.GetSheetIndex(SheetResult); idx >= 0 {
		an.check(f.DeleteSheet(SheetResult))
	}
	for _, sheet := range f.GetSheetList() {
		cs, err := f.GetComments(sheet)
		if err != nil {
			continue
		}
		for _, c := range cs {
			if c.Author == CommentAuthor {
				an.soft(f.DeleteComment(sheet, c.Cell))
				continue
			}
			runs := commentRuns(c)
			cut := -1
			for i, r := range runs {
				if strings.Contains(r.Text, commentHead) {
					cut = i
					break
				}
			}
			if cut < 0 {
				continue
			}
			an.soft(f.DeleteComment(sheet, c.Cell))
			keep := runs[:cut]
			if len(keep) > 0 {
				an.soft(f.AddComment(sheet, excelize.Comment{Cell: c.Cell, Author: c.Author, Paragraph: keep}))
			}
		}
	}
}

// isOurFill reports whether a fill is one Annotate sets.
func isOurFill(fl excelize.Fill) bool {
	if fl.Type != "pattern" || fl.Pattern != 1 || len(fl.Color) == 0 {
		return false
	}
	c := strings.ToUpper(strings.TrimPrefix(fl.Color[0], "#"))
	if len(c) == 8 {
		c = c[2:] // ARGB
	}
	for _, x := range severityFill {
		if c == x {
			return true
		}
	}
	return false
}

// commentRuns returns a comment's text as runs (a plain-text comment as one).
func commentRuns(c excelize.Comment) []excelize.RichTextRun {
	var runs []excelize.RichTextRun
	if c.Text != "" {
		runs = append(runs, excelize.RichTextRun{Text: c.Text})
	}
	return append(runs, c.Paragraph...)
}

// addResultSheet creates the result sheet as the first sheet.
//
// excelize's MoveSheet reorders the sheets but not the sheet index that
// sheet-scoped defined names (print titles, filters) carry, so those would
// point at the wrong sheet: they are taken out before the move and put back
// under the same sheet names after it.
func (an *annotator) addResultSheet() error {
	f := an.f
	var scoped []excelize.DefinedName
	for _, dn := range f.GetDefinedName() {
		if dn.Scope != "" && dn.Scope != "Workbook" {
			scoped = append(scoped, dn)
		}
	}
	if _, err := f.NewSheet(SheetResult); err != nil {
		return err
	}
	// A name that cannot be moved (a duplicate in a damaged file) is at
	// worst a print setting lost: not worth the commune's result.
	for _, dn := range scoped {
		an.soft(f.DeleteDefinedName(&excelize.DefinedName{Name: dn.Name, Scope: dn.Scope}))
	}
	if first := f.GetSheetList()[0]; first != SheetResult {
		if err := f.MoveSheet(SheetResult, first); err != nil {
			return err
		}
	}
	for _, dn := range scoped {
		an.soft(f.SetDefinedName(&dn))
	}
	return nil
}

func (an *annotator) saveUndo() {
	if len(an.undoRows) == 0 {
		return
	}
	f := an.f
	if _, err := f.NewSheet(SheetAnnot); err != nil {
		an.check(err)
		return
	}
	an.check(f.SetCellStr(SheetAnnot, "A1", "Trang"))
	an.check(f.SetCellStr(SheetAnnot, "B1", "Ô"))
	an.check(f.SetCellStr(SheetAnnot, "C1", "Màu nền trước khi đánh dấu"))
	for i, r := range an.undoRows {
		for j, v := range r {
			an.check(f.SetCellStr(SheetAnnot, cell(string(rune('A'+j)), i+2), v))
		}
	}
	an.check(f.SetSheetVisible(SheetAnnot, false, true))
}
