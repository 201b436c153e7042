/* A payload's addresses as code (runner/symbols.h). */
#define _GNU_SOURCE
#include "symbols.h"

#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

struct symbols {
	Dwfl *dwfl;
	Dwfl_Module *mod;
};

static const Dwfl_Callbacks offline = {
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
};

struct symbols *symbols_open(const char *path)
{
	struct symbols *s = xmalloc(sizeof(*s));
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	s->dwfl = fd < 0 ? NULL : dwfl_begin(&offline);
	/* dwfl owns fd from here (dwfl_end closes it), also when the report fails */
	s->mod = s->dwfl ? dwfl_report_offline(s->dwfl, "payload", path, fd) : NULL;
	if (s->dwfl)
		dwfl_report_end(s->dwfl, NULL, NULL);
	else if (fd >= 0)
		close(fd);
	if (!s->mod || dwfl_module_getsymtab(s->mod) <= 0) {
		symbols_close(s);
		return NULL;
	}
	return s;
}

void symbols_close(struct symbols *s)
{
	if (!s)
		return;
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s);
}

bool symbols_name(struct symbols *s, uint64_t addr, bool ret, char *buf, size_t len)
{
	GElf_Addr off;
	GElf_Sym sym;
	const char *fn = dwfl_module_addrinfo(s->mod, addr, &off, &sym, NULL, NULL, NULL);
	Dwfl_Line *l = fn ? dwfl_module_getsrc(s->mod, ret && addr ? addr - 1 : addr) : NULL;
	const char *file = NULL;
	int line = 0;
	int n;

	if (!fn)
		return false;
	if (l)
		file = dwfl_lineinfo(l, NULL, &line, NULL, NULL, NULL);
	n = snprintf(buf, len, "%s+0x%" PRIx64, fn, (uint64_t)off);
	if (file && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, " at %s:%d", file, line);
	return true;
}

/* The hex number at p ("0x..."): its end, or NULL. */
static const char *hex_at(const char *p, uint64_t *v)
{
	char *end;

	if (strncmp(p, "0x", 2) || !strchr("0123456789abcdefABCDEF", p[2]) || !p[2])
		return NULL;
	*v = strtoull(p, &end, 16);
	return end;
}

bool symbols_reason(struct symbols *s, char *reason, size_t len)
{
	static const char *const tags[] = { " at rip ", " at pc " };
	const char *at = NULL, *end, *p;
	char name[256], *fn, *where;
	uint64_t addr;
	size_t tail;

	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		for (p = reason; (p = strstr(p, tags[i])); p++)
			if (!at || p > at)
				at = p + strlen(tags[i]);
	if (!at || !(end = hex_at(at, &addr)) || !symbols_name(s, addr, false, name, sizeof(name)))
		return false;
	/* "raise_ud+0x14 at FILE:LINE" becomes ", FILE:LINE in raise_ud+0x14" */
	where = strstr(name, " at ");
	if (where) {
		*where = '\0';
		fn = xasprintf(", %s in %s", where + 4, name);
	} else {
		fn = xasprintf(" in %s", name);
	}
	tail = strlen(end);
	if ((size_t)(end - reason) + strlen(fn) + tail < len) {
		memmove((char *)end + strlen(fn), end, tail + 1);
		memcpy((char *)end, fn, strlen(fn));
	}
	free(fn);
	return true;
}

char *symbols_backtrace(struct symbols *s, const char *line)
{
	const char *p = line, *end;
	char *out = NULL, name[256];
	size_t size = 0;
	FILE *f;
	uint64_t addr;

	if (strncmp(p, "backtrace:", 10))
		return NULL;
	f = xopen_memstream(&out, &size);
	p += 10;
	for (unsigned int n = 0; n < SYM_MAX_FRAMES; n++) {
		p += strspn(p, " ");
		if (!(end = hex_at(p, &addr)))
			break;
		fprintf(f, "  #%u %#" PRIx64 " %s\n", n, addr,
			symbols_name(s, addr, n > 0, name, sizeof(name)) ? name : "?");
		p = end;
	}
	xclose_memstream(f, &out);
	if (!size) {
		free(out);
		return NULL;
	}
	return out;
}
