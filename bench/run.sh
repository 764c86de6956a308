#!/usr/bin/env bash
# Benchmark: generate N realistic filled workbooks (seeded, varied, ~5 % bad)
# and, on the same files in one run, time
#   - excelize alone: open, read every cell, save a copy (bench/baseline);
#   - a plain openpyxl script: read, sum, save a copy with a result sheet
#     (bench/openpyxl_baseline.py, when /usr/bin/python3 has openpyxl);
#   - chiso process (wall time, peak RSS) and chiso rank;
#   - excelize and chiso again on a RAM disk (BENCH_SHM=0 skips it);
# then print the ratios quoted in BENCHMARKS.md, and run the Go benchmarks.
#   bench/run.sh [N]        default N = 3321 (the national cohort)
#   BENCH_GO=0 bench/run.sh 400   skips the Go benchmarks
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-3321}
WORKERS=${WORKERS:-2}
WORK=${BENCH_DIR:-$(mktemp -d /tmp/chiso-bench.XXXX)}
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "go: $(go version)"
go build -o "$WORK/chiso" ./cmd/chiso
go build -o "$WORK/gen" ./bench/gen
go build -o "$WORK/baseline" ./bench/baseline
echo "generating $N workbooks in $WORK/data ..."
rm -rf "$WORK/data" "$WORK/copies" "$WORK/py" "$WORK/inbox-copy"
"$WORK/gen" -n "$N" -out "$WORK/data" -seed 7 -bad 0.05
sed -i "s/^workers: .*/workers: $WORKERS/" "$WORK/data/config.yaml"
cp -r "$WORK/data/inbox" "$WORK/inbox-copy" 2>/dev/null || true

# secs FILE: the wall seconds /usr/bin/time wrote.
secs() { sed -n 's/^wall \([0-9.]*\) s.*/\1/p' "$1" | tail -1; }
rss() { sed -n 's/.*peak RSS \([0-9]*\) KB.*/\1/p' "$1" | tail -1; }

echo "excelize alone, $WORKERS workers ..."
/usr/bin/time -o "$WORK/t.base" -f "wall %e s, peak RSS %M KB" "$WORK/baseline" -workers "$WORKERS" -out "$WORK/copies" "$WORK/data/inbox"
cat "$WORK/t.base"

PY=""
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
  echo "openpyxl script, $WORKERS processes ..."
  /usr/bin/time -o "$WORK/t.py" -f "wall %e s, peak RSS %M KB" /usr/bin/python3 bench/openpyxl_baseline.py "$WORK/data/inbox" "$WORK/py" "$WORKERS"
  cat "$WORK/t.py"
  PY=1
fi

echo "chiso process ..."
/usr/bin/time -o "$WORK/t.chiso" -f "wall %e s, peak RSS %M KB, user %U s, sys %S s" \
  "$WORK/chiso" --config "$WORK/data/config.yaml" process --quiet >"$WORK/process.out" 2>"$WORK/process.err"
cat "$WORK/t.chiso"
head -1 "$WORK/process.out"
echo "re-run on the processed inbox (must change nothing) ..."
/usr/bin/time -f "wall %e s" "$WORK/chiso" --config "$WORK/data/config.yaml" process --quiet 2>&1 >/dev/null | grep -v '^{' | tail -1
echo "chiso rank, first (the ranking rebuilt from the ledger, and the appraisal workbook written) ..."
/usr/bin/time -o "$WORK/t.rank1" -f "wall %e s, peak RSS %M KB, user %U s, sys %S s" "$WORK/chiso" --config "$WORK/data/config.yaml" rank >/dev/null 2>&1
cat "$WORK/t.rank1"
echo "chiso rank (rebuild from the ledger) ..."
/usr/bin/time -o "$WORK/t.rank" -f "wall %e s, peak RSS %M KB, user %U s, sys %S s" "$WORK/chiso" --config "$WORK/data/config.yaml" rank >/dev/null 2>&1
cat "$WORK/t.rank"

