// Package ledger records every file that enters the inbox and its outcome,
// in SQLite (modernc.org/sqlite: pure Go, so Windows builds need no cgo).
// Keep the database on local disk: SQLite's locking and WAL do not work
// over network file systems.
//
// Every file ends in exactly one outcome: accepted, superseded (a later
// accepted submission for the same unit, year and rubric replaced it),
// duplicate (byte-identical to a file already processed) or rejected. A row
// in state "processing" is work a crash interrupted; the pipeline resumes it.
//
// The ledger also keeps each calendar job's last occurrence, and the
// official rankings published (finals: a numbered version per year and
// rubric, when, which one it replaces, its files), so a restart knows
// whether the collection's ranking is final.
package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// Outcome of a file.
type Outcome string

// Outcomes.
const (
	Accepted   Outcome = "accepted"
	Superseded Outcome = "superseded"
	Duplicate  Outcome = "duplicate"
	Rejected   Outcome = "rejected"
)

// Label is the Vietnamese word for an outcome.
func (o Outcome) Label() string {
	switch o {
	case Accepted:
		return "đã nhận"
	case Superseded:
		return "đã được thay thế"
	case Duplicate:
		return "trùng"
	case Rejected:
		return "trả lại"
	}
	return string(o)
}

// States of a row.
const (
	StateProcessing = "processing"
	StateDone       = "done"
)

// File is one file that entered the inbox.
type File struct {
	ID          int64
	Name        string // as dropped in the inbox
	SHA256      string
	Size        int64
	ReceivedAt  time.Time
	ProcessedAt time.Time
	State       string
	Outcome     Outcome
	Reason      string // rejection code, e.g. "xls", "unknown-unit"
	Message     string // Vietnamese, for the commune
	ClaimPath   string // where the file sits while processed
	StoredPath  string // where the original is kept
	RubricID    string
	Year        int
	UnitKey     string // roster code, or "ten:" + folded name without a roster
	UnitCode    string
	UnitName    string
	Total       float64
	SelfTotal   float64
	Errors      int
	Warnings    int
	Data        string // JSON: values, result and problems, for rebuilding the ranking
	// Scores is an accepted submission's ranking record (ranking.EncodeRecord),
	// kept beside Data in its own table: read without Data, it lets a
	// ranking skip decoding and scoring every file's figures. Only
	// Finish, SetScores and ScoresOf touch it.
	Scores       []byte
	OutputPath   string // annotated workbook, or the notice for rejected/duplicate files
	DuplicateOf  int64
	SupersededBy int64
}

// Ledger is the database.
type Ledger struct {
	db   *sql.DB
	path string
}

const schema = `
CREATE TABLE IF NOT EXISTS files (
	id            INTEGER PRIMARY KEY,
	name          TEXT NOT NULL,
	sha256        TEXT NOT NULL,
	size          INTEGER NOT NULL DEFAULT 0,
	received_at   TEXT NOT NULL,
	processed_at  TEXT NOT NULL DEFAULT '',
	state         TEXT NOT NULL,
	outcome       TEXT NOT NULL DEFAULT '',
	reason        TEXT NOT NULL DEFAULT '',
	message       TEXT NOT NULL DEFAULT '',
	claim_path    TEXT NOT NULL DEFAULT '',
	stored_path   TEXT NOT NULL DEFAULT '',
	rubric_id     TEXT NOT NULL DEFAULT '',
	year          INTEGER NOT NULL DEFAULT 0,
	unit_key      TEXT NOT NULL DEFAULT '',
	unit_code     TEXT NOT NULL DEFAULT '',
	unit_name     TEXT NOT NULL DEFAULT '',
	total         REAL NOT NULL DEFAULT 0,
	self_total    REAL NOT NULL DEFAULT 0,
	errors        INTEGER NOT NULL DEFAULT 0,
	warnings      INTEGER NOT NULL DEFAULT 0,
	data          TEXT NOT NULL DEFAULT '',
	output_path   TEXT NOT NULL DEFAULT '',
	duplicate_of  INTEGER NOT NULL DEFAULT 0,
	superseded_by INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS files_sha ON files(sha256, state);
CREATE INDEX IF NOT EXISTS files_unit ON files(year, rubric_id, unit_key, outcome);
CREATE INDEX IF NOT EXISTS files_state ON files(state);
CREATE TABLE IF NOT EXISTS scores (
	file_id INTEGER PRIMARY KEY,
	data    BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
	name     TEXT PRIMARY KEY,
	last_run TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rosters (
	year INTEGER NOT NULL,
	code TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (year, code)
);
CREATE TABLE IF NOT EXISTS finals (
	year         INTEGER NOT NULL,
	rubric_id    TEXT NOT NULL,
	version      INTEGER NOT NULL,
	published_at TEXT NOT NULL,
	replaces     INTEGER NOT NULL DEFAULT 0,
	paths        TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (year, rubric_id, version)
);
`

