package docx_test

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/docx"
	"github.com/chiso-vn/chiso/processor/rubric/importer"
)

type C = testkit.DocxCell

func cells(t *testing.T, tb importer.Table) [][]string {
	t.Helper()
	var out [][]string
	for _, r := range tb.Rows {
		out = append(out, r.Cells)
	}
	return out
}

func TestReadTables(t *testing.T) {
	tests := []struct {
		name   string
		tables []testkit.DocxTable
		want   [][][]string // per table, rows of cells
		merges map[[3]int]importer.Merge
		title  []string
	}{
		{
			name: "plain cells, paragraphs and line breaks",
			tables: []testkit.DocxTable{{Title: []string{"PHỤ LỤC", "BỘ CHỈ SỐ CẤP XÃ NĂM 2025"}, Rows: [][]C{
				{{Text: "TT"}, {Text: "Chỉ số"}, {Text: "Điểm tối đa"}, {Text: "Phương pháp"}},
				{{Text: "1.1"}, {Text: "Có Ban Chỉ đạo"}, {Text: "20"}, {Text: "- Đã có: Điểm tối đa.\n- Chưa có: 0 điểm."}},
				{{Text: "1.2"}, {Text: "Tỷ lệ\vCBCC có máy tính"}, {Text: "10"}, {Text: "a = Số CBCC có máy tính.\vb = Tổng số CBCC."}},
			}}},
			want: [][][]string{{
				{"TT", "Chỉ số", "Điểm tối đa", "Phương pháp"},
				{"1.1", "Có Ban Chỉ đạo", "20", "- Đã có: Điểm tối đa.\n- Chưa có: 0 điểm."},
				{"1.2", "Tỷ lệ\nCBCC có máy tính", "10", "a = Số CBCC có máy tính.\nb = Tổng số CBCC."},
			}},
			title: []string{"PHỤ LỤC", "BỘ CHỈ SỐ CẤP XÃ NĂM 2025"},
		},
		{
			name: "merged cells: a span repeats its text, a vertical merge takes the text above",
			tables: []testkit.DocxTable{{Rows: [][]C{
				{{Text: "TT", VMerge: "restart"}, {Text: "Chỉ số", VMerge: "restart"}, {Text: "QUY CHUẨN ĐÁNH GIÁ", Span: 2}},
				{{VMerge: "continue"}, {VMerge: "continue"}, {Text: "Điểm tối đa"}, {Text: "Phương pháp"}},
				{{Text: "I"}, {Text: "Nhóm chỉ số chung", Span: 3}},
			}}},
			want: [][][]string{{
				{"TT", "Chỉ số", "QUY CHUẨN ĐÁNH GIÁ", "QUY CHUẨN ĐÁNH GIÁ"},
				{"TT", "Chỉ số", "Điểm tối đa", "Phương pháp"},
				{"I", "Nhóm chỉ số chung", "Nhóm chỉ số chung", "Nhóm chỉ số chung"},
			}},
			merges: map[[3]int]importer.Merge{
				{0, 0, 3}: importer.FromLeft, {0, 1, 0}: importer.FromAbove, {0, 1, 1}: importer.FromAbove,
				{0, 1, 2}: importer.Own, {0, 2, 1}: importer.Own, {0, 2, 2}: importer.FromLeft,
			},
		},
		{
			name: "two tables, the paragraphs between them are the second one's title",
			tables: []testkit.DocxTable{
				{Rows: [][]C{{{Text: "a"}, {Text: "b"}}}},
				{Title: []string{"(tiếp theo)"}, Rows: [][]C{{{Text: "c"}, {Text: "d"}}}},
			},
			want: [][][]string{{{"a", "b"}}, {{"c", "d"}}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := docx.ReadTables(testkit.Docx(tt.tables...), docx.DefaultLimits)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("%d tables, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if g, w := cells(t, got[i]), tt.want[i]; !equal(g, w) {
					t.Errorf("table %d:\n got %q\nwant %q", i, g, w)
				}
				if got[i].Name == "" || got[i].Rows[0].N != 1 {
					t.Errorf("table %d: name %q, first row %d", i, got[i].Name, got[i].Rows[0].N)
				}
			}
			for k, m := range tt.merges {
				r := got[k[0]].Rows[k[1]]
				if _, gm := r.Cell(k[2]); gm != m {
					t.Errorf("table %d row %d cell %d: merge %v, want %v", k[0], k[1], k[2], gm, m)
				}
			}
			if tt.title != nil && strings.Join(got[0].Title, "|") != strings.Join(tt.title, "|") {
				t.Errorf("title %q, want %q", got[0].Title, tt.title)
			}
			if len(tt.tables) > 1 && strings.Join(got[1].Title, "|") != "(tiếp theo)" {
				t.Errorf("second title %q", got[1].Title)
			}
		})
	}
}

