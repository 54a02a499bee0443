# Shared by the tests that drive the real bay-kiosk under Xvfb with xdotool.
# Source it after setting $work (a scratch folder) and $hits (the kiosk's
# --hits-file); define fail() first.

# Starts Xvfb on a free display it picks itself (-displayfd), and exports
# DISPLAY once it accepts clients. Sets $xpid.
start_xvfb() {
  exec 3>"$work/display"
  Xvfb -displayfd 3 -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 & xpid=$!
  exec 3>&-
  for _ in $(seq 300); do [ -s "$work/display" ] && break; sleep 0.1; done
  [ -s "$work/display" ] || { echo "FAIL: Xvfb did not start"; cat "$work/xvfb.log"; exit 1; }
  export DISPLAY=:$(tr -d '[:space:]' <"$work/display")
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
  sleep 0.3
}
