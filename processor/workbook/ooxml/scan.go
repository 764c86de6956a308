package ooxml

import (
	"bytes"
	"errors"
	"io"
	"iter"
	"unicode/utf8"
)

// tokKind is the kind of an XML token.
type tokKind uint8

const (
	tokEOF     tokKind = iota
	tokStart           // <a …> or <a …/> (selfClose)
	tokEnd             // </a>
	tokText            // character data between tags, undecoded
	tokCDATA           // <![CDATA[…]]>
	tokComment         // <!-- … -->
	tokPI              // <? … ?>, including the XML declaration
)

// scanner is a streaming XML tokenizer over one part. It keeps a window of
// the input in buf and hands out tokens as slices of it: raw is the token's
// exact bytes (what the patcher copies to its output), name its qualified
// name, attrs its attribute region. Slices are valid until the next call
// to next. It checks that tags nest and match, that names and attributes
// are well-formed where it looks at them, and bounds the nesting depth and
// the size of one token; entity references are decoded on demand
// (decodeText). It does not resolve namespaces: callers match local names
// at known depths, which reads prefixed documents (<x:row>) the same as
// unprefixed ones.
//
// It is several times faster than encoding/xml's RawToken, which allocates
// every name, attribute and text it returns (see BenchmarkTokenize).
type scanner struct {
	r     io.Reader
	part  string
	buf   []byte
	pos   int   // start of the unread input in buf
	n     int   // end of the valid input in buf
	base  int64 // offset in the part of buf[0]
	eof   bool
	err   error // sticky
	maxT  int   // MaxTokenBytes
	maxD  int   // MaxDepth
	names []byte
	ends  []int // end offsets in names of the open elements
	root  bool  // the root element was seen

	// The current token.
	kind      tokKind
	raw       []byte
	off       int64 // offset of raw in the part
	name      []byte
	attrs     []byte
	selfClose bool
	depth     int // of the element a start or end tag belongs to; of the parent for other tokens
}

func newScanner(r io.Reader, part string, lim *Limits) *scanner {
	var buf []byte
	if lim.MaxTokenBytes+16 >= scanBufSize {
		buf = getBuf()
	} else {
		buf = make([]byte, lim.MaxTokenBytes+16)
	}
	return &scanner{r: r, part: part, buf: buf, maxT: lim.MaxTokenBytes, maxD: lim.MaxDepth}
}

// release returns the scanner's buffer for reuse; s must not be used
// after.
func (s *scanner) release() {
	if len(s.buf) == scanBufSize {
		putBuf(s.buf)
	}
	s.buf = nil
}

// scanBufSize is the scanner's window, and the size of the buffers kept
// for reuse (a window grown for a long token is not kept).
const scanBufSize = 32 << 10

// freeBufs keeps a few buffers for scanners and raw copies. A channel
// rather than a sync.Pool: the pool is emptied at every garbage
// collection, which a busy batch triggers every few workbooks.
var freeBufs = make(chan []byte, 16)

func getBuf() []byte {
	select {
	case b := <-freeBufs:
		return b
	default:
		return make([]byte, scanBufSize)
	}
}

func putBuf(b []byte) {
	select {
	case freeBufs <- b[:scanBufSize]:
	default:
	}
}

// reset reuses s (and its buffer) for another part.
func (s *scanner) reset(r io.Reader, part string) {
	*s = scanner{r: r, part: part, buf: s.buf, maxT: s.maxT, maxD: s.maxD, names: s.names[:0], ends: s.ends[:0]}
}

func (s *scanner) errorf(off int64, msg string) error {
	return &XMLError{Part: s.part, Offset: off, Msg: msg}
}

