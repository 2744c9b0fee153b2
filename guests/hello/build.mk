# The minimal example guest (docs/porting-guest.md): build/guests/hello/hello.elf, C only,
# linked at the guest kernel base. Booted by domains/hello.cfg (make run SYSTEM=hello).
HELLO_ELF := build/guests/hello/hello.elf
HELLO_CFLAGS := -mcpu=arm926ej-s -marm -std=gnu11 -O2 -Wall -Wextra -Werror -ffreestanding \
	-fno-builtin -fno-tree-loop-distribute-patterns -nostdlib -static -Ihypercalls \
	-Wl,-Ttext=$(GUEST_KERNEL_BASE) -Wl,-e,_start -Wl,--build-id=none -Wl,-q

.PHONY: hello
hello: $(HELLO_ELF)

$(HELLO_ELF): guests/hello/hello.c guests/hello/build.mk $(wildcard hypercalls/xen-arm/*.h)
	@$(CROSS_CHECK)
	@mkdir -p $(dir $@)
	@echo "  CC+LD   $@"
	@$(CROSS)gcc $(HELLO_CFLAGS) -o $@ $<
