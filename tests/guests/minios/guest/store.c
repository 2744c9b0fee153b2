/*
 * app=guest: store=1, the store: read, write, directory, rm, watches, permissions (guest.h).
 */
#include "guest.h"

static void store_check(const char *what, bool ok, long long got)
{
    if (ok)
        printk("store: %s: ok\n", what);
    else
        guest_fail("store", what, got);
}

void test_store(void)
{
    const unsigned int before = guest_failures;
    char v[XENBUS_VALUE_MAX], path[XENBUS_PATH_MAX], want[XENBUS_PATH_MAX];
    int rc = xenbus_write("data/x", "1");
    store_check("write data/x", rc == 0, rc);
    rc = xenbus_read("data/x", v, sizeof v);
    store_check("read it back", rc == 1 && strcmp(v, "1") == 0, rc);
    rc = xenbus_printf("data/y", "%u", 42U);
    char names[64];
    rc = xenbus_directory("data", names, sizeof names);
    store_check("directory data lists x and y", rc == 4 && strcmp(names, "x") == 0 && strcmp(names + 2, "y") == 0, rc);
    rc = xenbus_watch("data", "t1");
    store_check("watch data", rc == 0, rc);
    snprintf(want, sizeof want, "/local/domain/%u/data", domain_id());
    bool got = xenbus_wait_event("t1", path, sizeof path, NOW() + MILLISECS(2000));
    store_check("the watch fires once when set", got && strcmp(path, want) == 0, got);
    rc = xenbus_write("data/z", "zz");
    got = xenbus_wait_event("t1", path, sizeof path, NOW() + MILLISECS(2000));
    snprintf(want, sizeof want, "/local/domain/%u/data/z", domain_id());
    store_check("a write below it fires it with the node's path", got && strcmp(path, want) == 0, got);
    rc = xenbus_rm("data");
    got = xenbus_wait_event("t1", path, sizeof path, NOW() + MILLISECS(2000));
    store_check("removing the subtree fires it", rc == 0 && got, rc);
    rc = xenbus_read("data/x", v, sizeof v);
    store_check("removed nodes are gone", rc == -XEN_ENOENT, rc);
    rc = xenbus_unwatch("data", "t1");
    store_check("unwatch", rc == 0, rc);
    rc = xenbus_write("data/q", "1");
    got = xenbus_wait_event("t1", path, sizeof path, NOW() + MILLISECS(200));
    store_check("no event after unwatch", !got, got);
    (void)xenbus_rm("data");
    snprintf(path, sizeof path, "/local/domain/0/backend/vbd/%u/0/state", domain_id());
    rc = xenbus_read(path, v, sizeof v);
    store_check("read my backend's state", rc > 0, rc);
    snprintf(path, sizeof path, "/local/domain/%u/name", domain_id() == 1 ? 2U : 1U);
    rc = xenbus_read(path, v, sizeof v);
    store_check("read another guest's node refused", rc == -XB_EACCES, rc);
    uint32_t type = 0;
    rc = xenbus_raw(XS_GET_DOMAIN_PATH, "7", 2, &type, v, sizeof v);
    store_check("get_domain_path 7", type == XS_GET_DOMAIN_PATH && strcmp(v, "/local/domain/7") == 0, type);
    if (guest_failures == before)
        printk("store: ok\n");
}
