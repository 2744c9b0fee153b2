/*
 * dom0's console shell: domain management on the console dom0 owns.
 *
 *   list                 every domain: id, name, state, memory, CPU time, its devices
 *   create <config>      build the boot image's domain <config>, paused, and offer it
 *                        the store, console, disk and network ('boot' starts it)
 *   boot <dom>           start a domain 'create' made
 *   pause <dom>          take a domain off the CPU / put it back
 *   unpause <dom>
 *   destroy <dom>        disconnect its devices and destroy it (memory, ports, grants
 *                        and store nodes come back)
 *   console <dom>        console input goes to <dom> until Ctrl-] (0x1d)
 *   assign <dom> <dev>   pass the board's device <dev> through to <dom> (imx21: gpt3,
 *                        versatilepb: sp804b): its registers and its interrupt are the
 *                        domain's until it is destroyed; passthrough/{name,irq} in its
 *                        store home say which
 *   stats                dom0's ports, grant maps and free pages; the switch's counters
 *   sleep <ms>           for scripts
 *   wait <dom> <vbd|vif|vtest|all|down> [ms]   until that device (all: every one) is
 *                        connected, or the domain is gone (default 10000 ms)
 *   halt                 destroy every guest, then stop dom0
 *   help
 * <dom> is a domain id or name. Errors say what was wrong and change nothing.
 *
 * Input arrives as VIRQ_CONSOLE: the shell reads the console until it is empty, then
 * sleeps until the next event (waking only to re-show the prompt after guest output has
 * gone quiet). Typed characters are echoed, backspace edits, a line runs on Enter.
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

unsigned int input_focus;

static char line[LINE_MAX];
static size_t line_len;
static const char prompt[] = "dom0> ";

static void show_prompt(void)
{
    mux_raw(prompt, sizeof prompt - 1);
    mux_raw(line, line_len);
    mux_prompt_shown(true);
}

static int domain_info(domid_t id, struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl op;
    int rc = dom0_domctl(XEN_DOMCTL_getdomaininfo, id, &op);
    if (rc != 0)
        return rc;
    *info = op.u.getdomaininfo;
    return 0;
}

/* A domain id from "3" or a name; -1 if none. */
static int resolve(const char *word)
{
    uint32_t id;
    if (parse_u32(word, &id))
        return id < DOM0_MAX_DOMS ? (int)id : -1;
    struct xen_domctl_getdomaininfo info;
    for (uint32_t next = 0; next < DOM0_MAX_DOMS && domain_info((domid_t)next, &info) == 0;
         next = info.domain + 1U) {
        if (strncmp(info.name, word, sizeof info.name) == 0)
            return info.domain;
    }
    return -1;
}

static const char *errname(int rc)
{
    switch (-rc) {
    case XEN_EPERM: return "not permitted";
    case XEN_ENOENT: return "no such configuration in the boot image";
    case XEN_ESRCH: return "no such domain";
    case XEN_ENOMEM: return "out of memory";
    case XEN_EEXIST: return "already exists";
    case XEN_EINVAL: return "invalid request";
    case XEN_ENOSPC: return "no space left";
    default: return "error";
    }
}

static void cmd_list(void)
{
    struct xen_domctl_getdomaininfo info;
    printk("  id name            state      pages  cpu ms  vbd         vif         vtest\n");
    for (uint32_t next = 0; next < 0x7FF0U && domain_info((domid_t)next, &info) == 0; next = info.domain + 1U) {
        char name[sizeof info.name + 1];
        memcpy(name, info.name, sizeof info.name);
        name[sizeof info.name] = '\0';
        const struct guest *g = guest_get(info.domain);
        const char *state = (info.flags & XEN_DOMINF_crashed) != 0    ? "crashed"
                            : (info.flags & XEN_DOMINF_shutdown) != 0 ? "shutdown"
                            : g != NULL && !g->booted                 ? "created"
                            : (info.flags & XEN_DOMINF_paused) != 0   ? "paused"
                            : (info.flags & XEN_DOMINF_running) != 0  ? "running"
                            : (info.flags & XEN_DOMINF_blocked) != 0  ? "blocked"
                                                                      : "runnable";
        printk("  %-2u %-15s %-10s %-6u %-7u %-11s %-11s %s\n", (unsigned int)info.domain, name, state,
               (unsigned int)info.nr_pages, (unsigned int)(info.cpu_time / 1000000U),
               g != NULL ? device_state(&g->vbd.c) : "-", g != NULL ? device_state(&g->vif.c) : "-",
               g != NULL ? device_state(&g->vtest.c) : "-");
    }
}

