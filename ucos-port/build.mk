# µC/OS-II guests (ucos-port/README.md). Included by the top-level Makefile after
# domains/build.mk. `make ucos` builds:
#
#   build/ucos/pv/ucos.elf                  the paravirtual guest of xen-arm (domains/ucos.cfg)
#   build/ucos/native/<board>/ucos.elf      the same port and applications on the bare board
#
# against the µC/OS-II-compatible kernel in ucos-port/kernel (default), or against the real
# µC/OS-II v2.9x sources with
#
#   make ucos UCOS_SRC=/path/to/uC-OS2      (a checkout of github.com/weston-embedded/uC-OS2)
#
# which compiles $(UCOS_SRC)/Source/ucos_ii.c (the single-file build that includes the
# kernel's os_*.c) with -I$(UCOS_SRC)/Source, ucos-port/cfg (os_cfg.h, app_cfg.h) and
# ucos-port/port (os_cpu.h) instead of ucos-port/kernel/*.c. Objects are kept per kernel;
# the outputs are relinked whenever the choice changes (the stamp build/ucos/kernel-choice).
#
#   make run SYSTEM=ucos (or CONFIG=ucos)   three µC/OS-II domains, dom0 and a mini-OS domain
#   make run SYSTEM=ft                       the same with a task and a domain rolled back
#   make ucos-bench                          task-switch cost, native vs pv, on every board
#                                            (also run by `make bench`)
#   make ucos-test [UCOS_SRC=...]            every µC/OS-II system test, against the compatible
#                                            kernel or the sources at UCOS_SRC (the tests build
#                                            those into build/ucos-src-<hash>, not build/ucos)

UCOS_DIR := ucos-port
UCOS_OUT := build/ucos
UCOS_CC := $(CROSS)gcc
UCOS_OBJDUMP := $(CROSS)objdump
UCOS_SRC ?=

