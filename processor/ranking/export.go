package ranking

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"math"
	"strconv"
	"time"

	"github.com/chiso-vn/chiso/processor/engine"
	"github.com/chiso-vn/chiso/processor/layout"
)

// JSON is the documented shape of the published ranking (xep-hang-….json).
// Times are ISO 8601 with the offset of the collection's zone.
type JSON struct {
	// Final: the official ranking (CHÍNH THỨC); Version counts the final
	// versions from 1 (0 while provisional, TẠM TÍNH) and Replaces names
	// the version it replaces.
	Final       bool   `json:"final"`
	Version     int    `json:"version"`
	Replaces    int    `json:"replaces,omitempty"`
	GeneratedAt string `json:"generated_at,omitempty"`
	// Deadline is the last moment a file is on time (the end of the
	// deadline day); absent without a deadline.
	Deadline   string  `json:"deadline,omitempty"`
	Rubric     string  `json:"rubric"`
	RubricName string  `json:"rubric_name"`
	Year       int     `json:"year"`
	Cohort     string  `json:"cohort"`
	Max        float64 `json:"max"`
	// PreviousComparison: last year's totals were scored by another
	// rubric; what cannot be compared (absent when nothing differs).
	PreviousComparison string     `json:"previous_comparison,omitempty"`
	Units              []UnitJSON `json:"units"`
}

// UnitJSON is one unit of JSON. Rank is 0 and scores absent for a unit
// that has not submitted.
type UnitJSON struct {
	Rank        int          `json:"rank"`
	Code        string       `json:"code,omitempty"`
	Name        string       `json:"name"`
	Submitted   bool         `json:"submitted"`
	Total       *float64     `json:"total,omitempty"`    // điểm đạt được, 2 decimals
	Computed    *float64     `json:"computed,omitempty"` // from the figures, before appraisal
	Self        *float64     `json:"self,omitempty"`
	Appraised   bool         `json:"appraised"`
	Percent     *float64     `json:"percent_of_max,omitempty"`
	Pillars     []PillarJSON `json:"pillars,omitempty"`
	PrevTotal   *float64     `json:"previous_total,omitempty"`
	PrevRank    int          `json:"previous_rank,omitempty"`
	PrevNote    string       `json:"previous_note,omitempty"`
	SubmittedAt string       `json:"submitted_at,omitempty"` // ISO 8601 with the offset
	Status      Status       `json:"status"`                 // da_nop, nop_muon, can_sua, chua_nop
	Late        bool         `json:"late"`
	Errors      int          `json:"errors"`
	Warnings    int          `json:"warnings"`
}

// PillarJSON is a pillar's final score.
type PillarJSON struct {
	Code   string  `json:"code"`
	Name   string  `json:"name"`
	Max    float64 `json:"max"`
	Points float64 `json:"points"`
}

func f2(x float64) *float64 { v := engine.Round2(x); return &v }

// iso is a time as the machine outputs carry it.
func (rk *Ranking) iso(t time.Time) string { return layout.Show(t, rk.Zone, layout.ISO) }

// DeadlineLast is the last moment a file is on time: the end of the
// deadline day (zero without a deadline).
func (rk *Ranking) DeadlineLast() time.Time {
	if rk.Deadline.IsZero() {
		return rk.Deadline
	}
	return rk.Deadline.Add(-time.Second)
}

// ToJSON converts the ranking to its published shape.
func (rk *Ranking) ToJSON() JSON {
	out := JSON{Final: rk.Final, Version: rk.Version, Replaces: rk.Replaces, GeneratedAt: rk.iso(rk.Generated), Deadline: rk.iso(rk.DeadlineLast()),
		Rubric: rk.RubricID, RubricName: rk.RubricName, Year: rk.Year, Cohort: rk.Cohort, Max: rk.Max, PreviousComparison: rk.Comparison, Units: []UnitJSON{}}
	for _, r := range rk.Rows {
		u := UnitJSON{Rank: r.Rank, Code: r.Code, Name: r.Name, Submitted: r.Submitted, Appraised: r.Appraised, Errors: r.Errors, Warnings: r.Warnings, PrevNote: r.PrevNote,
			Status: r.Status, Late: r.Late}
		if r.Prev != nil {
			u.PrevTotal = f2(r.Prev.Total)
			u.PrevRank = r.Prev.Rank
		}
		if r.Submitted {
			u.Total, u.Computed = f2(r.Final), f2(r.Computed)
			if r.HasSelf {
				u.Self = f2(r.Self)
			}
			if rk.Max > 0 {
				u.Percent = f2(r.Final / rk.Max * 100)
			}
			for k, p := range rk.Pillars {
				if math.IsNaN(r.Pillars[k]) {
					continue
				}
				u.Pillars = append(u.Pillars, PillarJSON{Code: p.Code, Name: p.Name, Max: p.Max, Points: engine.Round2(r.Pillars[k])})
			}
			u.SubmittedAt = rk.iso(r.SubmittedAt)
		}
		out.Units = append(out.Units, u)
	}
	return out
}

