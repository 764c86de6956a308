package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// officeConfig collects 2023: opening 1 November, deadline 15 December,
// close 20 January.
const officeConfig = `year: 2023
opening: "2023-11-01"
deadline: "2023-12-15"
close: "2024-01-20"
office: {name: UBND huyện Thử, cohort: thu}
log: {format: json}
roster:
  - {code: TS01, name: Xã Triệu Thành}
  - {code: TS02, name: Xã Hợp Lý}
`

func vnTime(y int, m time.Month, d, h, min int) time.Time {
	return time.Date(y, m, d, h, min, 0, 0, time.FixedZone("ICT", 7*3600))
}

// TestFreshInstall: status and remind work before anything was processed
// (no data folder, no ledger yet).
func TestFreshInstall(t *testing.T) {
	dir := officeDir(t, officeConfig, "inbox", "outbox")
	out, errs, code := chisoAt(t, dir, vnTime(2023, 11, 20, 9, 0), "status")
	if code != 0 {
		t.Fatalf("status on a fresh install: exit %d: %s", code, errs)
	}
	for _, want := range []string{"Tệp đã xử lý: 0 nhận", "Đơn vị chưa nộp: 2/2", "Dịch vụ: không chạy", "Trạng thái đợt thu thập: đang thu thập",
		"mở 08:00 01/11/2023, hạn nộp 15/12/2023, chốt 17:00 20/01/2024"} {
		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	out, errs, code = chisoAt(t, dir, vnTime(2023, 11, 20, 9, 0), "remind", "--dry-run")
	if code != 0 || !strings.Contains(out, "2/2 đơn vị chưa nộp") {
		t.Errorf("remind --dry-run on a fresh install: exit %d: %s%s", code, out, errs)
	}
	_, errs, code = chisoAt(t, dir, vnTime(2023, 11, 20, 9, 0), "remind")
	if code != 0 {
		t.Errorf("remind on a fresh install: exit %d: %s", code, errs)
	}
	if _, err := os.Stat(filepath.Join(dir, "outbox", "2023", "nhac-nop-2023-11-20.txt")); err != nil {
		t.Error(err)
	}
}

// TestMissingShares: a configured inbox or outbox that does not exist (a
// network share not connected) stops serve and process with exit code 3
// and a message naming the key, and is not created; status says so.
func TestMissingShares(t *testing.T) {
	for _, missing := range []string{"inbox", "outbox"} {
		t.Run(missing, func(t *testing.T) {
			present := map[string]string{"inbox": "outbox", "outbox": "inbox"}[missing]
			dir := officeDir(t, officeConfig, present)
			for _, cmd := range [][]string{{"serve", "--no-calendar"}, {"process", "--quiet"}} {
				_, errs, code := chisoAt(t, dir, vnTime(2023, 11, 20, 9, 0), cmd...)
				if code != exitConfig || !strings.Contains(errs, "sửa "+missing+": trong") || !strings.Contains(errs, "không tồn tại") {
					t.Errorf("%s without %s: exit %d, %s", cmd[0], missing, code, errs)
				}
				if _, err := os.Stat(filepath.Join(dir, missing)); err == nil {
					t.Errorf("%s created the missing %s", cmd[0], missing)
				}
			}
			out, _, code := chisoAt(t, dir, vnTime(2023, 11, 20, 9, 0), "status")
			if code != 0 || !strings.Contains(out, "không tồn tại hoặc không đọc được") {
				t.Errorf("status without %s: exit %d\n%s", missing, code, out)
			}
		})
	}
}

// TestCollectionOver: the shipped situation of the issue, a 2023 config
// run in 2026: status says the collection is over and which settings start
// the next one; remind sends nothing.
func TestCollectionOver(t *testing.T) {
	dir := officeDir(t, officeConfig, "inbox", "outbox")
	now := vnTime(2026, 12, 1, 9, 0)
	out, errs, code := chisoAt(t, dir, now, "status")
	if code != 0 || !strings.Contains(out, "Đợt thu thập năm 2023 đã kết thúc") || !strings.Contains(out, "sửa year, opening, deadline, close") ||
		!strings.Contains(out, "không còn việc nào theo lịch") || !strings.Contains(out, "chạy chiso rank --final để ban hành") {
		t.Errorf("status after the close: exit %d: %s\n%s", code, errs, out)
	}
	_, errs, code = chisoAt(t, dir, now, "remind")
	if code != exitFailed || !strings.Contains(errs, "đã chốt lúc") {
		t.Errorf("remind after the close: exit %d: %s", code, errs)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "outbox")); len(entries) != 0 {
		t.Errorf("remind after the close wrote %d outputs", len(entries))
	}
	_, errs, code = chisoAt(t, dir, vnTime(2023, 10, 1, 9, 0), "remind")
	if code != exitFailed || !strings.Contains(errs, "mở lúc 08:00 01/11/2023") {
		t.Errorf("remind before the opening: exit %d: %s", code, errs)
	}
}

