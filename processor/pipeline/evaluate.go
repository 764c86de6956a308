package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/config"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/validate"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// Settings are what evaluation needs from the configuration.
type Settings struct {
	Rubrics       *rubric.Set
	DefaultRubric string
	Year          int
	Roster        []config.Unit
	MaxFileSize   int64 // bytes
	// Unzip limits passed to excelize against zip bombs.
	UnzipSizeLimit    int64
	UnzipXMLSizeLimit int64
	// RosterIndex indexes Roster (thousands of units are searched for every
	// file); built on the spot when nil.
	RosterIndex *roster.Index
}

func (s *Settings) rosterIndex() *roster.Index {
	if s.RosterIndex == nil {
		return roster.NewIndex(s.Roster)
	}
	return s.RosterIndex
}

// Evaluation is the verdict on one file's content: rubric, unit, figures,
// problems, score, and whether it can be accepted. It touches no folder.
type Evaluation struct {
	Name     string
	SHA256   string
	Size     int64
	Outcome  ledger.Outcome // Accepted or Rejected (Duplicate is decided against the ledger)
	Reason   string         // rejection code (see reasons)
	Message  string         // Vietnamese: what is wrong
	Advice   string         // Vietnamese: what to do
	Rubric   *rubric.Rubric
	Year     int
	Unit     config.Unit
	UnitKey  string
	Sub      *workbook.Submission
	Result   *engine.Result
	Problems []validate.Problem
	File     *excelize.File // open workbook when Accepted; the caller closes it
	// Kind is workbook.KindTemplate for a commune's form, or
	// workbook.KindAppraisal for the council's score sheet, whose scores are
	// in Appraisal.
	Kind      string
	Appraisal []workbook.AppraisalEntry
	// Macro is true for a macro-enabled workbook (.xlsm): its result keeps
	// the .xlsm extension, since Excel refuses macro content in an .xlsx.
	// chiso never runs macros.
	Macro bool
}

// AppraisalKey is the unit key under which appraisal files are recorded, so
// a later appraisal file supersedes an earlier one.
const AppraisalKey = "tham-dinh"

// Hash returns the SHA-256 of data, hex.
func Hash(data []byte) string {
	s := sha256.Sum256(data)
	return hex.EncodeToString(s[:])
}

func (e *Evaluation) reject(reason string, args ...any) *Evaluation {
	msg, advice := reasonText(reason, args...)
	e.Outcome, e.Reason, e.Message, e.Advice = ledger.Rejected, reason, msg, advice
	if e.File != nil {
		e.File.Close()
		e.File = nil
	}
	return e
}

