#!/usr/bin/env bash
# What a person sees: plaint's tables in a real terminal (tmux) at 60, 100 and 160 columns,
# and the HTML report in a real browser (headless Chromium), from the example desk.
#
#   scripts/look.sh [OUT]        # default OUT: target/look
#
# Writes OUT/<command>-<width>.txt (the terminal's screen, as tmux captured it) and, when a
# Chromium is installed, OUT/report.png. tests/terminal.rs runs it and checks the screens;
# a developer looks at them (and at the screenshot). $PLAINT names the binary (default
# target/debug/plaint).
set -euo pipefail
cd "$(dirname "$0")/.."
plaint=$(realpath "${PLAINT:-target/debug/plaint}")
out=${1:-target/look}
mkdir -p "$out"
out=$(realpath "$out")
desk=$(realpath examples/desk)
command -v tmux >/dev/null || { echo "look.sh: tmux is not installed" >&2; exit 1; }

declare -A shows=(
  [list]="list --as-of 2026-11-20"
  [report]="report --month 2026-11 --by project --as-of 2026-11-20"
  [penalties]="penalties --month 2026-11 --as-of 2026-11-20"
  [show]="show 202611-0003 --as-of 2026-11-20"
)
socket="plaint-look-$$"
trap 'tmux -L "$socket" kill-server 2>/dev/null || true' EXIT
# One session kept open for the whole run, so that the server does not exit (and race a
# new session starting) each time a screen's session is closed.
tmux -L "$socket" -f /dev/null new-session -d -s keep "sleep 600"
for width in 60 100 160; do
  for name in "${!shows[@]}"; do
    # A terminal of this width, tall enough to hold the whole output; COLUMNS is left
    # unset so that plaint asks the terminal.
    tmux -L "$socket" -f /dev/null new-session -d -s "$name$width" -x "$width" -y 400 \
      "env -u COLUMNS NO_COLOR=1 $plaint --desk $desk ${shows[$name]}; tmux -L $socket wait-for -S $name$width; sleep 30"
    tmux -L "$socket" wait-for "$name$width"
    tmux -L "$socket" capture-pane -p -t "$name$width" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' \
      > "$out/$name-$width.txt"
    tmux -L "$socket" kill-session -t "$name$width"
  done
done

browser=""
for b in chromium chromium-browser google-chrome google-chrome-stable; do
  command -v "$b" >/dev/null && { browser=$b; break; }
done
if [ -n "$browser" ]; then
  "$plaint" --desk "$desk" report --month 2026-11 --by project --format html \
    --as-of 2026-11-20 > "$out/report.html"
  "$browser" --headless --disable-gpu --no-sandbox --hide-scrollbars \
    --window-size=1000,1600 --screenshot="$out/report.png" "file://$out/report.html" 2>/dev/null
  echo "look.sh: $out/report.png"
else
  echo "look.sh: no Chromium here; the HTML report was not photographed" >&2
fi
echo "look.sh: terminal screens in $out"
