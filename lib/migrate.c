/* Live migration, the guest's side (lib/migrate.h). */
#include "arch.h"
#include "clock.h"
#include "migrate.h"
#include "printf.h"
#include "report.h"
#include "start.h"
#include "verdict.h"

static unsigned int crossed;

/* The runner's answer: one line; its first byte, the rest into why. */
static int answer(char *why, unsigned int len)
{
	uint64_t end = clock_us() + MIGRATE_WAIT_US;
	unsigned int n = 0;
	int kind = -1, c;

	while (clock_us() < end) {
		c = arch_console_getc();
		if (c < 0)
			continue;
		if (c == '\n' && kind >= 0)
			break;
		if (kind < 0 && (c == VM_MIGRATED || c == VM_NOT_MIGRATED))
			kind = c;	/* anything before it: not the runner's */
		else if (kind >= 0 && n + 1 < len && c >= ' ' && c < 0x7f)
			why[n++] = c;
	}
	why[n] = '\0';
	return kind;
}

void migrate(void)
{
	char why[200];
	int kind;

	if (!run_migrates())
		return;
	printf("%s\n", VM_MIGRATE_LINE);
	kind = answer(why, sizeof(why));
	if (kind == VM_MIGRATED) {
		crossed++;
		report_info("migrated (%u so far)", crossed);
		return;
	}
	if (kind == VM_NOT_MIGRATED) {
		report_skip("migration: QEMU would not migrate this VM:%s", why);
		report_exit();
	}
	report_abort("migration: no answer from the runner within %llu s",
		     MIGRATE_WAIT_US / 1000000);
}

void migrate_once(void)
{
	static bool done;

	if (!done)
		migrate();
	done = true;
}

bool migrate_or_skip(void)
{
	if (run_migrates())
		return true;
	report_skip("not a migration run (cfg: migration = 1)");
	return false;
}

unsigned int migrations(void)
{
	return crossed;
}
