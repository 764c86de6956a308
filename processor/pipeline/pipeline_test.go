package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/intake"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// plRubricID and plYear are what the test pipelines collect.
const (
	plRubricID = "thanhhoa-xa-2023"
	plYear     = 2023
)

// plNow is the fixed clock of the test pipelines.
var plNow = time.Date(2023, 11, 20, 9, 30, 0, 0, time.Local)

var plRoster = []roster.Unit{
	{Code: "TS01", Name: "Xã Triệu Thành"},
	{Code: "TS02", Name: "Phường Hàm Rồng"},
	{Code: "TS03", Name: "Thị trấn Nưa"},
	{Code: "TS04", Name: "Xã Thọ Ngọc"},
}

func plRubrics(t testing.TB) *rubric.Set { return books.Rubrics(t) }

// plBook returns a realistic filled workbook for the roster unit code,
// varied by seed.
func plBook(t testing.TB, code string, seed uint64) []byte {
	t.Helper()
	for _, u := range plRoster {
		if u.Code == code {
			return books.Filled(t, u, books.Options{Seed: seed, Missing: 0.05, SelfNoise: 0.3})
		}
	}
	t.Fatalf("no unit %s in the test roster", code)
	return nil
}

// plEnv is a pipeline on fresh folders under t.TempDir().
type plEnv struct {
	t                                           *testing.T
	dir, inbox, outbox, archive, rejected, data string
	p                                           *Pipeline
}

