#!/usr/bin/env bash
# A guided tour of the clinical engine on the shipped examples: each step says what it shows, prints the
# command, and runs it. Usage: scripts/demo.sh [path/to/needlework] (without one: builds build/release's).
set -uo pipefail
cd "$(dirname "$0")/.."
nw=${1:-build/release/apps/needlework/needlework}
if [ $# -eq 0 ] && [ ! -x "$nw" ]; then
  # Run on its own: build the binary first (preset `release`), as scripts/run.sh does.
  bash scripts/install-deps.sh || exit 1
  cmake --preset release >/dev/null || exit 1
  cmake --build --preset release -j "$(nproc)" --target needlework || exit 1
fi

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

# The clinic records: the same client through a session, on a throwaway database.
records=$(mktemp -d)
trap 'rm -rf "$records"' EXIT
db=(--db "$records/clinic.db" --actor ana)
echo "I consent to micro-needling of the face and have read the aftercare sheet." > "$records/consent.txt"
echo
echo "The clinic records, on a fresh database in $records (a SQLite file; PostgreSQL works the same way):"
show "Register the client" "${db[@]}" clients add C-0001 --name "Ana Example" --born 1988-03-14 \
  --now 2026-11-23T08:00:00Z
show "Record her intake: the screening is stored with the pack that made it" "${db[@]}" \
  intake examples/intake-cleared.json --now 2026-11-23T09:00:00Z
show "Her signed consent (the text's SHA-256 is kept)" "${db[@]}" consent sign C-0001 \
  --text-file "$records/consent.txt" --signer "Ana Example" --now 2026-11-23T09:05:00Z
show "A roller from a lot, then assigned to her alone (S9)" "${db[@]}" roller register --lot L-2026-11 \
  --serial 0001 --device dermaroller --needles 192 --needle-mm 1.0 --expiry 2028-01-31 --now 2026-11-23T09:10:00Z
"$nw" "${db[@]}" roller assign 1 C-0001 --now 2026-11-24T09:55:00Z > /dev/null
show "Start the session: every rule is checked first (screening, consent, roller, needle, interval); 1 mm on \
the face raises the thin-skin warning, which the practitioner acknowledges for this session" \
  "${db[@]}" session start C-0001 --area face --roller 1 --acknowledge DEPTH.thin_skin --now 2026-11-24T10:00:00Z
show "Chart 15 passes; the delivered dose comes from the physics engine" "${db[@]}" \
  session chart 1 --passes 15 --dose-from-physics --now 2026-11-24T10:40:00Z
# Each step of the session's protocol is ticked off as it is done; a session does not finish with one missing.
minute=0
for item in STEP.check_roller STEP.check_consultation STEP.cleanse STEP.anaesthetic STEP.anaesthetic_wait \
  STEP.disinfect STEP.roll STEP.mask STEP.sunscreen; do
  "$nw" "${db[@]}" session step 1 "$item" --now "2026-11-24T10:$(printf '%02d' $((minute += 5)))Z" > /dev/null
done
"$nw" "${db[@]}" session finish 1 --now 2026-11-24T11:00:00Z > /dev/null
show "The next morning: the 24-hour follow-up is due (S14)" "${db[@]}" due --now 2026-11-25T09:00:00Z
show "Every write is in the hash-chained audit log" "${db[@]}" audit verify
show "A consistent backup while the clinic keeps working" "${db[@]}" backup "$records/backup.db"
show "Everything as CSV for a spreadsheet, one file per table" "${db[@]}" \
  export --format csv --out "$records/export" --now 2026-11-25T09:05:00Z

echo
echo "Done. Try --json on any command, or --pack literature; 'needlework --help' lists everything."
