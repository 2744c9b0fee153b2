# Tiny assembly guests for system tests and hot-path measurements (tests/guests/*.S),
# linked at the guest kernel base: build/guests/<name>.elf.
TEST_GUESTS := $(patsubst tests/guests/%.S,build/guests/%.elf,$(wildcard tests/guests/*.S))

build/guests/%.elf: tests/guests/%.S tests/guests/parse_number.inc tests/guests/build.mk
	@$(CROSS_CHECK)
	@mkdir -p $(dir $@)
	@echo "  AS+LD   $@"
	@$(CROSS)gcc -mcpu=arm926ej-s -marm -nostdlib -static -Ihypercalls -Wl,-Ttext=$(GUEST_KERNEL_BASE) -o $@ $<

.PHONY: test-guests
test-guests: $(TEST_GUESTS)
