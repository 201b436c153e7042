/*
 * Common start: command line to argc/argv, main(), verdict.  Words the
 * runner adds for the framework ("vmunit.smp=N": the CPUs the run asked
 * for) are taken out of argv; with more than one CPU asked for, the first
 * check is that every one of them came up.
 */
#include "argv.h"
#include "report.h"
#include "smp.h"
#include "start.h"
#include "stdlib.h"
#include "string.h"

#define MAX_ARGS 64

int main(int argc, char **argv);

/* Removes the "vmunit.smp=N" words; N, or 0 when none was given. */
static unsigned int take_smp(int *argc, char **argv)
{
	unsigned int want = 0;
	int out = 0;

	for (int i = 0; i < *argc; i++) {
		if (!strncmp(argv[i], "vmunit.smp=", 11))
			want = strtoul(argv[i] + 11, NULL, 10);
		else
			argv[out++] = argv[i];
	}
	argv[out] = NULL;
	*argc = out;
	return want;
}

void vmunit_main(char *cmdline)
{
	static char *argv[MAX_ARGS + 1];
	int argc = split_args(cmdline, argv, MAX_ARGS);
	unsigned int want = take_smp(&argc, argv);
	int ret;

	if (want > 1)
		report(nr_cpus() == want, "boot: %u CPUs up, the run asked for %u", nr_cpus(), want);
	ret = main(argc, argv);

	if (ret)
		report_abort("main() returned %d", ret);
	report_exit();
}
