# mini-OS: the small guest kernel (minios/README.md). The kernel and its frontends are a
# static library per flavour; each image links its apps (MINIOS_APP, include/minios/app.h)
# against one:
#   build/minios/pv/libminios.a               kernel, grant tables, frontends, pv arch layer
#   build/minios/native/libminios.a           kernel and native arch layer (no board file)
#   build/minios/pv/minios.elf                the guest: the product apps
#   build/minios/pv/dom0.elf                  the driver domain: dom0/ (app=dom0)
#   build/minios/native/<board>/minios.elf    the same kernel on the bare board (baseline)
# The test image (tests/guests/build.mk) and the traced kernels (traces/build.mk) link
# against the pv library too. Included by the top-level Makefile; `make minios` builds
# the libraries and these images.

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
# -q keeps the relocations in the image: the image builder moves each domain's copy into
# its own kernel window with them (domains/bootimage/relocate.py).
MINIOS_LDFLAGS := $(MINIOS_ARCH_FLAGS) -nostdlib -static -Wl,--build-id=none -Wl,-q \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments

# The library: common code (everything outside arch/, apps/ and dom0/), the pv-only parts.
MINIOS_COMMON_SRCS := $(filter-out $(MINIOS_DIR)/gnttab.c,$(wildcard $(MINIOS_DIR)/*.c))
MINIOS_SHARED_ASM := $(wildcard $(MINIOS_DIR)/arch/arm/*.S)
MINIOS_PV_LIB_SRCS := $(MINIOS_COMMON_SRCS) $(MINIOS_DIR)/gnttab.c $(wildcard $(MINIOS_DIR)/drivers/*.c) \
	$(wildcard $(MINIOS_DIR)/arch/pv/*.c) $(wildcard $(MINIOS_DIR)/arch/pv/*.S) $(MINIOS_SHARED_ASM)
MINIOS_NATIVE_LIB_SRCS := $(MINIOS_COMMON_SRCS) $(MINIOS_DIR)/arch/native/setup.c \
	$(MINIOS_DIR)/arch/native/head.S $(MINIOS_SHARED_ASM)

# The images' own sources. The product apps: bench and heartbeat in both builds; spin and
# rt are the workloads of the pv experiments (scheduling, pass-through). The test apps are
# in tests/guests/minios/.
MINIOS_APPS_BOTH := $(MINIOS_DIR)/apps/bench.c $(MINIOS_DIR)/apps/heartbeat.c
MINIOS_PV_APP_SRCS := $(MINIOS_APPS_BOTH) $(MINIOS_DIR)/apps/spin.c $(MINIOS_DIR)/apps/rt.c
MINIOS_DOM0_SRCS := $(wildcard $(MINIOS_DIR)/dom0/*.c)
MINIOS_NATIVE_APP_SRCS := $(MINIOS_APPS_BOTH)

minios_objs = $(patsubst $(MINIOS_DIR)/%,$(MINIOS_OUT)/$(1)/obj/%.o,$(basename $(2)))
MINIOS_PV_LIB_OBJS := $(call minios_objs,pv,$(MINIOS_PV_LIB_SRCS))
MINIOS_PV_APP_OBJS := $(call minios_objs,pv,$(MINIOS_PV_APP_SRCS))
MINIOS_DOM0_OBJS := $(call minios_objs,pv,$(MINIOS_DOM0_SRCS))
MINIOS_NATIVE_LIB_OBJS := $(call minios_objs,native,$(MINIOS_NATIVE_LIB_SRCS))
MINIOS_NATIVE_APP_OBJS := $(call minios_objs,native,$(MINIOS_NATIVE_APP_SRCS))

MINIOS_PV_LIB := $(MINIOS_OUT)/pv/libminios.a
MINIOS_NATIVE_LIB := $(MINIOS_OUT)/native/libminios.a
MINIOS_PV_LD := $(MINIOS_OUT)/pv/minios.ld
MINIOS_PV_ELF := $(MINIOS_OUT)/pv/minios.elf
MINIOS_DOM0_ELF := $(MINIOS_OUT)/pv/dom0.elf
MINIOS_NATIVE_ELFS := $(foreach b,$(PLATFORMS),$(MINIOS_OUT)/native/$(b)/minios.elf)

# $(call minios_link,OBJECTS,LIBRARIES,LINKER_SCRIPT): the recipe linking an image $@ from
# its own objects (its apps), a mini-OS library and guestlib (a group: each calls into the
# other). Nothing in the libraries refers to the entry, so _start is named to pull the arch
# layer's entry code in.
define minios_link
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	@$(MINIOS_CC) $(MINIOS_LDFLAGS) -T $(3) -Wl,-Map,$(@:.elf=.map) -Wl,--undefined=_start \
		$(1) -Wl,--start-group $(2) -Wl,--end-group -lgcc -o $@
	@$(MINIOS_OBJDUMP) -d $@ > $(@:.elf=.lst)
endef

# $(call minios_archive,OBJECTS): the recipe of a library $@ (rebuilt whole, so an object
# that left the source list leaves the library too).
define minios_archive
	@echo "  AR      $@"
	@rm -f $@
	@$(CROSS)ar rcs $@ $(1)
endef

.PHONY: minios
minios: $(MINIOS_PV_ELF) $(MINIOS_DOM0_ELF) $(MINIOS_NATIVE_ELFS)

# ---- pv ----
MINIOS_PV_CC = $$(MINIOS_CC) $$(MINIOS_CPPFLAGS) -I$(MINIOS_DIR)/arch/pv/include
$(eval $(call arm_compile_rule,$(MINIOS_OUT)/pv/obj/%.o,$(MINIOS_DIR)/%.c,CC,$(MINIOS_PV_CC) $$(MINIOS_CFLAGS)))
$(eval $(call arm_compile_rule,$(MINIOS_OUT)/pv/obj/%.o,$(MINIOS_DIR)/%.S,AS,$(MINIOS_PV_CC) $$(MINIOS_ASFLAGS)))

$(MINIOS_PV_LD): $(MINIOS_DIR)/minios.ld.S $(MINIOS_DIR)/build.mk Makefile
	@$(CROSS_CHECK)
	@mkdir -p $(dir $@)
	@$(MINIOS_CC) -E -P -x c -DLOAD_BASE=$(GUEST_KERNEL_BASE) $< -o $@

$(MINIOS_PV_LIB): $(MINIOS_PV_LIB_OBJS)
	$(call minios_archive,$(MINIOS_PV_LIB_OBJS))

$(MINIOS_PV_ELF): $(MINIOS_PV_APP_OBJS) $(MINIOS_PV_LIB) $(GUESTLIB_PV_LIB) $(MINIOS_PV_LD)
	$(call minios_link,$(MINIOS_PV_APP_OBJS),$(MINIOS_PV_LIB) $(GUESTLIB_PV_LIB),$(MINIOS_PV_LD))

$(MINIOS_DOM0_ELF): $(MINIOS_DOM0_OBJS) $(MINIOS_PV_LIB) $(GUESTLIB_PV_LIB) $(MINIOS_PV_LD)
	$(call minios_link,$(MINIOS_DOM0_OBJS),$(MINIOS_PV_LIB) $(GUESTLIB_PV_LIB),$(MINIOS_PV_LD))

# ---- native: the library once, a link per board (with the board's guestlib) ----
MINIOS_NATIVE_CC = $$(MINIOS_CC) $$(MINIOS_CPPFLAGS) -I$(MINIOS_DIR)/arch/native/include
$(eval $(call arm_compile_rule,$(MINIOS_OUT)/native/obj/%.o,$(MINIOS_DIR)/%.c,CC,$(MINIOS_NATIVE_CC) $$(MINIOS_CFLAGS)))
$(eval $(call arm_compile_rule,$(MINIOS_OUT)/native/obj/%.o,$(MINIOS_DIR)/%.S,AS,$(MINIOS_NATIVE_CC) $$(MINIOS_ASFLAGS)))

# Linked where the board's RAM is (the board table in the Makefile).
$(MINIOS_OUT)/native/%/minios.ld: $(MINIOS_DIR)/minios.ld.S $(MINIOS_DIR)/build.mk Makefile
	@$(CROSS_CHECK)
	@mkdir -p $(dir $@)
	@$(MINIOS_CC) -E -P -x c -DLOAD_BASE=$(call board_ram_base,$*) $< -o $@

$(MINIOS_NATIVE_LIB): $(MINIOS_NATIVE_LIB_OBJS)
	$(call minios_archive,$(MINIOS_NATIVE_LIB_OBJS))

# The board's drivers come with its guestlib.
$(MINIOS_OUT)/native/%/minios.elf: $(MINIOS_NATIVE_APP_OBJS) $(MINIOS_NATIVE_LIB) $(GUESTLIB_OUT)/native/%/libguestlib.a \
		$(MINIOS_OUT)/native/%/minios.ld
	$(call minios_link,$(MINIOS_NATIVE_APP_OBJS),$(MINIOS_NATIVE_LIB) $(call guestlib_native_lib,$*),$(MINIOS_OUT)/native/$*/minios.ld)

.PRECIOUS: $(MINIOS_OUT)/native/%/minios.ld
MINIOS_PV_OBJS := $(MINIOS_PV_LIB_OBJS) $(MINIOS_PV_APP_OBJS) $(MINIOS_DOM0_OBJS)
MINIOS_NATIVE_OBJS := $(MINIOS_NATIVE_LIB_OBJS) $(MINIOS_NATIVE_APP_OBJS)
.SECONDARY: $(MINIOS_NATIVE_OBJS) $(MINIOS_PV_OBJS)

-include $(MINIOS_PV_OBJS:.o=.d) $(MINIOS_NATIVE_OBJS:.o=.d)
