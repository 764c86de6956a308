package ooxml_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// hostile is a file built to cost a reader time or memory, and the error
// it must give.
type hostile struct {
	data  []byte
	limit ooxml.Limit // the limit it must hit, or ""
	err   error       // else the sentinel it must match
	ok    bool        // else it is just within the limits: no error
}

var (
	hostileOnce  sync.Once
	hostileFiles map[string]hostile
)

// minimal workbook parts around one sheet.
func workbookParts(sheet string, extra ...zipPart) []zipPart {
	parts := []zipPart{
		{"[Content_Types].xml", []byte(`<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>`)},
		{"_rels/.rels", []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{"xl/_rels/workbook.xml.rels", []byte(`<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`)},
		{"xl/workbook.xml", []byte(`<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>`)},
		{"xl/worksheets/sheet1.xml", []byte(sheet)},
	}
	return append(parts, extra...)
}

const sheetHead = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>`
const sheetTail = `</sheetData></worksheet>`

// buildHostile makes the hostile files once (the zip bomb takes a second
// or two to compress).
func buildHostile(t testing.TB) map[string]hostile {
	hostileOnce.Do(func() {
		h := map[string]hostile{}
		// A million shared strings, no uniqueCount to reject early: the
		// limit must hold while streaming.
		var sst bytes.Buffer
		sst.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
		for i := range 1_000_000 {
			fmt.Fprintf(&sst, "<si><t>%d</t></si>", i)
		}
		sst.WriteString("</sst>")
		h["million-shared-strings"] = hostile{limit: ooxml.LimitSharedStrings, data: writeZip(t, workbookParts(
			sheetHead+`<row r="1"><c r="A1" t="s"><v>999999</v></c></row>`+sheetTail,
			zipPart{"xl/sharedStrings.xml", sst.Bytes()}), zip.Deflate)}

		// 15 MB of shared strings, just within the limits: what the
		// table may cost.
		var big16 bytes.Buffer
		big16.WriteString(`<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
		line := strings.Repeat("Tiếng Việt có dấu ", 10)
		for i := 0; big16.Len() < 15<<20; i++ {
			fmt.Fprintf(&big16, "<si><t>%d %s</t></si>", i, line)
		}
		big16.WriteString("</sst>")
		h["15MB-shared-strings"] = hostile{ok: true, data: writeZip(t, workbookParts(
			sheetHead+`<row r="1"><c r="A1" t="s"><v>1</v></c></row>`+sheetTail,
			zipPart{"xl/sharedStrings.xml", big16.Bytes()}), zip.Deflate)}

		// 100,000 rows.
		var rows bytes.Buffer
		rows.WriteString(sheetHead)
		for r := 1; r <= 100_000; r++ {
			fmt.Fprintf(&rows, `<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>1</v></c></row>`, r, r, r, r)
		}
		rows.WriteString(sheetTail)
		h["100k-rows"] = hostile{limit: ooxml.LimitRows, data: writeZip(t, workbookParts(rows.String()), zip.Deflate)}

		// 1.2 million cells in 60,000 rows: within the row limit, over
		// the cell limit.
		var cells bytes.Buffer
		cells.WriteString(sheetHead)
		for r := 1; r <= 60_000; r++ {
			fmt.Fprintf(&cells, `<row r="%d">`, r)
			for c := 1; c <= 20; c++ {
				cells.WriteString(`<c><v>1</v></c>`)
			}
			cells.WriteString(`</row>`)
		}
		cells.WriteString(sheetTail)
		h["1.2M-cells"] = hostile{limit: ooxml.LimitCells, data: writeZip(t, workbookParts(cells.String()), zip.Deflate)}

		// 10^5 nested elements.
		deep := sheetHead + `<row r="1"><c r="A1"><is>` + strings.Repeat("<r>", 100_000) + strings.Repeat("</r>", 100_000) + `</is></c></row>` + sheetTail
		h["deep-nesting"] = hostile{limit: ooxml.LimitDepth, data: writeZip(t, workbookParts(deep), zip.Deflate)}

		// A zip bomb: 1 GiB of spaces in the sheet, about 1 MB compressed.
		var bomb bytes.Buffer
		fw, _ := flate.NewWriter(&bomb, flate.BestCompression)
		fw.Write([]byte(sheetHead))
		chunk := bytes.Repeat([]byte(" "), 1<<20)
		for range 1024 {
			fw.Write(chunk)
		}
		fw.Write([]byte(sheetTail))
		fw.Close()
		h["zip-bomb"] = hostile{limit: ooxml.LimitPartBytes, data: rawZip(t, workbookParts(""), "xl/worksheets/sheet1.xml", bomb.Bytes(), 0, 1<<30+uint64(len(sheetHead)+len(sheetTail)))}
		// The same bomb with a header that claims 30 MB: decompression
		// starts, and the scanner stops at the first megabyte of text.
		h["zip-bomb-lying"] = hostile{limit: ooxml.LimitTokenBytes, data: rawZip(t, workbookParts(""), "xl/worksheets/sheet1.xml", bomb.Bytes(), 0, 30<<20)}

		// A truncated copy of a real workbook.
		full := producerFiles(t)["producers/excelize-filled.xlsx"]
		h["truncated"] = hostile{err: ooxml.ErrDamaged, data: full[:len(full)*6/10]}

		// A part whose header says 100 bytes while it holds 10 MB.
		var big bytes.Buffer
		big.WriteString(sheetHead)
		for big.Len() < 10<<20 {
			big.WriteString(`<row><c><v>1</v></c></row>`)
		}
		big.WriteString(sheetTail)
		var lie bytes.Buffer
		fw, _ = flate.NewWriter(&lie, flate.BestSpeed)
		fw.Write(big.Bytes())
		fw.Close()
		h["header-lies-small"] = hostile{err: ooxml.ErrDamaged, data: rawZip(t, workbookParts(""), "xl/worksheets/sheet1.xml", lie.Bytes(), crc32.ChecksumIEEE(big.Bytes()), 100)}
		// …and one whose header says 100 GB.
		h["header-lies-big"] = hostile{limit: ooxml.LimitPartBytes, data: rawZip(t, workbookParts(""), "xl/worksheets/sheet1.xml", lie.Bytes(), crc32.ChecksumIEEE(big.Bytes()), 100<<30)}

		// A renamed PDF and an encrypted workbook.
		h["pdf"] = hostile{err: ooxml.ErrNotZip, data: []byte("%PDF-1.4\n%âãÏÓ\n1 0 obj\n<<>>\nendobj\n")}
		enc, _ := os.ReadFile("../../pipeline/testdata/corpus/17-co-mat-khau.xlsx")
		h["encrypted"] = hostile{err: ooxml.ErrEncrypted, data: enc}
		hostileFiles = h
	})
	return hostileFiles
}

