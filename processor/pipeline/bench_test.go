package pipeline

import (
	"bytes"
	"testing"

	"github.com/rs/zerolog"
	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/config"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/sample"
	"github.com/chiso-vn/chiso/processor/workbook"
	"github.com/chiso-vn/chiso/templates"
)

func benchWorkbook(b *testing.B) (*rubric.Set, []byte) {
	b.Helper()
	set := rubric.NewSet()
	if err := set.LoadFS(templates.FS, "templates"); err != nil {
		b.Fatal(err)
	}
	r, _ := set.Get("thanhhoa-xa-2023")
	f, _, err := sample.Filled(r, sample.Options{Template: workbook.TemplateOptions{Year: 2023, UnitCode: "X0001", UnitName: "Xã Thử Nghiệm 1"}, Seed: 7, SelfNoise: 0.3})
	if err != nil {
		b.Fatal(err)
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		b.Fatal(err)
	}
	return set, buf.Bytes()
}

// BenchmarkExcelizeBaseline is what excelize alone takes to open a filled
// workbook, read every cell of every sheet and save a copy: the yardstick
// for the per-workbook cost of chiso (target: at most 2×).
func BenchmarkExcelizeBaseline(b *testing.B) {
	_, data := benchWorkbook(b)
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
	set, data := benchWorkbook(b)
	st := Settings{Rubrics: set, DefaultRubric: "thanhhoa-xa-2023", Year: 2023,
		Roster: []config.Unit{{Code: "X0001", Name: "Xã Thử Nghiệm 1"}}, MaxFileSize: 20 << 20, UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 100 << 20}
	l, err := ledger.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	p := &Pipeline{Settings: st, Log: zerolog.Nop(), Ledger: l}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		ev, out := p.evaluate(ledger.File{Name: "bieu-mau.xlsx"}, data)
		if ev.Outcome != "accepted" || len(out) == 0 {
			b.Fatalf("%s %s", ev.Outcome, ev.Message)
		}
	}
}
