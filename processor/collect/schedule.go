package collect

import (
	"fmt"

	"github.com/chiso-vn/chiso/processor/calendar"
	"github.com/chiso-vn/chiso/processor/collection"
)

// Kinds of collection jobs.
const (
	KindOpening  = "opening"
	KindReminder = "reminder"
	KindClose    = "close"
)

// JobSpec is one job of the collection calendar.
type JobSpec struct {
	Name string // "opening", "reminder-1", "before-deadline-3", "close"
	Kind string // KindOpening, KindReminder or KindClose
	Spec string // cron spec, read in config.Schedule.TimeZone
}

// Schedule is the collection calendar as cron expressions ("minute hour
// day-of-month month day-of-week") read in the collection's time zone.
type Schedule struct {
	Opening   string   // send fresh templates and the collection notice
	Reminders []string // remind units that have not submitted
	// DaysBefore adds a reminder at 08:00 this many days before the deadline.
	DaysBefore []int
	Close      string // final ranking and missing units; "" = the deadline day at 17:00
}

// Jobs returns the jobs of s for collection col, in the order they should
// run when due together: opening, reminders, close. Without a deadline
// there are no before-deadline reminders and, unless Close is set, no
// close: the default config has no deadline and must still start.
func (s Schedule) Jobs(col collection.Collection) ([]JobSpec, error) {
	loc := col.Loc()
	var specs []JobSpec
	if s.Opening != "" {
		specs = append(specs, JobSpec{"opening", KindOpening, s.Opening})
	}
	for i, r := range s.Reminders {
		specs = append(specs, JobSpec{fmt.Sprintf("reminder-%d", i+1), KindReminder, r})
	}
	deadline := col.Deadline
	if !deadline.IsZero() {
		seen := map[int]bool{}
		for _, d := range s.DaysBefore {
			if d < 0 || d > 366 {
				return nil, fmt.Errorf("schedule.days_before_deadline: %d is not a number of days between 0 and 366", d)
			}
			if seen[d] {
				return nil, fmt.Errorf("schedule.days_before_deadline: %d is listed twice", d)
			}
			seen[d] = true
			t := deadline.AddDate(0, 0, -d)
			specs = append(specs, JobSpec{fmt.Sprintf("before-deadline-%d", d), KindReminder, fmt.Sprintf("0 8 %d %d *", t.Day(), int(t.Month()))})
		}
	}
	switch {
	case s.Close != "":
		specs = append(specs, JobSpec{"close", KindClose, s.Close})
	case !deadline.IsZero():
		specs = append(specs, JobSpec{"close", KindClose, fmt.Sprintf("0 17 %d %d *", deadline.Day(), int(deadline.Month()))})
	}
	for _, j := range specs {
		if _, _, err := calendar.Parse(j.Spec, loc); err != nil {
			return nil, fmt.Errorf("schedule: job %q, %q: %w", j.Name, j.Spec, err)
		}
	}
	return specs, nil
}

// Register adds the jobs of c.Schedule to cal, each running the matching
// method of c, and returns them.
func (c *Collector) Register(cal *calendar.Calendar) ([]JobSpec, error) {
	specs, err := c.Schedule.Jobs(c.Collection)
	if err != nil {
		return nil, err
	}
	if c.Collection.Deadline.IsZero() {
		c.Log.Warn().Msg("no deadline in the config: no reminders before the deadline, and no close unless schedule.close is set")
	}
	for _, j := range specs {
		if err := cal.Add(j.Name, j.Spec, c.Job(j.Kind)); err != nil {
			return nil, err
		}
	}
	return specs, nil
}

// Job returns the method of c that runs jobs of kind (nil for an unknown kind).
func (c *Collector) Job(kind string) calendar.Job {
	switch kind {
	case KindOpening:
		return c.Opening
	case KindReminder:
		return c.Reminder
	case KindClose:
		return c.Close
	}
	return nil
}