func newPlEnv(t *testing.T, workers int) *plEnv {
	t.Helper()
	dir := t.TempDir()
	e := &plEnv{t: t, dir: dir, inbox: filepath.Join(dir, "inbox"), outbox: filepath.Join(dir, "outbox"),
		archive: filepath.Join(dir, "luu-tru"), rejected: filepath.Join(dir, "khong-hop-le"), data: filepath.Join(dir, "data")}
	for _, d := range []string{e.inbox, e.outbox, e.archive, e.rejected, e.data} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	l, err := ledger.Open(e.data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	e.p = &Pipeline{
		Evaluator: &Evaluator{Rubrics: plRubrics(t), Rubric: plRubricID, Roster: roster.NewIndex(plRoster),
			MaxFileSize: 20 << 20, Workbook: books.Limits},
		Collection: collection.Collection{Year: plYear},
		Folders:    layout.Folders{Inbox: e.inbox, Outbox: e.outbox, Archive: e.archive, Rejected: e.rejected, Data: e.data},
		Ledger:     l, Workers: workers, Now: func() time.Time { return plNow }, Log: zerolog.Nop(),
		arrival: arrivedAtModTime,
	}
	return e
}

// arrivedAtModTime makes a file arrive at its modification time: the tests
// set that time to say when a file was dropped (they cannot wait minutes
// between drops, nor set the change time the pipeline really goes by).
func arrivedAtModTime(e *intake.Entry) { e.Arrived = e.Modified }

// drop writes a file into the inbox, its modification time age minutes
// before the pipeline's clock (so the order of drops is deterministic).
func (e *plEnv) drop(name string, data []byte, age int) string {
	e.t.Helper()
	p := filepath.Join(e.inbox, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		e.t.Fatal(err)
	}
	mt := plNow.Add(-time.Duration(age) * time.Minute)
	if err := os.Chtimes(p, mt, mt); err != nil {
		e.t.Fatal(err)
	}
	return p
}

func (e *plEnv) run() Summary {
	e.t.Helper()
	sum, err := e.p.Run(context.Background())
	if err != nil {
		e.t.Fatalf("Run: %v", err)
	}
	return sum
}

func (e *plEnv) files() []ledger.File {
	e.t.Helper()
	fs, err := e.p.Ledger.Files(context.Background())
	if err != nil {
		e.t.Fatal(err)
	}
	return fs
}

// byName returns the ledger rows of the file named name.
func (e *plEnv) byName(name string) []ledger.File {
	var out []ledger.File
	for _, f := range e.files() {
		if f.Name == name {
			out = append(out, f)
		}
	}
	return out
}

// one returns the single ledger row of name, failing otherwise.
func (e *plEnv) one(name string) ledger.File {
	e.t.Helper()
	rows := e.byName(name)
	if len(rows) != 1 {
		e.t.Fatalf("%s: %d ledger rows, want 1: %+v", name, len(rows), rows)
	}
	return rows[0]
}

// checkSettled checks what must hold after every run: no row processing,
// nothing left in the claim folder or the inbox, every row's original at its
// stored path with the recorded hash, every output present.
func (e *plEnv) checkSettled() {
	e.t.Helper()
	for _, f := range e.files() {
		if f.State != ledger.StateDone {
			e.t.Errorf("%s (id %d): state %q", f.Name, f.ID, f.State)
			continue
		}
		switch f.Outcome {
		case ledger.Accepted, ledger.Superseded, ledger.Duplicate:
			if !strings.HasPrefix(f.StoredPath, e.archive+string(filepath.Separator)) {
				e.t.Errorf("%s: %s kept at %s, not in the archive", f.Name, f.Outcome, f.StoredPath)
			}
		case ledger.Rejected:
			if !strings.HasPrefix(f.StoredPath, e.rejected+string(filepath.Separator)) {
				e.t.Errorf("%s: rejected, kept at %s, not in the rejected folder", f.Name, f.StoredPath)
			}
		default:
			e.t.Errorf("%s: outcome %q", f.Name, f.Outcome)
		}
		if got := plHashFile(e.t, f.StoredPath); got != f.SHA256 {
			e.t.Errorf("%s: stored %s has hash %s, ledger says %s", f.Name, f.StoredPath, got, f.SHA256)
		}
		if _, err := os.Stat(f.OutputPath); err != nil {
			e.t.Errorf("%s: output: %v", f.Name, err)
		}
	}
	if left := plListFiles(e.t, e.p.Folders.ClaimDir()); len(left) > 0 {
		e.t.Errorf("left in the claim folder: %v", left)
	}
	if left, _, _ := intake.Scan(e.inbox, time.Now()); len(left) > 0 {
		e.t.Errorf("left in the inbox: %v", left)
	}
}

func plHashFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("read %s: %v", path, err)
		return ""
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// plListFiles lists the regular files under dir, relative, sorted.
func plListFiles(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// plSnapshot describes every file under dir with its size, hash and
// modification time.
func plSnapshot(t testing.TB, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, rel := range plListFiles(t, dir) {
		p := filepath.Join(dir, rel)
		info, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Base(rel) == "chiso.db" || strings.HasPrefix(filepath.Base(rel), "chiso.db-") {
			fmt.Fprintf(&b, "%s (ledger)\n", rel) // compared by its rows instead
			continue
		}
		fmt.Fprintf(&b, "%s %d %s %s\n", rel, info.Size(), plHashFile(t, p)[:12], info.ModTime().Format(time.RFC3339Nano))
	}
	return b.String()
}

// plOpenResult opens an annotated workbook and checks its first sheet.
func plOpenResult(t testing.TB, path string) *excelize.File {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	if sheets := f.GetSheetList(); len(sheets) < 2 || sheets[0] != workbook.SheetScorecard || sheets[1] != workbook.SheetResult {
		t.Errorf("%s: sheets %q, want %q then %q first", path, sheets, workbook.SheetScorecard, workbook.SheetResult)
	}
	return f
}

// plSheetText returns every cell value of a sheet, joined.
func plSheetText(t testing.TB, f *excelize.File, sheet string) string {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, "\t"))
		b.WriteByte('\n')
	}
	return b.String()
}

