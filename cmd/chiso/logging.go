package main

import (
	"io"
	"os"
	"time"

	"github.com/rs/zerolog"
	"gopkg.in/natefinch/lumberjack.v2"

	"github.com/chiso-vn/chiso/processor/config"
)

// isTerminal reports whether w is an interactive terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// newLogger builds the admin log: a readable console on a terminal (times
// in the collection's zone, loc), JSON lines otherwise (times ISO 8601 with
// the offset), and JSON lines to a rotated file when one is configured.
// Audit events (accepted, rejected, reminder sent) are logged at info level
// and never sampled.
func newLogger(cfg config.Config, loc *time.Location, stderr io.Writer) (zerolog.Logger, io.Closer) {
	level, err := zerolog.ParseLevel(cfg.Log.Level)
	if err != nil || cfg.Log.Level == "" {
		level = zerolog.InfoLevel
	}
	var out io.Writer = stderr
	if cfg.Log.Format == "console" || (cfg.Log.Format == "auto" && isTerminal(stderr)) {
		out = zerolog.ConsoleWriter{Out: stderr, TimeFormat: time.DateTime, TimeLocation: loc}
	}
	var closer io.Closer = io.NopCloser(nil)
	if cfg.Log.File != "" {
		lj := &lumberjack.Logger{Filename: cfg.Path(cfg.Log.File), MaxSize: max(cfg.Log.MaxMB, 1), MaxBackups: 10}
		out = zerolog.MultiLevelWriter(out, lj)
		closer = lj
	}
	return zerolog.New(out).Level(level).With().Timestamp().Logger(), closer
}
