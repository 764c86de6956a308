package ooxml

// Limits bound what reading a workbook may cost. Each is enforced while
// streaming, on the data actually read (sizes declared in zip headers or
// count attributes are never trusted to be small, only used to reject
// early when they are already too large). A zero field takes its default,
// and so does a negative one. The defaults fit a commune's self-assessment
// workbook a hundred times over and keep the reading of any one file under
// about 100 MB of memory (see TestHostileMemory).
type Limits struct {
	// MaxEntries bounds the entries of the zip archive (default 10,000).
	// Checked from the end-of-directory record before the directory is
	// parsed.
	MaxEntries int
	// MaxTotalBytes bounds the decompressed bytes read from the archive
	// over the life of a Book, reading and patching (default 256 MiB).
	MaxTotalBytes int64
	// MaxPartBytes bounds the decompressed bytes of one part (default
	// 32 MiB, about 65,000 rows of a commune's form).
	MaxPartBytes int64
	// MaxRows bounds both the highest row number of a sheet and its
	// number of <row> elements (default 65,536). A national appraisal
	// workbook (≈190,000 rows) needs more.
	MaxRows int
	// MaxCols bounds the highest column number and the cells of one row
	// (default 16,384, Excel's XFD).
	MaxCols int
	// MaxCells bounds the cells ReadSheet keeps for one sheet (default
	// 200,000; a commune's form has about 2,000). A cell costs 64 bytes
	// plus its text once read, about twice that while the sheet is read.
	MaxCells int
	// MaxSharedStrings bounds the shared-string table's entries (default
	// 200,000).
	MaxSharedStrings int
	// MaxStringBytes bounds the decoded text of the whole shared-string
	// table (default 16 MiB).
	MaxStringBytes int64
	// MaxValueBytes bounds one decoded value: a cell's value, formula or
	// string, a comment, a defined name (default 128 KiB; Excel's own
	// limit is 32,767 characters).
	MaxValueBytes int
	// MaxDepth bounds the nesting of XML elements (default 100; OOXML
	// parts use fewer than 20 levels).
	MaxDepth int
	// MaxTokenBytes bounds one XML token: a tag with its attributes, or a
	// run of text between tags (default 1 MiB). It is also the most the
	// streaming scanner ever buffers.
	MaxTokenBytes int
	// MaxItems bounds every other list read from a part: relationships,
	// sheets, defined names, custom properties, styles, comments, merged
	// ranges, column ranges (default 100,000).
	MaxItems int
}

// DefaultLimits returns the limits a zero Limits stands for.
func DefaultLimits() Limits { return Limits{}.withDefaults() }

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def64 := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.MaxEntries, 10_000)
	def64(&l.MaxTotalBytes, 256<<20)
	def64(&l.MaxPartBytes, 32<<20)
	def(&l.MaxRows, 65_536)
	def(&l.MaxCols, 16_384)
	def(&l.MaxCells, 200_000)
	def(&l.MaxSharedStrings, 200_000)
	def64(&l.MaxStringBytes, 16<<20)
	def(&l.MaxValueBytes, 128<<10)
	def(&l.MaxDepth, 100)
	def(&l.MaxTokenBytes, 1<<20)
	def(&l.MaxItems, 100_000)
	// Hard ceilings of the format: nothing beyond them is a spreadsheet.
	l.MaxRows = min(l.MaxRows, maxRow)
	l.MaxCols = min(l.MaxCols, maxCol)
	return l
}

// Excel's grid.
const (
	maxRow = 1 << 20 // 1,048,576
	maxCol = 1 << 14 // 16,384 (XFD)
)
