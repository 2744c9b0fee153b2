/*
 * The smallest xen-arm guest: it prints a few lines on the VMM console and shuts down.
 * docs/porting-guest.md explains every step; the system test tests/system/test_hello.py
 * boots it (domains/hello.cfg) and checks what it prints.
 *
 * No assembly file is needed: the VMM enters the ELF entry point in virtual kernel mode
 * with r0 = the start_info page and sp = a valid stack (the top of the domain's memory),
 * which is exactly how a C function expects to be called. The only instruction C cannot
 * express is the hypercall itself, `swi #N`, written below as inline assembly.
 */
#include <xen-arm/elfnote.h>
#include <xen-arm/xen-arm.h>

/* The mark of a paravirtual guest: without it mkimage.py refuses the kernel. */
XA_GUEST_NOTE;

/* A hypercall with up to three arguments: swi #nr, arguments in r0-r2, result in r0. */
#define HYPERCALL3(nr, a0, a1, a2)                                                                                     \
    ({                                                                                                                 \
        register uint32_t r0_ __asm__("r0") = (uint32_t)(a0);                                                          \
        register uint32_t r1_ __asm__("r1") = (uint32_t)(a1);                                                          \
        register uint32_t r2_ __asm__("r2") = (uint32_t)(a2);                                                          \
        __asm__ __volatile__("swi %[n]" : "+r"(r0_) : [n] "i"(nr), "r"(r1_), "r"(r2_) : "memory");                     \
        (int32_t) r0_;                                                                                                 \
    })

static uint32_t length(const char *s)
{
    uint32_t n = 0;
    while (s[n] != '\0')
        n++;
    return n;
}

/* console_io(CONSOLEIO_write): the VMM buffers a line and prints it as "[name] text". It
 * may take fewer bytes than asked (it prints a bounded amount per call): call again for
 * the rest. */
static void print(const char *s)
{
    for (uint32_t left = length(s); left > 0;) {
        const int32_t taken = HYPERCALL3(XA_HYPERCALL_console_io, CONSOLEIO_write, left, s);
        if (taken <= 0)
            return;
        s += taken;
        left -= (uint32_t)taken;
    }
}

static void print_hex(uint32_t value)
{
    char buf[11] = "0x";
    for (int i = 0; i < 8; i++)
        buf[2 + i] = "0123456789abcdef"[(value >> (28 - 4 * i)) & 0xFU];
    buf[10] = '\0';
    print(buf);
}

static void print_dec(uint32_t value)
{
    char buf[11];
    int i = 10;
    buf[i] = '\0';
    do {
        buf[--i] = (char)('0' + value % 10U);
        value /= 10U;
    } while (value != 0);
    print(&buf[i]);
}

/* sched_op(SCHEDOP_shutdown): the domain stops for good; the VMM exits once every domain
 * has stopped (status 0 if all shut down cleanly, 5 if one crashed). */
static void __attribute__((noreturn)) shutdown(uint32_t reason)
{
    struct sched_shutdown s = {reason};
    for (;;)
        HYPERCALL3(XA_HYPERCALL_sched_op, SCHEDOP_shutdown, &s, 0);
}

static int magic_ok(const char *magic)
{
    static const char expected[] = XA_START_INFO_MAGIC;
    for (uint32_t i = 0; i < sizeof expected; i++) {
        if (magic[i] != expected[i])
            return 0;
    }
    return 1;
}

void __attribute__((noreturn)) _start(const struct start_info *si)
{
    if (!magic_ok(si->magic)) {
        print("hello: start_info has the wrong magic\n");
        shutdown(SHUTDOWN_crash);
    }
    print("hello, world from ");
    print(si->name);
    print(" (domain ");
    print_dec(si->domid);
    print(")\n");
    print("memory: ");
    print_dec(si->nr_pages);
    print(" pages at machine ");
    print_hex(si->mem_base);
    print(", mapped at ");
    print_hex(si->kernel_va);
    print("\n");
    print("start_info at ");
    print_hex((uint32_t)si);
    print(", shared_info at ");
    print_hex(si->shared_info_va);
    print(", command line '");
    print(si->cmd_line);
    print("'\n");
    print("goodbye\n");
    shutdown(SHUTDOWN_poweroff);
}
