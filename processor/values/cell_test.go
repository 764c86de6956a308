package values

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
)

var (
	inCount  = rubric.Input{Key: "a", Type: rubric.Count}
	inNumber = rubric.Input{Key: "a", Type: rubric.Number}
	inMoney  = rubric.Input{Key: "a", Type: rubric.Money, Unit: "triệu đồng"}
	inPct    = rubric.Input{Key: "a", Type: rubric.Pct}
	inYesNo  = rubric.Input{Key: "a", Type: rubric.YesNo}
	inItems  = rubric.Input{Key: "a", Type: rubric.Items}
	inText   = rubric.Input{Key: "a", Type: rubric.Text}
	inChoice = rubric.Input{Key: "a", Type: rubric.Choice, Options: []rubric.Option{
		{Key: "truong", Label: "Bí thư/Chủ tịch", Short: "Cấp trưởng", Fraction: 1},
		{Key: "pho", Label: "Phó Bí thư/Phó Chủ tịch", Fraction: 0.5, Aliases: []string{"cấp phó"}},
		{Key: "khong", Label: "Không có", Fraction: 0},
	}}
)

func TestParseCell(t *testing.T) {
	tests := []struct {
		name   string
		in     rubric.Input
		raw    any    // float64 for a number cell, else the text
		text   string // "" means: the same as raw
		want   float64
		unset  bool
		choice string
		items  int
		notes  string           // note codes, comma-separated
		sev    problem.Severity // severity of the first note
		err    error            // kind wrapped by the error
		msg    string           // part of the error or first note message
	}{
		// Empty cells.
		{name: "nil", in: inCount, raw: nil, unset: true},
		{name: "empty", in: inCount, raw: "", unset: true},
		{name: "spaces and NBSP", in: inCount, raw: " \u00a0 ", unset: true},

		// Counts and numbers typed as text.
		{name: "number cell", in: inCount, raw: 19.0, text: "19", want: 19},
		{name: "plain", in: inCount, raw: "19", want: 19},
		{name: "spaces", in: inCount, raw: " 20 ", want: 20},
		{name: "NBSP", in: inCount, raw: "\u00a020\u00a0", want: 20},
		{name: "thousands dot", in: inCount, raw: "1.234", want: 1234},
		{name: "thousands dots", in: inCount, raw: "1.234.567", want: 1234567},
		{name: "thousands space", in: inCount, raw: "1 234 hộ", want: 1234},
		{name: "decimal comma", in: inNumber, raw: "1,5", want: 1.5},
		{name: "both separators", in: inNumber, raw: "1.234,5", want: 1234.5},
		{name: "English both", in: inNumber, raw: "1,234.5", want: 1234.5},
		{name: "ambiguous dot", in: inNumber, raw: "1.5", want: 1.5, notes: CodeAmbiguousDecimal, sev: problem.Warning, msg: "“1.5” được đọc là 1,5"},
		{name: "ambiguous dot two decimals", in: inNumber, raw: "12.75", want: 12.75, notes: CodeAmbiguousDecimal},
		{name: "ambiguous comma thousands", in: inCount, raw: "1,234", want: 1.234, notes: CodeAmbiguousDecimal, msg: "ghi 1234"},
		{name: "zero dot is decimal", in: inNumber, raw: "0.5", want: 0.5},
		{name: "dot zero", in: inCount, raw: "19.0", want: 19},
		{name: "trailing dot", in: inCount, raw: "19.", want: 19},
		{name: "unit triệu", in: inMoney, raw: "9 triệu", want: 9},
		{name: "unit tr", in: inMoney, raw: "9,5tr", want: 9.5},
		{name: "unit CBCC", in: inCount, raw: "10 CBCC", want: 10},
		{name: "unit per month", in: inNumber, raw: "5 lần/tháng", want: 5},
		{name: "unit máy", in: inCount, raw: "19 máy", want: 19},
		{name: "unit in parentheses", in: inCount, raw: "10 (5 nam, 5 nữ)", want: 10},
		{name: "negative", in: inCount, raw: "-3", want: -3},
		{name: "typographic minus", in: inCount, raw: "\u22123", want: -3},
		{name: "decomposed unit", in: inCount, raw: "10 ngu\u031bo\u031b\u0300i", want: 10},
		{name: "fraction", in: inCount, raw: "19/19", want: 19, notes: CodeFractionText, sev: problem.Warning, msg: "chỉ lấy số đầu tiên là 19"},
		{name: "fraction spaced", in: inCount, raw: "19 / 20", want: 19, notes: CodeFractionText},
		{name: "two numbers", in: inCount, raw: "10 + 5", want: 10, notes: CodeNumberWithText},
		{name: "range", in: inCount, raw: "10-20", want: 10, notes: CodeNumberWithText},
		{name: "percent in count", in: inCount, raw: "50%", err: ErrPercentForCount, msg: "“50%” là tỷ lệ phần trăm, nhưng ô này cần số lượng"},
		{name: "percent spaced in number", in: inNumber, raw: "50 %", err: ErrPercentForCount},
		{name: "percent in money", in: inMoney, raw: "5%", err: ErrPercentForCount, msg: "số tiền (triệu đồng)"},
		{name: "not a number", in: inCount, raw: "nhiều", err: ErrNotNumber, msg: "“nhiều” không phải là số: nhập một số, ví dụ 19"},
		{name: "dash", in: inCount, raw: "-", err: ErrNotNumber},
		{name: "about", in: inCount, raw: "khoảng 10", err: ErrNotNumber},
		{name: "bad groups", in: inCount, raw: "1.2.3", err: ErrNotNumber},
		{name: "word for none", in: inCount, raw: "Không có", want: 0, notes: CodeWordAsZero, sev: problem.Warning},
		{name: "word for none short", in: inCount, raw: "ko", want: 0, notes: CodeWordAsZero},

		// Money units.
		{name: "billion", in: inMoney, raw: "2 tỷ", want: 2000, notes: CodeMoneyUnit, sev: problem.Info, msg: "2.000 triệu đồng"},
		{name: "thousand", in: inMoney, raw: "500 nghìn", want: 0.5, notes: CodeMoneyUnit},
		{name: "đồng", in: inMoney, raw: "9.000.000 đồng", want: 9, notes: CodeMoneyUnit, sev: problem.Warning},
		{name: "đ", in: inMoney, raw: "9.000.000đ", want: 9, notes: CodeMoneyUnit},
		{name: "money number cell", in: inMoney, raw: 9000000.0, text: "9000000", want: 9000000},
		{name: "other money unit left", in: rubric.Input{Type: rubric.Money, Unit: "nghìn đồng"}, raw: "500 đồng", want: 500},

		// Percent inputs.
		{name: "pct text sign", in: inPct, raw: "50%", want: 0.5},
		{name: "pct text", in: inPct, raw: "50", want: 0.5},
		{name: "pct number", in: inPct, raw: 50.0, text: "50", want: 0.5},
		{name: "pct comma sign", in: inPct, raw: "0,5%", want: 0.005},
		{name: "pct zero", in: inPct, raw: 0.0, text: "0", want: 0},
		{name: "pct hundred", in: inPct, raw: 100.0, text: "100", want: 1},
		{name: "pct Excel format", in: inPct, raw: 0.9, text: "0.9", want: 0.9, notes: CodePercentFraction, sev: problem.Info, msg: "đã đọc là 90%"},
		{name: "pct Excel format shown", in: inPct, raw: 0.9, text: "90%", want: 0.9},
		{name: "pct Excel 100 shown", in: inPct, raw: 1.0, text: "100%", want: 1},
		{name: "pct one", in: inPct, raw: 1.0, text: "1", want: 0.01, notes: CodeAmbiguousPercent, sev: problem.Warning, msg: "ghi 100"},
		{name: "pct text fraction", in: inPct, raw: "0,9", want: 0.9, notes: CodePercentFraction},
		{name: "pct fraction text", in: inPct, raw: "19/19", want: 0.19, notes: CodeFractionText},
		{name: "pct not number", in: inPct, raw: "cao", err: ErrNotNumber, msg: "nhập một số, ví dụ 19"},

		// Yes/no.
		{name: "yes label", in: inYesNo, raw: "Có", want: 1},
		{name: "no label", in: inYesNo, raw: "Không", want: 0},
		{name: "yes decomposed", in: inYesNo, raw: "Co\u0301", want: 1},
		{name: "yes lower", in: inYesNo, raw: "có", want: 1, notes: CodeYesNoRead, sev: problem.Info, msg: "“có” được hiểu là “Có”"},
		{name: "yes x", in: inYesNo, raw: "x", want: 1, notes: CodeYesNoRead},
		{name: "yes X", in: inYesNo, raw: "X", want: 1, notes: CodeYesNoRead},
		{name: "yes tick", in: inYesNo, raw: "✓", want: 1, notes: CodeYesNoRead},
		{name: "yes Đã có", in: inYesNo, raw: "Đã có", want: 1, notes: CodeYesNoRead},
		{name: "yes Đã ban hành", in: inYesNo, raw: "Đã ban hành", want: 1, notes: CodeYesNoRead},
		{name: "yes Rồi", in: inYesNo, raw: "Rồi", want: 1, notes: CodeYesNoRead},
		{name: "yes Đã sentence", in: inYesNo, raw: "Đã ban hành Kế hoạch số 12/KH-UBND", want: 1, notes: CodeYesNoRead},
		{name: "yes Có with ref", in: inYesNo, raw: "Có (QĐ 45)", want: 1, notes: CodeYesNoRead},
		{name: "yes unaccented", in: inYesNo, raw: "da trien khai xong", want: 1, notes: CodeYesNoRead},
		{name: "no lower", in: inYesNo, raw: "không", want: 0, notes: CodeYesNoRead, msg: "“Không”"},
		{name: "no Chưa", in: inYesNo, raw: "Chưa", want: 0, notes: CodeYesNoRead},
		{name: "no Chưa có", in: inYesNo, raw: "Chưa có", want: 0, notes: CodeYesNoRead},
		{name: "no Chưa sentence", in: inYesNo, raw: "Chưa triển khai do thiếu kinh phí", want: 0, notes: CodeYesNoRead},
		{name: "no Không sentence", in: inYesNo, raw: "Không có văn bản", want: 0, notes: CodeYesNoRead},
		{name: "yes number", in: inYesNo, raw: 1.0, text: "1", want: 1, notes: CodeYesNoRead},
		{name: "no number", in: inYesNo, raw: 0.0, text: "0", want: 0, notes: CodeYesNoRead},
		{name: "yes/no bad number", in: inYesNo, raw: 2.0, text: "2", err: ErrNotYesNo},
		{name: "not Có: Cơ quan", in: inYesNo, raw: "Cơ quan chưa rõ", err: ErrNotYesNo},
		{name: "yes/no unknown", in: inYesNo, raw: "có lẽ", err: ErrNotYesNo, msg: "chọn “Có” hoặc “Không”"},
		{name: "yes/no text unknown", in: inYesNo, raw: "đang xây dựng", err: ErrNotYesNo, msg: "Đã ban hành"},

		// Choices.
		{name: "choice label", in: inChoice, raw: "Bí thư/Chủ tịch", want: 1, choice: "truong"},
		{name: "choice short, from the dropdown", in: inChoice, raw: "Cấp trưởng", want: 1, choice: "truong"},
		{name: "choice folded", in: inChoice, raw: "bi thu/chu tich", want: 1, choice: "truong", notes: CodeChoiceRead, sev: problem.Info},
		{name: "choice key", in: inChoice, raw: "pho", want: 0.5, choice: "pho", notes: CodeChoiceRead},
		{name: "choice alias", in: inChoice, raw: "Cấp phó", want: 0.5, choice: "pho", notes: CodeChoiceRead},
		{name: "choice none", in: inChoice, raw: "Không có", want: 0, choice: "khong"},
		{name: "choice unknown", in: inChoice, raw: "ai đó", err: ErrNotOption, msg: "“Bí thư/Chủ tịch”; “Phó Bí thư/Phó Chủ tịch”; “Không có”"},
		{name: "choice number", in: inChoice, raw: 3.0, text: "3", err: ErrNotOption},

		// Items and text.
		{name: "items lines", in: inItems, raw: "QĐ 1\r\nQĐ 2\n\n  QĐ 3  ", want: 3, items: 3},
		{name: "items one", in: inItems, raw: "Kế hoạch 12/KH-UBND", want: 1, items: 1},
		{name: "items number cell", in: inItems, raw: 4.0, text: "4", want: 4},
		{name: "items number text", in: inItems, raw: "4", want: 4, notes: CodeItemsCount, sev: problem.Info},
		{name: "text", in: inText, raw: "  ghi chú ", want: 0},
		{name: "text number", in: inText, raw: 12.0, text: "12", want: 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := tt.text
			if s, ok := tt.raw.(string); ok && text == "" {
				text = s
			}
			v, notes, err := ParseCell(tt.in, tt.raw, text)
			var codes []string
			for _, n := range notes {
				codes = append(codes, n.Code)
				if n.Severity != problem.Warning && n.Severity != problem.Info {
					t.Errorf("note %+v: severity", n)
				}
				if n.Message == "" {
					t.Errorf("note %+v: no message", n)
				}
			}
			if got := strings.Join(codes, ","); got != tt.notes {
				t.Errorf("notes %q, want %q (%v)", got, tt.notes, notes)
			}
			if tt.sev != "" && len(notes) > 0 && notes[0].Severity != tt.sev {
				t.Errorf("severity %q, want %q", notes[0].Severity, tt.sev)
			}
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error %v, want %v", err, tt.err)
				}
				if !strings.Contains(err.Error(), tt.msg) {
					t.Errorf("error %q does not say %q", err, tt.msg)
				}
				if v.Set {
					t.Errorf("value set on error: %+v", v)
				}
				return
			}
			if err != nil {
				t.Fatalf("error %v", err)
			}
			if tt.msg != "" && (len(notes) == 0 || !strings.Contains(notes[0].Message, tt.msg)) {
				t.Errorf("notes %v do not say %q", notes, tt.msg)
			}
			if v.Set == tt.unset {
				t.Errorf("Set = %v, want %v", v.Set, !tt.unset)
			}
			if math.Abs(v.Num-tt.want) > 1e-12 {
				t.Errorf("Num = %v, want %v", v.Num, tt.want)
			}
			if v.Choice != tt.choice {
				t.Errorf("Choice = %q, want %q", v.Choice, tt.choice)
			}
			if len(v.Items) != tt.items {
				t.Errorf("Items = %q, want %d", v.Items, tt.items)
			}
			if v.Text != text {
				t.Errorf("Text = %q, want %q", v.Text, text)
			}
		})
	}
}

