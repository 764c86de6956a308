// Command gen writes N realistic filled self-assessment workbooks (seeded,
// varied, some bad) and a matching config roster, for the benchmark and
// for trying chiso by hand:
//
//	go run ./bench/gen -n 3321 -out /tmp/bench
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/chiso-vn/chiso/internal/sample"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
	"github.com/chiso-vn/chiso/templates"
)

func main() {
	n := flag.Int("n", 100, "number of workbooks")
	out := flag.String("out", "bench-data", "output folder (inbox/ and config.yaml are written in it)")
	id := flag.String("rubric", "thanhhoa-xa-2023", "rubric id")
	year := flag.Int("year", 2023, "reporting year")
	seed := flag.Uint64("seed", 1, "random seed")
	bad := flag.Float64("bad", 0.05, "share of bad files (.xls, PDF, damaged, unknown unit, other year)")
	flag.Parse()
	if err := run(*n, *out, *id, *year, *seed, *bad); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(n int, out, id string, year int, seed uint64, bad float64) error {
	set := rubric.NewSet()
	if err := set.LoadFS(templates.FS, "templates"); err != nil {
		return err
	}
	r, ok := set.Get(id)
	if !ok {
		return fmt.Errorf("no rubric %s", id)
	}
	inbox := filepath.Join(out, "inbox")
	for _, d := range []string{inbox, filepath.Join(out, "outbox")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	var roster strings.Builder
	for i := 1; i <= n; i++ {
		code := fmt.Sprintf("X%04d", i)
		name := fmt.Sprintf("Xã Thử Nghiệm %d", i)
		fmt.Fprintf(&roster, "  - {code: %s, name: %s}\n", code, name)
		path := filepath.Join(inbox, fmt.Sprintf("bieu-mau-%s.xlsx", strings.ToLower(code)))
		if rng.Float64() < bad {
			if err := writeBad(rng, r, path, code, name, year, i); err != nil {
				return err
			}
			continue
		}
		f, _, err := sample.Filled(r, sample.Options{
			Template: workbook.TemplateOptions{Year: year, UnitCode: code, UnitName: name},
			Seed:     seed*100000 + uint64(i), Missing: 0.03, SelfNoise: 0.3,
		})
		if err != nil {
			return err
		}
		if err := f.SaveAs(path); err != nil {
			return err
		}
		f.Close()
	}
	cfg := fmt.Sprintf("rubric: %s\nyear: %d\ninbox: inbox\noutbox: outbox\ndata: data\noffice: {name: UBND tỉnh Thử Nghiệm, cohort: thu-nghiem}\nroster:\n%s", id, year, roster.String())
	return os.WriteFile(filepath.Join(out, "config.yaml"), []byte(cfg), 0o644)
}

// writeBad writes one of the common bad inputs in place of a good workbook.
func writeBad(rng *rand.Rand, r *rubric.Rubric, path, code, name string, year, i int) error {
	switch rng.IntN(5) {
	case 0: // old Excel
		return os.WriteFile(strings.TrimSuffix(path, ".xlsx")+".xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 4096)...), 0o644)
	case 1: // a scanned PDF renamed
		return os.WriteFile(path, []byte("%PDF-1.4\n% scanned form\n"), 0o644)
	case 2: // truncated copy
		f, _, err := sample.Filled(r, sample.Options{Template: workbook.TemplateOptions{Year: year, UnitCode: code, UnitName: name}, Seed: uint64(i)})
		if err != nil {
			return err
		}
		buf, err := f.WriteToBuffer()
		if err != nil {
			return err
		}
		return os.WriteFile(path, buf.Bytes()[:buf.Len()/2], 0o644)
	case 3: // a unit not in the roster
		f, _, err := sample.Filled(r, sample.Options{Template: workbook.TemplateOptions{Year: year, UnitName: "Phường Không Có"}, Seed: uint64(i)})
		if err != nil {
			return err
		}
		return f.SaveAs(path)
	default: // last year's form
		f, _, err := sample.Filled(r, sample.Options{Template: workbook.TemplateOptions{Year: year - 1, UnitCode: code, UnitName: name}, Seed: uint64(i)})
		if err != nil {
			return err
		}
		return f.SaveAs(path)
	}
}
