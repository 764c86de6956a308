package ooxml

import (
	"errors"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// SheetState is a sheet's visibility.
type SheetState uint8

const (
	Visible SheetState = iota
	Hidden
	VeryHidden // hidden and not listed by Excel's Unhide dialog
)

// String returns the state as workbook.xml writes it.
func (s SheetState) String() string {
	switch s {
	case Hidden:
		return "hidden"
	case VeryHidden:
		return "veryHidden"
	}
	return "visible"
}

// SheetInfo is one sheet of the workbook, as listed in xl/workbook.xml.
type SheetInfo struct {
	Name    string
	SheetID int    // the sheetId attribute
	RelID   string // its relationship id in the workbook's relationships ("rId3")
	// Part is the sheet's part name resolved through the workbook's
	// relationships ("xl/worksheets/sheet3.xml"); "" when the relationship
	// is missing.
	Part  string
	State SheetState
	// Kind is the relationship type's last segment: "worksheet",
	// "chartsheet", "dialogsheet" or "xlMacrosheet".
	Kind string
}

// DefinedName is a name of xl/workbook.xml's <definedNames>.
type DefinedName struct {
	Name string
	// LocalSheetID is the 0-based index of the sheet the name is scoped
	// to, -1 for a workbook-scoped name.
	LocalSheetID int
	RefersTo     string // the formula text, e.g. "'Chỉ số'!$E$9"
	Hidden       bool
}

// Property is a custom document property of docProps/custom.xml.
type Property struct {
	Name  string
	Type  string // the value's element: "lpwstr", "i4", "bool", "filetime", "r8"…
	Value string // the value as written
}

// Relationship is one entry of a relationships part.
type Relationship struct {
	ID   string
	Type string // full type URI
	// Target is the resolved part name ("xl/worksheets/sheet1.xml"), or
	// the target as written when External.
	Target   string
	External bool
}

// Book is an opened workbook. Only the workbook's structure is read by
// Open (package relationships, xl/workbook.xml and its relationships,
// [Content_Types].xml); sheets, shared strings, styles, comments and
// properties are read when asked for. A Book is not safe for concurrent
// use.
type Book struct {
	arc          *archive
	lim          Limits
	workbookPart string
	sheets       []SheetInfo
	names        []DefinedName
	activeTab    int
	firstSheet   int
	macros       bool
	rels         []Relationship // of the workbook part
	pkgRels      []Relationship
	types        contentTypes
	sstPart      string
	stylesPart   string
	sst          *sharedStrings
	sstErr       error
	scan         *scanner // reused
	styles       *Styles
}

// Open opens a workbook (.xlsx or .xlsm) held in data, under the limits
// lim (zero fields take their defaults, see [Limits]). Errors match
// [ErrNotZip], [ErrEncrypted], [ErrDamaged], [ErrNoWorkbook], [ErrLimit]
// or [ErrMalformed] (see [*LimitError], [*XMLError]). Open never panics.
func Open(data []byte, lim Limits) (*Book, error) {
	lim = lim.withDefaults()
	arc, err := openArchive(data, lim)
	if err != nil {
		return nil, err
	}
	b := &Book{arc: arc, lim: lim, activeTab: 0}
	if b.pkgRels, err = b.readRels("_rels/.rels", ""); err != nil && !errors.Is(err, errPartMissing) {
		return nil, err
	}
	for _, r := range b.pkgRels {
		if relIs(r.Type, "officeDocument") && !r.External {
			b.workbookPart = r.Target
			break
		}
	}
	if b.workbookPart == "" || arc.file(b.workbookPart) == nil {
		b.workbookPart = "xl/workbook.xml"
	}
	if arc.file(b.workbookPart) == nil {
		return nil, ErrNoWorkbook
	}
	b.workbookPart = arc.file(b.workbookPart).Name
	if b.types, err = b.readContentTypes(); err != nil {
		return nil, err
	}
	if b.rels, err = b.readRels(relsPartOf(b.workbookPart), b.workbookPart); err != nil && !errors.Is(err, errPartMissing) {
		return nil, err
	}
	byID := map[string]Relationship{}
	for _, r := range b.rels {
		byID[r.ID] = r
		switch {
		case r.External:
		case relIs(r.Type, "sharedStrings"):
			b.sstPart = r.Target
		case relIs(r.Type, "styles"):
			b.stylesPart = r.Target
		case relIs(r.Type, "vbaProject"):
			b.macros = true
		}
	}
	if arc.file("xl/vbaProject.bin") != nil {
		b.macros = true
	}
	if err := b.readWorkbook(byID); err != nil {
		return nil, err
	}
	return b, nil
}

// relIs reports whether a relationship type URI ends in "/"+kind, so that
// both transitional and strict OOXML types match.
func relIs(typ, kind string) bool {
	return strings.HasSuffix(typ, "/"+kind)
}

// relsPartOf returns the relationships part of a part:
// "xl/workbook.xml" → "xl/_rels/workbook.xml.rels".
func relsPartOf(part string) string {
	dir, base := path.Split(part)
	return dir + "_rels/" + base + ".rels"
}

// resolveTarget resolves a relationship target against the part that
// holds the relationship ("" for the package).
func resolveTarget(source, target string) string {
	if u, err := url.PathUnescape(target); err == nil {
		target = u
	}
	target = strings.ReplaceAll(target, "\\", "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	p := path.Clean(path.Join(path.Dir(source), target))
	return strings.TrimPrefix(strings.TrimPrefix(p, "../"), "/")
}

// scanner returns the Book's scanner reset on part r.
func (b *Book) scanner(r io.Reader, part string) *scanner {
	if b.scan == nil {
		b.scan = newScanner(r, part, &b.lim)
		return b.scan
	}
	b.scan.reset(r, part)
	return b.scan
}

// walk streams a whole part through fn, called for every token. It returns
// errPartMissing when the part does not exist.
func (b *Book) walk(part string, fn func(s *scanner) error) error {
	rc, err := b.arc.open(part)
	if err != nil {
		return err
	}
	defer rc.Close()
	s := b.scanner(rc, b.arc.file(part).Name)
	for {
		k, err := s.next()
		if err != nil {
			return err
		}
		if k == tokEOF {
			return nil
		}
		if err := fn(s); err != nil {
			return err
		}
	}
}

func (b *Book) tooMany(part string) error {
	return &LimitError{Limit: LimitItems, Max: int64(b.lim.MaxItems), Part: part}
}

// readRels reads a relationships part; source is the part it belongs to.
func (b *Book) readRels(part, source string) ([]Relationship, error) {
	var out []Relationship
	err := b.walk(part, func(s *scanner) error {
		if !s.is(2, "Relationship") {
			return nil
		}
		if len(out) >= b.lim.MaxItems {
			return b.tooMany(part)
		}
		var r Relationship
		var err error
		if r.ID, _, err = s.attrString("Id"); err != nil {
			return err
		}
		if r.Type, _, err = s.attrString("Type"); err != nil {
			return err
		}
		if r.Target, _, err = s.attrString("Target"); err != nil {
			return err
		}
		mode, _, err := s.attrString("TargetMode")
		if err != nil {
			return err
		}
		r.External = mode == "External"
		if !r.External {
			r.Target = resolveTarget(source, r.Target)
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// contentTypes is [Content_Types].xml.
type contentTypes struct {
	defaults  map[string]string // lower-case extension → type
	overrides map[string]string // lower-case part name (no leading /) → type
}

func (b *Book) readContentTypes() (contentTypes, error) {
	ct := contentTypes{defaults: map[string]string{}, overrides: map[string]string{}}
	const part = "[Content_Types].xml"
	n := 0
	err := b.walk(part, func(s *scanner) error {
		if s.kind != tokStart || s.depth != 2 {
			return nil
		}
		if n++; n > b.lim.MaxItems {
			return b.tooMany(part)
		}
		typ, _, err := s.attrString("ContentType")
		if err != nil {
			return err
		}
		switch string(s.local()) {
		case "Default":
			ext, _, err := s.attrString("Extension")
			if err != nil {
				return err
			}
			ct.defaults[strings.ToLower(ext)] = typ
		case "Override":
			p, _, err := s.attrString("PartName")
			if err != nil {
				return err
			}
			ct.overrides[strings.ToLower(strings.TrimPrefix(p, "/"))] = typ
		}
		return nil
	})
	if errors.Is(err, errPartMissing) {
		err = nil
	}
	return ct, err
}

// readWorkbook reads the sheets, defined names and active tab.
func (b *Book) readWorkbook(byID map[string]Relationship) error {
	var buf []byte
	part := b.workbookPart
	return b.walk(part, func(s *scanner) error {
		switch {
		case s.is(3, "sheet") && string(localName(parentName(s))) == "sheets":
			if len(b.sheets) >= b.lim.MaxItems {
				return b.tooMany(part)
			}
			var si SheetInfo
			var err error
			if si.Name, _, err = s.attrString("name"); err != nil {
				return err
			}
			id, _, err := s.attrString("sheetId")
			if err != nil {
				return err
			}
			si.SheetID, _ = strconv.Atoi(id)
			state, _, err := s.attrString("state")
			if err != nil {
				return err
			}
			switch state {
			case "hidden":
				si.State = Hidden
			case "veryHidden":
				si.State = VeryHidden
			}
			if v, ok := s.attrLocal("id", true); ok {
				si.RelID = string(v)
			}
			if r, ok := byID[si.RelID]; ok && !r.External {
				si.Part = r.Target
				si.Kind = r.Type[strings.LastIndexByte(r.Type, '/')+1:]
				if f := b.arc.file(si.Part); f != nil {
					si.Part = f.Name
				}
			}
			b.sheets = append(b.sheets, si)
		case s.is(3, "definedName") && string(localName(parentName(s))) == "definedNames":
			if len(b.names) >= b.lim.MaxItems {
				return b.tooMany(part)
			}
			dn := DefinedName{LocalSheetID: -1}
			var err error
			if dn.Name, _, err = s.attrString("name"); err != nil {
				return err
			}
			if v, ok, err := s.attrString("localSheetId"); err != nil {
				return err
			} else if ok {
				if dn.LocalSheetID, err = strconv.Atoi(strings.TrimSpace(v)); err != nil || dn.LocalSheetID < 0 {
					dn.LocalSheetID = -1
				}
			}
			h, _, err := s.attrString("hidden")
			if err != nil {
				return err
			}
			dn.Hidden = xmlBool(h)
			if buf, err = s.text(buf[:0], b.lim.MaxValueBytes); err != nil {
				return err
			}
			dn.RefersTo = string(buf)
			b.names = append(b.names, dn)
		case s.is(3, "workbookView") && string(localName(parentName(s))) == "bookViews":
			if v, ok, err := s.attrString("activeTab"); err != nil {
				return err
			} else if ok {
				b.activeTab, _ = strconv.Atoi(v)
			}
			if v, ok, err := s.attrString("firstSheet"); err != nil {
				return err
			} else if ok {
				b.firstSheet, _ = strconv.Atoi(v)
			}
			return s.skip()
		}
		return nil
	})
}

func xmlBool(s string) bool { return s == "1" || s == "true" }

// Sheets returns the sheets in workbook order (the order of the tabs).
func (b *Book) Sheets() []SheetInfo { return append([]SheetInfo(nil), b.sheets...) }

// Sheet returns the sheet of that name (compared as Excel does, ignoring
// case).
func (b *Book) Sheet(name string) (SheetInfo, bool) {
	if i := b.sheetIndex(name); i >= 0 {
		return b.sheets[i], true
	}
	return SheetInfo{}, false
}

func (b *Book) sheetIndex(name string) int {
	for i, s := range b.sheets {
		if s.Name == name {
			return i
		}
	}
	for i, s := range b.sheets {
		if strings.EqualFold(s.Name, name) {
			return i
		}
	}
	return -1
}

// DefinedNames returns the defined names in the order of xl/workbook.xml.
func (b *Book) DefinedNames() []DefinedName { return append([]DefinedName(nil), b.names...) }

// ActiveTab returns the 0-based index of the sheet shown when the
// workbook opens (workbookView activeTab).
func (b *Book) ActiveTab() int { return b.activeTab }

// HasMacros reports whether the workbook holds a VBA project
// (xl/vbaProject.bin): a macro-enabled .xlsm.
func (b *Book) HasMacros() bool { return b.macros }

// Relationships returns the workbook part's relationships.
func (b *Book) Relationships() []Relationship { return append([]Relationship(nil), b.rels...) }

// Parts returns the names of the archive's entries in archive order.
func (b *Book) Parts() []string {
	out := make([]string, len(b.arc.zr.File))
	for i, f := range b.arc.zr.File {
		out[i] = f.Name
	}
	return out
}

// CustomProperties reads the custom document properties
// (docProps/custom.xml, found through the package relationships). A
// workbook without them returns none and no error.
func (b *Book) CustomProperties() ([]Property, error) {
	part := ""
	for _, r := range b.pkgRels {
		if relIs(r.Type, "custom-properties") && !r.External {
			part = r.Target
		}
	}
	if part == "" || b.arc.file(part) == nil {
		part = "docProps/custom.xml"
	}
	var out []Property
	var buf []byte
	err := b.walk(part, func(s *scanner) error {
		switch {
		case s.is(2, "property"):
			if len(out) >= b.lim.MaxItems {
				return b.tooMany(part)
			}
			n, _, err := s.attrString("name")
			if err != nil {
				return err
			}
			out = append(out, Property{Name: n})
		case s.kind == tokStart && s.depth == 3 && len(out) > 0:
			p := &out[len(out)-1]
			p.Type = string(s.local())
			var err error
			if buf, err = s.text(buf[:0], b.lim.MaxValueBytes); err != nil {
				return err
			}
			p.Value = string(buf)
		}
		return nil
	})
	if errors.Is(err, errPartMissing) {
		return nil, nil
	}
	return out, err
}

// Property returns the value of the custom property name.
func (b *Book) Property(name string) (string, bool, error) {
	ps, err := b.CustomProperties()
	for _, p := range ps {
		if p.Name == name {
			return p.Value, true, err
		}
	}
	return "", false, err
}

// sheetRels reads a sheet's relationships (none when it has no part).
func (b *Book) sheetRels(part string) ([]Relationship, error) {
	rels, err := b.readRels(relsPartOf(part), part)
	if errors.Is(err, errPartMissing) {
		return nil, nil
	}
	return rels, err
}
