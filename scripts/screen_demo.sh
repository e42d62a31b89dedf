#!/usr/bin/env bash
# Record a screening session in tmux (80x24): import a real export, screen five
# records with the keyboard, print what was on screen after each key.
# Usage: scripts/screen_demo.sh [EXPORT_FILE] [OUT_DIR]   (reviewkit on PATH)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export_file="${1:-$here/../shared/data/exports/ris/ebsco-psycinfo_citesource.ris}"
out="${2:-$(mktemp -d)}"
work="$(mktemp -d)"
session="rk-screen-$$"
mkdir -p "$out"

cd "$work"
reviewkit init review --title "Gambling, loneliness and exclusion" >/dev/null
cd review
reviewkit search add --id psycinfo --database "APA PsycInfo" --platform EBSCOhost \
  --date-run 2023-01-10 --hits 64 \
  --search-string $'1. (gambl* or addict* or "substance use*")\n2. (loneliness or "social exclusion" or self-exclusion or lonel*)\n3. 1 and 2' \
  --file "$export_file" >/dev/null
cat >> reviewkit.toml <<'TOML'

[screening]
criteria = "Include: empirical studies of gambling or addiction and loneliness/social exclusion in adults. Exclude: animal studies, commentaries."
highlight = { exclude = ["rat*", "mice", "animal*", "commentary"] }
TOML
reviewkit reviewer add ana >/dev/null

capture() {  # $1: step name
  tmux capture-pane -p -t "$session" > "$out/$1.txt"
  printf '\n===== %s =====\n' "$1"
  cat "$out/$1.txt"
}
wait_for() {  # $1: text expected on screen
  for _ in $(seq 100); do
    tmux capture-pane -p -t "$session" | grep -qF "$1" && return 0
    sleep 0.1
  done
  echo "timed out waiting for: $1" >&2; return 1
}

tmux new-session -d -s "$session" -x 80 -y 24 "REVIEWKIT_REVIEWER=ana reviewkit screen"
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT
wait_for "0/64 screened"
capture 0-start
step=1
for key in i x m X i; do
  tmux send-keys -t "$session" "$key"
  if [ "$key" = X ]; then
    wait_for "why?"; capture "$step-reason-picker"
    tmux send-keys -t "$session" 4         # wrong study design
  fi
  wait_for "$step/64 screened"
  capture "$step-after-$key"
  step=$((step + 1))
done
tmux send-keys -t "$session" u; wait_for "4/64 screened"; capture "6-after-undo"
tmux send-keys -t "$session" i; wait_for "5/64 screened"
tmux send-keys -t "$session" q; sleep 1
printf '\n===== screening/title-abstract/ana.jsonl =====\n'
cat screening/title-abstract/ana.jsonl
printf '\n===== reviewkit status of the screening =====\n'
python -c "from reviewkit.project.session import session
from reviewkit.screening import screening_status
with session() as (p, s): print(screening_status(p, s))"
echo "captures in $out; project in $work/review"
