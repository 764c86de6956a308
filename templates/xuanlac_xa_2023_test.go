package templates_test

import "testing"

// TestXuanLacXa2023ByHand scores every non-cohort indicator of the Xuân Lạc
// commune set (seed 000_12f21a3d048966a3.txt) from figures, against points
// computed by hand from the seed's «Cách xác định và tính điểm» column.
// Where the seed is ambiguous or mistyped the expectation follows the
// YAML's recorded decision (Dn), named in Why.
func TestXuanLacXa2023ByHand(t *testing.T) {
	// yesNo gives the two cases of a "Đã có / Chưa có" indicator.
	yesNo := func(code string, max float64, rule string) []handCase {
		return []handCase{
			{Code: code, Inputs: map[string]any{"a": "Có"}, Want: max, Why: "Có → Điểm tối đa; seed: " + rule},
			{Code: code, Inputs: map[string]any{"a": "Không"}, Want: 0, Why: "Không → 0 điểm; seed: " + rule},
		}
	}
	ab := func(a, b any) map[string]any { return map[string]any{"a": a, "b": b} }

	cases := []handCase{
		// ---------------------------------------------------------------- 1 Nhận thức số
		{Code: "1.1", Inputs: map[string]any{"a": "bi_thu_chu_tich"}, Want: 20, Why: "Trưởng ban là Bí thư/Chủ tịch: Điểm tối đa = 20"},
		{Code: "1.1", Inputs: map[string]any{"a": "Chủ tịch xã"}, Want: 20, Why: "Chủ tịch xã (alias) → Điểm tối đa = 20"},
		{Code: "1.1", Inputs: map[string]any{"a": "pho_bi_thu_pho_chu_tich"}, Want: 10, Why: "Phó Bí thư/Phó Chủ tịch: 1/2*Điểm tối đa = 20/2"},
		{Code: "1.1", Inputs: map[string]any{"a": "Phó Chủ tịch"}, Want: 10, Why: "Phó Chủ tịch (alias): 1/2*20"},
		{Code: "1.1", Inputs: map[string]any{"a": "khong"}, Want: 0, Why: "Chưa có Ban chỉ đạo: 0 điểm"},
		{Code: "1.1", Inputs: map[string]any{}, Want: 0, Why: "no answer: thiếu số liệu → 0"},

		{Code: "1.2", Inputs: ab(3, 4), Want: 15, Why: "a/b*max = 3/4*20; seed: Điểm = Tỷ lệ*Điểm tối đa"},
		{Code: "1.2", Inputs: ab(4, 4), Want: 20, Why: "4/4*20"},
		{Code: "1.2", Inputs: ab(0, 5), Want: 0, Why: "0/5*20"},
		{Code: "1.2", Inputs: ab(0, 0), Want: 0, Why: "b = 0: no ratio, 0 points (D9 zero_den zero)"},
		{Code: "1.2", Inputs: map[string]any{"a": 3}, Want: 0, Why: "b missing: thiếu số liệu → 0"},

		{Code: "1.3", Inputs: ab(2, 3), Want: 10, Why: "a/b*max = 2/3*15"},
		{Code: "1.3", Inputs: ab(3, 3), Want: 15, Why: "3/3*15"},
		{Code: "1.3", Inputs: ab(4, 3), Want: 15, Why: "4/3 > 1: ratio capped at 100 % (max 15 is the ceiling of the indicator)"},

		{Code: "1.4", Inputs: ab("Có", 25), Want: 15, Why: "chuyên mục có, 25 ≥ 20 tin bài: điểm tối đa"},
		{Code: "1.4", Inputs: ab("Có", 21), Want: 15, Why: "21 ≥ 20: điểm tối đa"},
		{Code: "1.4", Inputs: ab("Có", 20), Want: 15, Why: "Từ 20 tin, bài trở lên: điểm tối đa"},
		{Code: "1.4", Inputs: ab("Có", 19), Want: 7.5, Why: "Từ 10 đến 19 tin, bài: 1/2*15"},
		{Code: "1.4", Inputs: ab("Có", 11), Want: 7.5, Why: "11 in 10–19: 1/2*15"},
		{Code: "1.4", Inputs: ab("Có", 10), Want: 7.5, Why: "10 in 10–19: 1/2*15"},
		{Code: "1.4", Inputs: ab("Có", 9), Want: 3.75, Why: "Dưới 10 tin, bài: 1/4*15"},
		{Code: "1.4", Inputs: ab("Có", 0), Want: 3.75, Why: "0 < 10 with a section: 1/4*15 (D10, literal)"},
		{Code: "1.4", Inputs: ab("Không", 25), Want: 0, Why: "Chưa có chuyên mục: 0 điểm"},

		// 1.6: D11, frequency as broadcasts per month: weekly = ≥ 4/month, monthly = 1/month.
		{Code: "1.6", Inputs: map[string]any{"a": 8}, Want: 15, Why: "8/tháng ≥ 1 lần/tuần: Điểm tối đa (D11)"},
		{Code: "1.6", Inputs: map[string]any{"a": 5}, Want: 15, Why: "5/tháng > 4: Điểm tối đa (D11)"},
		{Code: "1.6", Inputs: map[string]any{"a": 4}, Want: 15, Why: "từ 01 lần/01 tuần = 4/tháng: Điểm tối đa (D11)"},
		{Code: "1.6", Inputs: map[string]any{"a": 3.9}, Want: 7.5, Why: "dưới 01 lần/tuần, từ 01 lần/tháng: 1/2*15 (D11)"},
		{Code: "1.6", Inputs: map[string]any{"a": 2}, Want: 7.5, Why: "2/tháng: 1/2*15"},
		{Code: "1.6", Inputs: map[string]any{"a": 1}, Want: 7.5, Why: "01 tháng/01 lần: 1/2*15"},
		{Code: "1.6", Inputs: map[string]any{"a": 0.5}, Want: 0, Why: "dưới 01 tháng/01 lần: 0 điểm"},
		{Code: "1.6", Inputs: map[string]any{"a": 0}, Want: 0, Why: "không phát sóng: 0 điểm"},

		// ---------------------------------------------------------------- 3 Hạ tầng số
		{Code: "3.1", Inputs: ab(15, 20), Want: 11.25, Why: "a/b*max = 15/20*15"},
		{Code: "3.1", Inputs: ab(20, 20), Want: 15, Why: "20/20*15"},
		{Code: "3.1", Inputs: ab(25, 20), Want: 15, Why: "25/20 > 1, capped at 100 % (D28)"},
		{Code: "3.1", Inputs: ab(5, 0), Want: 0, Why: "b = 0: 0 points (D9)"},

		{Code: "3.2", Inputs: ab(9, 12), Want: 11.25, Why: "Tỷ lệ = a/b = 9/12, × Điểm tối đa 15 (no Điểm line in seed, D12)"},
		{Code: "3.2", Inputs: ab(12, 12), Want: 15, Why: "12/12*15 (D12)"},

		{Code: "3.3", Inputs: ab(960, 1000), Want: 15, Why: "96 % ≥ 95 %: Điểm tối đa"},
		{Code: "3.3", Inputs: ab(950, 1000), Want: 15, Why: "95 % ≥ 95 %: Điểm tối đa"},
		{Code: "3.3", Inputs: ab(949, 1000), Want: 0.949 / 0.95 * 15, Why: "94,9 % < 95 %: Tỷ lệ/95%*Điểm tối đa = 0.949/0.95*15"},
		{Code: "3.3", Inputs: ab(475, 1000), Want: 7.5, Why: "0.475/0.95*15"},
		{Code: "3.3", Inputs: map[string]any{"a": 475}, Want: 0, Why: "b (tổng dân số) missing: thiếu số liệu → 0"},

		{Code: "3.4", Inputs: ab(300, 400), Want: 11.25, Why: "a/b*max = 300/400*15"},

		{Code: "3.5", Inputs: ab(81, 100), Want: 15, Why: "81 % ≥ 80 %: Điểm tối đa"},
		{Code: "3.5", Inputs: ab(80, 100), Want: 15, Why: "80 % ≥ 80 %: Điểm tối đa"},
		{Code: "3.5", Inputs: ab(79, 100), Want: 14.8125, Why: "Tỷ lệ/80%*Điểm tối đa = 0.79/0.8*15"},
		{Code: "3.5", Inputs: ab(40, 100), Want: 7.5, Why: "0.4/0.8*15"},

		// ---------------------------------------------------------------- 4 Nhân lực số
		{Code: "4.2", Inputs: ab(4, 6), Want: 10, Why: "a/b*max = 4/6*15"},
		{Code: "4.2", Inputs: ab(0, 6), Want: 0, Why: "0/6*15"},

		// 4.4: D14 reads a = công chức trained, b = viên chức trained, c = công chức, d = viên chức.
		{Code: "4.4", Inputs: map[string]any{"a": 6, "b": 3, "c": 10, "d": 6}, Want: 15, Why: "(a+b)/(c+d) = 9/16 ≥ 50 %: Điểm tối đa (D14 reading of a–d)"},
		{Code: "4.4", Inputs: map[string]any{"a": 5, "b": 3, "c": 10, "d": 6}, Want: 15, Why: "8/16 = 50 % ≥ 50 %: Điểm tối đa (D14)"},
		{Code: "4.4", Inputs: map[string]any{"a": 4, "b": 3, "c": 10, "d": 6}, Want: 13.125, Why: "7/16 = 43,75 % < 50 %: Tỷ lệ/50%*15 = 0.4375/0.5*15 (D14)"},
		{Code: "4.4", Inputs: map[string]any{"a": 2, "b": 0, "c": 10, "d": 0}, Want: 6, Why: "2/10 = 20 %: 0.2/0.5*15 = 6 (no viên chức, D14)"},
		{Code: "4.4", Inputs: map[string]any{"a": 0, "b": 0, "c": 0, "d": 0}, Want: 0, Why: "c+d = 0: 0 points (D9)"},

		{Code: "4.5", Inputs: ab(801, 1000), Want: 15, Why: "80,1 % ≥ 80 %: Điểm tối đa"},
		{Code: "4.5", Inputs: ab(800, 1000), Want: 15, Why: "80 % ≥ 80 %: Điểm tối đa"},
		{Code: "4.5", Inputs: ab(799, 1000), Want: 14.98125, Why: "Tỷ lệ/80% * Điểm tối đa = 0.799/0.8*15"},
		{Code: "4.5", Inputs: ab(400, 1000), Want: 7.5, Why: "0.4/0.8*15"},

		{Code: "4.7", Inputs: ab(5, 5), Want: 10, Why: "Tỷ lệ ≥ 100 %: điểm tối đa"},
		{Code: "4.7", Inputs: ab(4, 5), Want: 0, Why: "80 % < 100 %: 0 điểm"},
		{Code: "4.7", Inputs: ab(0, 0), Want: 0, Why: "b = 0: 0 points (D9)"},

		// ---------------------------------------------------------------- 5 An toàn thông tin mạng
		{Code: "5.2", Inputs: ab(3, 4), Want: 7.5, Why: "a/b*max = 3/4*10"},
		{Code: "5.2", Inputs: ab(0, 0), Want: 0, Why: "no approved system, b = 0: 0 points (D9)"},
		{Code: "5.3", Inputs: ab(1, 2), Want: 5, Why: "1/2*10"},
		{Code: "5.4", Inputs: ab(2, 5), Want: 4, Why: "2/5*10"},
		{Code: "5.5", Inputs: ab(3, 3), Want: 10, Why: "3/3*10"},
		{Code: "5.7", Inputs: ab(3, 4), Want: 3.75, Why: "3/4*5"},
		{Code: "5.7", Inputs: ab(0, 0), Want: 5, Why: "no incident, b = 0: none left unhandled, full points (D9, as thanhhoa-xa-2023 5.2)"},

		// 5.8.1: D17, Tỷ lệ = (a+b)/c; levels 10 % / 7 % / 3 % of max 10.
		{Code: "5.8.1", Inputs: map[string]any{"a": 8, "b": 4, "c": 100}, Want: 10, Why: "(8+4)/100 = 12 % ≥ 10 %: Mức 1 điểm tối đa (D17)"},
		{Code: "5.8.1", Inputs: map[string]any{"a": 6, "b": 4, "c": 100}, Want: 10, Why: "10/100 = 10 %: Mức 1 (D17)"},
		{Code: "5.8.1", Inputs: map[string]any{"a": 6, "b": 3.9, "c": 100}, Want: 7, Why: "9,9 %: Mức 2 ≥ 7 % → 70 % × 10 (D17)"},
		{Code: "5.8.1", Inputs: map[string]any{"a": 5, "b": 2, "c": 100}, Want: 7, Why: "7 %: Mức 2 → 70 % × 10"},
		{Code: "5.8.1", Inputs: map[string]any{"a": 5, "b": 1.9, "c": 100}, Want: 3, Why: "6,9 %: Mức 3 ≥ 3 % → 30 % × 10"},
		{Code: "5.8.1", Inputs: map[string]any{"a": 2, "b": 1, "c": 100}, Want: 3, Why: "3 %: Mức 3 → 30 % × 10"},
		{Code: "5.8.1", Inputs: map[string]any{"a": 2, "b": 0.9, "c": 100}, Want: 0, Why: "2,9 % < 3 %: Mức 4 0 điểm"},
		{Code: "5.8.1", Inputs: map[string]any{"a": 5, "b": 5, "c": 0}, Want: 0, Why: "c = 0: 0 points (D9)"},

		// 5.8.2: D18, thresholds in triệu đồng.
		{Code: "5.8.2", Inputs: map[string]any{"a": 201}, Want: 5, Why: "≥ 200 triệu: 100 % × 5 (D18 unit triệu)"},
		{Code: "5.8.2", Inputs: map[string]any{"a": 200}, Want: 5, Why: "Mức 1: ≥ 200 triệu: 100 % × 5"},
		{Code: "5.8.2", Inputs: map[string]any{"a": 199}, Want: 3.5, Why: "Mức 2: ≥ 100 triệu: 70 % × 5"},
		{Code: "5.8.2", Inputs: map[string]any{"a": 100}, Want: 3.5, Why: "Mức 2: 70 % × 5"},
		{Code: "5.8.2", Inputs: map[string]any{"a": 99}, Want: 1.5, Why: "Mức 3: ≥ 50 triệu: 30 % × 5"},
		{Code: "5.8.2", Inputs: map[string]any{"a": 50}, Want: 1.5, Why: "Mức 3: 30 % × 5"},
		{Code: "5.8.2", Inputs: map[string]any{"a": 49}, Want: 0, Why: "Mức 4: < 50 triệu: 0 %"},

		{Code: "5.8.6", Inputs: ab(20, 80), Want: 1.25, Why: "a/b*max = 20/80*5"},
		{Code: "5.8.6", Inputs: ab(0, 0), Want: 0, Why: "b = 0: 0 points (D9)"},

		// ---------------------------------------------------------------- 6 Hoạt động chính quyền số
		{Code: "6.1", Inputs: ab(10, 10), Want: 15, Why: "Tỷ lệ = 100 %: Điểm tối đa"},
		{Code: "6.1", Inputs: ab(9, 10), Want: 0, Why: "90 % < 100 %: 0 điểm"},

		{Code: "6.2", Inputs: map[string]any{"a": 10, "b": 6, "c": 5, "d": 3}, Want: 10, Why: "(c+d)/(a+b)*max = 8/16*20"},
		{Code: "6.2", Inputs: map[string]any{"a": 0, "b": 0, "c": 0, "d": 0}, Want: 0, Why: "a+b = 0: 0 points (D9)"},

		{Code: "6.3", Inputs: map[string]any{"a": 100, "b": 50, "c": 31}, Want: 15, Why: "(b+c)/a = 81 % ≥ 80 %: Điểm tối đa"},
		{Code: "6.3", Inputs: map[string]any{"a": 100, "b": 50, "c": 30}, Want: 15, Why: "80/100 = 80 %: Điểm tối đa"},
		{Code: "6.3", Inputs: map[string]any{"a": 100, "b": 50, "c": 29}, Want: 14.8125, Why: "79 % < 80 %: 0.79/0.8*15"},
		{Code: "6.3", Inputs: map[string]any{"a": 100, "b": 30, "c": 10}, Want: 7.5, Why: "40 %: 0.4/0.8*15"},

		{Code: "6.4", Inputs: map[string]any{"a": 30, "b": 5, "c": 60, "d": 10}, Want: 7.5, Why: "(a+b)/(c+d)*max = 35/70*15 (D20: «Tỷ lệ 1» = Tỷ lệ)"},

		{Code: "6.5", Inputs: ab("Có", "Có"), Want: 10, Why: "đơn vị 1/2*10 + thiết bị cá nhân 1/2*10"},
		{Code: "6.5", Inputs: ab("Có", "Không"), Want: 5, Why: "chỉ đến các cơ quan, đơn vị: 1/2*10"},
		{Code: "6.5", Inputs: ab("Không", "Có"), Want: 5, Why: "chỉ đến từng thiết bị cá nhân: 1/2*10"},
		{Code: "6.5", Inputs: ab("Không", "Không"), Want: 0, Why: "Chưa triển khai: 0 điểm"},

		{Code: "6.6", Inputs: ab(4, 4), Want: 15, Why: "4/4 = 100 % ≥ 100 %: điểm tối đa"},
		{Code: "6.6", Inputs: ab(3, 4), Want: 0, Why: "75 % < 100 %: 0 điểm"},

		{Code: "6.7", Inputs: ab(200, 200), Want: 10, Why: "Tỷ lệ = 100 %: Điểm tối đa"},
		{Code: "6.7", Inputs: ab(199, 200), Want: 0, Why: "99,5 % < 100 %: 0 điểm"},

		// ---------------------------------------------------------------- 7 Hoạt động kinh tế số
		{Code: "7.1", Inputs: ab(3, 20), Want: 20, Why: "15 % ≥ 10 %: điểm tối đa"},
		{Code: "7.1", Inputs: ab(2, 20), Want: 20, Why: "10 % ≥ 10 %: điểm tối đa"},
		{Code: "7.1", Inputs: ab(19, 200), Want: 19, Why: "9,5 % < 10 %: Điểm tối đa * tỷ lệ/10% = 20*0.095/0.1"},
		{Code: "7.1", Inputs: ab(1, 20), Want: 10, Why: "5 %: 20*0.05/0.1"},
		{Code: "7.1", Inputs: ab(0, 0), Want: 0, Why: "no DNNVV, b = 0: 0 points (D9)"},

		{Code: "7.2", Inputs: ab(11, 20), Want: 10, Why: "55 % ≥ 50 %: điểm tối đa"},
		{Code: "7.2", Inputs: ab(10, 20), Want: 10, Why: "50 % ≥ 50 %: điểm tối đa"},
		{Code: "7.2", Inputs: ab(9, 20), Want: 9, Why: "45 %: 10*0.45/0.5"},

		{Code: "7.3", Inputs: ab(17, 20), Want: 10, Why: "85 % ≥ 80 %: điểm tối đa"},
		{Code: "7.3", Inputs: ab(16, 20), Want: 10, Why: "80 % ≥ 80 %: điểm tối đa"},
		{Code: "7.3", Inputs: ab(15, 20), Want: 9.375, Why: "75 % < 80 (read 80 %, D22): 10*0.75/0.8"},

		{Code: "7.4", Inputs: ab(7, 10), Want: 7, Why: "a/b*max = 7/10*10"},

		{Code: "7.5", Inputs: ab(3, 5), Want: 10, Why: "60 % ≥ 50 %: điểm tối đa"},
		{Code: "7.5", Inputs: ab(1, 2), Want: 10, Why: "50 % ≥ 50 %: điểm tối đa"},
		{Code: "7.5", Inputs: ab(2, 5), Want: 8, Why: "40 % < 50 (read 50 %, D22): 10*0.4/0.5"},

		{Code: "7.6", Inputs: ab(6, 100), Want: 10, Why: "6 % ≥ 5 %: điểm tối đa"},
		{Code: "7.6", Inputs: ab(5, 100), Want: 10, Why: "5 % ≥ 5 %: điểm tối đa"},
		{Code: "7.6", Inputs: ab(4, 100), Want: 8, Why: "4 % < 5 %: 10*0.04/0.05"},

		// 7.7: D23, the divisor «25%» is read as 0.25 %.
		{Code: "7.7", Inputs: ab(30, 10000), Want: 10, Why: "0,3 % ≥ 0,25 %: Điểm tối đa"},
		{Code: "7.7", Inputs: ab(25, 10000), Want: 10, Why: "0,25 % ≥ 0,25 %: Điểm tối đa"},
		{Code: "7.7", Inputs: ab(20, 10000), Want: 8, Why: "0,2 % < 0,25 %: Tỷ lệ/0,25% × 10 = 0.002/0.0025*10 (D23; literal /25% would give 0.08)"},

		{Code: "7.8", Inputs: ab(30, 10000), Want: 10, Why: "0,3 % ≥ 0,25 %: Điểm tối đa"},
		{Code: "7.8", Inputs: ab(25, 10000), Want: 10, Why: "0,25 %: Điểm tối đa"},
		{Code: "7.8", Inputs: ab(24, 10000), Want: 9.6, Why: "0,24 %: Tỷ lệ/0,25% * 10 = 0.0024/0.0025*10"},
		{Code: "7.8", Inputs: ab(10, 10000), Want: 4, Why: "0,1 %: 0.001/0.0025*10"},

		{Code: "7.9", Inputs: ab(21, 1000), Want: 10, Why: "2,1 % ≥ 2 %: Điểm tối đa"},
		{Code: "7.9", Inputs: ab(20, 1000), Want: 10, Why: "2 % ≥ 2 %: Điểm tối đa"},
		{Code: "7.9", Inputs: ab(19, 1000), Want: 9.5, Why: "1,9 %: Tỷ lệ/2% * 10 = 0.019/0.02*10"},
		{Code: "7.9", Inputs: ab(5, 1000), Want: 2.5, Why: "0,5 %: 0.005/0.02*10"},

		// ---------------------------------------------------------------- 8 Hoạt động xã hội số
		{Code: "8.1", Inputs: ab(701, 1000), Want: 25, Why: "70,1 % ≥ 70 %: Điểm tối đa"},
		{Code: "8.1", Inputs: ab(700, 1000), Want: 25, Why: "70 %: both branches give 25 (D24)"},
		{Code: "8.1", Inputs: ab(699, 1000), Want: 0.699 / 0.7 * 25, Why: "69,9 %: Tỷ lệ/70%*25 = 0.699/0.7*25"},
		{Code: "8.1", Inputs: ab(350, 1000), Want: 12.5, Why: "35 %: 0.35/0.7*25"},

		{Code: "8.2", Inputs: ab(301, 1000), Want: 20, Why: "30,1 % ≥ 30 %: Điểm tối đa"},
		{Code: "8.2", Inputs: ab(300, 1000), Want: 20, Why: "30 % ≥ 30 %: Điểm tối đa"},
		{Code: "8.2", Inputs: ab(299, 1000), Want: 0.299 / 0.3 * 20, Why: "29,9 %: Tỷ lệ/30%*20"},
		{Code: "8.2", Inputs: ab(150, 1000), Want: 10, Why: "15 %: 0.15/0.3*20"},

		{Code: "8.3", Inputs: ab(450, 600), Want: 15, Why: "a/b*max = 450/600*20"},
		{Code: "8.3", Inputs: ab(0, 0), Want: 0, Why: "b = 0: 0 points (D9)"},

		{Code: "8.4", Inputs: ab(501, 1000), Want: 20, Why: "50,1 % ≥ 50 %: Điểm tối đa"},
		{Code: "8.4", Inputs: ab(500, 1000), Want: 20, Why: "50 %: both branches give 20 (D24)"},
		{Code: "8.4", Inputs: ab(499, 1000), Want: 19.96, Why: "49,9 %: Tỷ lệ/50%*20 = 0.499/0.5*20"},
		{Code: "8.4", Inputs: ab(250, 1000), Want: 10, Why: "25 %: 0.25/0.5*20"},

		{Code: "8.7", Inputs: ab(301, 1000), Want: 25, Why: "30,1 % ≥ 30 %: Điểm tối đa"},
		{Code: "8.7", Inputs: ab(300, 1000), Want: 25, Why: "30 % ≥ 30 %: Điểm tối đa"},
		{Code: "8.7", Inputs: ab(299, 1000), Want: 0.299 / 0.3 * 25, Why: "29,9 %: Tỷ lệ/30%*25"},
		{Code: "8.7", Inputs: ab(150, 1000), Want: 12.5, Why: "15 %: 0.15/0.3*25"},

		{Code: "8.8", Inputs: ab(301, 1000), Want: 20, Why: "30,1 % ≥ 30 %: Điểm tối đa"},
		{Code: "8.8", Inputs: ab(300, 1000), Want: 20, Why: "30 % ≥ 30 %: Điểm tối đa"},
		{Code: "8.8", Inputs: ab(299, 1000), Want: 0.299 / 0.3 * 20, Why: "29,9 %: Tỷ lệ/30%*20"},
		{Code: "8.8", Inputs: ab(60, 1000), Want: 4, Why: "6 %: 0.06/0.3*20"},

		// 8.9: D25, literal: ≥ 90 % full, < 90 % Tỷ lệ × max (not /90 %).
		{Code: "8.9", Inputs: ab(1000, 1000), Want: 25, Why: "100 % ≥ 90 %: Điểm tối đa"},
		{Code: "8.9", Inputs: ab(901, 1000), Want: 25, Why: "90,1 % ≥ 90 %: Điểm tối đa"},
		{Code: "8.9", Inputs: ab(900, 1000), Want: 25, Why: "90 % ≥ 90 %: Điểm tối đa"},
		{Code: "8.9", Inputs: ab(899, 1000), Want: 22.475, Why: "89,9 % < 90 %: Tỷ lệ*Điểm tối đa = 0.899*25 (D25)"},
		{Code: "8.9", Inputs: ab(500, 1000), Want: 12.5, Why: "50 %: 0.5*25"},
		{Code: "8.9", Inputs: ab(0, 0), Want: 0, Why: "b = 0: 0 points (D9)"},

		// ---------------------------------------------------------------- 9 Đô thị thông minh (0 points, reference)
		{Code: "9.1", Inputs: map[string]any{"a": "da_trien_khai"}, Want: 0, Why: "Điểm tối đa = 0: full of 0 is 0 (reference, D27)"},
		{Code: "9.1", Inputs: map[string]any{"a": "Đã ban hành nhưng chưa triển khai"}, Want: 0, Why: "1/2 × 0 = 0 (D27)"},
		{Code: "9.2", Inputs: map[string]any{"a": "da_ban_hanh"}, Want: 0, Why: "Điểm tối đa = 0 (D27)"},
		{Code: "9.2", Inputs: map[string]any{"a": "Đang xin ý kiến"}, Want: 0, Why: "½ × 0 = 0 (D27)"},
		{Code: "9.3", Inputs: map[string]any{"a": "Có"}, Want: 0, Why: "Thực hiện: Điểm tối đa = 0 (D27)"},
	}

	// Yes/no indicators: «Đã có / Có …: Điểm tối đa; Chưa …: 0 điểm».
	for _, y := range []struct {
		code string
		max  float64
		rule string
	}{
		{"1.5", 15, "Đã có: Điểm tối đa. Chưa có: 0 điểm."},
		{"2.1", 20, "Đã ban hành: Điểm tối đa. Chưa ban hành: 0 điểm."},
		{"2.2", 20, "Đã ban hành: Điểm tối đa. Chưa ban hành: 0 điểm."},
		{"2.3", 15, "Đã ban hành: Điểm tối đa. Chưa ban hành: 0 điểm."},
		{"2.4", 15, "Có Thực hiện: Điểm tối đa. Không thực hiện: 0 điểm."},
		{"2.5", 15, "Thực hiện chính sách của tỉnh hoặc ban hành sáng kiến: Điểm tối đa."},
		{"2.6", 15, "Thực hiện chính sách của tỉnh hoặc ban hành sáng kiến: Điểm tối đa."},
		{"3.6", 15, "Có kết nối: Điểm tối đa. Chưa kết nối: 0 điểm."},
		{"3.7", 10, "Có bao phủ: Điểm tối đa. Chưa bao phủ: 0 điểm."},
		{"4.1", 15, "Đã có tổ công nghệ số cộng đồng: Điểm tối đa. Chưa có: 0 điểm."},
		{"4.3", 15, "Có công chức, viên chức chuyên trách, kiêm nhiệm: Điểm tối đa. Không có: 0 điểm."},
		{"5.8.3", 5, "Có tham gia: Điểm tối đa. Không tham gia: 0 điểm."},
		{"5.8.4", 5, "Có tham gia: Điểm tối đa. Không tham gia: 0 điểm."},
		{"5.8.5", 5, "Có tham gia: Điểm tối đa. Không tham gia: 0 điểm."},
	} {
		cases = append(cases, yesNo(y.code, y.max, y.rule)...)
	}
	cases = append(cases, handCase{Code: "2.1", Inputs: map[string]any{}, Want: 0, Why: "no answer: thiếu số liệu → 0"})

	runHandCases(t, "xuanlac-xa-2023", cases)
}
