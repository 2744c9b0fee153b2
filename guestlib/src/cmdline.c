/* The guests' command-line parser (guestlib/cmdline.h). */
#include "guestlib/cmdline.h"

#include "guestlib/string.h"

const char *gl_cmdline_parse(struct gl_cmdline *c, const char *text)
{
    strlcpy(c->buf, text, sizeof c->buf);
    char *p = c->buf;
    c->count = 0;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t')
            *p++ = '\0';
        if (*p == '\0')
            break;
        char *word = p, *eq = NULL;
        while (*p != '\0' && *p != ' ' && *p != '\t') {
            if (*p == '=' && eq == NULL)
                eq = p;
            p++;
        }
        if (eq == NULL)
            continue;
        if (c->count == GL_CMDLINE_ARGS)
            return word;
        *eq = '\0';
        c->args[c->count].key = word;
        c->args[c->count].value = eq + 1;
        c->count++;
    }
    return NULL;
}

const char *gl_cmdline_get(const struct gl_cmdline *c, const char *key)
{
    for (unsigned int i = 0; i < c->count; i++) {
        if (strcmp(c->args[i].key, key) == 0)
            return c->args[i].value;
    }
    return NULL;
}

bool gl_cmdline_has_word(const char *text, const char *word)
{
    const size_t n = strlen(word);
    while (*text != '\0') {
        while (*text == ' ')
            text++;
        const char *end = text;
        while (*end != '\0' && *end != ' ')
            end++;
        if ((size_t)(end - text) == n && memcmp(text, word, n) == 0)
            return true;
        text = end;
    }
    return false;
}

const char *gl_cmdline_skip_path(const char *raw)
{
    const char *p = raw;
    while (*p != '\0' && *p != ' ' && *p != '=')
        p++;
    if (*p == '=')
        return raw;
    while (*p == ' ')
        p++;
    return p;
}
