package testkit

import (
	"slices"
	"testing"
)

func TestPrintWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Tổng số CBCC", []string{"Tổng", "số", "CBCC"}},
		{"6.6–6.8 (decision)", []string{"6.", "6–", "6.", "8", "(decision)"}},
		{"…@thanhhoa.gov.vn", []string{".", ".", ".", "@", "thanhhoa.", "gov.", "vn"}}, // NFKC: … is ...
		{"ĐC-NN-XD&MT", []string{"ĐC-", "NN-", "XD&", "MT"}},
	}
	for _, tt := range tests {
		if got := printWords(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("printWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMissingText(t *testing.T) {
	// A line broken after a hyphen, and a header printed on two pages.
	pdf := "Công chức ĐC-NN-\nXD&MT xã\nTT Chỉ số\nTT Chỉ số\n"
	if m := MissingText(pdf, []string{"Công chức ĐC-NN-XD&MT xã", "TT", "Chỉ số"}); len(m) != 0 {
		t.Errorf("missing %v", m)
	}
	// A line cut at the right margin loses its last words.
	if m := MissingText("Hướng dẫn điền biểu", []string{"Hướng dẫn điền biểu mẫu"}); len(m) != 1 {
		t.Errorf("cut text not found missing: %v", m)
	}
}

// TestContentRuns: sizes after scaling, cell clips, and a footer's clip
// (in the bottom margin) not counted as a cell's.
func TestContentRuns(t *testing.T) {
	page := pdfPage{w: 595, h: 842}
	stream := []byte(`q 0 0 595 842 re W* n
BT 50 800 Td /F1 12 Tf <01>Tj ET
q 0.5 0 0 0.5 0 0 cm BT 100 1500 Td /F1 14 Tf [<02> -2 <03>]TJ ET Q
q 50 700 200 20 re W* n BT 51 710 Td /F2 11 Tf (clipped \) text)Tj ET Q
q 36 10 523 12 re W* n BT 280 14 Td /F1 11 Tf (Trang 1)Tj ET Q
Q`)
	runs := contentRuns(stream, page)
	if len(runs) != 4 {
		t.Fatalf("%d runs: %+v", len(runs), runs)
	}
	want := []struct {
		size    float64
		clipped bool
	}{{12, false}, {7, false}, {11, true}, {11, false}}
	for i, w := range want {
		if r := runs[i]; r.Size != w.size || r.Clipped != w.clipped {
			t.Errorf("run %d: size %v clipped %v, want %v %v", i, r.Size, r.Clipped, w.size, w.clipped)
		}
	}
	if r := runs[2]; r.X != 51 || r.Y != 842-710 {
		t.Errorf("clipped run at %v,%v", r.X, r.Y)
	}
}
