/* The reaper (runner/reaper.h). */
#define _GNU_SOURCE
#include "reaper.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REAP_ROUNDS 50		/* scans while marked processes keep turning up */
#define REAP_PAUSE_US 20000	/* between two scans: a fork in flight lands */

static char mark[64];
static pid_t reaper;

const char *reaper_mark(void)
{
	return *mark ? mark : NULL;
}

pid_t reaper_pid(void)
{
	return reaper;
}

/* True when PID's environment has the entry mark. */
static bool marked(long pid)
{
	char path[64], *entry = NULL;
	size_t cap = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/environ", pid);
	f = fopen(path, "re");
	if (!f)
		return false;	/* gone, or not ours */
	while (!found && getdelim(&entry, &cap, '\0', f) > 0)
		found = !strcmp(entry, mark);
	free(entry);
	fclose(f);
	return found;
}

/* SIGKILL to every marked process; how many there were. */
static unsigned kill_marked(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	unsigned n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 1 || pid == getpid() || !marked(pid))
			continue;
		kill(pid, SIGKILL);
		n++;
	}
	closedir(d);
	return n;
}

/* The reaper: idle until the runner's end closes the pipe (fd 3). */
static void __attribute__((noreturn)) reap(void)
{
	static const int ignored[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGUSR1,
				       SIGUSR2, SIGALRM };
	sigset_t none;
	char c;

	for (size_t i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++)
		signal(ignored[i], SIG_IGN);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();	/* no terminal: a ^C or a hangup is the runner's to take */
	while (read(3, &c, 1) < 0 && errno == EINTR)
		;
	for (unsigned round = 0; round < REAP_ROUNDS && kill_marked(); round++)
		usleep(REAP_PAUSE_US);
	_exit(0);
}

void reaper_start(void)
{
	struct timespec ts;
	int p[2], null;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (pipe2(p, O_CLOEXEC)) {
		perror("vmunit-run: reaper");
		return;
	}
	snprintf(mark, sizeof(mark), "VMUNIT_RUN=%d.%lld", (int)getpid(),
		 (long long)ts.tv_sec * 1000000000 + ts.tv_nsec);
	reaper = fork();
	if (reaper == 0) {
		null = open("/dev/null", O_RDWR);
		if (null < 0 || dup2(p[0], 3) < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 ||
		    dup2(null, 2) < 0)
			_exit(1);
		close_range(4, ~0u, 0);
		reap();
	}
	close(p[0]);
	if (reaper < 0) {
		perror("vmunit-run: reaper");
		reaper = 0;
		*mark = '\0';
		close(p[1]);
	}
	/* p[1] stays open, close-on-exec, until the runner ends. */
}
