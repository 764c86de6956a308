package pipeline

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/intake"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/validate"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// Evaluator judges files' content against the rubric being collected.
// Set the fields before the first Evaluate; it is then safe for
// concurrent use.
type Evaluator struct {
	Rubrics *rubric.Set
	Rubric  string // id of the rubric being collected
	// Roster identifies the units; empty: units are who they say they are.
	Roster      *roster.Index
	MaxFileSize int64 // bytes; 0: no limit
	Workbook    workbook.Limits
	Scorers     engine.Scorers
}

// Evaluation is the verdict on one file's content: rubric, unit, figures,
// problems, score, and whether it can be accepted. It touches no folder.
type Evaluation struct {
	Name    string
	SHA256  string
	Size    int64
	Outcome ledger.Outcome // Accepted or Rejected (Duplicate is decided against the ledger)
	Rejection
	Rubric   *rubric.Rubric
	Year     int
	Unit     roster.Unit
	UnitKey  string
	Sub      *workbook.Submission
	Result   *engine.Result
	Problems []problem.Problem
	// Book is the open workbook when Accepted; the caller closes it.
	Book *workbook.Book
	// Kind is workbook.KindTemplate for a commune's form, or
	// workbook.KindAppraisal for the appraisal council's score sheet, whose
	// scores are in Appraisal.
	Kind      string
	Appraisal []workbook.AppraisalEntry
	// Macro: a macro-enabled workbook, whose result keeps the .xlsm
	// extension (see workbook.Book).
	Macro bool
}

// AppraisalKey is the unit key under which appraisal files are recorded, so
// a later appraisal file supersedes an earlier one.
const AppraisalKey = "tham-dinh"

func (e *Evaluation) reject(r Rejection) *Evaluation {
	e.Outcome, e.Rejection = ledger.Rejected, r
	e.close()
	return e
}

// close releases the open workbook, if any.
func (e *Evaluation) close() {
	if e.Book != nil {
		e.Book.Close()
		e.Book = nil
	}
}

// Evaluate judges a file's content for the collection of year. It never
// panics on hostile input (callers still recover: excelize is not ours).
// Once ctx is done it stops at its next step with a time-out rejection.
func (v *Evaluator) Evaluate(ctx context.Context, name string, data []byte, year int) *Evaluation {
	e := &Evaluation{Name: name, SHA256: intake.Hash(data), Size: int64(len(data))}
	if v.MaxFileSize > 0 && e.Size > v.MaxFileSize {
		return e.reject(tooLarge(e.Size, v.MaxFileSize))
	}
	switch intake.Sniff(data) {
	case intake.FormatEmpty:
		return e.reject(ReasonEmptyFile.Reject())
	case intake.FormatXLS:
		return e.reject(ReasonXLS.Reject())
	case intake.FormatEncrypted:
		return e.reject(ReasonPassword.Reject())
	case intake.FormatPDF:
		return e.reject(ReasonPDF.Reject())
	case intake.FormatOther:
		return e.reject(ReasonNotXLSX.Reject())
	}
	book, err := workbook.Open(data, v.Workbook)
	switch {
	case errors.Is(err, workbook.ErrPassword):
		return e.reject(ReasonPassword.Reject())
	case errors.Is(err, workbook.ErrUnzipLimit):
		return e.reject(tooLargeUnzipped(v.Workbook.UnzipSize))
	case errors.Is(err, workbook.ErrOverLimit):
		return e.reject(overLimit(err))
	case err != nil:
		return e.reject(ReasonDamaged.Reject())
	}
	e.Book, e.Macro = book, book.Macro
	if ctx.Err() != nil {
		return e.reject(ReasonTimeout.Reject())
	}
	meta := book.Meta()
	// Which rubric: the one the workbook claims, else the collected one
	// (a hand-made copy without metadata).
	id := meta.RubricID
	if id == "" {
		id = v.Rubric
	}
	r, ok := v.Rubrics.Get(id)
	if !ok {
		return e.reject(unknownRubric(id))
	}
	if r.ID != v.Rubric {
		wantName := v.Rubric
		if want, ok := v.Rubrics.Get(v.Rubric); ok {
			wantName = want.Name
		}
		return e.reject(otherRubric(r.Name, wantName))
	}
	e.Rubric = r
	e.Kind = workbook.KindTemplate
	if meta.Kind == workbook.KindAppraisal {
		return v.evaluateAppraisal(e, meta, year)
	}
	sub := book.Read(r)
	e.Sub = sub
	if ctx.Err() != nil {
		return e.reject(ReasonTimeout.Reject())
	}
	switch err := book.Err(); {
	case errors.Is(err, workbook.ErrUnzipLimit):
		return e.reject(tooLargeUnzipped(v.Workbook.UnzipSize))
	case err != nil:
		return e.reject(overLimit(err))
	}
	if sub.FoundBy == "layout" && meta.RubricID == "" && len(sub.Cells) == 0 {
		return e.reject(ReasonNotTemplate.Reject())
	}
	for _, p := range sub.Problems {
		if p.Code == workbook.CodeSheetDamaged {
			return e.reject(ReasonDamaged.Reject())
		}
	}
	for _, p := range sub.Problems {
		if p.Code == workbook.CodeLayoutUnreadable {
			return e.reject(ReasonNotTemplate.Reject())
		}
	}
	// Which year.
	claimed := meta.Year
	if claimed == "" {
		claimed = sub.Year
	}
	if claimed != "" {
		if y, err := strconv.Atoi(strings.TrimSpace(claimed)); err != nil || y != year {
			return e.reject(otherYear(year, claimed))
		}
	}
	e.Year = year
	// Which unit.
	unit, rej, ok := v.identify(meta, sub)
	if !ok {
		return e.reject(rej)
	}
	e.Unit, e.UnitKey = unit, roster.UnitKey(unit)
	if empty(sub) {
		return e.reject(ReasonEmpty.Reject())
	}
	sc, err := v.Scorers.Get(r)
	if err != nil {
		return e.reject(ReasonInternal.Reject())
	}
	e.Result = sc.Score(sub.Values)
	if ctx.Err() != nil {
		return e.reject(ReasonTimeout.Reject())
	}
	cells := map[string]string{}
	for k, c := range sub.Cells {
		cells[k] = c.Where()
	}
	probs := append([]problem.Problem{}, sub.Problems...)
	probs = append(probs, validate.Check(r, validate.Input{Values: sub.Values, Explain: sub.Explain, Evidence: sub.Evidence, Cells: cells}, e.Result)...)
	if meta.RubricHash != "" && meta.RubricHash != r.Hash {
		probs = append(probs, problem.Problem{Severity: problem.Info, Code: "rubric-changed",
			Message: "Biểu mẫu được tạo từ một phiên bản khác của bộ chỉ số; điểm được tính theo phiên bản hiện hành."})
	}
	problem.Sort(probs, validate.Order(r))
	e.Problems = dropMissingWhenUnreadable(probs)
	// Impossible figures do not score until corrected.
	sc.Invalidate(e.Result, validate.Invalid(r, e.Problems))
	e.Outcome = ledger.Accepted
	return e
}

