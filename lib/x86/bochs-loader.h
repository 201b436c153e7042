/*
 * Where the runner has Bochs load a payload for x86/loader/bootsect.S
 * (optramimage1 and 2), shared by both: the ELF file as it is, and the
 * command line ("payload args", NUL-terminated).  Below the ELF, above
 * any payload's end; the run needs at least 64 MiB.
 */
#ifndef VMUNIT_X86_BOCHS_LOADER_H
#define VMUNIT_X86_BOCHS_LOADER_H

#define BOCHS_ELF_STAGE	0x2000000
#define BOCHS_CMDLINE	0x1ff0000
#define BOCHS_CMDLINE_MAX 0x10000

#endif
