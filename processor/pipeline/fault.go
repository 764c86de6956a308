package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/atomicfile"
	"github.com/chiso-vn/chiso/processor/intake"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// ServiceError is a failure of the service itself — the ledger unusable,
// the outbox unwritable, the disk full — rather than of one file. It is
// the only error the pipeline returns: it stops the run, and nothing is
// lost (the file in hand is recovered at the next start).
type ServiceError struct {
	Op  string
	Err error
}

func (e *ServiceError) Error() string { return e.Op + ": " + e.Err.Error() }
func (e *ServiceError) Unwrap() error { return e.Err }

func service(op string, err error) error {
	var se *ServiceError
	if errors.As(err, &se) {
		return err
	}
	return &ServiceError{Op: op, Err: err}
}

// outputErr classifies a failure to write an output: a full disk or a
// folder the service may not write is the service's; anything else (a
// name the file system refuses…) is the file's.
func outputErr(op string, err error) error {
	if intake.DiskFull(err) || errors.Is(err, fs.ErrPermission) {
		return service(op, err)
	}
	return err
}

// Retry bounds the attempts at a passing failure.
type Retry struct {
	Attempts int                       // in all; 0 is 3
	Wait     func(n int) time.Duration // before attempt n+1; nil is 2 s × n
}

// retry runs fn until it succeeds, fails for good, or the attempts are
// spent; only intake.Busy failures are tried again.
func (p *Pipeline) retry(ctx context.Context, fn func() error) error {
	attempts := p.Retry.Attempts
	if attempts <= 0 {
		attempts = 3
	}
	var err error
	for n := 1; ; n++ {
		if err = fn(); err == nil || !intake.Busy(err) || n >= attempts {
			return err
		}
		wait := time.Duration(n) * 2 * time.Second
		if p.Retry.Wait != nil {
			wait = p.Retry.Wait(n)
		}
		p.Log.Warn().Err(err).Int("attempt", n).Int64("wait_ms", wait.Milliseconds()).Msg("passing failure; trying again")
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(wait):
		}
	}
}

// injected is the fault a test injects at a stage, if any.
func (p *Pipeline) injected(stage, path string) error {
	if p.fault == nil {
		return nil
	}
	return p.fault(stage, path)
}

// quarantineIf ends a file whose commit failed for a reason of its own
// (see quarantine); service errors and successes pass through.
func (p *Pipeline) quarantineIf(ctx context.Context, row ledger.File, src string, data []byte, f ledger.File, err error) (ledger.File, error) {
	var se *ServiceError
	if err == nil || errors.As(err, &se) {
		return f, err
	}
	return p.quarantine(ctx, row, src, data, err)
}

// quarantine ends a file that could not be committed as it should (its
// result or notice could not be written, …): rejected as an internal
// error, with a notice when one can be written, its original kept. The
// service goes on.
func (p *Pipeline) quarantine(ctx context.Context, row ledger.File, src string, data []byte, cause error) (ledger.File, error) {
	p.Log.Error().Err(cause).Str("file", row.Name).Int64("id", row.ID).Msg("file quarantined: rejected as an internal error, original kept")
	rej := ReasonInternal.Reject()
	f := row
	f.Outcome, f.Reason, f.Message, f.ProcessedAt, f.Errors = ledger.Rejected, string(rej.Reason), rej.Message, p.now(), 1
	f.Data, f.OutputPath = "", ""
	out, err := p.writeNotice(f, rej.Message, rej.Advice, "TỆP BỊ TRẢ LẠI")
	if err != nil {
		var se *ServiceError
		if errors.As(err, &se) {
			return f, err
		}
		p.Log.Error().Err(err).Str("file", row.Name).Msg("no notice could be written either")
	}
	f.OutputPath = out
	f.StoredPath = p.Folders.RejectedPath(f.ReceivedAt, f.ID, f.Name)
	return p.keep(ctx, f, src, data)
}

