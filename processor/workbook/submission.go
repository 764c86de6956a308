package workbook

import (
	"fmt"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/values"
)

// Submission is what was read from a returned workbook.
type Submission struct {
	Meta Meta
	// Unit fields as typed on the general sheet.
	UnitName, UnitCode, Address, Year                    string
	ContactName, ContactRole, ContactPhone, ContactEmail string
	// Values holds the usable figures; each engine.Value carries its Cell
	// and the Text as typed.
	Values engine.Values
	// Cells holds every cell read, usable or not, by RawKey.
	Cells    map[string]Cell
	Explain  map[string]string // indicator code → explanation (giải trình)
	Evidence map[string]string // indicator code → evidence (tài liệu kiểm chứng)
	// Rows is each indicator's row on Sheet, the indicator sheet (for
	// annotating the commune's own file).
	Rows  map[string]int
	Sheet string
	// FoundBy says how the cells were found: "names" (the template's defined
	// names) or "layout" (the TT column and input labels, for copies whose
	// names are broken).
	FoundBy  string
	Problems []problem.Problem
}

// RawKey is the key of a cell in Submission.Cells: "3.1/a" for an input,
// "3.1/tu_cham" for a self-score, "general/so_cbcc" for general information.
func RawKey(indicator, key string) string { return indicator + "/" + key }

// Keys of the non-input cells in Submission.Cells.
const (
	KeySelf     = "tu_cham"
	KeyExplain  = "giai_trinh"
	KeyEvidence = "kiem_chung"
	GeneralKey  = "general"
)

// Read reads a returned workbook for rubric r: through the defined names
// when they resolve, else by layout. Cells that cannot be used become
// Problems; the rest is in Values.
func readSubmission(src source, r *rubric.Rubric) *Submission {
	s := &Submission{
		Meta: readMeta(src), Values: engine.NewValues(), Cells: map[string]Cell{},
		Explain: map[string]string{}, Evidence: map[string]string{}, Rows: map[string]int{},
	}
	named, damaged := namedRefs(src)
	if len(damaged) > 0 && !namesUsable(named, r) {
		// The form's own cells are on a sheet that does not parse (a
		// malformed part): a damaged file, not someone else's table.
		for _, sh := range damaged {
			s.Problems = append(s.Problems, damagedSheet(sh))
		}
		return s
	}
	if namesUsable(named, r) {
		s.FoundBy = "names"
		s.fromNames(src, named, r)
		reportNotFound(r, s)
	} else {
		s.FoundBy = "layout"
		readByLayout(src, r, s)
	}
	s.parse(r)
	return s
}

// namesUsable reports whether at least 90 % of the rubric's input names
// resolve to a cell (Excel keeps names through inserted rows; deleted rows
// or content pasted into another file break them).
func namesUsable(named map[string]Cell, r *rubric.Rubric) bool {
	want, have := 0, 0
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		for _, x := range in.Inputs {
			want++
			if _, ok := named[InputName(in.Code, x.Key)]; ok {
				have++
			}
		}
	})
	return want > 0 && have*10 >= want*9
}

func (s *Submission) fromNames(src source, refs map[string]Cell, r *rubric.Rubric) {
	// Read only the cells the submission needs.
	named := map[string]Cell{}
	read := func(n string) (Cell, bool) {
		if c, ok := named[n]; ok {
			return c, true
		}
		ref, ok := refs[n]
		if !ok {
			return Cell{}, false
		}
		c := readCellCalc(src, ref.Sheet, ref.Addr)
		named[n] = c
		return c, true
	}
	text := func(n string) string { c, _ := read(n); return strings.TrimSpace(c.Raw) }
	s.UnitName, s.UnitCode, s.Address, s.Year = text(NameUnitName), text(NameUnitCode), text(NameUnitAddress), text(NameYear)
	s.ContactName, s.ContactRole, s.ContactPhone, s.ContactEmail = text(NameContactName), text(NameContactRole), text(NameContactPhone), text(NameContactEmail)
	for _, g := range r.General {
		if c, ok := read(GeneralName(g.Key)); ok {
			s.Cells[RawKey(GeneralKey, g.Key)] = c
		}
	}
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		for _, x := range in.Inputs {
			if c, ok := read(InputName(in.Code, x.Key)); ok {
				s.Cells[RawKey(in.Code, x.Key)] = c
			}
		}
		if c, ok := read(SelfName(in.Code)); ok {
			s.Cells[RawKey(in.Code, KeySelf)] = c
			if s.Sheet == "" {
				s.Sheet = c.Sheet
			}
			if _, row, err := excelize.CellNameToCoordinates(c.Addr); err == nil {
				s.Rows[in.Code] = row
			}
		}
		if c, ok := read(ExplainName(in.Code)); ok {
			s.Cells[RawKey(in.Code, KeyExplain)] = c
		}
		if c, ok := read(EvidenceName(in.Code)); ok {
			s.Cells[RawKey(in.Code, KeyEvidence)] = c
		}
	})
}

// parse turns the cells found into values and problems.
func (s *Submission) parse(r *rubric.Rubric) {
	put := func(indicator, label string, in rubric.Input, c Cell, set func(engine.Value)) {
		v, notes, err := values.ParseCell(in, c.raw(), c.Raw)
		where := c.Where()
		for _, n := range notes {
			s.Problems = append(s.Problems, problem.Problem{Severity: n.Severity, Code: n.Code, Indicator: indicator, Input: in.Key, Cell: where, Message: label + ": " + n.Message})
		}
		if err != nil {
			s.Problems = append(s.Problems, problem.Problem{Severity: problem.Error, Code: "unreadable", Indicator: indicator, Input: in.Key, Cell: where, Message: label + ": " + err.Error()})
			return
		}
		v.Cell = where
		set(v)
	}
	for _, g := range r.General {
		if c, ok := s.Cells[RawKey(GeneralKey, g.Key)]; ok {
			put("", fmt.Sprintf("Thông tin chung \"%s\" (ô %s)", g.Label, c.Where()), g, c, func(v engine.Value) { s.Values.General[g.Key] = v })
		}
	}
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		for _, x := range in.Inputs {
			if c, ok := s.Cells[RawKey(in.Code, x.Key)]; ok {
				label := fmt.Sprintf("Chỉ số %s, số liệu %s (ô %s)", in.Code, x.Key, c.Where())
				put(in.Code, label, x, c, func(v engine.Value) { s.Values.Set(in.Code, x.Key, v) })
			}
		}
		if c, ok := s.Cells[RawKey(in.Code, KeySelf)]; ok && strings.TrimSpace(c.Raw) != "" {
			label := fmt.Sprintf("Chỉ số %s, điểm tự chấm (ô %s)", in.Code, c.Where())
			put(in.Code, label, rubric.Input{Key: KeySelf, Type: rubric.Number}, c, func(v engine.Value) { s.Values.Self[in.Code] = v.Num })
		}
		if c, ok := s.Cells[RawKey(in.Code, KeyExplain)]; ok {
			s.Explain[in.Code] = strings.TrimSpace(c.Raw)
		}
		if c, ok := s.Cells[RawKey(in.Code, KeyEvidence)]; ok {
			s.Evidence[in.Code] = strings.TrimSpace(c.Raw)
		}
	})
}
