# Builds the VMM for one board: included by the top-level Makefile with PLATFORM, RAM_BASE
# (from its board table) and CROSS set.
# Output: build/$(PLATFORM)/xen-arm.elf (+ .bin, .map, .lst).

VMM_DIR := xen-arm
VMM_OUT := build/$(PLATFORM)/vmm
VMM_ELF := build/$(PLATFORM)/xen-arm.elf

VMM_CXX := $(CROSS)g++
VMM_OBJCOPY := $(CROSS)objcopy
VMM_OBJDUMP := $(CROSS)objdump

VMM_ARCH_FLAGS := -mcpu=arm926ej-s -marm -mfloat-abi=soft
VMM_CPPFLAGS := -I$(VMM_DIR)/include -I$(VMM_DIR) -Ihypercalls -I$(VMM_DIR)/board/$(PLATFORM) -MMD -MP
VMM_CXXFLAGS := $(VMM_ARCH_FLAGS) -std=c++20 -g -ffreestanding -fno-exceptions -fno-rtti \
	-fno-threadsafe-statics -fno-use-cxa-atexit -fno-unwind-tables -fno-asynchronous-unwind-tables \
	-fno-common -ffunction-sections -fdata-sections -Wall -Wextra -Werror
VMM_ASFLAGS := $(VMM_ARCH_FLAGS) -D__ASSEMBLER__ -g
VMM_LDFLAGS := $(VMM_ARCH_FLAGS) -nostdlib -static -Wl,--gc-sections -Wl,-Map,$(VMM_ELF:.elf=.map)

VMM_CXX_SRCS := $(wildcard $(VMM_DIR)/core/*.cc) $(wildcard $(VMM_DIR)/arch/arm/*.cc) \
	$(VMM_DIR)/board/$(PLATFORM)/board.cc
VMM_ASM_SRCS := $(wildcard $(VMM_DIR)/arch/arm/*.S)
VMM_OBJS := $(patsubst $(VMM_DIR)/%.cc,$(VMM_OUT)/%.o,$(VMM_CXX_SRCS)) \
	$(patsubst $(VMM_DIR)/%.S,$(VMM_OUT)/%.o,$(filter-out %.ld.S,$(VMM_ASM_SRCS)))
VMM_LDS := $(VMM_OUT)/xen-arm.ld

# Hot code (traps, hypercalls, scheduling, events, memory) is optimised for speed; code
# that runs at boot, at a domain's build or teardown, or on management and fault paths is
# optimised for size, which keeps the VMM's text+data under 64 KiB.
VMM_OPT := -O2
VMM_COLD := boot_image_parse domain domctl elf_loader exceptions fault_inject fault_tolerance main mm_hypercalls vmm vmm_memory
$(patsubst %,$(VMM_OUT)/core/%.o,$(VMM_COLD)): VMM_OPT := -Os

$(eval $(call arm_compile_rule,$(VMM_OUT)/%.o,$(VMM_DIR)/%.cc,CXX,$$(VMM_CXX) $$(VMM_CPPFLAGS) $$(VMM_CXXFLAGS) $$(VMM_OPT)))
$(eval $(call arm_compile_rule,$(VMM_OUT)/%.o,$(VMM_DIR)/%.S,AS,$$(VMM_CXX) $$(VMM_CPPFLAGS) $$(VMM_ASFLAGS)))

$(VMM_LDS): $(VMM_DIR)/arch/arm/xen-arm.ld.S $(VMM_DIR)/build.mk Makefile
	@$(CROSS_CHECK)
	@mkdir -p $(dir $@)
	$(VMM_CXX) -E -P -x c -DRAM_BASE=$(RAM_BASE) $< -o $@

$(VMM_ELF): $(VMM_OBJS) $(VMM_LDS)
	$(VMM_CXX) $(VMM_LDFLAGS) -T $(VMM_LDS) $(VMM_OBJS) -lgcc -o $@
	$(VMM_OBJDUMP) -d $@ > $(@:.elf=.lst)
	@$(CROSS)size $@

-include $(VMM_OBJS:.o=.d)
