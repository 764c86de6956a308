package pipeline

import (
	"encoding/json"
	"fmt"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/validate"
)

// Record is what the ledger keeps of an accepted submission (ledger.File's
// Data, as JSON): the figures to score it again, its problems, and what the
// outputs show of it. The text and cell of every figure stay in the
// archived original.
type Record struct {
	Values   engine.Values     `json:"values"`
	Problems []problem.Problem `json:"problems"`
	Explain  map[string]string `json:"explain,omitempty"`
	Contact  map[string]string `json:"contact,omitempty"`
}

// AppraisalRecord is what the ledger keeps of an accepted appraisal file.
type AppraisalRecord struct {
	// Appraisal holds the appraisal council's scores: unit key → indicator
	// → points. The JSON key is the one ledgers were first written with.
	Appraisal map[string]map[string]float64 `json:"council"`
	Problems  []problem.Problem             `json:"problems"`
}

// encode turns a record into the ledger's text.
func encode(v any) (string, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("ledger record: %w", err)
	}
	return string(data), nil
}

// DecodeScoring reads from a submission's record only what scoring and the
// ranking need: the figures and the problems (decoding the explanations
// and contacts of a national cohort would double the ranking's time).
func DecodeScoring(data string) (engine.Values, []problem.Problem, error) {
	var rec struct {
		Values   engine.Values     `json:"values"`
		Problems []problem.Problem `json:"problems"`
	}
	if err := json.Unmarshal([]byte(data), &rec); err != nil {
		return engine.Values{}, nil, fmt.Errorf("ledger record: %w", err)
	}
	return rec.Values, rec.Problems, nil
}

// Score scores a recorded submission as the pipeline scored it when it was
// accepted: its figures, with the indicators whose figures have errors
// among its problems at 0 points (validate.Invalid).
func Score(sc *engine.Scorer, r *rubric.Rubric, vals engine.Values, probs []problem.Problem) *engine.Result {
	res := sc.Score(vals)
	sc.Invalidate(res, validate.Invalid(r, probs))
	return res
}

// DecodeAppraisal reads an appraisal file's record.
func DecodeAppraisal(data string) (AppraisalRecord, error) {
	var rec AppraisalRecord
	if err := json.Unmarshal([]byte(data), &rec); err != nil {
		return rec, fmt.Errorf("ledger appraisal record: %w", err)
	}
	return rec, nil
}

// scoringValues keeps only what scoring needs of each figure (set, number,
// choice): the ledger holds it for rebuilding the ranking, and the text
// and cell of every figure stay in the archived original. Halves the
// record, and the ranking's decoding time with it.
func scoringValues(v engine.Values) engine.Values {
	out := engine.NewValues()
	for k, x := range v.General {
		out.General[k] = engine.Value{Set: x.Set, Num: x.Num, Choice: x.Choice}
	}
	for code, m := range v.Inputs {
		for k, x := range m {
			out.Set(code, k, engine.Value{Set: x.Set, Num: x.Num, Choice: x.Choice})
		}
	}
	for code, s := range v.Self {
		out.Self[code] = s
	}
	return out
}
