package rubric

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"

	"github.com/chiso-vn/chiso/processor/formula"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// Severity of a checker finding.
type Severity string

// Severities. Decided is a finding that a recorded decision accepts.
const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
	SevInfo    Severity = "info"
	SevDecided Severity = "decided"
)

// Finding is one problem the checker found, with where it is.
type Finding struct {
	Severity Severity
	Code     string // finding code, e.g. "pillar-max-sum"
	Where    string // indicator or pillar code, or "rubric"
	Message  string
	Decision string // id of the decision that accepts it, when decided
	Related  string // the other place, for findings between rubrics ("<id> <code>")
}

func (f Finding) String() string {
	s := fmt.Sprintf("%-9s %-18s %-8s %s", f.Severity.Label(), f.Code, f.Where, f.Message)
	if f.Decision != "" {
		s += " [" + f.Decision + "]"
	}
	return s
}

// Label is the Vietnamese word for the severity.
func (s Severity) Label() string {
	switch s {
	case SevError:
		return "lỗi"
	case SevWarning:
		return "cảnh báo"
	case SevDecided:
		return "đã quyết"
	case SevInfo:
		return "suy ra"
	}
	return string(s)
}

// Report is the result of checking a rubric.
type Report struct {
	Rubric   *Rubric
	Findings []Finding
}

// Count returns how many findings have the given severity.
func (r *Report) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Err returns the error findings joined, or nil.
func (r *Report) Err() error {
	var errs []error
	for _, f := range r.Findings {
		if f.Severity == SevError {
			errs = append(errs, fmt.Errorf("%s %s: %s (%s)", r.Rubric.ID, f.Where, f.Message, f.Code))
		}
	}
	return errors.Join(errs...)
}

// Has reports whether a finding with code at where exists, whatever its severity.
func (r *Report) Has(code, where string) bool {
	for _, f := range r.Findings {
		if f.Code == code && f.Where == where {
			return true
		}
	}
	return false
}

const eps = 1e-9

