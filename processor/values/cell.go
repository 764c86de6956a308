package values

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// Note is a remark about how a cell was read: Severity is a warning or
// information, Message is Vietnamese and says what to check.
type Note struct {
	Severity problem.Severity
	Code     string
	Message  string
}

// Stable codes of the notes ParseCell returns.
const (
	CodeAmbiguousDecimal = "ambiguous-decimal" // "1.5": decimal or thousands?
	CodeFractionText     = "fraction-text"     // "19/19": only the first number taken
	CodeNumberWithText   = "number-with-text"  // "10 + 5": only the first number taken
	CodePercentFraction  = "percent-fraction"  // 0.9 in a percent input read as 90 %
	CodeAmbiguousPercent = "ambiguous-percent" // 1 in a percent input: 1 % or 100 %?
	CodeWordAsZero       = "word-as-zero"      // "Không có" in a count read as 0
	CodeMoneyUnit        = "money-unit"        // "2 tỷ", "500 nghìn", "9.000.000 đồng" converted
	CodeYesNoRead        = "yes-no-read"       // "x", "Đã ban hành"… read as Có/Không
	CodeChoiceRead       = "choice-read"       // an option matched by key or alias
	CodeItemsCount       = "items-count"       // a number where a list is asked
)

// Errors wrapped by ParseCell's errors (besides ErrNotNumber), so callers can
// tell the kinds apart with errors.Is.
var (
	// ErrPercentForCount: a percentage typed where a count, number or
	// amount is asked.
	ErrPercentForCount = errors.New("tỷ lệ phần trăm ở ô cần số lượng")
	// ErrNotYesNo: text that is neither a yes nor a no answer.
	ErrNotYesNo = errors.New("không phải câu trả lời Có/Không")
	// ErrNotOption: text that matches none of a choice input's options.
	ErrNotOption = errors.New("không phải một lựa chọn hợp lệ")
)

// cellError carries a complete Vietnamese message and the kind it wraps.
type cellError struct {
	msg  string
	kind error
}

func (e *cellError) Error() string { return e.msg }
func (e *cellError) Unwrap() error { return e.kind }

// Labels of the yes/no dropdown in the template.
const (
	yesLabel = "Có"
	noLabel  = "Không"
)

// ParseCell reads one workbook cell for input in. raw is a float64 for a
// cell stored as a number, else the text; text is the cell as stored (for a
// number cell it may also be the displayed text: "90%" there marks Excel's
// percent format). An empty cell gives an unset Value and no error.
//
// What officials type is read as follows (see cell_test.go for every case):
//   - numbers as text with Vietnamese separators ("1.234" = 1234, "1,5" =
//     1.5, "1.234,5"); the ambiguous "1.5" is read as 1.5 with a warning;
//     spaces, NBSP and a trailing unit word ("9 triệu", "10 CBCC") are
//     dropped; "19/19" gives 19 with a warning; "50%" where a count is asked
//     is an error;
//   - percent inputs: "50%", "50" and 50 are 0.5; see percent for the
//     fraction rule;
//   - yes/no: Có, x, Đã…, Rồi → yes; Không, Chưa… → no; 1/0;
//   - choice: key, label or alias after folding;
//   - items: one per line; text: as is.
//
// Value.Text is always text. Notes say how a cell was read when it was not
// typed the way the template asks; the caller prefixes indicator and cell.
func ParseCell(in rubric.Input, raw any, text string) (engine.Value, []Note, error) {
	var (
		v     engine.Value
		notes []Note
		err   error
	)
	switch x := raw.(type) {
	case nil:
		v = engine.Value{}
	case float64:
		v, notes, err = parseNumberCell(in, x, text)
	case string:
		s := clean(x)
		if s == "" {
			v = engine.Value{}
		} else {
			v, notes, err = parseText(in, s)
		}
	default:
		// Values from YAML/JSON (int, bool, lists): the plain coercion.
		v, err = Coerce(in, raw)
	}
	if err != nil {
		return engine.Value{}, notes, err
	}
	v.Text = text
	return v, notes, nil
}

