// The grant tables' view of the VMM (GrantEnv, grant_table.hh): domains, their grant
// entries, the frame table and their page tables. Defined in grant_hypercalls.cc; vmm.cc
// owns the one instance.
#pragma once

#include "grant_table.hh"

namespace xa {

class VmmGrantEnv final : public GrantEnv {
  public:
    bool domain_exists(DomId id) override;
    grant_entry_v1* grant_entries(DomId id) override;
    bool frame_is_ordinary_memory_of(PhysAddr frame, DomId id) override;
    // Read-only maps are ARM domain 4 pages in MiBs of their own (grant_table.hh).
    bool host_addr_ok(DomId mapper, VirtAddr va, bool readonly) override;
    Err map_foreign(DomId mapper, VirtAddr va, PhysAddr frame, bool readonly) override;
    Err unmap_foreign(DomId mapper, VirtAddr va, PhysAddr frame) override;
};

}  // namespace xa
