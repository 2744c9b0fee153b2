// ARM926EJ-S (ARM9EJ-S core) instruction timing: every cycle count the model uses, with
// its source, and the decoder that turns an ARM instruction word into them.
//
// Sources (README.md "Timing sources" has the full table):
//   [T9EJ]  ARM9EJ-S TRM, ARM DDI 0222B, 8.1 "Instruction cycle count summary", Table 8.2
//           (the part of it that is readable: data processing, LDR/STR, LDRD/STRD, LDM).
//   [T9E]   ARM9E-S TRM, ARM DDI 0165B, chapter 8 "Instruction Cycle Times": load-use
//           interlocks (two cycles for byte/halfword loads, one for the instruction after).
//   [T7EJ]  ARM7EJ-S TRM, ARM DDI 0214B, 9.9 "Multiply and multiply accumulate": the
//           ARM9E-S-family multiplier (MUL/MLA 2 + 1 interlock, MULS 4, long 3 + 1, long S 5,
//           an accumulate of the previous multiply's result does not interlock).
//   [GCC]   GCC's arm926ejs.md pipeline description ("based on the ARM926EJ-S TRM"):
//           SMULxy/SMLAxy/SMLAWx latency 2 in one cycle, SMLALxy two cycles + 1.
//   UNVERIFIED: rows of Table 8.2 that are not readable in any source at hand (branches,
//           SWI, MRS/MSR, coprocessor transfers, SWP, LDM with the PC, STM). Their values
//           are the usual ARM9E-S figures and are marked as such below and in README.md.
#pragma once

#include <cstdint>

