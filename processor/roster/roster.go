// Package roster identifies units (communes, districts, departments) by
// code or by name as people write it: any Unicode normalisation, case,
// diacritics (đ folded by hand), old or new tone placement (Hoà/Hòa) and
// the prefixes "UBND", "xã", "phường", "thị trấn" do not matter.
package roster

import (
	"sort"
	"strings"

	"github.com/chiso-vn/chiso/processor/vntext"
)

// Unit is one unit of the roster: a commune, district or department
// expected to submit.
type Unit struct {
	Code    string `yaml:"code" json:"code"`
	Name    string `yaml:"name" json:"name"`
	Contact string `yaml:"contact,omitempty" json:"contact,omitempty"`
	Phone   string `yaml:"phone,omitempty" json:"phone,omitempty"`
	Email   string `yaml:"email,omitempty" json:"email,omitempty"`
}

var prefixes = []string{"ubnd ", "uy ban nhan dan ", "xa ", "phuong ", "thi tran ", "dac khu ", "huyen ", "so "}

// Key folds a unit name for comparison: "UBND Xã Triệu Thành" → "trieu thanh".
func Key(name string) string {
	k := vntext.Fold(name)
	for changed := true; changed; {
		changed = false
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) && len(k) > len(p) {
				k = strings.TrimSpace(k[len(p):])
				changed = true
			}
		}
	}
	return k
}

// UnitKey identifies a unit in the ledger and the ranking: its code, else
// "ten:" and its folded name (a roster without codes, or no roster).
func UnitKey(u Unit) string {
	if c := strings.TrimSpace(u.Code); c != "" {
		return c
	}
	return "ten:" + Key(u.Name)
}

// Find returns the unit with the given code, else the unit whose folded
// name equals the folded query. ok is false when none matches.
func Find(units []Unit, code, name string) (Unit, bool) {
	if c := strings.TrimSpace(code); c != "" {
		for _, u := range units {
			if strings.EqualFold(u.Code, c) {
				return u, true
			}
		}
	}
	if k := Key(name); k != "" {
		for _, u := range units {
			if Key(u.Name) == k {
				return u, true
			}
		}
	}
	return Unit{}, false
}

// Index finds units by code or folded name in constant time; build it
// once for a roster that is searched for every file.
type Index struct {
	units  []Unit
	byCode map[string]Unit
	byKey  map[string]Unit
}

// NewIndex indexes units (the first of two equal keys wins, as in Find).
func NewIndex(units []Unit) *Index {
	ix := &Index{units: units, byCode: map[string]Unit{}, byKey: map[string]Unit{}}
	for _, u := range units {
		if c := strings.ToLower(strings.TrimSpace(u.Code)); c != "" {
			if _, dup := ix.byCode[c]; !dup {
				ix.byCode[c] = u
			}
		}
		if k := Key(u.Name); k != "" {
			if _, dup := ix.byKey[k]; !dup {
				ix.byKey[k] = u
			}
		}
	}
	return ix
}

// Len is the number of units indexed (0 for a nil index).
func (ix *Index) Len() int {
	if ix == nil {
		return 0
	}
	return len(ix.units)
}

// Units returns the indexed units, in roster order.
func (ix *Index) Units() []Unit {
	if ix == nil {
		return nil
	}
	return ix.units
}

// Closest is Closest over the indexed units.
func (ix *Index) Closest(name string, n int) []string { return Closest(ix.Units(), name, n) }

// Find is Find over the indexed units.
func (ix *Index) Find(code, name string) (Unit, bool) {
	if ix == nil {
		return Unit{}, false
	}
	if c := strings.ToLower(strings.TrimSpace(code)); c != "" {
		if u, ok := ix.byCode[c]; ok {
			return u, true
		}
	}
	if k := Key(name); k != "" {
		if u, ok := ix.byKey[k]; ok {
			return u, true
		}
	}
	return Unit{}, false
}

// Closest returns up to n roster names nearest to name, best first, for
// "did you mean" messages.
func Closest(units []Unit, name string, n int) []string {
	k := Key(name)
	type cand struct {
		name string
		d    int
	}
	var cs []cand
	for _, u := range units {
		cs = append(cs, cand{u.Name, distance(k, Key(u.Name))})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].d < cs[j].d })
	var out []string
	for i := 0; i < len(cs) && i < n; i++ {
		if cs[i].d <= len([]rune(k))/2+2 {
			out = append(out, cs[i].name)
		}
	}
	return out
}

// distance is the Levenshtein distance between a and b, by rune.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
