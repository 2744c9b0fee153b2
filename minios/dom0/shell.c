/*
 * dom0's console shell: domain management on the console dom0 owns.
 *
 * Commands (the table `commands` below drives both dispatch and `help`, so the two
 * cannot drift; `help <cmd>` prints a command's usage and what it does):
 *
 *   list                 every domain (id, name, state, memory in KiB/MiB, CPU time, fault
 *                        tolerance: '-' or 'vm C/R' with its checkpoint and rollback counts,
 *                        its devices), then the boot image's configurations 'create' can start
 *   create <config>      build the boot image's domain <config>, paused, and offer it
 *                        the store, console, disk and network ('boot' starts it)
 *   boot <dom>           start a domain 'create' made
 *   pause <dom>          take a domain off the CPU / put it back
 *   unpause <dom>
 *   destroy <dom>        disconnect its devices and destroy it (memory, ports, grants
 *                        and store nodes come back)
 *   console <dom>        console input goes to <dom> until Ctrl-] (0x1d)
 *   assign [<dom> [<dev>]]  pass the board's device <dev> through to <dom> (imx21: gpt3,
 *                        versatilepb: sp804b): its registers and its interrupt are the
 *                        domain's until it is destroyed; passthrough/{name,irq} in its
 *                        store home say which. Without a device: the board's devices
 *                        and who has each
 *   checkpoint <dom>     copy a fault-tolerant domain (fault_tolerance = vm) into its backup
 *   rollback <dom>       put its last checkpoint back: it resumes from there
 *   inject <dom> <kind> [<a> [<b>]]   plant a fault in a domain (XA_DOMCTL_inject_fault,
 *                        for fault-tolerance tests): mem_flip <offset> <bit>, mem_write
 *                        <offset> <value>, reg_flip <reg 0-15> <bit>, undef (at its pc),
 *                        jump <address>; offsets into its memory
 *   stats                dom0's ports, grant maps and free pages; the switch's counters;
 *                        each fault-tolerant domain's checkpoints, rollbacks, frames copied
 *   sleep <ms>           for scripts
 *   wait <dom> <vbd|vif|vtest|all|down> [ms]   until that device (all: every one) is
 *                        connected, or the domain is gone (default 10000 ms)
 *   halt                 destroy every guest, then stop dom0
 *   help [<cmd>]
 * <dom> is a domain id or name. Errors say in words what was wrong and change nothing;
 * asking for what is already so (pausing a paused domain, booting a running one, ...)
 * says so and succeeds.
 *
 * Input arrives as VIRQ_CONSOLE: the shell reads the console until it is empty, then
 * sleeps until the next event, or until guest output that cut into the prompt line has
 * been quiet for a while: then it shows the prompt and the partly typed line again, the
 * cursor where it was (a key typed before that shows them at once).
 *
 * Line editing (VT100/ANSI keys, as a terminal sends them):
 *   Left/Right (ESC [ D / C, Ctrl-B / Ctrl-F)    move the cursor
 *   Home/End (ESC [ H / F, ESC [ 1~ / 4~, ESC [ 7~ / 8~, ESC O H / F, Ctrl-A / Ctrl-E)
 *   Backspace (0x7f, 0x08), Delete (ESC [ 3~, Ctrl-D)
 *   Ctrl-U / Ctrl-K   erase before / from the cursor;  Ctrl-W   erase the word before it
 *   Ctrl-C            drop the line
 *   Up/Down (ESC [ A / B, Ctrl-P / Ctrl-N)       the history: the last HISTORY_LINES
 *                     lines run, in a ring of static buffers; a line equal to the one
 *                     before it is kept once. Down past the newest brings back what was
 *                     being typed.
 * An escape sequence may arrive in pieces (the parser keeps its state between reads);
 * sequences it does not know are read to their end and dropped, never inserted.
 * Redrawing uses only CR, BS and ESC [ K (erase to the end of the line).
 */
#include "dom0.h"

#include "minios/console.h"
#include "minios/events.h"
#include "minios/kernel.h"
#include "minios/lib.h"
#include "minios/mm.h"
#include "minios/sched.h"

#define POLL_MS 10
#define LINE_MAX 128
#define MAX_WORDS 6
#define HISTORY_LINES 16
#define ESC_PARAM_MAX 9999U

unsigned int input_focus;

static const char prompt[] = "dom0> ";

/* ---- the line being edited ---- */

static char line[LINE_MAX];
static size_t line_len, cursor;

static void backs(size_t n)
{
    static const char bs[16] = "\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b\b";
    while (n > 0) {
        const size_t k = n < sizeof bs ? n : sizeof bs;
        mux_raw(bs, k);
        n -= k;
    }
}

static void show_prompt(void)
{
    mux_raw(prompt, sizeof prompt - 1);
    mux_raw(line, line_len);
    backs(line_len - cursor);
    mux_prompt_shown(true);
}

/* The whole line again, from the start of the terminal line. */
static void redraw(void)
{
    mux_raw("\r", 1);
    mux_raw(prompt, sizeof prompt - 1);
    mux_raw(line, line_len);
    mux_raw("\x1b[K", 3);
    backs(line_len - cursor);
}

static void set_line(const char *text)
{
    line_len = strlcpy(line, text, sizeof line);
    if (line_len >= sizeof line)
        line_len = sizeof line - 1;
    cursor = line_len;
    redraw();
}

static void insert_char(char c)
{
    if (line_len + 1 >= LINE_MAX)
        return;
    if (cursor == line_len) {
        line[line_len++] = c;
        cursor++;
        mux_raw(&c, 1);
        return;
    }
    memmove(line + cursor + 1, line + cursor, line_len - cursor);
    line[cursor++] = c;
    line_len++;
    redraw();
}

