package workbook

import (
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// oxStyles makes chiso's looks as cell formats of a workbook written with
// ooxml (the ranking and appraisal workbooks), each once: the same look as
// styleSet gives the excelize-written ones.
type oxStyles struct {
	p   *ooxml.Patch
	ids map[look]int
	err error
}

func newOxStyles(p *ooxml.Patch) *oxStyles { return &oxStyles{p: p, ids: map[look]int{}} }

// id returns the format of l, made on first use.
func (s *oxStyles) id(l look) int {
	if id, ok := s.ids[l]; ok || s.err != nil {
		return id
	}
	size := l.size
	if size == 0 {
		size = 12
	}
	st := ooxml.Style{
		Font:       &ooxml.Font{Name: fontName, Size: size, Bold: l.bold, Italic: l.italic, Color: l.color},
		NumFmt:     l.numFmt,
		Protection: &ooxml.Protection{Locked: !l.unlocked},
	}
	if l.h != "" || l.v != "" || l.wrap || l.indent != 0 {
		st.Alignment = &ooxml.Alignment{Horizontal: l.h, Vertical: l.v, Wrap: l.wrap, Indent: l.indent}
	}
	if l.fill != "" {
		f := ooxml.SolidFill(l.fill)
		st.Fill = &f
	}
	if l.border {
		e := ooxml.BorderLine{Style: "thin", Color: colorBorder}
		st.Border = &ooxml.Border{Left: e, Right: e, Top: e, Bottom: e}
	}
	id, err := s.p.AddStyle(st)
	if err != nil {
		s.err = err
		return 0
	}
	s.ids[l] = id
	return id
}