// TestShippedConfigServes: the README's first command, `chiso serve` on
// the shipped config, starts cleanly and says what the example collects
// and that it is over (sending nothing); Ctrl+C stops it.
func TestShippedConfigServes(t *testing.T) {
	shipped, err := os.ReadFile("../../config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := officeDir(t, string(shipped), "inbox", "outbox") // log format auto: JSON lines off a terminal
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out lockedBuffer
	done := make(chan int, 1)
	go func() {
		done <- runAt(ctx, func() time.Time { return vnTime(2026, 12, 1, 9, 0) }, []string{"--config", filepath.Join(dir, "config.yaml"), "serve"}, &out, &out)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "chiso serve started") {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d at start:\n%s", code, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Meanwhile status says a daemon holds this inbox, since when, and that
	// the collection is over.
	st, _, _ := chisoAt(t, dir, vnTime(2026, 12, 1, 9, 30), "status")
	if want := fmt.Sprintf("Dịch vụ: đang chạy (chiso serve, pid %d, từ 09:00 01/12/2026)", os.Getpid()); !strings.Contains(st, want) {
		t.Errorf("status while serving lacks %q:\n%s", want, st)
	}
	if !strings.Contains(st, "Đợt thu thập năm 2023 đã kết thúc") {
		t.Errorf("status:\n%s", st)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("serve stopped with exit %d:\n%s", code, out.String())
	}
	log := out.String()
	for _, want := range []string{`"year":2023`, `"rubric":"thanhhoa-xa-2023"`, `"stage":"closed"`, "the configured collection is over: nothing is sent",
		`"deadline":"2023-12-15"`, `"close":"2024-01-20T17:00:00+07:00"`} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %s:\n%s", want, log)
		}
	}
	if strings.Contains(log, `"level":"error"`) {
		t.Errorf("errors at start:\n%s", log)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "outbox")); len(entries) != 0 {
		t.Errorf("serve of a finished collection wrote %d outputs", len(entries))
	}
}

