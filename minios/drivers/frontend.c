/* The parts of the frontend handshake every device shares (include/minios/frontends.h). */
#include "minios/console.h"
#include "minios/frontends.h"
#include "minios/gnttab.h"
#include "minios/lib.h"
#include "minios/mm.h"

int frontend_start(struct xenbus_device *dev, const char *type, s_time_t deadline)
{
    int rc = xenbus_device_init(dev, type, 0, deadline);
    if (rc < 0)
        return rc;
    rc = xenbus_wait_backend(dev, XB_STATE(XenbusStateInitWait), deadline);
    return rc < 0 ? rc : 0;
}

void *frontend_grant_page(struct xenbus_device *dev, grant_ref_t *ref)
{
    void *page = alloc_page();
    if (page == NULL)
        return NULL;
    int r = grant_access(dev->backend_id, arch_virt_to_mach(page), false);
    if (r < 0) {
        free_page(page);
        return NULL;
    }
    *ref = (grant_ref_t)r;
    return page;
}

void frontend_free_page(void *page, grant_ref_t ref)
{
    if (page == NULL)
        return;
    if (!end_access(ref)) {
        printk("frontend: grant %u still mapped by the backend: page kept\n", (unsigned int)ref);
        return;
    }
    free_page(page);
}

/* The caller published its details and Initialised (xenbus_publish: one transaction). */
int frontend_finish(struct xenbus_device *dev, s_time_t deadline)
{
    int rc = xenbus_wait_backend(dev, XB_STATE(XenbusStateConnected) | XB_STATE(XenbusStateClosed), deadline);
    if (rc < 0)
        return rc;
    if (rc != XenbusStateConnected) {
        char path[XENBUS_PATH_MAX], why[XENBUS_VALUE_MAX];
        snprintf(path, sizeof path, "%s/error", dev->backend);
        if (xenbus_read(path, why, sizeof why) < 0)
            strlcpy(why, "?", sizeof why);
        printk("frontend: %s: backend refused: %s\n", dev->nodename, why);
        return -XEN_EINVAL;
    }
    return xenbus_switch_state(dev, XenbusStateConnected);
}

int frontend_close(struct xenbus_device *dev, s_time_t deadline)
{
    int rc = xenbus_switch_state(dev, XenbusStateClosing);
    if (rc < 0)
        return rc;
    rc = xenbus_wait_backend(dev, XB_STATE(XenbusStateClosed), deadline);
    return rc < 0 ? rc : 0;
}