/* Erases [from, to) of the line. */
static void erase(size_t from, size_t to)
{
    if (from >= to)
        return;
    const bool tail_only = to == line_len && cursor == line_len;
    memmove(line + from, line + to, line_len - to);
    line_len -= to - from;
    cursor = from;
    if (tail_only && to - from == 1)
        mux_raw("\b \b", 3);
    else
        redraw();
}

static void move_to(size_t pos)
{
    if (pos < cursor)
        backs(cursor - pos);
    else if (pos > cursor)
        mux_raw(line + cursor, pos - cursor); /* rewriting the characters moves right */
    cursor = pos;
}

/* ---- history: a ring of the last lines run ---- */

static char history[HISTORY_LINES][LINE_MAX];
static unsigned int hist_count; /* lines stored, at most HISTORY_LINES */
static unsigned int hist_next;  /* slot the next line goes to */
static unsigned int hist_back;  /* 0: editing a new line; k: showing the k-th newest */
static char draft[LINE_MAX];    /* the new line, while the history is shown */

static const char *hist_entry(unsigned int back) /* 1 = newest */
{
    return history[(hist_next + HISTORY_LINES - back) % HISTORY_LINES];
}

static void hist_add(const char *text)
{
    hist_back = 0;
    if (text[0] == '\0' || (hist_count > 0 && strcmp(hist_entry(1), text) == 0))
        return;
    strlcpy(history[hist_next], text, LINE_MAX);
    hist_next = (hist_next + 1) % HISTORY_LINES;
    if (hist_count < HISTORY_LINES)
        hist_count++;
}

static void hist_move(bool older)
{
    if (older) {
        if (hist_back == hist_count)
            return; /* the oldest is shown */
        if (hist_back == 0) {
            line[line_len] = '\0';
            strlcpy(draft, line, sizeof draft);
        }
        hist_back++;
        set_line(hist_entry(hist_back));
    } else {
        if (hist_back == 0)
            return;
        hist_back--;
        set_line(hist_back == 0 ? draft : hist_entry(hist_back));
    }
}

/* ---- commands ---- */

static int domain_info(domid_t id, struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl op;
    int rc = dom0_domctl(XEN_DOMCTL_getdomaininfo, id, &op);
    if (rc != 0)
        return rc;
    *info = op.u.getdomaininfo;
    return 0;
}

/* The VMM's fault-tolerance counts of a domain (mode XA_FT_none and zeros without). */
static int ft_info(domid_t id, struct xa_domctl_ftinfo *ft)
{
    struct xen_domctl op;
    int rc = dom0_domctl(XA_DOMCTL_ftinfo, id, &op);
    if (rc != 0)
        return rc;
    *ft = op.u.ftinfo;
    return 0;
}

/* A domain id from "3" or a name; -1 if there is no such domain (and says so). */
static int resolve(const char *cmd, const char *word)
{
    uint32_t id;
    struct xen_domctl_getdomaininfo info;
    if (parse_u32(word, &id)) {
        if (id < DOM0_MAX_DOMS && domain_info((domid_t)id, &info) == 0 && info.domain == id)
            return (int)id;
        printk("%s: dom %s does not exist\n", cmd, word);
        return -1;
    }
    for (uint32_t next = 0; next < DOM0_MAX_DOMS && domain_info((domid_t)next, &info) == 0; next = info.domain + 1U) {
        if (strncmp(info.name, word, sizeof info.name) == 0)
            return info.domain;
    }
    printk("%s: no domain is named '%s'\n", cmd, word);
    return -1;
}

/* "256 KiB", "1 MiB", "1.5 MiB" */
static const char *human_kib(char *buf, size_t size, uint32_t kib)
{
    if (kib < 1024U)
        snprintf(buf, size, "%u KiB", (unsigned int)kib);
    else if (kib % 1024U == 0)
        snprintf(buf, size, "%u MiB", (unsigned int)(kib / 1024U));
    else
        snprintf(buf, size, "%u.%u MiB", (unsigned int)(kib / 1024U), (unsigned int)(kib % 1024U * 10U / 1024U));
    return buf;
}

static const char *state_of(const struct xen_domctl_getdomaininfo *info, const struct guest *g)
{
    return (info->flags & XEN_DOMINF_crashed) != 0    ? "crashed"
           : (info->flags & XEN_DOMINF_shutdown) != 0 ? "shutdown"
           : g != NULL && !g->booted                  ? "created"
           : (info->flags & XEN_DOMINF_paused) != 0   ? "paused"
           : (info->flags & XEN_DOMINF_running) != 0  ? "running"
           : (info->flags & XEN_DOMINF_blocked) != 0  ? "blocked"
                                                      : "runnable";
}