func equal(a, b [][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if strings.Join(a[i], "\x00") != strings.Join(b[i], "\x00") {
			return false
		}
	}
	return true
}

// TestWordQuirks: what Word writes beside the text is not text.
func TestWordQuirks(t *testing.T) {
	doc := `<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>
<w:p><w:r><w:t>BỘ CHỈ SỐ</w:t></w:r></w:p>
<w:tbl><w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>
<w:tc><w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr><w:r><w:t>1</w:t></w:r><w:r><w:tab/><w:t>.1</w:t></w:r></w:p></w:tc>
<w:tc><w:p><w:r><w:t>Có</w:t></w:r><w:del><w:r><w:delText>XÓA</w:delText></w:r></w:del><w:r><w:instrText> PAGE </w:instrText></w:r><w:r><w:t xml:space="preserve"> Ban</w:t></w:r><w:r><w:noBreakHyphen/><w:t>Chỉ đạo</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>bảng con</w:t></w:r></w:p></w:tc></w:tr></w:tbl></w:tc>
</w:tr></w:tbl></w:body></w:document>`
	got, err := docx.ReadTables(zipOf(t, map[string]string{"word/document.xml": doc}), docx.DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"", "1 .1", "Có Ban-Chỉ đạo\nbảng con"}}
	if g := cells(t, got[0]); !equal(g, want) {
		t.Errorf("got %q, want %q", g, want)
	}
	if strings.Join(got[0].Title, "|") != "BỘ CHỈ SỐ" {
		t.Errorf("title %q", got[0].Title)
	}
}

func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestHostileFiles: every bound gives an error naming the problem.
func TestHostileFiles(t *testing.T) {
	bomb := `<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>` + strings.Repeat("A", 3<<20) + `</w:t></w:r></w:p></w:body></w:document>`
	manyRows := `<w:document xmlns:w="x"><w:body><w:tbl>` + strings.Repeat(`<w:tr><w:tc><w:p/></w:tc></w:tr>`, 200) + `</w:tbl></w:body></w:document>`
	wide := `<w:document xmlns:w="x"><w:body><w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="150"/></w:tcPr></w:tc><w:tc><w:tcPr><w:gridSpan w:val="150"/></w:tcPr></w:tc></w:tr></w:tbl></w:body></w:document>`
	small := docx.Limits{File: 1 << 20, Entries: 10, Part: 1 << 20, Rows: 100, Cells: 200}
	many := map[string]string{}
	for i := range 20 {
		many[strings.Repeat("x", i+1)] = "x"
	}
	tests := []struct {
		name string
		data []byte
		lim  docx.Limits
		is   error
		says string
	}{
		{"not a zip", []byte("hello"), docx.DefaultLimits, docx.ErrNotDocx, "zip"},
		{"Word 97-2003", append([]byte{0xd0, 0xcf, 0x11, 0xe0}, make([]byte, 100)...), docx.DefaultLimits, docx.ErrNotDocx, ".doc"},
		{"PDF", []byte("%PDF-1.7 ..."), docx.DefaultLimits, docx.ErrNotDocx, "PDF"},
		{"no document part", zipOf(t, map[string]string{"a.txt": "x"}), docx.DefaultLimits, docx.ErrNotDocx, "word/document.xml"},
		{"file too large", make([]byte, 2<<20), small, docx.ErrTooLarge, "KB"},
		{"part unzips too large", zipOf(t, map[string]string{"word/document.xml": bomb}), small, docx.ErrTooLarge, "MB"},
		{"too many zip entries", zipOf(t, many), small, docx.ErrTooLarge, "phần"},
		{"too many rows", zipOf(t, map[string]string{"word/document.xml": manyRows}), small, docx.ErrTooLarge, "hàng"},
		{"too wide", zipOf(t, map[string]string{"word/document.xml": wide}), small, docx.ErrTooLarge, "ô"},
		{"broken XML", zipOf(t, map[string]string{"word/document.xml": "<w:document><w:body><w:tbl"}), docx.DefaultLimits, docx.ErrNotDocx, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := docx.ReadTables(tt.data, tt.lim)
			if err == nil || !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want %v saying %q", err, tt.is, tt.says)
			}
		})
	}
}