// keep moves the original to its stored path and records the outcome. The
// stored path is recorded first, so a crash in between is recoverable.
// What is archived is what was read and hashed: a file changed or deleted
// meanwhile is replaced by the bytes read. An original that cannot be
// moved stays where it is (the claim folder) and is recorded there.
func (p *Pipeline) keep(ctx context.Context, f ledger.File, src string, data []byte) (ledger.File, error) {
	if src != f.StoredPath {
		if err := p.Ledger.SetStored(ctx, f.ID, f.StoredPath); err != nil {
			return f, service("ledger", err)
		}
		err := p.retry(ctx, func() error { return p.store(src, f.StoredPath, f.SHA256, data) })
		if err != nil {
			if intake.DiskFull(err) {
				return f, service("keep "+f.Name, err)
			}
			p.Log.Error().Err(err).Str("file", f.Name).Str("kept_at", src).Msg("cannot move the original; it stays in the claim folder")
			f.StoredPath = src
			if err := p.Ledger.SetStored(ctx, f.ID, src); err != nil {
				return f, service("ledger", err)
			}
		}
	}
	if err := p.Ledger.Finish(ctx, f); err != nil {
		return f, service("ledger", err)
	}
	got, err := p.Ledger.Get(ctx, f.ID)
	if err != nil {
		return f, service("ledger", err)
	}
	// The record's data stays in the ledger: a run over thousands of files
	// need not hold every file's figures in its summary.
	got.Data = ""
	return got, nil
}

// store moves the original from src to dst and makes sure dst holds the
// bytes recorded (data, when they were read).
func (p *Pipeline) store(src, dst, sha string, data []byte) error {
	if err := p.injected("archive", src); err != nil {
		return err
	}
	err := intake.Move(src, dst)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist) && data != nil:
		// Deleted once read: keep what was read.
		p.Log.Warn().Str("file", src).Msg("original deleted while processed; the bytes read are kept")
		return writeCopy(dst, data)
	default:
		return err
	}
	if data == nil || sha == "" {
		return nil
	}
	if got, err := intake.HashFile(dst); err == nil && got == sha {
		return nil
	}
	// Changed after it was read: keep that version beside, and the one read
	// (which the ledger describes) under the stored name.
	p.Log.Warn().Str("file", dst).Msg("original changed while processed; the bytes read are kept, the changed file beside them")
	changed := strings.TrimSuffix(dst, filepath.Ext(dst)) + " (da thay doi)" + filepath.Ext(dst)
	if err := os.Rename(dst, changed); err != nil {
		return err
	}
	return writeCopy(dst, data)
}

func writeCopy(dst string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	_, err := atomicfile.Write(dst, func(w io.Writer) error { _, err := w.Write(data); return err })
	return err
}

// NoteOdd writes, once, a notice for an inbox entry that is never taken
// (a subfolder, a link, a device): it is not opened, hashed or moved.
func (p *Pipeline) NoteOdd(ctx context.Context, o intake.Odd) error {
	what := o.What
	msg := fmt.Sprintf("\"%s\" là %s, không phải tệp biểu mẫu: hệ thống không mở, không chuyển và không xoá nó.", vntext.Clean(o.Name), what)
	advice := "Chép chính tệp biểu mẫu (.xlsx) trực tiếp vào thư mục nhận báo cáo."
	if what == "thư mục con" {
		msg = fmt.Sprintf("\"%s\" là một thư mục con: hệ thống chỉ nhận các tệp chép trực tiếp vào thư mục nhận báo cáo, không xem bên trong thư mục con.", vntext.Clean(o.Name))
		advice = "Chép từng tệp biểu mẫu ra thư mục nhận báo cáo (không để trong thư mục con)."
	}
	return p.noteOnce(ctx, "bo-qua/"+what+"/"+o.Name, o.Name, "MỤC KHÔNG ĐƯỢC XỬ LÝ", msg, advice)
}

// noteOnce writes a notice about an inbox entry the first time key is seen.
func (p *Pipeline) noteOnce(ctx context.Context, key, name, title, msg, advice string) error {
	key = "ghi-chu/" + key
	if at, err := p.Ledger.LastRun(ctx, key); err != nil {
		return service("ledger", err)
	} else if !at.IsZero() {
		return nil
	}
	now := p.now()
	path := p.Folders.SkippedNoticePath(name, now)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return outputErr("notice", err)
	}
	text := strings.Join([]string{title, "", "Mục: " + vntext.Clean(name), "Lúc: " + p.Collection.Show(now, layout.TimeOnDate), "",
		"Lý do: " + msg, "Cần làm: " + advice, "", "Mục này vẫn ở nguyên trong thư mục nhận, không bị xoá."}, "\n") + "\n"
	if _, err := atomicfile.WriteText(path, text); err != nil {
		if err := outputErr("notice", err); err != nil {
			var se *ServiceError
			if errors.As(err, &se) {
				return err
			}
		}
		p.Log.Error().Err(err).Str("entry", name).Msg("cannot write the notice")
	}
	p.Log.Warn().Str("entry", name).Str("notice", path).Msg(msg)
	if err := p.Ledger.SetLastRun(ctx, key, now); err != nil {
		return service("ledger", err)
	}
	return nil
}
