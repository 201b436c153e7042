/*
 * --junit FILE: the run as JUnit XML (libxml2's xmlTextWriter), written
 * when the run ends; docs/junit.xsd is the schema the host tests check it
 * against.  One <testsuite> per arch, VMM and accelerator ("x86_64 qemu
 * tcg"), one <testcase> per test: classname "vmunit.ARCH.VMM", name the
 * test's, time its seconds; <failure> for FAIL, <error> for ERROR,
 * TIMEOUT and CRASH (type says which), <skipped> for SKIP, each with the
 * reason as message.  The checks go into the test case's <system-out>,
 * one line each ("FAIL: prefix: message"), after the command line and the
 * log path: GitLab and Jenkins show system-out with the case, while
 * nested test cases are not JUnit and neither reader shows them.  A run
 * on a platform of its own (the box) names it in each testsuite's
 * <properties>: property "platform".
 */
#ifndef RUNNER_JUNIT_H
#define RUNNER_JUNIT_H

#include <stdbool.h>

#include "util.h"
#include "run.h"

struct junit;

/* NULL with a message when path cannot be created. */
struct junit *junit_begin(const char *path, const char *platform, struct err *e);
void junit_test(struct junit *j, const struct result *r);
/* Write and free; true when the file could not be written (said on stderr). */
bool junit_end(struct junit *j);

#endif
