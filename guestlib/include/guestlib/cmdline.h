/*
 * The guests' command line: space-separated words, of which the key=value ones are options
 * ("app=NAME rounds=10 ..."). pv guests read it from start_info, native builds from the
 * emulator through semihosting (guestlib/semihosting.h).
 */
#ifndef GUESTLIB_CMDLINE_H
#define GUESTLIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>

#define GL_CMDLINE_MAX 256 /* bytes kept, with the NUL */
#define GL_CMDLINE_ARGS 16 /* options kept */

struct gl_cmdline {
    char buf[GL_CMDLINE_MAX];
    struct {
        const char *key;
        const char *value;
    } args[GL_CMDLINE_ARGS];
    unsigned int count;
};

/* Splits text (copied into c->buf, cut to fit) into its key=value words; spaces and tabs
 * separate words, and words without '=' are ignored. Returns NULL, or where the first option
 * that did not fit in args[] starts (it and the rest of the line are ignored). */
const char *gl_cmdline_parse(struct gl_cmdline *c, const char *text);

/* The value of the first option named key, or NULL. */
const char *gl_cmdline_get(const struct gl_cmdline *c, const char *key);

/* Whether word is one of text's space-separated words (before text is parsed). */
bool gl_cmdline_has_word(const char *text, const char *word);

/* An emulator's command line starts with the image's path (QEMU: the path, a space, then
 * -append's text): raw past a first word without '=' and the spaces after it. */
const char *gl_cmdline_skip_path(const char *raw);

#endif /* GUESTLIB_CMDLINE_H */
