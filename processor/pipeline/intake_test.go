package pipeline

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
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

func TestList(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, age int) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		mt := time.Date(2023, 11, 20, 8, 0, 0, 0, time.UTC).Add(-time.Duration(age) * time.Hour)
		if err := os.Chtimes(p, mt, mt); err != nil {
			t.Fatal(err)
		}
	}
	write("b.xlsx", 1)
	write("a.xlsx", 1) // same time as b: by name
	write("c.xlsx", 3) // oldest first
	write("~$c.xlsx", 5)
	write(".hidden.xlsx", 5)
	write("noext", 5)
	if err := os.MkdirAll(filepath.Join(dir, "sub.xlsx"), 0o755); err != nil {
		t.Fatal(err)
	}
	// A link is not taken (Windows may not allow creating one).
	if err := os.Symlink(filepath.Join(dir, "a.xlsx"), filepath.Join(dir, "link.xlsx")); err != nil {
		t.Logf("no symlink: %v", err)
	}
	got, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range got {
		names = append(names, filepath.Base(p))
	}
	if strings.Join(names, " ") != "c.xlsx a.xlsx b.xlsx" {
		t.Errorf("List = %v, want [c.xlsx a.xlsx b.xlsx]", names)
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

func TestSafeName(t *testing.T) {
	long := strings.Repeat("Biểu mẫu tự đánh giá ", 20) + ".xlsx"
	for _, c := range []struct {
		in, want string
	}{
		{"bieu-mau.xlsx", "bieu-mau.xlsx"},
		{"Biểu mẫu Xã Triệu Thành.xlsx", "Biểu mẫu Xã Triệu Thành.xlsx"},
		{"../../x.xlsx", "x.xlsx"},
		{`..\..\Windows\x.xlsx`, "x.xlsx"},
		{"/etc/passwd", "passwd"},
		{"..", "tep"},
		{"...", "tep"},
		{"", "tep"},
		{"a:b*c?.xlsx", "a_b_c_.xlsx"},
		{`bao "cao" <1>|2.xlsx`, "bao _cao_ _1__2.xlsx"},
		{"bao\x00cao\r\n\t.xlsx", "baocao.xlsx"},
		{"bao\x7fcao.xlsx", "baocao.xlsx"},
		{"  .an.xlsx. ", "an.xlsx"},
		{"CON.xlsx", "_CON.xlsx"},
		{"con.xlsx", "_con.xlsx"},
		{"nul", "_nul"},
		{"PRN.txt", "_PRN.txt"},
		{"aux.xlsx", "_aux.xlsx"},
		{"COM1.xlsx", "_COM1.xlsx"},
		// Windows reserves COM1–COM9 and LPT1–LPT9, not only 1–3.
		{"COM4.xlsx", "_COM4.xlsx"},
		{"com9.xlsx", "_com9.xlsx"},
		{"LPT9.xlsx", "_LPT9.xlsx"},
		{"CONSOLE.xlsx", "CONSOLE.xlsx"},
		{"COM10.xlsx", "COM10.xlsx"},
	} {
		if got := SafeName(c.in); got != c.want {
			t.Errorf("SafeName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	got := SafeName(long)
	if n := utf8.RuneCountInString(got); n > 120 {
		t.Errorf("SafeName(long) has %d characters, want at most 120", n)
	}
	if !strings.HasSuffix(got, ".xlsx") || !strings.HasPrefix(got, "Biểu mẫu") {
		t.Errorf("SafeName(long) = %q: lost its start or extension", got)
	}
	if !utf8.ValidString(got) {
		t.Errorf("SafeName(long) cut a character: %q", got)
	}
	if ext := filepath.Ext(SafeName("a." + strings.Repeat("x", 50))); utf8.RuneCountInString(ext) > 10 {
		t.Errorf("long extension kept: %q", ext)
	}
}

// TestSafeNameBytes checks that a safe name leaves room in a file name of
// 255 bytes (ext4, and Samba shares on Linux) for the prefixes the pipeline
// adds: the claim prefix (base-36 time, 14 bytes) and the stored prefix
// (time received and ledger id, about 25 bytes). Vietnamese letters take 2
// to 3 bytes in UTF-8, so 120 characters can be 360 bytes.
func TestSafeNameBytes(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("ệ", 83) + ".xlsx",                    // 254 bytes: a name a Linux inbox can hold
		strings.Repeat("Biểu mẫu tự đánh giá ", 9) + ".xlsx", // fits 255 bytes as dropped
		strings.Repeat("e\u0302\u0323", 50) + ".xlsx",        // NFD from macOS
	} {
		if got := SafeName(in); len(got) > 200 {
			t.Errorf("SafeName(%d bytes) = %d bytes, want at most 200 so prefixed names fit 255", len(in), len(got))
		}
	}
}

func TestMoveFile(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "a.xlsx")
	dst := filepath.Join(dir, "luu-tru", "2023", "a.xlsx")
	os.WriteFile(src, []byte("moi"), 0o644)
	if err := moveFile(src, dst); err != nil {
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
	if err := moveFile(src, dst); err == nil {
		t.Error("moveFile over an existing file succeeded")
	}
	if b, _ := os.ReadFile(dst); string(b) != "moi" {
		t.Errorf("dst overwritten: %q", b)
	}
	if b, _ := os.ReadFile(src); string(b) != "khac" {
		t.Errorf("src lost: %q", b)
	}
	// A missing source is an error and creates nothing.
	if err := moveFile(filepath.Join(dir, "none.xlsx"), filepath.Join(dir, "out", "none.xlsx")); err == nil {
		t.Error("moving a missing file succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "none.xlsx")); !os.IsNotExist(err) {
		t.Errorf("destination created for a missing source: %v", err)
	}
}

func TestReadLimited(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.xlsx")
	os.WriteFile(p, bytes.Repeat([]byte("x"), 100), 0o644)
	if b, n, err := readLimited(p, 100); err != nil || n != 100 || len(b) != 100 {
		t.Errorf("at the limit: %d %d %v", len(b), n, err)
	}
	if _, n, err := readLimited(p, 99); err != errTooLarge || n != 100 {
		t.Errorf("over the limit: %d %v", n, err)
	}
	if b, _, err := readLimited(p, 0); err != nil || len(b) != 100 {
		t.Errorf("no limit: %d %v", len(b), err)
	}
}
