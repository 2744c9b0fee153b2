// The pure rules of bouncing a trap and of restore_trap_frame (trap_logic.hh): the CPSR a
// guest gets back is USR mode with at most the NZCV flags, never I, F, T or a privileged
// mode; bad virtual modes are refused with nothing changed; the frame goes wholly below
// the stack, 8-byte aligned; faults inside a handler are refused.
#include <gtest/gtest.h>

#include <string.h>

#include "trap_logic.hh"

namespace xa::traps {
namespace {

constexpr u32 kPsrT = 0x20;

TrapFrame filled_frame(u32 seed) {
    TrapFrame f{};
    for (u32 i = 0; i < 13; ++i) f.r[i] = seed + i;
    f.sp = seed + 13;
    f.lr = seed + 14;
    f.pc = seed + 15;
    f.cpsr = seed + 16;
    return f;
}

xa_trap_frame guest_frame(u32 vpsr) {
    xa_trap_frame gf{};
    for (u32 i = 0; i < 13; ++i) gf.r[i] = 0x100 + i;
    gf.sp = 0xC0100000;
    gf.lr = 0xC0001234;
    gf.pc = 0xC0005678;
    gf.vpsr = vpsr;
    return gf;
}

TEST(RestoredCpsr, OnlyUserModeAndConditionFlags) {
    // Every mode value, with and without every bit a guest might try to smuggle in.
    for (u32 mode = 0; mode <= ARM_MODE_MASK; ++mode) {
        for (const u32 extra : {0u, u32{ARM_PSR_I}, u32{ARM_PSR_F}, kPsrT, u32{ARM_PSR_I | ARM_PSR_F} | kPsrT,
                                0x0FFFFF00u, 0xFFFFFFFFu}) {
            const u32 cpsr = restored_cpsr(mode | extra);
            EXPECT_EQ(cpsr & ARM_MODE_MASK, static_cast<u32>(ARM_MODE_USR));
            EXPECT_EQ(cpsr & (ARM_PSR_I | ARM_PSR_F | kPsrT), 0u);
            EXPECT_EQ(cpsr & ~(ARM_MODE_MASK | kArmPsrFlags), 0u);
        }
    }
    EXPECT_EQ(restored_cpsr(0xF0000000u | XA_VPSR_MODE_KERNEL), 0xF0000000u | ARM_MODE_USR);
    EXPECT_EQ(restored_cpsr(0x50000000u | XA_VPSR_MODE_USER | XA_VPSR_I), 0x50000000u | ARM_MODE_USR);
}

TEST(ApplyGuestFrame, KernelAndUserModesLoadTheFrame) {
    for (const u32 mode : {XA_VPSR_MODE_KERNEL, XA_VPSR_MODE_USER}) {
        for (const bool masked : {false, true}) {
            const u32 vpsr = 0xA0000000u | mode | (masked ? XA_VPSR_I : 0u) | ARM_PSR_F | kPsrT;
            const xa_trap_frame gf = guest_frame(vpsr);
            TrapFrame f = filled_frame(7);
            RestoredState out{VirtMode::user, !masked};
            ASSERT_EQ(apply_guest_frame(f, gf, out), Err::ok);
            for (u32 i = 0; i < 13; ++i) EXPECT_EQ(f.r[i], gf.r[i]);
            EXPECT_EQ(f.sp, gf.sp);
            EXPECT_EQ(f.lr, gf.lr);
            EXPECT_EQ(f.pc, gf.pc);
            EXPECT_EQ(f.cpsr, 0xA0000000u | ARM_MODE_USR);
            EXPECT_EQ(out.mode, mode == XA_VPSR_MODE_KERNEL ? VirtMode::kernel : VirtMode::user);
            EXPECT_EQ(out.upcalls_masked, masked);
        }
    }
}

TEST(ApplyGuestFrame, PrivilegedAndUnknownModesAreRefusedWithNothingChanged) {
    for (const u32 mode : {0x00u, 0x11u, 0x12u, 0x17u, 0x1Bu, 0x1Fu, 0x1Au, 0x0Fu}) {
        const xa_trap_frame gf = guest_frame(0xF0000000u | mode);
        TrapFrame f = filled_frame(9);
        const TrapFrame before = f;
        RestoredState out{VirtMode::user, true};
        EXPECT_EQ(apply_guest_frame(f, gf, out), Err::inval) << "mode " << mode;
        EXPECT_EQ(memcmp(&f, &before, sizeof f), 0);
        EXPECT_EQ(out.mode, VirtMode::user);
        EXPECT_TRUE(out.upcalls_masked);
    }
}

TEST(BounceFrame, WhollyBelowTheStackAndAligned) {
    for (const u32 stack : {0xC0100000u, 0xC0100004u, 0xC00FFFF9u, 0xC0000044u, 0x44u, 0x45u, 0xFFFFFFFFu}) {
        ASSERT_TRUE(frame_fits(stack));
        const u32 va = bounce_frame_va(stack);
        EXPECT_EQ(va % 8, 0u);
        EXPECT_LE(va + sizeof(xa_trap_frame), stack) << std::hex << stack;
        EXPECT_GT(va + sizeof(xa_trap_frame) + 8, stack);
    }
}

TEST(BounceFrame, AStackTooLowHasNoPlace) {
    for (u32 stack = 0; stack < sizeof(xa_trap_frame); ++stack) EXPECT_FALSE(frame_fits(stack));
    EXPECT_TRUE(frame_fits(sizeof(xa_trap_frame)));
    EXPECT_EQ(bounce_frame_va(sizeof(xa_trap_frame)), 0u);
}

TEST(EnterHandler, UserModeNoFlagsFrameInR0AndSp) {
    TrapFrame f = filled_frame(0xFFFFFF00u);
    f.cpsr = 0xF00000FFu;  // every flag, I, F, T and a privileged mode
    enter_handler(f, 0xC00FFF00u, XA_TRAP_DABT, 0xC0001000u);
    EXPECT_EQ(f.r[0], 0xC00FFF00u);
    EXPECT_EQ(f.r[1], static_cast<u32>(XA_TRAP_DABT));
    EXPECT_EQ(f.sp, 0xC00FFF00u);
    EXPECT_EQ(f.lr, 0u);
    EXPECT_EQ(f.pc, 0xC0001000u);
    EXPECT_EQ(f.cpsr, static_cast<u32>(ARM_MODE_USR));
}

TEST(NestedFault, OnlyAbortsAndUndefInKernelModeWithUpcallsMasked) {
    vcpu_info masked{};
    masked.evtchn_upcall_mask = 1;
    vcpu_info unmasked{};
    for (u32 kind = 0; kind < XA_TRAP_COUNT; ++kind) {
        const bool fault = kind != XA_TRAP_IRQ && kind != XA_TRAP_SWI;
        EXPECT_EQ(nested_fault(true, masked, kind), fault) << kind;
        EXPECT_FALSE(nested_fault(true, unmasked, kind));
        EXPECT_FALSE(nested_fault(false, masked, kind));
        EXPECT_FALSE(nested_fault(false, unmasked, kind));
    }
}

}  // namespace
}  // namespace xa::traps
