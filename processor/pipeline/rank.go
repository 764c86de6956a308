package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/atomic"
	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/ledger"
	"github.com/chiso-vn/chiso/processor/ranking"
	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/validate"
	"github.com/chiso-vn/chiso/processor/workbook"
)

// cohortCache holds the figures of the cohort-relative indicators of every
// accepted submission, so a workbook arriving mid-collection gets its
// provisional Min-Max points against the cohort as it stands, cheaply.
type cohortCache struct {
	mu       sync.Mutex
	loaded   bool
	measures map[string]map[string]float64 // indicator code → unit key → figure
}

func (p *Pipeline) loadCohort(ctx context.Context, r *rubric.Rubric, year int) error {
	c := &p.cohort
	if c.loaded {
		return nil
	}
	c.measures = map[string]map[string]float64{}
	acc, err := p.Ledger.Accepted(ctx, year, r.ID)
	if err != nil {
		return err
	}
	sc, err := p.scorers.Get(r)
	if err != nil {
		return err
	}
	for _, f := range acc {
		if f.UnitKey == AppraisalKey {
			continue
		}
		var rec record
		if json.Unmarshal([]byte(f.Data), &rec) != nil {
			continue
		}
		c.put(sc, f.UnitKey, sc.Score(rec.Values))
	}
	c.loaded = true
	return nil
}

func (c *cohortCache) put(sc *engine.Scorer, unit string, res *engine.Result) {
	for _, code := range sc.CohortCodes() {
		m := c.measures[code]
		if m == nil {
			m = map[string]float64{}
			c.measures[code] = m
		}
		if ir := res.Indicator(code); ir != nil && ir.Measure != nil {
			m[unit] = *ir.Measure
		} else {
			delete(m, unit)
		}
	}
}

// provisional settles ev's cohort-relative indicators against the cohort
// as it stands (this unit's figures replacing its earlier ones).
func (p *Pipeline) provisional(ctx context.Context, ev *Evaluation) error {
	sc, err := p.scorers.Get(ev.Rubric)
	if err != nil {
		return err
	}
	c := &p.cohort
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := p.loadCohort(ctx, ev.Rubric, ev.Year); err != nil {
		return err
	}
	bounds := map[string]engine.Bounds{}
	for _, code := range sc.CohortCodes() {
		var b engine.Bounds
		for unit, x := range c.measures[code] {
			if unit != ev.UnitKey {
				b = b.Add(x)
			}
		}
		if ir := ev.Result.Indicator(code); ir != nil && ir.Measure != nil {
			b = b.Add(*ir.Measure)
		}
		bounds[code] = b
	}
	sc.SettleWith(ev.Result, bounds)
	return nil
}

func (p *Pipeline) remember(ev *Evaluation) {
	sc, err := p.scorers.Get(ev.Rubric)
	if err != nil {
		return
	}
	c := &p.cohort
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded {
		c.put(sc, ev.UnitKey, ev.Result)
	}
}

// appraisalRecord is what the ledger keeps of an appraisal file.
type appraisalRecord struct {
	Council  map[string]map[string]float64 `json:"council"`
	Problems []validate.Problem            `json:"problems"`
}