// more reads more input into the window, keeping buf[s.pos:]. It returns
// false at the end of the input or on an error (in s.err).
func (s *scanner) more() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.n-s.pos > s.maxT {
		s.err = &LimitError{Limit: LimitTokenBytes, Max: int64(s.maxT), Part: s.part}
		return false
	}
	if s.pos > 0 {
		copy(s.buf, s.buf[s.pos:s.n])
		s.base += int64(s.pos)
		s.n -= s.pos
		s.pos = 0
	}
	if s.n == len(s.buf) {
		if len(s.buf) >= s.maxT+16 {
			s.err = &LimitError{Limit: LimitTokenBytes, Max: int64(s.maxT), Part: s.part}
			return false
		}
		nb := make([]byte, min(2*len(s.buf), s.maxT+16))
		copy(nb, s.buf[:s.n])
		s.buf = nb
	}
	for {
		k, err := s.r.Read(s.buf[s.n:])
		s.n += k
		if err == io.EOF {
			s.eof = true
			return k > 0
		}
		if err != nil {
			s.err = err
			return k > 0
		}
		if k > 0 {
			return true
		}
	}
}

// find returns the index relative to s.pos of the first occurrence of sep
// at or after relative index from, reading more input as needed; -1 at
// the end of the input.
func (s *scanner) find(from int, sep []byte) int {
	for {
		if i := bytes.Index(s.buf[s.pos+from:s.n], sep); i >= 0 {
			return from + i
		}
		from = max(from, s.n-s.pos-len(sep)+1)
		if !s.more() {
			return -1
		}
	}
}

// next reads the next token. At the end of the part it returns tokEOF
// with a nil error, or an error when elements are left open.
func (s *scanner) next() (tokKind, error) {
	if s.err != nil {
		return tokEOF, s.err
	}
	if s.kind == tokEnd {
		// Pop the element once the caller has seen its end tag.
		s.names = s.names[:s.ends[len(s.ends)-1]-len(s.name)]
		s.ends = s.ends[:len(s.ends)-1]
	}
	s.pos += len(s.raw)
	s.raw, s.name, s.attrs, s.selfClose = nil, nil, nil, false
	if s.pos == s.n && !s.more() {
		if s.err != nil {
			return tokEOF, s.err
		}
		if len(s.ends) > 0 {
			s.err = s.errorf(s.base+int64(s.pos), "unexpected end of the part: <"+string(s.top())+"> not closed")
			return tokEOF, s.err
		}
		if !s.root {
			s.err = s.errorf(s.base+int64(s.pos), "no root element")
			return tokEOF, s.err
		}
		s.kind = tokEOF
		return tokEOF, nil
	}
	s.off = s.base + int64(s.pos)
	if s.buf[s.pos] != '<' {
		i := s.find(0, []byte{'<'})
		if s.err != nil {
			return tokEOF, s.err
		}
		if i < 0 {
			i = s.n - s.pos
		}
		if i > s.maxT {
			s.err = &LimitError{Limit: LimitTokenBytes, Max: int64(s.maxT), Part: s.part}
			return tokEOF, s.err
		}
		s.kind, s.raw, s.depth = tokText, s.buf[s.pos:s.pos+i], len(s.ends)
		return tokText, nil
	}
	for s.n-s.pos < 9 && s.more() {
	}
	rest := s.buf[s.pos:s.n]
	var end []byte
	switch {
	case len(rest) > 1 && rest[1] == '/':
		s.kind, end = tokEnd, []byte{'>'}
	case len(rest) > 1 && rest[1] == '?':
		s.kind, end = tokPI, []byte("?>")
	case bytes.HasPrefix(rest, []byte("<!--")):
		s.kind, end = tokComment, []byte("-->")
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		s.kind, end = tokCDATA, []byte("]]>")
	case len(rest) > 1 && rest[1] == '!':
		// DOCTYPE and other declarations: OOXML has none, and a DTD is
		// where entity-expansion attacks live.
		return tokEOF, s.fail(s.off, "DOCTYPE or declaration not allowed")
	default:
		return s.startTag()
	}
	i := s.find(1, end)
	if i < 0 {
		return tokEOF, s.fail(s.off, "unterminated markup")
	}
	s.raw = s.buf[s.pos : s.pos+i+len(end)]
	if len(s.raw) > s.maxT {
		s.err = &LimitError{Limit: LimitTokenBytes, Max: int64(s.maxT), Part: s.part}
		return tokEOF, s.err
	}
	s.depth = len(s.ends)
	if s.kind == tokEnd {
		name := bytes.TrimRight(s.raw[2:len(s.raw)-1], " \t\r\n")
		if len(s.ends) == 0 {
			return tokEOF, s.fail(s.off, "end tag </"+string(name)+"> without start tag")
		}
		if !bytes.Equal(name, s.top()) {
			return tokEOF, s.fail(s.off, "<"+string(s.top())+"> closed by </"+string(name)+">")
		}
		s.name = s.top()
	}
	return s.kind, nil
}

