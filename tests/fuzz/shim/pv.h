/*
 * Host shim for mini-OS's dom0 code (tests/fuzz): stands in for arch/pv/include/pv.h and
 * guestlib/hypercall.h. The hypercalls dom0's store and ring backends make are plain functions
 * here, implemented by shim.c against a fake grant table and a fake mapping window.
 */
#ifndef FUZZ_SHIM_PV_H
#define FUZZ_SHIM_PV_H

#include <xen-arm/xen-arm.h>

#include "minios/os.h"

const start_info_t* pv_start_info(void);
int HYPERVISOR_update_va_mapping(uint32_t va, xa_pte_t pte, uint32_t flags);
int HYPERVISOR_grant_table_op(int cmd, void* ops, uint32_t count);

#endif /* FUZZ_SHIM_PV_H */