func TestAcceptedThenDuplicate(t *testing.T) {
	e := newPlEnv(t, 2)
	book := plBook(t, "TS01", 1)
	e.drop("Biểu mẫu Triệu Thành.xlsx", book, 10)
	sum := e.run()
	if sum.Counts[ledger.Accepted] != 1 || len(sum.Files) != 1 {
		t.Fatalf("summary %v", sum.Counts)
	}
	f := e.one("Biểu mẫu Triệu Thành.xlsx")
	if f.Outcome != ledger.Accepted || f.UnitCode != "TS01" || f.UnitName != "Xã Triệu Thành" || f.Year != plYear || f.RubricID != plRubricID {
		t.Errorf("row %+v", f)
	}
	if f.SHA256 != intake.Hash(book) || f.Size != int64(len(book)) {
		t.Errorf("hash %s size %d, want %s %d", f.SHA256, f.Size, intake.Hash(book), len(book))
	}
	if !f.ReceivedAt.Equal(plNow.Add(-10 * time.Minute)) {
		t.Errorf("received %v, want the file's time %v", f.ReceivedAt, plNow.Add(-10*time.Minute))
	}
	out := filepath.Join(e.outbox, "2023", "ts01-xa-trieu-thanh", "ket-qua-ts01-xa-trieu-thanh-2023.xlsx")
	if f.OutputPath != out {
		t.Errorf("output %s, want %s", f.OutputPath, out)
	}
	x := plOpenResult(t, out)
	text := plSheetText(t, x, workbook.SheetResult)
	x.Close()
	for _, s := range []string{"Xã Triệu Thành", "Biểu mẫu Triệu Thành.xlsx", f.SHA256} {
		if !strings.Contains(text, s) {
			t.Errorf("result sheet lacks %q", s)
		}
	}
	if archived := plListFiles(t, e.archive); len(archived) != 1 || !strings.HasPrefix(archived[0], "2023"+string(filepath.Separator)) {
		t.Errorf("archive: %v", archived)
	}
	if got, _ := os.ReadFile(f.StoredPath); !bytes.Equal(got, book) {
		t.Error("archived original differs from the file dropped")
	}
	if len(plListFiles(t, e.rejected)) != 0 {
		t.Errorf("rejected: %v", plListFiles(t, e.rejected))
	}
	e.checkSettled()
	resultBefore := plHashFile(t, out)

	// The same bytes again, under another name, in a later run.
	e.drop("Triệu Thành gửi lại.xlsx", book, 1)
	sum = e.run()
	if sum.Counts[ledger.Duplicate] != 1 || len(sum.Files) != 1 {
		t.Fatalf("second run: %v", sum.Counts)
	}
	d := e.one("Triệu Thành gửi lại.xlsx")
	if d.Outcome != ledger.Duplicate || d.DuplicateOf != f.ID || d.UnitCode != "TS01" {
		t.Errorf("duplicate row %+v", d)
	}
	if got := e.one("Biểu mẫu Triệu Thành.xlsx"); got.Outcome != ledger.Accepted {
		t.Errorf("first file became %s", got.Outcome)
	}
	notice, err := os.ReadFile(d.OutputPath)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.OutputPath, filepath.Join(e.outbox, "thong-bao")) || !strings.Contains(string(notice), "Biểu mẫu Triệu Thành.xlsx") || !strings.Contains(string(notice), "TỆP TRÙNG") {
		t.Errorf("notice %s:\n%s", d.OutputPath, notice)
	}
	if plHashFile(t, out) != resultBefore {
		t.Error("a duplicate rewrote the result workbook")
	}
	if n := len(plListFiles(t, e.archive)); n != 2 {
		t.Errorf("archive holds %d files, want 2", n)
	}
	e.checkSettled()
}

