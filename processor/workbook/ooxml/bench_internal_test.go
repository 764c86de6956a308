package ooxml

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"io"
	"os"
	"testing"
)

// part returns one decompressed part of a committed workbook.
func part(tb testing.TB, file, name string) []byte {
	tb.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		tb.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == name {
			rc, _ := f.Open()
			b, err := io.ReadAll(rc)
			if err != nil {
				tb.Fatal(err)
			}
			return b
		}
	}
	tb.Fatalf("no %s in %s", name, file)
	return nil
}

const filled = "testdata/producers/excelize-filled.xlsx"

// BenchmarkTokenize compares the scanner with encoding/xml's RawToken on
// the indicator sheet of a filled template (126 KB): the choice of a
// hand-written scanner over encoding/xml rests on this.
func BenchmarkTokenize(b *testing.B) {
	sheet := part(b, filled, "xl/worksheets/sheet3.xml")
	lim := DefaultLimits()
	b.Run("scanner", func(b *testing.B) {
		b.SetBytes(int64(len(sheet)))
		b.ReportAllocs()
		for b.Loop() {
			s := newScanner(bytes.NewReader(sheet), "sheet", &lim)
			for {
				k, err := s.next()
				if err != nil {
					b.Fatal(err)
				}
				if k == tokEOF {
					break
				}
			}
			s.release()
		}
	})
	b.Run("encoding-xml-RawToken", func(b *testing.B) {
		b.SetBytes(int64(len(sheet)))
		b.ReportAllocs()
		for b.Loop() {
			d := xml.NewDecoder(bytes.NewReader(sheet))
			for {
				_, err := d.RawToken()
				if err == io.EOF {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkSharedStrings compares the two ways to resolve the shared
// strings of a workbook whose every sheet is read (what chiso's layout
// reader does): the whole table loaded once (the strategy used), and,
// for each sheet, a pass over the table keeping only the indices that
// sheet uses.
func BenchmarkSharedStrings(b *testing.B) {
	data, err := os.ReadFile(filled)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("whole-table-once", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bk, err := Open(data, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range bk.sheets {
				if _, err := bk.ReadSheet(s.Name); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
	b.Run("needed-per-sheet", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bk, err := Open(data, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range bk.sheets {
				bk.sst, bk.sstErr = nil, nil
				sh, err := bk.readSheetNeeded(s.Name)
				if err != nil {
					b.Fatal(err)
				}
				_ = sh
			}
		}
	})
}

// readSheetNeeded is ReadSheet with the other strategy, for the
// benchmark: the sheet's indices first, then one pass over the table
// keeping only them.
func (b *Book) readSheetNeeded(name string) (*Sheet, error) {
	i := b.sheetIndex(name)
	info := b.sheets[i]
	sh := &Sheet{Name: info.Name, Part: info.Part, DefaultRowHeight: 15}
	rd := sheetReader{b: b, sh: sh, shared: map[int]sharedFormula{}}
	if err := b.walk(info.Part, rd.token); err != nil {
		return nil, err
	}
	need := map[int]string{}
	for _, t := range rd.texts {
		if t.sst >= 0 {
			need[int(t.sst)] = ""
		}
	}
	if len(need) > 0 {
		part := b.sstPart
		idx := 0
		var buf []byte
		err := b.walk(part, func(s *scanner) error {
			if s.is(2, "si") {
				if _, ok := need[idx]; ok {
					var err error
					if buf, err = richText(s, buf[:0], b.lim.MaxValueBytes); err != nil {
						return err
					}
					need[idx] = string(unescapeX(buf))
				} else if err := s.skip(); err != nil {
					return err
				}
				idx++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	arena := string(rd.arena)
	for i := range sh.Cells {
		t := &rd.texts[i]
		if t.sst >= 0 {
			sh.Cells[i].Value = need[int(t.sst)]
		} else {
			sh.Cells[i].Value = arena[t.vOff : t.vOff+t.vLen]
		}
	}
	return sh, nil
}
