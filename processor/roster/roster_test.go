package roster

import (
	"testing"
)

var units = []Unit{
	{Code: "TS01", Name: "Xã Triệu Thành"},
	{Code: "TS02", Name: "Xã Hợp Lý"},
	{Code: "TS03", Name: "Phường Hoà Bình"},
	{Code: "TS10", Name: "Thị trấn Triệu Sơn"},
}

func TestFind(t *testing.T) {
	tests := []struct{ code, name, want string }{
		{"TS02", "", "TS02"},
		{"ts02", "", "TS02"},
		{"", "UBND xã Triệu Thành", "TS01"},
		{"", "trieu thanh", "TS01"},
		{"", "Xa\u0303 Triê\u0323u Tha\u0300nh", "TS01"}, // NFD, as from macOS
		{"", "TRIỆU THÀNH", "TS01"},
		{"", "Phường Hòa Bình", "TS03"}, // new tone placement
		{"", "Thị Trấn Triệu Sơn", "TS10"},
		{"X99", "Xã Hợp Lý", "TS02"}, // unknown code, known name
		{"", "Xã Đông Sơn", ""},
	}
	for _, tt := range tests {
		u, ok := Find(units, tt.code, tt.name)
		if (tt.want == "") == ok || u.Code != tt.want {
			t.Errorf("Find(%q, %q) = %v, %v; want %q", tt.code, tt.name, u.Code, ok, tt.want)
		}
	}
}

func TestClosest(t *testing.T) {
	got := Closest(units, "Xã Triệu Thanh Mới", 2)
	if len(got) == 0 || got[0] != "Xã Triệu Thành" {
		t.Errorf("Closest = %v", got)
	}
	if got := Closest(units, "Quận Ba Đình Hà Nội Xa Xôi", 2); len(got) != 0 {
		t.Errorf("nothing close should be suggested, got %v", got)
	}
}