func TestCorrectedResubmission(t *testing.T) {
	e := newPlEnv(t, 2)
	first, second := plBook(t, "TS02", 1), plBook(t, "TS02", 2)
	if bytes.Equal(first, second) {
		t.Fatal("seeds 1 and 2 gave the same workbook")
	}
	e.drop("ham-rong.xlsx", first, 30)
	e.run()
	a := e.one("ham-rong.xlsx")
	out := filepath.Join(e.outbox, "2023", "ts02-phuong-ham-rong", "ket-qua-ts02-phuong-ham-rong-2023.xlsx")
	if a.Outcome != ledger.Accepted || a.OutputPath != out {
		t.Fatalf("first: %s %s", a.Outcome, a.OutputPath)
	}
	// Same name, corrected content.
	e.drop("ham-rong.xlsx", second, 5)
	e.run()
	rows := e.byName("ham-rong.xlsx")
	if len(rows) != 2 {
		t.Fatalf("%d rows", len(rows))
	}
	old, cur := rows[0], rows[1]
	if old.Outcome != ledger.Superseded || old.SupersededBy != cur.ID {
		t.Errorf("first submission: %s superseded_by %d, want superseded by %d", old.Outcome, old.SupersededBy, cur.ID)
	}
	if cur.Outcome != ledger.Accepted || cur.OutputPath != out || cur.SHA256 != intake.Hash(second) {
		t.Errorf("resubmission: %s %s", cur.Outcome, cur.OutputPath)
	}
	x := plOpenResult(t, out)
	text := plSheetText(t, x, workbook.SheetResult)
	x.Close()
	if !strings.Contains(text, cur.SHA256) || strings.Contains(text, old.SHA256) {
		t.Error("the result workbook is not the resubmission's")
	}
	if got := plListFiles(t, filepath.Join(e.outbox, "2023")); len(got) != 1 {
		t.Errorf("results: %v, want the one file replaced", got)
	}
	// Both originals kept, under distinct names.
	if got := plListFiles(t, e.archive); len(got) != 2 {
		t.Errorf("archive: %v", got)
	}
	e.checkSettled()
	acc, err := e.p.Ledger.Accepted(context.Background(), plYear, plRubricID)
	if err != nil || len(acc) != 1 || acc[0].ID != cur.ID {
		t.Errorf("accepted: %v %v", acc, err)
	}
}

