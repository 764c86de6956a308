package ooxml_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/workbook"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// The annotation workload the benchmarks run, the shape of what
// workbook.Annotate does to a filled template: three columns of results
// beside every indicator row, problem cells coloured with a comment each,
// a result sheet of about 120 rows put first and made active, a very
// hidden bookkeeping sheet.
const (
	benchProblems   = 20
	benchResultRows = 120
)

// benchTargets are the indicator rows and input cells of the filled
// template, found through its defined names.
type benchTargets struct {
	rows   []int    // rows of tu_cham_* on the indicator sheet
	inputs []string // cells of the first v_* names
}

func targetsOf(names []ooxml.DefinedName) benchTargets {
	var t benchTargets
	for _, d := range names {
		_, ref, ok := strings.Cut(d.RefersTo, "!")
		if !ok {
			continue
		}
		ref = strings.ReplaceAll(ref, "$", "")
		switch {
		case strings.HasPrefix(d.Name, "tu_cham_") && d.Name != "tu_cham_tong":
			_, row, err := ooxml.ParseRef(ref)
			if err == nil {
				t.rows = append(t.rows, row)
			}
		case strings.HasPrefix(d.Name, "v_") && len(t.inputs) < benchProblems:
			t.inputs = append(t.inputs, ref)
		}
	}
	return t
}

// readOOXML reads what chiso reads of a workbook: custom properties,
// defined names, the cells behind them on the general and indicator
// sheets, the metadata sheet.
func readOOXML(data []byte) (*ooxml.Book, map[string]*ooxml.Sheet, map[string]string, error) {
	b, err := ooxml.Open(data, ooxml.Limits{})
	if err != nil {
		return nil, nil, nil, err
	}
	if _, err := b.CustomProperties(); err != nil {
		return nil, nil, nil, err
	}
	sheets := map[string]*ooxml.Sheet{}
	values := map[string]string{}
	for _, name := range []string{workbook.SheetGeneral, workbook.SheetScores, workbook.SheetMeta} {
		sh, err := b.ReadSheet(name)
		if err != nil {
			return nil, nil, nil, err
		}
		sheets[name] = sh
	}
	for _, d := range b.DefinedNames() {
		sheet, ref, ok := strings.Cut(d.RefersTo, "!")
		if !ok || d.LocalSheetID >= 0 {
			continue
		}
		sh := sheets[strings.ReplaceAll(strings.Trim(sheet, "'"), "''", "'")]
		if sh == nil {
			continue
		}
		if c := sh.CellAt(ref); c != nil {
			values[d.Name] = c.Value
		}
	}
	return b, sheets, values, nil
}

