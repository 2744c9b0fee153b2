/*
 * xen-arm trace protocol: how the VMM and guests tell an instruction-trace tool (the QEMU
 * plugin in traces/) who is running, without the tool reading any register or memory. A
 * store's *address* carries the information; the value is ignored. (QEMU's plugin API
 * reports the address of every store, not its value.)
 *
 *   XA_TRACE_DOMAIN_VA + 4 * id   stored by the VMM when domain `id` goes on the CPU;
 *                                 id XA_TRACE_IDLE when the CPU goes idle. VMM-only page.
 *   window + XA_TRACE_PAGE_OFFSET + 4 * id
 *                                 stored by a guest kernel when its thread `id`
 *                                 (0..XA_TRACE_MAX_THREADS-1) goes on its virtual CPU;
 *                                 window is the start of its kernel window (start_info.h).
 *                                 A page of the guest's own (kernel read-write), mapped by
 *                                 the VMM in every domain and by native builds too (window 0).
 * Markers: `swi #XA_TRACE_SWI(dom, thread)` (trap.h), as the Secure Xen on ARM benchmark uses them.
 * Instructions are attributed to the VMM, the guest kernel or guest user by address
 * (the fixed layout: start_info.h), and to a domain and thread by the last stores above.
 */
#ifndef XEN_ARM_TRACE_H
#define XEN_ARM_TRACE_H

#define XA_TRACE_DOMAIN_VA 0xFE800000U /* PERDOMAIN's first page */
#define XA_TRACE_IDLE 0xFFU
#define XA_TRACE_MAX_THREADS 1024U

#endif /* XEN_ARM_TRACE_H */
