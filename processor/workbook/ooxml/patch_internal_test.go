package ooxml

import (
	"strings"
	"testing"
)

func TestCellText(t *testing.T) {
	got := string(appendCellText(nil, "=1+1 <a> & \x01\x0b tab\t _x000D_ \xff"))
	want := "=1+1 &lt;a&gt; &amp;  tab\t _x005F_x000D_ \uFFFD"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	long := strings.Repeat("é", maxCellChars+10)
	if n := len([]rune(string(appendCellText(nil, long)))); n != maxCellChars {
		t.Fatalf("cut at %d characters", n)
	}
}

func TestApplyColWidth(t *testing.T) {
	els := []colEl{{min: 1, max: 1}, {min: 3, max: 8, attrs: []byte(` style="4"`)}}
	got := applyColWidth(els, colSet{min: 5, max: 10, width: 20})
	var s []string
	for _, c := range got {
		w := ""
		if c.setWidth {
			w = "w"
		}
		s = append(s, string(appendFloat(nil, float64(c.min)))+"-"+string(appendFloat(nil, float64(c.max)))+w+string(c.attrs))
	}
	want := `1-1|3-4 style="4"|5-8w style="4"|9-10w`
	if strings.Join(s, "|") != want {
		t.Fatalf("got %s, want %s", strings.Join(s, "|"), want)
	}
}
