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
}
