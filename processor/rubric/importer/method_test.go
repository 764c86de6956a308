package importer

import (
	"slices"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/processor/rubric"
)

func f64(v float64) *float64 { return &v }

// TestReadMethod: each phrasing of the shipped rubrics gives its rule, and
// each reading a person must settle gives a todo saying why (quoted from
// the seeds where they are the seeds' own problems).
func TestReadMethod(t *testing.T) {
	tests := []struct {
		name   string
		iname  string // the indicator's name, when it matters
		method string
		max    float64
		rule   string // ruleText of the rule, or "" for a todo
		todo   string // in the todo
		check  func(t *testing.T, r reading)
	}{
		{"ratio", "", "a = Số CBCC được trang bị máy tính. b = Tổng số CBCC.\n- Tỷ lệ = a/b.\n- Điểm = Tỷ lệ*Điểm tối đa.", 5,
			"{kind: ratio, num: a, den: b}", "", func(t *testing.T, r reading) {
				if r.inputs[0].Label != "Số CBCC được trang bị máy tính" || r.inputs[1].Label != "Tổng số CBCC" || len(r.validate) != 1 {
					t.Errorf("inputs %+v validate %+v", r.inputs, r.validate)
				}
			}},
		{"compound ratio", "", "a = A.\nb = B.\nc = C.\nd = D.\n- Tỷ lệ=(a+b)/(c+d).\n- Điểm = Tỷ lệ*Điểm tối đa.", 15, "{kind: ratio, num: a + b, den: c + d}", "", nil},
		{"target", "", "a = X.\nb = Y.\n- Tỷ lệ = a/b.\n- Điểm:\n+ Tỷ lệ>=50%: Điểm tối đa.\n+ Tỷ lệ<50%: Điểm = Tỷ lệ/50%*Điểm tối đa.", 20, "{kind: target, num: a, den: b, target: 0.5}", "", nil},
		{"target written backwards", "", "a = X.\nb = Y.\nTỷ lệ = a/b.\nTỷ lệ ≥ 10%: điểm tối đa.\nTỷ lệ <10%: điểm = Điểm tối đa * tỷ lệ/10%.", 20, "{kind: target, num: a, den: b, target: 0.1}", "", nil},
		{"target with the % lost on one line (004 7.3)", "", "a = X.\nb = Y;\n- Tỷ lệ = a/b.\n- Tỷ lệ ≥ 80%: Điểm tối đa.\n- Tỷ lệ <80: Điểm = Tỷ lệ/80%*Điểm tối đa.", 10,
			"{kind: target, num: a, den: b, target: 0.8}", "", func(t *testing.T, r reading) {
				if !hasNote(r, "không có dấu %") {
					t.Errorf("no decision about the missing %%: %+v", r.notes)
				}
			}},
		{"target with a decimal comma", "", "a = X.\nb = Y.\nTỷ lệ = a/b.\nTỷ lệ ≥ 0.25%: Điểm tối đa.\nTỷ lệ <0.25%: điểm = Tỷ lệ/0,25% *Điểm tối đa.", 10, "{kind: target, num: a, den: b, target: 0.0025}", "", nil},
		{"threshold, Tỷ lệ = a/b implied", "", "a = X.\nb = Y.\n- Tỷ lệ ≥ 70%: Điểm tối đa.\n- Tỷ lệ < 70%: 0 điểm.", 20,
			"{kind: threshold, num: a, den: b, at_least: 0.7}", "", func(t *testing.T, r reading) {
				if !hasNote(r, "Tỷ lệ = a/b") {
					t.Errorf("no decision about the implied ratio: %+v", r.notes)
				}
			}},
		{"threshold = 100 %", "", "a = X.\nb = Y.\n- Tỷ lệ = a/b.\n- Điểm=\n+ Tỷ lệ = 100%: Điểm tối đa.\n+ Tỷ lệ <100%: 0 điểm.", 10, "{kind: threshold, num: a, den: b, at_least: 1}", "", nil},
		{"threshold without colons (000 6.6)", "", "a = X.\nb = Y.\n- Tỷ lệ = a/b.\n- Tỷ lệ >=100% điểm tối đa.\n- Tỷ lệ <100% 0 điểm.\nGiải thích:\n1. Quản lý văn bản.", 15, "{kind: threshold, num: a, den: b, at_least: 1}", "", nil},
		{"discontinuous (000 8.9)", "", "a = X.\nb = Y.\n- Tỷ lệ =a/b.\n- Tỷ lệ ≥ 90%: Điểm tối đa.\n- Tỷ lệ < 90%: Tỷ lệ *Điểm tối đa.", 25, "{kind: sum}", "", nil},
		{"points formula (004 1.2)", "", "a = A. b = B.\nc = C.\n- Điểm = a/c*Điểm tối đa + 1/2*b/c*Điểm tối đa.", 20, "{kind: ratio, num: (a + b / 2), den: c}", "", nil},
		{"no incident scores full points", "", "a = Số lượng sự cố đã xử lý. b = Tổng số các sự cố.\n- Tỷ lệ = a/b.\n- Điểm = Tỷ lệ*Điểm tối đa.", 20,
			"{kind: ratio, num: a, den: b}", "", func(t *testing.T, r reading) {
				if r.rule.ZeroDen != rubric.ZeroDenFull || !hasNote(r, "một cách viết, một quyết định") {
					t.Errorf("zero_den %q, notes %+v", r.rule.ZeroDen, r.notes)
				}
			}},
		{"yes/no", "", "- Đã ban hành: Điểm tối đa.\n- Chưa ban hành: 0 điểm.", 20, "{kind: yes_no}", "", nil},
		{"yes/no on one line, Excel's quote", "", "- Có Thực hiện: Điểm tối đa. ' - Không thực hiện: 0 điểm.", 15, "{kind: yes_no}", "", nil},
		{"yes/no on one line, slash", "", "Đã có: Điểm tối đa / Chưa có: 0 điểm", 10, "{kind: yes_no}", "", nil},
		{"yes/no on one line, semicolon", "", "Đã có: điểm tối đa; chưa có: 0 điểm", 10, "{kind: yes_no}", "", nil},
		{"halves on one line, the fraction's slash kept", "", "Đã triển khai: 1/2*Điểm tối đa; Đã triển khai đến từng thiết bị cá nhân: 1/2*Điểm tối đa; Chưa triển khai: 0 điểm", 10, "{kind: sum}", "", nil},
		{"choice", "", "- Trưởng ban là Bí thư/Chủ tịch cấp xã (cấp Trưởng): Điểm tối đa.\n- Trưởng ban là Phó Bí thư/Phó Chủ tịch cấp xã (cấp Phó): 1/2*Điểm tối đa.\n- Chưa có Ban Chỉ đạo: 0 điểm.", 20,
			"{kind: choice}", "", func(t *testing.T, r reading) {
				o := r.inputs[0].Options
				if len(o) != 3 || o[1].Fraction != 0.5 || o[0].Key != "truong_ban_la_bi_thu_chu" {
					t.Errorf("options %+v", o)
				}
				// The dropdown's answers: the parenthesis, else the first words.
				if got := []string{o[0].Shown(), o[1].Shown(), o[2].Shown()}; !slices.Equal(got, []string{"Cấp Trưởng", "Cấp Phó", "Chưa có Ban…"}) {
					t.Errorf("short answers %q", got)
				}
			}},
		{"halves that add up (004 6.5)", "", "- Đã triển khai: 1/2*Điểm tối đa;\n- Đã triển khai đến từng thiết bị cá nhân: 1/2*Điểm tối đa;\n- Chưa triển khai: 0 điểm", 10, "{kind: sum}", "", nil},
		{"steps", "", "- Từ 20 camera trở lên: điểm tối đa.\n- Từ 10 đến 19 camera: 1/2 *Điểm tối đa.\n- Từ 1 đến 9 camera: 1/4* Điểm tối đa.\n- Chưa có: 0 điểm.", 10,
			"{kind: steps, value: a}", "", func(t *testing.T, r reading) {
				s := r.rule.Steps
				if len(s) != 4 || *s[2].Min != 1 || *s[2].Fraction != 0.25 || s[3].Min != nil || r.inputs[0].Label != "Số camera" {
					t.Errorf("steps %+v inputs %+v", s, r.inputs)
				}
			}},
		{"steps gated by a section (000 1.4)", "", "Đã có chuyên mục và số lượng tin, bài về Chuyển đổi số trong năm đạt:\n+ Từ 20 tin, bài trở lên: điểm tối đa.\n+ Từ 10 đến 19 tin, bài: 1/2 *Điểm tối đa.\n+ Dưới 10 tin, bài: 1/4* Điểm tối đa.\n+ Chưa có chuyên mục: 0 điểm.", 15,
			"{kind: steps, value: b}", "", func(t *testing.T, r reading) {
				if r.rule.Gate != "a" || r.inputs[0].Label != "Đã có chuyên mục" {
					t.Errorf("gate %q inputs %+v", r.rule.Gate, r.inputs)
				}
			}},
		{"groups that add up (004 1.3)", "", "- Chuyên mục:\n+ Có chuyên mục riêng: 1/2*Điểm tối đa.\n+ Liên kết về Chuyên trang: 1/4*Điểm tối đa.\n+ Chưa có chuyên mục riêng: 0 điểm\n- Số lượng tin, bài về Chuyển đổi số trong năm:\n+ Từ 12 tin, bài trở lên: 1/2*Điểm tối đa;\n+ Từ 6 đến 11 tin, bài: 1/4*Điểm tối đa;\n+ Dưới 6 tin, bài: Không có điểm", 20, "{kind: sum}", "", nil},
		{"per item (004 8.5)", "", "- Danh sách những hoạt động.\n- Mỗi hoạt động, phản ánh chính xác và được giải quyết: 02 điểm\n- Tổng điểm không quá điểm tối đa.", 30, "{kind: per_item, value: a}", "", nil},
		{"share plus per item (004 3.9)", "", "- Có wifi tại Bộ phận một cửa: 1/2 *Điểm tối đa.\n- Mỗi điểm công cộng có hệ thống wifi miễn phí khác được tính 1 điểm (Tối đa 5 điểm). (Điểm wifi do xã đầu tư)", 10,
			"{kind: sum}", "", func(t *testing.T, r reading) {
				p := r.rule.Parts
				if len(p) != 2 || *p[1].Points != 5 || *p[1].Rule.CapPoints != 5 || !strings.Contains(r.inputs[1].Label, "(Điểm wifi do xã đầu tư)") {
					t.Errorf("parts %+v inputs %+v", p, r.inputs)
				}
			}},
		{"each listed item (004 6.6)", "", "- Mỗi nền tảng sau được triển khai được 1/5 số điểm tối đa.\n+ Hồ sơ sức khỏe điện tử.\n+ Ứng dụng Smart Thanh Hóa.\n- Chưa triển khai: 0 điểm.", 20, "{kind: sum}", "", nil},
		{"Min-Max on the indicator's figure", "", "Tính điểm theo phương pháp Min-Max dựa vào đơn vị nào bố trí kinh phí lớn nhất thì điểm tối đa và giảm dần (Đơn vị triệu đồng).", 10,
			"{kind: cohort, value: a}", "", func(t *testing.T, r reading) {
				if r.inputs[0].Type != rubric.Money || r.rule.Method != "best" {
					t.Errorf("input %+v method %q", r.inputs[0], r.rule.Method)
				}
			}},
		{"Min-Max on a ratio", "", "a = X;\nb = Y.\n- Tỷ lệ = a/b.\n- Tính điểm theo phương pháp Min-Max dựa vào tỷ lệ a/b cao nhất thì điểm tối đa và giảm dần.", 15, "{kind: cohort, num: a, den: b}", "", nil},

		{"empty", "", "", 10, "", "không ghi phương pháp", nil},
		{"Min-Max with no figures and a ratio name", "Tỷ lệ hộ gia đình có kết nối Internet băng rộng cáp quang", "Tính điểm theo phương pháp Min-Max, dựa vào địa phương có tỷ lệ cao nhất thì điểm tối đa và giảm dần.", 10, "", "không nêu số liệu", nil},
		{"brackets lost (000 5.8.1)", "", "a = X.\nb = Y.\nc= Z;\n- Tỷ lệ=a+b/c;\n- Điểm = Tỷ lệ*Điểm tối đa.", 10, "", "(a+b)/c hay a + b/c", nil},
		{"upper-case figure (000 5.8.1)", "", "A = X.\nb = Y.\n- Tỷ lệ = a/b.", 10, "", "chữ hoa «A = X»", nil},
		{"one figure defined twice over (000 4.4)", "", "a = X.\nb = Y.\nc = Tổng số Công chức của  xã.\nd= Tổng số Công chức của Xã.\n- Tỷ lệ=(a+b)/(c+d).\n- Điểm = Tỷ lệ*Điểm tối đa.", 15, "", "c và d có cùng định nghĩa", nil},
		{"threshold and divisor disagree (000 7.7)", "", "a = X.\nb = Y.\nTỷ lệ = a/b.\nTỷ lệ ≥ 0.25%: Điểm tối đa.\nTỷ lệ <0.25%: điểm = Tỷ lệ/25% * Điểm tối đa.", 10, "", "chia cho 25 % nhưng ngưỡng là 0,25 %", nil},
		{"no points line (000 3.2)", "", "a = X.\nb = Y.\n- Tỷ lệ = a/b.", 15, "", "không nêu cách cho điểm", nil},
		{"stray figure in the formula (000 6.4)", "", "a = X.\nb = Y.\n- Tỷ lệ = a/b.\n- Điểm=Tỷ lệ 1*Điểm tối đa", 15, "", "Tỷ lệ 1", nil},
		{"two money units (000 5.8.2)", "", "Mức 1: ≥ 200 triệu: 100% điểm phần này.\nMức 2: ≥ 100 triệu 70% điểm phần này.\nĐơn vị tỷ đồng", 5, "", "hai đơn vị tiền", nil},
		{"steps in two units (000 1.6)", "", "- Tần suất phát sóng từ 01 lần/01 tuần: Điểm tối đa.\n- Tần suất phát sóng từ 01 tháng/01 lần đến dưới 01 lần/01 tuần: 1/2 Điểm tối đa.\n- Tần suất phát sóng dưới 01 tháng/01 lần: 0 điểm.", 15, "", "đơn vị khác nhau", nil},
		{"a condition after the groups (004 6.1)", "", "- Đáp ứng yêu cầu: 3/5*Điểm tối đa.\n- Cập nhật tin bài:\n+ Từ 48 tin, bài/ năm trở lên: 2/5*Điểm tối đa.\n+ Từ 12 đến 47 tin, bài/ năm: 1/5*Điểm tối đa.\n+ Dưới 12 tin, bài/ năm: 0 điểm.\nChưa đáp ứng yêu cầu: 0 điểm.", 20, "", "đứng sau các nhóm điểm", nil},
		{"a ratio without figures (004 6.13)", "", "- Hoạt động kiểm tra thông qua môi trường số:\n+ Tỷ lệ ≥ 50%: Điểm tối đa.\n+ Tỷ lệ <50%: Điểm = Tỷ lệ/50%*Điểm tối đa.", 10, "", "target: 0.5", nil},
		{"a line it does not know", "", "- Đã có: Điểm tối đa.\n- Có nhưng chưa đủ: theo đánh giá của hội đồng.\n- Chưa có: 0 điểm.", 10, "", "Không đọc được dòng", nil},
		{"choice that never reaches the maximum", "", "- Loại A: 1/2*Điểm tối đa.\n- Loại B: 1/4*Điểm tối đa.\n- Không: 0 điểm.", 10, "", "không rõ là lựa chọn hay cộng lại", nil},
		{"step above the top bounded", "", "- Từ 10 đến 19 bài: Điểm tối đa.\n- Dưới 10 bài: 0 điểm.", 10, "", "giới hạn trên", nil},
		{"strict above", "", "- Trên 50 bài: Điểm tối đa.\n- Còn lại: 0 điểm.", 10, "", "ngưỡng", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := tt.iname
			if name == "" {
				name = "Tổng chi ngân sách cho chuyển đổi số"
			}
			r := readMethod(indicatorText{code: "9.9", name: name, max: f64(tt.max), method: tt.method})
			if tt.rule == "" {
				if r.todo == "" || r.rule != nil {
					t.Fatalf("want a todo, got rule %+v", r.rule)
				}
				if !strings.Contains(r.todo, tt.todo) {
					t.Errorf("todo %q, want it to say %q", r.todo, tt.todo)
				}
				return
			}
			if r.todo != "" {
				t.Fatalf("todo: %s", r.todo)
			}
			if got := ruleText(*r.rule); got != tt.rule {
				t.Errorf("rule %s, want %s", got, tt.rule)
			}
			if len(r.notes) == 0 {
				t.Errorf("a rule read with no decision")
			}
			if tt.check != nil {
				tt.check(t, r)
			}
		})
	}
}

