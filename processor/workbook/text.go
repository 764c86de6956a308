package workbook

import (
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// Small text helpers of the writers.

func suffixIf(cond, s string) string {
	if cond == "" {
		return ""
	}
	return s
}

func fmtTime(t time.Time, loc *time.Location) string { return layout.Show(t, loc, layout.DateTime) }

func capitalize(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return s
	}
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// viNum formats points the Vietnamese way for text: 1.234,5 (at most two
// decimals, trailing zeros dropped).
func viNum(x float64) string { return vntext.Number(x, 2) }
