// Package config reads chiso's config.yaml: Default, then Parse over it,
// then Validate. Relative paths are resolved against the config file's folder
// so the daemon behaves the same whatever its working directory.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/calendar"
	"github.com/chiso-vn/chiso/processor/layout"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/vntext"
	"gopkg.in/yaml.v3"
)

// Config is the whole configuration.
type Config struct {
	// Rubric is the id of the rubric used for new templates and for
	// workbooks that do not say which rubric they follow.
	Rubric string `yaml:"rubric"`
	// Year is the reporting year; 0 means the current year.
	Year int `yaml:"year"`
	// Rubrics names an extra rubric file or folder; a rubric there with the
	// id of an embedded one replaces it.
	Rubrics string `yaml:"rubrics"`
	Inbox   string `yaml:"inbox"`
	Outbox  string `yaml:"outbox"`
	// InboxLabel and OutboxLabel say where the inbox and outbox are in every
	// text a commune reads (templates, notices, e-mails), e.g.
	// `\\may-chu\dti\nop-bao-cao` or the name of a synced cloud folder; empty:
	// "the office's inbox/outbox folder", never the server's own path.
	InboxLabel  string `yaml:"inbox_label"`
	OutboxLabel string `yaml:"outbox_label"`
	// Archive keeps the originals of accepted, superseded and duplicate
	// files; Rejected the originals of rejected files. Nothing is deleted.
	Archive  string `yaml:"archive"`
	Rejected string `yaml:"rejected"`
	// Limits bound hostile or broken files.
	Limits Limits `yaml:"limits"`
	// Workers is how many files are evaluated in parallel (0: one per CPU).
	Workers int `yaml:"workers"`
	// Log configures logging.
	Log Log `yaml:"log"`
	// Data is the folder for the ledger database: keep it on local disk.
	Data string `yaml:"data"`
	// Opening, Deadline and Close are the dates of the collection,
	// "YYYY-MM-DD", in the collection year or the following January, in
	// this order: the opening sends the templates (08:00), files after the
	// deadline day are late, the close publishes the official ranking
	// (17:00).
	Opening  string        `yaml:"opening"`
	Deadline string        `yaml:"deadline"`
	Close    string        `yaml:"close"`
	Office   Office        `yaml:"office"`
	Roster   []roster.Unit `yaml:"roster"`
	// Watch configures the daemon's inbox watching.
	Watch Watch `yaml:"watch"`
	// Schedule is the November collection calendar.
	Schedule Schedule `yaml:"schedule"`
	// SMTP, when Host is set, sends reminder e-mails.
	SMTP SMTP `yaml:"smtp"`
	// Lineage lists units formed by merging others (the 2025 reform): the
	// previous-year comparison uses the mean of the predecessors' scores.
	Lineage []Merge `yaml:"lineage"`

	// Dir is the folder of the config file (for resolving paths); File the
	// file itself, when there is one.
	Dir  string `yaml:"-"`
	File string `yaml:"-"`
	// lines maps each key ("limits.max_file_mb") to its line in File.
	lines map[string]int
}

// Limits bound what one file may cost.
type Limits struct {
	MaxFileMB     int64 `yaml:"max_file_mb"`     // larger files are rejected
	UnzipMB       int64 `yaml:"unzip_mb"`        // total unzipped size (zip bombs)
	UnzipXMLMB    int64 `yaml:"unzip_xml_mb"`    // one unzipped XML part
	TimeoutSecond int   `yaml:"timeout_seconds"` // per file
}

// Log configures logging: format "auto" (console on a terminal, JSON
// otherwise), "console" or "json"; File, when set, receives JSON lines and is
// rotated at MaxMB.
type Log struct {
	Level  string `yaml:"level"`
	Format string `yaml:"format"`
	File   string `yaml:"file"`
	MaxMB  int    `yaml:"max_mb"`
}

// Office is the consolidating office (district or province).
type Office struct {
	Name    string `yaml:"name"`
	Contact string `yaml:"contact"`
	Phone   string `yaml:"phone"`
	Email   string `yaml:"email"`
	// Cohort names the cohort in output file names (e.g. "trieu-son").
	Cohort string `yaml:"cohort"`
	// Parent is the office's parent (cơ quan chủ quản), printed above it at
	// the top of the ranking report; "" for none.
	Parent string `yaml:"parent"`
	// Place is the place name (địa danh) of the report's date line,
	// "Triệu Sơn, ngày … tháng … năm …"; "" takes it from the name.
	Place string `yaml:"place"`
	// Signer signs the ranking report.
	Signer Signer `yaml:"signer"`
}