// commitAppraisal checks the council's units against the accepted
// submissions, records the scores and writes a notice. Must hold p.mu.
func (p *Pipeline) commitAppraisal(ctx context.Context, f ledger.File, src string, ev *Evaluation) (ledger.File, error) {
	units, err := p.Ledger.UnitKeys(ctx, ev.Year, ev.Rubric.ID)
	if err != nil {
		return f, err
	}
	rec := appraisalRecord{Council: map[string]map[string]float64{}, Problems: ev.Problems}
	n := 0
	for _, e := range ev.Appraisal {
		if !units[e.UnitKey] {
			rec.Problems = append(rec.Problems, validate.Problem{Severity: validate.Error, Code: "appraisal-unknown-unit", Indicator: e.Code, Cell: e.Cell,
				Message: fmt.Sprintf("Mã đơn vị \"%s\" (%s) không có bài nộp được chấp nhận năm %d: điểm thẩm định ở ô %s không được dùng.", e.UnitKey, e.UnitName, ev.Year, e.Cell)})
			continue
		}
		if rec.Council[e.UnitKey] == nil {
			rec.Council[e.UnitKey] = map[string]float64{}
		}
		rec.Council[e.UnitKey][e.Code] = e.Score
		n++
	}
	if n == 0 && len(rec.Problems) > 0 {
		msg, advice := reasonText("appraisal-invalid")
		f.Outcome, f.Reason, f.Message = ledger.Rejected, "appraisal-invalid", msg
		f.Errors = validate.Count(rec.Problems, validate.Error)
		f.OutputPath, err = p.writeNotice(f, msg+problemLines(rec.Problems), advice, "BẢNG THẨM ĐỊNH BỊ TRẢ LẠI")
		if err != nil {
			return f, err
		}
		f.StoredPath = p.storedPath(p.Rejected, "", f)
		return p.keep(ctx, f, src)
	}
	data, _ := json.Marshal(rec)
	f.Data = string(data)
	f.Errors, f.Warnings = validate.Count(rec.Problems, validate.Error), validate.Count(rec.Problems, validate.Warning)
	f.Message = fmt.Sprintf("Đã nhận %d điểm thẩm định của %d đơn vị.", n, len(rec.Council))
	f.OutputPath, err = p.writeNotice(f, f.Message+problemLines(rec.Problems),
		"Bảng xếp hạng được lập lại với điểm thẩm định. Gửi bảng thẩm định mới thì bảng mới thay thế bảng này.", "BẢNG THẨM ĐỊNH ĐÃ NHẬN")
	if err != nil {
		return f, err
	}
	f.StoredPath = p.storedPath(p.Archive, strconv.Itoa(ev.Year), f)
	return p.keep(ctx, f, src)
}

func problemLines(ps []validate.Problem) string {
	if len(ps) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\r\nCác dòng không dùng được:")
	for _, p := range ps {
		b.WriteString("\r\n  - " + p.Message)
	}
	return b.String()
}

// RankOptions say which ranking to build.
type RankOptions struct {
	Year  int
	Final bool // rewrite every unit's result workbook with settled values and rank
	// Appraisal writes the appraisal workbook when it does not exist yet
	// (`chiso rank` and the final ranking; not every rebuild of a burst).
	Appraisal bool
}

// RankResult lists what a rebuild wrote.
type RankResult struct {
	Ranking *ranking.Ranking
	Paths   []string
}

// BuildRanking builds the ranking of a year from the ledger alone.
func (p *Pipeline) BuildRanking(ctx context.Context, year int) (*ranking.Ranking, error) {
	r, ok := p.Settings.Rubrics.Get(p.Settings.DefaultRubric)
	if !ok {
		return nil, fmt.Errorf("rubric %s not found", p.Settings.DefaultRubric)
	}
	in, err := p.rankInput(ctx, r, year)
	if err != nil {
		return nil, err
	}
	// Previous year: whichever rubric most of its accepted files used.
	if prevR := p.rubricOfYear(ctx, year-1); prevR != nil {
		pin, err := p.rankInput(ctx, prevR, year-1)
		if err == nil && len(pin.Submissions) > 0 {
			psc, err := p.scorers.Get(prevR)
			if err == nil {
				in.Previous = ranking.Build(psc, pin).PreviousOf()
			}
		}
	}
	sc, err := p.scorers.Get(r)
	if err != nil {
		return nil, err
	}
	return ranking.Build(sc, in), nil
}

func (p *Pipeline) rubricOfYear(ctx context.Context, year int) *rubric.Rubric {
	id, err := p.Ledger.RubricOfYear(ctx, year, AppraisalKey)
	if err != nil || id == "" {
		return nil
	}
	r, _ := p.Settings.Rubrics.Get(id)
	return r
}

