# xen-arm: build, run and test. See README.md; `make help` lists every target and variable.

PLATFORM ?= goldfish
SYSTEM ?= bench3
ARGS ?=
GDB_PORT ?= 1234
QEMU_EXTRA ?=
# The ARM cross toolchain prefix of every ARM build (VMM, guests, test guests).
CROSS ?= arm-none-eabi-

# ---- The boards ----
# Every board fact the build, tools/run-qemu.sh and the Python tools and tests need, in one
# table; they all read it here (tools/board_table.py parses it for Python). A new board is
# a row here and its folder xen-arm/board/<name>/ (docs/porting-board.md). board_config.hh
# stays the VMM's own description: tests/tools/test_boards.py checks that the two agree.
#
#   board.<name> := RAM_BASE RAM_MIB QEMU_MACHINE
PLATFORMS := goldfish imx21 versatilepb
board.goldfish := 0x00000000 128 goldfish
board.imx21 := 0xC0000000 64 imx21ads
board.versatilepb := 0x00000000 128 versatilepb

board_ram_base = $(word 1,$(board.$(1)))
ifeq ($(board.$(PLATFORM)),)
$(error unknown PLATFORM '$(PLATFORM)': use one of $(PLATFORMS))
endif
RAM_BASE := $(call board_ram_base,$(PLATFORM))

# Every guest kernel is linked here (GUEST_KERNEL in xen-arm/include/layout.hh).
GUEST_KERNEL_BASE := 0xC0000000

# Starts every recipe that may be the first to run the ARM toolchain (compiles, linker
# scripts, the one-step guests): a missing toolchain is named with what installs it, not
# left to the shell's "not found". A recipe, not a prerequisite, so make -q stays exact.
CROSS_CHECK = command -v $(CROSS)gcc >/dev/null || { echo "make: $(CROSS)gcc not found: \
	tools/install-deps.sh build (or make deps-build) installs the ARM toolchain" >&2; exit 1; }

# $(call compile_rule,TARGET_PATTERN,SOURCE_PATTERN,LABEL,COMMAND[,MORE_PREREQUISITES]):
# one pattern rule compiling SOURCE into TARGET with COMMAND -c $< -o $@. COMMAND is
# expanded when the rule runs, so pass it with $$ (as $$(MINIOS_CC) $$(MINIOS_CFLAGS)).
define compile_rule
$(1): $(2) $(5)
	@mkdir -p $$(dir $$@)
	@printf '  %-7s %s\n' '$(3)' '$$@'
	@$(4) -c $$< -o $$@
endef
# The same for the ARM toolchain, checked first.
arm_compile_rule = $(call compile_rule,$(1),$(2),$(3),$$(CROSS_CHECK); $(4),$(5))

# A prerequisite that never exists: what depends on it is always remade.
FORCE:

.DEFAULT_GOAL := all
.PHONY: all vmm run test debug qemu deps deps-build host-test system-test attack soak vmm-all clean help

all: vmm

include xen-arm/build.mk
include guestlib/build.mk
include minios/build.mk
include domains/build.mk
include guests/hello/build.mk
include tests/guests/build.mk
include ucos-port/build.mk
include traces/build.mk
include tests/fuzz/build.mk

vmm: $(VMM_ELF)

