package pipeline

import (
	"bytes"
	"context"
	"testing"

	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/internal/testkit/books"
	"github.com/chiso-vn/chiso/processor/collection"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/roster"
)

var benchUnit = roster.Unit{Code: "X0001", Name: "Xã Thử Nghiệm 1"}

func benchWorkbook(b *testing.B) []byte {
	b.Helper()
	return books.Filled(b, benchUnit, books.Options{Seed: 7, SelfNoise: 0.3})
}

// BenchmarkExcelizeBaseline is what excelize alone takes to open a filled
// workbook, read every cell of every sheet and save a copy: the yardstick
// for the per-workbook cost of chiso (target: at most 2×).
func BenchmarkExcelizeBaseline(b *testing.B) {
	data := benchWorkbook(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f, err := excelize.OpenReader(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for _, s := range f.GetSheetList() {
			if _, err := f.GetRows(s); err != nil {
				b.Fatal(err)
			}
		}
		var out bytes.Buffer
		if err := f.Write(&out); err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

// BenchmarkEvaluateAnnotate is chiso's per-workbook work without folders
// and ledger: identify, read, validate, score, annotate, save.
func BenchmarkEvaluateAnnotate(b *testing.B) {
	data := benchWorkbook(b)
	ev := &Evaluator{Rubrics: books.Rubrics(b), Rubric: books.RubricID, Roster: roster.NewIndex([]roster.Unit{benchUnit}),
		MaxFileSize: 20 << 20, Workbook: books.Limits}
	l, err := ledger.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	p := &Pipeline{Evaluator: ev, Collection: collection.Collection{Year: books.Year}, Log: zerolog.Nop(), Ledger: l}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ev, out := p.evaluate(context.Background(), ledger.File{Name: "bieu-mau.xlsx"}, data, nil)
		if ev.Outcome != "accepted" || len(out) == 0 {
			b.Fatalf("%s %s", ev.Outcome, ev.Message)
		}
	}
}
