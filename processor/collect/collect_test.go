package collect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/calendar"
	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/mail"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
	"github.com/chiso-vn/chiso/templates"
)

var hcm = func() *time.Location {
	l, err := time.LoadLocation("Asia/Ho_Chi_Minh")
	if err != nil {
		panic(err)
	}
	return l
}()

func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, hcm) }

var (
	rubricOnce sync.Once
	testRubric *rubric.Rubric
	rubricErr  error
)

func loadRubric(t *testing.T) *rubric.Rubric {
	t.Helper()
	rubricOnce.Do(func() {
		f, err := templates.FS.Open("thanhhoa-xa-2023.yaml")
		if err != nil {
			rubricErr = err
			return
		}
		defer f.Close()
		testRubric, rubricErr = rubric.Parse(f, "templates/thanhhoa-xa-2023.yaml")
	})
	if rubricErr != nil {
		t.Fatal(rubricErr)
	}
	return testRubric
}

var (
	ts01   = roster.Unit{Code: "TS01", Name: "Xã Triệu Thành", Contact: "Lê Thị Hoà", Phone: "0912 345 678", Email: "vhxh.trieuthanh@trieuson.vn"}
	ts02   = roster.Unit{Code: "TS02", Name: "Xã Hợp Lý", Contact: "Nguyễn Văn Đức", Email: "hoply@trieuson.vn; vp.hoply@trieuson.vn"}
	ts03   = roster.Unit{Code: "TS03", Name: "Xã Hợp Thành", Phone: "0237 386 0003"} // no e-mail
	danLuc = roster.Unit{Name: "Xã Dân Lực", Email: "danluc@trieuson.vn"}            // no code
	units  = []roster.Unit{ts01, ts02, ts03, danLuc}
)

var testSchedule = Schedule{Reminders: []string{"0 8 * 11 1"}, DaysBefore: []int{3, 1}}

// testCollection collects 2023: opening on 1 November, deadline on 15
// December, close on 20 December.
func testCollection() collection.Collection {
	return collection.New(2023, at(2023, 11, 1, 0, 0), at(2023, 12, 15, 0, 0), at(2023, 12, 20, 0, 0), hcm)
}

func testOffice() Office {
	return Office{Name: "UBND huyện Triệu Sơn", Contact: "Phòng Văn hóa và Thông tin", Phone: "0237 3865 123", Email: "vhtt@trieuson.vn"}
}

func testFolders(dir string) layout.Folders {
	return layout.Folders{Inbox: filepath.Join(dir, "inbox"), Outbox: filepath.Join(dir, "outbox")}
}

type fixture struct {
	dir    string
	ledger *ledger.Ledger
	col    *Collector
	logs   *syncBuffer
}

// syncBuffer is a log sink safe for the calendar's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newFixture(t *testing.T, sender mail.Sender) *fixture {
	t.Helper()
	dir := t.TempDir()
	l, err := ledger.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	logs := &syncBuffer{}
	col := &Collector{Rubric: loadRubric(t), Collection: testCollection(), Schedule: testSchedule, Folders: testFolders(dir),
		Office: testOffice(), Roster: append([]roster.Unit(nil), units...), Ledger: l, Mail: sender,
		Log: zerolog.New(zerolog.MultiLevelWriter(logs, zerolog.NewTestWriter(t)))}
	return &fixture{dir: dir, ledger: l, col: col, logs: logs}
}

