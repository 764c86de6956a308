package intake

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestCandidate(t *testing.T) {
	for _, c := range []struct {
		name  string
		isDir bool
		want  bool
	}{
		{"bieu-mau-xa-trieu-thanh.xlsx", false, true},
		{"Biểu mẫu Xã Triệu Thành 2023.XLSX", false, true},
		{"bieu-mau.xlsm", false, true},
		{"bieu-mau.xls", false, true}, // taken, then rejected with its own message
		{"ban-scan.pdf", false, true}, // same
		{"~$bieu-mau.xlsx", false, false},
		{"~WRL0001.tmp", false, false},
		{".bieu-mau.xlsx", false, false},
		{".DS_Store", false, false},
		{"._bieu-mau.xlsx", false, false}, // macOS resource fork on a share
		{"0A1B2C3D", false, false},        // Excel's temporary save file
		{"bieu-mau.tmp", false, false},
		{"bieu-mau.TMP", false, false},
		{"bieu-mau.xlsx.crdownload", false, false},
		{"bieu-mau.xlsx.part", false, false},
		{"desktop.ini", false, false},
		{"Thumbs.db", false, false},
		{"", false, false},
		{"2023", true, false},
		{"thu-muc.xlsx", true, false},
		{".chiso", true, false},
	} {
		if got := Candidate(c.name, c.isDir); got != c.want {
			t.Errorf("Candidate(%q, dir=%v) = %v, want %v", c.name, c.isDir, got, c.want)
		}
	}
}

// TestScan: candidates in order of arrival in the folder — not of the
// modification times the files carry (a sender's clock) — and the entries
// that are not regular files, reported and never taken.
func TestScan(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, mt time.Time) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond) // distinct change times
	}
	future := time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
	write("c.xlsx", future) // arrives first, whatever its clock says
	write("a.xlsx", time.Date(2023, 11, 20, 8, 0, 0, 0, time.UTC))
	write("b.xlsx", time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))
	write("~$c.xlsx", future)
	write(".hidden.xlsx", future)
	write("noext", future)
	if err := os.MkdirAll(filepath.Join(dir, "sub.xlsx"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, ".chiso"), 0o755); err != nil {
		t.Fatal(err)
	}
	links := true
	if err := os.Symlink(filepath.Join(dir, "a.xlsx"), filepath.Join(dir, "link.xlsx")); err != nil {
		t.Logf("no symlink: %v", err) // Windows may not allow creating one
		links = false
	}
	now := time.Now()
	got, odd, err := Scan(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range got {
		names = append(names, filepath.Base(e.Path))
		if e.Arrived.After(now) {
			t.Errorf("%s arrived %v, after the scan", e.Path, e.Arrived)
		}
	}
	if strings.Join(names, " ") != "c.xlsx a.xlsx b.xlsx" {
		t.Errorf("Scan = %v, want arrival order [c.xlsx a.xlsx b.xlsx]", names)
	}
	if !got[0].FutureModified() || got[1].FutureModified() {
		t.Errorf("future modification times not told apart: %+v", got)
	}
	want := "sub.xlsx/thư mục con"
	if links {
		want = "link.xlsx/liên kết " + want
	}
	var os_ []string
	for _, o := range odd {
		os_ = append(os_, o.Name+"/"+o.What)
	}
	if strings.Join(os_, " ") != want {
		t.Errorf("odd entries %v, want %s", os_, want)
	}
}

// TestOpenRefusesLinks: a link is never read, even one swapped in for a
// file already listed.
func TestOpenRefusesLinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "secret.txt")
	if err := os.WriteFile(target, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "a.xlsx")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symlink: %v", err)
	}
	if _, _, err := ReadLimited(link, 0); !errors.Is(err, ErrNotRegular) {
		t.Errorf("ReadLimited on a link: %v, want ErrNotRegular", err)
	}
	if _, err := HashFile(link); !errors.Is(err, ErrNotRegular) {
		t.Errorf("HashFile on a link: %v", err)
	}
	if _, err := Stat(link, time.Now()); !errors.Is(err, ErrNotRegular) {
		t.Errorf("Stat on a link: %v", err)
	}
}

func TestSniff(t *testing.T) {
	ole := []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	encrypted := append(append(append([]byte{}, ole...), make([]byte, 600)...), utf16("EncryptionInfo")...)
	encrypted = append(encrypted, make([]byte, 100)...)
	for _, c := range []struct {
		name string
		data []byte
		want Format
	}{
		{"xlsx", append([]byte("PK\x03\x04"), make([]byte, 40)...), FormatZip},
		{"xls", append(append([]byte{}, ole...), make([]byte, 4096)...), FormatXLS},
		{"encrypted", encrypted, FormatEncrypted},
		// "EncryptionInfo" as ASCII is not the stream name: an old .xls.
		{"xls mentioning the word", append(append([]byte{}, ole...), []byte("EncryptionInfo")...), FormatXLS},
		{"pdf", []byte("%PDF-1.7\n..."), FormatPDF},
		{"pdf after whitespace", []byte("\r\n \t%PDF-1.4\n"), FormatPDF},
		{"empty", nil, FormatEmpty},
		{"empty slice", []byte{}, FormatEmpty},
		{"spaces only", []byte("   \n"), FormatOther},
		{"html saved as xls", []byte("<html><body><table>"), FormatOther},
		{"csv", []byte("TT,Chỉ số,Điểm\n1.1,a,5\n"), FormatOther},
		{"short zip prefix", []byte("PK"), FormatOther},
		{"empty zip", []byte("PK\x05\x06" + strings.Repeat("\x00", 18)), FormatOther},
		{"one byte", []byte{0xD0}, FormatOther},
	} {
		if got := Sniff(c.data); got != c.want {
			t.Errorf("Sniff(%s) = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestMoveFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "a.xlsx")
	dst := filepath.Join(dir, "luu-tru", "2023", "a.xlsx")
	os.WriteFile(src, []byte("moi"), 0o644)
	if err := Move(src, dst); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(dst); err != nil || string(b) != "moi" {
		t.Fatalf("dst = %q, %v", b, err)
	}
	if _, err := os.Stat(src); !os.IsNotExist(err) {
		t.Errorf("src still there: %v", err)
	}
	// Never over an existing file: both stay as they were.
	os.WriteFile(src, []byte("khac"), 0o644)
	if err := Move(src, dst); err == nil {
		t.Error("moveFile over an existing file succeeded")
	}
	if b, _ := os.ReadFile(dst); string(b) != "moi" {
		t.Errorf("dst overwritten: %q", b)
	}
	if b, _ := os.ReadFile(src); string(b) != "khac" {
		t.Errorf("src lost: %q", b)
	}
	// A missing source is an error and creates nothing.
	if err := Move(filepath.Join(dir, "none.xlsx"), filepath.Join(dir, "out", "none.xlsx")); err == nil {
		t.Error("moving a missing file succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "none.xlsx")); !os.IsNotExist(err) {
		t.Errorf("destination created for a missing source: %v", err)
	}
}

func TestReadLimited(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.xlsx")
	os.WriteFile(p, bytes.Repeat([]byte("x"), 100), 0o644)
	if b, n, err := ReadLimited(p, 100); err != nil || n != 100 || len(b) != 100 {
		t.Errorf("at the limit: %d %d %v", len(b), n, err)
	}
	if _, n, err := ReadLimited(p, 99); err != ErrTooLarge || n != 100 {
		t.Errorf("over the limit: %d %v", n, err)
	}
	if b, _, err := ReadLimited(p, 0); err != nil || len(b) != 100 {
		t.Errorf("no limit: %d %v", len(b), err)
	}
}
