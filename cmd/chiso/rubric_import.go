package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/chiso-vn/chiso/processor/rubric"
)

// printCrossCheck compares the checked rubrics with each other and with the
// other loaded rubrics (one wording, one decision) and prints what differs.
// It returns the number of findings.
func (a *app) printCrossCheck(w io.Writer, targets []*rubric.Rubric) int {
	ids := map[string]bool{}
	all := append([]*rubric.Rubric(nil), targets...)
	for _, r := range targets {
		ids[r.ID] = true
	}
	if set, err := a.loadRubrics(); err == nil {
		for _, r := range set.All() {
			if !ids[r.ID] {
				all = append(all, r)
			}
		}
	}
	var found []rubric.Finding
	for _, f := range rubric.CheckSet(all) {
		if ids[strings.Fields(f.Where)[0]] || ids[strings.Fields(f.Related)[0]] {
			found = append(found, f)
		}
	}
	if len(found) == 0 {
		return 0
	}
	fmt.Fprintf(w, "\n== so sánh giữa các bộ chỉ số (một cách viết, một quyết định)\n")
	for _, f := range found {
		fmt.Fprintf(w, "  %s\n", f)
	}
	return len(found)
}
