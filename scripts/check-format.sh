#!/usr/bin/env bash
# Fails when a tracked C++ source differs from what clang-format makes of it (.clang-format: Google style,
# 110 columns; comment lines laid out as tables are kept as they are, see CommentPragmas there).
# Fix with: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i
set -euo pipefail
cd "$(dirname "$0")/.."
files=$(git ls-files '*.cpp' '*.hpp')
if ! echo "$files" | xargs clang-format --dry-run --Werror 2> /tmp/needlework-format.$$; then
  grep -E '^[^ ].*(warning|error):' /tmp/needlework-format.$$ | head -20
  rm -f /tmp/needlework-format.$$
  echo "check-format: the files above are not clang-formatted (fix: git ls-files '*.cpp' '*.hpp' | xargs clang-format -i)"
  exit 1
fi
rm -f /tmp/needlework-format.$$
echo "check-format: $(echo "$files" | wc -l) files formatted"
