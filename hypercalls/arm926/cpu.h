/*
 * ARM926EJ-S facts the VMM and the guests share: the processor modes and PSR bits, and the
 * operation numbers of ARM semihosting (ARM DUI0471 / IHI0083), through which the VMM and
 * the native guest builds read their command line and end the emulation.
 *
 * Plain #defines without integer suffixes, so C, C++ and assembly (.S) all include it.
 */
#ifndef ARM926_CPU_H
#define ARM926_CPU_H

/* Processor modes (CPSR[4:0]) */
#define ARM_MODE_USR 0x10
#define ARM_MODE_FIQ 0x11
#define ARM_MODE_IRQ 0x12
#define ARM_MODE_SVC 0x13
#define ARM_MODE_ABT 0x17
#define ARM_MODE_UND 0x1B
#define ARM_MODE_SYS 0x1F
#define ARM_MODE_MASK 0x1F

/* PSR bits */
#define ARM_PSR_T 0x20           /* Thumb state */
#define ARM_PSR_F 0x40           /* FIQ masked */
#define ARM_PSR_I 0x80           /* IRQ masked */
#define ARM_PSR_FLAGS 0xF0000000 /* N Z C V */

/* Semihosting (A32): SVC SEMIHOSTING_SVC with the operation in r0 and a pointer to its
 * argument block in r1; the result comes back in r0. Only privileged modes may call it. */
#define SEMIHOSTING_SVC 0x123456
#define SEMIHOSTING_SYS_GET_CMDLINE 0x15   /* {buffer, length}: the emulator's command line */
#define SEMIHOSTING_SYS_EXIT 0x18          /* reason code (A32: no status) */
#define SEMIHOSTING_SYS_EXIT_EXTENDED 0x20 /* {reason, status} */
#define SEMIHOSTING_ADP_STOPPED_APPLICATION_EXIT 0x20026

#endif /* ARM926_CPU_H */
