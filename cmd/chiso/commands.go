package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"
)

// The command table. The usage, `chiso help COMMAND` and `COMMAND --help`
// are generated from it; flags may come before or after the positional
// arguments; a command line that cannot be parsed prints its usage once.

// setupFunc defines a command's flags on fs and returns what runs once they
// are parsed, with the positional arguments. It must not read the config:
// help is printed without loading it.
type setupFunc func(a *app, fs *flag.FlagSet) func(ctx context.Context, args []string) error

// command is one entry of the table.
type command struct {
	name    string   // "check", "rubric show"
	args    string   // the positional arguments in the synopsis: "FILE", "[ID|FILE]"
	summary string   // one line, Vietnamese
	details string   // more lines, when the summary is not enough
	example []string // command lines, shown under "Ví dụ"
	nargs   [2]int   // fewest and most positional arguments; most -1: any number
	noCfg   bool     // runs without a config (help, version)
	setup   setupFunc
	subs    []*command // a group: "rubric list", "rubric show"…
}

// commands is chiso's command table, in the order of the usage.
var commands = []*command{
	{name: "serve", summary: "chạy thường trực: theo dõi thư mục nhận, xử lý tệp, xếp hạng, chạy lịch thu thập",
		example: []string{"chiso serve", "chiso --config C:\\chiso\\config.yaml serve --no-calendar"}, setup: setupServe},
	{name: "process", summary: "xử lý một lần mọi tệp trong thư mục nhận rồi dừng (cập nhật bảng xếp hạng)",
		example: []string{"chiso process"}, setup: setupProcess},
	{name: "check", args: "FILE", nargs: [2]int{1, 1}, summary: "kiểm tra và chấm điểm một biểu mẫu, không động đến thư mục nào",
		details: "Mã thoát 1 nếu tệp sẽ bị trả lại. --json in kết quả cho máy đọc (tên trường snake_case).",
		example: []string{`chiso check "bieu-mau-xa-trieu-thanh.xlsx"`, `chiso check bieu-mau.xlsx --json`}, setup: setupCheck},
	{name: "rank", summary: "xếp hạng lại từ sổ theo dõi (xep-hang-<cụm>-<năm>.xlsx/.csv/.json) và ghi biểu thẩm định nếu chưa có",
		details: "--final (khi kết thúc thu thập) ghi lại tệp kết quả của mọi đơn vị với điểm đã chốt và thứ hạng.",
		example: []string{"chiso rank", "chiso rank --year 2023 --final"}, setup: setupRank},
	{name: "template", summary: "ghi biểu mẫu tự đánh giá: mẫu chung, của một đơn vị, hoặc mỗi đơn vị trong danh sách một tệp",
		details: "Mặc định ghi vào outbox/<năm>/bieu-mau/.",
		example: []string{`chiso template --unit "Triệu Thành"`, "chiso template --all --year 2024", "chiso template --rubric xuanlac-xa-2023 --out thu"}, setup: setupTemplate},
	{name: "remind", summary: "nhắc các đơn vị chưa nộp ngay bây giờ (thông báo; gửi thư khi đã cấu hình SMTP)",
		example: []string{"chiso remind --dry-run"}, setup: setupRemind},
	{name: "status", summary: "số tệp theo kết quả, tệp gần nhất, tệp đang chờ, lịch sắp tới, đơn vị chưa nộp",
		example: []string{"chiso status"}, setup: setupStatus},
	{name: "rubric", summary: "các bộ chỉ số: liệt kê, xem, kiểm tra, nhập từ bảng của tỉnh, so sánh hai năm", subs: []*command{
		{name: "rubric list", summary: "liệt kê các bộ chỉ số (đánh dấu bộ đang dùng)", example: []string{"chiso rubric list"}, setup: setupRubricList},
		{name: "rubric show", args: "[ID|FILE]", nargs: [2]int{0, 1}, summary: "in một bộ chỉ số thành bảng, có tổng điểm và cách hiểu của đơn vị tổng hợp",
			example: []string{"chiso rubric show", "chiso rubric show quangtri-xa-2022"}, setup: setupRubricShow},
		{name: "rubric check", args: "[ID|FILE…]", nargs: [2]int{0, -1}, summary: "kiểm tra lỗi số học và cấu trúc của bộ chỉ số (mã thoát 1 nếu có lỗi)",
			example: []string{"chiso rubric check", "chiso rubric check thanhhoa-xa-2025.yaml"}, setup: setupRubricCheck},
		{name: "rubric import", args: "FILE", nargs: [2]int{1, 1}, summary: "đọc bảng bộ chỉ số của tỉnh (.docx, .xlsx hoặc văn bản) thành tệp bộ chỉ số",
			example: []string{`chiso rubric import "Phu luc bo chi so 2025.docx" --id thanhhoa-xa-2025`}, setup: setupRubricImport},
		{name: "rubric diff", args: "A B", nargs: [2]int{2, 2}, summary: "những gì thay đổi từ bộ chỉ số A (năm trước) sang B (mã hoặc tệp)",
			example: []string{"chiso rubric diff thanhhoa-xa-2023 thanhhoa-xa-2025.yaml"}, setup: setupRubricDiff},
	}},
	{name: "score", summary: "chấm điểm một bộ số liệu ghi trong tệp YAML hoặc JSON",
		example: []string{"chiso score --values templates/testdata/trieu-thanh-2023.yaml", "chiso score --values so-lieu.json --json"}, setup: setupScore},
	{name: "help", args: "[LỆNH]", nargs: [2]int{0, 2}, noCfg: true, summary: "cách dùng chiso, hoặc một lệnh",
		example: []string{"chiso help check", "chiso help rubric import"}},
	{name: "version", noCfg: true, summary: "in phiên bản", example: []string{"chiso version"}, setup: setupVersion},
}