static void cmd_list(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    UNUSED(argv);
    struct xen_domctl_getdomaininfo info;
    char mem[16];
    bool any_ft = false;
    printk("  id name            state      memory   cpu ms  ft        vbd         vif         vtest\n");
    for (uint32_t next = 0; next < 0x7FF0U && domain_info((domid_t)next, &info) == 0; next = info.domain + 1U) {
        char name[sizeof info.name + 1];
        memcpy(name, info.name, sizeof info.name);
        name[sizeof info.name] = '\0';
        const struct guest *g = guest_get(info.domain);
        struct xa_domctl_ftinfo ft;
        char ft_col[24] = "-";
        if (ft_info(info.domain, &ft) == 0 && ft.mode == XA_FT_vm) {
            snprintf(ft_col, sizeof ft_col, "vm %u/%u", (unsigned int)ft.checkpoints, (unsigned int)ft.rollbacks);
            any_ft = true;
        }
        printk("  %-2u %-15s %-10s %-8s %-7u %-9s %-11s %-11s %s\n", (unsigned int)info.domain, name,
               state_of(&info, g), human_kib(mem, sizeof mem, info.nr_pages * (PAGE_SIZE / 1024U)),
               (unsigned int)(info.cpu_time / 1000000U), ft_col, g != NULL ? device_state(&g->vbd.c) : "-",
               g != NULL ? device_state(&g->vif.c) : "-", g != NULL ? device_state(&g->vtest.c) : "-");
    }
    if (any_ft)
        printk("  ft: vm C/R = checkpoints of the whole domain, C taken and R rolled back ('stats' has more)\n");
    struct xen_domctl op;
    unsigned int shown = 0;
    for (uint32_t index = 0; index < DOM0_MAX_DOMS; index = op.domain + 1U) {
        if (dom0_domctl(XA_DOMCTL_getconfig, (domid_t)index, &op) != 0)
            break;
        const struct xa_domctl_getconfig *c = &op.u.getconfig;
        if ((c->flags & XA_CONFIG_exists) != 0)
            continue;
        if (shown++ == 0)
            printk("  configurations 'create' can start:\n");
        printk("     %-15s %s\n", c->name, human_kib(mem, sizeof mem, c->memory_kb));
    }
    if (shown == 0)
        printk("  configurations 'create' can start: none (every one is running)\n");
}

static void cmd_create(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    const char *config = argv[1];
    struct xen_domctl op = {0};
    if (strlen(config) >= sizeof op.u.createdomain.name) {
        printk("create: the boot image has no configuration '%s' (names are at most 15 characters)\n", config);
        return;
    }
    strlcpy(op.u.createdomain.name, config, sizeof op.u.createdomain.name);
    int rc = dom0_domctl(XEN_DOMCTL_createdomain, 0, &op);
    switch (-rc) {
    case 0: break;
    case XEN_ENOENT: printk("create: the boot image has no configuration '%s' ('list' shows them)\n", config); return;
    case XEN_EEXIST: {
        struct xen_domctl_getdomaininfo info;
        for (uint32_t next = 1; next < DOM0_MAX_DOMS && domain_info((domid_t)next, &info) == 0;
             next = info.domain + 1U) {
            if (strncmp(info.name, config, sizeof info.name) != 0)
                continue;
            const struct guest *g = guest_get(info.domain);
            if (g != NULL && !g->booted)
                printk("create: '%s' was already created as dom %u ('boot %u' starts it)\n", config,
                       (unsigned int)info.domain, (unsigned int)info.domain);
            else
                printk("create: '%s' is already running as dom %u\n", config, (unsigned int)info.domain);
            return;
        }
        printk("create: a domain built from '%s' still exists\n", config);
        return;
    }
    case XEN_ENOMEM:
        printk("create: not enough memory for '%s' (ENOMEM; the VMM's line above says what ran out)\n", config);
        return;
    default: printk("create: '%s' could not be built: %s\n", config, gl_xen_error(rc)); return;
    }
    const domid_t id = op.domain;
    rc = dom0_domctl(XEN_DOMCTL_pausedomain, id, NULL);
    if (rc != 0)
        printk("create: dom %u could not be paused: %s\n", (unsigned int)id, gl_xen_error(rc));
    rc = dom0_introduce(id, false);
    if (rc != 0) {
        printk("create: dom %u cannot be attached to dom0: %s; destroying it\n", (unsigned int)id, gl_xen_error(rc));
        (void)dom0_domctl(XEN_DOMCTL_destroydomain, id, NULL);
        return;
    }
    printk("create: dom %u '%s' created, paused ('boot %u' starts it)\n", (unsigned int)id, config, (unsigned int)id);
}

/* A guest dom0 has attached, by id or name; NULL (and says why) otherwise. */
static struct guest *guest_arg(const char *cmd, const char *word)
{
    int id = resolve(cmd, word);
    if (id < 0)
        return NULL;
    if (id == 0) {
        printk("%s: not for dom0 itself\n", cmd);
        return NULL;
    }
    struct guest *g = guest_get((unsigned int)id);
    if (g == NULL)
        printk("%s: dom %d is not attached to dom0\n", cmd, id);
    return g;
}

static void cmd_boot(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    struct guest *g = guest_arg("boot", argv[1]);
    if (g == NULL)
        return;
    if (g->booted) {
        printk("boot: dom %u '%s' is already running\n", (unsigned int)g->domid, g->name);
        return;
    }
    int rc = dom0_domctl(XEN_DOMCTL_unpausedomain, g->domid, NULL);
    if (rc != 0) {
        printk("boot: dom %u '%s' could not be started: %s\n", (unsigned int)g->domid, g->name, gl_xen_error(rc));
        return;
    }
    g->booted = true;
    printk("boot: dom %u '%s' started\n", (unsigned int)g->domid, g->name);
}

static void pause_or_unpause(const char *word, bool pause)
{
    const char *cmd = pause ? "pause" : "unpause";
    int id = resolve(cmd, word);
    if (id < 0)
        return;
    if (id == 0) {
        printk("%s: dom0 cannot %s itself\n", cmd, cmd);
        return;
    }
    struct xen_domctl_getdomaininfo info;
    if (domain_info((domid_t)id, &info) != 0 || info.domain != (domid_t)id) {
        printk("%s: dom %d does not exist\n", cmd, id);
        return;
    }
    if ((info.flags & XEN_DOMINF_shutdown) != 0) {
        printk("%s: dom %d has %s; it no longer runs\n", cmd, id,
               (info.flags & XEN_DOMINF_crashed) != 0 ? "crashed" : "shut down");
        return;
    }
    struct guest *g = guest_get((unsigned int)id);
    if (g != NULL && !g->booted) {
        if (pause)
            printk("pause: dom %d is already paused (created, never booted)\n", id);
        else
            printk("unpause: dom %d was created but never booted: 'boot %d' starts it\n", id, id);
        return;
    }
    const bool paused = (info.flags & XEN_DOMINF_paused) != 0;
    if (paused == pause) {
        printk("%s: dom %d is already %s\n", cmd, id, pause ? "paused" : "running");
        return;
    }
    int rc = dom0_domctl(pause ? XEN_DOMCTL_pausedomain : XEN_DOMCTL_unpausedomain, (domid_t)id, NULL);
    if (rc != 0)
        printk("%s: dom %d: %s\n", cmd, id, gl_xen_error(rc));
    else
        printk("%s: dom %d %s\n", cmd, id, pause ? "paused" : "unpaused");
}

