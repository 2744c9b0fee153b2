// Host stand-in for xen-arm/arch/arm/cpu.hh, for core files the host tests build that touch
// CP15 (domain.cc). Its include directory comes before xen-arm/ for those files only. The
// registers are plain variables (fake_vmm.cc), so a test can check what the code switched
// to and that it switched back; the cache and TLB operations have nothing to do.
#pragma once

#include "types.hh"

namespace xa::cpu {

namespace fake {
extern u32 ttbr;
extern u32 dacr;
extern u32 ttbr_switches;
extern u32 cache_flushes;  // flush_caches() calls
}  // namespace fake

inline u32 read_ttbr() { return fake::ttbr; }
inline u32 read_dacr() { return fake::dacr; }
inline void write_dacr(u32 v) { fake::dacr = v; }
inline void flush_caches() { ++fake::cache_flushes; }
inline void flush_tlb() {}
inline void invalidate_tlb_entry(u32) {}
inline void clean_invalidate_dcache_range(u32, u32) {}
inline void sync_icache_range(u32, u32) {}
inline void set_ttbr(u32 l1_phys) { fake::ttbr = l1_phys; }
inline void switch_ttbr(u32 l1_phys) {
    flush_caches();
    fake::ttbr = l1_phys;
    ++fake::ttbr_switches;
}

}  // namespace xa::cpu
