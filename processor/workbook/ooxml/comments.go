package ooxml

import (
	"fmt"
	"strconv"
	"strings"
)

// Comment is a cell comment (a "note" in today's Excel).
type Comment struct {
	Ref    string // the cell, "E12"
	Author string
	// Runs is the text as formatted runs; a plain comment is one run.
	Runs []Run
	// Width and Height are the size of the comment box in pixels when it
	// is written (0: 240 × 80, widened for long text). Reading leaves them
	// 0.
	Width, Height int
}

// Text returns the comment's text, its runs joined.
func (c *Comment) Text() string {
	if len(c.Runs) == 1 {
		return c.Runs[0].Text
	}
	var b strings.Builder
	for _, r := range c.Runs {
		b.WriteString(r.Text)
	}
	return b.String()
}

// Run is a piece of rich text with its formatting.
type Run struct {
	Text   string
	Bold   bool
	Italic bool
	Font   string  // font name, "" for the default (Tahoma in comments)
	Size   float64 // points, 0 for the default (9)
	Color  string  // "RRGGBB" or "AARRGGBB", "" for the default
}

// Comments reads the comments of a sheet, in the order of its comments
// part. A sheet without comments returns none and no error.
func (b *Book) Comments(sheet string) ([]Comment, error) {
	i := b.sheetIndex(sheet)
	if i < 0 || b.sheets[i].Part == "" {
		return nil, fmt.Errorf("%w: %q", ErrNoSheet, sheet)
	}
	rels, err := b.sheetRels(b.sheets[i].Part)
	if err != nil {
		return nil, err
	}
	part := ""
	for _, r := range rels {
		if relIs(r.Type, "comments") && !r.External {
			part = r.Target
		}
	}
	if part == "" || b.arc.file(part) == nil {
		return nil, nil
	}
	return b.readComments(part)
}

func (b *Book) readComments(part string) ([]Comment, error) {
	var authors []string
	var out []Comment
	var buf []byte
	err := b.walk(part, func(s *scanner) error {
		switch {
		case s.is(3, "author"):
			if len(authors) >= b.lim.MaxItems {
				return b.tooMany(part)
			}
			var err error
			if buf, err = s.text(buf[:0], b.lim.MaxValueBytes); err != nil {
				return err
			}
			authors = append(authors, string(buf))
		case s.is(3, "comment"):
			if len(out) >= b.lim.MaxItems {
				return b.tooMany(part)
			}
			ref, _, err := s.attrString("ref")
			if err != nil {
				return err
			}
			c := Comment{Ref: ref}
			if v, ok := s.attr("authorId"); ok {
				if id, err := strconv.Atoi(string(v)); err == nil && id >= 0 && id < len(authors) {
					c.Author = authors[id]
				}
			}
			if c.Runs, err = commentRuns(s, b.lim.MaxValueBytes); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// commentRuns reads a <comment>'s <text> into runs; the scanner is on the
// <comment> start tag and is left on its end tag.
func commentRuns(s *scanner, max int) ([]Run, error) {
	if s.selfClose {
		return nil, nil
	}
	var runs []Run
	var buf []byte
	total := 0
	d := s.depth
	for {
		k, err := s.next()
		if err != nil {
			return nil, err
		}
		if k == tokEOF {
			return nil, s.fail(s.off, "unexpected end of the part")
		}
		if k == tokEnd && s.depth == d {
			return runs, nil
		}
		if k != tokStart {
			continue
		}
		// <text> at d+1; its <t> at d+2; its runs <r> at d+2 with
		// <rPr> and <t> at d+3.
		switch {
		case s.depth == d+2 && string(s.local()) == "t":
			if buf, err = s.text(buf[:0], max-total); err != nil {
				return nil, err
			}
			total += len(buf)
			runs = append(runs, Run{Text: string(unescapeX(buf))})
		case s.depth == d+2 && string(s.local()) == "r":
			r, err := readRun(s, buf[:0], max-total)
			if err != nil {
				return nil, err
			}
			total += len(r.Text)
			runs = append(runs, r)
		case s.depth == d+2:
			if err := s.skip(); err != nil {
				return nil, err
			}
		}
	}
}

// readRun reads an <r> run; the scanner is on its start tag.
func readRun(s *scanner, buf []byte, max int) (Run, error) {
	var r Run
	err := s.children(func(local []byte) error {
		var err error
		switch string(local) {
		case "t":
			buf, err = s.text(buf, max)
			return err
		case "rPr":
			return s.children(func(prop []byte) error {
				val, _, err := s.attrString("val")
				if err != nil {
					return err
				}
				switch string(prop) {
				case "b":
					r.Bold = val == "" || xmlBool(val)
				case "i":
					r.Italic = val == "" || xmlBool(val)
				case "rFont":
					r.Font = val
				case "sz":
					r.Size, _ = strconv.ParseFloat(val, 64)
				case "color":
					r.Color, _, _ = s.attrString("rgb")
				}
				return nil
			})
		}
		return nil
	})
	r.Text = string(unescapeX(buf))
	return r, err
}
