package vntext

import "testing"

func TestFold(t *testing.T) {
	pairs := [][2]string{
		{"Hoà", "Hòa"}, {"Triệu Thành", "trieu thanh"}, {"ĐÔNG  Sơn", "dong son"},
		{"Thu\u0308y", "Thuy"}, {"Xa\u0303 Triê\u0323u Tha\u0300nh", "xã triệu thành"},
	}
	for _, p := range pairs {
		if Fold(p[0]) != Fold(p[1]) {
			t.Errorf("Fold(%q)=%q != Fold(%q)=%q", p[0], Fold(p[0]), p[1], Fold(p[1]))
		}
	}
}

func TestSlug(t *testing.T) {
	if got := Slug("Xã Triệu Thành"); got != "xa-trieu-thanh" {
		t.Errorf("Slug = %q", got)
	}
	if got := Slug("../../Đồng Tiến / x"); got != "dong-tien-x" {
		t.Errorf("Slug = %q", got)
	}
}

func TestCompare(t *testing.T) {
	// Vietnamese order: a < ă < â, d < đ, tones after the base letter.
	ordered := []string{"An", "Ăn", "Ân", "Dân", "Đan", "Hợp Thanh", "Hợp Thành", "Hợp Tiến"}
	for i := 1; i < len(ordered); i++ {
		if Compare(ordered[i-1], ordered[i]) >= 0 {
			t.Errorf("Compare(%q, %q) >= 0, want %q first", ordered[i-1], ordered[i], ordered[i-1])
		}
	}
}

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		x    float64
		d    int
		want string
	}{
		{1234.5, 2, "1.234,5"}, {645.444, 2, "645,44"}, {9000000, 2, "9.000.000"}, {0.005, 2, "0,01"},
		{-0.001, 2, "0"}, {-1234.567, 2, "-1.234,57"}, {100, 2, "100"}, {0.9 * 100, -1, "90"},
		{2000, -1, "2.000"}, {1.5, -1, "1,5"}, {1e16, -1, "1e+16"}, {12.3456, 0, "12"},
	} {
		if got := Number(c.x, c.d); got != c.want {
			t.Errorf("Number(%v, %d) = %q, want %q", c.x, c.d, got, c.want)
		}
	}
}

func TestNameKey(t *testing.T) {
	same := [][2]string{
		{"Hoà Bình", "Hòa Bình"}, {"Thuỷ", "Thủy"}, {"Xa\u0303 Triê\u0323u Tha\u0300nh", "xã  triệu thành"},
		{"HỢP THÀNH", "Hợp Thành"}, {"Ðông", "Đông"}, {"Quý", "Qúy"},
	}
	for _, p := range same {
		if NameKey(p[0]) != NameKey(p[1]) {
			t.Errorf("NameKey(%q)=%q != NameKey(%q)=%q", p[0], NameKey(p[0]), p[1], NameKey(p[1]))
		}
	}
	differ := [][2]string{{"Hợp Thành", "Hợp Thanh"}, {"Tân Thành", "Tân Thạnh"}, {"Đông", "Dông"}, {"Hợp", "Hơp"}}
	for _, p := range differ {
		if NameKey(p[0]) == NameKey(p[1]) {
			t.Errorf("NameKey(%q) == NameKey(%q) = %q", p[0], p[1], NameKey(p[0]))
		}
	}
}

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Xã Triệu Thành", "Xã Triệu Thành"},
		{"Xa\u0303 Triê\u0323u", "Xã Triệu"}, // decomposed → NFC
		{"a\x00b\x1bc\x7fd\u0085e", "abcde"},
		{"dòng 1\r\ndòng 2\rdòng 3\tcột", "dòng 1\ndòng 2\ndòng 3\tcột"},
		{"bad \xff utf8", "bad \uFFFD utf8"},
		{"\uFFFEx\uFDD0", "x"},
	} {
		if got := Clean(c.in); got != c.want {
			t.Errorf("Clean(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestFoldFast: folding letter by letter gives what folding the whole
// string gives, for every letter of the blocks the table holds and for
// names written every way.
func TestFoldFast(t *testing.T) {
	for r := rune(0); r < 0x2000; r++ {
		if !foldable(r) {
			continue
		}
		for _, s := range []string{string(r), "a" + string(r) + "b", " " + string(r) + "  x ", "Hoa" + string(r)} {
			got, ok := foldFast(s)
			if want := foldSlow(s); !ok || got != want {
				t.Fatalf("%U in %q: %q, want %q", r, s, got, want)
			}
		}
	}
	for _, s := range []string{"  Xã  Triệu Thành ", "UBND xã Hợp Thành", "Hoà", "Hòa", "Thuỷ", "ĐÔNG", "Xa\u0303 Trie\u0302\u0323u", "\tPhường\u00a0Hàm Rồng\n", ""} {
		got, ok := foldFast(s)
		if want := foldSlow(s); !ok || got != want {
			t.Errorf("%q: %q, want %q", s, got, want)
		}
	}
	if _, ok := foldFast("Hà Nội 北京"); ok {
		t.Error("CJK folded by the table")
	}
}
