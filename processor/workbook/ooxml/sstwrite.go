package ooxml

import (
	"bufio"
	"io"
	"strconv"
)

// A shared-string table for a new workbook: text that repeats (unit names,
// codes, indicator names on every row of a national appraisal sheet) is
// written once and referred to by index, as Excel itself saves it.

const (
	relSST = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
	ctSST  = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
)

type sstBuilder struct {
	index map[string]int
	list  []string
	refs  int
}

// Shared returns text s as a shared string of the workbook: written once in
// the shared-string table however many cells hold it. A workbook that has a
// table of its own keeps it as it is, and gets inline text instead (Text).
// Use it for text that repeats; unique text is cheaper inline. Empty text
// is a blank cell.
func (p *Patch) Shared(s string) Value {
	if s == "" {
		return Blank()
	}
	if p.b.sstPart != "" {
		return Text(s)
	}
	if p.sst == nil {
		p.sst = &sstBuilder{index: map[string]int{}}
	}
	i, ok := p.sst.index[s]
	if !ok {
		i = len(p.sst.list)
		p.sst.index[s] = i
		p.sst.list = append(p.sst.list, s)
	}
	p.sst.refs++
	return Value{kind: valueShared, num: float64(i)}
}

// planSST adds the shared-string table the new sheets refer to.
func (p *Patch) planSST(pl *plan, relIDs map[string]bool) {
	if p.sst == nil || len(p.sst.list) == 0 {
		return
	}
	part := pl.freeName("xl/sharedStrings%d.xml")
	if !pl.used["xl/sharedstrings.xml"] {
		part = "xl/sharedStrings.xml"
		pl.used["xl/sharedstrings.xml"] = true
	}
	sst := p.sst
	pl.add(part, func(out *bufio.Writer, _ io.Reader) error { return sst.write(out) })
	pl.addRels = append(pl.addRels, Relationship{ID: freeID(relIDs), Type: relSST, Target: part})
	pl.overrides[part] = ctSST
}

func (t *sstBuilder) write(out *bufio.Writer) error {
	b := append([]byte(nil), xmlHeader...)
	b = append(b, `<sst xmlns="`+nsMain+`" count="`...)
	b = strconv.AppendInt(b, int64(t.refs), 10)
	b = append(b, `" uniqueCount="`...)
	b = strconv.AppendInt(b, int64(len(t.list)), 10)
	b = append(b, `">`...)
	for _, s := range t.list {
		b = append(b, `<si><t xml:space="preserve">`...)
		b = appendCellText(b, s)
		b = append(b, `</t></si>`...)
		if len(b) > 32<<10 {
			if _, err := out.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, "</sst>"...)
	_, err := out.Write(b)
	return err
}
