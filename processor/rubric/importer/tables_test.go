package importer_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/templates"
)

// shipped loads the seven shipped rubrics.
func shipped(t testing.TB) *rubric.Set {
	t.Helper()
	set := rubric.NewSet()
	if err := set.LoadFS(templates.FS, "templates"); err != nil {
		t.Fatal(err)
	}
	return set
}

func maxCell(m *float64) string {
	if m == nil {
		return ""
	}
	return strconv.FormatFloat(*m, 'f', -1, 64)
}

// tableRows lays a shipped rubric out as a province prints it: a title, the
// header TT / Chỉ số / Điểm tối đa / Phương pháp, a row per section, pillar
// and indicator with its own code, name, maximum and method text, and the
// total.
func tableRows(r *rubric.Rubric) [][]string {
	rows := [][]string{
		{r.Name},
		{"TT", "Chỉ số/Chỉ số thành phần", "Điểm tối đa", "Phương pháp xác định và cách cho điểm"},
	}
	section := ""
	var walk func(in *rubric.Indicator)
	walk = func(in *rubric.Indicator) {
		rows = append(rows, []string{in.Code, in.Name, maxCell(in.Max), in.Method})
		for _, c := range in.Children {
			walk(c)
		}
	}
	for _, p := range r.Pillars {
		if p.Section != "" && p.Section != section {
			section = p.Section
			code, name, ok := strings.Cut(p.Section, ". ")
			if !ok || strings.ContainsAny(code, " ") {
				code, name = "", p.Section
			}
			rows = append(rows, []string{code, name, "", ""})
		}
		rows = append(rows, []string{p.Code, p.Name, maxCell(p.Max), ""})
		for _, in := range p.Indicators {
			walk(in)
		}
	}
	rows = append(rows, []string{"", "Tổng cộng", maxCell(r.Max), ""})
	return rows
}

// textTable writes rows tab-separated, multi-line cells quoted (as Excel
// copies cells).
func textTable(rows [][]string) []byte {
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i > 0 {
				b.WriteByte('\t')
			}
			if strings.ContainsAny(c, "\n\t\"") {
				c = `"` + strings.ReplaceAll(c, `"`, `""`) + `"`
			}
			b.WriteString(c)
		}
		b.WriteByte('\n')
	}
	return []byte(b.String())
}
