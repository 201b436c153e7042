/*
 * One formatter writes into a sink: a caller's buffer (vsnprintf), which
 * drops what does not fit, or a stack buffer that is flushed to the console
 * when full (printf).
 */
#include <stdbool.h>
#include <stdint.h>

#include "console.h"
#include "printf.h"

/* GCC's <limits.h> needs the target libc's; use the compiler's own value. */
#define INT_MAX_ __INT_MAX__

struct sink {
	char *buf;
	size_t cap;	/* bytes buf holds (the NUL not counted) */
	size_t pos;	/* bytes in buf */
	size_t total;	/* bytes produced so far */
	bool console;	/* flush to the console when full */
};

static void put(struct sink *o, char c)
{
	if (o->pos == o->cap && o->console) {
		console_write(o->buf, o->pos);
		o->pos = 0;
	}
	if (o->pos < o->cap)
		o->buf[o->pos++] = c;
	o->total++;
}

static void put_n(struct sink *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct sink *o, const char *s, int n)
{
	while (n-- > 0)
		put(o, *s++);
}

struct spec {
	bool left, zero, alt, space, plus;
	int width;
	int prec;	/* -1 if none */
};

/* Pad s[0..n) to the width with spaces, on the side the '-' flag asks for. */
static void put_padded(struct sink *o, const struct spec *sp, const char *s,
		       int n)
{
	if (!sp->left)
		put_n(o, ' ', sp->width - n);
	put_str(o, s, n);
	if (sp->left)
		put_n(o, ' ', sp->width - n);
}

/* Integers: [pad][sign or 0x][zeros][digits][pad]. */
static void put_int(struct sink *o, const struct spec *sp, char conv,
		    unsigned long long v, bool neg)
{
	const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X') ? 16 : 10;
	bool is_zero = v == 0;
	char tmp[24];	/* UINT64_MAX in octal has 22 digits */
	char prefix[3];
	int n = 0, np = 0, zeros, pad;

	for (; v; v /= base)
		tmp[sizeof(tmp) - ++n] = digits[v % base];

	if (neg)
		prefix[np++] = '-';
	else if (sp->plus)
		prefix[np++] = '+';
	else if (sp->space)
		prefix[np++] = ' ';
	if (sp->alt && base == 16 && !is_zero) {
		prefix[np++] = '0';
		prefix[np++] = conv;
	}

	/* The default precision is 1, so 0 prints as "0" unless ".0" is given. */
	zeros = (sp->prec < 0 ? 1 : sp->prec) - n;
	/* '#' with 'o' makes the first digit a 0. */
	if (sp->alt && base == 8 && zeros <= 0)
		zeros = 1;
	if (zeros < 0)
		zeros = 0;
	pad = sp->width - np - zeros - n;
	if (sp->zero && !sp->left && sp->prec < 0 && pad > 0) {
		zeros += pad;
		pad = 0;
	}

	if (!sp->left)
		put_n(o, ' ', pad);
	put_str(o, prefix, np);
	put_n(o, '0', zeros);
	put_str(o, tmp + sizeof(tmp) - n, n);
	if (sp->left)
		put_n(o, ' ', pad);
}

/* strnlen() with max < 0 meaning no limit; reads no byte past the limit. */
static int str_len(const char *s, int max)
{
	int n = 0;

	while ((max < 0 || n < max) && s[n])
		n++;
	return n;
}

_Static_assert(sizeof(ptrdiff_t) == sizeof(size_t), "%zd reads a ptrdiff_t");

/* Fetch an integer argument of length modifier len ("hh" is 'H', "ll" 'L'). */
static unsigned long long get_int(va_list *ap, char len, bool is_signed,
				  bool *neg)
{
	long long s;
	unsigned long long u;

	*neg = false;
	if (!is_signed) {
		switch (len) {
		case 'H': u = (unsigned char)va_arg(*ap, unsigned); break;
		case 'h': u = (unsigned short)va_arg(*ap, unsigned); break;
		case 'l': u = va_arg(*ap, unsigned long); break;
		case 'L': u = va_arg(*ap, unsigned long long); break;
		case 'z': u = va_arg(*ap, size_t); break;
		case 't': u = (size_t)va_arg(*ap, ptrdiff_t); break;
		case 'j': u = va_arg(*ap, uintmax_t); break;
		default: u = va_arg(*ap, unsigned); break;
		}
		return u;
	}
	switch (len) {
	case 'H': s = (signed char)va_arg(*ap, int); break;
	case 'h': s = (short)va_arg(*ap, int); break;
	case 'l': s = va_arg(*ap, long); break;
	case 'L': s = va_arg(*ap, long long); break;
	case 'z': s = va_arg(*ap, ptrdiff_t); break;
	case 't': s = va_arg(*ap, ptrdiff_t); break;
	case 'j': s = va_arg(*ap, intmax_t); break;
	default: s = va_arg(*ap, int); break;
	}
	*neg = s < 0;
	return *neg ? -(unsigned long long)s : (unsigned long long)s;
}

