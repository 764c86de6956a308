// Command chiso collects, validates, scores and ranks communes' DTI
// self-assessment workbooks. main only turns signals into a context and an
// error into an exit code; the work is in run.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		// Restore the default handling: a second signal stops at once.
		stop()
	}()
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