static void cmd_pause(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    pause_or_unpause(argv[1], true);
}

static void cmd_unpause(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    pause_or_unpause(argv[1], false);
}

static void cmd_destroy(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    int id = resolve("destroy", argv[1]);
    if (id < 0)
        return;
    if (id == 0) {
        printk("destroy: dom0 cannot destroy itself (use 'halt')\n");
        return;
    }
    struct xen_domctl_getdomaininfo info;
    const bool stopped =
        domain_info((domid_t)id, &info) == 0 && info.domain == (domid_t)id && (info.flags & XEN_DOMINF_shutdown) != 0;
    struct guest *g = guest_get((unsigned int)id);
    if (g != NULL && stopped) {
        /* dom0 destroys a guest that stopped as soon as it hears of it (VIRQ_DOM_EXC) */
        printk("destroy: dom %d '%s' has %s and is already being destroyed\n", id, g->name,
               (info.flags & XEN_DOMINF_crashed) != 0 ? "crashed" : "shut down");
        return;
    }
    if (g != NULL) {
        (void)dom0_release(g, "destroyed by the shell");
        return;
    }
    int rc = dom0_domctl(XEN_DOMCTL_destroydomain, (domid_t)id, NULL);
    if (rc == 0)
        printk("destroy: dom %d destroyed\n", id);
    else if (rc == -XEN_ESRCH)
        printk("destroy: dom %d no longer exists\n", id);
    else
        printk("destroy: dom %d could not be destroyed: %s\n", id, gl_xen_error(rc));
}

static void cmd_console(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    struct guest *g = guest_arg("console", argv[1]);
    if (g == NULL)
        return;
    input_focus = g->domid;
    printk("console: input goes to dom %u '%s'; Ctrl-] returns to dom0\n", (unsigned int)g->domid, g->name);
}

static void list_devices(void)
{
    struct xen_domctl op = {0};
    unsigned int n = 0;
    for (;; n++) {
        op.u.getdevice.index = n;
        if (dom0_domctl(XA_DOMCTL_getdevice, 0, &op) != 0)
            break;
        const struct xa_domctl_getdevice *d = &op.u.getdevice;
        if (n == 0)
            printk("assign: devices this board can pass through ('assign <dom> <device>'):\n");
        if (d->owner == DOMID_INVALID) {
            printk("  %-8s line %-3u registers 0x%08x  free\n", d->name, (unsigned int)d->irq, (unsigned int)d->phys);
            continue;
        }
        struct xen_domctl_getdomaininfo info;
        char name[sizeof info.name + 1] = "?";
        if (domain_info(d->owner, &info) == 0 && info.domain == d->owner) {
            memcpy(name, info.name, sizeof info.name);
            name[sizeof info.name] = '\0';
        }
        printk("  %-8s line %-3u registers 0x%08x  assigned to dom %u '%s'\n", d->name, (unsigned int)d->irq,
               (unsigned int)d->phys, (unsigned int)d->owner, name);
    }
    if (n == 0)
        printk("assign: this board has no device to pass through\n");
}

static void cmd_assign(unsigned int argc, char *argv[])
{
    if (argc < 3) {
        list_devices();
        return;
    }
    const int id = resolve("assign", argv[1]);
    if (id >= 0)
        shell_assign(id, argv[2]);
}

void shell_assign(int id, const char *dev)
{
    struct xen_domctl op = {0};
    if (strlen(dev) >= sizeof op.u.assign_device.name) {
        printk("assign: no device '%s' on this board ('assign' lists them)\n", dev);
        return;
    }
    strlcpy(op.u.assign_device.name, dev, sizeof op.u.assign_device.name);
    int rc = dom0_domctl(XEN_DOMCTL_assign_device, (domid_t)id, &op);
    switch (-rc) {
    case 0: break;
    case XEN_ENOENT: printk("assign: no device '%s' on this board ('assign' lists them)\n", dev); return;
    case XEN_EBUSY: printk("assign: %s already belongs to a domain\n", dev); return;
    case XEN_EEXIST: printk("assign: dom %d has a device already\n", id); return;
    case XEN_ESRCH: printk("assign: dom %d is not running\n", id); return;
    case XEN_EINVAL: printk("assign: dom %d uses the address the device would be mapped at\n", id); return;
    default: printk("assign: %s to dom %d: %s\n", dev, id, gl_xen_error(rc)); return;
    }
    char path[48];
    snprintf(path, sizeof path, "/local/domain/%d/passthrough/name", id);
    store_write(path, dev);
    snprintf(path, sizeof path, "/local/domain/%d/passthrough/irq", id);
    store_printf(path, "%u", (unsigned int)op.u.assign_device.irq);
    printk("assign: %s (line %u) passed through to dom %d at 0x%08x\n", dev, (unsigned int)op.u.assign_device.irq, id,
           (unsigned int)op.u.assign_device.va);
}

/* checkpoint's and rollback's domain: a number goes to the VMM as it is (it says -ESRCH
 * when there is no such domain), a name is looked up. Its name, for the messages, into
 * `name` ("" if the domain does not exist). -1 (and says why) if no domain has that name. */
