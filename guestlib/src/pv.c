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

const char *gl_xen_error(int rc)
{
    switch (-rc) {
    case XEN_EPERM: return "not permitted (EPERM)";
    case XEN_ENOENT: return "no such entry (ENOENT)";
    case XEN_ESRCH: return "no such domain (ESRCH)";
    case XEN_ENOMEM: return "not enough memory (ENOMEM)";
    case XEN_EFAULT: return "bad address (EFAULT)";
    case XEN_EBUSY: return "busy (EBUSY)";
    case XEN_EEXIST: return "already exists (EEXIST)";
    case XEN_EINVAL: return "invalid request (EINVAL)";
    case XEN_ENOSPC: return "no space left (ENOSPC)";
    case XEN_ENOSYS: return "not supported by this VMM (ENOSYS)";
    default: return "unexpected error";
    }
}
