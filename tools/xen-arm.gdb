# gdb helpers for debugging a xen-arm system (loaded by tools/debug.py; `source` it by hand
# otherwise). Every guest kernel is linked at 0xC0000000 and the image builder moves domain
# N's copy into kernel window N (+N x 64 MiB); tools/debug.py loads each kernel's symbols at
# every window it runs in, so a guest symbol has one address per domain running that kernel.
# These commands read the VMM's own variables to tell which domain is on the CPU.
#
#   xa-current          the domain on the CPU: id and name (or "none": the VMM is idle/booting)
#   xa-domains          every domain slot in use: id, name, state
#   xa-frame [ADDR]     a TrapFrame (the guest registers saved on entry); default: the one
#                       xa_swi / xa_irq / xa_guest_trap got, when stopped in one of them
#   $xa_domid()         the current domain's id, -1 if none: for conditional breakpoints
#
#     break bench_loop if $xa_domid() == 2
#     break xa_swi if $xa_domid() == 1
#
# Without gdb's Python the same conditions are spelled out: in the VMM, its variable (the
# quotes make gdb find it from any frame); in a guest, the guest's start_info.domid, since
# the VMM's memory is privileged-only and gdb reads with the rights of the mode on the CPU:
#     break xa_swi if 'xa::domains::detail::running' != 0 && 'xa::domains::detail::running'->id.value_ == 1
#     break bench_loop if *(unsigned short *) (($pc & 0xFC000000) + 0x03F01030) == 2

python
# The VMM's pages are privileged-only: while a guest is on the CPU (USR mode), QEMU's
# gdbstub reads memory with the guest's rights and the VMM's variables are out of reach.
# The domain is then the owner of the address space: its start_info page (in its kernel
# window, which holds the pc while it runs kernel code, at the same offset in every window,
# readable in virtual kernel mode) holds its id.
XA_WINDOW_MASK = 0xFC000000             # ~(XA_WINDOW_SIZE - 1): windows are 64 MiB aligned
XA_START_INFO_DOMID = 0x03F01000 + 48   # XA_START_INFO_OFFSET + offsetof(start_info, domid)
XA_GUEST_KERNEL = (0xC0000000, 0xFC000000)


def xa_current_domain():
    """(id, name) of the domain on the CPU; id -1 if none; name None if unreadable."""
    try:
        running = gdb.parse_and_eval("'xa::domains::detail::running'")
        if int(running) == 0:
            return -1, None
        d = running.dereference()
        return int(d["id"]["value_"]), d["name"].string()
    except gdb.MemoryError:
        pass
    try:
        pc = int(gdb.parse_and_eval("$pc")) & 0xFFFFFFFF
        if not XA_GUEST_KERNEL[0] <= pc < XA_GUEST_KERNEL[1]:
            return -1, None  # guest user code: its kernel window is not known from here
        raw = gdb.selected_inferior().read_memory((pc & XA_WINDOW_MASK) + XA_START_INFO_DOMID, 2)
        return int.from_bytes(bytes(raw), "little"), None
    except gdb.MemoryError:
        return -1, None


class XaDomId(gdb.Function):
    """$xa_domid(): the id of the domain on the CPU, or -1 while none is (boot, idle)."""

    def __init__(self):
        super().__init__("xa_domid")

    def invoke(self):
        return xa_current_domain()[0]


class XaCurrent(gdb.Command):
    """xa-current: the id and name of the domain on the CPU (the VMM's
xa::domains::detail::running; from a guest's own start_info while the guest runs)."""

    def __init__(self):
        super().__init__("xa-current", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        dom, name = xa_current_domain()
        if dom < 0:
            print("current domain: none")
        else:
            print(f"current domain: {dom}" + (f" ({name})" if name is not None else ""))


class XaDomains(gdb.Command):
    """xa-domains: the domains the VMM knows (id, name, state; the current one marked).
Needs the VMM's memory: stop in the VMM (e.g. break xa_swi), not in a guest."""

    STATES = ("free", "alive", "shutdown", "crashed")

    def __init__(self):
        super().__init__("xa-domains", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        try:
            slots = gdb.parse_and_eval("'xa::domains::detail::slots'")
            running = int(gdb.parse_and_eval("'xa::domains::detail::running'"))
            lo, hi = slots.type.range()
            for i in range(lo, hi + 1):
                d = slots[i]
                state = int(d["state"])
                if state == 0:
                    continue
                mark = " (current)" if int(d.address) == running else ""
                print(f"{int(d['id']['value_'])} {d['name'].string()} {self.STATES[state]}{mark}")
        except gdb.MemoryError:
            print("xa-domains: the VMM's memory is privileged-only and a guest is on the CPU; "
                  "stop in the VMM (e.g. break xa_swi)")


XaDomId()
XaCurrent()
XaDomains()
end

define xa-frame
  if $argc == 1
    set $xa_f = (xa::TrapFrame *) ($arg0)
  else
    set $xa_f = f
  end
  printf "r0  %08x r1  %08x r2  %08x r3  %08x\n", $xa_f->r[0], $xa_f->r[1], $xa_f->r[2], $xa_f->r[3]
  printf "r4  %08x r5  %08x r6  %08x r7  %08x\n", $xa_f->r[4], $xa_f->r[5], $xa_f->r[6], $xa_f->r[7]
  printf "r8  %08x r9  %08x r10 %08x r11 %08x\n", $xa_f->r[8], $xa_f->r[9], $xa_f->r[10], $xa_f->r[11]
  printf "r12 %08x sp  %08x lr  %08x pc  %08x cpsr %08x\n", $xa_f->r[12], $xa_f->sp, $xa_f->lr, $xa_f->pc, $xa_f->cpsr
end
document xa-frame
Print a TrapFrame: xa-frame ADDR, or with no argument the frame `f` of the C++ entry
(xa_swi, xa_guest_trap) gdb is stopped in. For a hypercall, pc is the instruction after the
guest's SWI and the number is its immediate: x/i $xa_f->pc - 4.
end