// Signer is who signs the ranking report: the signing authority (thẩm
// quyền ký, "KT. CHỦ TỊCH"; "" for none), the title ("PHÓ CHỦ TỊCH"; ""
// prints "THỦ TRƯỞNG CƠ QUAN") and the name ("" leaves the line to be
// written by hand).
type Signer struct {
	Authority string `yaml:"authority"`
	Title     string `yaml:"title"`
	Name      string `yaml:"name"`
}

// signingAuthorities are the prefixes of a signing authority (Nghị định
// 30/2020/NĐ-CP, Điều 13): on behalf of a collective (TM.), for the head
// (KT.), by order (TL.), by authorisation (TUQ.), acting (Q.).
var signingAuthorities = []string{"TM.", "KT.", "TL.", "TUQ.", "Q."}

// Watch configures how the daemon watches the inbox.
type Watch struct {
	// RescanSeconds: a full rescan of the inbox every so often, whatever the
	// file-system events say (events are missed on network shares).
	RescanSeconds int `yaml:"rescan_seconds"`
	// SettleSeconds: a file is taken once its size and time have not changed
	// for this long (and it opens as a complete zip).
	SettleSeconds int `yaml:"settle_seconds"`
	// Events: use file-system notifications as a hint (off: rescan only).
	Events bool `yaml:"events"`
	// DebounceSeconds: the ranking is rebuilt once a burst has been quiet this long.
	DebounceSeconds int `yaml:"debounce_seconds"`
}

// Schedule is the collection calendar's time zone and reminders: cron
// expressions ("minute hour day-of-month month day-of-week") in TimeZone,
// run only between the opening and the deadline.
type Schedule struct {
	TimeZone  string   `yaml:"timezone"`
	Reminders []string `yaml:"reminders"` // remind units that have not submitted
	// DaysBefore adds a reminder at 08:00 this many days before the deadline.
	DaysBefore []int `yaml:"days_before_deadline"`
	// Opening and Close are the cron expressions of configs written before
	// the opening: and close: dates; one is used only when its date is not
	// set (its first occurrence in the collection year, or on or after the
	// deadline day for the close).
	Opening string `yaml:"opening"`
	Close   string `yaml:"close"`
}

// SMTP is the mail server used for reminders.
type SMTP struct {
	Host     string `yaml:"host"`
	Port     int    `yaml:"port"`
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	From     string `yaml:"from"`
	// TLS: "starttls" (default), "tls" (implicit, port 465) or "none".
	TLS string `yaml:"tls"`
}

// Merge is a unit and the units it was formed from.
type Merge struct {
	Code         string   `yaml:"code"`
	Predecessors []string `yaml:"predecessors"`
}

// LineageMap returns the lineage as unit code → predecessor codes.
func (c *Config) LineageMap() map[string][]string {
	m := map[string][]string{}
	for _, l := range c.Lineage {
		m[l.Code] = l.Predecessors
	}
	return m
}

// Folders are the configured folders, resolved against the config's folder.
func (c *Config) Folders() layout.Folders {
	return layout.Folders{Inbox: c.Path(c.Inbox), Outbox: c.Path(c.Outbox), Archive: c.Path(c.Archive),
		Rejected: c.Path(c.Rejected), Data: c.Path(c.Data)}
}

// Default returns the configuration used when no file is given.
func Default() Config {
	return Config{
		Rubric:   "thanhhoa-xa-2023",
		Inbox:    "inbox",
		Outbox:   "outbox",
		Archive:  "luu-tru",
		Rejected: "khong-hop-le",
		Limits:   Limits{MaxFileMB: 20, UnzipMB: 200, UnzipXMLMB: 100, TimeoutSecond: 120},
		Log:      Log{Level: "info", Format: "auto", MaxMB: 20},
		Watch:    Watch{RescanSeconds: 30, SettleSeconds: 2, Events: true, DebounceSeconds: 5},
		Schedule: Schedule{TimeZone: layout.VietnamName, Reminders: []string{"0 8 * * 1"}, DaysBefore: []int{3, 1}},
		SMTP:     SMTP{Port: 587, TLS: "starttls"},
		Data:     "data",
		Deadline: "",
		Office:   Office{Name: "UBND huyện", Cohort: "don-vi"},
		Dir:      ".",
	}
}

