// Package intake is the inbox's door: which files are taken (Candidate,
// List), what their bytes say they are (Sniff), and the file moves of
// taking one (Claim into the control folder, ReadLimited, Move to where the
// original is kept). It knows nothing of workbooks or rubrics.
package intake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode"

	"github.com/chiso-vn/chiso/processor/layout"
)

// Candidate reports whether a file in the inbox should be taken. Ignored:
// folders (see the README's subfolder rule), hidden files (".…"), Excel's
// owner files ("~$…"), Excel's temporary save files (no extension, or
// ".tmp"), and partial downloads (".crdownload", ".part").
func Candidate(name string, isDir bool) bool {
	if isDir || name == "" {
		return false
	}
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~$") || strings.HasPrefix(name, "~") {
		return false
	}
	ext := strings.ToLower(filepath.Ext(name))
	switch ext {
	case "", ".tmp", ".crdownload", ".part", ".partial", ".download":
		return false
	}
	if strings.EqualFold(name, "desktop.ini") || strings.EqualFold(name, "thumbs.db") {
		return false
	}
	return true
}

// ErrNotRegular is returned for an inbox entry that is not a regular file
// (a link, a folder, a device, a pipe): it is never opened, hashed or moved.
var ErrNotRegular = errors.New("not a regular file")

// Entry is a file found in the inbox.
type Entry struct {
	Path string
	// Arrived is when the file appeared in the inbox: its change time (Unix)
	// or creation time (Windows), never later than the scan. It orders the
	// submissions: the sender's clock does not.
	Arrived time.Time
	// Modified is the modification time the file carries (the sender's
	// clock, or the copy's).
	Modified time.Time
	Size     int64
}

// FutureModified reports a modification time later than the file's arrival
// by more than a minute: the sending PC's clock is wrong.
func (e Entry) FutureModified() bool { return e.Modified.Sub(e.Arrived) > time.Minute }

// Odd is an inbox entry that is not a regular file and would otherwise be
// taken: a subfolder, a link, a device or a pipe.
type Odd struct {
	Name string
	What string // Vietnamese: "thư mục con", "liên kết", "tệp đặc biệt"
}

// Stat describes an inbox file without following links; ErrNotRegular for
// anything but a regular file.
func Stat(path string, now time.Time) (Entry, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return Entry{}, err
	}
	if !fi.Mode().IsRegular() {
		return Entry{}, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	e := Entry{Path: path, Modified: fi.ModTime(), Size: fi.Size(), Arrived: arrived(fi)}
	if e.Arrived.IsZero() || e.Arrived.After(now) {
		e.Arrived = now
	}
	return e, nil
}

// Scan lists the candidate files directly in the inbox, in order of
// arrival (then name), so resubmissions are taken in order; and the odd
// entries, which are left alone.
func Scan(inbox string, now time.Time) ([]Entry, []Odd, error) {
	dir, err := os.ReadDir(inbox)
	if err != nil {
		return nil, nil, err
	}
	var files []Entry
	var odd []Odd
	for _, d := range dir {
		name := d.Name()
		if d.IsDir() {
			if !strings.HasPrefix(name, ".") {
				odd = append(odd, Odd{Name: name, What: "thư mục con"})
			}
			continue
		}
		if !Candidate(name, false) {
			continue
		}
		e, err := Stat(filepath.Join(inbox, name), now)
		switch {
		case errors.Is(err, ErrNotRegular):
			what := "tệp đặc biệt"
			if d.Type()&fs.ModeSymlink != 0 {
				what = "liên kết"
			}
			odd = append(odd, Odd{Name: name, What: what})
		case err == nil:
			files = append(files, e)
		}
	}
	sort.Slice(files, func(i, j int) bool {
		if !files[i].Arrived.Equal(files[j].Arrived) {
			return files[i].Arrived.Before(files[j].Arrived)
		}
		return files[i].Path < files[j].Path
	})
	return files, odd, nil
}

// Format is what a file's bytes say it is.
type Format string

// Formats recognised by their first bytes.
const (
	FormatZip       Format = "zip" // .xlsx / .xlsm (or another zip)
	FormatXLS       Format = "xls" // OLE2 compound file: Excel 97–2003
	FormatEncrypted Format = "encrypted"
	FormatPDF       Format = "pdf"
	FormatEmpty     Format = "empty"
	FormatOther     Format = "other"
)

var (
	zipMagic = []byte("PK\x03\x04")
	oleMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	// An encrypted .xlsx is an OLE2 file holding an "EncryptionInfo" stream.
	encryptionInfo = utf16("EncryptionInfo")
)

func utf16(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}

// Sniff tells the format from the content, not the name.
func Sniff(data []byte) Format {
	switch {
	case len(data) == 0:
		return FormatEmpty
	case bytes.HasPrefix(data, zipMagic):
		return FormatZip
	case bytes.HasPrefix(data, oleMagic):
		if bytes.Contains(data, encryptionInfo) {
			return FormatEncrypted
		}
		return FormatXLS
	case bytes.HasPrefix(bytes.TrimLeftFunc(data[:min(len(data), 1024)], unicode.IsSpace), []byte("%PDF")):
		return FormatPDF
	}
	return FormatOther
}

// ReadLimited reads a whole regular file, failing if it is larger than max
// (ErrTooLarge) or is not a regular file (ErrNotRegular: a link is never
// followed, even one swapped in after it was listed).
func ReadLimited(path string, max int64) ([]byte, int64, error) {
	f, err := Open(path)
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	if max > 0 && info.Size() > max {
		return nil, info.Size(), ErrTooLarge
	}
	r := io.Reader(f)
	if max > 0 {
		r = io.LimitReader(f, max+1)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, info.Size(), err
	}
	if max > 0 && int64(len(data)) > max {
		return nil, int64(len(data)), ErrTooLarge
	}
	return data, int64(len(data)), nil
}

// Open opens a regular file for reading; a link or anything else that is
// not a regular file is refused (ErrNotRegular), checked on the open file
// itself so that nothing swapped in meanwhile is read.
func Open(path string) (*os.File, error) {
	li, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !li.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil && (!fi.Mode().IsRegular() || !os.SameFile(fi, li)) {
		err = fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ErrTooLarge is returned by ReadLimited for a file over the limit.
var ErrTooLarge = errors.New("file too large")

// Move renames src to dst, copying across file systems (the inbox is
// often a network share and the archive may be elsewhere). dst must not
// exist; it is never overwritten.
func Move(src, dst string) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s already exists", dst)
	}
	if err := os.Rename(src, dst); err == nil {
		return nil
	}
	in, err := Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + layout.MoveSuffix
	out, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		os.Remove(tmp)
		return err
	}
	in.Close()
	return os.Remove(src)
}

// Hash returns the SHA-256 of data, hex.
func Hash(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

// HashFile returns the SHA-256 of the file at path, hex.
func HashFile(path string) (string, error) {
	f, err := Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Claim takes a file from the inbox: an atomic rename into claimDir (on
// the same file system), under a unique name that keeps its arrival (see
// layout.ClaimName). It returns the claimed path, or an error wrapping
// os.ErrNotExist when the file is gone (another process took it).
func Claim(path, claimDir string, arrived, now time.Time) (string, error) {
	if err := os.MkdirAll(claimDir, 0o755); err != nil {
		return "", err
	}
	claim := filepath.Join(claimDir, layout.ClaimName(filepath.Base(path), arrived, now))
	if err := os.Rename(path, claim); err != nil {
		return "", fmt.Errorf("claim %s: %w", path, err)
	}
	return claim, nil
}