// lockedBuffer is a writer the test reads while the command writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLineageChecked: a lineage naming a code the previous year did not
// have (neither in its recorded roster nor in its files) is a config error
// naming the line; a correct one passes.
func TestLineageChecked(t *testing.T) {
	cfg := officeConfig + "lineage:\n  - {code: TS01, predecessors: [TS01, TS09]}\n"
	dir := officeDir(t, cfg, "inbox", "outbox", "data")
	l, err := ledger.Open(filepath.Join(dir, "data"))
	if err != nil {
		t.Fatal(err)
	}
	if err := l.SetRoster(context.Background(), 2022, map[string]string{"TS01": "Xã Triệu Thành", "TS08": "Xã Cũ"}); err != nil {
		t.Fatal(err)
	}
	l.Close()
	_, errs, code := chiso0(t, dir, "rank")
	if code != exitConfig || !strings.Contains(errs, `config.yaml:11: lineage[0].predecessors: predecessor "TS09" of TS01 is not a unit of 2022`) {
		t.Errorf("unknown predecessor: exit %d: %s", code, errs)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(strings.Replace(cfg, "TS09", "TS08", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := chiso0(t, dir, "rank"); code != 0 {
		t.Errorf("known predecessors: exit %d: %s", code, errs)
	}
}

// chiso0 runs the CLI in the office dir during the collection.
func chiso0(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	return chisoAt(t, dir, vnTime(2023, 11, 20, 9, 0), args...)
}

// TestLabels: every text a commune reads says where the folders are by the
// configured labels, never by the server's paths: reminder notices, the
// template's guide, the notice of a file accepted with errors.
func TestLabels(t *testing.T) {
	u := books.Unit(1)
	cfg := "year: 2023\nopening: \"2023-11-01\"\ndeadline: \"2023-12-15\"\nclose: \"2024-01-20\"\nlog: {format: json}\n" +
		"office: {name: UBND huyện Thử, cohort: thu}\n" +
		`inbox_label: '\\may-chu\dti\nop-bao-cao'` + "\n" + `outbox_label: '\\may-chu\dti\ket-qua'` + "\n" +
		"roster:\n  - {code: " + u.Code + ", name: " + u.Name + "}\n"
	dir := officeDir(t, cfg, "inbox", "outbox")
	now := vnTime(2023, 11, 20, 9, 0)
	if _, errs, code := chisoAt(t, dir, now, "remind"); code != 0 {
		t.Fatalf("remind: exit %d: %s", code, errs)
	}
	// A form with a+b > c on 1.2: accepted, "cần sửa", with a notice.
	form := filepath.Join(dir, "inbox", "bao-cao.xlsx")
	if err := os.WriteFile(form, books.Filled(t, u, books.Options{Seed: 3}), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chtimes(form, now.Add(-time.Hour), now.Add(-time.Hour))
	if _, errs, code := chisoAt(t, dir, now, "process", "--quiet"); code != 0 {
		t.Fatalf("process: exit %d: %s", code, errs)
	}
	if _, errs, code := chisoAt(t, dir, now, "template", "--unit", u.Code); code != 0 {
		t.Fatalf("template: exit %d: %s", code, errs)
	}
	texts := map[string]string{}
	for _, pattern := range []string{"outbox/2023/nhac-nop-*.txt", "outbox/thong-bao/*.txt"} {
		paths, _ := filepath.Glob(filepath.Join(dir, pattern))
		if len(paths) != 1 {
			t.Fatalf("%s: %v", pattern, paths)
		}
		b, _ := os.ReadFile(paths[0])
		texts[pattern] = string(b)
	}
	tpl, _ := filepath.Glob(filepath.Join(dir, "outbox", "2023", "bieu-mau", "*.xlsx"))
	if len(tpl) != 1 {
		t.Fatalf("templates: %v", tpl)
	}
	f, err := openXLSX(tpl[0])
	if err != nil {
		t.Fatal(err)
	}
	guide, _ := f.GetRows(workbook.SheetGuide)
	f.Close()
	var g strings.Builder
	for _, r := range guide {
		g.WriteString(strings.Join(r, " ") + "\n")
	}
	texts["template"] = g.String()
	want := map[string][]string{
		"outbox/2023/nhac-nop-*.txt": {`\\may-chu\dti\ket-qua\2023\bieu-mau`, `chép vào \\may-chu\dti\nop-bao-cao`},
		"outbox/thong-bao/*.txt":     {"TỆP ĐÃ NHẬN — CẦN SỬA, NỘP LẠI", `\\may-chu\dti\ket-qua\2023\d001-xa-thu-nghiem-1\ket-qua-d001-xa-thu-nghiem-1-2023.xlsx`, `nộp lại cả tệp vào \\may-chu\dti\nop-bao-cao`},
		"template":                   {`\\may-chu\dti\nop-bao-cao`},
	}
	for name, text := range texts {
		for _, w := range want[name] {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q:\n%s", name, w, text)
			}
		}
		if strings.Contains(text, dir) {
			t.Errorf("%s tells communes the server's path %s:\n%s", name, dir, text)
		}
	}
}

// TestOneClock: every time a person reads is in the configured zone
// (here Tokyo, +9, whatever the machine's), machine outputs are ISO 8601
// with its offset. Files arrive when chiso first sees them (11:00 in Tokyo).
func TestOneClock(t *testing.T) {
	u := books.Unit(1)
	cfg := "year: 2023\ndeadline: \"2023-12-15\"\nschedule: {timezone: Asia/Tokyo}\nlog: {format: json}\noffice: {cohort: thu}\n" +
		"roster:\n  - {code: " + u.Code + ", name: " + u.Name + "}\n"
	dir := officeDir(t, cfg, "inbox", "outbox")
	at := time.Date(2023, 11, 20, 1, 0, 0, 0, time.UTC) // 10:00 in Tokyo: the files' time
	for name, data := range map[string][]byte{"a.xlsx": books.Filled(t, u, books.Options{Seed: 1}), "scan.pdf": []byte("%PDF-1.4\n")} {
		p := filepath.Join(dir, "inbox", name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		os.Chtimes(p, at, at)
	}
	if _, errs, code := chisoAt(t, dir, at.Add(time.Hour), "process", "--quiet"); code != 0 {
		t.Fatalf("process: exit %d: %s", code, errs)
	}
	notices, _ := filepath.Glob(filepath.Join(dir, "outbox", "thong-bao", "scan - 2023-11-20 11h00 - *.txt"))
	if len(notices) != 1 {
		all, _ := filepath.Glob(filepath.Join(dir, "outbox", "thong-bao", "*"))
		t.Fatalf("notice named in Tokyo time: %v", all)
	}
	if b, _ := os.ReadFile(notices[0]); !strings.Contains(string(b), "Nhận lúc: 11:00 ngày 20/11/2023") {
		t.Errorf("notice:\n%s", b)
	}
	js, err := os.ReadFile(filepath.Join(dir, "outbox", "2023", "xep-hang-thu-2023.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{`"generated_at": "2023-11-20T11:00:00+09:00"`, `"deadline": "2023-12-15T23:59:59+09:00"`, `"submitted_at": "2023-11-20T11:00:00+09:00"`} {
		if !strings.Contains(string(js), w) {
			t.Errorf("JSON lacks %s:\n%s", w, js)
		}
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "outbox", "2023", "xep-hang-thu-2023.csv"))
	if !strings.Contains(string(csv), "2023-11-20T11:00:00+09:00") {
		t.Errorf("CSV time:\n%s", csv)
	}
	out, _, _ := chisoAt(t, dir, at.Add(time.Hour), "status")
	if !strings.Contains(out, "lúc 11:00 20/11/2023") || !strings.Contains(out, "(giờ Asia/Tokyo)") {
		t.Errorf("status:\n%s", out)
	}
}
