package rubric

import (
	"fmt"
	"strings"

	"github.com/chiso-vn/chiso/processor/vntext"
)

// NotComparable returns the indicators of B whose scores cannot be compared
// with last year's (added, another maximum or another scoring, or todo):
// the year-over-year columns of the ranking should flag them.
func (d *Diff) NotComparable() []IndicatorDiff {
	var out []IndicatorDiff
	for _, id := range d.Indicators {
		if id.B != nil && !id.Comparable() {
			out = append(out, id)
		}
	}
	return out
}

// Text is the comparison in Vietnamese for a district officer: totals, the
// pillars side by side, then the indicators added, removed, renumbered,
// renamed, with another maximum or another method, and the ones whose
// scores cannot be compared from one year to the next.
func (d *Diff) Text() string {
	var b strings.Builder
	a, z := d.A, d.B
	fmt.Fprintf(&b, "So sánh hai bộ chỉ số\n")
	fmt.Fprintf(&b, "  A (trước): %s — %s (năm %d, cấp %s)\n", a.ID, a.Name, a.Year, a.Level.Label())
	fmt.Fprintf(&b, "  B (sau):   %s — %s (năm %d, cấp %s)\n\n", z.ID, z.Name, z.Year, z.Level.Label())
	fmt.Fprintf(&b, "Tổng điểm tối đa (các trụ cột chính): %s → %s (%s)\n\n", num(a.CoreMax()), num(z.CoreMax()), delta(a.CoreMax(), z.CoreMax()))

	fmt.Fprintf(&b, "Trụ cột:\n")
	w := 0
	for _, p := range d.Pillars {
		w = max(w, len([]rune(pillarTitle(p))))
	}
	w = min(w, 60)
	for _, p := range d.Pillars {
		mA, mB := maxOr(p.MaxA, p.CodeA), maxOr(p.MaxB, p.CodeB)
		note := ""
		switch {
		case p.CodeA == "":
			note = "mới"
		case p.CodeB == "":
			note = "bỏ"
		case p.MaxA != nil && p.MaxB != nil:
			note = delta(*p.MaxA, *p.MaxB)
		}
		fmt.Fprintf(&b, "  %-*s %6s → %-6s %s\n", w, truncRunes(pillarTitle(p), w), mA, mB, note)
	}

	var added, removed, renum, renamed, maxc, rulec, textc []IndicatorDiff
	same := 0
	for _, id := range d.Indicators {
		switch {
		case id.Added():
			added = append(added, id)
			continue
		case id.Removed():
			removed = append(removed, id)
			continue
		}
		if id.Renumbered {
			renum = append(renum, id)
		}
		if id.Renamed && !id.Renumbered {
			renamed = append(renamed, id)
		}
		if id.MaxChanged {
			maxc = append(maxc, id)
		}
		switch {
		case id.RuleChanged:
			rulec = append(rulec, id)
		case id.MethodChanged:
			textc = append(textc, id)
		}
		if !id.Renumbered && !id.Renamed && !id.MaxChanged && !id.RuleChanged && !id.MethodChanged {
			same++
		}
	}
	nA, nB := count(a), count(z)
	fmt.Fprintf(&b, "\nChỉ số: %d → %d; giữ nguyên %d, đổi mã %d, đổi tên %d, mới %d, bỏ %d\n", nA, nB, same, len(renum), len(renamed), len(added), len(removed))

	section := func(title string, items []IndicatorDiff, line func(IndicatorDiff) string) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s (%d):\n", title, len(items))
		for _, id := range items {
			fmt.Fprintf(&b, "  %s\n", line(id))
		}
	}
	section("Chỉ số mới (chỉ có ở B)", added, func(id IndicatorDiff) string {
		return fmt.Sprintf("%-10s %s (%s điểm)", id.B.Code, vntext.OneLine(id.B.Name), maxOr(id.B.Max, "x"))
	})
	section("Chỉ số bỏ (chỉ có ở A)", removed, func(id IndicatorDiff) string {
		return fmt.Sprintf("%-10s %s (%s điểm)", id.A.Code, vntext.OneLine(id.A.Name), maxOr(id.A.Max, "x"))
	})
	section("Chỉ số đổi mã (khớp theo tên)", renum, func(id IndicatorDiff) string {
		s := fmt.Sprintf("%s → %s  %s", id.A.Code, id.B.Code, vntext.OneLine(id.B.Name))
		if id.Renamed {
			s += fmt.Sprintf(" (trước: «%s»)", vntext.OneLine(id.A.Name))
		}
		return s
	})
	section("Chỉ số đổi tên (cùng mã)", renamed, func(id IndicatorDiff) string {
		return fmt.Sprintf("%-10s «%s» → «%s»", id.B.Code, vntext.OneLine(id.A.Name), vntext.OneLine(id.B.Name))
	})
	section("Điểm tối đa thay đổi", maxc, func(id IndicatorDiff) string {
		return fmt.Sprintf("%-10s %s → %s", codes(id), maxOr(id.A.Max, "x"), maxOr(id.B.Max, "x"))
	})
	section("Cách tính điểm thay đổi", rulec, func(id IndicatorDiff) string {
		return fmt.Sprintf("%-10s %s → %s", codes(id), Summary(id.A), Summary(id.B))
	})
	section("Lời văn phương pháp khác, cách tính như cũ", textc, func(id IndicatorDiff) string {
		return fmt.Sprintf("%-10s %s", codes(id), Summary(id.B))
	})

	nc := d.NotComparable()
	fmt.Fprintf(&b, "\nKhông so sánh được với năm trước (%d/%d chỉ số của B", len(nc), nB)
	fmt.Fprintf(&b, "; cột so sánh năm trước của bảng xếp hạng cần đánh dấu):\n")
	for _, id := range nc {
		fmt.Fprintf(&b, "  %-10s %s\n", id.B.Code, why(id))
	}
	if len(nc) == 0 {
		fmt.Fprintf(&b, "  (không có)\n")
	}
	var moved []string
	for _, p := range d.Pillars {
		if p.CodeA != "" && p.CodeB != "" && !sameMax(p.MaxA, p.MaxB) {
			moved = append(moved, p.CodeB)
		}
	}
	if len(moved) > 0 || !feq(a.CoreMax(), z.CoreMax()) {
		fmt.Fprintf(&b, "\nTổng điểm và điểm trụ cột %s đổi thang: so sánh theo tỷ lệ phần trăm của điểm tối đa, không theo điểm.\n", strings.Join(moved, ", "))
	}
	return b.String()
}

