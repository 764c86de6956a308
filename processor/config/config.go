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
	"github.com/chiso-vn/chiso/processor/collection"
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
	// Deadline is the collection deadline, "YYYY-MM-DD".
	Deadline string        `yaml:"deadline"`
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
}

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

// Schedule is the collection calendar: cron expressions ("minute hour
// day-of-month month day-of-week") in TimeZone.
type Schedule struct {
	TimeZone  string   `yaml:"timezone"`
	Opening   string   `yaml:"opening"`   // send fresh templates and the collection notice
	Reminders []string `yaml:"reminders"` // remind units that have not submitted
	// DaysBefore adds a reminder at 08:00 this many days before the deadline.
	DaysBefore []int  `yaml:"days_before_deadline"`
	Close      string `yaml:"close"` // final ranking and missing units; "" = the deadline day at 17:00
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

// Collection is the collection round the config describes: its year,
// deadline and time zone (schedule.timezone).
func (c *Config) Collection() (collection.Collection, error) {
	loc, err := time.LoadLocation(c.Schedule.TimeZone)
	if err != nil {
		return collection.Collection{}, fmt.Errorf("schedule.timezone: %w", err)
	}
	col := collection.Collection{Year: c.Year, Zone: loc}
	if c.Deadline != "" {
		d, err := time.ParseInLocation(layout.ISODate, c.Deadline, loc)
		if err != nil {
			return col, fmt.Errorf("deadline: %q is not YYYY-MM-DD", c.Deadline)
		}
		col.Deadline = d
	}
	return col, nil
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
		Schedule: Schedule{TimeZone: layout.VietnamName, Opening: "0 8 1 11 *", Reminders: []string{"0 8 * 11 1"}, DaysBefore: []int{3, 1}},
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
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err == nil {
		c.lines = map[string]int{}
		keyLines(&root, "", c.lines)
	}
	return nil
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
	if err := Parse(f, &c); err != nil {
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
	bad := func(key, format string, args ...any) {
		line := 0
		if c.lines != nil {
			line = c.lines[key]
			for k := key; line == 0 && strings.Contains(k, "."); {
				k = k[:strings.LastIndex(k, ".")]
				line = c.lines[k]
			}
		}
		errs = append(errs, &FieldError{File: c.File, Line: line, Key: key, Msg: fmt.Sprintf(format, args...)})
	}
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
	if c.Deadline != "" {
		if _, err := time.Parse(layout.ISODate, c.Deadline); err != nil {
			bad("deadline", "%q is not a date YYYY-MM-DD", c.Deadline)
		}
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
	codes := map[string]int{}
	for i, u := range c.Roster {
		key := fmt.Sprintf("roster[%d]", i)
		if strings.TrimSpace(u.Name) == "" {
			bad(key+".name", "a unit needs a name")
		}
		if vntext.Clean(u.Name) != u.Name || vntext.Clean(u.Code) != u.Code {
			bad(key, "control characters in the code or name")
		}
		if code := strings.ToLower(strings.TrimSpace(u.Code)); code != "" {
			if j, dup := codes[code]; dup {
				bad(key+".code", "code %q is also used by roster[%d]", u.Code, j)
			}
			codes[code] = i
		}
	}
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
	switch c.SMTP.TLS {
	case "", "starttls", "tls", "none":
	default:
		bad("smtp.tls", "%q is not starttls, tls or none", c.SMTP.TLS)
	}
	between("smtp.port", int64(c.SMTP.Port), 0, 65535)
	if c.SMTP.Host != "" && c.SMTP.From == "" {
		bad("smtp.from", "needed when smtp.host is set")
	}
	for i, l := range c.Lineage {
		if l.Code == "" || len(l.Predecessors) == 0 {
			bad(fmt.Sprintf("lineage[%d]", i), "needs code and predecessors")
		}
	}
	return errors.Join(errs...)
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
