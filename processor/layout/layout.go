// Package layout names every folder and file chiso reads or writes, and
// fixes the time zone and the formats of every time stamp, so that a path
// or a date is spelled in exactly one place.
//
// The folders (all configurable, see config.yaml):
//
//	inbox/                    communes drop workbooks here
//	  .chiso/                 the control folder: claimed files, the instance lock
//	    dang-xu-ly/           files being processed (claimed by an atomic rename)
//	outbox/
//	  <year>/<code>-<unit>/ket-qua-<code>-<unit>-<year>.xlsx   a unit's annotated workbook
//	  <year>/xep-hang-<cohort>-<year>.xlsx/.csv/.json   the ranking (provisional, TẠM TÍNH)
//	  <year>/xep-hang-<cohort>-<year>-chinh-thuc-v<N>.xlsx/.csv/.json   official version N
//	  <year>/phieu-ket-qua-<cohort>-<year>[-chinh-thuc-v<N>].xlsx   every unit's scorecard, beside its ranking
//	  <year>/tham-dinh-<cohort>-<year>.xlsx      the appraisal workbook
//	  <year>/bieu-mau/        templates
//	  <year>/thong-bao-thu-thap-<year>.txt, nhac-nop-<date>.txt, chua-nop-<year>.txt
//	  thong-bao/              notices of rejected and duplicate files
//	archive/<year>/           originals of accepted, superseded and duplicate files
//	rejected/                 originals of rejected files
//	data/chiso.db             the ledger
//
// Year folders of files whose year is unknown are named [UnknownYear].
package layout

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/processor/vntext"
)

// Vietnam is the default time zone of every time a person reads, whatever
// the server's own zone (the configured schedule.timezone is passed
// explicitly where it is known): UTC+7, no daylight saving since 1975.
// Fixed rather than loaded, so Windows machines without a zoneinfo database
// show it too.
var Vietnam = time.FixedZone("ICT", 7*3600)

// VietnamName is the IANA name of Vietnam's zone (the calendar's default).
const VietnamName = "Asia/Ho_Chi_Minh"

// Formats of times as people read them, and of times in file names.
const (
	Date       = "02/01/2006"
	DateTime   = "02/01/2006 15:04"
	TimeDate   = "15:04 02/01/2006"
	TimeOnDate = "15:04 ngày 02/01/2006"
	ISODate    = "2006-01-02"
	// FileStamp starts the names of kept originals: they sort by arrival.
	FileStamp = "20060102-150405"
	// NoticeStamp is the time in a notice's file name (no ":" on Windows).
	NoticeStamp = "2006-01-02 15h04"
)

// ISO is the format of times in machine outputs (JSON, CSV): ISO 8601 with
// the offset, "2023-12-15T17:00:00+07:00".
const ISO = time.RFC3339

// Show formats t in loc (nil: Vietnam's time); the zero time is "".
func Show(t time.Time, loc *time.Location, format string) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = Vietnam
	}
	return t.In(loc).Format(format)
}

// Names of folders and files.
const (
	controlDir = ".chiso"
	claimDir   = "dang-xu-ly"
	// UnknownYear is the year folder of files whose year could not be read.
	UnknownYear = "khong-ro-nam"
	templateDir = "bieu-mau"
	noticeDir   = "thong-bao"
	lockFile    = "chiso.lock"
	// DatabaseFile is the ledger's file in the data folder.
	DatabaseFile = "chiso.db"
	// TempPrefix and TempSuffix frame temporary output files (written, then
	// renamed into place); a crash can leave them, and they are swept.
	TempPrefix = ".chiso-"
	TempSuffix = ".tmp"
	// MoveSuffix marks a copy in progress when a file is moved across file
	// systems.
	MoveSuffix = ".chiso-tmp"
	// DefaultCohort names the cohort in file names when none is configured.
	DefaultCohort = "don-vi"
)

// TempPattern is the os.CreateTemp pattern of temporary output files.
const TempPattern = TempPrefix + "*" + TempSuffix

// IsTemp reports whether a file name is one of chiso's temporary files.
func IsTemp(name string) bool {
	return (strings.HasPrefix(name, TempPrefix) && strings.HasSuffix(name, TempSuffix)) || strings.HasSuffix(name, MoveSuffix)
}

