package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ket-qua.xlsx")
	got, err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "một"); return err })
	if err != nil || got != path {
		t.Fatalf("WriteFile = %q, %v", got, err)
	}
	b, _ := os.ReadFile(path)
	info, _ := os.Stat(path)
	if string(b) != "một" || (runtime.GOOS != "windows" && info.Mode().Perm() != 0o644) {
		t.Errorf("content %q, mode %v", b, info.Mode())
	}
	// A failed write leaves the old content and no temporary file.
	_, err = Write(path, func(w io.Writer) error { io.WriteString(w, "half"); return errors.New("boom") })
	if err == nil {
		t.Fatal("want the write error")
	}
	b, _ = os.ReadFile(path)
	entries, _ := os.ReadDir(dir)
	if string(b) != "một" || len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("after a failed write: content %q, files %s", b, strings.Join(names, ", "))
	}
}
