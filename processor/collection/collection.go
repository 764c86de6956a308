// Package collection describes one collection round of self-assessments:
// which year is collected, when it opens, by when communes submit, when it
// closes, and in which time zone its dates are read. The pipeline, the
// calendar, the publisher and the commands all ask it, so they never
// disagree.
//
// A round goes through four stages:
//
//	before the opening   nothing is sent yet; files are still accepted
//	open                 from the opening (templates for every unit, notice)
//	                     to the end of the deadline day: reminders run
//	late                 after the deadline day, before the close: files are
//	                     accepted and marked late (nộp muộn)
//	closed               from the close (the official ranking): files are
//	                     recorded, answered and marked late, and change
//	                     nothing official until an officer publishes a new
//	                     final version
package collection

import (
	"time"

	"github.com/chiso-vn/chiso/processor/layout"
)

// Times of day of the two dated jobs, in the collection's zone.
const (
	OpeningHour = 8  // the opening runs at 08:00 on the opening day
	CloseHour   = 17 // the close runs at 17:00 on the close day
)

// Collection is one collection round.
type Collection struct {
	// Year is the reporting year; 0 means the calendar year of the moment
	// asked (in Zone).
	Year int
	// Opening is when the opening runs (templates for every unit and the
	// collection notice); zero when none is set.
	Opening time.Time
	// Deadline is the last day to submit, at midnight in Zone; zero when
	// none is set. A file received after that day is late.
	Deadline time.Time
	// Close is when the official ranking is published; zero when none is
	// set. Never before the end of the deadline day.
	Close time.Time
	// Zone is where the dates are read and every time a person reads is
	// shown; nil means Vietnam's time.
	Zone *time.Location
}

// Day is midnight of a date in loc.
func Day(year int, month time.Month, day int, loc *time.Location) time.Time {
	return time.Date(year, month, day, 0, 0, 0, 0, loc)
}

// New makes a collection from its dates (midnight of each day in loc; a
// zero date is not set): the opening runs at OpeningHour on its day, the
// close at CloseHour on its day but never before the end of the deadline
// day, so no file in time is left out of the official ranking.
func New(year int, opening, deadline, closing time.Time, loc *time.Location) Collection {
	c := Collection{Year: year, Deadline: deadline, Zone: loc}
	if !opening.IsZero() {
		c.Opening = opening.Add(OpeningHour * time.Hour)
	}
	if !closing.IsZero() {
		c.Close = closing.Add(CloseHour * time.Hour)
		if end := c.DeadlineEnd(); !end.IsZero() && c.Close.Before(end) {
			c.Close = end
		}
	}
	return c
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

// DeadlineEnd is the first moment a file is late: midnight after the
// deadline day; zero without a deadline.
func (c Collection) DeadlineEnd() time.Time {
	if c.Deadline.IsZero() {
		return time.Time{}
	}
	return c.Deadline.AddDate(0, 0, 1)
}

// Late reports whether a file received at t is late (nộp muộn).
func (c Collection) Late(received time.Time) bool {
	end := c.DeadlineEnd()
	return !end.IsZero() && !received.Before(end)
}

// Closed reports whether the collection is closed at t: the official
// ranking is published, and files received since change nothing official
// until an officer publishes a new final version.
func (c Collection) Closed(t time.Time) bool {
	return !c.Close.IsZero() && !t.Before(c.Close)
}

// Stage is where a collection stands at a moment.
type Stage int

// Stages, in order.
const (
	BeforeOpening Stage = iota
	Open
	Late
	Closed
)

// StageAt is the stage of the collection at t. Without an opening it is
// open from the start; without a deadline it stays open until the close.
func (c Collection) StageAt(t time.Time) Stage {
	switch {
	case c.Closed(t):
		return Closed
	case c.Late(t):
		return Late
	case !c.Opening.IsZero() && t.Before(c.Opening):
		return BeforeOpening
	}
	return Open
}

// String names a stage for logs.
func (s Stage) String() string {
	switch s {
	case BeforeOpening:
		return "before-opening"
	case Open:
		return "open"
	case Late:
		return "late"
	}
	return "closed"
}

// Label is a stage as the office reads it.
func (s Stage) Label() string {
	switch s {
	case BeforeOpening:
		return "chưa mở"
	case Open:
		return "đang thu thập"
	case Late:
		return "đã quá hạn nộp, chưa chốt (tệp nộp lúc này được ghi là nộp muộn)"
	}
	return "đã chốt (tệp nộp lúc này được ghi nhận và trả lời, không thay đổi bảng xếp hạng chính thức)"
}

// Show formats t in the collection's zone for a person; the zero time is "".
func (c Collection) Show(t time.Time, format string) string {
	return layout.Show(t, c.Loc(), format)
}
