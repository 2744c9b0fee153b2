/* The native guest builds' semihosting services (guestlib/native.h). */
#include "guestlib/native.h"

#include "guestlib/cmdline.h"
#include "guestlib/string.h"

void gl_semihosting_cmdline(char *buf, size_t size)
{
    static char raw[GL_CMDLINE_MAX + 256]; /* room for the image path too */
    struct {
        char *buffer;
        uint32_t length;
    } block = {raw, sizeof raw - 1};
    buf[0] = '\0';
    if (gl_semihosting_call(SEMIHOSTING_SYS_GET_CMDLINE, &block) != 0)
        return;
    raw[block.length < sizeof raw ? block.length : sizeof raw - 1] = '\0';
    strlcpy(buf, gl_cmdline_skip_path(raw), size);
}

void gl_semihosting_exit(int status)
{
    uint32_t block[2] = {SEMIHOSTING_ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
    for (;;) {
        (void)gl_semihosting_call(SEMIHOSTING_SYS_EXIT_EXTENDED, block);
        gl_wfi();
    }
}