// Open opens (creating if needed) the ledger database in dir.
func Open(dir string) (*Ledger, error) {
	path := filepath.Join(dir, "chiso.db")
	dsn := "file:" + filepath.ToSlash(path) + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("ledger %s: %w", path, err)
	}
	db.SetMaxOpenConns(1) // one writer; SQLite serialises anyway
	if _, err := db.Exec(schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("ledger %s: %w", path, err)
	}
	return &Ledger{db: db, path: path}, nil
}

// Path is the database file.
func (l *Ledger) Path() string { return l.path }

// Close closes the database.
func (l *Ledger) Close() error { return l.db.Close() }

const cols = `id, name, sha256, size, received_at, processed_at, state, outcome, reason, message, claim_path,
	stored_path, rubric_id, year, unit_key, unit_code, unit_name, total, self_total, errors, warnings, data,
	output_path, duplicate_of, superseded_by`

func scan(rows interface{ Scan(...any) error }) (File, error) {
	var f File
	var recv, proc string
	err := rows.Scan(&f.ID, &f.Name, &f.SHA256, &f.Size, &recv, &proc, &f.State, &f.Outcome, &f.Reason, &f.Message,
		&f.ClaimPath, &f.StoredPath, &f.RubricID, &f.Year, &f.UnitKey, &f.UnitCode, &f.UnitName, &f.Total,
		&f.SelfTotal, &f.Errors, &f.Warnings, &f.Data, &f.OutputPath, &f.DuplicateOf, &f.SupersededBy)
	f.ReceivedAt, _ = time.Parse(time.RFC3339Nano, recv)
	f.ProcessedAt, _ = time.Parse(time.RFC3339Nano, proc)
	f.ReceivedAt, f.ProcessedAt = f.ReceivedAt.Local(), f.ProcessedAt.Local()
	return f, err
}

// tsLayout is fixed-width so stored times compare as text.
const tsLayout = "2006-01-02T15:04:05.000000000Z07:00"

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(tsLayout)
}

// Begin records a claimed file as processing and returns its id.
func (l *Ledger) Begin(ctx context.Context, f File) (int64, error) {
	res, err := l.db.ExecContext(ctx, `INSERT INTO files (name, sha256, size, received_at, state, claim_path) VALUES (?, ?, ?, ?, ?, ?)`,
		f.Name, f.SHA256, f.Size, ts(f.ReceivedAt), StateProcessing, f.ClaimPath)
	if err != nil {
		return 0, fmt.Errorf("ledger: record %s: %w", f.Name, err)
	}
	return res.LastInsertId()
}

// SetStored records where the original will be kept, before it is moved,
// so a crash between the move and Finish leaves it findable.
func (l *Ledger) SetStored(ctx context.Context, id int64, stored string) error {
	_, err := l.db.ExecContext(ctx, `UPDATE files SET stored_path = ? WHERE id = ?`, stored, id)
	return err
}

