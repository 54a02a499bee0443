#!/usr/bin/env bash
# The benchmark suite (issue 5), one command: builds, runs every figure
# beside its baseline measured in the same run, prints the table and writes
# it to bench/results/ (docs/BENCHMARKS.md records a run and this command).
#   bash bench/run.sh              # about ten minutes on 2 cores
#   SOAK_SECONDS=3600 bash bench/run.sh   # the one-hour soak
# Then what a shop's age costs (issue 16, bench/history.sh): every row of
# its budgets on histories made by the product's own ingest, beside the
# 4k figure. By default 4k and 250k (about 15 minutes more; the histories
# are kept in bench/histories and made once);
#   HISTORY_SIZES="4000 1000000 2500000" bash bench/run.sh   # the budgets' sizes (about four hours to make)
#   HISTORY_SIZES= bash bench/run.sh                          # without them
# Nothing here passes or fails: it measures. Needs Xvfb (installed by
# scripts/install-deps.sh) for the whole-process kiosk figures.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
bash scripts/build.sh >/dev/null
B=build
out=bench/results
mkdir -p "$out"
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
SOAK_SECONDS=${SOAK_SECONDS:-120}
IDLE_SECONDS=${IDLE_SECONDS:-60}

echo "== micro-benchmarks (bk_bench)"
$B/bench/bk_bench --benchmark_out="$out/bench.json" --benchmark_out_format=json

echo "== hub under kiosks (bk_loadgen)"
$B/bench/bk_loadgen visibility 20 150 | tee "$out/visibility.json" || true
$B/bench/bk_loadgen drain 10000 | tee "$out/drain.json" || true
$B/bench/bk_loadgen soak 50 "$SOAK_SECONDS" 10 | tee "$out/soak.json" || true
$B/bench/bk_loadgen stall 30 | tee "$out/stall.json" || true

echo "== whole kiosk process under Xvfb (Mesa software rendering)"
exec 3>"$work/display"  # Xvfb picks a free display, written once it accepts clients
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
exec 3>&-
for _ in $(seq 300); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=:$(tr -d '[:space:]' <"$work/display")
$B/demo/bk-demo --db "$work/demo.db" --pepper "$work/pepper.key" >/dev/null
$B/demo/bk-demo --minimal --db "$work/quiet.db" --pepper "$work/pepper.key" >/dev/null

# CPU seconds (user+sys) of a process over a window
cpu_of() { awk '{print $14 + $15}' "/proc/$1/stat"; }
measure_cpu() {  # pid seconds -> percent of one core
  local hz a b
  hz=$(getconf CLK_TCK)
  a=$(cpu_of "$1"); sleep "$2"; b=$(cpu_of "$1")
  python3 -c "print(round(100.0 * ($b - $a) / $hz / $2, 2))"
}
pss_mb() { awk '/^Pss:/ {print $2 / 1024}' "/proc/$1/smaps_rollup"; }
kiosk() { exec $B/kiosk/bay-kiosk --assets assets --pepper "$work/pepper.key" --windowed --idle 3600 "$@"; }

# signed in, a live timer on screen: a technician running at a bay badges
# in there (the records are kept compressed: bk-hub gives them as JSON for
# sqlite3)
peek() { { $B/hub/bk-hub records --db "$1" --sql; echo "$2;"; } | sqlite3 -batch -cmd ".timeout 5000" "$1"; }
read -r running_bay running < <(peek "$work/demo.db" "SELECT json_extract(e.body,'\$.bay') || ' ' || json_extract(p.body,'\$.badge') FROM records e JOIN records p ON p.kind='person' AND p.id=json_extract(e.body,'\$.tech') WHERE e.kind='time_entry' AND json_extract(e.body,'\$.end') IS NULL ORDER BY json_extract(e.body,'\$.bay') LIMIT 1")
[ -n "${running:-}" ] || { echo "the demo shop has no technician clocked on: no live timer to measure"; exit 1; }
cp "$work/demo.db" "$work/live.db"
kiosk --db "$work/live.db" --bay "$running_bay" >/dev/null 2>&1 & kpid=$!
sleep 4
wid=$(xdotool search --name "Bay Kiosk" | head -1)
xdotool windowfocus --sync "$wid" 2>/dev/null || true
xdotool type --delay 30 "$running"; xdotool key Return
sleep 3
live_cpu=$(measure_cpu $kpid "$IDLE_SECONDS")
live_pss=$(pss_mb $kpid)
kill $kpid; wait $kpid 2>/dev/null || true
echo "signed in at $running_bay (badge $running), live timer: ${live_cpu}% of a core, PSS ${live_pss} MB"

