package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// chisoIn runs the CLI with the given config file.
func chisoIn(t *testing.T, cfg string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"--config", cfg}, args...), &out, &errb)
	return out.String(), errb.String(), code
}

// provinceTable is a new year's table as a province would send it: a Word
// appendix with a title, a two-row header, a section, two pillars, methods
// of the usual phrasings and one the importer leaves todo.
func provinceTable() []byte {
	type C = testkit.DocxCell
	rows := [][]C{
		{{Text: "TT", VMerge: "restart"}, {Text: "Chỉ số/Chỉ số thành phần", VMerge: "restart"}, {Text: "QUY CHUẨN ĐÁNH GIÁ", Span: 2}},
		{{VMerge: "continue"}, {VMerge: "continue"}, {Text: "Điểm tối đa"}, {Text: "Phương pháp xác định và cách cho điểm"}},
		{{Text: "I"}, {Text: "Nhóm chỉ số chung", Span: 3}},
		{{Text: "1"}, {Text: "Nhận thức số"}, {Text: "50"}, {}},
		{{Text: "1.1"}, {Text: "Có Ban Chỉ đạo chuyển đổi số cấp xã"}, {Text: "20"}, {Text: "- Đã có: Điểm tối đa.\n- Chưa có: 0 điểm."}},
		{{Text: "1.2"}, {Text: "Tỷ lệ CBCC được trang bị máy tính"}, {Text: "30"}, {Text: "a = Số CBCC được trang bị máy tính.\vb = Tổng số CBCC.\n- Tỷ lệ = a/b.\n- Tỷ lệ ≥ 80%: Điểm tối đa.\n- Tỷ lệ < 80%: Tỷ lệ/80%*Điểm tối đa."}},
		{{Text: "2"}, {Text: "Hạ tầng số"}, {Text: "30"}, {}},
		{{Text: "2.1"}, {Text: "Tỷ lệ hộ gia đình có kết nối Internet cáp quang"}, {Text: "20"}, {Text: "Tính điểm theo phương pháp Min-Max, dựa vào địa phương có tỷ lệ cao nhất thì điểm tối đa và giảm dần."}},
		{{Text: "2.2"}, {Text: "Số camera an ninh kết nối về UBND xã"}, {Text: "10"}, {Text: "- Từ 10 camera trở lên: Điểm tối đa.\n- Từ 1 đến 9 camera: 1/2*Điểm tối đa.\n- Chưa có: 0 điểm."}},
		{{Text: "Tổng cộng", Span: 2}, {Text: "80"}, {}},
	}
	return testkit.Docx(testkit.DocxTable{Title: []string{"Phụ lục", "BỘ CHỈ SỐ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ CẤP XÃ NĂM 2025"}, Rows: rows})
}

