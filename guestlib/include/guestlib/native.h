/*
 * The native guest builds' CPU services (guestlib/arch/arm/native.S, src/native.c): ARM
 * semihosting for the command line and the exit status, the boot map (1 MiB sections) and
 * MMU start, and the CP15 instructions C cannot express. The board drivers are
 * guestlib/board.h.
 */
#ifndef GUESTLIB_NATIVE_H
#define GUESTLIB_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#include <arm926/cpu.h>

#include "guestlib/board.h"

/* ---- semihosting (privileged modes only) ---- */

/* One call: SEMIHOSTING_SYS_* op, its argument block; returns r0. lr_svc survives (an
 * emulator that does not handle the call runs the SWI vector, which returns at once). */
uint32_t gl_semihosting_call(uint32_t op, void *arg);
/* The text -append gave (the emulator's command line without the image path) in buf,
 * NUL-terminated and cut to fit; "" if the emulator gives none. */
void gl_semihosting_cmdline(char *buf, size_t size);
/* Ends the emulation with status (SYS_EXIT_EXTENDED); where nothing honours that, waits for
 * interrupts forever. Call it with interrupts masked. (__noreturn__: <stdnoreturn.h> makes
 * noreturn a macro in some guests.) */
__attribute__((__noreturn__)) void gl_semihosting_exit(int status);

/* ---- boot map ---- */

/* Writes list's runs of sections (up to the entry with megabytes 0) into the first-level
 * table l1. Uses no stack and only r0-r3 and r12, and is position independent: head code
 * may call it with the MMU off, at physical addresses. */
void gl_map_sections(uint32_t *l1, const struct native_section *list);
/* Invalidates caches and TLBs, loads TTBR with l1 and DACR with domain 0 as client, and
 * turns on the MMU and caches with low vectors and S = 1 (AP = 00 is privileged read-only).
 * The code calling it must be identity mapped. Uses no stack; r0 and r1 only. */
void gl_mmu_on(uint32_t *l1);

/* ---- CP15 ---- */

/* Waits for an interrupt (wakes on a pending one even while it is masked). */
void gl_wfi(void);
/* The data fault address and status registers. */
uint32_t gl_fault_address(void);
uint32_t gl_fault_status(void);

#endif /* GUESTLIB_NATIVE_H */