ifeq ($(strip $(UCOS_SRC)),)
UCOS_KERNEL := compat
UCOS_KERNEL_INC := $(UCOS_DIR)/kernel
UCOS_KERNEL_SRCS := $(wildcard $(UCOS_DIR)/kernel/*.c)
UCOS_KERNEL_LABEL := uC/OS-II-compatible kernel (independent)
UCOS_KERNEL_WARN := -Werror
else
UCOS_KERNEL := real
UCOS_KERNEL_INC := $(abspath $(UCOS_SRC))/Source
UCOS_KERNEL_SRCS := $(UCOS_KERNEL_INC)/ucos_ii.c
UCOS_KERNEL_LABEL := uC/OS-II
UCOS_KERNEL_WARN :=
ifeq ($(wildcard $(UCOS_KERNEL_INC)/ucos_ii.h),)
$(error UCOS_SRC=$(UCOS_SRC): no Source/ucos_ii.h there (want a uC-OS2 v2.9x checkout))
endif
endif

# `make run CONFIG=ucos` is `make run SYSTEM=ucos`.
ifneq ($(strip $(CONFIG)),)
override SYSTEM := $(CONFIG)
endif

# Relink when the kernel choice changes: the stamp is rewritten (by its rule, so make -n
# writes nothing) only when it does not say the current choice, and only then is it newer
# than what was built from it.
UCOS_CHOICE := $(UCOS_KERNEL) $(UCOS_KERNEL_INC)
UCOS_CHOICE_FILE := $(UCOS_OUT)/kernel-choice
ifneq ($(file <$(UCOS_CHOICE_FILE)),$(UCOS_CHOICE))
$(UCOS_CHOICE_FILE): FORCE
endif
$(UCOS_CHOICE_FILE):
	@mkdir -p $(dir $@)
	@echo '$(UCOS_CHOICE)' > $@

UCOS_ARCH_FLAGS := -mcpu=arm926ej-s -marm
UCOS_CFLAGS := $(UCOS_ARCH_FLAGS) -O2 -g -std=c11 -ffreestanding -nostdlib -fno-common \
	-fno-tree-loop-distribute-patterns -Wall -Wextra
UCOS_CPPFLAGS = -I$(UCOS_DIR)/cfg -I$(UCOS_DIR)/port -I$(UCOS_KERNEL_INC) -I$(UCOS_DIR)/bsp \
	$(GUESTLIB_INC) -Ihypercalls -MMD -MP '-DUCOS_KERNEL_NAME="$(UCOS_KERNEL_LABEL)"'
# -q: the relocations stay in the image, for the image builder (domains/bootimage/relocate.py).
UCOS_LDFLAGS := $(UCOS_ARCH_FLAGS) -nostdlib -static -Wl,--build-id=none -Wl,-z,max-page-size=4096 \
	-Wl,-z,noexecstack -Wl,--no-warn-rwx-segments -Wl,-q

# Per flavour: the port's define. Both link guestlib (guestlib/build.mk): hypercall wrappers
# (pv), board drivers, boot map and semihosting (native), printf, strings, command line.
UCOS_FLAVOUR_pv := -DUCOS_PORT_XEN_ARM
UCOS_FLAVOUR_native := -DUCOS_PORT_NATIVE

UCOS_COMMON_SRCS := $(wildcard $(UCOS_DIR)/apps/*.c) $(UCOS_DIR)/bsp/lib.c $(UCOS_DIR)/bsp/timebase.c \
	$(UCOS_DIR)/port/os_cpu_c.c $(UCOS_DIR)/port/os_cpu_a.S
ucos_flavour_srcs = $(UCOS_COMMON_SRCS) $(wildcard $(UCOS_DIR)/bsp/$(1)/*.c $(UCOS_DIR)/bsp/$(1)/*.S)
ucos_objs = $(patsubst $(UCOS_DIR)/%,$(UCOS_OUT)/obj/$(UCOS_KERNEL)/$(1)/%.o,\
	$(basename $(call ucos_flavour_srcs,$(2)))) \
	$(patsubst %.c,$(UCOS_OUT)/obj/$(UCOS_KERNEL)/$(1)/kernel/%.o,$(notdir $(UCOS_KERNEL_SRCS)))

UCOS_PV_OBJS := $(call ucos_objs,pv,xen-arm)
UCOS_NATIVE_OBJS := $(call ucos_objs,native,native)
UCOS_PV_ELF := $(UCOS_OUT)/pv/ucos.elf
UCOS_NATIVE_ELFS := $(foreach b,$(PLATFORMS),$(UCOS_OUT)/native/$(b)/ucos.elf)

# pv: the guest kernel base; native: where the board's RAM is (the Makefile's board table).
ucos_link_base = $(if $(filter pv,$(1)),$(GUEST_KERNEL_BASE),$(call board_ram_base,$(1)))

.PHONY: ucos ucos-pv ucos-native ucos-bench ucos-test
ucos: $(UCOS_PV_ELF) $(UCOS_NATIVE_ELFS)
ucos-pv: $(UCOS_PV_ELF)
ucos-native: $(UCOS_NATIVE_ELFS)

ucos-bench: deps qemu ucos
	/usr/bin/python3 -m pytest -q -s tests/system/test_ucos_bench.py

# UCOS_SRC reaches pytest through the environment (tests/conftest.py: --ucos-src), which
# builds the guests itself, so build/ucos keeps the compatible kernel.
ucos-test: deps qemu
	/usr/bin/python3 -m pytest -q tests/system/test_ucos_*.py tests/system/test_ft_demo.py

# `make bench` (traces/build.mk) measures the task switch too, on its one board, with the
# xatrace plugin (traces/bench.py); ucos-bench is the pytest check on every board.

# ---- objects: one set per kernel and flavour ----
UCOS_FLAVOUR_CC = $$(UCOS_CC) $$(UCOS_CPPFLAGS) $$(UCOS_FLAVOUR_$(1))
define ucos_flavour_rules
$(call arm_compile_rule,$(UCOS_OUT)/obj/$(UCOS_KERNEL)/$(1)/%.o,$(UCOS_DIR)/%.c,CC,$(UCOS_FLAVOUR_CC) $$(UCOS_CFLAGS) -Werror,$(UCOS_CHOICE_FILE))
$(call arm_compile_rule,$(UCOS_OUT)/obj/$(UCOS_KERNEL)/$(1)/%.o,$(UCOS_DIR)/%.S,AS,$(UCOS_FLAVOUR_CC) $$(UCOS_ARCH_FLAGS) -g -D__ASSEMBLER__,$(UCOS_CHOICE_FILE))
$(call arm_compile_rule,$(UCOS_OUT)/obj/$(UCOS_KERNEL)/$(1)/kernel/%.o,$(UCOS_KERNEL_INC)/%.c,CC,$(UCOS_FLAVOUR_CC) $$(UCOS_CFLAGS) $$(UCOS_KERNEL_WARN),$(UCOS_CHOICE_FILE))
endef
$(eval $(call ucos_flavour_rules,pv))
$(eval $(call ucos_flavour_rules,native))

# ---- links ----
$(UCOS_OUT)/%/ucos.ld: $(UCOS_DIR)/ucos.ld.S $(UCOS_DIR)/build.mk Makefile
	@$(CROSS_CHECK)
	@mkdir -p $(dir $@)
	@$(UCOS_CC) -E -P -x c -DBASE=$(call ucos_link_base,$(notdir $*)) $< -o $@

$(UCOS_PV_ELF): $(UCOS_PV_OBJS) $(GUESTLIB_PV_LIB) $(UCOS_OUT)/pv/ucos.ld $(UCOS_CHOICE_FILE)
	@echo "  LD      $@ ($(UCOS_KERNEL_LABEL))"
	@$(UCOS_CC) $(UCOS_LDFLAGS) -T $(UCOS_OUT)/pv/ucos.ld -Wl,-Map,$(@:.elf=.map) \
		$(UCOS_PV_OBJS) $(GUESTLIB_PV_LIB) -lgcc -o $@
	@$(UCOS_OBJDUMP) -d $@ > $(@:.elf=.lst)

$(UCOS_OUT)/native/%/ucos.elf: $(UCOS_NATIVE_OBJS) $(GUESTLIB_OUT)/native/%/libguestlib.a \
		$(UCOS_OUT)/native/%/ucos.ld $(UCOS_CHOICE_FILE)
	@echo "  LD      $@ ($(UCOS_KERNEL_LABEL))"
	@$(UCOS_CC) $(UCOS_LDFLAGS) -T $(UCOS_OUT)/native/$*/ucos.ld -Wl,-Map,$(@:.elf=.map) \
		$(UCOS_NATIVE_OBJS) $(call guestlib_native_lib,$*) -lgcc -o $@
	@$(UCOS_OBJDUMP) -d $@ > $(@:.elf=.lst)

.PRECIOUS: $(UCOS_OUT)/%/ucos.ld
.SECONDARY: $(UCOS_PV_OBJS) $(UCOS_NATIVE_OBJS)

-include $(UCOS_PV_OBJS:.o=.d) $(UCOS_NATIVE_OBJS:.o=.d)