// rawZip writes parts and one more entry, name, as given compressed bytes
// with the CRC and uncompressed size declared in its header.
func rawZip(t testing.TB, parts []zipPart, name string, compressed []byte, crc uint32, size uint64) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		if p.name == name {
			continue
		}
		w, err := zw.Create(p.name)
		must(t, err)
		w.Write(p.data)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: crc, CompressedSize64: uint64(len(compressed)), UncompressedSize64: size})
	must(t, err)
	w.Write(compressed)
	must(t, zw.Close())
	return buf.Bytes()
}

// readAll opens a workbook and reads everything chiso reads: every sheet,
// the comments, the properties, the styles.
func readAll(data []byte) error {
	b, err := ooxml.Open(data, ooxml.Limits{})
	if err != nil {
		return err
	}
	if _, err := b.CustomProperties(); err != nil {
		return err
	}
	if _, err := b.Styles(); err != nil {
		return err
	}
	for _, s := range b.Sheets() {
		if _, err := b.ReadSheet(s.Name); err != nil {
			return err
		}
		if _, err := b.Comments(s.Name); err != nil {
			return err
		}
	}
	return nil
}

func TestHostile(t *testing.T) {
	files := buildHostile(t)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		h := files[name]
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			err := readAll(h.data)
			el := time.Since(start)
			checkHostileErr(t, h, err)
			if el > 5*time.Second {
				t.Errorf("took %v", el)
			}
			t.Logf("%d bytes: %v in %v", len(h.data), err, el.Round(time.Millisecond))
		})
	}
}

func checkHostileErr(t *testing.T, h hostile, err error) {
	t.Helper()
	var le *ooxml.LimitError
	switch {
	case h.ok:
		if err != nil {
			t.Fatalf("within the limits, yet %v", err)
		}
	case err == nil:
		t.Fatal("no error")
	case h.limit != "":
		if !errors.As(err, &le) || le.Limit != h.limit || !errors.Is(err, ooxml.ErrLimit) {
			t.Fatalf("want the %q limit, got %v", h.limit, err)
		}
	case !errors.Is(err, h.err):
		t.Fatalf("want %v, got %v", h.err, err)
	}
}