# ---- What one component needs from another ----
# Systems naming a kernel by path: their image rule does not know it before the first build.
$(IMAGES_DIR)/hello.elf: $(HELLO_ELF)
$(IMAGES_DIR)/ucos.elf: $(UCOS_PV_ELF)
$(IMAGES_DIR)/ft.elf: $(UCOS_PV_ELF)
$(IMAGES_DIR)/split.elf: $(MINIOS_TEST_ELF)
# The tests: the tracer model's unit tests with the host tests; everything the system tests
# boot or inspect (every board's VMM, the guests, the images, the trace plugin and kernels).
host-test: traces-unit-test
system-test: vmm-all minios test-guests hello ucos images traces-plugin $(TRACES_TSWITCH) $(TRACES_CODEWRITE)
ucos-test: vmm-all minios
ucos-bench: vmm-all
# The traced runs: only $(PLATFORM)'s VMM, native kernels and images (they boot that board).
traces: $(VMM_ELF) $(TRACES_NATIVE) $(TRACES_IMAGES)
bench: $(VMM_ELF) $(MINIOS_PV_ELF) test-guests $(UCOS_PV_ELF) $(UCOS_OUT)/native/$(PLATFORM)/ucos.elf
coherence: images test-guests
switchcost: $(VMM_ELF) $(MINIOS_PV_ELF) $(TRACES_NATIVE)
# The fault-injection campaign boots every board's VMM with mini-OS's test image and the
# µC/OS-II guest.
faults: vmm-all $(MINIOS_TEST_ELF) $(UCOS_PV_ELF)
ftcost: $(VMM_ELF) $(MINIOS_PV_ELF) test-guests $(UCOS_PV_ELF)
# The real-time experiment boots every board's VMM with dom0, mini-OS, the test image's
# frontend and the µC/OS-II guest.
rt: vmm-all minios test-guests ucos-pv ramdisks
rt-irq: $(MINIOS_PV_ELF) $(MINIOS_DOM0_ELF) $(RAMDISKS)

# The system that run (and debug, when SYSTEM is given) boots: a name in domains/, or the
# path of a configuration anywhere (SYSTEM=path/to/x.cfg, packed into images/local/).
SYSTEMS := $(patsubst domains/%.cfg,%,$(DOMAIN_CFGS))
ifneq ($(filter %.cfg,$(SYSTEM)),)
SYSTEM_CFG := $(SYSTEM)
SYSTEM_NAME := $(basename $(notdir $(SYSTEM)))
SYSTEM_IMAGE := $(IMAGES_DIR)/local/$(SYSTEM_NAME).elf
$(eval $(call mkimage_rule,$(SYSTEM_IMAGE),$(SYSTEM_CFG)))
else
SYSTEM_CFG := domains/$(SYSTEM).cfg
SYSTEM_NAME := $(SYSTEM)
SYSTEM_IMAGE := $(IMAGES_DIR)/$(SYSTEM).elf
endif
ifneq ($(filter run debug,$(MAKECMDGOALS)),)
ifeq ($(wildcard $(SYSTEM_CFG)),)
$(error no system '$(SYSTEM)': the systems in domains/ are $(SYSTEMS); a configuration elsewhere is SYSTEM=path/to/name.cfg)
endif
endif
# Every make run writes its console here too (QEMU's chardev log).
RUN_LOG := build/$(PLATFORM)/run-$(SYSTEM_NAME).log

deps:
	@tools/install-deps.sh build qemu test debug

deps-build:
	@tools/install-deps.sh build

qemu: deps
	@goldfish/build-qemu.sh >/dev/null

# make exits 0 after a clean stop and 2 (make's own failure status) otherwise; the VMM's
# status and what it means are printed (tools/exit-status.py; tools/run-qemu.sh returns it).
run: deps qemu vmm $(SYSTEM_IMAGE)
	@echo "run: booting xen-arm with $(SYSTEM_CFG) on $(PLATFORM) (quit: Ctrl-A X); console log: $(RUN_LOG)"
	@status=0; QEMU_EXTRA="$(QEMU_EXTRA)" tools/run-qemu.sh --interactive --log $(RUN_LOG) \
	  $(PLATFORM) $(SYSTEM_IMAGE) "$(ARGS)" || status=$$?; \
	  echo "run: $$(tools/exit-status.py $$status)"; exit $$status

# make debug [SYSTEM=name|path/to/x.cfg] [GDB_PORT=N]: tools/debug.py (README "Debugging").
# SYSTEM counts only when given (run's default does not apply): without it, the bare VMM.
DEBUG_IMAGE := $(if $(filter command line environment override,$(origin SYSTEM)),$(SYSTEM_IMAGE))
debug: deps qemu vmm $(DEBUG_IMAGE)
	@tools/install-deps.sh debug
	@tools/debug.py --platform $(PLATFORM) $(if $(DEBUG_IMAGE),--image $(DEBUG_IMAGE)) --port $(GDB_PORT) \
	  $(if $(filter file,$(origin GDB_PORT)),,--port-explicit) --append "$(ARGS)"

