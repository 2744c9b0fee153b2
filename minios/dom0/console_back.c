/*
 * dom0's console multiplexer. dom0 owns the console: every guest's output arrives on
 * its console ring (io/console.h) and is printed line by line as "[name] text", dom0's
 * own printk lines as "[dom0] text", all with console_io(XA_CONSOLEIO_write_raw). Input
 * goes to the shell, or to the guest that has the focus (shell.c).
 *
 * The shell's prompt line (with what is typed so far) is the only partial line ever on
 * the screen: a complete line that arrives while it is shown first ends it with a newline
 * (so a log keeps what was typed) and wakes the shell, which shows the prompt and the
 * partly typed line again once the output has been quiet for REPROMPT_QUIET_MS, or at
 * once when a key is typed.
 * Guest bytes are untrusted: control characters are printed as '?', lines are cut at the
 * buffer's length, and ring indices further apart than the ring is long stop that
 * console.
 */
#include "dom0.h"

#include "minios/console.h"
#include "minios/events.h"
#include "minios/kernel.h"
#include "minios/lib.h"

#define REPROMPT_QUIET_MS 200

static bool prompt_visible, reprompt;
static char own_line[160];
static size_t own_len;

void mux_raw(const char *text, size_t len)
{
    /* The VMM takes at most XA_CONSOLEIO_WRITE_BUDGET bytes a call: the rest follows. */
    while (len > 0) {
        const uint32_t n = len > XA_CONSOLEIO_MAX ? XA_CONSOLEIO_MAX : (uint32_t)len;
        const int taken = HYPERVISOR_console_io(XA_CONSOLEIO_write_raw, n, text);
        if (taken <= 0)
            return;
        text += taken;
        len -= (size_t)taken;
    }
}

void mux_prompt_shown(bool shown)
{
    unsigned long flags = local_irq_save();
    prompt_visible = shown;
    local_irq_restore(flags);
}

static s_time_t last_line;

s_time_t mux_reprompt_due(void)
{
    unsigned long flags = local_irq_save();
    const s_time_t due = reprompt ? last_line + MILLISECS(REPROMPT_QUIET_MS) : 0;
    local_irq_restore(flags);
    return due;
}

bool mux_take_reprompt(bool now)
{
    /* Unless a key was typed (now), only once the console has been quiet a while: a
     * burst of lines gets one prompt. */
    unsigned long flags = local_irq_save();
    bool r = reprompt && (now || NOW() - last_line >= MILLISECS(REPROMPT_QUIET_MS));
    if (r)
        reprompt = false;
    local_irq_restore(flags);
    return r;
}

void mux_line(const char *name, const char *text, size_t len)
{
    char buf[200];
    unsigned long flags = local_irq_save();
    size_t n = 0;
    const bool cut = prompt_visible;
    if (cut) {
        buf[n++] = '\n';
        prompt_visible = false;
        reprompt = true;
    }
    n += (size_t)snprintf(buf + n, sizeof buf - n, "[%s] ", name);
    for (size_t i = 0; i < len && n + 2 < sizeof buf; i++) {
        const char c = text[i];
        buf[n++] = (c >= 0x20 && c < 0x7F) || c == '\t' ? c : '?';
    }
    buf[n++] = '\n';
    mux_raw(buf, n);
    last_line = NOW();
    local_irq_restore(flags);
    if (cut)
        shell_prompt_cut();
}

/* dom0's own console output (printk): whole lines through the multiplexer. */
static void own_write(const char *buf, size_t len)
{
    unsigned long flags = local_irq_save();
    for (size_t i = 0; i < len; i++) {
        if (buf[i] == '\n' || own_len == sizeof own_line) {
            mux_line(boot_info()->name, own_line, own_len);
            own_len = 0;
            if (buf[i] == '\n')
                continue;
        }
        if (buf[i] != '\r')
            own_line[own_len++] = buf[i];
    }
    local_irq_restore(flags);
}

void mux_init(void) { pv_set_console_sink(own_write); }

int cons_connect(struct guest *g)
{
    struct cons_back *c = &g->cons;
    memset(c, 0, sizeof *c);
    const uintptr_t va = dom0_map_va(g->domid, SLOT_CONSOLE);
    int st = dom0_map(g->domid, GNTTAB_RESERVED_CONSOLE, va, &c->handle);
    if (st != GNTST_okay)
        return st;
    c->intf = (volatile struct xencons_interface *)va;
    c->up = true;
    return 0;
}

static void flush_line(struct guest *g)
{
    mux_line(g->name, g->cons.line, g->cons.len);
    g->cons.len = 0;
}

void cons_service(struct guest *g)
{
    struct cons_back *c = &g->cons;
    if (!c->up || c->broken)
        return;
    const XENCONS_RING_IDX prod = c->intf->out_prod;
    XENCONS_RING_IDX cons = c->intf->out_cons;
    barrier();
    if (prod - cons > XENCONS_OUT_SIZE) {
        printk("console: dom %u: ring indices corrupt (prod %u cons %u); console closed\n", (unsigned int)g->domid,
               (unsigned int)prod, (unsigned int)cons);
        c->broken = true;
        return;
    }
    while (cons != prod) {
        const char ch = c->intf->out[MASK_XENCONS_IDX(cons, XENCONS_OUT_SIZE)];
        cons++;
        if (ch == '\n') {
            flush_line(g);
        } else if (ch != '\r') {
            c->line[c->len++] = ch;
            if (c->len == sizeof c->line)
                flush_line(g);
        }
    }
    barrier();
    c->intf->out_cons = cons;
    c->out_seen = cons;
    c->seen_valid = true;
}

/* The restored ring holds what the guest had written by its checkpoint, from the
 * out_cons of then: what of it we printed since is skipped, not printed twice. What the
 * guest wrote after the checkpoint, and writes again as it replays, is printed again. */
void cons_rolled_back(struct guest *g)
{
    struct cons_back *c = &g->cons;
    if (!c->up || c->broken || !c->seen_valid)
        return;
    const XENCONS_RING_IDX prod = c->intf->out_prod;
    const XENCONS_RING_IDX cons = c->intf->out_cons;
    barrier();
    if (prod - cons > XENCONS_OUT_SIZE || c->out_seen - cons > XENCONS_OUT_SIZE)
        return; /* not a ring we printed from: cons_service judges it */
    c->intf->out_cons = c->out_seen - cons <= prod - cons ? c->out_seen : prod;
}

void cons_disconnect(struct guest *g)
{
    struct cons_back *c = &g->cons;
    if (!c->up)
        return;
    if (c->len != 0)
        flush_line(g);
    dom0_unmap(&c->handle, dom0_map_va(g->domid, SLOT_CONSOLE));
    c->up = false;
    c->intf = NULL;
}

size_t cons_input(struct guest *g, const char *buf, size_t len)
{
    struct cons_back *c = &g->cons;
    if (!c->up || c->broken)
        return 0;
    const XENCONS_RING_IDX cons = c->intf->in_cons;
    XENCONS_RING_IDX prod = c->intf->in_prod;
    barrier();
    uint32_t used = prod - cons;
    uint32_t room = used > XENCONS_IN_SIZE ? 0 : XENCONS_IN_SIZE - used;
    size_t n = 0;
    for (; n < len && n < room; n++)
        c->intf->in[MASK_XENCONS_IDX(prod++, XENCONS_IN_SIZE)] = buf[n];
    barrier();
    c->intf->in_prod = prod;
    if (n != 0)
        (void)notify_remote_via_evtchn(g->console_port);
    return n;
}
