package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/daemon"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/vntext"
)

func setupProcess(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	quiet := fs.Bool("quiet", false, "không hiện thanh tiến độ")
	return func(ctx context.Context, _ []string) error { return a.process(ctx, *quiet) }
}

func (a *app) process(ctx context.Context, quiet bool) error {
	// One run at a time per inbox, daemon included.
	if err := a.requireShares(true); err != nil {
		return err
	}
	unlock, err := daemon.LockAs("process", a.now(), a.folders.ControlDir(), a.folders.Data)
	if err != nil {
		if errors.Is(err, daemon.ErrLocked) {
			return failed("%s", lockedText)
		}
		return &exitError{code: exitConfig, err: err}
	}
	defer unlock()
	log, closer := newLogger(a.cfg, a.col.Loc(), a.stderr)
	defer closer.Close()
	bar := isTerminal(a.stderr) && !quiet
	if bar {
		log = log.Level(zerolog.WarnLevel) // the bar replaces per-file lines
	}
	p, pub, err := a.newPipeline(log, true)
	if err != nil {
		return err
	}
	defer p.Ledger.Close()
	if bar {
		p.Progress = func(done, total int) { progress(a.stderr, done, total) }
	}
	if cp := os.Getenv("CHISO_CPUPROFILE"); cp != "" {
		if f, err := os.Create(cp); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	if hp := os.Getenv("CHISO_HEAPPROFILE"); hp != "" {
		// Profile the heap half-way through the batch.
		prev := p.Progress
		p.Progress = func(done, total int) {
			if done == total/2 {
				writeHeapProfile(hp)
			}
			if prev != nil {
				prev(done, total)
			}
		}
	}
	start := time.Now()
	// Evaluating a workbook allocates ~12 MB that is garbage at once while
	// little stays live: collect less often during a batch (the heap stays
	// far below the ranking's peak; see BENCHMARKS.md).
	gc := debug.SetGCPercent(300)
	sum, err := p.Run(ctx)
	debug.SetGCPercent(gc)
	if bar {
		fmt.Fprintln(a.stderr)
	}
	fmt.Fprintf(a.stdout, "Đã xử lý %d tệp trong %s giây: %d nhận, %d trùng, %d trả lại.\n", len(sum.Files), vntext.Number(time.Since(start).Seconds(), 1),
		sum.Counts[ledger.Accepted]+sum.Counts[ledger.Superseded], sum.Counts[ledger.Duplicate], sum.Counts[ledger.Rejected])
	for _, f := range sum.Files {
		if f.Outcome == ledger.Rejected {
			fmt.Fprintf(a.stdout, "  trả lại  %s: %s\n", f.Name, f.Message)
		}
	}
	if err != nil {
		return fmt.Errorf("process: %w", err)
	}
	// One ranking rebuild per run, however many files arrived; also when an
	// earlier run stopped between the last outcome and the rebuild.
	defer debug.SetGCPercent(debug.SetGCPercent(rankingGC))
	res, ok, err := pub.Refresh(ctx, p.Year(), sum.Counts[ledger.Accepted]+sum.Counts[ledger.Superseded] > 0)
	if err != nil {
		return fmt.Errorf("process: ranking: %w", err)
	}
	if ok {
		fmt.Fprintf(a.stdout, "Bảng xếp hạng: %s\n", res.Paths[0])
	}
	return nil
}

// writeHeapProfile writes a heap profile to path, if set (for admins
// investigating memory; see BENCHMARKS.md).
func writeHeapProfile(path string) {
	if path == "" {
		return
	}
	f, err := os.Create(path)
	if err != nil {
		return
	}
	defer f.Close()
	runtime.GC()
	pprof.WriteHeapProfile(f)
}

// progress draws a one-line bar on a terminal.
func progress(w io.Writer, done, total int) {
	const width = 30
	n := 0
	if total > 0 {
		n = done * width / total
	}
	fmt.Fprintf(w, "\rĐang xử lý [%s%s] %d/%d", strings.Repeat("#", n), strings.Repeat(".", width-n), done, total)
}

// CheckJSON is the documented shape of `chiso check --json`.
type CheckJSON struct {
	File     string            `json:"file"`
	SHA256   string            `json:"sha256"`
	Outcome  string            `json:"outcome"` // accepted | rejected
	Reason   string            `json:"reason,omitempty"`
	Message  string            `json:"message,omitempty"`
	Advice   string            `json:"advice,omitempty"`
	Unit     *roster.Unit      `json:"unit,omitempty"`
	Year     int               `json:"year,omitempty"`
	FoundBy  string            `json:"found_by,omitempty"`
	Score    *ScoreJSON        `json:"score,omitempty"`
	Problems []problem.Problem `json:"problems,omitempty"`
}

func setupCheck(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	asJSON := fs.Bool("json", false, "in kết quả dạng JSON")
	return func(ctx context.Context, args []string) error { return a.check(ctx, args[0], *asJSON) }
}

func (a *app) check(ctx context.Context, path string, asJSON bool) error {
	v, err := a.evaluator()
	if err != nil {
		return err
	}
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return usageErr("check: không có tệp %s", path)
	case errors.Is(err, fs.ErrPermission):
		return usageErr("check: không có quyền đọc tệp %s", path)
	case err != nil:
		return usageErr("check: không đọc được tệp %s (%v)", path, errors.Unwrap(err))
	}
	ev := v.Evaluate(ctx, filepath.Base(path), data, a.col.YearAt(a.now()))
	if ev.Book != nil {
		defer ev.Book.Close()
	}
	out := CheckJSON{File: ev.Name, SHA256: ev.SHA256, Outcome: string(ev.Outcome), Reason: string(ev.Reason), Message: ev.Message,
		Advice: ev.Advice, Year: ev.Year, Problems: ev.Problems}
	if ev.Outcome == ledger.Accepted {
		u := ev.Unit
		out.Unit = &u
		out.FoundBy = ev.Sub.FoundBy
		sj := resultJSON(ev.Rubric, ev.Unit.Name, ev.Result)
		out.Score = &sj
	}
	// A file the pipeline would reject is a failed check (exit 1), in
	// either output form.
	var rejected error
	if ev.Outcome != ledger.Accepted {
		rejected = failed("check: %s: %s", ev.Name, ev.Message)
	}
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
		return rejected
	}
	w := a.stdout
	fmt.Fprintf(w, "Tệp: %s\nSHA-256: %s\n", ev.Name, ev.SHA256)
	if ev.Outcome != ledger.Accepted {
		fmt.Fprintf(w, "Kết quả: TRẢ LẠI\nLý do: %s\nCần làm: %s\n", ev.Message, ev.Advice)
		return rejected
	}
	fmt.Fprintf(w, "Kết quả: NHẬN — %s, năm %d\n", ev.Unit.Name, ev.Year)
	printResult(w, ev.Rubric, "", ev.Result)
	if len(ev.Problems) > 0 {
		fmt.Fprintf(w, "\nVẤN ĐỀ (%d lỗi, %d cảnh báo, %d thông tin):\n", problem.Count(ev.Problems, problem.Error),
			problem.Count(ev.Problems, problem.Warning), problem.Count(ev.Problems, problem.Info))
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, p := range ev.Problems {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", p.Severity.Label(), p.Indicator, p.Cell, p.Message)
		}
		tw.Flush()
	}
	return nil
}
