# guestlib: the guest-support library that mini-OS and the µC/OS-II port both link
# (guestlib/README.md). Included by the top-level Makefile before the guests; `make guestlib`
# builds every flavour:
#   build/guestlib/pv/libguestlib.a                 the paravirtual guests
#   build/guestlib/native/<board>/libguestlib.a     the native builds, with the board's drivers
# A guest compiles with $(GUESTLIB_INC) and links the flavour's library before -lgcc.

GUESTLIB_DIR := guestlib
GUESTLIB_OUT := build/guestlib
GUESTLIB_INC := -I$(GUESTLIB_DIR)/include

GUESTLIB_CC := $(CROSS)gcc
GUESTLIB_AR := $(CROSS)ar
GUESTLIB_ARCH_FLAGS := -mcpu=arm926ej-s -marm
# -fno-tree-loop-distribute-patterns: memset/memcpy must not become calls to themselves.
GUESTLIB_CFLAGS := $(GUESTLIB_ARCH_FLAGS) -O2 -g -std=c11 -ffreestanding -nostdlib -fno-common \
	-fno-tree-loop-distribute-patterns -Wall -Wextra -Werror
GUESTLIB_CPPFLAGS := $(GUESTLIB_INC) -Ihypercalls -MMD -MP
GUESTLIB_ASFLAGS := $(GUESTLIB_ARCH_FLAGS) -g -D__ASSEMBLER__

GUESTLIB_COMMON_SRCS := $(addprefix $(GUESTLIB_DIR)/src/,string.c format.c cmdline.c window.c)
GUESTLIB_PV_SRCS := $(GUESTLIB_COMMON_SRCS) $(GUESTLIB_DIR)/src/pv.c $(GUESTLIB_DIR)/src/xen_error.c
GUESTLIB_NATIVE_SRCS := $(GUESTLIB_COMMON_SRCS) $(GUESTLIB_DIR)/src/native.c \
	$(wildcard $(GUESTLIB_DIR)/arch/arm/*.S)

guestlib_objs = $(patsubst $(GUESTLIB_DIR)/%,$(GUESTLIB_OUT)/$(1)/obj/%.o,$(basename $(2)))
GUESTLIB_PV_OBJS := $(call guestlib_objs,pv,$(GUESTLIB_PV_SRCS))
GUESTLIB_NATIVE_OBJS := $(call guestlib_objs,native,$(GUESTLIB_NATIVE_SRCS))

GUESTLIB_PV_LIB := $(GUESTLIB_OUT)/pv/libguestlib.a
# Per board: the native objects and that board's drivers (guestlib/board/<board>.c).
guestlib_native_lib = $(GUESTLIB_OUT)/native/$(1)/libguestlib.a
GUESTLIB_NATIVE_LIBS := $(foreach b,$(PLATFORMS),$(call guestlib_native_lib,$(b)))

.PHONY: guestlib
guestlib: $(GUESTLIB_PV_LIB) $(GUESTLIB_NATIVE_LIBS)

GUESTLIB_COMPILE = $$(GUESTLIB_CC) $$(GUESTLIB_CPPFLAGS)
$(foreach f,pv native,$(eval $(call arm_compile_rule,$(GUESTLIB_OUT)/$(f)/obj/%.o,$(GUESTLIB_DIR)/%.c,CC,$(GUESTLIB_COMPILE) $$(GUESTLIB_CFLAGS))))
$(eval $(call arm_compile_rule,$(GUESTLIB_OUT)/native/obj/%.o,$(GUESTLIB_DIR)/%.S,AS,$(GUESTLIB_COMPILE) $$(GUESTLIB_ASFLAGS)))
$(eval $(call arm_compile_rule,$(GUESTLIB_OUT)/native/%/board.o,$(GUESTLIB_DIR)/board/%.c,CC,$(GUESTLIB_COMPILE) $$(GUESTLIB_CFLAGS)))

# Rewritten whole, so a member whose source went does not linger.
$(GUESTLIB_PV_LIB): $(GUESTLIB_PV_OBJS)
	@echo "  AR      $@"
	@rm -f $@ && $(GUESTLIB_AR) rcs $@ $^

$(GUESTLIB_OUT)/native/%/libguestlib.a: $(GUESTLIB_NATIVE_OBJS) $(GUESTLIB_OUT)/native/%/board.o
	@echo "  AR      $@"
	@rm -f $@ && $(GUESTLIB_AR) rcs $@ $^

.PRECIOUS: $(GUESTLIB_OUT)/native/%/board.o $(GUESTLIB_OUT)/native/%/libguestlib.a
.SECONDARY: $(GUESTLIB_PV_OBJS) $(GUESTLIB_NATIVE_OBJS)

-include $(GUESTLIB_PV_OBJS:.o=.d) $(GUESTLIB_NATIVE_OBJS:.o=.d) \
	$(foreach b,$(PLATFORMS),$(GUESTLIB_OUT)/native/$(b)/board.d)
