package workbook

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/scorecard"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
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
	hdrSysCode  = "TT"
	hdrSysName  = "Chỉ số / Chỉ số thành phần"
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
	// Card, when set, is the unit's one-page scorecard, written as the
	// workbook's first sheet (Book.Annotate); nil removes an earlier one.
	Card *scorecard.Card
}

// annotate turns the commune's own workbook, on canvas c, into its result
// workbook (the caller saves it): a first sheet "Kết quả chấm" (unit,
// file, per-pillar table, problems, improvement plan); on the indicator
// sheet five columns after the last used one (code and name, system
// score, difference, system note) and the print set-up that keeps them
// legible (printLayout); every problem's cell coloured by severity with a
// comment carrying the messages. The commune's sheets are otherwise kept
// as they are. A workbook annotated before is cleaned of the previous
// annotation first, so annotating is repeatable.
//
// Text that came from a workbook is only ever written as text: nothing
// here writes a formula.
func annotate(c canvas, a Annotation) error {
	if c == nil || a.Rubric == nil || a.Result == nil {
		return errors.New("annotate: workbook, rubric and result are required")
	}
	if a.Sub == nil {
		a.Sub = &Submission{}
	}
	an := &annotator{c: c, a: a, res: map[string]*engine.IndicatorResult{}, order: map[string]int{}, styleCache: map[string]int{}, looks: map[look]int{}}
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
	an.styles()
	if err := an.resultSheet(); err != nil {
		return fmt.Errorf("annotate: %w", err)
	}
	an.indicatorSheet()
	an.markCells()
	an.saveUndo()
	an.check(c.activate(SheetResult))
	if len(an.errs) > 0 {
		return fmt.Errorf("annotate: %w", errors.Join(an.errs...))
	}
	return nil
}

type annotator struct {
	c          canvas
	a          Annotation
	res        map[string]*engine.IndicatorResult
	order      map[string]int
	problems   []problem.Problem // sorted: errors first, then rubric order
	styleCache map[string]int
	looks      map[look]int
	formats    map[int]ooxml.TextFormat // text layout by format, read once
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
// fill or comment). These are best effort: a damaged comments part or
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
	c := an.c
	if c.hasSheet(SheetAnnot) {
		for i, r := range c.rows(SheetAnnot) {
			if i == 0 || len(r) < 3 {
				continue // header
			}
			orig, err := decodeFill(r[2])
			if err != nil || !c.hasSheet(r[0]) {
				continue
			}
			col, row, err := ooxml.ParseRef(r[1])
			if err != nil {
				continue
			}
			sid, err := c.style(r[0], col, row)
			if err != nil {
				continue
			}
			if fl, err := c.fill(sid); err != nil || !isOurFill(fl) {
				continue
			}
			if ns, err := c.deriveFill(sid, orig); err == nil {
				an.soft(c.setStyle(r[0], col, row, ns))
			}
		}
		an.check(c.removeSheet(SheetAnnot))
	}
	if c.hasSheet(SheetResult) {
		an.check(c.removeSheet(SheetResult))
	}
	for _, sheet := range c.sheets() {
		cs, err := c.comments(sheet)
		if err != nil || len(cs) == 0 {
			continue
		}
		var keep []ooxml.Comment
		changed := false
		for _, cm := range cs {
			if cm.Author == CommentAuthor {
				changed = true
				continue
			}
			cut := -1
			for i, r := range cm.Runs {
				if strings.Contains(r.Text, commentHead) {
					cut = i
					break
				}
			}
			if cut >= 0 {
				changed = true
				if cut == 0 {
					continue
				}
				cm.Runs = cm.Runs[:cut]
			}
			keep = append(keep, cm)
		}
		if changed {
			an.soft(c.setComments(sheet, keep))
		}
	}
}

func (an *annotator) saveUndo() {
	if len(an.undoRows) == 0 {
		return
	}
	s := newSheetBuild()
	for j, h := range []string{"Trang", "Ô", "Màu nền trước khi đánh dấu"} {
		s.set(j+1, 1, textValue(h), 0)
	}
	for i, r := range an.undoRows {
		for j, v := range r {
			s.set(j+1, i+2, textValue(v), 0)
		}
	}
	if err := an.c.addSheet(SheetAnnot, false, s); err != nil {
		an.check(err)
		return
	}
	an.check(an.c.hideVery(SheetAnnot))
}
