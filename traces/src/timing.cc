// ARM instruction decoding for the ARM926EJ-S timing model (cycle values: timing.hh).
// Encodings: ARM Architecture Reference Manual (ARMv5TE), ARM state only.
#include "timing.hh"

#include <algorithm>
#include <bit>

namespace xatrace {
namespace {

constexpr uint32_t bits(uint32_t v, unsigned hi, unsigned lo) { return (v >> lo) & ((1u << (hi - lo + 1)) - 1); }
constexpr bool bit(uint32_t v, unsigned n) { return ((v >> n) & 1u) != 0; }
constexpr uint16_t reg(uint32_t r) { return static_cast<uint16_t>(1u << (r & 15)); }

constexpr uint16_t kPc = 1u << 15;
constexpr uint16_t kLr = 1u << 14;

// A register operand with an immediate shift is "shifted" unless it is LSL #0.
bool imm_shifted(uint32_t insn) { return bits(insn, 11, 7) != 0 || bits(insn, 6, 5) != 0; }

InsnTiming data_processing(uint32_t insn) {
    InsnTiming t;
    const uint32_t op = bits(insn, 24, 21);
    const bool imm = bit(insn, 25);
    const bool reg_shift = !imm && bit(insn, 4);
    const bool is_test = op >= 0x8 && op <= 0xB;  // TST TEQ CMP CMN: no Rd
    const bool is_move = op == 0xD || op == 0xF;  // MOV MVN: no Rn
    const uint32_t rd = bits(insn, 15, 12);
    if (!is_move) t.reads |= reg(bits(insn, 19, 16));
    if (!imm) t.reads |= reg(bits(insn, 3, 0));
    if (reg_shift) t.reads |= reg(bits(insn, 11, 8));
    t.cycles = reg_shift ? cyc::kDataOpRegShift : cyc::kDataOp;
    if (!is_test) {
        if (rd == 15) {
            t.kind = Kind::branch;
            t.writes_pc = true;
            const bool arith = op == 0x2 || op == 0x3 || op == 0x4 || op == 0x5 || op == 0x6;
            if (reg_shift)
                t.cycles = cyc::kDataOpPcRegShift;
            else if (!imm && imm_shifted(insn))
                t.cycles = cyc::kDataOpPcShift;
            else
                t.cycles = arith ? cyc::kDataOpPcArith : cyc::kDataOpPcLogical;
        } else {
            t.writes_now |= reg(rd);
        }
    }
    return t;
}

// LDR/STR/LDRB/STRB (and the T variants).
InsnTiming load_store_single(uint32_t insn) {
    InsnTiming t;
    t.accesses_memory = true;
    const bool reg_offset = bit(insn, 25);
    const bool pre = bit(insn, 24);
    const bool byte = bit(insn, 22);
    const bool writeback = bit(insn, 21) || !pre;
    const bool load = bit(insn, 20);
    const uint32_t rn = bits(insn, 19, 16), rd = bits(insn, 15, 12);
    const bool scaled = reg_offset && imm_shifted(insn);
    t.reads |= reg(rn);
    if (reg_offset) t.reads |= reg(bits(insn, 3, 0));
    if (writeback) t.writes_now |= reg(rn);
    if (load) {
        if (rd == 15) {
            t.kind = Kind::branch;
            t.writes_pc = true;
            t.cycles = scaled ? cyc::kLoadPcScaled : cyc::kLoadPc;
        } else {
            t.kind = Kind::load;
            t.cycles = scaled ? cyc::kLoadScaled : cyc::kLoad;
            t.writes |= reg(rd);
            t.latency = byte ? cyc::kLoadByteLatency : cyc::kLoadWordLatency;
        }
    } else {
        t.kind = Kind::store;
        t.reads |= reg(rd);
        t.cycles = scaled ? cyc::kStoreScaled : cyc::kStore;
    }
    return t;
}

// LDRH/STRH/LDRSB/LDRSH/LDRD/STRD (bits 7 and 4 set, bits 6:5 != 0).
InsnTiming load_store_extra(uint32_t insn) {
    InsnTiming t;
    t.accesses_memory = true;
    const bool pre = bit(insn, 24);
    const bool imm = bit(insn, 22);
    const bool writeback = bit(insn, 21) || !pre;
    const bool load = bit(insn, 20);
    const uint32_t sh = bits(insn, 6, 5);
    const uint32_t rn = bits(insn, 19, 16), rd = bits(insn, 15, 12);
    t.reads |= reg(rn);
    if (!imm) t.reads |= reg(bits(insn, 3, 0));
    if (writeback) t.writes_now |= reg(rn);
    if (load) {  // LDRH (01), LDRSB (10), LDRSH (11)
        t.kind = Kind::load;
        t.cycles = cyc::kLoad;
        t.writes |= reg(rd);
        t.latency = cyc::kLoadByteLatency;
    } else if (sh == 1) {  // STRH
        t.kind = Kind::store;
        t.reads |= reg(rd);
        t.cycles = cyc::kStore;
    } else if (sh == 2) {  // LDRD: two words, ready one after the other
        t.kind = Kind::load;
        t.cycles = cyc::kLoadDouble;
        t.ldm_list = static_cast<uint16_t>(reg(rd) | reg(rd + 1));
        t.mem_regs = 2;
        t.latency = cyc::kLoadWordLatency;
    } else {  // STRD
        t.kind = Kind::store;
        t.reads |= static_cast<uint16_t>(reg(rd) | reg(rd + 1));
        t.cycles = cyc::kStoreDouble;
        t.mem_regs = 2;
    }
    return t;
}

InsnTiming load_store_multiple(uint32_t insn) {
    InsnTiming t;
    t.accesses_memory = true;
    const bool writeback = bit(insn, 21);
    const bool load = bit(insn, 20);
    const uint32_t rn = bits(insn, 19, 16);
    const uint16_t list = static_cast<uint16_t>(bits(insn, 15, 0));
    const uint32_t n = static_cast<uint32_t>(std::popcount(list));
    t.mem_regs = static_cast<uint8_t>(n);
    t.reads |= reg(rn);
    if (writeback) t.writes_now |= reg(rn);
    if (load) {
        t.kind = Kind::load;
        t.ldm_list = static_cast<uint16_t>(list & ~kPc);
        t.latency = cyc::kLoadWordLatency;
        if (list & kPc) {
            t.kind = Kind::branch;
            t.writes_pc = true;
            t.cycles = static_cast<uint8_t>(n + cyc::kLdmPcExtra);
        } else {
            t.cycles = static_cast<uint8_t>(n <= 1 ? cyc::kLdmOne : n);
        }
    } else {
        t.kind = Kind::store;
        t.reads |= list;
        t.cycles = static_cast<uint8_t>(n <= 1 ? cyc::kStmOne : n);
    }
    return t;
}

InsnTiming multiply(uint32_t insn) {  // MUL/MLA: Rd 19:16, Rn 15:12, Rs 11:8, Rm 3:0
    InsnTiming t;
    const bool acc = bit(insn, 21), s = bit(insn, 20);
    t.is_multiply = true;
    t.reads = static_cast<uint16_t>(reg(bits(insn, 11, 8)) | reg(bits(insn, 3, 0)));
    if (acc) t.acc_reads = reg(bits(insn, 15, 12));
    t.writes = reg(bits(insn, 19, 16));
    t.cycles = s ? cyc::kMulS : cyc::kMul;
    t.latency = s ? 0 : cyc::kMulLatency;
    return t;
}

InsnTiming multiply_long(uint32_t insn) {  // UMULL/UMLAL/SMULL/SMLAL: RdHi 19:16, RdLo 15:12
    InsnTiming t;
    const bool acc = bit(insn, 21), s = bit(insn, 20);
    const uint16_t dests = static_cast<uint16_t>(reg(bits(insn, 19, 16)) | reg(bits(insn, 15, 12)));
    t.is_multiply = true;
    t.reads = static_cast<uint16_t>(reg(bits(insn, 11, 8)) | reg(bits(insn, 3, 0)));
    if (acc) t.acc_reads = dests;
    t.writes = dests;
    t.cycles = s ? cyc::kMulLongS : cyc::kMulLong;
    t.latency = s ? 0 : cyc::kMulLatency;
    return t;
}

// bits 27:25 = 000 with bits 24:23 = 10 and bit 20 = 0: MRS, MSR, BX, CLZ, Q*, SMUL*, BKPT.
bool miscellaneous(uint32_t insn, InsnTiming& t) {
    if ((insn & 0x0FBF0FFFu) == 0x010F0000u) {  // MRS Rd, CPSR/SPSR
        t.cycles = cyc::kMrs;
        t.writes_now = reg(bits(insn, 15, 12));
        return true;
    }
    if ((insn & 0x0FB0FFF0u) == 0x0120F000u) {  // MSR psr_fields, Rm
        t.reads = reg(bits(insn, 3, 0));
        t.cycles = bits(insn, 19, 16) == 0x8 ? cyc::kMsrFlags : cyc::kMsrControl;
        return true;
    }
    if ((insn & 0x0FFFFFD0u) == 0x012FFF10u) {  // BX Rm (0x1x) / BLX Rm (0x3x)
        t.kind = Kind::branch;
        t.writes_pc = true;
        t.reads = reg(bits(insn, 3, 0));
        if (bit(insn, 5)) t.writes_now = kLr;
        t.cycles = cyc::kBranch;
        return true;
    }
    if ((insn & 0x0FFF0FF0u) == 0x016F0F10u) {  // CLZ
        t.reads = reg(bits(insn, 3, 0));
        t.writes_now = reg(bits(insn, 15, 12));
        t.cycles = cyc::kClz;
        return true;
    }
    if ((insn & 0x0F900FF0u) == 0x01000050u) {  // QADD/QSUB/QDADD/QDSUB
        t.reads = static_cast<uint16_t>(reg(bits(insn, 3, 0)) | reg(bits(insn, 19, 16)));
        t.writes = reg(bits(insn, 15, 12));
        t.cycles = cyc::kSaturating;
        t.latency = 1;
        return true;
    }
    if ((insn & 0x0FF000F0u) == 0x01200070u) {  // BKPT
        t.kind = Kind::undefined;
        t.cycles = cyc::kException;
        return true;
    }
    if ((insn & 0x0F900090u) == 0x01000080u) {  // signed halfword multiplies
        const uint32_t op = bits(insn, 22, 21);
        t.is_multiply = true;
        t.reads = static_cast<uint16_t>(reg(bits(insn, 11, 8)) | reg(bits(insn, 3, 0)));
        t.latency = cyc::kMulLatency;
        if (op == 2) {  // SMLALxy: RdHi 19:16, RdLo 15:12
            const uint16_t d = static_cast<uint16_t>(reg(bits(insn, 19, 16)) | reg(bits(insn, 15, 12)));
            t.acc_reads = d;
            t.writes = d;
            t.cycles = cyc::kMulHalfLong;
        } else {  // SMLAxy (0), SMLAWy/SMULWy (1), SMULxy (3): Rd 19:16, Rn 15:12
            const bool accumulates = op == 0 || (op == 1 && !bit(insn, 5));
            if (accumulates) t.acc_reads = reg(bits(insn, 15, 12));
            t.writes = reg(bits(insn, 19, 16));
            t.cycles = cyc::kMulHalf;
        }
        return true;
    }
    return false;
}

InsnTiming coprocessor(uint32_t insn) {  // bits 27:24 = 1110 (CDP/MCR/MRC) or 110x (LDC/STC)
    InsnTiming t;
    const uint32_t cp = bits(insn, 11, 8);
    const bool reg_transfer = bits(insn, 27, 24) == 0xE && bit(insn, 4);
    if (cp == 15 && reg_transfer) {
        const bool mrc = bit(insn, 20);
        const uint32_t rd = bits(insn, 15, 12);
        t.cp15 = Cp15Op{static_cast<uint8_t>(bits(insn, 23, 21)), static_cast<uint8_t>(bits(insn, 19, 16)),
                        static_cast<uint8_t>(bits(insn, 3, 0)), static_cast<uint8_t>(bits(insn, 7, 5)),
                        static_cast<uint8_t>(rd)};
        if (mrc) {
            t.kind = Kind::cp15_mrc;
            t.cycles = cyc::kMrc;
            if (rd != 15) {
                t.writes = reg(rd);
                t.latency = 1;
            }
        } else {
            t.kind = Kind::cp15_mcr;
            t.cycles = cyc::kMcr;
            t.reads = reg(rd);
        }
        return t;
    }
    // No other coprocessor exists on the ARM926EJ-S boards: an undefined-instruction trap.
    t.kind = Kind::coproc;
    t.cycles = cyc::kException;
    return t;
}

InsnTiming undefined() {
    InsnTiming t;
    t.kind = Kind::undefined;
    t.cycles = cyc::kException;
    return t;
}

InsnTiming unconditional(uint32_t insn) {  // cond = 1111 (ARMv5TE)
    InsnTiming t;
    if (bits(insn, 27, 25) == 0x5) {  // BLX <label>
        t.kind = Kind::branch;
        t.writes_pc = true;
        t.writes_now = kLr;
        t.cycles = cyc::kBranch;
        return t;
    }
    if ((insn & 0x0D70F000u) == 0x0550F000u) {  // PLD
        t.reads = reg(bits(insn, 19, 16));
        t.cycles = cyc::kDataOp;
        return t;
    }
    if (bits(insn, 27, 26) == 0x3) return coprocessor(insn);  // *2 coprocessor forms
    return undefined();
}

}  // namespace

InsnTiming decode_arm(uint32_t insn) {
    const uint32_t cond = bits(insn, 31, 28);
    if (cond == 0xF) return unconditional(insn);
    InsnTiming t;
    switch (bits(insn, 27, 25)) {
        case 0x0:
            if ((insn & 0x0FC000F0u) == 0x00000090u) {
                t = multiply(insn);
            } else if ((insn & 0x0F8000F0u) == 0x00800090u) {
                t = multiply_long(insn);
            } else if ((insn & 0x0FB00FF0u) == 0x01000090u) {  // SWP/SWPB
                t.kind = Kind::swap;
                t.accesses_memory = true;
                t.reads = static_cast<uint16_t>(reg(bits(insn, 19, 16)) | reg(bits(insn, 3, 0)));
                t.writes = reg(bits(insn, 15, 12));
                t.cycles = cyc::kSwap;
                t.latency = bit(insn, 22) ? cyc::kLoadByteLatency : cyc::kLoadWordLatency;
            } else if ((insn & 0x0E000090u) == 0x00000090u) {
                t = load_store_extra(insn);
            } else if (bits(insn, 24, 23) == 0x2 && !bit(insn, 20)) {
                if (!miscellaneous(insn, t)) t = undefined();
            } else {
                t = data_processing(insn);
            }
            break;
        case 0x1:
            if (bits(insn, 24, 23) == 0x2 && !bit(insn, 20)) {
                if (bit(insn, 21)) {  // MSR psr_fields, #imm
                    t.cycles = bits(insn, 19, 16) == 0x8 ? cyc::kMsrFlags : cyc::kMsrControl;
                } else {
                    t = undefined();
                }
            } else {
                t = data_processing(insn);
            }
            break;
        case 0x2: t = load_store_single(insn); break;
        case 0x3:
            t = bit(insn, 4) ? undefined() : load_store_single(insn);  // media space: undefined on v5
            break;
        case 0x4: t = load_store_multiple(insn); break;
        case 0x5:  // B/BL
            t.kind = Kind::branch;
            t.writes_pc = true;
            if (bit(insn, 24)) t.writes_now = kLr;
            t.cycles = cyc::kBranch;
            break;
        case 0x6: t = coprocessor(insn); break;
        case 0x7:
            if (bit(insn, 24)) {
                t.kind = Kind::swi;
                t.swi_imm = bits(insn, 23, 0);
                t.cycles = cyc::kException;
            } else {
                t = coprocessor(insn);
            }
            break;
    }
    t.conditional = cond != 0xE;
    return t;
}

// ---- the scoreboard ----

uint32_t Pipeline::issue(const InsnTiming& t) {
    const uint64_t before = now_;
    uint64_t start = now_;
    for (uint16_t m = t.reads; m != 0; m &= static_cast<uint16_t>(m - 1))
        start = std::max(start, ready_[std::countr_zero(m)]);
    for (uint16_t m = t.acc_reads; m != 0; m &= static_cast<uint16_t>(m - 1)) {
        const unsigned r = static_cast<unsigned>(std::countr_zero(m));
        uint64_t avail = ready_[r];
        // [T7EJ]: a multiply-accumulate takes the previous multiply's result as its
        // accumulator without waiting for it.
        if ((mul_result_ & (1u << r)) && avail >= cyc::kMulLatency) avail -= cyc::kMulLatency;
        start = std::max(start, avail);
    }
    const uint64_t end = start + t.cycles;
    for (uint16_t m = t.writes; m != 0; m &= static_cast<uint16_t>(m - 1)) {
        const unsigned r = static_cast<unsigned>(std::countr_zero(m));
        ready_[r] = end + t.latency;
        if (t.is_multiply)
            mul_result_ = static_cast<uint16_t>(mul_result_ | (1u << r));
        else
            mul_result_ = static_cast<uint16_t>(mul_result_ & ~(1u << r));
    }
    // LDM/LDRD: the j-th register (ascending) arrives in the j-th cycle and, like an LDR's
    // result, one cycle later can be used ([T9EJ]: n + 1 cycles if the next instruction
    // uses the last register).
    uint64_t arrive = start;
    for (uint16_t m = t.ldm_list; m != 0; m &= static_cast<uint16_t>(m - 1)) {
        const unsigned r = static_cast<unsigned>(std::countr_zero(m));
        ++arrive;
        ready_[r] = arrive + t.latency;
        mul_result_ = static_cast<uint16_t>(mul_result_ & ~(1u << r));
    }
    for (uint16_t m = t.writes_now; m != 0; m &= static_cast<uint16_t>(m - 1)) {
        const unsigned r = static_cast<unsigned>(std::countr_zero(m));
        ready_[r] = end;
        mul_result_ = static_cast<uint16_t>(mul_result_ & ~(1u << r));
    }
    now_ = end;
    return static_cast<uint32_t>(end - before);
}

uint32_t Pipeline::issue_failed() {
    now_ += cyc::kCondFailed;
    return cyc::kCondFailed;
}

void Pipeline::reset() {
    for (auto& r : ready_) r = now_;
    mul_result_ = 0;
}

void Pipeline::set_pending(unsigned r, uint32_t cycles, bool from_multiply) {
    ready_[r & 15] = now_ + cycles;
    if (from_multiply)
        mul_result_ = static_cast<uint16_t>(mul_result_ | (1u << (r & 15)));
    else
        mul_result_ = static_cast<uint16_t>(mul_result_ & ~(1u << (r & 15)));
}

}  // namespace xatrace