// Holds reports whether a finished file's original is kept at path (one
// left in the claim folder because it could not be moved is).
func (l *Ledger) Holds(ctx context.Context, path string) (bool, error) {
	var n int
	err := l.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM files WHERE stored_path = ? AND state = ?`, path, StateDone).Scan(&n)
	return n > 0, err
}

// Finish records a file's outcome. For an accepted file, the earlier
// accepted file of the same unit, year and rubric becomes superseded, in
// the same transaction.
func (l *Ledger) Finish(ctx context.Context, f File) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	_, err = tx.ExecContext(ctx, `UPDATE files SET sha256 = ?, size = ?, processed_at = ?, state = ?, outcome = ?, reason = ?,
		message = ?, stored_path = ?, rubric_id = ?, year = ?, unit_key = ?, unit_code = ?, unit_name = ?, total = ?,
		self_total = ?, errors = ?, warnings = ?, data = ?, output_path = ?, duplicate_of = ? WHERE id = ?`,
		f.SHA256, f.Size, ts(f.ProcessedAt), StateDone, f.Outcome, f.Reason, f.Message, f.StoredPath, f.RubricID, f.Year, f.UnitKey,
		f.UnitCode, f.UnitName, f.Total, f.SelfTotal, f.Errors, f.Warnings, f.Data, f.OutputPath, f.DuplicateOf, f.ID)
	if err != nil {
		return fmt.Errorf("ledger: finish %s: %w", f.Name, err)
	}
	if f.Scores != nil {
		if _, err := tx.ExecContext(ctx, `INSERT OR REPLACE INTO scores (file_id, data) VALUES (?, ?)`, f.ID, f.Scores); err != nil {
			return fmt.Errorf("ledger: finish %s: %w", f.Name, err)
		}
	}
	if f.Outcome == Accepted {
		// The submission received later wins (received_at: the file's time in
		// the inbox; ties by ledger id), whatever order they were processed in
		// (parallel workers, crash recovery): exactly one stays accepted.
		rows, err := tx.QueryContext(ctx, `SELECT id FROM files WHERE outcome IN (?, ?) AND year = ? AND rubric_id = ?
			AND unit_key = ? ORDER BY received_at DESC, id DESC`, Accepted, Superseded, f.Year, f.RubricID, f.UnitKey)
		if err != nil {
			return fmt.Errorf("ledger: supersede for %s: %w", f.Name, err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) > 0 {
			latest := ids[0]
			if _, err := tx.ExecContext(ctx, `UPDATE files SET outcome = ?, superseded_by = 0 WHERE id = ?`, Accepted, latest); err != nil {
				return err
			}
			for _, id := range ids[1:] {
				if _, err := tx.ExecContext(ctx, `UPDATE files SET outcome = ?, superseded_by = ? WHERE id = ?`, Superseded, latest, id); err != nil {
					return err
				}
			}
		}
	}
	return tx.Commit()
}

// Get returns the file with id.
func (l *Ledger) Get(ctx context.Context, id int64) (File, error) {
	return scan(l.db.QueryRowContext(ctx, `SELECT `+cols+` FROM files WHERE id = ?`, id))
}

// FindDone returns the first finished file with the given content hash.
func (l *Ledger) FindDone(ctx context.Context, sha string) (File, bool, error) {
	f, err := scan(l.db.QueryRowContext(ctx, `SELECT `+cols+` FROM files WHERE sha256 = ? AND state = ? ORDER BY id LIMIT 1`, sha, StateDone))
	if errors.Is(err, sql.ErrNoRows) {
		return File{}, false, nil
	}
	return f, err == nil, err
}

// Interrupted returns the files a crash left in state processing.
func (l *Ledger) Interrupted(ctx context.Context) ([]File, error) {
	return l.query(ctx, `SELECT `+cols+` FROM files WHERE state = ? ORDER BY id`, StateProcessing)
}

// Files returns every file, oldest first.
func (l *Ledger) Files(ctx context.Context) ([]File, error) {
	return l.query(ctx, `SELECT `+cols+` FROM files ORDER BY id`)
}

// LastDone returns the file processed last, if any (without reading every
// row: a national ledger holds thousands, each with its figures).
func (l *Ledger) LastDone(ctx context.Context) (File, bool, error) {
	fs, err := l.query(ctx, `SELECT `+cols+` FROM files WHERE state = ? ORDER BY processed_at DESC, id DESC LIMIT 1`, StateDone)
	if err != nil || len(fs) == 0 {
		return File{}, false, err
	}
	return fs[0], true, nil
}

// Accepted returns the current accepted file of every unit for a year and
// rubric, by unit key.
func (l *Ledger) Accepted(ctx context.Context, year int, rubricID string) ([]File, error) {
	return l.query(ctx, `SELECT `+cols+` FROM files WHERE outcome = ? AND year = ? AND rubric_id = ? ORDER BY unit_key`, Accepted, year, rubricID)
}

// EachAccepted calls fn for every accepted file of a year and rubric, one
// row at a time (the ranking of a national cohort need not hold every
// file's data at once).
func (l *Ledger) EachAccepted(ctx context.Context, year int, rubricID string, fn func(File) error) error {
	rows, err := l.db.QueryContext(ctx, `SELECT `+cols+` FROM files WHERE outcome = ? AND year = ? AND rubric_id = ? ORDER BY unit_key`, Accepted, year, rubricID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EachCurrentBefore is EachAccepted as the ledger stood at cutoff: for each
// unit, the accepted or superseded file of a year and rubric received last
// before cutoff (a resubmission after it does not count; the one it
// superseded does). The official ranking at a collection's close is built
// from these, however late the close job runs.
func (l *Ledger) EachCurrentBefore(ctx context.Context, year int, rubricID string, cutoff time.Time, fn func(File) error) error {
	rows, err := l.db.QueryContext(ctx, `SELECT `+cols+` FROM files WHERE outcome IN (?, ?) AND year = ? AND rubric_id = ? AND received_at < ?
		ORDER BY unit_key, received_at DESC, id DESC`, Accepted, Superseded, year, rubricID, ts(cutoff))
	if err != nil {
		return err
	}
	defer rows.Close()
	last := ""
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return err
		}
		if f.UnitKey == last {
			continue
		}
		last = f.UnitKey
		if err := fn(f); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Ranked returns the files a ranking of a year and rubric counts, without
// their data: the accepted file of each unit (cutoff zero), or, as
// EachCurrentBefore, the one current at cutoff. Only id, name, time
// received, outcome, year, rubric, unit, errors and warnings are read.
func (l *Ledger) Ranked(ctx context.Context, year int, rubricID string, cutoff time.Time) ([]File, error) {
	const sel = `SELECT id, name, received_at, outcome, unit_key, unit_code, unit_name, errors, warnings FROM files `
	var rows *sql.Rows
	var err error
	if cutoff.IsZero() {
		rows, err = l.db.QueryContext(ctx, sel+`WHERE outcome = ? AND year = ? AND rubric_id = ? ORDER BY unit_key`, Accepted, year, rubricID)
	} else {
		rows, err = l.db.QueryContext(ctx, sel+`WHERE outcome IN (?, ?) AND year = ? AND rubric_id = ? AND received_at < ?
			ORDER BY unit_key, received_at DESC, id DESC`, Accepted, Superseded, year, rubricID, ts(cutoff))
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		f := File{Year: year, RubricID: rubricID, State: StateDone}
		var recv string
		if err := rows.Scan(&f.ID, &f.Name, &recv, &f.Outcome, &f.UnitKey, &f.UnitCode, &f.UnitName, &f.Errors, &f.Warnings); err != nil {
			return nil, err
		}
		if len(out) > 0 && out[len(out)-1].UnitKey == f.UnitKey {
			continue // before a cutoff: the unit's latest file only
		}
		f.ReceivedAt, _ = time.Parse(time.RFC3339Nano, recv)
		f.ReceivedAt = f.ReceivedAt.Local()
		out = append(out, f)
	}
	return out, rows.Err()
}

// ScoresOf returns the ranking records kept for the given files; a file
// without one is absent from the map.
func (l *Ledger) ScoresOf(ctx context.Context, ids []int64) (map[int64][]byte, error) {
	out := make(map[int64][]byte, len(ids))
	const chunk = 500
	for len(ids) > 0 {
		n := min(chunk, len(ids))
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		rows, err := l.db.QueryContext(ctx, `SELECT file_id, data FROM scores WHERE file_id IN (?`+strings.Repeat(",?", n-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var data []byte
			if err := rows.Scan(&id, &data); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = data
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
}

// SetScores keeps a file's ranking record, made after it was accepted (a
// ledger from before records were kept, or a rubric file changed since).
func (l *Ledger) SetScores(ctx context.Context, id int64, data []byte) error {
	_, err := l.db.ExecContext(ctx, `INSERT OR REPLACE INTO scores (file_id, data) VALUES (?, ?)`, id, data)
	return err
}

// LastChange returns when an accepted or superseded file of a year was last
// recorded (zero if none): the ranking is stale if it was built before.
func (l *Ledger) LastChange(ctx context.Context, year int) (time.Time, error) {
	var s sql.NullString
	err := l.db.QueryRowContext(ctx, `SELECT MAX(processed_at) FROM files WHERE year = ? AND outcome IN (?, ?)`, year, Accepted, Superseded).Scan(&s)
	if err != nil || !s.Valid || s.String == "" {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, s.String)
	return t.Local(), err
}

// AcceptedUnit returns the accepted files of one unit (normally one) with
// only their id and time received: cheap enough to ask for every file.
func (l *Ledger) AcceptedUnit(ctx context.Context, year int, rubricID, unitKey string) ([]File, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, received_at FROM files WHERE outcome = ? AND year = ? AND rubric_id = ? AND unit_key = ?`,
		Accepted, year, rubricID, unitKey)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		var f File
		var recv string
		if err := rows.Scan(&f.ID, &recv); err != nil {
			return nil, err
		}
		f.ReceivedAt, _ = time.Parse(time.RFC3339Nano, recv)
		f.ReceivedAt = f.ReceivedAt.Local()
		f.UnitKey, f.Year, f.RubricID, f.Outcome = unitKey, year, rubricID, Accepted
		out = append(out, f)
	}
	return out, rows.Err()
}