// Evaluate judges a file's content. It never panics on hostile input
// (callers still recover, as excelize is not ours).
func (s *Settings) Evaluate(name string, data []byte, scorers *Scorers) *Evaluation {
	e := &Evaluation{Name: name, SHA256: Hash(data), Size: int64(len(data))}
	if s.MaxFileSize > 0 && e.Size > s.MaxFileSize {
		return e.reject("too-large", e.Size/1e6, s.MaxFileSize/1e6)
	}
	switch Sniff(data) {
	case FormatEmpty:
		return e.reject("empty-file")
	case FormatXLS:
		return e.reject("xls")
	case FormatEncrypted:
		return e.reject("password")
	case FormatPDF:
		return e.reject("pdf")
	case FormatOther:
		return e.reject("not-xlsx")
	}
	f, err := openWorkbook(data, s.UnzipSizeLimit, s.UnzipXMLSizeLimit)
	if err != nil {
		switch {
		case errors.Is(err, excelize.ErrWorkbookPassword):
			return e.reject("password")
		case strings.Contains(err.Error(), "unzip size exceeds"):
			// A zip bomb, or a workbook stuffed with pictures.
			return e.reject("too-large-unzipped", s.UnzipSizeLimit/1e6)
		}
		return e.reject("damaged")
	}
	e.File = f
	e.Macro = bytes.Contains(data, []byte("xl/vbaProject.bin"))
	if len(f.GetSheetList()) == 0 {
		return e.reject("damaged")
	}
	meta := workbook.ReadMeta(f)
	// Which rubric: the one the workbook claims, else the configured one
	// (a hand-made copy without metadata).
	id := meta.RubricID
	if id == "" {
		id = s.DefaultRubric
	}
	r, ok := s.Rubrics.Get(id)
	if !ok {
		return e.reject("unknown-rubric", id)
	}
	if r.ID != s.DefaultRubric {
		want, _ := s.Rubrics.Get(s.DefaultRubric)
		wantName := s.DefaultRubric
		if want != nil {
			wantName = want.Name
		}
		return e.reject("other-rubric", r.Name, wantName)
	}
	e.Rubric = r
	e.Kind = workbook.KindTemplate
	if meta.Kind == workbook.KindAppraisal {
		return s.evaluateAppraisal(e, meta)
	}
	sub := workbook.Read(f, r)
	e.Sub = sub
	if sub.FoundBy == "layout" && meta.RubricID == "" && !foundAny(sub) {
		return e.reject("not-template")
	}
	for _, p := range sub.Problems {
		if p.Code == workbook.CodeSheetDamaged {
			return e.reject("damaged")
		}
	}
	for _, p := range sub.Problems {
		if p.Code == workbook.CodeLayoutUnreadable {
			return e.reject("not-template")
		}
	}
	// Which year.
	year := s.Year
	claimed := meta.Year
	if claimed == "" {
		claimed = sub.Year
	}
	if claimed != "" {
		y, err := strconv.Atoi(strings.TrimSpace(claimed))
		if err != nil || y != s.Year {
			return e.reject("other-year", s.Year, claimed)
		}
	}
	e.Year = year
	// Which unit.
	if rej := s.identify(e, meta, sub); rej != "" {
		return e
	}
	if empty(sub) {
		return e.reject("empty")
	}
	sc, err := scorers.Get(r)
	if err != nil {
		return e.reject("internal", err.Error())
	}
	e.Result = sc.Score(sub.Values)
	cells := map[string]string{}
	for k, c := range sub.Cells {
		cells[k] = c.Where()
	}
	probs := append([]validate.Problem{}, sub.Problems...)
	probs = append(probs, validate.Check(r, validate.Input{Values: sub.Values, Explain: sub.Explain, Evidence: sub.Evidence, Cells: cells}, e.Result)...)
	if meta.RubricHash != "" && meta.RubricHash != r.Hash {
		probs = append(probs, validate.Problem{Severity: validate.Info, Code: "rubric-changed",
			Message: "Biểu mẫu được tạo từ một phiên bản khác của bộ chỉ số; điểm được tính theo phiên bản hiện hành."})
	}
	validate.Sort(probs, validate.Order(r))
	e.Problems = dropMissingWhenUnreadable(probs)
	e.Outcome = ledger.Accepted
	return e
}

// openWorkbook opens a workbook under the unzip limits; a panic inside
// excelize on a broken zip is a damaged file, not a crash.
func openWorkbook(data []byte, unzip, unzipXML int64) (f *excelize.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			f, err = nil, fmt.Errorf("damaged workbook: %v", r)
		}
	}()
	return excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: unzip, UnzipXMLSizeLimit: unzipXML})
}

// evaluateAppraisal judges an appraisal council's score sheet. Rows with a
// bad score are reported and skipped; units are checked by the pipeline
// against the accepted submissions when it commits.
func (s *Settings) evaluateAppraisal(e *Evaluation, meta workbook.Meta) *Evaluation {
	e.Kind = workbook.KindAppraisal
	if y, err := strconv.Atoi(meta.Year); err != nil || y != s.Year {
		return e.reject("other-year", s.Year, meta.Year)
	}
	e.Year = s.Year
	e.UnitKey = AppraisalKey
	e.Unit = config.Unit{Name: "Hội đồng thẩm định"}
	e.Appraisal, e.Problems = workbook.ReadAppraisal(e.File, e.Rubric)
	if len(e.Appraisal) == 0 && len(e.Problems) > 0 {
		e.reject("appraisal-invalid")
		e.Problems = append([]validate.Problem(nil), e.Problems...)
		return e
	}
	e.Outcome = ledger.Accepted
	return e
}

// dropMissingWhenUnreadable removes the "missing figure" warning for a cell
// already reported as unreadable: one message per cell is enough.
func dropMissingWhenUnreadable(ps []validate.Problem) []validate.Problem {
	unreadable := map[string]bool{}
	for _, p := range ps {
		if p.Code == "unreadable" && p.Cell != "" {
			unreadable[p.Cell] = true
		}
	}
	out := ps[:0]
	for _, p := range ps {
		if p.Code == "missing" && unreadable[p.Cell] {
			continue
		}
		out = append(out, p)
	}
	return out
}

