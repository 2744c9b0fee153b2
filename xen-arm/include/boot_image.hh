// The boot image: what domains/mkimage.py appends to the VMM's ELF so that one file boots
// a whole system. It is the only format shared by the VMM (C++) and the builder (Python);
// domains/mkimage.py writes exactly these structs (little-endian, no padding) and the
// host tests parse images it produced.
//
// Placement: one extra PT_LOAD segment whose physical address is
// RAM base + kBootImageOffset, inside the VMM's DIRECTMAP, so the VMM reads it at
// DIRECTMAP + kBootImageOffset without any mapping work, and reserves its frames.
//
//   [BootImageHeader][BootDomain x domain_count]
//   [kernel ELF files, each 4-byte aligned][RAM-disk images, each 4 KiB aligned]
//
// Kernels: mkimage.py packs each as a minimal ELF (the ELF header, the PT_LOAD program
// headers and the PT_LOAD bytes; no sections) and identical kernels once: several domain
// records may name the same kernel bytes. A domain builder only reads them.
//
// RAM disks: a domain's `ramdisk` file, at a 4 KiB aligned offset and followed by zeros
// up to the next 4 KiB boundary, so the VMM hands its frames to that domain as ordinary
// memory when building it (and takes them back when destroying it; the contents stay, as
// on a disk). Those frames hold nothing else: no header, table, kernel or other ramdisk.
// After boot a guest may have written them, so the CRC only holds at boot.
//
// Every field is checked by the VMM before use (boot_image_parse.cc); a bad image stops
// the boot with a message naming the field, before any domain exists.
#pragma once

#include "types.hh"