func (s *scanner) fail(off int64, msg string) error {
	if s.err == nil {
		s.err = s.errorf(off, msg)
	}
	return s.err
}

// top is the name of the innermost open element.
func (s *scanner) top() []byte {
	k := len(s.ends)
	if k == 0 {
		return nil
	}
	from := 0
	if k > 1 {
		from = s.ends[k-2]
	}
	return s.names[from:s.ends[k-1]]
}

// startTag scans a start tag: quotes are honoured, so a '>' inside an
// attribute value does not end it.
func (s *scanner) startTag() (tokKind, error) {
	i, quote := 1, byte(0)
	for {
		if s.pos+i >= s.n {
			if !s.more() {
				if s.err != nil {
					return tokEOF, s.err
				}
				return tokEOF, s.fail(s.off, "unterminated start tag")
			}
			continue
		}
		c := s.buf[s.pos+i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			} else if c == '<' {
				return tokEOF, s.fail(s.off+int64(i), "'<' in an attribute value")
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			goto done
		case c == '<':
			return tokEOF, s.fail(s.off+int64(i), "'<' in a tag")
		}
		i++
	}
done:
	s.raw = s.buf[s.pos : s.pos+i+1]
	if len(s.raw) > s.maxT {
		s.err = &LimitError{Limit: LimitTokenBytes, Max: int64(s.maxT), Part: s.part}
		return tokEOF, s.err
	}
	body := s.raw[1:i]
	if len(body) > 0 && body[len(body)-1] == '/' {
		s.selfClose = true
		body = body[:len(body)-1]
	}
	k := 0
	for k < len(body) && !isSpace(body[k]) {
		k++
	}
	s.name, s.attrs = body[:k], body[k:]
	if !validName(s.name) {
		return tokEOF, s.fail(s.off, "invalid element name")
	}
	s.kind = tokStart
	s.depth = len(s.ends) + 1
	if s.depth == 1 {
		if s.root {
			return tokEOF, s.fail(s.off, "a second root element")
		}
		s.root = true
	}
	if s.depth > s.maxD {
		s.err = &LimitError{Limit: LimitDepth, Max: int64(s.maxD), Part: s.part}
		return tokEOF, s.err
	}
	if !s.selfClose {
		s.names = append(s.names, s.name...)
		s.ends = append(s.ends, len(s.names))
	}
	return tokStart, nil
}

// local is the current token's name without its namespace prefix.
func (s *scanner) local() []byte { return localName(s.name) }

func localName(name []byte) []byte {
	if i := bytes.IndexByte(name, ':'); i >= 0 {
		return name[i+1:]
	}
	return name
}

// is reports whether the current token is a start tag at depth d whose
// local name is name.
func (s *scanner) is(d int, name string) bool {
	return s.kind == tokStart && s.depth == d && string(s.local()) == name
}

