// Package workbook adapts rubric data to Excel workbooks and back: it writes
// the blank self-assessment template communes fill in, and reads a returned
// workbook's metadata and figures through the template's defined names.
//
// The machine contract (stable across versions, see README):
//   - every input cell has a workbook-scoped defined name: v_<code>_<key>
//     (indicator inputs, code dots as underscores: v_1_2_a), tu_cham_<code>,
//     giai_trinh_<code>, kiem_chung_<code>, tt_<key> (general information),
//     and don_vi_ten, don_vi_ma, don_vi_dia_chi, nam_bao_cao, lien_he_ho_ten,
//     lien_he_chuc_vu, lien_he_dien_thoai, lien_he_email;
//   - the provisional score of each indicator is named diem_<code>;
//   - metadata (rubric id, rubric hash, template version, unit code and name,
//     year) is stored both as custom document properties (chiso_*) and on
//     the very hidden sheet "_chiso" (key in column A, value in column B).
package workbook

import "strings"

// TemplateVersion is the version of the machine contract written into every
// generated template. Bump it only for incompatible layout changes.
const TemplateVersion = "1"

// Sheet names.
const (
	SheetGuide   = "Hướng dẫn"
	SheetGeneral = "Thông tin chung"
	SheetScores  = "Chỉ số"
	SheetMeta    = "_chiso"
	SheetLists   = "_danh_sach"
)

// Names of the unit fields on the general sheet.
const (
	NameUnitName     = "don_vi_ten"
	NameUnitCode     = "don_vi_ma"
	NameUnitAddress  = "don_vi_dia_chi"
	NameYear         = "nam_bao_cao"
	NameContactName  = "lien_he_ho_ten"
	NameContactRole  = "lien_he_chuc_vu"
	NameContactPhone = "lien_he_dien_thoai"
	NameContactEmail = "lien_he_email"
)

// Metadata keys (hidden sheet rows and custom properties with "chiso_").
const (
	MetaRubric   = "rubric_id"
	MetaHash     = "rubric_hash"
	MetaVersion  = "template_version"
	MetaUnitCode = "unit_code"
	MetaUnitName = "unit_name"
	MetaYear     = "year"
	MetaKind     = "kind" // KindTemplate or KindAppraisal
	MetaCohort   = "cohort"
)

// Kinds of workbook the system issues.
const (
	KindTemplate  = "bieu-mau"  // a self-assessment form
	KindAppraisal = "tham-dinh" // the appraisal council's score sheet
)

// codePart turns an indicator code into the part of a defined name: ASCII
// letters and digits are kept, anything else becomes "_" ("1.2.2-1" →
// "1_2_2_1"). Two codes that collide make template generation fail.
func codePart(code string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(code) {
		if (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	return b.String()
}

// InputName is the defined name of an indicator input cell.
func InputName(code, key string) string { return "v_" + codePart(code) + "_" + key }

// SelfName is the defined name of an indicator's self-declared score.
func SelfName(code string) string { return "tu_cham_" + codePart(code) }

// ExplainName is the defined name of an indicator's explanation.
func ExplainName(code string) string { return "giai_trinh_" + codePart(code) }

// EvidenceName is the defined name of an indicator's evidence list.
func EvidenceName(code string) string { return "kiem_chung_" + codePart(code) }

// ScoreName is the defined name of an indicator's provisional score formula.
func ScoreName(code string) string { return "diem_" + codePart(code) }

// GeneralName is the defined name of a general-information field.
func GeneralName(key string) string { return "tt_" + key }
