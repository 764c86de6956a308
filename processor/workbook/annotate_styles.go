package workbook

import (
	"github.com/chiso-vn/chiso/processor/problem"
)

// ------------------------------------------------------------------ styles

type annotStyles struct {
	title, subtitle, section, label, value, header, text, textBold, num, numBold, diff, diffBold, note int
	sev                                                                                                map[problem.Severity]int
	sysNum, sysNumBold, sysDiff, sysDiffBold, sysNote, sysHeader                                       int
}

func (an *annotator) styles() {
	ss := newStyleSet(an.f)
	const l, c, r = "left", "center", "right"
	s := annotStyles{
		title:    ss.id(look{bold: true, size: 14, h: c, v: c, wrap: true}),
		subtitle: ss.id(look{bold: true, color: colorTitle, h: c, v: c, wrap: true}),
		section:  ss.id(look{bold: true, color: colorTitle, v: c}),
		label:    ss.id(look{bold: true, h: l, v: "top", wrap: true, border: true, fill: fillLabel}),
		value:    ss.id(look{h: l, v: "top", wrap: true, border: true}),
		header:   ss.id(look{bold: true, h: c, v: c, wrap: true, border: true, fill: fillHeader}),
		text:     ss.id(look{size: 11, h: l, v: "top", wrap: true, border: true}),
		textBold: ss.id(look{bold: true, h: l, v: "top", wrap: true, border: true, fill: fillTotal}),
		num:      ss.id(look{h: r, v: "top", wrap: true, border: true, numFmt: fmtPoints}),
		numBold:  ss.id(look{bold: true, h: r, v: "top", wrap: true, border: true, numFmt: fmtPoints, fill: fillTotal}),
		diff:     ss.id(look{h: r, v: "top", wrap: true, border: true, numFmt: fmtDiff}),
		diffBold: ss.id(look{bold: true, h: r, v: "top", wrap: true, border: true, numFmt: fmtDiff, fill: fillTotal}),
		note:     ss.id(look{italic: true, size: 11, v: "top", wrap: true}),
		sev:      map[problem.Severity]int{},
		// The indicator sheet's columns: locked (the sheet stays protected:
		// these are the system's figures, not the commune's), green like the
		// template's provisional score.
		sysNum:      ss.id(look{h: c, v: "top", wrap: true, border: true, numFmt: fmtPoints, fill: fillSystem}),
		sysNumBold:  ss.id(look{bold: true, h: c, v: "top", wrap: true, border: true, numFmt: fmtPoints, fill: fillTotal}),
		sysDiff:     ss.id(look{h: c, v: "top", wrap: true, border: true, numFmt: fmtDiff, fill: fillSystem}),
		sysDiffBold: ss.id(look{bold: true, h: c, v: "top", wrap: true, border: true, numFmt: fmtDiff, fill: fillTotal}),
		sysNote:     ss.id(look{size: 11, h: l, v: "top", wrap: true, border: true}),
		sysHeader:   ss.id(look{bold: true, h: c, v: c, wrap: true, border: true, fill: fillTotal}),
	}
	for _, sv := range []problem.Severity{problem.Error, problem.Warning, problem.Info} {
		s.sev[sv] = ss.id(look{bold: true, size: 11, h: c, v: "top", wrap: true, border: true, fill: severityFill[sv]})
	}
	an.check(ss.err)
	an.st = s
}