// clean trims spaces, NBSP and zero-width characters and normalises to NFC
// (names typed on macOS arrive decomposed).
func clean(s string) string {
	s = strings.Map(func(r rune) rune {
		switch r {
		case '\u00a0', '\u2007', '\u202f', '\u2009', '\u3000':
			return ' '
		case '\u200b', '\u200c', '\u200d', '\ufeff':
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(norm.NFC.String(s))
}

// parseNumberCell reads a cell Excel stored as a number.
func parseNumberCell(in rubric.Input, x float64, text string) (engine.Value, []Note, error) {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return engine.Value{}, nil, notNumber(in, text)
	}
	v := engine.Value{Set: true, Num: x}
	switch in.Type {
	case rubric.Text:
		return v, nil, nil
	case rubric.YesNo:
		switch x {
		case 1:
			v.Num = 1
			return v, []Note{yesNoNote(fnum(x), true)}, nil
		case 0:
			v.Num = 0
			return v, []Note{yesNoNote(fnum(x), false)}, nil
		}
		return engine.Value{}, nil, notYesNo(fnum(x))
	case rubric.Choice:
		return parseChoice(in, fnum(x))
	case rubric.Pct:
		if strings.HasSuffix(strings.TrimSpace(text), "%") {
			// The displayed text shows Excel's percent format: the stored
			// number is the fraction itself.
			return v, nil, nil
		}
		n, notes := percent(x, false, fnum(x))
		v.Num = n
		return v, notes, nil
	}
	// Count, number, money, items (a number is the item count): as stored.
	return v, nil, nil
}

// percent turns a percent figure typed without a "%" sign into a fraction.
//
// Decision (boundary rule): the template asks for percent units ("90
// nghĩa là 90%"), so x ≥ 1 and 0 are percent units; but a cell Excel shows
// as "90%" stores 0.9, so 0 < x < 1 is read as a fraction already (90 %)
// with an info note. Exactly 1 is read as 1 %, as the template asks, with a
// warning: it is also how Excel stores "100%", and reading 1 % when 100 %
// was meant costs the commune points it will see and correct, while the
// opposite would silently award full points.
func percent(x float64, sign bool, shown string) (float64, []Note) {
	if sign {
		return x / 100, nil
	}
	switch {
	case x > 0 && x < 1:
		return x, []Note{{Severity: problem.Info, Code: CodePercentFraction, Message: fmt.Sprintf(
			"ô ghi %s, được hiểu là tỷ lệ dạng thập phân (%s = %s%%, như Excel lưu ô định dạng %%) nên đã đọc là %s%%. Nếu ý là %s%% thì ghi %s%%.",
			shown, shown, fnum(x*100), fnum(x*100), shown, shown)}}
	case x == 1:
		return 0.01, []Note{{Severity: problem.Warning, Code: CodeAmbiguousPercent, Message: "ô ghi 1, đã đọc là 1%. Nếu ý là 100% thì ghi 100."}}
	}
	return x / 100, nil
}

// parseText reads a non-empty cell stored as text.
func parseText(in rubric.Input, s string) (engine.Value, []Note, error) {
	v := engine.Value{Set: true}
	switch in.Type {
	case rubric.Text:
		return v, nil, nil
	case rubric.Items:
		return parseItems(s)
	case rubric.YesNo:
		return parseYesNo(s)
	case rubric.Choice:
		return parseChoice(in, s)
	case rubric.Pct:
		n, num, notes, err := parseNum(in, s)
		if err != nil {
			return engine.Value{}, notes, err
		}
		n2, more := percent(n, num.percent, fnum(n))
		v.Num = n2
		return v, append(notes, more...), nil
	}
	if f := vntext.Fold(s); zeroWords[f] {
		v.Num = 0
		return v, []Note{{Severity: problem.Warning, Code: CodeWordAsZero, Message: fmt.Sprintf(
			"%s được hiểu là 0. Nếu đúng là 0 thì ghi số 0; nếu chưa có số liệu thì ghi số liệu thực tế.", quote(s))}}, nil
	}
	n, num, notes, err := parseNum(in, s)
	if err != nil {
		return engine.Value{}, notes, err
	}
	if num.percent {
		return engine.Value{}, notes, &cellError{kind: ErrPercentForCount, msg: fmt.Sprintf(
			"%s là tỷ lệ phần trăm, nhưng ô này cần %s: ghi %s (ví dụ 19), không ghi tỷ lệ.",
			quote(s), what(in), what(in))}
	}
	v.Num = n
	if in.Type == rubric.Money {
		v.Num, notes = moneyUnit(in, s, n, num.unit, notes)
	}
	return v, notes, nil
}

// zeroWords are answers that mean "none" where a count is asked.
var zeroWords = map[string]bool{"khong": true, "khong co": true, "chua co": true, "ko": true, "k": true}

// what names the kind of figure an input asks for.
func what(in rubric.Input) string {
	switch in.Type {
	case rubric.Money:
		return "số tiền (triệu đồng)"
	case rubric.Count:
		return "số lượng"
	}
	return "một con số"
}

// numInfo is what parseNum found around the number.
type numInfo struct {
	percent bool   // followed by "%"
	unit    string // the first word after the number, folded
}

// parseNum reads the leading number of s with Vietnamese separators and
// returns notes for what it had to guess.
func parseNum(in rubric.Input, s string) (float64, numInfo, []Note, error) {
	var info numInfo
	var notes []Note
	t := strings.ReplaceAll(s, "\u2212", "-") // typographic minus
	// The leading numeric part: sign, digits, separators; a space only
	// between digit groups of three ("1 234").
	i := 0
	if i < len(t) && (t[i] == '-' || t[i] == '+') {
		i++
	}
	start := i
	for i < len(t) {
		c := t[i]
		if (c >= '0' && c <= '9') || c == '.' || c == ',' {
			i++
			continue
		}
		if c == ' ' && i > start && isDigit(t[i-1]) && threeDigits(t[i+1:]) {
			i++
			continue
		}
		break
	}
	numText := strings.ReplaceAll(t[:i], " ", "")
	rest := strings.TrimSpace(t[i:])
	digits := strings.TrimLeft(numText, "+-")
	if !strings.ContainsAny(digits, "0123456789") {
		return 0, info, nil, notNumber(in, s)
	}
	// "19." or "19,": a trailing separator is punctuation.
	numText = strings.TrimRight(numText, ".,")
	n, ambiguous, ok := vnNumber(numText)
	if !ok {
		return 0, info, nil, notNumber(in, s)
	}
	if ambiguous != "" {
		notes = append(notes, Note{Severity: problem.Warning, Code: CodeAmbiguousDecimal, Message: ambiguous})
	}
	switch {
	case strings.HasPrefix(rest, "%"):
		info.percent = true
	case strings.HasPrefix(rest, "/") && startsWithDigit(strings.TrimSpace(rest[1:])):
		notes = append(notes, Note{Severity: problem.Warning, Code: CodeFractionText, Message: fmt.Sprintf(
			"%s có hai số: chỉ lấy số đầu tiên là %s. Ghi mỗi số vào ô của nó (tổng số ghi ở ô riêng).", quote(s), fnum(n))})
	case rest != "" && !startsWithLetter(rest) && containsDigit(rest):
		// "10 + 5", "10-20": more figures than one cell can hold.
		notes = append(notes, Note{Severity: problem.Warning, Code: CodeNumberWithText, Message: fmt.Sprintf(
			"%s có nhiều hơn một số: chỉ lấy số đầu tiên là %s. Ghi một số duy nhất vào ô này.", quote(s), fnum(n))})
	case rest != "":
		// A unit word ("9 triệu", "10 CBCC", "5 lần/tháng") is dropped.
		f := vntext.Fold(rest)
		if j := strings.IndexFunc(f, func(r rune) bool { return !unicode.IsLetter(r) }); j >= 0 {
			f = f[:j]
		}
		info.unit = f
	}
	return n, info, notes, nil
}

// vnNumber converts a run of digits and separators, Vietnamese style: the
// dot groups thousands and the comma marks decimals; when both occur the
// last one is the decimal mark. ambiguous is a Vietnamese note when the
// reading is a guess.
func vnNumber(num string) (v float64, ambiguous string, ok bool) {
	sign := ""
	if num != "" && (num[0] == '-' || num[0] == '+') {
		sign, num = num[:1], num[1:]
	}
	dots, commas := strings.Count(num, "."), strings.Count(num, ",")
	var plain string
	switch {
	case dots > 0 && commas > 0:
		dec := ","
		if strings.LastIndex(num, ".") > strings.LastIndex(num, ",") {
			dec = "." // English 1,234.5
		}
		if strings.Count(num, dec) > 1 {
			return 0, "", false
		}
		thou := map[string]string{",": ".", ".": ","}[dec]
		intPart, frac, _ := strings.Cut(num, dec)
		if !groupsOK(intPart, thou) {
			return 0, "", false
		}
		plain = strings.ReplaceAll(intPart, thou, "") + "." + frac
	case dots > 1:
		if !groupsOK(num, ".") {
			return 0, "", false
		}
		plain = strings.ReplaceAll(num, ".", "")
	case commas > 1:
		if !groupsOK(num, ",") {
			return 0, "", false
		}
		plain = strings.ReplaceAll(num, ",", "")
	case dots == 1:
		intPart, frac, _ := strings.Cut(num, ".")
		switch {
		case len(frac) == 3 && intPart != "" && strings.TrimLeft(intPart, "0") != "":
			// "1.234": the Vietnamese thousands separator.
			plain = intPart + frac
		case intPart == "" || strings.TrimLeft(intPart, "0") == "":
			// "0.5", ".5": only a decimal reading makes sense.
			plain = "0." + frac
		case strings.Trim(frac, "0") == "":
			// "19.0", "19.": the same number however the dot is read.
			plain = intPart
		default:
			plain = intPart + "." + frac
			x, _ := strconv.ParseFloat(plain, 64)
			ambiguous = fmt.Sprintf("%s được đọc là %s (dấu chấm hiểu là dấu thập phân). Hãy kiểm tra lại: số thập phân ghi bằng dấu phẩy (ví dụ 1,5), số hàng nghìn ghi liền hoặc dùng dấu chấm (ví dụ 1500 hoặc 1.500).",
				quote(sign+num), fnum(x))
		}
	case commas == 1:
		intPart, frac, _ := strings.Cut(num, ",")
		if intPart == "" {
			intPart = "0"
		}
		plain = intPart + "." + frac
		if len(frac) == 3 && strings.TrimLeft(intPart, "0") != "" {
			// "1,234": decimal in Vietnamese, a thousand and more in English.
			x, _ := strconv.ParseFloat(plain, 64)
			ambiguous = fmt.Sprintf("%s được đọc là %s (dấu phẩy là dấu thập phân); nếu ý là %s thì ghi %s, không có dấu phân cách.",
				quote(sign+num), fnum(x), intPart+frac, intPart+frac)
		}
	default:
		plain = num
	}
	x, err := strconv.ParseFloat(sign+plain, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, "", false
	}
	return x, ambiguous, true
}

// groupsOK checks thousands groups: every group after the first has three
// digits ("1.234.567", not "1.2.3", which is no number).
func groupsOK(s, sep string) bool {
	parts := strings.Split(s, sep)
	if parts[0] == "" || len(parts[0]) > 3 {
		return len(parts) == 1
	}
	for _, p := range parts[1:] {
		if len(p) != 3 {
			return false
		}
	}
	return true
}

// moneyUnit converts an amount whose unit word is not "triệu" into triệu
// đồng. Decision: an explicit unit word is unambiguous, so "2 tỷ" becomes
// 2.000 (info) and "9.000.000 đồng" becomes 9 (warning: the template asks
// for triệu đồng); an amount without a unit is left to validation.
func moneyUnit(in rubric.Input, s string, n float64, unit string, notes []Note) (float64, []Note) {
	if in.Unit != "" && vntext.Fold(in.Unit) != "trieu dong" {
		return n, notes
	}
	var x float64
	sev := problem.Info
	switch unit {
	case "ty":
		x = n * 1000
	case "nghin", "ngan":
		x = n / 1000
	case "dong", "d", "vnd", "vnđ":
		x, sev = n/1e6, problem.Warning
	default:
		return n, notes
	}
	return x, append(notes, Note{Severity: sev, Code: CodeMoneyUnit, Message: fmt.Sprintf(
		"%s đã được đổi thành %s triệu đồng. Ô này ghi theo đơn vị triệu đồng: hãy ghi %s.", quote(s), fnum(x), fnum(x))})
}

// parseYesNo reads a yes/no answer as officials type it.
func parseYesNo(s string) (engine.Value, []Note, error) {
	v := engine.Value{Set: true}
	switch s {
	case yesLabel:
		v.Num = 1
		return v, nil, nil
	case noLabel:
		return v, nil, nil
	}
	yes, ok := YesNo(s)
	if !ok && strings.ContainsAny(s, "✓✔√☑") && len([]rune(s)) == 1 {
		yes, ok = true, true
	}
	if !ok {
		yes, ok = yesNoLead(s)
	}
	if !ok {
		return engine.Value{}, nil, notYesNo(s)
	}
	v.Num = b2f(yes)
	return v, []Note{yesNoNote(s, yes)}, nil
}

// yesNoLead reads an answer by its first word: "Đã ban hành Kế hoạch số
// 12…", "Có (QĐ 45)" → yes; "Chưa triển khai", "Không thực hiện" → no. The
// word keeps its diacritics ("Cơ quan…" is not "Có"), but a word typed
// without any diacritics is accepted too.
func yesNoLead(s string) (yes, ok bool) {
	if f := strings.Fields(vntext.Fold(s)); len(f) >= 2 && unsure[f[0]+" "+f[1]] {
		return false, false
	}
	w := strings.ToLower(s)
	if j := strings.IndexFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.Is(unicode.Mn, r) }); j >= 0 {
		w = w[:j]
	}
	switch w {
	case "có", "co", "đã", "da", "rồi", "roi", "x", "đạt", "dat":
		return true, true
	case "không", "khong", "chưa", "chua", "ko":
		return false, true
	}
	return false, false
}