static void cmd_create(const char *config)
{
    struct xen_domctl op = {0};
    strlcpy(op.u.createdomain.name, config, sizeof op.u.createdomain.name);
    if (strlen(config) >= sizeof op.u.createdomain.name) {
        printk("create: '%s': configuration names are at most 15 characters\n", config);
        return;
    }
    int rc = dom0_domctl(XEN_DOMCTL_createdomain, 0, &op);
    if (rc != 0) {
        if (rc == -XEN_EEXIST)
            printk("create: '%s' is already running (dom %d)\n", config, resolve(config));
        else
            printk("create: '%s': %s (%d)\n", config, errname(rc), rc);
        return;
    }
    const domid_t id = op.domain;
    rc = dom0_domctl(XEN_DOMCTL_pausedomain, id, NULL);
    if (rc != 0)
        printk("create: pausing dom %u failed: %d\n", (unsigned int)id, rc);
    rc = dom0_introduce(id, false);
    if (rc != 0) {
        printk("create: dom %u cannot be attached (%d); destroying it\n", (unsigned int)id, rc);
        (void)dom0_domctl(XEN_DOMCTL_destroydomain, id, NULL);
        return;
    }
    printk("create: dom %u '%s' created, paused ('boot %u' starts it)\n", (unsigned int)id, config,
           (unsigned int)id);
}

static struct guest *guest_arg(const char *cmd, const char *word)
{
    int id = resolve(word);
    if (id < 0) {
        printk("%s: no domain '%s'\n", cmd, word);
        return NULL;
    }
    if (id == 0) {
        printk("%s: not for dom0 itself\n", cmd);
        return NULL;
    }
    struct guest *g = guest_get((unsigned int)id);
    if (g == NULL)
        printk("%s: dom %d is not attached to dom0\n", cmd, id);
    return g;
}

static void cmd_boot(const char *word)
{
    struct guest *g = guest_arg("boot", word);
    if (g == NULL)
        return;
    if (g->booted) {
        printk("boot: dom %u '%s' is already booted\n", (unsigned int)g->domid, g->name);
        return;
    }
    int rc = dom0_domctl(XEN_DOMCTL_unpausedomain, g->domid, NULL);
    if (rc != 0) {
        printk("boot: dom %u: %s (%d)\n", (unsigned int)g->domid, errname(rc), rc);
        return;
    }
    g->booted = true;
    printk("boot: dom %u '%s' started\n", (unsigned int)g->domid, g->name);
}

static void cmd_pause(const char *word, bool pause)
{
    const char *cmd = pause ? "pause" : "unpause";
    int id = resolve(word);
    if (id < 0) {
        printk("%s: no domain '%s'\n", cmd, word);
        return;
    }
    if (id == 0) {
        printk("%s: dom0 cannot %s itself\n", cmd, cmd);
        return;
    }
    struct guest *g = guest_get((unsigned int)id);
    if (g != NULL && !g->booted) {
        printk("%s: dom %d was created but never booted: use 'boot %d'\n", cmd, id, id);
        return;
    }
    int rc = dom0_domctl(pause ? XEN_DOMCTL_pausedomain : XEN_DOMCTL_unpausedomain, (domid_t)id, NULL);
    if (rc == -XEN_EINVAL && !pause)
        printk("unpause: dom %d is not paused\n", id);
    else if (rc != 0)
        printk("%s: dom %d: %s (%d)\n", cmd, id, errname(rc), rc);
    else
        printk("%s: dom %d %s\n", cmd, id, pause ? "paused" : "unpaused");
}