// Folders are the configured folders, resolved, and the time zone of the
// time stamps in file names (nil: Vietnam's time).
type Folders struct {
	Inbox, Outbox, Archive, Rejected, Data string
	Zone                                   *time.Location
}

// ControlDir is the inbox's control folder (hidden from communes by the dot).
func (f Folders) ControlDir() string { return filepath.Join(f.Inbox, controlDir) }

// ClaimDir is where files sit while processed: inside the inbox, so the
// claim is an atomic rename on the same file system.
func (f Folders) ClaimDir() string { return filepath.Join(f.ControlDir(), claimDir) }

// Database is the ledger file.
func (f Folders) Database() string { return filepath.Join(f.Data, DatabaseFile) }

// LockFile is the single-instance lock in dir.
func LockFile(dir string) string { return filepath.Join(dir, lockFile) }

// ClaimName is the name a claimed file gets: a prefix of its arrival in the
// inbox and the claim's time (unique, so two files of one name never
// collide), then its own name made safe. The arrival is kept in the name
// because the rename into the claim folder changes the file's ctime: a
// file claimed and never recorded (a crash in between) is ordered by it.
func ClaimName(name string, arrived, now time.Time) string {
	if arrived.Year() < 1970 || arrived.Year() > 2200 { // not known (zero), or no UnixNano
		arrived = now
	}
	return strconv.FormatInt(arrived.UnixNano(), 36) + "." + strconv.FormatInt(now.UnixNano(), 36) + "-" + SafeName(name)
}

// ClaimedArrival returns the arrival a claimed file's name keeps (false for
// a name without one, as an older chiso claimed).
func ClaimedArrival(claim string) (time.Time, bool) {
	i := strings.IndexByte(claim, '-')
	j := strings.IndexByte(claim, '.')
	if i <= 0 || j <= 0 || j > i {
		return time.Time{}, false
	}
	ns, err := strconv.ParseInt(claim[:j], 36, 64)
	if err != nil || ns <= 0 {
		return time.Time{}, false
	}
	return time.Unix(0, ns), true
}

// ClaimedName returns the original name of a claimed file (as far as
// SafeName kept it).
func ClaimedName(claim string) string {
	if i := strings.IndexByte(claim, '-'); i > 0 {
		return claim[i+1:]
	}
	return claim
}

// YearFolder names the folder of a year ("2023", or UnknownYear for 0).
func YearFolder(year int) string {
	if year == 0 {
		return UnknownYear
	}
	return strconv.Itoa(year)
}

// YearDir is the outbox folder of a year.
func (f Folders) YearDir(year int) string { return filepath.Join(f.Outbox, YearFolder(year)) }

// UnitSlug names a unit in folders and files: its name's slug, else its
// code's, at most maxSlug characters.
func UnitSlug(code, name string) string {
	if s := slug(name); s != "" {
		return s
	}
	return slug(code)
}

// maxSlug bounds a slug in a file name: a unit name read from a workbook
// can be any length, a file name cannot.
const maxSlug = 60

// slug is vntext.Slug cut to maxSlug characters, at a dash when there is one.
func slug(s string) string {
	s = vntext.Slug(s)
	if len(s) <= maxSlug {
		return s
	}
	s = s[:maxSlug]
	if i := strings.LastIndexByte(s, '-'); i > maxSlug/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, "-")
}

// UnitName names a unit's result folder and file: its code and its name
// ("ts03-xa-hop-thanh"), so two units whose names differ only in tone marks
// (Hợp Thành, Hợp Thanh) never share one; a unit without a code by its
// name alone.
func UnitName(code, name string) string {
	s := UnitSlug(code, name)
	if c := slug(code); c != "" && c != s {
		return c + "-" + s
	}
	return s
}

// ResultPath is a unit's annotated workbook:
// <year>/<code>-<name>/ket-qua-<code>-<name>-<year>.xlsx. version 0 is the
// current submission's; an older submission that finishes after a newer one
// gets its ledger id as version, so it is kept beside, never over, the
// newer one.
func (f Folders) ResultPath(year int, code, name, ext string, version int64) string {
	unit := UnitName(code, name)
	file := fmt.Sprintf("ket-qua-%s-%d", unit, year)
	if version != 0 {
		file += fmt.Sprintf("-ban-%d", version)
	}
	return filepath.Join(f.YearDir(year), unit, file+ext)
}

