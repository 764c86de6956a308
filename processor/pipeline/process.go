// Package pipeline is the main job: it takes each file from the inbox,
// records it in the ledger, evaluates it (identify, read, validate, score),
// writes the commune's annotated workbook or a notice, keeps the original,
// and records exactly one outcome. A crash at any point is recovered on the
// next run; outputs are written to a temporary file and renamed.
package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/atomic"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/validate"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// Pipeline processes an inbox into an outbox, recording in a ledger.
type Pipeline struct {
	Settings Settings
	Inbox    string
	Outbox   string
	Archive  string // originals of accepted, superseded and duplicate files
	Rejected string // originals of rejected files
	Ledger   *ledger.Ledger
	Workers  int           // evaluations in parallel; 0 = number of CPUs
	Timeout  time.Duration // per file; 0 = 2 minutes
	Now      func() time.Time
	Log      zerolog.Logger
	// Progress, when set, is called after each file with done and total.
	Progress func(done, total int)
	// Cohort names the cohort in output names (xep-hang-<cohort>-<year>).
	Cohort string
	// Lineage maps a unit code to its predecessors' codes (2025 mergers).
	Lineage map[string][]string

	scorers Scorers
	cohort  cohortCache
	mu      sync.Mutex // serialises commits (outputs, moves, ledger outcome)
	hashMu  sync.Mutex
	hashes  map[string]*sync.Mutex // one lock per content hash in flight
}

// Summary counts what a run did.
type Summary struct {
	Counts map[ledger.Outcome]int
	Files  []ledger.File
}

// claimDir is where files sit while processed: inside the inbox, so the
// claim is an atomic rename on the same file system.
func (p *Pipeline) claimDir() string { return filepath.Join(p.Inbox, ".chiso", "dang-xu-ly") }

func (p *Pipeline) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

// Run recovers interrupted work, then processes every file in the inbox.
func (p *Pipeline) Run(ctx context.Context) (Summary, error) {
	sum := Summary{Counts: map[ledger.Outcome]int{}}
	if err := os.MkdirAll(p.claimDir(), 0o755); err != nil {
		return sum, err
	}
	recovered, err := p.Recover(ctx)
	for _, f := range recovered {
		sum.add(f)
	}
	if err != nil {
		return sum, err
	}
	paths, err := List(p.Inbox)
	if err != nil {
		return sum, fmt.Errorf("inbox %s: %w", p.Inbox, err)
	}
	// Evaluating a workbook allocates ~12 MB that is garbage at once while
	// little stays live: collect less often during a batch (the heap stays
	// far below the ranking's peak; see BENCHMARKS.md).
	if len(paths) > 50 {
		defer debug.SetGCPercent(debug.SetGCPercent(300))
	}
	files, err := p.ProcessPaths(ctx, paths)
	for _, f := range files {
		sum.add(f)
	}
	return sum, err
}

func (s *Summary) add(f ledger.File) {
	s.Counts[f.Outcome]++
	s.Files = append(s.Files, f)
}