# The same two on a RAM disk, where a sync costs nothing: chiso syncs every
# result, notice and ledger commit to disk (nothing may be lost in a power
# cut), the excelize baseline syncs nothing. The difference between the two
# ratios is what that durability costs on this machine's disk.
SHM=""
if [ "${BENCH_SHM:-1}" != 0 ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  SHM=$(mktemp -d /dev/shm/chiso-bench.XXXX)
  trap 'rm -rf "$SHM"' EXIT
  cp "$WORK/data/config.yaml" "$SHM/"
  cp -r "$WORK/inbox-copy" "$SHM/inbox"
  mkdir -p "$SHM/outbox"
  echo "on a RAM disk ($SHM): excelize alone, then chiso process ..."
  /usr/bin/time -o "$WORK/t.base.shm" -f "wall %e s, peak RSS %M KB" "$WORK/baseline" -workers "$WORKERS" -out "$SHM/copies" "$SHM/inbox"
  cat "$WORK/t.base.shm"
  rm -rf "$SHM/copies"
  /usr/bin/time -o "$WORK/t.chiso.shm" -f "wall %e s, peak RSS %M KB, user %U s, sys %S s" \
    "$WORK/chiso" --config "$SHM/config.yaml" process --quiet >/dev/null 2>&1
  cat "$WORK/t.chiso.shm"
  rm -rf "$SHM"
fi

# The three hostile files of issue 13 (a million shared strings, 100,000
# rows, deeply nested XML), each processed alone by chiso: the whole process's
# peak RSS (target <= 150 MB) and wall time (target <= 5 s).
echo "hostile files, one chiso process each ..."
for f in 34-mot-trieu-chuoi 35-tram-nghin-dong 36-xml-long-sau; do
  h="$WORK/hostile/$f"
  rm -rf "$h"; mkdir -p "$h/inbox" "$h/outbox" "$h/data"
  cp "$WORK/data/config.yaml" "$h/config.yaml"
  cp "processor/pipeline/testdata/corpus/$f.xlsx" "$h/inbox/"
  /usr/bin/time -o "$h/t" -f "wall %e s, peak RSS %M KB" "$WORK/chiso" --config "$h/config.yaml" process --quiet >"$h/out" 2>/dev/null || true
  awk -v f="$f" -v s="$(secs "$h/t")" -v r="$(rss "$h/t")" -v o="$(head -1 "$h/out")" \
    'BEGIN { printf "  %-22s %5.2f s, peak RSS %4.0f MB  (%s)\n", f, s, r / 1024, o }'
done

echo
echo "ratios (same files, same run):"
awk -v c="$(secs "$WORK/t.chiso")" -v b="$(secs "$WORK/t.base")" \
  'BEGIN { printf "  chiso process / excelize open-read-save: %.2f (target <= 0.5)\n", c / b }'
if [ -n "$SHM" ]; then
  awk -v c="$(secs "$WORK/t.chiso.shm")" -v b="$(secs "$WORK/t.base.shm")" \
    'BEGIN { printf "  the same on a RAM disk (no cost for syncs): %.2f\n", c / b }'
fi
if [ -n "$PY" ]; then
  awk -v c="$(secs "$WORK/t.chiso")" -v p="$(secs "$WORK/t.py")" \
    'BEGIN { printf "  openpyxl script / chiso process, per workbook: %.1f (target >= 10)\n", p / c }'
fi
awk -v r="$(rss "$WORK/t.chiso")" 'BEGIN { printf "  chiso process peak RSS: %.0f MB (target <= 150)\n", r / 1024 }'
awk -v s="$(secs "$WORK/t.rank")" -v r="$(rss "$WORK/t.rank")" 'BEGIN { printf "  chiso rank: %.2f s (target <= 1), %.0f MB (target <= 120)\n", s, r / 1024 }'
awk -v s="$(secs "$WORK/t.rank1")" -v r="$(rss "$WORK/t.rank1")" 'BEGIN { printf "  chiso rank, first (with the appraisal workbook): %.2f s, %.0f MB\n", s, r / 1024 }'

if [ "${BENCH_GO:-1}" != 0 ]; then
  echo "Go benchmarks ..."
  go test -run XXX -bench 'ExcelizeBaseline|EvaluateAnnotate' -benchmem -count 3 ./processor/pipeline
  go test -run XXX -bench 'Ranking|Workbook3321' -benchmem -count 3 ./processor/publish ./processor/workbook
  echo "daemon latency (settle 2 s as in config.yaml) ..."
  go test -run XXX -bench DropToResult -benchtime 5x ./processor/daemon
fi
