#!/usr/bin/env bash
# Benchmark: generate N realistic filled workbooks (seeded, varied, ~5 % bad)
# and time `chiso process` on them (wall time and peak memory), then run the
# Go benchmarks (per-workbook cost against excelize alone; ranking rebuild).
#   bench/run.sh [N]        default N = 3321 (the national cohort)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3321}
WORK=${BENCH_DIR:-$(mktemp -d /tmp/chiso-bench.XXXX)}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "go: $(go version)"
go build -o "$WORK/chiso" ./cmd/chiso
go build -o "$WORK/gen" ./bench/gen
echo "generating $N workbooks in $WORK/data ..."
rm -rf "$WORK/data"
start=$(date +%s.%N)
"$WORK/gen" -n "$N" -out "$WORK/data" -seed 1 -bad 0.05
echo "generated in $(echo "$(date +%s.%N) - $start" | bc) s ($(du -sh "$WORK/data/inbox" | cut -f1))"
echo "chiso process ..."
/usr/bin/time -f "wall %e s, peak RSS %M KB, user %U s, sys %S s" \
  "$WORK/chiso" --config "$WORK/data/config.yaml" process --quiet 2>&1 >"$WORK/process.out" | grep -v '^{' | tail -3
head -1 "$WORK/process.out"
tail -1 "$WORK/process.out"
echo "re-run on the processed inbox (must change nothing) ..."
/usr/bin/time -f "wall %e s" "$WORK/chiso" --config "$WORK/data/config.yaml" process --quiet 2>&1 >/dev/null | grep -v '^{' | tail -1
echo "rank (rebuild from the ledger) ..."
/usr/bin/time -f "wall %e s, peak RSS %M KB" "$WORK/chiso" --config "$WORK/data/config.yaml" rank 2>&1 >/dev/null | grep -v '^{' | tail -1
echo "Go benchmarks ..."
go test -run XXX -bench 'ExcelizeBaseline|EvaluateAnnotate' -benchmem -count 3 ./processor/pipeline
go test -run XXX -bench . -benchmem ./processor/ranking
echo "daemon latency (settle 2 s as in config.yaml) ..."
go test -run XXX -bench DropToResult -benchtime 5x ./processor/daemon
go test -run XXX -bench Burst500 -benchtime 1x -timeout 20m ./processor/daemon
