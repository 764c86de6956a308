package ooxml

import (
	"bufio"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// commentRefs counts, for every comments part and VML drawing, the sheets
// whose relationships refer to it. A part two sheets share (a writer that
// numbered its new parts after the sheet's position wrote one over
// another's: excelize on LibreOffice's files) must not be rewritten with
// one sheet's comments.
func (p *Patch) commentRefs() (map[string]int, error) {
	refs := map[string]int{}
	for _, s := range p.b.sheets {
		if s.Part == "" {
			continue
		}
		rels, err := p.b.sheetRels(s.Part)
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			if !r.External && (relIs(r.Type, "comments") || relIs(r.Type, "vmlDrawing")) {
				refs[strings.ToLower(r.Target)]++
			}
		}
	}
	return refs, nil
}

// planComments decides the parts of a sheet's new comments: the comments
// part and the VML drawing are reused when the sheet has them (and no
// other sheet refers to them: see commentRefs), else created with their
// relationships and content types.
func (p *Patch) planComments(pl *plan, part string, j *sheetJob, vmlN *int, refs map[string]int) error {
	b := p.b
	rels, err := b.sheetRels(part)
	if err != nil {
		return err
	}
	legacy := ""
	for _, r := range rels {
		if relIs(r.Type, "vmlDrawing") {
			if legacy, err = b.peekLegacyDrawing(part); err != nil {
				return err
			}
			break
		}
	}
	var commentsRel, vmlRel *Relationship
	ids := map[string]bool{}
	for i := range rels {
		r := &rels[i]
		ids[r.ID] = true
		switch {
		case r.External:
		case relIs(r.Type, "comments") && commentsRel == nil:
			commentsRel = r
		case relIs(r.Type, "vmlDrawing") && r.ID == legacy:
			vmlRel = r
		}
	}
	var add []Relationship
	drop := map[string]bool{}
	// A shared part is left to the other sheets: this one lets go of it.
	for _, r := range []**Relationship{&commentsRel, &vmlRel} {
		if *r != nil && refs[strings.ToLower((*r).Target)] > 1 {
			refs[strings.ToLower((*r).Target)]--
			drop[(*r).ID] = true
			*r = nil
		}
	}
	cs := *j.e.comments
	if len(cs) == 0 {
		if commentsRel != nil {
			drop[commentsRel.ID] = true
			pl.dropPart(commentsRel.Target)
		}
		if vmlRel != nil {
			drop[vmlRel.ID] = true
			pl.dropPart(vmlRel.Target)
		}
		if legacy != "" {
			j.dropLegacy = true
		}
	} else {
		*vmlN++
		idmap := 100 + *vmlN // clear of the small numbers Excel gives drawings
		put := func(name string, w partWriter) {
			if b.arc.file(name) != nil {
				pl.rewrite[strings.ToLower(name)] = w
				pl.used[strings.ToLower(name)] = true
			} else {
				pl.add(name, w)
			}
		}
		var cpart, vpart string
		if commentsRel != nil {
			cpart = commentsRel.Target
		} else {
			cpart = pl.freeName("xl/comments%d.xml")
			add = append(add, Relationship{ID: freeID(ids), Type: relComments, Target: cpart})
		}
		if b.arc.file(cpart) == nil {
			pl.overrides[cpart] = ctComments
		}
		if vmlRel != nil {
			vpart = vmlRel.Target
			j.legacyRID = vmlRel.ID
		} else {
			vpart = pl.freeName("xl/drawings/vmlDrawing%d.vml")
			j.legacyRID = freeID(ids)
			add = append(add, Relationship{ID: j.legacyRID, Type: relVML, Target: vpart})
		}
		if b.arc.file(vpart) == nil {
			if _, ok := b.types.defaults["vml"]; !ok && strings.HasSuffix(vpart, ".vml") {
				pl.defaults["vml"] = ctVML
			} else if !ok {
				pl.overrides[vpart] = ctVML
			}
		}
		put(cpart, func(out *bufio.Writer, _ io.Reader) error { return writeComments(out, cs) })
		put(vpart, func(out *bufio.Writer, _ io.Reader) error { return writeVML(out, cs, idmap) })
	}
	if len(add) == 0 && len(drop) == 0 {
		return nil
	}
	rp := relsPartOf(part)
	w := func(out *bufio.Writer, in io.Reader) error { return patchRels(out, in, rp, part, add, drop, &b.lim) }
	if b.arc.file(rp) != nil {
		pl.rewrite[strings.ToLower(rp)] = w
	} else {
		pl.add(rp, w)
	}
	return nil
}

const xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"

