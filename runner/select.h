/*
 * Which cfg entries run: by arch, group and name (exact or fnmatch glob).
 * A name or glob that matches nothing, or a group no entry has, is an error
 * rather than an empty (and falsely successful) run.  Entries in the group
 * "nodefault" run only when chosen: all (--all), a group or a name or glob
 * that matches them; otherwise they are left out and listed as such.
 */
#ifndef RUNNER_SELECT_H
#define RUNNER_SELECT_H

#include <stddef.h>

#include "cfg.h"

struct sel_opts {
	unsigned arch_mask;		/* 1 << enum arch */
	unsigned shard, nshards;	/* keep shard (1..nshards) of the split; 0: all */
	const char *group;		/* NULL: any */
	bool all;			/* nodefault entries too */
	char *const *patterns;		/* names or globs; none: all */
	size_t npatterns;
};

struct sel {
	const struct cfg_entry *entry;
	enum arch arch;
};

struct selection {
	struct sel *v;
	size_t n;
	struct strv left_out;		/* "arch/name" of the nodefault entries not chosen */
};

/*
 * Arch by arch, in cfg order.  With shards, an entry (arch and name) is in
 * shard 1 + FNV-1a(name "arch/entry") mod nshards: the same on every
 * machine and for every selection, each entry in exactly one.  0, or -1
 * with a message.
 */
int select_tests(const struct cfg *cfg, const struct sel_opts *o,
		 struct selection *out, struct err *e);
void selection_free(struct selection *s);

/* "K/N" (1 <= K <= N <= 1000) -> shard, nshards; -1 with a message. */
int parse_shard(const char *s, unsigned *shard, unsigned *nshards, struct err *e);

/* "x86_64,arm64" or "all" -> mask; -1 with a message. */
int parse_arch_list(const char *list, unsigned *mask, struct err *e);

#endif