// configUsage documents the one global flag.
const configUsage = "tệp cấu hình (mặc định config.yaml trong thư mục hiện tại; không có thì dùng cấu hình mặc định)"

// usage is chiso's usage, generated from the table.
func usage() string {
	var b strings.Builder
	b.WriteString("chiso: thu nhận, kiểm tra, chấm điểm và xếp hạng bộ chỉ số chuyển đổi số (DTI)\n\n")
	b.WriteString("Cách dùng: chiso [--config FILE] LỆNH [THAM SỐ]\n\nLệnh:\n")
	var rows [][2]string
	for _, c := range commands {
		if len(c.subs) == 0 {
			rows = append(rows, [2]string{c.name, c.summary})
		}
		for _, s := range c.subs {
			rows = append(rows, [2]string{s.name, s.summary})
		}
	}
	writeRows(&b, rows)
	b.WriteString("\nTùy chọn chung (đặt trước hoặc sau lệnh):\n  --config FILE   " + configUsage + "\n\n")
	b.WriteString("Xem cách dùng và ví dụ của một lệnh: chiso help LỆNH (hoặc chiso LỆNH --help).\n")
	b.WriteString("Mã thoát: 0 xong; 1 lệnh tìm thấy vấn đề; 2 sai cú pháp lệnh; 3 cấu hình hoặc bộ chỉ số không dùng được; 4 lỗi bên trong.\n")
	return b.String()
}

func writeRows(b *strings.Builder, rows [][2]string) {
	w := 0
	for _, r := range rows {
		w = max(w, len([]rune(r[0])))
	}
	for _, r := range rows {
		fmt.Fprintf(b, "  %-*s  %s\n", w, r[0], r[1])
	}
}