static void cmd_destroy(const char *word)
{
    int id = resolve(word);
    if (id < 0) {
        printk("destroy: no domain '%s'\n", word);
        return;
    }
    if (id == 0) {
        printk("destroy: dom0 cannot destroy itself (use 'halt')\n");
        return;
    }
    struct guest *g = guest_get((unsigned int)id);
    if (g != NULL) {
        (void)dom0_release(g, "destroyed by the shell");
        return;
    }
    int rc = dom0_domctl(XEN_DOMCTL_destroydomain, (domid_t)id, NULL);
    printk("destroy: dom %d: %s\n", id, rc == 0 ? "destroyed" : errname(rc));
}

static void cmd_console(const char *word)
{
    struct guest *g = guest_arg("console", word);
    if (g == NULL)
        return;
    input_focus = g->domid;
    printk("console: input goes to dom %u '%s'; Ctrl-] returns to dom0\n", (unsigned int)g->domid, g->name);
}

static void cmd_assign(const char *word, const char *dev)
{
    const int id = resolve(word);
    if (id < 0) {
        printk("assign: no domain '%s'\n", word);
        return;
    }
    struct xen_domctl op = {0};
    if (strlen(dev) >= sizeof op.u.assign_device.name) {
        printk("assign: no device '%s' on this board\n", dev);
        return;
    }
    strlcpy(op.u.assign_device.name, dev, sizeof op.u.assign_device.name);
    int rc = dom0_domctl(XEN_DOMCTL_assign_device, (domid_t)id, &op);
    switch (-rc) {
    case 0: break;
    case XEN_ENOENT: printk("assign: no device '%s' on this board\n", dev); return;
    case XEN_EBUSY: printk("assign: %s already belongs to a domain\n", dev); return;
    case XEN_EEXIST: printk("assign: dom %d has a device already\n", id); return;
    case XEN_ESRCH: printk("assign: dom %d is not running\n", id); return;
    default: printk("assign: %s to dom %d: %s (%d)\n", dev, id, errname(rc), rc); return;
    }
    char path[48];
    snprintf(path, sizeof path, "/local/domain/%d/passthrough/name", id);
    store_write(path, dev);
    snprintf(path, sizeof path, "/local/domain/%d/passthrough/irq", id);
    store_printf(path, "%u", (unsigned int)op.u.assign_device.irq);
    printk("assign: %s (line %u) passed through to dom %d at 0x%08x\n", dev, (unsigned int)op.u.assign_device.irq,
           id, (unsigned int)op.u.assign_device.va);
}

