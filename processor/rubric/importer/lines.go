package importer

import (
	"regexp"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// mline is one statement of a method text.
type mline struct {
	text   string // as written (NFC, spaces folded), bullet and Excel's "'" removed
	f      string // fold(text), one rune per rune of text
	bullet rune   // '-' or '+' ('•', '*' count as '-'), 0 for none
}

// A method typed on one line (as text tables and some PDFs have it) is split
// where its lines were: before a bullet that follows a sentence ("… điểm. -
// Chưa có: 0 điểm", "Điểm= + Tỷ lệ …", Excel's "' - "), before " - " and an
// upper-case letter, after points and " / " or ";", and before a sentence that starts a statement ("Tỷ lệ
// …", "Điểm = …", "Mức 2 …", "Giải thích: …").
var (
	inlineBullet = regexp.MustCompile(`([.;:=])\s+'?\s*([-+•])\s+`)
	dashBullet   = regexp.MustCompile(`\s+-\s+(\p{Lu})`)
	sentence     = regexp.MustCompile(`([.;])\s+(Tỷ lệ|Tỉ lệ|Điểm\s*[=:]|Mức\s|Giải thích|Thang điểm)`)
	afterPoints  = regexp.MustCompile(`([Đđ]iểm|tối đa)\.\s+(\p{Lu})`)
	// Outcomes listed in one line: "Đã có: Điểm tối đa / Chưa có: 0 điểm",
	// "Đã có: điểm tối đa; chưa có: 0" ("1/2*Điểm" has no spaces round "/").
	pointsSep   = regexp.MustCompile(`([Đđ]iểm|tối đa)\s*(?:;|\s/)\s+(\S)`)
	ratioBranch = regexp.MustCompile(`\s+(T[ỷỉ] lệ\s*[≥≤<>=])`)
)

var methodSigns = strings.NewReplacer("\u00a0", " ", "½", "1/2", "¼", "1/4", "¾", "3/4", ">=", "≥", "=>", "≥", "<=", "≤", "=<", "≤", "–", "-", "−", "-", "×", "*")

// methodLines splits a method text into statements. The explanation that
// some methods end with ("Giải thích: …") is returned apart: it does not
// score.
func methodLines(method string) (lines []mline, explanation string) {
	s := norm.NFC.String(method)
	s = methodSigns.Replace(s)
	var raw []string
	for _, l := range strings.Split(s, "\n") {
		l = inlineBullet.ReplaceAllString(l, "$1\n$2 ")
		l = dashBullet.ReplaceAllString(l, "\n- $1")
		l = sentence.ReplaceAllString(l, "$1\n$2")
		l = afterPoints.ReplaceAllString(l, "$1.\n$2")
		l = pointsSep.ReplaceAllString(l, "$1.\n$2")
		l = ratioBranch.ReplaceAllString(l, "\n$1")
		raw = append(raw, strings.Split(l, "\n")...)
	}
	for i, l := range raw {
		l = strings.TrimSpace(l)
		l = strings.TrimSpace(strings.TrimLeft(l, "'`"))
		if l == "" {
			continue
		}
		if strings.HasPrefix(fold(l), "giai thich") {
			return lines, strings.Join(raw[i:], "\n")
		}
		var b rune
		switch l[0] {
		case '-', '*':
			b = '-'
		case '+':
			b = '+'
		}
		if strings.HasPrefix(l, "•") {
			b = '-'
			l = strings.TrimPrefix(l, "•")
		} else if b != 0 {
			l = l[1:]
		}
		l = strings.Join(strings.Fields(l), " ")
		if l == "" {
			continue
		}
		lines = append(lines, mline{text: l, f: fold(l), bullet: b})
	}
	return lines, ""
}

// sub returns the part of l.text that corresponds to l.f[i:j] (rune offsets).
func (l mline) sub(i, j int) string {
	r := []rune(l.text)
	if j > len(r) {
		j = len(r)
	}
	if i > j {
		i = j
	}
	return string(r[i:j])
}

// byteToRune converts a byte offset in l.f to a rune offset.
func runeOff(s string, byteOff int) int {
	return len([]rune(s[:byteOff]))
}

// trimEnd drops trailing punctuation and spaces.
func trimEnd(s string) string {
	return strings.TrimRight(strings.TrimSpace(s), " .;,:")
}
