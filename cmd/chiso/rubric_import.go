package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/atomicfile"
	"github.com/chiso-vn/chiso/processor/docx"
	"github.com/chiso-vn/chiso/processor/intake"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/rubric/importer"
	"github.com/chiso-vn/chiso/processor/vntext"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// rubricImport: chiso rubric import FILE [--id ID] [--out FILE.yaml] [--force]
//
// Reads a province's rubric table (.docx, .xlsx or text) and writes a rubric
// file. Exit 1 when the table cannot be used (every problem is listed with
// its row); 0 when the file is written, todos included.
func setupRubricImport(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	id := fs.String("id", "", "mã `ID` của bộ chỉ số (mặc định: tên tệp viết không dấu)")
	out := fs.String("out", "", "tệp bộ chỉ số `FILE.yaml` ghi ra (mặc định <mã>.yaml ở thư mục hiện tại)")
	force := fs.Bool("force", false, "ghi đè tệp đã có")
	return func(_ context.Context, args []string) error { return a.rubricImport(args[0], *id, *out, *force) }
}

func (a *app) rubricImport(src, id, out string, force bool) error {
	limit := a.cfg.Limits.MaxFileMB << 20
	data, size, err := intake.ReadLimited(src, limit)
	switch {
	case errors.Is(err, intake.ErrTooLarge):
		return failed("%s: tệp quá lớn (%d MB, tối đa %d MB)", src, size>>20, limit>>20)
	case errors.Is(err, intake.ErrNotRegular):
		return failed("%s: không phải một tệp", src)
	case err != nil:
		return failed("%s: %v", src, err)
	}
	tables, err := a.readTables(src, data)
	if err != nil {
		return failed("%s: %v", src, err)
	}
	res, err := importer.Import(tables, importer.Options{ID: id, Source: src, Year: a.col.YearAt(time.Now())})
	var ie *importer.ImportError
	if errors.As(err, &ie) {
		fmt.Fprintf(a.stdout, "Không nhập được bảng chỉ số từ %s:\n", src)
		for _, p := range ie.Problems {
			fmt.Fprintf(a.stdout, "  lỗi: %s\n", p)
		}
		return failed("%d lỗi trong bảng: sửa bảng rồi nhập lại", len(ie.Problems))
	}
	if err != nil {
		return err
	}
	y, err := res.YAML()
	if err != nil {
		return err
	}
	if _, err := rubric.Parse(bytes.NewReader(y), "import"); err != nil {
		return fmt.Errorf("tệp bộ chỉ số vừa tạo không đọc lại được: %w", err)
	}
	dest := out
	if dest == "" {
		dest = res.Rubric.ID + ".yaml"
	}
	if _, err := os.Stat(dest); err == nil && !force {
		return failed("%s đã có: dùng --force để ghi đè, hoặc --out để ghi vào tệp khác", dest)
	}
	if _, err := atomicfile.Write(dest, func(w io.Writer) error { _, err := w.Write(y); return err }); err != nil {
		return err
	}
	a.printImport(src, dest, res)
	return nil
}

// readTables reads the tables of a .docx, an .xlsx or a text file, by
// content first (a renamed file still opens), then by extension.
func (a *app) readTables(name string, data []byte) ([]importer.Table, error) {
	l := a.cfg.Limits
	ext := strings.ToLower(filepath.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		tables, err := docx.ReadTables(data, docx.Limits{File: l.MaxFileMB << 20, Entries: docx.DefaultLimits.Entries,
			Part: l.UnzipXMLMB << 20, Rows: docx.DefaultLimits.Rows, Cells: docx.DefaultLimits.Cells})
		if err == nil || ext == ".docx" {
			return tables, err
		}
		return workbook.ReadTables(data, workbook.TableLimits{File: l.MaxFileMB << 20, Unzip: l.UnzipMB << 20, UnzipPart: l.UnzipXMLMB << 20,
			Rows: workbook.DefaultTableLimits.Rows, Cols: workbook.DefaultTableLimits.Cols})
	case bytes.HasPrefix(data, []byte{0xd0, 0xcf, 0x11, 0xe0}):
		return nil, errors.New("tệp Word/Excel 97–2003 (.doc, .xls) hoặc có mật khẩu: mở bằng Word hay Excel, lưu thành .docx hay .xlsx (không mật khẩu) rồi nhập lại")
	case bytes.HasPrefix(data, []byte("%PDF")):
		return nil, errors.New("tệp PDF không đọc được bảng: cần bản Word (.docx) hay Excel (.xlsx) của văn bản, hoặc chép bảng vào tệp văn bản")
	case ext == ".docx" || ext == ".xlsx" || ext == ".xlsm":
		return nil, fmt.Errorf("tệp %s bị hỏng (không phải tệp zip)", ext)
	}
	t, err := importer.ParseText(data)
	if err != nil {
		return nil, err
	}
	return []importer.Table{t}, nil
}

