package rubric

import (
	"strings"
	"testing"
)

// doc builds a one-pillar rubric around the given indicators YAML.
func doc(pillarMax, indicators string, extra ...string) string {
	return `id: t
name: thử
level: xa
province: X
year: 2023
seed: test
max: ` + pillarMax + `
general:
  - {key: so_cbcc, label: Tổng số CBCC, type: count}
pillars:
  - code: "1"
    name: Một
    max: ` + pillarMax + `
    indicators:
` + indent(indicators, "      ") + strings.Join(extra, "\n")
}

func indent(s, pre string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pre + l
	}
	return strings.Join(lines, "\n") + "\n"
}

const yesNo10 = `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: a, type: yes_no}]
  rule: {kind: yes_no, input: a}
`

func mustParse(t *testing.T, src string) *Rubric {
	t.Helper()
	r, err := Parse(strings.NewReader(src), "test.yaml")
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, src)
	}
	return r
}

// TestCheckFindsSeedProblems feeds the checker faithful transcriptions of the
// kinds of problem the seeds contain and asserts each is found where it is.
func TestCheckFindsSeedProblems(t *testing.T) {
	tests := []struct {
		name, src, code, where string
	}{
		{"pillar max is not the sum", doc("100", yesNo10), "pillar-max-sum", "1"},
		{"missing maximum", doc("10", yesNo10+`- code: "1.2"
  name: Tổng chi ngân sách
  inputs: [{key: a, label: a, type: money}]
  rule: {kind: cohort, value: a, method: best}
`), "missing-max", "1.2"},
		{"duplicate code", doc("20", yesNo10+yesNo10), "duplicate-code", "1.1"},
		{"repeated variable", doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: count}, {key: a, label: y, type: count}]
  rule: {kind: ratio, num: a, den: so_cbcc}
`), "duplicate-input", "1.1"},
		{"input used but not defined", doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: count}]
  rule: {kind: ratio, num: a, den: b}
`), "undefined-variable", "1.1"},
		{"percent written as a whole number", doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: count}, {key: b, label: y, type: count}]
  rule: {kind: threshold, num: a, den: b, at_least: 25}
`), "threshold-range", "1.1"},
		{"target above 100 %", doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: percent}]
  rule: {kind: target, value: a, target: 95}
`), "threshold-range", "1.1"},
		{"steps out of order", doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: count}]
  rule: {kind: steps, value: a, steps: [{min: 10, fraction: 0.5}, {min: 20, fraction: 1}]}
`), "threshold-order", "1.1"},
		{"never full", doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: count}]
  rule: {kind: steps, value: a, steps: [{min: 20, fraction: 0.5}, {fraction: 0}]}
`), "never-full", "1.1"},
		{"parts that cannot reach the maximum", doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: yes_no}]
  rule: {kind: sum, parts: [{share: 0.5, rule: {kind: yes_no, input: a}}]}
`), "never-full", "1.1"},
		{"parent max", doc("10", `- code: "1.1"
  name: p
  max: 10
  rule: {kind: children}
  children:
    - {code: "1.1.1", name: c, max: 4, inputs: [{key: a, label: a, type: yes_no}], rule: {kind: yes_no, input: a}}
    - {code: "1.1.2", name: d, max: 4, inputs: [{key: a, label: a, type: yes_no}], rule: {kind: yes_no, input: a}}
`), "parent-max-sum", "1.1"},
		{"same_as names no general field", doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: count}, {key: b, label: y, type: count, same_as: so_ho}]
  rule: {kind: ratio, num: a, den: b}
`), "same-as-unknown", "1.1"},
		{"option worth more than the maximum", doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: choice, options: [{key: x, label: X, fraction: 2}]}]
  rule: {kind: choice, input: a}
`), "option-range", "1.1"},
		{"two options with one answer", doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: choice, options: [{key: x, label: Có ban hành, short: Có, fraction: 1}, {key: y, label: có, fraction: 0}]}]
  rule: {kind: choice, input: a}
`), "bad-rule", "1.1"},
		{"bad expression", doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: count}]
  rule: {kind: ratio, num: "a +", den: so_cbcc}
`), "bad-expression", "1.1"},
		{"unknown kind", doc("10", `- code: "1.1"
  name: a
  max: 10
  rule: {kind: magic}
`), "bad-rule", "1.1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Check(mustParse(t, tt.src))
			found := false
			for _, f := range rep.Findings {
				if f.Code == tt.code && f.Where == tt.where && f.Severity == SevError {
					found = true
				}
			}
			if !found {
				t.Errorf("want error %s at %s; got:\n%v", tt.code, tt.where, rep.Findings)
			}
			if rep.Err() == nil {
				t.Errorf("Err() is nil with an error finding")
			}
		})
	}
}

// TestLongOption: a dropdown answer longer than the form's value column
// shows is a warning until it has a short answer.
func TestLongOption(t *testing.T) {
	const long = "Trưởng ban là Bí thư/Chủ tịch xã"
	for _, short := range []string{"", "Cấp trưởng"} {
		src := doc("10", `- code: "1.1"
  name: a
  max: 10
  inputs: [{key: a, label: x, type: choice, options: [{key: x, label: "`+long+`", short: "`+short+`", fraction: 1}, {key: y, label: Không, fraction: 0}]}]
  rule: {kind: choice, input: a}
`)
		rep := Check(mustParse(t, src))
		if got, want := rep.Has("long-option", "1.1"), short == ""; got != want {
			t.Errorf("short %q: long-option %v, want %v: %v", short, got, want, rep.Findings)
		}
	}
}

func TestCleanRubricHasNoFindings(t *testing.T) {
	rep := Check(mustParse(t, doc("10", yesNo10)))
	if len(rep.Findings) != 0 {
		t.Fatalf("clean rubric: %v", rep.Findings)
	}
}

func TestDecisionAcknowledgesFinding(t *testing.T) {
	src := doc("100", yesNo10, `decisions:
  - id: D1
    where: "1"
    seed_ref: test
    problem: the pillar says 100, its indicators add to 10
    decision: keep 100
    why: the seed says so
    acknowledges: pillar-max-sum
  - id: D2
    where: "1.1"
    seed_ref: test
    problem: none any more
    decision: x
    why: y
    acknowledges: missing-max`)
	rep := Check(mustParse(t, src))
	var decided, stale bool
	for _, f := range rep.Findings {
		if f.Code == "pillar-max-sum" && f.Severity == SevDecided && f.Decision == "D1" {
			decided = true
		}
		if f.Code == "stale-decision" && f.Where == "1.1" {
			stale = true
		}
	}
	if !decided || !stale {
		t.Fatalf("decided=%v stale=%v: %v", decided, stale, rep.Findings)
	}
	if rep.Err() != nil {
		t.Fatalf("acknowledged finding still an error: %v", rep.Err())
	}
}

func TestParseRejectsUnknownFields(t *testing.T) {
	_, err := Parse(strings.NewReader(doc("10", yesNo10)+"\nmaxx: 3\n"), "typo.yaml")
	if err == nil || !strings.Contains(err.Error(), "typo.yaml") || !strings.Contains(err.Error(), "maxx") {
		t.Fatalf("want an error naming the file and field, got %v", err)
	}
}