vmm-all:
	@for p in $(PLATFORMS); do $(MAKE) --no-print-directory vmm PLATFORM=$$p || exit 1; done

host-test:
	@echo "test: host unit tests (GoogleTest via CTest)"
	cmake -S tests/host -B build/host -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build/host -j2
	ctest --test-dir build/host --output-on-failure

system-test:
	@echo "test: system tests in QEMU (pytest)"
	/usr/bin/python3 -m pytest -q tests

# The attack suite alone (pytest marker `attack`; make test runs it with everything else).
attack: deps qemu vmm-all minios test-guests
	@echo "test: the attack suite in QEMU (pytest -m attack)"
	/usr/bin/python3 -m pytest -q -m attack tests/system

# More than 10^9 guest instructions of a mixed system, every counter reconciled (not in test).
soak: deps qemu vmm minios test-guests ucos-pv traces-plugin
	@echo "soak: a mixed system for more than 10^9 guest instructions (tests/system/test_soak.py)"
	XEN_ARM_SOAK=1 /usr/bin/python3 -m pytest -q -s tests/system/test_soak.py

test: deps qemu
	@$(MAKE) --no-print-directory host-test
	@$(MAKE) --no-print-directory store-test
	@$(MAKE) --no-print-directory fuzz-short
	@$(MAKE) --no-print-directory system-test

clean:
	rm -rf build

.PHONY: format format-check
# Every C and C++ file follows the nearest .clang-format (tools/format.sh); format-check
# also runs inside system-test (tests/tools/test_format.py).
format:
	tools/format.sh

format-check:
	tools/format.sh --check

