// Package values turns what people type (in a values file or a workbook
// cell) into engine values, per the rubric's input types: Vietnamese yes/no
// words, choice labels, percentages, numbers with Vietnamese separators.
package values

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/vntext"
)

// ErrNotNumber is wrapped by errors for text that is not a number.
var ErrNotNumber = errors.New("không phải là số")

var yesWords = map[string]bool{
	"co": true, "x": true, "yes": true, "true": true, "1": true, "da co": true, "da": true,
	"da ban hanh": true, "roi": true, "co thuc hien": true, "da thuc hien": true, "da trien khai": true,
	"dat": true, "da ket noi": true, "co ket noi": true, "da to chuc": true, "co to chuc": true, "v": true,
}

var noWords = map[string]bool{
	"khong": true, "chua": true, "chua co": true, "no": true, "false": true, "0": true,
	"chua ban hanh": true, "khong co": true, "chua thuc hien": true, "khong thuc hien": true,
	"chua trien khai": true, "chua ket noi": true, "chua to chuc": true, "khong dat": true, "-": true,
}

// YesNo reads a yes/no answer. ok is false when s is neither.
func YesNo(s string) (yes, ok bool) {
	f := vntext.Fold(s)
	if yesWords[f] {
		return true, true
	}
	if noWords[f] {
		return false, true
	}
	return false, false
}

// Number reads a number as Vietnamese officials type it: "1.234" is 1234,
// "1,5" is 1.5, "1.234,5" is 1234.5; surrounding spaces and a trailing unit
// word ("9 triệu", "10 CBCC") are dropped. ambiguous is true for "1.5"-style
// text that could be 1.5 or 15 thousand… (read as 1.5).
func Number(s string) (v float64, ambiguous bool, err error) {
	t := strings.TrimSpace(s)
	t = strings.ReplaceAll(t, "\u00a0", " ")
	// Keep the leading numeric part: "9 triệu" → "9".
	end := 0
	for i, r := range t {
		if (r >= '0' && r <= '9') || r == '.' || r == ',' || (i == 0 && (r == '-' || r == '+')) || r == ' ' {
			end = i + len(string(r))
			continue
		}
		break
	}
	num := strings.ReplaceAll(strings.TrimSpace(t[:end]), " ", "")
	if num == "" || num == "-" || num == "+" {
		return 0, false, fmt.Errorf("%q: %w", s, ErrNotNumber)
	}
	dots, commas := strings.Count(num, "."), strings.Count(num, ",")
	switch {
	case dots > 0 && commas > 0:
		// Vietnamese style 1.234,5 (or English 1,234.5 when the dot is last).
		if strings.LastIndex(num, ",") > strings.LastIndex(num, ".") {
			num = strings.ReplaceAll(num, ".", "")
			num = strings.Replace(num, ",", ".", 1)
		} else {
			num = strings.ReplaceAll(num, ",", "")
		}
	case commas == 1:
		num = strings.Replace(num, ",", ".", 1)
	case commas > 1:
		num = strings.ReplaceAll(num, ",", "")
	case dots > 1:
		num = strings.ReplaceAll(num, ".", "")
	case dots == 1:
		i := strings.Index(num, ".")
		frac := num[i+1:]
		if len(frac) == 3 && i > 0 {
			// "1.234": Vietnamese thousands separator.
			num = strings.Replace(num, ".", "", 1)
		} else {
			ambiguous = len(frac) > 0
		}
	}
	v, perr := strconv.ParseFloat(num, 64)
	if perr != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, fmt.Errorf("%q: %w", s, ErrNotNumber)
	}
	return v, ambiguous, nil
}

