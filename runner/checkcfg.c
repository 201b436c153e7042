#define _GNU_SOURCE
#include "checkcfg.h"

#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int has_entry(const struct cfg *cfg, enum arch a, const char *file)
{
	for (size_t i = 0; i < cfg->n; i++)
		if ((cfg->entries[i].arch_mask & (1u << a)) &&
		    !strcmp(cfg->entries[i].file, file))
			return 1;
	return 0;
}

/* Sources without an entry. */
static unsigned check_sources(const struct cfg *cfg, const char *srcdir,
			      enum arch a, FILE *out)
{
	const char *dir = arch_info(a)->dir;
	char *pattern = xasprintf("%s/%s/*.c", srcdir, dir);
	unsigned bad = 0;
	glob_t g;

	if (!glob(pattern, 0, NULL, &g)) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char *base = basename(g.gl_pathv[i]);

			base[strlen(base) - 2] = '\0';
			if (has_entry(cfg, a, base))
				continue;
			fprintf(out, "%s/%s.c: no cfg entry for %s\n", dir, base,
				arch_info(a)->name);
			bad++;
		}
		globfree(&g);
	}
	free(pattern);
	return bad;
}

/* Entries without a source. */
static unsigned check_entries(const struct cfg *cfg, const char *srcdir,
			      enum arch a, FILE *out)
{
	const char *dir = arch_info(a)->dir;
	unsigned bad = 0;

	for (size_t i = 0; i < cfg->n; i++) {
		const struct cfg_entry *t = &cfg->entries[i];
		char *src;

		if (!(t->arch_mask & (1u << a)))
			continue;
		src = xasprintf("%s/%s/%s.c", srcdir, dir, t->file);
		if (access(src, F_OK)) {
			fprintf(out, "%s:%d: [%s] file = %s: %s/%s.c not found (arch %s)\n",
				cfg->path, t->line, t->name, t->file, dir, t->file,
				arch_info(a)->name);
			bad++;
		}
		free(src);
	}
	return bad;
}

unsigned check_cfg(const struct cfg *cfg, const char *srcdir,
		   unsigned arch_mask, FILE *out)
{
	unsigned bad = 0;

	for (int a = 0; a < ARCH_NR; a++)
		if (arch_mask & (1u << a))
			bad += check_sources(cfg, srcdir, a, out) +
			       check_entries(cfg, srcdir, a, out);
	return bad;
}
