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

// TestTonesMatter: two communes whose names differ only in tone marks are
// two units. Each is found by its code or its own name (in any Unicode form,
// case, tone placement or prefix); the name without diacritics finds
// neither, since it fits both.
func TestTonesMatter(t *testing.T) {
	units := []Unit{{Code: "H1", Name: "Xã Hợp Thành"}, {Code: "H2", Name: "Xã Hợp Thanh"}, {Code: "T1", Name: "Xã Tân Thạnh"}, {Code: "HB", Name: "Phường Hoà Bình"}}
	ix := NewIndex(units)
	for _, tt := range []struct{ code, name, want string }{
		{"H2", "", "H2"},
		{"", "Xã Hợp Thanh", "H2"},
		{"", "Xã Hợp Thành", "H1"},
		{"", "UBND xã HỢP THANH", "H2"},
		{"", "Xa\u0303 Ho\u031B\u0323p Thanh", "H2"}, // NFD
		{"", "Hop Thanh", ""},                        // fits both
		{"", "Xã Hợp Thạnh", ""},                     // neither, and ambiguous without diacritics
		{"", "Tan Thanh", "T1"},                      // one unit has this form: found
		{"", "Phường Hòa Bình", "HB"},                // new tone placement
		{"H2", "Xã Hợp Thành", "H2"},                 // the code first
	} {
		for _, find := range []func(string, string) (Unit, bool){ix.Find, func(c, n string) (Unit, bool) { return Find(units, c, n) }} {
			u, ok := find(tt.code, tt.name)
			if (tt.want == "") == ok || u.Code != tt.want {
				t.Errorf("Find(%q, %q) = %q, %v; want %q", tt.code, tt.name, u.Code, ok, tt.want)
			}
		}
	}
	groups := Lookalikes(units)
	if len(groups) != 1 || len(groups[0]) != 2 || groups[0][0].Code != "H1" || groups[0][1].Code != "H2" {
		t.Errorf("Lookalikes = %v, want H1 and H2", groups)
	}
}
