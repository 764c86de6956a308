package workbook

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
)

func shippedRubric(t testing.TB, id string) *rubric.Rubric {
	t.Helper()
	for _, r := range shipped(t) {
		if r.ID == id {
			return r
		}
	}
	t.Fatalf("no shipped rubric %s", id)
	return nil
}

// filledTemplate generates a template for r, fills it through the defined
// names and returns it reopened, with what Read gets through the names.
func filledTemplate(t *testing.T, r *rubric.Rubric, seed uint64) (*excelize.File, *Submission) {
	t.Helper()
	f := generate(t, r, TemplateOptions{Year: r.Year, UnitCode: "TS01", UnitName: "Xã Triệu Thành"})
	fill(t, f, r, seed)
	for name, v := range map[string]string{NameUnitAddress: "thôn Cát Lợi", NameContactName: "Nguyễn Văn A", NameContactRole: "Công chức Văn hóa - Xã hội", NameContactPhone: "0912 345 678", NameContactEmail: "a@example.vn"} {
		c := Named(f)[name]
		if err := f.SetCellStr(c.Sheet, c.Addr, v); err != nil {
			t.Fatal(err)
		}
	}
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		named := Named(f)
		for name, v := range map[string]string{ExplainName(in.Code): "Giải trình " + in.Code, EvidenceName(in.Code): "QĐ số 1/" + in.Code} {
			c := named[name]
			if err := f.SetCellStr(c.Sheet, c.Addr, v); err != nil {
				t.Fatal(err)
			}
		}
	})
	f = reopen(t, f)
	s := readSubmission(excelSource{f}, r)
	if s.FoundBy != "names" {
		t.Fatalf("fresh template read by %s", s.FoundBy)
	}
	return f, s
}

// dropNames deletes every defined name, as a copy that lost them.
func dropNames(t *testing.T, f *excelize.File) {
	t.Helper()
	for _, dn := range f.GetDefinedName() {
		if err := f.DeleteDefinedName(&excelize.DefinedName{Name: dn.Name, Scope: dn.Scope}); err != nil {
			t.Fatalf("delete %s: %v", dn.Name, err)
		}
	}
	if n := len(f.GetDefinedName()); n != 0 {
		t.Fatalf("%d names left", n)
	}
}

// layoutProblems returns the problems the layout reader adds.
func layoutProblems(s *Submission) []problem.Problem {
	var out []problem.Problem
	for _, p := range s.Problems {
		switch p.Code {
		case CodeIndicatorNotFound, CodeIndicatorDuplicate, CodeInputNotFound, CodeGeneralNotFound, CodeLayoutUnreadable, CodeSheetDamaged:
			out = append(out, p)
		}
	}
	return out
}

// expectation describes how a modified copy relates to the original read.
type expectation struct {
	sheet   map[string]string // original sheet → sheet in the copy
	row     func(sheet string, row int) int
	missing map[string]bool // RawKeys of cells removed from the copy
	values  map[string]string
}

func (e expectation) where(c Cell) Cell {
	out := c
	if s, ok := e.sheet[c.Sheet]; ok {
		out.Sheet = s
	}
	if e.row != nil {
		col, row, _ := excelize.SplitCellName(c.Addr)
		out.Addr = col + strconv.Itoa(e.row(c.Sheet, row))
	}
	return out
}

