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
	"strings"
	"time"

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

	// Dir is the folder of the config file (for resolving paths).
	Dir string `yaml:"-"`
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
	// Line is the entry's line in config.yaml (0 when not read from one),
	// so errors can name it.
	Line int `yaml:"-"`
}

// UnmarshalYAML reads an entry and remembers its line; unknown keys are
// errors, as everywhere in the config.
func (m *Merge) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k := n.Content[i].Value; k {
			case "code", "predecessors":
			default:
				return fmt.Errorf("line %d: lineage: unknown key %q (code, predecessors)", n.Content[i].Line, k)
			}
		}
	}
	type plain Merge
	if err := n.Decode((*plain)(m)); err != nil {
		return err
	}
	m.Line = n.Line
	return nil
}

// Where names a lineage entry in errors: "lineage[1] (line 123)".
func (m Merge) Where(i int) string {
	if m.Line > 0 {
		return fmt.Sprintf("lineage[%d] (line %d)", i, m.Line)
	}
	return fmt.Sprintf("lineage[%d]", i)
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
	return nil
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
	c.Dir = filepath.Dir(path)
	if err := c.Validate(); err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	return c, nil
}

// Validate reports every problem of the configuration at once.
func (c *Config) Validate() error {
	var errs []error
	if c.Rubric == "" {
		errs = append(errs, errors.New("rubric: empty"))
	}
	if c.Year != 0 && (c.Year < 2000 || c.Year > 2100) {
		errs = append(errs, fmt.Errorf("year: %d is not plausible", c.Year))
	}
	errs = append(errs, c.validateDates()...)
	if c.Limits.MaxFileMB <= 0 || c.Limits.UnzipMB <= 0 || c.Limits.UnzipXMLMB <= 0 || c.Limits.TimeoutSecond <= 0 {
		errs = append(errs, fmt.Errorf("limits: every limit must be above 0 (%+v)", c.Limits))
	}
	if c.Workers < 0 {
		errs = append(errs, fmt.Errorf("workers: %d is negative", c.Workers))
	}
	switch c.Log.Format {
	case "auto", "console", "json":
	default:
		errs = append(errs, fmt.Errorf("log.format: %q is not auto, console or json", c.Log.Format))
	}
	errs = append(errs, c.validateRoster()...)
	if c.Watch.RescanSeconds <= 0 || c.Watch.SettleSeconds < 0 || c.Watch.DebounceSeconds < 0 {
		errs = append(errs, fmt.Errorf("watch: rescan_seconds must be above 0, settle and debounce at least 0 (%+v)", c.Watch))
	}
	if _, err := time.LoadLocation(c.Schedule.TimeZone); err != nil {
		errs = append(errs, fmt.Errorf("schedule.timezone: %w", err))
	}
	switch c.SMTP.TLS {
	case "", "starttls", "tls", "none":
	default:
		errs = append(errs, fmt.Errorf("smtp.tls: %q is not starttls, tls or none", c.SMTP.TLS))
	}
	if c.SMTP.Host != "" && c.SMTP.From == "" {
		errs = append(errs, errors.New("smtp.from: needed when smtp.host is set"))
	}
	errs = append(errs, c.validateLineage()...)
	return errors.Join(errs...)
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
func (c *Config) validateDates() []error {
	var errs []error
	dates := []struct{ key, value string }{{"opening", c.Opening}, {"deadline", c.Deadline}, {"close", c.Close}}
	parsed := make([]time.Time, len(dates))
	for i, d := range dates {
		if strings.TrimSpace(d.value) == "" {
			continue
		}
		t, err := time.Parse(layout.ISODate, strings.TrimSpace(d.value))
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %q is not a date YYYY-MM-DD", d.key, d.value))
			continue
		}
		parsed[i] = t
	}
	if y := c.CollectionYear(); y != 0 {
		for i, t := range parsed {
			if !t.IsZero() && t.Year() != y && !(t.Year() == y+1 && t.Month() == time.January) {
				errs = append(errs, fmt.Errorf("%s: %s is not in the collection year %d or in January %d (set year: or fix the date)", dates[i].key, dates[i].value, y, y+1))
			}
		}
	}
	for i := range parsed {
		for j := i + 1; j < len(parsed); j++ {
			if !parsed[i].IsZero() && !parsed[j].IsZero() && parsed[j].Before(parsed[i]) {
				errs = append(errs, fmt.Errorf("%s: %s is before %s: %s (the order is opening ≤ deadline ≤ close)", dates[j].key, dates[j].value, dates[i].key, dates[i].value))
			}
		}
	}
	if c.Opening != "" && c.Schedule.Opening != "" {
		errs = append(errs, errors.New("schedule.opening: the opening is the date opening:; remove schedule.opening"))
	}
	if c.Close != "" && c.Schedule.Close != "" {
		errs = append(errs, errors.New("schedule.close: the close is the date close:; remove schedule.close"))
	}
	return errs
}

