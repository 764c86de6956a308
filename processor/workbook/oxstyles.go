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
	st := lookStyle(l)
	id, err := s.p.AddStyle(st)
	if err != nil {
		s.err = err
		return 0
	}
	s.ids[l] = id
	return id
}