func foundAny(s *workbook.Submission) bool { return len(s.Cells) > 0 }

// empty reports a template with no figure and no self-score at all.
func empty(s *workbook.Submission) bool {
	if len(s.Values.Self) > 0 {
		return false
	}
	for _, v := range s.Values.General {
		if v.Set {
			return false
		}
	}
	for _, m := range s.Values.Inputs {
		for _, v := range m {
			if v.Set {
				return false
			}
		}
	}
	for _, p := range s.Problems {
		if p.Code == "unreadable" {
			return false // something was typed, just not usable
		}
	}
	return true
}

// identify finds the unit: by the code the template was issued for, else
// by the name typed on the general sheet. It rejects e and returns the
// reason when the unit is unknown or contradictory.
func (s *Settings) identify(e *Evaluation, meta workbook.Meta, sub *workbook.Submission) string {
	code := meta.UnitCode
	if code == "" {
		code = sub.UnitCode
	}
	name := sub.UnitName
	if name == "" {
		name = meta.UnitName
	}
	if len(s.Roster) == 0 {
		// No roster: units are who they say they are.
		if strings.TrimSpace(name) == "" && strings.TrimSpace(code) == "" {
			e.reject("no-unit")
			return e.Reason
		}
		e.Unit = config.Unit{Code: strings.TrimSpace(code), Name: strings.TrimSpace(name)}
		e.UnitKey = roster.UnitKey(e.Unit)
		return ""
	}
	ix := s.rosterIndex()
	byCode, okCode := ix.Find(code, "")
	byName, okName := ix.Find("", name)
	switch {
	case okCode && okName && byCode.Code != byName.Code:
		e.reject("unit-conflict", byCode.Name, byName.Name)
		return e.Reason
	case okCode:
		e.Unit = byCode
	case okName:
		e.Unit = byName
	case strings.TrimSpace(name) == "":
		e.reject("no-unit")
		return e.Reason
	default:
		e.reject("unknown-unit", name, roster.Closest(s.Roster, name, 3))
		return e.Reason
	}
	e.UnitKey = roster.UnitKey(e.Unit)
	return ""
}

// Scorers caches one compiled scorer per rubric; safe for concurrent use.
type Scorers struct {
	mu sync.Mutex
	m  map[string]*engine.Scorer
}

// Get returns the scorer for r.
func (s *Scorers) Get(r *rubric.Rubric) (*engine.Scorer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*engine.Scorer{}
	}
	if sc, ok := s.m[r.ID+r.Hash]; ok {
		return sc, nil
	}
	sc, err := engine.New(r)
	if err != nil {
		return nil, err
	}
	s.m[r.ID+r.Hash] = sc
	return sc, nil
}

