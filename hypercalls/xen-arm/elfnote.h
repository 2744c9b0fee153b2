/*
 * xen-arm guest ABI: the ELF note that marks a kernel as a xen-arm paravirtual guest.
 *
 * A kernel built for bare metal runs its first privileged instruction (an MCR to CP15,
 * an MSR to CPSR) in USR mode and faults; a mini-OS built for a board even links at the
 * same address as the paravirtual one on some boards. So domains/mkimage.py refuses any
 * kernel without this note, at build time, with a message that says why, instead of the
 * domain crashing at boot. As Xen's XEN_ELFNOTE_* notes, it lives in a note section the
 * guest never reads; it is not loaded (no "a" flag), so it changes no guest address.
 *
 * Layout (ELF32 note, 4-byte aligned): namesz = 7, descsz = 4, type = XA_ELFNOTE_GUEST_ABI,
 * name "XenARM\0" (padded to 8), desc = the guest ABI version the kernel was built
 * against (little-endian u32). mkimage accepts XA_GUEST_ABI_VERSION only.
 *
 * Use: XA_GUEST_NOTE on a line of its own at file scope, in exactly one C or assembly
 * file of the guest kernel.
 */
#ifndef XEN_ARM_ELFNOTE_H
#define XEN_ARM_ELFNOTE_H

#define XA_ELFNOTE_NAME "XenARM"
#define XA_ELFNOTE_NAMESZ 7 /* "XenARM" and its NUL */
#define XA_ELFNOTE_GUEST_ABI 1
#define XA_GUEST_ABI_VERSION 1

/* The note as assembler directives; the two spellings below differ only in how the
 * directives are separated. (Assembler text: clang-format would space it as C.) */
/* clang-format off */
#define XA_GUEST_NOTE_BODY_(sep)                                                     \
    .pushsection .note.xen-arm, "", %note sep .balign 4 sep                        \
    .long XA_ELFNOTE_NAMESZ sep .long 4 sep .long XA_ELFNOTE_GUEST_ABI sep           \
    .asciz XA_ELFNOTE_NAME sep .balign 4 sep .long XA_GUEST_ABI_VERSION sep .popsection
/* clang-format on */

#ifdef __ASSEMBLER__
#define XA_GUEST_NOTE XA_GUEST_NOTE_BODY_(;)
#else
#define XA_NOTE_STR2_(...) #__VA_ARGS__
#define XA_NOTE_STR_(...) XA_NOTE_STR2_(__VA_ARGS__)
#define XA_GUEST_NOTE __asm__(XA_NOTE_STR_(XA_GUEST_NOTE_BODY_(;)))
#endif

#endif /* XEN_ARM_ELFNOTE_H */
