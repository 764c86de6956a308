package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/chiso-vn/chiso/internal/testkit"
)

func load(t *testing.T, yaml string) (Config, error) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return Load(path, true)
}

// TestShippedConfig: the repository's config.yaml is valid.
func TestShippedConfig(t *testing.T) {
	if _, err := Load(filepath.Join("..", "..", "config.yaml"), true); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "absent.yaml"), false); err != nil {
		t.Fatalf("defaults: %v", err)
	}
}

// TestBadValues: every bad value fails with an error naming its key and
// its line.
func TestBadValues(t *testing.T) {
	for _, c := range []struct {
		name, yaml, key string
		line            int
	}{
		{"overflowing size", "rubric: x\nlimits:\n  max_file_mb: 99999999999999\n", "limits.max_file_mb", 3},
		{"zero size", "limits:\n  unzip_mb: 0\n", "limits.unzip_mb", 2},
		{"xml part over the total", "limits:\n  unzip_mb: 10\n  unzip_xml_mb: 20\n", "limits.unzip_xml_mb", 3},
		{"timeout", "limits: {timeout_seconds: -5}\n", "limits.timeout_seconds", 1},
		{"workers", "\n\nworkers: 100000\n", "workers", 3},
		{"rejected is the inbox", "inbox: hop-thu\nrejected: hop-thu\n", "rejected", 2},
		{"archive inside the inbox", "inbox: hop-thu\narchive: hop-thu/luu\n", "archive", 2},
		{"bad cron", "schedule:\n  reminders:\n    - \"0 8 * 11 1\"\n    - \"61 8 * * *\"\n", "schedule.reminders[1]", 4},
		{"bad close", "schedule:\n  close: \"TZ=\"\n", "schedule.close", 2},
		{"bad zone", "schedule:\n  timezone: Asia/Hanoi-ish\n", "schedule.timezone", 2},
		{"bad deadline", "deadline: 15/12/2023\n", "deadline", 1},
		{"log level", "log:\n  level: verbose\n", "log.level", 2},
		{"log format", "log:\n  format: xml\n", "log.format", 2},
		{"year", "year: 23\n", "year", 1},
		{"days before", "schedule:\n  days_before_deadline: [3, 3]\n", "schedule.days_before_deadline[1]", 2},
		{"port", "smtp:\n  port: 70000\n", "smtp.port", 2},
		{"roster code twice", "roster:\n  - {code: A, name: Xã Một}\n  - {code: a, name: Xã Hai}\n", "roster[1].code", 3},
		{"roster without name", "roster:\n  - {code: A}\n", "roster[0].name", 2},
		{"roster control character", "roster:\n  - {code: A, name: \"Xã\\x1bMột\"}\n", "roster[0]", 2},
		{"signing authority", "office:\n  signer:\n    authority: Thay mặt UBND\n", "office.signer.authority", 3},
		{"signer on two lines", "office:\n  signer:\n    title: \"PHÓ\\nCHỦ TỊCH\"\n", "office.signer.title", 3},
		{"place with a comma", "office:\n  place: \"Triệu Sơn, Thanh Hóa\"\n", "office.place", 2},
		{"parent too long", "office:\n  parent: \"" + strings.Repeat("x", 121) + "\"\n", "office.parent", 2},
		{"unknown key", "rubric: x\nworkerz: 3\n", "workerz", 2},
		{"unknown nested key", "limits:\n  timeout: 3\n", "limits.timeout", 2},
		{"word for a number", "limits:\n  max_file_mb: lots\n", "limits.max_file_mb", 2},
		{"word for yes or no", "watch:\n  events: maybe\n", "watch.events", 2},
		{"text for a list", "roster: abc\n", "roster", 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(t, c.yaml)
			if err == nil {
				t.Fatal("accepted")
			}
			var fe *FieldError
			found := false
			for _, e := range unwrapAll(err) {
				if errors.As(e, &fe) && fe.Key == c.key {
					found = true
					if fe.Line != c.line {
						t.Errorf("%s: line %d, want %d", c.key, fe.Line, c.line)
					}
				}
			}
			if !found {
				t.Fatalf("no error for %s: %v", c.key, err)
			}
			if want := "config.yaml:" + strconv.Itoa(c.line) + ": " + c.key; !strings.Contains(err.Error(), want) {
				t.Errorf("message %q lacks %q", err, want)
			}
		})
	}
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// TestEveryProblemAtOnce: a file with several bad values reports them all.
func TestEveryProblemAtOnce(t *testing.T) {
	_, err := load(t, "workers: -1\nlog: {level: loud}\nlimits: {max_file_mb: 0}\n")
	if err == nil || len(unwrapAll(err)) != 3 {
		t.Fatalf("want 3 problems, got %v", err)
	}
	// The decoder's own problems (keys and kinds) are all listed too.
	_, err = load(t, "workerz: 1\nlimits: {max_file_mb: lots}\nwatch: {events: maybe}\n")
	if err == nil || len(unwrapAll(err)) != 3 {
		t.Fatalf("want 3 problems, got %v", err)
	}
}

