package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"
	"time"

	"github.com/chiso-vn/chiso/processor/publish"
)

// rankingGC is the GC target while a ranking is built: a national cohort
// holds every unit's scores at once, so garbage is collected sooner and the
// process stays near its live memory (see BENCHMARKS.md).
const rankingGC = 40

func setupRank(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	year := fs.Int("year", 0, "năm `NĂM` cần xếp hạng (mặc định theo cấu hình)")
	final := fs.Bool("final", false, "kết thúc thu thập: ghi lại tệp kết quả của mọi đơn vị với điểm đã chốt và thứ hạng")
	return func(ctx context.Context, _ []string) error { return a.rank(ctx, *year, *final) }
}

func (a *app) rank(ctx context.Context, y int, final bool) error {
	log, closer := newLogger(a.cfg, a.stderr)
	defer closer.Close()
	_, pub, err := a.newPipeline(log)
	if err != nil {
		return err
	}
	defer pub.Ledger.Close()
	if cp := os.Getenv("CHISO_CPUPROFILE"); cp != "" {
		if f, err := os.Create(cp); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	if y == 0 {
		y = a.col.YearAt(time.Now())
	}
	defer debug.SetGCPercent(debug.SetGCPercent(rankingGC))
	res, err := pub.Publish(ctx, publish.Options{Year: y, Final: final, Appraisal: true})
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
