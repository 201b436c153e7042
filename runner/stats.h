/*
 * KVM's binary statistics around a test (cfg `stats = all | NAME ...`,
 * `stats_check = NAME OP N; ...`).  Under kvm QEMU starts paused (-S) and
 * the guest gets vmunit.stats; the runner asks QMP query-stats for the vm
 * and vcpu targets, then cont; the guest library prints "STATS: end"
 * before its SUMMARY and waits, and the runner asks again.  The deltas
 * (numbers only, vcpu values summed over vCPUs; histograms and flags are
 * left out) of the names asked for (all: every one that moved) go to the
 * log as "STAT: name delta" and to the JSON results.  Checks: the cfg's
 * and the guest's "STAT-EXPECT: NAME OP N" lines, OP one of >= > <= < ==
 * !=; a check that does not hold makes a passing test a FAIL naming both
 * numbers, a snapshot that is missing makes it an ERROR.  Under tcg the
 * log says "stats: kvm only".
 */
#ifndef RUNNER_STATS_H
#define RUNNER_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct json_object;

struct stat_value {
	char *name;
	int64_t value;
};

struct stats_snap {
	struct stat_value *v;
	size_t n;
	unsigned parts;		/* of the two targets, as bits: 1 vm, 2 vcpu */
};

struct stats {
	struct stats_snap before, after;
	struct strv expect;	/* the guest's STAT-EXPECT expressions */
};

/* Check an expression's syntax ("io_exits >= 1000"): 0, or -1 with a message. */
int stats_parse_check(const char *expr, struct err *e);
/* A query-stats reply (its "return") for target (vm, vcpu) into snap. */
void stats_add_reply(struct stats_snap *snap, const char *target, struct json_object *ret);
/* A guest line: STAT-EXPECT ones are kept; true when it was one. */
bool stats_line(struct stats *s, const char *line);
/* after - before of name; false when a snapshot lacks it (or it overflows). */
bool stats_delta(const struct stats *s, const char *name, int64_t *delta);
/* One check's outcome and what it says ("stats: exits 2920, want >= 2000 (cfg)"). */
typedef void stats_fn(void *ctx, bool holds, const char *text);
/*
 * Every check (cfg's, ';'-separated, then the guest's STAT-EXPECT lines)
 * to fn: the number that do not hold, or -1 with why when the snapshots
 * are missing (fn not called).
 */
int stats_evaluate(const struct stats *s, const char *cfg_checks, stats_fn *fn, void *ctx,
		   char *why, size_t len);
/*
 * Every check to fn as one that could not be evaluated ("stats: cfg check
 * 'EXPR': WHY", holds false): their number.
 */
unsigned stats_unchecked(const struct stats *s, const char *cfg_checks, const char *why,
			 stats_fn *fn, void *ctx);
void stats_free(struct stats *s);

#endif
