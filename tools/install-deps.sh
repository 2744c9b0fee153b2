#!/bin/sh
# Installs the Debian 12 packages xen-arm needs, if they are missing. Safe to run often:
# when everything is there it only checks (dpkg-query) and says so.
#
#   tools/install-deps.sh [build|test|debug|qemu]...   (default: everything but debug)
#   tools/install-deps.sh --list GROUP...             print the groups' packages, install nothing
#
# tools/check-deps.py (run by make test) checks that these lists name every package a
# build and the tests really use.
set -eu

say() { printf 'install-deps: %s\n' "$*" >&2; }

pkgs_build="make gcc-arm-none-eabi binutils-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-dev python3"
pkgs_qemu="dpkg-dev xz-utils gcc g++ pkg-config ninja-build meson python3 libglib2.0-dev libpixman-1-dev libfdt-dev zlib1g-dev flex bison"
pkgs_test="g++ cmake libgtest-dev libgmock-dev python3-pytest python3-matplotlib strace clang-14 libclang-rt-14-dev clang-format-14"
pkgs_debug="gdb-multiarch"

list_only=no
if [ "${1:-}" = --list ]; then
    list_only=yes
    shift
fi

want=""
[ $# -eq 0 ] && set -- build qemu test
for group in "$@"; do
    case "$group" in
        build) want="$want $pkgs_build" ;;
        qemu) want="$want $pkgs_qemu" ;;
        test) want="$want $pkgs_test" ;;
        debug) want="$want $pkgs_debug" ;;
        *) echo "install-deps: unknown group '$group' (build, qemu, test, debug)" >&2; exit 2 ;;
    esac
done

if [ "$list_only" = yes ]; then
    printf '%s\n' $want | awk '!seen[$0]++'
    exit 0
fi

missing=""
for p in $want; do
    case " $missing " in *" $p "*) continue ;; esac
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# QEMU is built from Debian's source package, which needs a deb-src entry.
need_src=no
case " $* " in *" qemu "*) need_src=yes ;; esac
if [ "$need_src" = yes ] && [ -z "$(apt-cache showsrc qemu 2>/dev/null | head -n 1)" ]; then
    say "adding a deb-src entry for Debian bookworm (for QEMU's source package)"
    as_root sh -c 'cat > /etc/apt/sources.list.d/xen-arm-deb-src.sources' <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    updated=no
else
    updated=skip
fi

if [ -n "$missing" ] || [ "$updated" = no ]; then
    say "apt-get update"
    as_root apt-get update -q >&2
fi
if [ -n "$missing" ]; then
    say "installing:$missing"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2
else
    say "all packages present ($*)"
fi
