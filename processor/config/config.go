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
	if c.Deadline != "" {
		if _, err := time.Parse("2006-01-02", c.Deadline); err != nil {
			errs = append(errs, fmt.Errorf("deadline: %q is not YYYY-MM-DD", c.Deadline))
		}
	}
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
	for i, l := range c.Lineage {
		if l.Code == "" || len(l.Predecessors) == 0 {
			errs = append(errs, fmt.Errorf("lineage[%d]: needs code and predecessors", i))
		}
	}
	return errors.Join(errs...)
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
