/* lib/clock.h from the TOD clock (bit 51 ticks once per microsecond). */
#include "clock.h"
#include "tod.h"

uint64_t clock_us(void)
{
	uint64_t tod;

	stck(&tod);
	return tod / TOD_USEC;
}