// annotateOOXML runs the annotation workload with the patcher on the
// indicator sheet as read.
func annotateOOXML(b *ooxml.Book, sh *ooxml.Sheet) ([]byte, error) {
	tg := targetsOf(b.DefinedNames())
	p := b.Patch()
	border := &ooxml.Border{Left: ooxml.BorderLine{Style: "thin", Color: "A6A6A6"}, Right: ooxml.BorderLine{Style: "thin", Color: "A6A6A6"},
		Top: ooxml.BorderLine{Style: "thin", Color: "A6A6A6"}, Bottom: ooxml.BorderLine{Style: "thin", Color: "A6A6A6"}}
	font := &ooxml.Font{Name: "Times New Roman", Size: 12}
	wrap := &ooxml.Alignment{Wrap: true, Vertical: "top"}
	num, _ := p.AddStyle(ooxml.Style{Font: font, Border: border, Alignment: wrap, NumFmt: "#,##0.00", Fill: &ooxml.Fill{Pattern: "solid", FG: ooxml.RGB("E2EFDA")}, Protection: &ooxml.Protection{Locked: true}})
	diff, _ := p.AddStyle(ooxml.Style{Font: font, Border: border, Alignment: wrap, NumFmt: "+#,##0.00;[Red]-#,##0.00;0.00", Protection: &ooxml.Protection{Locked: true}})
	note, _ := p.AddStyle(ooxml.Style{Font: &ooxml.Font{Name: "Times New Roman", Size: 11}, Border: border, Alignment: wrap, Protection: &ooxml.Protection{Locked: true}})
	const s = workbook.SheetScores
	for i, row := range tg.rows {
		p.SetCell(s, 12, row, ooxml.Number(float64(i)*1.25), num)
		p.SetCell(s, 13, row, ooxml.Number(-float64(i%5)), diff)
		p.SetCell(s, 14, row, ooxml.Text(fmt.Sprintf("Chỉ số %d: tạm tính theo các đơn vị đã nộp, xếp hạng sau.", i)), note)
		p.GrowRowHeight(s, row, 48)
	}
	p.SetColWidth(s, 12, 12, 12)
	p.SetColWidth(s, 13, 13, 14)
	p.SetColWidth(s, 14, 14, 40)
	var cs []ooxml.Comment
	for i, ref := range tg.inputs {
		c := sh.CellAt(ref)
		if c == nil {
			continue
		}
		red, _ := p.DeriveFill(c.Style, ooxml.SolidFill([]string{"FFC7CE", "FFC000", "BDD7EE"}[i%3]))
		p.SetStyle(s, c.Col, c.Row, red)
		cs = append(cs, ooxml.Comment{Ref: ref, Author: "chiso", Runs: []ooxml.Run{
			{Text: "Hệ thống chấm điểm (chiso):\n", Bold: true}, {Text: "Cảnh báo: ", Bold: true},
			{Text: "Số liệu lớn hơn tổng số: tỷ lệ vượt 100 %, hãy kiểm tra lại a và b."}}})
	}
	p.SetComments(s, cs)
	w := resultSheetOOXML(p, num, note)
	if err := p.AddSheet(workbook.SheetResult, 0, w); err != nil {
		return nil, err
	}
	undo := ooxml.NewSheetWriter()
	for i, ref := range tg.inputs {
		undo.WriteRow(i+1, 0, ooxml.CellValue{Col: 1, Value: ooxml.Text(s)}, ooxml.CellValue{Col: 2, Value: ooxml.Text(ref)},
			ooxml.CellValue{Col: 3, Value: ooxml.Text(`{"Type":"pattern","Pattern":1,"Color":["FFF2CC"]}`)})
	}
	p.AddSheet(workbook.SheetAnnot, 1000, undo)
	p.SetSheetState(workbook.SheetAnnot, ooxml.VeryHidden)
	p.SetActiveSheet(workbook.SheetResult)
	var out bytes.Buffer
	err := p.Write(&out)
	return out.Bytes(), err
}

func resultSheetOOXML(p *ooxml.Patch, num, note int) *ooxml.SheetWriter {
	title, _ := p.AddStyle(ooxml.Style{Font: &ooxml.Font{Name: "Times New Roman", Size: 14, Bold: true}, Alignment: &ooxml.Alignment{Horizontal: "center", Vertical: "center", Wrap: true}})
	w := ooxml.NewSheetWriter()
	w.WriteRow(1, 24, ooxml.CellValue{Col: 1, Value: ooxml.Text("KẾT QUẢ CHẤM ĐIỂM BỘ CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM 2023"), Style: title})
	w.Merge(ooxml.Range{Col1: 1, Row1: 1, Col2: 10, Row2: 1})
	for r := 3; r < benchResultRows; r++ {
		cells := make([]ooxml.CellValue, 0, 10)
		cells = append(cells, ooxml.CellValue{Col: 1, Value: ooxml.Number(float64(r)), Style: num})
		last := 10
		if r%4 == 0 {
			last = 4 // D:J merged below
		}
		for c := 2; c <= last; c++ {
			if c%3 == 0 {
				cells = append(cells, ooxml.CellValue{Col: c, Value: ooxml.Number(float64(r*c) / 7), Style: num})
			} else {
				cells = append(cells, ooxml.CellValue{Col: c, Value: ooxml.Text("Nội dung dòng " + fmt.Sprint(r)), Style: note})
			}
		}
		w.WriteRow(r, 30, cells...)
		if r%4 == 0 {
			w.Merge(ooxml.Range{Col1: 4, Row1: r, Col2: 10, Row2: r})
		}
	}
	for c, wd := range []float64{9, 38, 15, 11, 11, 26, 30, 18, 18, 18} {
		w.SetColWidth(c+1, c+1, wd)
	}
	w.Freeze(0, 2)
	w.SetPageSetup(ooxml.PageSetup{Landscape: true, FitToWidth: true})
	w.SetPrintTitles(1, 2)
	return w
}