// unsure are leading words that make an answer neither yes nor no ("Có lẽ",
// "Có thể", "Chưa rõ").
var unsure = map[string]bool{"co le": true, "co the": true, "chua ro": true, "khong ro": true, "khong biet": true, "chua biet": true}

func yesNoNote(typed string, yes bool) Note {
	label := noLabel
	if yes {
		label = yesLabel
	}
	return Note{Severity: problem.Info, Code: CodeYesNoRead, Message: fmt.Sprintf(
		"%s được hiểu là “%s”. Lần sau hãy chọn Có hoặc Không trong danh sách.", quote(typed), label)}
}

func notYesNo(s string) error {
	return &cellError{kind: ErrNotYesNo, msg: fmt.Sprintf(
		"%s không phải câu trả lời Có/Không: chọn “Có” hoặc “Không” trong danh sách (có thể ghi Có, x, Đã có, Đã ban hành, Rồi; hoặc Không, Chưa, Chưa có).", quote(s))}
}

// parseChoice matches an option by key, label or alias.
func parseChoice(in rubric.Input, s string) (engine.Value, []Note, error) {
	o, ok := MatchOption(in, s)
	if !ok {
		var labels []string
		for _, o := range in.Options {
			labels = append(labels, "“"+o.Label+"”")
		}
		return engine.Value{}, nil, &cellError{kind: ErrNotOption, msg: fmt.Sprintf(
			"%s không phải một lựa chọn của ô này: chọn một trong %s.", quote(s), strings.Join(labels, "; "))}
	}
	v := engine.Value{Set: true, Choice: o.Key, Num: o.Fraction}
	if s != norm.NFC.String(o.Label) && s != norm.NFC.String(o.Short) {
		return v, []Note{{Severity: problem.Info, Code: CodeChoiceRead, Message: fmt.Sprintf(
			"%s được hiểu là “%s”. Lần sau hãy chọn trong danh sách.", quote(s), o.Label)}}, nil
	}
	return v, nil, nil
}

