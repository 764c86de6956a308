package engine

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Packed results: a unit's scores as the ledger keeps them when its file
// is accepted, so that ranking a national cohort decodes a few hundred
// bytes per unit instead of scoring its figures again.
//
// Encode keeps every indicator's points, status, measure, self-declared
// score, note and missing figures, and which optional pillars apply;
// Decode gives the Result back, its parents, pillars and total derived
// again. Cohort-relative indicators are packed unsettled (pending, 0
// points): the ranking settles them over the cohort. A council's scores
// are not packed (the ranking applies them).

const packVersion = 1

// ErrPacked is returned by Decode for data that is not a packed result of
// this scorer's rubric as it is now (another version, another number of
// indicators, damaged bytes): score the figures again.
var ErrPacked = errors.New("engine: packed scores do not fit the rubric")

var statusCodes = []Status{StatusOK, StatusMissing, StatusZeroDen, StatusPending, StatusSettled, StatusReference, StatusInvalid, StatusTodo}

func statusCode(s Status) byte {
	for i, x := range statusCodes {
		if x == s {
			return byte(i)
		}
	}
	return 0xff
}

const (
	packMeasure = 1 << iota
	packSelf
	packNote
	packMissing
)

// Encode appends res, scored by s, to dst in packed form.
func (s *Scorer) Encode(dst []byte, res *Result) []byte {
	dst = append(dst, packVersion)
	dst = binary.AppendUvarint(dst, uint64(len(res.Indicators)))
	for i := range res.Indicators {
		ir := &res.Indicators[i]
		st, points, measure := ir.Status, ir.Points, ir.Measure
		if st == StatusSettled {
			st, points = StatusPending, 0
		}
		if ir.Appraisal != nil {
			points = ir.Computed
		}
		var flags byte
		if measure != nil {
			flags |= packMeasure
		}
		if ir.Self != nil {
			flags |= packSelf
		}
		if ir.Note != "" {
			flags |= packNote
		}
		if len(ir.Missing) > 0 {
			flags |= packMissing
		}
		dst = append(dst, statusCode(st), flags)
		dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(points))
		if measure != nil {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(*measure))
		}
		if ir.Self != nil {
			dst = binary.LittleEndian.AppendUint64(dst, math.Float64bits(*ir.Self))
		}
		if ir.Note != "" {
			dst = appendString(dst, ir.Note)
		}
		if len(ir.Missing) > 0 {
			dst = binary.AppendUvarint(dst, uint64(len(ir.Missing)))
			for _, m := range ir.Missing {
				dst = appendString(dst, m)
			}
		}
	}
	var applies []byte
	for _, p := range s.r.Pillars {
		if p.Optional {
			applies = append(applies, boolByte(res.applies[p.Code]))
		}
	}
	dst = binary.AppendUvarint(dst, uint64(len(applies)))
	return append(dst, applies...)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func appendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// packReader reads packed data, remembering the first error.
type packReader struct {
	b   []byte
	err error
}

func (r *packReader) fail() {
	if r.err == nil {
		r.err = ErrPacked
	}
	r.b = nil
}

func (r *packReader) byte() byte {
	if len(r.b) < 1 {
		r.fail()
		return 0
	}
	c := r.b[0]
	r.b = r.b[1:]
	return c
}

func (r *packReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *packReader) float() float64 {
	if len(r.b) < 8 {
		r.fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(r.b))
	r.b = r.b[8:]
	return v
}

func (r *packReader) string() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// Fits tells cheaply whether packed data was written for this scorer's
// rubric as it is now (its version and number of indicators); Decode
// checks the rest.
func (s *Scorer) Fits(data []byte) bool {
	r := packReader{b: data}
	return r.byte() == packVersion && r.uvarint() == uint64(len(s.tmpl)) && r.err == nil
}

// Decode reads a packed result into res, reusing its memory (a ranking
// decodes thousands into one), and derives parents, pillars and the total.
// It returns ErrPacked when data does not fit the rubric.
func (s *Scorer) Decode(data []byte, res *Result) error {
	r := packReader{b: data}
	if r.byte() != packVersion || r.uvarint() != uint64(len(s.tmpl)) || r.err != nil {
		return ErrPacked
	}
	ind := res.Indicators[:0]
	if cap(ind) < len(s.tmpl) {
		ind = make([]IndicatorResult, 0, len(s.tmpl))
	}
	ind = append(ind, s.tmpl...)
	for i := range ind {
		ir := &ind[i]
		code := r.byte()
		flags := r.byte()
		if int(code) >= len(statusCodes) {
			r.fail()
			break
		}
		ir.Status = statusCodes[code]
		ir.Points = r.float()
		if flags&packMeasure != 0 {
			m := r.float()
			ir.Measure = &m
		}
		if flags&packSelf != 0 {
			x := r.float()
			ir.Self = &x
		}
		if flags&packNote != 0 {
			ir.Note = r.string()
		}
		if flags&packMissing != 0 {
			n := r.uvarint()
			if n > uint64(len(r.b)) {
				r.fail()
				break
			}
			ir.Missing = make([]string, n)
			for k := range ir.Missing {
				ir.Missing[k] = r.string()
			}
		}
		if r.err != nil {
			break
		}
	}
	nApplies := r.uvarint()
	var applies []bool
	for range nApplies {
		applies = append(applies, r.byte() != 0)
	}
	if r.err != nil || len(r.b) != 0 {
		return fmt.Errorf("%w (%d bytes left)", ErrPacked, len(r.b))
	}
	if res.applies == nil {
		res.applies = map[string]bool{}
	}
	clear(res.applies)
	k := 0
	for _, p := range s.r.Pillars {
		if p.Optional {
			if k >= len(applies) {
				return ErrPacked
			}
			res.applies[p.Code] = applies[k]
			k++
		}
	}
	if k != len(applies) {
		return ErrPacked
	}
	res.RubricID, res.Indicators, res.index = s.r.ID, ind, s.index
	s.finish(res)
	return nil
}
