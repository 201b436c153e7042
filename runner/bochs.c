/*
 * Bochs as a VMM (vmm.h): the whole configuration is on its command line
 * (-n: no bochsrc; each argument one bochsrc line), so -n and the logs
 * show all of it.  The BIOS boots x86/bochs-boot.img (x86/loader), which
 * takes the payload ELF and the command line file from the RAM images
 * Bochs loads at the addresses of lib/x86/bochs-loader.h.  COM1 writes to
 * stdout (the runner's pipe); Bochs's own log goes to a file of its own.
 * Debian's Bochs has its debugger built in: the rc file says "continue".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "verdict-parse.h"
#include "vmm.h"
#include "x86/bochs-loader.h"

/* Lower is faster here: idle CPUs spin, and BIOS delays are emulated time. */
#define BOCHS_IPS 2000000
#define BOCHS_HOST_MAX 2048
#define SHUTDOWN_MSG "Shutdown port: shutdown requested"

/* bochsrc values end at a comma or a blank: paths must have neither. */
static int plain_path(const char *what, const char *path, struct err *e)
{
	if (path[strcspn(path, ", \t\n")])
		return err_set(e, "%s %s: Bochs cannot take a path with a comma or a blank",
			       what, path);
	return 0;
}

int bochs_argv(const struct qemu_opts *o, struct strv *argv, struct err *e)
{
	if (plain_path("payload", o->payload, e) || plain_path("loader", o->loader, e) ||
	    plain_path("command line file", o->cmdline_file, e) ||
	    plain_path("log", o->vmm_log ? o->vmm_log : "/dev/null", e))
		return -1;
	strv_push(argv, o->qemu);
	strv_append(argv, (char *const[]){ "-q", "-f", "/dev/null", "-rc", (char *)o->rc_file, NULL });
	/* host: what Bochs allocates up front (at most 2048 MiB), the rest on use */
	strv_pushf(argv, "memory: guest=%u, host=%u", o->memory,
		   o->memory < BOCHS_HOST_MAX ? o->memory : BOCHS_HOST_MAX);
	/* ignore_bad_msrs=0: an MSR Bochs lacks is a #GP, as on hardware and KVM
	 * (its default reads 0 and drops writes: a check of it would pass). */
	strv_pushf(argv, "cpu: model=%s, count=%u, ips=%u, ignore_bad_msrs=0", o->cpu, o->smp,
		   BOCHS_IPS);
	strv_append(argv, (char *const[]){
		"romimage: file=$BXSHARE/BIOS-bochs-latest",
		"vgaromimage: file=$BXSHARE/VGABIOS-lgpl-latest",
		"boot: floppy", "com1: enabled=1, mode=file, dev=/dev/stdout",
		"display_library: term", "speaker: enabled=0", "sound: driver=dummy",
		"panic: action=fatal", "error: action=report", "info: action=ignore",
		"debug: action=ignore", NULL });
	strv_pushf(argv, "floppya: 1_44=%s, status=inserted", o->loader);
	strv_pushf(argv, "optramimage1: file=%s, address=%#x", o->payload, BOCHS_ELF_STAGE);
	strv_pushf(argv, "optramimage2: file=%s, address=%#x", o->cmdline_file, BOCHS_CMDLINE);
	strv_pushf(argv, "log: %s", o->vmm_log ? o->vmm_log : "/dev/null");
	strv_append(argv, o->extra);
	return 0;
}

/*
 * Bochs's own lines in the stream: its log format ("00000000000i[CPU0 ]
 * ...", before the config names the log file), the terminal display's
 * note, the exit banner and the message in it ("[UNMAP ] Shutdown port:
 * shutdown requested" is the guest's power-off; any other one is fatal),
 * and the debugger's position line at exit ("(0).[N] ...").
 */
bool bochs_own_line(struct vparse *vp, const char *line)
{
	static const char *const prefixes[] = {
		"Bochs connected to screen", "Bochs is exiting with the following message:",
		"=====", "(0)", "(1)", "(2)", "(3)", "Next at t=",
	};
	size_t digits = strspn(line, "0123456789");

	if (digits == 11 && line[11] && line[12] == '[') {
		if (line[11] == 'p' && !strstr(line, SHUTDOWN_MSG) && !vp->fatal)
			vp->fatal = xasprintf("Bochs panic: %s", line + 12);
		return true;
	}
	if (line[0] == '[' && strchr(line, ']')) {
		if (!strstr(line, SHUTDOWN_MSG) && !vp->fatal)
			vp->fatal = xasprintf("Bochs: %s", line);
		if (!vp->qemu_msg)
			vp->qemu_msg = xstrdup(line);
		return true;
	}
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (!strncmp(line, prefixes[i], strlen(prefixes[i])))
			return true;
	return !line[strspn(line, " \t")];
}

/* The slave of the pseudo-terminal whose master process pid holds, opened
 * for reading; -1 when it holds none (yet). */
static int term_slave(pid_t pid)
{
	char path[320], target[32];
	struct dirent *d;
	int fd = -1, index;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	while (dir && fd < 0 && (d = readdir(dir))) {
		ssize_t n = readlinkat(dirfd(dir), d->d_name, target, sizeof(target) - 1);
		FILE *info;

		if (n < 0)
			continue;
		target[n] = 0;
		if (strcmp(target, "/dev/ptmx") && strcmp(target, "/dev/pts/ptmx"))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)pid, d->d_name);
		if (!(info = fopen(path, "r")))
			continue;
		index = -1;
		while (index < 0 && fgets(path, sizeof(path), info))
			if (sscanf(path, "tty-index: %d", &index) != 1)
				index = -1;
		fclose(info);
		if (index < 0)
			continue;
		snprintf(path, sizeof(path), "/dev/pts/%d", index);
		fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC);
	}
	if (dir)
		closedir(dir);
	return fd;
}

/*
 * Bochs's term display draws on a pseudo-terminal of its own (it opens
 * /dev/ptmx: 'Bochs connected to screen "/dev/pts/N"') that nobody looks
 * at; once its buffer is full (the cursor's blinking, 17 bytes a blink,
 * fills it in some ten minutes of Bochs's time) Bochs blocks in write()
 * for good and the guest hangs.  In a child of Bochs's, forked before its
 * exec: find that terminal among Bochs's fds (for up to 30 s) and read it
 * away until Bochs closes it or dies.
 */
void bochs_term_drain(pid_t bochs)
{
	int null = open("/dev/null", O_RDWR), fd = -1;
	char buf[4096];
	ssize_t n;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (null < 0 || getppid() != bochs)
		_exit(0);
	dup2(null, 0);
	dup2(null, 1);
	dup2(null, 2);
	close_range(3, ~0U, 0);
	for (int tries = 0; fd < 0 && tries < 600 && getppid() == bochs; tries++)
		if ((fd = term_slave(bochs)) < 0)
			usleep(50 * 1000);
	while (fd >= 0 && ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)))
		;
	_exit(0);
}
