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
	p, err := Prepare(filepath.Dir(path), write)
	if err != nil {
		return "", err
	}
	defer p.Discard()
	return p.Commit(path)
}

// Pending is content written and synced to a temporary file in a folder,
// waiting to be put in place: the slow part of a write (the data, the
// sync) done apart from the rename, so a caller that must put files in
// place one at a time does not hold its lock while the disk syncs.
type Pending struct {
	name string
	done bool
}

// Prepare writes a temporary file in dir through write and syncs it.
func Prepare(dir string, write func(w io.Writer) error) (*Pending, error) {
	tmp, err := os.CreateTemp(dir, layout.TempPattern)
	if err != nil {
		return nil, err
	}
	p := &Pending{name: tmp.Name()}
	err = write(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		// CreateTemp makes the file private (0600); outputs are for the
		// office and the communes to read.
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		p.Discard()
		return nil, err
	}
	return p, nil
}

// Discard removes the temporary file unless it was committed.
func (p *Pending) Discard() {
	if !p.done {
		p.done = true
		os.Remove(p.name)
	}
}

// Commit renames the file to path (in the folder it was prepared in),
// keeping it under an alternative name when path is locked (see Write).
func (p *Pending) Commit(path string) (string, error) {
	if p.done {
		return "", fmt.Errorf("%s: already committed or discarded", path)
	}
	var rerr error
	for i := 0; i < 5; i++ {
		if rerr = os.Rename(p.name, path); rerr == nil {
			p.done = true
			return path, nil
		}
		time.Sleep(time.Duration(50*(i+1)) * time.Millisecond)
	}
	// The destination is locked (open in Excel): keep the new content beside it.
	ext := filepath.Ext(path)
	alt := fmt.Sprintf("%s (%s)%s", path[:len(path)-len(ext)], layout.Show(time.Now(), nil, layout.FileStamp), ext)
	if err := os.Rename(p.name, alt); err != nil {
		return "", fmt.Errorf("%s: %w (and %s: %v)", path, rerr, alt, err)
	}
	p.done = true
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
