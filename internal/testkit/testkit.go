// Package testkit holds what the tests of several packages share: the one
// -update flag and golden-file helpers, a stable text dump of workbooks,
// the shipped rubrics, a manual clock, and the Triệu Thành 2023 report as
// figures. Only tests (and the benchmark tools) import it.
//
// Every package with tests imports testkit (a blank import will do), so
// that `go test ./... -update` is accepted by every test binary.
package testkit

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/templates"
)

// Update is the -update flag: rewrite golden files (and the generated
// corpus) instead of comparing with them.
var Update = flag.Bool("update", false, "rewrite golden files and generated test corpora")

// Golden compares got with the golden file at path, or rewrites the file
// under -update.
func Golden(t testing.TB, path string, got []byte) {
	t.Helper()
	if *Update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff", path)
	}
}

// Rubrics returns the shipped rubric set.
func Rubrics(t testing.TB) *rubric.Set {
	t.Helper()
	set := rubric.NewSet()
	if err := set.LoadFS(templates.FS, "templates"); err != nil {
		t.Fatal(err)
	}
	return set
}

// Rubric returns one shipped rubric.
func Rubric(t testing.TB, id string) *rubric.Rubric {
	t.Helper()
	r, ok := Rubrics(t).Get(id)
	if !ok {
		t.Fatalf("no shipped rubric %q", id)
	}
	return r
}

// Dir is the testkit package's folder (for its testdata).
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(file)
}