// Parse reads YAML over c (so absent fields keep their defaults).
// Unknown fields are errors: a typo in config.yaml must not pass silently.
// Where each key stands is remembered, so Validate's errors name the line.
func Parse(r io.Reader, c *Config) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil {
		c.lines = map[string]int{}
		keyLines(&root, "", c.lines)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return c.decodeErr(err)
	}
	return nil
}

// decodeErr turns the YAML decoder's type errors (an unknown key, a word
// where a number goes) into FieldErrors naming the line and the key, all
// of them at once; a syntax error is returned as it is (it names its line).
func (c *Config) decodeErr(err error) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	byLine := map[int]string{}
	for k, l := range c.lines {
		if old, ok := byLine[l]; !ok || len(k) > len(old) {
			byLine[l] = k // the innermost key on that line
		}
	}
	var errs []error
	for _, msg := range te.Errors {
		var line int
		var rest string
		if n, _ := fmt.Sscanf(msg, "line %d:", &line); n != 1 {
			errs = append(errs, errors.New(msg))
			continue
		}
		rest = strings.TrimSpace(msg[strings.Index(msg, ":")+1:])
		key := byLine[line]
		if f, ok := strings.CutPrefix(rest, "field "); ok && strings.Contains(f, " not found in type ") {
			if key == "" {
				key = f[:strings.Index(f, " ")]
			}
			errs = append(errs, &FieldError{File: c.File, Line: line, Key: key, Msg: "unknown key: not a chiso setting (check its spelling and indentation; README, Configuration)"})
			continue
		}
		if v, ok := strings.CutPrefix(rest, "cannot unmarshal "); ok {
			rest = kindErr(v)
		}
		errs = append(errs, &FieldError{File: c.File, Line: line, Key: key, Msg: rest})
	}
	return errors.Join(errs...)
}

// kindErr rewords the decoder's "!!str `lots` into int64" as what the key
// takes.
func kindErr(v string) string {
	val, typ, ok := strings.Cut(v, " into ")
	if !ok {
		return "cannot read " + v
	}
	if i := strings.Index(val, " "); i >= 0 {
		val = strings.TrimSpace(val[i+1:])
	}
	want := map[string]string{"int": "a whole number", "int64": "a whole number", "float64": "a number",
		"bool": "true or false", "string": "a text"}[typ]
	switch {
	case want != "":
	case strings.HasPrefix(typ, "[]"):
		want = "a list (lines starting with \"- \")"
	default:
		want = "a group of keys (indented lines below it)"
	}
	if val == "" {
		return "the value is not " + want
	}
	return val + " is not " + want
}

// keyLines records the line of every key under n: "limits.max_file_mb",
// "roster[2].code".
func keyLines(n *yaml.Node, prefix string, lines map[string]int) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			keyLines(c, prefix, lines)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			key := n.Content[i].Value
			if prefix != "" {
				key = prefix + "." + key
			}
			lines[key] = n.Content[i].Line
			keyLines(n.Content[i+1], key, lines)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			key := fmt.Sprintf("%s[%d]", prefix, i)
			lines[key] = c.Line
			keyLines(c, key, lines)
		}
	}
}

// Load reads the file at path over the defaults and validates it. A missing
// file at the default path is not an error: the defaults are used.
func Load(path string, mustExist bool) (Config, error) {
	c := Default()
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) && !mustExist {
			return c, c.Validate()
		}
		return c, fmt.Errorf("config: %w", err)
	}
	defer f.Close()
	c.File = path
	if err := Parse(f, &c); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			return c, err
		}
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	c.Dir, c.File = filepath.Dir(path), path
	if err := c.Validate(); err != nil {
		return c, err
	}
	return c, nil
}

// FieldError is one bad value: the key, the line it is on (0 when it is
// not in the file: a default) and what is wrong.
type FieldError struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *FieldError) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Key, e.Msg)
	case e.File != "":
		return fmt.Sprintf("%s: %s: %s", e.File, e.Key, e.Msg)
	}
	return fmt.Sprintf("config: %s: %s", e.Key, e.Msg)
}

// Limits of the values, so that no value overflows once turned into bytes
// or durations, and none makes the service useless.
const (
	maxFileMB       = 1024
	maxUnzipMB      = 16 << 10
	maxTimeout      = 3600
	maxWorkers      = 256
	maxWatchSeconds = 86400
)