namespace xa::boot_image {

inline constexpr u32 kBootImageOffset = 4 * MiB;   // from the start of RAM
inline constexpr u32 kBootImageMaxSize = 4 * MiB;  // must end inside DIRECTMAP
inline constexpr char kMagic[8] = {'X', 'A', 'B', 'O', 'O', 'T', '1', '\0'};
// 2: ramdisks, shared kernels; 3: scheduler; 4: credit/sedf parameters; 5: fault tolerance
inline constexpr u32 kVersion = 5;
inline constexpr u32 kMaxDomains = 8;
inline constexpr u32 kRamdiskSectorSize = 512;   // ramdisk_size is a multiple of this
inline constexpr u32 kRamdiskMaxSize = 3 * MiB;  // per domain; leaves 1 MiB for the rest
inline constexpr u32 kRamdiskAlign = 4 * KiB;    // ramdisk_offset; frames are handed over

struct BootImageHeader {
    char magic[8];         // kMagic
    u32 version;           // kVersion
    u32 total_size;        // bytes, header included; <= kBootImageMaxSize
    u32 domain_count;      // 1..kMaxDomains
    u32 crc32;             // CRC-32 (zlib's) of bytes [sizeof(header), total_size)
    char system_name[32];  // from the configuration's [system] name, NUL-terminated
    u32 scheduler;         // kSched*, from [system] scheduler (format version 3)
    u32 reserved;          // zero
};
static_assert(sizeof(BootImageHeader) == 64);

// BootImageHeader.scheduler: the scheduling policy (sched.hh).
inline constexpr u32 kSchedRoundRobin = 0;     // every runnable domain in turn
inline constexpr u32 kSchedFixedPriority = 1;  // the lowest BootDomain.priority first
inline constexpr u32 kSchedCredit = 2;         // shares by BootDomain.weight, cap_pct
inline constexpr u32 kSchedSedf = 3;           // EDF over (period_us, budget_us) servers
inline constexpr u32 kSchedCount = 4;

// BootDomain.flags
inline constexpr u32 kDomPrivileged = 1u << 0;  // dom0: domctl, console input
inline constexpr u32 kDomAutostart = 1u << 1;   // built at boot (else: domctl createdomain)
inline constexpr u32 kDomExtra = 1u << 2;       // sedf: may run in time nobody reserved
inline constexpr u32 kDomFlagsMask = kDomPrivileged | kDomAutostart | kDomExtra;

// BootDomain.name's characters: lower case, digits, '_' and '-' (names are typed in dom0's
// shell and shown in the banner).
inline constexpr char kNameChars[] = "abcdefghijklmnopqrstuvwxyz0123456789_-";

// BootDomain.memory_kb: whole frames, at least enough for a guest's tables and stack, at
// most what any board leaves for guests.
inline constexpr u32 kMemoryGranuleKb = 4;
inline constexpr u32 kMemoryMinKb = 64;
inline constexpr u32 kMemoryMaxKb = 64 * 1024;  // 64 MiB
// BootDomain.timeslice_us: 100 us .. 1 s.
inline constexpr u32 kTimesliceMinUs = 100;
inline constexpr u32 kTimesliceMaxUs = 1000 * 1000;
// BootDomain.priority: 0 (highest) .. kPriorityMax.
inline constexpr u32 kPriorityMax = 255;
// BootDomain.weight (credit): 1..kWeightMax. BootDomain.cap_pct: 0 (none) ..100.
inline constexpr u32 kWeightMax = 65535;
inline constexpr u32 kCapMaxPct = 100;
// BootDomain.period_us (sedf): 0 (no reservation: background work only) or
// kPeriodMinUs..kPeriodMaxUs; budget_us: 0..period_us, not 0 with a period.
inline constexpr u32 kPeriodMinUs = 100;
inline constexpr u32 kPeriodMaxUs = 1000 * 1000;
// What one server period costs the VMM beyond the budget it grants, charged against the
// CPU's bandwidth at admission (mkimage.py and domains::build): at most two domain
// switches (in and out) and two timer interrupts (the refill and the budget's end), about
// 1,900 instructions on every board (README's hot-path table) at QEMU's -icount shift=3
// (8 ns each), rounded up to leave room for the upcall that wakes the guest.
inline constexpr u32 kSedfOverheadPerPeriodNs = 20 * 1000;
// BootDomain.fault_tolerance (docs/fault-tolerance.md): none, or checkpoints of the whole
// VM and rollback on a fault the VMM would crash it for (checkpoint.hh's ft::Mode).
inline constexpr u32 kFtNone = 0;
inline constexpr u32 kFtVm = 1;
inline constexpr u32 kFtCount = 2;
// BootDomain.memory_kb of a kFtVm domain: its backup is mapped, privileged-only, in the
// part of PERDOMAIN below MAPCACHE after the trace page's MiB (checkpoint.hh), 3 MiB.
inline constexpr u32 kFtMemoryMaxKb = 3 * 1024;
// BootDomain.checkpoint_us: 0 (at every switch-out), kCheckpointMinUs..kCheckpointMaxUs
// (at the first switch-out or end of a time slice that long after the last checkpoint) or
// kCheckpointManual (only when dom0 asks, XA_DOMCTL_checkpoint); 0 without fault tolerance.
inline constexpr u32 kCheckpointMinUs = 1000;
inline constexpr u32 kCheckpointMaxUs = 60 * 1000 * 1000;
inline constexpr u32 kCheckpointManual = 0xFFFFFFFFu;
// What mkimage.py writes when a configuration leaves a value out (the VMM needs no
// defaults: every record carries every field).
inline constexpr u32 kTimesliceDefaultUs = 10 * 1000;  // 10 ms
inline constexpr u32 kPriorityDefault = 128;
inline constexpr u32 kWeightDefault = 256;  // Xen's

struct BootDomain {
    char name[16];        // 1..15 of kNameChars, NUL-terminated, unique
    u32 flags;            // kDom*
    u32 memory_kb;        // multiple of kMemoryGranuleKb, kMemoryMinKb..kMemoryMaxKb
    u32 timeslice_us;     // kTimesliceMinUs..kTimesliceMaxUs
    u32 priority;         // 0..kPriorityMax, for the fixed-priority scheduler (0 = highest)
    u32 weight;           // 1..kWeightMax, for the credit scheduler
    u32 cap_pct;          // 0..kCapMaxPct, for the credit scheduler (0: no cap)
    u32 period_us;        // sedf: 0 or kPeriodMinUs..kPeriodMaxUs
    u32 budget_us;        // sedf: 0..period_us (0 only without a period)
    u32 fault_tolerance;  // kFt*
    u32 checkpoint_us;    // 0, kCheckpointMinUs..kCheckpointMaxUs or kCheckpointManual; 0 without fault tolerance
    u32 kernel_offset;    // of the kernel's ELF file, from the start of the image
    u32 kernel_size;      // bytes (other records may name the same kernel bytes)
    u32 ramdisk_offset;   // of its RAM disk, kRamdiskAlign aligned; 0 if none
    u32 ramdisk_size;     // bytes, a multiple of kRamdiskSectorSize, at most kRamdiskMaxSize; 0 if none
    char cmdline[88];     // NUL-terminated, passed in start_info.cmd_line
};
static_assert(sizeof(BootDomain) == 160);

}  // namespace xa::boot_image
