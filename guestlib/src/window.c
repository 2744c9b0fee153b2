/* The anchor of gl_window() (guestlib/window.h). */
#include "guestlib/window.h"

/* Any object of the kernel's would do: gl_window() only needs one of its addresses. */
const char gl_window_anchor = 0;