// TestCollectionValues: the collection's dates, the roster's identity and
// the lineage, each problem naming its key and line; good values pass.
func TestCollectionValues(t *testing.T) {
	for _, c := range []struct {
		name, yaml, key string
		line            int
		msg             string // in the error; "" with key "": valid
	}{
		{"dates in order", "year: 2026\nopening: 2026-11-01\ndeadline: 2026-11-30\nclose: 2027-01-15\n", "", 0, ""},
		{"deadline is the close", "year: 2026\nopening: 2026-11-01\ndeadline: 2026-11-30\nclose: 2026-11-30\n", "", 0, ""},
		{"not a date", "year: 2026\ndeadline: 30/11/2026\n", "deadline", 2, `"30/11/2026" is not a date YYYY-MM-DD`},
		{"deadline before the opening", "year: 2026\nopening: 2026-12-01\ndeadline: 2026-11-30\n", "deadline", 3, "is before opening: 2026-12-01"},
		{"close before the deadline", "year: 2026\ndeadline: 2026-11-30\nclose: 2026-11-15\n", "close", 3, "is before deadline: 2026-11-30"},
		{"another year", "year: 2026\nopening: 2025-11-01\n", "opening", 2, "is not in the collection year 2026 or in January 2027"},
		{"after January", "year: 2026\nclose: 2027-02-01\n", "close", 2, "is not in the collection year 2026"},
		{"a date and the old cron", "year: 2026\nopening: 2026-11-01\nschedule: {opening: \"0 8 1 11 *\"}\n", "schedule.opening", 3, "the opening is the date opening:"},
		{"codes equal as file names", "roster:\n  - {code: A.1, name: A}\n  - {code: A-1, name: B}\n", "roster[1].code", 3, `code "A-1" is also used by roster[0]`},
		{"lookalikes with codes", "roster:\n  - {code: H1, name: Xã Hợp Thành}\n  - {code: H2, name: Xã Hợp Thanh}\n", "", 0, ""},
		{"lookalikes without codes", "roster:\n  - {name: Xã Hợp Thành}\n  - {code: H2, name: Xã Hợp Thanh}\n", "roster", 1, "give each of them a code"},
		{"lineage", "roster:\n  - {code: A1, name: A}\nlineage:\n  - {code: A1, predecessors: [A1, A2]}\n", "", 0, ""},
		{"lineage repeats a predecessor", "lineage:\n  - {code: A1, predecessors: [A1, A2]}\n  - {code: B1, predecessors: [B2, b2]}\n",
			"lineage[1].predecessors", 3, `predecessor "b2" is listed twice`},
		{"lineage lists a unit twice", "lineage:\n  - {code: A1, predecessors: [A1, A2]}\n  -\n    code: A1\n    predecessors: [A3]\n",
			"lineage[1].code", 4, "A1 has another entry, lineage[0]"},
		{"lineage names a unit outside the roster", "roster:\n  - {code: A1, name: A}\nlineage:\n  - {code: A9, predecessors: [A2]}\n",
			"lineage[0].code", 4, `"A9" is not a unit of the roster`},
		{"lineage without predecessors", "lineage:\n  - {code: A1}\n", "lineage[0]", 2, "needs code and predecessors"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := load(t, c.yaml)
			if c.key == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if want := "config.yaml:" + strconv.Itoa(c.line) + ": " + c.key + ": "; !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q lacks %q and %q", err, want, c.msg)
			}
		})
	}
	// An unknown key in a lineage entry is refused like any other.
	if _, err := load(t, "lineage:\n  - {code: A1, predecesors: [A2]}\n"); err == nil || !strings.Contains(err.Error(), "predecesors") {
		t.Errorf("unknown lineage key: %v", err)
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
		c, err := load(t, text)
		if err != nil {
			t.Fatalf("%q: %v", text, err)
		}
		if got := c.CollectionYear(); got != want {
			t.Errorf("%q: CollectionYear %d, want %d", text, got, want)
		}
	}
}
