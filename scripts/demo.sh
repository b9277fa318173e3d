#!/usr/bin/env bash
# A guided tour of the clinical engine on the shipped examples: each step says what it shows, prints the
# command, and runs it. Usage: scripts/demo.sh [path/to/needlework]
set -uo pipefail
cd "$(dirname "$0")/.."
nw=${1:-build/release/apps/needlework/needlework}

step=0
show() {
  local what=$1; shift
  step=$((step + 1))
  printf '\n\033[1m── %d. %s\033[0m\n$ needlework %s\n\n' "$step" "$what" "$*"
  "$nw" "$@"
  local rc=$?
  printf '\n(exit code %d)\n' "$rc"
}

echo "Needlework — micro-needling screening, planning, procedure, aftercare and follow-up."
echo "Every rule below comes from a knowledge pack in data/packs/, and every reason names its rule and source."

show "The knowledge packs: the seed article (default) and the literature layered on top" pack list
show "What an intake may say: areas, conditions, concerns, observations, devices" pack vocabulary areas
show "A client with a dermatologist's clearance and no contraindication is cleared" \
  screen examples/intake-cleared.json
show "Her course: needle band and device per area, dated visits, home maintenance, a calendar" \
  plan examples/intake-cleared.json --start 2026-11-30 --session-price 120
show "Diabetes and pregnancy: the article turns this client away (exit 5)" \
  screen examples/intake-contraindicated.json
show "Moles on the body and active acne on the face: treat only what is safe" \
  screen examples/intake-local.json
show "No dermatologist consultation yet: refer first (S10)" screen examples/intake-missing-clearance.json
show "The literature pack: isotretinoin in the last 12 months defers, with the date to screen again" \
  --pack literature screen examples/intake-literature.json
show "The same cleared client under the literature pack: its overrides show in the rules cited" \
  --pack literature plan examples/intake-cleared.json --start 2026-11-30
show "The procedure as a timed checklist (S7), with hygiene checks (S9)" protocol examples/session.json
show "The aftercare sheet for the client, as Markdown (S12, S13)" aftercare examples/session.json --markdown
show "Follow-up at 25 h: redness has not gone, so see a doctor (S14, exit 5)" \
  followup examples/followup-see-doctor.json
show "Follow-up with only dryness: normal" followup examples/followup-normal.json

echo
echo "Done. Try --json on any command, or --pack literature; 'needlework --help' lists everything."
