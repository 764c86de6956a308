package importer_test

import (
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/rubric/importer"
)

// FuzzImportText: any text gives a table or an error; any table gives a
// rubric or an error naming rows; a rubric is written as YAML that parses
// back and that the engine can score (todo indicators included).
func FuzzImportText(f *testing.F) {
	f.Add("TT;Chỉ số;Điểm tối đa;Phương pháp\n1;Nhận thức số;20;\n1.1;Có Ban Chỉ đạo;20;- Đã có: Điểm tối đa.\\n- Chưa có: 0 điểm.")
	f.Add("TT\tChỉ số\tĐiểm tối đa\tPhương pháp\n1\tA\t10\t\n1.1\tB\t10\t\"a = X. b = Y.\n- Tỷ lệ = a/b.\n- Tỷ lệ ≥ 50%: Điểm tối đa.\n- Tỷ lệ < 50%: Tỷ lệ/50%*Điểm tối đa.\"\n")
	f.Add("| STT | Chỉ số | Điểm | Cách tính |\n|---|---|---|---|\n| I | Nhóm | | |\n| 1 | P | | |\n| 1.1 | Q | 5 | - Từ 20 camera trở lên: điểm tối đa. - Từ 10 đến 19 camera: 1/2*Điểm tối đa. - Chưa có: 0 điểm. |\n| 1.1.a | R | x | |")
	f.Add("TT;Chỉ số;Điểm tối đa;Phương pháp\n1;A;;\n1.1;B;;Tính điểm theo phương pháp Min-Max\n1.2;Số lượng C;0;Mỗi hoạt động: 02 điểm\n;Tổng cộng;1.000;")
	f.Fuzz(func(t *testing.T, text string) {
		tb, err := importer.ParseText([]byte(text))
		if err != nil {
			return
		}
		res, err := importer.Import([]importer.Table{tb}, importer.Options{Source: "fuzz.txt", Year: 2025})
		if err != nil {
			return
		}
		y, err := res.YAML()
		if err != nil {
			t.Fatalf("YAML: %v", err)
		}
		r, err := rubric.Parse(strings.NewReader(string(y)), "fuzz.yaml")
		if err != nil {
			t.Fatalf("written file does not parse: %v\n%s", err, y)
		}
		rubric.Check(r)
		if s, err := engine.New(r); err == nil {
			s.Score(engine.NewValues())
		}
	})
}
