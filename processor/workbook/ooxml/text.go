package ooxml

import (
	"errors"
	"math"
	"strconv"
	"unicode/utf8"
)

// Value is a value the patcher or the sheet writer puts in a cell. Text is
// always written as an inline string (t="inlineStr"), never as a formula,
// whatever it begins with.
type Value struct {
	kind valueKind
	num  float64
	text string
}

type valueKind uint8

const (
	valueBlank valueKind = iota
	valueNumber
	valueText
	valueBool
	valueShared // an index in the patch's shared-string table (Patch.Shared)
)

// Number returns a numeric value. NaN and infinities cannot be stored:
// setting them is an error.
func Number(x float64) Value { return Value{kind: valueNumber, num: x} }

// Text returns a text value. Characters XML cannot carry (control
// characters other than tab, line feed and carriage return; invalid UTF-8)
// are dropped or replaced when written, text that would read as one of
// Excel's _xHHHH_ escapes is escaped, and text longer than Excel's 32,767
// characters is cut there.
func Text(s string) Value { return Value{kind: valueText, text: s} }

// Bool returns a boolean value.
func Bool(b bool) Value {
	if b {
		return Value{kind: valueBool, num: 1}
	}
	return Value{kind: valueBool}
}

// Blank is no value: a cell that only carries a style.
func Blank() Value { return Value{} }

var errNaN = errors.New("ooxml: NaN or infinite number cannot be stored in a cell")

func (v Value) check() error {
	if v.kind == valueNumber && (math.IsNaN(v.num) || math.IsInf(v.num, 0)) {
		return errNaN
	}
	return nil
}

// appendCell appends a <c> element. prefix is the namespace prefix of the
// sheet's elements with its colon ("x:"), usually "".
func appendCell(dst []byte, prefix string, col, row int, v Value, style int) []byte {
	dst = append(dst, '<')
	dst = append(dst, prefix...)
	dst = append(dst, `c r="`...)
	dst = appendRef(dst, col, row)
	dst = append(dst, '"')
	if style > 0 {
		dst = append(dst, ` s="`...)
		dst = strconv.AppendInt(dst, int64(style), 10)
		dst = append(dst, '"')
	}
	switch v.kind {
	case valueBlank:
		return append(dst, "/>"...)
	case valueNumber:
		dst = append(dst, "><"...)
		dst = append(dst, prefix...)
		dst = append(dst, "v>"...)
		dst = strconv.AppendFloat(dst, v.num, 'g', -1, 64)
		dst = append(dst, "</"...)
		dst = append(dst, prefix...)
		dst = append(dst, "v>"...)
	case valueShared:
		dst = append(dst, ` t="s"><`...)
		dst = append(dst, prefix...)
		dst = append(dst, "v>"...)
		dst = strconv.AppendInt(dst, int64(v.num), 10)
		dst = append(dst, "</"...)
		dst = append(dst, prefix...)
		dst = append(dst, "v>"...)
	case valueBool:
		dst = append(dst, ` t="b">`...)
		if v.num != 0 {
			dst = appendElem(dst, prefix, "v", []byte("1"))
		} else {
			dst = appendElem(dst, prefix, "v", []byte("0"))
		}
	case valueText:
		dst = append(dst, ` t="inlineStr"><`...)
		dst = append(dst, prefix...)
		dst = append(dst, "is><"...)
		dst = append(dst, prefix...)
		dst = append(dst, `t xml:space="preserve">`...)
		dst = appendCellText(dst, v.text)
		dst = append(dst, "</"...)
		dst = append(dst, prefix...)
		dst = append(dst, "t></"...)
		dst = append(dst, prefix...)
		dst = append(dst, "is>"...)
	}
	dst = append(dst, "</"...)
	dst = append(dst, prefix...)
	return append(dst, "c>"...)
}

func appendElem(dst []byte, prefix, name string, content []byte) []byte {
	dst = append(dst, '<')
	dst = append(dst, prefix...)
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = append(dst, content...)
	dst = append(dst, "</"...)
	dst = append(dst, prefix...)
	dst = append(dst, name...)
	return append(dst, '>')
}

// maxCellChars is Excel's limit on a cell's text, in UTF-16 code units.
const maxCellChars = 32767

// appendCellText appends text for a <t> element: sanitised (see Text),
// _xHHHH_ look-alikes escaped, cut at Excel's limit, XML-escaped.
func appendCellText(dst []byte, s string) []byte {
	units := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			r = '\uFFFD'
		}
		if !isXMLChar(r) {
			i += size
			continue
		}
		u := 1
		if r > 0xFFFF {
			u = 2
		}
		if units+u > maxCellChars {
			break
		}
		units += u
		if r == '_' && indexX([]byte(s[i:min(i+7, len(s))]), 0) == 0 {
			// "_x000D_" typed by a user would read back as a carriage
			// return: escape its underscore.
			dst = append(dst, "_x005F_"...)
			i += size
			continue
		}
		dst = appendEscapedRune(dst, r)
		i += size
	}
	return dst
}

// appendTextElem appends <name>text</name>, the text escaped.
func appendTextElem(dst []byte, name, text string) []byte {
	dst = append(dst, '<')
	dst = append(dst, name...)
	dst = append(dst, '>')
	dst = appendEscaped(dst, text)
	dst = append(dst, "</"...)
	dst = append(dst, name...)
	return append(dst, '>')
}

// appendEscaped appends s escaped for XML text or a double-quoted
// attribute, with characters XML cannot carry dropped and invalid UTF-8
// replaced.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			r = '\uFFFD'
		}
		i += size
		if !isXMLChar(r) {
			continue
		}
		dst = appendEscapedRune(dst, r)
	}
	return dst
}

func appendEscapedRune(dst []byte, r rune) []byte {
	switch r {
	case '&':
		return append(dst, "&amp;"...)
	case '<':
		return append(dst, "&lt;"...)
	case '>':
		return append(dst, "&gt;"...)
	case '"':
		return append(dst, "&quot;"...)
	case '\r':
		return append(dst, "&#13;"...)
	case '\t':
		return append(dst, '\t')
	}
	if r < utf8.RuneSelf {
		return append(dst, byte(r))
	}
	return utf8.AppendRune(dst, r)
}

// appendFloat appends a number as XML writes it ("12.5", "1e+21").
func appendFloat(dst []byte, x float64) []byte {
	return strconv.AppendFloat(dst, x, 'f', -1, 64)
}