# One line per target and variable; tests/tools/test_make.py checks that none is missing.
help:
	@echo "Targets (make TARGET [VARIABLE=value ...]):"
	@echo "  all            build the VMM for PLATFORM (the default goal): build/<board>/xen-arm.elf; installs nothing"
	@echo "  vmm            the same"
	@echo "  vmm-all        the VMM for every board"
	@echo "  run            boot SYSTEM on PLATFORM in the project's QEMU; console also in build/<board>/run-<system>.log"
	@echo "  test           install what is missing, then host-test, fuzz-short and system-test"
	@echo "  host-test      GoogleTest unit tests of the VMM's logic, compiled for the host"
	@echo "  fuzz-build     the libFuzzer targets of tests/fuzz (clang, ASan+UBSan): build/fuzz/bin"
	@echo "  fuzz-short     every fuzz target for FUZZ_SHORT_SECONDS (part of test)"
	@echo "  fuzz           every fuzz target for FUZZ_SECONDS; crashing inputs in build/fuzz/artifacts"
	@echo "  system-test    pytest: every board and system booted in QEMU, tools and images checked"
	@echo "  attack         the attack suite: malicious guests against the VMM and victim domains (part of test)"
	@echo "  soak           a mixed system for more than 10^9 guest instructions, counters reconciled (not in test)"
	@echo "  debug          QEMU halted at reset with its gdbstub, gdb-multiarch attached (SYSTEM when given)"
	@echo "  qemu           build (or find cached) the project's qemu-system-arm"
	@echo "  deps           install the missing Debian packages for everything (tools/install-deps.sh)"
	@echo "  deps-build     install the missing Debian packages for building only"
	@echo "  guestlib       the guest-support library of mini-OS and µC/OS-II: pv and every board's native"
	@echo "  minios         mini-OS: its libraries, the paravirtual guest, dom0 and the native build for every board"
	@echo "  ucos           the µC/OS-II guests: paravirtual and native (UCOS_SRC selects the kernel sources)"
	@echo "  ucos-pv        the paravirtual µC/OS-II guest only"
	@echo "  ucos-native    the native µC/OS-II builds only"
	@echo "  ucos-bench     the µC/OS-II task-switch measurements on every board (pytest)"
	@echo "  ucos-test      every µC/OS-II system test (pytest); UCOS_SRC=... runs them against those sources"
	@echo "  hello          the minimal example guest (guests/hello)"
	@echo "  test-guests    the guests only tests boot: the tiny assembly guests and mini-OS's test image"
	@echo "  images         every domains/*.cfg packed with the VMM for PLATFORM"
	@echo "  ramdisks       the generated RAM-disk images the configurations use"
	@echo "  schedtool      real-time analysis of SYSTEM's rt_tasks: each domain's periodic interface, EDF fit (OVERHEAD=%)"
	@echo "  traces         the Secure Xen on ARM benchmark, traced: CSVs, tables, plots in traces/results/<board>/"
	@echo "  bench          hot-path and task-switch microbenchmarks for PLATFORM, in traces/results/<board>/"
	@echo "  rt-irq         device interrupt to guest handler, pass-through vs dom0's relay, per policy (imx21, versatilepb)"
	@echo "  store-test     host tests of dom0's store (permissions, transactions, quotas, watches, hostile rings)"
	@echo "  traces-plugin  the instruction/cycle tracing QEMU plugin"
	@echo "  traces-unit-test  unit tests of the tracer's timing, cache and TLB model"
	@echo "  rt             the real-time experiment: µC/OS-II periodic tasks under sedf, credit, round-robin; every board (PLATFORM: one), then rt-irq -> traces/results/<board>/rt/"
	@echo "  coherence      every image of PLATFORM under the tracer's cache and TLB coherence checker (fails on a stale hit)"
	@echo "  switchcost     the benchmark harsh on domain switches, 1/2/3/8 domains, switches that keep the caches vs clean ones"
	@echo "  faults         seeded fault injection into a fault-tolerant mini-OS domain and a µC/OS-II task on every board: outcomes per kind -> traces/results/faults.md, .png"
	@echo "  ftcost         fault tolerance's cost on PLATFORM: the domain switch against dirty pages, µC/OS-II's task switch, the backup period"
	@echo "  format         rewrite every C/C++ file with clang-format-14 and the tree's .clang-format files"
	@echo "  format-check   list the files that do not follow their .clang-format (part of system-test)"
	@echo "  clean          remove build/"
	@echo "  help           this list"
	@echo "Variables:"
	@echo "  PLATFORM=$(PLATFORM)      the board: $(PLATFORMS) (the board table at the top of the Makefile)"
	@echo "  SYSTEM=$(SYSTEM)        what run boots: $(SYSTEMS), or path/to/name.cfg"
	@echo "  CONFIG=          another name for SYSTEM"
	@echo "  OVERHEAD=        schedtool: the VMM's share of the processor in percent (default 5)"
	@echo "  ARGS=            the VMM's command line (wallclock=SECONDS, fault=dabt|pabt|undef, ticks=N, ft_faults=N/MS)"
	@echo "  QEMU_EXTRA=      more options for QEMU, e.g. QEMU_EXTRA='-d guest_errors'"
	@echo "  GDB_PORT=$(GDB_PORT)     debug's gdbstub port (a free one is picked when the default is busy)"
	@echo "  UCOS_SRC=        a µC/OS-II source tree to build the µC/OS-II guests against"
	@echo "  TRACES_MODEL=    traces/bench: another timing model file for the tracer"
	@echo "  FAULTS_SEED=     make faults: the campaign's seed (default 1); FAULTS=N faults per board (default 1000); FAULTS_WORKLOAD=minios|ucos|both (default both, N split)"
	@echo "  FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_SHORT_SECONDS=$(FUZZ_SHORT_SECONDS)  seconds per fuzz target (make fuzz, make fuzz-short)"
	@echo "  QEMU=            (environment) another qemu-system-arm instead of the project's"
	@echo "  XEN_ARM_CACHE=   (environment) where the QEMU build is cached (default ~/.cache/xen-arm)"
	@echo "  CROSS=$(CROSS)  the ARM cross toolchain prefix (every ARM build)"
	@echo "  IMAGES_DIR=$(IMAGES_DIR)  where images are packed"
	@echo "  MINIOS_PV_DIR=$(MINIOS_PV_DIR)  where configurations find kernels by name"
	@echo "  MKIMAGE_PYTHON=$(MKIMAGE_PYTHON) TRACES_PYTHON=$(TRACES_PYTHON)  the Python that runs the tools"