// ProcessPaths claims and processes the given inbox files with a bounded
// pool of workers and returns their records.
func (p *Pipeline) ProcessPaths(ctx context.Context, paths []string) ([]ledger.File, error) {
	workers := p.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	jobs := make(chan string)
	results := make(chan ledger.File)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for path := range jobs {
				f, ok, err := p.ProcessPath(ctx, path)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				if ok {
					results <- f
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, path := range paths {
			select {
			case jobs <- path:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	var out []ledger.File
	done := 0
	for f := range results {
		out = append(out, f)
		done++
		if p.Progress != nil {
			p.Progress(done, len(paths))
		}
	}
	select {
	case err := <-errs:
		return out, err
	default:
	}
	return out, ctx.Err()
}

// ProcessPath claims one inbox file and processes it. ok is false when the
// file was gone (another process took it).
func (p *Pipeline) ProcessPath(ctx context.Context, path string) (ledger.File, bool, error) {
	if err := ctx.Err(); err != nil {
		return ledger.File{}, false, err
	}
	name := filepath.Base(path)
	received := p.now()
	if info, err := os.Stat(path); err == nil && info.ModTime().Before(received) {
		received = info.ModTime()
	}
	claim := filepath.Join(p.claimDir(), strconv.FormatInt(time.Now().UnixNano(), 36)+"-"+SafeName(name))
	if err := os.MkdirAll(p.claimDir(), 0o755); err != nil {
		return ledger.File{}, false, err
	}
	if err := os.Rename(path, claim); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return ledger.File{}, false, nil
		}
		return ledger.File{}, false, fmt.Errorf("claim %s: %w", path, err)
	}
	row := ledger.File{Name: name, ReceivedAt: received, ClaimPath: claim}
	id, err := p.Ledger.Begin(ctx, row)
	if err != nil {
		// Put it back: it stays in the inbox for the next run.
		os.Rename(claim, path)
		return ledger.File{}, false, err
	}
	row.ID = id
	f, err := p.handle(ctx, row, claim)
	return f, err == nil, err
}

// Recover finishes the files a crash interrupted: rows still processing, and
// files in the claim folder with no row at all (a crash between the claim
// and the ledger record).
func (p *Pipeline) Recover(ctx context.Context) ([]ledger.File, error) {
	rows, err := p.Ledger.Interrupted(ctx)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	var out []ledger.File
	for _, row := range rows {
		known[row.ClaimPath] = true
		src := row.ClaimPath
		if _, err := os.Stat(src); err != nil {
			src = row.StoredPath // moved before the crash; outcome not yet recorded
		}
		if src == "" {
			row.Outcome, row.Reason, row.ProcessedAt = ledger.Rejected, "lost", p.now()
			row.Message = "Tệp không còn ở thư mục xử lý sau khi hệ thống bị dừng đột ngột."
			if err := p.Ledger.Finish(ctx, row); err != nil {
				return out, err
			}
			out = append(out, row)
			continue
		}
		if _, err := os.Stat(src); err != nil {
			row.Outcome, row.Reason, row.ProcessedAt = ledger.Rejected, "lost", p.now()
			row.Message = "Tệp không còn ở thư mục xử lý sau khi hệ thống bị dừng đột ngột."
			if err := p.Ledger.Finish(ctx, row); err != nil {
				return out, err
			}
			out = append(out, row)
			continue
		}
		p.Log.Warn().Str("file", row.Name).Int64("id", row.ID).Msg("resuming a file interrupted by a crash")
		f, err := p.handle(ctx, row, src)
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
	p.cleanTemp()
	entries, err := os.ReadDir(p.claimDir())
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return out, err
	}
	for _, e := range entries {
		path := filepath.Join(p.claimDir(), e.Name())
		if e.IsDir() || known[path] || strings.Contains(e.Name(), ".chiso-tmp") {
			continue
		}
		name := e.Name()
		if i := strings.IndexByte(name, '-'); i > 0 {
			name = name[i+1:]
		}
		// The claim kept the file's time: it says when it was received.
		received := p.now()
		if info, err := e.Info(); err == nil && info.ModTime().Before(received) {
			received = info.ModTime()
		}
		row := ledger.File{Name: name, ReceivedAt: received, ClaimPath: path}
		id, err := p.Ledger.Begin(ctx, row)
		if err != nil {
			return out, err
		}
		row.ID = id
		f, err := p.handle(ctx, row, path)
		if err != nil {
			return out, err
		}
		out = append(out, f)
	}
	return out, nil
}

// cleanTemp removes temporary output files a crash left behind (never a
// final output: those are only ever renamed into place complete). Files
// younger than a minute may belong to another running process.
func (p *Pipeline) cleanTemp() {
	filepath.WalkDir(p.Outbox, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(d.Name(), ".chiso-") || !strings.HasSuffix(d.Name(), ".tmp") {
			return nil
		}
		if info, err := d.Info(); err == nil && time.Since(info.ModTime()) > time.Minute {
			os.Remove(path)
		}
		return nil
	})
}

// hashLock serialises files with the same content, so a file dropped twice
// in one burst is a duplicate, not two submissions.
func (p *Pipeline) hashLock(sha string) func() {
	p.hashMu.Lock()
	if p.hashes == nil {
		p.hashes = map[string]*sync.Mutex{}
	}
	m, ok := p.hashes[sha]
	if !ok {
		m = &sync.Mutex{}
		p.hashes[sha] = m
	}
	p.hashMu.Unlock()
	m.Lock()
	return m.Unlock
}

// handle evaluates the file at src (row already in the ledger) and commits
// its outcome.
func (p *Pipeline) handle(ctx context.Context, row ledger.File, src string) (ledger.File, error) {
	start := time.Now()
	data, size, err := readLimited(src, p.Settings.MaxFileSize)
	row.Size = size
	var ev *Evaluation
	switch {
	case errors.Is(err, errTooLarge):
		ev = (&Evaluation{Name: row.Name, Size: size}).reject("too-large", size/1e6, p.Settings.MaxFileSize/1e6)
		ev.SHA256 = hashFile(src)
	case err != nil:
		return row, fmt.Errorf("read %s: %w", src, err)
	}
	if ev == nil {
		row.SHA256 = Hash(data)
	} else {
		row.SHA256 = ev.SHA256
	}
	unlock := p.hashLock(row.SHA256)
	defer unlock()
	if prev, ok, err := p.Ledger.FindDone(ctx, row.SHA256); err != nil {
		return row, err
	} else if ok && prev.ID != row.ID && !transient(prev) {
		return p.commitDuplicate(ctx, row, src, prev)
	}
	var output []byte
	if ev == nil {
		ev, output = p.evaluate(row, data)
	}
	f, err := p.commit(ctx, row, src, ev, output)
	if err == nil {
		p.Log.Info().Str("event", "audit").Str("file", f.Name).Str("unit", f.UnitName).Str("outcome", string(f.Outcome)).
			Str("reason", f.Reason).Float64("total", engine.Round2(f.Total)).Int("errors", f.Errors).Int("warnings", f.Warnings).
			Dur("duration", time.Since(start)).Msg("processed")
	}
	return f, err
}

// transient reports a rejection that says nothing about the file's content
// (a time-out, an internal error, a file lost in a crash): the same bytes
// sent again are processed again, not called a duplicate.
func transient(f ledger.File) bool {
	if f.Outcome != ledger.Rejected {
		return false
	}
	switch f.Reason {
	case "timeout", "internal", "lost":
		return true
	}
	return false
}

func hashFile(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	io.Copy(h, f)
	return hex.EncodeToString(h.Sum(nil))
}

// evaluate runs Evaluate and Annotate under recover and a timeout, so one
// hostile file cannot stop the batch. It returns the annotated workbook's
// bytes for an accepted file.
func (p *Pipeline) evaluate(row ledger.File, data []byte) (*Evaluation, []byte) {
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = 2 * time.Minute
	}
	type res struct {
		ev  *Evaluation
		out []byte
	}
	ch := make(chan res, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				p.Log.Error().Str("file", row.Name).Interface("panic", r).Bytes("stack", debug.Stack()).Msg("panic while evaluating")
				ch <- res{ev: (&Evaluation{Name: row.Name, SHA256: row.SHA256, Size: int64(len(data))}).reject("internal", fmt.Sprint(r))}
			}
		}()
		ev := p.Settings.Evaluate(row.Name, data, &p.scorers)
		if ev.Outcome != ledger.Accepted || ev.Kind == workbook.KindAppraisal {
			if ev.File != nil {
				ev.File.Close()
				ev.File = nil
			}
			ch <- res{ev: ev}
			return
		}
		defer ev.File.Close()
		// Min-Max indicators: provisional points against the cohort as it stands.
		var cohortDate time.Time
		if len(ev.Result.Indicators) > 0 {
			if err := p.provisional(context.Background(), ev); err != nil {
				ch <- res{ev: ev.reject("internal", err.Error())}
				return
			}
			cohortDate = p.now()
		}
		err := workbook.Annotate(ev.File, workbook.Annotation{
			Rubric: ev.Rubric, Sub: ev.Sub, Result: ev.Result, Problems: ev.Problems,
			FileName: row.Name, Hash: ev.SHA256, Received: row.ReceivedAt, Unit: ev.Unit.Name, Year: ev.Year,
			CohortDate: cohortDate,
		})
		if err != nil {
			ch <- res{ev: ev.reject("internal", err.Error())}
			return
		}
		var buf bytes.Buffer
		if err := workbook.FastZip(ev.File).Write(&buf); err != nil {
			ch <- res{ev: ev.reject("internal", err.Error())}
			return
		}
		ch <- res{ev: ev, out: buf.Bytes()}
	}()
	select {
	case r := <-ch:
		return r.ev, r.out
	case <-time.After(timeout):
		p.Log.Error().Str("file", row.Name).Dur("timeout", timeout).Msg("evaluation timed out")
		return (&Evaluation{Name: row.Name, SHA256: row.SHA256, Size: int64(len(data))}).reject("timeout"), nil
	}
}

