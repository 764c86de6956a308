// Package ooxml reads Excel workbooks (.xlsx, .xlsm) by streaming only the
// parts asked for, within limits set against hostile files, and writes a
// patched copy in which every part it does not change is copied byte for
// byte. It is the standard library only.
//
// # Reading
//
// [Open] reads the package's structure: the relationships, the content
// types and xl/workbook.xml — the sheets in tab order ([SheetInfo]: name,
// part resolved through xl/_rels/workbook.xml.rels, relationship id,
// state), the defined names, the active tab — and notes whether a VBA
// project is present. Everything else is read when asked for:
// [Book.ReadSheet] streams one sheet's part once into a [Sheet] (cells,
// merged ranges, column widths, row heights, the legacy drawing and
// comments relationships) with lookups by coordinates and by A1 reference;
// [Book.Comments], [Book.CustomProperties] and [Book.Styles] read their
// parts. Nothing unmarshals a part into a tree.
//
// Cell values are the raw values as stored: shared strings resolved,
// inline strings' text, numbers as written, booleans as "0"/"1", errors as
// their text, the cached result of a formula. The _xHHHH_ escapes of
// strings are decoded as Excel reads them, and a cell of a shared formula
// gets the master's formula moved to its position, as Excel shows it.
// [CellRef], [ParseRef], [ColName], [ParseColName] and [ParseRange]
// convert between A1 references and coordinates.
//
// # Patching
//
// [Book.Patch] starts a [Patch]: cell values and styles ([Patch.SetValue],
// [Patch.SetStyle], [Patch.SetCell]), column widths ([Patch.SetColWidth],
// splitting existing ranges), taller rows ([Patch.GrowRowHeight]), new
// cell formats ([Patch.AddStyle], [Patch.DeriveFill]), a sheet's comments
// ([Patch.SetComments]), an existing sheet's print set-up
// ([Patch.SetPageLayout]: paper, orientation, scale or fit to pages, page
// order, centring; [Patch.SetPrintTitles]: the rows and columns repeated
// on every page, read with [Book.PrintTitles]; [Patch.AddColBreak]: manual
// page breaks between columns), new sheets written with a
// [SheetWriter] ([Patch.AddSheet]: widths, merges, panes, print set-up,
// manual page breaks), removed sheets, sheet states and the active sheet.
// [NewWorkbook] starts a Patch of a blank workbook, to write one from
// scratch. A new sheet's rows are compressed as they are written, and its
// print set-up (scale or fit to width, page order, header and footer,
// print area, repeated rows and columns, page breaks), comments, data
// validations, charts and lines are written with it.
// [Patch.Write] writes the copy:
//
//   - every untouched entry of the zip archive is copied as it is,
//     compressed bytes included (zip.File.OpenRaw, zip.Writer.CreateRaw):
//     what other producers wrote (openpyxl's 8-digit colours with a 00
//     alpha, which excelize re-encodes into colours openpyxl then refuses;
//     extensions this package does not know) reaches the output unchanged;
//   - a changed part is re-streamed token by token, the original bytes
//     copied verbatim except where an edit is spliced in, in the place
//     the schema's element order requires; new elements take the
//     namespace prefix the part uses (<x:row>); a part read before to
//     its end (the sheets read, styles, the workbook part) is re-streamed
//     from its decompressed bytes, kept by the Book, not inflated again;
//     the cells of a row without edits are copied unparsed;
//   - new and changed parts are compressed at the fastest deflate level
//     with pooled compressors.
//
// Text is always written as an inline string, never as a formula, with
// characters XML cannot carry dropped, look-alikes of the _xHHHH_ escape
// escaped and Excel's 32,767-character limit applied. Inline strings leave
// the shared-string table untouched (copied raw) and need no bookkeeping;
// Excel and LibreOffice move them to the table when they save.
//
// A workbook written from scratch is the patch [NewWorkbook] returns: an
// empty workbook with the default font asked for, the Office theme and
// custom document properties.
//
// The patcher keeps the workbook consistent: sheet-scoped defined names
// follow their sheets when sheets are added or removed (names of removed
// sheets go), workbookView's activeTab and the sheets' tabSelected agree,
// relationships and [Content_Types].xml list exactly the parts written,
// a sheet whose comments part another sheet shares (excelize wrote such
// files) gets parts of its own rather than rewriting the shared ones,
// a shared formula whose master is overwritten gives its other cells
// their own formula, and the calculation chain is dropped when values
// change (Excel rebuilds it; a stale one makes it repair the file).
//
// # Limits
//
// Every read is bounded by [Limits], enforced while streaming on the
// bytes actually read, never trusting sizes declared in zip headers or
// count attributes (they only serve to reject early): zip entries, total
// and per-part decompressed bytes, rows, columns and cells of a sheet,
// shared strings and their bytes, the bytes of one value, the XML nesting
// depth, the size of one XML token, the items of any other list. A zero
// Limits takes defaults that fit a commune's self-assessment workbook a
// hundred times over and keep the reading of any one file under about
// 100 MB; a hostile file is rejected in milliseconds with a [*LimitError]
// naming the limit (see TestHostile and TestHostileMemory for the files
// and their cost).
//
// Errors match, with errors.Is: [ErrNotZip], [ErrEncrypted] (an OLE
// container with an encrypted package: a password-protected workbook),
// [ErrDamaged] (a truncated or corrupt archive, a size in a header that
// does not match the data), [ErrNoWorkbook], [ErrNoSheet], [ErrLimit]
// ([*LimitError]) and [ErrMalformed] ([*XMLError], with the part and the
// byte offset). No input makes the package panic (see the fuzz tests).
//
// # Design
//
// The XML is read by a hand-written scanner rather than encoding/xml: it
// hands out tokens as slices of a bounded window (so a token's exact bytes
// can be copied to the output), decodes entities only on demand, does not
// resolve namespaces (elements are matched by local name at known depths),
// and refuses DTDs. On a filled template's indicator sheet it is 7.5 times
// faster than encoding/xml's RawToken and allocates nothing per token
// (BenchmarkTokenize).
//
// The shared-string table is read whole, once, the first time a sheet
// with a shared string is read, into one arena: reading only the indices a
// sheet uses would scan the table again for every sheet, for no memory
// saved on real workbooks (BenchmarkSharedStrings). A sheet's strings live
// in one arena too, so that a [Cell] is 64 bytes with no allocation of its
// own.
//
// # Not supported
//
// Strict OOXML's namespaces are read (elements are matched by local name,
// relationship types by their last segment) but not tested; .xls and
// .xlsb are not read; encrypted workbooks are only recognised. Formulas
// are neither calculated nor written. Rich text is written only in
// comments. [Patch.SetComments] replaces a sheet's legacy drawing: shapes
// other than comments in it (old form controls) are lost. Merged ranges,
// panes, filters, margins, headers and footers and row breaks are
// written only on new sheets.
// Threaded comments (Excel 365) are left as they are and not read. A Book
// and a Patch are not safe for concurrent use; distinct Books are.
package ooxml
