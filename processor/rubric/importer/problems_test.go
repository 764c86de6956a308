package importer_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/rubric/importer"
)

// importText imports a ";"-separated table; "\n" inside a cell is written \n.
func importText(t *testing.T, lines ...string) (*importer.Result, error) {
	t.Helper()
	tb, err := importer.ParseText([]byte(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatalf("ParseText: %v", err)
	}
	return importer.Import([]importer.Table{tb}, importer.Options{Source: "bang-2025.txt", Year: 2025})
}

const (
	hdr   = "TT;Chỉ số;Điểm tối đa;Phương pháp"
	yesNo = `- Đã có: Điểm tối đa.\n- Chưa có: 0 điểm.`
)

// TestBadTables: each problem a table can have gets a message naming its
// row; the ones that make the table unusable stop the import.
func TestBadTables(t *testing.T) {
	tests := []struct {
		name  string
		lines []string
		fatal bool
		want  string // in the message, with the row
	}{
		{"no header", []string{"1;Nhận thức số;20;", "1.1;Có Ban Chỉ đạo;20;" + yesNo}, true,
			"không tìm thấy dòng tiêu đề của bảng chỉ số"},
		{"maximum not a number", []string{hdr, "1;Nhận thức số;20;", "1.1;Có Ban Chỉ đạo;hai mươi;" + yesNo}, true,
			"dòng 3 (1.1): điểm tối đa «hai mươi» không phải là số"},
		{"pillar maximum not a number", []string{hdr, "1;Nhận thức số;100đ x;", "1.1;Có Ban Chỉ đạo;20;" + yesNo}, true,
			"dòng 2 (1): điểm tối đa «100đ x» không phải là số"},
		{"duplicate code", []string{hdr, "1;Nhận thức số;40;", "1.1;Có Ban Chỉ đạo;20;" + yesNo, "1.1;Có kế hoạch;20;" + yesNo}, true,
			"dòng 4 (1.1): mã 1.1 đã dùng ở dòng 3"},
		{"indicator under no pillar", []string{hdr, "1;Nhận thức số;20;", "1.1;Có Ban Chỉ đạo;20;" + yesNo, "2.1;Có kế hoạch;20;" + yesNo}, true,
			"dòng 4 (2.1): chỉ số 2.1 không nằm dưới trụ cột hay chỉ số nào: bảng không có hàng mã 2"},
		{"no indicator rows", []string{hdr, "Tổng cộng;;100;"}, true,
			"không có hàng chỉ số nào"},
		{"pillar maxima that do not add up", []string{hdr, "1;Nhận thức số;100;", "1.1;Có Ban Chỉ đạo;20;" + yesNo}, false,
			"dòng 2 (1): trụ cột 1 «Nhận thức số» ghi 100 điểm nhưng các chỉ số cộng lại 20 điểm"},
		{"grand total that does not add up", []string{hdr, "1;Nhận thức số;20;", "1.1;Có Ban Chỉ đạo;20;" + yesNo, ";Tổng cộng;1.000;"}, false,
			"dòng 4: tổng điểm ghi 1.000 nhưng các trụ cột cộng lại 20"},
		{"parent maxima that do not add up", []string{hdr, "1;Nhận thức số;20;", "1.1;Tuyên truyền;20;", "1.1.1;Có chuyên mục;10;" + yesNo}, false,
			"dòng 3 (1.1): chỉ số 1.1 ghi 20 điểm nhưng các chỉ số con cộng lại 10 điểm"},
		{"empty method", []string{hdr, "1;Nhận thức số;20;", "1.1;Có Ban Chỉ đạo;20;"}, false,
			"dòng 3 (1.1): phương pháp trống: chỉ số để todo"},
		{"missing maximum", []string{hdr, "1;Nhận thức số;20;", "1.1;Có Ban Chỉ đạo;;" + yesNo}, false,
			"dòng 3 (1.1): chỉ số 1.1 không ghi điểm tối đa: để todo"},
		{"pillar without maximum", []string{hdr, "1;Nhận thức số;;", "1.1;Có Ban Chỉ đạo;20;" + yesNo}, false,
			"dòng 2 (1): trụ cột 1 không ghi điểm tối đa: lấy tổng các chỉ số, 20 điểm"},
		{"unreadable code", []string{hdr, "1;Nhận thức số;20;", "1.1;Có Ban Chỉ đạo;20;" + yesNo, "Ghi chú: x;Bảng có 1 chỉ số;;"}, false,
			"dòng 4: mã «Ghi chú: x» không đọc được"},
		{"no method column", []string{"TT;Chỉ số;Điểm tối đa;Nguồn cung cấp dữ liệu", "1;Nhận thức số;20;", "1.1;Có Ban Chỉ đạo;20;Xã cung cấp"}, false,
			"dòng 1: bảng không có cột phương pháp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := importText(t, tt.lines...)
			var msgs []string
			if tt.fatal {
				var ie *importer.ImportError
				if !errors.As(err, &ie) {
					t.Fatalf("want the import to stop, got %v", err)
				}
				for _, p := range ie.Problems {
					msgs = append(msgs, p.String())
				}
			} else {
				if err != nil {
					t.Fatalf("want a rubric with warnings, got %v", err)
				}
				for _, p := range res.Problems {
					msgs = append(msgs, p.String())
				}
			}
			if !strings.Contains(strings.Join(msgs, "\n"), tt.want) {
				t.Errorf("messages:\n%s\nwant one containing %q", strings.Join(msgs, "\n"), tt.want)
			}
		})
	}
}