// WriteJSON writes the published JSON, indented.
func (rk *Ranking) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rk.ToJSON())
}

// StatusText is a row's status as the workbook and the CSV show it: the
// status, and "Đã thẩm định" when the appraisal council changed a score.
func (r Row) StatusText() string {
	s := r.Status.Label()
	if r.Status == "" {
		s = StatusOf(r.Submitted, r.Errors, r.Late).Label()
	}
	if r.Appraised {
		s += " — Đã thẩm định"
	}
	return s
}

// WriteCSV writes the ranking as CSV in UTF-8 with a byte-order mark, so
// Excel opens the Vietnamese correctly. Decimal point ".", comma-separated,
// times ISO 8601 with the offset; every row says in its last column whether
// the ranking is provisional or official (TẠM TÍNH, CHÍNH THỨC (bản số N)).
func (rk *Ranking) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	head := []string{"Hạng", "Mã đơn vị", "Đơn vị", "Tổng điểm", "% điểm tối đa"}
	var pillars []int
	for _, r := range rk.Rows {
		if r.Submitted {
			for k, p := range rk.Pillars {
				pillars = append(pillars, k)
				head = append(head, p.Code+" "+p.Name)
			}
			break
		}
	}
	head = append(head, "Tự chấm", "Chênh lệch so với tự chấm", "Điểm năm trước", "Thay đổi điểm", "Hạng năm trước", "Thay đổi hạng", "Ghi chú năm trước",
		"Thời gian nộp", "Nộp muộn", "Số lỗi", "Số cảnh báo", "Trạng thái", "Bảng")
	if err := cw.Write(head); err != nil {
		return err
	}
	num := func(x float64) string { return strconv.FormatFloat(engine.Round2(x), 'f', 2, 64) }
	for _, r := range rk.Rows {
		rec := []string{"", r.Code, r.Name}
		if !r.Submitted {
			rec = append(rec, "", "")
			for range pillars {
				rec = append(rec, "")
			}
			rec = append(rec, "", "", prevTotal(r), "", prevRank(r), "", r.PrevNote, "", "", "", "", r.StatusText(), rk.Mark())
			if err := cw.Write(rec); err != nil {
				return err
			}
			continue
		}
		rec[0] = strconv.Itoa(r.Rank)
		pct := ""
		if rk.Max > 0 {
			pct = num(r.Final / rk.Max * 100)
		}
		rec = append(rec, num(r.Final), pct)
		for _, k := range pillars {
			// An optional pillar that does not apply to the unit is blank,
			// as in the workbook (and absent from the JSON).
			if x := r.Pillars[k]; math.IsNaN(x) {
				rec = append(rec, "")
			} else {
				rec = append(rec, num(x))
			}
		}
		self, diff := "", ""
		if r.HasSelf {
			self, diff = num(r.Self), num(r.SelfBasis-r.Self)
		}
		dTotal, dRank := "", ""
		if r.Prev != nil {
			dTotal = num(r.Display - engine.Round2(r.Prev.Total))
			if r.Prev.Rank > 0 {
				dRank = strconv.Itoa(r.Prev.Rank - r.Rank)
			}
		}
		late := ""
		if r.Late {
			late = "Có"
		}
		rec = append(rec, self, diff, prevTotal(r), dTotal, prevRank(r), dRank, r.PrevNote, rk.iso(r.SubmittedAt), late,
			strconv.Itoa(r.Errors), strconv.Itoa(r.Warnings), r.StatusText(), rk.Mark())
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func prevTotal(r Row) string {
	if r.Prev == nil {
		return ""
	}
	return strconv.FormatFloat(engine.Round2(r.Prev.Total), 'f', 2, 64)
}

func prevRank(r Row) string {
	if r.Prev == nil || r.Prev.Rank == 0 {
		return ""
	}
	return strconv.Itoa(r.Prev.Rank)
}
