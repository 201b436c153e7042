/* Common start: command line to argc/argv, main(), verdict. */
#include "argv.h"
#include "report.h"
#include "start.h"

#define MAX_ARGS 64

int main(int argc, char **argv);

void vmunit_main(char *cmdline)
{
	static char *argv[MAX_ARGS + 1];
	int argc = split_args(cmdline, argv, MAX_ARGS);
	int ret = main(argc, argv);

	if (ret)
		report_abort("main() returned %d", ret);
	report_exit();
}
