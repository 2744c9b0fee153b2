/*
 * mini-OS applications, selected with app=NAME on the command line (default: bench).
 * An app registers itself with MINIOS_APP(name, fn); fn runs in a thread of its own and
 * ends mini-OS with minios_exit() when done (returning is a clean exit). The table holds
 * the apps linked into the image (each image links its own against the mini-OS library).
 */
#ifndef MINIOS_APP_H
#define MINIOS_APP_H

#include "minios/os.h"

struct minios_app {
    const char *name;
    void (*main)(void);
};

#define MINIOS_APP(app_name, fn)                                                                                       \
    static const struct minios_app minios_app_##fn                                                                     \
        __attribute__((used, section("minios_apps"), aligned(4))) = {app_name, fn}

/* NULL if no app of that name is linked in. */
const struct minios_app *find_app(const char *name);

#endif /* MINIOS_APP_H */
