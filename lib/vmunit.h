/* Umbrella header for tests: the common API on every arch. */
#ifndef VMUNIT_H
#define VMUNIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "alloc.h"
#include "fault.h"
#include "panic.h"
#include "percpu.h"
#include "printf.h"
#include "report.h"
#include "stdlib.h"
#include "string.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