// TestHostileMemory reads each hostile file in a child process (this test
// binary) and checks its peak RSS (Linux VmHWM). The parent builds the
// files; the child only reads one from disk, so its peak is the reader's
// cost plus the test binary's own baseline, measured on an empty read.
func TestHostileMemory(t *testing.T) {
	if path := os.Getenv("OOXML_HOSTILE_FILE"); path != "" {
		data, err := os.ReadFile(path)
		must(t, err)
		if os.Getenv("OOXML_HOSTILE_BASELINE") == "" {
			limit := os.Getenv("OOXML_HOSTILE_LIMIT")
			err := readAll(data)
			if (limit == "ok") != (err == nil) || (limit != "" && limit != "ok" && !errors.Is(err, ooxml.ErrLimit)) {
				t.Fatalf("got %v", err)
			}
		}
		// The peak RSS since exec (rusage would count the parent's pages
		// shared at fork).
		status, err := os.ReadFile("/proc/self/status")
		must(t, err)
		for _, line := range strings.Split(string(status), "\n") {
			if strings.HasPrefix(line, "VmHWM:") {
				fmt.Println("PEAK", strings.Fields(line)[1])
			}
		}
		return
	}
	if runtime.GOOS != "linux" {
		t.Skip("peak RSS is read from Linux rusage")
	}
	if testing.Short() {
		t.Skip("one child process per hostile file; skipped with -short")
	}
	files := buildHostile(t)
	dir := t.TempDir()
	run := func(name string, h hostile, baseline bool) (float64, time.Duration) {
		path := dir + "/" + name + ".xlsx"
		must(t, os.WriteFile(path, h.data, 0o644))
		cmd := exec.Command(os.Args[0], "-test.run=^TestHostileMemory$")
		limit := string(h.limit)
		if h.ok {
			limit = "ok"
		}
		cmd.Env = append(os.Environ(), "OOXML_HOSTILE_FILE="+path, "OOXML_HOSTILE_LIMIT="+limit)
		if baseline {
			cmd.Env = append(cmd.Env, "OOXML_HOSTILE_BASELINE=1")
		}
		start := time.Now()
		out, err := cmd.CombinedOutput()
		el := time.Since(start)
		if err != nil {
			t.Errorf("%s: child failed: %v\n%s", name, err, out)
			return 0, el
		}
		var kb float64
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "PEAK "); ok {
				fmt.Sscan(v, &kb)
			}
		}
		if kb == 0 {
			t.Errorf("%s: no peak reported:\n%s", name, out)
		}
		return kb / 1024, el
	}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		h := files[name]
		base, _ := run(name, h, true)
		mb, el := run(name, h, false)
		t.Logf("%-24s %8d bytes: peak RSS %4.0f MB (the child loading the file without reading it: %3.0f MB), %v",
			name, len(h.data), mb, base, el.Round(time.Millisecond))
		if mb > 150 {
			t.Errorf("%s: peak RSS %.0f MB > 150 MB", name, mb)
		}
	}
}

// BenchmarkHostile reads each hostile file with ooxml and, for comparison,
// with excelize under the limits chiso gives it (200 MB unzipped, 100 MB
// per XML part).
func BenchmarkHostile(b *testing.B) {
	files := buildHostile(b)
	var names []string
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		h := files[name]
		b.Run(name+"/ooxml", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := readAll(h.data); (err == nil) != h.ok {
					b.Fatal(err)
				}
			}
		})
		b.Run(name+"/excelize", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				excelizeReadAll(h.data)
			}
		})
	}
}

// excelizeReadAll is readAll's work done with excelize, as chiso opens
// workbooks today.
func excelizeReadAll(data []byte) error {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 100 << 20})
	if err != nil {
		return err
	}
	defer f.Close()
	f.GetCustomProps()
	f.GetDefinedName()
	for _, s := range f.GetSheetList() {
		if _, err := f.GetRows(s, excelize.Options{RawCellValue: true}); err != nil {
			return err
		}
		f.GetComments(s)
	}
	return nil
}

// TestLimits sets each limit low on a normal workbook and checks that it
// is the one reported.
func TestLimits(t *testing.T) {
	data := producerFiles(t)["producers/excelize-filled.xlsx"]
	for _, tc := range []struct {
		lim  ooxml.Limits
		want ooxml.Limit
	}{
		{ooxml.Limits{MaxEntries: 5}, ooxml.LimitEntries},
		{ooxml.Limits{MaxTotalBytes: 50_000}, ooxml.LimitTotalBytes},
		{ooxml.Limits{MaxPartBytes: 20_000}, ooxml.LimitPartBytes},
		{ooxml.Limits{MaxRows: 100}, ooxml.LimitRows},
		{ooxml.Limits{MaxCols: 5}, ooxml.LimitCols},
		{ooxml.Limits{MaxCells: 500}, ooxml.LimitCells},
		{ooxml.Limits{MaxSharedStrings: 100}, ooxml.LimitSharedStrings},
		{ooxml.Limits{MaxStringBytes: 1000}, ooxml.LimitStringBytes},
		{ooxml.Limits{MaxValueBytes: 100}, ooxml.LimitValueBytes},
		{ooxml.Limits{MaxDepth: 3}, ooxml.LimitDepth},
		{ooxml.Limits{MaxTokenBytes: 200}, ooxml.LimitTokenBytes},
		{ooxml.Limits{MaxItems: 100}, ooxml.LimitItems},
	} {
		t.Run(string(tc.want), func(t *testing.T) {
			err := func() error {
				b, err := ooxml.Open(data, tc.lim)
				if err != nil {
					return err
				}
				for _, s := range b.Sheets() {
					if _, err := b.ReadSheet(s.Name); err != nil {
						return err
					}
				}
				return nil
			}()
			var le *ooxml.LimitError
			if !errors.As(err, &le) || le.Limit != tc.want {
				t.Fatalf("want the %q limit, got %v", tc.want, err)
			}
		})
	}
	if d := ooxml.DefaultLimits(); d.MaxRows != 65_536 || d.MaxPartBytes != 32<<20 || d.MaxCells != 200_000 || d.MaxDepth != 100 {
		t.Errorf("defaults changed: %+v", d)
	}
}
