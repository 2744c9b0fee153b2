/* The paravirtual guests' start_info check (guestlib/pv.h). */
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
