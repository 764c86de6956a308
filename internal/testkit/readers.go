package testkit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The second and third readers of every workbook chiso writes: LibreOffice
// headless and openpyxl. Locally a test without them is skipped (with
// -short always); in CI (.ci/run installs both) their absence fails it.

// Soffice returns the LibreOffice binary.
func Soffice(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("LibreOffice checks are slow; skipped with -short")
	}
	p, err := exec.LookPath("soffice")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("soffice not found: .ci/run should have installed libreoffice-calc-nogui")
		}
		t.Skip("soffice not installed")
	}
	return p
}

// Convert converts files with LibreOffice headless into dir (to: "pdf",
// "xlsx", …) and fails the test if LibreOffice does.
func Convert(t testing.TB, dir, to string, files ...string) {
	t.Helper()
	bin := Soffice(t)
	profile := "file://" + filepath.Join(t.TempDir(), "profile")
	args := append([]string{"-env:UserInstallation=" + profile, "--headless", "--norestore", "--convert-to", to, "--outdir", dir}, files...)
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("soffice --convert-to %s: %v\n%s", to, err, out)
	}
	for _, f := range files {
		want := filepath.Join(dir, strings.TrimSuffix(filepath.Base(f), filepath.Ext(f))+"."+strings.SplitN(to, ":", 2)[0])
		if _, err := os.Stat(want); err != nil {
			t.Errorf("LibreOffice did not convert %s: %v\n%s", f, err, out)
		}
	}
}

// Python returns a Python with openpyxl (Debian's python3-openpyxl).
func Python(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("openpyxl checks are slow; skipped with -short")
	}
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import openpyxl").Run() == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no python3 with openpyxl: .ci/run should have installed python3-openpyxl")
	}
	t.Skip("openpyxl not installed")
	return ""
}

// OpenpyxlLoads fails the test for every file openpyxl cannot open.
func OpenpyxlLoads(t testing.TB, files ...string) {
	t.Helper()
	py := Python(t)
	const script = `
import sys, openpyxl
bad = 0
for p in sys.argv[1:]:
    try:
        openpyxl.load_workbook(p).close()
    except Exception as e:
        print(p + ": " + repr(e))
        bad += 1
sys.exit(1 if bad else 0)
`
	out, err := exec.Command(py, append([]string{"-c", script}, files...)...).CombinedOutput()
	if err != nil {
		t.Errorf("openpyxl cannot open:\n%s", out)
	}
}

// Openpyxl runs a Python script with openpyxl and the given arguments.
func Openpyxl(t testing.TB, script string, args ...string) {
	t.Helper()
	py := Python(t)
	out, err := exec.Command(py, append([]string{"-c", script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("openpyxl script: %v\n%s", err, out)
	}
}
