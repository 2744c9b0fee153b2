#!/bin/sh
# Builds qemu-system-arm from Debian 12's QEMU 7.2 source package with the project's
# machine models (goldfish, imx21ads) hooked in, and caches the result outside the clone.
#
#   goldfish/build-qemu.sh          build if not cached, then print the binary's path
#   goldfish/build-qemu.sh --path   print where the binary is (or will be), build nothing
#   goldfish/build-qemu.sh --dir    print the cache directory (source tree + build tree)
#
# The cache key is a hash of everything that shapes the binary: the recipe
# (goldfish/qemu-recipe.sh), the model sources in goldfish/qemu/ and the Debian source
# package version. Progress goes to stderr so the path on stdout stays machine-readable.
#
# Several callers at once (make run, make test, make bench in two terminals) are safe:
# - one build per cache key at a time: a lock file per key (flock); a second caller says
#   it is waiting, then uses the first one's result;
# - the build happens in qemu-<key>.partial and is renamed to qemu-<key> only when it is
#   complete, so the final name never holds half a build;
# - an interrupted build resumes: the unpacked and configured stages are kept, and ninja
#   continues where it stopped. Delete qemu-<key>.partial to start over.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${XEN_ARM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xen-arm}
models="$here/qemu"
recipe="$here/qemu-recipe.sh"
. "$recipe"

say() { printf 'build-qemu: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# The Debian version is part of the key: a security update of the package is a new QEMU.
src_version() {
    if [ -f "$cache_root/qemu-src/version" ]; then
        cat "$cache_root/qemu-src/version"
    else
        apt-cache showsrc qemu 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1
    fi
}

key() {
    {
        src_version
        cat "$recipe"
        find "$models" -type f | LC_ALL=C sort | while read -r f; do
            printf '%s\n' "${f#"$models"/}"
            cat "$f"
        done
    } | sha256sum | cut -c1-16
}

set_paths() {
    out="$cache_root/qemu-$(key)"
    bin="$out/build/$recipe_target"
    work="$out.partial"
}

built() { [ -x "$bin" ] && [ -f "$out/.complete" ]; }

# lock FD FILE WHAT: take the lock, saying so if somebody else holds it.
lock() {
    if ! flock -n "$1"; then
        say "waiting for the $3 in progress (lock: $2)"
        flock "$1"
    fi
}

set_paths
case "${1:-}" in
    --path) echo "$bin"; exit 0 ;;
    --dir) echo "$out"; exit 0 ;;
    "") ;;
    *) echo "usage: $0 [--path|--dir]" >&2; exit 2 ;;
esac

if built; then
    echo "$bin"
    exit 0
fi

mkdir -p "$cache_root"
command -v flock >/dev/null || die "flock (util-linux) is missing"

# 1. The source package, downloaded once per machine (one download at a time).
exec 8>"$cache_root/qemu-src.lock"
lock 8 "$cache_root/qemu-src.lock" "QEMU source download"
if [ ! -f "$cache_root/qemu-src/version" ]; then
    say "downloading Debian's qemu source package (apt-get source)"
    if [ -z "$(apt-cache showsrc qemu 2>/dev/null | head -n 1)" ]; then
        die "no deb-src entry for Debian; run tools/install-deps.sh qemu first"
    fi
    rm -rf "$cache_root/qemu-src.tmp"
    mkdir -p "$cache_root/qemu-src.tmp"
    (cd "$cache_root/qemu-src.tmp" && apt-get source --download-only qemu >&2)
    ver=$(sed -n 's/^Version: //p' "$cache_root"/qemu-src.tmp/qemu_*.dsc | head -n 1)
    echo "$ver" > "$cache_root/qemu-src.tmp/version"
    mv "$cache_root/qemu-src.tmp" "$cache_root/qemu-src"
fi
exec 8>&-
set_paths

# 2. One build per key: whoever waited here may find it done.
lockfile="$out.lock"
exec 9>"$lockfile"
lock 9 "$lockfile" "QEMU build"
if built; then
    say "using the QEMU build that just finished: $bin"
    echo "$bin"
    exit 0
fi

src="$work/src"
if [ -f "$work/.configured" ]; then
    say "resuming the interrupted build in $work"
else
    if [ ! -f "$work/.unpacked" ]; then
        # Unpacking is not resumable: a half-unpacked tree starts again.
        say "unpacking QEMU $(cat "$cache_root/qemu-src/version") into $work"
        rm -rf "$work"
        mkdir -p "$work"
        dsc=$(ls "$cache_root"/qemu-src/qemu_*.dsc | head -n 1)
        dpkg-source --no-check -x "$dsc" "$src" >/dev/null
        say "hooking the xen-arm machine models into hw/arm/xenarm"
        recipe_hook_models "$src" "$models"
        touch "$work/.unpacked"
    fi
    say "configuring (arm-softmmu, TCG plugins, devices: goldfish, imx21ads, versatilepb)"
    rm -rf "$work/build"
    mkdir -p "$work/build"
    if ! recipe_configure "$src" "$work/build" > "$work/configure.log" 2>&1; then
        tail -n 30 "$work/configure.log" >&2
        die "configure failed, see $work/configure.log"
    fi
    touch "$work/.configured"
fi

# 3. Compile (ninja picks up where an interrupted run stopped).
jobs=$(nproc 2>/dev/null || echo 2)
say "compiling $recipe_target with $jobs jobs (about 5 minutes on 2 cores; log: $work/build.log)"
start=$(date +%s)
if ! (cd "$work/build" && ninja -j"$jobs" "$recipe_target" >> "$work/build.log" 2>&1); then
    grep -E 'error|Error' "$work/build.log" | tail -n 20 >&2
    die "compile failed, see $work/build.log (the next run resumes; delete $work to start over)"
fi
end=$(date +%s)
echo "$((end - start))" > "$work/build-seconds"
touch "$work/.complete"

# 4. Publish under the final name in one rename (a leftover from an older script's
# in-place build is replaced).
rm -rf "$out"
mv "$work" "$out"
say "built in $((end - start)) s: $bin"
echo "$bin"
