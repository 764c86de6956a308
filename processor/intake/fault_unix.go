//go:build !windows

package intake

import (
	"errors"
	"syscall"
)

// DiskFull reports an error that says the disk or the quota is full.
func DiskFull(err error) bool {
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) || errors.Is(err, syscall.EROFS)
}

// Busy reports an error that passes: a file held by another program, an
// interrupted read on a network share.
func Busy(err error) bool {
	for _, e := range []syscall.Errno{syscall.EBUSY, syscall.EAGAIN, syscall.ETXTBSY, syscall.EIO, syscall.EINTR, syscall.ESTALE, syscall.ETIMEDOUT} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