// Attempts returns the rejected files of a year that were identified to a
// unit, without their data: name, time, message and unit key.
func (l *Ledger) Attempts(ctx context.Context, year int) ([]File, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id, name, received_at, message, unit_key FROM files WHERE outcome = ? AND year = ? AND unit_key <> '' ORDER BY id`, Rejected, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		f := File{Outcome: Rejected, Year: year}
		var recv string
		if err := rows.Scan(&f.ID, &f.Name, &recv, &f.Message, &f.UnitKey); err != nil {
			return nil, err
		}
		f.ReceivedAt, _ = time.Parse(time.RFC3339Nano, recv)
		f.ReceivedAt = f.ReceivedAt.Local()
		out = append(out, f)
	}
	return out, rows.Err()
}

// RubricOfYear returns the rubric most accepted submissions of a year
// follow ("" when none), leaving out the given unit key (appraisals).
func (l *Ledger) RubricOfYear(ctx context.Context, year int, except string) (string, error) {
	var id sql.NullString
	err := l.db.QueryRowContext(ctx, `SELECT rubric_id FROM files WHERE outcome = ? AND year = ? AND unit_key <> ?
		GROUP BY rubric_id ORDER BY COUNT(*) DESC, rubric_id LIMIT 1`, Accepted, year, except).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id.String, err
}

// UnitKeys returns the unit keys of the accepted files of a year and rubric.
func (l *Ledger) UnitKeys(ctx context.Context, year int, rubricID string) (map[string]bool, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT unit_key FROM files WHERE outcome = ? AND year = ? AND rubric_id = ?`, Accepted, year, rubricID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out[k] = true
	}
	return out, rows.Err()
}

