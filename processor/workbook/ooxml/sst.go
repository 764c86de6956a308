package ooxml

import (
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// sharedStrings is the shared-string table, compact: every string's text
// in one arena string and the end offset of each.
//
// Strategy (measured, see BenchmarkSharedStrings): the whole table is read
// once, the first time a sheet with a shared-string cell is read, under
// MaxSharedStrings and MaxStringBytes. Reading only the indices a sheet
// uses would need the table scanned again for every sheet read, for no
// memory gain on real workbooks, whose sheets use most of their table.
type sharedStrings struct {
	text string
	ends []uint32
}

func (t *sharedStrings) get(i int) (string, bool) {
	if t == nil || i < 0 || i >= len(t.ends) {
		return "", false
	}
	from := uint32(0)
	if i > 0 {
		from = t.ends[i-1]
	}
	return t.text[from:t.ends[i]], true
}

// sharedStrings loads the table once.
func (b *Book) sharedStrings() (*sharedStrings, error) {
	if b.sst != nil || b.sstErr != nil {
		return b.sst, b.sstErr
	}
	part := b.sstPart
	if part == "" || b.arc.file(part) == nil {
		part = "xl/sharedStrings.xml"
	}
	t := &sharedStrings{}
	var arena strings.Builder
	if f := b.arc.file(part); f != nil {
		arena.Grow(int(min(f.UncompressedSize64, uint64(b.lim.MaxStringBytes), 4<<20)))
	}
	var buf []byte
	err := b.walk(part, func(s *scanner) error {
		switch {
		case s.is(1, "sst"):
			// Reject early when the table says it is too large.
			if v, ok := s.attr("uniqueCount"); ok {
				if n, err := strconv.Atoi(string(v)); err == nil && n > b.lim.MaxSharedStrings {
					return &LimitError{Limit: LimitSharedStrings, Max: int64(b.lim.MaxSharedStrings), Part: s.part}
				}
			}
		case s.is(2, "si"):
			if len(t.ends) >= b.lim.MaxSharedStrings {
				return &LimitError{Limit: LimitSharedStrings, Max: int64(b.lim.MaxSharedStrings), Part: s.part}
			}
			var err error
			if buf, err = richText(s, buf[:0], b.lim.MaxValueBytes); err != nil {
				return err
			}
			if int64(arena.Len()+len(buf)) > b.lim.MaxStringBytes {
				return &LimitError{Limit: LimitStringBytes, Max: b.lim.MaxStringBytes, Part: s.part}
			}
			arena.Write(unescapeX(buf))
			t.ends = append(t.ends, uint32(arena.Len()))
		}
		return nil
	})
	if errors.Is(err, errPartMissing) {
		err = nil
	}
	if err != nil {
		b.sstErr = err
		return nil, err
	}
	t.text = arena.String()
	b.sst = t
	return t, nil
}

// richText appends the text of a string item (<si>, <is>, a comment's
// <text>) whose start tag is the current token: its <t>, and the <t> of
// its runs <r>, in order; phonetic runs (<rPh>) are not part of the text.
func richText(s *scanner, dst []byte, max int) ([]byte, error) {
	if s.selfClose {
		return dst, nil
	}
	d := s.depth
	for {
		k, err := s.next()
		if err != nil {
			return dst, err
		}
		switch {
		case k == tokEOF:
			return dst, s.fail(s.off, "unexpected end of the part")
		case k == tokEnd && s.depth == d:
			return dst, nil
		case k == tokStart && s.depth == d+1:
			switch string(s.local()) {
			case "t":
				if dst, err = s.text(dst, max); err != nil {
					return dst, err
				}
			case "r":
				// handled by its child below
			default:
				if err := s.skip(); err != nil {
					return dst, err
				}
			}
		case k == tokStart && s.depth == d+2 && string(s.local()) == "t":
			if dst, err = s.text(dst, max); err != nil {
				return dst, err
			}
		case k == tokStart && s.depth == d+2:
			if err := s.skip(); err != nil {
				return dst, err
			}
		}
	}
}

// unescapeX decodes the _xHHHH_ escapes OOXML strings use for characters
// XML cannot carry ("_x000D_" is a carriage return, "_x005F_" an
// underscore), in place, as Excel (and excelize) read them.
func unescapeX(b []byte) []byte {
	i := indexX(b, 0)
	if i < 0 {
		return b
	}
	out := b[:i]
	for i < len(b) {
		if j := indexX(b, i); j == i {
			r := rune(hexVal(b[i+2])<<12 | hexVal(b[i+3])<<8 | hexVal(b[i+4])<<4 | hexVal(b[i+5]))
			out = appendRuneBytes(out, r)
			i += 7
			continue
		} else if j < 0 {
			out = append(out, b[i:]...)
			break
		} else {
			out = append(out, b[i:j]...)
			i = j
		}
	}
	return out
}

// indexX returns the index of the next "_xHHHH_" at or after from, or -1.
func indexX(b []byte, from int) int {
	for i := from; i+7 <= len(b); i++ {
		if b[i] == '_' && b[i+1] == 'x' && b[i+6] == '_' && isHex(b[i+2]) && isHex(b[i+3]) && isHex(b[i+4]) && isHex(b[i+5]) {
			return i
		}
	}
	return -1
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c - 'a' + 10)
	}
	return int(c - 'A' + 10)
}

// appendRuneBytes appends r as UTF-8; a surrogate half, which cannot be
// encoded, is dropped (as excelize does).
func appendRuneBytes(b []byte, r rune) []byte {
	if r >= 0xD800 && r <= 0xDFFF {
		return b
	}
	return utf8.AppendRune(b, r)
}
