package ooxml

import "testing"

func TestUnescapeX(t *testing.T) {
	for in, want := range map[string]string{
		"a_x000D_b":      "a\rb",
		"_x005F_x000D_":  "_x000D_",
		"_x0041__x0042_": "AB",
		"_x00":           "_x00",
		"_xD800_":        "",
		"no escapes":     "no escapes",
		"_x004g_":        "_x004g_",
	} {
		if got := string(unescapeX([]byte(in))); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestShiftFormula(t *testing.T) {
	for _, tc := range []struct {
		f          string
		dCol, dRow int
		want       string
	}{
		{"A1+B$2+$C3+$D$4", 1, 2, "B3+C$2+$C5+$D$4"},
		{"SUM(A1:A10)*LOG10(B2)", 0, 1, "SUM(A2:A11)*LOG10(B3)"},
		{`IF(E9="A1",'Chỉ số'!E9,0.5)`, 0, 3, `IF(E12="A1",'Chỉ số'!E12,0.5)`},
		{"SUM(A:A,1:1)", 1, 1, "SUM(B:B,2:2)"},
		{"A1", 0, -1, "#REF!"},
		{"TRUE+my_name+1E+5", 2, 2, "TRUE+my_name+1E+5"},
	} {
		if got := string(shiftFormula(nil, tc.f, tc.dCol, tc.dRow)); got != tc.want {
			t.Errorf("%s (%d,%d): got %s, want %s", tc.f, tc.dCol, tc.dRow, got, tc.want)
		}
	}
}