// accept records an accepted submission of u.
func (f *fixture) accept(t *testing.T, u roster.Unit, key string, year int, rubricID string) {
	t.Helper()
	ctx := context.Background()
	id, err := f.ledger.Begin(ctx, ledger.File{Name: u.Name + ".xlsx", SHA256: fmt.Sprint(time.Now().UnixNano()), ReceivedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	file, err := f.ledger.Get(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	file.Outcome, file.Year, file.RubricID, file.UnitKey, file.UnitCode, file.UnitName = ledger.Accepted, year, rubricID, key, u.Code, u.Name
	file.ProcessedAt = time.Now()
	if err := f.ledger.Finish(ctx, file); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) outbox(parts ...string) string {
	return filepath.Join(append([]string{f.dir, "outbox"}, parts...)...)
}

// readNotice checks the notice is UTF-8 with a BOM and CRLF line ends and
// returns its text with "\n" line ends.
func readNotice(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Errorf("%s: no UTF-8 BOM", path)
	}
	if bytes.Count(b, []byte("\n")) != bytes.Count(b, []byte("\r\n")) {
		t.Errorf("%s: bare LF line ends", path)
	}
	return strings.ReplaceAll(string(b[3:]), "\r\n", "\n")
}

func wantContains(t *testing.T, what, text string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(text, s) {
			t.Errorf("%s lacks %q:\n%s", what, s, text)
		}
	}
}

func templateMeta(t *testing.T, data []byte) workbook.Meta {
	t.Helper()
	b, err := workbook.Open(data, workbook.Limits{})
	if err != nil {
		t.Fatalf("the template does not open: %v", err)
	}
	defer b.Close()
	return b.Meta()
}

func TestSchedule(t *testing.T) {
	col := testCollection()
	specs, err := testSchedule.Jobs(col)
	if err != nil {
		t.Fatal(err)
	}
	show := func(t time.Time) string {
		if t.IsZero() {
			return "-"
		}
		return t.In(hcm).Format("2006-01-02 15:04")
	}
	var got []string
	for _, s := range specs {
		got = append(got, fmt.Sprintf("%s|%s|%s|%s..%s|%v", s.Name, s.Kind, s.Spec(hcm), show(s.From), show(s.Until), s.MaxLate))
	}
	want := []string{
		"opening|opening|08:00 01/11/2023|-..2023-12-16 00:00|-1ns",
		"reminder-1|reminder|0 8 * 11 1|2023-11-01 08:00..2023-12-16 00:00|0s",
		"before-deadline-3|reminder|08:00 12/12/2023|2023-11-01 08:00..2023-12-16 00:00|0s",
		"before-deadline-1|reminder|08:00 14/12/2023|2023-11-01 08:00..2023-12-16 00:00|0s",
		"close|close|17:00 20/12/2023|-..-|0s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Schedule =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Across the year; a close on the deadline day is at its end.
	col = collection.New(2023, at(2023, 12, 1, 0, 0), at(2024, 1, 2, 0, 0), at(2024, 1, 2, 0, 0), hcm)
	sch := testSchedule
	sch.DaysBefore = []int{3, 40} // 40 days before is before the opening: left out
	specs, err = sch.Jobs(col)
	if err != nil {
		t.Fatal(err)
	}
	if len(specs) != 4 || specs[2].Spec(hcm) != "08:00 30/12/2023" || !specs[3].At.Equal(at(2024, 1, 3, 0, 0)) {
		t.Errorf("across the year: %+v", specs)
	}

	// Without a deadline nor a close: the opening and the reminders, unbounded.
	specs, err = sch.Jobs(collection.New(2023, at(2023, 11, 1, 0, 0), time.Time{}, time.Time{}, hcm))
	if err != nil || len(specs) != 2 || !specs[1].Until.IsZero() {
		t.Errorf("without a deadline: %+v, %v", specs, err)
	}

	bad := []struct {
		edit func(*Schedule)
		want string
	}{
		{func(s *Schedule) { s.Reminders = []string{"0 8 * 11 1", "CRON_TZ=UTC"} }, "schedule.reminders[1]"},
		{func(s *Schedule) { s.Reminders = []string{"0 8 31 11 *"} }, "schedule.reminders[0]"},
		{func(s *Schedule) { s.DaysBefore = []int{3, 3} }, "twice"},
		{func(s *Schedule) { s.DaysBefore = []int{-1} }, "-1"},
	}
	for _, b := range bad {
		sch := testSchedule
		sch.Reminders = append([]string(nil), sch.Reminders...)
		b.edit(&sch)
		if _, err := sch.Jobs(testCollection()); err == nil || !strings.Contains(err.Error(), b.want) {
			t.Errorf("want an error naming %s, got %v", b.want, err)
		}
	}
}

func TestOpening(t *testing.T) {
	f := newFixture(t, nil)
	if err := f.col.Opening(context.Background(), at(2023, 11, 1, 8, 0)); err != nil {
		t.Fatal(err)
	}
	wantFiles := map[string]string{
		"bieu-mau-ts01-xa-trieu-thanh-2023.xlsx": "TS01",
		"bieu-mau-ts02-xa-hop-ly-2023.xlsx":      "TS02",
		"bieu-mau-ts03-xa-hop-thanh-2023.xlsx":   "TS03",
		"bieu-mau-xa-dan-luc-2023.xlsx":          "",
	}
	entries, err := os.ReadDir(f.outbox("2023", "bieu-mau"))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(wantFiles) {
		t.Errorf("%d files in bieu-mau", len(entries))
	}
	for name, code := range wantFiles {
		data, err := os.ReadFile(f.outbox("2023", "bieu-mau", name))
		if err != nil {
			t.Error(err)
			continue
		}
		m := templateMeta(t, data)
		if m.UnitCode != code || m.Year != "2023" || m.RubricID != "thanhhoa-xa-2023" {
			t.Errorf("%s: meta %+v", name, m)
		}
	}
	text := readNotice(t, f.outbox("2023", "thong-bao-thu-thap-2023.txt"))
	wantContains(t, "notice", text,
		"THÔNG BÁO THU THẬP BIỂU MẪU TỰ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ NĂM 2023",
		"Hạn nộp: 15/12/2023", "ô màu vàng", ".xlsx", "ở thư mục 2023/bieu-mau trong thư mục kết quả của UBND huyện Triệu Sơn",
		"Chép tệp đã điền vào thư mục nhận báo cáo của UBND huyện Triệu Sơn", "ở thư mục thong-bao trong thư mục kết quả của UBND huyện Triệu Sơn",
		"Phòng Văn hóa và Thông tin, UBND huyện Triệu Sơn, điện thoại 0237 3865 123, email vhtt@trieuson.vn",
		"Xã Triệu Thành (mã TS01): bieu-mau-ts01-xa-trieu-thanh-2023.xlsx", "Xã Dân Lực: bieu-mau-xa-dan-luc-2023.xlsx")
	if strings.Contains(text, f.dir) {
		t.Errorf("the notice tells communes the server's path:\n%s", text)
	}
	if !strings.Contains(f.logs.String(), `"action":"collection-opened"`) {
		t.Error("no audit line for the opening")
	}

	// Without a roster: the generic form.
	g := newFixture(t, nil)
	g.col.Roster = nil
	if err := g.col.Opening(context.Background(), at(2023, 11, 1, 8, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(g.outbox("2023", "bieu-mau", "bieu-mau-thanhhoa-xa-2023-2023.xlsx")); err != nil {
		t.Error(err)
	}
}

func TestMissing(t *testing.T) {
	f := newFixture(t, nil)
	f.accept(t, ts01, "TS01", 2023, "thanhhoa-xa-2023")
	f.accept(t, danLuc, "ten:dan luc", 2023, "thanhhoa-xa-2023")
	f.accept(t, ts02, "TS02", 2022, "thanhhoa-xa-2023")          // last year
	f.accept(t, ts02, "TS02", 2023, "xuanlac-xa-2023")           // another rubric
	f.accept(t, ts03, "ten:hop thanh", 2023, "thanhhoa-xa-2023") // accepted before the roster had codes
	missing, err := f.col.Missing(context.Background(), 2023)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) != 1 || missing[0].Code != "TS02" {
		t.Errorf("missing = %+v", missing)
	}
	f.col.Roster = nil
	if _, err := f.col.Missing(context.Background(), 2023); !errors.Is(err, ErrNoRoster) {
		t.Errorf("no roster: %v", err)
	}
}

// recorder is a Sender that keeps messages; fail makes sends to an address fail.
type recorder struct {
	mu   sync.Mutex
	msgs []mail.Message
	fail map[string]bool
}

func (r *recorder) Send(_ context.Context, m mail.Message) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, to := range m.To {
		if r.fail[to] {
			return errors.New("550 mailbox unavailable")
		}
	}
	r.msgs = append(r.msgs, m)
	return nil
}

func (r *recorder) take() []mail.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.msgs
	r.msgs = nil
	return out
}

func TestReminderNeedsRoster(t *testing.T) {
	f := newFixture(t, &recorder{})
	f.col.Roster = nil
	err := f.col.Reminder(context.Background(), at(2023, 11, 6, 8, 0))
	if !errors.Is(err, ErrNoRoster) || !strings.Contains(err.Error(), "roster") {
		t.Errorf("err = %v", err)
	}
}

func TestReminderDryRun(t *testing.T) {
	rec := &recorder{}
	f := newFixture(t, rec)
	f.accept(t, ts01, "TS01", 2023, "thanhhoa-xa-2023")
	var out bytes.Buffer
	f.col.DryRun, f.col.Out = true, &out
	if err := f.col.Reminder(context.Background(), at(2023, 11, 6, 8, 0)); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(f.outbox()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a dry run wrote into the outbox: %v", err)
	}
	if len(rec.take()) != 0 {
		t.Error("a dry run sent e-mail")
	}
	wantContains(t, "dry run", out.String(), "3/4 đơn vị chưa nộp", "Xã Hợp Lý (mã TS02)", "hạn nộp 15/12/2023",
		"Sẽ gửi thư nhắc tới 2 đơn vị", "Xã Hợp Lý <hoply@trieuson.vn, vp.hoply@trieuson.vn>", "Xã Dân Lực <danluc@trieuson.vn>",
		"Không có địa chỉ email trong danh sách đơn vị (roster): Xã Hợp Thành", "văn phòng: vhtt@trieuson.vn")
	p, err := f.col.PlanReminder(context.Background(), at(2023, 11, 6, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	if p.Subject() != "Nhắc nộp biểu mẫu tự đánh giá chuyển đổi số năm 2023 — hạn 15/12/2023" {
		t.Errorf("subject %q", p.Subject())
	}
	for _, l := range strings.Split(f.logs.String(), "\n") {
		if strings.Contains(l, `"event":"audit"`) {
			t.Errorf("a dry run logged an audit event: %s", l)
		}
	}
}

func TestReminderWithoutSMTPWritesNotice(t *testing.T) {
	f := newFixture(t, nil)
	f.accept(t, ts01, "TS01", 2023, "thanhhoa-xa-2023")
	if err := f.col.Reminder(context.Background(), at(2023, 12, 12, 8, 0)); err != nil {
		t.Fatal(err)
	}
	text := readNotice(t, f.outbox("2023", "nhac-nop-2023-12-12.txt"))
	wantContains(t, "notice", text, "DANH SÁCH ĐƠN VỊ CHƯA NỘP", "08:00 ngày 12/12/2023", "Hạn nộp: 15/12/2023 (còn 3 ngày).",
		"Đã nộp hợp lệ: 1/4 đơn vị. Chưa nộp: 3 đơn vị.",
		"  1. Xã Hợp Lý (mã TS02)\n     Liên hệ: Nguyễn Văn Đức, email hoply@trieuson.vn; vp.hoply@trieuson.vn",
		"  2. Xã Hợp Thành (mã TS03)\n     Liên hệ: điện thoại 0237 386 0003",
		"  3. Xã Dân Lực\n", "chép vào thư mục nhận báo cáo của UBND huyện Triệu Sơn")
	if strings.Contains(text, f.dir) {
		t.Errorf("the notice tells communes the server's path:\n%s", text)
	}
	if strings.Contains(text, "Triệu Thành") {
		t.Error("a unit that submitted is listed")
	}
}

func TestClose(t *testing.T) {
	f := newFixture(t, nil)
	f.accept(t, ts01, "TS01", 2023, "thanhhoa-xa-2023")
	calls := 0
	f.col.Final = func(context.Context) error { calls++; return nil }
	if err := f.col.Close(context.Background(), at(2023, 12, 20, 17, 0)); err != nil {
		t.Fatal(err)
	}
	text := readNotice(t, f.outbox("2023", "chua-nop-2023.txt"))
	wantContains(t, "close notice", text, "KHÔNG NỘP", "17:00 ngày 20/12/2023", "Không nộp: 3 đơn vị", "Xã Hợp Lý (mã TS02)")
	if calls != 1 {
		t.Errorf("Final called %d times", calls)
	}
	f.col.Final = func(context.Context) error { return errors.New("disk full") }
	if err := f.col.Close(context.Background(), at(2023, 12, 15, 17, 0)); err == nil {
		t.Error("a failed final ranking did not fail the close")
	}
	// No roster: no list, the final ranking all the same.
	f.col.Roster = nil
	calls = 0
	f.col.Final = func(context.Context) error { calls++; return nil }
	if err := f.col.Close(context.Background(), at(2023, 12, 15, 17, 0)); err != nil || calls != 1 {
		t.Errorf("no roster: %v, %d calls", err, calls)
	}
}

// daemon runs a collector's jobs on a calendar with a manual clock, as
// `chiso serve` would, until stop.
type daemon struct {
	t     *testing.T
	clock *testkit.ManualClock
	cal   *calendar.Calendar
	done  chan string
	stop  func()
}

func startDaemon(t *testing.T, col *Collector, now time.Time) *daemon {
	t.Helper()
	d := &daemon{t: t, clock: testkit.NewManualClock(now), done: make(chan string, 20)}
	col.Now = d.clock.Now
	d.cal = calendar.New(hcm, col.Ledger, d.clock.Now, col.Log)
	d.cal.After = d.clock.After
	d.cal.Finished = func(name string, occ time.Time, err error) {
		s := name + " " + occ.Format("2006-01-02 15:04")
		if err != nil {
			s += " error: " + err.Error()
		}
		d.done <- s
	}
	if _, err := col.Register(d.cal); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.cal.Start(ctx) }()
	d.stop = func() {
		cancel()
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(func() {
		if d.stop != nil {
			d.stop()
		}
	})
	d.idle()
	return d
}

func (d *daemon) shutdown() {
	d.stop()
	d.stop = nil
}

func (d *daemon) idle() {
	d.t.Helper()
	if !d.clock.WaitForWaiters(1, 10*time.Second) {
		d.t.Fatal("the calendar is not waiting")
	}
}

func (d *daemon) set(t time.Time) {
	d.t.Helper()
	d.idle()
	d.clock.Set(t)
	d.idle()
}

// want waits for the named runs, in order.
func (d *daemon) want(runs ...string) {
	d.t.Helper()
	for _, w := range runs {
		select {
		case got := <-d.done:
			if got != w {
				d.t.Fatalf("ran %q; want %q", got, w)
			}
		case <-time.After(30 * time.Second):
			d.t.Fatalf("%q did not run", w)
		}
	}
	d.idle()
	select {
	case got := <-d.done:
		d.t.Fatalf("unexpected run %q", got)
	case <-time.After(50 * time.Millisecond):
	}
}

func smtpCollector(t *testing.T, srv *smtpServer) *fixture {
	t.Helper()
	cfg := mail.Options{Host: "127.0.0.1", Port: srv.Port, From: "Chỉ số CĐS Triệu Sơn <chiso@trieuson.vn>", TLS: "none"}
	sender, err := mail.NewSMTP(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sender.HELO = "localhost"
	return newFixture(t, sender)
}

const subject2023 = "Nhắc nộp biểu mẫu tự đánh giá chuyển đổi số năm 2023 — hạn 15/12/2023"

// TestNovemberThroughTheCalendar runs the whole collection on a manual
// clock: opening, a weekly reminder by e-mail, downtime with catch-up and
// restarts without duplicates, the reminders before the deadline and the
// close.
func TestNovemberThroughTheCalendar(t *testing.T) {
	srv := startSMTP(t)
	f := smtpCollector(t, srv)
	f.col.Labels = layout.Labels{Inbox: `\\may-chu\dti\nop-bao-cao`, Outbox: `\\may-chu\dti\ket-qua`}
	finals := 0
	f.col.Final = func(context.Context) error { finals++; return nil }

	d := startDaemon(t, f.col, at(2023, 10, 31, 12, 0))
	next := d.cal.Next()
	if !next["opening"].Equal(at(2023, 11, 1, 8, 0)) || !next["close"].Equal(at(2023, 12, 20, 17, 0)) {
		t.Errorf("Next = %v", next)
	}
	d.want() // nothing to catch up on a first start in October
	d.set(at(2023, 11, 1, 8, 0))
	d.want("opening 2023-11-01 08:00")
	if _, err := os.Stat(f.outbox("2023", "bieu-mau", "bieu-mau-ts02-xa-hop-ly-2023.xlsx")); err != nil {
		t.Fatal(err)
	}
	readNotice(t, f.outbox("2023", "thong-bao-thu-thap-2023.txt"))
	if got := srv.take(); len(got) != 0 {
		t.Errorf("the opening sent %d e-mails", len(got))
	}

	// Monday 6 November: Triệu Thành has submitted.
	f.accept(t, ts01, "TS01", 2023, "thanhhoa-xa-2023")
	d.set(at(2023, 11, 6, 8, 0))
	d.want("reminder-1 2023-11-06 08:00")
	got := srv.take()
	if len(got) != 3 {
		t.Fatalf("%d e-mails; want Dân Lực, Hợp Lý and the office", len(got))
	}
	danLucMail, hopLyMail, office := got[0], got[1], got[2]
	if strings.Join(hopLyMail.To, ",") != "hoply@trieuson.vn,vp.hoply@trieuson.vn" ||
		strings.Join(danLucMail.To, ",") != "danluc@trieuson.vn" || strings.Join(office.To, ",") != "vhtt@trieuson.vn" {
		t.Fatalf("recipients: %v, %v, %v", hopLyMail.To, danLucMail.To, office.To)
	}
	if hopLyMail.Subject != subject2023 || danLucMail.Subject != subject2023 {
		t.Errorf("subjects %q, %q", hopLyMail.Subject, danLucMail.Subject)
	}
	wantContains(t, "e-mail to Hợp Lý", hopLyMail.Text,
		"Kính gửi: Xã Hợp Lý (đồng chí Nguyễn Văn Đức),",
		"Đến 06/11/2023, UBND huyện Triệu Sơn chưa nhận được biểu mẫu tự đánh giá mức độ chuyển đổi số năm 2023 hợp lệ của đơn vị.",
		"Hạn nộp: 15/12/2023 (còn 39 ngày).", "Mở tệp đính kèm bieu-mau-ts02-xa-hop-ly-2023.xlsx bằng Excel",
		"Chỉ điền vào các ô màu vàng", "định dạng .xlsx", `Chép tệp đã điền vào \\may-chu\dti\nop-bao-cao`,
		`xem thông báo lý do ở \\may-chu\dti\ket-qua\thong-bao`,
		"Phòng Văn hóa và Thông tin, UBND huyện Triệu Sơn, điện thoại 0237 3865 123")
	for _, m := range got {
		if strings.Contains(m.Text, f.dir) {
			t.Errorf("an e-mail tells the server's path:\n%s", m.Text)
		}
	}
	if len(hopLyMail.Files) != 1 {
		t.Fatalf("attachments: %v", len(hopLyMail.Files))
	}
	att := hopLyMail.Files["bieu-mau-ts02-xa-hop-ly-2023.xlsx"]
	if m := templateMeta(t, att); m.UnitCode != "TS02" || m.UnitName != "Xã Hợp Lý" || m.Year != "2023" {
		t.Errorf("attachment meta %+v", m)
	}
	if m := templateMeta(t, danLucMail.Files["bieu-mau-xa-dan-luc-2023.xlsx"]); m.UnitName != "Xã Dân Lực" {
		t.Errorf("Dân Lực's attachment meta %+v", m)
	}
	if !strings.HasPrefix(office.Subject, "Đơn vị chưa nộp biểu mẫu chuyển đổi số năm 2023: 3/4 — ngày 06/11/2023") {
		t.Errorf("office subject %q", office.Subject)
	}
	wantContains(t, "office summary", office.Text, "Xã Hợp Lý (mã TS02)", "Xã Hợp Thành (mã TS03)", "Xã Dân Lực",
		"Đã gửi (2): Xã Hợp Lý, Xã Dân Lực", "Không có địa chỉ email trong danh sách đơn vị (1): Xã Hợp Thành")
	readNotice(t, f.outbox("2023", "nhac-nop-2023-11-06.txt"))
	if n := strings.Count(f.logs.String(), `"action":"reminder-sent"`); n != 3 {
		t.Errorf("%d audit lines for e-mails sent; want 3", n)
	}

	// Down from the 7th to Wednesday the 22nd, missing the 13th and the
	// 20th; Hợp Lý submitted meanwhile. One catch-up, for the 20th.
	d.shutdown()
	f.accept(t, ts02, "TS02", 2023, "thanhhoa-xa-2023")
	d = startDaemon(t, f.col, at(2023, 11, 22, 10, 0))
	d.want("reminder-1 2023-11-20 08:00")
	got = srv.take()
	if len(got) != 2 || got[0].To[0] != "danluc@trieuson.vn" || got[1].To[0] != "vhtt@trieuson.vn" {
		t.Fatalf("catch-up e-mails: %+v", got)
	}
	if _, err := os.Stat(f.outbox("2023", "nhac-nop-2023-11-20.txt")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(f.outbox("2023", "nhac-nop-2023-11-13.txt")); err == nil {
		t.Error("the missed 13th was caught up as well")
	}

	// Restarted again the same day: nothing runs, nothing is sent twice.
	d.shutdown()
	d = startDaemon(t, f.col, at(2023, 11, 22, 10, 5))
	d.want()
	if got := srv.take(); len(got) != 0 {
		t.Fatalf("a restart sent %d e-mails again", len(got))
	}

	// Reminders before the deadline, then the close.
	d.set(at(2023, 12, 12, 8, 0))
	d.want("before-deadline-3 2023-12-12 08:00")
	got = srv.take()
	if len(got) != 2 || !strings.Contains(got[0].Text, "Hạn nộp: 15/12/2023 (còn 3 ngày).") {
		t.Fatalf("before-deadline-3 e-mails: %+v", got)
	}
	d.set(at(2023, 12, 14, 8, 0))
	d.want("before-deadline-1 2023-12-14 08:00")
	if got := srv.take(); len(got) != 2 || !strings.Contains(got[0].Text, "(ngày mai)") {
		t.Fatalf("before-deadline-1 e-mails: %d", len(got))
	}
	d.set(at(2023, 12, 20, 17, 0))
	d.want("close 2023-12-20 17:00")
	text := readNotice(t, f.outbox("2023", "chua-nop-2023.txt"))
	wantContains(t, "close", text, "Không nộp: 2 đơn vị", "Xã Hợp Thành (mã TS03)", "Xã Dân Lực")
	if finals != 1 {
		t.Errorf("final ranking built %d times", finals)
	}
	if got := srv.take(); len(got) != 0 {
		t.Errorf("the close sent %d e-mails", len(got))
	}
}

// TestPartialFailureRetriedWithoutDuplicates: one unit's e-mail fails, so
// the run fails and is not recorded; the restart retries the same
// occurrence and sends only what is missing.
func TestPartialFailureRetriedWithoutDuplicates(t *testing.T) {
	rec := &recorder{fail: map[string]bool{"danluc@trieuson.vn": true}}
	f := newFixture(t, rec)
	f.col.Schedule.DaysBefore = nil
	f.col.Collection.Opening = time.Time{}
	d := startDaemon(t, f.col, at(2023, 11, 6, 7, 0))
	d.set(at(2023, 11, 6, 8, 0))
	d.want("reminder-1 2023-11-06 08:00 error: Xã Dân Lực: 550 mailbox unavailable")
	first := rec.take()
	if len(first) != 3 { // TS01, TS02 and the office
		t.Fatalf("first try sent %d", len(first))
	}
	if !strings.Contains(first[2].Text, "Gửi không được (1, sẽ thử lại): Xã Dân Lực") {
		t.Errorf("office summary:\n%s", first[2].Text)
	}
	if !strings.Contains(f.logs.String(), `"action":"reminder-failed"`) {
		t.Error("no audit line for the failure")
	}
	d.shutdown()

	delete(rec.fail, "danluc@trieuson.vn")
	d = startDaemon(t, f.col, at(2023, 11, 6, 9, 0))
	d.want("reminder-1 2023-11-06 08:00")
	again := rec.take()
	if len(again) != 1 || again[0].To[0] != "danluc@trieuson.vn" {
		t.Fatalf("the retry sent %d: %+v", len(again), again)
	}
	d.shutdown()
	d = startDaemon(t, f.col, at(2023, 11, 6, 9, 30))
	d.want()
	if n := len(rec.take()); n != 0 {
		t.Errorf("a third start sent %d", n)
	}
	// chiso remind: a new occurrence, everyone missing again.
	if err := d.cal.RunNow(context.Background(), "reminder-1"); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.take()); n != 4 {
		t.Errorf("RunNow sent %d; want 3 units and the office", n)
	}
}

// TestDatedCollection moves the clock across the stages of one dated
// collection (opening 1 November, deadline 15 December, close 20 December
// 2023), restarting the daemon in each: the opening runs however late until
// the deadline, reminders only between the opening and the deadline, the
// close once, and a daemon started after the close runs nothing.
func TestDatedCollection(t *testing.T) {
	f := newFixture(t, nil)
	finals := 0
	f.col.Final = func(context.Context) error { finals++; return nil }

	// Before the opening: nothing.
	d := startDaemon(t, f.col, at(2023, 10, 20, 9, 0))
	d.want()
	d.shutdown()

	// Started three weeks after the opening: the opening first (templates
	// for every unit, the reminders point to them), then the last Monday's
	// reminder; not the earlier Mondays.
	d = startDaemon(t, f.col, at(2023, 11, 22, 10, 0))
	d.want("opening 2023-11-01 08:00", "reminder-1 2023-11-20 08:00")
	if _, err := os.Stat(f.outbox("2023", "bieu-mau", "bieu-mau-ts01-xa-trieu-thanh-2023.xlsx")); err != nil {
		t.Error(err)
	}
	d.shutdown()
	d = startDaemon(t, f.col, at(2023, 11, 22, 10, 5)) // restarted: nothing again
	d.want()
	d.set(at(2023, 12, 12, 8, 0))
	d.want("before-deadline-3 2023-12-12 08:00")
	d.shutdown()

	// Down over the last reminder (14 December) and the deadline: after the
	// deadline nothing is caught up, nothing reminds.
	d = startDaemon(t, f.col, at(2023, 12, 17, 9, 0))
	d.want()
	if _, err := os.Stat(f.outbox("2023", "nhac-nop-2023-12-14.txt")); err == nil {
		t.Error("a reminder was sent after the deadline")
	}
	if next := d.cal.Next(); len(next) != 1 || !next["close"].Equal(at(2023, 12, 20, 17, 0)) {
		t.Errorf("after the deadline, Next = %v; want only the close", next)
	}
	d.set(at(2023, 12, 20, 17, 0))
	d.want("close 2023-12-20 17:00")
	d.shutdown()

	// Restarted after the close: nothing runs, the final ranking is not
	// built again.
	d = startDaemon(t, f.col, at(2023, 12, 21, 8, 0))
	d.want()
	if len(d.cal.Next()) != 0 {
		t.Errorf("after the close, Next = %v", d.cal.Next())
	}
	d.shutdown()
	if finals != 1 {
		t.Errorf("final ranking built %d times", finals)
	}

	// A fresh install started years later on this collection (the
	// issue: the first serve of 2026 on a 2023 config): nothing at all.
	g := newFixture(t, nil)
	g.col.Final = func(context.Context) error { t.Error("a final ranking years after the close"); return nil }
	d = startDaemon(t, g.col, at(2026, 12, 1, 9, 0))
	d.want()
	if entries, _ := os.ReadDir(g.outbox()); len(entries) != 0 {
		t.Errorf("a 2023 collection started in 2026 wrote %d outputs", len(entries))
	}
}
