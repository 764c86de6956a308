package ooxml

import (
	"errors"
	"fmt"
	"strconv"
)

// Errors Open, ReadSheet and the other readers return, usable with
// [errors.Is]. Limit and XML errors are the types [*LimitError] and
// [*XMLError], which also match [ErrLimit] and [ErrMalformed].
var (
	// ErrNotZip: the data is not a zip archive at all (a renamed PDF, an
	// old .xls, an empty file).
	ErrNotZip = errors.New("ooxml: not a zip archive")
	// ErrEncrypted: the data is an OLE compound file holding an encrypted
	// OOXML package, which is how Excel saves a password-protected
	// workbook. It does not match ErrNotZip.
	ErrEncrypted = errors.New("ooxml: encrypted (password-protected) workbook")
	// ErrDamaged: a zip archive whose structure is broken: truncated
	// (a copy not finished), a bad checksum, a size in a header that does
	// not match the data, duplicate entries, an unsupported compression.
	ErrDamaged = errors.New("ooxml: damaged zip archive")
	// ErrNoWorkbook: a zip archive without a workbook part: not a
	// spreadsheet (a .docx, a zip of anything else).
	ErrNoWorkbook = errors.New("ooxml: no workbook part")
	// ErrNoSheet: no sheet of that name, or its part is missing.
	ErrNoSheet = errors.New("ooxml: no such sheet")
	// ErrLimit matches every [*LimitError].
	ErrLimit = errors.New("ooxml: limit exceeded")
	// ErrMalformed matches every [*XMLError].
	ErrMalformed = errors.New("ooxml: malformed XML")
)

// Limit names one of the bounds of [Limits].
type Limit string

// The limits, as named in a [*LimitError].
const (
	LimitEntries       Limit = "zip entries"
	LimitTotalBytes    Limit = "decompressed bytes in total"
	LimitPartBytes     Limit = "decompressed bytes of one part"
	LimitRows          Limit = "rows per sheet"
	LimitCols          Limit = "columns"
	LimitCells         Limit = "cells per sheet"
	LimitSharedStrings Limit = "shared strings"
	LimitStringBytes   Limit = "bytes of the shared strings"
	LimitValueBytes    Limit = "bytes of one value"
	LimitDepth         Limit = "XML element depth"
	LimitTokenBytes    Limit = "bytes of one XML token"
	LimitItems         Limit = "items of one list"
)

// LimitError is returned when an input exceeds one of the [Limits]. It is
// returned as soon as the limit is crossed, while streaming: the rest of
// the input is not read.
type LimitError struct {
	Limit Limit
	Max   int64  // the limit in force
	Part  string // the part being read, "" for the archive itself
}

// Error says which limit, its value and the part.
func (e *LimitError) Error() string {
	s := "ooxml: " + string(e.Limit) + " exceeds the limit of " + strconv.FormatInt(e.Max, 10)
	if e.Part != "" {
		s += " in " + e.Part
	}
	return s
}

// Is makes errors.Is(err, ErrLimit) true.
func (e *LimitError) Is(target error) bool { return target == ErrLimit }

// XMLError is a part whose XML is not well-formed, or whose content
// cannot be what the format says (a cell reference that is not one, a row
// number that is not a number).
type XMLError struct {
	Part   string // part name in the archive, e.g. "xl/worksheets/sheet1.xml"
	Offset int64  // byte offset in the decompressed part
	Msg    string
}

// Error says which part, where and what.
func (e *XMLError) Error() string {
	return fmt.Sprintf("ooxml: malformed XML in %s at byte %d: %s", e.Part, e.Offset, e.Msg)
}

// Is makes errors.Is(err, ErrMalformed) true.
func (e *XMLError) Is(target error) bool { return target == ErrMalformed }

// damaged wraps the cause of a damaged archive so that it matches
// ErrDamaged and still unwraps to the cause.
type damaged struct {
	part  string
	cause error
}

func (e *damaged) Error() string {
	if e.part == "" {
		return ErrDamaged.Error() + ": " + e.cause.Error()
	}
	return ErrDamaged.Error() + ": " + e.part + ": " + e.cause.Error()
}

func (e *damaged) Is(target error) bool { return target == ErrDamaged }
func (e *damaged) Unwrap() error        { return e.cause }

func damagedf(part, format string, args ...any) error {
	return &damaged{part: part, cause: fmt.Errorf(format, args...)}
}
