/*
 * xen-arm link map. The image is linked at the start of DIRECTMAP (0xFF000000) and
 * loaded at the board's RAM base; DIRECTMAP maps the first 12 MB of RAM there.
 * RAM_BASE comes from the board configuration (the Makefile passes it).
 */
OUTPUT_FORMAT("elf32-littlearm")
OUTPUT_ARCH(arm)
ENTRY(_start_phys)

MEMORY
{
    VIRT (rwx) : ORIGIN = 0xFF000000, LENGTH = 12M
    PHYS (rwx) : ORIGIN = RAM_BASE, LENGTH = 12M
}

SECTIONS
{
    .text : {
        __image_start = .;
        KEEP(*(.text.boot))
        *(.text .text.*)
    } > VIRT AT> PHYS

    /* The vector page must be page aligned: it is mapped alone at 0xFFFF0000. */
    .vectors : ALIGN(4096) {
        KEEP(*(.vectors))
        . = ALIGN(4096);
    } > VIRT AT> PHYS

    /* ALIGN_WITH_INPUT: a section aligned more than the one before it moves its load
     * address (PHYS) by as much as its link address, so that the image's offset from
     * 0xFF000000 stays the RAM base everywhere (without it .data could be loaded 4 bytes
     * lower than it is linked, and every initialised variable read its neighbour). */
    .rodata : ALIGN_WITH_INPUT {
        __etext = .;
        *(.rodata .rodata.*)
        __erodata = .;
    } > VIRT AT> PHYS

    .init_array : ALIGN_WITH_INPUT {
        __init_array_start = .;
        KEEP(*(SORT(.init_array.*)))
        KEEP(*(.init_array))
        __init_array_end = .;
    } > VIRT AT> PHYS

    .data : ALIGN_WITH_INPUT {
        *(.data .data.*)
        __edata = .;
    } > VIRT AT> PHYS

    .bss (NOLOAD) : ALIGN(16384) {
        __bss_start = .;
        *(.bss.boot_l1)
        *(.bss .bss.* COMMON)
        . = ALIGN(4096);
        __bss_end = .;
    } > VIRT AT> PHYS

    __image_end = .;

    /DISCARD/ : { *(.ARM.exidx*) *(.ARM.extab*) *(.comment) }
}

_start_phys = _start - 0xFF000000 + RAM_BASE;