// writeComments writes a comments part.
func writeComments(out *bufio.Writer, cs []Comment) error {
	var authors []string
	authorID := map[string]int{}
	for _, c := range cs {
		if _, ok := authorID[c.Author]; !ok {
			authorID[c.Author] = len(authors)
			authors = append(authors, c.Author)
		}
	}
	b := append([]byte(nil), xmlHeader...)
	b = append(b, `<comments xmlns="`+nsMain+`"><authors>`...)
	for _, a := range authors {
		b = appendTextElem(b, "author", a)
	}
	b = append(b, "</authors><commentList>"...)
	for _, c := range cs {
		col, row, _ := ParseRef(c.Ref)
		b = append(b, `<comment ref="`...)
		b = appendRef(b, col, row)
		b = append(b, `" authorId="`...)
		b = strconv.AppendInt(b, int64(authorID[c.Author]), 10)
		b = append(b, `"><text>`...)
		for _, r := range c.Runs {
			b = append(b, "<r><rPr>"...)
			if r.Bold {
				b = append(b, "<b/>"...)
			}
			if r.Italic {
				b = append(b, "<i/>"...)
			}
			size := r.Size
			if size <= 0 {
				size = 9
			}
			b = append(b, `<sz val="`...)
			b = strconv.AppendFloat(b, size, 'g', -1, 64)
			b = append(b, `"/>`...)
			if r.Color != "" {
				b = colorXML(b, "color", RGB(r.Color))
			} else {
				b = append(b, `<color indexed="81"/>`...)
			}
			font := r.Font
			if font == "" {
				font = "Tahoma"
			}
			b = append(b, `<rFont val="`...)
			b = appendEscaped(b, font)
			b = append(b, `"/><family val="2"/></rPr><t xml:space="preserve">`...)
			b = appendCellText(b, r.Text)
			b = append(b, "</t></r>"...)
		}
		b = append(b, "</text></comment>"...)
		if len(b) > 32<<10 {
			if _, err := out.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, "</commentList></comments>"...)
	_, err := out.Write(b)
	return err
}

// commentSize returns a comment box's size in pixels: the one asked for,
// else 240 wide and tall enough for its text at about 40 characters a
// line.
func commentSize(c *Comment) (w, h int) {
	w, h = c.Width, c.Height
	if w <= 0 {
		w = 240
	}
	if h <= 0 {
		lines := 0
		for _, para := range strings.Split(c.Text(), "\n") {
			lines += max(1, (utf8.RuneCountInString(para)*240/w+39)/40)
		}
		h = min(max(80, lines*15+10), 600)
	}
	return w, h
}

// writeVML writes the legacy drawing that shows the comments: one hidden
// note shape per comment, anchored beside its cell. Excel and LibreOffice
// need it to display comments at all.
func writeVML(out *bufio.Writer, cs []Comment, idmap int) error {
	b := append([]byte(nil), `<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:x="urn:schemas-microsoft-com:office:excel">`...)
	b = append(b, `<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="`...)
	b = strconv.AppendInt(b, int64(idmap), 10)
	b = append(b, `"/></o:shapelayout><v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>`...)
	for i := range cs {
		c := &cs[i]
		col, row, _ := ParseRef(c.Ref)
		w, h := commentSize(c)
		wCols, hRows := max(2, (w+63)/64), max(3, (h+19)/20)
		top := max(row-2, 0)
		b = append(b, `<v:shape id="_x0000_s`...)
		b = strconv.AppendInt(b, int64(idmap*1024+i+1), 10)
		b = append(b, `" type="#_x0000_t202" style="position:absolute;margin-left:`...)
		b = strconv.AppendInt(b, int64(col*48+12), 10)
		b = append(b, `pt;margin-top:`...)
		b = strconv.AppendInt(b, int64(top*15+2), 10)
		b = append(b, `pt;width:`...)
		b = strconv.AppendInt(b, int64(w*3/4), 10)
		b = append(b, `pt;height:`...)
		b = strconv.AppendInt(b, int64(h*3/4), 10)
		b = append(b, `pt;z-index:`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, `;visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/><v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/><v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox><x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:Anchor>`...)
		b = strconv.AppendInt(b, int64(col), 10)
		b = append(b, ", 15, "...)
		b = strconv.AppendInt(b, int64(top), 10)
		b = append(b, ", 10, "...)
		b = strconv.AppendInt(b, int64(col+wCols), 10)
		b = append(b, ", 15, "...)
		b = strconv.AppendInt(b, int64(top+hRows), 10)
		b = append(b, `, 4</x:Anchor><x:AutoFill>False</x:AutoFill><x:Row>`...)
		b = strconv.AppendInt(b, int64(row-1), 10)
		b = append(b, `</x:Row><x:Column>`...)
		b = strconv.AppendInt(b, int64(col-1), 10)
		b = append(b, `</x:Column></x:ClientData></v:shape>`...)
		if len(b) > 32<<10 {
			if _, err := out.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	b = append(b, "</xml>"...)
	_, err := out.Write(b)
	return err
}
