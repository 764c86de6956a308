package main

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// leaves are every command line of the table: "check", "rubric show"…
func leaves() [][]string {
	var out [][]string
	for _, c := range commands {
		out = append(out, strings.Fields(c.name))
		for _, s := range c.subs {
			out = append(out, strings.Fields(s.name))
		}
	}
	return out
}

// TestHelpEverywhere: `chiso help CMD` and `CMD --help` print the same help,
// with a synopsis and an example, on stdout, with exit 0, for every command
// and group, whatever the config.
func TestHelpEverywhere(t *testing.T) {
	for _, cmd := range leaves() {
		name := strings.Join(cmd, " ")
		t.Run(name, func(t *testing.T) {
			viaHelp, errs, code := chiso(t, append([]string{"help"}, cmd...)...)
			if code != exitOK || errs != "" {
				t.Fatalf("help %s: exit %d, stderr %q", name, code, errs)
			}
			for _, flag := range []string{"--help", "-h"} {
				out, errs, code := chiso(t, append(cmd, flag)...)
				if code != exitOK || errs != "" || out != viaHelp {
					t.Errorf("%s %s: exit %d, stderr %q, stdout differs from chiso help %s:\n%s", name, flag, code, errs, name, out)
				}
			}
			for _, want := range []string{"chiso " + name + " — ", "Cách dùng: chiso "} {
				if !strings.Contains(viaHelp, want) {
					t.Errorf("help lacks %q:\n%s", want, viaHelp)
				}
			}
			if name != "rubric" && !strings.Contains(viaHelp, "Ví dụ:\n  chiso ") {
				t.Errorf("help has no example:\n%s", viaHelp)
			}
		})
	}
	// Help needs no config, even a broken one.
	if out, _, code := chiso(t, "--config", "/nonexistent/config.yaml", "status", "--help"); code != exitOK || !strings.Contains(out, "chiso status") {
		t.Errorf("status --help with a missing config: exit %d\n%s", code, out)
	}
}

// TestUsageOnce: a bad command line prints the error and the usage once, on
// stderr, with exit 2; flags may come before or after the arguments.
func TestUsageOnce(t *testing.T) {
	tests := []struct {
		args []string
		want string // in the error line
	}{
		{[]string{"--bogus", "status"}, "không có tùy chọn -bogus"},
		{[]string{"check"}, "check: cần đúng 1 tham số FILE (có 0)"},
		{[]string{"check", "a.xlsx", "b.xlsx"}, "cần đúng 1 tham số FILE (có 2)"},
		{[]string{"check", "a.xlsx", "--xml"}, "check: không có tùy chọn -xml"},
		{[]string{"rank", "--year", "hai"}, "giá trị \"hai\" không hợp lệ cho tùy chọn -year"},
		{[]string{"rubric"}, "rubric: thiếu lệnh con"},
		{[]string{"rubric", "xem"}, "rubric: không có lệnh con \"xem\""},
		{[]string{"nope"}, "không có lệnh \"nope\""},
		{[]string{}, "chưa có lệnh"},
	}
	for _, tt := range tests {
		out, errs, code := chiso(t, tt.args...)
		first, _, _ := strings.Cut(errs, "\n")
		if code != exitUsage || out != "" || !strings.Contains(first, tt.want) {
			t.Errorf("%v: exit %d, stdout %q, first line %q, want %q", tt.args, code, out, first, tt.want)
		}
		if n := strings.Count(errs, "Cách dùng: "); n != 1 {
			t.Errorf("%v: usage printed %d times:\n%s", tt.args, n, errs)
		}
	}
}

// TestFlagsAfterArguments: `check FILE --json` and `--config` after the
// command work as before the arguments.
func TestFlagsAfterArguments(t *testing.T) {
	path := trieuThanhWorkbook(t)
	before, _, code1 := chiso(t, "check", "--json", path)
	after, errs, code2 := chiso(t, "check", path, "--json")
	if code1 != exitOK || code2 != exitOK || before != after || !strings.HasPrefix(after, "{") {
		t.Errorf("check FILE --json: exit %d/%d %s\n%s", code1, code2, errs, after)
	}
	// chiso() puts --config before the command; a second, after it, wins.
	if _, errs, code := chiso(t, "rubric", "list", "--config", "/nonexistent/config.yaml"); code != exitConfig {
		t.Errorf("--config after the command not read: exit %d %s", code, errs)
	}
}

// TestJSONSnakeCase: every key of check --json and score --json is
// snake_case.
func TestJSONSnakeCase(t *testing.T) {
	check, _, _ := chiso(t, "check", trieuThanhWorkbook(t), "--json")
	score, _, _ := chiso(t, "score", "--json", "--values", "../../templates/testdata/trieu-thanh-2023.yaml")
	key := regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	for name, out := range map[string]string{"check": check, "score": score} {
		var v any
		if err := json.Unmarshal([]byte(out), &v); err != nil {
			t.Fatalf("%s: %v\n%s", name, err, out)
		}
		n := 0
		var walk func(x any)
		walk = func(x any) {
			switch x := x.(type) {
			case map[string]any:
				for k, v := range x {
					n++
					if !key.MatchString(k) {
						t.Errorf("%s --json: key %q is not snake_case", name, k)
					}
					walk(v)
				}
			case []any:
				for _, v := range x {
					walk(v)
				}
			}
		}
		walk(v)
		if n < 20 {
			t.Errorf("%s --json: only %d keys", name, n)
		}
	}
}
