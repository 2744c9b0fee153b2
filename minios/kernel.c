/*
 * mini-OS start of day: command line, memory, events, time, grants, threads; then the
 * app named by app= runs in a thread of its own while the boot context idles.
 */
#include "minios/kernel.h"

#include <stdarg.h>

#include "guestlib/cmdline.h"

#include "minios/app.h"
#include "minios/console.h"
#include "minios/events.h"
#include "minios/lib.h"
#include "minios/mm.h"
#include "minios/sched.h"
#include "minios/time.h"

static struct boot_info info;
static struct gl_cmdline args;

const struct boot_info *boot_info(void) { return &info; }

/* Options are the command line's key=value words. */
static void parse_cmdline(const char *cmdline)
{
    const char *dropped = gl_cmdline_parse(&args, cmdline);
    if (dropped != NULL)
        printk("minios: too many command-line options, '%s' and later ignored\n", dropped);
}

const char *cmdline_get(const char *key) { return gl_cmdline_get(&args, key); }

uint32_t cmdline_get_u32(const char *key, uint32_t def)
{
    const char *s = cmdline_get(key);
    uint32_t v;
    if (s == NULL)
        return def;
    if (!parse_u32(s, &v))
        minios_panic("%s=%s: not a number", key, s);
    return v;
}

const struct minios_app *find_app(const char *name)
{
    extern const struct minios_app __start_minios_apps[], __stop_minios_apps[];
    for (const struct minios_app *a = __start_minios_apps; a < __stop_minios_apps; a++) {
        if (strcmp(a->name, name) == 0)
            return a;
    }
    return NULL;
}

noreturn void minios_exit(int status) { arch_exit(status); }

noreturn void minios_panic(const char *fmt, ...)
{
    char buf[PRINTK_MAX];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    (void)local_irq_save();
    printk("minios: fatal: %s\n", buf);
    arch_exit(1);
}

static void app_thread(void *p)
{
    const struct minios_app *app = p;
    app->main();
    minios_exit(0);
}

noreturn void start_kernel(const struct boot_info *bi)
{
    info = *bi;
    parse_cmdline(bi->cmdline != NULL ? bi->cmdline : "");
    const char *app_name = cmdline_get("app");
    if (app_name == NULL)
        app_name = "bench";

    printk("minios: %s, dom %u (%s), app=%s\n", info.kind, info.domid, info.name, app_name);

    mm_init(info.heap_start, info.heap_end);
    for (unsigned int i = 0; i < ARRAY_SIZE(info.reserved); i++) {
        if (info.reserved[i] != 0)
            mm_reserve_page(info.reserved[i]);
    }
    init_events();
    init_sched();
    init_time();

    const struct minios_app *app = find_app(app_name);
    if (app == NULL)
        minios_panic("no app '%s' in this build", app_name);
    if (create_thread(app_name, app_thread, (void *)app) == NULL)
        minios_panic("out of memory for the app thread");

    local_irq_enable();
    run_idle_thread();
}