// flagSet is a command's flag set: silent (chiso prints errors and usage
// itself), with --config accepted after the command too.
func (c *command) flagSet(a *app) (*flag.FlagSet, func(ctx context.Context, args []string) error, *string) {
	fs := flag.NewFlagSet("chiso "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var run func(ctx context.Context, args []string) error
	if c.setup != nil {
		run = c.setup(a, fs)
	}
	cfg := fs.String("config", "", configUsage)
	return fs, run, cfg
}

// help is a command's help: summary, synopsis, flags, examples.
func (c *command) help() string {
	var b strings.Builder
	fmt.Fprintf(&b, "chiso %s — %s\n", c.name, c.summary)
	if len(c.subs) > 0 {
		fmt.Fprintf(&b, "\nCách dùng: chiso [--config FILE] %s LỆNH_CON [THAM SỐ]\n\nLệnh con:\n", c.name)
		var rows [][2]string
		for _, s := range c.subs {
			rows = append(rows, [2]string{s.name, s.summary})
		}
		writeRows(&b, rows)
		fmt.Fprintf(&b, "\nXem một lệnh con: chiso help %s\n", c.subs[0].name)
		return b.String()
	}
	fs, _, _ := c.flagSet(&app{})
	syn := []string{"chiso [--config FILE]", c.name}
	var rows [][2]string
	fs.VisitAll(func(f *flag.Flag) {
		if f.Name == "config" {
			return
		}
		name, text := flag.UnquoteUsage(f)
		opt := "--" + f.Name
		if name != "" {
			opt += " " + name
		}
		syn = append(syn, "["+opt+"]")
		rows = append(rows, [2]string{opt, text})
	})
	if c.args != "" {
		syn = append(syn, c.args)
	}
	fmt.Fprintf(&b, "\nCách dùng: %s\n", strings.Join(syn, " "))
	if c.details != "" {
		fmt.Fprintf(&b, "\n%s\n", c.details)
	}
	if len(rows) > 0 {
		b.WriteString("\nTùy chọn (đặt trước hoặc sau tham số):\n")
		writeRows(&b, rows)
	}
	if len(c.example) > 0 {
		b.WriteString("\nVí dụ:\n")
		for _, e := range c.example {
			b.WriteString("  " + e + "\n")
		}
	}
	return b.String()
}

// find resolves a command line to its command and the arguments left.
func find(args []string) (*command, []string, error) {
	if len(args) == 0 {
		return nil, nil, nil
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		if len(c.subs) == 0 {
			return c, args[1:], nil
		}
		if len(args) < 2 || isHelp(args[1]) {
			return c, args[1:], nil
		}
		for _, s := range c.subs {
			if s.name == c.name+" "+args[1] {
				return s, args[2:], nil
			}
		}
		return c, nil, usageErrHelp(c.help(), "%s: không có lệnh con %q", c.name, args[1])
	}
	return nil, nil, usageErrHelp(usage(), "không có lệnh %q", args[0])
}

func isHelp(s string) bool { return s == "-h" || s == "-help" || s == "--help" }

// wantsHelp reports whether a command's arguments ask for its help.
func wantsHelp(args []string) bool {
	for _, s := range args {
		if s == "--" {
			return false
		}
		if isHelp(s) {
			return true
		}
	}
	return false
}

func dispatch(ctx context.Context, now func() time.Time, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("chiso", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	cfgPath := fs.String("config", "config.yaml", configUsage)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, usage())
			return nil
		}
		return usageErrHelp(usage(), "%s", flagError(err))
	}
	explicit := false
	fs.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "config" })
	c, rest, err := find(fs.Args())
	switch {
	case err != nil:
		return err
	case c == nil:
		return usageErrHelp(usage(), "chưa có lệnh")
	case c.name == "help":
		if wantsHelp(rest) {
			fmt.Fprint(stdout, c.help())
			return nil
		}
		if len(rest) == 0 {
			fmt.Fprint(stdout, usage())
			return nil
		}
		h, _, err := find(rest)
		if err != nil {
			return err
		}
		fmt.Fprint(stdout, h.help())
		return nil
	case len(c.subs) > 0:
		if len(rest) > 0 { // "rubric --help"
			fmt.Fprint(stdout, c.help())
			return nil
		}
		return usageErrHelp(c.help(), "%s: thiếu lệnh con", c.name)
	case wantsHelp(rest):
		fmt.Fprint(stdout, c.help())
		return nil
	}
	a := &app{stdout: stdout, stderr: stderr, cfgPath: *cfgPath, now: now}
	cfs, run, cmdCfg := c.flagSet(a)
	pos, err := parseInterleaved(cfs, rest)
	if err != nil {
		return usageErrHelp(c.help(), "%s: %s", c.name, flagError(err))
	}
	if n := len(pos); n < c.nargs[0] || (c.nargs[1] >= 0 && n > c.nargs[1]) {
		return usageErrHelp(c.help(), "%s: %s", c.name, argsWanted(c, n))
	}
	if *cmdCfg != "" {
		a.cfgPath, explicit = *cmdCfg, true
	}
	if !c.noCfg {
		if err := a.loadConfig(explicit); err != nil {
			return err
		}
	}
	return run(ctx, pos)
}

func argsWanted(c *command, n int) string {
	lo, hi := c.nargs[0], c.nargs[1]
	switch {
	case lo == hi && lo == 0:
		return fmt.Sprintf("lệnh này không nhận tham số (có %d)", n)
	case lo == hi:
		return fmt.Sprintf("cần đúng %d tham số %s (có %d)", lo, c.args, n)
	case hi < 0:
		return fmt.Sprintf("cần ít nhất %d tham số %s (có %d)", lo, c.args, n)
	}
	return fmt.Sprintf("cần từ %d đến %d tham số %s (có %d)", lo, hi, c.args, n)
}

// flagError says in Vietnamese what the flag package found wrong.
func flagError(err error) string {
	s := err.Error()
	for _, m := range []struct{ prefix, vi string }{
		{"flag provided but not defined: ", "không có tùy chọn "},
		{"flag needs an argument: ", "tùy chọn cần một giá trị: "},
		{"bad flag syntax: ", "tùy chọn viết sai: "},
	} {
		if rest, ok := strings.CutPrefix(s, m.prefix); ok {
			return m.vi + rest
		}
	}
	if rest, ok := strings.CutPrefix(s, "invalid value "); ok {
		if v, f, ok := strings.Cut(rest, " for flag "); ok {
			f, _, _ = strings.Cut(f, ":")
			return "giá trị " + v + " không hợp lệ cho tùy chọn " + f
		}
	}
	if strings.HasPrefix(s, "invalid boolean") {
		return "tùy chọn bật/tắt không nhận giá trị: " + s
	}
	return s
}

// parseInterleaved parses flags that may come before or after the
// positional arguments ("check bieu-mau.xlsx --json"); after "--"
// everything is positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func setupVersion(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(context.Context, []string) error {
		fmt.Fprintln(a.stdout, "chiso", version)
		return nil
	}
}

func setupRemind(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	dry := fs.Bool("dry-run", false, "chỉ in những đơn vị sẽ được nhắc; không ghi, không gửi gì")
	return func(ctx context.Context, _ []string) error { return a.remind(ctx, *dry) }
}

func setupStatus(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(ctx context.Context, _ []string) error { return a.status(ctx) }
}
