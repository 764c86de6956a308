package collection_test

import (
	"testing"
	"time"

	_ "github.com/chiso-vn/chiso/internal/testkit" // the -update flag
	"github.com/chiso-vn/chiso/processor/collection"
)

var vn = time.FixedZone("ICT", 7*3600)

func at(m time.Month, d, h int) time.Time {
	y := 2023
	if m == time.January {
		y = 2024
	}
	return time.Date(y, m, d, h, 0, 0, 0, vn)
}

// TestStages: the opening at 08:00, the deadline day in time to its end,
// the close at 17:00; a close on the deadline day waits for its end.
func TestStages(t *testing.T) {
	c := collection.New(2023, collection.Day(2023, 11, 1, vn), collection.Day(2023, 12, 15, vn), collection.Day(2024, 1, 20, vn), vn)
	if !c.Opening.Equal(at(time.November, 1, 8)) || !c.Close.Equal(at(time.January, 20, 17)) || c.DeadlineText() != "15/12/2023" {
		t.Errorf("dates: %v %v %q", c.Opening, c.Close, c.DeadlineText())
	}
	for _, tt := range []struct {
		t     time.Time
		stage collection.Stage
		late  bool
	}{
		{at(time.November, 1, 7), collection.BeforeOpening, false},
		{at(time.November, 1, 8), collection.Open, false},
		{at(time.December, 15, 23), collection.Open, false},
		{at(time.December, 16, 0), collection.Late, true},
		{at(time.January, 20, 16), collection.Late, true},
		{at(time.January, 20, 17), collection.Closed, true},
	} {
		if got := c.StageAt(tt.t); got != tt.stage || c.Late(tt.t) != tt.late {
			t.Errorf("%s: %s late %v, want %s late %v", tt.t, got, c.Late(tt.t), tt.stage, tt.late)
		}
	}
	same := collection.New(2023, time.Time{}, collection.Day(2023, 12, 15, vn), collection.Day(2023, 12, 15, vn), vn)
	if !same.Close.Equal(at(time.December, 16, 0)) || same.StageAt(at(time.October, 1, 0)) != collection.Open {
		t.Errorf("close on the deadline day: %v; no opening: %s", same.Close, same.StageAt(at(time.October, 1, 0)))
	}
	none := collection.Collection{Year: 2023}
	if none.Late(at(time.January, 20, 0)) || none.Closed(at(time.January, 20, 0)) || none.StageAt(at(time.January, 20, 0)) != collection.Open {
		t.Error("without dates a collection is open, nothing late")
	}
}