// TestRubricImportWorkflow follows the README: import the province's table,
// fix the todo, rubric check, template, check a filled form, with the file
// in the config's rubrics folder.
func TestRubricImportWorkflow(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfg, []byte("rubric: xa-2025\nyear: 2025\nrubrics: bo-chi-so\ninbox: inbox\noutbox: outbox\ndata: data\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "bo-chi-so"), 0o755)
	table := filepath.Join(dir, "Phu luc bo chi so 2025.docx")
	os.WriteFile(table, provinceTable(), 0o644)
	file := filepath.Join(dir, "bo-chi-so", "xa-2025.yaml")

	// 1. Import.
	out, errs, code := chisoIn(t, cfg, "rubric", "import", table, "--id", "xa-2025", "--out", file)
	if code != exitOK {
		t.Fatalf("import: exit %d\n%s%s", code, out, errs)
	}
	for _, s := range []string{"2 trụ cột, 4 chỉ số: 3 đọc được cách tính, 1 còn todo", "2.1      bảng 1, hàng 8: Phương pháp Min-Max không nêu số liệu", "chiso rubric check " + file} {
		if !strings.Contains(out, s) {
			t.Errorf("import output lacks %q:\n%s", s, out)
		}
	}
	if _, _, code := chisoIn(t, cfg, "rubric", "import", table, "--id", "xa-2025", "--out", file); code != exitFailed {
		t.Errorf("import over an existing file without --force: exit %d", code)
	}

	// 2. rubric check lists the todo and fails.
	out, _, code = chisoIn(t, cfg, "rubric", "check", file)
	if code != exitFailed || !strings.Contains(out, "todo") || !strings.Contains(out, "2.1") {
		t.Fatalf("check with a todo: exit %d\n%s", code, out)
	}

	// 3. The officer writes the method the province meant and deletes the todo.
	data, _ := os.ReadFile(file)
	r, err := rubric.Parse(bytes.NewReader(data), file)
	if err != nil {
		t.Fatal(err)
	}
	_, in := r.Indicator("2.1")
	in.Todo = ""
	in.Inputs = []rubric.Input{{Key: "a", Label: "Số hộ gia đình có kết nối Internet cáp quang", Type: rubric.Count}, {Key: "b", Label: "Tổng số hộ gia đình", Type: rubric.Count}}
	in.Rule = &rubric.Rule{Kind: rubric.KindCohort, Num: "a", Den: "b", Method: "best"}
	fixed, err := yaml.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(file, fixed, 0o644)
	out, _, code = chisoIn(t, cfg, "rubric", "check", file)
	if code != exitOK || !strings.Contains(out, "  0 lỗi,") {
		t.Fatalf("check after the fix: exit %d\n%s", code, out)
	}

	// 4. The template, from the rubrics folder by id.
	out, errs, code = chisoIn(t, cfg, "template", "--out", filepath.Join(dir, "bieu-mau"))
	if code != exitOK {
		t.Fatalf("template: exit %d %s", code, errs)
	}
	form := strings.TrimSpace(out)

	// 5. A commune fills it; check scores it.
	f, err := openXLSX(form)
	if err != nil {
		t.Fatal(err)
	}
	named := workbook.Named(f)
	set := func(name string, v any) {
		t.Helper()
		c, ok := named[name]
		if !ok {
			t.Fatalf("template has no name %s", name)
		}
		if err := f.SetCellValue(c.Sheet, c.Addr, v); err != nil {
			t.Fatal(err)
		}
	}
	set(workbook.NameUnitName, "Xã Thử Nghiệm")
	set(workbook.InputName("1.1", "a"), "Có")
	set(workbook.InputName("1.2", "a"), 12)
	set(workbook.InputName("1.2", "b"), 20)
	set(workbook.InputName("2.1", "a"), 300)
	set(workbook.InputName("2.1", "b"), 400)
	set(workbook.InputName("2.2", "a"), 4)
	filled := filepath.Join(dir, "xa-thu-nghiem.xlsx")
	if err := f.SaveAs(filled); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, errs, code = chisoIn(t, cfg, "check", "--json", filled)
	if code != exitOK {
		t.Fatalf("check: exit %d %s", code, errs)
	}
	var res CheckJSON
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	// 1.1: 20; 1.2: 60 % of an 80 % target → 0.75 × 30 = 22.5; 2.2: 1–9 cameras → 5; 2.1 settles with the cohort.
	if res.Outcome != "accepted" || res.Score == nil || res.Score.Rubric != "xa-2025" || res.Score.Total != 47.5 || res.Score.Max != 80 {
		t.Fatalf("check: %s %s, score %+v", res.Outcome, res.Message, res.Score)
	}
}

func TestRubricImportRefuses(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bang.txt")
	os.WriteFile(bad, []byte("TT;Chỉ số;Điểm tối đa;Phương pháp\n1;Nhận thức số;20;\n1.1;Có Ban Chỉ đạo;hai mươi;- Đã có: Điểm tối đa.\n"), 0o644)
	pdf := filepath.Join(dir, "bang.pdf")
	os.WriteFile(pdf, []byte("%PDF-1.4 ..."), 0o644)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"rubric", "import"}, exitUsage, "cần đúng 1 tham số FILE"},
		{[]string{"rubric", "import", bad, "--out", filepath.Join(dir, "x.yaml")}, exitFailed, "dòng 3 (1.1): điểm tối đa «hai mươi» không phải là số"},
		{[]string{"rubric", "import", pdf}, exitFailed, "tệp PDF"},
		{[]string{"rubric", "import", filepath.Join(dir, "khong-co.docx")}, exitFailed, "khong-co.docx"},
		{[]string{"rubric", "diff", "thanhhoa-xa-2023"}, exitUsage, "cần đúng 2 tham số A B"},
		{[]string{"rubric", "diff", "thanhhoa-xa-2023", "khong-co"}, exitUsage, "không có bộ chỉ số"},
	}
	for _, tt := range tests {
		out, errs, code := chiso(t, tt.args...)
		if code != tt.code || !strings.Contains(out+errs, tt.want) {
			t.Errorf("%v: exit %d, want %d with %q:\n%s%s", tt.args, code, tt.code, tt.want, out, errs)
		}
	}
}

// TestRubricDiffCommand prints what rubric.Compare says, ids or files.
func TestRubricDiffCommand(t *testing.T) {
	out, errs, code := chiso(t, "rubric", "diff", "quangtri-xa-2022", "../../templates/thanhhoa-xa-2023.yaml")
	want, err := os.ReadFile("../../processor/rubric/testdata/diff/quangtri-xa-2022__thanhhoa-xa-2023.txt")
	if err != nil {
		t.Fatal(err)
	}
	if code != exitOK || out != string(want) {
		t.Errorf("exit %d %s; output differs from the golden file", code, errs)
	}
}

// TestRubricCheckComparesRubrics: a rubric whose method text is the same
// as a shipped one's but whose zero-denominator decision differs is
// reported when checked.
func TestRubricCheckComparesRubrics(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tinh-xa-2025.yaml")
	os.WriteFile(p, []byte(`id: tinh-xa-2025
name: thử
level: xa
year: 2025
max: 20
pillars:
  - code: "5"
    name: An toàn thông tin mạng
    max: 20
    indicators:
      - code: "5.2"
        name: Tỷ lệ sự cố đã xử lý
        max: 20
        method: |-
          a = Số lượng sự cố đã xử lý. b = Tổng số các sự cố.
          - Tỷ lệ = a/b.
          - Điểm = Tỷ lệ*Điểm tối đa.
        inputs: [{key: a, label: x, type: count}, {key: b, label: y, type: count}]
        rule: {kind: ratio, num: a, den: b}
`), 0o644)
	out, _, code := chiso(t, "rubric", "check", p)
	if code != exitOK || !strings.Contains(out, "zero-den-differs") || !strings.Contains(out, "thanhhoa-xa-2023 5.2") || !strings.Contains(out, "xuanlac-xa-2023 5.7") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