// Coerce converts a raw value (from YAML/JSON: number, bool, string, list)
// to an engine value for input in. nil is a missing value.
func Coerce(in rubric.Input, raw any) (engine.Value, error) {
	if raw == nil {
		return engine.Value{}, nil
	}
	if s, ok := raw.(string); ok && strings.TrimSpace(s) == "" {
		return engine.Value{}, nil
	}
	text := fmt.Sprint(raw)
	v := engine.Value{Set: true, Text: text}
	switch in.Type {
	case rubric.Text:
		return v, nil
	case rubric.Items:
		switch x := raw.(type) {
		case []any:
			for _, it := range x {
				v.Items = append(v.Items, fmt.Sprint(it))
			}
		case string:
			for _, line := range strings.Split(x, "\n") {
				if strings.TrimSpace(line) != "" {
					v.Items = append(v.Items, strings.TrimSpace(line))
				}
			}
		default:
			n, err := number(raw)
			if err != nil {
				return engine.Value{}, err
			}
			v.Num = n
			return v, nil
		}
		v.Num = float64(len(v.Items))
		return v, nil
	case rubric.YesNo:
		switch x := raw.(type) {
		case bool:
			v.Num = b2f(x)
			return v, nil
		case string:
			yes, ok := YesNo(x)
			if !ok {
				return engine.Value{}, fmt.Errorf("%q: cần trả lời Có hoặc Không", x)
			}
			v.Num = b2f(yes)
			return v, nil
		}
		n, err := number(raw)
		if err != nil || (n != 0 && n != 1) {
			return engine.Value{}, fmt.Errorf("%v: cần trả lời Có hoặc Không", raw)
		}
		v.Num = n
		return v, nil
	case rubric.Choice:
		o, ok := MatchOption(in, text)
		if !ok {
			var labels []string
			for _, o := range in.Options {
				labels = append(labels, o.Label)
			}
			return engine.Value{}, fmt.Errorf("%q: không phải một lựa chọn hợp lệ (%s)", text, strings.Join(labels, "; "))
		}
		v.Choice, v.Num = o.Key, o.Fraction
		return v, nil
	case rubric.Pct:
		n, err := number(raw)
		if err != nil {
			return engine.Value{}, err
		}
		// Percent inputs are written in percent (50 or "50%") and used as a fraction.
		v.Num = n / 100
		return v, nil
	}
	n, err := number(raw)
	if err != nil {
		return engine.Value{}, err
	}
	v.Num = n
	return v, nil
}

func number(raw any) (float64, error) {
	switch x := raw.(type) {
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case float64:
		return x, nil
	case bool:
		return 0, fmt.Errorf("%v: %w", x, ErrNotNumber)
	case string:
		n, _, err := Number(strings.TrimSuffix(strings.TrimSpace(x), "%"))
		return n, err
	}
	return 0, fmt.Errorf("%v: %w", raw, ErrNotNumber)
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// MatchOption finds the option whose key, label, short label or alias
// matches s after folding case, diacritics and spaces.
func MatchOption(in rubric.Input, s string) (rubric.Option, bool) {
	f := vntext.Fold(s)
	for _, o := range in.Options {
		if vntext.Fold(o.Key) == f || vntext.Fold(o.Label) == f || (o.Short != "" && vntext.Fold(o.Short) == f) {
			return o, true
		}
		for _, a := range o.Aliases {
			if vntext.Fold(a) == f {
				return o, true
			}
		}
	}
	return rubric.Option{}, false
}

// File is the shape of a values file for `chiso score`.
type File struct {
	Rubric     string                    `yaml:"rubric" json:"rubric"`
	Unit       string                    `yaml:"unit" json:"unit"`
	General    map[string]any            `yaml:"general" json:"general"`
	Indicators map[string]map[string]any `yaml:"indicators" json:"indicators"`
	Self       map[string]float64        `yaml:"self" json:"self"`
}

// FromFile converts a values file to engine values for rubric r. Every
// problem is returned, each naming its indicator and input.
func FromFile(r *rubric.Rubric, f File) (engine.Values, error) {
	out := engine.NewValues()
	var errs []error
	for k, raw := range f.General {
		g, ok := r.GeneralField(k)
		if !ok {
			errs = append(errs, fmt.Errorf("general.%s: không có trường thông tin chung này trong bộ chỉ số %s", k, r.ID))
			continue
		}
		v, err := Coerce(g, raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("general.%s: %w", k, err))
			continue
		}
		out.General[k] = v
	}
	for code, inputs := range f.Indicators {
		_, ind := r.Indicator(code)
		if ind == nil {
			errs = append(errs, fmt.Errorf("indicators.%s: không có chỉ số này trong bộ chỉ số %s", code, r.ID))
			continue
		}
		for k, raw := range inputs {
			in, ok := ind.Input(k)
			if !ok {
				errs = append(errs, fmt.Errorf("indicators.%s.%s: chỉ số %s không có số liệu %q", code, k, code, k))
				continue
			}
			v, err := Coerce(in, raw)
			if err != nil {
				errs = append(errs, fmt.Errorf("indicators.%s.%s: %w", code, k, err))
				continue
			}
			out.Set(code, k, v)
		}
	}
	for code, s := range f.Self {
		if _, ind := r.Indicator(code); ind == nil {
			errs = append(errs, fmt.Errorf("self.%s: không có chỉ số này trong bộ chỉ số %s", code, r.ID))
			continue
		}
		out.Self[code] = s
	}
	return out, errors.Join(errs...)
}