// assertLayout checks that got, read by layout, has every cell of want (the
// same read through the names) at the expected address with the same
// content, the same unit fields, and the same scores.
func assertLayout(t *testing.T, r *rubric.Rubric, want, got *Submission, e expectation) {
	t.Helper()
	if got.FoundBy != "layout" {
		t.Fatalf("FoundBy %q, want layout", got.FoundBy)
	}
	keys := make([]string, 0, len(want.Cells))
	for k := range want.Cells {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		wc := e.where(want.Cells[k])
		if v, ok := e.values[k]; ok {
			wc.Raw = v
		}
		gc, ok := got.Cells[k]
		if e.missing[k] {
			if ok {
				t.Errorf("%s: found at %s, but its row was deleted", k, gc.Where())
			}
			continue
		}
		if !ok {
			t.Errorf("%s: not found (want %s %q)", k, wc.Where(), wc.Raw)
			continue
		}
		if gc.Where() != wc.Where() || gc.Raw != wc.Raw {
			t.Errorf("%s: got %s %q, want %s %q", k, gc.Where(), gc.Raw, wc.Where(), wc.Raw)
		}
	}
	for k := range got.Cells {
		if _, ok := want.Cells[k]; !ok {
			t.Errorf("%s: read by layout, not by names", k)
		}
	}
	for code, row := range want.Rows {
		if w := e.where(Cell{Sheet: want.Sheet, Addr: "A" + strconv.Itoa(row)}); got.Rows[code] != mustRow(w.Addr) {
			t.Errorf("row of %s: %d, want %d", code, got.Rows[code], mustRow(w.Addr))
		}
	}
	if w := e.where(Cell{Sheet: want.Sheet}).Sheet; got.Sheet != w {
		t.Errorf("sheet %q, want %q", got.Sheet, w)
	}
	wu := []string{want.UnitName, want.UnitCode, want.Address, want.Year, want.ContactName, want.ContactRole, want.ContactPhone, want.ContactEmail}
	gu := []string{got.UnitName, got.UnitCode, got.Address, got.Year, got.ContactName, got.ContactRole, got.ContactPhone, got.ContactEmail}
	if strings.Join(wu, "|") != strings.Join(gu, "|") {
		t.Errorf("unit fields %q, want %q", gu, wu)
	}
	// Values carry their (new) cell; scores agree.
	for code, m := range got.Values.Inputs {
		for k, v := range m {
			if c, ok := got.Cells[RawKey(code, k)]; !ok || v.Cell != c.Where() {
				t.Errorf("%s/%s: value cell %q, cell %+v", code, k, v.Cell, c)
			}
		}
	}
	sc, err := engine.New(r)
	if err != nil {
		t.Fatal(err)
	}
	wantVals := want.Values
	if len(e.missing) > 0 || len(e.values) > 0 {
		wantVals = engine.NewValues()
		for k, v := range want.Values.General {
			wantVals.General[k] = v
		}
		for k, v := range want.Values.Self {
			wantVals.Self[k] = v
		}
		for code, m := range want.Values.Inputs {
			for k, v := range m {
				if !e.missing[RawKey(code, k)] {
					wantVals.Set(code, k, v)
				}
			}
		}
		for k := range e.values {
			code, key, _ := strings.Cut(k, "/")
			wantVals.Set(code, key, got.Values.Inputs[code][key])
		}
	}
	ws, gs := sc.Score(wantVals), sc.Score(got.Values)
	for i, ir := range ws.Indicators {
		if g := gs.Indicators[i]; g.Points != ir.Points || g.Status != ir.Status {
			t.Errorf("%s: %v (%s), want %v (%s)", ir.Code, g.Points, g.Status, ir.Points, ir.Status)
		}
	}
	if ws.Total != gs.Total || ws.Self != gs.Self {
		t.Errorf("total %v self %v, want %v self %v", gs.Total, gs.Self, ws.Total, ws.Self)
	}
}

func mustRow(addr string) int {
	_, row, _ := excelize.SplitCellName(addr)
	return row
}

// TestReadByLayoutNoNames: a copy whose defined names are all gone reads
// the same cells, values and scores as through the names.
func TestReadByLayoutNoNames(t *testing.T) {
	for _, r := range shipped(t) {
		t.Run(r.ID, func(t *testing.T) {
			f, want := filledTemplate(t, r, 11)
			defer f.Close()
			dropNames(t, f)
			f = reopen(t, f)
			got := readSubmission(excelSource{f}, r)
			assertLayout(t, r, want, got, expectation{})
			if ps := layoutProblems(got); len(ps) > 0 {
				t.Errorf("problems %v", ps)
			}
			if len(got.Problems) != len(want.Problems) {
				t.Errorf("%d problems, want %d as through names:\n%v\n%v", len(got.Problems), len(want.Problems), got.Problems, want.Problems)
			}
			if got.Meta.RubricID != r.ID {
				t.Errorf("meta %+v", got.Meta)
			}
		})
	}
}

