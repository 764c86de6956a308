package workbook

import (
	"strconv"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
)

// Small text helpers of the writers.

func sumWidths(from, to string) float64 {
	var s float64
	for c := from[0]; c <= to[0]; c++ {
		s += resultWidths[string(c)]
	}
	return s
}

func suffixIf(cond, s string) string {
	if cond == "" {
		return ""
	}
	return s
}

func fmtTime(t time.Time) string { return layout.Show(t, layout.DateTime) }

func capitalize(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// viNum formats points the Vietnamese way for text: 1.234,5 (at most two
// decimals, trailing zeros dropped).
func viNum(x float64) string {
	s := strconv.FormatFloat(engine.Round2(x), 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, d := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(d)
	}
	out := b.String()
	if frac != "" {
		out += "," + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}