// TestTableLayouts: columns in any order, extra columns, decimal-comma
// codes, figures defined by "a"/"b" rows under the indicator (as 002 lays
// them out), Markdown pipes, a BOM.
func TestTableLayouts(t *testing.T) {
	ratio := `- Tỷ lệ = a/b.\n- Điểm = Tỷ lệ*Điểm tối đa.`
	tests := []struct {
		name  string
		lines []string
		check func(t *testing.T, r *rubric.Rubric)
	}{
		{"columns in any order, extra columns", []string{
			"Phương pháp xác định và cách cho điểm;Điểm tối đa;STT;Chỉ số/Chỉ số thành phần;Điểm số tự chấm;Nguồn cung cấp dữ liệu",
			";100;1;Nhận thức số;;",
			yesNo + ";100;1.1;Có Ban Chỉ đạo;100;Xã cung cấp",
		}, func(t *testing.T, r *rubric.Rubric) {
			_, in := r.Indicator("1.1")
			if in == nil || in.Rule == nil || in.Rule.Kind != rubric.KindYesNo || *in.Max != 100 || in.Source != "Xã cung cấp" {
				t.Errorf("1.1: %+v", in)
			}
		}},
		{"decimal comma codes and input rows", []string{
			hdr, "1;Nhận thức số;20;", "1,1;Bí thư chủ trì các cuộc họp;20;" + ratio,
			"a;Số cuộc họp do Bí thư chủ trì;;", "b;Tổng số cuộc họp;;",
		}, func(t *testing.T, r *rubric.Rubric) {
			_, in := r.Indicator("1.1")
			if in == nil || in.Rule == nil || in.Rule.Kind != rubric.KindRatio || len(in.Inputs) != 2 || in.Inputs[1].Label != "Tổng số cuộc họp" {
				t.Fatalf("1.1: %+v", in)
			}
			found := false
			for _, d := range r.Decisions {
				found = found || strings.Contains(d.Decision, "«1,1» là chỉ số 1.1")
			}
			if !found {
				t.Errorf("no decision about the decimal comma: %+v", r.Decisions)
			}
		}},
		{"general-information rows before the pillars (001's layout)", []string{
			"STT;Chỉ số/Chỉ số thành phần;Điểm tối đa;Nguồn cung cấp dữ liệu;Phương pháp",
			"I;Thông tin chung;;;", "1;Tên Sở, Ban ngành;;;", "2;Số lượng công chức;;;",
			"II;Chỉ số đánh giá;;;", "1;Nhận thức số;20;;", "1.1;Có Ban Chỉ đạo;20;Sở cung cấp;" + yesNo,
		}, func(t *testing.T, r *rubric.Rubric) {
			if len(r.Pillars) != 1 || r.Pillars[0].Section != "II. Chỉ số đánh giá" || *r.Pillars[0].Max != 20 {
				t.Errorf("pillars %+v", r.Pillars[0])
			}
		}},
		{"markdown pipes", []string{
			"| TT | Chỉ số | Điểm tối đa | Phương pháp |", "|---|---|---:|---|",
			"| 1 | Nhận thức số | 20 | |", "| 1.1 | Có Ban Chỉ đạo | 20 | " + yesNo + " |",
		}, func(t *testing.T, r *rubric.Rubric) {
			if _, in := r.Indicator("1.1"); in == nil || in.Rule == nil || in.Rule.Kind != rubric.KindYesNo {
				t.Errorf("1.1: %+v", in)
			}
		}},
		{"title: name, level, year, province", []string{
			"\ufeffBỘ CHỈ SỐ ĐÁNH GIÁ CHUYỂN ĐỔI SỐ CẤP HUYỆN TỈNH QUẢNG BÌNH NĂM 2024;;;", "(Kèm theo Quyết định của UBND tỉnh Quảng Bình);;;",
			hdr, "1;Nhận thức số;20;", "1.1;Có Ban Chỉ đạo;20;" + yesNo,
		}, func(t *testing.T, r *rubric.Rubric) {
			if r.Year != 2024 || r.Level != rubric.LevelDistrict || r.Province != "Quảng Bình" || !strings.HasPrefix(r.Name, "BỘ CHỈ SỐ") || r.ID != "bang-2025" {
				t.Errorf("header: id %q name %q level %q year %d province %q", r.ID, r.Name, r.Level, r.Year, r.Province)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := importText(t, tt.lines...)
			if err != nil {
				t.Fatal(err)
			}
			y, err := res.YAML()
			if err != nil {
				t.Fatal(err)
			}
			r, err := rubric.Parse(strings.NewReader(string(y)), "x.yaml")
			if err != nil {
				t.Fatalf("%v\n%s", err, y)
			}
			tt.check(t, r)
		})
	}
}

// TestImportedFileChecks: the file import writes passes rubric.Check except
// for what the table itself lacks: each todo is an error naming what is
// missing, and nothing else is.
func TestImportedFileChecks(t *testing.T) {
	res, err := importText(t, hdr, "1;Nhận thức số;40;",
		"1.1;Có Ban Chỉ đạo;20;"+yesNo,
		"1.2;Tỷ lệ dân số trưởng thành có điện thoại thông minh;20;Tính điểm theo phương pháp Min-Max, dựa vào địa phương có tỷ lệ cao nhất thì điểm tối đa và giảm dần.",
	)
	if err != nil {
		t.Fatal(err)
	}
	y, _ := res.YAML()
	r, err := rubric.Parse(strings.NewReader(string(y)), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rep := rubric.Check(r)
	var errs []string
	for _, f := range rep.Findings {
		if f.Severity == rubric.SevError || f.Severity == rubric.SevWarning {
			errs = append(errs, f.Code+"@"+f.Where)
		}
	}
	if strings.Join(errs, ",") != "todo@1.2" {
		t.Errorf("findings %v, want only todo@1.2:\n%s", errs, y)
	}
	if res.Rules != 1 || res.Todos != 1 || !strings.Contains(string(y), "1 chỉ số còn todo") {
		t.Errorf("rules %d todos %d", res.Rules, res.Todos)
	}
}