func TestRerunChangesNothing(t *testing.T) {
	e := newPlEnv(t, 2)
	e.drop("a.xlsx", plBook(t, "TS01", 1), 20)
	e.drop("b.xlsx", plBook(t, "TS02", 1), 19)
	e.drop("b-copy.xlsx", plBook(t, "TS02", 1), 18)
	e.drop("scan.pdf", []byte("%PDF-1.4\n"), 17)
	e.drop("old.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 512)...), 16)
	e.drop("~$a.xlsx", []byte("owner"), 15)
	e.run()
	e.checkSettled()
	before, rowsBefore := plSnapshot(t, e.dir), fmt.Sprintf("%+v", e.files())
	for i := 0; i < 2; i++ {
		sum := e.run()
		if len(sum.Files) != 0 {
			t.Errorf("re-run %d processed %d files", i+1, len(sum.Files))
		}
	}
	if after := plSnapshot(t, e.dir); after != before {
		t.Errorf("folders changed by a re-run:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if rowsAfter := fmt.Sprintf("%+v", e.files()); rowsAfter != rowsBefore {
		t.Errorf("ledger changed by a re-run:\nbefore: %s\nafter:  %s", rowsBefore, rowsAfter)
	}
	// The owner file is left alone.
	if _, err := os.Stat(filepath.Join(e.inbox, "~$a.xlsx")); err != nil {
		t.Error(err)
	}
}

func TestBurstDuplicate(t *testing.T) {
	book := plBook(t, "TS03", 1)
	for trial := 0; trial < 3; trial++ {
		e := newPlEnv(t, 4)
		// Same modification time: both copies are handed out at once.
		e.drop("nua.xlsx", book, 3)
		e.drop("nua - Copy.xlsx", book, 3)
		e.drop("tho-ngoc.xlsx", plBook(t, "TS04", 1), 3)
		e.drop("ham-rong.xlsx", plBook(t, "TS02", 1), 3)
		sum := e.run()
		if sum.Counts[ledger.Accepted] != 3 || sum.Counts[ledger.Duplicate] != 1 || len(e.files()) != 4 {
			t.Fatalf("trial %d: %v, %d rows", trial, sum.Counts, len(e.files()))
		}
		a, b := e.one("nua.xlsx"), e.one("nua - Copy.xlsx")
		if a.Outcome == b.Outcome {
			t.Errorf("trial %d: both copies %s", trial, a.Outcome)
		}
		dup, orig := b, a
		if a.Outcome == ledger.Duplicate {
			dup, orig = a, b
		}
		if orig.Outcome != ledger.Accepted || dup.DuplicateOf != orig.ID {
			t.Errorf("trial %d: %s, and the copy a duplicate of %d, want accepted and %d", trial, orig.Outcome, dup.DuplicateOf, orig.ID)
		}
		e.checkSettled()
	}
}

// TestRecoverKeepsArrival: a file claimed and never recorded (killed
// between the claim's rename and the ledger row) keeps its arrival in the
// inbox, not the claim's time: the commune's correction that arrived after
// it, still in the inbox, is the current submission, and the original is
// superseded (a kill trial found them the other way round).
func TestRecoverKeepsArrival(t *testing.T) {
	e := newPlEnv(t, 1)
	claim := e.p.Folders.ClaimDir()
	if err := os.MkdirAll(claim, 0o755); err != nil {
		t.Fatal(err)
	}
	arrived, claimed := plNow.Add(-2*time.Hour), plNow.Add(-time.Minute)
	orig := filepath.Join(claim, layout.ClaimName("trieu-thanh.xlsx", arrived, claimed))
	if err := os.WriteFile(orig, plBook(t, "TS01", 1), 0o644); err != nil {
		t.Fatal(err)
	}
	// The claim's rename is the file's last change (here its mtime, which
	// the test pipeline reads as the arrival).
	if err := os.Chtimes(orig, claimed, claimed); err != nil {
		t.Fatal(err)
	}
	e.drop("trieu-thanh-sua.xlsx", plBook(t, "TS01", 2), 60)
	e.run()
	o, c := e.one("trieu-thanh.xlsx"), e.one("trieu-thanh-sua.xlsx")
	if !o.ReceivedAt.Equal(arrived) {
		t.Errorf("original received %v, want its arrival %v", o.ReceivedAt, arrived)
	}
	if o.Outcome != ledger.Superseded || c.Outcome != ledger.Accepted {
		t.Errorf("original %s, correction %s: want superseded and accepted", o.Outcome, c.Outcome)
	}
	e.checkSettled()
}

// TestLedgerDownAtClaim: the ledger fails as a file is claimed: the run
// stops with a service error, the file stays claimed (not put back over a
// correction dropped under its name meanwhile), and the next run with a
// working ledger records it with its arrival, before that correction.
func TestLedgerDownAtClaim(t *testing.T) {
	e := newPlEnv(t, 1)
	e.drop("trieu-thanh.xlsx", plBook(t, "TS01", 1), 120)
	// The ledger goes down as the file is claimed: Begin fails.
	e.p.fault = func(stage, _ string) error {
		if stage == "claim" {
			e.p.Ledger.Close()
		}
		return nil
	}
	if _, err := e.p.Run(context.Background()); err == nil {
		t.Fatal("run with a closed ledger: no error")
	}
	claimed := plListFiles(t, e.p.Folders.ClaimDir())
	if len(claimed) != 1 {
		t.Fatalf("claim folder %v, want the file", claimed)
	}
	e.drop("trieu-thanh.xlsx", plBook(t, "TS01", 2), 60) // the correction, same name
	l, err := ledger.Open(e.data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	e.p.Ledger, e.p.fault = l, nil
	e.run()
	rows := e.byName("trieu-thanh.xlsx")
	if len(rows) != 2 {
		t.Fatalf("%d rows, want the original and the correction: %+v", len(rows), rows)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].ReceivedAt.Before(rows[j].ReceivedAt) })
	if rows[0].Outcome != ledger.Superseded || rows[1].Outcome != ledger.Accepted || !rows[0].ReceivedAt.Equal(plNow.Add(-120*time.Minute)) {
		t.Errorf("original %s at %v, correction %s: want superseded at its arrival, and accepted", rows[0].Outcome, rows[0].ReceivedAt, rows[1].Outcome)
	}
	e.checkSettled()
}

// TestRecover simulates the states a crash leaves, without a process.
func TestRecover(t *testing.T) {
	e := newPlEnv(t, 2)
	ctx := context.Background()
	claim := e.p.Folders.ClaimDir()
	if err := os.MkdirAll(claim, 0o755); err != nil {
		t.Fatal(err)
	}
	received := plNow.Add(-time.Hour)
	// (a) Claimed, then killed before the ledger row was written.
	pathA := filepath.Join(claim, "lx0a1b2c-trieu-thanh.xlsx")
	os.WriteFile(pathA, plBook(t, "TS01", 1), 0o644)
	timeA := plNow.Add(-3 * time.Hour) // kept by the claim's rename
	os.Chtimes(pathA, timeA, timeA)
	// (b) A row processing, its file still in the claim folder.
	pathB := filepath.Join(claim, "lx0a1b2d-ham-rong.xlsx")
	os.WriteFile(pathB, plBook(t, "TS02", 1), 0o644)
	idB, err := e.p.Ledger.Begin(ctx, ledger.File{Name: "ham-rong.xlsx", ReceivedAt: received, ClaimPath: pathB})
	if err != nil {
		t.Fatal(err)
	}
	// (c) A row processing whose file was already moved to its stored path
	// (killed between the move and the outcome).
	pathC := filepath.Join(claim, "lx0a1b2e-nua.xlsx")
	os.WriteFile(pathC, plBook(t, "TS03", 1), 0o644)
	rowC := ledger.File{Name: "nua.xlsx", ReceivedAt: received, ClaimPath: pathC}
	if rowC.ID, err = e.p.Ledger.Begin(ctx, rowC); err != nil {
		t.Fatal(err)
	}
	storedC := e.p.Folders.ArchivePath(2023, rowC.ReceivedAt, rowC.ID, rowC.Name)
	if err := e.p.Ledger.SetStored(ctx, rowC.ID, storedC); err != nil {
		t.Fatal(err)
	}
	if err := intake.Move(pathC, storedC); err != nil {
		t.Fatal(err)
	}
	// (c') The same for a file that was being rejected.
	pathR := filepath.Join(claim, "lx0a1b2f-scan.pdf")
	os.WriteFile(pathR, []byte("%PDF-1.4\n"), 0o644)
	rowR := ledger.File{Name: "scan.pdf", ReceivedAt: received, ClaimPath: pathR}
	if rowR.ID, err = e.p.Ledger.Begin(ctx, rowR); err != nil {
		t.Fatal(err)
	}
	storedR := e.p.Folders.RejectedPath(rowR.ReceivedAt, rowR.ID, rowR.Name)
	e.p.Ledger.SetStored(ctx, rowR.ID, storedR)
	if err := intake.Move(pathR, storedR); err != nil {
		t.Fatal(err)
	}
	// (d) A row processing whose file is nowhere: recorded as lost, not
	// retried forever.
	idD, _ := e.p.Ledger.Begin(ctx, ledger.File{Name: "mat.xlsx", ReceivedAt: received, ClaimPath: filepath.Join(claim, "lx0a1b30-mat.xlsx")})
	// And a new file in the inbox, processed after the recovery.
	e.drop("tho-ngoc.xlsx", plBook(t, "TS04", 1), 1)

	sum := e.run()
	if len(sum.Files) != 6 {
		t.Errorf("run returned %d files, want 6", len(sum.Files))
	}
	rows := e.files()
	if len(rows) != 6 {
		t.Fatalf("%d ledger rows, want 6: %+v", len(rows), rows)
	}
	a := e.one("trieu-thanh.xlsx")
	if a.Outcome != ledger.Accepted || a.UnitCode != "TS01" {
		t.Errorf("(a) %s %s %s", a.Outcome, a.UnitCode, a.Reason)
	}
	// Received when it arrived, not when recovered: the order of
	// submissions decides which one is current.
	if !a.ReceivedAt.Equal(timeA) {
		t.Errorf("(a) received %v, want the file's time %v", a.ReceivedAt, timeA)
	}
	if b, _ := e.p.Ledger.Get(ctx, idB); b.Outcome != ledger.Accepted || b.UnitCode != "TS02" {
		t.Errorf("(b) %s %s %s", b.Outcome, b.UnitCode, b.Reason)
	}
	c, _ := e.p.Ledger.Get(ctx, rowC.ID)
	if c.Outcome != ledger.Accepted || c.UnitCode != "TS03" || c.StoredPath != storedC {
		t.Errorf("(c) %s %s %s %s", c.Outcome, c.UnitCode, c.Reason, c.StoredPath)
	}
	x := plOpenResult(t, filepath.Join(e.outbox, "2023", "ts03-thi-tran-nua", "ket-qua-ts03-thi-tran-nua-2023.xlsx"))
	x.Close()
	if r, _ := e.p.Ledger.Get(ctx, rowR.ID); r.Outcome != ledger.Rejected || r.Reason != "pdf" || r.StoredPath != storedR {
		t.Errorf("(c') %s %s %s", r.Outcome, r.Reason, r.StoredPath)
	}
	d, _ := e.p.Ledger.Get(ctx, idD)
	if d.State != ledger.StateDone || d.Outcome != ledger.Rejected || d.Reason != "lost" {
		t.Errorf("(d) %s %s %s", d.State, d.Outcome, d.Reason)
	}
	if n := e.one("tho-ngoc.xlsx"); n.Outcome != ledger.Accepted {
		t.Errorf("new file: %s", n.Outcome)
	}
	// The lost file has no original to check; the others do.
	for _, f := range rows {
		if f.ID == idD {
			continue
		}
		if _, err := os.Stat(f.StoredPath); err != nil {
			t.Errorf("%s: %v", f.Name, err)
		}
	}
	if left := plListFiles(t, claim); len(left) > 0 {
		t.Errorf("claim folder: %v", left)
	}
	if n := len(plListFiles(t, e.archive)); n != 4 {
		t.Errorf("archive holds %d files, want 4", n)
	}
	if n := len(plListFiles(t, e.rejected)); n != 1 {
		t.Errorf("rejected holds %d files, want 1", n)
	}
	// A second run finds nothing more to do.
	if sum := e.run(); len(sum.Files) != 0 {
		t.Errorf("second run: %d files", len(sum.Files))
	}
}

// TestRecoverOlderAfterNewer: a crash interrupted an older submission while
// a newer one of the same unit was accepted. When the older one is finished
// on recovery it must not supersede the newer: the submission received
// later (the file's time in the inbox, then the ledger id) stays the unit's
// accepted one, and its result workbook is kept.
func TestRecoverOlderAfterNewer(t *testing.T) {
	for _, withRow := range []bool{true, false} {
		t.Run(map[bool]string{true: "row processing", false: "claimed, no row"}[withRow], func(t *testing.T) {
			e := newPlEnv(t, 1)
			ctx := context.Background()
			claim := e.p.Folders.ClaimDir()
			os.MkdirAll(claim, 0o755)
			older := filepath.Join(claim, "lx0a1b2c-trieu-thanh-lan-1.xlsx")
			os.WriteFile(older, plBook(t, "TS01", 1), 0o644)
			// A rename keeps the time the file arrived in the inbox.
			olderTime := plNow.Add(-2 * time.Hour)
			os.Chtimes(older, olderTime, olderTime)
			if withRow {
				if _, err := e.p.Ledger.Begin(ctx, ledger.File{Name: "trieu-thanh-lan-1.xlsx", ReceivedAt: olderTime, ClaimPath: older}); err != nil {
					t.Fatal(err)
				}
			}
			// The newer submission is processed alone (ProcessPath, not Run,
			// so the older one stays interrupted).
			newer := e.drop("trieu-thanh-lan-2.xlsx", plBook(t, "TS01", 2), 10)
			n, ok, err := e.p.ProcessPath(ctx, newer, time.Time{})
			if err != nil || !ok || n.Outcome != ledger.Accepted {
				t.Fatalf("newer: %v %v %s", ok, err, n.Outcome)
			}
			out := n.OutputPath
			resultBefore := plHashFile(t, out)
			e.run() // recovers the older one
			o := e.one("trieu-thanh-lan-1.xlsx")
			n, _ = e.p.Ledger.Get(ctx, n.ID)
			if !o.ReceivedAt.Equal(olderTime) {
				t.Errorf("older submission received %v, want the file's time %v", o.ReceivedAt, olderTime)
			}
			if n.Outcome != ledger.Accepted {
				t.Errorf("newer submission became %s (superseded by %d), want accepted", n.Outcome, n.SupersededBy)
			}
			if o.Outcome != ledger.Superseded || o.SupersededBy != n.ID {
				t.Errorf("older submission: %s superseded_by %d, want superseded by %d", o.Outcome, o.SupersededBy, n.ID)
			}
			if plHashFile(t, out) != resultBefore {
				t.Error("the older submission's result replaced the newer one's")
			}
			acc, _ := e.p.Ledger.Accepted(ctx, plYear, plRubricID)
			if len(acc) != 1 || acc[0].ID != n.ID {
				t.Errorf("accepted rows: %d, want only id %d", len(acc), n.ID)
			}
			e.checkSettled()
		})
	}
}

func TestTimeoutContinuesBatch(t *testing.T) {
	e := newPlEnv(t, 1)
	e.p.Timeout = time.Nanosecond
	e.drop("a.xlsx", plBook(t, "TS01", 1), 3)
	e.drop("b.xlsx", plBook(t, "TS02", 1), 2)
	sum := e.run()
	if sum.Counts[ledger.Rejected] != 2 {
		t.Fatalf("summary %v", sum.Counts)
	}
	for _, name := range []string{"a.xlsx", "b.xlsx"} {
		f := e.one(name)
		if f.Outcome != ledger.Rejected || f.Reason != "timeout" || !strings.Contains(f.Message, "quá lâu") {
			t.Errorf("%s: %s %s %q", name, f.Outcome, f.Reason, f.Message)
		}
		if notice, err := os.ReadFile(f.OutputPath); err != nil || !strings.Contains(string(notice), "TỆP BỊ TRẢ LẠI") {
			t.Errorf("%s: notice %v", name, err)
		}
	}
	e.checkSettled()
}

// TestPanicContinuesBatch: a panic inside evaluation rejects that file as
// "internal" and the batch goes on. The panic is provoked with a rubric set
// that is not there (no input found so far makes excelize v2.11.0 itself
// panic under the pipeline's limits).
func TestPanicContinuesBatch(t *testing.T) {
	e := newPlEnv(t, 1)
	e.p.Evaluator.Rubrics = nil // Evaluate dereferences it once a workbook opens
	e.drop("a.xlsx", plBook(t, "TS01", 1), 3)
	e.drop("scan.pdf", []byte("%PDF-1.4\n"), 2)
	e.drop("b.xlsx", plBook(t, "TS02", 1), 1)
	sum := e.run()
	if len(sum.Files) != 3 {
		t.Fatalf("%d files processed", len(sum.Files))
	}
	for name, reason := range map[string]string{"a.xlsx": "internal", "scan.pdf": "pdf", "b.xlsx": "internal"} {
		if f := e.one(name); f.Outcome != ledger.Rejected || f.Reason != reason {
			t.Errorf("%s: %s %s, want rejected %s", name, f.Outcome, f.Reason, reason)
		}
	}
	e.checkSettled()
}

// TestLongVietnameseName: a name that fits the inbox (255 bytes on Linux)
// must not become too long once the claim and stored prefixes are added;
// otherwise the claim fails, every run ends in an error and the file stays
// in the inbox for ever. Letters with two diacritics take 3 bytes each, so
// a (hostile) name of 85 characters is already 250 bytes.
func TestLongVietnameseName(t *testing.T) {
	e := newPlEnv(t, 1)
	name := "Biểu mẫu "
	for len(name)+len("ữ") <= 245 {
		name += "ữ"
	}
	name += ".xlsx"
	e.drop(name, plBook(t, "TS01", 1), 1)
	sum, err := e.p.Run(context.Background())
	if err != nil {
		t.Errorf("Run: %v", err)
	}
	if len(sum.Files) != 1 || len(e.files()) != 1 || e.files()[0].Outcome != ledger.Accepted {
		t.Errorf("summary %v, rows %d", sum.Counts, len(e.files()))
	}
	e.checkSettled()
}
