package intake

import (
	"errors"
	"syscall"
)

// Windows error codes (winerror.h) the checks below need.
const (
	errorHandleDiskFull   syscall.Errno = 39
	errorDiskFull         syscall.Errno = 112
	errorSharingViolation syscall.Errno = 32
	errorLockViolation    syscall.Errno = 33
	errorUnexpNetErr      syscall.Errno = 59
	errorNetnameDeleted   syscall.Errno = 64
	errorSemTimeout       syscall.Errno = 121
)

// DiskFull reports an error that says the disk or the quota is full.
func DiskFull(err error) bool {
	return errors.Is(err, errorDiskFull) || errors.Is(err, errorHandleDiskFull)
}

// Busy reports an error that passes: a file held by another program (Excel
// still saving it), an interrupted read on a network share.
func Busy(err error) bool {
	for _, e := range []syscall.Errno{errorSharingViolation, errorLockViolation, errorUnexpNetErr, errorNetnameDeleted, errorSemTimeout} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