// children walks the element whose start tag is the current token (none
// when it closes itself) and calls fn at each start tag directly inside
// it; fn may read that child's content. The scanner is left on the
// element's end tag.
func (s *scanner) children(fn func(local []byte) error) error {
	if s.kind != tokStart || s.selfClose {
		return nil
	}
	d := s.depth
	for {
		k, err := s.next()
		if err != nil {
			return err
		}
		if k == tokEOF {
			return s.fail(s.off, "unexpected end of the part")
		}
		if k == tokEnd && s.depth == d {
			return nil
		}
		if k == tokStart && s.depth == d+1 && fn != nil {
			if err := fn(s.local()); err != nil {
				return err
			}
		}
	}
}

// skip consumes the rest of the element whose start tag is the current
// token, so that the current token becomes its end tag (or stays the
// start tag when self-closing).
func (s *scanner) skip() error { return s.children(nil) }

// text appends the decoded character data of the element whose start tag
// is the current token (text and CDATA of its descendants in order) to
// dst, bounded by max bytes, and leaves the scanner on its end tag.
func (s *scanner) text(dst []byte, max int) ([]byte, error) {
	if s.kind != tokStart || s.selfClose {
		return dst, nil
	}
	d := s.depth
	for {
		k, err := s.next()
		if err != nil {
			return dst, err
		}
		switch k {
		case tokEOF:
			return dst, s.fail(s.off, "unexpected end of the part")
		case tokEnd:
			if s.depth == d {
				return dst, nil
			}
		case tokText, tokCDATA:
			if dst, err = s.decode(dst, max); err != nil {
				return dst, err
			}
		}
	}
}

// decode appends the current text or CDATA token, decoded, to dst.
func (s *scanner) decode(dst []byte, max int) ([]byte, error) {
	var err error
	if s.kind == tokCDATA {
		dst = appendNewlines(dst, s.raw[9:len(s.raw)-3])
	} else if dst, err = decodeText(dst, s.raw); err != nil {
		return dst, s.fail(s.off, err.Error())
	}
	if len(dst) > max {
		s.err = &LimitError{Limit: LimitValueBytes, Max: int64(max), Part: s.part}
		return dst, s.err
	}
	return dst, nil
}

// attr returns the raw (undecoded) value of the current start tag's
// attribute whose qualified name is name, and whether it is present.
func (s *scanner) attr(name string) ([]byte, bool) {
	for n, v := range eachAttr(s.attrs) {
		if string(n) == name {
			return v, true
		}
	}
	return nil, false
}

// attrLocal is attr matching the local name only ("id" finds r:id, or
// any other prefix bound to the relationships namespace).
func (s *scanner) attrLocal(local string, prefixed bool) ([]byte, bool) {
	for n, v := range eachAttr(s.attrs) {
		i := bytes.IndexByte(n, ':')
		if (i >= 0) == prefixed && string(n[i+1:]) == local {
			if prefixed && string(n[:i]) == "xmlns" {
				continue
			}
			return v, true
		}
	}
	return nil, false
}

// attrString decodes an attribute value.
func (s *scanner) attrString(name string) (string, bool, error) {
	v, ok := s.attr(name)
	if !ok {
		return "", false, nil
	}
	if bytes.IndexByte(v, '&') < 0 && bytes.IndexByte(v, '\r') < 0 {
		return string(v), true, nil
	}
	d, err := decodeText(nil, v)
	if err != nil {
		return "", true, s.fail(s.off, err.Error())
	}
	return string(d), true, nil
}

// eachAttr yields the name and raw value of each attribute of a region,
// stopping at its end or at the first malformed attribute (checkAttrs
// reports those).
func eachAttr(a []byte) iter.Seq2[[]byte, []byte] {
	return func(yield func(name, val []byte) bool) {
		for {
			n, v, rest, ok := nextAttr(a)
			if !ok || !yield(n, v) {
				return
			}
			a = rest
		}
	}
}

