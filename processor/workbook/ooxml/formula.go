package ooxml

import "strconv"

// shiftFormula appends to dst the formula f with its relative references
// moved by (dCol, dRow): what a cell of a shared formula holds, given the
// master's text. String literals and quoted sheet names are left alone;
// absolute parts ($A, $1) do not move; a reference moved off the grid
// becomes #REF!. Function names (LOG10(…)) and defined names are not
// references.
func shiftFormula(dst []byte, f string, dCol, dRow int) []byte {
	i := 0
	for i < len(f) {
		c := f[i]
		switch {
		case c == '"' || c == '\'':
			// A string or a quoted sheet name is copied as it is.
			j := quotedEnd(f, i)
			dst = append(dst, f[i:j]...)
			i = j
		case isIdentStart(c) && (i == 0 || !isIdentChar(f[i-1])):
			j := i
			for j < len(f) && isIdentChar(f[j]) {
				j++
			}
			dst = shiftToken(dst, f[i:j], f, j, dCol, dRow)
			i = j
		default:
			dst = append(dst, c)
			i++
		}
	}
	return dst
}

func isIdentStart(c byte) bool {
	return c == '$' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '\\'
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || c == '.' || c >= 0x80
}

// shiftToken appends one identifier-like token, shifted when it is a cell
// reference (A1, $A$1) or one end of a whole-column or whole-row range
// (A:C, 1:3). next is the index in f after the token.
func shiftToken(dst []byte, tok, f string, next, dCol, dRow int) []byte {
	if next < len(f) && (f[next] == '(' || f[next] == '!') {
		return append(dst, tok...) // a function or a sheet name
	}
	colAbs, rowAbs := false, false
	k := 0
	if k < len(tok) && tok[k] == '$' {
		colAbs = true
		k++
	}
	ls := k
	for k < len(tok) && ((tok[k]|0x20) >= 'a' && (tok[k]|0x20) <= 'z') {
		k++
	}
	letters := tok[ls:k]
	if k < len(tok) && tok[k] == '$' {
		rowAbs = true
		k++
	}
	ds := k
	for k < len(tok) && tok[k] >= '0' && tok[k] <= '9' {
		k++
	}
	digits := tok[ds:k]
	if k != len(tok) {
		return append(dst, tok...)
	}
	rangeEnd := (next < len(f) && f[next] == ':') || (next-len(tok) > 0 && f[next-len(tok)-1] == ':')
	switch {
	case len(letters) > 0 && len(letters) <= 3 && len(digits) > 0 && digits[0] != '0':
		col, err1 := ParseColName(letters)
		row, err2 := strconv.Atoi(digits)
		if err1 != nil || err2 != nil {
			return append(dst, tok...)
		}
		if !colAbs {
			col += dCol
		}
		if !rowAbs {
			row += dRow
		}
		if !validCoords(col, row) {
			return append(dst, "#REF!"...)
		}
		if colAbs {
			dst = append(dst, '$')
		}
		dst = appendColName(dst, col)
		if rowAbs {
			dst = append(dst, '$')
		}
		return strconv.AppendInt(dst, int64(row), 10)
	case len(letters) > 0 && len(letters) <= 3 && len(digits) == 0 && !rowAbs && rangeEnd:
		col, err := ParseColName(letters)
		if err != nil {
			return append(dst, tok...)
		}
		if !colAbs {
			col += dCol
		}
		if col < 1 || col > maxCol {
			return append(dst, "#REF!"...)
		}
		if colAbs {
			dst = append(dst, '$')
		}
		return appendColName(dst, col)
	case len(letters) == 0 && len(digits) > 0 && rangeEnd && !rowAbs:
		row, err := strconv.Atoi(digits)
		if err != nil {
			return append(dst, tok...)
		}
		if !colAbs { // "$3" puts the dollar before the digits
			row += dRow
		}
		if row < 1 || row > maxRow {
			return append(dst, "#REF!"...)
		}
		if colAbs {
			dst = append(dst, '$')
		}
		return strconv.AppendInt(dst, int64(row), 10)
	}
	return append(dst, tok...)
}

// quotedEnd returns the index just past the quoted run that opens at
// f[i], where a doubled quote stands for one; an unclosed run ends the
// formula.
func quotedEnd(f string, i int) int {
	q := f[i]
	j := i + 1
	for j < len(f) {
		if f[j] == q {
			if j+1 < len(f) && f[j+1] == q {
				j += 2
				continue
			}
			return j + 1
		}
		j++
	}
	return len(f)
}
