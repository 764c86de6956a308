package ooxml_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// Reading a commune's workbook: its metadata, a cell through a defined
// name, the cells of a row.
func ExampleOpen() {
	data, err := os.ReadFile("testdata/producers/excelize-filled.xlsx")
	if err != nil {
		panic(err)
	}
	b, err := ooxml.Open(data, ooxml.Limits{}) // the default limits
	var le *ooxml.LimitError
	switch {
	case errors.As(err, &le):
		fmt.Println("too large:", le.Limit)
		return
	case errors.Is(err, ooxml.ErrEncrypted), errors.Is(err, ooxml.ErrNotZip), errors.Is(err, ooxml.ErrDamaged):
		fmt.Println("not a usable workbook:", err)
		return
	case err != nil:
		panic(err)
	}
	rubric, _, _ := b.Property("chiso_rubric_id")
	fmt.Println("rubric:", rubric)
	for _, s := range b.Sheets() {
		fmt.Printf("%s (%s)\n", s.Name, s.State)
	}
	sh, err := b.ReadSheet("Thông tin chung")
	if err != nil {
		panic(err)
	}
	for _, d := range b.DefinedNames() {
		if d.Name == "don_vi_ten" { // 'Thông tin chung'!$B$3
			_, ref, _ := strings.Cut(d.RefersTo, "!")
			fmt.Println("unit:", sh.CellAt(ref).Value)
		}
	}
	// Output:
	// rubric: thanhhoa-xa-2023
	// Hướng dẫn (visible)
	// Thông tin chung (visible)
	// Chỉ số (visible)
	// _danh_sach (veryHidden)
	// _chiso (veryHidden)
	// unit: Xã Thử Nghiệm 1
}

// Annotating a workbook: a value and a colour on the commune's sheet, a
// comment, a result sheet put first and made active.
func ExampleBook_Patch() {
	data, err := os.ReadFile("testdata/producers/excelize-filled.xlsx")
	if err != nil {
		panic(err)
	}
	b, err := ooxml.Open(data, ooxml.Limits{})
	if err != nil {
		panic(err)
	}
	const sheet = "Chỉ số"
	sh, err := b.ReadSheet(sheet)
	if err != nil {
		panic(err)
	}
	p := b.Patch()

	// The system's score beside the self-score, text never as a formula.
	score, _ := p.AddStyle(ooxml.Style{NumFmt: "#,##0.00", Font: &ooxml.Font{Name: "Times New Roman", Size: 12}})
	p.SetCell(sheet, 12, 8, ooxml.Number(17.5), score)
	p.SetValue(sheet, 14, 8, ooxml.Text("=không phải công thức"))
	p.SetColWidth(sheet, 12, 14, 14)

	// A problem cell: its own style with a red fill, and a comment.
	e9 := sh.CellAt("E9")
	red, _ := p.DeriveFill(e9.Style, ooxml.SolidFill("FFC7CE"))
	p.SetStyle(sheet, e9.Col, e9.Row, red)
	p.SetComments(sheet, []ooxml.Comment{{Ref: "E9", Author: "chiso", Runs: []ooxml.Run{
		{Text: "Lỗi: ", Bold: true}, {Text: "số liệu không phải là số."}}}})

	// The result sheet.
	w := ooxml.NewSheetWriter()
	w.WriteRow(1, 24, ooxml.CellValue{Col: 1, Value: ooxml.Text("KẾT QUẢ CHẤM ĐIỂM")})
	w.Merge(ooxml.Range{Col1: 1, Row1: 1, Col2: 6, Row2: 1})
	w.SetPageSetup(ooxml.PageSetup{Landscape: true, FitToWidth: true})
	p.AddSheet("Kết quả chấm", 0, w)
	p.SetActiveSheet("Kết quả chấm")

	var out bytes.Buffer
	if err := p.Write(&out); err != nil {
		panic(err)
	}
	r, _ := ooxml.Open(out.Bytes(), ooxml.Limits{})
	rs, _ := r.ReadSheet(sheet)
	st, _ := r.Styles()
	fmt.Println(r.Sheets()[r.ActiveTab()].Name)
	fmt.Println(rs.CellAt("L8").Value, rs.CellAt("N8").Value, rs.CellAt("N8").HasFormula)
	fmt.Println(st.Fill(rs.CellAt("E9").Style).FG.Hex())
	// Output:
	// Kết quả chấm
	// 17.5 =không phải công thức false
	// FFC7CE
}
