/* mini-OS freestanding library: the string and memory functions are guestlib's. */
#ifndef MINIOS_LIB_H
#define MINIOS_LIB_H

#include "guestlib/string.h"
#include "minios/os.h"

#endif /* MINIOS_LIB_H */
