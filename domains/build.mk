# Bootable system images: the VMM plus the domains of one domains/<name>.cfg.
# Included by the top-level Makefile after xen-arm/build.mk (PLATFORM, RAM_BASE, VMM_ELF set).
#
#   make build/goldfish/images/bench3.elf      one system
#   make images [PLATFORM=imx21]               every domains/*.cfg for one board
#
# Output: $(IMAGES_DIR)/<name>.elf (+ <name>.d, the kernels and files it was built from).
# RAM-disk images the configurations name (`ramdisk = ../build/disks/...`) are generated
# here too, deterministically, by domains/mkramdisk.py.

MINIOS_PV_DIR ?= build/minios/pv
IMAGES_DIR ?= build/$(PLATFORM)/images
MKIMAGE := domains/mkimage.py
# The modules it imports: a change to one changes the images.
MKIMAGE_MODULES := $(wildcard domains/bootimage/*.py)
MKIMAGE_PYTHON ?= /usr/bin/python3
# mkimage.py reads the boot image format from these headers each time it runs.
MKIMAGE_HEADERS := xen-arm/include/boot_image.hh xen-arm/include/layout.hh \
	xen-arm/include/types.hh

DOMAIN_CFGS := $(wildcard domains/*.cfg)
# The generated RAM disks (fixed paths: configurations name them relative to domains/).
RAMDISKS := build/disks/vbd-pattern.img
DOMAIN_IMAGES := $(patsubst domains/%.cfg,$(IMAGES_DIR)/%.elf,$(DOMAIN_CFGS))

.PHONY: images ramdisks schedtool
images: $(DOMAIN_IMAGES)
ramdisks: $(RAMDISKS)

# make schedtool CONFIG=name|path/to/x.cfg [OVERHEAD=PERCENT]: the real-time analysis of a
# configuration's rt_tasks (domains/README.md, "Real-time analysis"); builds nothing.
schedtool:
	@$(MKIMAGE_PYTHON) domains/schedtool.py $(SYSTEM_CFG) $(if $(OVERHEAD),--overhead $(OVERHEAD))

# dom0's block-device test image: 7 slices (guests 1..7) of 512 sectors, a known pattern
# in every sector (domains/mkramdisk.py; tests/guests/minios/guest/blk.c checks it).
build/disks/vbd-pattern.img: domains/mkramdisk.py
	@mkdir -p $(dir $@)
	@echo "  RAMDISK $@"
	@$(MKIMAGE_PYTHON) domains/mkramdisk.py --slices 7 --sectors 512 -o $@

# The kernels configurations name (minios, dom0: $(MINIOS_PV_DIR)/<name>.elf) are built by
# the mini-OS rules; kernels named by path in a configuration reach make through the .d
# file mkimage.py writes (the top-level Makefile names them for the first build).
MKIMAGE_INPUTS := $(VMM_ELF) $(MKIMAGE) $(MKIMAGE_MODULES) $(MKIMAGE_HEADERS) hypercalls/xen-arm/elfnote.h \
	xen-arm/board/$(PLATFORM)/board_config.hh $(MINIOS_PV_DIR)/minios.elf \
	$(MINIOS_PV_DIR)/dom0.elf $(RAMDISKS)
define mkimage_recipe
	@mkdir -p $(dir $@)
	@echo "  MKIMAGE $@"
	@$(MKIMAGE_PYTHON) $(MKIMAGE) --vmm $(VMM_ELF) --config $< --kernel-dir $(MINIOS_PV_DIR) \
		--board $(PLATFORM) --ram-base $(RAM_BASE) -o $@ --depfile $(@:.elf=.d)
endef

$(IMAGES_DIR)/%.elf: domains/%.cfg $(MKIMAGE_INPUTS)
	$(mkimage_recipe)

# $(call mkimage_rule,IMAGE,CONFIG): a rule for one configuration outside domains/.
define mkimage_rule
$(1): $(2) $$(MKIMAGE_INPUTS)
	$$(mkimage_recipe)
-include $(1:.elf=.d)
endef

-include $(DOMAIN_IMAGES:.elf=.d)
