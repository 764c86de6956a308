package values

import (
	"errors"
	"testing"

	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
)

func TestNumber(t *testing.T) {
	tests := []struct {
		in        string
		want      float64
		ambiguous bool
		err       bool
	}{
		{"19", 19, false, false},
		{" 20 ", 20, false, false},
		{"1.234", 1234, false, false},
		{"1.234.567", 1234567, false, false},
		{"1,5", 1.5, false, false},
		{"1.234,5", 1234.5, false, false},
		{"1,234.5", 1234.5, false, false},
		{"1.5", 1.5, true, false},
		{"9 triệu", 9, false, false},
		{"10 CBCC", 10, false, false},
		{"-3", -3, false, false},
		{"0", 0, false, false},
		{"abc", 0, false, true},
		{"", 0, false, true},
		{"-", 0, false, true},
		{"Chưa", 0, false, true},
	}
	for _, tt := range tests {
		got, amb, err := Number(tt.in)
		if (err != nil) != tt.err || got != tt.want || amb != tt.ambiguous {
			t.Errorf("Number(%q) = %v, %v, %v; want %v, %v, err=%v", tt.in, got, amb, err, tt.want, tt.ambiguous, tt.err)
		}
		if tt.err && !errors.Is(err, ErrNotNumber) {
			t.Errorf("Number(%q) error %v does not wrap ErrNotNumber", tt.in, err)
		}
	}
}

func TestYesNo(t *testing.T) {
	yes := []string{"Có", "có", "CÓ", "x", "X", "Đã có", "Đã ban hành", "Rồi", "co", "Có thực hiện", "Co\u0301"}
	no := []string{"Không", "không", "Chưa", "Chưa có", "chua ban hanh", "Không thực hiện"}
	for _, s := range yes {
		if v, ok := YesNo(s); !ok || !v {
			t.Errorf("YesNo(%q) = %v, %v; want yes", s, v, ok)
		}
	}
	for _, s := range no {
		if v, ok := YesNo(s); !ok || v {
			t.Errorf("YesNo(%q) = %v, %v; want no", s, v, ok)
		}
	}
	if _, ok := YesNo("có lẽ"); ok {
		t.Errorf("YesNo(có lẽ) should not be an answer")
	}
}

func TestCoerce(t *testing.T) {
	choice := rubric.Input{Key: "a", Type: rubric.Choice, Options: []rubric.Option{
		{Key: "truong", Label: "Bí thư/Chủ tịch", Fraction: 1},
		{Key: "pho", Label: "Phó Bí thư/Phó Chủ tịch", Fraction: 0.5, Aliases: []string{"cấp phó"}},
	}}
	tests := []struct {
		in      rubric.Input
		raw     any
		want    float64
		set     bool
		wantErr bool
	}{
		{rubric.Input{Type: rubric.Count}, 19, 19, true, false},
		{rubric.Input{Type: rubric.Count}, "1.234", 1234, true, false},
		{rubric.Input{Type: rubric.Count}, nil, 0, false, false},
		{rubric.Input{Type: rubric.Count}, "  ", 0, false, false},
		{rubric.Input{Type: rubric.Count}, "nhiều", 0, false, true},
		{rubric.Input{Type: rubric.Pct}, 90, 0.9, true, false},
		{rubric.Input{Type: rubric.Pct}, "50%", 0.5, true, false},
		{rubric.Input{Type: rubric.YesNo}, true, 1, true, false},
		{rubric.Input{Type: rubric.YesNo}, "Chưa", 0, true, false},
		{rubric.Input{Type: rubric.YesNo}, 2, 0, false, true},
		{choice, "pho", 0.5, true, false},
		{choice, "Cấp phó", 0.5, true, false},
		{choice, "bi thu/chu tich", 1, true, false},
		{choice, "ai đó", 0, false, true},
		{rubric.Input{Type: rubric.Items}, []any{"x", "y"}, 2, true, false},
		{rubric.Input{Type: rubric.Items}, "a\nb\n\nc", 3, true, false},
	}
	for i, tt := range tests {
		v, err := Coerce(tt.in, tt.raw)
		if (err != nil) != tt.wantErr || v.Num != tt.want || v.Set != tt.set {
			t.Errorf("%d: Coerce(%s, %v) = %+v, %v", i, tt.in.Type, tt.raw, v, err)
		}
	}
}

func FuzzNumber(f *testing.F) {
	for _, s := range []string{"1.234", "1,5", "19/19", "50%", "9 triệu", " 20 ", "1.234,5", "-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _, _ = Number(s)
		_ = vntext.Fold(s)
		_, _ = YesNo(s)
	})
}