static int get_num(const char **fmt)
{
	int n = 0;

	for (; **fmt >= '0' && **fmt <= '9'; (*fmt)++) {
		if (n <= (INT_MAX_ - 9) / 10)
			n = n * 10 + (**fmt - '0');
	}
	return n;
}

/* Parse flags, width, precision and length; return the length as get_int wants. */
static char get_spec(const char **fmt, va_list *ap, struct spec *sp)
{
	const char *f = *fmt;
	char len = 0;

	*sp = (struct spec){ .prec = -1 };
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '#')
			sp->alt = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '+')
			sp->plus = true;
		else
			break;
	}
	if (*f == '*') {
		f++;
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = sp->width < -INT_MAX_ ? INT_MAX_ : -sp->width;
		}
	} else {
		sp->width = get_num(&f);
	}
	if (*f == '.') {
		f++;
		if (*f == '*') {
			f++;
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;
		} else {
			sp->prec = get_num(&f);
		}
	}
	if (*f == 'h' || *f == 'l') {
		len = *f++;
		if (*f == len) {
			len = len == 'h' ? 'H' : 'L';
			f++;
		}
	} else if (*f == 'z' || *f == 't' || *f == 'j') {
		len = *f++;
	}
	*fmt = f;
	return len;
}

static void format(struct sink *o, const char *fmt, va_list ap_in)
{
	va_list ap;
	struct spec sp;
	unsigned long long v;
	const char *s;
	bool neg;
	char len, c;

	va_copy(ap, ap_in);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(o, *fmt);
			continue;
		}
		fmt++;
		len = get_spec(&fmt, &ap, &sp);
		switch (*fmt) {
		case 'd':
		case 'i':
			v = get_int(&ap, len, true, &neg);
			put_int(o, &sp, *fmt, v, neg);
			break;
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			sp.plus = sp.space = false;
			v = get_int(&ap, len, false, &neg);
			put_int(o, &sp, *fmt, v, false);
			break;
		case 'p':
			v = (uintptr_t)va_arg(ap, void *);
			if (!v) {
				put_padded(o, &sp, "(nil)", 5);
				break;
			}
			sp.alt = true;
			sp.plus = sp.space = false;
			put_int(o, &sp, 'x', v, false);
			break;
		case 'c':
			c = (char)va_arg(ap, int);
			put_padded(o, &sp, &c, 1);
			break;
		case 's':
			s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			put_padded(o, &sp, s, str_len(s, sp.prec));
			break;
		case '%':
			put(o, '%');
			break;
		case '\0':
			fmt--;	/* a lone '%' ends the format */
			break;
		default:
			put(o, '%');
			put(o, *fmt);
			break;
		}
	}
	va_end(ap);
}

static int result(const struct sink *o)
{
	return o->total > INT_MAX_ ? -1 : (int)o->total;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct sink o = { .buf = buf, .cap = size ? size - 1 : 0 };

	format(&o, fmt, ap);
	if (size)
		buf[o.pos] = '\0';
	return result(&o);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	char buf[PRINTF_BUF_SIZE];
	struct sink o = { .buf = buf, .cap = sizeof(buf), .console = true };

	format(&o, fmt, ap);
	if (o.pos)
		console_write(buf, o.pos);
	return result(&o);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	char buf[PRINTF_BUF_SIZE];
	struct sink o = { .buf = buf, .cap = sizeof(buf), .console = true };

	put_str(&o, s, str_len(s, -1));
	put(&o, '\n');
	console_write(buf, o.pos);
	return result(&o);
}
