package layout

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

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

// TestLabels: communes are told where folders are by the label the office
// gave, never by the server's path.
func TestLabels(t *testing.T) {
	f := Folders{Outbox: filepath.Join("srv", "chiso", "outbox")}
	rel := f.Rel(f.TemplateDir(2026))
	for _, tt := range []struct {
		labels Labels
		want   string
	}{
		{DefaultLabels("", "", "UBND huyện Triệu Sơn"), "thư mục 2026/bieu-mau trong thư mục kết quả của UBND huyện Triệu Sơn"},
		{Labels{Outbox: `\\may-chu\dti\ket-qua\`}, `\\may-chu\dti\ket-qua\2026\bieu-mau`},
		{Labels{Outbox: "https://drive.example/dti"}, "https://drive.example/dti/2026/bieu-mau"},
		{Labels{Outbox: "thư mục DTI trên Google Drive"}, "thư mục 2026/bieu-mau trong thư mục DTI trên Google Drive"},
	} {
		if got := tt.labels.OutboxPlace(rel...); got != tt.want {
			t.Errorf("OutboxPlace = %q, want %q", got, tt.want)
		}
		if strings.Contains(tt.labels.OutboxPlace(rel...), "srv") {
			t.Errorf("the server path leaks: %q", tt.labels.OutboxPlace(rel...))
		}
	}
	if l := DefaultLabels(`\\may\nop`, "", ""); l.Inbox != `\\may\nop` || l.Outbox != "thư mục kết quả của đơn vị tổng hợp" {
		t.Errorf("DefaultLabels = %+v", l)
	}
}

// TestLongUnitNames: a unit name read from a workbook can be any length;
// the result path and template name stay short enough for every file system.
func TestLongUnitNames(t *testing.T) {
	long := strings.Repeat("Xã Rất Dài ", 60)
	f := Folders{Outbox: "/o"}
	p := f.ResultPath(2023, "", long, ".xlsx", 12345)
	if base := filepath.Base(p); len(base) > 100 || len(filepath.Base(filepath.Dir(p))) > maxSlug {
		t.Errorf("result path parts too long: %s", p)
	}
	if n := TemplateName("r", 2023, strings.Repeat("X", 300), long); len(n) > 160 {
		t.Errorf("template name %d bytes", len(n))
	}
	if s := UnitSlug("", "Xã Triệu Thành"); s != "xa-trieu-thanh" {
		t.Errorf("short names unchanged: %q", s)
	}
}

// TestScorecardsPath: the scorecards are named like the ranking they come
// with (the cohort made safe, as there), the official versions apart.
func TestScorecardsPath(t *testing.T) {
	f := Folders{Outbox: filepath.Join("o")}
	for _, tc := range []struct{ got, want string }{
		{f.ScorecardsPath("trieu-son", 2023), filepath.Join("o", "2023", "phieu-ket-qua-trieu-son-2023.xlsx")},
		{f.ScorecardsPath("", 2023), filepath.Join("o", "2023", "phieu-ket-qua-don-vi-2023.xlsx")},
		{f.FinalScorecardsPath("trieu-son", 2023, 2), filepath.Join("o", "2023", "phieu-ket-qua-trieu-son-2023-chinh-thuc-v2.xlsx")},
		{f.FinalScorecardsPath("a:b", 2023, 1), filepath.Join("o", "2023", "phieu-ket-qua-a_b-2023-chinh-thuc-v1.xlsx")},
	} {
		if tc.got != tc.want {
			t.Errorf("%s, want %s", tc.got, tc.want)
		}
	}
}

// TestClaimName: a claimed name keeps the arrival and the original name;
// an older chiso's name (no arrival) and an unknown arrival are handled.
func TestClaimName(t *testing.T) {
	arrived := time.Date(2023, 12, 14, 9, 30, 0, 123456789, time.UTC)
	now := arrived.Add(3 * time.Hour)
	n := ClaimName("Biểu mẫu - Triệu Thành.xlsx", arrived, now)
	if got, ok := ClaimedArrival(n); !ok || !got.Equal(arrived) {
		t.Errorf("%s: arrival %v %v, want %v", n, got, ok, arrived)
	}
	if got := ClaimedName(n); got != SafeName("Biểu mẫu - Triệu Thành.xlsx") {
		t.Errorf("%s: name %q", n, got)
	}
	if ClaimName("a.xlsx", arrived, now) == ClaimName("a.xlsx", arrived, now.Add(time.Nanosecond)) {
		t.Error("two claims of one name arriving together collide")
	}
	if _, ok := ClaimedArrival("lx0a1b2c-trieu-thanh.xlsx"); ok {
		t.Error("an older claim name read as keeping an arrival")
	}
	z := ClaimName("a.xlsx", time.Time{}, now)
	if got, ok := ClaimedArrival(z); !ok || !got.Equal(now) || ClaimedName(z) != "a.xlsx" {
		t.Errorf("unknown arrival: %s → %v %v", z, got, ok)
	}
}