// record is what the ledger keeps of an evaluation to rebuild the ranking.
type record struct {
	Values   engine.Values      `json:"values"`
	Problems []validate.Problem `json:"problems"`
	Explain  map[string]string  `json:"explain,omitempty"`
	Contact  map[string]string  `json:"contact,omitempty"`
}

// vnTime is the time zone every time shown to communes is written in,
// whatever the server's own zone (UTC+7, no daylight saving).
var vnTime = time.FixedZone("ICT", 7*3600)

// scoringValues keeps only what scoring needs of each figure (set, number):
// the ledger holds it for rebuilding the ranking, and the text and cell of
// every figure stay in the archived original. Halves the record, and the
// ranking's decoding time with it.
func scoringValues(v engine.Values) engine.Values {
	out := engine.NewValues()
	for k, x := range v.General {
		out.General[k] = engine.Value{Set: x.Set, Num: x.Num, Choice: x.Choice}
	}
	for code, m := range v.Inputs {
		for k, x := range m {
			out.Set(code, k, engine.Value{Set: x.Set, Num: x.Num, Choice: x.Choice})
		}
	}
	for code, s := range v.Self {
		out.Self[code] = s
	}
	return out
}

func stamp(t time.Time) string { return t.In(vnTime).Format("20060102-150405") }

