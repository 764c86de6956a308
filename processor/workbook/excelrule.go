package workbook

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/chiso-vn/chiso/processor/formula"
	"github.com/chiso-vn/chiso/processor/rubric"
)

// cellRef tells how an input is referenced from a formula.
type cellRef struct {
	ref   string // absolute reference, e.g. $E$12 or 'Thông tin chung'!$C$9
	input rubric.Input
}

// valueExpr is the Excel expression for the value the engine uses for an input.
func (c cellRef) valueExpr() string {
	switch c.input.Type {
	case rubric.Pct:
		return "(" + c.ref + "/100)"
	case rubric.YesNo:
		return "IF(" + c.ref + "=" + quote(yesLabel) + ",1,0)"
	case rubric.Choice:
		s := "0"
		for i := len(c.input.Options) - 1; i >= 0; i-- {
			o := c.input.Options[i]
			s = "IF(" + c.ref + "=" + quote(o.Shown()) + "," + fnum(o.Fraction) + "," + s + ")"
		}
		return s
	case rubric.Items:
		return "IF(LEN(TRIM(" + c.ref + "))=0,0,LEN(TRIM(" + c.ref + "))-LEN(SUBSTITUTE(TRIM(" + c.ref + "),CHAR(10),\"\"))+1)"
	}
	return c.ref
}

const (
	yesLabel = "Có"
	noLabel  = "Không"
	// unknownScore is what a provisional score shows instead of an Excel
	// error when Excel cannot use what was typed ("19/19", "10 CBCC", "x"):
	// chiso reads such figures anyway.
	unknownScore = "?"
)

// blank is the Excel test for an empty input: a cell with nothing, spaces
// only, or a formula giving "" (a pre-filled denominator whose general
// field is empty). ISBLANK would not see the last two.
func blank(ref string) string { return "LEN(TRIM(" + ref + "))=0" }