// readExcelize reads the same as readOOXML with excelize, as chiso's
// workbook.Read does today: properties, names, a cell at a time.
func readExcelize(data []byte) (*excelize.File, map[string]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 100 << 20})
	if err != nil {
		return nil, nil, err
	}
	f.GetCustomProps()
	values := map[string]string{}
	for _, d := range f.GetDefinedName() {
		sheet, ref, ok := strings.Cut(d.RefersTo, "!")
		if !ok || (d.Scope != "" && d.Scope != "Workbook") {
			continue
		}
		sheet = strings.ReplaceAll(strings.Trim(sheet, "'"), "''", "'")
		ref = strings.ReplaceAll(ref, "$", "")
		v, err := f.GetCellValue(sheet, ref, excelize.Options{RawCellValue: true})
		if err != nil {
			continue
		}
		f.GetCellType(sheet, ref)
		values[d.Name] = v
	}
	f.GetRows(workbook.SheetMeta)
	return f, values, nil
}

// annotateExcelize runs the annotation workload with excelize, saved at
// the fastest deflate level as chiso does.
func annotateExcelize(f *excelize.File) ([]byte, error) {
	var names []ooxml.DefinedName
	for _, d := range f.GetDefinedName() {
		names = append(names, ooxml.DefinedName{Name: d.Name, RefersTo: d.RefersTo, LocalSheetID: -1})
	}
	tg := targetsOf(names)
	border := []excelize.Border{{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1}, {Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1}}
	font := &excelize.Font{Family: "Times New Roman", Size: 12}
	wrap := &excelize.Alignment{WrapText: true, Vertical: "top"}
	pf, df := "#,##0.00", "+#,##0.00;[Red]-#,##0.00;0.00"
	locked := &excelize.Protection{Locked: true}
	num, _ := f.NewStyle(&excelize.Style{Font: font, Border: border, Alignment: wrap, CustomNumFmt: &pf, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E2EFDA"}}, Protection: locked})
	diff, _ := f.NewStyle(&excelize.Style{Font: font, Border: border, Alignment: wrap, CustomNumFmt: &df, Protection: locked})
	note, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 11}, Border: border, Alignment: wrap, Protection: locked})
	const s = workbook.SheetScores
	for i, row := range tg.rows {
		l, m, n := fmt.Sprintf("L%d", row), fmt.Sprintf("M%d", row), fmt.Sprintf("N%d", row)
		f.SetCellFloat(s, l, float64(i)*1.25, -1, 64)
		f.SetCellStyle(s, l, l, num)
		f.SetCellFloat(s, m, -float64(i%5), -1, 64)
		f.SetCellStyle(s, m, m, diff)
		f.SetCellStr(s, n, fmt.Sprintf("Chỉ số %d: tạm tính theo các đơn vị đã nộp, xếp hạng sau.", i))
		f.SetCellStyle(s, n, n, note)
		if h, _ := f.GetRowHeight(s, row); h < 48 {
			f.SetRowHeight(s, row, 48)
		}
	}
	f.SetColWidth(s, "L", "L", 12)
	f.SetColWidth(s, "M", "M", 14)
	f.SetColWidth(s, "N", "N", 40)
	for i, ref := range tg.inputs {
		sid, _ := f.GetCellStyle(s, ref)
		st, _ := f.GetStyle(sid)
		st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{[]string{"FFC7CE", "FFC000", "BDD7EE"}[i%3]}}
		red, _ := f.NewStyle(st)
		f.SetCellStyle(s, ref, ref, red)
		f.AddComment(s, excelize.Comment{Cell: ref, Author: "chiso", Paragraph: []excelize.RichTextRun{
			{Text: "Hệ thống chấm điểm (chiso):\n", Font: &excelize.Font{Bold: true}}, {Text: "Cảnh báo: ", Font: &excelize.Font{Bold: true}},
			{Text: "Số liệu lớn hơn tổng số: tỷ lệ vượt 100 %, hãy kiểm tra lại a và b."}}})
	}
	r := workbook.SheetResult
	f.NewSheet(r)
	f.MoveSheet(r, f.GetSheetList()[0])
	title, _ := f.NewStyle(&excelize.Style{Font: &excelize.Font{Family: "Times New Roman", Size: 14, Bold: true}, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true}})
	f.SetCellStr(r, "A1", "KẾT QUẢ CHẤM ĐIỂM BỘ CHỈ SỐ CHUYỂN ĐỔI SỐ NĂM 2023")
	f.SetCellStyle(r, "A1", "A1", title)
	f.MergeCell(r, "A1", "J1")
	f.SetRowHeight(r, 1, 24)
	for row := 3; row < benchResultRows; row++ {
		f.SetCellFloat(r, fmt.Sprintf("A%d", row), float64(row), -1, 64)
		f.SetCellStyle(r, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), num)
		last := 10
		if row%4 == 0 {
			last = 4
		}
		for c := 2; c <= last; c++ {
			ref := ooxml.CellRef(c, row)
			if c%3 == 0 {
				f.SetCellFloat(r, ref, float64(row*c)/7, -1, 64)
				f.SetCellStyle(r, ref, ref, num)
			} else {
				f.SetCellStr(r, ref, "Nội dung dòng "+fmt.Sprint(row))
				f.SetCellStyle(r, ref, ref, note)
			}
		}
		f.SetRowHeight(r, row, 30)
		if row%4 == 0 {
			f.MergeCell(r, fmt.Sprintf("D%d", row), fmt.Sprintf("J%d", row))
		}
	}
	for c, wd := range []float64{9, 38, 15, 11, 11, 26, 30, 18, 18, 18} {
		f.SetColWidth(r, ooxml.ColName(c+1), ooxml.ColName(c+1), wd)
	}
	f.SetPanes(r, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"})
	fit := true
	f.SetPageLayout(r, &excelize.PageLayoutOptions{Orientation: &[]string{"landscape"}[0], FitToWidth: &[]int{1}[0]})
	f.SetSheetProps(r, &excelize.SheetPropsOptions{FitToPage: &fit})
	f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles", RefersTo: "'" + r + "'!$1:$2", Scope: r})
	a := workbook.SheetAnnot
	f.NewSheet(a)
	for i, ref := range tg.inputs {
		f.SetCellStr(a, fmt.Sprintf("A%d", i+1), s)
		f.SetCellStr(a, fmt.Sprintf("B%d", i+1), ref)
		f.SetCellStr(a, fmt.Sprintf("C%d", i+1), `{"Type":"pattern","Pattern":1,"Color":["FFF2CC"]}`)
	}
	f.SetSheetVisible(a, false, true)
	idx, _ := f.GetSheetIndex(r)
	f.SetActiveSheet(idx)
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// TestBenchWorkloads checks that both workloads succeed and produce the
// same cells, so that the benchmarks compare the same work.
func TestBenchWorkloads(t *testing.T) {
	data := filledTemplate(t, 7)
	b, sheets, v1, err := readOOXML(data)
	must(t, err)
	f, v2, err := readExcelize(data)
	must(t, err)
	if fmt.Sprint(v1) != fmt.Sprint(v2) {
		t.Fatalf("the readers read different values")
	}
	o, err := annotateOOXML(b, sheets[workbook.SheetScores])
	must(t, err)
	x, err := annotateExcelize(f)
	must(t, err)
	fo, err := excelize.OpenReader(bytes.NewReader(o))
	must(t, err)
	fx, err := excelize.OpenReader(bytes.NewReader(x))
	must(t, err)
	if a, b := strings.Join(fo.GetSheetList(), "|"), strings.Join(fx.GetSheetList(), "|"); a != b {
		t.Fatalf("sheets %s, excelize %s", a, b)
	}
	for _, s := range fo.GetSheetList() {
		ro, _ := fo.GetRows(s, excelize.Options{RawCellValue: true})
		rx, _ := fx.GetRows(s, excelize.Options{RawCellValue: true})
		if fmt.Sprint(ro) != fmt.Sprint(rx) {
			for i := range max(len(ro), len(rx)) {
				if i >= len(ro) || i >= len(rx) || fmt.Sprint(ro[i]) != fmt.Sprint(rx[i]) {
					t.Errorf("%s row %d differs between the workloads:\n%q\n%q", s, i+1, at2(ro, i), at2(rx, i))
					break
				}
			}
		}
		co, _ := fo.GetComments(s)
		cx, _ := fx.GetComments(s)
		if len(co) != len(cx) {
			t.Errorf("%s: %d comments, excelize %d", s, len(co), len(cx))
		}
	}
	t.Logf("result: ooxml %d bytes, excelize %d bytes", len(o), len(x))
}

// BenchmarkTemplate measures a filled template (56 indicators, ~33 KB):
// reading what chiso reads, and reading plus writing the annotated copy,
// with ooxml and with excelize; and excelize's open, read every cell,
// save — the yardstick of the performance target (≤ 0.5× of it).
func BenchmarkTemplate(b *testing.B) {
	data := filledTemplate(b, 7)
	b.Run("read/ooxml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, _, err := readOOXML(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read/excelize", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f, _, err := readExcelize(data)
			if err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	b.Run("read+annotate/ooxml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			bk, sheets, _, err := readOOXML(data)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := annotateOOXML(bk, sheets[workbook.SheetScores]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("read+annotate/excelize", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			f, _, err := readExcelize(data)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := annotateExcelize(f); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
	b.Run("open-read-all-save/excelize", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
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
	})
	b.Run("read-all/ooxml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := readAll(data); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func at2(rows [][]string, i int) []string {
	if i < len(rows) {
		return rows[i]
	}
	return nil
}

// TestBatchMemory runs a batch in a child process: 1,000 filled
// templates read and annotated by two workers (the 2-core machine's
// batch), with ooxml and with excelize, and reports each child's peak
// RSS (VmHWM) and wall time. Skipped with -short.
func TestBatchMemory(t *testing.T) {
	if dir := os.Getenv("OOXML_BATCH_DIR"); dir != "" {
		batchChild(t, dir, os.Getenv("OOXML_BATCH_IMPL"))
		return
	}
	if runtime.GOOS != "linux" || testing.Short() {
		t.Skip("a child process per reader, Linux VmHWM; skipped with -short")
	}
	dir := t.TempDir()
	for seed := range 20 {
		must(t, os.WriteFile(fmt.Sprintf("%s/%02d.xlsx", dir, seed), filledTemplate(t, uint64(100+seed)), 0o644))
	}
	for _, impl := range []string{"ooxml", "excelize"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBatchMemory$")
		cmd.Env = append(os.Environ(), "OOXML_BATCH_DIR="+dir, "OOXML_BATCH_IMPL="+impl)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", impl, err, out)
		}
		var kb float64
		var wall string
		for _, line := range strings.Split(string(out), "\n") {
			if v, ok := strings.CutPrefix(line, "PEAK "); ok {
				fmt.Sscan(v, &kb, &wall)
			}
		}
		t.Logf("%-8s 1,000 workbooks read and annotated by 2 workers: %s, peak RSS %.0f MB", impl, wall, kb/1024)
		if impl == "ooxml" && kb/1024 > 150 {
			t.Errorf("peak RSS %.0f MB > 150 MB", kb/1024)
		}
	}
}

func batchChild(t *testing.T, dir, impl string) {
	names, _ := filepath.Glob(dir + "/*.xlsx")
	var files [][]byte
	for _, n := range names {
		b, err := os.ReadFile(n)
		must(t, err)
		files = append(files, b)
	}
	jobs := make(chan []byte)
	var wg sync.WaitGroup
	var failed atomic.Int64
	start := time.Now()
	workers := 2
	if w, err := strconv.Atoi(os.Getenv("OOXML_BATCH_WORKERS")); err == nil {
		workers = w
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for data := range jobs {
				var err error
				if impl == "ooxml" {
					var b *ooxml.Book
					var sheets map[string]*ooxml.Sheet
					if b, sheets, _, err = readOOXML(data); err == nil {
						_, err = annotateOOXML(b, sheets[workbook.SheetScores])
					}
				} else {
					var f *excelize.File
					if f, _, err = readExcelize(data); err == nil {
						_, err = annotateExcelize(f)
						f.Close()
					}
				}
				if err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	for i := range 1000 {
		jobs <- files[i%len(files)]
	}
	close(jobs)
	wg.Wait()
	if failed.Load() > 0 {
		t.Fatalf("%d workbooks failed", failed.Load())
	}
	status, err := os.ReadFile("/proc/self/status")
	must(t, err)
	for _, line := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			fmt.Println("PEAK", strings.Fields(line)[1], time.Since(start).Round(time.Millisecond))
		}
	}
}
