package workbook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

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
	f    *excelize.File // opened for the annotation
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
	if b.f != nil {
		return b.f.Close()
	}
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

// excel opens the workbook with excelize for the annotation.
func (b *Book) excel() (*excelize.File, error) {
	if b.f != nil {
		return b.f, nil
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.data), excelize.Options{UnzipSizeLimit: b.lim.UnzipSize, UnzipXMLSizeLimit: b.lim.UnzipXMLSize})
	if err != nil {
		if strings.Contains(err.Error(), "unzip size exceeds") {
			return nil, fmt.Errorf("%w: %v", ErrUnzipLimit, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	b.f = f
	return f, nil
}

// Annotate turns the workbook into the commune's result workbook, in
// memory; Write saves it.
func (b *Book) Annotate(a Annotation) (err error) {
	defer func() {
		// excelize is not ours: a panic on a damaged part is an error.
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: %v", ErrDamaged, r)
		}
	}()
	f, err := b.excel()
	if err != nil {
		return err
	}
	return annotate(f, a)
}

// Write saves the annotated workbook.
func (b *Book) Write(w io.Writer) error {
	f, err := b.excel()
	if err != nil {
		return err
	}
	return write(f, w)
}
