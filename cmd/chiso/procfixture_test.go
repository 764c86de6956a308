package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
)

// procFixture is what the process-level tests start from: a chiso binary,
// n generated workbooks in gen/inbox, a corrected version of unit X0001 in
// gen-fix/inbox, and the roster bench/gen wrote (a "roster:" YAML block).
type procFixture struct {
	bin, genDir, fixDir string
	roster              string
}

// buildAndGenerate builds chiso while bench/gen writes the workbooks.
func buildAndGenerate(t *testing.T, n, seed int) procFixture {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to build chiso (LookPath)")
	}
	dir := t.TempDir()
	fx := procFixture{bin: filepath.Join(dir, "chiso"), genDir: filepath.Join(dir, "gen"), fixDir: filepath.Join(dir, "gen-fix")}
	var wg sync.WaitGroup
	var buildOut []byte
	var buildErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		buildOut, buildErr = exec.Command(goBin, "build", "-o", fx.bin, ".").CombinedOutput()
	}()
	gen := func(out string, n, seed int) {
		t.Helper()
		cmd := exec.Command(goBin, "run", "./bench/gen", "-n", strconv.Itoa(n), "-out", out, "-bad", "0", "-seed", strconv.Itoa(seed))
		cmd.Dir = filepath.Join("..", "..")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("bench/gen: %v\n%s", err, b)
		}
	}
	gen(fx.genDir, n, seed)
	gen(fx.fixDir, 1, seed+1) // another version of unit X0001: a corrected resubmission
	wg.Wait()
	if buildErr != nil {
		t.Fatalf("go build: %v\n%s", buildErr, buildOut)
	}
	cfg, err := os.ReadFile(filepath.Join(fx.genDir, "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(cfg, []byte("\nroster:\n"))
	if i < 0 {
		t.Fatalf("no roster in bench/gen's config:\n%s", cfg)
	}
	fx.roster = string(cfg[i+1:])
	return fx
}