static int ft_target(const char *cmd, const char *word, char *name, size_t size)
{
    uint32_t id;
    int dom;
    if (parse_u32(word, &id) && id >= DOMID_SELF) {
        printk("%s: dom %s does not exist\n", cmd, word); /* not a domain id at all */
        return -1;
    }
    if (parse_u32(word, &id))
        dom = (int)id;
    else if ((dom = resolve(cmd, word)) < 0)
        return -1;
    struct xen_domctl_getdomaininfo info;
    name[0] = '\0';
    if (domain_info((domid_t)dom, &info) == 0 && info.domain == (domid_t)dom) {
        char plain[sizeof info.name + 1];
        memcpy(plain, info.name, sizeof info.name);
        plain[sizeof info.name] = '\0';
        snprintf(name, size, " '%s'", plain);
    }
    return dom;
}

/* What checkpoint or rollback of dom `id` failing with rc means. */
static void ft_failed(const char *cmd, int id, const char *name, int rc)
{
    switch (-rc) {
    case XEN_ESRCH: printk("%s: dom %d does not exist or no longer runs: %s\n", cmd, id, gl_xen_error(rc)); return;
    case XEN_EINVAL:
        printk("%s: dom %d%s has no fault tolerance (its configuration needs fault_tolerance = vm): %s\n", cmd, id,
               name, gl_xen_error(rc));
        return;
    case XEN_ENOENT:
        printk("%s: dom %d%s has no checkpoint to roll back to ('checkpoint %d' takes one): %s\n", cmd, id, name, id,
               gl_xen_error(rc));
        return;
    default: printk("%s: dom %d%s: %s\n", cmd, id, name, gl_xen_error(rc)); return;
    }
}

/* "(256 frames copied)": what the checkpoint or rollback just done copied. */
static void ft_done(const char *cmd, int id, const char *name, const char *what)
{
    struct xa_domctl_ftinfo ft;
    if (ft_info((domid_t)id, &ft) == 0)
        printk("%s: dom %d%s %s (%u frames copied)\n", cmd, id, name, what, (unsigned int)ft.last_copied);
    else
        printk("%s: dom %d%s %s\n", cmd, id, name, what);
}

static void cmd_checkpoint(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    char name[24];
    const int id = ft_target("checkpoint", argv[1], name, sizeof name);
    if (id < 0)
        return;
    struct xen_domctl op = {0};
    const int rc = dom0_domctl(XA_DOMCTL_checkpoint, (domid_t)id, &op);
    if (rc == 1) /* dom0 checkpointed itself, and a rollback has brought it back here */
        printk("checkpoint: dom %d%s resumed from this checkpoint by a rollback\n", id, name);
    else if (rc != 0)
        ft_failed("checkpoint", id, name, rc);
    else
        ft_done("checkpoint", id, name, "checkpointed");
}

static void cmd_rollback(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    char name[24];
    const int id = ft_target("rollback", argv[1], name, sizeof name);
    if (id < 0)
        return;
    struct xen_domctl op = {0};
    const int rc = dom0_domctl(XA_DOMCTL_rollback, (domid_t)id, &op);
    if (rc != 0)
        ft_failed("rollback", id, name, rc);
    else
        ft_done("rollback", id, name, "rolled back to its checkpoint");
}

static void cmd_stats(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    UNUSED(argv);
    uint32_t switched, unknown, nobuf;
    netback_stats(&switched, &unknown, &nobuf);
    printk("stats: dom0 ports in use %u, grant maps %u, free pages %u, store nodes %u\n", dom0_ports_in_use(),
           dom0_maps_in_use(), mm_free_pages(), store_nodes());
    printk("stats: switch: %u frames switched, %u to unknown stations, %u dropped for want of a buffer\n",
           (unsigned int)switched, (unsigned int)unknown, (unsigned int)nobuf);
    for (unsigned int i = 1; i < DOM0_MAX_DOMS; i++) {
        const struct guest *g = guest_get(i);
        if (g == NULL)
            continue;
        printk("stats: dom %u: store %u requests; vbd %u requests (%u errors); vif tx %u rx %u dropped %u (%u "
               "errors); vtest %u requests\n",
               i, (unsigned int)g->store.requests, (unsigned int)g->vbd.c.requests, (unsigned int)g->vbd.c.errors,
               (unsigned int)g->vif.tx_frames, (unsigned int)g->vif.rx_frames, (unsigned int)g->vif.rx_dropped,
               (unsigned int)g->vif.c.errors, (unsigned int)g->vtest.c.requests);
    }
    struct xen_domctl_getdomaininfo info;
    for (uint32_t next = 0; next < DOM0_MAX_DOMS && domain_info((domid_t)next, &info) == 0; next = info.domain + 1U) {
        struct xa_domctl_ftinfo ft;
        if (ft_info(info.domain, &ft) != 0 || ft.mode != XA_FT_vm)
            continue;
        char last[40] = "no checkpoint yet";
        if (ft.has_checkpoint)
            snprintf(last, sizeof last, "last checkpoint at %u ms", (unsigned int)(ft.last_checkpoint_ns / 1000000U));
        char name[sizeof info.name + 1];
        memcpy(name, info.name, sizeof info.name);
        name[sizeof info.name] = '\0';
        printk("stats: dom %u '%s' fault tolerance: checkpoints %u, rollbacks %u, frames copied %llu (last %u); %s\n",
               (unsigned int)info.domain, name, (unsigned int)ft.checkpoints, (unsigned int)ft.rollbacks,
               (unsigned long long)ft.frames_copied, (unsigned int)ft.last_copied, last);
    }
}