// commit writes the outputs, keeps the original and records the outcome,
// one file at a time.
func (p *Pipeline) commit(ctx context.Context, row ledger.File, src string, ev *Evaluation, output []byte) (ledger.File, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := row
	f.Outcome, f.Reason, f.Message, f.ProcessedAt = ev.Outcome, ev.Reason, ev.Message, p.now()
	f.Year = ev.Year
	if ev.Rubric != nil {
		f.RubricID = ev.Rubric.ID
	}
	f.UnitKey, f.UnitCode, f.UnitName = ev.UnitKey, ev.Unit.Code, ev.Unit.Name
	yearDir := "khong-ro-nam"
	if ev.Year != 0 {
		yearDir = strconv.Itoa(ev.Year)
	}
	var err error
	if ev.Outcome == ledger.Accepted && ev.Kind == workbook.KindAppraisal {
		return p.commitAppraisal(ctx, f, src, ev)
	}
	if ev.Outcome == ledger.Accepted {
		f.Total, f.Errors, f.Warnings = ev.Result.Total, validate.Count(ev.Problems, validate.Error), validate.Count(ev.Problems, validate.Warning)
		f.SelfTotal = ev.Result.Self
		rec := record{Values: scoringValues(ev.Sub.Values), Problems: ev.Problems, Explain: ev.Sub.Explain, Contact: map[string]string{
			"ho_ten": ev.Sub.ContactName, "chuc_vu": ev.Sub.ContactRole, "dien_thoai": ev.Sub.ContactPhone, "email": ev.Sub.ContactEmail}}
		data, _ := json.Marshal(rec)
		f.Data = string(data)
		slug := roster.Slug(ev.Unit.Name)
		if slug == "" {
			slug = roster.Slug(ev.Unit.Code)
		}
		ext := ".xlsx"
		if ev.Macro {
			ext = ".xlsm"
		}
		name := fmt.Sprintf("ket-qua-%s-%d%s", slug, ev.Year, ext)
		if newer, err := p.newerAccepted(ctx, f); err != nil {
			return f, err
		} else if newer {
			// An older submission finishing after a newer one: keep its result
			// beside, never over, the newer one's.
			name = fmt.Sprintf("ket-qua-%s-%d-ban-%d%s", slug, ev.Year, f.ID, ext)
		}
		out := filepath.Join(p.Outbox, yearDir, slug, name)
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return f, err
		}
		f.OutputPath, err = atomic.WriteFile(out, func(w io.Writer) error { _, err := w.Write(output); return err })
		if err != nil {
			return f, err
		}
		f.StoredPath = p.storedPath(p.Archive, yearDir, f)
		got, err := p.keep(ctx, f, src)
		if err == nil {
			p.remember(ev)
		}
		return got, err
	} else {
		f.Errors = 1
		f.OutputPath, err = p.writeNotice(f, ev.Message, ev.Advice, "TỆP BỊ TRẢ LẠI")
		if err != nil {
			return f, err
		}
		f.StoredPath = p.storedPath(p.Rejected, "", f)
	}
	return p.keep(ctx, f, src)
}

func (p *Pipeline) newerAccepted(ctx context.Context, f ledger.File) (bool, error) {
	acc, err := p.Ledger.AcceptedUnit(ctx, f.Year, f.RubricID, f.UnitKey)
	if err != nil {
		return false, err
	}
	for _, a := range acc {
		if a.ID != f.ID && later(a, f) {
			return true, nil
		}
	}
	return false, nil
}

