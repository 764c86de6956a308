// Package docx reads the tables of a Word document (.docx, WordprocessingML)
// for the rubric importer: a province's decision prints its rubric as an
// appendix table. It reads only tables; text outside them is returned as
// the Title of the table that follows it, so the importer can name the
// rubric.
//
// # What it reads
//
//   - Tables (w:tbl), rows (w:tr), cells (w:tc) in document order; a table
//     nested in a cell is read as text of that cell.
//   - Merged cells: a cell spanning columns (w:gridSpan, or the old w:hMerge)
//     repeats its text in every column it covers, marked FromLeft; a cell
//     continuing a vertical merge (w:vMerge without "restart") takes the text
//     of the cell above it, marked FromAbove; skipped grid columns at the
//     start or end of a row (w:gridBefore, w:gridAfter) are empty cells.
//   - Text: w:t runs; a cell's paragraphs, w:br and w:cr become line breaks;
//     w:tab a space; w:noBreakHyphen "-". Deleted text (w:delText), field
//     codes (w:instrText) are not text.
//
// # Bounds
//
// A hostile or broken file gives an error, never a crash or a runaway: the
// file size, the number of zip entries, the unzipped size of the document
// part and the number of rows and cells are bounded (Limits).
package docx

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strconv"
	"strings"

	"github.com/chiso-vn/chiso/processor/rubric/importer"
)

// Limits bound what a .docx may make the reader do.
type Limits struct {
	File    int64 // bytes of the .docx
	Entries int   // zip entries
	Part    int64 // unzipped bytes of the document part
	Rows    int   // rows, all tables together
	Cells   int   // cells of one row
}

// DefaultLimits are generous for a rubric (a few hundred rows) and small
// against a zip bomb.
var DefaultLimits = Limits{File: 20 << 20, Entries: 5000, Part: 64 << 20, Rows: 20000, Cells: 200}

// Errors a caller may want to tell apart.
var (
	ErrNotDocx  = errors.New("không phải tệp Word .docx")
	ErrTooLarge = errors.New("tệp Word quá lớn")
)

// ReadTables returns the tables of a .docx, in document order, each named
// "bảng N", with the paragraphs just before a table as its Title.
func ReadTables(data []byte, lim Limits) ([]importer.Table, error) {
	if int64(len(data)) > lim.File {
		return nil, fmt.Errorf("%w (%d KB, tối đa %d KB)", ErrTooLarge, len(data)>>10, lim.File>>10)
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xd0, 0xcf, 0x11, 0xe0}):
		return nil, fmt.Errorf("%w: đây là tệp .doc của Word 97–2003 (mở bằng Word, Lưu thành .docx)", ErrNotDocx)
	case bytes.HasPrefix(data, []byte("%PDF")):
		return nil, fmt.Errorf("%w: đây là tệp PDF (cần bản Word hoặc Excel của bảng)", ErrNotDocx)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("%w: không mở được như tệp zip (%v)", ErrNotDocx, err)
	}
	if len(zr.File) > lim.Entries {
		return nil, fmt.Errorf("%w: %d phần trong tệp (tối đa %d)", ErrTooLarge, len(zr.File), lim.Entries)
	}
	name := mainPart(zr)
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == name {
			doc = f
			break
		}
	}
	if doc == nil {
		return nil, fmt.Errorf("%w: không có phần %s", ErrNotDocx, name)
	}
	if doc.UncompressedSize64 > uint64(lim.Part) {
		return nil, fmt.Errorf("%w: phần văn bản giải nén ra %d MB (tối đa %d MB)", ErrTooLarge, doc.UncompressedSize64>>20, lim.Part>>20)
	}
	rc, err := doc.Open()
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotDocx, err)
	}
	defer rc.Close()
	lr := &limitedReader{r: rc, n: lim.Part}
	tables, err := parse(lr, lim)
	if lr.over {
		return nil, fmt.Errorf("%w: phần văn bản giải nén ra hơn %d MB", ErrTooLarge, lim.Part>>20)
	}
	if errors.Is(err, ErrTooLarge) {
		return nil, err
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotDocx, err)
	}
	return tables, nil
}