// validateLineage checks the merged units: each entry has a code and
// predecessors, names a unit of the roster (when there is one), lists no
// predecessor twice, and no unit has two entries. Whether the predecessors
// were units of the previous year is checked against the ledger at start.
func (c *Config) validateLineage() []error {
	var errs []error
	roster := map[string]bool{}
	for _, u := range c.Roster {
		roster[strings.ToLower(strings.TrimSpace(u.Code))] = true
	}
	seen := map[string]int{}
	for i, l := range c.Lineage {
		where := l.Where(i)
		code := strings.TrimSpace(l.Code)
		if code == "" || len(l.Predecessors) == 0 {
			errs = append(errs, fmt.Errorf("%s: needs code and predecessors", where))
			continue
		}
		if j, dup := seen[strings.ToLower(code)]; dup {
			errs = append(errs, fmt.Errorf("%s: %s has another entry, %s: list each merged unit once", where, code, c.Lineage[j].Where(j)))
		}
		seen[strings.ToLower(code)] = i
		if len(c.Roster) > 0 && !roster[strings.ToLower(code)] {
			errs = append(errs, fmt.Errorf("%s: code %q is not a unit of the roster", where, code))
		}
		preds := map[string]bool{}
		for _, p := range l.Predecessors {
			k := strings.ToLower(strings.TrimSpace(p))
			switch {
			case k == "":
				errs = append(errs, fmt.Errorf("%s: an empty predecessor code", where))
			case preds[k]:
				errs = append(errs, fmt.Errorf("%s: predecessor %q is listed twice", where, p))
			}
			preds[k] = true
		}
	}
	return errs
}

// validateRoster checks that every unit has a name, that no two units share
// a code (in any case, or once made a file name: their results would share
// a folder), and that units whose names are equal without diacritics (Hợp
// Thành, Hợp Thanh) have codes, which keep their files apart.
func (c *Config) validateRoster() []error {
	var errs []error
	codes := map[string]int{}
	for i, u := range c.Roster {
		if strings.TrimSpace(u.Name) == "" {
			errs = append(errs, fmt.Errorf("roster[%d]: no name", i))
		}
		if strings.TrimSpace(u.Code) == "" {
			continue
		}
		k := strings.ToLower(vntext.Slug(u.Code))
		if k == "" {
			k = strings.ToLower(strings.TrimSpace(u.Code))
		}
		if j, dup := codes[k]; dup {
			errs = append(errs, fmt.Errorf("roster[%d]: code %q is the code of roster[%d] (%q) too: codes must differ (case and punctuation aside)", i, u.Code, j, c.Roster[j].Code))
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
			errs = append(errs, fmt.Errorf("roster: %s are the same name without diacritics: give each of them a code, so their files and results stay apart", strings.Join(names, " and ")))
		}
	}
	return errs
}

// Path resolves p against the config file's folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}
