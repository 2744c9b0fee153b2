// xatrace: a QEMU 7.2 TCG plugin that counts the instructions an ARM926EJ-S system executes,
// estimates their clock cycles with the ARM9EJ-S timing of timing.hh plus I- and D-cache
// models (cache.hh), a write buffer (wbuf.hh) and a TLB model (tlb.hh), and attributes both
// to the VMM, the guest kernel or guest user (by address, the fixed layout of
// hypercalls/xen-arm/start_info.h) and to a domain and a thread (by the stores of the trace
// protocol, hypercalls/xen-arm/trace.h). With check=FILE it is also a cache and TLB
// coherence checker (coherence.hh): what those caches and TLB would return, against what
// QEMU really accesses.
//
//   qemu-system-arm ... -plugin libxatrace.so,csv=run.csv[,timeline=run.json][,stats=run-stats.json]
//                                  [,events=run-events.csv,probe=0xADDR,...][,hypercalls=hypercall.h]
//                                  [,icache=16384,dcache=16384,ways=4,line=32]
//                                  [,ifill=24,dfill=24,wb=16,io=10,mhz=200]
//                                  [,tlb=64,tlb_ways=2,walk=10]
//                                  [,wbuf_addrs=4,wbuf_words=16,wbuf_lat=8,wbuf_word=2]
//                                  [,check=report.txt[,fatal=1][,skip=KIND[:N],...]]
//
// How it stays cheap (the plugin must not slow a run down more than 4x): one inline counter
// increment per instruction (exact instruction counts, even when a block is left early by
// an abort or rewound for an I/O access), one callback per executed block (which charges
// the previous block's precomputed cycles and looks up its instruction-cache lines), one
// callback per data access (D-cache, TLB, trace stores), and a callback only on the few
// instructions that need one (CP15 cache and TLB operations, TTBR writes, probes). The
// checker gives up the shortcuts (every word, every block's lines and pages are looked up).
extern "C" {
#include <qemu-plugin.h>
}

#include <algorithm>
#include <array>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "cache.hh"
#include "coherence.hh"
#include "timing.hh"
#include "tlb.hh"
#include "wbuf.hh"

extern "C" {
QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;
}

namespace xatrace {
namespace {

// ---- the trace protocol and the layout (hypercalls/xen-arm/trace.h, start_info.h) ----
constexpr uint32_t kTraceDomainVa = 0xFE800000u;  // XA_TRACE_DOMAIN_VA
// Kernel windows (start_info.h): 64 MiB each from kKernelBase; the VMM-provided MiB at the
// top of each holds shared_info and the grant table (mapped uncached) and the trace page.
constexpr uint32_t kWindowMask = 0x03FFFFFFu;        // XA_WINDOW_SIZE - 1
constexpr uint32_t kSharedInfoOffset = 0x03F00000u;  // XA_SHARED_INFO_OFFSET
constexpr uint32_t kGrantTableOffset = 0x03F02000u;  // XA_GRANT_TABLE_OFFSET
constexpr uint32_t kTracePageOffset = 0x03F03000u;   // XA_TRACE_PAGE_OFFSET
// UNCACHED (xen-arm/include/layout.hh): the VMM's uncached alias of its 12 MB of RAM.
constexpr uint32_t kUncachedBase = 0xFC400000u, kUncachedEnd = 0xFD000000u;
constexpr uint32_t kTraceIdle = 0xFFu;            // XA_TRACE_IDLE
constexpr uint32_t kTraceMaxThreads = 1024u;      // XA_TRACE_MAX_THREADS
constexpr uint32_t kTraceSwiBase = 0xFFFF00u;     // XA_TRACE_SWI_BASE (trap.h)
constexpr uint32_t kVmmBase = 0xFC000000u;        // XA_GUEST_KERNEL_END: the VMM's 64 MB
constexpr uint32_t kDirectMapBase = 0xFF000000u;  // DIRECTMAP, then IOREMAP: sections (layout.hh)
constexpr uint32_t kKernelBase = 0xC0000000u;     // XA_GUEST_KERNEL_BASE
constexpr uint32_t kUserBase = 0x40000000u;       // XA_GUEST_USER_BASE
constexpr uint32_t kUserEnd = 0xBF000000u;        // XA_GUEST_USER_END
constexpr uint32_t kSemihostingSwi = 0x123456u;   // ARM semihosting (native builds)

enum Unit : uint8_t { kUnitVmm, kUnitKernel, kUnitUser, kUnitOther, kUnits };
const char* const kUnitNames[kUnits] = {"vmm", "kernel", "user", "other"};

Unit unit_of(uint32_t va) {
    if (va >= kVmmBase) return kUnitVmm;
    if (va >= kKernelBase) return kUnitKernel;
    if (va >= kUserBase && va < kUserEnd) return kUnitUser;
    return kUnitOther;  // below the user region: code run with the MMU off, low vectors
}

bool in_kernel_region(uint32_t va) { return va >= kKernelBase && va < kVmmBase; }
// The address the same kernel instruction has in window 0, where guests are linked: probes
// and the measurement window are given as link addresses (a symbol of the guest's ELF)
// and hit in whichever window the image builder moved each domain's copy to; their events
// carry the link address too (the event's domain says which copy).
uint32_t window0_address(uint32_t va) { return in_kernel_region(va) ? kKernelBase + (va & kWindowMask) : va; }
// A page whose stores are thread announcements: any window's trace page.
bool trace_thread_page(uint32_t page) { return in_kernel_region(page) && (page & kWindowMask) == kTracePageOffset; }

constexpr int kDomNone = -1;     // before the VMM announced any domain (boot, native)
constexpr int kThreadNone = -1;  // before the domain announced a thread

// Exception vectors (low at 0, high at 0xFFFF0000): offset / 4 = the ARM vector number.
enum Vector : uint8_t {
    kVecNone = 0,
    kVecUndef = 1,
    kVecSwi = 2,
    kVecPabt = 3,
    kVecDabt = 4,
    kVecIrq = 6,
    kVecFiq = 7
};
const char* const kVectorNames[8] = {"",   "undefined instruction", "swi", "prefetch abort", "data abort", "", "irq",
                                     "fiq"};

Vector vector_of(uint32_t va) {
    const uint32_t base = va & ~0x1Fu;
    if ((base != 0 && base != 0xFFFF0000u) || (va & 3) != 0) return kVecNone;
    const uint32_t n = (va & 0x1F) / 4;
    return (n == 0 || n == 5) ? kVecNone : static_cast<Vector>(n);
}

// ---- configuration ----
struct Config {
    uint32_t icache = 16384, dcache = 16384, ways = 4, line = 32;
    uint32_t ifill = 24;                       // cycles to fill a line on an I-cache miss (assumption, README)
    uint32_t dfill = 24;                       // cycles to fill a line on a D-cache read miss (assumption)
    uint32_t wb = 16;                          // cycles to write a dirty line back (assumption)
    uint32_t wbuf_addrs = 4, wbuf_words = 16;  // the write buffer ([T926] 4.2; 0 addresses: none)
    uint32_t wbuf_lat = 8, wbuf_word = 2;      // its cycles to memory: per entry, per word (UNVERIFIED)
    uint32_t io = 10;                          // cycles of an uncached device access (assumption)
    uint32_t tlb = 64, tlb_ways = 2;           // main TLB entries and ways ([T926])
    uint32_t walk = 10;                        // cycles per descriptor fetch of a table walk (UNVERIFIED, README)
    double mhz = 200.0;                        // clock for timeline timestamps
    std::string csv, timeline, stats, events, hypercalls, window_csv;
    std::vector<uint32_t> probes;
    uint32_t window = 0;  // a probe address: window_csv counts from its first to its last execution
    std::string check;    // the coherence checker's report file (empty: no checker)
    bool fatal = false;   // the first stale hit ends the run (status kFatalStatus)
    std::vector<std::pair<std::string, uint32_t>> skips;  // fault injection: kind, Nth (0: every)
};

// The exit status of a run ended by the first stale hit (fatal=1): outside the VMM's
// statuses (xen-arm/include/exit_status.hh).
constexpr int kFatalStatus = 97;

// ---- counters ----
struct Counters {
    uint64_t insns = 0, cycles = 0, imiss = 0, dmiss = 0, dwb = 0, io = 0, tlbmiss = 0;
};
struct Context {  // one (domain, thread): counters per unit
    int dom, thread;
    Counters unit[kUnits];
};

// ---- translated blocks ----
struct TbInfo;
struct InsnInfo {
    TbInfo* tb;
    uint32_t vaddr;
    uint16_t index;
    Unit unit;            // its block's
    uint8_t mem_kind;     // kMemLoad, kMemStore, kMemSwap
    uint8_t cond_saving;  // conditional load/store: cycles saved when its condition fails
    uint8_t cp15_kind;    // see Cp15Kind
    uint64_t last_g;      // the instruction count at its last memory access
};

enum MemKind : uint8_t { kMemLoad, kMemStore, kMemSwap };

enum Cp15Kind : uint8_t {
    kCpNone,
    kCpInvIAll,
    kCpInvDAll,
    kCpInvAll,
    kCpTestClean,
    kCpTestCleanInv,
    kCpTlbAll,    // c8, c5/c6/c7, 0: invalidate the (unified) TLB
    kCpTlbEntry,  // c8, c5/c6/c7, 1: invalidate one entry (its MVA is in a register)
    kCpTtbr,      // c2: a new translation table base
    kCpMapping,   // another c8 operation
    // By modified virtual address (the address is in a register the plugin cannot read):
    // only the checker acts on them, over the whole cache or TLB.
    kCpInvILine,       // c7, c5, 1
    kCpInvDLine,       // c7, c6, 1
    kCpCleanDLine,     // c7, c10, 1
    kCpCleanInvDLine,  // c7, c14, 1
    kCpDrain,          // c7, c10, 4: drain the write buffer
    kCpOther,
    kCpKinds
};
// The names of the operation kinds for skip= and the stats (fault injection).
const char* const kCpNames[kCpKinds] = {
    "",     "iinv",    "dinv",      "idinv",     "dclean",      "dcleaninv",      "tlb",   "tlb_entry",
    "ttbr", "mapping", "iinv_line", "dinv_line", "dclean_line", "dcleaninv_line", "drain", ""};

struct Pending {
    uint8_t reg, cycles;
    bool from_multiply;
};

struct TbInfo {
    uint32_t vaddr;
    uint32_t fallthrough;  // address after the last instruction
    uint16_t n;
    Unit unit;
    Vector vector;
    bool last_conditional_pc;  // ends with a conditional branch / PC write
    bool last_swi;
    bool needs_end;            // last_swi || results in flight
    uint8_t last_cond_saving;  // cycles saved when that branch is not taken
    uint32_t last_swi_imm;
    uint64_t igen = ~0ull;                    // I-cache generation at which all lines were present
    uint64_t tlb_gen = ~0ull;                 // TLB generation at which its pages were present
    uint32_t last_va = 0;                     // its last instruction (another page, rarely)
    uint64_t paddr = ~0ull, last_pa = ~0ull;  // physical addresses of both (checker; ~0: unknown)
    std::unique_ptr<uint32_t[]> prefix;       // prefix[k] = cycles of the first k instructions
    std::unique_ptr<uint16_t[]> lines_upto;   // distinct I-cache lines among the first k
    std::vector<uint32_t> lines;              // those lines, in fetch order
    std::vector<uint16_t> cond_mem;           // conditional loads/stores (indices)
    std::vector<Pending> tail;                // results still pending when the block ends
    InsnTiming head[3];                       // the first instructions (for a carried interlock)
    uint8_t head_n = 0;
    std::unique_ptr<InsnInfo[]> insns;
};

// ---- timeline ----
struct Slice {
    int pid, tid;
    uint32_t name;  // index into names
    uint64_t begin, end;
    std::string args;
};
struct Instant {
    int pid, tid;
    uint32_t name;
    uint64_t at;
    std::string args;
};

struct HypercallStat {
    uint64_t count = 0, insns = 0, cycles = 0;
};

// ---- the plugin's state (one vCPU: QEMU runs ARM926 boards single-threaded) ----
struct State {
    Config cfg;
    std::unique_ptr<Cache> icache, dcache;
    std::unique_ptr<Tlb> tlb;
    bool mmu_on = false;       // from the first TTBR write (the MMU is enabled right after)
    bool guest_pages = false;  // a domain announced: guest regions are 4 KiB pages (xen-arm)
    // Data pages found in the TLB (page number + 1 by page % kTlbMemo), valid while the
    // TLB's generation is tlb_memo_gen: a lookup would hit, and a hit changes nothing.
    static constexpr uint32_t kTlbMemo = 64;
    uint32_t tlb_memo[kTlbMemo] = {};
    uint64_t tlb_memo_gen = ~0ull;
    uint64_t tlbmiss = 0, tlb_flushes = 0, tlb_entry_ops = 0, ttbr_writes = 0;
    std::unique_ptr<WriteBuffer> wbuf;
    bool last_buffered = false;                // the last store went to the write buffer
    uint64_t wbuf_stall = 0, drain_stall = 0;  // cycles stalled on a full buffer / a drain or a read

