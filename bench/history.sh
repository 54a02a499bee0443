#!/usr/bin/env bash
# Issue 16: what a shop's age costs. Builds (once, kept in $HISTORY_DIR) a
# hub's history at each size with bench/bk_history — the demo shop's days
# played through the rules and pushed by the clients that would have
# written them, taken by the hub's own ingest — then measures on each, in
# the same run, every row of the issue's budgets that the product has today
# and prints them beside the 4k figure:
#   bash bench/history.sh                        # 4k, 250k and 1M events
#   SIZES="4000 250000 1000000 2500000" bash bench/history.sh
#   SIZES="young 2500000" bash bench/history.sh   # beside the same busy shop, 3 days old
# The 4k history is the demo shop (three work orders a day); the others are
# a busy 20-bay shop (137 a day) at its age, so a figure that follows the
# day's work, not the history (a kiosk's first frame, its memory), is
# larger than the 4k one for that reason alone. "young" is that busy shop
# three days old (about 5k events): the ratios beside it are the shop's age.
# Nothing here passes or fails: it measures (docs/BENCHMARKS.md records a
# run and this command). Needs Xvfb for the kiosk rows. A 1M history takes
# about 45 minutes to make; 2.5M about three hours on one core (112 minutes
# to play 1,824 days, then about an hour through the hub's ingest), in
# about 150 MB of memory.
set -euo pipefail
cd "$(dirname "$0")/.."
B=${BUILD_DIR:-build}
if [ -z "${BUILD_DIR:-}" ]; then
  bash scripts/install-deps.sh >/dev/null
  bash scripts/build.sh >/dev/null
fi
B=$(cd "$B" && pwd)
SIZES=${SIZES:-"4000 250000 1000000"}
HISTORY_DIR=${HISTORY_DIR:-bench/histories}
PULL_LIMIT=${PULL_LIMIT:-300}   # seconds a new kiosk gets to pull everything
out=bench/results
mkdir -p "$out" "$HISTORY_DIR"
HISTORY_DIR=$(cd "$HISTORY_DIR" && pwd)
work=$(mktemp -d)
hub_pid= kiosk_pid=
trap 'kill $hub_pid $kiosk_pid $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

exec 3>"$work/display"
Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >/dev/null 2>&1 &
exec 3>&-
for _ in $(seq 300); do [ -s "$work/display" ] && break; sleep 0.1; done
export DISPLAY=:$(tr -d '[:space:]' <"$work/display")

