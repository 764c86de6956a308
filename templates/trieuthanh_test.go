package templates_test

import (
	"math"
	"os"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/values"
)

// The hand-computed differences live in internal/fixtures, shared with the
// `chiso check` test.
var (
	TrieuThanhDiffs  = testkit.TrieuThanhDiffs
	notReconstructed = testkit.TrieuThanhNotReconstructed
)

func loadTrieuThanh(t *testing.T) (values.File, *engine.Result) {
	t.Helper()
	data, err := os.ReadFile("testdata/trieu-thanh-2023.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var vf values.File
	if err := yaml.Unmarshal(data, &vf); err != nil {
		t.Fatal(err)
	}
	r := get(t, vf.Rubric)
	v, err := values.FromFile(r, vf)
	if err != nil {
		t.Fatal(err)
	}
	sc, err := engine.New(r)
	if err != nil {
		t.Fatal(err)
	}
	return vf, sc.Score(v)
}

func TestTrieuThanh2023(t *testing.T) {
	vf, res := loadTrieuThanh(t)
	// The transcribed self-scores add up to the report's "Tổng số: 775 điểm".
	var self float64
	for _, s := range vf.Self {
		self += s
	}
	if self != 775 {
		t.Fatalf("self-scores add up to %v, the report says 775", self)
	}
	for _, ir := range res.Indicators {
		if notReconstructed[ir.Code] {
			continue
		}
		if ir.Self == nil {
			if ir.Points != 0 {
				t.Errorf("%s: no self-score, engine %v", ir.Code, ir.Points)
			}
			continue
		}
		diff := ir.Points - *ir.Self
		want := TrieuThanhDiffs[ir.Code]
		if math.Abs(diff-want) > 1e-9 {
			t.Errorf("%s: engine %v − self %v = %+.2f, want %+.2f", ir.Code, ir.Points, *ir.Self, diff, want)
		}
	}
	for code := range TrieuThanhDiffs {
		if res.Indicator(code) == nil {
			t.Errorf("no indicator %s", code)
		}
	}
	// "Chưa có chuyên mục riêng" without an article count is missing data.
	if st := res.Indicator("1.3").Status; st != engine.StatusMissing {
		t.Errorf("1.3 status %s, want missing", st)
	}
	for _, c := range []string{"3.4", "3.5", "3.11", "5.1", "5.4"} {
		if st := res.Indicator(c).Status; st != engine.StatusPending {
			t.Errorf("%s status %s, want pending (Min-Max)", c, st)
		}
	}
}