# nothing moving: the locked board of a bay with no work running
kiosk --db "$work/quiet.db" --bay b20 >/dev/null 2>&1 & kpid=$!
sleep 4
still_cpu=$(measure_cpu $kpid "$IDLE_SECONDS")
kill $kpid; wait $kpid 2>/dev/null || true
echo "nothing moving: ${still_cpu}% of a core"

# the baseline: the same binary forced to render every frame
kiosk --db "$work/quiet.db" --bay b20 --continuous >/dev/null 2>&1 & kpid=$!
sleep 4
cont_cpu=$(measure_cpu $kpid 20)
kill $kpid; wait $kpid 2>/dev/null || true
echo "forced continuous rendering: ${cont_cpu}% of a core"

# memory baseline: a bare ImGui+GLFW window with no font of its own
$B/bench/bk_bare_window >/dev/null 2>&1 & bpid=$!
sleep 3
bare_pss=$(pss_mb $bpid)
kill $bpid; wait $bpid 2>/dev/null || true
echo "bare window: PSS ${bare_pss} MB"

# process start to first frame (median of 5), the demo database vs the bare window
first_frame() {
  local t0 t1
  t0=$(date +%s%3N)
  t1=$("$@" 2>/dev/null | awk '/^first-frame/ {print $2}')
  echo $((t1 - t0))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
start_kiosk=$(for _ in 1 2 3 4 5; do first_frame kiosk --db "$work/live.db" --bay b02 --first-frame-exit; done | median)
start_bare=$(for _ in 1 2 3 4 5; do first_frame $B/bench/bk_bare_window --first-frame-exit; done | median)
echo "start to first frame: kiosk ${start_kiosk} ms, bare window ${start_bare} ms"

python3 - "$out" "$live_cpu" "$still_cpu" "$cont_cpu" "$live_pss" "$bare_pss" "$start_kiosk" "$start_bare" "$SOAK_SECONDS" <<'PY' | tee "$out/table.md"
import json, sys, platform, os
out, live, still, cont, pss, bare_pss, sk, sb, soak_s = sys.argv[1:]
b = {x["name"].split("/")[0]: x for x in json.load(open(f"{out}/bench.json"))["benchmarks"]}
def t(name, unit="us"):
    x = b[name]; f = {"ns": 1e-3, "us": 1, "ms": 1e3}[x["time_unit"]]
    v = x["real_time"] * f
    return v / 1000 if unit == "ms" else v
vis = json.load(open(f"{out}/visibility.json")); dr = json.load(open(f"{out}/drain.json")); so = json.load(open(f"{out}/soak.json"))
rows = []
def row(what, budget, measured, baseline, ratio, met):
    rows.append(f"| {what} | {budget} | {measured} | {baseline} | {ratio} | {'yes' if met else '**no**'} |")
live, still, cont, pss, bare_pss, sk, sb = map(float, (live, still, cont, pss, bare_pss, sk, sb))
row("kiosk idle CPU, signed in, live timer, %ss" % os.environ.get("IDLE_SECONDS", "60"), "≤ 2% of a core", f"{live:.2f}%", f"{cont:.1f}% (forced every frame)", f"{live / cont:.3f}", live <= 2)
row("kiosk idle CPU, nothing moving", "≤ 0.5%", f"{still:.2f}%", f"{cont:.1f}% (forced every frame)", f"{still / cont:.3f}", still <= 0.5)
row("kiosk memory (PSS), demo shop, zh+en", "≤ 110 MB", f"{pss:.1f} MB", f"{bare_pss:.1f} MB (bare ImGui+GLFW window)", f"{pss / bare_pss:.2f}", pss <= 110)
row("process start to first frame, demo database", "≤ 300 ms", f"{sk:.0f} ms", f"{sb:.0f} ms (bare window)", f"{sk / sb:.2f}", sk <= 300)
fb, fe = t("BM_FrameBusiestFloor"), t("BM_FrameEmpty")
row("CPU to build the busiest frame (foreman's floor, %d bays, %d open ops), headless" % (b["BM_FrameBusiestFloor"]["bays"], b["BM_FrameBusiestFloor"]["open_ops"]), "≤ 1 ms", f"{fb:.1f} µs", f"{fe:.2f} µs (empty frame)", f"{fb / fe:.0f}", fb <= 1000)
cc, cb = t("BM_CommitClockOnOff"), t("BM_CommitBareInsert")
row("a tap's action durably committed (clock on/off)", "≤ 2× baseline", f"{cc:.0f} µs", f"{cb:.0f} µs (bare durable insert)", f"{cc / cb:.2f}×", cc / cb <= 2)
ih, ib = b["BM_IngestHub"]["events_per_s"], b["BM_IngestBareBatches"]["events_per_s"]
i1 = b["BM_IngestHubOneAtATime"]["events_per_s"]
row("hub ingest, 8 kiosks pushing at once (200 a batch, device-signed), validated, projected", "≥ 1/4 of baseline", f"{ih / 1000:.1f}k events/s (one push at a time: {i1 / 1000:.1f}k/s, {i1 / ib:.2f})", f"{ib / 1000:.1f}k/s (bare batched inserts, one writer)", f"{ih / ib:.2f}", ih / ib >= 1 / 4)
row("an event at one kiosk visible at another, %d kiosks" % vis["kiosks"], "p95 ≤ 250 ms", f"p95 {vis['p95_ms']:.1f} ms (p50 {vis['p50_ms']:.1f}, max {vis['max_ms']:.0f}, {vis['samples']} samples)", "—", "—", vis["p95_ms"] <= 250 and vis["missed"] == 0)
row("%d events queued offline, drained after reconnect" % dr["events"], "≤ 10 s", f"{dr['seconds']:.2f} s", "—", "—", dr["ok"] and dr["seconds"] <= 10)
rm, rg = t("BM_ReportMonthly", "ms"), t("BM_ReportGroupBy", "ms")
row("monthly report over two years (%.2fM events, %dk work orders)" % (b["BM_ReportMonthly"]["events"] / 1e6, b["BM_ReportMonthly"]["work_orders"] / 1000), "≤ 200 ms", f"{rm:.0f} ms", f"{rg:.1f} ms (indexed GROUP BY, {b['BM_ReportGroupBy']['rows'] / 1000:.0f}k rows)", f"{rm / rg:.1f}", rm <= 200)
row("hub under %d kiosks at 10× a busy shop for %ss" % (so["kiosks"], soak_s), "p99 push ≤ 100 ms, no error", f"p99 {so['p99_ms']:.1f} ms, {so['errors']} errors, {so['pushes']} pushes", "—", "—", so["p99_ms"] <= 100 and so["errors"] == 0)
print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}")
print()
print("| what | budget | measured | baseline (same run) | ratio | met |")
print("| --- | --- | --- | --- | --- | --- |")
print("\n".join(rows))
PY

if [ -n "${HISTORY_SIZES-4000 250000}" ]; then
  echo "== what a shop's age costs (bench/history.sh)"
  BUILD_DIR=$B SIZES="${HISTORY_SIZES-4000 250000}" bash bench/history.sh
fi
