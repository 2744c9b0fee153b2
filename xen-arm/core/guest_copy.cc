// The out-of-line side of guest_copy.hh.
#include "guest_copy.hh"

#include "domain.hh"
#include "fault_tolerance.hh"

namespace xa {

Err probe_write_failed(u32 va, u32 len) {
    Domain* d = domains::current();
    if (d == nullptr || d->fault_tolerance == boot_image::kFtNone || !ft::unprotect_for_vmm(*d, va, len))
        return Err::fault;
    return xa_probe_guest(va, len, 1) == 0 ? Err::ok : Err::fault;
}

}  // namespace xa
