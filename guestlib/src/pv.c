/* The paravirtual guests' start_info and console helpers (guestlib/pv.h). */
#include "guestlib/pv.h"

#include "guestlib/string.h"

bool gl_start_info_read(const start_info_t *si, struct gl_start_strings *out)
{
    if (memcmp(si->magic, XA_START_INFO_MAGIC, sizeof XA_START_INFO_MAGIC) != 0)
        return false;
    memcpy(out->name, si->name, sizeof si->name);
    out->name[sizeof si->name] = '\0';
    memcpy(out->cmdline, si->cmd_line, sizeof si->cmd_line);
    out->cmdline[sizeof si->cmd_line] = '\0';
    return true;
}

void gl_console_io_write(const char *buf, size_t len)
{
    while (len > 0) {
        const uint32_t n = len > XA_CONSOLEIO_MAX ? XA_CONSOLEIO_MAX : (uint32_t)len;
        /* The VMM may take fewer bytes than asked (its per-call console budget). */
        const int taken = HYPERVISOR_console_io(CONSOLEIO_write, n, buf);
        if (taken <= 0)
            return;
        buf += taken;
        len -= (size_t)taken;
    }
}
