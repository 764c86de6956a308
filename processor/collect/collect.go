// Package collect holds the jobs of the November collection calendar:
// the opening (a pre-filled template for every roster unit and a
// collection notice), the reminders (a notice of the units that have not
// submitted and, when SMTP is configured, an e-mail to each with its
// template attached, and a summary to the office) and the close (the list
// of missing units and the final ranking).
//
// Every job is idempotent for its occurrence: notices are rewritten whole
// (atomically), and an e-mail already sent for an occurrence is not sent
// again when a failed job is retried.
package collect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/atomic"
	"github.com/chiso-vn/chiso/processor/config"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/mail"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// Ledger is what the jobs need from the ledger; *ledger.Ledger satisfies it.
type Ledger interface {
	Accepted(ctx context.Context, year int, rubricID string) ([]ledger.File, error)
	LastRun(ctx context.Context, name string) (time.Time, error)
	SetLastRun(ctx context.Context, name string, t time.Time) error
}

// ErrNoRoster is returned by the reminder when the config lists no units:
// without a roster nobody is known to be missing.
var ErrNoRoster = errors.New("reminders need a roster: list the units under roster: in config.yaml")

// Collector runs the collection jobs. Set the fields, then use its methods
// as calendar jobs (Register) or call them directly (chiso remind).
type Collector struct {
	Config config.Config
	Rubric *rubric.Rubric // the rubric of the templates and of the submissions counted
	Ledger Ledger
	// Mail sends the reminder e-mails; nil when SMTP is not configured
	// (notices are still written).
	Mail  mail.Sender
	Clock func() time.Time // nil: time.Now
	Log   zerolog.Logger
	// Final, called by Close, builds the final ranking (the daemon's).
	Final func(ctx context.Context) error
	// DryRun: compute who would be reminded, write nothing, send nothing;
	// the plan is printed to Out.
	DryRun bool
	Out    io.Writer

	locOnce sync.Once
	zone    *time.Location
}

func (c *Collector) now() time.Time {
	if c.Clock != nil {
		return c.Clock()
	}
	return time.Now()
}

// loc is the calendar's time zone: dates in notices and file names are
// local dates, whatever the zone of the machine.
func (c *Collector) loc() *time.Location {
	c.locOnce.Do(func() {
		l, err := time.LoadLocation(c.Config.Schedule.TimeZone)
		if err != nil {
			l = time.Local
		}
		c.zone = l
	})
	return c.zone
}

func (c *Collector) year(occ time.Time) int { return c.Config.ReportingYear(occ.In(c.loc())) }

func (c *Collector) yearDir(year int) string {
	return filepath.Join(c.Config.Path(c.Config.Outbox), strconv.Itoa(year))
}

// TemplateDir is where the opening writes the year's templates (as
// `chiso template --all`).
func (c *Collector) TemplateDir(year int) string { return filepath.Join(c.yearDir(year), "bieu-mau") }

func (c *Collector) inbox() string { return c.Config.Path(c.Config.Inbox) }

func (c *Collector) checkSetup() error {
	if c.Rubric == nil {
		return errors.New("collect: no rubric")
	}
	return nil
}

// Opening writes the year's pre-filled template for every roster unit (the
// generic form when there is no roster) and the collection notice.
func (c *Collector) Opening(ctx context.Context, occ time.Time) error {
	if err := c.checkSetup(); err != nil {
		return err
	}
	year := c.year(occ)
	units := c.Config.Roster
	if len(units) == 0 {
		units = []config.Unit{{}}
	}
	dir := c.TemplateDir(year)
	notice := filepath.Join(c.yearDir(year), fmt.Sprintf("thong-bao-thu-thap-%d.txt", year))
	if c.DryRun {
		c.printf("Mở đợt thu thập năm %d: sẽ ghi %d biểu mẫu vào %s và thông báo %s.\n", year, len(units), dir, notice)
		return nil
	}
	paths, err := c.WriteTemplates(ctx, year, dir, units)
	if err != nil {
		return fmt.Errorf("opening %d: %w", year, err)
	}
	if _, err := writeText(notice, c.openingNotice(year, units, paths)); err != nil {
		return fmt.Errorf("opening %d: %w", year, err)
	}
	c.Log.Info().Str("event", "audit").Str("action", "collection-opened").Int("year", year).Int("templates", len(paths)).
		Str("notice", notice).Time("occurrence", occ).Msg("collection opened")
	return nil
}

