// Basic types shared by the VMM and its host unit tests.
//
// Addresses and ids are strong types so that a physical address can never be passed
// where a virtual one is expected (the classic bug of a VMM that juggles three address
// spaces: VMM virtual, guest virtual, machine physical).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <compare>  // defaulted operator<=> returns std::strong_ordering (freestanding header)

namespace xa {

// Spelled as plain C types, not <stdint.h>'s, so that printf-style format checking means
// the same on the host (x86-64) and the target (arm-none-eabi, where uint32_t is long).
using u8 = unsigned char;
using u16 = unsigned short;
using u32 = unsigned int;
using u64 = unsigned long long;
using i32 = int;
using i64 = long long;
static_assert(sizeof(u16) == 2 && sizeof(u32) == 4 && sizeof(u64) == 8 && sizeof(i32) == 4);

inline constexpr u32 KiB = 1024;
inline constexpr u32 MiB = 1024 * KiB;

inline constexpr u32 kPageShift = 12;
inline constexpr u32 kPageSize = 1u << kPageShift;  // ARM small page
inline constexpr u32 kSectionShift = 20;
inline constexpr u32 kSectionSize = 1u << kSectionShift;  // ARM section

constexpr bool is_aligned(u32 value, u32 alignment) { return (value & (alignment - 1)) == 0; }
constexpr u32 align_down(u32 value, u32 alignment) { return value & ~(alignment - 1); }
constexpr u32 align_up(u32 value, u32 alignment) { return (value + alignment - 1) & ~(alignment - 1); }

// A 32-bit address in one address space; Tag keeps the spaces apart.
template <typename Tag>
class Addr {
  public:
    constexpr Addr() = default;
    constexpr explicit Addr(u32 value) : value_(value) {}

    constexpr u32 value() const { return value_; }
    constexpr Addr operator+(u32 offset) const { return Addr(value_ + offset); }
    constexpr Addr operator-(u32 offset) const { return Addr(value_ - offset); }
    constexpr u32 operator-(Addr other) const { return value_ - other.value_; }
    constexpr Addr& operator+=(u32 offset) {
        value_ += offset;
        return *this;
    }
    constexpr auto operator<=>(const Addr&) const = default;

    constexpr bool aligned(u32 alignment) const { return is_aligned(value_, alignment); }
    constexpr Addr align_down(u32 alignment) const { return Addr(xa::align_down(value_, alignment)); }
    constexpr u32 page_number() const { return value_ >> kPageShift; }
    constexpr u32 section_index() const { return value_ >> kSectionShift; }

  private:
    u32 value_ = 0;
};

struct VirtTag {};
struct PhysTag {};
using VirtAddr = Addr<VirtTag>;  // an address the MMU translates
using PhysAddr = Addr<PhysTag>;  // a machine (bus) address

// A domain (virtual machine) id. Xen's domid_t is 16 bits; DOMID_SELF-style specials
// live in the hypercall ABI headers.
class DomId {
  public:
    constexpr DomId() = default;
    constexpr explicit DomId(u16 value) : value_(value) {}
    constexpr u16 value() const { return value_; }
    constexpr auto operator<=>(const DomId&) const = default;

  private:
    u16 value_ = 0;
};

// Xen-style negative error codes (xen/include/public/errno.h values).
enum class Err : i32 {
    ok = 0,
    perm = -1,    // EPERM
    noent = -2,   // ENOENT
    nomem = -12,  // ENOMEM
    fault = -14,  // EFAULT
    busy = -16,   // EBUSY
    exist = -17,  // EEXIST
    inval = -22,  // EINVAL
    nospc = -28,  // ENOSPC
    nosys = -38,  // ENOSYS
};

constexpr i32 to_int(Err e) { return static_cast<i32>(e); }

// A value or an error; small enough to return in registers. No exceptions in the VMM.
template <typename T>
class Result {
  public:
    constexpr Result(T value) : value_(value), err_(Err::ok) {}
    constexpr Result(Err err) : value_(), err_(err) {}
    constexpr bool ok() const { return err_ == Err::ok; }
    constexpr explicit operator bool() const { return ok(); }
    constexpr Err error() const { return err_; }
    constexpr const T& value() const { return value_; }
    constexpr const T& operator*() const { return value_; }
    constexpr const T* operator->() const { return &value_; }

  private:
    T value_;
    Err err_;
};

}  // namespace xa