// nextAttr splits the first attribute off an attribute region. ok is false
// at the end of the region or when it is malformed.
func nextAttr(a []byte) (name, val, rest []byte, ok bool) {
	i := 0
	for i < len(a) && isSpace(a[i]) {
		i++
	}
	j := i
	for j < len(a) && a[j] != '=' && !isSpace(a[j]) {
		j++
	}
	if j == i {
		return nil, nil, nil, false
	}
	name = a[i:j]
	for j < len(a) && isSpace(a[j]) {
		j++
	}
	if j == len(a) || a[j] != '=' {
		return nil, nil, nil, false
	}
	j++
	for j < len(a) && isSpace(a[j]) {
		j++
	}
	if j == len(a) || (a[j] != '"' && a[j] != '\'') {
		return nil, nil, nil, false
	}
	q := a[j]
	k := bytes.IndexByte(a[j+1:], q)
	if k < 0 {
		return nil, nil, nil, false
	}
	return name, a[j+1 : j+1+k], a[j+2+k:], true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// validName is a cheap check of an XML name: not empty, no characters
// that cannot occur in one.
func validName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	c := b[0]
	if c == '-' || c == '.' || c == ':' || (c >= '0' && c <= '9') {
		return false
	}
	for _, c := range b {
		switch c {
		case '"', '\'', '=', '<', '>', '&', '/', '!', '?', '(', ')', ',', ';':
			return false
		}
	}
	return true
}

var errEntity = errors.New("invalid entity reference")

// decodeText appends raw character data or an attribute value to dst with
// entity and character references decoded and line ends normalised ("\r\n"
// and "\r" to "\n"), as XML 1.0 requires of a parser.
func decodeText(dst, raw []byte) ([]byte, error) {
	for len(raw) > 0 {
		i := bytes.IndexAny(raw, "&\r")
		if i < 0 {
			return append(dst, raw...), nil
		}
		dst = append(dst, raw[:i]...)
		raw = raw[i:]
		if raw[0] == '\r' {
			dst = append(dst, '\n')
			raw = raw[1:]
			if len(raw) > 0 && raw[0] == '\n' {
				raw = raw[1:]
			}
			continue
		}
		j := bytes.IndexByte(raw, ';')
		if j < 2 || j > 12 {
			return dst, errEntity
		}
		ent := raw[1:j]
		raw = raw[j+1:]
		switch string(ent) {
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "amp":
			dst = append(dst, '&')
		case "apos":
			dst = append(dst, '\'')
		case "quot":
			dst = append(dst, '"')
		default:
			if ent[0] != '#' {
				return dst, errEntity
			}
			r, ok := charRef(ent[1:])
			if !ok {
				return dst, errEntity
			}
			dst = utf8.AppendRune(dst, r)
		}
	}
	return dst, nil
}

// charRef parses the number of a character reference ("65", "x41").
func charRef(b []byte) (rune, bool) {
	base := 10
	if len(b) > 0 && b[0] == 'x' {
		base, b = 16, b[1:]
	}
	if len(b) == 0 || len(b) > 8 {
		return 0, false
	}
	var r rune
	for _, c := range b {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case base == 16 && c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case base == 16 && c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, false
		}
		r = r*rune(base) + rune(d)
	}
	if !isXMLChar(r) {
		return 0, false
	}
	return r, true
}

// appendNewlines appends CDATA content with line ends normalised.
func appendNewlines(dst, b []byte) []byte {
	for {
		i := bytes.IndexByte(b, '\r')
		if i < 0 {
			return append(dst, b...)
		}
		dst = append(append(dst, b[:i]...), '\n')
		b = b[i+1:]
		if len(b) > 0 && b[0] == '\n' {
			b = b[1:]
		}
	}
}

// isXMLChar reports whether r may appear in an XML 1.0 document.
func isXMLChar(r rune) bool {
	switch {
	case r == 0x09 || r == 0x0A || r == 0x0D:
		return true
	case r >= 0x20 && r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	case r >= 0x10000 && r <= 0x10FFFF:
		return true
	}
	return false
}