// FuzzReadTables: any bytes give tables or an error, never a panic, and a
// table's rows are never wider than the limit.
func FuzzReadTables(f *testing.F) {
	f.Add(testkit.Docx(testkit.DocxTable{Title: []string{"BỘ CHỈ SỐ"}, Rows: [][]C{
		{{Text: "TT", VMerge: "restart"}, {Text: "Chỉ số"}, {Text: "Điểm", Span: 2}},
		{{VMerge: "continue"}, {Text: "Có\vKhông"}, {Text: "10"}, {Text: "x\ny"}},
	}}))
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte{})
	// A file written by LibreOffice (the importer's corpus of a second producer).
	if b, err := os.ReadFile("../rubric/importer/testdata/libreoffice/thanhhoa-xa-2023.docx"); err == nil {
		f.Add(b)
	}
	lim := docx.Limits{File: 1 << 20, Entries: 50, Part: 1 << 20, Rows: 500, Cells: 50}
	f.Fuzz(func(t *testing.T, data []byte) {
		tables, err := docx.ReadTables(data, lim)
		if err != nil {
			return
		}
		for _, tb := range tables {
			for _, r := range tb.Rows {
				if len(r.Cells) > lim.Cells || len(r.Merge) != len(r.Cells) {
					t.Fatalf("row of %d cells, %d merges", len(r.Cells), len(r.Merge))
				}
			}
		}
	})
}

// FuzzDocumentXML fuzzes the WordprocessingML inside a valid package, where
// random bytes rarely reach: merges, spans, nesting, broken markup.
func FuzzDocumentXML(f *testing.F) {
	f.Add(`<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>T</w:t></w:r></w:p><w:tbl><w:tr><w:trPr><w:gridBefore w:val="2"/></w:trPr><w:tc><w:tcPr><w:gridSpan w:val="3"/><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>a</w:t><w:br/><w:t>b</w:t></w:r></w:p></w:tc></w:tr><w:tr><w:tc><w:tcPr><w:vMerge/><w:hMerge/></w:tcPr><w:tbl><w:tr><w:tc><w:p/></w:tc></w:tr></w:tbl></w:tc></w:tr></w:tbl></w:body></w:document>`)
	f.Add(`<w:tbl><w:tc><w:tr><w:tc></w:tbl></w:tr>`)
	f.Add(`<w:tc><w:tcPr><w:gridSpan w:val="99999999999"/></w:tcPr></w:tc>`)
	lim := docx.Limits{File: 1 << 20, Entries: 50, Part: 1 << 20, Rows: 500, Cells: 50}
	f.Fuzz(func(t *testing.T, doc string) {
		tables, err := docx.ReadTables(zipOf(t, map[string]string{"word/document.xml": doc}), lim)
		if err != nil {
			return
		}
		for _, tb := range tables {
			for _, r := range tb.Rows {
				if len(r.Cells) > lim.Cells || len(r.Merge) != len(r.Cells) {
					t.Fatalf("row of %d cells, %d merges", len(r.Cells), len(r.Merge))
				}
			}
		}
	})
}