// unreadable is the Excel test for an input Excel cannot use as the engine
// does: text in a figure cell, an answer not in the dropdown; "" when any
// content will do (lists, text).
func (c cellRef) unreadable() string {
	filled := "LEN(TRIM(" + c.ref + "))>0"
	switch c.input.Type {
	case rubric.Count, rubric.Number, rubric.Money, rubric.Pct:
		return "AND(" + filled + ",NOT(ISNUMBER(" + c.ref + ")))"
	case rubric.YesNo:
		return "AND(" + filled + "," + c.ref + "<>" + quote(yesLabel) + "," + c.ref + "<>" + quote(noLabel) + ")"
	case rubric.Choice:
		conds := []string{filled}
		for _, o := range c.input.Options {
			conds = append(conds, c.ref+"<>"+quote(o.Shown()))
		}
		return "AND(" + strings.Join(conds, ",") + ")"
	}
	return ""
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func fnum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// ruleFormula builds the Excel formula (without "=") for an indicator's
// provisional score, mirroring engine.eval. It returns "" for cohort rules,
// which are settled only over the cohort.
type ruleBuilder struct {
	refs   func(name string) (cellRef, bool)
	rubric *rubric.Rubric // its zero_den default
	used   *[]cellRef     // every cell the formula reads, when not nil
}

// ref resolves an input or general field and records that it is read.
func (b ruleBuilder) ref(name string) (cellRef, bool) {
	c, ok := b.refs(name)
	if ok && b.used != nil {
		*b.used = append(*b.used, c)
	}
	return c, ok
}

// formula is the provisional-score formula of rule r (without "="): the
// rule's points, "?" when an input it reads is typed in a way Excel cannot
// use, and "?" rather than an Excel error whatever else happens. It returns
// "" for cohort rules, which are settled only over the cohort.
func (b ruleBuilder) formula(r rubric.Rule, max float64) (string, error) {
	var used []cellRef
	b.used = &used
	body, err := b.build(r, max)
	if err != nil || body == "" {
		return body, err
	}
	var conds []string
	seen := map[string]bool{}
	for _, c := range used {
		if u := c.unreadable(); u != "" && !seen[c.ref] {
			seen[c.ref] = true
			conds = append(conds, u)
		}
	}
	body = "IFERROR(" + body + "," + quote(unknownScore) + ")"
	if len(conds) > 0 {
		body = "IF(OR(" + strings.Join(conds, ",") + ")," + quote(unknownScore) + "," + body + ")"
	}
	return body, nil
}

// unknownIfAny is sum, or "?" when one of the score cells it adds shows "?".
func unknownIfAny(cells []string, sum string) string {
	if len(cells) == 0 {
		return sum
	}
	conds := make([]string, len(cells))
	for i, c := range cells {
		conds[i] = c + "=" + quote(unknownScore)
	}
	return "IF(OR(" + strings.Join(conds, ",") + ")," + quote(unknownScore) + "," + sum + ")"
}

func (b ruleBuilder) expr(src string) (string, []string, error) {
	e, err := formula.Compile(src)
	if err != nil {
		return "", nil, err
	}
	var missing error
	var cells []string
	out := e.Excel(func(name string) string {
		c, ok := b.ref(name)
		if !ok {
			missing = fmt.Errorf("unknown variable %q", name)
			return "0"
		}
		cells = append(cells, c.ref)
		return c.valueExpr()
	})
	return out, cells, missing
}

// requireAll wraps body so that it scores 0 until every cell is filled, as
// the engine gives 0 points for missing data.
func requireAll(cells []string, body string) string {
	if len(cells) == 0 {
		return body
	}
	var list []string // each cell once, in order: a few cells only
	for _, c := range cells {
		if !slices.Contains(list, c) {
			list = append(list, c)
		}
	}
	// blank, not c="": excelize's calculator takes a cell holding 0 as
	// equal to "" (Excel and LibreOffice do not).
	conds := make([]string, len(list))
	for i, c := range list {
		conds[i] = blank(c)
	}
	cond := conds[0]
	if len(conds) > 1 {
		cond = "OR(" + strings.Join(conds, ",") + ")"
	}
	return "IF(" + cond + ",0," + body + ")"
}

func (b ruleBuilder) build(r rubric.Rule, max float64) (string, error) {
	body, err := b.buildBody(r, max)
	if err != nil || body == "" {
		return body, err
	}
	if r.Gate != "" {
		g, cells, err := b.expr(r.Gate)
		if err != nil {
			return "", err
		}
		body = requireAll(cells, "IF(("+g+")<>0,"+body+",0)")
	}
	return body, nil
}

func (b ruleBuilder) measure(r rubric.Rule, max float64, f func(m string) string) (string, error) {
	if r.Num != "" {
		n, nc, err := b.expr(r.Num)
		if err != nil {
			return "", err
		}
		d, dc, err := b.expr(r.Den)
		if err != nil {
			return "", err
		}
		zero := "0"
		if b.rubric.ZeroDenOf(r) == rubric.ZeroDenFull {
			zero = fnum(max)
		}
		return requireAll(append(nc, dc...), "IF(("+d+")=0,"+zero+","+f("(("+n+")/("+d+"))")+")"), nil
	}
	v, cells, err := b.expr(r.Value)
	if err != nil {
		return "", err
	}
	return requireAll(cells, "IFERROR("+f("("+v+")")+",0)"), nil
}

func (b ruleBuilder) buildBody(r rubric.Rule, max float64) (string, error) {
	M := fnum(max)
	switch r.Kind {
	case rubric.KindYesNo, rubric.KindChoice:
		c, ok := b.ref(r.Input)
		if !ok {
			return "", fmt.Errorf("unknown input %q", r.Input)
		}
		if r.Kind == rubric.KindYesNo {
			return "IF(" + c.ref + "=" + quote(yesLabel) + "," + M + ",0)", nil
		}
		return "(" + c.valueExpr() + ")*" + M, nil
	case rubric.KindReference:
		return "0", nil
	case rubric.KindCohort:
		return "", nil
	case rubric.KindChildren:
		return "", fmt.Errorf("children rule is built from child cells")
	case rubric.KindFormula:
		e, cells, err := b.expr(r.Expr)
		if err != nil {
			return "", err
		}
		e = strings.ReplaceAll(e, "max", M) // never reached: "max" is resolved by refs
		return requireAll(cells, "IFERROR(MAX(0,MIN("+e+","+M+")),0)"), nil
	case rubric.KindSum:
		var parts []string
		for i, p := range r.Parts {
			pmax := 0.0
			if p.Share != nil {
				pmax = *p.Share * max
			} else if p.Points != nil {
				pmax = *p.Points
			}
			s, err := b.build(p.Rule, pmax)
			if err != nil {
				return "", fmt.Errorf("part %d: %w", i+1, err)
			}
			parts = append(parts, s)
		}
		// SUM(parts) rather than p1+p2: excelize's calculator drops the first
		// operand of "p1 + IF(ISBLANK(…),…)" inside MIN; SUM means the same
		// in Excel and LibreOffice.
		return "MIN(" + M + ",SUM(" + strings.Join(parts, ",") + "))", nil
	case rubric.KindRatio:
		cp := 1.0
		if r.Cap != nil {
			cp = *r.Cap
		}
		return b.measure(r, max, func(m string) string { return "MAX(0,MIN(" + m + "," + fnum(cp) + "))*" + M })
	case rubric.KindTarget:
		return b.measure(r, max, func(m string) string {
			return "MAX(0,MIN(" + m + "/" + fnum(r.Target) + ",1))*" + M
		})
	case rubric.KindThreshold:
		return b.measure(r, max, func(m string) string {
			return "IF(" + m + ">=" + fnum(r.AtLeast-1e-9) + "," + M + ",0)"
		})
	case rubric.KindSteps:
		return b.measure(r, max, func(m string) string {
			s := "0"
			for i := len(r.Steps) - 1; i >= 0; i-- {
				st := r.Steps[i]
				pts := "0"
				if st.Fraction != nil {
					pts = fnum(*st.Fraction * max)
				} else if st.Points != nil {
					pts = "MIN(" + fnum(*st.Points) + "," + M + ")"
				}
				if st.Min == nil {
					s = pts
				} else {
					s = "IF(" + m + ">=" + fnum(*st.Min-1e-9) + "," + pts + "," + s + ")"
				}
			}
			return s
		})
	case rubric.KindPerItem:
		cp := max
		if r.CapPoints != nil && *r.CapPoints < max {
			cp = *r.CapPoints
		}
		return b.measure(r, max, func(m string) string {
			return "MAX(0,MIN(" + m + "*" + fnum(r.PointsPer) + "," + fnum(cp) + "))"
		})
	}
	return "", fmt.Errorf("unknown rule kind %q", r.Kind)
}
