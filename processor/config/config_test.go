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
