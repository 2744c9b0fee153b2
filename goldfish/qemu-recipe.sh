# How the project's qemu-system-arm is made from Debian's QEMU source tree. Sourced by
# build-qemu.sh. This file, the model sources in goldfish/qemu/ and the Debian source
# version make up the cache key: a change here is a new QEMU, while a change to
# build-qemu.sh's caching and locking is not.

# recipe_hook_models SRC MODELS: copy the machine models into SRC and wire them into
# QEMU's Kconfig and meson build.
recipe_hook_models() {
    src=$1
    models=$2
    mkdir -p "$src/hw/arm/xenarm"
    cp "$models"/*.c "$models"/*.h "$models/meson.build" "$models/Kconfig" "$src/hw/arm/xenarm/"
    cp "$models/xen-arm.mak" "$src/configs/devices/arm-softmmu/xen-arm.mak"
    printf '\nsource arm/xenarm/Kconfig\n' >> "$src/hw/Kconfig"
    sed -i "s|^hw_arch += {'arm': arm_ss}|subdir('xenarm')\n&|" "$src/hw/arm/meson.build"
    if ! grep -q "^subdir('xenarm')" "$src/hw/arm/meson.build"; then
        echo "build-qemu: hooking the models into hw/arm/meson.build failed" >&2
        return 1
    fi
    # The dfsg tarball has no firmware blobs; never try to unpack the EDK2 images.
    sed -i 's/unpack_edk2_blobs = bzip2.found()/unpack_edk2_blobs = false/' "$src/meson.build"
    # QEMU uses valgrind's header whenever it happens to be installed; the same binary on
    # every machine does without it.
    sed -i "s|cc.has_header('valgrind/valgrind.h')|false|" "$src/meson.build"
    if grep -q "has_header('valgrind/valgrind.h')" "$src/meson.build"; then
        echo "build-qemu: could not turn off QEMU's valgrind header check" >&2
        return 1
    fi
}

# recipe_configure SRC BUILD: just what the project uses: arm-softmmu, TCG with plugins,
# the device set of configs/devices/arm-softmmu/xen-arm.mak.
recipe_configure() {
    (cd "$2" && "$1/configure" \
        --target-list=arm-softmmu \
        --without-default-features --without-default-devices \
        --with-devices-arm=xen-arm \
        --enable-tcg --enable-plugins --enable-fdt=system \
        --disable-werror --disable-docs --disable-install-blobs)
}

# The one ninja target the project needs.
recipe_target=qemu-system-arm
