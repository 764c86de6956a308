package importer

import (
	"regexp"
	"strconv"
	"strings"
)

// outKind is what a method line says an indicator scores.
type outKind int

const (
	outNone   outKind = iota
	outFrac           // a fraction of the maximum: "Điểm tối đa", "1/2*Điểm tối đa", "70% điểm"
	outPoints         // a number of points: "02 điểm"
	outRatio          // "Tỷ lệ*Điểm tối đa"
	outProp           // "Tỷ lệ/50%*Điểm tối đa": proportional to a target
)

type outcome struct {
	kind   outKind
	frac   float64 // outFrac
	points float64 // outPoints
	div    float64 // outProp: the divisor as written (50 for "50%")
	divPct bool    // outProp: the divisor has a "%"
	text   string  // as written
}

const numRe = `(\d+(?:[.,]\d+)?)`

var (
	outFull    = regexp.MustCompile(`^(?:diem toi da|toi da diem)$`)
	outFracRe  = regexp.MustCompile(`^(\d+)\s*/\s*(\d+)\s*\*?\s*(?:so\s+)?diem toi da$`)
	outPctRe   = regexp.MustCompile(`^` + numRe + `\s*%\s*(?:so\s+)?diem(?:\s+toi da|\s+phan nay)?$`)
	outZeroRe  = regexp.MustCompile(`^(?:0+|khong)\s*(?:%\s*)?diem(?:\s+phan nay)?$|^khong (?:co|duoc|tinh) diem$`)
	outPtsRe   = regexp.MustCompile(`^0*` + numRe + `\s*diem$`)
	outRatioRe = regexp.MustCompile(`^ty le\s*\*\s*diem toi da$|^diem toi da\s*\*\s*ty le$`)
	outPropRe1 = regexp.MustCompile(`^ty le\s*/\s*` + numRe + `\s*(%?)\s*\*\s*diem toi da$`)
	outPropRe2 = regexp.MustCompile(`^diem toi da\s*\*\s*ty le\s*/\s*` + numRe + `\s*(%?)$`)
	outPrefix  = regexp.MustCompile(`^(?:diem\s*=|diem\s*:|=)\s*`)
)

// parseNum reads "10", "0,25", "0.25" as a float.
func parseNum(s string) (float64, bool) {
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", "."), 64)
	return v, err == nil
}

// parseOutcome reads what a method line awards ("Điểm tối đa", "1/2 *Điểm
// tối đa", "0 điểm", "Không có điểm", "02 điểm", "Tỷ lệ/50%*Điểm tối đa",
// "Điểm tối đa * tỷ lệ/80%", "Tỷ lệ *Điểm tối đa"). f is folded text.
func parseOutcome(text string) (outcome, bool) {
	f := strings.Join(strings.Fields(fold(text)), " ")
	f = strings.TrimRight(f, " .;,")
	f = outPrefix.ReplaceAllString(f, "")
	f = strings.TrimSpace(f)
	o := outcome{text: trimEnd(text)}
	switch {
	case outFull.MatchString(f):
		o.kind, o.frac = outFrac, 1
	case outFracRe.MatchString(f):
		m := outFracRe.FindStringSubmatch(f)
		p, _ := strconv.ParseFloat(m[1], 64)
		q, _ := strconv.ParseFloat(m[2], 64)
		if q == 0 || p > q {
			return o, false
		}
		o.kind, o.frac = outFrac, p/q
	case outZeroRe.MatchString(f):
		o.kind, o.frac = outFrac, 0
	case outPctRe.MatchString(f):
		m := outPctRe.FindStringSubmatch(f)
		v, _ := parseNum(m[1])
		if v > 100 {
			return o, false
		}
		o.kind, o.frac = outFrac, v/100
	case outPtsRe.MatchString(f):
		m := outPtsRe.FindStringSubmatch(f)
		o.kind, o.points = outPoints, mustNum(m[1])
	case outRatioRe.MatchString(f):
		o.kind = outRatio
	case outPropRe1.MatchString(f), outPropRe2.MatchString(f):
		m := outPropRe1.FindStringSubmatch(f)
		if m == nil {
			m = outPropRe2.FindStringSubmatch(f)
		}
		o.kind, o.div, o.divPct = outProp, mustNum(m[1]), m[2] == "%"
		if o.div <= 0 {
			return o, false
		}
	default:
		return o, false
	}
	return o, true
}

func mustNum(s string) float64 { v, _ := parseNum(s); return v }

// splitOutcome splits "COND: OUTCOME" at the last colon whose right side is
// an outcome. ok is false when no colon gives one.
func splitOutcome(l mline) (cond string, o outcome, ok bool) {
	t := l.text
	for i := strings.LastIndex(t, ":"); i >= 0; i = strings.LastIndex(t[:i], ":") {
		if o, ok := parseOutcome(t[i+1:]); ok {
			return trimEnd(t[:i]), o, true
		}
		if i == 0 {
			break
		}
	}
	return "", outcome{}, false
}