// Validate reports every problem of the configuration at once, each
// naming its key and line.
func (c *Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) { errs = append(errs, c.Problem(key, format, args...)) }
	between := func(key string, v, lo, hi int64) {
		if v < lo || v > hi {
			bad(key, "%d is not between %d and %d", v, lo, hi)
		}
	}
	if strings.TrimSpace(c.Rubric) == "" {
		bad("rubric", "empty: name a rubric id (chiso rubric list)")
	}
	if c.Year != 0 && (c.Year < 2000 || c.Year > 2100) {
		bad("year", "%d is not a plausible year (0 means the current one)", c.Year)
	}
	between("limits.max_file_mb", c.Limits.MaxFileMB, 1, maxFileMB)
	between("limits.unzip_mb", c.Limits.UnzipMB, 1, maxUnzipMB)
	between("limits.unzip_xml_mb", c.Limits.UnzipXMLMB, 1, maxUnzipMB)
	if c.Limits.UnzipXMLMB > c.Limits.UnzipMB {
		bad("limits.unzip_xml_mb", "%d is larger than limits.unzip_mb (%d)", c.Limits.UnzipXMLMB, c.Limits.UnzipMB)
	}
	between("limits.timeout_seconds", int64(c.Limits.TimeoutSecond), 1, maxTimeout)
	between("workers", int64(c.Workers), 0, maxWorkers)
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "auto", "console", "json":
	default:
		bad("log.format", "%q is not auto, console or json", c.Log.Format)
	}
	between("log.max_mb", int64(c.Log.MaxMB), 1, 10240)
	c.validateFolders(bad)
	c.validateRoster(bad)
	between("watch.rescan_seconds", int64(c.Watch.RescanSeconds), 1, maxWatchSeconds)
	between("watch.settle_seconds", int64(c.Watch.SettleSeconds), 0, maxWatchSeconds)
	between("watch.debounce_seconds", int64(c.Watch.DebounceSeconds), 0, maxWatchSeconds)
	loc, err := time.LoadLocation(c.Schedule.TimeZone)
	if err != nil {
		bad("schedule.timezone", "%q is not a time zone (e.g. Asia/Ho_Chi_Minh)", c.Schedule.TimeZone)
		loc = layout.Vietnam
	}
	cron := func(key, spec string) {
		if spec == "" {
			return
		}
		if _, _, err := calendar.Parse(spec, loc); err != nil {
			bad(key, "%q: %v", spec, err)
		}
	}
	cron("schedule.opening", c.Schedule.Opening)
	for i, r := range c.Schedule.Reminders {
		cron(fmt.Sprintf("schedule.reminders[%d]", i), r)
	}
	cron("schedule.close", c.Schedule.Close)
	seen := map[int]bool{}
	for i, d := range c.Schedule.DaysBefore {
		key := fmt.Sprintf("schedule.days_before_deadline[%d]", i)
		switch {
		case d < 0 || d > 366:
			bad(key, "%d is not a number of days between 0 and 366", d)
		case seen[d]:
			bad(key, "%d is listed twice", d)
		}
		seen[d] = true
	}
	c.validateDates(bad)
	switch c.SMTP.TLS {
	case "", "starttls", "tls", "none":
	default:
		bad("smtp.tls", "%q is not starttls, tls or none", c.SMTP.TLS)
	}
	between("smtp.port", int64(c.SMTP.Port), 0, 65535)
	if c.SMTP.Host != "" && c.SMTP.From == "" {
		bad("smtp.from", "needed when smtp.host is set")
	}
	c.validateLineage(bad)
	c.validateOffice(bad)
	return errors.Join(errs...)
}

// Problem is a FieldError for key, on its line in the file (or its
// parent's: "lineage[1].predecessors" falls back to "lineage[1]"). Checks
// made outside Validate (the lineage against the ledger) report with it.
func (c *Config) Problem(key, format string, args ...any) *FieldError {
	line := 0
	if c.lines != nil {
		line = c.lines[key]
		for k := key; line == 0 && strings.Contains(k, "."); {
			k = k[:strings.LastIndex(k, ".")]
			line = c.lines[k]
		}
	}
	return &FieldError{File: c.File, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)}
}

// Dates are the collection's dates as read from the config: midnight in
// loc, zero when not set. Errors are reported by Validate.
func (c *Config) Dates(loc *time.Location) (opening, deadline, closing time.Time) {
	parse := func(s string) time.Time {
		d, err := time.ParseInLocation(layout.ISODate, strings.TrimSpace(s), loc)
		if err != nil {
			return time.Time{}
		}
		return d
	}
	return parse(c.Opening), parse(c.Deadline), parse(c.Close)
}

