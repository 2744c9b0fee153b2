# Host fuzzing with libFuzzer (tests/fuzz/README.md), included by the top-level Makefile.
#   make fuzz-build                  the fuzz targets: build/fuzz/bin/<target>
#   make fuzz-short                  every target for FUZZ_SHORT_SECONDS (part of make test)
#   make fuzz [FUZZ_SECONDS=N]       every target for N seconds (default 300)
# Debian's clang-14 with its runtime (libclang-rt-14-dev: libFuzzer, ASan, UBSan).

FUZZ_DIR := tests/fuzz
FUZZ_OUT := build/fuzz
FUZZ_CC := clang-14
FUZZ_CXX := clang++-14
FUZZ_SECONDS ?= 300
FUZZ_SHORT_SECONDS ?= 20

# Every object is instrumented for coverage and checked by ASan and UBSan; any UB report
# aborts the run (no recovery), so it counts as a crash and keeps its input.
FUZZ_SAN := -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_COMMON := -g -O1 $(FUZZ_SAN) -Wall -Wextra -MMD -MP
FUZZ_CXXFLAGS := $(FUZZ_COMMON) -std=c++20 -fno-exceptions -fno-rtti \
	-Ixen-arm/include -Ihypercalls -I$(FUZZ_DIR)
# mini-OS's dom0 code, built for the host against the shim (tests/fuzz/shim): the shim's
# headers come first, then mini-OS's own; its mapping window moves to where a 64-bit
# sanitized process can map it (dom0.h lets a build say where).
FUZZ_MINIOS_CFLAGS := $(FUZZ_COMMON) -std=c11 -I$(FUZZ_DIR)/shim -Iminios/dom0 -Iminios/include -Iguestlib/include -Ihypercalls \
	-DDOM0_MAP_BASE=0x500000000000UL -Wno-unused-function

# The VMM logic under test (compiled as tests/host/CMakeLists.txt compiles it).
FUZZ_VMM_SRCS := frame_alloc page_table event_channel elf_loader boot_image_parse grant_table \
	hypercall_checks
FUZZ_VMM_OBJS := $(patsubst %,$(FUZZ_OUT)/obj/vmm/%.o,$(FUZZ_VMM_SRCS))
FUZZ_STORE_OBJS := $(patsubst %,$(FUZZ_OUT)/obj/minios/store_%.o,tree tx watch wire)
FUZZ_MINIOS_OBJS := $(FUZZ_OUT)/obj/minios/shim.o $(FUZZ_OUT)/obj/guestlib/string.o $(FUZZ_OUT)/obj/guestlib/xen_error.o \
	$(FUZZ_STORE_OBJS) $(FUZZ_OUT)/obj/minios/blkback.o $(FUZZ_OUT)/obj/minios/netback.o \
	$(FUZZ_OUT)/obj/minios/ringback.o

# Target name -> its harness; the C++ ones link the VMM objects, the C ones mini-OS's.
FUZZ_VMM_TARGETS := hypercall_checks elf_loader boot_image event_channel grant_table
FUZZ_MINIOS_TARGETS := store ring_backends
FUZZ_TARGETS := $(FUZZ_VMM_TARGETS) $(FUZZ_MINIOS_TARGETS)
FUZZ_BINS := $(patsubst %,$(FUZZ_OUT)/bin/%,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-short fuzz-build
fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@$(FUZZ_DIR)/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-short: fuzz-build
	@$(FUZZ_DIR)/run.sh $(FUZZ_SHORT_SECONDS) $(FUZZ_TARGETS)

$(eval $(call compile_rule,$(FUZZ_OUT)/obj/vmm/%.o,xen-arm/core/%.cc,FUZZCXX,$$(FUZZ_CXX) $$(FUZZ_CXXFLAGS)))
$(eval $(call compile_rule,$(FUZZ_OUT)/obj/fuzz_%.o,$(FUZZ_DIR)/fuzz_%.cc,FUZZCXX,$$(FUZZ_CXX) $$(FUZZ_CXXFLAGS)))
$(eval $(call compile_rule,$(FUZZ_OUT)/obj/minios/%.o,minios/dom0/%.c,FUZZCC,$$(FUZZ_CC) $$(FUZZ_MINIOS_CFLAGS)))
# The guests' own string functions (guestlib; the object named after its source, so a
# build directory from before the library still builds), except those the host's C library (and
# ASan's checks of them) provides: their strlcpy and parse_u32 are what dom0 runs.
FUZZ_MINIOS_LIB_RENAMES := $(foreach f,memset memcpy memmove memcmp strlen strnlen strcmp strncmp,-D$(f)=minios_$(f))
$(eval $(call compile_rule,$(FUZZ_OUT)/obj/guestlib/string.o,guestlib/src/string.c,FUZZCC,$$(FUZZ_CC) $$(FUZZ_MINIOS_CFLAGS) -fno-builtin $$(FUZZ_MINIOS_LIB_RENAMES)))
$(eval $(call compile_rule,$(FUZZ_OUT)/obj/guestlib/xen_error.o,guestlib/src/xen_error.c,FUZZCC,$$(FUZZ_CC) $$(FUZZ_MINIOS_CFLAGS)))
$(eval $(call compile_rule,$(FUZZ_OUT)/obj/minios/shim.o,$(FUZZ_DIR)/shim/shim.c,FUZZCC,$$(FUZZ_CC) $$(FUZZ_MINIOS_CFLAGS)))
$(eval $(call compile_rule,$(FUZZ_OUT)/obj/fuzz_%.o,$(FUZZ_DIR)/fuzz_%.c,FUZZCC,$$(FUZZ_CC) $$(FUZZ_MINIOS_CFLAGS)))

$(patsubst %,$(FUZZ_OUT)/bin/%,$(FUZZ_VMM_TARGETS)): $(FUZZ_OUT)/bin/%: $(FUZZ_OUT)/obj/fuzz_%.o $(FUZZ_VMM_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CXX) $(FUZZ_SAN) $^ -o $@

$(patsubst %,$(FUZZ_OUT)/bin/%,$(FUZZ_MINIOS_TARGETS)): $(FUZZ_OUT)/bin/%: $(FUZZ_OUT)/obj/fuzz_%.o $(FUZZ_MINIOS_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CXX) $(FUZZ_SAN) $^ -o $@

-include $(wildcard $(FUZZ_OUT)/obj/*.d $(FUZZ_OUT)/obj/*/*.d)

# Host unit tests of dom0's store (tests/store), on the same shim and objects as the fuzz
# targets (their coverage hooks come with the sanitizer runtime): make store-test.
STORE_TEST_BIN := $(FUZZ_OUT)/bin/store_test
.PHONY: store-test
store-test: $(STORE_TEST_BIN)
	@echo "test: dom0's store on the host"
	@$(STORE_TEST_BIN)

$(FUZZ_OUT)/obj/store_test.o: tests/store/test_store.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	@$(FUZZ_CC) $(FUZZ_MINIOS_CFLAGS:-fsanitize=fuzzer,%=-fsanitize=fuzzer-no-link,%) -c $< -o $@

$(STORE_TEST_BIN): $(FUZZ_OUT)/obj/store_test.o $(FUZZ_MINIOS_OBJS)
	@mkdir -p $(dir $@)
	@echo "  FUZZLD  $@"
	@$(FUZZ_CC) -fsanitize=address,undefined $^ -o $@