// parseItems reads a list, one item per line. A bare number is taken as
// the number of items, as a number cell is.
func parseItems(s string) (engine.Value, []Note, error) {
	v := engine.Value{Set: true}
	if n, notes, err := bareNumber(s); err == nil && len(notes) == 0 && n >= 0 && n == math.Trunc(n) {
		v.Num = n
		return v, []Note{{Severity: problem.Info, Code: CodeItemsCount, Message: fmt.Sprintf(
			"ô ghi số %s, được hiểu là %s mục. Nên liệt kê từng mục, mỗi dòng một mục.", fnum(n), fnum(n))}}, nil
	}
	for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if line = strings.TrimSpace(line); line != "" {
			v.Items = append(v.Items, line)
		}
	}
	v.Num = float64(len(v.Items))
	return v, nil, nil
}

// bareNumber reads s only when it is a number and nothing else.
func bareNumber(s string) (float64, []Note, error) {
	for _, r := range s {
		if !(r >= '0' && r <= '9') && r != '.' && r != ',' && r != ' ' {
			return 0, nil, ErrNotNumber
		}
	}
	n, info, notes, err := parseNum(rubric.Input{Type: rubric.Number}, s)
	if err == nil && (info.percent || info.unit != "") {
		return 0, nil, ErrNotNumber
	}
	return n, notes, err
}