// CollectionYear is the reporting year: year:, else the year of the
// deadline (else of the opening, else of the close) — a date in January
// belongs to the year before, since a collection runs November to January —
// else 0 (the current year).
func (c *Config) CollectionYear() int {
	if c.Year != 0 {
		return c.Year
	}
	o, d, cl := c.Dates(time.UTC)
	for _, t := range []time.Time{d, o, cl} {
		switch {
		case t.IsZero():
		case t.Month() == time.January:
			return t.Year() - 1
		default:
			return t.Year()
		}
	}
	return 0
}

// validateDates checks the collection's dates: each YYYY-MM-DD, in the
// collection year or the following January, opening ≤ deadline ≤ close; a
// date and the old cron expression for the same job are not both given.
func (c *Config) validateDates(bad func(key, format string, args ...any)) {
	dates := []struct{ key, value string }{{"opening", c.Opening}, {"deadline", c.Deadline}, {"close", c.Close}}
	parsed := make([]time.Time, len(dates))
	for i, d := range dates {
		if strings.TrimSpace(d.value) == "" {
			continue
		}
		t, err := time.Parse(layout.ISODate, strings.TrimSpace(d.value))
		if err != nil {
			bad(d.key, "%q is not a date YYYY-MM-DD", d.value)
			continue
		}
		parsed[i] = t
	}
	if y := c.CollectionYear(); y != 0 {
		for i, t := range parsed {
			if !t.IsZero() && t.Year() != y && !(t.Year() == y+1 && t.Month() == time.January) {
				bad(dates[i].key, "%s is not in the collection year %d or in January %d (set year: or fix the date)", dates[i].value, y, y+1)
			}
		}
	}
	for i := range parsed {
		for j := i + 1; j < len(parsed); j++ {
			if !parsed[i].IsZero() && !parsed[j].IsZero() && parsed[j].Before(parsed[i]) {
				bad(dates[j].key, "%s is before %s: %s (the order is opening ≤ deadline ≤ close)", dates[j].value, dates[i].key, dates[i].value)
			}
		}
	}
	if c.Opening != "" && c.Schedule.Opening != "" {
		bad("schedule.opening", "the opening is the date opening:; remove schedule.opening")
	}
	if c.Close != "" && c.Schedule.Close != "" {
		bad("schedule.close", "the close is the date close:; remove schedule.close")
	}
}

// validateOffice checks what the ranking report prints of the office and
// its signer: one line each, no control characters, of a length that fits
// a heading, and a signing authority of the decree's kinds.
func (c *Config) validateOffice(bad func(key, format string, args ...any)) {
	for _, f := range []struct{ key, value string }{
		{"office.name", c.Office.Name}, {"office.parent", c.Office.Parent}, {"office.place", c.Office.Place},
		{"office.signer.authority", c.Office.Signer.Authority}, {"office.signer.title", c.Office.Signer.Title}, {"office.signer.name", c.Office.Signer.Name},
	} {
		switch {
		case vntext.Clean(f.value) != f.value || strings.ContainsAny(f.value, "\n\r\t"):
			bad(f.key, "control characters or line breaks: write it on one line")
		case len([]rune(f.value)) > 120:
			bad(f.key, "%d characters: at most 120 fit the report's heading", len([]rune(f.value)))
		}
	}
	if a := strings.TrimSpace(c.Office.Signer.Authority); a != "" {
		ok := false
		for _, p := range signingAuthorities {
			ok = ok || strings.HasPrefix(strings.ToUpper(a), p+" ")
		}
		if !ok {
			bad("office.signer.authority", "%q does not begin with %s followed by a title, e.g. \"KT. CHỦ TỊCH\" (Nghị định 30/2020/NĐ-CP)", a, strings.Join(signingAuthorities, ", "))
		}
	}
	if strings.Contains(c.Office.Place, ",") {
		bad("office.place", "%q: a place name without a comma (the date line adds \", ngày …\")", c.Office.Place)
	}
}

