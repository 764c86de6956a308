package config

import (
	"strings"
	"testing"

	_ "github.com/chiso-vn/chiso/internal/testkit" // the -update flag
)

// parse reads a config text over the defaults and validates it.
func parse(t *testing.T, text string) (Config, error) {
	t.Helper()
	c := Default()
	if err := Parse(strings.NewReader(text), &c); err != nil {
		return c, err
	}
	return c, c.Validate()
}

// TestValidateErrors: each problem is reported, naming its key.
func TestValidateErrors(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       []string // substrings of the error; none: valid
	}{
		{"shipped defaults", "", nil},
		{"codes differ only in case", "roster:\n  - {code: TS01, name: A}\n  - {code: ts01, name: B}\n", []string{"roster[1]: code \"ts01\""}},
		{"codes equal as file names", "roster:\n  - {code: A.1, name: A}\n  - {code: A-1, name: B}\n", []string{"roster[1]: code \"A-1\""}},
		{"no name", "roster:\n  - {code: A}\n", []string{"roster[0]: no name"}},
		{"lookalikes with codes", "roster:\n  - {code: H1, name: Xã Hợp Thành}\n  - {code: H2, name: Xã Hợp Thanh}\n", nil},
		{"lookalikes without codes", "roster:\n  - {name: Xã Hợp Thành}\n  - {code: H2, name: Xã Hợp Thanh}\n", []string{"give each of them a code"}},
		{"dates in order", "year: 2026\nopening: 2026-11-01\ndeadline: 2026-11-30\nclose: 2027-01-15\n", nil},
		{"deadline is the close", "year: 2026\nopening: 2026-11-01\ndeadline: 2026-11-30\nclose: 2026-11-30\n", nil},
		{"not a date", "year: 2026\ndeadline: 30/11/2026\n", []string{`deadline: "30/11/2026" is not a date YYYY-MM-DD`}},
		{"out of order", "year: 2026\nopening: 2026-12-01\ndeadline: 2026-11-30\nclose: 2026-11-15\n",
			[]string{"deadline: 2026-11-30 is before opening: 2026-12-01", "close: 2026-11-15 is before opening", "close: 2026-11-15 is before deadline"}},
		{"another year", "year: 2026\nopening: 2025-11-01\ndeadline: 2026-11-30\nclose: 2027-02-01\n",
			[]string{"opening: 2025-11-01 is not in the collection year 2026", "close: 2027-02-01 is not in the collection year 2026 or in January 2027"}},
		{"lineage", "roster:\n  - {code: A1, name: A}\nlineage:\n  - {code: A1, predecessors: [A1, A2]}\n", nil},
		{"lineage repeats a predecessor", "lineage:\n  - {code: A1, predecessors: [A1, A2]}\n  - {code: B1, predecessors: [B2, b2]}\n",
			[]string{`lineage[1] (line 3): predecessor "b2" is listed twice`}},
		{"lineage lists a unit twice", "lineage:\n  - {code: A1, predecessors: [A1, A2]}\n  -\n    code: A1\n    predecessors: [A3]\n",
			[]string{"lineage[1] (line 4): A1 has another entry, lineage[0] (line 2)"}},
		{"lineage names a unit not in the roster", "roster:\n  - {code: A1, name: A}\nlineage:\n  - {code: A9, predecessors: [A2]}\n",
			[]string{`lineage[0] (line 4): code "A9" is not a unit of the roster`}},
		{"lineage with an unknown key", "lineage:\n  - {code: A1, predecesors: [A2]}\n", []string{`line 2: lineage: unknown key "predecesors"`}},
		{"a date and the old cron", "year: 2026\nopening: 2026-11-01\nschedule: {opening: \"0 8 1 11 *\"}\n", []string{"schedule.opening: the opening is the date opening:"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parse(t, tt.text)
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestCollectionYear: without year:, the dates say which year is collected
// (a date in January belongs to the year before).
func TestCollectionYear(t *testing.T) {
	for text, want := range map[string]int{
		"":                                   0,
		"year: 2024\ndeadline: 2024-12-15\n": 2024,
		"deadline: 2023-12-15\n":             2023,
		"deadline: 2024-01-10\n":             2023,
		"opening: 2025-11-01\nclose: 2026-01-20\n": 2025,
	} {
		c, err := parse(t, text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if got := c.CollectionYear(); got != want {
			t.Errorf("%q: CollectionYear %d, want %d", text, got, want)
		}
	}
}