namespace xatrace {

// ---- cycle counts (issue cycles; "+L" = extra result latency seen by a consumer) ----
namespace cyc {
inline constexpr uint32_t kDataOp = 1;            // [T9EJ] normal case
inline constexpr uint32_t kDataOpRegShift = 2;    // [T9EJ] register-controlled shift
inline constexpr uint32_t kDataOpPcArith = 3;     // [T9EJ] PC dest, ADD/SUB/RSB/ADC/SBC
inline constexpr uint32_t kDataOpPcLogical = 4;   // [T9EJ] PC dest, RSC/ORR/EOR/MOV/BIC (+AND/MVN)
inline constexpr uint32_t kDataOpPcShift = 4;     // [T9EJ] PC dest with an operand shift
inline constexpr uint32_t kDataOpPcRegShift = 5;  // UNVERIFIED: not in the table; 4 + 1
inline constexpr uint32_t kClz = 1;               // [T9EJ]
inline constexpr uint32_t kLoad = 1;              // [T9EJ] LDR normal case
inline constexpr uint32_t kLoadScaled = 2;        // [T9EJ] LDR with a shifted register offset
inline constexpr uint32_t kLoadPc = 5;            // [T9EJ] LDR to the PC
inline constexpr uint32_t kLoadPcScaled = 6;      // [T9EJ] LDR to the PC, scaled offset
inline constexpr uint32_t kLoadWordLatency = 1;   // [T9EJ] 1-cycle load-use interlock
inline constexpr uint32_t kLoadByteLatency = 2;   // [T9EJ][T9E] byte/halfword: 2 (next), 1 (after)
inline constexpr uint32_t kStore = 1;             // [T9EJ] STR normal case
inline constexpr uint32_t kStoreScaled = 2;       // [T9EJ] STR with a scaled offset
inline constexpr uint32_t kLoadDouble = 2;        // [T9EJ] LDRD (+1 if the last word is used next)
inline constexpr uint32_t kStoreDouble = 2;       // [T9EJ] STRD
inline constexpr uint32_t kLdmOne = 2;            // [T9EJ] LDM of 1 register, not the PC
                                                  // [T9EJ] LDM of n > 1 registers: n
inline constexpr uint32_t kLdmPcExtra = 4;        // UNVERIFIED: LDM with the PC n + 4 (1 reg: 5 = LDR pc)
inline constexpr uint32_t kStmOne = 2;            // UNVERIFIED: STM of 1 register 2, n > 1: n
inline constexpr uint32_t kSwap = 2;              // UNVERIFIED: SWP/SWPB 2 (+ load latency)
inline constexpr uint32_t kMul = 2;               // [T7EJ] MUL/MLA, +1 result latency
inline constexpr uint32_t kMulS = 4;              // [T7EJ] MULS/MLAS, no interlock
inline constexpr uint32_t kMulLong = 3;           // [T7EJ] UMULL/UMLAL/SMULL/SMLAL, +1
inline constexpr uint32_t kMulLongS = 5;          // [T7EJ] flag-setting long multiplies
inline constexpr uint32_t kMulHalf = 1;           // [GCC] SMULxy/SMLAxy/SMULWy/SMLAWy, +1
inline constexpr uint32_t kMulHalfLong = 2;       // [GCC] SMLALxy, +1
inline constexpr uint32_t kMulLatency = 1;        // [T7EJ][GCC] result one cycle late
inline constexpr uint32_t kSaturating = 1;        // UNVERIFIED: QADD/QSUB/QDADD/QDSUB 1, +1
inline constexpr uint32_t kBranch = 3;            // UNVERIFIED: B/BL/BX/BLX 3 (pipeline refill)
inline constexpr uint32_t kException = 3;         // UNVERIFIED: SWI/BKPT/undefined/IRQ entry 3
inline constexpr uint32_t kMrs = 2;               // UNVERIFIED: MRS 2
inline constexpr uint32_t kMsrFlags = 1;          // UNVERIFIED: MSR of the flags field only 1
inline constexpr uint32_t kMsrControl = 3;        // UNVERIFIED: MSR of other fields 3
inline constexpr uint32_t kMcr = 2;               // UNVERIFIED: MCR b + 1 with b = 1 (CP15)
inline constexpr uint32_t kMrc = 2;               // UNVERIFIED: MRC b + 1, +1 result latency
inline constexpr uint32_t kCdp = 1;               // UNVERIFIED (no coprocessor on the board)
inline constexpr uint32_t kCondFailed = 1;        // [T9E] an instruction whose condition fails
inline constexpr uint32_t kThumb = 1;             // not modelled: Thumb code is not used here
}  // namespace cyc

// What kind of instruction, as far as the plugin cares beyond its cycles.
enum class Kind : uint8_t {
    alu,        // data processing, multiplies, MRS/MSR, CLZ ...
    load,       // LDR/LDRB/LDRH/LDRSB/LDRSH/LDRD/LDM (not to the PC)
    store,      // STR/STRB/STRH/STRD/STM
    swap,       // SWP/SWPB
    branch,     // writes the PC (B, BL, BX, BLX, data processing / LDR / LDM to the PC)
    swi,        // software interrupt (imm in `swi_imm`)
    cp15_mcr,   // MCR p15 (fields in cp15)
    cp15_mrc,   // MRC p15
    coproc,     // any other coprocessor instruction (undefined on this board)
    undefined,  // undefined instruction (or BKPT)
    thumb,      // a 16-bit Thumb instruction (not modelled)
};

struct Cp15Op {
    uint8_t opc1, crn, crm, opc2, rd;
};

// Register dependencies of one instruction: bit i = ARM register ri.
struct InsnTiming {
    Kind kind = Kind::alu;
    bool conditional = false;      // condition field not AL (and not the unconditional space)
    bool writes_pc = false;        // ends the basic block (branch or PC destination)
    bool is_multiply = false;      // its results feed a multiply-accumulate without interlock
    bool accesses_memory = false;  // a load, store, swap, LDR/LDM to the PC
    uint8_t cycles = 1;            // issue cycles when executed, without interlocks
    uint8_t latency = 0;           // extra cycles before its results can be used (all dests)
    uint8_t mem_regs = 0;          // LDM/STM: registers transferred
    uint16_t reads = 0;            // registers needed at issue
    uint16_t acc_reads = 0;        // accumulator operands of a multiply-accumulate
    uint16_t writes = 0;           // registers written, usable `latency` cycles after issue ends
    uint16_t writes_now = 0;       // registers written and forwarded at once (base write-back, LR)
    uint16_t ldm_list = 0;         // LDM: registers loaded (ready one by one)
    uint32_t swi_imm = 0;          // SWI immediate
    Cp15Op cp15{};
};

// Decodes one 32-bit ARM instruction (ARMv5TE, ARM state) into its timing.
InsnTiming decode_arm(uint32_t insn);

// The in-order pipeline's register scoreboard: ready[r] is the cycle at which an issuing
// instruction can use register r without an interlock. Times are relative to `now`.
class Pipeline {
  public:
    // Issues one executed instruction: returns its cycles including interlock stalls.
    uint32_t issue(const InsnTiming& t);
    // An instruction whose condition failed: one cycle, no results.
    uint32_t issue_failed();
    // Forget every pending result (a pipeline refill after an exception entry).
    void reset();
    // Cycles until register r's pending result is usable (0 if none).
    uint32_t pending(unsigned r) const { return ready_[r] > now_ ? static_cast<uint32_t>(ready_[r] - now_) : 0; }
    bool pending_from_multiply(unsigned r) const { return (mul_result_ & (1u << (r & 15))) != 0; }
    // Make register r usable only `cycles` from now (to carry state across blocks).
    void set_pending(unsigned r, uint32_t cycles, bool from_multiply);

  private:
    uint64_t now_ = 0;
    uint64_t ready_[16] = {};
    uint16_t mul_result_ = 0;  // registers whose pending value comes from a multiply
};

}  // namespace xatrace
