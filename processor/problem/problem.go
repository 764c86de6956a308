// Package problem is what chiso finds wrong with a submission: a severity,
// a stable code, where (indicator, input, cell) and a Vietnamese message that
// says what to do. Every stage (reading a cell, validating figures, reading
// an appraisal) reports in this one shape.
package problem

import (
	"fmt"
	"sort"
	"strings"
)

// Severity of a problem.
type Severity string

// Severities, in the order they are listed.
const (
	Error   Severity = "error"   // the figure is unusable
	Warning Severity = "warning" // suspicious: check it
	Info    Severity = "info"    // for information
)

// Label is the Vietnamese word shown to communes.
func (s Severity) Label() string {
	switch s {
	case Error:
		return "Lỗi"
	case Warning:
		return "Cảnh báo"
	}
	return "Thông tin"
}

func (s Severity) rank() int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// Problem is one finding about a submission.
type Problem struct {
	Severity  Severity `json:"severity"`
	Code      string   `json:"code"`                // stable machine code, e.g. "not-number"
	Indicator string   `json:"indicator,omitempty"` // indicator code, "" for the whole file or general information
	Input     string   `json:"input,omitempty"`     // input key, general field key, or "tu_cham"
	Cell      string   `json:"cell,omitempty"`      // "Chỉ số!E12"
	Message   string   `json:"message"`             // Vietnamese, says what is wrong and what to do
}

func (p Problem) String() string {
	where := strings.TrimSpace(strings.Join([]string{p.Indicator, p.Cell}, " "))
	if where != "" {
		where = " [" + where + "]"
	}
	return fmt.Sprintf("%s%s: %s", p.Severity.Label(), where, p.Message)
}

// Sort orders problems by severity, then indicator code order as given by
// order (rubric order), then cell, then code: deterministic output.
func Sort(ps []Problem, order map[string]int) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Severity.rank() != b.Severity.rank() {
			return a.Severity.rank() < b.Severity.rank()
		}
		oa, ob := order[a.Indicator], order[b.Indicator]
		if oa != ob {
			return oa < ob
		}
		if a.Cell != b.Cell {
			return a.Cell < b.Cell
		}
		return a.Code < b.Code
	})
}

// Count returns how many problems have severity s.
func Count(ps []Problem, s Severity) int {
	n := 0
	for _, p := range ps {
		if p.Severity == s {
			n++
		}
	}
	return n
}
