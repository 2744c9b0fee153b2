/* mini-OS kernel-wide state and services. */
#ifndef MINIOS_KERNEL_H
#define MINIOS_KERNEL_H

#include "minios/arch.h"

/* The boot information start_kernel() was given. */
const struct boot_info *boot_info(void);
/* This domain's id (0 natively). */
static inline unsigned int domain_id(void) { return boot_info()->domid; }

/* Command line: "app=NAME key=value ...". Returns the value of key, or NULL. */
const char *cmdline_get(const char *key);
/* The value of key as a number, or def if absent; a malformed number is fatal. */
uint32_t cmdline_get_u32(const char *key, uint32_t def);

/* Ends mini-OS: 0 = clean (pv: shutdown poweroff; native: exit status 0). */
noreturn void minios_exit(int status);
/* Reports a fatal error and ends with a crash (pv: SHUTDOWN_crash; native: status 1). */
noreturn void minios_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* MINIOS_KERNEL_H */