// TestReadByLayoutRowsMoved: rows inserted between indicators (with stray
// content) and some input rows deleted; names broken.
func TestReadByLayoutRowsMoved(t *testing.T) {
	for _, id := range []string{"thanhhoa-xa-2023", "thanhhoa-huyen-2021"} {
		t.Run(id, func(t *testing.T) {
			r := shippedRubric(t, id)
			f, want := filledTemplate(t, r, 12)
			defer f.Close()
			dropNames(t, f)
			type op struct {
				row    int
				insert bool
			}
			var ops []op
			missing := map[string]bool{}
			i, multi := 0, 0
			r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
				row := want.Rows[in.Code]
				if i%5 == 2 {
					ops = append(ops, op{row, true}) // two rows before this indicator
				}
				i++
				if len(in.Inputs) >= 2 {
					if multi%4 == 1 {
						x := in.Inputs[len(in.Inputs)-1]
						ops = append(ops, op{mustRow(want.Cells[RawKey(in.Code, x.Key)].Addr), false})
						missing[RawKey(in.Code, x.Key)] = true
					}
					multi++
				}
			})
			if len(missing) == 0 {
				t.Fatal("no input row deleted")
			}
			sort.Slice(ops, func(a, b int) bool { return ops[a].row > ops[b].row })
			for _, o := range ops {
				if o.insert {
					if err := f.InsertRows(SheetScores, o.row, 2); err != nil {
						t.Fatal(err)
					}
					_ = f.SetCellStr(SheetScores, "B"+strconv.Itoa(o.row), "Ghi chú: số liệu tạm tính đến tháng 10")
					_ = f.SetCellInt(SheetScores, "E"+strconv.Itoa(o.row), 999)
					_ = f.SetCellStr(SheetScores, "B"+strconv.Itoa(o.row+1), "(dòng thêm)")
				} else if err := f.RemoveRow(SheetScores, o.row); err != nil {
					t.Fatal(err)
				}
			}
			newRow := func(sheet string, row int) int {
				if sheet != SheetScores {
					return row
				}
				n := row
				for _, o := range ops {
					if o.insert && o.row <= row {
						n += 2
					}
					if !o.insert && o.row < row {
						n--
					}
				}
				return n
			}
			f = reopen(t, f)
			got := readSubmission(excelSource{f}, r)
			assertLayout(t, r, want, got, expectation{row: newRow, missing: missing})
			var notFound []string
			for _, p := range layoutProblems(got) {
				if p.Code != CodeInputNotFound || p.Severity != problem.Warning || !missing[RawKey(p.Indicator, p.Input)] {
					t.Errorf("unexpected problem %+v", p)
					continue
				}
				notFound = append(notFound, RawKey(p.Indicator, p.Input))
				if !strings.Contains(p.Message, "Không tìm thấy dòng số liệu "+p.Input) || !strings.Contains(p.Message, "chỉ số "+p.Indicator) {
					t.Errorf("message %q", p.Message)
				}
				if want := SheetScores + "!B" + strconv.Itoa(got.Rows[p.Indicator]); p.Cell != want {
					t.Errorf("problem cell %s, want %s", p.Cell, want)
				}
			}
			if len(notFound) != len(missing) {
				t.Errorf("input-not-found for %v, want %v", notFound, missing)
			}
		})
	}
}