static void cmd_stats(void)
{
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

static void cmd_wait(const char *word, const char *what, const char *ms_word)
{
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
    uint32_t id;
    int dom = parse_u32(word, &id) ? (int)id : resolve(word);
    if (dom <= 0 || dom >= (int)DOM0_MAX_DOMS) {
        printk("wait: no guest '%s'\n", word);
        return;
    }
    const s_time_t deadline = NOW() + MILLISECS(ms);
    while (!wait_done(dom, what) && NOW() < deadline)
        msleep(POLL_MS);
    if (wait_done(dom, what))
        printk("wait: dom %d %s%s\n", dom, strcmp(what, "down") == 0 ? "is gone" : what,
               strcmp(what, "down") == 0 ? "" : " connected");
    else
        printk("wait: dom %d %s: timed out after %u ms\n", dom, what, (unsigned int)ms);
}

static void cmd_halt(void)
{
    printk("halt: destroying every guest\n");
    for (unsigned int i = 1; i < DOM0_MAX_DOMS; i++) {
        struct guest *g = guest_get(i);
        if (g != NULL)
            (void)dom0_release(g, "halted");
    }
    dom0_stop(0);
}

static void run(char *text)
{
    char *words[MAX_WORDS];
    unsigned int n = 0;
    for (char *p = text; *p != '\0' && n < MAX_WORDS;) {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (*p == '\0')
            break;
        words[n++] = p;
        while (*p != '\0' && *p != ' ' && *p != '\t')
            p++;
    }
    if (n == 0)
        return;
    const char *cmd = words[0];
    static const struct {
        const char *name;
        unsigned int min_args, max_args;
        const char *usage;
    } table[] = {
        {"help", 0, 0, "help"},
        {"list", 0, 0, "list"},
        {"create", 1, 1, "create <config>"},
        {"boot", 1, 1, "boot <dom>"},
        {"pause", 1, 1, "pause <dom>"},
        {"unpause", 1, 1, "unpause <dom>"},
        {"destroy", 1, 1, "destroy <dom>"},
        {"console", 1, 1, "console <dom>"},
        {"assign", 2, 2, "assign <dom> <device>"},
        {"stats", 0, 0, "stats"},
        {"sleep", 1, 1, "sleep <ms>"},
        {"wait", 2, 3, "wait <dom> <vbd|vif|vtest|all|down> [ms]"},
        {"halt", 0, 0, "halt"},
    };
    unsigned int i;
    for (i = 0; i < ARRAY_SIZE(table) && strcmp(table[i].name, cmd) != 0; i++)
        ;
    if (i == ARRAY_SIZE(table)) {
        printk("unknown command '%s' (try 'help')\n", cmd);
        return;
    }
    if (n - 1 < table[i].min_args || n - 1 > table[i].max_args) {
        printk("usage: %s\n", table[i].usage);
        return;
    }
    if (strcmp(cmd, "help") == 0) {
        printk("commands:\n");
        for (unsigned int k = 0; k < ARRAY_SIZE(table); k++)
            printk("  %s\n", table[k].usage);
        printk("<dom> is an id or a name; in 'console', Ctrl-] comes back to dom0\n");
    } else if (strcmp(cmd, "list") == 0) {
        cmd_list();
    } else if (strcmp(cmd, "create") == 0) {
        cmd_create(words[1]);
    } else if (strcmp(cmd, "boot") == 0) {
        cmd_boot(words[1]);
    } else if (strcmp(cmd, "pause") == 0 || strcmp(cmd, "unpause") == 0) {
        cmd_pause(words[1], strcmp(cmd, "pause") == 0);
    } else if (strcmp(cmd, "destroy") == 0) {
        cmd_destroy(words[1]);
    } else if (strcmp(cmd, "console") == 0) {
        cmd_console(words[1]);
    } else if (strcmp(cmd, "assign") == 0) {
        cmd_assign(words[1], words[2]);
    } else if (strcmp(cmd, "stats") == 0) {
        cmd_stats();
    } else if (strcmp(cmd, "sleep") == 0) {
        uint32_t ms;
        if (!parse_u32(words[1], &ms))
            printk("sleep: '%s' is not a number of milliseconds\n", words[1]);
        else
            msleep(ms);
    } else if (strcmp(cmd, "wait") == 0) {
        cmd_wait(words[1], words[2], n > 3 ? words[3] : NULL);
    } else if (strcmp(cmd, "halt") == 0) {
        cmd_halt();
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
    if (c == '\r' || c == '\n') {
        if (c == '\n' && was_cr)
            return; /* "\r\n" is one Enter */
        mux_raw("\n", 1);
        mux_prompt_shown(false);
        line[line_len] = '\0';
        line_len = 0;
        run(line);
        if (input_focus == 0)
            show_prompt();
    } else if (c == 0x7F || c == 0x08) {
        if (line_len > 0) {
            line_len--;
            mux_raw("\b \b", 3);
        }
    } else if (c >= 0x20 && c < 0x7F && line_len + 1 < LINE_MAX) {
        line[line_len++] = c;
        mux_raw(&c, 1);
    }
}

/* VIRQ_CONSOLE: the VMM has console input for dom0. */
static struct wait_queue_head input_wq = WAIT_QUEUE_HEAD_INIT;
static volatile bool input_event;

static void console_event(evtchn_port_t port, void *data)
{
    UNUSED(port);
    UNUSED(data);
    input_event = true;
    wake_up(&input_wq);
}

static bool input_waiting(void *arg)
{
    UNUSED(arg);
    return input_event;
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
        int n = HYPERVISOR_console_io(CONSOLEIO_read, sizeof buf, buf);
        if (n <= 0) {
            if (mux_take_reprompt(false) && input_focus == 0)
                show_prompt();
            if (!evented) {
                msleep(POLL_MS);
            } else {
                /* Sleep until input; if a prompt is owed, also wake to show it once the
                 * guests' output has been quiet for a while. */
                const s_time_t deadline = mux_reprompt_owed() ? NOW() + MILLISECS(POLL_MS) : 0;
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