// validateLineage checks the merged units: each entry has a code and
// predecessors, names a unit of the roster (when there is one), lists no
// predecessor twice, and no unit has two entries. Whether the predecessors
// were units of the previous year is checked against the ledger at start.
func (c *Config) validateLineage(bad func(key, format string, args ...any)) {
	roster := map[string]bool{}
	for _, u := range c.Roster {
		roster[strings.ToLower(strings.TrimSpace(u.Code))] = true
	}
	seen := map[string]int{}
	for i, l := range c.Lineage {
		key := fmt.Sprintf("lineage[%d]", i)
		code := strings.TrimSpace(l.Code)
		if code == "" || len(l.Predecessors) == 0 {
			bad(key, "needs code and predecessors")
			continue
		}
		if j, dup := seen[strings.ToLower(code)]; dup {
			bad(key+".code", "%s has another entry, lineage[%d]: list each merged unit once", code, j)
		}
		seen[strings.ToLower(code)] = i
		if len(c.Roster) > 0 && !roster[strings.ToLower(code)] {
			bad(key+".code", "%q is not a unit of the roster", code)
		}
		preds := map[string]bool{}
		for _, p := range l.Predecessors {
			k := strings.ToLower(strings.TrimSpace(p))
			switch {
			case k == "":
				bad(key+".predecessors", "an empty predecessor code")
			case preds[k]:
				bad(key+".predecessors", "predecessor %q is listed twice", p)
			}
			preds[k] = true
		}
	}
}

// validateRoster checks that every unit has a name without control
// characters, that no two units share a code (in any case, or once made a
// file name: their results would share a folder), and that units whose
// names are equal without diacritics (Hợp Thành, Hợp Thanh) have codes,
// which keep their files apart.
func (c *Config) validateRoster(bad func(key, format string, args ...any)) {
	codes := map[string]int{}
	for i, u := range c.Roster {
		key := fmt.Sprintf("roster[%d]", i)
		if strings.TrimSpace(u.Name) == "" {
			bad(key+".name", "a unit needs a name")
		}
		if vntext.Clean(u.Name) != u.Name || vntext.Clean(u.Code) != u.Code {
			bad(key, "control characters in the code or name")
		}
		if strings.TrimSpace(u.Code) == "" {
			continue
		}
		k := strings.ToLower(vntext.Slug(u.Code))
		if k == "" {
			k = strings.ToLower(strings.TrimSpace(u.Code))
		}
		if j, dup := codes[k]; dup {
			bad(key+".code", "code %q is also used by roster[%d] (%q): codes must differ, case and punctuation aside", u.Code, j, c.Roster[j].Code)
			continue
		}
		codes[k] = i
	}
	for _, g := range roster.Lookalikes(c.Roster) {
		var names []string
		nocode := false
		for _, u := range g {
			names = append(names, fmt.Sprintf("%q", u.Name))
			nocode = nocode || strings.TrimSpace(u.Code) == ""
		}
		if nocode {
			bad("roster", "%s are the same name without diacritics: give each of them a code, so their files and results stay apart", strings.Join(names, " and "))
		}
	}
}

// validateFolders checks the five folders: set, distinct, and none inside
// another (a rejected folder that is the inbox would feed rejected files
// back as duplicates; an archive inside the inbox would be a subfolder the
// communes can reach).
func (c *Config) validateFolders(bad func(key, format string, args ...any)) {
	folders := []struct{ key, path string }{
		{"inbox", c.Inbox}, {"outbox", c.Outbox}, {"archive", c.Archive}, {"rejected", c.Rejected}, {"data", c.Data},
	}
	abs := make([]string, len(folders))
	for i, f := range folders {
		if strings.TrimSpace(f.path) == "" {
			bad(f.key, "empty: name a folder")
			continue
		}
		p, err := filepath.Abs(c.Path(f.path))
		if err != nil {
			bad(f.key, "%v", err)
			continue
		}
		abs[i] = p
	}
	for i := range folders {
		for j := range folders {
			if i == j || abs[i] == "" || abs[j] == "" {
				continue
			}
			switch {
			case i < j && sameDir(abs[i], abs[j]):
				bad(folders[j].key, "is the same folder as %s (%s)", folders[i].key, abs[i])
			case within(abs[i], abs[j]):
				bad(folders[i].key, "%s is inside %s (%s): keep the folders apart", abs[i], folders[j].key, abs[j])
			}
		}
	}
}

// sameDir compares two absolute paths, without regard to case on Windows.
func sameDir(a, b string) bool {
	if runtime.GOOS == "windows" {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// within reports whether a is strictly inside b.
func within(a, b string) bool {
	rel, err := filepath.Rel(b, a)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// Path resolves p against the config file's folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}
