/*
 * BSP library, both flavours: the console's printf, the command line's options and .bss.
 * The C library functions the compiler may call (memcpy, memset, ...), snprintf and the
 * command-line parser are guestlib's.
 */
#include "bsp.h"

#include "guestlib/cmdline.h"

static struct gl_cmdline options;
static int options_parsed;

void bsp_clear_bss(void)
{
    extern char __bss_start[], __bss_end[];
    memset(__bss_start, 0, (size_t)(__bss_end - __bss_start));
}

void BSP_Printf(const char *fmt, ...)
{
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n >= (int)sizeof line)
        n = (int)sizeof line - 1;
    BSP_Write(line, (size_t)n);
}

/* ---- command line: space-separated key=value words ---- */

/* Parsed at the first look (app_main's, before any task runs). */
static const char *option(const char *key)
{
    if (!options_parsed) {
        const char *dropped = gl_cmdline_parse(&options, BSP_CmdLine());
        if (dropped != NULL)
            BSP_Printf("ucos: too many command-line options, '%s' and later ignored\n", dropped);
        options_parsed = 1;
    }
    return gl_cmdline_get(&options, key);
}

const char *BSP_ArgStr(const char *key, char *buf, size_t size)
{
    const char *value = option(key);
    if (value == NULL)
        return NULL;
    strlcpy(buf, value, size);
    return buf;
}

INT32U BSP_ArgU32(const char *key, INT32U def)
{
    const char *s = option(key);
    uint32_t v;
    return s != NULL && parse_u32(s, &v) ? v : def;
}

const char *BSP_ExceptName(uint32_t kind)
{
    static const char *const names[8] = {
        "reset", "undefined instruction", "system call", "prefetch abort", "data abort", "reserved", "interrupt", "fiq",
    };
    return names[kind & 7u];
}
