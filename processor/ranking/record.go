package ranking

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/problem"
	"github.com/chiso-vn/chiso/processor/rubric"
)

// A unit's record: what the ledger keeps of an accepted submission for
// ranking it (written at acceptance, so that a ranking decodes a few
// hundred bytes per unit instead of parsing and scoring its figures
// again). It holds the hash of the rubric it was scored with, the number
// of errors and warnings, the packed unsettled scores (engine.Encode) and
// the errors and warnings themselves (for the list of problems; notes for
// information are not ranked).

var recordMagic = []byte("CR1")

// ErrRecord is returned for a record that cannot be used with the rubric
// as it is now (another rubric file, another version, damaged): score the
// submission's figures again.
var ErrRecord = errors.New("ranking: the unit's record does not fit the rubric")

// EncodeRecord packs a unit's unsettled result (scored with sc, for r;
// impossible figures invalidated) and its problems.
func EncodeRecord(sc *engine.Scorer, r *rubric.Rubric, res *engine.Result, probs []problem.Problem) []byte {
	b := append([]byte(nil), recordMagic...)
	b = appendString(b, r.Hash)
	b = binary.AppendUvarint(b, uint64(problem.Count(probs, problem.Error)))
	b = binary.AppendUvarint(b, uint64(problem.Count(probs, problem.Warning)))
	scores := sc.Encode(nil, res)
	b = binary.AppendUvarint(b, uint64(len(scores)))
	b = append(b, scores...)
	// The problems, deflated: their messages are most of a record, and a
	// daemon keeps every unit's record between rebuilds.
	var list []byte
	n := 0
	for _, p := range probs {
		if listed(p) {
			n++
		}
	}
	list = binary.AppendUvarint(list, uint64(n))
	for _, p := range probs {
		if !listed(p) {
			continue
		}
		for _, s := range []string{string(p.Severity), p.Code, p.Indicator, p.Input, p.Cell, p.Message} {
			list = appendString(list, s)
		}
	}
	d := deflaters.Get().(*deflater)
	defer deflaters.Put(d)
	d.out.Reset()
	d.w.Reset(&d.out)
	d.w.Write(list)
	d.w.Close()
	return append(b, d.out.Bytes()...)
}

// deflater is a compressor and its output, pooled: a compressor is most
// of a megabyte, and one record is made per accepted file.
type deflater struct {
	w   *flate.Writer
	out bytes.Buffer
}

var deflaters = sync.Pool{New: func() any {
	d := &deflater{}
	d.w, _ = flate.NewWriter(&d.out, flate.DefaultCompression) // a valid level
	return d
}}

// listed tells whether a problem is kept in the record and listed with
// the ranking: errors and warnings.
func listed(p problem.Problem) bool {
	return p.Severity == problem.Error || p.Severity == problem.Warning
}

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// record is a parsed record; its slices point into the data.
type record struct {
	hash             string
	errors, warnings int
	scores           []byte
	problems         []byte // count, then the problems
}

type reader struct {
	b   []byte
	bad bool
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.bad, r.b = true, nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.bad, r.b = true, nil
		return nil
	}
	s := r.b[:n]
	r.b = r.b[n:]
	return s
}

func parseRecord(data []byte) (record, error) {
	if len(data) < len(recordMagic) || string(data[:len(recordMagic)]) != string(recordMagic) {
		return record{}, ErrRecord
	}
	r := reader{b: data[len(recordMagic):]}
	rec := record{hash: string(r.bytes()), errors: int(r.uvarint()), warnings: int(r.uvarint()), scores: r.bytes()}
	rec.problems = r.b
	if r.bad {
		return record{}, ErrRecord
	}
	return rec, nil
}

// CheckRecord tells whether a record can be ranked with sc and r as they
// are now: it was scored with the same rubric file, for as many
// indicators. A record that cannot (ErrRecord) is made again from the
// submission's figures. The check is cheap: a national ranking makes it
// for every unit.
func CheckRecord(sc *engine.Scorer, r *rubric.Rubric, data []byte) error {
	rec, err := parseRecord(data)
	if err != nil {
		return err
	}
	if rec.hash != r.Hash {
		return fmt.Errorf("%w: scored with another version of rubric %s", ErrRecord, r.ID)
	}
	if !sc.Fits(rec.scores) {
		return fmt.Errorf("%w: not the rubric's indicators", ErrRecord)
	}
	return nil
}

// inflater is a decompressor and its buffers, pooled: the problems of a
// national cohort are read unit after unit.
type inflater struct {
	src bytes.Reader
	r   io.ReadCloser
	out bytes.Buffer
}

var inflaters = sync.Pool{New: func() any {
	in := &inflater{}
	in.r = flate.NewReader(&in.src)
	return in
}}

// decodeProblems reads a record's errors and warnings.
func decodeProblems(z []byte) ([]problem.Problem, error) {
	in := inflaters.Get().(*inflater)
	defer inflaters.Put(in)
	in.src.Reset(z)
	if err := in.r.(flate.Resetter).Reset(&in.src, nil); err != nil {
		return nil, ErrRecord
	}
	in.out.Reset()
	if _, err := in.out.ReadFrom(in.r); err != nil {
		return nil, ErrRecord
	}
	r := reader{b: in.out.Bytes()}
	n := r.uvarint()
	if n > uint64(in.out.Len()) {
		return nil, ErrRecord
	}
	out := make([]problem.Problem, 0, n)
	for range n {
		var f [6]string
		for i := range f {
			f[i] = string(r.bytes())
		}
		out = append(out, problem.Problem{Severity: problem.Severity(f[0]), Code: f[1], Indicator: f[2], Input: f[3], Cell: f[4], Message: f[5]})
	}
	if r.bad || len(r.b) != 0 {
		return nil, ErrRecord
	}
	return out, nil
}
