package importer

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold lowercases s and drops Vietnamese diacritics (đ → d), keeping every
// other character, so that phrasings can be matched whatever the tone marks,
// case and Unicode composition: "Điểm tối đa" → "diem toi da".
// The result has exactly one rune per rune of norm.NFC.String(s).
func fold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFC.String(s) {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

func foldRune(r rune) rune {
	switch r {
	case 'đ', 'Đ':
		return 'd'
	}
	d := norm.NFD.String(string(r))
	for _, x := range d {
		if !unicode.Is(unicode.Mn, x) {
			return unicode.ToLower(x)
		}
	}
	return unicode.ToLower(r)
}

// slug turns a label into an ascii snake_case key: "Cấp Trưởng" → "cap_truong".
func slug(s string, max int) string {
	var b strings.Builder
	under := false
	for _, r := range fold(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			under = false
			b.WriteRune(r)
		default:
			under = true
		}
		if b.Len() >= max {
			break
		}
	}
	out := b.String()
	if len(out) > max {
		out = strings.TrimRight(out[:max], "_")
	}
	return out
}
