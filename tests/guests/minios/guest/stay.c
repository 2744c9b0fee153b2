/*
 * app=guest: stay=1, the console command loop (input from dom0's 'console') (guest.h).
 */
#include "guest.h"

void console_loop(void)
{
    char line[80];
    printk("guest: console commands: ping <dom> <n>, blk, echo <text>, quit\n");
    for (;;) {
        if (!xencons_read_line(line, sizeof line, 0))
            continue;
        printk("guest: > %s\n", line);
        if (strncmp(line, "ping ", 5) == 0) {
            uint32_t peer = 0, n = 0;
            char *sp = line + 5;
            while (*sp != ' ' && *sp != '\0')
                sp++;
            if (*sp == ' ')
                *sp++ = '\0';
            if (!parse_u32(line + 5, &peer) || !parse_u32(sp, &n)) {
                printk("guest: usage: ping <dom> <n>\n");
                continue;
            }
            if (net_connect() != 0)
                printk("guest: no network\n");
            else
                (void)net_ping(peer, n, false, 0);
        } else if (strcmp(line, "blk") == 0) {
            test_blk();
        } else if (strncmp(line, "echo ", 5) == 0) {
            printk("guest: %s\n", line + 5);
        } else if (strcmp(line, "quit") == 0) {
            return;
        } else {
            printk("guest: unknown command '%s'\n", line);
        }
    }
}
