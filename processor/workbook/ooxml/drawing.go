package ooxml

import (
	"bufio"
	"strconv"
)

// The drawing part of a new sheet (its charts and lines) and the chart
// parts, written from scratch in DrawingML.

const (
	relDrawing = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/drawing"
	relChart   = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/chart"
	ctDrawing  = "application/vnd.openxmlformats-officedocument.drawing+xml"
	ctChart    = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
	nsXDR      = "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"
	nsA        = "http://schemas.openxmlformats.org/drawingml/2006/main"
	nsC        = "http://schemas.openxmlformats.org/drawingml/2006/chart"
)

func appendMarker(b []byte, elem string, a Anchor) []byte {
	b = append(b, "<xdr:"+elem+"><xdr:col>"...)
	b = strconv.AppendInt(b, int64(a.Col-1), 10)
	b = append(b, "</xdr:col><xdr:colOff>"...)
	b = strconv.AppendInt(b, a.ColOff, 10)
	b = append(b, "</xdr:colOff><xdr:row>"...)
	b = strconv.AppendInt(b, int64(a.Row-1), 10)
	b = append(b, "</xdr:row><xdr:rowOff>"...)
	b = strconv.AppendInt(b, a.RowOff, 10)
	return append(b, "</xdr:rowOff></xdr:"+elem+">"...)
}

// writeDrawing writes a sheet's drawing: each chart (chartIDs are the
// relationship ids of its chart parts) and each line.
func writeDrawing(out *bufio.Writer, charts []Chart, chartIDs []string, lines []Line) error {
	b := append([]byte(nil), xmlHeader...)
	b = append(b, `<xdr:wsDr xmlns:xdr="`+nsXDR+`" xmlns:a="`+nsA+`">`...)
	id := 1
	for i, c := range charts {
		id++
		b = append(b, "<xdr:oneCellAnchor>"...)
		b = appendMarker(b, "from", c.At)
		b = append(b, `<xdr:ext cx="`...)
		b = strconv.AppendInt(b, int64(c.Width*EMUPerPoint), 10)
		b = append(b, `" cy="`...)
		b = strconv.AppendInt(b, int64(c.Height*EMUPerPoint), 10)
		b = append(b, `"/><xdr:graphicFrame macro=""><xdr:nvGraphicFramePr><xdr:cNvPr`...)
		b = attr(b, "id", strconv.Itoa(id))
		b = attr(b, "name", "Biểu đồ "+strconv.Itoa(i+1))
		if c.AltText != "" {
			b = attr(b, "descr", c.AltText)
		}
		b = append(b, `/><xdr:cNvGraphicFramePr/></xdr:nvGraphicFramePr><xdr:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></xdr:xfrm>`...)
		b = append(b, `<a:graphic><a:graphicData uri="`+nsC+`"><c:chart xmlns:c="`+nsC+`" xmlns:r="`+nsRel+`"`...)
		b = attr(b, "r:id", chartIDs[i])
		b = append(b, `/></a:graphicData></a:graphic></xdr:graphicFrame><xdr:clientData/></xdr:oneCellAnchor>`...)
	}
	for i, l := range lines {
		id++
		b = append(b, `<xdr:twoCellAnchor editAs="oneCell">`...)
		b = appendMarker(b, "from", l.From)
		b = appendMarker(b, "to", l.To)
		b = append(b, `<xdr:cxnSp macro=""><xdr:nvCxnSpPr><xdr:cNvPr`...)
		b = attr(b, "id", strconv.Itoa(id))
		b = attr(b, "name", "Đường kẻ "+strconv.Itoa(i+1))
		b = append(b, `/><xdr:cNvCxnSpPr/></xdr:nvCxnSpPr><xdr:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/></a:xfrm><a:prstGeom prst="line"><a:avLst/></a:prstGeom><a:ln w="`...)
		width := l.Width
		if width <= 0 {
			width = 0.75
		}
		b = strconv.AppendInt(b, int64(width*EMUPerPoint), 10)
		color := l.Color
		if color == "" {
			color = "000000"
		}
		b = append(b, `"><a:solidFill><a:srgbClr`...)
		b = attr(b, "val", color)
		b = append(b, `/></a:solidFill></a:ln></xdr:spPr></xdr:cxnSp><xdr:clientData/></xdr:twoCellAnchor>`...)
	}
	b = append(b, "</xdr:wsDr>"...)
	_, err := out.Write(b)
	return err
}

