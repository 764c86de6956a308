package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/ranking"
)

// stagesConfig collects 2023 from two generated units, with a daemon that
// reacts within a second.
func stagesConfig() string {
	u1, u2 := books.Unit(1), books.Unit(2)
	return "year: 2023\nopening: \"2023-11-01\"\ndeadline: \"2023-12-15\"\nclose: \"2023-12-20\"\nlog: {format: json}\n" +
		"office: {name: UBND huyện Thử, cohort: thu}\nworkers: 1\n" +
		"watch: {rescan_seconds: 1, settle_seconds: 0, events: true, debounce_seconds: 0}\n" +
		"roster:\n  - {code: " + u1.Code + ", name: " + u1.Name + "}\n  - {code: " + u2.Code + ", name: " + u2.Name + "}\n"
}

// serveUntil runs `chiso serve` in dir with the clock at now until done
// reports true (or 30 s pass), then stops it as Ctrl+C does.
func serveUntil(t *testing.T, dir string, now time.Time, done func() bool) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out lockedBuffer
	exit := make(chan int, 1)
	go func() {
		exit <- runAt(ctx, func() time.Time { return now }, []string{"--config", filepath.Join(dir, "config.yaml"), "serve"}, &out, &out)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(out.String(), "chiso serve started") || !done() {
		select {
		case code := <-exit:
			t.Fatalf("serve exited %d:\n%s", code, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve at %s: not done in 30 s:\n%s", now, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // let a job in progress finish its log
	cancel()
	if code := <-exit; code != 0 {
		t.Fatalf("serve stopped with exit %d:\n%s", code, out.String())
	}
	return out.String()
}

func exists(path string) func() bool {
	return func() bool { _, err := os.Stat(path); return err == nil }
}

func rankingIn(t *testing.T, path string) ranking.JSON {
	t.Helper()
	var rk ranking.JSON
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &rk)
	}
	if err != nil {
		t.Fatal(err)
	}
	return rk
}

// TestServeThroughTheStages restarts `chiso serve` in every stage of a
// collection with a file arriving in each: before the opening nothing is
// sent; three weeks after the opening, the opening (however late) and the
// last Monday's reminder run; after the deadline a file is late; a start
// after the close catches up the close (the official ranking v1); a file
// after the close changes nothing official; `rank --final` publishes v2
// replacing v1; status says so.
func TestServeThroughTheStages(t *testing.T) {
	if testing.Short() {
		t.Skip("runs chiso serve six times")
	}
	dir := officeDir(t, stagesConfig(), "inbox", "outbox")
	out := func(parts ...string) string { return filepath.Join(append([]string{dir, "outbox"}, parts...)...) }
	drop := func(n int, seed uint64) {
		t.Helper()
		u := books.Unit(n)
		name := filepath.Join(dir, "inbox", strings.ToLower(u.Code)+"-"+time.Now().Format("150405.000")+".xlsx")
		if err := os.WriteFile(name, books.Filled(t, u, books.Options{Seed: seed}), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	provisional := out("2023", "xep-hang-thu-2023.json")
	final := func(v int) string { return out("2023", "xep-hang-thu-2023-chinh-thuc-v"+strconv.Itoa(v)+".json") }
	status := func(rk ranking.JSON, code string) ranking.Status {
		for _, u := range rk.Units {
			if u.Code == code {
				return u.Status
			}
		}
		return ""
	}

	// Before the opening: the file is accepted; nothing is sent.
	drop(1, 1)
	serveUntil(t, dir, vnTime(2023, 10, 25, 9, 0), exists(provisional))
	if _, err := os.Stat(out("2023", "bieu-mau")); err == nil {
		t.Error("templates before the opening")
	}
	// Three weeks after the opening: the opening, then the last Monday's reminder.
	serveUntil(t, dir, vnTime(2023, 11, 22, 10, 0), exists(out("2023", "nhac-nop-2023-11-20.txt")))
	tpl, _ := filepath.Glob(out("2023", "bieu-mau", "*.xlsx"))
	if len(tpl) != 2 {
		t.Errorf("templates of the late opening: %v", tpl)
	}
	if b, _ := os.ReadFile(out("2023", "nhac-nop-2023-11-20.txt")); !strings.Contains(string(b), "Chưa nộp: 1 đơn vị") {
		t.Errorf("reminder:\n%s", b)
	}
	// After the deadline: a late file; no reminder.
	drop(2, 2)
	serveUntil(t, dir, vnTime(2023, 12, 17, 9, 0), func() bool {
		_, err := os.Stat(provisional)
		return err == nil && status(rankingIn(t, provisional), "D002") == ranking.Late
	})
	if left, _ := filepath.Glob(out("2023", "nhac-nop-2023-12-1[4-7].txt")); len(left) != 0 {
		t.Errorf("reminders after the deadline: %v", left)
	}
	// Started the day after the close: the close is caught up (waited for
	// until the ledger records it, not just its first file).
	serveUntil(t, dir, vnTime(2023, 12, 21, 9, 0), func() bool {
		l, err := ledger.Open(filepath.Join(dir, "data"))
		if err != nil {
			return false
		}
		defer l.Close()
		_, ok, _ := l.LatestFinal(context.Background(), 2023, books.RubricID)
		return ok
	})
	v1 := rankingIn(t, final(1))
	if !v1.Final || v1.Version != 1 || status(v1, "D002") != ranking.Late {
		t.Errorf("v1: final %v version %d D002 %s", v1.Final, v1.Version, status(v1, "D002"))
	}
	if _, err := os.Stat(out("2023", "chua-nop-2023.txt")); err != nil {
		t.Error(err)
	}
	v1Bytes, _ := os.ReadFile(final(1))
	// After the close: a corrected file of D001 is answered, late; v1 stays.
	drop(1, 2)
	serveUntil(t, dir, vnTime(2023, 12, 23, 9, 0), func() bool {
		_, err := os.Stat(provisional)
		return err == nil && status(rankingIn(t, provisional), "D001") == ranking.Late
	})
	if b, _ := os.ReadFile(final(1)); string(b) != string(v1Bytes) {
		t.Error("the official v1 changed after the close")
	}
	if _, err := os.Stat(final(2)); err == nil {
		t.Error("a second official version without rank --final")
	}
	// The officer publishes again: v2, replacing v1.
	stdout, errs, code := chisoAt(t, dir, vnTime(2024, 1, 5, 10, 0), "rank", "--final")
	if code != 0 || !strings.Contains(stdout, "bản số 2, thay thế bản số 1") {
		t.Fatalf("rank --final: exit %d: %s%s", code, stdout, errs)
	}
	if v2 := rankingIn(t, final(2)); v2.Version != 2 || v2.Replaces != 1 || status(v2, "D001") != ranking.Late {
		t.Errorf("v2: %+v", v2)
	}
	stdout, _, _ = chisoAt(t, dir, vnTime(2024, 1, 5, 11, 0), "status")
	if !strings.Contains(stdout, "Bảng xếp hạng chính thức: bản số 2, ban hành lúc 10:00 05/01/2024, thay thế bản số 1") {
		t.Errorf("status:\n%s", stdout)
	}
}