static void cmd_sleep(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    uint32_t ms;
    if (!parse_u32(argv[1], &ms))
        printk("sleep: '%s' is not a number of milliseconds\n", argv[1]);
    else
        msleep(ms);
}

static bool wait_done(int id, const char *what)
{
    const struct guest *g = guest_get((unsigned int)id);
    if (strcmp(what, "down") == 0)
        return g == NULL;
    if (g == NULL)
        return false;
    if (strcmp(what, "vbd") == 0)
        return g->vbd.c.connected;
    if (strcmp(what, "vif") == 0)
        return g->vif.c.connected;
    if (strcmp(what, "vtest") == 0)
        return g->vtest.c.connected;
    return g->vbd.c.connected && g->vif.c.connected && g->vtest.c.connected;
}

static void cmd_wait(unsigned int argc, char *argv[])
{
    const char *word = argv[1], *what = argv[2], *ms_word = argc > 3 ? argv[3] : NULL;
    uint32_t ms = 10000;
    if (strcmp(what, "vbd") != 0 && strcmp(what, "vif") != 0 && strcmp(what, "vtest") != 0 &&
        strcmp(what, "all") != 0 && strcmp(what, "down") != 0) {
        printk("wait: '%s': expected vbd, vif, vtest, all or down\n", what);
        return;
    }
    if (ms_word != NULL && !parse_u32(ms_word, &ms)) {
        printk("wait: '%s' is not a number of milliseconds\n", ms_word);
        return;
    }
    /* A number need not name a live domain: 'wait 3 down' after it went is done at once. */
    uint32_t id;
    int dom = parse_u32(word, &id) ? (id < DOM0_MAX_DOMS ? (int)id : -1) : resolve("wait", word);
    if (dom == 0 || (dom < 0 && parse_u32(word, &id))) {
        printk("wait: '%s' is not a guest\n", word);
        return;
    }
    if (dom < 0)
        return;
    const s_time_t deadline = NOW() + MILLISECS(ms);
    while (!wait_done(dom, what) && NOW() < deadline)
        msleep(POLL_MS);
    if (wait_done(dom, what))
        printk("wait: dom %d %s%s\n", dom, strcmp(what, "down") == 0 ? "is gone" : what,
               strcmp(what, "down") == 0 ? "" : " connected");
    else
        printk("wait: dom %d %s: timed out after %u ms\n", dom, what, (unsigned int)ms);
}

static void cmd_halt(unsigned int argc, char *argv[])
{
    UNUSED(argc);
    UNUSED(argv);
    printk("halt: destroying every guest\n");
    for (unsigned int i = 1; i < DOM0_MAX_DOMS; i++) {
        struct guest *g = guest_get(i);
        if (g != NULL)
            (void)dom0_release(g, "halted");
    }
    dom0_stop(0);
}

static void cmd_inject(unsigned int argc, char *argv[])
{
    static const char *const kinds[] = {"mem_flip", "mem_write", "reg_flip", "undef", "jump"};
    static const unsigned int needs[] = {2, 2, 2, 0, 1}; /* numbers after the kind */
    const int id = resolve("inject", argv[1]);
    if (id < 0)
        return;
    struct xen_domctl op = {
        .cmd = XA_DOMCTL_inject_fault, .interface_version = XA_DOMCTL_INTERFACE_VERSION, .domain = (domid_t)id};
    struct xa_domctl_inject_fault *f = &op.u.inject_fault;
    uint32_t kind = 0, a = 0, b = 0;
    while (kind < ARRAY_SIZE(kinds) && strcmp(kinds[kind], argv[2]) != 0)
        kind++;
    if (kind == ARRAY_SIZE(kinds) || argc - 3 != needs[kind] || (argc > 3 && !parse_u32(argv[3], &a)) ||
        (argc > 4 && !parse_u32(argv[4], &b))) {
        printk("inject: expected mem_flip <offset> <bit>, mem_write <offset> <value>, reg_flip <reg> <bit>, undef "
               "or jump <address>\n");
        return;
    }
    f->kind = kind;
    f->offset = kind == XA_INJECT_reg_flip ? 0 : a;
    f->reg = kind == XA_INJECT_reg_flip ? a : 0;
    f->bit = kind == XA_INJECT_mem_write ? 0 : b;
    f->value = kind == XA_INJECT_mem_write ? b : a;
    const int rc = HYPERVISOR_domctl(&op);
    if (rc != 0) {
        printk("inject: dom %d: %s\n", id, gl_xen_error(rc));
        return;
    }
    if (kind == XA_INJECT_reg_flip)
        printk("inject: dom %d r%u: 0x%08x -> 0x%08x\n", id, (unsigned int)a, (unsigned int)f->old,
               (unsigned int)f->now);
    else
        printk("inject: dom %d %s at 0x%08x: 0x%08x -> 0x%08x\n", id, kinds[kind], (unsigned int)f->va,
               (unsigned int)f->old, (unsigned int)f->now);
}

static void cmd_help(unsigned int argc, char *argv[]);

