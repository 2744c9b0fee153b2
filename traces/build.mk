# xatrace: instruction and cycle traces (traces/README.md). Included by the top-level Makefile.
#
#   make traces [PLATFORM=imx21]   the Secure Xen on ARM benchmark (Kim and Shin), cases 0-3, under the plugin -> traces/results/<board>/
#   make bench [PLATFORM=...]      microbenchmarks of one board, mini-OS paths and the µC/OS-II task switch
#                                  -> traces/results/<board>/bench.csv, ucos-bench.csv, bench.md
#   make rt-irq                    a device's interrupt to its guest's handler, pass-through against dom0's
#                                  relay, under each policy (traces/irqlat.py; imx21 and versatilepb:
#                                  goldfish has no device to pass through) -> traces/results/<board>/rt/
#   make switchcost [PLATFORM=...] the benchmark made harsh on domain switches (threads yielding, 100 us
#                                  slices), 1/2/3/8 domains, switch=keep against switch=clean, vs native
#                                  -> traces/results/<board>/switchcost.csv, switchcost.md
#   make faults [FAULTS_SEED=N] [FAULTS=N] [FAULTS_WORKLOAD=minios|ucos|both]   the fault-injection
#                                  campaign on every board: seeded faults into a fault-tolerant mini-OS
#                                  domain and a µC/OS-II domain's checkpointed user-mode task (both by
#                                  default, FAULTS split between them), what became of each, per kind
#                                  -> traces/results/faults.md, faults.png (traces/faults.py)
#   make ftcost [PLATFORM=...]     fault tolerance's cost: the domain switch with and without it against the
#                                  pages the domain dirties, µC/OS-II's task switch, the backup period against
#                                  overhead and lost work -> traces/results/<board>/ftcost.md, .csv, .png
#   make traces-plugin             build/traces/libxatrace.so (and the model's unit tests)
#   make coherence [PLATFORM=...]  every system image of the board under the cache and TLB coherence
#                                  checker; fails on any stale hit -> build/<board>/coherence/
#   make rt [PLATFORM=...]         the real-time experiment (Park, Yoo and Yoo): a µC/OS-II guest's periodic
#                                  tasks under sedf, credit and round-robin, on every board (PLATFORM: one)
#                                  -> traces/results/<board>/rt/
#   TRACES_MODEL=walk=0,ifill=30   extra plugin arguments for both (e.g. walk=0: no TLB walk cost)
#
# The plugin is built with the host's g++ against the qemu-plugin.h of the project's QEMU;
# the model's GoogleTest tests run with `make host-test`, the pytest checks with `make test`.

TRACES_BUILD := build/traces
TRACES_PLUGIN := $(TRACES_BUILD)/libxatrace.so
TRACES_PYTHON ?= /usr/bin/python3
TRACES_IMAGES = $(foreach n,1 2 3,$(IMAGES_DIR)/bench$(n).elf)
TRACES_NATIVE = $(MINIOS_OUT)/native/$(PLATFORM)/minios.elf
TRACES_TSWITCH := $(TRACES_BUILD)/kernels/minios-tswitch.elf
TRACES_CODEWRITE := $(TRACES_BUILD)/kernels/minios-codewrite.elf

.PHONY: traces bench switchcost ftcost faults traces-plugin traces-unit-test coherence rt rt-irq

# Configures with QEMU's plugin header when the project's QEMU source tree is there (the
# model and its tests need nothing from QEMU).
define traces_configure
	@qinc="$$(goldfish/build-qemu.sh --dir)/src/include/qemu"; \
	  [ -f "$$qinc/qemu-plugin.h" ] || qinc=""; \
	  cmake -S traces -B $(TRACES_BUILD) -DQEMU_PLUGIN_INCLUDE="$$qinc" >/dev/null
endef

traces-plugin: qemu
	$(traces_configure)
	@cmake --build $(TRACES_BUILD) -j2
	@test -f $(TRACES_PLUGIN) || { echo "traces: $(TRACES_PLUGIN) was not built (no qemu-plugin.h?)" >&2; exit 1; }

traces-unit-test:
	@echo "test: xatrace timing-model unit tests (GoogleTest via CTest)"
	$(traces_configure)
	@cmake --build $(TRACES_BUILD) -j2 --target xatrace_tests
	@ctest --test-dir $(TRACES_BUILD) --output-on-failure

