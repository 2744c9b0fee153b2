# The guests only the tests boot (tests/README.md):
#   build/guests/<name>.elf       tiny assembly guests of system tests and hot-path
#                                 measurements (tests/guests/*.S), linked at the guest kernel base
#   build/tests/minios-test.elf   mini-OS with the test apps (tests/guests/minios/: attacks,
#                                 hypercall fuzzer, grants, domctl, poll, canary, the
#                                 split-driver guest), linked against build/minios/pv/libminios.a
TEST_GUESTS := $(patsubst tests/guests/%.S,build/guests/%.elf,$(wildcard tests/guests/*.S))

build/guests/%.elf: tests/guests/%.S tests/guests/parse_number.inc tests/guests/build.mk
	@$(CROSS_CHECK)
	@mkdir -p $(dir $@)
	@echo "  AS+LD   $@"
	@$(CROSS)gcc -mcpu=arm926ej-s -marm -nostdlib -static -Ihypercalls -Wl,-Ttext=$(GUEST_KERNEL_BASE) -Wl,-q -o $@ $<

MINIOS_TEST_DIR := tests/guests/minios
MINIOS_TEST_OUT := build/tests/minios
MINIOS_TEST_ELF := build/tests/minios-test.elf
MINIOS_TEST_SRCS := $(wildcard $(MINIOS_TEST_DIR)/*.c) $(wildcard $(MINIOS_TEST_DIR)/guest/*.c)
MINIOS_TEST_OBJS := $(patsubst $(MINIOS_TEST_DIR)/%.c,$(MINIOS_TEST_OUT)/obj/%.o,$(MINIOS_TEST_SRCS))

$(eval $(call arm_compile_rule,$(MINIOS_TEST_OUT)/obj/%.o,$(MINIOS_TEST_DIR)/%.c,CC,$(MINIOS_PV_CC) $$(MINIOS_CFLAGS)))

$(MINIOS_TEST_ELF): $(MINIOS_TEST_OBJS) $(MINIOS_PV_LIB) $(GUESTLIB_PV_LIB) $(MINIOS_PV_LD)
	$(call minios_link,$(MINIOS_TEST_OBJS),$(MINIOS_PV_LIB) $(GUESTLIB_PV_LIB),$(MINIOS_PV_LD))

.PHONY: test-guests
test-guests: $(TEST_GUESTS) $(MINIOS_TEST_ELF)

.SECONDARY: $(MINIOS_TEST_OBJS)
-include $(MINIOS_TEST_OBJS:.o=.d)