// TestReadByLayoutCodes: TT codes as officials write them.
func TestReadByLayoutCodes(t *testing.T) {
	r := shippedRubric(t, "thanhhoa-xa-2023")
	f, want := filledTemplate(t, r, 13)
	defer f.Close()
	dropNames(t, f)
	forms := []func(string) string{
		func(c string) string { return strings.ReplaceAll(c, ".", ",") },
		func(c string) string { return c + "." },
		func(c string) string { return " " + c + " " },
		func(c string) string { return strings.ReplaceAll(c, ".", ". ") },
		func(c string) string { return c + "\u00a0" },
	}
	i := 0
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		addr := "A" + strconv.Itoa(want.Rows[in.Code])
		var err error
		switch in.Code {
		case "3.1", "3.10":
			// Typed into a number cell: Excel keeps 3.1 for both.
			err = f.SetCellFloat(SheetScores, addr, 3.1, -1, 64)
		default:
			err = f.SetCellStr(SheetScores, addr, forms[i%len(forms)](in.Code))
		}
		if err != nil {
			t.Fatal(err)
		}
		i++
	})
	if _, in := r.Indicator("3.10"); in == nil {
		t.Fatal("rubric has no 3.10")
	}
	f = reopen(t, f)
	got := readSubmission(excelSource{f}, r)
	assertLayout(t, r, want, got, expectation{})
	if ps := layoutProblems(got); len(ps) > 0 {
		t.Errorf("problems %v", ps)
	}
}

// TestReadByLayoutPasted: the content pasted (values only) into a fresh
// workbook with other sheet names.
func TestReadByLayoutPasted(t *testing.T) {
	r := shippedRubric(t, "xuanlac-xa-2023")
	f, want := filledTemplate(t, r, 14)
	defer f.Close()
	g := excelize.NewFile()
	defer g.Close()
	const scores, general = "Bảng chấm điểm", "TT chung"
	if err := g.SetSheetName("Sheet1", "Ghi chú"); err != nil {
		t.Fatal(err)
	}
	_ = g.SetCellStr("Ghi chú", "A1", "Bản sao từ tệp của xã")
	for _, pair := range [][2]string{{SheetGeneral, general}, {SheetScores, scores}} {
		if _, err := g.NewSheet(pair[1]); err != nil {
			t.Fatal(err)
		}
		copyValues(t, f, g, pair[0], pair[1])
	}
	g = reopen(t, g)
	got := readSubmission(excelSource{g}, r)
	assertLayout(t, r, want, got, expectation{sheet: map[string]string{SheetScores: scores, SheetGeneral: general}})
	if ps := layoutProblems(got); len(ps) > 0 {
		t.Errorf("problems %v", ps)
	}
	if got.Meta.RubricID != "" {
		t.Errorf("meta %+v from a fresh workbook", got.Meta)
	}
}

