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
	"time"

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
	Deadline string `yaml:"deadline"`
	Office   Office `yaml:"office"`
	Roster   []Unit `yaml:"roster"`

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

// Unit is one unit of the roster.
type Unit struct {
	Code    string `yaml:"code"`
	Name    string `yaml:"name"`
	Contact string `yaml:"contact,omitempty"`
	Phone   string `yaml:"phone,omitempty"`
	Email   string `yaml:"email,omitempty"`
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
	codes := map[string]bool{}
	for i, u := range c.Roster {
		if u.Name == "" {
			errs = append(errs, fmt.Errorf("roster[%d]: no name", i))
		}
		if u.Code != "" {
			if codes[u.Code] {
				errs = append(errs, fmt.Errorf("roster[%d]: code %q is used twice", i, u.Code))
			}
			codes[u.Code] = true
		}
	}
	return errors.Join(errs...)
}

// Path resolves p against the config file's folder.
func (c *Config) Path(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// ReportingYear is Year, or the year of now when Year is 0.
func (c *Config) ReportingYear(now time.Time) int {
	if c.Year != 0 {
		return c.Year
	}
	return now.Year()
}
