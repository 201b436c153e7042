/* Our gcov runtime: contract in gcov.h.  This file is never instrumented. */
#include <stdbool.h>
#include <stdint.h>
#include "console.h"
#include "gcov.h"

#define GCOV_COUNTERS 8			/* gcc 12: arcs, then value profiles */
#define GCOV_DATA_MAGIC 0x67636461u	/* "gcda" */
#define TAG_FUNCTION 0x01000000u
#define TAG_COUNTER(i) (0x01a10000u + ((uint32_t)(i) << 17))
#define FUNCTION_LENGTH 12u		/* bytes: ident and two checksums */

struct gcov_ctr_info {
	uint32_t num;
	int64_t *values;
};

struct gcov_fn_info {
	const struct gcov_info *key;	/* the object; else a COMDAT copy elsewhere */
	uint32_t ident, lineno_checksum, cfg_checksum;
	struct gcov_ctr_info ctrs[];	/* one per counter kind with a merge function */
};

struct gcov_info {
	uint32_t version;
	struct gcov_info *next;
	uint32_t stamp, checksum;
	const char *filename;
	void (*merge[GCOV_COUNTERS])(int64_t *, uint32_t);
	uint32_t n_functions;
	const struct gcov_fn_info *const *functions;
};

/* Referenced by the instrumented objects' merge[]; never called here. */
void __gcov_merge_add(int64_t *counters, uint32_t n)
{
}

struct writer {
	void (*out)(const void *p, unsigned n, void *arg);
	void *arg;
	unsigned size;
};

static void word(struct writer *w, uint32_t v)
{
	w->out(&v, 4, w->arg);
	w->size += 4;
}

static bool all_zero(const struct gcov_ctr_info *c)
{
	for (uint32_t i = 0; i < c->num; i++)
		if (c->values[i])
			return false;
	return true;
}

static void function(struct writer *w, const struct gcov_info *info,
		     const struct gcov_fn_info *fn)
{
	const struct gcov_ctr_info *c = fn ? fn->ctrs : NULL;

	word(w, TAG_FUNCTION);
	if (!fn || fn->key != info) {
		word(w, 0);
		return;
	}
	word(w, FUNCTION_LENGTH);
	word(w, fn->ident);
	word(w, fn->lineno_checksum);
	word(w, fn->cfg_checksum);
	for (int k = 0; k < GCOV_COUNTERS; k++) {
		if (!info->merge[k])
			continue;
		word(w, TAG_COUNTER(k));
		if (all_zero(c)) {
			word(w, -(c->num * 8));
		} else {
			word(w, c->num * 8);
			for (uint32_t i = 0; i < c->num; i++) {
				word(w, (uint32_t)c->values[i]);
				word(w, (uint32_t)((uint64_t)c->values[i] >> 32));
			}
		}
		c++;
	}
}

unsigned gcov_image(const struct gcov_info *info,
		    void (*out)(const void *p, unsigned n, void *arg), void *arg)
{
	struct writer w = { out, arg, 0 };

	word(&w, GCOV_DATA_MAGIC);
	word(&w, info->version);
	word(&w, info->stamp);
	word(&w, info->checksum);
	for (uint32_t f = 0; f < info->n_functions; f++)
		function(&w, info, info->functions[f]);
	word(&w, 0);
	return w.size;
}

const char *gcov_filename(const struct gcov_info *info)
{
	return info->filename;
}

/* ---- over the console ---- */

#define PER_LINE 64

struct hexline {
	unsigned char buf[PER_LINE];
	unsigned n;
};

static void put_line(struct hexline *h)
{
	static const char digits[] = "0123456789abcdef";
	char line[6 + 2 * PER_LINE + 1] = "GCOV: ";
	unsigned len = 6;

	for (unsigned i = 0; i < h->n; i++) {
		line[len++] = digits[h->buf[i] >> 4];
		line[len++] = digits[h->buf[i] & 0xf];
	}
	line[len++] = '\n';
	console_write(line, len);
	h->n = 0;
}

static void to_console(const void *p, unsigned n, void *arg)
{
	struct hexline *h = arg;
	const unsigned char *b = p;

	for (unsigned i = 0; i < n; i++) {
		h->buf[h->n++] = b[i];
		if (h->n == PER_LINE)
			put_line(h);
	}
}

static void count_only(const void *p, unsigned n, void *arg)
{
}

extern const struct gcov_info *const __start_gcov_info[], *const __stop_gcov_info[];

/* "GCOV-BEGIN: path size\n" in buf (one write: no other CPU's line inside). */
static unsigned begin_line(char *buf, unsigned cap, const char *path, unsigned size)
{
	static const char tag[] = "GCOV-BEGIN: ";
	char digits[10];
	unsigned len = 0, n = 0;

	do
		digits[n++] = '0' + size % 10;
	while (size /= 10);
	for (const char *s = tag; *s; s++)
		buf[len++] = *s;
	for (; *path && len < cap - 13; path++)
		buf[len++] = *path;
	buf[len++] = ' ';
	while (n)
		buf[len++] = digits[--n];
	buf[len++] = '\n';
	return len;
}

void gcov_dump(void)
{
	static char line[4096];	/* one CPU dumps, at its exit */

	for (const struct gcov_info *const *i = __start_gcov_info; i < __stop_gcov_info; i++) {
		struct hexline h = { .n = 0 };
		unsigned size = gcov_image(*i, count_only, NULL);

		console_write(line, begin_line(line, sizeof(line), gcov_filename(*i), size));
		gcov_image(*i, to_console, &h);
		if (h.n)
			put_line(&h);
		console_write("GCOV-END\n", 9);
	}
}
