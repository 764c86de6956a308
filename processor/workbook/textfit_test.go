package workbook

import (
	"testing"

	_ "github.com/chiso-vn/chiso/internal/testkit"
)

func TestWrappedLines(t *testing.T) {
	tests := []struct {
		text  string
		width float64 // points
		want  int
	}{
		{"", 100, 1},
		{"Có", 100, 1},
		{"một hai ba", 1000, 1},
		{"a\nb\n\nc", 1000, 4},
		{"Tổng số cán bộ công chức", 60, 3},    // 12 pt: about 10 letters a line
		{"chuyendoiso.thanhhoa.gov.vn", 40, 4}, // one word wider than the cell
	}
	for _, tt := range tests {
		if got := wrappedLines(tt.text, tt.width, 12, false); got != tt.want {
			t.Errorf("wrappedLines(%q, %v) = %d, want %d", tt.text, tt.width, got, tt.want)
		}
	}
	// Bold and Vietnamese letters take more room.
	if textWidth("BÁO CÁO", 12, true) <= textWidth("BAO CAO", 12, false) || textWidth("ữ", 12, false) <= textWidth("u", 12, false) {
		t.Error("bold or precomposed letters not wider")
	}
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"Nhập a", 32, "Nhập a"},
		{"Nhập Tổng số cán bộ công chức (CBCC)", 32, "Nhập Tổng số cán bộ công chức…"},
		{"Nhập Tổngsốcánbộcôngchứccấpxãphường", 20, "Nhập Tổngsốcánbộcôn…"},
	}
	for _, tt := range tests {
		got := clip(tt.in, tt.n)
		if got != tt.want || len([]rune(got)) > tt.n {
			t.Errorf("clip(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}
