// Package atomicfile writes files so that readers never see them
// half-written: the content goes to a temporary file in the same folder, is
// synced, then renamed over the destination.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/layout"
)

// Write writes path through write. On Windows a destination open in
// Excel cannot be replaced: the rename is retried a few times and, if it
// still fails, the content is kept under an alternative name, which is
// returned. The destination is never left partial.
func Write(path string, write func(w io.Writer) error) (string, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, layout.TempPattern)
	if err != nil {
		return "", err
	}
	name := tmp.Name()
	ok := false
	defer func() {
		if !ok {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err := write(tmp); err != nil {
		return "", err
	}
	if err := tmp.Sync(); err != nil {
		return "", err
	}
	// CreateTemp makes the file private (0600); outputs are for the office
	// and the communes to read.
	if err := tmp.Chmod(0o644); err != nil {
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	var rerr error
	for i := 0; i < 5; i++ {
		if rerr = os.Rename(name, path); rerr == nil {
			ok = true
			return path, nil
		}
		time.Sleep(time.Duration(50*(i+1)) * time.Millisecond)
	}
	// The destination is locked (open in Excel): keep the new content beside it.
	ext := filepath.Ext(path)
	alt := fmt.Sprintf("%s (%s)%s", path[:len(path)-len(ext)], layout.Show(time.Now(), nil, layout.FileStamp), ext)
	if err := os.Rename(name, alt); err != nil {
		return "", fmt.Errorf("%s: %w (and %s: %v)", path, rerr, alt, err)
	}
	ok = true
	return alt, nil
}

// WriteText writes a text for Windows users: UTF-8 with a byte-order mark
// (so Notepad and Excel pick UTF-8) and CRLF line ends, atomically.
func WriteText(path, text string) (string, error) {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
	return Write(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "\ufeff"+text)
		return err
	})
}
