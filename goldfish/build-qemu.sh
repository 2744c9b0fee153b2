#!/bin/sh
# Builds qemu-system-arm from Debian 12's QEMU 7.2 source package with the project's
# machine models (goldfish, imx21ads) hooked in, and caches the result outside the clone.
#
#   goldfish/build-qemu.sh          build if not cached, then print the binary's path
#   goldfish/build-qemu.sh --path   print where the binary is (or will be), build nothing
#   goldfish/build-qemu.sh --dir    print the cache directory (source tree + build tree)
#
# The cache key is a hash of everything that shapes the binary: this script, the model
# sources in goldfish/qemu/ and the Debian source package version. A machine builds each
# key once; progress goes to stderr so the path on stdout stays machine-readable.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache_root=${XEN_ARM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xen-arm}
models="$here/qemu"

say() { printf 'build-qemu: %s\n' "$*" >&2; }

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
        cat "$0"
        find "$models" -type f | LC_ALL=C sort | while read -r f; do
            printf '%s\n' "${f#"$models"/}"
            cat "$f"
        done
    } | sha256sum | cut -c1-16
}

out="$cache_root/qemu-$(key)"
bin="$out/build/qemu-system-arm"

case "${1:-}" in
    --path) echo "$bin"; exit 0 ;;
    --dir) echo "$out"; exit 0 ;;
    "") ;;
    *) echo "usage: $0 [--path|--dir]" >&2; exit 2 ;;
esac

if [ -x "$bin" ] && [ -f "$out/.complete" ]; then
    echo "$bin"
    exit 0
fi

mkdir -p "$cache_root"

# 1. The source package, downloaded once per machine.
if [ ! -f "$cache_root/qemu-src/version" ]; then
    say "downloading Debian's qemu source package (apt-get source)"
    if ! apt-cache showsrc qemu >/dev/null 2>&1 || [ -z "$(apt-cache showsrc qemu 2>/dev/null)" ]; then
        echo "build-qemu: no deb-src entry for Debian; run tools/install-deps.sh first" >&2
        exit 1
    fi
    rm -rf "$cache_root/qemu-src.tmp"
    mkdir -p "$cache_root/qemu-src.tmp"
    (cd "$cache_root/qemu-src.tmp" && apt-get source --download-only qemu >&2)
    ver=$(sed -n 's/^Version: //p' "$cache_root"/qemu-src.tmp/qemu_*.dsc | head -n 1)
    echo "$ver" > "$cache_root/qemu-src.tmp/version"
    rm -rf "$cache_root/qemu-src"
    mv "$cache_root/qemu-src.tmp" "$cache_root/qemu-src"
    out="$cache_root/qemu-$(key)"
    bin="$out/build/qemu-system-arm"
fi

# 2. A fresh source tree with Debian's patches applied, then our models hooked in.
say "unpacking QEMU $(cat "$cache_root/qemu-src/version") into $out"
rm -rf "$out"
mkdir -p "$out"
dsc=$(ls "$cache_root"/qemu-src/qemu_*.dsc | head -n 1)
dpkg-source --no-check -x "$dsc" "$out/src" >/dev/null
src="$out/src"

say "hooking the xen-arm machine models into hw/arm/xenarm"
mkdir -p "$src/hw/arm/xenarm"
cp "$models"/*.c "$models"/*.h "$models/meson.build" "$models/Kconfig" "$src/hw/arm/xenarm/" 2>/dev/null || true
cp "$models/xen-arm.mak" "$src/configs/devices/arm-softmmu/xen-arm.mak"
printf '\nsource arm/xenarm/Kconfig\n' >> "$src/hw/Kconfig"
sed -i "s|^hw_arch += {'arm': arm_ss}|subdir('xenarm')\n&|" "$src/hw/arm/meson.build"
grep -q "^subdir('xenarm')" "$src/hw/arm/meson.build" || { echo "build-qemu: hw/arm/meson.build hook failed" >&2; exit 1; }
# The dfsg tarball has no firmware blobs; never try to unpack the EDK2 images.
sed -i 's/unpack_edk2_blobs = bzip2.found()/unpack_edk2_blobs = false/' "$src/meson.build"

# 3. Configure just what we use: arm-softmmu, TCG with plugins, our device set.
say "configuring (arm-softmmu, TCG plugins, devices: goldfish, imx21ads, versatilepb)"
mkdir -p "$out/build"
(cd "$out/build" && "$src/configure" \
    --target-list=arm-softmmu \
    --without-default-features --without-default-devices \
    --with-devices-arm=xen-arm \
    --enable-tcg --enable-plugins --enable-fdt=system \
    --disable-werror --disable-docs --disable-install-blobs \
    > "$out/configure.log" 2>&1) || { tail -n 30 "$out/configure.log" >&2; echo "build-qemu: configure failed, see $out/configure.log" >&2; exit 1; }

jobs=$(nproc 2>/dev/null || echo 2)
say "compiling qemu-system-arm with $jobs jobs (about 5 minutes on 2 cores; log: $out/build.log)"
start=$(date +%s)
if ! (cd "$out/build" && ninja -j"$jobs" qemu-system-arm > "$out/build.log" 2>&1); then
    grep -E 'error|Error' "$out/build.log" | head -n 20 >&2
    echo "build-qemu: compile failed, see $out/build.log" >&2
    exit 1
fi
end=$(date +%s)
echo "$((end - start))" > "$out/build-seconds"
touch "$out/.complete"
say "built in $((end - start)) s: $bin"
echo "$bin"
