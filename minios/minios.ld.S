/*
 * mini-OS link map, for both arch layers: linked at the guest kernel base 0xC0000000
 * (XA_GUEST_KERNEL_BASE) and loaded at LOAD_BASE:
 *   pv      LOAD_BASE = 0xC0000000: the VMM loads PT_LOAD segments by virtual address
 *           and enters at the ELF entry (virtual);
 *   native  LOAD_BASE = the board's RAM base: QEMU loads by physical address and enters
 *           at the physical entry; arch/native/head.S turns the MMU on.
 * Each arch puts its entry code in .text.head (native: the vector table first).
 */
OUTPUT_FORMAT("elf32-littlearm")
OUTPUT_ARCH(arm)
ENTRY(_start_load)

KERNEL_BASE = 0xC0000000;

MEMORY
{
    VIRT (rwx) : ORIGIN = 0xC0000000, LENGTH = 60M
    LOAD (rwx) : ORIGIN = LOAD_BASE, LENGTH = 60M
}

SECTIONS
{
    .text : {
        __image_start = .;
        KEEP(*(.text.head))
        *(.text .text.*)
        __etext = .;
    } > VIRT AT> LOAD

    .rodata : ALIGN(4) {
        *(.rodata .rodata.*)
    } > VIRT AT> LOAD

    /* MINIOS_APP() entries (include/minios/app.h) */
    minios_apps : ALIGN(4) {
        __start_minios_apps = .;
        KEEP(*(minios_apps))
        __stop_minios_apps = .;
    } > VIRT AT> LOAD

    .data : ALIGN(4) {
        *(.data .data.*)
        __edata = .;
    } > VIRT AT> LOAD

    .bss (NOLOAD) : ALIGN(16384) {
        __bss_start = .;
        *(.bss.l1)
        *(.bss .bss.* COMMON)
        . = ALIGN(4096);
        __bss_end = .;
    } > VIRT AT> LOAD

    __image_end = .;

    /* The paravirtual build's guest note (hypercalls/xen-arm/elfnote.h): not loaded,
     * kept for domains/mkimage.py. Every other note goes. */
    .note.xen-arm 0 : { KEEP(*(.note.xen-arm)) }
    /DISCARD/ : { *(.ARM.exidx*) *(.ARM.extab*) *(.comment) *(.note*) }
}

_start_load = _start - KERNEL_BASE + LOAD_BASE;
