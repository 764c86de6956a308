package workbook

import (
	"github.com/xuri/excelize/v2"

	"github.com/chiso-vn/chiso/processor/rubric"
	"github.com/chiso-vn/chiso/processor/validate"
)

// readByLayout finds the cells of a workbook whose defined names are
// broken, by the indicator codes in the TT column and the input labels.
//
// TODO(helper): implement (see the task).
func readByLayout(f *excelize.File, r *rubric.Rubric, s *Submission) {
	s.Problems = append(s.Problems, validate.Problem{Severity: validate.Error, Code: "layout-unreadable",
		Message: "Không tìm thấy các ô số liệu của biểu mẫu: hãy dùng biểu mẫu do hệ thống phát hành."})
}
