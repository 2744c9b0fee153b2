// Device pass-through: a device of the board that the VMM does not use (board::Config
// passthrough) given to one domain, as real-time guests need (Park, Yoo and Yoo,
// "An Analysis on Xen in View of Real-time Guarantee"). Its register
// page is mapped in the domain at its window + XA_PASSTHROUGH_OFFSET (its guest kernel ARM domain, uncached, kernel only)
// and its interrupt line is routed to it: on an interrupt the VMM masks the line and
// raises XA_VIRQ_PASSTHROUGH in the owner; the owner unmasks it with PHYSDEVOP_eoi.
#pragma once

#include "domain.hh"
#include "types.hh"

namespace xa::passthrough {

// domctl assign_device: Err::noent unknown device, Err::busy owned by a domain, Err::exist
// the domain has one, Err::inval the MiB at window + XA_PASSTHROUGH_OFFSET is in use (or mapping failed).
Err assign(Domain& d, const char* name, u32& va, u32& irq);
// domctl getdevice: the board's device number `index`; false past the last one. owner is
// DOMID_INVALID when nobody has it.
bool describe(u32 index, const char*& name, u32& phys, u32& irq, u16& owner);
// The domain is being destroyed: its device is masked and free again.
void release(Domain& d);
// An interrupt line the VMM does not own: true if it belongs to a passed-through device
// (masked, and the VIRQ raised in its owner).
bool route_irq(u32 line);
// PHYSDEVOP_eoi: Err::perm unless d owns the line.
Err eoi(Domain& d, u32 irq);

}  // namespace xa::passthrough
