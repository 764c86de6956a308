package workbook

import (
	"errors"
	"fmt"
	"io"

	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// Errors of Open and of reading: what is wrong with a file as a workbook.
// Callers turn them into the reason a file is rejected.
var (
	// ErrPassword: the workbook is encrypted with a password.
	ErrPassword = errors.New("workbook: password-protected")
	// ErrUnzipLimit: the workbook unzips to more than the limits allow (a
	// zip bomb, or a workbook stuffed with pictures).
	ErrUnzipLimit = errors.New("workbook: unzipped size over the limit")
	// ErrOverLimit: the workbook holds far more than a self-assessment
	// form (rows, cells, strings, nesting): a hostile or a wrong file.
	ErrOverLimit = errors.New("workbook: content over the limits")
	// ErrDamaged: the file is not a readable workbook (damaged or truncated
	// zip, malformed parts, no sheet).
	ErrDamaged = errors.New("workbook: damaged")
)

// Limits bound what opening and reading one workbook may cost.
type Limits struct {
	UnzipSize    int64 // total unzipped bytes
	UnzipXMLSize int64 // one unzipped XML part
}

// ooxml returns the reader's limits: the sizes from the config, the rest
// ooxml's defaults (a commune's form a hundred times over).
func (l Limits) ooxml() ooxml.Limits {
	lim := ooxml.DefaultLimits()
	if l.UnzipSize > 0 {
		lim.MaxTotalBytes = l.UnzipSize
	}
	if l.UnzipXMLSize > 0 {
		lim.MaxPartBytes = l.UnzipXMLSize
	}
	return lim
}

// Book is an open workbook: a commune's form, an appraisal sheet, or any
// other workbook someone dropped in the inbox. It is read by a bounded
// streaming reader; nothing is parsed that is not needed.
type Book struct {
	data []byte
	lim  Limits
	src  *bookSource
	// patch is the annotation, written by Write.
	patch *ooxml.Patch
	// Macro is true for a macro-enabled workbook (.xlsm): its result keeps
	// the .xlsm extension, since Excel refuses macro content in an .xlsx.
	// chiso never runs macros.
	Macro bool
}

// Open opens a workbook from its bytes under the limits. Errors wrap
// ErrPassword, ErrUnzipLimit, ErrOverLimit or ErrDamaged.
func Open(data []byte, lim Limits) (*Book, error) {
	x, err := ooxml.Open(data, lim.ooxml())
	if err != nil {
		return nil, openErr(err)
	}
	return &Book{data: data, lim: lim, src: newBookSource(x, data, lim), Macro: x.HasMacros()}, nil
}

// openErr turns the reader's errors into Open's.
func openErr(err error) error {
	var le *ooxml.LimitError
	switch {
	case errors.Is(err, ooxml.ErrEncrypted):
		return fmt.Errorf("%w: %w", ErrPassword, err)
	case errors.As(err, &le) && (le.Limit == ooxml.LimitTotalBytes || le.Limit == ooxml.LimitPartBytes):
		return fmt.Errorf("%w: %w", ErrUnzipLimit, err)
	case errors.Is(err, ooxml.ErrLimit):
		return fmt.Errorf("%w: %w", ErrOverLimit, err)
	}
	return fmt.Errorf("%w: %v", ErrDamaged, err)
}

// Close releases the workbook.
func (b *Book) Close() error {
	b.src.close()
	return nil
}

// Meta is what the workbook claims to be (see ReadMeta).
func (b *Book) Meta() Meta { return readMeta(b.src) }

// Read reads a returned form for rubric r (see Submission).
func (b *Book) Read(r *rubric.Rubric) *Submission { return readSubmission(b.src, r) }

// Err is the first limit a sheet read so far went over (nil when none):
// such a sheet reads as damaged, but the file is rejected for its size.
func (b *Book) Err() error {
	for _, err := range b.src.readErrs() {
		if errors.Is(err, ooxml.ErrLimit) {
			return openErr(err)
		}
	}
	return nil
}

// ReadAppraisal reads an appraisal workbook's scores (see AppraisalEntry).
// A national cohort's sheet has some 190,000 rows: it is read with higher
// row and cell limits than a commune's form.
func (b *Book) ReadAppraisal(r *rubric.Rubric) ([]AppraisalEntry, []problem.Problem) {
	lim := b.lim.ooxml()
	lim.MaxRows, lim.MaxCells = 1<<20, 4<<20
	x, err := ooxml.Open(b.data, lim)
	if err != nil {
		return nil, []problem.Problem{{Severity: problem.Error, Code: "appraisal-unreadable", Message: "Không đọc được tệp thẩm định: " + err.Error()}}
	}
	src := newBookSource(x, b.data, b.lim)
	defer src.close()
	return readAppraisal(src, r)
}

// Annotate turns the workbook into the commune's result workbook, in
// memory; Write saves it.
func (b *Book) Annotate(a Annotation) (err error) {
	defer func() {
		// A damaged part of a hostile file must not take the process down.
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrDamaged, r)
		}
	}()
	c := newPatchCanvas(b.src)
	if err := annotate(c, a); err != nil {
		return writeErr(err)
	}
	if a.Card != nil {
		// The scorecard first, and open on it: what a chairman reads.
		if err := AddScorecard(c.p, *a.Card); err != nil {
			return writeErr(err)
		}
		if err := c.p.SetActiveSheet(SheetScorecard); err != nil {
			return writeErr(err)
		}
	} else if _, ok := b.src.b.Sheet(SheetScorecard); ok {
		// An earlier card, out of date now.
		if err := c.p.RemoveSheet(SheetScorecard); err != nil {
			return writeErr(err)
		}
	}
	b.patch = c.p
	return nil
}

// Write saves the workbook: the annotated one after Annotate, else a
// copy. Parts the annotation did not change are copied as they are.
func (b *Book) Write(w io.Writer) error {
	p := b.patch
	if p == nil {
		p = b.src.b.Patch()
	}
	return writeErr(p.Write(w))
}

// writeErr turns the patcher's errors about the file (a part over a limit,
// malformed or damaged, read only now) into Open's.
func writeErr(err error) error {
	if err != nil && (errors.Is(err, ooxml.ErrLimit) || errors.Is(err, ooxml.ErrMalformed) || errors.Is(err, ooxml.ErrDamaged)) {
		return openErr(err)
	}
	return err
}