func (p *Pipeline) rankInput(ctx context.Context, r *rubric.Rubric, year int) (ranking.Input, error) {
	in := ranking.Input{Rubric: r, Year: year, Cohort: p.Cohort, Roster: p.Settings.Roster, Lineage: p.Lineage,
		Council: map[string]map[string]float64{}, Attempts: map[string][]string{}}
	sc, err := p.scorers.Get(r)
	if err != nil {
		return in, err
	}
	err = p.Ledger.EachAccepted(ctx, year, r.ID, func(f ledger.File) error {
		if f.UnitKey == AppraisalKey {
			var ar appraisalRecord
			if err := json.Unmarshal([]byte(f.Data), &ar); err == nil {
				in.Council = ar.Council
			}
			return nil
		}
		// Only what the ranking needs (not the explanations and contact).
		var rec struct {
			Values   engine.Values      `json:"values"`
			Problems []validate.Problem `json:"problems"`
		}
		if err := json.Unmarshal([]byte(f.Data), &rec); err != nil {
			return fmt.Errorf("ledger file %d: %w", f.ID, err)
		}
		// Scored now, figures dropped: only the result is kept per unit.
		in.Submissions = append(in.Submissions, ranking.Submission{UnitKey: f.UnitKey, Code: f.UnitCode, Name: f.UnitName,
			FileID: f.ID, FileName: f.Name, SubmittedAt: f.ReceivedAt, Result: sc.Score(rec.Values), Problems: rec.Problems})
		return nil
	})
	if err != nil {
		return in, err
	}
	attempts, err := p.Ledger.Attempts(ctx, year)
	if err != nil {
		return in, err
	}
	for _, f := range attempts {
		if f.UnitKey != AppraisalKey {
			in.Attempts[f.UnitKey] = append(in.Attempts[f.UnitKey],
				fmt.Sprintf("%s (%s): %s", f.Name, f.ReceivedAt.In(vnTime).Format("02/01/2006 15:04"), f.Message))
		}
	}
	return in, nil
}

// Rank rebuilds the ranking of a year from the ledger and writes the
// ranking workbook, its CSV and JSON, and (when asked and absent) the
// appraisal workbook, in outbox/<year>/. With Final it also rewrites every unit's
// result workbook with the settled values and its rank.
func (p *Pipeline) Rank(ctx context.Context, opt RankOptions) (RankResult, error) {
	// A national cohort holds every unit's scores at once: collect garbage
	// sooner while it does, so the process stays near its live memory.
	defer debug.SetGCPercent(debug.SetGCPercent(40))
	rk, err := p.BuildRanking(ctx, opt.Year)
	if err != nil {
		return RankResult{}, err
	}
	res := RankResult{Ranking: rk}
	r, _ := p.Settings.Rubrics.Get(p.Settings.DefaultRubric)
	dir := filepath.Join(p.Outbox, strconv.Itoa(opt.Year))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return res, err
	}
	base := filepath.Join(dir, fmt.Sprintf("xep-hang-%s-%d", p.cohortSlug(), opt.Year))
	wb, err := rk.Workbook(r, p.now())
	if err != nil {
		return res, err
	}
	defer wb.Close()
	for _, out := range []struct {
		ext   string
		write func(io.Writer) error
	}{
		{".xlsx", func(w io.Writer) error { return wb.Write(w) }},
		{".csv", rk.WriteCSV},
		{".json", rk.WriteJSON},
	} {
		path, err := atomic.WriteFile(base+out.ext, out.write)
		if err != nil {
			return res, err
		}
		res.Paths = append(res.Paths, path)
	}
	ap := filepath.Join(dir, fmt.Sprintf("tham-dinh-%s-%d.xlsx", p.cohortSlug(), opt.Year))
	if _, err := os.Stat(ap); (opt.Appraisal || opt.Final) && os.IsNotExist(err) {
		f, err := workbook.AppraisalWorkbook(appraisalOptions(r, rk, p.Cohort))
		if err != nil {
			return res, err
		}
		path, err := atomic.WriteFile(ap, func(w io.Writer) error { return f.Write(w) })
		f.Close()
		if err != nil {
			return res, err
		}
		res.Paths = append(res.Paths, path)
	}
	if opt.Final {
		paths, err := p.reannotate(ctx, r, rk)
		res.Paths = append(res.Paths, paths...)
		if err != nil {
			return res, err
		}
	}
	if err := p.Ledger.SetLastRun(ctx, rankingJob(opt.Year), p.now()); err != nil {
		return res, err
	}
	p.Log.Info().Str("event", "audit").Int("year", opt.Year).Int("ranked", len(rk.Ranked())).Int("missing", len(rk.Missing())).
		Bool("final", opt.Final).Msg("ranking rebuilt")
	return res, nil
}

