package workbook

import (
	"archive/zip"
	"compress/flate"
	"io"
	"sync"

	"github.com/xuri/excelize/v2"
)

// FastZip makes f save with the fastest deflate level: result workbooks are
// written by the thousand, and the default level spends much of a
// workbook's processing time compressing for a slightly smaller file.
// Compressors are pooled, as archive/zip does for its own.
func FastZip(f *excelize.File) *excelize.File {
	return f.SetZipWriter(func(w io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			fw, _ := fastFlate.Get().(*flate.Writer)
			if fw == nil {
				var err error
				if fw, err = flate.NewWriter(out, flate.BestSpeed); err != nil {
					return nil, err
				}
			} else {
				fw.Reset(out)
			}
			return &pooledFlate{fw}, nil
		})
		return zw
	})
}

var fastFlate sync.Pool

type pooledFlate struct{ *flate.Writer }

func (p *pooledFlate) Close() error {
	err := p.Writer.Close()
	fastFlate.Put(p.Writer)
	p.Writer = nil
	return err
}
