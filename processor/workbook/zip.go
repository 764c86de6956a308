package workbook

import (
	"archive/zip"
	"bytes"
	"hash/crc32"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/klauspost/compress/flate"

	"github.com/xuri/excelize/v2"
)

// write saves f through the one zip writer every workbook chiso builds with
// excelize goes through (templates, the ranking, the appraisal sheet).
// Results are written by ooxml's patcher instead (Book.Write).
func write(f *excelize.File, w io.Writer) error {
	f.SetZipWriter(func(w io.Writer) excelize.ZipWriter { return newZipWriter(w) })
	return f.Write(w)
}

// zipWriter is excelize's zip writer with three changes:
//   - parts are compressed at the fastest deflate level: workbooks are
//     written by the thousand, and the default level spends much of a
//     workbook's processing time for a slightly smaller file; compressors
//     are pooled;
//   - parts are written in name order ([Content_Types].xml first):
//     excelize writes streamed sheets in map order, so two builds of the
//     same workbook would otherwise differ;
//   - in worksheets, relPrefix is replaced by "r" (see relFix).
//
// Each part is held compressed until Close.
type zipWriter struct {
	w     io.Writer
	parts []*zipPart
	cur   *zipPart
}

type zipPart struct {
	name  string
	data  bytes.Buffer // compressed
	crc   uint32
	size  uint64
	fw    *flate.Writer
	fix   *relFix // worksheets only
	inner io.Writer
}

func newZipWriter(w io.Writer) *zipWriter { return &zipWriter{w: w} }

var flateWriters sync.Pool

// Create starts a part; the previous one is finished.
func (z *zipWriter) Create(name string) (io.Writer, error) {
	if err := z.end(); err != nil {
		return nil, err
	}
	p := &zipPart{name: name}
	fw, _ := flateWriters.Get().(*flate.Writer)
	if fw == nil {
		var err error
		if fw, err = flate.NewWriter(&p.data, flate.BestSpeed); err != nil {
			return nil, err
		}
	} else {
		fw.Reset(&p.data)
	}
	p.fw = fw
	p.inner = p
	if strings.HasPrefix(name, "xl/worksheets/sheet") {
		p.fix = &relFix{w: p}
		p.inner = p.fix
	}
	z.cur = p
	z.parts = append(z.parts, p)
	return writerFunc(func(b []byte) (int, error) { return p.inner.Write(b) }), nil
}

// Write compresses uncompressed part bytes (after relFix).
func (p *zipPart) Write(b []byte) (int, error) {
	p.crc = crc32.Update(p.crc, crc32.IEEETable, b)
	p.size += uint64(len(b))
	return p.fw.Write(b)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

func (z *zipWriter) end() error {
	p := z.cur
	if p == nil {
		return nil
	}
	z.cur = nil
	if p.fix != nil {
		if err := p.fix.flush(); err != nil {
			return err
		}
	}
	err := p.fw.Close()
	flateWriters.Put(p.fw)
	p.fw = nil
	return err
}

// AddFS adds the files of fsys as parts.
func (z *zipWriter) AddFS(fsys fs.FS) error {
	return fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		w, err := z.Create(name)
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	})
}

// Close writes the parts in order and the zip's directory.
func (z *zipWriter) Close() error {
	if err := z.end(); err != nil {
		return err
	}
	sort.SliceStable(z.parts, func(i, j int) bool { return partLess(z.parts[i].name, z.parts[j].name) })
	zw := zip.NewWriter(z.w)
	for _, p := range z.parts {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: p.name, Method: zip.Deflate, CRC32: p.crc,
			CompressedSize64: uint64(p.data.Len()), UncompressedSize64: p.size})
		if err != nil {
			return err
		}
		if _, err := w.Write(p.data.Bytes()); err != nil {
			return err
		}
	}
	return zw.Close()
}

// partLess orders parts: the content types first (readers that stream a
// package look for it there), then by name.
func partLess(a, b string) bool {
	const ct = "[Content_Types].xml"
	if (a == ct) != (b == ct) {
		return a == ct
	}
	return a < b
}

// relPrefix is how encoding/xml writes r:id on the drawing and comment
// references of a streamed sheet. excelize rewrites it to "r:" on ordinary
// sheets only ("some tools have very strict requirements", its source
// says); relFix does the same for streamed ones.
var relPrefix = []byte(`xmlns:relationships="http://schemas.openxmlformats.org/officeDocument/2006/relationships" relationships`)

// relFix writes through w with relPrefix replaced by "r", without
// buffering the part: it holds back only an end of a write that may begin
// relPrefix. Cell text cannot contain relPrefix: its quotes are escaped.
type relFix struct {
	w    io.Writer
	held []byte
}

func (r *relFix) Write(p []byte) (int, error) {
	n := len(p)
	if len(r.held) > 0 {
		p = append(r.held, p...)
		r.held = nil
	}
	for {
		i := bytes.Index(p, relPrefix)
		if i < 0 {
			break
		}
		if _, err := r.w.Write(p[:i]); err != nil {
			return 0, err
		}
		if _, err := r.w.Write([]byte("r")); err != nil {
			return 0, err
		}
		p = p[i+len(relPrefix):]
	}
	// Hold back the longest end of p that begins relPrefix.
	k := min(len(p), len(relPrefix)-1)
	for k > 0 && !bytes.HasSuffix(p, relPrefix[:k]) {
		k--
	}
	if _, err := r.w.Write(p[:len(p)-k]); err != nil {
		return 0, err
	}
	r.held = append(r.held, p[len(p)-k:]...)
	return n, nil
}

func (r *relFix) flush() error {
	_, err := r.w.Write(r.held)
	r.held = nil
	return err
}
