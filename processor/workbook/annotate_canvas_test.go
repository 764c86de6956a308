package workbook

import (
	"bytes"
	"io"
	"strconv"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/workbook/ooxml"
)

// annotateOOXML annotates a workbook's bytes as production does: Open,
// Annotate on ooxml's patcher, Write.
func annotateOOXML(t testing.TB, data []byte, a Annotation) []byte {
	t.Helper()
	b, err := Open(data, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := b.Annotate(a); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := b.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// annotateExcelize annotates a workbook's bytes as chiso did before the
// ooxml writer: opened with excelize, annotated on it, saved through
// chiso's zip writer.
func annotateExcelize(t testing.TB, data []byte, a Annotation) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := annotate(newExcelCanvas(f), a); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := write(f, &out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// annotateFile annotates an excelize workbook the production way and
// returns the result opened in excelize.
func annotateFile(t testing.TB, f *excelize.File, a Annotation) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f.Close()
	g, err := excelize.OpenReader(bytes.NewReader(annotateOOXML(t, buf.Bytes(), a)))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// BenchmarkAnnotate: the Triệu Thành workbook opened, read, annotated and
// saved, with the annotator on excelize (before) and on ooxml's patcher
// (now); and excelize alone opening, reading every cell and saving, the
// yardstick of issue 11.
func BenchmarkAnnotate(b *testing.B) {
	r, f := trieuThanhWorkbook(b)
	var src bytes.Buffer
	if err := f.Write(&src); err != nil {
		b.Fatal(err)
	}
	data := src.Bytes()
	sub := readSubmission(excelSource{f}, r)
	sc, _ := engine.New(r)
	res := sc.Score(sub.Values)
	a := Annotation{Rubric: r, Sub: sub, Result: res, Problems: trieuThanhProblems(sub), Unit: "Xã Triệu Thành", Year: 2023}
	b.Run("excelize-open-read-save", func(b *testing.B) {
		for b.Loop() {
			g, err := excelize.OpenReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			for _, s := range g.GetSheetList() {
				if _, err := g.GetRows(s); err != nil {
					b.Fatal(err)
				}
			}
			if err := g.Write(io.Discard); err != nil {
				b.Fatal(err)
			}
			g.Close()
		}
	})
	b.Run("before-excelize", func(b *testing.B) {
		for b.Loop() {
			bk, err := Open(data, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			bk.Read(r)
			g, err := excelize.OpenReader(bytes.NewReader(data))
			if err != nil {
				b.Fatal(err)
			}
			if err := annotate(newExcelCanvas(g), a); err != nil {
				b.Fatal(err)
			}
			if err := write(g, io.Discard); err != nil {
				b.Fatal(err)
			}
			g.Close()
			bk.Close()
		}
	})
	b.Run("now-ooxml", func(b *testing.B) {
		for b.Loop() {
			bk, err := Open(data, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			bk.Read(r)
			if err := bk.Annotate(a); err != nil {
				b.Fatal(err)
			}
			if err := bk.Write(io.Discard); err != nil {
				b.Fatal(err)
			}
			bk.Close()
		}
	})
}

// builtinFormats are Excel's built-in number formats by id, as excelize's
// GetStyle leaves them (NumFmt set, no CustomNumFmt).
var builtinFormats = map[int]string{
	0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%", 11: "0.00E+00",
	12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm", 17: "mmm-yy", 18: "h:mm AM/PM",
	19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss", 22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)",
	38: "#,##0 ;[Red](#,##0)", 39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss",
	46: "[h]:mm:ss", 47: "mmss.0", 48: "##0.0E+0", 49: "@",
}

// numFmtCode is a style's number format code, built-in or custom: the
// ooxml writer refers to a built-in format by its id where excelize
// writes the code again.
func numFmtCode(st *excelize.Style) string {
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	if c, ok := builtinFormats[st.NumFmt]; ok {
		return c
	}
	return "#" + strconv.Itoa(st.NumFmt)
}

// TestFillRecord: the bookkeeping sheet's record of a fill reads back the
// same fill, in excelize's form where it can say it (as chiso wrote it
// before the ooxml writer) and exactly otherwise; records excelize wrote
// read too.
func TestFillRecord(t *testing.T) {
	for _, tc := range []struct {
		fill ooxml.Fill
		json string // "" when not excelize's form
	}{
		{ooxml.Fill{Pattern: "none"}, `{"Type":"pattern","Pattern":0,"Color":null,"Shading":0,"Transparency":0}`},
		{ooxml.SolidFill("FFF2CC"), `{"Type":"pattern","Pattern":1,"Color":["FFF2CC"],"Shading":0,"Transparency":0}`},
		{ooxml.Fill{Pattern: "solid", FG: ooxml.RGB("FFFFF2CC"), BG: ooxml.Color{Kind: ooxml.ColorIndexed, Index: 64}}, `{"Type":"pattern","Pattern":1,"Color":["FFF2CC"],"Shading":0,"Transparency":0}`},
		{ooxml.Fill{Pattern: "solid", FG: ooxml.Color{Kind: ooxml.ColorTheme, Index: 4, Tint: 0.6}}, ""},
		{ooxml.Fill{Pattern: "gray125", FG: ooxml.RGB("FF0000"), BG: ooxml.Color{Kind: ooxml.ColorIndexed, Index: 9}}, ""},
		{ooxml.Fill{Pattern: "solid", FG: ooxml.Color{Kind: ooxml.ColorAuto}}, ""},
	} {
		rec := encodeFill(tc.fill)
		if tc.json != "" && rec != tc.json {
			t.Errorf("%+v recorded as %s, want %s", tc.fill, rec, tc.json)
		}
		got, err := decodeFill(rec)
		want := tc.fill
		if tc.json != "" && want.Pattern == "solid" {
			want.BG = ooxml.Color{} // excelize's form has no background
		}
		if err != nil || got.Pattern != want.Pattern || got.FG.Hex() != want.FG.Hex() || got.FG.Kind != want.FG.Kind ||
			got.FG.Index != want.FG.Index || got.FG.Tint != want.FG.Tint || got.BG.Kind != want.BG.Kind || got.BG.Index != want.BG.Index {
			t.Errorf("%s reads as %+v (%v), want %+v", rec, got, err, want)
		}
	}
	for rec, want := range map[string]string{
		`{"Type":"pattern","Pattern":1,"Color":["00FF0000"],"Shading":0,"Transparency":0}`: "solid FF0000", // openpyxl's alpha, kept by excelize
		`{"Type":"pattern","Pattern":17,"Color":["D9E1F2"]}`:                               "gray125 D9E1F2",
		`{"Type":"gradient","Pattern":0,"Color":["FFFFFF","000000"],"Shading":1}`:          "none ",
	} {
		f, err := decodeFill(rec)
		if got := f.Pattern + " " + f.FG.Hex(); err != nil || got != want {
			t.Errorf("%s reads as %q (%v), want %q", rec, got, err, want)
		}
	}
	for _, bad := range []string{`{"Type":"pattern","Pattern":99}`, `{"Type":"?"}`, `not json`} {
		if _, err := decodeFill(bad); err == nil {
			t.Errorf("%s read", bad)
		}
	}
}

// TestLookStyle: a look becomes the same format on ooxml as styleSet makes
// with excelize, built-in number formats named by number included.
func TestLookStyle(t *testing.T) {
	s := lookStyle(look{bold: true, fill: fillTotal, border: true, numFmtID: numFmtPoints, h: "center", wrap: true})
	if s.NumFmt != "#,##0.00" || !s.Font.Bold || s.Font.Name != fontName || s.Font.Size != 12 || s.Fill.FG.Hex() != fillTotal ||
		s.Border.Left.Color != colorBorder || !s.Alignment.Wrap || !s.Protection.Locked {
		t.Errorf("%+v", s)
	}
	if s := lookStyle(look{numFmt: fmtDiff, unlocked: true}); s.NumFmt != fmtDiff || s.Protection.Locked || s.Alignment != nil || s.Fill != nil {
		t.Errorf("%+v", s)
	}
}

// TestCalcWithoutExcelize: the pre-filled denominators of a form filled by
// a program (formulas without a cached value) read as excelize computes
// them, without opening the workbook again in excelize; other formulas
// still go to excelize.
func TestCalcWithoutExcelize(t *testing.T) {
	r, f := trieuThanhWorkbook(t)
	sheet := SheetScores
	// Formulas the template writes, and one it does not.
	cases := map[string]string{
		"Z1": "'Thông tin chung'!$B$13",                                             // a reference
		"Z2": `IF(LEN(TRIM('Thông tin chung'!$B$13))=0,"",'Thông tin chung'!$B$13)`, // a pre-filled denominator
		"Z3": `IF(LEN(TRIM('Thông tin chung'!$B$40))=0,"",'Thông tin chung'!$B$40)`, // … of a blank field
		"Z4": "$E$20",                                                               // same sheet
		"Z5": "'Thông tin chung'!$B$3",                                              // text
		"Z6": "10+9",                                                                // not the template's: excelize
	}
	for addr, fm := range cases {
		if err := f.SetCellFormula(sheet, addr, fm); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	b, err := Open(buf.Bytes(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	b.Read(r) // the template's own pre-filled cells, if any
	for addr := range cases {
		if addr == "Z6" {
			continue
		}
		want, err := g.CalcCellValue(sheet, addr, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		if c := readCellCalc(b.src, sheet, addr); c.Raw != want {
			t.Errorf("%s = %s: %q, excelize %q", addr, cases[addr], c.Raw, want)
		}
	}
	if b.src.excel != nil {
		t.Errorf("excelize opened for the template's own formulas")
	}
	if c := readCellCalc(b.src, sheet, "Z6"); c.Raw != "19" || b.src.excel == nil {
		t.Errorf("10+9 = %q (excelize opened: %v)", c.Raw, b.src.excel != nil)
	}
}
