#!/usr/bin/env bash
# Seeds the fuzz corpora from the repository's own files: fuzz/make-corpus.sh CORPUS_DIR writes
# CORPUS_DIR/<target>/ for every target (generated, never committed; scripts/fuzz.sh calls it). Each seed is a
# file as the target reads it: examples and test inputs as they are, a pack file behind the byte that chooses
# it (fuzz_pack_toml.cpp), the hand-made seeds of fuzz/seeds/<target>/. Files already there (what earlier runs
# found) are kept.
set -euo pipefail
export LC_ALL=C
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:?usage: fuzz/make-corpus.sh CORPUS_DIR}"

seed() {  # seed TARGET FILE...: copies the files into the target's corpus under their own names
  local target="$1"
  shift
  mkdir -p "$out/$target"
  local f
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$out/$target/$(basename "$(dirname "$f")")-$(basename "$f")"
  done
  return 0
}

# Knowledge packs: the byte before a file's text is its index among the two packs' files, in the order
# fuzz_pack_toml.cpp lists them (literature, then seed; file names sorted).
mkdir -p "$out/fuzz_pack_toml"
declare -A seed_index
index=0
for pack in literature seed; do
  for path in "$root/data/packs/$pack"/*; do
    f="$(basename "$path")"
    { printf "\\x$(printf '%02x' "$index")"; cat "$path"; } > "$out/fuzz_pack_toml/$pack-$f"
    [ "$pack" = seed ] && seed_index[$f]=$index
    index=$((index + 1))
  done
done
# Broken test packs, each file as if it were the seed pack's file of the same name (else its pack.toml).
for path in "$root"/tests/cli/packs/*/*.toml; do
  f="$(basename "$path")"
  i="${seed_index[$f]:-${seed_index[pack.toml]}}"
  { printf "\\x$(printf '%02x' "$i")"; cat "$path"; } > "$out/fuzz_pack_toml/broken-$(basename "$(dirname "$path")")-$f"
done

seed fuzz_device_toml "$root"/data/devices/*.toml "$root"/tests/cli/data-broken-devices/devices/*.toml
seed fuzz_regions_toml "$root/data/skin/regions.toml" "$root"/tests/cli/data-broken-devices/skin/*.toml
seed fuzz_resealing_toml "$root/data/physics/resealing.toml"
seed fuzz_intake_json "$root"/examples/intake-*.json "$root"/tests/cli/inputs/intake-*.json
seed fuzz_session_json "$root"/examples/session*.json "$root"/tests/cli/inputs/session-*.json
seed fuzz_followup_json "$root"/examples/followup-*.json "$root"/tests/cli/inputs/followup-*.json
# simulate reads a simulate document, a clinic session or a clinic plan.
seed fuzz_simulate_json "$root"/examples/session*.json
seed fuzz_config_toml
seed fuzz_request_text
seed fuzz_photo_bytes
seed fuzz_field_text

for dir in "$root"/fuzz/seeds/*/; do
  seed "$(basename "$dir")" "$dir"*
done
# The restored backup (fuzz_restore_sqlite.cpp): an odd first byte, then patches over the seed backup's bytes,
# each a little-endian 32-bit offset, a length byte and that many bytes — none (the backup as made), the
# header's magic, its page size, its page count, a b-tree page's header, a cell in the middle; and the even
# byte with no SQL (the backup as made, through the SQL path).
mkdir -p "$out/fuzz_restore_sqlite"
printf '\x01' > "$out/fuzz_restore_sqlite/patch-none"
printf ' ' > "$out/fuzz_restore_sqlite/sql-none"
printf '\x01\x00\x00\x00\x00\x10SQLite format 2\x00' > "$out/fuzz_restore_sqlite/patch-magic"
printf '\x01\x10\x00\x00\x00\x02\x00\x03' > "$out/fuzz_restore_sqlite/patch-page-size"
printf '\x01\x1c\x00\x00\x00\x04\x00\x00\x00\x02' > "$out/fuzz_restore_sqlite/patch-page-count"
printf '\x01\x00\x10\x00\x00\x08\x0d\xff\xff\x00\x00\x00\x00\x00' > "$out/fuzz_restore_sqlite/patch-btree-header"
printf '\x01\x00\x80\x00\x00\x10\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff' \
  > "$out/fuzz_restore_sqlite/patch-cells"
