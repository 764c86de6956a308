package workbook

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/rubric"
)

// fuzzOpen are the bounds the pipeline opens untrusted workbooks with.
var fuzzOpen = excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 16 << 20}

// storedZip rewrites an .xlsx with every part stored uncompressed and no
// CRC (archive/zip skips the check when the CRC is 0), so that mutated
// bytes reach the XML parsers instead of failing decompression.
func storedZip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.CreateRaw(&zip.FileHeader{Name: zf.Name, Method: zip.Store,
			CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write(data); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func fileBytes(t testing.TB, f *excelize.File) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// FuzzRead opens mutated workbook bytes with the pipeline's bounds; any
// workbook that opens must be read without a panic or a hang, by names or
// by layout.
func FuzzRead(f *testing.F) {
	r := shippedRubric(f, "thanhhoa-xa-2023")
	blank := generate(f, r, TemplateOptions{Year: r.Year})
	filled := generate(f, r, TemplateOptions{Year: r.Year, UnitCode: "TS01", UnitName: "Xã Triệu Thành"})
	fill(f, filled, r, 21)
	seeds := [][]byte{fileBytes(f, blank), fileBytes(f, filled)}
	// The same without names, to send mutations down the layout reader.
	for _, dn := range filled.GetDefinedName() {
		_ = filled.DeleteDefinedName(&excelize.DefinedName{Name: dn.Name, Scope: dn.Scope})
	}
	seeds = append(seeds, fileBytes(f, filled))
	blank.Close()
	filled.Close()
	for _, b := range seeds {
		for _, seed := range [][]byte{b, storedZip(f, b)} {
			x, err := excelize.OpenReader(bytes.NewReader(seed), fuzzOpen)
			if err != nil {
				f.Fatalf("seed does not open: %v", err)
			}
			x.Close()
			f.Add(seed)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) { readFuzzed(t, r, b) })
}

// readFuzzed opens b with the pipeline's bounds and, if it opens, reads it
// for r: no panic, no hang.
func readFuzzed(t *testing.T, r *rubric.Rubric, b []byte) {
	t.Helper()
	done := make(chan *Submission, 1)
	go func() {
		x, err := excelize.OpenReader(bytes.NewReader(b), fuzzOpen)
		if err != nil {
			done <- nil
			return
		}
		defer x.Close()
		done <- readSubmission(excelSource{x}, r)
	}()
	select {
	case s := <-done:
		if s != nil && s.FoundBy != "names" && s.FoundBy != "layout" {
			t.Fatalf("FoundBy %q", s.FoundBy)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("reading the workbook took more than 20 s")
	}
}

// fuzzParts are the parts of a template FuzzReadPart replaces: the
// workbook (sheets, defined names), the general and indicator sheets, the
// shared strings and the custom properties (metadata).
var fuzzParts = []string{"xl/workbook.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet3.xml", "xl/sharedStrings.xml", "docProps/custom.xml"}

// FuzzReadPart mutates one XML part of a filled template and zips it up
// again: most mutations of whole .xlsx bytes break the zip structure and
// never reach the XML parsers or the reader, these do.
func FuzzReadPart(f *testing.F) {
	r := shippedRubric(f, "thanhhoa-xa-2023")
	filled := generate(f, r, TemplateOptions{Year: r.Year, UnitCode: "TS01", UnitName: "Xã Triệu Thành"})
	fill(f, filled, r, 22)
	base := fileBytes(f, filled)
	filled.Close()
	parts := zipParts(f, base)
	for i, name := range fuzzParts {
		data, ok := partData(parts, name)
		if !ok {
			f.Fatalf("template has no part %s", name)
		}
		f.Add(uint8(i), data)
	}
	// Seed the layout reader too: a workbook.xml without defined names.
	wbData, _ := partData(parts, "xl/workbook.xml")
	wb := string(wbData)
	if i, j := strings.Index(wb, "<definedNames>"), strings.Index(wb, "</definedNames>"); i >= 0 && j > i {
		f.Add(uint8(0), []byte(wb[:i]+wb[j+len("</definedNames>"):]))
	}
	f.Fuzz(func(t *testing.T, part uint8, data []byte) {
		name := fuzzParts[int(part)%len(fuzzParts)]
		readFuzzed(t, r, rezip(t, parts, name, data))
	})
}

// fuzzPart is one part of an .xlsx, in archive order.
type fuzzPart struct {
	name string
	data []byte
}

// zipParts returns the parts of an .xlsx in archive order.
func zipParts(t testing.TB, b []byte) []fuzzPart {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []fuzzPart
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fuzzPart{zf.Name, data})
	}
	return out
}

func partData(parts []fuzzPart, name string) ([]byte, bool) {
	for _, p := range parts {
		if p.name == name {
			return p.data, true
		}
	}
	return nil, false
}

// rezip zips parts, stored, with part name replaced by data.
func rezip(t testing.TB, parts []fuzzPart, name string, data []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, p := range parts {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		d := p.data
		if p.name == name {
			d = data
		}
		if _, err := w.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
