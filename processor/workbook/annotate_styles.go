package workbook

import (
	"github.com/chiso-vn/chiso/processor/problem"
)

// ------------------------------------------------------------------ styles

type annotStyles struct {
	title, subtitle, section, label, value, header, text, textBold, num, numBold, diff, diffBold, note  int
	sev                                                                                                 map[problem.Severity]int
	sysNum, sysNumBold, sysDiff, sysDiffBold, sysNote, sysHeader, sysLabel, sysLabelBold, sysLabelTotal int
}

// id returns the format of l, registered on first use.
func (an *annotator) id(l look) int {
	if id, ok := an.looks[l]; ok {
		return id
	}
	id, err := an.c.addStyle(l)
	an.check(err)
	an.looks[l] = id
	return id
}

func (an *annotator) styles() {
	const l, c, r = "left", "center", "right"
	s := annotStyles{
		title:    an.id(look{bold: true, size: 14, h: c, v: c, wrap: true}),
		subtitle: an.id(look{bold: true, color: colorTitle, h: c, v: c, wrap: true}),
		section:  an.id(look{bold: true, color: colorTitle, v: c}),
		label:    an.id(look{bold: true, h: l, v: "top", wrap: true, border: true, fill: fillLabel}),
		value:    an.id(look{h: l, v: "top", wrap: true, border: true}),
		header:   an.id(look{bold: true, h: c, v: c, wrap: true, border: true, fill: fillHeader}),
		text:     an.id(look{size: 11, h: l, v: "top", wrap: true, border: true}),
		textBold: an.id(look{bold: true, h: l, v: "top", wrap: true, border: true, fill: fillTotal}),
		num:      an.id(look{h: r, v: "top", wrap: true, border: true, numFmt: fmtPoints}),
		numBold:  an.id(look{bold: true, h: r, v: "top", wrap: true, border: true, numFmt: fmtPoints, fill: fillTotal}),
		diff:     an.id(look{h: r, v: "top", wrap: true, border: true, numFmt: fmtDiff}),
		diffBold: an.id(look{bold: true, h: r, v: "top", wrap: true, border: true, numFmt: fmtDiff, fill: fillTotal}),
		note:     an.id(look{italic: true, size: 11, v: "top", wrap: true}),
		sev:      map[problem.Severity]int{},
		// The indicator sheet's columns: locked (the sheet stays protected:
		// these are the system's figures, not the commune's), green like the
		// template's provisional score.
		sysNum:      an.id(look{h: c, v: "top", wrap: true, border: true, numFmt: fmtPoints, fill: fillSystem}),
		sysNumBold:  an.id(look{bold: true, h: c, v: "top", wrap: true, border: true, numFmt: fmtPoints, fill: fillTotal}),
		sysDiff:     an.id(look{h: c, v: "top", wrap: true, border: true, numFmt: fmtDiff, fill: fillSystem}),
		sysDiffBold: an.id(look{bold: true, h: c, v: "top", wrap: true, border: true, numFmt: fmtDiff, fill: fillTotal}),
		sysNote:     an.id(look{size: sysNoteSize, h: l, v: "top", wrap: true, border: true}),
		// The code and name copied beside them, as the form shows them.
		sysLabel:      an.id(look{size: sysLabelSize, h: l, v: "top", wrap: true, border: true}),
		sysLabelBold:  an.id(look{bold: true, size: sysLabelSize, h: l, v: "top", wrap: true, border: true, fill: fillPillar}),
		sysLabelTotal: an.id(look{bold: true, size: sysLabelSize, h: l, v: "top", wrap: true, border: true, fill: fillTotal}),
		sysHeader:     an.id(look{bold: true, h: c, v: c, wrap: true, border: true, fill: fillTotal}),
	}
	for _, sv := range []problem.Severity{problem.Error, problem.Warning, problem.Info} {
		s.sev[sv] = an.id(look{bold: true, size: 11, h: c, v: "top", wrap: true, border: true, fill: severityFill[sv]})
	}
	an.st = s
}
