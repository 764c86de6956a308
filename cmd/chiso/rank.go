package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/pprof"
	"time"

	"github.com/chiso-vn/chiso/processor/pipeline"
)

func (a *app) rankCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("rank", flag.ContinueOnError)
	fs.SetOutput(a.stderr)
	year := fs.Int("year", 0, "year to rank (default from config)")
	final := fs.Bool("final", false, "close of collection: rewrite every unit's result workbook with settled scores and rank")
	if err := fs.Parse(args); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	log, closer := newLogger(a.cfg, a.stderr)
	defer closer.Close()
	p, err := a.newPipeline(log)
	if err != nil {
		return err
	}
	defer p.Ledger.Close()
	if cp := os.Getenv("CHISO_CPUPROFILE"); cp != "" {
		if f, err := os.Create(cp); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	y := *year
	if y == 0 {
		y = a.cfg.ReportingYear(time.Now())
	}
	res, err := p.Rank(ctx, pipeline.RankOptions{Year: y, Final: *final, Appraisal: true})
	if err != nil {
		return fmt.Errorf("rank: %w", err)
	}
	rk := res.Ranking
	fmt.Fprintf(a.stdout, "Xếp hạng năm %d: %d đơn vị đã nộp, %d chưa nộp.\n", y, len(rk.Ranked()), len(rk.Missing()))
	for _, p := range res.Paths {
		fmt.Fprintln(a.stdout, "  "+p)
	}
	return nil
}
