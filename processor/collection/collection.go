// Package collection describes one collection round of self-assessments:
// which year is collected, by when, and in which time zone its dates are
// read. The pipeline, the calendar and the commands all ask it for the
// year, so they never disagree.
package collection

import (
	"time"

	"github.com/chiso-vn/chiso/processor/layout"
)

// Collection is one collection round.
type Collection struct {
	// Year is the reporting year; 0 means the calendar year of the moment
	// asked (in Zone).
	Year int
	// Deadline is the last day to submit, at midnight in Zone; zero when
	// none is set.
	Deadline time.Time
	// Zone is where the dates are read; nil means Vietnam's time.
	Zone *time.Location
}

// Loc is the collection's time zone.
func (c Collection) Loc() *time.Location {
	if c.Zone == nil {
		return layout.Vietnam
	}
	return c.Zone
}

// YearAt is the year being collected at t.
func (c Collection) YearAt(t time.Time) int {
	if c.Year != 0 {
		return c.Year
	}
	return t.In(c.Loc()).Year()
}

// DeadlineText is the deadline as communes read it ("15/12/2023"), or "".
func (c Collection) DeadlineText() string {
	if c.Deadline.IsZero() {
		return ""
	}
	return c.Deadline.Format(layout.Date)
}
