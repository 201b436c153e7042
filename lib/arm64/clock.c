/* lib/clock.h from the generic timer's virtual count. */
#include "clock.h"
#include "processor.h"

uint64_t clock_us(void)
{
	return (unsigned __int128)read_sysreg(cntvct_el0) * 1000000 / read_sysreg(cntfrq_el0);
}
