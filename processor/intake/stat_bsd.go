//go:build darwin || freebsd || netbsd || openbsd

package intake

import (
	"io/fs"
	"syscall"
	"time"
)

// arrived is the file's change time: when it was created, renamed into the
// folder or last written, whatever the sender's clock says.
func arrived(fi fs.FileInfo) time.Time {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return time.Unix(st.Ctimespec.Unix())
	}
	return time.Time{}
}
