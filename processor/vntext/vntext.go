// Package vntext compares and names Vietnamese text the way people write it:
// folding (case, Unicode normalisation, diacritics, đ), file-name slugs, and
// Vietnamese alphabetical order.
package vntext

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Fold lowers s, drops its diacritics (đ → d), and collapses spaces:
// "  Xã  Triệu Thành " → "xa trieu thanh". Two names equal once folded may
// still be different names (Hợp Thành, Hợp Thanh): use it to find
// candidates, not to decide identity alone.
func Fold(s string) string {
	if out, ok := foldFast(s); ok {
		return out
	}
	return foldSlow(s)
}

// foldTable holds the fold of each letter of the Latin blocks Vietnamese
// uses (Basic Latin to Latin Extended-B, the combining diacritics, Latin
// Extended Additional), computed once by foldSlow: folding a national
// roster's names letter by letter costs a table look-up instead of a
// normalisation each.
var foldTable struct {
	once sync.Once
	s    map[rune]string
}

func foldable(r rune) bool {
	return r < 0x250 || (r >= 0x300 && r < 0x370) || (r >= 0x1e00 && r < 0x1f00)
}

// foldFast is Fold for a string of those blocks only (ok false otherwise):
// each letter folds alone, since Fold drops every mark whatever its order.
func foldFast(s string) (string, bool) {
	foldTable.once.Do(func() {
		foldTable.s = map[rune]string{}
		for _, block := range [][2]rune{{0, 0x250}, {0x300, 0x370}, {0x1e00, 0x1f00}} {
			for r := block[0]; r < block[1]; r++ {
				if !unicode.IsSpace(r) {
					foldTable.s[r] = foldSlow(string(r))
				}
			}
		}
	})
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case !foldable(r):
			return "", false
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		f := foldTable.s[r]
		if f == "" {
			continue // a mark, or a control character dropped by trimming
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteString(f)
	}
	return b.String(), true
}

func foldSlow(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	d := norm.NFD.String(s)
	var b strings.Builder
	space := false
	for _, r := range d {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ':
			r = 'd'
		case unicode.IsSpace(r):
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimSpace(b.String())
}

// Tone marks (dấu thanh) as combining characters: huyền, sắc, ngã, hỏi,
// nặng. The vowel marks (circumflex, breve, horn) and đ make other letters
// and are kept.
var tones = map[rune]byte{'\u0300': '2', '\u0301': '1', '\u0303': '4', '\u0309': '3', '\u0323': '5'}

// NameKey is a name as identity: NFC, lower case, spaces collapsed, and each
// word's tone mark moved after the word, so the old and new tone placements
// compare equal ("Hoà" and "Hòa", "Thuỷ" and "Thủy") while names that
// differ in any mark stay apart ("Hợp Thành" ≠ "Hợp Thanh", "Đông" ≠
// "Dông"). Two names equal by NameKey are the same name written two ways;
// two names equal only by Fold may be two places.
func NameKey(s string) string {
	words := strings.Fields(strings.ToLower(s))
	for i, w := range words {
		var b strings.Builder
		var tone byte
		for _, r := range norm.NFD.String(w) {
			if t, ok := tones[r]; ok {
				tone = t
				continue
			}
			if r == 'ð' { // Icelandic eth, typed for đ on some keyboards
				r = 'đ'
			}
			b.WriteRune(r)
		}
		k := norm.NFC.String(b.String())
		if tone != 0 {
			k += "~" + string(tone)
		}
		words[i] = k
	}
	return strings.Join(words, " ")
}

// Slug makes a file-name-safe ASCII form of a name: "Xã Triệu Thành" →
// "xa-trieu-thanh".
func Slug(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range Fold(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.Trim(b.String(), "-")
}

// A collator is not safe for concurrent use: one per goroutine, pooled.
var collators = sync.Pool{New: func() any { return collate.New(language.Vietnamese) }}

// Compare orders a and b alphabetically in Vietnamese (a, ă, â, b, c, d, đ…;
// tones after the letter): negative when a sorts first.
func Compare(a, b string) int {
	c := collators.Get().(*collate.Collator)
	defer collators.Put(c)
	return c.CompareString(a, b)
}

// Number formats x the Vietnamese way for text a person reads: dots
// between thousands, a decimal comma, at most decimals decimals (trailing
// zeros dropped; half away from zero): Number(1234.5, 2) = "1.234,5". With
// decimals < 0 every significant decimal is kept (to 1e-9, so 0.9×100
// shows as 90), and very large or small numbers use an exponent.
func Number(x float64, decimals int) string {
	if decimals >= 0 {
		p := math.Pow(10, float64(decimals))
		r := math.Floor(math.Abs(x)*p+0.5+1e-9) / p
		if x < 0 {
			r = -r
		}
		x = r
	} else if math.Abs(x) < 1e9 {
		x = math.Round(x*1e9) / 1e9
	}
	if x == 0 {
		return "0" // no "-0"
	}
	if decimals < 0 && (math.Abs(x) >= 1e15 || math.Abs(x) < 1e-6) {
		return strings.ReplaceAll(strconv.FormatFloat(x, 'g', 6, 64), ".", ",")
	}
	s := strconv.FormatFloat(math.Abs(x), 'f', decimals, 64)
	ip, fp, _ := strings.Cut(s, ".")
	fp = strings.TrimRight(fp, "0")
	var b strings.Builder
	if x < 0 {
		b.WriteByte('-')
	}
	for i, d := range ip {
		if i > 0 && (len(ip)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	if fp != "" {
		b.WriteByte(',')
		b.WriteString(fp)
	}
	return b.String()
}

// Clean makes text safe to write anywhere a person or a program reads it:
// invalid UTF-8 becomes U+FFFD, control characters (C0 but tab and line
// feed, DEL, C1) and non-characters are dropped, a carriage return
// becomes a line feed (Windows line ends stay single), and NFC composes
// decomposed Vietnamese so it displays and compares as typed.
func Clean(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || dropped(r) || r == '\r' {
			clean = false
			break
		}
	}
	if clean {
		return norm.NFC.String(s)
	}
	s = strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\r\n", "\n")
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\r':
			b.WriteByte('\n')
		case dropped(r):
		default:
			b.WriteRune(r)
		}
	}
	return norm.NFC.String(b.String())
}

// dropped reports the runes Clean removes.
func dropped(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20, r >= 0x7F && r <= 0x9F:
		return true
	case r == 0xFFFE || r == 0xFFFF || (r >= 0xFDD0 && r <= 0xFDEF):
		return true
	}
	return false
}

// OneLine folds a text's line breaks and runs of spaces into single spaces.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
