/* The texts of Xen's error codes, for messages. */
#ifndef GUESTLIB_XEN_ERROR_H
#define GUESTLIB_XEN_ERROR_H

/* What a hypercall's negative Xen error code means: "not permitted (EPERM)". */
const char *gl_xen_error(int rc);

#endif /* GUESTLIB_XEN_ERROR_H */
