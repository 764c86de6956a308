package rubric

import "testing"

// TestCheckFindsSeedLiterals feeds the checker the seeds' own problems,
// transcribed literally (the shipped files record the decision taken for
// each instead): 004 §3.11 has no maximum, 004 §7.3 writes "Tỷ lệ <80"
// without "%", 000 §4.4 repeats the variable c, 000 §5.8.2 states its
// levels in triệu but its unit as tỷ đồng.
func TestCheckFindsSeedLiterals(t *testing.T) {
	tests := []struct {
		name, pillarMax, indicators, code, where string
	}{
		{"004 3.11: no maximum", "10", yesNo10 + `- code: "3.11"
  name: Tổng chi Ngân sách nhà nước cho chuyển đổi số
  inputs: [{key: a, label: Tổng chi, type: money, unit: triệu đồng}]
  rule: {kind: cohort, value: a, method: best}
`, "missing-max", "3.11"},
		{"004 3.11: pillar no longer adds up", "100", yesNo10 + `- code: "3.11"
  name: Tổng chi Ngân sách nhà nước cho chuyển đổi số
  inputs: [{key: a, label: Tổng chi, type: money, unit: triệu đồng}]
  rule: {kind: cohort, value: a, method: best}
`, "pillar-max-sum", "1"},
		{"004 7.3: 80 without %", "10", `- code: "7.3"
  name: Tỷ lệ DN có sử dụng hợp đồng điện tử
  max: 10
  inputs: [{key: a, label: DN dùng hợp đồng điện tử, type: count}, {key: b, label: Tổng số DN, type: count}]
  rule: {kind: target, num: a, den: b, target: 80}
`, "threshold-range", "7.3"},
		{"000 4.4: c repeated", "15", `- code: "4.4"
  name: literal 4.4
  max: 15
  inputs:
    - {key: a, label: "Tổng số công chức, viên chức được bồi dưỡng", type: count}
    - {key: b, label: "Tổng số viên chức, viên chức được bồi dưỡng", type: count}
    - {key: c, label: Tổng số Công chức của xã/phường/thị trấn, type: count}
    - {key: c, label: Tổng số Công chức của Xã/phường/thị trấn, type: count}
  rule: {kind: target, num: a + b, den: c + c, target: 0.5}
`, "duplicate-input", "4.4"},
		{"000 5.8.2: tỷ đồng", "5", `- code: "5.8.2"
  name: literal 5.8.2
  max: 5
  inputs: [{key: a, label: Kinh phí giám sát ATTT, type: money, unit: tỷ đồng}]
  rule: {kind: steps, value: a, steps: [{min: 200, fraction: 1}, {min: 100, fraction: 0.7}, {min: 50, fraction: 0.3}, {fraction: 0}]}
`, "money-unit", "5.8.2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := Check(mustParse(t, doc(tt.pillarMax, tt.indicators)))
			found := false
			for _, f := range rep.Findings {
				found = found || (f.Code == tt.code && f.Where == tt.where && f.Severity == SevError)
			}
			if !found {
				t.Errorf("want %s at %s; got %v", tt.code, tt.where, rep.Findings)
			}
		})
	}
}
