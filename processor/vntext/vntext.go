// Package vntext compares and names Vietnamese text the way people write it:
// folding (case, Unicode normalisation, diacritics, đ), file-name slugs, and
// Vietnamese alphabetical order.
package vntext

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
	"golang.org/x/text/unicode/norm"
)

// Fold lowers s, drops its diacritics (đ → d), and collapses spaces:
// "  Xã  Triệu Thành " → "xa trieu thanh". Two names equal once folded may
// still be different names (Hợp Thành, Hợp Thanh): use it to find
// candidates, not to decide identity alone.
func Fold(s string) string {
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
