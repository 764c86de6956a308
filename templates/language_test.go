package templates_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/processor/rubric"
)

// english finds the function words of an English sentence; Vietnamese text
// quoting a rubric key (zero_den, cohort, best) has none of them.
var english = regexp.MustCompile(`\b(the|is|are|and|with|which|when|this|that|from|gets|does|not|seed|unit)\b`)

// vietnamese reports whether s is written in Vietnamese: it has letters
// only Vietnamese uses and at most one English function word (a quoted
// term).
func vietnamese(s string) bool {
	return strings.ContainsAny(s, "ăâđêôơưàảãạáằẳẵặắầẩẫậấèẻẽẹéềểễệếìỉĩịíòỏõọóồổỗộốờởỡợớùủũụúừửữựứỳỷỹỵý") &&
		len(english.FindAllString(s, -1)) <= 1
}

// TestDecisionsInVietnamese: district staff read every decision (chiso
// rubric show) and communes read them on the form's guide, so problem,
// decision and why are Vietnamese in every shipped rubric; so is every
// inferred method, which the form prints beside the indicator.
func TestDecisionsInVietnamese(t *testing.T) {
	for _, r := range load(t).All() {
		t.Run(r.ID, func(t *testing.T) {
			if len(r.Decisions) == 0 {
				t.Fatal("no decisions")
			}
			for _, d := range r.Decisions {
				for field, text := range map[string]string{"problem": d.Problem, "decision": d.Decision, "why": d.Why} {
					if !vietnamese(text) {
						t.Errorf("%s %s is not Vietnamese: %q", d.ID, field, text)
					}
				}
			}
			r.Walk(func(_ *rubric.Pillar, in *rubric.Indicator) {
				if in.Inferred != "" && !vietnamese(in.Inferred) {
					t.Errorf("%s inferred is not Vietnamese: %q", in.Code, in.Inferred)
				}
			})
		})
	}
}
