package ooxml

import (
	"archive/zip"
	"bytes"
	stdflate "compress/flate"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"
)

// archive is the zip container of a workbook, with the limits on what
// reading its parts may cost.
type archive struct {
	zr    *zip.Reader
	byKey map[string]*zip.File // lower-cased name → entry (part names are case-insensitive)
	lim   Limits
	total int64 // decompressed bytes read so far
	// cache holds the decompressed bytes of the parts read to their end,
	// by lower-cased name: a patch re-streams the parts it changes, which
	// were read already (the sheets, styles, the workbook part), and
	// inflating them again cost a tenth of annotating a workbook.
	cache  map[string][]byte
	cached int64
}

// Bounds of the cache of decompressed parts: a part larger than cachePart
// is inflated again when read again, and the cache stops growing at
// cacheTotal.
const (
	cachePart  = 4 << 20
	cacheTotal = 16 << 20
)

var (
	oleMagic       = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	encryptedUTF16 = []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e\x00")
)

func openArchive(data []byte, lim Limits) (*archive, error) {
	if bytes.HasPrefix(data, oleMagic) {
		// Excel saves a password-protected workbook as an OLE compound
		// file with an "EncryptedPackage" stream; an old .xls is one too.
		if bytes.Contains(data, encryptedUTF16) {
			return nil, ErrEncrypted
		}
		return nil, ErrNotZip
	}
	n, err := zipEntries(data)
	if err != nil {
		return nil, err
	}
	if n > uint64(lim.MaxEntries) {
		return nil, &LimitError{Limit: LimitEntries, Max: int64(lim.MaxEntries)}
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, &damaged{cause: err}
	}
	zr.RegisterDecompressor(zip.Deflate, inflate)
	a := &archive{zr: zr, byKey: make(map[string]*zip.File, len(zr.File)), lim: lim}
	// The sizes the archive declares reject an honest zip bomb at once,
	// even in a part nobody reads: a patched copy would carry it to the
	// commune's Excel. (A lying size is caught while reading.)
	var declared uint64
	for _, f := range zr.File {
		if strings.HasSuffix(strings.ToLower(f.Name), ".xml") && f.UncompressedSize64 > uint64(lim.MaxPartBytes) {
			return nil, &LimitError{Limit: LimitPartBytes, Max: lim.MaxPartBytes, Part: f.Name}
		}
		declared += f.UncompressedSize64
		if declared > uint64(lim.MaxTotalBytes) {
			return nil, &LimitError{Limit: LimitTotalBytes, Max: lim.MaxTotalBytes, Part: f.Name}
		}
	}
	for _, f := range zr.File {
		k := strings.ToLower(f.Name)
		if _, dup := a.byKey[k]; dup {
			// Two entries of one name: zip readers disagree on which one
			// counts, which is how a file can look different to a checker
			// than to Excel.
			return nil, damagedf("", "duplicate entry %q", f.Name)
		}
		a.byKey[k] = f
	}
	return a, nil
}

// zipEntries reads the number of entries from the end-of-central-directory
// record (or its zip64 version), before anything else is parsed. A file
// that starts like a zip but has no such record was cut off.
func zipEntries(data []byte) (uint64, error) {
	const eocdLen = 22
	looksZip := bytes.HasPrefix(data, []byte("PK\x03\x04")) || bytes.HasPrefix(data, []byte("PK\x05\x06"))
	notFound := func() (uint64, error) {
		if looksZip {
			return 0, damagedf("", "no end of central directory (truncated?)")
		}
		return 0, ErrNotZip
	}
	if len(data) < eocdLen {
		return notFound()
	}
	from := max(0, len(data)-eocdLen-0xFFFF)
	i := bytes.LastIndex(data[from:], []byte("PK\x05\x06"))
	for i >= 0 && from+i+eocdLen > len(data) {
		i = bytes.LastIndex(data[from:from+i], []byte("PK\x05\x06"))
	}
	if i < 0 {
		return notFound()
	}
	e := data[from+i:]
	n := uint64(binary.LittleEndian.Uint16(e[10:]))
	if n != 0xFFFF {
		return n, nil
	}
	// zip64: the locator sits just before the record.
	loc := from + i - 20
	if loc < 0 || !bytes.HasPrefix(data[loc:], []byte("PK\x06\x07")) {
		return n, nil
	}
	off := binary.LittleEndian.Uint64(data[loc+8:])
	if off > uint64(len(data)-56) || !bytes.HasPrefix(data[off:], []byte("PK\x06\x06")) {
		return 0, damagedf("", "bad zip64 end of central directory")
	}
	return binary.LittleEndian.Uint64(data[off+32:]), nil
}

