/*
 * Entry from arch setup into the common library: splits the command line
 * (argv[0] is the payload name when the boot protocol provides it), runs
 * the test's main() and prints the verdict.  Never returns.
 */
#ifndef VMUNIT_START_H
#define VMUNIT_START_H

__attribute__((noreturn)) void vmunit_main(char *cmdline);

#endif
