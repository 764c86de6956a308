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
)

// Errors of Open: what is wrong with a file as a workbook. Callers turn
// them into the reason a file is rejected.
var (
	// ErrPassword: the workbook is encrypted with a password.
	ErrPassword = errors.New("workbook: password-protected")
	// ErrUnzipLimit: the workbook unzips to more than the limits allow (a
	// zip bomb, or a workbook stuffed with pictures).
	ErrUnzipLimit = errors.New("workbook: unzipped size over the limit")
	// ErrDamaged: the file is not a readable workbook (damaged or truncated
	// zip, broken parts, no sheet).
	ErrDamaged = errors.New("workbook: damaged")
)

// Limits bound what opening one workbook may cost.
type Limits struct {
	UnzipSize    int64 // total unzipped bytes
	UnzipXMLSize int64 // one unzipped XML part
}

// Book is an open workbook: a commune's form, an appraisal sheet, or any
// other workbook someone dropped in the inbox.
type Book struct {
	f *excelize.File
	// Macro is true for a macro-enabled workbook (.xlsm): its result keeps
	// the .xlsm extension, since Excel refuses macro content in an .xlsx.
	// chiso never runs macros.
	Macro bool
}

// Open opens a workbook from its bytes under the limits. Errors wrap
// ErrPassword, ErrUnzipLimit or ErrDamaged.
func Open(data []byte, lim Limits) (b *Book, err error) {
	// excelize is not ours: a panic on a broken zip is a damaged file, not a crash.
	defer func() {
		if r := recover(); r != nil {
			b, err = nil, fmt.Errorf("%w: %v", ErrDamaged, r)
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: lim.UnzipSize, UnzipXMLSizeLimit: lim.UnzipXMLSize})
	if err != nil {
		switch {
		case errors.Is(err, excelize.ErrWorkbookPassword):
			return nil, fmt.Errorf("%w: %v", ErrPassword, err)
		case strings.Contains(err.Error(), "unzip size exceeds"):
			// excelize reports the size limit with no error value to match:
			// its message is matched here, in the one place that knows excelize.
			return nil, fmt.Errorf("%w: %v", ErrUnzipLimit, err)
		}
		return nil, fmt.Errorf("%w: %v", ErrDamaged, err)
	}
	if len(f.GetSheetList()) == 0 {
		f.Close()
		return nil, fmt.Errorf("%w: no sheet", ErrDamaged)
	}
	return &Book{f: f, Macro: bytes.Contains(data, []byte("xl/vbaProject.bin"))}, nil
}

// Close releases the workbook.
func (b *Book) Close() error { return b.f.Close() }

// Meta is what the workbook claims to be (see ReadMeta).
func (b *Book) Meta() Meta { return readMeta(b.f) }

// Read reads a returned form for rubric r (see Submission).
func (b *Book) Read(r *rubric.Rubric) *Submission { return readSubmission(b.f, r) }

// ReadAppraisal reads an appraisal workbook's scores (see AppraisalEntry).
func (b *Book) ReadAppraisal(r *rubric.Rubric) ([]AppraisalEntry, []problem.Problem) {
	return readAppraisal(b.f, r)
}

// Annotate turns the workbook into the commune's result workbook, in
// memory; Write saves it.
func (b *Book) Annotate(a Annotation) error { return annotate(b.f, a) }

// Write saves the workbook.
func (b *Book) Write(w io.Writer) error { return write(b.f, w) }