// TestParseCellAgreesWithCoerce: what the template asks for reads the same
// as a values file, so scores through a workbook equal scores from YAML.
func TestParseCellAgreesWithCoerce(t *testing.T) {
	cases := []struct {
		in  rubric.Input
		raw any
	}{
		{inCount, 19.0}, {inCount, 0.0}, {inNumber, 2.5}, {inMoney, 120.5}, {inPct, 0.0}, {inPct, 37.0}, {inPct, 100.0},
		{inYesNo, "Có"}, {inYesNo, "Không"}, {inChoice, "Phó Bí thư/Phó Chủ tịch"}, {inItems, "Mục 1\nMục 2"},
		{inText, "ghi chú"},
	}
	for _, c := range cases {
		want, err := Coerce(c.in, c.raw)
		if err != nil {
			t.Fatal(err)
		}
		got, notes, err := ParseCell(c.in, c.raw, want.Text)
		if err != nil || len(notes) > 0 || got.Num != want.Num || got.Set != want.Set || got.Choice != want.Choice || len(got.Items) != len(want.Items) {
			t.Errorf("%s %v: ParseCell %+v %v %v, Coerce %+v", c.in.Type, c.raw, got, notes, err, want)
		}
	}
}

func TestFnum(t *testing.T) {
	for x, want := range map[float64]string{0: "0", 19: "19", 1234.5: "1.234,5", -1234567: "-1.234.567", 0.9 * 100: "90", 0.005: "0,005"} {
		if got := fnum(x); got != want {
			t.Errorf("fnum(%v) = %q, want %q", x, got, want)
		}
	}
}

