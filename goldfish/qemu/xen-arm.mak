# Device set for xen-arm's qemu-system-arm: only the boards the project runs on.
CONFIG_VERSATILE=y
CONFIG_XENARM_GOLDFISH=y
CONFIG_XENARM_IMX21ADS=y
CONFIG_SEMIHOSTING=y
CONFIG_ARM_COMPATIBLE_SEMIHOSTING=y
# QEMU 7.2 always links target/arm/m_helper.c, which calls into the v7-M NVIC; without
# it the link fails, so the (unused) M-profile support has to come along.
CONFIG_ARM_V7M=y
