package rubric_test

import (
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/templates"
)

func parse(t *testing.T, src string) *rubric.Rubric {
	t.Helper()
	r, err := rubric.Parse(strings.NewReader(src), "test.yaml")
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	return r
}

// incidents builds a rubric with the incident-handling indicator of
// thanhhoa-xa-2023 5.2 / xuanlac-xa-2023 5.7 and the given zero_den.
func incidents(id, code, zeroDen, method string) string {
	zd := ""
	if zeroDen != "" {
		zd = ", zero_den: " + zeroDen
	}
	return `id: ` + id + `
name: thử
level: xa
year: 2023
max: 20
pillars:
  - code: "5"
    name: An toàn thông tin mạng
    max: 20
    indicators:
      - code: "` + code + `"
        name: Tỷ lệ sự cố đã xử lý
        max: 20
        method: |-
` + "          " + strings.ReplaceAll(method, "\n", "\n          ") + `
        inputs: [{key: a, label: Số lượng sự cố đã xử lý, type: count}, {key: b, label: Tổng số các sự cố, type: count}]
        rule: {kind: ratio, num: a, den: b` + zd + `}
`
}

func TestCheckSetZeroDenominator(t *testing.T) {
	const m1 = "a = Số lượng sự cố đã xử lý. b = Tổng số các sự cố.\n- Tỷ lệ = a/b.\n- Điểm = Tỷ lệ*Điểm tối đa."
	const m2 = "a = Số lượng sự cố đã xử lý.\nb = Tổng số các sự cố.\n- Tỷ lệ = a/b.\n- Điểm = Tỷ lệ*Điểm tối đa."
	tests := []struct {
		name           string
		zd1, zd2, meth string
		want           bool
	}{
		{"full here, 0 there (the 2023 sets before the fix)", "full", "", m2, true},
		{"full here, explicit zero there", "full", "zero", m2, true},
		{"both full", "full", "full", m2, false},
		{"both default", "", "", m2, false},
		{"different wording is not compared", "full", "", "a = Số sự cố. b = Tổng số sự cố.\n- Tỷ lệ = a/b.", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := parse(t, incidents("tinh-a-2023", "5.2", tt.zd1, m1))
			b := parse(t, incidents("tinh-b-2023", "5.7", tt.zd2, tt.meth))
			got := rubric.CheckSet([]*rubric.Rubric{a, b})
			if (len(got) > 0) != tt.want {
				t.Fatalf("findings %v, want some: %v", got, tt.want)
			}
			if tt.want {
				f := got[0]
				if f.Code != "zero-den-differs" || f.Where != "tinh-b-2023 5.7" || f.Severity != rubric.SevWarning ||
					!strings.Contains(f.Message, "tinh-a-2023 5.2") {
					t.Errorf("finding %+v", f)
				}
			}
		})
	}
}

// TestShippedRubricsOneDecisionPerWording: no two shipped rubrics give the
// same method text different zero-denominator decisions (the no-incident
// case scores full points in both thanhhoa-xa-2023 5.2 and xuanlac-xa-2023 5.7).
func TestShippedRubricsOneDecisionPerWording(t *testing.T) {
	set := rubric.NewSet()
	if err := set.LoadFS(templates.FS, "templates"); err != nil {
		t.Fatal(err)
	}
	if got := rubric.CheckSet(set.All()); len(got) != 0 {
		t.Fatalf("shipped rubrics disagree: %v", got)
	}
	a, _ := set.Get("thanhhoa-xa-2023")
	b, _ := set.Get("xuanlac-xa-2023")
	_, ia := a.Indicator("5.2")
	_, ib := b.Indicator("5.7")
	if rubric.MethodKey(ia.Method) != rubric.MethodKey(ib.Method) {
		t.Fatalf("the two incident methods are no longer the same text:\n%s\n%s", ia.Method, ib.Method)
	}
	if ia.Rule.ZeroDen != rubric.ZeroDenFull || ib.Rule.ZeroDen != rubric.ZeroDenFull {
		t.Fatalf("no incident should score full points in both: %q, %q", ia.Rule.ZeroDen, ib.Rule.ZeroDen)
	}
}

func TestTodoIsAnError(t *testing.T) {
	r := parse(t, `id: t
name: thử
level: xa
year: 2023
max: 10
pillars:
  - code: "1"
    name: Một
    max: 10
    indicators:
      - code: "1.1"
        name: Tỷ lệ dân số trưởng thành có điện thoại thông minh
        max: 10
        method: Tính điểm theo phương pháp Min-Max.
        todo: phương pháp không nêu số liệu a, b của tỷ lệ
`)
	rep := rubric.Check(r)
	var todo, other int
	for _, f := range rep.Findings {
		switch {
		case f.Code == "todo" && f.Where == "1.1" && f.Severity == rubric.SevError && strings.Contains(f.Message, "số liệu a, b"):
			todo++
		case f.Severity == rubric.SevError:
			other++
		}
	}
	if todo != 1 || other != 0 {
		t.Fatalf("want exactly one todo error, got %v", rep.Findings)
	}
}

// TestZeroDenOf: a rule's own zero_den, else the rubric's default, else
// zero — the one reading the engine, the form, the checker and diff share.
func TestZeroDenOf(t *testing.T) {
	withDefault := &rubric.Rubric{Defaults: rubric.RuleDefault{ZeroDen: rubric.ZeroDenFull}}
	for _, tc := range []struct {
		r    *rubric.Rubric
		rule rubric.Rule
		want rubric.ZeroDen
	}{
		{&rubric.Rubric{}, rubric.Rule{Den: "b"}, rubric.ZeroDenZero},
		{withDefault, rubric.Rule{Den: "b"}, rubric.ZeroDenFull},
		{withDefault, rubric.Rule{Den: "b", ZeroDen: rubric.ZeroDenZero}, rubric.ZeroDenZero},
		{nil, rubric.Rule{Den: "b", ZeroDen: rubric.ZeroDenFull}, rubric.ZeroDenFull},
	} {
		if got := tc.r.ZeroDenOf(tc.rule); got != tc.want {
			t.Errorf("%+v, default %+v: %s, want %s", tc.rule, tc.r, got, tc.want)
		}
	}
}
