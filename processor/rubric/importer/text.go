package importer

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// MaxTextSize bounds a text table (a rubric table is a few hundred KB at most).
const MaxTextSize = 8 << 20

// Separators a text table may use between cells, in order of preference.
var Separators = []rune{'\t', '|', ';'}

// ParseText reads a rubric table written as plain text: one row per line,
// cells separated by a tab, "|" or ";" (detected: the one that splits most
// lines into three cells or more). A cell may hold several lines when it is
// quoted ("…", a doubled "" for a quote, as Excel copies cells) or with the
// two characters \n. Rows of a Markdown-style table ("| a | b |", with
// "|---|" lines) are read too. UTF-8 (with or without BOM), UTF-16 with BOM
// and Windows-1258 (Vietnamese ANSI) are accepted.
func ParseText(data []byte) (Table, error) {
	if len(data) > MaxTextSize {
		return Table{}, fmt.Errorf("tệp văn bản quá lớn (%d KB, tối đa %d KB)", len(data)>>10, MaxTextSize>>10)
	}
	text, err := decodeText(data)
	if err != nil {
		return Table{}, err
	}
	sep, ok := detectSeparator(text)
	if !ok {
		return Table{}, errors.New("không nhận ra dấu phân cách cột: mỗi dòng của bảng phải chia các ô bằng dấu tab, | hoặc ; (ít nhất ba ô: TT, chỉ số, điểm tối đa)")
	}
	t := Table{Lines: true}
	for _, rec := range splitRecords(text, sep) {
		cells := rec.cells
		if sep == '|' {
			if len(cells) > 0 && strings.TrimSpace(cells[0]) == "" && strings.HasPrefix(strings.TrimSpace(rec.raw), "|") {
				cells = cells[1:]
			}
			if len(cells) > 0 && strings.TrimSpace(cells[len(cells)-1]) == "" && strings.HasSuffix(strings.TrimSpace(rec.raw), "|") {
				cells = cells[:len(cells)-1]
			}
			if ruleLine(cells) {
				continue
			}
		}
		for i, c := range cells {
			cells[i] = clean(strings.ReplaceAll(c, `\n`, "\n"))
		}
		t.Rows = append(t.Rows, Row{N: rec.line, Cells: cells})
	}
	return t, nil
}

func decodeText(data []byte) (string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		dec := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		out, err := dec.Bytes(data)
		if err != nil {
			return "", fmt.Errorf("tệp UTF-16 bị hỏng: %w", err)
		}
		return string(out), nil
	case bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}):
		data = data[3:]
	}
	if utf8.Valid(data) {
		return string(data), nil
	}
	out, err := charmap.Windows1258.NewDecoder().Bytes(data)
	if err != nil {
		return "", errors.New("tệp văn bản không đọc được: không phải UTF-8, UTF-16 hay Windows-1258")
	}
	return string(out), nil
}

type record struct {
	line  int
	raw   string // the first physical line, for the "|" edge test
	cells []string
}

// splitRecords splits text into records of cells at sep and unquoted line
// breaks. A quote opens a quoted cell only at the start of a cell.
func splitRecords(text string, sep rune) []record {
	var out []record
	var cells []string
	var cur strings.Builder
	line, start := 1, 1
	startOff := 0
	inQuote, cellStart := false, true
	runes := []rune(text)
	flushRecord := func(end int) {
		cells = append(cells, cur.String())
		cur.Reset()
		raw := string(runes[startOff:end])
		if i := strings.IndexByte(raw, '\n'); i >= 0 {
			raw = raw[:i]
		}
		blank := true
		for _, c := range cells {
			if strings.TrimSpace(c) != "" {
				blank = false
				break
			}
		}
		if !blank {
			out = append(out, record{line: start, raw: raw, cells: cells})
		}
		cells = nil
	}
	for i := 0; i < len(runes); i++ {
		r := runes[i]
		switch {
		case inQuote:
			if r == '"' {
				if i+1 < len(runes) && runes[i+1] == '"' {
					cur.WriteRune('"')
					i++
				} else {
					inQuote = false
				}
				continue
			}
			if r == '\n' {
				line++
			}
			cur.WriteRune(r)
		case r == '"' && cellStart && strings.TrimSpace(cur.String()) == "":
			cur.Reset()
			inQuote, cellStart = true, false
		case r == sep:
			cells = append(cells, cur.String())
			cur.Reset()
			cellStart = true
		case r == '\n':
			flushRecord(i)
			line++
			start, startOff, cellStart = line, i+1, true
		case r == '\r':
		default:
			if r != ' ' {
				cellStart = false
			}
			cur.WriteRune(r)
		}
	}
	flushRecord(len(runes))
	return out
}

// detectSeparator picks the separator that splits the most lines into
// three cells or more (quoted cells count as one).
func detectSeparator(text string) (rune, bool) {
	best, bestN := rune(0), 0
	for _, sep := range Separators {
		n := 0
		for i, rec := range splitRecords(text, sep) {
			if i >= 400 {
				break
			}
			if len(rec.cells) >= 3 {
				n++
			}
		}
		if n > bestN {
			best, bestN = sep, n
		}
	}
	return best, bestN >= 2
}

// ruleLine is a Markdown separator row: every cell only dashes, colons, spaces.
func ruleLine(cells []string) bool {
	if len(cells) == 0 {
		return false
	}
	for _, c := range cells {
		c = strings.TrimSpace(c)
		if c == "" || strings.Trim(c, "-:= ") != "" {
			return false
		}
	}
	return true
}
