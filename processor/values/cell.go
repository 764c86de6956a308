package values

import (
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/rubric"
)

// Note is a remark about how a cell was read: Severity is "warning" or
// "info", Message is Vietnamese and says what to check.
type Note struct {
	Severity string
	Code     string
	Message  string
}

// ParseCell reads one workbook cell for input in. raw is a float64 for a
// cell stored as a number, else the text; text is the cell as stored. An
// empty cell gives an unset Value and no error.
//
// TODO(helper): tolerant parsing of what officials type (see the task).
func ParseCell(in rubric.Input, raw any, text string) (engine.Value, []Note, error) {
	v, err := Coerce(in, raw)
	v.Text = text
	return v, nil, err
}
