package pipeline

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/chiso-vn/chiso/processor/atomicfile"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// commit writes the outputs, keeps the original and records the outcome,
// one file at a time.
// Errors are the file's own (its outputs could not be written: the caller
// quarantines it) or a ServiceError.
func (p *Pipeline) commit(ctx context.Context, row ledger.File, src string, ev *Evaluation, output, data []byte) (ledger.File, error) {
	f := row
	// The result is written and synced before the lock, so that the other
	// workers' commits do not wait for this one's disk; only its rename is
	// made in turn.
	var result *atomicfile.Pending
	if ev.Outcome == ledger.Accepted && ev.Kind != workbook.KindAppraisal {
		if err := p.injected("write", src); err != nil {
			return f, err
		}
		dir := filepath.Dir(p.Folders.ResultPath(ev.Year, ev.Unit.Code, ev.Unit.Name, ".xlsx", 0))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return f, outputErr("result folder", err)
		}
		var err error
		if result, err = atomicfile.Prepare(dir, func(w io.Writer) error { _, err := w.Write(output); return err }); err != nil {
			return f, outputErr("result", err)
		}
		defer result.Discard()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	f.Outcome, f.Reason, f.Message, f.ProcessedAt = ev.Outcome, string(ev.Reason), ev.Message, p.now()
	f.Year = ev.Year
	if ev.Rubric != nil {
		f.RubricID = ev.Rubric.ID
	}
	f.UnitKey, f.UnitCode, f.UnitName = ev.UnitKey, ev.Unit.Code, ev.Unit.Name
	if ev.Outcome != ledger.Accepted {
		f.Errors = 1
		var err error
		if f.OutputPath, err = p.writeNotice(f, ev.Message, ev.Advice, "TỆP BỊ TRẢ LẠI"); err != nil {
			return f, err
		}
		f.StoredPath = p.Folders.RejectedPath(f.ReceivedAt, f.ID, f.Name)
		return p.keep(ctx, f, src, data)
	}
	if ev.Kind == workbook.KindAppraisal {
		return p.commitAppraisal(ctx, f, src, ev, data)
	}
	f.Total, f.Errors, f.Warnings = ev.Result.Total, problem.Count(ev.Problems, problem.Error), problem.Count(ev.Problems, problem.Warning)
	f.SelfTotal = ev.Result.Self
	rec, err := encode(Record{Values: scoringValues(ev.Sub.Values), Problems: ev.Problems, Explain: ev.Sub.Explain, Contact: map[string]string{
		"ho_ten": ev.Sub.ContactName, "chuc_vu": ev.Sub.ContactRole, "dien_thoai": ev.Sub.ContactPhone, "email": ev.Sub.ContactEmail}})
	if err != nil {
		return f, err
	}
	f.Data = rec
	// The ranking's record: the unsettled scores and the problems, so a
	// ranking of the whole cohort need not score every file again.
	if sc, err := p.Evaluator.Scorers.Get(ev.Rubric); err == nil {
		f.Scores = ranking.EncodeRecord(sc, ev.Rubric, ev.Result, ev.Problems)
	}
	ext := ".xlsx"
	if ev.Macro {
		ext = ".xlsm"
	}
	var version int64
	if newer, err := p.newerAccepted(ctx, f); err != nil {
		return f, service("ledger", err)
	} else if newer {
		// An older submission finishing after a newer one: keep its result
		// beside, never over, the newer one's.
		version = f.ID
	}
	out := p.Folders.ResultPath(ev.Year, ev.Unit.Code, ev.Unit.Name, ext, version)
	f.OutputPath, err = result.Commit(out)
	if err != nil {
		return f, outputErr("result", err)
	}
	if err := p.acceptedNotice(f, ev); err != nil {
		return f, err
	}
	f.StoredPath = p.Folders.ArchivePath(ev.Year, f.ReceivedAt, f.ID, f.Name)
	got, err := p.keep(ctx, f, src, data)
	if err == nil {
		p.remember(ev)
	}
	return got, err
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

func (p *Pipeline) commitDuplicate(ctx context.Context, row ledger.File, src string, prev ledger.File, data []byte) (ledger.File, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := row
	f.Outcome, f.DuplicateOf, f.ProcessedAt = ledger.Duplicate, prev.ID, p.now()
	f.Year, f.RubricID, f.UnitKey, f.UnitCode, f.UnitName = prev.Year, prev.RubricID, prev.UnitKey, prev.UnitCode, prev.UnitName
	f.Reason = string(ReasonDuplicate)
	f.Message = fmt.Sprintf("Tệp giống hệt tệp \"%s\" đã nhận lúc %s (kết quả: %s).", prev.Name, p.Collection.Show(prev.ReceivedAt, layout.TimeDate), prev.Outcome.Label())
	advice := "Không cần gửi lại. Muốn sửa số liệu thì sửa trong tệp rồi gửi tệp đã sửa; bản gửi sau sẽ thay thế bản trước."
	var err error
	f.OutputPath, err = p.writeNotice(f, f.Message, advice, "TỆP TRÙNG")
	if err != nil {
		return f, err
	}
	f.StoredPath = p.Folders.ArchivePath(prev.Year, f.ReceivedAt, f.ID, f.Name)
	got, err := p.keep(ctx, f, src, data)
	if err == nil {
		p.Log.Info().Str("event", "audit").Str("file", f.Name).Str("outcome", string(ledger.Duplicate)).Int64("duplicate_of", prev.ID).Msg("processed")
	}
	return got, err
}

// commitAppraisal checks the appraisal's units against the accepted
// submissions, records the scores and writes a notice. Must hold p.mu.
func (p *Pipeline) commitAppraisal(ctx context.Context, f ledger.File, src string, ev *Evaluation, data []byte) (ledger.File, error) {
	units, err := p.Ledger.UnitKeys(ctx, ev.Year, ev.Rubric.ID)
	if err != nil {
		return f, service("ledger", err)
	}
	rec := AppraisalRecord{Appraisal: map[string]map[string]float64{}, Problems: ev.Problems}
	n := 0
	for _, e := range ev.Appraisal {
		if !units[e.UnitKey] {
			rec.Problems = append(rec.Problems, problem.Problem{Severity: problem.Error, Code: "appraisal-unknown-unit", Indicator: e.Code, Cell: e.Cell,
				Message: fmt.Sprintf("Mã đơn vị \"%s\" (%s) không có bài nộp được chấp nhận năm %d: điểm thẩm định ở ô %s không được dùng.", e.UnitKey, e.UnitName, ev.Year, e.Cell)})
			continue
		}
		if rec.Appraisal[e.UnitKey] == nil {
			rec.Appraisal[e.UnitKey] = map[string]float64{}
		}
		rec.Appraisal[e.UnitKey][e.Code] = e.Score
		n++
	}
	if n == 0 && len(rec.Problems) > 0 {
		rej := ReasonAppraisalInvalid.Reject()
		f.Outcome, f.Reason, f.Message = ledger.Rejected, string(rej.Reason), rej.Message
		f.Errors = problem.Count(rec.Problems, problem.Error)
		f.OutputPath, err = p.writeNotice(f, rej.Message+problemLines(rec.Problems), rej.Advice, "BẢNG THẨM ĐỊNH BỊ TRẢ LẠI")
		if err != nil {
			return f, err
		}
		f.StoredPath = p.Folders.RejectedPath(f.ReceivedAt, f.ID, f.Name)
		return p.keep(ctx, f, src, data)
	}
	if f.Data, err = encode(rec); err != nil {
		return f, err
	}
	f.Errors, f.Warnings = problem.Count(rec.Problems, problem.Error), problem.Count(rec.Problems, problem.Warning)
	f.Message = fmt.Sprintf("Đã nhận %d điểm thẩm định của %d đơn vị.", n, len(rec.Appraisal))
	f.OutputPath, err = p.writeNotice(f, f.Message+problemLines(rec.Problems),
		"Bảng xếp hạng được lập lại với điểm thẩm định. Gửi bảng thẩm định mới thì bảng mới thay thế bảng này.", "BẢNG THẨM ĐỊNH ĐÃ NHẬN")
	if err != nil {
		return f, err
	}
	f.StoredPath = p.Folders.ArchivePath(ev.Year, f.ReceivedAt, f.ID, f.Name)
	return p.keep(ctx, f, src, data)
}

// acceptedNotice tells the commune, beside its result workbook, what an
// accepted file with errors or received late means: "cần sửa, nộp lại"
// (the indicators with errors do not score until a corrected file comes),
// nộp muộn, and after the close that the official ranking does not change.
// Files accepted in time without errors get their result only.
func (p *Pipeline) acceptedNotice(f ledger.File, ev *Evaluation) error {
	col := p.Collection
	late, closed := col.Late(f.ReceivedAt), col.Closed(f.ReceivedAt)
	if f.Errors == 0 && !late {
		return nil
	}
	status := ranking.StatusOf(true, f.Errors, late)
	title := "TỆP ĐÃ NHẬN — " + strings.ToUpper(status.Label())
	var msg strings.Builder
	fmt.Fprintf(&msg, "Biểu mẫu của %s năm %d đã được nhận và chấm điểm. Trạng thái: %s.", ev.Unit.Name, ev.Year, status.Label())
	if late {
		fmt.Fprintf(&msg, " Tệp nhận sau hạn nộp %s nên được ghi là nộp muộn.", col.DeadlineText())
	}
	if closed {
		msg.WriteString(" Đợt thu thập đã chốt: kết quả này không thay đổi bảng xếp hạng chính thức đã ban hành cho đến khi đơn vị tổng hợp ban hành bản mới.")
	}
	var errs []problem.Problem
	for _, pr := range ev.Problems {
		if pr.Severity == problem.Error {
			errs = append(errs, pr)
		}
	}
	result := p.Labels.OutboxPlace(p.Folders.Rel(f.OutputPath)...)
	advice := "Xem kết quả chi tiết trong tệp " + result + "."
	if len(errs) > 0 {
		fmt.Fprintf(&msg, " Có %d lỗi: các chỉ số có lỗi không được tính điểm cho đến khi sửa.", len(errs))
		msg.WriteString(strings.Replace(problemLines(errs), "Các dòng không dùng được:", "Các lỗi:", 1))
		advice = "Sửa các ô có lỗi (xem trang \"Kết quả chấm\" của tệp " + result + "), rồi nộp lại cả tệp vào " +
			p.Labels.Inbox + "; bản nộp sau thay thế bản trước."
	}
	_, err := p.writeText(f, title, "Kết quả", msg.String(), advice)
	return err
}

func problemLines(ps []problem.Problem) string {
	if len(ps) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\r\nCác dòng không dùng được:")
	for _, p := range ps {
		b.WriteString("\r\n  - " + p.Message)
	}
	return b.String()
}

// writeNotice writes a short plain-text notice for the commune in the
// notice folder, named after their file (UTF-8 with BOM and CRLF, so
// Notepad shows the Vietnamese right).
func (p *Pipeline) writeNotice(f ledger.File, msg, advice, title string) (string, error) {
	return p.writeText(f, title, "Lý do", msg, advice)
}

// writeText writes a notice: title, file, time received, what (under
// label) and what to do.
func (p *Pipeline) writeText(f ledger.File, title, label, msg, advice string) (string, error) {
	path := p.Folders.NoticePath(f.Name, f.ReceivedAt, f.ID)
	if err := p.injected("write", f.ClaimPath); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", outputErr("notice folder", err)
	}
	lines := []string{
		title,
		"",
		"Tệp: " + vntext.Clean(f.Name),
		"Nhận lúc: " + p.Collection.Show(f.ReceivedAt, layout.TimeOnDate),
		"",
		label + ": " + msg,
		"Cần làm: " + advice,
		"",
		"Tệp gốc đã được lưu lại, không bị xoá.",
	}
	out, err := atomicfile.WriteText(path, vntext.Clean(strings.Join(lines, "\n")+"\n"))
	if err != nil {
		return "", outputErr("notice", err)
	}
	return out, nil
}
