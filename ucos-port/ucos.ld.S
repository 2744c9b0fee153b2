/*
 * Link map of the µC/OS-II guests (preprocessed with BASE defined):
 *   pv      BASE = 0xC0000000, the guest kernel base: the VMM loads the PT_LOAD segments at
 *           their virtual addresses in the domain's memory and enters at the ELF entry;
 *   native  BASE = the board's RAM base: QEMU loads the image there and enters at _start,
 *           MMU off; the BSP later maps RAM one-to-one, so addresses never change.
 * .text.head comes first: the pv entry, or the native vector table. .bss is cleared by the
 * BSP's C entry (bsp_clear_bss); .stacks (native mode stacks) is not.
 */
OUTPUT_FORMAT("elf32-littlearm")
OUTPUT_ARCH(arm)
ENTRY(_start)

SECTIONS
{
    . = BASE;
    /* __image_start: inside the section, so it moves with the image when the image builder
     * relocates a pv kernel into its kernel window (and it is that window's start). */
    .text : { __image_start = .; KEEP(*(.text.head)) *(.text .text.*) }
    .rodata ALIGN(4) : { *(.rodata .rodata.*) }
    .data ALIGN(4) : { *(.data .data.*) }
    . = ALIGN(16384);
    __bss_start = .;
    .bss (NOLOAD) : { *(.bss .bss.* COMMON) }
    . = ALIGN(8);
    __bss_end = .;
    .stacks (NOLOAD) : { *(.stacks) }
    . = ALIGN(4096);
    __image_end = .;
    /* The paravirtual build's guest note (hypercalls/xen-arm/elfnote.h): not loaded,
     * kept for domains/mkimage.py. Every other note goes. */
    .note.xen-arm 0 : { KEEP(*(.note.xen-arm)) }
    /DISCARD/ : { *(.ARM.exidx*) *(.ARM.extab*) *(.comment) *(.note*) }
}
