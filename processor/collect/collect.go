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
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/chiso-vn/chiso/processor/atomicfile"
	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/layout"
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

// Office is the consolidating office, as communes are told to contact it.
type Office struct {
	Name, Contact, Phone, Email string
}

// Collector runs the collection jobs. Set the fields, then use its methods
// as calendar jobs (Register) or call them directly (chiso remind).
type Collector struct {
	Rubric     *rubric.Rubric // the rubric of the templates and of the submissions counted
	Collection collection.Collection
	Schedule   Schedule
	Roster     []roster.Unit
	Office     Office
	Folders    layout.Folders
	// Labels name the shared folders in what communes read (blank: after
	// the office), never the server's paths.
	Labels layout.Labels
	Ledger Ledger
	// Mail sends the reminder e-mails; nil when SMTP is not configured
	// (notices are still written).
	Mail mail.Sender
	Now  func() time.Time // nil: time.Now
	Log  zerolog.Logger
	// Final, called by Close, builds the final ranking (the daemon's).
	Final func(ctx context.Context) error
	// DryRun: compute who would be reminded, write nothing, send nothing;
	// the plan is printed to Out.
	DryRun bool
	Out    io.Writer
}

func (c *Collector) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// loc is the calendar's time zone: dates in notices and file names are
// local dates, whatever the zone of the machine.
func (c *Collector) loc() *time.Location { return c.Collection.Loc() }

func (c *Collector) year(occ time.Time) int { return c.Collection.YearAt(occ) }

func (c *Collector) yearDir(year int) string { return c.Folders.YearDir(year) }

// TemplateDir is where the opening writes the year's templates (as
// `chiso template --all`).
func (c *Collector) TemplateDir(year int) string { return c.Folders.TemplateDir(year) }

// inbox is where communes drop their files, as they know it.
func (c *Collector) inbox() string { return c.labels().Inbox }

// place is where a folder or file under the outbox is, as communes know it.
func (c *Collector) place(path string) string {
	return c.labels().OutboxPlace(c.Folders.Rel(path)...)
}

func (c *Collector) labels() layout.Labels {
	return layout.DefaultLabels(c.Labels.Inbox, c.Labels.Outbox, c.Office.Name)
}

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
	units := c.Roster
	if len(units) == 0 {
		units = []roster.Unit{{}}
	}
	dir := c.TemplateDir(year)
	notice := c.Folders.OpeningNoticePath(year)
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
func (c *Collector) WriteTemplates(ctx context.Context, year int, dir string, units []roster.Unit) ([]string, error) {
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
		p, err := atomicfile.Write(filepath.Join(dir, c.templateName(year, u)), func(w io.Writer) error {
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
func (c *Collector) template(year int, u roster.Unit) ([]byte, error) {
	var buf bytes.Buffer
	err := workbook.WriteTemplate(&buf, c.Rubric, workbook.TemplateOptions{
		Year: year, UnitCode: u.Code, UnitName: u.Name,
		Deadline: c.Collection.DeadlineText(), Office: c.Office.Name,
		Contact: c.officeContact(),
		Inbox:   c.inbox(),
	})
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", u.Name, err)
	}
	return buf.Bytes(), nil
}

// templateName names a unit's template (see layout.TemplateName).
func (c *Collector) templateName(year int, u roster.Unit) string {
	return layout.TemplateName(c.Rubric.ID, year, u.Code, u.Name)
}

// Missing returns the roster units, in roster order, without an accepted
// submission for year and the configured rubric.
func (c *Collector) Missing(ctx context.Context, year int) ([]roster.Unit, error) {
	if err := c.checkSetup(); err != nil {
		return nil, err
	}
	if len(c.Roster) == 0 {
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
	var out []roster.Unit
	for _, u := range c.Roster {
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
	path := c.Folders.MissingListPath(year)
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

// writeText writes a notice for Windows users (see atomicfile.WriteText),
// creating its folder.
func writeText(path, text string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	return atomicfile.WriteText(path, text)
}
