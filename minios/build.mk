# mini-OS: the small guest kernel (minios/README.md), in two builds of one source tree:
#   build/minios/pv/minios.elf                a paravirtual guest of xen-arm
#   build/minios/native/<board>/minios.elf    the same kernel on the bare board (baseline)
# Included by the top-level Makefile; `make minios` builds all of them.

MINIOS_DIR := minios
MINIOS_OUT := build/minios

MINIOS_CC := $(CROSS)gcc
MINIOS_OBJDUMP := $(CROSS)objdump

MINIOS_ARCH_FLAGS := -mcpu=arm926ej-s -marm
# -fno-tree-loop-distribute-patterns: memset/memcpy must not become calls to themselves.
MINIOS_CFLAGS := $(MINIOS_ARCH_FLAGS) -O2 -g -std=c11 -ffreestanding -nostdlib -fno-common \
	-fno-tree-loop-distribute-patterns \
	-Wall -Wextra -Werror
MINIOS_CPPFLAGS := -Ihypercalls $(GUESTLIB_INC) -I$(MINIOS_DIR)/include -MMD -MP
MINIOS_ASFLAGS := $(MINIOS_ARCH_FLAGS) -g -D__ASSEMBLER__
MINIOS_LDFLAGS := $(MINIOS_ARCH_FLAGS) -nostdlib -static -Wl,--build-id=none \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

# Common code (everything outside arch/), the apps both builds run, and the pv-only parts.
MINIOS_COMMON_SRCS := $(filter-out $(MINIOS_DIR)/gnttab.c,$(wildcard $(MINIOS_DIR)/*.c)) \
	$(MINIOS_DIR)/apps/bench.c $(MINIOS_DIR)/apps/heartbeat.c
MINIOS_SHARED_ASM := $(wildcard $(MINIOS_DIR)/arch/arm/*.S)
MINIOS_PV_SRCS := $(MINIOS_COMMON_SRCS) $(MINIOS_DIR)/gnttab.c \
	$(MINIOS_DIR)/apps/attack.c $(MINIOS_DIR)/apps/share.c $(MINIOS_DIR)/apps/domctl.c $(MINIOS_DIR)/apps/poll.c \
	$(MINIOS_DIR)/apps/guest.c $(MINIOS_DIR)/apps/rt.c $(MINIOS_DIR)/apps/spin.c $(MINIOS_DIR)/apps/hcfuzz.c $(MINIOS_DIR)/apps/canary.c $(wildcard $(MINIOS_DIR)/drivers/*.c) $(wildcard $(MINIOS_DIR)/dom0/*.c) \
	$(wildcard $(MINIOS_DIR)/arch/pv/*.c) $(wildcard $(MINIOS_DIR)/arch/pv/*.S) $(MINIOS_SHARED_ASM)
MINIOS_NATIVE_SRCS := $(MINIOS_COMMON_SRCS) $(MINIOS_DIR)/arch/native/setup.c \
	$(MINIOS_DIR)/arch/native/head.S $(MINIOS_SHARED_ASM)

minios_objs = $(patsubst $(MINIOS_DIR)/%,$(MINIOS_OUT)/$(1)/obj/%.o,$(basename $(2)))
MINIOS_PV_OBJS := $(call minios_objs,pv,$(MINIOS_PV_SRCS))
MINIOS_NATIVE_OBJS := $(call minios_objs,native,$(MINIOS_NATIVE_SRCS))

MINIOS_PV_ELF := $(MINIOS_OUT)/pv/minios.elf
MINIOS_NATIVE_ELFS := $(foreach b,$(PLATFORMS),$(MINIOS_OUT)/native/$(b)/minios.elf)

.PHONY: minios
minios: $(MINIOS_PV_ELF) $(MINIOS_NATIVE_ELFS)

# ---- pv ----
MINIOS_PV_CC = $$(MINIOS_CC) $$(MINIOS_CPPFLAGS) -I$(MINIOS_DIR)/arch/pv/include
$(eval $(call arm_compile_rule,$(MINIOS_OUT)/pv/obj/%.o,$(MINIOS_DIR)/%.c,CC,$(MINIOS_PV_CC) $$(MINIOS_CFLAGS)))
$(eval $(call arm_compile_rule,$(MINIOS_OUT)/pv/obj/%.o,$(MINIOS_DIR)/%.S,AS,$(MINIOS_PV_CC) $$(MINIOS_ASFLAGS)))

$(MINIOS_OUT)/pv/minios.ld: $(MINIOS_DIR)/minios.ld.S $(MINIOS_DIR)/build.mk Makefile
	@$(CROSS_CHECK)
	@mkdir -p $(dir $@)
	@$(MINIOS_CC) -E -P -x c -DLOAD_BASE=$(GUEST_KERNEL_BASE) $< -o $@

$(MINIOS_PV_ELF): $(MINIOS_PV_OBJS) $(GUESTLIB_PV_LIB) $(MINIOS_OUT)/pv/minios.ld
	@echo "  LD      $@"
	@$(MINIOS_CC) $(MINIOS_LDFLAGS) -T $(MINIOS_OUT)/pv/minios.ld -Wl,-Map,$(@:.elf=.map) \
		$(MINIOS_PV_OBJS) $(GUESTLIB_PV_LIB) -lgcc -o $@
	@$(MINIOS_OBJDUMP) -d $@ > $(@:.elf=.lst)

# ---- native: common objects once, a link per board (with its guestlib) ----
MINIOS_NATIVE_CC = $$(MINIOS_CC) $$(MINIOS_CPPFLAGS) -I$(MINIOS_DIR)/arch/native/include
$(eval $(call arm_compile_rule,$(MINIOS_OUT)/native/obj/%.o,$(MINIOS_DIR)/%.c,CC,$(MINIOS_NATIVE_CC) $$(MINIOS_CFLAGS)))
$(eval $(call arm_compile_rule,$(MINIOS_OUT)/native/obj/%.o,$(MINIOS_DIR)/%.S,AS,$(MINIOS_NATIVE_CC) $$(MINIOS_ASFLAGS)))

# Linked where the board's RAM is (the board table in the Makefile).
$(MINIOS_OUT)/native/%/minios.ld: $(MINIOS_DIR)/minios.ld.S $(MINIOS_DIR)/build.mk Makefile
	@$(CROSS_CHECK)
	@mkdir -p $(dir $@)
	@$(MINIOS_CC) -E -P -x c -DLOAD_BASE=$(call board_ram_base,$*) $< -o $@

$(MINIOS_OUT)/native/%/minios.elf: $(MINIOS_NATIVE_OBJS) $(GUESTLIB_OUT)/native/%/libguestlib.a \
		$(MINIOS_OUT)/native/%/minios.ld
	@echo "  LD      $@"
	@$(MINIOS_CC) $(MINIOS_LDFLAGS) -T $(MINIOS_OUT)/native/$*/minios.ld -Wl,-Map,$(@:.elf=.map) \
		$(MINIOS_NATIVE_OBJS) $(call guestlib_native_lib,$*) -lgcc -o $@
	@$(MINIOS_OBJDUMP) -d $@ > $(@:.elf=.lst)

.PRECIOUS: $(MINIOS_OUT)/native/%/minios.ld
.SECONDARY: $(MINIOS_NATIVE_OBJS) $(MINIOS_PV_OBJS)

-include $(MINIOS_PV_OBJS:.o=.d) $(MINIOS_NATIVE_OBJS:.o=.d)