    uint64_t g = 0;             // instructions started: the inline counter
    uint64_t acc_insns = 0;     // instructions charged to a context
    uint64_t total_cycles = 0;  // cycles charged to a context
    uint64_t imiss = 0, dmiss = 0, dwb = 0, io = 0;

    TbInfo* pend = nullptr;  // the block executing now (charged up to pend_from)
    uint64_t pend_g0 = 0;
    uint16_t pend_from = 0;
    Unit last_unit = kUnitOther;

    int dom = kDomNone;
    std::map<int, int> dom_thread;  // each domain's last announced thread
    std::map<std::pair<int, int>, std::unique_ptr<Context>> contexts;
    Context* cur = nullptr;

    uint64_t domain_switches = 0, thread_switches = 0, irqs = 0, exceptions = 0, tbs = 0;
    std::map<uint32_t, uint64_t> markers;  // trace-marker SWI code -> count
    std::map<std::string, HypercallStat> vmm_entries;
    std::map<uint32_t, std::string> hypercall_names;

    // timeline
    bool want_timeline = false;
    std::vector<std::string> names;
    std::map<std::string, uint32_t> name_ids;
    std::vector<Slice> slices;
    std::vector<Instant> instants;
    std::map<int, std::map<int, bool>> seen_threads;  // pid -> tids
    Slice dom_slice{}, thread_slice{}, vmm_slice{};
    bool dom_open = false, thread_open = false, vmm_open = false;
    std::string vmm_cause;
    uint64_t vmm_insns0 = 0, vmm_cycles0 = 0;

    // Whether a page is a device (QEMU's answer, remembered like a TLB entry: forgotten
    // when the program changes mappings with a TLB operation or a new TTBR).
    static constexpr uint32_t kIoMemo = 64;
    uint32_t last_line = ~0u;  // the line of the last RAM access (vaddr >> line_shift)
    uint32_t line_shift = 5;
    uint32_t io_page[kIoMemo] = {};  // page number + 1, or 0
    bool io_flag[kIoMemo] = {};

    // the measurement window: counter snapshots at the window probe's first and last hit
    struct Snapshot {
        std::map<std::pair<int, int>, std::array<Counters, kUnits>> rows;
        Counters total;
    };
    Snapshot window_first, window_last;
    uint64_t window_hits = 0;

    // the coherence checker (check=FILE)
    std::unique_ptr<Coherence> coh;
    FILE* check = nullptr;
    bool have_ram_offset = false;  // host address of guest RAM minus its physical address
    uintptr_t ram_offset = 0;
    uint64_t stale[3] = {};                               // by StaleKind
    uint64_t checked_fetches = 0, unchecked_fetches = 0;  // I-cache lines a block fetched
    uint64_t cp15_ops[kCpKinds] = {};
    uint64_t skipped[kCpKinds] = {};

