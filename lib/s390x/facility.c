/* STFL/STFLE, read once, and the facility names for SKIP reasons. */
#include <stdint.h>
#include "facility.h"
#include "printf.h"
#include "processor.h"

#define FAC_DWORDS (FAC_NR / 64)
#define LC_STFL 0xc8	/* STFL stores the first 32 bits here */

static uint64_t list[FAC_DWORDS];
static bool loaded;

#define G(nr, name) [nr] = "STFLE facility " #nr " (" name ")"
static const char *const gates[FAC_NR] = {
	G(2, "z/Architecture mode active"),
	G(7, "store-facility-list-extended"),
	G(8, "enhanced-DAT 1"),
	G(9, "sense-running-status"),
	G(11, "configuration topology"),
	G(12, "AP query configuration information"),
	G(15, "AP facilities test"),
	G(25, "store-clock-fast"),
	G(28, "TOD-clock steering"),
	G(65, "AP interruption"),
	G(69, "zPCI"),
	G(71, "adapter-event notification"),
	G(72, "adapter-interruption suppression"),
	G(78, "enhanced-DAT 2"),
	G(129, "vector"),
	G(139, "multiple-epoch"),
	G(158, "ultravisor call"),
	G(161, "secure-execution unpack"),
};
#undef G

static uint32_t stfl(void)
{
	uint32_t v;

	asm volatile("stfl 0\n\t"
		     "l %0, %1"
		     : "=d"(v)
		     : "i"(LC_STFL)
		     : "memory");
	return v;
}

static void load(void)
{
	register uint64_t r0 asm("0") = FAC_DWORDS - 1;
	uint64_t buf[FAC_DWORDS] = { (uint64_t)stfl() << 32 };

	/* cc 3: more doublewords than buf holds; the first ones are stored. */
	if (buf[0] >> (63 - FAC_STFLE) & 1)
		asm volatile("stfle %1" : "+d"(r0), "=Q"(buf) : : "cc");
	for (unsigned int i = 0; i < FAC_DWORDS; i++)
		list[i] = buf[i];
	__atomic_store_n(&loaded, true, __ATOMIC_RELEASE);
}

bool test_facility(unsigned int nr)
{
	if (!__atomic_load_n(&loaded, __ATOMIC_ACQUIRE))
		load();
	return nr < FAC_NR && list[nr / 64] >> (63 - nr % 64) & 1;
}

const char *facility_gate(unsigned int nr)
{
	static char unnamed[FAC_NR][24];

	if (nr < FAC_NR && gates[nr])
		return gates[nr];
	if (nr >= FAC_NR)
		return "STFLE facility beyond 255";
	if (!unnamed[nr][0])
		snprintf(unnamed[nr], sizeof(unnamed[nr]), "STFLE facility %u", nr);
	return unnamed[nr];
}
