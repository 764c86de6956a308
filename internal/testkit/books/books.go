// Package books makes the filled workbooks and rosters the tests of the
// pipeline, the publisher, the daemon and the commands share: realistic
// self-assessments of the shipped Thanh Hóa 2023 commune rubric, generated
// once per unit and seed and cached for the test binary.
package books

import (
	"bytes"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/chiso-vn/chiso/internal/sample"
	"github.com/chiso-vn/chiso/internal/testkit"
	"github.com/chiso-vn/chiso/processor/roster"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// What the test collections collect.
const (
	RubricID = "thanhhoa-xa-2023"
	Year     = 2023
)

// Limits are the config's default bounds on opening a workbook.
var Limits = workbook.Limits{UnzipSize: 200 << 20, UnzipXMLSize: 100 << 20}

// Unit is the n-th unit of the generated rosters (1-based).
func Unit(n int) roster.Unit {
	return roster.Unit{Code: fmt.Sprintf("D%03d", n), Name: fmt.Sprintf("Xã Thử Nghiệm %d", n)}
}

// Roster is units 1 to n.
func Roster(n int) []roster.Unit {
	out := make([]roster.Unit, n)
	for i := range out {
		out[i] = Unit(i + 1)
	}
	return out
}

var (
	setOnce sync.Once
	set     *rubric.Set

	mu    sync.Mutex
	cache = map[string][]byte{}
)

// Rubrics is the shipped rubric set, loaded once.
func Rubrics(tb testing.TB) *rubric.Set {
	tb.Helper()
	setOnce.Do(func() { set = testkit.Rubrics(tb) })
	return set
}

// Options vary a generated workbook.
type Options struct {
	Seed      uint64
	Missing   float64 // share of inputs left empty
	SelfNoise float64 // share of self-scores that differ from the computed score
	Year      int     // the form's year; 0: Year
}

// Default: a few empty inputs and inflated self-scores, as communes send.
var Default = Options{Missing: 0.03, SelfNoise: 0.3}

// Filled returns unit u's filled form for the test collection (cached).
func Filled(tb testing.TB, u roster.Unit, o Options) []byte {
	tb.Helper()
	key := fmt.Sprintf("%s/%s/%d/%g/%g/%d", u.Code, u.Name, o.Seed, o.Missing, o.SelfNoise, o.Year)
	mu.Lock()
	b, ok := cache[key]
	mu.Unlock()
	if ok {
		return b
	}
	b, err := generate(Rubrics(tb), u, o)
	if err != nil {
		tb.Fatal(err)
	}
	mu.Lock()
	cache[key] = b
	mu.Unlock()
	return b
}

func generate(set *rubric.Set, u roster.Unit, o Options) ([]byte, error) {
	r, ok := set.Get(RubricID)
	if !ok {
		return nil, fmt.Errorf("no rubric %s", RubricID)
	}
	year := o.Year
	if year == 0 {
		year = Year
	}
	f, _, err := sample.Filled(r, sample.Options{
		Template: workbook.TemplateOptions{Year: year, UnitCode: u.Code, UnitName: u.Name},
		Seed:     o.Seed, Missing: o.Missing, SelfNoise: o.SelfNoise,
	})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Many returns one filled form per unit, generated in parallel (a
// benchmark's hundreds take seconds); unit i's seed is o.Seed×100000+i, so
// the figures differ from unit to unit. Not cached.
func Many(tb testing.TB, units []roster.Unit, o Options) [][]byte {
	tb.Helper()
	Rubrics(tb)
	out := make([][]byte, len(units))
	var wg sync.WaitGroup
	next := make(chan int)
	var emu sync.Mutex
	var firstErr error
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				oi := o
				oi.Seed = o.Seed*100000 + uint64(i)
				b, err := generate(set, units[i], oi)
				if err != nil {
					emu.Lock()
					firstErr = err
					emu.Unlock()
					continue
				}
				out[i] = b
			}
		})
	}
	for i := range units {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		tb.Fatal(firstErr)
	}
	return out
}