// copyValues pastes a sheet's values (numbers as numbers) into another file.
func copyValues(t *testing.T, from, to *excelize.File, src, dst string) {
	t.Helper()
	rows, err := from.GetRows(src, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	for i, row := range rows {
		for j, v := range row {
			addr, _ := excelize.CoordinatesToCellName(j+1, i+1)
			// A formula the copy's source never calculated (a pre-filled
			// denominator) pastes as its value, as from Excel.
			c := readCellCalc(excelSource{from}, src, addr)
			if v = c.Raw; v == "" {
				continue
			}
			if x, err := strconv.ParseFloat(c.Raw, 64); err == nil && c.Number {
				err = to.SetCellFloat(dst, addr, x, -1, 64)
			} else {
				err = to.SetCellStr(dst, addr, v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestReadByLayoutFormulaAndMerged: an input given by a formula without a
// cached value is calculated; an input whose value cell was merged into the
// one above is read at the merged cell's top-left.
func TestReadByLayoutFormulaAndMerged(t *testing.T) {
	r := shippedRubric(t, "thanhhoa-xa-2023")
	f, want := filledTemplate(t, r, 15)
	defer f.Close()
	dropNames(t, f)
	var formulaKey, mergedKey string
	var mergedAddr string
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		for i, x := range in.Inputs {
			k := RawKey(in.Code, x.Key)
			c := want.Cells[k]
			switch {
			case formulaKey == "" && x.Type == rubric.Count:
				formulaKey = k
				_ = f.SetCellValue(c.Sheet, c.Addr, nil) // no cached value
				if err := f.SetCellFormula(c.Sheet, c.Addr, "10+9"); err != nil {
					t.Fatal(err)
				}
			case mergedKey == "" && i == 0 && x.Type == rubric.Count && k != formulaKey:
				// Merge the indicator row's value cell with the first input's.
				mergedKey = k
				row := mustRow(c.Addr)
				mergedAddr = colValue + strconv.Itoa(row-1)
				_ = f.SetCellInt(c.Sheet, mergedAddr, 7)
				if err := f.MergeCell(c.Sheet, mergedAddr, c.Addr); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
	f = reopen(t, f)
	if c := want.Cells[formulaKey]; readCell(excelSource{f}, c.Sheet, c.Addr).Raw != "" {
		t.Fatalf("%s: formula has a cached value", c.Where())
	}
	got := readSubmission(excelSource{f}, r)
	e := expectation{values: map[string]string{formulaKey: "19", mergedKey: "7"}}
	want.Cells[mergedKey] = Cell{Sheet: SheetScores, Addr: mergedAddr, Raw: "7", Number: true}
	assertLayout(t, r, want, got, e)
	code, key, _ := strings.Cut(formulaKey, "/")
	if v := got.Values.Inputs[code][key]; !v.Set || v.Num != 19 {
		t.Errorf("formula input %s: %+v", formulaKey, v)
	}
	code, key, _ = strings.Cut(mergedKey, "/")
	if v := got.Values.Inputs[code][key]; !v.Set || v.Num != 7 || v.Cell != SheetScores+"!"+mergedAddr {
		t.Errorf("merged input %s: %+v", mergedKey, v)
	}
}

// TestReadByLayoutUnreadable: a workbook with no indicator table.
func TestReadByLayoutUnreadable(t *testing.T) {
	r := shippedRubric(t, "thanhhoa-xa-2023")
	f := excelize.NewFile()
	_ = f.SetCellStr("Sheet1", "A1", "BÁO CÁO KẾT QUẢ TỰ ĐÁNH GIÁ")
	_ = f.SetCellStr("Sheet1", "A3", "1")
	_ = f.SetCellStr("Sheet1", "B3", "Nhận thức số")
	_ = f.SetCellStr("Sheet1", "A4", "1.1")
	_ = f.SetCellStr("Sheet1", "B4", "Người đứng đầu…")
	f = reopen(t, f)
	defer f.Close()
	s := readSubmission(excelSource{f}, r)
	if s.FoundBy != "layout" {
		t.Errorf("FoundBy %q", s.FoundBy)
	}
	ps := layoutProblems(s)
	var codes []string
	for _, p := range ps {
		codes = append(codes, string(p.Severity)+" "+p.Code)
	}
	if strings.Join(codes, ",") != "error layout-unreadable,warning general-not-found" {
		t.Fatalf("problems %v", ps)
	}
	if msg := ps[0].Message; !strings.Contains(msg, "chỉ tìm thấy 1 trong") || !strings.Contains(msg, "biểu mẫu do hệ thống phát hành") {
		t.Errorf("message %q", msg)
	}
}

// TestReadByLayoutHandMade: a hand-made copy in the style of the seed 002
// table: serial codes "1,1" in column A, input keys alone in column A with
// the label in B, other column order, a two-row header, general
// information with numbered labels, an indicator missing.
func TestReadByLayoutHandMade(t *testing.T) {
	max := func(x float64) *float64 { return &x }
	r := &rubric.Rubric{ID: "test", General: []rubric.Input{
		{Key: "so_cbcc", Label: "Tổng số cán bộ công chức (CBCC)", Type: rubric.Count},
		{Key: "so_ho", Label: "Tổng số hộ gia đình", Type: rubric.Count},
	}, Pillars: []*rubric.Pillar{{Code: "1", Name: "Nhận thức số", Max: max(30), Indicators: []*rubric.Indicator{
		{Code: "1.1", Max: max(10), Inputs: []rubric.Input{{Key: "a", Label: "Số cuộc họp do Chủ tịch chủ trì", Type: rubric.Count}, {Key: "b", Label: "Tổng số cuộc họp", Type: rubric.Count}},
			Rule: &rubric.Rule{Kind: rubric.KindRatio, Num: "a", Den: "b"}},
		{Code: "1.2", Max: max(10), Inputs: []rubric.Input{{Key: "a", Label: "Có chuyên mục", Type: rubric.YesNo}},
			Rule: &rubric.Rule{Kind: rubric.KindYesNo, Input: "a"}},
		{Code: "1.3", Max: max(5), Inputs: []rubric.Input{{Key: "a", Label: "Số CBCC có máy tính", Type: rubric.Count}},
			Rule: &rubric.Rule{Kind: rubric.KindRatio, Num: "a", Den: "so_cbcc"}},
		{Code: "1.4", Max: max(5), Inputs: []rubric.Input{{Key: "a", Label: "Số tin bài", Type: rubric.Count}},
			Rule: &rubric.Rule{Kind: rubric.KindRatio, Num: "a", Den: "so_cbcc"}},
	}}}}
	f := excelize.NewFile()
	defer f.Close()
	const sh = "Sheet1"
	_ = f.SetSheetName(sh, "Biểu 01")
	cells := map[string]any{
		"A1": "BÁO CÁO", "A3": "Tên đơn vị:", "B3": "UBND xã Triệu Thành", "A4": "2. Địa chỉ", "B4": "thôn Cát Lợi",
		"A5": "3. Tổng số cán bộ công chức (CBCC)", "B5": 19.0, "A6": "4. Tổng số hộ gia đình trên địa bàn (hộ)", "B6": "1.234",
		"A8": "STT", "B8": "Chỉ số", "C8": "Điểm tối đa", "D8": "TỰ ĐÁNH GIÁ", "D9": "Điểm số tự chấm", "E9": "Số liệu", "F9": "Giải trình kết quả",
		"A10": "1", "B10": "Nhận thức số",
		"A11": "1,1", "B11": "Chủ tịch chủ trì họp", "D11": 5.0, "F11": "Đã họp 3 lần",
		"A12": "a", "B12": "Số cuộc họp do Chủ tịch chủ trì", "E12": "3 cuộc",
		"A13": "b", "B13": "Tổng số cuộc họp", "E13": 4.0,
		"A14": "1,2.", "B14": "Chuyên mục", "D14": 10.0, "E14": "Đã có",
		"A15": "1.4", "B15": "Tin bài", "D15": 2.0,
		"B16": "a) Số tin bài", "E16": "12",
		"A18": "1.1", "B18": "Chủ tịch chủ trì họp (bản in lặp lại)", "D18": 9.0,
	}
	for a, v := range cells {
		if err := f.SetCellValue("Biểu 01", a, v); err != nil {
			t.Fatal(err)
		}
	}
	f = reopen(t, f)
	s := readSubmission(excelSource{f}, r)
	if s.FoundBy != "layout" || s.Sheet != "Biểu 01" {
		t.Fatalf("FoundBy %q sheet %q", s.FoundBy, s.Sheet)
	}
	want := map[string]string{
		"1.1/a": "E12 3 cuộc", "1.1/b": "E13 4", "1.1/tu_cham": "D11 5", "1.1/giai_trinh": "F11 Đã họp 3 lần", "1.1/kiem_chung": "J11 ",
		"1.2/a": "E14 Đã có", "1.2/tu_cham": "D14 10", "1.4/a": "E16 12", "1.4/tu_cham": "D15 2",
		"general/so_cbcc": "B5 19", "general/so_ho": "B6 1.234",
	}
	for k, w := range want {
		c := s.Cells[k]
		if got := c.Addr + " " + c.Raw; got != w {
			t.Errorf("%s: %q, want %q", k, got, w)
		}
	}
	if s.UnitName != "UBND xã Triệu Thành" || s.Address != "thôn Cát Lợi" {
		t.Errorf("unit %q address %q", s.UnitName, s.Address)
	}
	if s.Values.General["so_ho"].Num != 1234 || s.Values.Inputs["1.1"]["a"].Num != 3 || s.Values.Inputs["1.2"]["a"].Num != 1 || s.Values.Self["1.1"] != 5 {
		t.Errorf("values %+v", s.Values)
	}
	var got []string
	for _, p := range layoutProblems(s) {
		got = append(got, fmt.Sprintf("%s %s %s", p.Severity, p.Code, p.Indicator))
	}
	if strings.Join(got, ",") != "warning indicator-duplicate 1.1,warning indicator-not-found 1.3" {
		t.Errorf("problems %v", layoutProblems(s))
	}
}

func TestNormCode(t *testing.T) {
	for in, want := range map[string]string{
		"1.1": "1.1", "1,1": "1.1", "1.1.": "1.1", " 1.1 ": "1.1", "1. 1": "1.1", "1\u00a0.1": "1.1",
		"I.1.1.3.a": "I.1.1.3.A", "1.2.2–1": "1.2.2-1", "1.1000000000000001": "1.1", "3.10": "3.10",
	} {
		if got := normCode(in); got != want {
			t.Errorf("normCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMatchInput(t *testing.T) {
	in := &rubric.Indicator{Code: "1.1", Inputs: []rubric.Input{{Key: "a", Label: "Số CBCC có máy tính"}, {Key: "b", Label: "Tổng số CBCC"}}}
	for _, tt := range []struct {
		row  []string
		want string
	}{
		{[]string{"", "a = Số CBCC có máy tính"}, "a"},
		{[]string{"", "a= Số CBCC"}, "a"},
		{[]string{"", "B. Tổng số"}, "b"},
		{[]string{"", "b: tổng"}, "b"},
		{[]string{"", "a) Số"}, "a"},
		{[]string{"b", "Tổng số CBCC"}, "b"},
		{[]string{"", "Tổng số CBCC của xã"}, "b"},
		{[]string{"", "tong so cbcc"}, "b"},
		{[]string{"", "ab = x"}, ""},
		{[]string{"", "Ghi chú"}, ""},
		{[]string{"", ""}, ""},
	} {
		got, _ := matchInput(in, tt.row, 5, map[string]int{})
		if got != tt.want {
			t.Errorf("matchInput(%q) = %q, want %q", tt.row, got, tt.want)
		}
	}
}

// TestReadByLayoutDamagedSheet: a form whose indicator sheet is cut off
// inside an intact zip (and whose names are gone) is reported damaged, not
// read in part: figures missing after the cut must not pass for zeros.
func TestReadByLayoutDamagedSheet(t *testing.T) {
	r := shippedRubric(t, "thanhhoa-xa-2023")
	f, want := filledTemplate(t, r, 16)
	defer f.Close()
	dropNames(t, f)
	// A damaged sheet cannot be calculated: pre-filled denominators carry
	// their value, as in any file Excel saved.
	calculateFormulaInputs(t, f, r, want)
	parts := zipParts(t, fileBytes(t, f))
	const path = "xl/worksheets/sheet3.xml"
	data, ok := partData(parts, path)
	if !ok {
		t.Fatalf("no %s", path)
	}
	end := strings.Index(string(data), "</sheetData>")
	if end < 0 {
		t.Fatalf("%s has no sheet data", path)
	}
	cut := rezip(t, parts, path, data[:end*6/10])
	for name, src := range map[string]func() source{
		"ooxml": func() source {
			b, err := Open(cut, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			return b.src
		},
		"excelize": func() source {
			g, err := excelize.OpenReader(strings.NewReader(string(cut)), fuzzOpen)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { g.Close() })
			return excelSource{g}
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := readSubmission(src(), r)
			codes := map[string]int{}
			for _, p := range layoutProblems(s) {
				codes[string(p.Severity)+" "+p.Code]++
			}
			if codes["error sheet-damaged"] != 1 {
				t.Errorf("problems %v", codes)
			}
		})
	}
}

// calculateFormulaInputs replaces the formula of every input cell with its
// value (the figures in want).
func calculateFormulaInputs(t *testing.T, f *excelize.File, r *rubric.Rubric, want *Submission) {
	t.Helper()
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		for _, x := range in.Inputs {
			c, ok := want.Cells[RawKey(in.Code, x.Key)]
			if fm, _ := f.GetCellFormula(c.Sheet, c.Addr); !ok || fm == "" {
				continue
			}
			var err error
			if v, perr := strconv.ParseFloat(c.Raw, 64); perr == nil && c.Number {
				err = f.SetCellFloat(c.Sheet, c.Addr, v, -1, 64)
			} else {
				err = f.SetCellValue(c.Sheet, c.Addr, c.Raw)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}