// reasonText gives the Vietnamese message and advice for a rejection.
func reasonText(reason string, args ...any) (msg, advice string) {
	switch reason {
	case "too-large":
		return fmt.Sprintf("Tệp quá lớn (%v MB; tối đa %v MB).", args...),
			"Xoá ảnh, trang tính thừa trong tệp rồi lưu lại và gửi lại; tài liệu kiểm chứng gửi riêng, không chèn vào biểu mẫu."
	case "too-large-unzipped":
		return fmt.Sprintf("Tệp giải nén ra quá lớn (hơn %v MB): có thể tệp chứa nhiều ảnh hoặc bị hỏng.", args...),
			"Xoá ảnh và các trang tính thừa, lưu lại rồi gửi lại; tài liệu kiểm chứng gửi riêng, không chèn vào biểu mẫu."
	case "empty-file":
		return "Tệp rỗng (0 byte): có thể tệp chưa được chép xong.", "Chép lại tệp vào thư mục nhận báo cáo."
	case "xls":
		return "Tệp ở định dạng .xls (Excel 97–2003), hệ thống chỉ đọc được .xlsx.",
			"Mở tệp bằng Excel, chọn File > Save As > Excel Workbook (*.xlsx) rồi gửi lại tệp .xlsx."
	case "password":
		return "Tệp có mật khẩu nên hệ thống không mở được.",
			"Mở tệp bằng Excel, vào File > Info > Protect Workbook > Encrypt with Password, xoá mật khẩu, lưu lại rồi gửi lại."
	case "pdf":
		return "Tệp là tệp PDF, không phải tệp Excel.",
			"Gửi tệp Excel (.xlsx) của biểu mẫu đã điền, không gửi bản PDF hay bản chụp."
	case "not-xlsx":
		return "Tệp không phải tệp Excel (.xlsx).",
			"Gửi tệp Excel (.xlsx) của biểu mẫu tự đánh giá đã điền."
	case "damaged":
		return "Tệp Excel bị hỏng hoặc chưa được chép xong nên không mở được.",
			"Mở thử tệp bằng Excel trên máy của đơn vị; nếu mở được, lưu lại rồi gửi lại; nếu không, điền lại vào biểu mẫu mới."
	case "not-template":
		return "Tệp không phải biểu mẫu tự đánh giá chuyển đổi số do hệ thống phát hành (không tìm thấy các ô số liệu).",
			"Dùng biểu mẫu do cơ quan tổng hợp phát hành, điền số liệu vào các ô màu vàng, không đổi tên trang tính, rồi gửi lại."
	case "unknown-rubric":
		return fmt.Sprintf("Biểu mẫu theo bộ chỉ số \"%v\" mà hệ thống không có.", args...),
			"Dùng biểu mẫu của năm nay do cơ quan tổng hợp phát hành."
	case "other-rubric":
		return fmt.Sprintf("Biểu mẫu theo \"%v\", không phải bộ chỉ số đang thu thập (\"%v\").", args...),
			"Tải biểu mẫu mới do cơ quan tổng hợp phát hành, chép số liệu sang rồi gửi lại."
	case "other-year":
		return fmt.Sprintf("Không phải biểu mẫu của năm %v (tệp ghi năm %v).", args...),
			fmt.Sprintf("Dùng biểu mẫu năm %v do cơ quan tổng hợp phát hành, điền số liệu của năm %v rồi gửi lại.", args[0], args[0])
	case "no-unit":
		return "Biểu mẫu chưa ghi tên đơn vị.", "Ghi tên đơn vị ở trang \"Thông tin chung\" (ví dụ: Xã Triệu Thành) rồi gửi lại."
	case "unknown-unit":
		msg = fmt.Sprintf("Không nhận ra đơn vị \"%v\" trong danh sách đơn vị của cơ quan tổng hợp.", args[0])
		if c, _ := args[1].([]string); len(c) > 0 {
			msg += " Có phải: \"" + strings.Join(c, "\", \"") + "\"?"
		}
		return msg, "Ghi đúng tên đơn vị ở trang \"Thông tin chung\" (như trong danh sách của huyện/tỉnh) rồi gửi lại."
	case "unit-conflict":
		return fmt.Sprintf("Biểu mẫu được phát cho \"%v\" nhưng trang \"Thông tin chung\" ghi \"%v\".", args...),
			"Mỗi đơn vị dùng biểu mẫu phát cho chính đơn vị mình; nếu đây là tệp của đơn vị khác, hãy gửi đúng tệp."
	case "empty":
		return "Biểu mẫu chưa có số liệu nào.", "Điền số liệu, điểm tự chấm vào các ô màu vàng rồi gửi lại."
	case "appraisal-invalid":
		return "Bảng thẩm định không có điểm thẩm định nào dùng được (xem các lỗi bên dưới).",
			"Sửa các ô điểm thẩm định được nêu (số từ 0 đến điểm tối đa, đúng mã đơn vị và mã chỉ số) rồi gửi lại tệp."
	case "timeout":
		return "Tệp xử lý quá lâu nên hệ thống đã dừng.", "Tệp đã được lưu lại; cán bộ tổng hợp sẽ kiểm tra. Có thể gửi lại tệp nhỏ gọn hơn (không chèn ảnh)."
	case "internal":
		return "Hệ thống gặp lỗi khi xử lý tệp.", "Tệp đã được lưu lại; cán bộ tổng hợp sẽ kiểm tra và liên hệ với đơn vị."
	}
	return "Tệp không được chấp nhận (" + reason + ").", "Liên hệ cán bộ tổng hợp."
}
