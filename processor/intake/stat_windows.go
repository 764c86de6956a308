package intake

import (
	"io/fs"
	"syscall"
	"time"
)

// arrived is the file's creation time: a copy into the inbox creates the
// file there, whatever the sender's clock says.
func arrived(fi fs.FileInfo) time.Time {
	if d, ok := fi.Sys().(*syscall.Win32FileAttributeData); ok {
		return time.Unix(0, d.CreationTime.Nanoseconds())
	}
	return time.Time{}
}
