// Validating guest pointers before the VMM touches them.
//
// A hypercall argument is a guest virtual address. The VMM runs in SVC mode, where the
// MMU would happily let it read or write a page the guest itself may not touch (a kernel
// page while the guest is in virtual user mode, a read-only page, the VMM's own 64 MB).
// So before copying in or out, the VMM asks: would the guest, in USR mode with its
// current DACR, be allowed this access? The answer comes from a software walk of the
// guest's table (PageTable::translate) applying the ARMv5 rules with S=R=0:
//
//   DACR field of the descriptor's domain: 00 no access -> fault
//                                          01 client    -> AP decides
//                                          10 reserved  -> fault (unpredictable on ARMv5)
//                                          11 manager   -> allowed, AP not checked
//   AP for a user-mode access (client):    3 read/write, 2 read-only, 0 and 1 none
//
// The answer is only valid while nobody changes the table: the caller holds whatever
// keeps the guest's mappings still (on the uniprocessor VMM, simply not running the
// guest) between the check and the copy.
#pragma once

#include "page_table.hh"
#include "types.hh"

namespace xa {

enum class Access : u8 { read, write };

// Would a USR-mode access with this DACR to every byte of [va, va + len) succeed through
// `table`? Err::ok, or Err::fault when any byte is unmapped, sits in a no-access or
// reserved domain, is in a client domain whose AP refuses the access, lies at or above
// layout::kVmmBase (even if the table would allow it: guests never name VMM memory), or
// when the range wraps past 4 GiB. len 0 touches nothing and is Err::ok.
Err check_guest_range(const PageTable& table, u32 dacr, VirtAddr va, u32 len, Access access);

}  // namespace xa