func hasNote(r reading, s string) bool {
	for _, n := range r.notes {
		if strings.Contains(n.problem+n.decision+n.why, s) {
			return true
		}
	}
	return false
}

func TestShortAnswers(t *testing.T) {
	opt := func(labels ...string) []rubric.Option {
		var out []rubric.Option
		for _, l := range labels {
			out = append(out, rubric.Option{Label: l})
		}
		return out
	}
	for _, tc := range []struct {
		in   []rubric.Option
		want []string
	}{
		{opt("Có", "Không"), []string{"", ""}},
		{opt("Trưởng ban là Bí thư (cấp Trưởng)", "Không có"), []string{"Cấp Trưởng", ""}},
		// Both would read "Kết nối đến…": numbered instead.
		{opt("Kết nối đến tất cả các thôn, bản", "Kết nối đến một số thôn, bản"), []string{"Lựa chọn 1", "Lựa chọn 2"}},
		{opt("Mộtchữrấtdàikhôngcódấucách", "Khác"), []string{"Mộtchữrấtdàikh…", ""}},
	} {
		got := shortAnswers(tc.in)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%v: %q, want %q", tc.in, got, tc.want)
		}
		for _, s := range got {
			if n := len([]rune(s)); n > rubric.MaxShown {
				t.Errorf("%q: %d characters, more than the dropdown shows", s, n)
			}
		}
	}
}
