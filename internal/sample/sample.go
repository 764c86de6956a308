// Package sample makes realistic filled self-assessment workbooks from a
// rubric, seeded and varied, for tests, the bad-input corpus and the
// benchmark. Figures mostly respect the rubric's shape: denominators match
// the general information and each numerator is at most its indicator's
// smallest denominator. Numerators are drawn one by one, so two that share
// a denominator can add up to more than it (a + b > c on Thanh Hóa's 1.2):
// such a unit is accepted with an error and "cần sửa, nộp lại", as a real
// commune's mistake would be.
package sample

import (
	"math"
	"math/rand/v2"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/formula"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// Options say what to generate.
type Options struct {
	Template workbook.TemplateOptions
	Seed     uint64
	// Missing is the share of indicator inputs left empty (0..1).
	Missing float64
	// SelfNoise is the share of self-scores that differ from the computed
	// score (inflated, as communes do).
	SelfNoise float64
}

// Filled returns a generated template filled through its defined names,
// and the raw values written (by defined name).
func Filled(r *rubric.Rubric, opt Options) (*excelize.File, map[string]any, error) {
	f, err := workbook.Template(r, opt.Template)
	if err != nil {
		return nil, nil, err
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	named := workbook.Named(f)
	written := map[string]any{}
	put := func(name string, v any) {
		c, ok := named[name]
		if !ok || v == nil {
			return
		}
		f.SetCellValue(c.Sheet, c.Addr, v)
		written[name] = v
	}
	general := map[string]float64{}
	for _, g := range r.General {
		v := generalValue(rng, g)
		if v != nil {
			put(workbook.GeneralName(g.Key), v)
			if n, ok := v.(float64); ok {
				general[g.Key] = n
			}
		}
	}
	put(workbook.NameUnitAddress, "Thôn Trung Tâm")
	put(workbook.NameContactName, "Nguyễn Văn An")
	put(workbook.NameContactRole, "Công chức Văn hóa - Xã hội")
	put(workbook.NameContactPhone, "0912 345 678")
	put(workbook.NameContactEmail, "vanhoa@example.vn")
	vals := engine.NewValues()
	for k, v := range general {
		vals.General[k] = engine.Num(v)
	}
	r.Walk(func(p *rubric.Pillar, in *rubric.Indicator) {
		dens := denominators(in)
		vars := map[string]float64{}
		// Denominators first, so numerators can stay below them.
		for _, pass := range []bool{true, false} {
			for _, x := range in.Inputs {
				if dens[x.Key] != pass {
					continue
				}
				if rng.Float64() < opt.Missing {
					continue
				}
				raw, num := inputValue(rng, x, general, vars, dens)
				if raw == nil {
					continue
				}
				put(workbook.InputName(in.Code, x.Key), raw)
				vars[x.Key] = num
				vals.Set(in.Code, x.Key, engine.Value{Set: true, Num: num})
			}
		}
	})
	sc, err := engine.New(r)
	if err != nil {
		return nil, nil, err
	}
	res := sc.Score(vals)
	for _, ir := range res.Indicators {
		if !ir.Leaf || ir.Max == 0 {
			continue
		}
		self := ir.Points
		if ir.Status == engine.StatusPending {
			self = math.Round(rng.Float64() * ir.Max)
		} else if rng.Float64() < opt.SelfNoise {
			self = ir.Max // inflated
		}
		put(workbook.SelfName(ir.Code), math.Round(self*100)/100)
		if self > 0 {
			put(workbook.ExplainName(ir.Code), explanations[rng.IntN(len(explanations))])
			put(workbook.EvidenceName(ir.Code), "Báo cáo số "+itoa(1+rng.IntN(300))+"/BC-UBND")
		} else {
			put(workbook.ExplainName(ir.Code), "Chưa thực hiện")
		}
	}
	return f, written, nil
}

var explanations = []string{
	"Đã thực hiện theo kế hoạch", "Có văn bản kèm theo", "Đã triển khai đầy đủ", "Theo số liệu thống kê năm",
	"Đã ban hành kế hoạch", "Thực hiện thường xuyên",
}

func itoa(i int) string {
	const d = "0123456789"
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{d[i%10]}, b...)
	}
	return string(b)
}

// denominators returns the input keys used in a ratio's denominator.
func denominators(in *rubric.Indicator) map[string]bool {
	out := map[string]bool{}
	var walk func(r *rubric.Rule)
	walk = func(r *rubric.Rule) {
		if r == nil {
			return
		}
		if r.Den != "" {
			if e, err := formula.Compile(r.Den); err == nil {
				for _, v := range e.Vars() {
					out[v] = true
				}
			}
		}
		for i := range r.Parts {
			walk(&r.Parts[i].Rule)
		}
	}
	walk(in.Rule)
	return out
}

func generalValue(rng *rand.Rand, g rubric.Input) any {
	k := strings.ToLower(g.Key + " " + g.Label)
	switch g.Type {
	case rubric.YesNo:
		if rng.IntN(4) == 0 {
			return "Có"
		}
		return "Không"
	case rubric.Text:
		return "Trung tâm xã"
	case rubric.Money:
		return float64(100 + rng.IntN(5000))
	case rubric.Pct:
		return float64(rng.IntN(101))
	}
	switch {
	case strings.Contains(k, "dan_so") || strings.Contains(k, "dân số") || strings.Contains(k, "người dân"):
		return float64(4000 + rng.IntN(16000))
	case strings.Contains(k, "ho") && strings.Contains(k, "hộ"):
		return float64(1000 + rng.IntN(4000))
	case strings.Contains(k, "doanh"):
		return float64(5 + rng.IntN(60))
	}
	return float64(8 + rng.IntN(30))
}

// inputValue returns the raw cell value and the number the engine uses.
func inputValue(rng *rand.Rand, x rubric.Input, general, vars map[string]float64, dens map[string]bool) (any, float64) {
	switch x.Type {
	case rubric.YesNo:
		if rng.IntN(3) > 0 {
			return "Có", 1
		}
		return "Không", 0
	case rubric.Choice:
		o := x.Options[rng.IntN(len(x.Options))]
		return o.Label, o.Fraction
	case rubric.Pct:
		v := float64(rng.IntN(101))
		return v, v / 100
	case rubric.Money:
		v := float64(rng.IntN(2000)) / 10
		return v, v
	case rubric.Items:
		n := rng.IntN(4)
		var items []string
		for i := 0; i < n; i++ {
			items = append(items, "Nền tảng "+itoa(i+1))
		}
		return strings.Join(items, "\n"), float64(n)
	case rubric.Text:
		return "Ghi chú", 0
	}
	if g, ok := general[x.SameAs]; ok && x.SameAs != "" {
		return g, g
	}
	if dens[x.Key] {
		v := float64(5 + rng.IntN(45))
		return v, v
	}
	// A numerator: at most the smallest denominator already chosen.
	hi := 50.0
	for k, v := range vars {
		if dens[k] && v < hi {
			hi = v
		}
	}
	v := math.Floor(rng.Float64() * (hi + 1))
	if v > hi {
		v = hi
	}
	if x.Type == rubric.Number {
		v = math.Round(rng.Float64()*hi*10) / 10
	}
	return v, v
}
