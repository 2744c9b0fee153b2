/*
 * xen-arm guest ABI: common definitions shared by the VMM (C++20) and the guest kernels
 * (C99). Every header in this folder is plain C that also compiles as C++.
 *
 * Numbering follows Xen's public headers wherever Xen has an equivalent.
 */
#ifndef XEN_ARM_ABI_H
#define XEN_ARM_ABI_H

/* The numeric constants of these headers are also usable from assembly (gcc -E with
 * __ASSEMBLER__ defined, as for .S files); types and structs are C only. */
#ifndef __ASSEMBLER__
#include <stddef.h> /* offsetof, for XA_ABI_OFFSET */
#include <stdint.h>

/*
 * XA_ABI_ASSERT(cond, msg): a compile-time check usable at file scope, spelled as the
 * language wants it: static_assert in C++, _Static_assert in C11 (and in C99 with GCC or
 * Clang, marked __extension__ so -pedantic stays quiet), and a negative-array typedef for
 * any other C99 compiler.
 */
#if defined(__cplusplus)
#define XA_ABI_ASSERT(cond, msg) static_assert(cond, msg)
#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L
#define XA_ABI_ASSERT(cond, msg) _Static_assert(cond, msg)
#elif defined(__GNUC__)
#define XA_ABI_ASSERT(cond, msg) __extension__ _Static_assert(cond, msg)
#else
#define XA_ABI_CAT2_(a, b) a##b
#define XA_ABI_CAT_(a, b) XA_ABI_CAT2_(a, b)
#define XA_ABI_ASSERT(cond, msg) typedef char XA_ABI_CAT_(xa_abi_assert_, __LINE__)[(cond) ? 1 : -1]
#endif

/* Checks a struct's size, or a field's offset, in one line. */
#define XA_ABI_SIZE(type, size) XA_ABI_ASSERT(sizeof(type) == (size), "size of " #type)
#define XA_ABI_OFFSET(type, field, off) XA_ABI_ASSERT(offsetof(type, field) == (off), "offset of " #type "." #field)

/* A domain id, as Xen's domid_t. */
typedef uint16_t domid_t;
#endif /* !__ASSEMBLER__ */

/* "The calling domain", accepted wherever a hypercall takes a domid_t (Xen's value). */
#define DOMID_SELF ((domid_t)0x7FF0U)
#define DOMID_INVALID ((domid_t)0x7FF4U) /* Xen's: no domain */

/*
 * Error numbers, Xen's (xen/include/public/errno.h). Positive constants here; a hypercall
 * returns the negated value in r0 (e.g. -XEN_EINVAL), 0 or a non-negative result on success.
 */
#define XEN_EPERM 1   /* operation not permitted (privilege) */
#define XEN_ENOENT 2  /* no such entry (e.g. no such vCPU) */
#define XEN_ESRCH 3   /* no such domain */
#define XEN_ENOMEM 12 /* out of memory */
#define XEN_EFAULT 14 /* bad guest address */
#define XEN_EBUSY 16  /* resource busy */
#define XEN_EEXIST 17 /* already exists (e.g. VIRQ already bound) */
#define XEN_EINVAL 22 /* invalid argument */
#define XEN_ENOSPC 28 /* no space left (e.g. no free event-channel port) */
#define XEN_ENOSYS 38 /* no such hypercall / command */

#endif /* XEN_ARM_ABI_H */
