/*
 * Guest console over the console ring (hypercalls/xen-arm/io/console.h), pv only: the
 * page start_info.console_mfn, served by dom0's console multiplexer, which prints each
 * line with this domain's name and forwards console input to the domain that has it.
 */
#ifndef MINIOS_XENCONS_H
#define MINIOS_XENCONS_H

#include "minios/time.h"

/* From the pv arch layer's start of day when the command line says console=ring: every
 * later console write goes into the ring (false: no console page, nothing changed). */
bool xencons_ring_start(void);
/* True once output goes to the ring. */
bool xencons_active(void);
/* Input: call once events are initialised (start_kernel did); then xencons_read()
 * returns what dom0 forwarded: up to len bytes, at least 1, or 0 at the deadline
 * (0 = wait for ever). */
void xencons_bind_input(void);
size_t xencons_read(char *buf, size_t len, s_time_t deadline);
/* Reads one line (without its end, NUL-terminated, truncated to size - 1); false at the
 * deadline. '\r' and '\n' both end a line. */
bool xencons_read_line(char *line, size_t size, s_time_t deadline);

#endif /* MINIOS_XENCONS_H */