func FuzzParseCell(f *testing.F) {
	for _, s := range []string{"19", "1.234", "1,5", "1.234,5", "1.5", "19/19", "50%", "9 triệu", "10 CBCC", " 20 ",
		"Có", "x", "Đã ban hành", "Chưa có", "2 tỷ", "9.000.000 đồng", "1 234", "-", "0,9", "a\nb", "\u00a0", "1e308", "9" + strings.Repeat("9", 400)} {
		f.Add(s, 0.0, false)
	}
	f.Add("", 0.9, true)
	f.Add("", 1.0, true)
	f.Add("", math.Inf(1), true)
	types := []rubric.Input{inCount, inNumber, inMoney, inPct, inYesNo, inChoice, inItems, inText}
	f.Fuzz(func(t *testing.T, s string, x float64, number bool) {
		var raw any = s
		if number {
			raw = x
		}
		for _, in := range types {
			v, notes, err := ParseCell(in, raw, s)
			if err != nil && v.Set {
				t.Errorf("%s %q: value set on error", in.Type, s)
			}
			if err != nil && err.Error() == "" {
				t.Errorf("%s %q: empty error", in.Type, s)
			}
			if err == nil && v.Set && (math.IsNaN(v.Num) || math.IsInf(v.Num, 0)) && !number {
				t.Errorf("%s %q: %v", in.Type, s, v.Num)
			}
			for _, n := range notes {
				if !utf8.ValidString(n.Message) && utf8.ValidString(s) {
					t.Errorf("%s %q: invalid UTF-8 note", in.Type, s)
				}
			}
		}
	})
}
