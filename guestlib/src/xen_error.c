/* The texts of Xen's error codes (guestlib/xen_error.h). Plain C, no hypercalls: the host builds
 * of dom0's code (tests/fuzz) link it too. */
#include "guestlib/xen_error.h"

#include <xen-arm/abi.h>

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
