#include "console.hh"

#include "board.hh"
#include "format.hh"

namespace xa {

namespace {

struct ConsoleSink {
    void put(char c) {
        if (c == '\n') board::console_putc('\r');
        board::console_putc(c);
    }
};

struct BufferSink {
    char* buf;
    u32 size;
    u32 len = 0;
    void put(char c) {
        if (len + 1 < size) buf[len] = c;
        ++len;
    }
};

}  // namespace

void vprintk(const char* fmt, __builtin_va_list args) {
    ConsoleSink sink;
    format(sink, fmt, args);
}

void printk(const char* fmt, ...) {
    __builtin_va_list args;
    __builtin_va_start(args, fmt);
    vprintk(fmt, args);
    __builtin_va_end(args);
}

int snprintk(char* buf, u32 size, const char* fmt, ...) {
    BufferSink sink{buf, size};
    __builtin_va_list args;
    __builtin_va_start(args, fmt);
    format(sink, fmt, args);
    __builtin_va_end(args);
    if (size > 0) buf[sink.len < size ? sink.len : size - 1] = '\0';
    return static_cast<int>(sink.len);
}

}  // namespace xa
