# Shared by the tests that drive the real bay-kiosk under Xvfb with xdotool.
# Source it after setting $work (a scratch folder), $hits (the kiosk's
# --hits-file), $db (its store) and $HUB (bk-hub); define fail() first.

# A query of the store. Its records are kept compressed (issue 16): bk-hub
# gives them as JSON in a TEMP table that stands for the stored one.
# A busy timeout: another reader (the kiosk, or a script that has just
# closed the file) may hold the lock for a moment.
sql() { { "$HUB" records --db "$db" --sql; echo "$1;"; } | sqlite3 -batch -cmd ".timeout 5000" "$db"; }
# Waits (up to 10 s, the machine may be busy) until a query gives the value.
expect_sql() {
  local got
  for _ in $(seq 100); do
    got=$(sql "$1" 2>/dev/null || true)
    [ "$got" = "$2" ] && return 0
    sleep 0.1
  done
  fail "$3 (got: $got)"
}

# Starts Xvfb on a free display it picks itself (-displayfd), and exports
# DISPLAY once it accepts clients. Sets $xpid.
start_xvfb() {
  exec 3>"$work/display"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 & xpid=$!
  exec 3>&-
  for _ in $(seq 300); do [ -s "$work/display" ] && break; sleep 0.1; done
  [ -s "$work/display" ] || { echo "FAIL: Xvfb did not start"; cat "$work/xvfb.log"; exit 1; }
  export DISPLAY=:$(tr -d '[:space:]' <"$work/display")
  # and a client is served (once, with two tests starting their servers at
  # the same moment, the kiosk found none: "cannot open a window")
  for _ in $(seq 100); do xdotool getdisplaygeometry >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "FAIL: Xvfb on $DISPLAY serves no client"; cat "$work/xvfb.log"; exit 1
}

# Waits (up to 20 s) until the kiosk drew an enabled widget; prints its centre "x y".
wait_for() {
  for _ in $(seq 200); do
    if [ -s "$hits" ]; then
      pos=$(python3 -c "import json,sys; h=[x for x in json.load(open('$hits')) if x['id']=='$1' and x['enabled']]; print(int(h[0]['x']), int(h[0]['y'])) if h else sys.exit(1)" 2>/dev/null) && { echo "$pos"; return 0; }
    fi
    sleep 0.1
  done
  return 1
}

# Taps a widget with real X input.
click() {
  local pos
  pos=$(wait_for "$1") || fail "widget $1 never appeared"
  # a pointer already there never "arrives" (--sync would wait ~15 s): nudge it first
  set -- $pos
  xdotool mousemove $(($1 + 1)) "$2"
  xdotool mousemove --sync "$1" "$2" click 1
  # issue 14: the kiosk ignores a tap on a control that appeared under the
  # finger less than 400 ms ago; a person's next deliberate tap comes later
  sleep 0.45
}

# True when the widget is drawn but not enabled (waits up to 5 s for a frame).
disabled() {
  for _ in $(seq 50); do
    if [ -s "$hits" ] && python3 -c "import json,sys; h=[x for x in json.load(open('$hits')) if x['id']=='$1']; sys.exit(0 if h and not h[0]['enabled'] else 1)" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  return 1
}

# True when the widget is drawn, enabled and wholly in view now.
in_view() {
  python3 -c "import json,sys; h=[x for x in json.load(open('$hits')) if x['id']=='$1' and x['enabled'] and not x.get('clipped')]; sys.exit(0 if h else 1)" 2>/dev/null
}

# Drags a list by a finger's stroke, up (to see what is below) or down (a
# drag never presses what it starts on).
# SCROLL_X: where the finger drags (the list's column), 640 unless set.
scroll_up() {
  local x=${SCROLL_X:-640}
  xdotool mousemove "$x" 620 mousedown 1
  for y in 580 540 500 460 420 380; do xdotool mousemove "$x" "$y"; sleep 0.05; done
  xdotool mouseup 1
  sleep 0.4
}
scroll_down() {
  local x=${SCROLL_X:-640}
  xdotool mousemove "$x" 380 mousedown 1
  for y in 420 460 500 540 580 620; do xdotool mousemove "$x" "$y"; sleep 0.05; done
  xdotool mouseup 1
  sleep 0.4
}

# Taps a widget of a scrolling list, dragging the list until it is in view:
# further down first, then back up.
reveal_click() {
  for way in up up up up up up down down down down down down down down; do
    sleep 0.2
    if in_view "$1"; then click "$1"; return 0; fi
    "scroll_$way"
  done
  fail "widget $1 never came into view"
}

# A finger stroke across a pad: pressed left of its centre, moved in a wave,
# released right of it (real X motion events).
stroke_on() {
  local pos
  pos=$(wait_for "$1") || fail "widget $1 never appeared"
  set -- $pos
  local x=$(($1 - 200)) y=$2
  xdotool mousemove "$x" "$y"
  sleep 0.1
  xdotool mousedown 1
  for i in $(seq 1 20); do
    xdotool mousemove $((x + i * 20)) $((y + (i % 4 - 2) * 15))
    sleep 0.03
  done
  xdotool mouseup 1
  sleep 0.3
}