func notNumber(in rubric.Input, s string) error {
	hint := "nhập một số, ví dụ 19 (nếu không có thì ghi 0)"
	switch in.Type {
	case rubric.Money:
		hint = "nhập một số, ví dụ 19 (số tiền theo triệu đồng, không kèm chữ; nếu không có thì ghi 0)"
	case rubric.Pct:
		hint = "nhập một số, ví dụ 19 hoặc 19% (tỷ lệ phần trăm)"
	}
	return &cellError{kind: ErrNotNumber, msg: fmt.Sprintf("%s không phải là số: %s.", quote(s), hint)}
}

// quote shows typed text in messages: in Vietnamese quotes, on one line,
// at most 60 characters.
func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 60 {
		s = string(r[:57]) + "…"
	}
	return "“" + s + "”"
}

// fnum formats a number for messages the Vietnamese way, every
// significant decimal kept: "1.234,5".
func fnum(x float64) string { return vntext.Number(x, -1) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func threeDigits(s string) bool {
	return len(s) >= 3 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && (len(s) == 3 || !isDigit(s[3]))
}

func startsWithDigit(s string) bool { return s != "" && isDigit(s[0]) }

func startsWithLetter(s string) bool {
	for _, r := range s {
		return unicode.IsLetter(r) || r == '('
	}
	return false
}

func containsDigit(s string) bool { return strings.ContainsAny(s, "0123456789") }
