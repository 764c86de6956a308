package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"runtime/pprof"

	"github.com/chiso-vn/chiso/processor/publish"
)

// rankingGC is the GC target while a ranking is built: a national cohort
// holds every unit's scores at once, so garbage is collected sooner and the
// process stays near its live memory (see BENCHMARKS.md).
const rankingGC = 40

func setupRank(a *app, fs *flag.FlagSet) func(context.Context, []string) error {
	year := fs.Int("year", 0, "năm `NĂM` cần xếp hạng (mặc định theo cấu hình)")
	final := fs.Bool("final", false, "công bố bảng xếp hạng CHÍNH THỨC thành một bản đánh số mới và ghi lại tệp kết quả của mọi đơn vị với điểm đã chốt và thứ hạng")
	return func(ctx context.Context, _ []string) error { return a.rank(ctx, *year, *final) }
}

func (a *app) rank(ctx context.Context, y int, final bool) error {
	// The profile covers the whole command: opening the ledger and the
	// roster cost as much as the ranking once did.
	if cp := os.Getenv("CHISO_CPUPROFILE"); cp != "" {
		if f, err := os.Create(cp); err == nil {
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
	}
	log, closer := newLogger(a.cfg, a.col.Loc(), a.stderr)
	defer closer.Close()
	_, pub, err := a.newPipeline(log, false)
	if err != nil {
		return err
	}
	defer pub.Ledger.Close()
	if y == 0 {
		y = a.col.YearAt(a.now())
	}
	defer debug.SetGCPercent(debug.SetGCPercent(rankingGC))
	res, err := pub.Publish(ctx, publish.Options{Year: y, Final: final, Appraisal: true})
	if err != nil {
		return fmt.Errorf("rank: %w", err)
	}
	rk := res.Ranking
	fmt.Fprintf(a.stdout, "Xếp hạng năm %d (%s): %d đơn vị đã nộp, %d chưa nộp.\n", y, rk.Mark(), len(rk.Ranked()), len(rk.Missing()))
	if res.Final != nil {
		fmt.Fprintf(a.stdout, "Đã ban hành bảng xếp hạng chính thức bản số %d", res.Final.Version)
		if res.Final.Replaces > 0 {
			fmt.Fprintf(a.stdout, ", thay thế bản số %d", res.Final.Replaces)
		}
		fmt.Fprintln(a.stdout, ".")
	} else if rk.Official > 0 {
		fmt.Fprintf(a.stdout, "Bảng xếp hạng chính thức hiện hành: bản số %d (chạy rank --final để ban hành bản mới).\n", rk.Official)
	}
	for _, p := range res.Paths {
		fmt.Fprintln(a.stdout, "  "+p)
	}
	return nil
}