// storedName names a kept original: time received, ledger id, own name.
func (f Folders) storedName(received time.Time, id int64, name string) string {
	return Show(received, f.Zone, FileStamp) + "-" + strconv.FormatInt(id, 10) + "-" + SafeName(name)
}

// ArchivePath is where an accepted, superseded or duplicate original is kept.
func (f Folders) ArchivePath(year int, received time.Time, id int64, name string) string {
	return filepath.Join(f.Archive, YearFolder(year), f.storedName(received, id, name))
}

// RejectedPath is where a rejected original is kept.
func (f Folders) RejectedPath(received time.Time, id int64, name string) string {
	return filepath.Join(f.Rejected, f.storedName(received, id, name))
}

// NoticeDir holds the notices of rejected and duplicate files.
func (f Folders) NoticeDir() string { return filepath.Join(f.Outbox, noticeDir) }

// NoticePath is the notice of one file, named after it; the ledger id keeps
// two notices for one file name apart.
func (f Folders) NoticePath(name string, received time.Time, id int64) string {
	safe := SafeName(name)
	stem := strings.TrimSuffix(safe, filepath.Ext(safe))
	return filepath.Join(f.NoticeDir(), fmt.Sprintf("%s - %s - %d.txt", stem, Show(received, f.Zone, NoticeStamp), id))
}

// SkippedNoticePath is the notice of an inbox entry that is not taken (a
// subfolder, a link, a file that cannot be moved), written once.
func (f Folders) SkippedNoticePath(name string, at time.Time) string {
	safe := SafeName(name)
	stem := strings.TrimSuffix(safe, filepath.Ext(safe))
	return filepath.Join(f.NoticeDir(), fmt.Sprintf("%s - %s - bo-qua.txt", stem, Show(at, f.Zone, NoticeStamp)))
}

// CohortName is the cohort as used in file names.
func CohortName(cohort string) string {
	if s := strings.TrimSpace(cohort); s != "" {
		return SafeName(s)
	}
	return DefaultCohort
}

// RankingBase is the ranking's path without extension (.xlsx, .csv, .json
// are added).
func (f Folders) RankingBase(cohort string, year int) string {
	return filepath.Join(f.YearDir(year), fmt.Sprintf("xep-hang-%s-%d", CohortName(cohort), year))
}

// FinalRankingBase is the path without extension of a published version
// of the official ranking: xep-hang-<cohort>-<year>-chinh-thuc-v<N>. Later
// provisional rebuilds never write over it.
func (f Folders) FinalRankingBase(cohort string, year, version int) string {
	return fmt.Sprintf("%s-chinh-thuc-v%d", f.RankingBase(cohort, year), version)
}

// ScorecardsPath is the workbook of every ranked unit's scorecard (phiếu
// kết quả) beside the provisional ranking:
// phieu-ket-qua-<cohort>-<year>.xlsx.
func (f Folders) ScorecardsPath(cohort string, year int) string {
	return filepath.Join(f.YearDir(year), fmt.Sprintf("phieu-ket-qua-%s-%d.xlsx", CohortName(cohort), year))
}

// FinalScorecardsPath is the scorecards of a published version of the
// official ranking: phieu-ket-qua-<cohort>-<year>-chinh-thuc-v<N>.xlsx,
// never written over.
func (f Folders) FinalScorecardsPath(cohort string, year, version int) string {
	return filepath.Join(f.YearDir(year), fmt.Sprintf("phieu-ket-qua-%s-%d-chinh-thuc-v%d.xlsx", CohortName(cohort), year, version))
}

// RankingExts are the extensions of the ranking's files.
var RankingExts = []string{".xlsx", ".csv", ".json"}

// AppraisalPath is the appraisal workbook of a year.
func (f Folders) AppraisalPath(cohort string, year int) string {
	return filepath.Join(f.YearDir(year), fmt.Sprintf("tham-dinh-%s-%d.xlsx", CohortName(cohort), year))
}

// TemplateDir holds a year's templates.
func (f Folders) TemplateDir(year int) string { return filepath.Join(f.YearDir(year), templateDir) }

// TemplateName names a template: "bieu-mau-ts01-xa-trieu-thanh-2023.xlsx"; a
// unit without a code gets no empty part; the generic form (no unit) is
// named after the rubric.
func TemplateName(rubricID string, year int, code, name string) string {
	if name == "" {
		return fmt.Sprintf("bieu-mau-%s-%d.xlsx", rubricID, year)
	}
	parts := []string{templateDir}
	for _, p := range []string{slug(code), slug(name), strconv.Itoa(year)} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "-") + ".xlsx"
}