traces: deps traces-plugin
	$(TRACES_PYTHON) traces/run_traces.py --platform $(PLATFORM) $(if $(TRACES_MODEL),--model $(TRACES_MODEL))

# What else traces, bench and coherence boot is declared in the top-level Makefile.
bench: deps traces-plugin $(TRACES_TSWITCH)
	$(TRACES_PYTHON) traces/bench.py --platform $(PLATFORM) $(if $(TRACES_MODEL),--model $(TRACES_MODEL))

# Both boards with a device to pass through, whatever PLATFORM is (each one's VMM built here).
RT_IRQ_BOARDS := imx21 versatilepb
rt-irq: deps traces-plugin
	@for p in $(RT_IRQ_BOARDS); do $(MAKE) --no-print-directory vmm PLATFORM=$$p || exit 1; done
	$(TRACES_PYTHON) traces/irqlat.py $(foreach b,$(RT_IRQ_BOARDS),--platform $(b)) $(if $(TRACES_MODEL),--model $(TRACES_MODEL))

# mini-OS (pv) with the thread-switch microbenchmark app alone (minios/apps/tswitch.c),
# linked against the pv library.
$(eval $(call arm_compile_rule,$(TRACES_BUILD)/obj/tswitch.o,$(MINIOS_DIR)/apps/tswitch.c,CC,$(MINIOS_PV_CC) $$(MINIOS_CFLAGS)))

$(TRACES_TSWITCH): $(TRACES_BUILD)/obj/tswitch.o $(MINIOS_PV_LIB) $(GUESTLIB_PV_LIB) $(MINIOS_PV_LD)
	$(call minios_link,$(TRACES_BUILD)/obj/tswitch.o,$(MINIOS_PV_LIB) $(GUESTLIB_PV_LIB),$(MINIOS_PV_LD))

# The harsh variant of the benchmark, both switch modes (traces/switchcost.py).
switchcost: deps traces-plugin
	$(TRACES_PYTHON) traces/switchcost.py --platform $(PLATFORM)

# Fault tolerance's cost (traces/ftcost.py).
ftcost: deps traces-plugin
	$(TRACES_PYTHON) traces/ftcost.py --platform $(PLATFORM) $(if $(TRACES_MODEL),--model $(TRACES_MODEL))

# The coherence checker over every domains/*.cfg image of PLATFORM (traces/README.md).
coherence: deps traces-plugin $(TRACES_TSWITCH) $(TRACES_CODEWRITE)
	$(TRACES_PYTHON) traces/coherence.py --platform $(PLATFORM)

# mini-OS (pv) with the code-writing app of the checker's tests alone (traces/apps/codewrite.c).
$(eval $(call arm_compile_rule,$(TRACES_BUILD)/obj/codewrite.o,traces/apps/codewrite.c,CC,$(MINIOS_PV_CC) $$(MINIOS_CFLAGS)))

$(TRACES_CODEWRITE): $(TRACES_BUILD)/obj/codewrite.o $(MINIOS_PV_LIB) $(GUESTLIB_PV_LIB) $(MINIOS_PV_LD)
	$(call minios_link,$(TRACES_BUILD)/obj/codewrite.o,$(MINIOS_PV_LIB) $(GUESTLIB_PV_LIB),$(MINIOS_PV_LD))

# The real-time experiment (traces/rt.py): every board, or the one PLATFORM names when given
# on the command line or in the environment; the plugin adds which domain had the CPU.
RT_PLATFORM = $(if $(filter command line environment,$(origin PLATFORM)),$(PLATFORM),all)
# Both halves of the real-time experiment: deadlines (rt.py) and interrupt latency (rt-irq).
rt: deps traces-plugin
	$(TRACES_PYTHON) traces/rt.py --platform $(RT_PLATFORM) --domains
	@$(MAKE) --no-print-directory rt-irq

# The apps' header dependencies (-MMD), so a changed mini-OS or guestlib header rebuilds them.
-include $(TRACES_BUILD)/obj/tswitch.d $(TRACES_BUILD)/obj/codewrite.d

# The fault-injection campaign, every board (its VMMs and the test image: top-level Makefile).
faults: deps traces-plugin
	$(TRACES_PYTHON) traces/faults.py $(if $(FAULTS_SEED),--seed $(FAULTS_SEED)) $(if $(FAULTS),--faults $(FAULTS)) \
		$(if $(FAULTS_WORKLOAD),--workload $(FAULTS_WORKLOAD))
