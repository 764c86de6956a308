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

// TestPrepare: a prepared file is invisible until committed, leaves nothing
// behind when discarded, and is committed once.
func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	write := func(w io.Writer) error { _, err := io.WriteString(w, "nội dung"); return err }
	discarded, err := Prepare(dir, write)
	if err != nil {
		t.Fatal(err)
	}
	discarded.Discard()
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a discarded file left %v", entries)
	}
	p, err := Prepare(dir, write)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, "ket-qua.xlsx")
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("visible before the commit: %v", err)
	}
	got, err := p.Commit(dst)
	if err != nil || got != dst {
		t.Fatalf("Commit: %q %v", got, err)
	}
	p.Discard() // after a commit: nothing to remove
	if b, err := os.ReadFile(dst); err != nil || string(b) != "nội dung" {
		t.Fatalf("committed %q %v", b, err)
	}
	if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want readable by all", fi.Mode().Perm())
	}
	if _, err := p.Commit(dst); err == nil {
		t.Error("committed twice")
	}
	if _, err := Prepare(dir, func(io.Writer) error { return io.ErrShortWrite }); err == nil {
		t.Error("a failed write was prepared")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}