// OpeningNoticePath is the collection notice the opening writes.
func (f Folders) OpeningNoticePath(year int) string {
	return filepath.Join(f.YearDir(year), fmt.Sprintf("thong-bao-thu-thap-%d.txt", year))
}

// ReminderNoticePath is the list of missing units a reminder writes on day.
func (f Folders) ReminderNoticePath(year int, day time.Time) string {
	return filepath.Join(f.YearDir(year), "nhac-nop-"+day.Format(ISODate)+".txt")
}

// MissingListPath is the list of units that did not submit, written at the close.
func (f Folders) MissingListPath(year int) string {
	return filepath.Join(f.YearDir(year), fmt.Sprintf("chua-nop-%d.txt", year))
}

// Labels say where the shared folders are in every text a commune reads
// (templates, notices, e-mails): the name communes know them by, e.g.
// `\\may-chu\dti\nop-bao-cao` or "thư mục DTI trên Google Drive", never the
// path on the server.
type Labels struct {
	Inbox  string // where communes drop their files
	Outbox string // where their results and notices appear
}

// DefaultLabels names the folders after the office when the config gives
// no label: "thư mục nhận báo cáo của UBND huyện Triệu Sơn".
func DefaultLabels(inbox, outbox, office string) Labels {
	if office = strings.TrimSpace(office); office == "" {
		office = "đơn vị tổng hợp"
	}
	if strings.TrimSpace(inbox) == "" {
		inbox = "thư mục nhận báo cáo của " + office
	}
	if strings.TrimSpace(outbox) == "" {
		outbox = "thư mục kết quả của " + office
	}
	return Labels{Inbox: inbox, Outbox: outbox}
}

// OutboxPlace says where a folder under the outbox is: a path under a label
// that is one (`\\may-chu\dti\ket-qua\2023\bieu-mau`), else "thư mục
// 2023/bieu-mau trong <label>".
func (l Labels) OutboxPlace(rel ...string) string {
	if len(rel) == 0 {
		return l.Outbox
	}
	switch {
	case strings.Contains(l.Outbox, `\`):
		return strings.TrimRight(l.Outbox, `\`) + `\` + strings.Join(rel, `\`)
	case strings.Contains(l.Outbox, "/"):
		return strings.TrimRight(l.Outbox, "/") + "/" + strings.Join(rel, "/")
	}
	return "thư mục " + strings.Join(rel, "/") + " trong " + l.Outbox
}

// Rel is the path of p under the outbox as OutboxPlace takes it; p itself
// when it is not under the outbox.
func (f Folders) Rel(p string) []string {
	rel, err := filepath.Rel(f.Outbox, p)
	if err != nil || strings.HasPrefix(rel, "..") {
		return []string{p}
	}
	return strings.Split(filepath.ToSlash(rel), "/")
}

// SafeName makes a file name safe on Windows and Linux: no folders, no
// reserved characters or names, no leading dots, at most 150 bytes of stem.
func SafeName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	var b strings.Builder
	for _, r := range name {
		switch {
		case r < 32 || r == 127:
			continue
		case strings.ContainsRune(`<>:"/\|?*`, r):
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	s := strings.Trim(b.String(), " .")
	ext := filepath.Ext(s)
	stem := strings.TrimSuffix(s, ext)
	if reservedName(stem) {
		stem = "_" + stem
	}
	// At most 150 bytes, so "<time>-<id>-" prefixes still fit the usual
	// 255-byte limit of file names; cut on a rune boundary.
	for len(stem) > 150 {
		r := []rune(stem)
		stem = string(r[:len(r)-1])
	}
	if stem == "" {
		stem = "tep"
	}
	if r := []rune(ext); len(r) > 10 {
		ext = string(r[:10])
	}
	return stem + ext
}

// reservedName reports Windows device names (CON, PRN, AUX, NUL, COM1–9,
// LPT1–9), which cannot be file names there whatever the extension.
func reservedName(stem string) bool {
	u := strings.ToUpper(strings.TrimSpace(stem))
	switch u {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	return len(u) == 4 && (strings.HasPrefix(u, "COM") || strings.HasPrefix(u, "LPT")) && u[3] >= '1' && u[3] <= '9'
}