// appendRunProps appends a:rPr or a:defRPr with a size, boldness and font.
func appendRunProps(b []byte, elem string, size float64, bold bool, font string) []byte {
	b = append(b, "<a:"+elem...)
	b = attr(b, "sz", strconv.Itoa(int(size*100)))
	if bold {
		b = attr(b, "b", "1")
	} else {
		b = attr(b, "b", "0")
	}
	b = append(b, '>')
	if font != "" {
		b = append(b, "<a:latin"...)
		b = attr(b, "typeface", font)
		b = append(b, "/><a:cs"...)
		b = attr(b, "typeface", font)
		b = append(b, "/>"...)
	}
	return append(b, "</a:"+elem+">"...)
}

// appendTxPr appends the text properties of an axis, labels or legend.
func appendTxPr(b []byte, size float64, font string) []byte {
	b = append(b, `<c:txPr><a:bodyPr/><a:lstStyle/><a:p><a:pPr>`...)
	b = appendRunProps(b, "defRPr", size, false, font)
	return append(b, `</a:pPr><a:endParaRPr lang="vi-VN"/></a:p></c:txPr>`...)
}

// writeChart writes a chart part.
func writeChart(out *bufio.Writer, c Chart) error {
	titleSize, size := c.TitleSize, c.Size
	if titleSize <= 0 {
		titleSize = 12
	}
	if size <= 0 {
		size = 9
	}
	b := append([]byte(nil), xmlHeader...)
	b = append(b, `<c:chartSpace xmlns:c="`+nsC+`" xmlns:a="`+nsA+`" xmlns:r="`+nsRel+`"><c:roundedCorners val="0"/><c:chart>`...)
	if c.Title != "" {
		b = append(b, `<c:title><c:tx><c:rich><a:bodyPr/><a:lstStyle/><a:p><a:pPr>`...)
		b = appendRunProps(b, "defRPr", titleSize, true, c.Font)
		b = append(b, `</a:pPr><a:r>`...)
		b = appendRunProps(b, "rPr", titleSize, true, c.Font)
		b = append(b, `<a:t>`...)
		b = appendEscaped(b, c.Title)
		b = append(b, `</a:t></a:r></a:p></c:rich></c:tx><c:overlay val="0"/></c:title><c:autoTitleDeleted val="0"/>`...)
	} else {
		b = append(b, `<c:autoTitleDeleted val="1"/>`...)
	}
	b = append(b, `<c:plotArea><c:layout/><c:barChart><c:barDir val="`...)
	catPos, valPos := "b", "l"
	if c.Kind == BarChart {
		b = append(b, "bar"...)
		catPos, valPos = "l", "b"
	} else {
		b = append(b, "col"...)
	}
	b = append(b, `"/><c:grouping val="clustered"/><c:varyColors val="0"/>`...)
	palette := []string{"4472C4", "ED7D31", "A5A5A5", "FFC000", "5B9BD5", "70AD47", "264478", "9E480E", "636363", "997300"}
	for i, s := range c.Series {
		b = append(b, `<c:ser><c:idx val="`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `"/><c:order val="`...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `"/>`...)
		if s.Name != "" {
			b = append(b, `<c:tx><c:strRef><c:f>`...)
			b = appendEscaped(b, s.Name)
			b = append(b, `</c:f></c:strRef></c:tx>`...)
		}
		color := s.Color
		if color == "" {
			color = palette[i%len(palette)]
		}
		b = append(b, `<c:spPr><a:solidFill><a:srgbClr`...)
		b = attr(b, "val", color)
		b = append(b, `/></a:solidFill></c:spPr><c:invertIfNegative val="0"/>`...)
		if c.Labels {
			b = append(b, `<c:dLbls>`...)
			if c.LabelFormat != "" {
				b = append(b, `<c:numFmt`...)
				b = attr(b, "formatCode", c.LabelFormat)
				b = append(b, ` sourceLinked="0"/>`...)
			}
			b = append(b, `<c:spPr><a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>`...)
			b = appendTxPr(b, size, c.Font)
			b = append(b, `<c:showLegendKey val="0"/><c:showVal val="1"/><c:showCatName val="0"/><c:showSerName val="0"/><c:showPercent val="0"/><c:showBubbleSize val="0"/></c:dLbls>`...)
		}
		b = append(b, `<c:cat><c:strRef><c:f>`...)
		b = appendEscaped(b, s.Categories)
		b = append(b, `</c:f></c:strRef></c:cat><c:val><c:numRef><c:f>`...)
		b = appendEscaped(b, s.Values)
		b = append(b, `</c:f></c:numRef></c:val></c:ser>`...)
	}
	b = append(b, `<c:gapWidth val="60"/><c:axId val="1001"/><c:axId val="1002"/></c:barChart>`...)
	// The category axis.
	b = append(b, `<c:catAx><c:axId val="1001"/><c:scaling><c:orientation val="`...)
	if c.ReverseCategories {
		b = append(b, "maxMin"...)
	} else {
		b = append(b, "minMax"...)
	}
	b = append(b, `"/></c:scaling><c:delete val="0"/><c:axPos val="`+catPos+`"/><c:numFmt formatCode="General" sourceLinked="0"/><c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>`...)
	b = appendTxPr(b, size, c.Font)
	b = append(b, `<c:crossAx val="1002"/><c:crosses val="autoZero"/><c:auto val="1"/><c:lblAlgn val="ctr"/><c:lblOffset val="100"/><c:noMultiLvlLbl val="0"/></c:catAx>`...)
	// The value axis.
	b = append(b, `<c:valAx><c:axId val="1002"/><c:scaling><c:orientation val="minMax"/>`...)
	if c.ValueMax != nil {
		b = append(b, `<c:max val="`...)
		b = appendFloat(b, *c.ValueMax)
		b = append(b, `"/>`...)
	}
	if c.ValueMin != nil {
		b = append(b, `<c:min val="`...)
		b = appendFloat(b, *c.ValueMin)
		b = append(b, `"/>`...)
	}
	b = append(b, `</c:scaling><c:delete val="0"/><c:axPos val="`+valPos+`"/><c:majorGridlines/>`...)
	if c.ValueFormat != "" {
		b = append(b, `<c:numFmt`...)
		b = attr(b, "formatCode", c.ValueFormat)
		b = append(b, ` sourceLinked="0"/>`...)
	} else {
		b = append(b, `<c:numFmt formatCode="General" sourceLinked="1"/>`...)
	}
	b = append(b, `<c:majorTickMark val="out"/><c:minorTickMark val="none"/><c:tickLblPos val="nextTo"/>`...)
	b = appendTxPr(b, size, c.Font)
	b = append(b, `<c:crossAx val="1001"/><c:crosses val="autoZero"/><c:crossBetween val="between"/></c:valAx></c:plotArea>`...)
	if c.Legend != "" {
		b = append(b, `<c:legend><c:legendPos`...)
		b = attr(b, "val", c.Legend)
		b = append(b, `/><c:overlay val="0"/>`...)
		b = appendTxPr(b, size, c.Font)
		b = append(b, `</c:legend>`...)
	}
	b = append(b, `<c:plotVisOnly val="1"/><c:dispBlanksAs val="gap"/></c:chart></c:chartSpace>`...)
	_, err := out.Write(b)
	return err
}