func feq(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

type checker struct {
	r        *Rubric
	findings []Finding
}

func (c *checker) add(sev Severity, code, where, format string, args ...any) {
	c.findings = append(c.findings, Finding{Severity: sev, Code: code, Where: where, Message: fmt.Sprintf(format, args...)})
}

// Check finds the arithmetic and structural problems of a rubric. Findings
// that a decision acknowledges (same code and place) become SevDecided.
func Check(r *Rubric) *Report {
	c := &checker{r: r}
	c.header()
	c.general()
	codes := map[string]bool{}
	var coreSum float64
	for _, p := range r.Pillars {
		c.pillar(p, codes)
		if !p.Optional {
			coreSum += p.MaxValue()
		}
	}
	if r.Max == nil {
		c.add(SevWarning, "missing-max", "rubric", "bộ chỉ số không ghi tổng điểm tối đa")
	} else if !feq(*r.Max, coreSum) {
		c.add(SevError, "rubric-max-sum", "rubric", "tổng điểm tối đa ghi %s nhưng các nhóm cộng lại %s", num(*r.Max), num(coreSum))
	}
	if r.Total != nil {
		e, err := formula.Compile(r.Total.Expr)
		if err != nil {
			c.add(SevError, "bad-expression", "rubric", "công thức tổng: %v", err)
		} else {
			for _, v := range e.Vars() {
				if v != "A" && v != "B" && v != "C" && v != "M" {
					c.add(SevError, "undefined-variable", "rubric", "công thức tổng dùng %q; chỉ có A, B, C, M", v)
				}
			}
		}
	}
	c.decisions()
	return &Report{Rubric: r, Findings: c.findings}
}

func (c *checker) header() {
	r := c.r
	if r.Name == "" {
		c.add(SevError, "bad-rubric", "rubric", "không có tên (name)")
	}
	switch r.Level {
	case LevelCommune, LevelDistrict, LevelDepartment:
	default:
		c.add(SevError, "bad-rubric", "rubric", "cấp (level) %q không phải xa, huyen hay so", r.Level)
	}
	if r.Year < 2000 || r.Year > 2100 {
		c.add(SevError, "bad-rubric", "rubric", "năm %d không hợp lý", r.Year)
	}
	if len(r.Pillars) == 0 {
		c.add(SevError, "bad-rubric", "rubric", "không có nhóm chỉ số nào (pillars)")
	}
	switch r.Defaults.ZeroDen {
	case "", ZeroDenZero, ZeroDenFull:
	default:
		c.add(SevError, "bad-rule", "rubric", "defaults.zero_den %q không phải zero hay full", r.Defaults.ZeroDen)
	}
}

func (c *checker) general() {
	seen := map[string]bool{}
	for _, g := range c.r.General {
		if seen[g.Key] {
			c.add(SevError, "duplicate-input", "general", "trường thông tin chung %q được định nghĩa hai lần", g.Key)
		}
		seen[g.Key] = true
		c.inputShape("general", g)
	}
}

func (c *checker) inputShape(where string, in Input) {
	if in.Key == "" {
		c.add(SevError, "bad-rule", where, "một số liệu không có mã (key)")
	}
	switch in.Type {
	case Count, Number, Money, Pct, YesNo, Items, Text:
	case Choice:
		if len(in.Options) == 0 {
			c.add(SevError, "bad-rule", where, "số liệu lựa chọn %q không có lựa chọn nào (options)", in.Key)
		}
		shown := map[string]bool{}
		for _, o := range in.Options {
			if o.Fraction < -eps || o.Fraction > 1+eps {
				c.add(SevError, "option-range", where, "lựa chọn %q của %q được %s điểm tối đa; phân số (fraction) phải từ 0 đến 1", o.Key, in.Key, num(o.Fraction))
			}
			s := o.Shown()
			if n := len([]rune(s)); n > MaxShown {
				c.add(SevWarning, "long-option", where, "lựa chọn %q của %q dài %d ký tự, ô thả xuống của biểu mẫu chỉ hiện khoảng %d: thêm short: (câu trả lời ngắn; câu đầy đủ in bên cạnh)", s, in.Key, n, MaxShown)
			}
			if k := strings.ToLower(norm.NFC.String(strings.TrimSpace(s))); shown[k] {
				c.add(SevError, "bad-rule", where, "hai lựa chọn của %q cùng là %q", in.Key, s)
			} else {
				shown[k] = true
			}
		}
	default:
		c.add(SevError, "bad-rule", where, "số liệu %q có kiểu %q không có trong danh sách kiểu", in.Key, in.Type)
	}
	if in.Type == Money && in.Unit != "" && foldUnit(in.Unit) != "trieu dong" {
		c.add(SevError, "money-unit", where, "số liệu tiền %q tính bằng %q; mọi số liệu tiền phải tính bằng triệu đồng: đổi các ngưỡng và ghi quyết định", in.Key, in.Unit)
	}
	if in.SameAs != "" {
		if _, ok := c.r.GeneralField(in.SameAs); !ok {
			c.add(SevError, "same-as-unknown", where, "số liệu %q được so với trường thông tin chung %q, nhưng trường này chưa được định nghĩa", in.Key, in.SameAs)
		}
	}
}

func (c *checker) pillar(p *Pillar, codes map[string]bool) {
	if codes["p:"+p.Code] {
		c.add(SevError, "duplicate-code", p.Code, "mã nhóm %s dùng hai lần", p.Code)
	}
	codes["p:"+p.Code] = true
	if p.Optional {
		g, ok := c.r.GeneralField(p.AppliesIf)
		if !ok || g.Type != YesNo {
			c.add(SevError, "bad-rule", p.Code, "nhóm không bắt buộc cần applies_if là một trường thông tin chung Có/Không (đang là %q)", p.AppliesIf)
		}
	}
	var sum float64
	for _, in := range p.Indicators {
		c.indicator(in, codes)
		sum += in.MaxValue()
	}
	if p.Max == nil {
		c.add(SevError, "missing-max", p.Code, "nhóm %q không có điểm tối đa", p.Name)
	} else if !feq(*p.Max, sum) {
		c.add(SevError, "pillar-max-sum", p.Code, "điểm tối đa của nhóm là %s nhưng các chỉ số cộng lại %s", num(*p.Max), num(sum))
	}
}

func (c *checker) indicator(in *Indicator, codes map[string]bool) {
	where := in.Code
	if in.Code == "" {
		c.add(SevError, "bad-rule", "?", "chỉ số %q không có mã", in.Name)
	}
	if codes[in.Code] {
		c.add(SevError, "duplicate-code", where, "mã chỉ số %s dùng hai lần", in.Code)
	}
	codes[in.Code] = true
	if in.Max == nil {
		c.add(SevError, "missing-max", where, "chỉ số %q không có điểm tối đa", short(in.Name))
	}
	keys := map[string]bool{}
	for _, x := range in.Inputs {
		if keys[x.Key] {
			c.add(SevError, "duplicate-input", where, "số liệu %q được định nghĩa hai lần", x.Key)
		}
		keys[x.Key] = true
		if _, clash := c.r.GeneralField(x.Key); clash {
			c.add(SevError, "duplicate-input", where, "số liệu %q trùng tên một trường thông tin chung", x.Key)
		}
		c.inputShape(where, x)
	}
	if in.Inferred != "" {
		c.add(SevInfo, "inferred", where, "cách tính suy ra: %s", in.Inferred)
	}
	if in.IsTodo() {
		c.add(SevError, "todo", where, "chưa có cách tính điểm (todo): %s", vntext.OneLine(in.Todo))
	}
	used := map[string]bool{}
	switch {
	case in.Rule == nil && in.IsTodo():
		for _, x := range in.Inputs {
			used[x.Key] = true // the todo says what to do with them
		}
	case in.Rule == nil:
		c.add(SevError, "bad-rule", where, "không có quy tắc chấm (rule)")
	default:
		c.rule(in, *in.Rule, where, used, 1)
	}
	for _, v := range in.Validate {
		c.expr(in, where, "validate", v.Expr, used)
		switch v.Severity {
		case "error", "warning", "info":
		default:
			c.add(SevError, "bad-rule", where, "mức độ kiểm tra (severity) %q không phải error, warning hay info", v.Severity)
		}
		if v.Message == "" {
			c.add(SevError, "bad-rule", where, "phép kiểm tra %q không có thông báo (message)", v.Expr)
		}
	}
	for _, x := range in.Inputs {
		if !used[x.Key] && x.Type != Text && x.Type != Items {
			c.add(SevWarning, "unused-input", where, "số liệu %q không được quy tắc chấm hay phép kiểm tra nào dùng", x.Key)
		}
	}
	if len(in.Children) > 0 {
		var sum float64
		for _, ch := range in.Children {
			c.indicator(ch, codes)
			sum += ch.MaxValue()
		}
		if in.Max != nil && !feq(*in.Max, sum) {
			c.add(SevError, "parent-max-sum", where, "điểm tối đa %s nhưng các chỉ số con cộng lại %s", num(*in.Max), num(sum))
		}
	}
}

// expr compiles src and checks its variables exist; it returns the compiled
// expression or nil.
func (c *checker) expr(in *Indicator, where, field, src string, used map[string]bool) *formula.Expr {
	if src == "" {
		c.add(SevError, "bad-rule", where, "%s để trống", field)
		return nil
	}
	e, err := formula.Compile(src)
	if err != nil {
		c.add(SevError, "bad-expression", where, "%s: %v", field, err)
		return nil
	}
	for _, v := range e.Vars() {
		used[v] = true
		if _, ok := in.Input(v); ok {
			continue
		}
		if _, ok := c.r.GeneralField(v); ok {
			continue
		}
		if v == "max" && field == "expr" {
			continue
		}
		c.add(SevError, "undefined-variable", where, "%s dùng %q, không phải số liệu của %s cũng không phải trường thông tin chung", field, v, in.Code)
	}
	return e
}

// measure checks the numeric measure of a rule and reports whether it is a
// proportion (a ratio or a percent input), whose thresholds must lie in 0..1.
func (c *checker) measure(in *Indicator, r Rule, where string, used map[string]bool) (proportion, ok bool) {
	switch {
	case r.Num != "" || r.Den != "":
		if r.Value != "" {
			c.add(SevError, "bad-rule", where, "quy tắc %s có cả value lẫn num/den", r.Kind)
		}
		a := c.expr(in, where, "num", r.Num, used)
		b := c.expr(in, where, "den", r.Den, used)
		return true, a != nil && b != nil
	case r.Value != "":
		e := c.expr(in, where, "value", r.Value, used)
		if e == nil {
			return false, false
		}
		vars := e.Vars()
		if len(vars) == 1 {
			if x, ok := in.Input(vars[0]); ok && x.Type == Pct {
				return true, true
			}
			if x, ok := c.r.GeneralField(vars[0]); ok && x.Type == Pct {
				return true, true
			}
		}
		return false, true
	}
	c.add(SevError, "bad-rule", where, "quy tắc %s cần value hoặc num/den", r.Kind)
	return false, false
}

// rule checks r and returns the largest fraction of the maximum it can award.
func (c *checker) rule(in *Indicator, r Rule, where string, used map[string]bool, share float64) float64 {
	if r.Gate != "" {
		c.expr(in, where, "gate", r.Gate, used)
	}
	switch r.ZeroDen {
	case "", ZeroDenZero, ZeroDenFull:
	default:
		c.add(SevError, "bad-rule", where, "zero_den %q không phải zero hay full", r.ZeroDen)
	}
	max := in.MaxValue()
	best := 1.0
	switch r.Kind {
	case KindYesNo, KindChoice:
		x, ok := in.Input(r.Input)
		if !ok {
			if g, gok := c.r.GeneralField(r.Input); gok {
				x, ok = g, true
			}
		}
		used[r.Input] = true
		if !ok {
			c.add(SevError, "undefined-variable", where, "quy tắc %s dùng số liệu %q chưa được định nghĩa", r.Kind, r.Input)
			return 1
		}
		if r.Kind == KindYesNo && x.Type != YesNo {
			c.add(SevError, "bad-rule", where, "quy tắc yes_no trên số liệu %q kiểu %s", x.Key, x.Type)
		}
		if r.Kind == KindChoice {
			if x.Type != Choice {
				c.add(SevError, "bad-rule", where, "quy tắc choice trên số liệu %q kiểu %s", x.Key, x.Type)
				return 1
			}
			best = 0
			for _, o := range x.Options {
				best = math.Max(best, o.Fraction)
			}
		}
	case KindRatio:
		c.measure(in, r, where, used)
		if r.Cap != nil && (*r.Cap <= 0 || *r.Cap > 1+eps) {
			c.add(SevError, "threshold-range", where, "giới hạn tỷ lệ (cap) %s nằm ngoài 0..1", num(*r.Cap))
		}
		if r.Cap != nil {
			best = *r.Cap
		}
	case KindTarget:
		prop, _ := c.measure(in, r, where, used)
		if r.Target <= 0 {
			c.add(SevError, "threshold-range", where, "mức cần đạt (target) %s phải lớn hơn 0", num(r.Target))
		} else if prop && r.Target > 1+eps {
			c.add(SevError, "threshold-range", where, "mức cần đạt (target) %s vượt 100 %% của một tỷ lệ (tỷ lệ phần trăm ghi thành số?)", num(r.Target))
		}
	case KindThreshold:
		prop, _ := c.measure(in, r, where, used)
		if r.AtLeast <= 0 {
			c.add(SevWarning, "threshold-range", where, "ngưỡng %s cho mọi đơn vị điểm tối đa", num(r.AtLeast))
		}
		if prop && r.AtLeast > 1+eps {
			c.add(SevError, "threshold-range", where, "ngưỡng %s vượt 100 %% của một tỷ lệ (tỷ lệ phần trăm ghi thành số?)", num(r.AtLeast))
		}
	case KindSteps:
		prop, _ := c.measure(in, r, where, used)
		best = c.steps(r, where, prop, max)
	case KindPerItem:
		c.measure(in, r, where, used)
		if r.PointsPer <= 0 {
			c.add(SevError, "bad-rule", where, "per_item cần points_per lớn hơn 0")
		}
		if r.CapPoints != nil && max > 0 {
			best = math.Min(*r.CapPoints, max) / max
		}
	case KindSum:
		if len(r.Parts) == 0 {
			c.add(SevError, "bad-rule", where, "quy tắc sum không có phần nào (parts)")
		}
		best = 0
		for i, p := range r.Parts {
			pw := fmt.Sprintf("%s part %d", where, i+1)
			var worth float64
			switch {
			case p.Share != nil && p.Points == nil:
				worth = *p.Share
			case p.Points != nil && p.Share == nil && max > 0:
				worth = *p.Points / max
			default:
				c.add(SevError, "bad-rule", where, "phần %d cần đúng một trong share hoặc points", i+1)
			}
			if p.Rule.Kind == KindSum || p.Rule.Kind == KindChildren || p.Rule.Kind == KindCohort {
				c.add(SevError, "bad-rule", where, "phần %d không thể là loại %s", i+1, p.Rule.Kind)
				continue
			}
			_ = pw
			sub := *in
			if p.Points != nil {
				v := *p.Points
				sub.Max = &v
			} else if p.Share != nil {
				v := *p.Share * max
				sub.Max = &v
			}
			best += worth * c.rule(&sub, p.Rule, where, used, worth)
		}
		if best > 1+eps {
			c.add(SevWarning, "parts-exceed", where, "các phần có thể cộng lại %s điểm tối đa; điểm được giới hạn ở điểm tối đa", pct(best))
			best = 1
		}
	case KindChildren:
		if len(in.Children) == 0 {
			c.add(SevError, "bad-rule", where, "quy tắc children nhưng không có chỉ số con")
		}
	case KindCohort:
		c.measure(in, r, where, used)
		if r.Method != "best" && r.Method != "minmax" {
			c.add(SevError, "bad-rule", where, "cách so sánh trong cụm (method) %q không phải best hay minmax", r.Method)
		}
	case KindReference:
		if max != 0 {
			c.add(SevError, "bad-rule", where, "chỉ số tham khảo (reference) phải có điểm tối đa 0, đang là %s", num(max))
		}
		for _, x := range in.Inputs {
			used[x.Key] = true
		}
		return 1
	case KindFormula:
		c.expr(in, where, "expr", r.Expr, used)
	default:
		c.add(SevError, "bad-rule", where, "loại quy tắc %q không có trong danh sách", r.Kind)
		return 1
	}
	if share == 1 && best < 1-1e-6 && max > 0 {
		c.add(SevError, "never-full", where, "quy tắc chỉ cho được nhiều nhất %s điểm tối đa", pct(best))
	}
	return best
}

func (c *checker) steps(r Rule, where string, prop bool, max float64) float64 {
	if len(r.Steps) == 0 {
		c.add(SevError, "bad-rule", where, "quy tắc steps không có bậc nào")
		return 1
	}
	best := 0.0
	prevMin := math.Inf(1)
	prevFrac := math.Inf(1)
	for i, s := range r.Steps {
		var f float64
		switch {
		case s.Fraction != nil && s.Points == nil:
			f = *s.Fraction
		case s.Points != nil && s.Fraction == nil:
			if max > 0 {
				f = *s.Points / max
			}
		default:
			c.add(SevError, "bad-rule", where, "bậc %d cần đúng một trong fraction hoặc points", i+1)
		}
		if f < -eps || f > 1+eps {
			c.add(SevError, "threshold-range", where, "bậc %d được %s điểm tối đa", i+1, pct(f))
		}
		best = math.Max(best, f)
		if s.Min == nil {
			if i != len(r.Steps)-1 {
				c.add(SevError, "threshold-order", where, "bậc %d không có mức tối thiểu (min) nhưng không phải bậc cuối", i+1)
			}
		} else {
			if prop && *s.Min > 1+eps {
				c.add(SevError, "threshold-range", where, "bậc %d bắt đầu từ %s, vượt 100 %% của một tỷ lệ (tỷ lệ phần trăm ghi thành số?)", i+1, num(*s.Min))
			}
			if *s.Min >= prevMin {
				c.add(SevError, "threshold-order", where, "bậc %d bắt đầu từ %s, không thấp hơn bậc trước (%s)", i+1, num(*s.Min), num(prevMin))
			}
			prevMin = *s.Min
		}
		if f > prevFrac+eps {
			c.add(SevError, "threshold-order", where, "bậc %d (thấp hơn) lại được nhiều điểm hơn bậc trước", i+1)
		}
		prevFrac = f
	}
	return best
}

func (c *checker) decisions() {
	ids := map[string]bool{}
	for _, d := range c.r.Decisions {
		if d.ID == "" || d.Decision == "" || d.Why == "" {
			c.add(SevError, "bad-decision", d.Where, "quyết định %q cần có id, decision và why", d.ID)
		}
		if ids[d.ID] {
			c.add(SevError, "bad-decision", d.Where, "mã quyết định %q dùng hai lần", d.ID)
		}
		ids[d.ID] = true
		if d.Acknowledges == "" {
			continue
		}
		found := false
		for i := range c.findings {
			f := &c.findings[i]
			if f.Code == d.Acknowledges && f.Where == d.Where && f.Severity != SevInfo {
				f.Severity = SevDecided
				f.Decision = d.ID
				found = true
			}
		}
		if !found {
			c.add(SevWarning, "stale-decision", d.Where, "quyết định %s ghi nhận %s, nhưng bộ kiểm tra không còn thấy lỗi này ở đây", d.ID, d.Acknowledges)
		}
	}
	sort.SliceStable(c.findings, func(i, j int) bool {
		return sevRank(c.findings[i].Severity) < sevRank(c.findings[j].Severity)
	})
}

func sevRank(s Severity) int {
	switch s {
	case SevError:
		return 0
	case SevWarning:
		return 1
	case SevDecided:
		return 2
	}
	return 3
}

// foldUnit lowercases a unit and drops Vietnamese diacritics enough to
// compare "triệu đồng" spellings.
func foldUnit(u string) string {
	r := strings.NewReplacer("ệ", "e", "ồ", "o", "đ", "d", "Đ", "d", "T", "t")
	return strings.Join(strings.Fields(strings.ToLower(r.Replace(u))), " ")
}

// num writes a number for a reader: 2,5; 1.000 (vntext.Number).
func num(f float64) string { return vntext.Number(f, 4) }

func pct(f float64) string { return num(f*100) + " %" }

func short(s string) string {
	r := []rune(s)
	if len(r) > 60 {
		return string(r[:57]) + "…"
	}
	return s
}