func rankingJob(year int) string { return "ranking-" + strconv.Itoa(year) }

// RankingStale reports whether the ranking of a year was built before the
// ledger's last accepted or superseded file (e.g. a crash between the last
// outcome and the rebuild), never, or its files are gone.
func (p *Pipeline) RankingStale(ctx context.Context, year int) (bool, error) {
	change, err := p.Ledger.LastChange(ctx, year)
	if err != nil || change.IsZero() {
		return false, err
	}
	base := filepath.Join(p.Outbox, strconv.Itoa(year), fmt.Sprintf("xep-hang-%s-%d", p.cohortSlug(), year))
	for _, ext := range []string{".xlsx", ".csv", ".json"} {
		if _, err := os.Stat(base + ext); err != nil {
			return true, nil
		}
	}
	built, err := p.Ledger.LastRun(ctx, rankingJob(year))
	if err != nil {
		return false, err
	}
	return built.Before(change), nil
}

func (p *Pipeline) cohortSlug() string {
	if s := strings.TrimSpace(p.Cohort); s != "" {
		return SafeName(s)
	}
	return "don-vi"
}

// appraisalOptions lists every submitted unit's leaf indicators for the
// council, with its current council scores.
func appraisalOptions(r *rubric.Rubric, rk *ranking.Ranking, cohort string) workbook.AppraisalOptions {
	opt := workbook.AppraisalOptions{Rubric: r, Year: rk.Year, Cohort: cohort}
	for _, row := range rk.Ranked() {
		for _, ir := range row.Result.Indicators {
			if !ir.Leaf {
				continue
			}
			computed := ir.Points
			if ir.Council != nil {
				computed = ir.Computed
			}
			opt.Rows = append(opt.Rows, workbook.AppraisalRow{UnitKey: row.UnitKey, UnitName: row.Name, Code: ir.Code,
				Name: ir.Name, Max: ir.Max, Computed: computed, Self: ir.Self, Council: ir.Council})
		}
	}
	return opt
}

// reannotate rewrites each ranked unit's result workbook from its archived
// original with the settled scores and its rank.
func (p *Pipeline) reannotate(ctx context.Context, r *rubric.Rubric, rk *ranking.Ranking) ([]string, error) {
	ranked := rk.Ranked()
	sort.Slice(ranked, func(i, j int) bool { return ranked[i].FileID < ranked[j].FileID })
	var paths []string
	for _, row := range ranked {
		if err := ctx.Err(); err != nil {
			return paths, err
		}
		f, err := p.Ledger.Get(ctx, row.FileID)
		if err != nil {
			return paths, err
		}
		data, err := os.ReadFile(f.StoredPath)
		if err != nil {
			return paths, fmt.Errorf("re-annotate %s: %w", f.Name, err)
		}
		var rec record
		json.Unmarshal([]byte(f.Data), &rec)
		wb, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: p.Settings.UnzipSizeLimit, UnzipXMLSizeLimit: p.Settings.UnzipXMLSizeLimit})
		if err != nil {
			return paths, fmt.Errorf("re-annotate %s: %w", f.Name, err)
		}
		sub := workbook.Read(wb, r)
		err = workbook.Annotate(wb, workbook.Annotation{Rubric: r, Sub: sub, Result: row.Result, Problems: rec.Problems,
			FileName: f.Name, Hash: f.SHA256, Received: f.ReceivedAt, Unit: row.Name, Year: rk.Year,
			CohortDate: p.now(), Rank: fmt.Sprintf("%d/%d", row.Rank, len(ranked))})
		if err != nil {
			wb.Close()
			return paths, err
		}
		path, err := atomic.WriteFile(f.OutputPath, func(w io.Writer) error { return wb.Write(w) })
		wb.Close()
		if err != nil {
			return paths, err
		}
		paths = append(paths, path)
	}
	return paths, nil
}
