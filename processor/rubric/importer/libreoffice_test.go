package importer_test

import (
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/processor/docx"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/rubric/importer"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// The LibreOffice corpus: the two full-method rubrics as HTML tables
// (title, merged two-row header, merged section and total rows, methods
// with <br>), converted by LibreOffice to .docx and .xlsx: files of a
// second producer, with its own XML (styles, w:tblGrid, shared strings,
// merged ranges), committed under testdata/libreoffice. Regenerate with
//
//	CHISO_LIBREOFFICE_CORPUS=1 go test ./processor/rubric/importer -run TestMakeLibreOfficeCorpus
var corpusIDs = []string{"thanhhoa-xa-2023", "xuanlac-xa-2023"}

const corpusDir = "testdata/libreoffice"

func corpusHTML(rows [][]string) string {
	var b strings.Builder
	e := html.EscapeString
	b.WriteString(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>Phụ lục</title></head><body>` + "\n")
	b.WriteString(`<p align="center"><b>PHỤ LỤC</b></p><p align="center"><b>` + e(strings.ToUpper(rows[0][0])) + "</b></p>\n")
	b.WriteString(`<table border="1" cellspacing="0">` + "\n")
	b.WriteString(`<tr><th rowspan="2">TT</th><th rowspan="2">` + e(rows[1][1]) + `</th><th colspan="2">QUY CHUẨN ĐÁNH GIÁ</th></tr>` + "\n")
	b.WriteString(`<tr><th>` + e(rows[1][2]) + `</th><th>` + e(rows[1][3]) + `</th></tr>` + "\n")
	text := `<td sdnum="1033;0;@">` // a code stays text: "3.10" is not 3.1
	for _, r := range rows[2:] {
		code, name, max, method := r[0], r[1], r[2], r[3]
		switch {
		case code == "" && strings.HasPrefix(name, "Tổng"):
			b.WriteString(`<tr><td colspan="2">` + e(name) + `</td><td>` + e(max) + "</td><td></td></tr>\n")
		case max == "" && method == "":
			b.WriteString("<tr>" + text + e(code) + `</td><td colspan="3">` + e(name) + "</td></tr>\n")
		default:
			b.WriteString("<tr>" + text + e(code) + "</td><td>" + e(name) + "</td><td>" + e(max) + "</td><td>" +
				strings.ReplaceAll(e(method), "\n", "<br>") + "</td></tr>\n")
		}
	}
	b.WriteString("</table>\n<p>Nơi nhận: các xã, phường, thị trấn.</p></body></html>\n")
	return b.String()
}

func TestMakeLibreOfficeCorpus(t *testing.T) {
	if os.Getenv("CHISO_LIBREOFFICE_CORPUS") == "" {
		t.Skip("set CHISO_LIBREOFFICE_CORPUS=1 to regenerate testdata/libreoffice with soffice")
	}
	soffice, err := exec.LookPath("soffice")
	if err != nil {
		t.Fatal(err)
	}
	set := shipped(t)
	if err := os.MkdirAll(corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, id := range corpusIDs {
		r, _ := set.Get(id)
		src := filepath.Join(corpusDir, id+".html")
		if err := os.WriteFile(src, []byte(corpusHTML(tableRows(r))), 0o644); err != nil {
			t.Fatal(err)
		}
		profile := "-env:UserInstallation=file://" + t.TempDir()
		for _, args := range [][]string{
			{"--convert-to", "docx:MS Word 2007 XML"},
			{"--infilter=HTML (StarCalc)", "--convert-to", "xlsx"},
		} {
			cmd := exec.Command(soffice, append(append([]string{profile, "--headless"}, args...), "--outdir", corpusDir, src)...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v: %v\n%s", cmd.Args, err, out)
			}
		}
	}
}

// TestLibreOfficeCorpus: the files LibreOffice wrote import like the tables
// built in Go: the same structure, and every rule that is not todo scores
// like the shipped one on 500 random sets.
func TestLibreOfficeCorpus(t *testing.T) {
	set := shipped(t)
	for _, id := range corpusIDs {
		want, _ := set.Get(id)
		for _, ext := range []string{"docx", "xlsx"} {
			t.Run(id+"."+ext, func(t *testing.T) {
				data, err := os.ReadFile(filepath.Join(corpusDir, id+"."+ext))
				if err != nil {
					t.Fatal(err)
				}
				if len(data) > 100<<10 {
					t.Errorf("corpus file of %d KB: keep it under 100 KB", len(data)>>10)
				}
				var tables []importer.Table
				if ext == "docx" {
					tables, err = docx.ReadTables(data, docx.DefaultLimits)
				} else {
					tables, err = workbook.ReadTables(data, workbook.DefaultTableLimits)
				}
				if err != nil {
					t.Fatal(err)
				}
				res, err := importer.Import(tables, importer.Options{Source: id + "." + ext})
				if err != nil {
					t.Fatal(err)
				}
				got := res.Rubric
				var a, b []string
				walkParents(want, func(p *rubric.Pillar, in *rubric.Indicator, parent string) {
					a = append(a, p.Code+"/"+in.Code+" "+in.Name+" "+fmtMax(in.Max))
				})
				walkParents(got, func(p *rubric.Pillar, in *rubric.Indicator, parent string) {
					b = append(b, p.Code+"/"+in.Code+" "+in.Name+" "+fmtMax(in.Max))
				})
				if strings.Join(a, "\n") != strings.Join(b, "\n") || got.Year != want.Year || got.Level != want.Level {
					t.Fatalf("structure differs (year %d, level %s):\n%s", got.Year, got.Level, diffLines(b, a))
				}
				tl := compareScores(t, want, got, 500, 11)
				if tl.differ > 0 || float64(tl.matched) < 0.8*float64(tl.total) {
					t.Errorf("matched %d of %d, todo %v, differ %v", tl.matched, tl.total, tl.todos, tl.differs)
				}
			})
		}
	}
}