// file returns the entry of a part name ("xl/workbook.xml"), or nil.
func (a *archive) file(name string) *zip.File {
	return a.byKey[strings.ToLower(name)]
}

// open returns a reader of a part's decompressed bytes that enforces the
// part and total limits on the bytes actually read and turns zip errors
// into ErrDamaged ones.
func (a *archive) open(name string) (io.ReadCloser, error) {
	f := a.file(name)
	if f == nil {
		return nil, errPartMissing
	}
	if f.UncompressedSize64 > uint64(a.lim.MaxPartBytes) {
		// The header already says too much; it may lie the other way, so
		// the limit is also enforced while reading.
		return nil, &LimitError{Limit: LimitPartBytes, Max: a.lim.MaxPartBytes, Part: f.Name}
	}
	key := strings.ToLower(f.Name)
	if b, ok := a.cache[key]; ok {
		return io.NopCloser(bytes.NewReader(b)), nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, &damaged{part: f.Name, cause: err}
	}
	p := &partReader{a: a, rc: rc, name: f.Name, key: key}
	if f.UncompressedSize64 <= cachePart && a.cached+int64(f.UncompressedSize64) <= cacheTotal {
		p.keep = make([]byte, 0, f.UncompressedSize64)
	}
	return p, nil
}

var errPartMissing = errors.New("part missing")

type partReader struct {
	a    *archive
	rc   io.ReadCloser
	name string
	key  string
	n    int64
	keep []byte // what was read, for the cache; nil when not kept
}

func (p *partReader) Read(b []byte) (int, error) {
	k, err := p.rc.Read(b)
	p.n += int64(k)
	p.a.total += int64(k)
	if p.keep != nil {
		if len(p.keep)+k > cachePart { // the header said less
			p.keep = nil
		} else {
			p.keep = append(p.keep, b[:k]...)
			if err == io.EOF && p.a.cached+int64(len(p.keep)) <= cacheTotal {
				// The whole part, its checksum verified (zip reports
				// ErrChecksum instead of EOF otherwise).
				if p.a.cache == nil {
					p.a.cache = map[string][]byte{}
				}
				p.a.cache[p.key] = p.keep
				p.a.cached += int64(len(p.keep))
				p.keep = nil
			}
		}
	}
	if p.n > p.a.lim.MaxPartBytes {
		return 0, &LimitError{Limit: LimitPartBytes, Max: p.a.lim.MaxPartBytes, Part: p.name}
	}
	if p.a.total > p.a.lim.MaxTotalBytes {
		return 0, &LimitError{Limit: LimitTotalBytes, Max: p.a.lim.MaxTotalBytes, Part: p.name}
	}
	if err != nil && err != io.EOF {
		var ce flate.CorruptInputError
		var sce stdflate.CorruptInputError
		switch {
		case errors.As(err, &ce), errors.As(err, &sce), errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat),
			errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, zip.ErrAlgorithm):
			err = &damaged{part: p.name, cause: err}
		}
	}
	return k, err
}

func (p *partReader) Close() error { return p.rc.Close() }

// inflaters are klauspost/compress's decompressors, faster than the
// standard library's on the many small parts of a workbook, kept for
// reuse as archive/zip keeps its own.
var inflaters sync.Pool

// inflate is the archive's deflate decompressor.
func inflate(r io.Reader) io.ReadCloser {
	fr, ok := inflaters.Get().(io.ReadCloser)
	if ok {
		if err := fr.(flate.Resetter).Reset(r, nil); err != nil {
			ok = false
		}
	}
	if !ok {
		fr = flate.NewReader(r)
	}
	return &pooledInflater{fr: fr}
}

type pooledInflater struct{ fr io.ReadCloser }

func (p *pooledInflater) Read(b []byte) (int, error) {
	if p.fr == nil {
		return 0, errors.New("ooxml: read after close")
	}
	return p.fr.Read(b)
}

func (p *pooledInflater) Close() error {
	if p.fr == nil {
		return nil
	}
	err := p.fr.Close()
	inflaters.Put(p.fr)
	p.fr = nil
	return err
}
