// The VMM's command line (QEMU: -append "..."; read through semihosting).
//
//   ticks=N        stop with exit status 0 after N timer ticks (tests); default: run on
//   fault=KIND     take a deliberate exception after the banner: dabt, pabt or undef
//   switch=MODE    keep (default): a domain switch cleans the caches and the TLB only when
//                  the next domain clashes with one that ran since the last clean
//                  (address_space.hh); clean: every switch cleans them, for comparison
//   ft_faults=N/MS a fault-tolerant domain is rolled back at most N times (1-8) within any
//                  MS milliseconds (1-999999); one more fault in that time crashes it. Default
//                  3/1000 (checkpoint.hh's FailureWindow); fault-injection campaigns raise it
//
// Header-only so the host unit tests exercise the parser the VMM runs.
#pragma once

#include "checkpoint.hh"
#include "types.hh"

namespace xa {

enum class FaultInjection { none, data_abort, prefetch_abort, undefined };

struct BootOptions {
    u32 exit_after_ticks = 0;
    FaultInjection fault = FaultInjection::none;
    // Wall-clock time at boot, seconds since the Unix epoch (wallclock=N): what every
    // domain's shared_info.wall_clock_ns says system time 0 was. 0 (the epoch) if not given:
    // the boards' RTCs are not used, so runs stay deterministic.
    u64 wallclock_s = 0;
    bool clean_every_switch = false;                // switch=clean
    u32 ft_fault_limit = ft::kFtFaultLimit;         // ft_faults=N/...
    u64 ft_fault_window_ns = ft::kFtFaultWindowNs;  // ft_faults=.../MS
    const char* error = nullptr;                    // set when the command line is bad; says what is wrong
};

namespace detail {

constexpr bool word_equals(const char* word, u32 len, const char* literal) {
    u32 i = 0;
    for (; i < len; ++i) {
        if (literal[i] == '\0' || literal[i] != word[i]) return false;
    }
    return literal[i] == '\0';
}

// A decimal number of 1 to max_digits digits; false if empty, too long or not digits.
constexpr bool parse_decimal(const char* s, u32 len, u32 max_digits, u64& out) {
    if (len == 0 || len > max_digits) return false;
    u64 n = 0;
    for (u32 i = 0; i < len; ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
        n = n * 10 + static_cast<u64>(s[i] - '0');
    }
    out = n;
    return true;
}

}  // namespace detail

constexpr BootOptions parse_boot_options(const char* cmdline) {
    BootOptions opts;
    const char* p = cmdline;
    bool first = true;
    while (true) {
        while (*p == ' ' || *p == '\t') ++p;
        if (*p == '\0') break;
        const char* word = p;
        const char* eq = nullptr;
        while (*p != '\0' && *p != ' ' && *p != '\t') {
            if (*p == '=' && eq == nullptr) eq = p;
            ++p;
        }
        const bool was_first = first;
        first = false;
        if (eq == nullptr) {
            // QEMU puts the kernel's path first; anything else without '=' is a mistake.
            if (was_first) continue;
            opts.error = "option without '=' (expected key=value)";
            return opts;
        }
        const u32 key_len = static_cast<u32>(eq - word);
        const char* value = eq + 1;
        const u32 value_len = static_cast<u32>(p - value);
        if (detail::word_equals(word, key_len, "ticks")) {
            if (value_len == 0 || value_len > 7) {
                opts.error = "ticks= takes a number from 1 to 9999999";
                return opts;
            }
            u32 n = 0;
            for (u32 i = 0; i < value_len; ++i) {
                if (value[i] < '0' || value[i] > '9') {
                    opts.error = "ticks= takes a number from 1 to 9999999";
                    return opts;
                }
                n = n * 10 + static_cast<u32>(value[i] - '0');
            }
            if (n == 0) {
                opts.error = "ticks= takes a number from 1 to 9999999";
                return opts;
            }
            opts.exit_after_ticks = n;
        } else if (detail::word_equals(word, key_len, "fault")) {
            if (detail::word_equals(value, value_len, "dabt")) {
                opts.fault = FaultInjection::data_abort;
            } else if (detail::word_equals(value, value_len, "pabt")) {
                opts.fault = FaultInjection::prefetch_abort;
            } else if (detail::word_equals(value, value_len, "undef")) {
                opts.fault = FaultInjection::undefined;
            } else {
                opts.error = "fault= takes dabt, pabt or undef";
                return opts;
            }
        } else if (detail::word_equals(word, key_len, "wallclock")) {
            // Up to 12 digits: any date before the year 33000, without u64 overflow.
            if (value_len == 0 || value_len > 12) {
                opts.error = "wallclock= takes seconds since 1970 (up to 12 digits)";
                return opts;
            }
            u64 n = 0;
            for (u32 i = 0; i < value_len; ++i) {
                if (value[i] < '0' || value[i] > '9') {
                    opts.error = "wallclock= takes seconds since 1970 (up to 12 digits)";
                    return opts;
                }
                n = n * 10 + static_cast<u64>(value[i] - '0');
            }
            opts.wallclock_s = n;
        } else if (detail::word_equals(word, key_len, "switch")) {
            if (detail::word_equals(value, value_len, "keep")) {
                opts.clean_every_switch = false;
            } else if (detail::word_equals(value, value_len, "clean")) {
                opts.clean_every_switch = true;
            } else {
                opts.error = "switch= takes keep or clean";
                return opts;
            }
        } else if (detail::word_equals(word, key_len, "ft_faults")) {
            constexpr const char* kUsage = "ft_faults= takes N/MS: 1 to 8 rollbacks within 1 to 999999 ms";
            u32 slash = 0;
            while (slash < value_len && value[slash] != '/') ++slash;
            u64 n = 0, ms = 0;
            if (slash == value_len || !detail::parse_decimal(value, slash, 1, n) ||
                !detail::parse_decimal(value + slash + 1, value_len - slash - 1, 6, ms) || n == 0 ||
                n > ft::kFtFaultLimitMax || ms == 0) {
                opts.error = kUsage;
                return opts;
            }
            opts.ft_fault_limit = static_cast<u32>(n);
            opts.ft_fault_window_ns = ms * 1000 * 1000;
        } else {
            opts.error = "unknown option (known: ticks=, fault=, wallclock=, switch=, ft_faults=)";
            return opts;
        }
    }
    return opts;
}

// The options the VMM booted with: main.cc sets them once, before any domain is built, for
// the parts an option configures that are not told at boot (fault tolerance's failure
// window, built with a domain's first checkpoint). Host tests set what they need.
inline constinit BootOptions booted_options{};

}  // namespace xa
