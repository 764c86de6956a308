package rubric

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/text/unicode/norm"
)

// CheckSet compares rubrics with one another, where Check sees one at a
// time: the same wording should get the same decision in every rubric.
//
// It reports (code "zero-den-differs", severity warning) every pair of
// indicators of two different rubrics whose method text is the same (after
// Unicode normalisation and folding white space) but whose ratios treat a
// zero denominator differently — e.g. "a = Số lượng sự cố đã xử lý. b = Tổng
// số các sự cố." scoring full points for a unit without any incident in one
// rubric and 0 in another. Where is "<rubric id> <indicator code>" of the
// second indicator of the pair, Related that of the first.
func CheckSet(rs []*Rubric) []Finding {
	type entry struct {
		r   *Rubric
		in  *Indicator
		zd  string
		txt string
	}
	groups := map[string][]entry{}
	var keys []string
	for _, r := range rs {
		r.Walk(func(_ *Pillar, in *Indicator) {
			if in.Method == "" || in.Rule == nil || in.IsTodo() {
				return
			}
			zd := zeroDenSignature(r, *in.Rule)
			if zd == "" {
				return
			}
			k := MethodKey(in.Method)
			if _, seen := groups[k]; !seen {
				keys = append(keys, k)
			}
			groups[k] = append(groups[k], entry{r, in, zd, k})
		})
	}
	sort.Strings(keys)
	var out []Finding
	for _, k := range keys {
		g := groups[k]
		for i := 0; i < len(g); i++ {
			for j := i + 1; j < len(g); j++ {
				a, b := g[i], g[j]
				if a.r == b.r || a.zd == b.zd {
					continue
				}
				out = append(out, Finding{
					Severity: SevWarning,
					Code:     "zero-den-differs",
					Where:    b.r.ID + " " + b.in.Code,
					Related:  a.r.ID + " " + a.in.Code,
					Message: fmt.Sprintf("cùng cách tính với %s %s («%s») nhưng khi mẫu số bằng 0 thì ở đây %s, ở %s %s: một cách viết nên có một quyết định (zero_den)",
						a.r.ID, a.in.Code, short(a.txt), zeroDenText(b.zd), a.r.ID, zeroDenText(a.zd)),
				})
			}
		}
	}
	return out
}

// MethodKey is a method text as compared between rubrics: Unicode NFC, white
// space folded to single spaces.
func MethodKey(method string) string {
	return strings.Join(strings.Fields(norm.NFC.String(method)), " ")
}

// zeroDenSignature lists the effective zero-denominator behaviour of every
// ratio in a rule (its parts included), or "" when it has none.
func zeroDenSignature(r *Rubric, rule Rule) string {
	var sig []string
	var walk func(x Rule)
	walk = func(x Rule) {
		if x.Den != "" {
			sig = append(sig, string(r.ZeroDenOf(x)))
		}
		for _, p := range x.Parts {
			walk(p.Rule)
		}
	}
	walk(rule)
	return strings.Join(sig, ",")
}

func zeroDenText(sig string) string {
	var parts []string
	for _, s := range strings.Split(sig, ",") {
		if s == string(ZeroDenFull) {
			parts = append(parts, "được điểm tối đa")
		} else {
			parts = append(parts, "được 0 điểm")
		}
	}
	return strings.Join(parts, " / ")
}