    // events (probes, interrupts, SWIs)
    FILE* events = nullptr;
    uint64_t event_seq = 0;
};

State* S = nullptr;

// ---- attribution ----
Context* context_for(int dom, int thread) {
    auto key = std::make_pair(dom, thread);
    auto it = S->contexts.find(key);
    if (it != S->contexts.end()) return it->second.get();
    auto c = std::make_unique<Context>();
    c->dom = dom;
    c->thread = thread;
    Context* p = c.get();
    S->contexts.emplace(key, std::move(c));
    return p;
}

int current_thread() {
    auto it = S->dom_thread.find(S->dom);
    return it == S->dom_thread.end() ? kThreadNone : it->second;
}

void charge_cycles(Unit u, uint64_t cycles) {
    S->cur->unit[u].cycles += cycles;
    S->total_cycles += cycles;
}

void checked_fetch(TbInfo* tb, uint32_t line_va, bool filled);
void checked_tlb(Unit u, uint32_t va, uint64_t pa, uint32_t insn);

// Charges the instructions [pend_from, k) of the current block.
void flush(uint16_t k) {
    TbInfo* tb = S->pend;
    if (tb == nullptr || k <= S->pend_from) return;
    const uint16_t from = S->pend_from;
    uint64_t cycles = tb->prefix[k] - tb->prefix[from];
    for (uint16_t i : tb->cond_mem) {
        if (i < from || i >= k) continue;
        // Its memory callback did not run for this execution: the condition failed.
        if (tb->insns[i].last_g != S->pend_g0 + i + 1) cycles -= tb->insns[i].cond_saving;
    }
    Counters& c = S->cur->unit[tb->unit];
    Cache& ic = *S->icache;
    if (tb->igen != ic.generation() || S->coh) {
        for (uint32_t l = tb->lines_upto[from]; l < tb->lines_upto[k]; ++l) {
            const bool hit = ic.read(tb->lines[l]) == Access::hit;
            if (!hit) {
                cycles += S->cfg.ifill;
                ++c.imiss;
                ++S->imiss;
            }
            if (S->coh) [[unlikely]]
                checked_fetch(tb, tb->lines[l], !hit);
        }
        // Every line of the block is in the cache now (consecutive lines, no more than there
        // are sets: all in different sets) and stays there until the cache changes: later
        // runs need no lookup.
        if (from == 0 && k == tb->n && tb->lines.size() <= ic.sets()) tb->igen = ic.generation();
    }
    c.insns += k - from;
    c.cycles += cycles;
    S->acc_insns += k - from;
    S->total_cycles += cycles;
    S->pend_from = k;
}

// ---- the TLB ----
// Section or small page, by the fixed layout (the plugin cannot read descriptors):
// - the VMM's 64 MB (DIRECTMAP, IOREMAP) are sections in xen-arm's tables, except the
//   high-vector page at 0xFFFF0000 (a small page of a coarse table);
// - once a domain has been announced (xen-arm), everything below is a guest's, mapped in
//   4 KiB pages (the domain's memory, the VMM-provided MiB, user pages);
// - before (the VMM's boot, or a native mini-OS run): sections, except the MiB of the
//   trace page (minios/arch/native/head.S maps that one page through a coarse table).
MapSize map_size(uint32_t va) {
    if (va >= kDirectMapBase) return (va & ~0xFFFu) == 0xFFFF0000u ? MapSize::small_page : MapSize::section;
    if (va >= kVmmBase) return MapSize::small_page;  // frame table, MPTs, linear tables, per-domain
    if (S->guest_pages) return MapSize::small_page;
    return (va >> 20) == ((kKernelBase + kTracePageOffset) >> 20) ? MapSize::small_page : MapSize::section;
}

// Looks va up; on a miss charges the walk (cycles per descriptor fetch) to unit u.
void tlb_access(Unit u, uint32_t va) {
    const uint32_t levels = S->tlb->access(va, map_size(va));
    if (levels == 0) return;
    ++S->cur->unit[u].tlbmiss;
    ++S->tlbmiss;
    charge_cycles(u, static_cast<uint64_t>(levels) * S->cfg.walk);
}

// The instruction fetches of a block: its page (and the last instruction's, if another).
[[gnu::noinline]] void itlb(TbInfo* tb) {
    if (S->coh) {
        checked_tlb(tb->unit, tb->vaddr, tb->paddr, tb->vaddr);
        if ((tb->last_va >> 12) != (tb->vaddr >> 12)) checked_tlb(tb->unit, tb->last_va, tb->last_pa, tb->last_va);
        return;
    }
    tlb_access(tb->unit, tb->vaddr);
    if ((tb->last_va >> 12) != (tb->vaddr >> 12)) tlb_access(tb->unit, tb->last_va);
    tb->tlb_gen = S->tlb->generation();
}

[[gnu::noinline]] void dtlb(Unit u, uint32_t va) {
    tlb_access(u, va);
    const uint64_t g = S->tlb->generation();
    if (S->tlb_memo_gen != g) {  // an entry left since the memos were made: forget them
        for (auto& m : S->tlb_memo) m = 0;
        S->tlb_memo_gen = g;
    }
    S->tlb_memo[(va >> 12) % State::kTlbMemo] = (va >> 12) + 1;
}

// ---- timeline helpers ----
uint32_t name_id(const std::string& n) {
    auto it = S->name_ids.find(n);
    if (it != S->name_ids.end()) return it->second;
    const uint32_t id = static_cast<uint32_t>(S->names.size());
    S->names.push_back(n);
    S->name_ids.emplace(n, id);
    return id;
}

std::string dom_name(int dom) {
    if (dom == kDomNone) return "no domain";
    if (dom == static_cast<int>(kTraceIdle)) return "idle";
    return "dom" + std::to_string(dom);
}
std::string dom_label(int dom) {
    if (dom == kDomNone) return "none";
    if (dom == static_cast<int>(kTraceIdle)) return "idle";
    return std::to_string(dom);
}
int dom_pid(int dom) { return dom == kDomNone ? 1 : dom + 2; }  // pid 0: the CPU

void close_slice(Slice& s, bool& open) {
    if (!open) return;
    s.end = S->total_cycles;
    if (S->want_timeline && s.end >= s.begin) S->slices.push_back(s);
    open = false;
}

void open_thread_slice() {
    const int t = current_thread();
    if (t == kThreadNone || S->dom == static_cast<int>(kTraceIdle)) return;
    const int pid = dom_pid(S->dom);
    S->thread_slice = Slice{pid, t, name_id("thread " + std::to_string(t)), S->total_cycles, 0, ""};
    S->thread_open = true;
    S->seen_threads[pid][t] = true;
}

void event(const char* kind, uint64_t value) {
    if (S->events == nullptr) return;
    std::fprintf(S->events, "%" PRIu64 ",%s,0x%08" PRIx64 ",%s,%d,%" PRIu64 ",%" PRIu64 "\n", S->event_seq++, kind,
                 value, dom_label(S->dom).c_str(), current_thread(), S->acc_insns, S->total_cycles);
}

// ---- trace protocol stores ----
void domain_switch(int dom) {
    if (dom == S->dom) return;
    ++S->domain_switches;
    if (!S->guest_pages) {  // xen-arm: guest regions are pages from now on
        S->guest_pages = true;
        S->tlb->forget_memos();
    }
    close_slice(S->thread_slice, S->thread_open);
    close_slice(S->dom_slice, S->dom_open);
    S->dom = dom;
    S->cur = context_for(dom, current_thread());
    S->dom_slice = Slice{0, 0, name_id(dom_name(dom)), S->total_cycles, 0, ""};
    S->dom_open = true;
    open_thread_slice();
    event("domain", static_cast<uint64_t>(dom < 0 ? 0 : dom));
}

void thread_switch(int thread) {
    ++S->thread_switches;
    close_slice(S->thread_slice, S->thread_open);
    S->dom_thread[S->dom] = thread;
    S->cur = context_for(S->dom, thread);
    open_thread_slice();
    event("thread", static_cast<uint64_t>(thread));
}

// ---- the coherence checker ----
void on_exit(qemu_plugin_id_t, void*);
const char* const kStaleNames[3] = {"I-cache", "D-cache", "TLB"};

[[gnu::noinline, gnu::cold]] void report(const Stale& x, uint32_t insn) {
    ++S->stale[static_cast<int>(x.kind)];
    const uint64_t n = S->stale[0] + S->stale[1] + S->stale[2];
    const char* why = x.homonym   ? (x.kind == StaleKind::tlb ? "the entry translates to" : "the line was filled for")
                      : x.at_fill ? "filled from memory older than a dirty line of"
                                  : "the line holds older data than an alias wrote to";
    char b[400];
    std::snprintf(b, sizeof b,
                  "stale %s %s: va 0x%08x pa 0x%08" PRIx64 " (%s 0x%08" PRIx64
                  "), domain %s thread %s, "
                  "instruction 0x%08x, after %" PRIu64 " instructions\n",
                  kStaleNames[static_cast<int>(x.kind)], x.at_fill ? "fill" : "hit", x.va, x.pa, why, x.filled,
                  dom_label(S->dom).c_str(), current_thread() < 0 ? "-" : std::to_string(current_thread()).c_str(),
                  insn, S->g);
    if (n <= 1000) std::fputs(b, S->check);
    if (n <= 5) std::fprintf(stderr, "xatrace: %s", b);
    if (S->cfg.fatal) {
        std::fprintf(stderr, "xatrace: the first stale hit ends the run (fatal=1)\n");
        on_exit(0, nullptr);
        std::fflush(nullptr);
        std::_Exit(kFatalStatus);
    }
}

// A lookup of the TLB with the checker: pa is where the access really goes (kUnknownPa:
// unknown), insn the instruction that made it.
void checked_tlb(Unit u, uint32_t va, uint64_t pa, uint32_t insn) {
    const MapSize size = map_size(va);
    const uint32_t levels = S->tlb->access(va, size);
    const size_t slot = S->tlb->last_slot();
    const uint64_t base = pa - (va & (size == MapSize::section ? 0xFFFFFu : 0xFFFu));
    if (levels != 0) {
        ++S->cur->unit[u].tlbmiss;
        ++S->tlbmiss;
        charge_cycles(u, static_cast<uint64_t>(levels) * S->cfg.walk);
        S->coh->tlb_fill(slot, pa == kUnknownPa ? kUnknownPa : base);
        return;
    }
    Stale x;
    if (pa != kUnknownPa && S->coh->tlb_hit(slot, va, pa, base, &x)) report(x, insn);
}

// The words a block executes from one of its I-cache lines, just looked up (filled: missed).
[[gnu::noinline]] void checked_fetch(TbInfo* tb, uint32_t line_va, bool filled) {
    Coherence& c = *S->coh;
    const size_t slot = S->icache->last_slot();
    uint64_t pa0;  // the physical address of line_va
    if ((line_va >> 12) == (tb->vaddr >> 12) && tb->paddr != kUnknownPa)
        pa0 = tb->paddr + line_va - tb->vaddr;
    else if ((line_va >> 12) == (tb->last_va >> 12) && tb->last_pa != kUnknownPa)
        pa0 = tb->last_pa + line_va - tb->last_va;
    else {
        ++S->unchecked_fetches;
        if (filled) c.ishadow.forget(slot);
        return;
    }
    ++S->checked_fetches;
    const uint32_t from = std::max(line_va, tb->vaddr);
    const uint32_t to = std::min(line_va + S->cfg.line, tb->fallthrough);
    bool f = filled;
    for (uint32_t va = from; va < to; va += 4) {
        Stale x;
        if (c.read(c.ishadow, StaleKind::icache, slot, f, va, pa0 + (va - line_va), &x)) {
            x.at_fill = filled && !x.homonym;  // every word of a line this lookup filled
            report(x, va);
        }
        f = false;
    }
}

struct DcacheWrites final : CacheObserver {
    void written_back(size_t slot) override { S->coh->dshadow.write_back(S->coh->mem, slot); }
    void discarded(size_t slot) override { S->coh->dshadow.discard(S->coh->mem, slot); }
};
DcacheWrites dcache_writes;

// Fault injection (skip=KIND[:N]): whether this CP15 operation is to do nothing.
bool skipped_op(uint8_t kind) {
    for (const auto& [name, nth] : S->cfg.skips)
        if (name == kCpNames[kind] && (nth == 0 || nth == S->cp15_ops[kind])) return true;
    return false;
}

// ---- callbacks ----
void vmm_enter(const std::string& cause) {
    S->vmm_cause = cause;
    S->vmm_open = true;
    S->vmm_slice = Slice{0, 1, name_id(cause), S->total_cycles, 0, ""};
    S->vmm_insns0 = S->acc_insns;
    S->vmm_cycles0 = S->total_cycles;
}

void vmm_leave() {
    if (!S->vmm_open) return;
    HypercallStat& h = S->vmm_entries[S->vmm_cause];
    ++h.count;
    h.insns += S->acc_insns - S->vmm_insns0;
    h.cycles += S->total_cycles - S->vmm_cycles0;
    close_slice(S->vmm_slice, S->vmm_open);
}

std::string swi_name(uint32_t imm, Unit from) {
    if (imm >= kTraceSwiBase) {
        char b[32];
        std::snprintf(b, sizeof b, "trace marker 0x%02x", imm & 0xFF);
        return b;
    }
    if (imm == kSemihostingSwi) return "semihosting";
    if (from == kUnitUser) return "syscall " + std::to_string(imm);
    auto it = S->hypercall_names.find(imm);
    return "hypercall " + (it != S->hypercall_names.end() ? it->second : std::to_string(imm));
}

// What follows the end of a block that ran to its end and needs more than its cycles:
// a SWI, results still in flight.
[[gnu::noinline]] void block_ended(TbInfo* prev, TbInfo* tb) {
    if (prev->last_swi) {
        const uint32_t imm = prev->last_swi_imm;
        if (imm >= kTraceSwiBase) {
            ++S->markers[imm & 0xFF];
            if (S->want_timeline) {
                char a[64];
                std::snprintf(a, sizeof a, "\"domain\": %u, \"thread\": %u", (imm >> 4) & 0xF, imm & 0xF);
                S->instants.push_back(Instant{0, 1, name_id(swi_name(imm, prev->unit)), S->total_cycles, a});
            }
        }
        event("swi", imm);
    }
    if (!prev->tail.empty()) {
        // Results of the previous block's last instructions still in flight: the interlock
        // they cause in this block's first instructions.
        Pipeline carry, clean;
        for (const Pending& p : prev->tail) carry.set_pending(p.reg, p.cycles, p.from_multiply);
        uint64_t with = 0, without = 0;
        for (uint8_t i = 0; i < tb->head_n; ++i) {
            with += carry.issue(tb->head[i]);
            without += clean.issue(tb->head[i]);
        }
        if (with > without) charge_cycles(tb->unit, with - without);
    }
}

// Entering a block at an exception vector, or in another unit than the last block.
[[gnu::noinline, gnu::cold]] void block_transition(TbInfo* prev, TbInfo* tb) {
    // An exception vector entered by an exception: high vectors, or the low ones reached
    // from code that is not itself low (the MMU-off boot code runs there).
    if (tb->vector != kVecNone && (tb->vaddr >= 0xFFFF0000u || (prev != nullptr && prev->unit != kUnitOther))) {
        ++S->exceptions;
        if (tb->vector == kVecIrq || tb->vector == kVecFiq) {
            ++S->irqs;
            event("irq", tb->vaddr);
        }
        // The exception entry itself (the SWI and undefined-instruction entries are
        // already in those instructions' cycles).
        if (tb->vector != kVecSwi && tb->vector != kVecUndef) charge_cycles(tb->unit, cyc::kException);
        if (tb->unit != kUnitVmm && tb->vector != kVecSwi && S->want_timeline)  // native: instants
            S->instants.push_back(Instant{0, 1, name_id(kVectorNames[tb->vector]), S->total_cycles, ""});
    }
    // VMM entries and exits, for the timeline and the per-cause statistics.
    if (tb->unit == kUnitVmm && S->last_unit != kUnitVmm && prev != nullptr) {
        std::string cause = S->dom == kDomNone ? "boot" : "vmm";
        if (tb->vector == kVecSwi && prev->last_swi)
            cause = swi_name(prev->last_swi_imm, prev->unit);
        else if (tb->vector != kVecNone && tb->vaddr >= 0xFFFF0000u)
            cause = kVectorNames[tb->vector];
        vmm_enter(cause);
    } else if (tb->unit != kUnitVmm && S->last_unit == kUnitVmm) {
        vmm_leave();
    }
    S->last_unit = tb->unit;
}

void on_tb_exec(unsigned int, void* udata) {
    auto* tb = static_cast<TbInfo*>(udata);
    TbInfo* prev = S->pend;
    if (prev != nullptr) [[likely]] {
        const uint64_t k = S->g - S->pend_g0;
        if (k >= prev->n) [[likely]] {
            flush(prev->n);
            if (prev->last_conditional_pc && tb->vaddr == prev->fallthrough) {
                // The block's last instruction was a conditional branch that was not taken.
                S->cur->unit[prev->unit].cycles -= prev->last_cond_saving;
                S->total_cycles -= prev->last_cond_saving;
            }
            if (prev->needs_end) [[unlikely]]
                block_ended(prev, tb);
        } else {
            flush(static_cast<uint16_t>(k));  // left early: an abort, or rewound for I/O
        }
    }
    if (tb->vector != kVecNone || tb->unit != S->last_unit) [[unlikely]]
        block_transition(prev, tb);
    if (S->mmu_on && (tb->tlb_gen != S->tlb->generation() || S->coh)) [[unlikely]]
        itlb(tb);
    S->pend = tb;
    S->pend_g0 = S->g;
    S->pend_from = 0;
}

// The cycle an access of instruction ii happens at (the charged cycles plus its block's
// instructions before it).
uint64_t now_at(const InsnInfo* ii) {
    const TbInfo* tb = S->pend;
    if (ii->tb != tb || ii->index <= S->pend_from) return S->total_cycles;
    return S->total_cycles + tb->prefix[ii->index] - tb->prefix[S->pend_from];
}

// A write miss: to the write buffer, stalling while it is full.
[[gnu::noinline]] void buffered_write(InsnInfo* ii, uint32_t line) {
    S->last_buffered = true;
    if (!S->wbuf->enabled()) return;
    const uint64_t stall = S->wbuf->write(now_at(ii), line);
    if (stall == 0) return;
    S->wbuf_stall += stall;
    charge_cycles(ii->unit, stall);
}

// Memory xen-arm maps uncached (the plugin cannot read descriptors, so by the layout): the
// VMM's UNCACHED alias, and once a domain has been announced, every window's shared_info and
// grant-table pages. Such an access goes to memory, bypassing the D-cache, at a device
// access's price.
bool uncached_va(uint32_t va) {
    if (va >= kUncachedBase && va < kUncachedEnd) return true;
    if (!S->guest_pages || !in_kernel_region(va)) return false;
    const uint32_t page = va & kWindowMask & ~0xFFFu;
    return page == kSharedInfoOffset || page == kGrantTableOffset;
}

[[gnu::noinline, gnu::cold]] void io_lookup(qemu_plugin_meminfo_t info, uint64_t vaddr, uint32_t slot) {
    struct qemu_plugin_hwaddr* hw = qemu_plugin_get_hwaddr(info, vaddr);
    S->io_flag[slot] = (hw != nullptr && qemu_plugin_hwaddr_is_io(hw)) || uncached_va(static_cast<uint32_t>(vaddr));
    S->io_page[slot] = static_cast<uint32_t>(vaddr >> 12) + 1;
}

[[gnu::noinline, gnu::cold]] void io_access(Unit u) {
    ++S->cur->unit[u].io;
    ++S->io;
    charge_cycles(u, S->cfg.io);
}

[[gnu::noinline]] void dcache_miss(InsnInfo* ii, Access a, uint32_t line) {
    const Unit u = ii->unit;
    // No forwarding from the write buffer: a pending write to the line goes out first.
    if (S->wbuf->enabled() && S->wbuf->pending_words() != 0) {
        const uint64_t wait = S->wbuf->read(now_at(ii), line);
        S->drain_stall += wait;
        charge_cycles(u, wait);
    }
    Counters& c = S->cur->unit[u];
    ++c.dmiss;
    ++S->dmiss;
    uint64_t penalty = S->cfg.dfill;
    if (a == Access::miss_writeback) {
        ++c.dwb;
        ++S->dwb;
        penalty += S->cfg.wb;
    }
    charge_cycles(u, penalty);
}

[[gnu::noinline, gnu::cold]] void trace_store(InsnInfo* ii, uint32_t vaddr) {
    // Everything up to and including this store belongs to the old context.
    if (ii->tb == S->pend) flush(static_cast<uint16_t>(ii->index + 1));
    const uint32_t id = (vaddr & 0xFFFu) / 4;
    if ((vaddr & ~0xFFFu) == kTraceDomainVa)
        domain_switch(static_cast<int>(id));
    else if (id < kTraceMaxThreads)
        thread_switch(static_cast<int>(id));
}

// A data access with the checker: every word, with its physical address; the same timing.
[[gnu::noinline]] void checked_mem(qemu_plugin_meminfo_t info, uint64_t vaddr64, InsnInfo* ii) {
    State& st = *S;
    Coherence& c = *st.coh;
    const uint32_t vaddr = static_cast<uint32_t>(vaddr64);
    const uint32_t line = vaddr >> st.line_shift;
    // The next word of the same LDM/STM in the same line costs no lookup (as on_mem).
    const bool same = ii->last_g == st.g && line == st.last_line && ii->mem_kind != kMemSwap;
    ii->last_g = st.g;
    st.last_line = line;
    struct qemu_plugin_hwaddr* hw = qemu_plugin_get_hwaddr(info, vaddr64);
    const uint64_t pa = hw == nullptr ? kUnknownPa : qemu_plugin_hwaddr_phys_addr(hw);
    if (st.mmu_on) checked_tlb(ii->unit, vaddr, pa, ii->vaddr);
    if (hw == nullptr || qemu_plugin_hwaddr_is_io(hw)) {
        st.last_line = ~0u;
        io_access(ii->unit);
        return;
    }
    const uint32_t bytes = 1u << qemu_plugin_mem_size_shift(info);
    Stale x;
    if (uncached_va(vaddr)) {
        // Straight to memory: a write makes memory the newest; a read returns memory, which
        // is stale if a dirty line of a cached alias holds newer data.
        st.last_line = ~0u;
        io_access(ii->unit);
        const bool store = ii->mem_kind == kMemStore || (ii->mem_kind == kMemSwap && qemu_plugin_mem_is_store(info));
        for (uint32_t o = 0; o < std::max(bytes, 4u); o += 4) {
            const uint64_t a = (pa + o) & ~3ull;
            if (store) {
                (void)c.write(-1, vaddr + o, a, bytes >= 4, &x);
            } else if (c.mem.mem(a) != c.mem.latest(a)) {
                report(Stale{StaleKind::dcache, false, true, vaddr + o, a, a}, ii->vaddr);
            }
        }
        return;
    }
    if (ii->mem_kind == kMemStore || (ii->mem_kind == kMemSwap && qemu_plugin_mem_is_store(info))) {
        const bool hit = st.dcache->write(vaddr);
        if (hit)
            st.last_buffered = false;
        else if (!same)
            buffered_write(ii, line);
        else if (st.last_buffered && st.wbuf->enabled())
            st.wbuf->extend();
        const long slot = hit ? static_cast<long>(st.dcache->last_slot()) : -1;
        for (uint32_t o = 0; o < std::max(bytes, 4u); o += 4)
            if (c.write(slot, vaddr + o, pa + o, bytes >= 4, &x)) report(x, ii->vaddr);
        const uint32_t base = vaddr & ~0xFFFu;
        if (!same && (base == kTraceDomainVa || trace_thread_page(base))) [[unlikely]]
            trace_store(ii, vaddr);
    } else {
        const Access a = st.dcache->read(vaddr);
        if (a != Access::hit && !same) dcache_miss(ii, a, line);
        bool filled = a != Access::hit;
        for (uint32_t o = 0; o < std::max(bytes, 4u); o += 4) {
            if (c.read(c.dshadow, StaleKind::dcache, st.dcache->last_slot(), filled, vaddr + o, pa + o, &x)) {
                x.at_fill = a != Access::hit && !x.homonym;
                report(x, ii->vaddr);
            }
            filled = false;
        }
    }
}

void on_mem(unsigned int, qemu_plugin_meminfo_t info, uint64_t vaddr64, void* udata) {
    auto* ii = static_cast<InsnInfo*>(udata);
    State& st = *S;
    if (st.coh) [[unlikely]] {
        checked_mem(info, vaddr64, ii);
        return;
    }
    const uint32_t vaddr = static_cast<uint32_t>(vaddr64);
    const uint32_t line = vaddr >> st.line_shift;
    // The next word of the same LDM/STM in the same line: its fate is the previous word's.
    if (ii->last_g == st.g && line == st.last_line && ii->mem_kind != kMemSwap) {
        if (st.last_buffered && ii->mem_kind == kMemStore && st.wbuf->enabled()) st.wbuf->extend();
        return;
    }
    ii->last_g = st.g;
    st.last_line = line;
    const uint32_t page = vaddr >> 12;
    if (st.mmu_on && (st.tlb_memo[page % State::kTlbMemo] != page + 1 || st.tlb->generation() != st.tlb_memo_gen))
        [[unlikely]]
        dtlb(ii->unit, vaddr);
    const uint32_t slot = page % State::kIoMemo;
    if (st.io_page[slot] != page + 1) [[unlikely]]
        io_lookup(info, vaddr64, slot);
    if (st.io_flag[slot]) [[unlikely]] {
        st.last_line = ~0u;  // every device access counts
        io_access(ii->unit);
    } else if (ii->mem_kind == kMemStore || (ii->mem_kind == kMemSwap && qemu_plugin_mem_is_store(info))) {
        if (st.dcache->write(vaddr))
            st.last_buffered = false;
        else
            buffered_write(ii, line);  // a miss goes to the write buffer
        const uint32_t base = vaddr & ~0xFFFu;
        if (base == kTraceDomainVa || trace_thread_page(base)) [[unlikely]]
            trace_store(ii, vaddr);
    } else {
        const Access a = st.dcache->read(vaddr);
        if (a != Access::hit) [[unlikely]]
            dcache_miss(ii, a, line);
    }
}

// CP15 c7 cache operations (executed before the instruction runs: charge what precedes).
void on_cp15(unsigned int, void* udata) {
    auto* ii = static_cast<InsnInfo*>(udata);
    if (ii->tb == S->pend) flush(ii->index);
    const Unit u = ii->tb->unit;
    ++S->cp15_ops[ii->cp15_kind];
    if (S->coh && skipped_op(ii->cp15_kind)) [[unlikely]] {
        ++S->skipped[ii->cp15_kind];  // fault injection: the operation did nothing
        return;
    }
    switch (ii->cp15_kind) {
        case kCpInvIAll: S->icache->invalidate_all(); break;
        case kCpInvDAll: S->dcache->invalidate_all(); break;
        case kCpInvAll:
            S->icache->invalidate_all();
            S->dcache->invalidate_all();
            break;
        case kCpTestClean:
        case kCpTestCleanInv: {
            // QEMU reports "clean" at once, so the test-and-clean loop runs once; the hardware
            // runs it once more per dirty line (MRC + taken BNE) and writes each line back.
            const uint32_t dirty = S->dcache->clean_all();
            S->cur->unit[u].dwb += dirty;
            S->dwb += dirty;
            charge_cycles(u, static_cast<uint64_t>(dirty) * (cyc::kMrc + cyc::kBranch + S->cfg.wb));
            if (ii->cp15_kind == kCpTestCleanInv) S->dcache->invalidate_all();
            break;
        }
        case kCpTlbAll:
            S->tlb->invalidate_all();
            ++S->tlb_flushes;
            for (auto& p : S->io_page) p = 0;
            break;
        case kCpTlbEntry:
            // The entry's MVA is in a register, which the plugin cannot read: counted, and the
            // TLB left as it is (at most one walk per such operation is missed). The checker
            // must not keep an entry the program dropped: it empties the TLB.
            ++S->tlb_entry_ops;
            if (S->coh) S->tlb->invalidate_all();
            for (auto& p : S->io_page) p = 0;
            break;
        case kCpTtbr:
            S->mmu_on = true;
            ++S->ttbr_writes;
            for (auto& p : S->io_page) p = 0;
            break;
        case kCpMapping:
            for (auto& p : S->io_page) p = 0;
            break;
        // Operations by address (registered with the checker only): over the whole cache, so
        // the checker never keeps a line the program cleaned or dropped.
        case kCpDrain: {
            const uint64_t wait = S->wbuf->drain(S->total_cycles);
            S->drain_stall += wait;
            charge_cycles(u, wait);
            break;
        }
        case kCpInvILine: S->icache->invalidate_all(); break;
        case kCpCleanDLine: S->dcache->clean_all(); break;
        case kCpInvDLine:  // without its address, dropping dirty lines would lose data: clean too
        case kCpCleanInvDLine:
            S->dcache->clean_all();
            S->dcache->invalidate_all();
            break;
        default: break;
    }
}

State::Snapshot snapshot() {
    State::Snapshot snap;
    for (const auto& [key, ctx] : S->contexts) {
        auto& row = snap.rows[key];
        for (int u = 0; u < kUnits; ++u) row[static_cast<size_t>(u)] = ctx->unit[u];
    }
    snap.total = Counters{S->acc_insns, S->total_cycles, S->imiss, S->dmiss, S->dwb, S->io, S->tlbmiss};
    return snap;
}

void on_probe(unsigned int, void* udata) {
    auto* ii = static_cast<InsnInfo*>(udata);
    if (ii->tb == S->pend) flush(ii->index);
    const uint32_t as_linked = window0_address(ii->vaddr);
    event("probe", as_linked);
    if (as_linked == S->cfg.window && S->cfg.window != 0) {
        if (S->window_hits++ == 0) S->window_first = snapshot();
        S->window_last = snapshot();
    }
}

Cp15Kind cp15_kind(const InsnTiming& t) {
    if (t.kind == Kind::cp15_mcr && t.cp15.crn == 2) return kCpTtbr;
    if (t.kind == Kind::cp15_mcr && t.cp15.crn == 8) {  // TLB operations ([T926] c8)
        const bool unified_i_or_d = t.cp15.opc1 == 0 && (t.cp15.crm == 5 || t.cp15.crm == 6 || t.cp15.crm == 7);
        if (unified_i_or_d && t.cp15.opc2 == 0) return kCpTlbAll;
        if (unified_i_or_d && t.cp15.opc2 == 1) return kCpTlbEntry;
        return kCpMapping;
    }
    if (t.cp15.crn != 7 || t.cp15.opc1 != 0) return kCpNone;
    const uint8_t crm = t.cp15.crm, op2 = t.cp15.opc2;
    if (t.kind == Kind::cp15_mcr) {
        if (crm == 7 && op2 == 0) return kCpInvAll;
        if (crm == 5 && op2 == 0) return kCpInvIAll;
        if (crm == 6 && op2 == 0) return kCpInvDAll;
        if (op2 == 1 || op2 == 2) {  // by MVA or by set/way: the operand is in a register
            if (crm == 5) return kCpInvILine;
            if (crm == 6) return kCpInvDLine;
            if (crm == 10) return kCpCleanDLine;
            if (crm == 14) return kCpCleanInvDLine;
        }
        if (crm == 10 && op2 == 4) return kCpDrain;
        return kCpOther;  // drain, WFI
    }
    if (crm == 10 && op2 == 3) return kCpTestClean;
    if (crm == 14 && op2 == 3) return kCpTestCleanInv;
    return kCpOther;
}

void on_tb_trans(qemu_plugin_id_t, struct qemu_plugin_tb* qtb) {
    const size_t n = qemu_plugin_tb_n_insns(qtb);
    if (n == 0) return;
    ++S->tbs;
    auto* tb = new TbInfo;  // lives as long as QEMU may run the block: never freed
    tb->vaddr = static_cast<uint32_t>(qemu_plugin_tb_vaddr(qtb));
    tb->n = static_cast<uint16_t>(n);
    tb->unit = unit_of(tb->vaddr);
    tb->vector = vector_of(tb->vaddr);
    tb->last_conditional_pc = false;
    tb->last_swi = false;
    tb->last_cond_saving = 0;
    tb->last_swi_imm = 0;
    tb->prefix = std::make_unique<uint32_t[]>(n + 1);
    tb->lines_upto = std::make_unique<uint16_t[]>(n + 1);
    tb->insns = std::make_unique<InsnInfo[]>(n);

    Pipeline pipe;
    const uint32_t line_mask = ~(S->cfg.line - 1);
    uint32_t last_line = 0;
    bool have_line = false;
    tb->prefix[0] = 0;
    tb->lines_upto[0] = 0;
    for (size_t i = 0; i < n; ++i) {
        struct qemu_plugin_insn* qi = qemu_plugin_tb_get_insn(qtb, i);
        const uint32_t va = static_cast<uint32_t>(qemu_plugin_insn_vaddr(qi));
        const size_t size = qemu_plugin_insn_size(qi);
        InsnTiming t;
        if (size == 4) {
            uint32_t word;
            std::memcpy(&word, qemu_plugin_insn_data(qi), 4);
            t = decode_arm(word);
        } else {
            t.kind = Kind::thumb;
            t.cycles = cyc::kThumb;
        }
        InsnInfo& ii = tb->insns[i];
        const uint8_t mem_kind = t.kind == Kind::swap ? kMemSwap : t.kind == Kind::store ? kMemStore : kMemLoad;
        ii = InsnInfo{tb, va, static_cast<uint16_t>(i), tb->unit, mem_kind, 0, kCpNone, 0};
        const uint32_t cost = pipe.issue(t);
        tb->prefix[i + 1] = tb->prefix[i] + cost;
        if (i < 3) tb->head[tb->head_n++] = t;

        if (t.accesses_memory) {
            // A conditional load/store whose memory callback does not run failed its
            // condition: one cycle instead of its cost (flush() takes the difference off).
            if (t.conditional && !t.writes_pc && cost > cyc::kCondFailed) {
                ii.cond_saving = static_cast<uint8_t>(cost - cyc::kCondFailed);
                tb->cond_mem.push_back(static_cast<uint16_t>(i));
            }
            qemu_plugin_register_vcpu_mem_cb(qi, on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, &ii);
        }
        qemu_plugin_register_vcpu_insn_exec_inline(qi, QEMU_PLUGIN_INLINE_ADD_U64, &S->g, 1);
        if (t.kind == Kind::cp15_mcr || t.kind == Kind::cp15_mrc) {
            ii.cp15_kind = cp15_kind(t);
            const bool by_line = ii.cp15_kind >= kCpInvILine && ii.cp15_kind <= kCpCleanInvDLine;
            if (ii.cp15_kind != kCpNone && ii.cp15_kind != kCpOther && (!by_line || S->coh))
                qemu_plugin_register_vcpu_insn_exec_cb(qi, on_cp15, QEMU_PLUGIN_CB_NO_REGS, &ii);
        }
        const uint32_t as_linked = window0_address(va);
        if (std::find(S->cfg.probes.begin(), S->cfg.probes.end(), as_linked) != S->cfg.probes.end() ||
            (as_linked == S->cfg.window && S->cfg.window != 0))
            qemu_plugin_register_vcpu_insn_exec_cb(qi, on_probe, QEMU_PLUGIN_CB_NO_REGS, &ii);

        const uint32_t line = va & line_mask;
        if (!have_line || line != last_line) {
            tb->lines.push_back(line);
            last_line = line;
            have_line = true;
        }
        const uint32_t end_line = (va + static_cast<uint32_t>(size) - 1) & line_mask;
        if (end_line != last_line) {  // an instruction straddling two lines (Thumb-2 only)
            tb->lines.push_back(end_line);
            last_line = end_line;
        }
        tb->lines_upto[i + 1] = static_cast<uint16_t>(tb->lines.size());

        if (S->coh && (i == 0 || i + 1 == n)) {
            // Physical addresses from the host address of the code (guest RAM is one host
            // mapping): its offset is learnt from code run before the MMU is on (VA = PA).
            const auto host = reinterpret_cast<uintptr_t>(qemu_plugin_insn_haddr(qi));
            if (host != 0 && !S->mmu_on && !S->have_ram_offset) {
                S->ram_offset = host - va;
                S->have_ram_offset = true;
            }
            const uint64_t pa =
                (host != 0 && S->have_ram_offset) ? static_cast<uint64_t>(host - S->ram_offset) : kUnknownPa;
            if (i == 0) tb->paddr = pa;
            if (i + 1 == n) tb->last_pa = pa;
        }
        if (i + 1 == n) {
            tb->last_va = va;
            tb->fallthrough = va + static_cast<uint32_t>(size);
            if (t.writes_pc && t.conditional) {
                tb->last_conditional_pc = true;
                tb->last_cond_saving = static_cast<uint8_t>(t.cycles - cyc::kCondFailed);
            }
            if (t.kind == Kind::swi) {
                tb->last_swi = true;
                tb->last_swi_imm = t.swi_imm;
            }
        }
    }
    for (unsigned r = 0; r < 16; ++r) {
        const uint32_t p = pipe.pending(r);
        if (p > 0)
            tb->tail.push_back(
                Pending{static_cast<uint8_t>(r), static_cast<uint8_t>(p), pipe.pending_from_multiply(r)});
    }
    tb->needs_end = tb->last_swi || !tb->tail.empty();
    qemu_plugin_register_vcpu_tb_exec_cb(qtb, on_tb_exec, QEMU_PLUGIN_CB_NO_REGS, tb);
}

// ---- output ----
std::string thread_label(int t) { return t == kThreadNone ? "-" : std::to_string(t); }

void write_row(FILE* f, const std::string& dom, const std::string& thread, const char* unit, const Counters& c) {
    std::fprintf(f,
                 "%s,%s,%s,%" PRIu64 ",%" PRIu64 ",%.4f,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
                 dom.c_str(), thread.c_str(), unit, c.insns, c.cycles,
                 c.insns ? static_cast<double>(c.cycles) / static_cast<double>(c.insns) : 0.0, c.imiss, c.dmiss, c.dwb,
                 c.io, c.tlbmiss);
}

constexpr const char* kCsvHeader =
    "domain,thread,unit,instructions,cycles,cpi,icache_misses,dcache_misses,dcache_writebacks,io_accesses,tlb_misses\n";

// Rows sorted by (domain, thread, unit): "none" first, then 0.., then idle (255); the
// last row is the grand total, from the plugin's own counters (for the whole run: the
// inline instruction counter QEMU increments for every instruction).
void write_csv() {
    if (S->cfg.csv.empty()) return;
    FILE* f = std::fopen(S->cfg.csv.c_str(), "w");
    if (f == nullptr) {
        std::fprintf(stderr, "xatrace: cannot write %s\n", S->cfg.csv.c_str());
        return;
    }
    std::fputs(kCsvHeader, f);
    for (const auto& [key, ctx] : S->contexts) {
        for (int u = 0; u < kUnits; ++u) {
            const Counters& c = ctx->unit[u];
            if (c.insns != 0 || c.cycles != 0)
                write_row(f, dom_label(ctx->dom), thread_label(ctx->thread), kUnitNames[u], c);
        }
    }
    write_row(f, "all", "all", "total", Counters{S->g, S->total_cycles, S->imiss, S->dmiss, S->dwb, S->io, S->tlbmiss});
    std::fclose(f);
}

Counters minus(const Counters& a, const Counters& b) {
    return Counters{a.insns - b.insns, a.cycles - b.cycles, a.imiss - b.imiss,    a.dmiss - b.dmiss,
                    a.dwb - b.dwb,     a.io - b.io,         a.tlbmiss - b.tlbmiss};
}

// The same rows for the window: from the first to the last execution of the window probe.
void write_window_csv() {
    if (S->cfg.window_csv.empty()) return;
    FILE* f = std::fopen(S->cfg.window_csv.c_str(), "w");
    if (f == nullptr) {
        std::fprintf(stderr, "xatrace: cannot write %s\n", S->cfg.window_csv.c_str());
        return;
    }
    std::fputs(kCsvHeader, f);
    const State::Snapshot& a = S->window_first;
    const State::Snapshot& b = S->window_last;
    for (const auto& [key, units] : b.rows) {
        auto it = a.rows.find(key);
        for (size_t u = 0; u < kUnits; ++u) {
            const Counters c = it == a.rows.end() ? units[u] : minus(units[u], it->second[u]);
            if (c.insns != 0 || c.cycles != 0)
                write_row(f, dom_label(key.first), thread_label(key.second), kUnitNames[u], c);
        }
    }
    write_row(f, "all", "all", "total", minus(b.total, a.total));
    std::fclose(f);
}

std::string json_escape(const std::string& s) {
    std::string o;
    for (char ch : s) {
        if (ch == '"' || ch == '\\') o += '\\';
        o += ch;
    }
    return o;
}

void write_timeline() {
    if (S->cfg.timeline.empty()) return;
    FILE* f = std::fopen(S->cfg.timeline.c_str(), "w");
    if (f == nullptr) {
        std::fprintf(stderr, "xatrace: cannot write %s\n", S->cfg.timeline.c_str());
        return;
    }
    const double us_per_cycle = 1.0 / S->cfg.mhz;
    std::fprintf(f,
                 "{\"displayTimeUnit\": \"ns\", \"otherData\": {\"clock\": \"modelled cycles at %.0f MHz\"},\n"
                 "\"traceEvents\": [\n",
                 S->cfg.mhz);
    bool first = true;
    auto sep = [&] {
        std::fputs(first ? "" : ",\n", f);
        first = false;
    };
    auto meta = [&](int pid, int tid, const char* what, const std::string& name) {
        sep();
        std::fprintf(f, "{\"ph\": \"M\", \"pid\": %d, \"tid\": %d, \"name\": \"%s\", \"args\": {\"name\": \"%s\"}}",
                     pid, tid, what, json_escape(name).c_str());
    };
    meta(0, 0, "process_name", "CPU");
    meta(0, 0, "thread_name", "domain on the CPU");
    meta(0, 1, "thread_name", "VMM entries (hypercalls, interrupts)");
    for (const auto& [pid, tids] : S->seen_threads) {
        meta(pid, 0, "process_name", pid == 1 ? "no domain (native)" : dom_name(pid - 2));
        for (const auto& [tid, _] : tids) meta(pid, tid, "thread_name", "thread " + std::to_string(tid));
    }
    for (const Slice& s : S->slices) {
        sep();
        std::fprintf(f,
                     "{\"ph\": \"X\", \"pid\": %d, \"tid\": %d, \"name\": \"%s\", \"ts\": %.3f, \"dur\": %.3f%s%s%s}",
                     s.pid, s.tid, json_escape(S->names[s.name]).c_str(), static_cast<double>(s.begin) * us_per_cycle,
                     static_cast<double>(s.end - s.begin) * us_per_cycle, s.args.empty() ? "" : ", \"args\": {",
                     s.args.c_str(), s.args.empty() ? "" : "}");
    }
    for (const Instant& e : S->instants) {
        sep();
        std::fprintf(f, "{\"ph\": \"i\", \"s\": \"t\", \"pid\": %d, \"tid\": %d, \"name\": \"%s\", \"ts\": %.3f%s%s%s}",
                     e.pid, e.tid, json_escape(S->names[e.name]).c_str(), static_cast<double>(e.at) * us_per_cycle,
                     e.args.empty() ? "" : ", \"args\": {", e.args.c_str(), e.args.empty() ? "" : "}");
    }
    std::fputs("\n]}\n", f);
    std::fclose(f);
}

void write_stats() {
    if (S->cfg.stats.empty()) return;
    FILE* f = std::fopen(S->cfg.stats.c_str(), "w");
    if (f == nullptr) return;
    const Config& c = S->cfg;
    std::fprintf(f, "{\n  \"instructions\": %" PRIu64 ",\n  \"cycles\": %" PRIu64 ",\n", S->g, S->total_cycles);
    std::fprintf(f, "  \"window_hits\": %" PRIu64 ",\n", S->window_hits);
    std::fprintf(f, "  \"icache_misses\": %" PRIu64 ",\n  \"dcache_misses\": %" PRIu64 ",\n", S->imiss, S->dmiss);
    std::fprintf(f, "  \"dcache_writebacks\": %" PRIu64 ",\n  \"io_accesses\": %" PRIu64 ",\n", S->dwb, S->io);
    std::fprintf(f, "  \"write_buffer_stall_cycles\": %" PRIu64 ",\n  \"write_buffer_drain_cycles\": %" PRIu64 ",\n",
                 S->wbuf_stall, S->drain_stall);
    std::fprintf(f,
                 "  \"tlb_misses\": %" PRIu64 ",\n  \"tlb_flushes\": %" PRIu64
                 ",\n  \"tlb_entry_invalidates\": %" PRIu64 ",\n  \"ttbr_writes\": %" PRIu64 ",\n",
                 S->tlbmiss, S->tlb_flushes, S->tlb_entry_ops, S->ttbr_writes);
    std::fprintf(f, "  \"domain_switches\": %" PRIu64 ",\n  \"thread_switches\": %" PRIu64 ",\n", S->domain_switches,
                 S->thread_switches);
    std::fprintf(
        f, "  \"interrupts\": %" PRIu64 ",\n  \"exceptions\": %" PRIu64 ",\n  \"blocks_translated\": %" PRIu64 ",\n",
        S->irqs, S->exceptions, S->tbs);
    std::fprintf(f,
                 "  \"model\": {\"icache\": %u, \"dcache\": %u, \"ways\": %u, \"line\": %u, \"ifill\": %u, "
                 "\"dfill\": %u, \"wb\": %u, \"io\": %u, \"tlb\": %u, \"tlb_ways\": %u, \"walk\": %u, \"mhz\": %.1f, "
                 "\"wbuf_addrs\": %u, \"wbuf_words\": %u, \"wbuf_lat\": %u, \"wbuf_word\": %u},\n",
                 c.icache, c.dcache, c.ways, c.line, c.ifill, c.dfill, c.wb, c.io, c.tlb, c.tlb_ways, c.walk, c.mhz,
                 c.wbuf_addrs, c.wbuf_words, c.wbuf_lat, c.wbuf_word);
    if (S->coh) {
        std::fprintf(f,
                     "  \"coherence\": {\"stale_icache\": %" PRIu64 ", \"stale_dcache\": %" PRIu64
                     ", \"stale_tlb\": %" PRIu64 ", \"operations\": {",
                     S->stale[0], S->stale[1], S->stale[2]);
        bool f1 = true;
        for (int k = 1; k < kCpKinds; ++k) {
            if (kCpNames[k][0] == '\0') continue;
            std::fprintf(f, "%s\"%s\": %" PRIu64, f1 ? "" : ", ", kCpNames[k], S->cp15_ops[k]);
            f1 = false;
        }
        std::fprintf(f, "}, \"fetches_checked\": %" PRIu64 ", \"fetches_unchecked\": %" PRIu64, S->checked_fetches,
                     S->unchecked_fetches);
        std::fprintf(f, ", \"skipped\": {");
        f1 = true;
        for (int k = 1; k < kCpKinds; ++k) {
            if (S->skipped[k] == 0) continue;
            std::fprintf(f, "%s\"%s\": %" PRIu64, f1 ? "" : ", ", kCpNames[k], S->skipped[k]);
            f1 = false;
        }
        std::fprintf(f, "}},\n");
    }
    std::fprintf(f, "  \"markers\": {");
    bool first = true;
    for (const auto& [code, count] : S->markers) {
        std::fprintf(f, "%s\"0x%02x\": %" PRIu64, first ? "" : ", ", code, count);
        first = false;
    }
    std::fprintf(f, "},\n  \"vmm_entries\": {");
    first = true;
    for (const auto& [cause, h] : S->vmm_entries) {
        std::fprintf(f,
                     "%s\n    \"%s\": {\"count\": %" PRIu64 ", \"instructions\": %" PRIu64 ", \"cycles\": %" PRIu64 "}",
                     first ? "" : ",", json_escape(cause).c_str(), h.count, h.insns, h.cycles);
        first = false;
    }
    std::fprintf(f, "\n  }\n}\n");
    std::fclose(f);
}

void on_exit(qemu_plugin_id_t, void*) {
    if (S->pend != nullptr) flush(static_cast<uint16_t>(std::min<uint64_t>(S->g - S->pend_g0, S->pend->n)));
    vmm_leave();
    close_slice(S->thread_slice, S->thread_open);
    close_slice(S->dom_slice, S->dom_open);
    write_csv();
    write_window_csv();
    write_timeline();
    write_stats();
    if (S->events != nullptr) std::fclose(S->events);
    S->events = nullptr;
    if (S->check != nullptr) {
        std::fprintf(S->check, "stale hits: I-cache %" PRIu64 ", D-cache %" PRIu64 ", TLB %" PRIu64 "\n", S->stale[0],
                     S->stale[1], S->stale[2]);
        std::fclose(S->check);
        S->check = nullptr;
    }
}

void load_hypercall_names(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "r");
    if (f == nullptr) return;
    char line[512], name[128];
    unsigned num;
    while (std::fgets(line, sizeof line, f) != nullptr) {
        if (std::sscanf(line, " #define XA_HYPERCALL_%127s %u", name, &num) == 2 && std::strcmp(name, "COUNT") != 0)
            S->hypercall_names[num] = name;
    }
    std::fclose(f);
}

bool parse_u32(const char* v, uint32_t& out) {
    char* end = nullptr;
    const unsigned long x = std::strtoul(v, &end, 0);
    if (end == v || *end != '\0') return false;
    out = static_cast<uint32_t>(x);
    return true;
}

bool pow2(uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace
}  // namespace xatrace

extern "C" QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t* info, int argc,
                                                      char** argv) {
    using namespace xatrace;
    if (std::strcmp(info->target_name, "arm") != 0) {
        std::fprintf(stderr, "xatrace: only for qemu-system-arm (got %s)\n", info->target_name);
        return -1;
    }
    S = new State;
    Config& c = S->cfg;
    for (int i = 0; i < argc; ++i) {
        const char* eq = std::strchr(argv[i], '=');
        if (eq == nullptr) {
            std::fprintf(stderr, "xatrace: argument '%s' is not key=value\n", argv[i]);
            return -1;
        }
        const std::string key(argv[i], static_cast<size_t>(eq - argv[i]));
        const char* v = eq + 1;
        uint32_t num = 0;
        bool ok = true;
        if (key == "csv")
            c.csv = v;
        else if (key == "timeline")
            c.timeline = v;
        else if (key == "stats")
            c.stats = v;
        else if (key == "events")
            c.events = v;
        else if (key == "hypercalls")
            c.hypercalls = v;
        else if (key == "window")
            ok = parse_u32(v, c.window);
        else if (key == "window_csv")
            c.window_csv = v;
        else if (key == "mhz")
            c.mhz = std::strtod(v, nullptr);
        else if (key == "probe") {
            ok = parse_u32(v, num);
            c.probes.push_back(num);
        } else if (key == "icache")
            ok = parse_u32(v, c.icache) && pow2(c.icache);
        else if (key == "dcache")
            ok = parse_u32(v, c.dcache) && pow2(c.dcache);
        else if (key == "ways")
            ok = parse_u32(v, c.ways) && c.ways > 0 && c.ways <= 64;
        else if (key == "line")
            ok = parse_u32(v, c.line) && pow2(c.line) && c.line >= 4;
        else if (key == "ifill")
            ok = parse_u32(v, c.ifill);
        else if (key == "dfill")
            ok = parse_u32(v, c.dfill);
        else if (key == "wb")
            ok = parse_u32(v, c.wb);
        else if (key == "io")
            ok = parse_u32(v, c.io);
        else if (key == "tlb")
            ok = parse_u32(v, c.tlb) && c.tlb > 0;
        else if (key == "tlb_ways")
            ok = parse_u32(v, c.tlb_ways) && c.tlb_ways > 0 && c.tlb_ways <= 64;
        else if (key == "walk")
            ok = parse_u32(v, c.walk);
        else if (key == "wbuf_addrs")
            ok = parse_u32(v, c.wbuf_addrs);
        else if (key == "wbuf_words")
            ok = parse_u32(v, c.wbuf_words) && c.wbuf_words > 0;
        else if (key == "wbuf_lat")
            ok = parse_u32(v, c.wbuf_lat);
        else if (key == "wbuf_word")
            ok = parse_u32(v, c.wbuf_word);
        else if (key == "check")
            c.check = v;
        else if (key == "fatal") {
            ok = parse_u32(v, num) && num <= 1;
            c.fatal = num == 1;
        } else if (key == "skip") {
            const char* colon = std::strchr(v, ':');
            const std::string name = colon ? std::string(v, static_cast<size_t>(colon - v)) : std::string(v);
            ok = colon == nullptr || (parse_u32(colon + 1, num) && num > 0);
            ok = ok && std::find_if(std::begin(kCpNames), std::end(kCpNames),
                                    [&](const char* k) { return k[0] != '\0' && name == k; }) != std::end(kCpNames);
            c.skips.emplace_back(name, colon ? num : 0);
        } else
            ok = false;
        if (!ok || c.mhz <= 0) {
            std::fprintf(stderr, "xatrace: bad argument '%s'\n", argv[i]);
            return -1;
        }
    }
    if (c.icache / c.line < c.ways || c.dcache / c.line < c.ways) {
        std::fprintf(stderr, "xatrace: a cache smaller than one line per way\n");
        return -1;
    }
    if (c.tlb % c.tlb_ways != 0 || !pow2(c.tlb / c.tlb_ways)) {
        std::fprintf(stderr, "xatrace: tlb / tlb_ways must be a power of two\n");
        return -1;
    }
    S->tlb = std::make_unique<Tlb>(c.tlb, c.tlb_ways);
    S->icache = std::make_unique<Cache>(c.icache, c.ways, c.line);
    S->dcache = std::make_unique<Cache>(c.dcache, c.ways, c.line);
    S->wbuf = std::make_unique<WriteBuffer>(c.wbuf_addrs, c.wbuf_words, c.wbuf_lat, c.wbuf_word);
    S->want_timeline = !c.timeline.empty();
    if ((c.fatal || !c.skips.empty()) && c.check.empty()) {
        std::fprintf(stderr, "xatrace: fatal= and skip= need the checker (check=FILE)\n");
        return -1;
    }
    if (!c.check.empty()) {
        S->check = std::fopen(c.check.c_str(), "w");
        if (S->check == nullptr) {
            std::fprintf(stderr, "xatrace: cannot write %s\n", c.check.c_str());
            return -1;
        }
        S->coh = std::make_unique<Coherence>(S->icache->slots(), S->dcache->slots(), c.tlb, c.line);
        S->dcache->set_observer(&dcache_writes);
    }
    while ((1u << S->line_shift) < c.line) ++S->line_shift;
    while ((1u << S->line_shift) > c.line) --S->line_shift;
    if (!c.hypercalls.empty()) load_hypercall_names(c.hypercalls);
    if (!c.events.empty()) {
        S->events = std::fopen(c.events.c_str(), "w");
        if (S->events == nullptr) {
            std::fprintf(stderr, "xatrace: cannot write %s\n", c.events.c_str());
            return -1;
        }
        std::fputs("seq,kind,value,domain,thread,instructions,cycles\n", S->events);
    }
    S->cur = context_for(kDomNone, kThreadNone);
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_tb_trans);
    qemu_plugin_register_atexit_cb(id, on_exit, nullptr);
    return 0;
}