func pillarTitle(p PillarDiff) string {
	code := p.CodeB
	switch {
	case p.CodeB == "":
		code = p.CodeA
	case p.CodeA != "" && p.CodeA != p.CodeB:
		code = p.CodeA + "→" + p.CodeB
	}
	return code + " " + vntext.OneLine(p.Name)
}

func maxOr(m *float64, present string) string {
	switch {
	case present == "":
		return "—"
	case m == nil:
		return "?"
	}
	return num(*m)
}

func delta(a, b float64) string {
	switch {
	case feq(a, b):
		return "="
	case b > a:
		return "+" + num(b-a)
	}
	return "−" + num(a-b)
}

func count(r *Rubric) int {
	n := 0
	r.Walk(func(*Pillar, *Indicator) { n++ })
	return n
}

func codes(id IndicatorDiff) string {
	if id.A.Code != id.B.Code {
		return id.A.Code + "→" + id.B.Code
	}
	return id.B.Code
}

func why(id IndicatorDiff) string {
	switch {
	case id.A == nil:
		return "mới"
	case id.B.IsTodo() || id.A.IsTodo():
		return "cách tính chưa xong (todo)"
	}
	var r []string
	if id.MaxChanged {
		r = append(r, "điểm tối đa "+maxOr(id.A.Max, "x")+" → "+maxOr(id.B.Max, "x"))
	}
	if id.RuleChanged {
		r = append(r, "cách tính: "+Summary(id.A)+" → "+Summary(id.B))
	}
	if id.Renumbered {
		r = append(r, "trước là "+id.A.Code)
	}
	return strings.Join(r, "; ")
}

func truncRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// bracket puts a sum in brackets for a quotient: "a + b" → "(a + b)".
func bracket(e string) string {
	e = strings.TrimSpace(e)
	if strings.HasPrefix(e, "(") && strings.HasSuffix(e, ")") || !strings.ContainsAny(e, "+-") {
		return e
	}
	return "(" + e + ")"
}

// Summary says in a few Vietnamese words how an indicator is scored, for
// rubric show and rubric diff.
func Summary(in *Indicator) string {
	if in.IsTodo() || in.Rule == nil {
		return "todo"
	}
	r := in.Rule
	meas := r.Value
	if r.Num != "" {
		meas = bracket(r.Num) + "/" + bracket(r.Den)
	}
	var s string
	switch r.Kind {
	case KindYesNo:
		s = "có/không"
	case KindChoice:
		s = "lựa chọn"
	case KindRatio:
		s = "tỷ lệ " + meas
	case KindTarget:
		s = fmt.Sprintf("tỷ lệ %s, đạt %s %%", meas, num(r.Target*100))
	case KindThreshold:
		s = fmt.Sprintf("%s ≥ %s hoặc 0", meas, num(r.AtLeast))
	case KindSteps:
		var st []string
		for _, x := range r.Steps {
			if x.Min != nil {
				st = append(st, num(*x.Min))
			}
		}
		s = "bậc theo " + meas + " (" + strings.Join(st, "/") + ")"
	case KindSum:
		s = fmt.Sprintf("cộng %d phần", len(r.Parts))
	case KindPerItem:
		s = fmt.Sprintf("%s điểm × %s", num(r.PointsPer), meas)
	case KindChildren:
		s = "tổng chỉ số con"
	case KindCohort:
		if r.Method == "minmax" {
			s = "Min-Max (x − thấp nhất)/(cao nhất − thấp nhất) theo " + meas
		} else {
			s = "so với đơn vị cao nhất (Min-Max) theo " + meas
		}
	case KindReference:
		s = "tham khảo"
	case KindFormula:
		s = "công thức " + r.Expr
	default:
		s = string(r.Kind)
	}
	if r.Gate != "" {
		s += " khi " + r.Gate
	}
	if r.ZeroDen == ZeroDenFull {
		s += ", mẫu số 0: tối đa"
	}
	return s
}