ms() { date +%s%3N; }
pss_mb() { awk '/^Pss:/ {printf "%.1f", $2 / 1024}' "/proc/$1/smaps_rollup"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

for n in $SIZES; do
  src="$HISTORY_DIR/hub-$n.db"
  if [ ! -s "$src" ]; then
    echo "== making a history of about $n events (kept in $src)"
    if [ "$n" = young ]; then
      "$B/bench/bk_history" --db "$src" --pepper "$HISTORY_DIR/pepper.key" --events 4000 --days 3 --per-day 137 --crews 12 > "$src.json"
    else
      "$B/bench/bk_history" --db "$src" --pepper "$HISTORY_DIR/pepper.key" --events "$n" > "$src.json"
    fi
  fi
  echo "== $n: $(cat "$src.json")"
  d="$work/$n"; mkdir -p "$d"
  # (each copy is written to disk before anything is timed on it: the
  # first fsync on a fresh copy waits for the whole file's writeback, a
  # second or more at 2.5M, and a month's report measured 630 ms for it)
  cp "$src" "$d/hub.db"; cp "$HISTORY_DIR/pepper.key" "$d/pepper.key"; sync
  events=$(sqlite3 "$d/hub.db" "SELECT COUNT(*) FROM events")
  bytes=$(stat -c %s "$d/hub.db")
  sqlite3 -json "$d/hub.db" "SELECT name, SUM(pgsize) AS bytes, SUM(payload) AS payload FROM dbstat GROUP BY name ORDER BY 2 DESC" > "$d/dbstat.json"

  # a one-line admin command on the file (the hub not serving)
  t0=$(ms); "$B/hub/bk-hub" enroll-code --db "$d/hub.db" --pepper "$d/pepper.key" --kiosk desk-bench --scope desk > "$d/desk.code"; t1=$(ms)
  enroll_code_ms=$((t1 - t0))
  "$B/hub/bk-hub" enroll-code --db "$d/hub.db" --pepper "$d/pepper.key" --kiosk kiosk-bench > "$d/kiosk.code"
  "$B/hub/bk-hub" enroll-code --db "$d/hub.db" --pepper "$d/pepper.key" --kiosk snap-bench > "$d/snap.code"

  # hub start: launch to listening, then its memory
  port=$(free_port)
  t0=$(ms)
  "$B/hub/bk-hub" serve --db "$d/hub.db" --pepper "$d/pepper.key" --port "$port" --assets assets --log-level warn > "$d/hub.log" 2>&1 & hub_pid=$!
  for _ in $(seq 6000); do grep -q listening "$d/hub.log" 2>/dev/null && break; sleep 0.05; done
  t1=$(ms); hub_start_ms=$((t1 - t0))
  hub_pss=$(pss_mb $hub_pid)
  url=http://127.0.0.1:$port
  desk=$(curl -s -X POST "$url/api/v1/enroll" -H 'Content-Type: application/json' \
           -d "{\"code\":\"$(cat "$d/desk.code")\",\"kiosk_id\":\"desk-bench\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  # (last month, partly in memory; and one five months back, on disk only)
  month=$(sqlite3 "$d/hub.db" "SELECT strftime('%Y-%m', MAX(wall_ms) / 1000 - 40 * 86400, 'unixepoch') FROM events")
  old_month=$(sqlite3 "$d/hub.db" "SELECT strftime('%Y-%m', MAX(wall_ms) / 1000 - 150 * 86400, 'unixepoch') FROM events")
  # each timed request must answer 200, or the figure means nothing
  timed() { curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H "Authorization: Bearer $desk" "$url$1" |
              awk -v u="$1" '$1 != 200 {print "bench/history.sh: " u " answered " $1 > "/dev/stderr"; exit 1} {print $2}'; }
  # the first request computes a month's report (and keeps it), the next
  # ones are given it as kept
  report_first_ms=$(timed "/api/v1/report?month=$month")
  report_old_first_ms=$(timed "/api/v1/report?month=$old_month")
  # the same month again, its kept report dropped (as a new program
  # version drops them): computed from the month's report rows (schema
  # v23), which the request above wrote where the history had none
  # (median of three, the kept report dropped before each)
  report_old_rows_ms=$(for _ in 1 2 3; do
    sqlite3 "$d/hub.db" ".timeout 5000" "DELETE FROM reports" >/dev/null
    timed "/api/v1/report?month=$old_month"
  done | median)
  report_ms=$(for _ in 1 2 3 4 5; do timed "/api/v1/report?month=$month"; done | median)
  # (the records are kept compressed: bk-hub gives them as JSON lines)
  vin=$("$B/hub/bk-hub" records --db "$d/hub.db" --kind work_order | tail -101 | sed -n '1s/.*"vin":"\([^"]*\)".*/\1/p')
  history_ms=$(for _ in 1 2 3 4 5; do timed "/api/v1/vehicles/$vin/history"; done | median)

  # the snapshot a new kiosk starts from (issue 16): its size, and the
  # hub's time to make and send it (median of three)
  bay=$(curl -s -X POST "$url/api/v1/enroll" -H 'Content-Type: application/json' \
          -d "{\"code\":\"$(cat "$d/snap.code")\",\"kiosk_id\":\"snap-bench\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
  snap=$(for _ in 1 2 3; do curl -s -o /dev/null -w '%{size_download} %{time_total}\n' -H "Authorization: Bearer $bay" "$url/api/v1/snapshot"; done |
           sort -k2 -n | sed -n 2p)
  snapshot_bytes=${snap% *}
  snapshot_ms=$(python3 -c "print(round(${snap#* } * 1000))")

  # a new kiosk enrolled against it: until it is usable, that is holds the
  # hub's snapshot and everything after it (before issue 16: the whole log)
  t0=$(ms)
  "$B/kiosk/bay-kiosk" --db "$d/new-kiosk.db" --pepper "$d/pepper.key" --assets assets --bay b07 --kiosk-id kiosk-bench \
      --hub "$url" --enroll-code-file "$d/kiosk.code" --windowed --idle 3600 > "$d/kiosk.log" 2>&1 & kiosk_pid=$!
  pulled=0 pull_ms=
  for _ in $(seq $((PULL_LIMIT * 10))); do
    sleep 0.1
    pulled=$(sqlite3 "$d/new-kiosk.db" ".timeout 2000" \
               "SELECT (SELECT COALESCE(MAX(hub_pos), 0) FROM snapshot_base) + (SELECT COUNT(*) FROM events)" 2>/dev/null || echo 0)
    if [ "$pulled" -ge "$events" ]; then pull_ms=$(($(ms) - t0)); break; fi
    kill -0 $kiosk_pid 2>/dev/null || break
  done
  # (its memory once settled: at the moment it is usable the snapshot's
  # parse is still being let go, about twice this for a second)
  sleep 3
  new_kiosk_pss=$(pss_mb $kiosk_pid 2>/dev/null || echo 0)
  kill $kiosk_pid 2>/dev/null || true; wait $kiosk_pid 2>/dev/null || true; kiosk_pid=
  kill $hub_pid; wait $hub_pid 2>/dev/null || true; hub_pid=

  # bk-hub verify: time and peak memory
  /usr/bin/time -f "%e %M" -o "$d/verify.time" "$B/hub/bk-hub" verify --db "$d/hub.db" --pepper "$d/pepper.key" > "$d/verify.log" 2>&1 || true
  read -r verify_s verify_kb < "$d/verify.time"

  # every past month's report on a copy: as the hub keeps them while idle
  # (a history from before schema v23 has its report rows written then),
  # then again from the rows, the kept reports dropped
  cp "$src" "$d/months.db"; sync
  "$B/bench/bk_months" --db "$d/months.db" --pepper "$d/pepper.key" > "$d/months.json"
  rm -f "$d"/months.db*

  # a kiosk holding this history: start to first frame, then its memory
  cp "$src" "$d/kiosk.db"; sync
  start_ms=$(for _ in 1 2 3; do
    t0=$(ms)
    t1=$("$B/kiosk/bay-kiosk" --db "$d/kiosk.db" --pepper "$d/pepper.key" --assets assets --bay b02 --windowed \
           --first-frame-exit 2>/dev/null | awk '/^first-frame/ {print $2}')
    echo $((t1 - t0))
  done | median)
  "$B/kiosk/bay-kiosk" --db "$d/kiosk.db" --pepper "$d/pepper.key" --assets assets --bay b02 --windowed --idle 3600 >/dev/null 2>&1 & kiosk_pid=$!
  sleep $(python3 -c "print(3 + $start_ms / 1000)")
  kiosk_pss=$(pss_mb $kiosk_pid)
  kill $kiosk_pid; wait $kiosk_pid 2>/dev/null || true; kiosk_pid=

  # one conflict's rebase on a kiosk holding this history (the time the
  # store, and so the kiosk's screen, is held; median of three copies),
  # and the longest gap between two frames of the foreman's floor drawn
  # meanwhile (the longest of the three)
  for _ in 1 2 3; do
    cp "$src" "$d/rebase.db"; sync
    "$B/bench/bk_rebase" --db "$d/rebase.db" --pepper "$d/pepper.key" >> "$d/rebase.json"
    rm -f "$d"/rebase.db*
  done
  rebase_ms=$(python3 -c 'import json,sys; [print(json.loads(l)["rebase_ms"]) for l in open(sys.argv[1])]' "$d/rebase.json" | median)
  frame_gap_ms=$(python3 -c 'import json,sys; print(max(json.loads(l)["frame_gap_max_ms"] for l in open(sys.argv[1])))' "$d/rebase.json")

  # a working bay from a snapshot takes a newer one (written beside its
  # state, then swapped in): the time the swap held the store (median of
  # three), and the longest gap between frames meanwhile (the longest)
  for _ in 1 2 3; do
    cp "$src" "$d/resnap.db"; sync
    "$B/bench/bk_rebase" --snapshot --db "$d/resnap.db" --pepper "$d/pepper.key" >> "$d/resnap.json"
    rm -f "$d"/resnap.db*
  done
  resnap_ms=$(python3 -c 'import json,sys; [print(json.loads(l)["resnapshot_ms"]) for l in open(sys.argv[1])]' "$d/resnap.json" | median)
  resnap_gap_ms=$(python3 -c 'import json,sys; print(max(json.loads(l)["frame_gap_max_ms"] for l in open(sys.argv[1])))' "$d/resnap.json")
  resnap_stage_ms=$(python3 -c 'import json,sys; [print(json.loads(l)["stage_ms"]) for l in open(sys.argv[1])]' "$d/resnap.json" | median)

  python3 - "$n" "$events" "$bytes" "$enroll_code_ms" "$hub_start_ms" "$hub_pss" "$report_ms" "$history_ms" \
      "$pulled" "${pull_ms:-}" "$new_kiosk_pss" "$verify_s" "$verify_kb" "$start_ms" "$kiosk_pss" "$d/dbstat.json" "$(grep -c . "$d/verify.log")" \
      "$report_first_ms" "$report_old_first_ms" "$rebase_ms" "$snapshot_bytes" "$snapshot_ms" "$frame_gap_ms" "$report_old_rows_ms" "$d/months.json" \
      "$resnap_ms" "$resnap_gap_ms" "$resnap_stage_ms" <<'PY' | tee "$out/history-$n.json"
import json, sys
a = sys.argv[1:]
print(json.dumps({
    "size": a[0] if a[0] == "young" else int(a[0]), "events": int(a[1]), "bytes": int(a[2]), "bytes_per_event": round(int(a[2]) / int(a[1])),
    "enroll_code_ms": int(a[3]), "hub_start_ms": int(a[4]), "hub_pss_mb": float(a[5]),
    "report_ms": round(float(a[6]) * 1000, 1), "vehicle_history_ms": round(float(a[7]) * 1000, 1),
    "new_kiosk_pulled": int(a[8]), "new_kiosk_pull_ms": int(a[9]) if a[9] else None, "new_kiosk_pss_mb": float(a[10]),
    "verify_s": float(a[11]), "verify_mb": round(int(a[12]) / 1024, 1),
    "kiosk_first_frame_ms": int(a[13]), "kiosk_pss_mb": float(a[14]),
    "tables": {r["name"]: r["bytes"] for r in json.load(open(a[15]))},
    "report_first_ms": round(float(a[17]) * 1000, 1), "report_old_first_ms": round(float(a[18]) * 1000, 1),
    "rebase_ms": float(a[19]), "snapshot_mb": round(int(a[20]) / 1e6, 2), "snapshot_ms": int(a[21]),
    "frame_gap_during_rebase_ms": float(a[22]), "report_old_rows_ms": round(float(a[23]) * 1000, 1),
    "months": json.load(open(a[24])),
    "resnapshot_held_ms": float(a[25]), "frame_gap_during_resnapshot_ms": float(a[26]), "resnapshot_staged_ms": float(a[27]),
}))
PY
  rm -rf "$d"
done

python3 - "$out" $SIZES <<'PY' | tee "$out/history.md"
import json, sys
out, sizes = sys.argv[1], sys.argv[2:]
r = {s: json.load(open(f"{out}/history-{s}.json")) for s in sizes}
for v in r.values():  # (bk_months: every past month's report)
    m = v.get("months", {})
    v["months_first_median_ms"] = m.get("first_median_ms")
    v["months_rows_median_ms"] = m.get("rows_median_ms")
    v["months_rows_max_ms"] = m.get("rows_max_ms")
    v["row_bytes_each"] = m["row_bytes"] / m["rows"] if m.get("rows") else None
base = r[sizes[0]]
def cell(s, key, unit="", ratio=False, fmt="{:.0f}"):
    v = r[s].get(key)
    if v is None: return "—"
    txt = fmt.format(v) + unit
    if ratio and s != sizes[0] and base.get(key): txt += f" ({v / base[key]:.1f}×)"
    return txt
rows = [
    ("kiosk start to first frame", "kiosk_first_frame_ms", " ms", True),
    ("kiosk PSS", "kiosk_pss_mb", " MB", True),
    ("new kiosk: enrol, take the snapshot, catch up (usable)", "new_kiosk_pull_ms", " ms", True),
    ("new kiosk PSS 3 s after", "new_kiosk_pss_mb", " MB", True),
    ("the snapshot: size", "snapshot_mb", " MB", True),
    ("the snapshot: made and sent (HTTP)", "snapshot_ms", " ms", True),
    ("hub start (launch to listening)", "hub_start_ms", " ms", True),
    ("hub PSS after start", "hub_pss_mb", " MB", True),
    ("hub database, bytes an event", "bytes_per_event", " B", True),
    ("`bk-hub enroll-code`", "enroll_code_ms", " ms", True),
    ("`bk-hub verify`, time", "verify_s", " s", True),
    ("`bk-hub verify`, peak memory (RSS)", "verify_mb", " MB", True),
    ("report for last month, first request (HTTP)", "report_first_ms", " ms", True),
    ("report for a month 5 months back, first request", "report_old_first_ms", " ms", True),
    ("the same, its kept report dropped: from its report rows", "report_old_rows_ms", " ms", True),
    ("every past month, first report: median (without rows: from the records)", "months_first_median_ms", " ms", True),
    ("every past month from its report rows: median", "months_rows_median_ms", " ms", True),
    ("every past month from its report rows: longest", "months_rows_max_ms", " ms", True),
    ("report rows, bytes a row", "row_bytes_each", " B", True),
    ("report for a month, kept (HTTP)", "report_ms", " ms", True),
    ("vehicle history (HTTP)", "vehicle_history_ms", " ms", True),
    ("a kiosk's rebase after one conflict (the store held)", "rebase_ms", " ms", True),
    ("longest gap between frames meanwhile (≤ 16.7 ms: none missed)", "frame_gap_during_rebase_ms", " ms", True),
    ("a working bay's newer snapshot: written beside its state", "resnapshot_staged_ms", " ms", True),
    ("the same: swapped in (the store held)", "resnapshot_held_ms", " ms", True),
    ("longest gap between frames meanwhile", "frame_gap_during_resnapshot_ms", " ms", True),
]
label = lambda s: f"{r[s]['events'] / 1000:.0f}k events" + (" (busy, 3 days)" if s == "young" else "")
print("| figure | " + " | ".join(label(s) for s in sizes) + " |")
print("| --- |" + " --- |" * len(sizes))
for name, key, unit, ratio in rows:
    fmt = "{:.1f}" if key in ("report_ms", "report_first_ms", "report_old_first_ms", "report_old_rows_ms", "months_first_median_ms",
                              "months_rows_median_ms", "months_rows_max_ms", "vehicle_history_ms", "verify_s", "rebase_ms",
                              "snapshot_mb", "frame_gap_during_rebase_ms", "resnapshot_held_ms",
                              "frame_gap_during_resnapshot_ms") else "{:.0f}"
    print(f"| {name} | " + " | ".join(cell(s, key, unit, ratio, fmt) for s in sizes) + " |")
for s in sizes:
    if r[s]["new_kiosk_pull_ms"] is None:
        print(f"\nAt {s}: the new kiosk had pulled {r[s]['new_kiosk_pulled']} of {r[s]['events']} events when the limit ran out.")
print("\nWhere the bytes go (MB):\n")
names = sorted({n for s in sizes for n in r[s]["tables"]}, key=lambda n: -r[sizes[-1]]["tables"].get(n, 0))
print("| table or index | " + " | ".join(f"{r[s]['events'] / 1000:.0f}k" for s in sizes) + " |")
print("| --- |" + " --- |" * len(sizes))
for n in names[:10]:
    print(f"| `{n}` | " + " | ".join(f"{r[s]['tables'].get(n, 0) / 1e6:.2f}" for s in sizes) + " |")
PY