// limitedReader fails once more than n bytes are read (the zip header's
// size may lie).
type limitedReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		l.over = true
		return 0, errors.New("part too large")
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// mainPart finds the document part from the package relationships
// (word/document.xml unless the package says otherwise).
func mainPart(zr *zip.Reader) string {
	for _, f := range zr.File {
		if f.Name != "_rels/.rels" || f.UncompressedSize64 > 1<<20 {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			break
		}
		var rels struct {
			Rel []struct {
				Type   string `xml:"Type,attr"`
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		err = xml.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(&rels)
		rc.Close()
		if err != nil {
			break
		}
		for _, r := range rels.Rel {
			if strings.HasSuffix(r.Type, "/officeDocument") && r.Target != "" {
				return strings.TrimPrefix(path.Clean("/"+r.Target), "/")
			}
		}
	}
	return "word/document.xml"
}

// cell is a table cell being read.
type cell struct {
	text   strings.Builder
	span   int
	vMerge string // "", "restart", "continue"
	hMerge string
	paras  int
}

type row struct {
	out    []string
	merge  []importer.Merge
	before int
	after  int
}

type tableState struct {
	t     importer.Table
	row   *row
	cell  *cell
	prev  []string // filled texts of the previous row, by grid column
	nrows int
}

type parser struct {
	lim     Limits
	tables  []importer.Table
	stack   []*tableState // nested tables: only the outermost is kept
	title   []string      // paragraphs outside tables since the last table
	para    strings.Builder
	inPara  bool
	inText  bool
	inRun   int
	rows    int
	skipDel int
}

func parse(r io.Reader, lim Limits) ([]importer.Table, error) {
	p := &parser{lim: lim}
	dec := xml.NewDecoder(r)
	dec.Strict = false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if err := p.start(t); err != nil {
				return nil, err
			}
		case xml.EndElement:
			if err := p.end(t); err != nil {
				return nil, err
			}
		case xml.CharData:
			if p.inText && p.skipDel == 0 {
				p.write(string(t))
			}
		}
	}
	return p.tables, nil
}

func attr(t xml.StartElement, name string) (string, bool) {
	for _, a := range t.Attr {
		if a.Name.Local == name {
			return a.Value, true
		}
	}
	return "", false
}