// evaluateAppraisal judges an appraisal council's score sheet. Rows with a
// bad score are reported and skipped; units are checked by the pipeline
// against the accepted submissions when it commits.
func (v *Evaluator) evaluateAppraisal(e *Evaluation, meta workbook.Meta, year int) *Evaluation {
	e.Kind = workbook.KindAppraisal
	if y, err := strconv.Atoi(meta.Year); err != nil || y != year {
		return e.reject(otherYear(year, meta.Year))
	}
	e.Year = year
	e.UnitKey = AppraisalKey
	e.Unit = roster.Unit{Name: "Hội đồng thẩm định"}
	e.Appraisal, e.Problems = e.Book.ReadAppraisal(e.Rubric)
	if len(e.Appraisal) == 0 && len(e.Problems) > 0 {
		return e.reject(ReasonAppraisalInvalid.Reject())
	}
	e.Outcome = ledger.Accepted
	return e
}

// dropMissingWhenUnreadable removes the "missing figure" warning for a cell
// already reported as unreadable: one message per cell is enough.
func dropMissingWhenUnreadable(ps []problem.Problem) []problem.Problem {
	unreadable := map[string]bool{}
	for _, p := range ps {
		if p.Code == "unreadable" && p.Cell != "" {
			unreadable[p.Cell] = true
		}
	}
	out := ps[:0]
	for _, p := range ps {
		if p.Code == "missing" && unreadable[p.Cell] {
			continue
		}
		out = append(out, p)
	}
	return out
}

// empty reports a template with no figure and no self-score at all.
func empty(s *workbook.Submission) bool {
	if len(s.Values.Self) > 0 {
		return false
	}
	for _, v := range s.Values.General {
		if v.Set {
			return false
		}
	}
	for _, m := range s.Values.Inputs {
		for _, v := range m {
			if v.Set {
				return false
			}
		}
	}
	for _, p := range s.Problems {
		if p.Code == "unreadable" {
			return false // something was typed, just not usable
		}
	}
	return true
}

// identify finds the unit: by the code the template was issued for, else
// by the name typed on the general sheet. ok is false, with the rejection,
// when the unit is unknown or contradictory.
func (v *Evaluator) identify(meta workbook.Meta, sub *workbook.Submission) (roster.Unit, Rejection, bool) {
	code := meta.UnitCode
	if code == "" {
		code = sub.UnitCode
	}
	name := sub.UnitName
	if name == "" {
		name = meta.UnitName
	}
	if v.Roster.Len() == 0 {
		// No roster: units are who they say they are.
		if strings.TrimSpace(name) == "" && strings.TrimSpace(code) == "" {
			return roster.Unit{}, ReasonNoUnit.Reject(), false
		}
		return roster.Unit{Code: strings.TrimSpace(code), Name: strings.TrimSpace(name)}, Rejection{}, true
	}
	byCode, okCode := v.Roster.Find(code, "")
	byName, okName := v.Roster.Find("", name)
	switch {
	case okCode && okName && byCode.Code != byName.Code:
		return roster.Unit{}, unitConflict(byCode.Name, byName.Name), false
	case okCode:
		return byCode, Rejection{}, true
	case okName:
		return byName, Rejection{}, true
	case strings.TrimSpace(name) == "":
		return roster.Unit{}, ReasonNoUnit.Reject(), false
	}
	return roster.Unit{}, unknownUnit(name, v.Roster.Closest(name, 3)), false
}