static const struct command {
    const char *name;
    unsigned int min_args, max_args;
    const char *usage;
    const char *summary; /* one line, for 'help' */
    void (*run)(unsigned int argc, char *argv[]);
} commands[] = {
    {"help", 0, 1, "help [<cmd>]", "this list; with a command, its usage", cmd_help},
    {"list", 0, 0, "list", "domains, their state, memory, fault tolerance and devices; configurations to create",
     cmd_list},
    {"create", 1, 1, "create <config>", "build a configuration of the boot image, paused", cmd_create},
    {"boot", 1, 1, "boot <dom>", "start a domain that 'create' built", cmd_boot},
    {"pause", 1, 1, "pause <dom>", "take a domain off the CPU", cmd_pause},
    {"unpause", 1, 1, "unpause <dom>", "let a paused domain run again", cmd_unpause},
    {"destroy", 1, 1, "destroy <dom>", "disconnect a domain's devices and destroy it", cmd_destroy},
    {"console", 1, 1, "console <dom>", "send console input to a domain (Ctrl-] comes back)", cmd_console},
    {"assign", 0, 2, "assign [<dom> <device>]", "pass a device through to a domain; alone: the devices", cmd_assign},
    {"checkpoint", 1, 1, "checkpoint <dom>", "copy a fault-tolerant domain into its backup", cmd_checkpoint},
    {"rollback", 1, 1, "rollback <dom>", "put a domain's last checkpoint back", cmd_rollback},
    {"inject", 2, 4, "inject <dom> <kind> [<a> [<b>]]",
     "a fault in a domain: mem_flip, mem_write, reg_flip, undef, jump", cmd_inject},
    {"stats", 0, 0, "stats", "dom0's ports, grant maps, memory; the switch's counters; fault tolerance", cmd_stats},
    {"sleep", 1, 1, "sleep <ms>", "wait that many milliseconds (for scripts)", cmd_sleep},
    {"wait", 2, 3, "wait <dom> <vbd|vif|vtest|all|down> [ms]", "until a device is connected or the domain gone",
     cmd_wait},
    {"halt", 0, 0, "halt", "destroy every guest, then stop dom0", cmd_halt},
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    }
    return NULL;
}

static void cmd_help(unsigned int argc, char *argv[])
{
    if (argc > 1) {
        const struct command *c = find_command(argv[1]);
        if (c == NULL) {
            printk("help: no command '%s' ('help' lists them)\n", argv[1]);
            return;
        }
        printk("usage: %s\n", c->usage);
        printk("  %s\n", c->summary);
        return;
    }
    printk("commands (<dom> is a domain id or name; 'help <cmd>' for its usage):\n");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
        printk("  %-10s %s\n", commands[i].name, commands[i].summary);
    printk("keys: arrows, Home/End, Delete, Backspace, Ctrl-A/E/U/K/W/C edit; Up/Down recall earlier lines\n");
}

static void run(char *text)
{
    char *words[MAX_WORDS];
    unsigned int n = 0;
    for (char *p = text; *p != '\0';) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (*p == '\0')
            break;
        if (n == MAX_WORDS) {
            n++; /* too many: the usage message below */
            break;
        }
        words[n++] = p;
        while (*p != '\0' && *p != ' ' && *p != '\t')
            p++;
    }
    if (n == 0)
        return;
    const struct command *c = find_command(words[0]);
    if (c == NULL) {
        printk("unknown command '%s' (try 'help')\n", words[0]);
        return;
    }
    if (n - 1 < c->min_args || n - 1 > c->max_args) {
        printk("usage: %s\n", c->usage);
        return;
    }
    c->run(n, words);
}

/* ---- keys ---- */

static void enter(void)
{
    static char copy[LINE_MAX];
    mux_raw("\n", 1);
    mux_prompt_shown(false);
    line[line_len] = '\0';
    hist_add(line);
    memcpy(copy, line, line_len + 1);
    line_len = 0;
    cursor = 0;
    run(copy); /* may sleep (sleep, wait): keys typed meanwhile wait in the console */
    if (input_focus == 0)
        show_prompt();
}

/* A control character or a decoded key. */
enum key {
    K_NONE,
    K_LEFT,
    K_RIGHT,
    K_UP,
    K_DOWN,
    K_HOME,
    K_END,
    K_DELETE,
};

static void do_key(enum key k)
{
    switch (k) {
    case K_LEFT:
        if (cursor > 0)
            move_to(cursor - 1);
        break;
    case K_RIGHT:
        if (cursor < line_len)
            move_to(cursor + 1);
        break;
    case K_HOME: move_to(0); break;
    case K_END: move_to(line_len); break;
    case K_DELETE: erase(cursor, cursor < line_len ? cursor + 1 : cursor); break;
    case K_UP: hist_move(true); break;
    case K_DOWN: hist_move(false); break;
    case K_NONE: break;
    }
}

static void control(char c)
{
    switch (c) {
    case 0x01: do_key(K_HOME); break; /* Ctrl-A */
    case 0x02: do_key(K_LEFT); break; /* Ctrl-B */
    case 0x03:                        /* Ctrl-C: drop the line */
        mux_raw("^C\n", 3);
        line_len = cursor = 0;
        hist_back = 0;
        show_prompt();
        break;
    case 0x04: do_key(K_DELETE); break;                           /* Ctrl-D */
    case 0x05: do_key(K_END); break;                              /* Ctrl-E */
    case 0x06: do_key(K_RIGHT); break;                            /* Ctrl-F */
    case 0x08: erase(cursor > 0 ? cursor - 1 : 0, cursor); break; /* Ctrl-H, backspace */
    case 0x0B: erase(cursor, line_len); break;                    /* Ctrl-K */
    case 0x0E: do_key(K_DOWN); break;                             /* Ctrl-N */
    case 0x10: do_key(K_UP); break;                               /* Ctrl-P */
    case 0x15: erase(0, cursor); break;                           /* Ctrl-U */
    case 0x17: {                                                  /* Ctrl-W: the word before the cursor */
        size_t from = cursor;
        while (from > 0 && line[from - 1] == ' ')
            from--;
        while (from > 0 && line[from - 1] != ' ')
            from--;
        erase(from, cursor);
        break;
    }
    default: break; /* others (Tab, Ctrl-]) mean nothing here */
    }
}

/* The escape-sequence parser: ESC [ params final (CSI), ESC O final (SS3). */
static enum { ESC_NONE, ESC_START, ESC_CSI, ESC_SS3 } esc;
static unsigned int esc_param, esc_params; /* the first parameter; parameters seen */
static bool esc_odd;                       /* private or intermediate bytes: not ours */

