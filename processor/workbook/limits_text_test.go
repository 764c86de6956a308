package workbook

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

func TestOverLimitText(t *testing.T) {
	tests := []struct {
		limit ooxml.Limit
		max   int64
		want  string
	}{
		{ooxml.LimitRows, 65536, "hơn 65.536 dòng"},
		{ooxml.LimitSharedStrings, 200000, "hơn 200.000 chuỗi ký tự"},
		{ooxml.LimitDepth, 100, "lồng nhau"},
		{ooxml.LimitCells, 200000, "hơn 200.000 ô"},
		{ooxml.LimitValueBytes, 32767, "một ô chứa hơn 32.767 byte"},
	}
	for _, tt := range tests {
		err := openErr(&ooxml.LimitError{Limit: tt.limit, Max: tt.max, Part: "xl/worksheets/sheet1.xml"})
		if !errors.Is(err, ErrOverLimit) {
			t.Fatalf("%s: %v is not ErrOverLimit", tt.limit, err)
		}
		if got := OverLimitText(fmt.Errorf("read: %w", err)); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %q, want it to say %q", tt.limit, got, tt.want)
		}
	}
	if got := OverLimitText(ErrOverLimit); got != "" {
		t.Errorf("no detail to give: %q", got)
	}
}
