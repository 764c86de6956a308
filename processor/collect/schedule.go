package collect

import (
	"fmt"
	"time"

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
	Cron string // a cron spec read in the collection's zone, or
	At   time.Time
	// From and Until bound the occurrences; MaxLate < 0: caught up however
	// late within them (see calendar.Spec).
	From, Until time.Time
	MaxLate     time.Duration
}

// Spec is the job's schedule as the admin reads it: the cron spec, or the
// date and time of its one occurrence.
func (j JobSpec) Spec(loc *time.Location) string {
	if j.Cron != "" {
		return j.Cron
	}
	return j.At.In(loc).Format("15:04 02/01/2006")
}

// Label names a job in Vietnamese, for `chiso status`.
func (j JobSpec) Label() string {
	switch j.Kind {
	case KindOpening:
		return "Mở đợt thu thập (gửi biểu mẫu, thông báo)"
	case KindClose:
		return "Chốt đợt, xếp hạng chính thức"
	}
	var d, n int
	if _, err := fmt.Sscanf(j.Name, "before-deadline-%d", &d); err == nil {
		if d == 0 {
			return "Nhắc nộp ngày hết hạn"
		}
		return fmt.Sprintf("Nhắc nộp trước hạn %d ngày", d)
	}
	if _, err := fmt.Sscanf(j.Name, "reminder-%d", &n); err == nil {
		return fmt.Sprintf("Nhắc nộp định kỳ (lịch %d)", n)
	}
	return j.Name
}

// Schedule is the reminders of a collection: cron expressions ("minute
// hour day-of-month month day-of-week") read in the collection's time zone,
// run only between its opening and its deadline.
type Schedule struct {
	Reminders []string // remind units that have not submitted
	// DaysBefore adds a reminder at 08:00 this many days before the deadline.
	DaysBefore []int
}

// reminderHour is the time of day of the before-deadline reminders.
const reminderHour = 8

// Jobs returns the jobs of collection col, in the order they should run
// when due together: opening, reminders, close.
//
//   - the opening occurs once, at col.Opening; missed, it is caught up
//     however late, until the deadline (templates are what the reminders
//     point to);
//   - the reminders occur between the opening and the end of the deadline
//     day (until the close without a deadline); nothing is sent after;
//   - the close occurs once, at col.Close; missed, it is caught up within
//     the calendar's MaxLate (a longer outage: `chiso rank --final`).
//
// Without a deadline there are no before-deadline reminders; without a
// close, no close job.
func (s Schedule) Jobs(col collection.Collection) ([]JobSpec, error) {
	loc := col.Loc()
	end := col.DeadlineEnd()
	if end.IsZero() {
		end = col.Close
	}
	var specs []JobSpec
	if !col.Opening.IsZero() {
		specs = append(specs, JobSpec{Name: "opening", Kind: KindOpening, At: col.Opening, Until: end, MaxLate: -1})
	}
	for i, r := range s.Reminders {
		if _, _, err := calendar.Parse(r, loc); err != nil {
			return nil, fmt.Errorf("schedule.reminders[%d] %q: %w", i, r, err)
		}
		specs = append(specs, JobSpec{Name: fmt.Sprintf("reminder-%d", i+1), Kind: KindReminder, Cron: r, From: col.Opening, Until: end})
	}
	if !col.Deadline.IsZero() {
		seen := map[int]bool{}
		for _, d := range s.DaysBefore {
			if d < 0 || d > 366 {
				return nil, fmt.Errorf("schedule.days_before_deadline: %d is not a number of days between 0 and 366", d)
			}
			if seen[d] {
				return nil, fmt.Errorf("schedule.days_before_deadline: %d is listed twice", d)
			}
			seen[d] = true
			at := col.Deadline.AddDate(0, 0, -d).Add(reminderHour * time.Hour)
			if !col.Opening.IsZero() && at.Before(col.Opening) {
				continue // before the collection opens: nothing to remind of yet
			}
			specs = append(specs, JobSpec{Name: fmt.Sprintf("before-deadline-%d", d), Kind: KindReminder, At: at, From: col.Opening, Until: end})
		}
	}
	if !col.Close.IsZero() {
		specs = append(specs, JobSpec{Name: "close", Kind: KindClose, At: col.Close})
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
		c.Log.Warn().Msg("no deadline in the config: no reminders before the deadline, no late files, and no close unless close: is set")
	}
	for _, j := range specs {
		err := cal.AddSpec(calendar.Spec{Name: j.Name, Cron: j.Cron, At: j.At, From: j.From, Until: j.Until, MaxLate: j.MaxLate, Run: c.Job(j.Kind)})
		if err != nil {
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