func (l *Ledger) query(ctx context.Context, q string, args ...any) ([]File, error) {
	rows, err := l.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []File
	for rows.Next() {
		f, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Counts returns how many finished files have each outcome, and how many are
// still processing (under the key "processing").
func (l *Ledger) Counts(ctx context.Context) (map[string]int, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT CASE WHEN state = ? THEN outcome ELSE state END, COUNT(*) FROM files GROUP BY 1`, StateDone)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// LastRun returns when the named job last ran (zero if never).
func (l *Ledger) LastRun(ctx context.Context, job string) (time.Time, error) {
	var s string
	err := l.db.QueryRowContext(ctx, `SELECT last_run FROM jobs WHERE name = ?`, job).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.Local(), err
}

// SetLastRun records that the named job ran for the occurrence at t.
func (l *Ledger) SetLastRun(ctx context.Context, job string, t time.Time) error {
	_, err := l.db.ExecContext(ctx, `INSERT INTO jobs (name, last_run) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET last_run = excluded.last_run`, job, ts(t))
	return err
}

// Final is one published version of the official ranking of a year.
type Final struct {
	Year        int
	RubricID    string
	Version     int // from 1
	PublishedAt time.Time
	Replaces    int      // the version it replaces; 0 for the first
	Paths       []string // the files written
}

// Finals returns the official rankings published for a year and rubric,
// oldest version first.
func (l *Ledger) Finals(ctx context.Context, year int, rubricID string) ([]Final, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT version, published_at, replaces, paths FROM finals WHERE year = ? AND rubric_id = ? ORDER BY version`, year, rubricID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Final
	for rows.Next() {
		f := Final{Year: year, RubricID: rubricID}
		var at, paths string
		if err := rows.Scan(&f.Version, &at, &f.Replaces, &paths); err != nil {
			return nil, err
		}
		f.PublishedAt, _ = time.Parse(time.RFC3339Nano, at)
		f.PublishedAt = f.PublishedAt.Local()
		if paths != "" {
			f.Paths = strings.Split(paths, "\n")
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// LatestFinal returns the latest official ranking of a year and rubric; ok
// is false when none was published.
func (l *Ledger) LatestFinal(ctx context.Context, year int, rubricID string) (Final, bool, error) {
	fs, err := l.Finals(ctx, year, rubricID)
	if err != nil || len(fs) == 0 {
		return Final{}, false, err
	}
	return fs[len(fs)-1], true, nil
}

// AddFinal records a published official ranking. A version recorded twice
// (two publications at once) is an error.
func (l *Ledger) AddFinal(ctx context.Context, f Final) error {
	_, err := l.db.ExecContext(ctx, `INSERT INTO finals (year, rubric_id, version, published_at, replaces, paths) VALUES (?, ?, ?, ?, ?, ?)`,
		f.Year, f.RubricID, f.Version, ts(f.PublishedAt), f.Replaces, strings.Join(f.Paths, "\n"))
	if err != nil {
		return fmt.Errorf("ledger: record official ranking %d version %d: %w", f.Year, f.Version, err)
	}
	return nil
}

// SetRoster records the units (code → name) a year's ranking was built
// with, replacing what was recorded for the year: next year, the lineage of
// merged units is checked against it.
func (l *Ledger) SetRoster(ctx context.Context, year int, units map[string]string) error {
	tx, err := l.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM rosters WHERE year = ?`, year); err != nil {
		return err
	}
	for code, name := range units {
		if _, err := tx.ExecContext(ctx, `INSERT INTO rosters (year, code, name) VALUES (?, ?, ?)`, year, code, name); err != nil {
			return fmt.Errorf("ledger: roster %d: %w", year, err)
		}
	}
	return tx.Commit()
}

// YearUnits returns the unit codes known for a year: the roster recorded
// for it and the codes of its files (any outcome), lower-cased. Empty when
// the ledger knows nothing of that year.
func (l *Ledger) YearUnits(ctx context.Context, year int) (map[string]bool, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT code FROM rosters WHERE year = ? UNION SELECT unit_code FROM files WHERE year = ? AND unit_code <> ''`, year, year)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out[strings.ToLower(c)] = true
	}
	return out, rows.Err()
}
