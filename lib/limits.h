/* <limits.h> for guest code, from the compiler's predefined macros. */
#ifndef VMUNIT_LIMITS_H
#define VMUNIT_LIMITS_H

#define CHAR_BIT	__CHAR_BIT__
#define INT_MAX		__INT_MAX__
#define INT_MIN		(-INT_MAX - 1)
#define UINT_MAX	(INT_MAX * 2u + 1u)
#define LONG_MAX	__LONG_MAX__
#define LONG_MIN	(-LONG_MAX - 1l)
#define ULONG_MAX	(LONG_MAX * 2ul + 1ul)
#define LLONG_MAX	__LONG_LONG_MAX__
#define LLONG_MIN	(-LLONG_MAX - 1ll)
#define ULLONG_MAX	(LLONG_MAX * 2ull + 1ull)

#endif