// later reports whether a was received after b (ties: the later ledger id),
// the order the ledger uses to decide which submission is current.
func later(a, b ledger.File) bool {
	if !a.ReceivedAt.Equal(b.ReceivedAt) {
		return a.ReceivedAt.After(b.ReceivedAt)
	}
	return a.ID > b.ID
}

// storedPath is where the original is kept: never overwriting, named by
// time received and ledger id.
func (p *Pipeline) storedPath(base, sub string, f ledger.File) string {
	return filepath.Join(base, sub, stamp(f.ReceivedAt)+"-"+strconv.FormatInt(f.ID, 10)+"-"+SafeName(f.Name))
}

// keep moves the original to its stored path and records the outcome. The
// stored path is recorded first, so a crash in between is recoverable.
func (p *Pipeline) keep(ctx context.Context, f ledger.File, src string) (ledger.File, error) {
	if src != f.StoredPath {
		if err := p.Ledger.SetStored(ctx, f.ID, f.StoredPath); err != nil {
			return f, err
		}
		if err := moveFile(src, f.StoredPath); err != nil {
			return f, fmt.Errorf("keep %s: %w", f.Name, err)
		}
	}
	if err := p.Ledger.Finish(ctx, f); err != nil {
		return f, err
	}
	got, err := p.Ledger.Get(ctx, f.ID)
	// The record's data stays in the ledger: a run over thousands of files
	// need not hold every file's figures in its summary.
	got.Data = ""
	return got, err
}

func (p *Pipeline) commitDuplicate(ctx context.Context, row ledger.File, src string, prev ledger.File) (ledger.File, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := row
	f.Outcome, f.DuplicateOf, f.ProcessedAt = ledger.Duplicate, prev.ID, p.now()
	f.Year, f.RubricID, f.UnitKey, f.UnitCode, f.UnitName = prev.Year, prev.RubricID, prev.UnitKey, prev.UnitCode, prev.UnitName
	f.Reason = "duplicate"
	f.Message = fmt.Sprintf("Tệp giống hệt tệp \"%s\" đã nhận lúc %s (kết quả: %s).", prev.Name, prev.ReceivedAt.In(vnTime).Format("15:04 02/01/2006"), prev.Outcome.Label())
	advice := "Không cần gửi lại. Muốn sửa số liệu thì sửa trong tệp rồi gửi tệp đã sửa; bản gửi sau sẽ thay thế bản trước."
	var err error
	f.OutputPath, err = p.writeNotice(f, f.Message, advice, "TỆP TRÙNG")
	if err != nil {
		return f, err
	}
	yearDir := "khong-ro-nam"
	if prev.Year != 0 {
		yearDir = strconv.Itoa(prev.Year)
	}
	f.StoredPath = p.storedPath(p.Archive, yearDir, f)
	got, err := p.keep(ctx, f, src)
	if err == nil {
		p.Log.Info().Str("event", "audit").Str("file", f.Name).Str("outcome", string(ledger.Duplicate)).Int64("duplicate_of", prev.ID).Msg("processed")
	}
	return got, err
}

// writeNotice writes a short plain-text notice for the commune in
// outbox/thong-bao/, named after their file (UTF-8 with BOM and CRLF, so
// Notepad shows the Vietnamese right).
func (p *Pipeline) writeNotice(f ledger.File, msg, advice, title string) (string, error) {
	dir := filepath.Join(p.Outbox, "thong-bao")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	stem := strings.TrimSuffix(SafeName(f.Name), filepath.Ext(f.Name))
	// The ledger id keeps two notices for one file name apart.
	name := fmt.Sprintf("%s - %s - %d.txt", stem, f.ReceivedAt.In(vnTime).Format("2006-01-02 15h04"), f.ID)
	lines := []string{
		title,
		"",
		"Tệp: " + f.Name,
		"Nhận lúc: " + f.ReceivedAt.In(vnTime).Format("15:04 ngày 02/01/2006"),
		"",
		"Lý do: " + msg,
		"Cần làm: " + advice,
		"",
		"Tệp gốc đã được lưu lại, không bị xoá.",
	}
	text := "\ufeff" + strings.Join(lines, "\r\n") + "\r\n"
	return atomic.WriteFile(filepath.Join(dir, name), func(w io.Writer) error { _, err := io.WriteString(w, text); return err })
}
