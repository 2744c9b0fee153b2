// console_io: guest output, buffered a line at a time and printed with the domain's name,
// within a per-call budget; dom0's console input and raw output.
#include "board.hh"
#include "console.hh"
#include "fault_tolerance.hh"
#include "guest_copy.hh"
#include "hypercall.hh"
#include "irq.hh"
#include "libc.hh"
#include "sched.hh"

namespace xa::hypercalls {
namespace {

// "[" name "] " and "\r\n" around a line, with the longest name a domain can have.
constexpr u32 kConsoleLineOverhead = 1 + (sizeof Domain{}.name - 1) + 2 + 2;

// Text as printk sends it ('\n' as "\r\n"), without its formatter: guest lines are on
// every guest's output path, printk's formatter is built for size (xen-arm/build.mk).
void put_text(const char* s) {
    for (; *s != '\0'; ++s) {
        if (*s == '\n') board::console_putc('\r');
        board::console_putc(*s);
    }
}

}  // namespace

// Prints d's buffered line as "[name] text"; returns at most how many bytes that put on
// the console: the line and "\r\n", with the prefix counted at its longest name (no
// strlen on the console path; the budget below only needs an upper bound).
u32 console_flush(Domain& d) {
    d.con_line[d.con_len] = '\0';
    // A rolled-back domain replaying what it printed since its checkpoint: shown once.
    if (d.fault_tolerance != boot_image::kFtNone && !ft::console_line_shown(d)) {
        d.con_len = 0;
        return 0;
    }
    put_text("[");
    put_text(d.name);
    put_text("] ");
    put_text(d.con_line);
    put_text("\n");
    const u32 printed = d.con_len + kConsoleLineOverhead;
    d.con_len = 0;
    return printed;
}

// The VMM runs with interrupts masked and the board consoles are written byte by byte,
// so a console_io write holds interrupts off for as long as the UART needs for its output
// (87 us a byte at 115,200 baud). Each write stops taking input once it has put
// XA_CONSOLEIO_WRITE_BUDGET bytes on the console and returns how many it took; the guest
// calls again for the rest (as write(2) returns a partial count). A CONSOLEIO_write call
// therefore prints at most the budget plus one line ("[name] ", 119 characters, "\r\n"):
// 127 + 139 bytes, about 23 ms at 115,200 baud (a 4 KiB write of newlines would
// otherwise print 45 KB or more: 3.9 s).
constexpr u32 kConsoleBudget = XA_CONSOLEIO_WRITE_BUDGET;

HcResult console_io(Domain& d, TrapFrame& f) {
    const u32 count = f.r[1], buf = f.r[2];
    if (count > XA_CONSOLEIO_MAX) return Err::inval;
    switch (f.r[0]) {
        case CONSOLEIO_write: {
            if (probe_guest(buf, count, false) != Err::ok) return Err::fault;
            char chunk[64];
            u32 printed = 0;
            // The budget is checked only where output happens (a flush), so a character costs
            // what it did without one.
            for (u32 done = 0; done < count;) {
                const u32 n = count - done < sizeof chunk ? count - done : sizeof chunk;
                memcpy(chunk, reinterpret_cast<const char*>(buf + done), n);
                for (u32 i = 0; i < n;) {
                    const char c = chunk[i++];
                    if (c == '\n') {
                        printed += console_flush(d);
                    } else if (c == '\r') {
                        continue;
                    } else {
                        d.con_line[d.con_len++] = c;
                        if (d.con_len != sizeof d.con_line - 1) continue;
                        printed += console_flush(d);
                    }
                    if (printed >= kConsoleBudget) return static_cast<i32>(done + i);
                }
                done += n;
            }
            return static_cast<i32>(count);
        }
        case CONSOLEIO_read: {
            if (!d.privileged) return Err::perm;
            if (probe_guest(buf, count, true) != Err::ok) return Err::fault;
            u32 n = 0;
            for (int c; n < count && (c = board::console_getc()) >= 0; ++n)
                reinterpret_cast<char*>(buf)[n] = static_cast<char>(c);
            irq::console_input_read();
            return static_cast<i32>(n);
        }
        case XA_CONSOLEIO_write_raw: {  // dom0's console multiplexer: no prefix, no buffering
            if (!d.privileged) return Err::perm;
            if (probe_guest(buf, count, false) != Err::ok) return Err::fault;
            // The same budget as CONSOLEIO_write, counted in bytes taken (so at most twice
            // that printed, if every one is a '\n'): the loop costs a character what it did.
            const u32 n = count < kConsoleBudget ? count : kConsoleBudget;
            for (u32 i = 0; i < n; ++i) {
                const char c = reinterpret_cast<const char*>(buf)[i];
                if (c == '\n') board::console_putc('\r');  // as printk sends it
                board::console_putc(c);
            }
            return static_cast<i32>(n);
        }
        default: return Err::nosys;
    }
}

}  // namespace xa::hypercalls
