package workbook

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// wrappedLinesRef is wrappedLines as first written, with strings.Split
// and strings.Fields: the allocation-free one must count the same lines.
func wrappedLinesRef(s string, width, size float64, bold bool) int {
	if width <= 0 {
		width = 1
	}
	space := textWidth(" ", size, bold)
	lines := 0
	for _, para := range strings.Split(s, "\n") {
		lines++
		x := 0.0
		for _, word := range strings.Fields(para) {
			w := textWidth(word, size, bold)
			if x > 0 && x+space+w > width {
				lines++
				x = 0
			}
			if x > 0 {
				x += space
			}
			for w > width {
				if x > 0 {
					lines++
					x = 0
				}
				lines++
				w -= width
			}
			x += w
		}
	}
	return lines
}

func TestWrappedLinesSame(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	pieces := []string{"Số", "liệu", "bất", "thường", " ", "  ", "\n", "\t", "chuyendoiso.thanhhoa.gov.vn", "a", "ĐƯỢC", "—", "x/y", "\n\n"}
	for range 2000 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
			if rng.IntN(3) > 0 {
				b.WriteByte(' ')
			}
		}
		s, w, bold := b.String(), 20+rng.Float64()*300, rng.IntN(2) == 0
		if got, want := wrappedLines(s, w, 11, bold), wrappedLinesRef(s, w, 11, bold); got != want {
			t.Fatalf("%q at %.1f pt: %d lines, want %d", s, w, got, want)
		}
	}
}

func BenchmarkWrappedLines(b *testing.B) {
	msg := "Tỷ lệ cán bộ, công chức cấp xã sử dụng thành thạo máy tính (3.2): a = 33 lớn hơn b = 23. Số được chia không thể lớn hơn tổng số: kiểm tra lại hai số liệu này, sửa rồi gửi lại tệp."
	b.ReportAllocs()
	for b.Loop() {
		wrappedLines(msg, 400, 11, false)
	}
}