// WriteTemplates writes one template per unit (a zero Unit is the generic
// form) into dir and returns the files written; `chiso template` and the
// opening job share it.
func (c *Collector) WriteTemplates(ctx context.Context, year int, dir string, units []config.Unit) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var paths []string
	for _, u := range units {
		if err := ctx.Err(); err != nil {
			return paths, err
		}
		data, err := c.template(year, u)
		if err != nil {
			return paths, err
		}
		p, err := atomic.WriteFile(filepath.Join(dir, c.templateName(year, u)), func(w io.Writer) error {
			_, err := w.Write(data)
			return err
		})
		if err != nil {
			return paths, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// template returns the unit's pre-filled template as .xlsx bytes.
func (c *Collector) template(year int, u config.Unit) ([]byte, error) {
	f, err := workbook.Template(c.Rubric, workbook.TemplateOptions{
		Year: year, UnitCode: u.Code, UnitName: u.Name,
		Deadline: displayDate(c.Config.Deadline), Office: c.Config.Office.Name,
		Contact: c.officeContact(),
		Inbox:   "thư mục nhận báo cáo (inbox) của " + c.Config.Office.Name,
	})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, fmt.Errorf("template %s: %w", u.Name, err)
	}
	return buf.Bytes(), nil
}

// templateName: "bieu-mau-ts01-xa-trieu-thanh-2023.xlsx"; a unit without a
// code gets no empty part ("bieu-mau-xa-trieu-thanh-2023.xlsx").
func (c *Collector) templateName(year int, u config.Unit) string {
	if u.Name == "" {
		return fmt.Sprintf("bieu-mau-%s-%d.xlsx", c.Rubric.ID, year)
	}
	parts := []string{"bieu-mau"}
	for _, p := range []string{roster.Slug(u.Code), roster.Slug(u.Name), strconv.Itoa(year)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "-") + ".xlsx"
}

// Missing returns the roster units, in roster order, without an accepted
// submission for year and the configured rubric.
func (c *Collector) Missing(ctx context.Context, year int) ([]config.Unit, error) {
	if err := c.checkSetup(); err != nil {
		return nil, err
	}
	if len(c.Config.Roster) == 0 {
		return nil, ErrNoRoster
	}
	files, err := c.Ledger.Accepted(ctx, year, c.Rubric.ID)
	if err != nil {
		return nil, fmt.Errorf("accepted submissions %d: %w", year, err)
	}
	keys, codes := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		keys[f.UnitKey] = true
		if f.UnitCode != "" {
			codes[strings.ToLower(f.UnitCode)] = true
		}
	}
	var out []config.Unit
	for _, u := range c.Config.Roster {
		// The ledger keys a roster unit by its code, or "ten:" + its folded
		// name when it has none (or had none when the file was accepted).
		if keys["ten:"+roster.Key(u.Name)] || (u.Code != "" && (keys[u.Code] || codes[strings.ToLower(u.Code)])) {
			continue
		}
		out = append(out, u)
	}
	return out, nil
}

// Close writes the list of units that did not submit
// (outbox/<year>/chua-nop-<year>.txt), then calls Final.
func (c *Collector) Close(ctx context.Context, occ time.Time) error {
	if err := c.checkSetup(); err != nil {
		return err
	}
	year := c.year(occ)
	path := filepath.Join(c.yearDir(year), fmt.Sprintf("chua-nop-%d.txt", year))
	missing, err := c.Missing(ctx, year)
	switch {
	case errors.Is(err, ErrNoRoster):
		// Not fatal here: the final ranking is still wanted.
		c.Log.Warn().Int("year", year).Msg("no roster in the config: no list of missing units")
	case err != nil:
		return err
	case c.DryRun:
		c.printf("%s", c.closeNotice(year, occ, missing))
		return nil
	default:
		if _, err := writeText(path, c.closeNotice(year, occ, missing)); err != nil {
			return fmt.Errorf("close %d: %w", year, err)
		}
		c.Log.Info().Str("event", "audit").Str("action", "collection-closed").Int("year", year).Int("missing", len(missing)).
			Str("notice", path).Time("occurrence", occ).Msg("collection closed")
	}
	if c.DryRun || c.Final == nil {
		return nil
	}
	if err := c.Final(ctx); err != nil {
		return fmt.Errorf("close %d: final ranking: %w", year, err)
	}
	return nil
}

func (c *Collector) printf(format string, args ...any) {
	if c.Out != nil {
		fmt.Fprintf(c.Out, format, args...)
	}
}

// writeText writes a notice for Windows users: UTF-8 with a BOM (so
// Notepad and Excel pick UTF-8) and CRLF line ends, atomically.
func writeText(path, text string) (string, error) {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\n", "\r\n")
	if err := mkdirFor(path); err != nil {
		return "", err
	}
	return atomic.WriteFile(path, func(w io.Writer) error {
		_, err := io.WriteString(w, "\ufeff"+text)
		return err
	})
}