func (a *app) printImport(src, dest string, res *importer.Result) {
	r := res.Rubric
	w := a.stdout
	n := 0
	r.Walk(func(*rubric.Pillar, *rubric.Indicator) { n++ })
	fmt.Fprintf(w, "Đã nhập bảng chỉ số từ %s vào %s\n", src, dest)
	fmt.Fprintf(w, "  %s — %s (năm %d, cấp %s)\n", r.ID, r.Name, r.Year, r.Level.Label())
	fmt.Fprintf(w, "  %d trụ cột, %d chỉ số: %d đọc được cách tính, %d còn todo; %d quyết định ghi trong tệp\n",
		len(r.Pillars), n, res.Rules, res.Todos, len(r.Decisions))
	if len(res.Problems) > 0 {
		fmt.Fprintf(w, "\nCảnh báo (%d):\n", len(res.Problems))
		for _, p := range res.Problems {
			fmt.Fprintf(w, "  %s\n", p)
		}
	}
	if res.Todos > 0 {
		fmt.Fprintf(w, "\nChỉ số còn todo (%d) — viết inputs và rule trong tệp, xóa dòng todo:\n", res.Todos)
		r.Walk(func(_ *rubric.Pillar, in *rubric.Indicator) {
			if in.IsTodo() {
				fmt.Fprintf(w, "  %-8s %s: %s\n", in.Code, res.Rows[in.Code], truncate(vntext.OneLine(in.Todo), 160))
			}
		})
	}
	fmt.Fprintf(w, "\nViệc tiếp theo: sửa các todo, rồi chạy\n  chiso rubric check %s\n", dest)
}

// rubricDiff: chiso rubric diff A B — what changed from rubric A (last
// year's) to rubric B, by id or file.
func setupRubricDiff(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	return func(_ context.Context, args []string) error { return a.rubricDiff(args) }
}

func (a *app) rubricDiff(pos []string) error {
	ra, err := a.rubricByIDOrFile(pos[0])
	if err != nil {
		return err
	}
	rb, err := a.rubricByIDOrFile(pos[1])
	if err != nil {
		return err
	}
	fmt.Fprint(a.stdout, rubric.Compare(ra, rb).Text())
	return nil
}

// printCrossCheck compares the checked rubrics with each other and with the
// other loaded rubrics (one wording, one decision) and prints what differs.
// It returns the number of findings.
func (a *app) printCrossCheck(w io.Writer, targets []*rubric.Rubric) int {
	ids := map[string]bool{}
	for _, r := range targets {
		ids[r.ID] = true
	}
	// The loaded rubrics first: a finding is placed on the second rubric
	// of its pair, the one being checked.
	var all []*rubric.Rubric
	if set, err := a.loadRubrics(); err == nil {
		for _, r := range set.All() {
			if !ids[r.ID] {
				all = append(all, r)
			}
		}
	}
	all = append(all, targets...)
	var found []rubric.Finding
	for _, f := range rubric.CheckSet(all) {
		if ids[strings.Fields(f.Where)[0]] || ids[strings.Fields(f.Related)[0]] {
			found = append(found, f)
		}
	}
	if len(found) == 0 {
		return 0
	}
	fmt.Fprintf(w, "\n== so sánh giữa các bộ chỉ số (một cách viết, một quyết định)\n")
	for _, f := range found {
		fmt.Fprintf(w, "  %s\n", f)
	}
	return len(found)
}
