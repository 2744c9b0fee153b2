// The ARM926EJ-S timing model against totals computed by hand from the TRM tables.
// Each test runs a short instruction sequence (encodings from arm-none-eabi-as, shown in
// the comments) through the decoder and the interlock scoreboard and compares the total
// with the sum worked out from the cited rules:
//   [T9EJ] ARM9EJ-S TRM DDI 0222B Table 8.2, [T9E] ARM9E-S TRM DDI 0165B ch. 8 (interlock
//   examples), [T7EJ] ARM7EJ-S TRM DDI 0214B 9.9 (multiplier), [GCC] arm926ejs.md.
#include <gtest/gtest.h>

#include <initializer_list>

#include "timing.hh"

using namespace xatrace;

namespace {

uint32_t total(std::initializer_list<uint32_t> words) {
    Pipeline p;
    uint32_t sum = 0;
    for (uint32_t w : words) sum += p.issue(decode_arm(w));
    return sum;
}

// ---- loads and their interlocks ----

TEST(Timing, LoadWordThenUseInterlocksOneCycle) {
    // ldr r0,[r1] (1) ; add r2,r0,r3 (1 + 1 load-use interlock)      [T9EJ] LDR 2 when used next
    EXPECT_EQ(total({0xe5910000, 0xe0802003}), 3u);
}

TEST(Timing, LoadByteUsedNextInterlocksTwoCycles) {
    // ldrb r0,[r1,#1] (1) ; add r2,r0,r3 (1 + 2) ; orr r4,r4,r5 (1)    [T9E] two-cycle interlock
    EXPECT_EQ(total({0xe5d10001, 0xe0802003, 0xe1844005}), 5u);
}

TEST(Timing, LoadByteUsedByTheInstructionAfterNextInterlocksOneCycle) {
    // ldrb r0,[r1,#1] (1) ; orr r4,r4,r5 (1) ; add r2,r0,r3 (1 + 1)    [T9E] one-cycle interlock
    EXPECT_EQ(total({0xe5d10001, 0xe1844005, 0xe0802003}), 4u);
}

TEST(Timing, AnInterlockIsPaidOnce) {
    // ldrb r0,[r1,#1] (1) ; add r2,r0,r3 (3) ; add r4,r0,r5 (1)        [T9E] second ADD: none
    EXPECT_EQ(total({0xe5d10001, 0xe0802003, 0xe0804005}), 5u);
}

TEST(Timing, AMultiCycleInstructionHidesTheLoadLatency) {
    // ldrb r0,[r1] (1) ; mul r6,r7,r8 (2) ; add r4,r0,r5 (1)           [T9E] no interlock
    EXPECT_EQ(total({0xe5d10000, 0xe0060897, 0xe0804005}), 4u);
}

TEST(Timing, LoadedDataToStoreAndAccumulateInterlocks) {
    // ldr r0,[r1] (1) ; str r0,[r2] (1 + 1)                            [T9E] C read port
    EXPECT_EQ(total({0xe5910000, 0xe5820000}), 3u);
    // ldr r0,[r1] (1) ; mla r2,r3,r4,r0 (2 + 1)                        [T9E] C read port
    EXPECT_EQ(total({0xe5910000, 0xe0220493}), 4u);
}

TEST(Timing, LoadMultipleBaseInterlock) {
    // ldr r0,[r1] (1) ; stmia r0,{r1,r2} (2 + 1)                       [T9E] decode-stage interlock
    EXPECT_EQ(total({0xe5910000, 0xe8800006}), 4u);
}

TEST(Timing, ScaledOffsetLoad) {
    // ldr r1,[r0,r2,lsl #2] (2) ; add r3,r1,r1 (1 + 1)                 [T9EJ] 3 with the interlock
    EXPECT_EQ(total({0xe7901102, 0xe0813001}), 4u);
    // str r0,[r1,r2,lsl #2] (2)                                        [T9EJ] STR scaled offset
    EXPECT_EQ(total({0xe7810102}), 2u);
    // ldr r0,[r1],#4 (1): immediate post-index, write-back forwarded   [T9EJ] normal case
    EXPECT_EQ(total({0xe4910004, 0xe0813001}), 2u);
}

TEST(Timing, HalfwordAndSignedLoadsHaveTheByteLatency) {
    // ldrh r0,[r1] (1) ; add r2,r0,r3 (1 + 2)                          [T9EJ] halfword: 2-cycle
    EXPECT_EQ(total({0xe1d100b0, 0xe0802003}), 4u);
    // ldrsb r0,[r1,r2] (1) ; orr (1) ; add r2,r0,r3 (1 + 1)
    EXPECT_EQ(total({0xe19100d2, 0xe1844005, 0xe0802003}), 4u);
}

TEST(Timing, LoadStoreDouble) {
    // ldrd r0,[r2] (2) ; add r3,r1,#1 (1 + 1: last loaded word)         [T9EJ] LDRD 3
    EXPECT_EQ(total({0xe1c200d0, 0xe2813001}), 4u);
    // ldrd r0,[r2] (2) ; add r3,r0,#1 (1: the first word is ready)
    EXPECT_EQ(total({0xe1c200d0, 0xe2803001}), 3u);
    // strd r0,[r2] (2)                                                 [T9EJ] STRD 2
    EXPECT_EQ(total({0xe1c200f0}), 2u);
}

TEST(Timing, LoadMultiple) {
    // ldmia r0,{r1-r4} (4) ; add r5,r4,r4 (1 + 1: last register)       [T9EJ] LDM n, n + 1
    EXPECT_EQ(total({0xe890001e, 0xe0845004}), 6u);
    // ldmia r0,{r1-r4} (4) ; add r5,r1,r1 (1: loaded in the first cycle)
    EXPECT_EQ(total({0xe890001e, 0xe0815001}), 5u);
    // ldm r0,{r1} (2)                                                  [T9EJ] 1 register: 2
    EXPECT_EQ(total({0xe8900002}), 2u);
    // stmia r0,{r1-r3} (3)                                             STM n (UNVERIFIED)
    EXPECT_EQ(total({0xe880000e}), 3u);
    // ldmfd sp!,{r4,pc} (2 + 4)                                        LDM with PC n + 4 (UNVERIFIED)
    EXPECT_EQ(total({0xe8bd8010}), 6u);
}

// ---- multiplies ----

TEST(Timing, MultiplyResultInterlocks) {
    // mul r0,r1,r2 (2) ; sub r4,r0,r3 (1 + 1)                          [T7EJ] single-cycle interlock
    EXPECT_EQ(total({0xe0000291, 0xe0404003}), 4u);
    // mla r0,r1,r2,r3 (2) ; str r0,[r8] (1 + 1)                        [T7EJ]
    EXPECT_EQ(total({0xe0203291, 0xe5880000}), 4u);
}

TEST(Timing, AccumulatingThePreviousProductDoesNotInterlock) {
    // mla r0,r1,r2,r0 (2) ; mla r0,r3,r4,r0 (2)                        [T7EJ] no interlock
    EXPECT_EQ(total({0xe0200291, 0xe0200493}), 4u);
}

TEST(Timing, FlagSettingMultipliesTakeLongerButNeverInterlock) {
    // muls r0,r1,r2 (4) ; add r3,r0,r0 (1)                             [T7EJ] MULS 4
    EXPECT_EQ(total({0xe0100291, 0xe0803000}), 5u);
    // smulls r0,r1,r2,r3 (5) ; add r4,r1,#1 (1)                        [T7EJ] long S 5
    EXPECT_EQ(total({0xe0d10392, 0xe2814001}), 6u);
}

TEST(Timing, LongAndHalfwordMultiplies) {
    // smull r0,r1,r2,r3 (3) ; add r4,r1,#1 (1 + 1)                     [T7EJ] long 3, + 1
    EXPECT_EQ(total({0xe0c10392, 0xe2814001}), 5u);
    // smulbb r0,r1,r2 (1) ; add r3,r0,r0 (1 + 1)                       [GCC] latency 2
    EXPECT_EQ(total({0xe1600281, 0xe0803000}), 3u);
    // smlalbb r0,r1,r2,r3 (2)                                          [GCC]
    EXPECT_EQ(total({0xe1410382}), 2u);
}

// ---- data processing and the PC ----

TEST(Timing, DataProcessing) {
    // add r0,r1,r2,lsl r3 (2)                                          [T9EJ] register shift 2
    EXPECT_EQ(total({0xe0810312}), 2u);
    // clz r0,r1 (1)                                                    [T9EJ]
    EXPECT_EQ(total({0xe16f0f11}), 1u);
}

TEST(Timing, WritingThePc) {
    EXPECT_EQ(total({0xe08ff000}), 3u);             // add pc,pc,r0: arithmetic          [T9EJ] 3
    EXPECT_EQ(total({0xe1a0f00e}), 4u);             // mov pc,lr: logical                [T9EJ] 4
    EXPECT_EQ(total({0xe020f001}), 4u);             // eor pc,r0,r1: logical             [T9EJ] 4
    EXPECT_EQ(total({0xe08ff100}), 4u);             // add pc,pc,r0,lsl #2: shifted     [T9EJ] 4
    EXPECT_EQ(total({0xe25ef004}), 3u);             // subs pc,lr,#4: arithmetic         [T9EJ] 3
    EXPECT_EQ(total({0xe49df004}), 5u);             // ldr pc,[sp],#4                    [T9EJ] 5
    EXPECT_EQ(total({0xe790f101}), 6u);             // ldr pc,[r0,r1,lsl #2]             [T9EJ] 6
    EXPECT_TRUE(decode_arm(0xe1b0f00e).writes_pc);  // movs pc,lr
}

TEST(Timing, BranchesAndExceptions) {
    // b . / bl . / bx lr: 3 each (UNVERIFIED, timing.hh)
    EXPECT_EQ(total({0xeafffffe, 0xebfffffe, 0xe12fff1e}), 9u);
    const InsnTiming swi = decode_arm(0xefffff12);  // swi 0xffff12: a trace marker
    EXPECT_EQ(swi.kind, Kind::swi);
    EXPECT_EQ(swi.swi_imm, 0xffff12u);
    EXPECT_EQ(swi.cycles, cyc::kException);
}

TEST(Timing, ConditionalInstructions) {
    const InsnTiming ret = decode_arm(0x01a0f00e);  // moveq pc,lr
    EXPECT_TRUE(ret.conditional);
    EXPECT_TRUE(ret.writes_pc);
    const InsnTiming ld = decode_arm(0x15910000);  // ldrne r0,[r1]
    EXPECT_TRUE(ld.conditional);
    EXPECT_TRUE(ld.accesses_memory);
    EXPECT_FALSE(decode_arm(0xe5910000).conditional);
    // A failed condition is one cycle and produces nothing to wait for:    [T9E]
    Pipeline p;
    EXPECT_EQ(p.issue_failed(), 1u);
    EXPECT_EQ(p.issue(decode_arm(0xe0802003)), 1u);
}

TEST(Timing, CoprocessorAndStatusRegisters) {
    const InsnTiming inv = decode_arm(0xee070f15);  // mcr p15,0,r0,c7,c5,0
    EXPECT_EQ(inv.kind, Kind::cp15_mcr);
    EXPECT_EQ(inv.cp15.crn, 7);
    EXPECT_EQ(inv.cp15.crm, 5);
    EXPECT_EQ(inv.cp15.opc2, 0);
    const InsnTiming test = decode_arm(0xee17ff7e);  // mrc p15,0,r15,c7,c14,3
    EXPECT_EQ(test.kind, Kind::cp15_mrc);
    EXPECT_EQ(test.cp15.crm, 14);
    EXPECT_EQ(test.cp15.opc2, 3);
    EXPECT_EQ(test.writes, 0);  // r15 destination: flags only
    // mrc p15,0,r0,c1,c0,0 (2) ; add r2,r0,r3 (1 + 1)                  (UNVERIFIED: b + 2)
    EXPECT_EQ(total({0xee110f10, 0xe0802003}), 4u);
    EXPECT_EQ(total({0xe10f0000}), cyc::kMrs);         // mrs r0,cpsr
    EXPECT_EQ(total({0xe121f000}), cyc::kMsrControl);  // msr cpsr_c,r0
    EXPECT_EQ(total({0xe128f000}), cyc::kMsrFlags);    // msr cpsr_f,r0
}

TEST(Timing, StoresAndSwap) {
    // strb r0,[r1] (1) ; swp r0,r1,[r2] (2) ; add r2,r0,r3 (1 + 1)     (SWP UNVERIFIED)
    EXPECT_EQ(total({0xe5c10000, 0xe1020091, 0xe0802003}), 5u);
    EXPECT_EQ(decode_arm(0xe1020091).kind, Kind::swap);
}

TEST(Timing, AHandWrittenLoopBody) {
    // The benchmark loop of minios/apps/bench.c (-O2): per iteration
    //   ldr r3,[sp,#4] (1) ; add r3,r3,#1 (1 + 1) ; str r3,[sp,#4] (1) ;
    //   ldr r3,[sp,#4] (1) ; cmp r3,r2 (1 + 1) ; bcc (3)  = 10 cycles, CPI 10/6
    EXPECT_EQ(total({0xe59d3004, 0xe2833001, 0xe58d3004, 0xe59d3004, 0xe1530002, 0x3afffff9}), 10u);
}

TEST(Timing, CarriedInterlock) {
    // A result still pending when one block ends delays the next block's first instruction.
    Pipeline p;
    p.set_pending(0, 2, false);
    EXPECT_EQ(p.issue(decode_arm(0xe0802003)), 3u);  // add r2,r0,r3: 2 stall + 1
    EXPECT_EQ(p.pending(2), 0u);
}

}  // namespace