static enum key csi_key(char final)
{
    if (esc_odd || esc_params > 2)
        return K_NONE;
    switch (final) {
    case 'A': return K_UP;
    case 'B': return K_DOWN;
    case 'C': return K_RIGHT;
    case 'D': return K_LEFT;
    case 'H': return K_HOME;
    case 'F': return K_END;
    case '~':
        switch (esc_param) {
        case 1:
        case 7: return K_HOME;
        case 4:
        case 8: return K_END;
        case 3: return K_DELETE;
        default: return K_NONE;
        }
    default: return K_NONE;
    }
}

/* One byte of an escape sequence (esc != ESC_NONE). */
static void escape_byte(char c)
{
    const unsigned char u = (unsigned char)c;
    switch (esc) {
    case ESC_START:
        esc_param = esc_params = 0;
        esc_odd = false;
        esc = c == '[' ? ESC_CSI : c == 'O' ? ESC_SS3 : ESC_NONE; /* ESC x (Alt-x): dropped */
        return;
    case ESC_SS3:
        esc = ESC_NONE;
        do_key(c == 'A'   ? K_UP
               : c == 'B' ? K_DOWN
               : c == 'C' ? K_RIGHT
               : c == 'D' ? K_LEFT
               : c == 'H' ? K_HOME
               : c == 'F' ? K_END
                          : K_NONE);
        return;
    case ESC_CSI:
        if (u >= '0' && u <= '9') {
            if (esc_params == 0)
                esc_params = 1;
            if (esc_params == 1 && esc_param <= ESC_PARAM_MAX)
                esc_param = esc_param * 10U + (u - '0');
        } else if (u == ';') {
            esc_params = (esc_params == 0 ? 1U : esc_params) + 1U;
        } else if (u >= 0x20 && u <= 0x3F) {
            esc_odd = true; /* '<', '=', '>', '?', intermediates */
        } else if (u >= 0x40 && u <= 0x7E) {
            esc = ESC_NONE;
            do_key(csi_key(c));
        } else {
            esc = ESC_NONE; /* not a sequence after all: dropped */
        }
        return;
    case ESC_NONE: return;
    }
}

/* One typed character while dom0 has the input. */
static void shell_key(char c)
{
    static bool last_cr;
    if (mux_take_reprompt(true))
        show_prompt(); /* output came in the middle of the line: show it again first */
    const bool was_cr = last_cr;
    last_cr = c == '\r';
    if (c == 0x1B) {
        esc = ESC_START; /* also restarts a sequence cut short */
        return;
    }
    if (esc != ESC_NONE) {
        if ((unsigned char)c >= 0x20) {
            escape_byte(c);
            return;
        }
        esc = ESC_NONE; /* a control character ends a broken sequence and counts itself */
    }
    if (c == '\r' || c == '\n') {
        if (c == '\n' && was_cr)
            return; /* "\r\n" is one Enter */
        enter();
    } else if (c == 0x7F) {
        control(0x08);
    } else if ((unsigned char)c < 0x20) {
        control(c);
    } else if ((unsigned char)c < 0x7F) {
        insert_char(c);
    }
}

/* ---- the shell thread ---- */

/* VIRQ_CONSOLE: the VMM has console input for dom0; or the multiplexer cut the prompt. */
static struct wait_queue_head input_wq = WAIT_QUEUE_HEAD_INIT;
static volatile bool input_event, prompt_cut;

static void console_event(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    input_event = true;
    wake_up(&input_wq);
}

void shell_prompt_cut(void)
{
    prompt_cut = true;
    wake_up(&input_wq);
}

static bool input_waiting(void *arg)
{
    UNUSED(arg);
    return input_event || prompt_cut;
}

static void shell_thread(void *arg)
{
    UNUSED(arg);
    const bool evented = bind_virq(VIRQ_CONSOLE, console_event, NULL) > 0;
    if (!evented)
        printk("dom0: no VIRQ_CONSOLE; polling the console every %u ms\n", (unsigned int)POLL_MS);
    show_prompt();
    for (;;) {
        char buf[64];
        /* Cleared before the read: an event that arrives after it is not lost. */
        input_event = false;
        prompt_cut = false;
        int n = HYPERVISOR_console_io(CONSOLEIO_read, sizeof buf, buf);
        if (n <= 0) {
            if (input_focus == 0 && mux_take_reprompt(false))
                show_prompt();
            if (!evented) {
                msleep(POLL_MS);
            } else {
                /* Sleep until input, or until the guests' output that cut the prompt has
                 * been quiet long enough to show it again (woken when that happens). */
                const s_time_t deadline = input_focus == 0 ? mux_reprompt_due() : 0;
                (void)wait_event_deadline(&input_wq, input_waiting, NULL, deadline);
            }
            continue;
        }
        for (int i = 0; i < n; i++) {
            if (input_focus == 0) {
                shell_key(buf[i]);
                continue;
            }
            struct guest *g = guest_get(input_focus);
            if (buf[i] == 0x1D || g == NULL) {
                const unsigned int was = input_focus;
                input_focus = 0;
                esc = ESC_NONE;
                (void)mux_take_reprompt(true);
                printk("console: input back to dom0 (from dom %u)\n", was);
                show_prompt();
                continue;
            }
            /* a run of characters for the guest */
            int j = i;
            while (j < n && buf[j] != 0x1D)
                j++;
            (void)cons_input(g, buf + i, (size_t)(j - i));
            i = j - 1;
        }
    }
}

void shell_start(void)
{
    if (create_thread("shell", shell_thread, NULL) == NULL)
        printk("dom0: no memory for the shell\n");
}
