package engine_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/engine"
)

// TestPackRoundTrip: on every shipped rubric, a packed result decodes to
// the result as scored (and invalidated); a settled or appraised one
// decodes to it unsettled, without the council's scores.
func TestPackRoundTrip(t *testing.T) {
	for _, r := range testkit.Rubrics(t).All() {
		sc, err := engine.New(r)
		if err != nil {
			t.Fatal(err)
		}
		in := testkit.RandomCohort(r, 20, 0)
		var results []*engine.Result
		var scratch engine.Result
		for i, s := range in.Submissions {
			res := sc.Score(s.Values)
			if i%3 == 0 && len(res.Indicators) > 1 {
				sc.Invalidate(res, []string{res.Indicators[len(res.Indicators)-1].Code})
			}
			if err := sc.Decode(sc.Encode(nil, res), &scratch); err != nil {
				t.Fatalf("%s: %v", r.ID, err)
			}
			if !reflect.DeepEqual(&scratch, res) {
				t.Fatalf("%s unit %d: decoded\n%+v\nwant\n%+v", r.ID, i, scratch, *res)
			}
			results = append(results, res)
		}
		fresh := make([]*engine.Result, len(results))
		for i, res := range results {
			fresh[i] = &engine.Result{}
			if err := sc.Decode(sc.Encode(nil, res), fresh[i]); err != nil {
				t.Fatal(err)
			}
		}
		sc.Settle(results)
		for i, res := range results {
			if len(res.Indicators) > 0 {
				sc.Override(res, map[string]float64{res.Indicators[len(res.Indicators)-1].Code: 0})
			}
			if err := sc.Decode(sc.Encode(nil, res), &scratch); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(&scratch, fresh[i]) {
				t.Fatalf("%s unit %d: settled and appraised, decoded\n%+v\nwant the unsettled\n%+v", r.ID, i, scratch, *fresh[i])
			}
		}
	}
}

// TestPackMismatch: data of another rubric, damaged or cut, is refused.
func TestPackMismatch(t *testing.T) {
	a, b := testkit.Rubric(t, "thanhhoa-xa-2023"), testkit.Rubric(t, "quangtri-xa-2022")
	sa, _ := engine.New(a)
	sb, _ := engine.New(b)
	data := sa.Encode(nil, sa.Score(testkit.RandomCohort(a, 1, 0).Submissions[0].Values))
	var res engine.Result
	for name, d := range map[string][]byte{"other rubric": data, "cut": data[:len(data)/2], "empty": nil, "extra": append(append([]byte(nil), data...), 0)} {
		sc := sa
		if name == "other rubric" {
			sc = sb
		}
		if err := sc.Decode(d, &res); !errors.Is(err, engine.ErrPacked) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
