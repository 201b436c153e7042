/* lbr_jump() and its sites (lib/x86/lbr.h, lbr-jump.S). */
#include "lbr.h"

void lbr_site0(uint64_t on, uint64_t off);
void lbr_site1(uint64_t on, uint64_t off);
extern char lbr_from0[], lbr_to0[], lbr_from1[], lbr_to1[];

const uint64_t lbr_from[LBR_SITES] = { (uint64_t)lbr_from0, (uint64_t)lbr_from1 };
const uint64_t lbr_to[LBR_SITES] = { (uint64_t)lbr_to0, (uint64_t)lbr_to1 };

void lbr_jump(unsigned int site, uint64_t on, uint64_t off)
{
	if (site)
		lbr_site1(on, off);
	else
		lbr_site0(on, off);
}
