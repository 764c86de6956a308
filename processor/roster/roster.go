// Package roster identifies units (communes, districts, departments) by
// code or by name as people write it.
//
// A unit is found by its code first; else by its name, where Unicode
// normalisation, case, spaces, old or new tone placement (Hoà/Hòa) and the
// prefixes "UBND", "xã", "phường", "thị trấn"… do not matter but every
// diacritic does (Hợp Thành and Hợp Thanh are two communes); else by the
// name without diacritics, only when exactly one unit of the roster has
// that form ("Hop Thanh" finds neither of the two).
package roster

import (
	"sort"
	"strings"
	"sync"

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

var prefixes = [][]string{{"ubnd"}, {"uy", "ban", "nhan", "dan"}, {"xa"}, {"phuong"}, {"thi", "tran"}, {"dac", "khu"}, {"huyen"}, {"so"}}

// withoutPrefixes drops the leading "UBND", "xã", "phường", "thị trấn"…
// words of a name (compared without diacritics), never the whole name.
func withoutPrefixes(name string) []string {
	words := strings.Fields(name)
	for changed := true; changed; {
		changed = false
		for _, p := range prefixes {
			if len(words) <= len(p) {
				continue
			}
			match := true
			for i, w := range p {
				if vntext.Fold(words[i]) != w {
					match = false
					break
				}
			}
			if match {
				words, changed = words[len(p):], true
			}
		}
	}
	return words
}

// Key folds a unit name for comparison without diacritics: "UBND Xã Triệu
// Thành" → "trieu thanh". Names equal by Key may be two units (Hợp Thành,
// Hợp Thanh): see NameKey.
func Key(name string) string {
	return vntext.Fold(strings.Join(withoutPrefixes(name), " "))
}

// NameKey is a unit name as identity: "UBND xã Hợp Thành" → the key of
// "hợp thành", with tone placement normalised (vntext.NameKey) and every
// diacritic kept.
func NameKey(name string) string {
	return vntext.NameKey(strings.Join(withoutPrefixes(name), " "))
}

// UnitKey identifies a unit in the ledger and the ranking: its code, else
// "ten:" and its folded name (a roster without codes, or no roster; a
// roster whose names are equal without diacritics needs codes, see
// config validation).
func UnitKey(u Unit) string {
	if c := strings.TrimSpace(u.Code); c != "" {
		return c
	}
	return "ten:" + Key(u.Name)
}

// Find returns the unit with the given code, else the unit whose name is
// the query's (NameKey), else the one unit whose name without diacritics
// is the query's. ok is false when none matches, or when the name without
// diacritics fits more than one unit.
func Find(units []Unit, code, name string) (Unit, bool) {
	return NewIndex(units).Find(code, name)
}

// Lookalikes returns the groups of units whose names are equal without
// diacritics (Hợp Thành and Hợp Thanh), in roster order: a name typed
// without diacritics cannot tell them apart, so files are matched to them
// by code or by their exact name only.
func Lookalikes(units []Unit) [][]Unit {
	groups := map[string][]Unit{}
	var order []string
	for _, u := range units {
		k := Key(u.Name)
		if k == "" {
			continue
		}
		if _, seen := groups[k]; !seen {
			order = append(order, k)
		}
		groups[k] = append(groups[k], u)
	}
	var out [][]Unit
	for _, k := range order {
		if len(groups[k]) > 1 {
			out = append(out, groups[k])
		}
	}
	return out
}

// Index finds units by code or name (as Find) in constant time; build it
// once for a roster that is searched for every file.
type Index struct {
	units  []Unit
	once   sync.Once
	byCode map[string]Unit
	byName map[string][]Unit // NameKey → units
	byKey  map[string][]Unit // Key → units
}

// NewIndex indexes units (the first of two equal codes wins, as in Find).
// The index is built at the first search: a command that never searches
// (`chiso rank`) does not pay for a national roster's.
func NewIndex(units []Unit) *Index { return &Index{units: units} }

func (ix *Index) build() {
	ix.byCode, ix.byName, ix.byKey = map[string]Unit{}, map[string][]Unit{}, map[string][]Unit{}
	for _, u := range ix.units {
		if c := strings.ToLower(strings.TrimSpace(u.Code)); c != "" {
			if _, dup := ix.byCode[c]; !dup {
				ix.byCode[c] = u
			}
		}
		if k := Key(u.Name); k != "" {
			ix.byKey[k] = append(ix.byKey[k], u)
			nk := NameKey(u.Name)
			ix.byName[nk] = append(ix.byName[nk], u)
		}
	}
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
	ix.once.Do(ix.build)
	if c := strings.ToLower(strings.TrimSpace(code)); c != "" {
		if u, ok := ix.byCode[c]; ok {
			return u, true
		}
	}
	if strings.TrimSpace(name) == "" {
		return Unit{}, false
	}
	exact := ix.byName[NameKey(name)]
	switch {
	case len(exact) == 1:
		return exact[0], true
	case len(exact) > 1:
		return Unit{}, false
	}
	if folded := ix.byKey[Key(name)]; len(folded) == 1 {
		return folded[0], true
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