func intAttr(t xml.StartElement) int {
	v, _ := attr(t, "val")
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// write appends text where it belongs: the innermost open cell of the
// outermost table, or the current paragraph outside tables.
func (p *parser) write(s string) {
	if len(p.stack) > 0 {
		if c := p.stack[0].cell; c != nil {
			if c.text.Len() < 1<<20 {
				c.text.WriteString(s)
			}
			return
		}
		return
	}
	if p.para.Len() < 1<<16 {
		p.para.WriteString(s)
	}
}

func (p *parser) start(t xml.StartElement) error {
	switch t.Name.Local {
	case "tbl":
		if len(p.stack) == 0 {
			ts := &tableState{t: importer.Table{Name: "bảng " + strconv.Itoa(len(p.tables)+1), Title: p.title}}
			p.title = nil
			p.stack = append(p.stack, ts)
		} else {
			p.stack = append(p.stack, &tableState{})
		}
	case "tr":
		if len(p.stack) == 1 {
			p.stack[0].row = &row{}
		}
	case "tc":
		if len(p.stack) == 1 && p.stack[0].row != nil {
			p.stack[0].cell = &cell{span: 1}
		}
	case "gridSpan":
		if c := p.outerCell(); c != nil {
			if n := intAttr(t); n >= 1 && n <= p.lim.Cells {
				c.span = n
			}
		}
	case "vMerge":
		if c := p.outerCell(); c != nil {
			v, _ := attr(t, "val")
			if v == "restart" {
				c.vMerge = "restart"
			} else {
				c.vMerge = "continue"
			}
		}
	case "hMerge":
		if c := p.outerCell(); c != nil {
			v, _ := attr(t, "val")
			if v == "restart" {
				c.hMerge = "restart"
			} else {
				c.hMerge = "continue"
			}
		}
	case "gridBefore", "gridAfter":
		if len(p.stack) == 1 && p.stack[0].row != nil && p.stack[0].cell == nil {
			n := intAttr(t)
			if n > p.lim.Cells {
				n = p.lim.Cells
			}
			if t.Name.Local == "gridBefore" {
				p.stack[0].row.before = n
			} else {
				p.stack[0].row.after = n
			}
		}
	case "p":
		if c := p.openCell(); c != nil {
			if c.paras > 0 {
				c.text.WriteString("\n")
			}
			c.paras++
		} else if len(p.stack) == 0 {
			p.para.Reset()
			p.inPara = true
		}
	case "r":
		p.inRun++
	case "t":
		p.inText = true
	case "br", "cr":
		if p.inRun > 0 {
			p.write("\n")
		}
	case "tab":
		if p.inRun > 0 { // not the tab stops of w:tabs in paragraph properties
			p.write(" ")
		}
	case "noBreakHyphen":
		if p.inRun > 0 {
			p.write("-")
		}
	case "del", "instrText", "delText":
		p.skipDel++
	}
	return nil
}

// outerCell is the open cell of the outermost table, if the parser is in
// its properties (not inside a nested table).
func (p *parser) outerCell() *cell {
	if len(p.stack) == 1 {
		return p.stack[0].cell
	}
	return nil
}

// openCell is the cell text goes to: the outermost table's open cell.
func (p *parser) openCell() *cell {
	if len(p.stack) > 0 {
		return p.stack[0].cell
	}
	return nil
}

func (p *parser) end(t xml.EndElement) error {
	switch t.Name.Local {
	case "r":
		if p.inRun > 0 {
			p.inRun--
		}
	case "t":
		p.inText = false
	case "del", "instrText", "delText":
		if p.skipDel > 0 {
			p.skipDel--
		}
	case "p":
		if len(p.stack) == 0 && p.inPara {
			if s := strings.TrimSpace(p.para.String()); s != "" {
				p.title = append(p.title, s)
				if len(p.title) > 20 {
					p.title = p.title[1:] // the heading of a table is just above it
				}
			}
			p.para.Reset()
			p.inPara = false
		}
	case "tc":
		if len(p.stack) == 1 {
			ts := p.stack[0]
			if ts.row != nil && ts.cell != nil {
				if err := ts.addCell(p.lim); err != nil {
					return err
				}
			}
			ts.cell = nil
		}
	case "tr":
		if len(p.stack) == 1 && p.stack[0].row != nil {
			ts := p.stack[0]
			r := ts.row
			for i := 0; i < r.after && len(r.out) < p.lim.Cells; i++ {
				r.out = append(r.out, "")
				r.merge = append(r.merge, importer.Own)
			}
			ts.nrows++
			p.rows++
			if p.rows > p.lim.Rows {
				return fmt.Errorf("%w: các bảng có hơn %d hàng", ErrTooLarge, p.lim.Rows)
			}
			ts.t.Rows = append(ts.t.Rows, importer.Row{N: ts.nrows, Cells: r.out, Merge: r.merge})
			ts.prev = r.out
			ts.row = nil
		}
	case "tbl":
		if n := len(p.stack); n > 0 {
			if n == 1 {
				p.tables = append(p.tables, p.stack[0].t)
			} else if c := p.stack[0].cell; c != nil {
				c.text.WriteString("\n")
			}
			p.stack = p.stack[:n-1]
		}
	}
	return nil
}

// addCell places the finished cell at its grid columns, filling merges.
func (ts *tableState) addCell(lim Limits) error {
	r, c := ts.row, ts.cell
	if len(r.out) == 0 {
		for i := 0; i < r.before && i < lim.Cells; i++ {
			r.out = append(r.out, "")
			r.merge = append(r.merge, importer.Own)
		}
	}
	text := strings.TrimSpace(c.text.String())
	col := len(r.out)
	m := importer.Own
	switch {
	case c.vMerge == "continue":
		text, m = "", importer.FromAbove
		if col < len(ts.prev) {
			text = ts.prev[col]
		}
	case c.hMerge == "continue" && col > 0:
		text, m = r.out[col-1], importer.FromLeft
	}
	for i := 0; i < c.span; i++ {
		if len(r.out) >= lim.Cells {
			return fmt.Errorf("%w: một hàng của bảng có hơn %d ô", ErrTooLarge, lim.Cells)
		}
		mm := m
		if i > 0 && m == importer.Own {
			mm = importer.FromLeft
		}
		r.out = append(r.out, text)
		r.merge = append(r.merge, mm)
	}
	return nil
}
