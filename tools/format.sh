#!/bin/sh
# Formats (or, with --check, checks) every tracked C and C++ file with clang-format-14 and
# the .clang-format files of the tree (the nearest one above each file applies).
#
#   tools/format.sh            rewrite files in place
#   tools/format.sh --check    list files that differ, exit 1 if any; change nothing
set -eu
cd "$(dirname "$0")/.."
CLANG_FORMAT=${CLANG_FORMAT:-clang-format-14}
if ! command -v "$CLANG_FORMAT" >/dev/null 2>&1; then
    echo "format: $CLANG_FORMAT not found (tools/install-deps.sh test installs it)" >&2
    exit 2
fi
mode=fix
[ "${1:-}" = --check ] && mode=check

files=$(git ls-files '*.c' '*.h' '*.cc' '*.hh' | grep -v '^tests/fuzz/corpus/')
bad=0
for f in $files; do
    if [ "$mode" = fix ]; then
        "$CLANG_FORMAT" -i --style=file "$f"
    elif ! "$CLANG_FORMAT" --style=file --dry-run --Werror "$f" >/dev/null 2>&1; then
        echo "format: $f differs from its .clang-format (make format fixes it)"
        bad=1
    fi
done
exit $bad
