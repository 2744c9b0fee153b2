/*
 * app_main(): the banner, OSInit(), the application chosen by app=NAME (default demo), and
 * OSStart().
 */
#include "app.h"

struct app {
    const char *name;
    void (*init)(void);
};

static const struct app apps[] = {
    {"demo", app_demo_init}, {"ktest", app_ktest_init}, {"bench", app_bench_init},
    {"rt", app_rt_init},     {"work", app_work_init},
};

void app_main(void)
{
    char name[16];
    const char *which = BSP_ArgStr("app", name, sizeof name);
    if (which == NULL)
        which = "demo";
    BSP_Printf("ucos: %s, dom %u (%s), %s V%u.%02u, cmdline '%s'\n", BSP_Kind(), BSP_DomId(), BSP_Name(),
               UCOS_KERNEL_NAME, OSVersion() / 10000u, (OSVersion() / 100u) % 100u, BSP_CmdLine());
    OSInit();
    for (unsigned int i = 0; i < sizeof apps / sizeof apps[0]; i++) {
        if (strcmp(apps[i].name, which) == 0) {
            apps[i].init();
            OSStart(); /* does not return */
        }
    }
    BSP_Printf("ucos: unknown app '%s' (demo, ktest, bench, rt, work)\n", which);
    BSP_Exit(1);
}
