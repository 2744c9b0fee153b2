# xen-arm: build, run and test. See README.md.
#
#   make [PLATFORM=goldfish|imx21|versatilepb]   build the VMM for one board
#   make run [PLATFORM=...] [SYSTEM=bench3]       boot domains/$(SYSTEM).cfg in the project's QEMU
#   make test                                    host unit tests + QEMU system tests
#   make debug [PLATFORM=...] [SYSTEM=name]      QEMU halted with gdbstub + gdb-multiarch
#   make qemu                                    build (or find cached) qemu-system-arm
#   make deps                                    install missing Debian packages

PLATFORM ?= goldfish
SYSTEM ?= bench3
PLATFORMS := goldfish imx21 versatilepb
ARGS ?=
GDB_PORT ?= 1234

.DEFAULT_GOAL := all
.PHONY: all vmm run test debug qemu deps deps-build host-test system-test vmm-all clean

all: deps-build vmm

include xen-arm/build.mk
include minios/build.mk
include domains/build.mk
include guests/hello/build.mk
include tests/guests/build.mk
include ucos-port/build.mk
include traces/build.mk

vmm: $(VMM_ELF)

deps:
	@tools/install-deps.sh build qemu test debug

deps-build:
	@tools/install-deps.sh build

qemu: deps
	@goldfish/build-qemu.sh >/dev/null

run: deps qemu vmm $(IMAGES_DIR)/$(SYSTEM).elf
	@echo "run: booting xen-arm with domains/$(SYSTEM).cfg on $(PLATFORM) (quit: Ctrl-A X)"
	tools/run-qemu.sh --interactive $(PLATFORM) $(IMAGES_DIR)/$(SYSTEM).elf "$(ARGS)"

# make debug [SYSTEM=name|path/to/x.cfg] [GDB_PORT=N]: tools/debug.py (README "Debugging").
# SYSTEM counts only when given (run's default does not apply): without it, the bare VMM.
# A domains/ system's image is built here; a configuration elsewhere is packed by debug.py.
DEBUG_SYSTEM := $(if $(filter command line environment override,$(origin SYSTEM)),$(SYSTEM))
DEBUG_NAME := $(basename $(notdir $(DEBUG_SYSTEM)))
DEBUG_IMAGE := $(if $(filter $(DEBUG_NAME) domains/$(DEBUG_NAME).cfg $(CURDIR)/domains/$(DEBUG_NAME).cfg,$(DEBUG_SYSTEM)),$(IMAGES_DIR)/$(DEBUG_NAME).elf)
debug: deps qemu vmm $(if $(DEBUG_SYSTEM),minios $(DEBUG_IMAGE))
	@tools/install-deps.sh debug
	@tools/debug.py --platform $(PLATFORM) \
	  $(if $(DEBUG_SYSTEM),--system "$(DEBUG_SYSTEM)" --ram-base $(RAM_BASE)) --port $(GDB_PORT) \
	  $(if $(filter file,$(origin GDB_PORT)),,--port-explicit) --append "$(ARGS)"

vmm-all:
	@for p in $(PLATFORMS); do $(MAKE) --no-print-directory vmm PLATFORM=$$p || exit 1; done

host-test:
	@echo "test: host unit tests (GoogleTest via CTest)"
	cmake -S tests/host -B build/host -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build build/host -j2
	ctest --test-dir build/host --output-on-failure

system-test: vmm-all minios test-guests
	@echo "test: system tests in QEMU (pytest)"
	/usr/bin/python3 -m pytest -q tests

test: deps qemu
	@$(MAKE) --no-print-directory host-test
	@$(MAKE) --no-print-directory system-test

clean:
	rm -rf build
