package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"gopkg.in/yaml.v3"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/validate"
	"github.com/chiso-vn/chiso/processor/values"
)

func setupScore(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	valuesPath := fs.String("values", "", "tệp số liệu `FILE` (YAML hoặc JSON; bắt buộc)")
	rubricID := fs.String("rubric", "", "mã hoặc tệp bộ chỉ số `ID` (mặc định: bộ ghi trong tệp số liệu, không có thì theo cấu hình)")
	asJSON := fs.Bool("json", false, "in kết quả dạng JSON")
	return func(ctx context.Context, _ []string) error { return a.score(*valuesPath, *rubricID, *asJSON) }
}

func (a *app) score(valuesPath, rubricID string, asJSON bool) error {
	if valuesPath == "" {
		return usageErr("score: cần --values FILE")
	}
	data, err := os.ReadFile(valuesPath)
	if err != nil {
		return usageErr("score: không đọc được tệp số liệu: %v", err)
	}
	var vf values.File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&vf); err != nil && err != io.EOF {
		return failed("score: %s: %v", valuesPath, err)
	}
	id := rubricID
	if id == "" {
		id = vf.Rubric
	}
	r, err := a.rubricByIDOrFile(id)
	if err != nil {
		return err
	}
	vals, err := values.FromFile(r, vf)
	if err != nil {
		return failed("score: %s:\n%v", valuesPath, err)
	}
	sc, err := engine.New(r)
	if err != nil {
		return &exitError{code: exitConfig, err: err}
	}
	res := sc.Score(vals)
	// Impossible figures (errors) score 0 until corrected, as in `check`.
	sc.Invalidate(res, validate.Invalid(r, validate.Check(r, validate.Input{Values: vals}, res)))
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(resultJSON(r, vf.Unit, res))
	}
	printResult(a.stdout, r, vf.Unit, res)
	return nil
}

// ScoreJSON is the documented shape of `chiso score --json`.
type ScoreJSON struct {
	Rubric     string          `json:"rubric"`
	Unit       string          `json:"unit,omitempty"`
	Total      float64         `json:"total"`
	Max        float64         `json:"max"`
	Self       *float64        `json:"self,omitempty"`
	Pending    int             `json:"pending_cohort"`
	Pillars    []PillarJSON    `json:"pillars"`
	Indicators []IndicatorJSON `json:"indicators"`
}

// PillarJSON is one pillar in ScoreJSON.
type PillarJSON struct {
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	Max     float64  `json:"max"`
	Points  float64  `json:"points"`
	Self    *float64 `json:"self,omitempty"`
	Applies bool     `json:"applies"`
}

// IndicatorJSON is one indicator in ScoreJSON. Points are rounded to 2
// decimals; Exact keeps full precision.
type IndicatorJSON struct {
	Code    string   `json:"code"`
	Pillar  string   `json:"pillar"`
	Max     float64  `json:"max"`
	Points  float64  `json:"points"`
	Exact   float64  `json:"exact"`
	Status  string   `json:"status"`
	Measure *float64 `json:"measure,omitempty"`
	Missing []string `json:"missing,omitempty"`
	Self    *float64 `json:"self,omitempty"`
	Diff    *float64 `json:"diff,omitempty"`
	Note    string   `json:"note,omitempty"`
}

func resultJSON(r *rubric.Rubric, unit string, res *engine.Result) ScoreJSON {
	out := ScoreJSON{Rubric: r.ID, Unit: unit, Total: engine.Round2(res.Total), Max: res.Max, Pending: res.Pending}
	if res.HasSelf {
		s := engine.Round2(res.Self)
		out.Self = &s
	}
	for _, p := range res.Pillars {
		pj := PillarJSON{Code: p.Code, Name: p.Name, Max: p.Max, Points: engine.Round2(p.Points), Applies: p.Applies}
		if p.HasSelf {
			s := p.Self
			pj.Self = &s
		}
		out.Pillars = append(out.Pillars, pj)
	}
	for _, ir := range res.Indicators {
		ij := IndicatorJSON{Code: ir.Code, Pillar: ir.Pillar, Max: ir.Max, Points: engine.Round2(ir.Points), Exact: ir.Points,
			Status: string(ir.Status), Measure: ir.Measure, Missing: ir.Missing, Self: ir.Self, Note: ir.Note}
		if ir.Self != nil {
			d := engine.Round2(ir.Points - *ir.Self)
			ij.Diff = &d
		}
		out.Indicators = append(out.Indicators, ij)
	}
	return out
}

var statusText = map[engine.Status]string{
	engine.StatusOK:        "",
	engine.StatusMissing:   "thiếu số liệu",
	engine.StatusZeroDen:   "mẫu số bằng 0",
	engine.StatusPending:   "xếp hạng sau",
	engine.StatusSettled:   "theo cụm",
	engine.StatusReference: "tham khảo",
	engine.StatusInvalid:   "số liệu có lỗi: không tính điểm cho đến khi sửa",
	engine.StatusTodo:      "chưa có cách tính (todo)",
}

func printResult(w io.Writer, r *rubric.Rubric, unit string, res *engine.Result) {
	if unit != "" {
		fmt.Fprintf(w, "Đơn vị: %s\n", unit)
	}
	fmt.Fprintf(w, "Bộ chỉ số: %s — %s\n\n", r.ID, r.Name)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "MÃ\tTỐI ĐA\tĐIỂM\tTỰ CHẤM\tCHÊNH\t TRẠNG THÁI")
	for _, ir := range res.Indicators {
		self, diff := "", ""
		if ir.Self != nil {
			self = fmtNum(*ir.Self)
			diff = signed(engine.Round2(ir.Points - *ir.Self))
		}
		st := statusText[ir.Status]
		if len(ir.Missing) > 0 {
			st += " (" + joinComma(ir.Missing) + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t %s\n", ir.Code, fmtNum(ir.Max), fmtNum(ir.Points), self, diff, st)
	}
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TRỤ CỘT\tTỐI ĐA\tĐIỂM\tTỰ CHẤM\t")
	for _, p := range res.Pillars {
		name := p.Code + " " + truncate(p.Name, 50)
		if p.Optional && !p.Applies {
			name += " (không áp dụng)"
		}
		self := ""
		if p.HasSelf {
			self = fmtNum(p.Self)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t\n", name, fmtNum(p.Max), fmtNum(p.Points), self)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nTỔNG: %s / %s", fmtNum(res.Total), fmtNum(res.Max))
	if res.HasSelf {
		fmt.Fprintf(w, "   (tự chấm %s)", fmtNum(res.Self))
	}
	fmt.Fprintln(w)
	if res.Pending > 0 {
		fmt.Fprintf(w, "%d chỉ số tính theo cụm đơn vị (Min-Max) chưa có điểm: điểm được tính khi xếp hạng cả cụm.\n", res.Pending)
	}
}

// signed is a difference with its sign: +2,5; -17,89; 0.
func signed(x float64) string {
	if x > 0 {
		return "+" + fmtNum(x)
	}
	return fmtNum(x)
}

func joinComma(xs []string) string {
	var b bytes.Buffer
	for i, x := range xs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(x)
	}
	return b.String()
}
