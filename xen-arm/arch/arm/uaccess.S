/*
 * Checking guest pointers with the MMU itself.
 *
 * xa_probe_guest(va, len, write) touches one byte of every page of [va, va + len) with
 * LDRBT (and, for write, STRBT of the same byte): "T" accesses are made with user-mode
 * permissions under the current DACR, i.e. exactly the rights of the guest that is on the
 * CPU in its current virtual mode. A page the guest could not access faults; the data
 * abort entry sees that the fault came from inside this routine (xa_uaccess_start..end)
 * in a privileged mode and resumes at xa_uaccess_fault, which returns -EFAULT. Returns 0
 * when every page is accessible: the caller can then copy with ordinary loads and stores,
 * since nothing can change the guest's mappings before it does (one CPU, VMM not
 * preemptible).
 *
 * Pages are checked, not bytes: the VMM gives all four subpages of a small page the same
 * permission, and the guest cannot write page tables.
 *
 * Leaf routine: uses r0-r3 and r12 only, touches no stack, so the fixup can return directly
 * (and its unwind rule is the default one: return address in lr, CFA = sp).
 */
    .syntax unified
    .cfi_sections .debug_frame
    .text
    .arm
    .global xa_probe_guest
    .global xa_uaccess_start
    .global xa_uaccess_end
    .global xa_uaccess_fault

/* int xa_probe_guest(u32 va, u32 len, int write) */
    .type xa_probe_guest, %function
xa_probe_guest:
    .cfi_startproc
    cmp     r1, #0
    moveq   r0, #0
    moveq   pc, lr
    sub     r1, r1, #1
    adds    r1, r0, r1              /* r1 = last byte; carry = the range wraps past 4 GiB */
    bcs     xa_uaccess_fault
    cmn     r1, #0x04000000         /* last >= 0xFC000000: reaches the VMM's 64 MB */
    bcs     xa_uaccess_fault
    bic     r12, r1, #0xFF0         /* the last page's base */
    bic     r12, r12, #0x00F
xa_uaccess_start:
1:  ldrbt   r3, [r0]
    cmp     r2, #0
    strbtne r3, [r0]
    bic     r0, r0, #0xFF0          /* next page */
    bic     r0, r0, #0x00F
    cmp     r0, r12
    add     r0, r0, #0x1000
    bne     1b
xa_uaccess_end:
    mov     r0, #0
    mov     pc, lr

xa_uaccess_fault:
    mvn     r0, #13                 /* -EFAULT (14) */
    mov     pc, lr
    .cfi_endproc
    .size xa_probe_guest, . - xa_probe_guest
