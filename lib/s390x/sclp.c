/*
 * SCLP commands through SERVICE CALL (SERVC): a command word and the real
 * address of a service-call control block (SCCB, below 2 GiB, not crossing
 * a page); the SCLP answers with a response code in the SCCB header and a
 * service-signal external interruption (code 0x2401).
 */
#include <stdbool.h>
#include "processor.h"
#include "sclp.h"
#include "spinlock.h"
#include "string.h"

#define SCLP_CMD_READ_SCP_INFO		0x00020001
#define SCLP_CMD_READ_SCP_INFO_FORCED	0x00120001
#define SCLP_CMD_WRITE_EVENT_DATA	0x00760005
#define SCLP_CMD_READ_EVENT_DATA	0x00770005
#define SCLP_CMD_WRITE_EVENT_MASK	0x00780005

#define SCLP_RC_READ_DONE	0x0010	/* normal read completion */
#define SCLP_RC_DONE		0x0020	/* normal completion */

#define EVENT_ASCII_CONSOLE	0x1a
/* Event masks: type t is bit t - 1 from the left of a 32-bit mask. */
#define EVENT_MASK(t)		(0x80000000u >> ((t) - 1))

struct sccb_header {
	uint16_t length;
	uint8_t function;
	uint8_t control[3];
	uint16_t response;
} __attribute__((packed));

struct write_event_mask {
	struct sccb_header h;
	uint16_t reserved;
	uint16_t mask_length;	/* 4: each mask below is 32 bits */
	uint32_t cp_receive, cp_send, sclp_receive, sclp_send;
} __attribute__((packed));

struct event_header {
	uint16_t length;
	uint8_t type;
	uint8_t flags;
	uint16_t reserved;
} __attribute__((packed));

struct write_event_data {
	struct sccb_header h;
	struct event_header e;
	char data[];
} __attribute__((packed));

/*
 * Read SCP Info: memory is rnmax increments of rnsize MiB (or the 2 forms);
 * ncpus entries of 16 bytes at cpu_offset list the configured CPUs, each
 * starting with its CPU address (its low 8 bits).
 */
struct read_info {
	struct sccb_header h;
	uint16_t rnmax;		/* 8 */
	uint8_t rnsize;		/* 10 */
	uint8_t pad[5];
	uint16_t ncpus;		/* 16 */
	uint16_t cpu_offset;	/* 18 */
	uint8_t pad2[80];
	uint32_t rnsize2;	/* 100 */
	uint64_t rnmax2;	/* 104 */
} __attribute__((packed));

#define CPU_ENTRY_SIZE 16

_Static_assert(sizeof(struct write_event_mask) == 28, "SCCB layout");
_Static_assert(__builtin_offsetof(struct read_info, rnsize2) == 100, "SCCB layout");
_Static_assert(__builtin_offsetof(struct read_info, cpu_offset) == 18, "SCCB layout");

static uint8_t sccb[4096] __attribute__((aligned(4096)));
static volatile bool busy;
static struct spinlock lock;	/* one command and its SCCB at a time */

void sclp_service_signal(uint32_t param)
{
	busy = false;
}

/* Condition code of SERVC: 0 started, 2 busy, 3 not operational. */
static int servc(uint32_t cmd, void *block)
{
	int cc;

	asm volatile(".insn rre, 0xb2200000, %1, %2\n\t"
		     "ipm %0\n\t"
		     "srl %0, 28"
		     : "=d"(cc)
		     : "d"(cmd), "a"(block)
		     : "cc", "memory");
	return cc;
}

/*
 * Run a command on the SCCB and wait for it; the response code, or 0.  A
 * service signal that is not this command's (console input announced)
 * may come first: the response code, 0 until the SCLP wrote it, tells.
 */
static uint16_t sclp_call(uint32_t cmd)
{
	struct sccb_header *h = (void *)sccb;
	int cc;

	h->response = 0;
	busy = true;
	while ((cc = servc(cmd, sccb)) == 2)
		;
	if (cc) {
		busy = false;
		return 0;
	}
	while (busy || !h->response)
		enabled_wait(PSW_EXT);
	return h->response;
}

void sclp_init(void)
{
	struct write_event_mask *m = (void *)sccb;

	lctlg(0, stctg(0) | CR0_SERVICE);
	spin_lock(&lock);
	memset(sccb, 0, sizeof(*m));
	m->h.length = sizeof(*m);
	m->mask_length = sizeof(m->cp_receive);
	m->cp_send = EVENT_MASK(EVENT_ASCII_CONSOLE);
	m->cp_receive = EVENT_MASK(EVENT_ASCII_CONSOLE);
	sclp_call(SCLP_CMD_WRITE_EVENT_MASK);
	spin_unlock(&lock);
}

void sclp_console_write(const char *s, size_t n)
{
	struct write_event_data *w = (void *)sccb;
	const size_t max = sizeof(sccb) - sizeof(*w);

	spin_lock(&lock);
	while (n) {
		size_t len = n < max ? n : max;

		memset(w, 0, sizeof(*w));
		memcpy(w->data, s, len);
		w->e.length = sizeof(w->e) + len;
		w->e.type = EVENT_ASCII_CONSOLE;
		w->h.length = sizeof(*w) + len;
		sclp_call(SCLP_CMD_WRITE_EVENT_DATA);
		s += len;
		n -= len;
	}
	spin_unlock(&lock);
}

/* Console input: what one Read Event Data brought, handed out a byte at a time. */
static char input[256];
static unsigned int input_len, input_at;

int sclp_console_getc(void)
{
	struct write_event_data *r = (void *)sccb;
	uint16_t rc;

	if (input_at < input_len)
		return (unsigned char)input[input_at++];
	spin_lock(&lock);
	memset(r, 0, sizeof(*r));
	r->h.length = sizeof(sccb);
	input_len = input_at = 0;
	rc = sclp_call(SCLP_CMD_READ_EVENT_DATA);
	if ((rc == SCLP_RC_READ_DONE || rc == SCLP_RC_DONE) && r->e.type == EVENT_ASCII_CONSOLE &&
	    r->e.length > sizeof(r->e)) {
		input_len = r->e.length - sizeof(r->e);
		if (input_len > sizeof(input))
			input_len = sizeof(input);
		memcpy(input, r->data, input_len);
	}
	spin_unlock(&lock);
	return input_at < input_len ? (unsigned char)input[input_at++] : -1;
}

/* Read SCP Info into the SCCB (the forced form first): false if it fails. */
static bool read_info(void)
{
	static const uint32_t cmds[] = { SCLP_CMD_READ_SCP_INFO_FORCED, SCLP_CMD_READ_SCP_INFO };
	struct read_info *ri = (void *)sccb;

	for (unsigned int i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		memset(sccb, 0, sizeof(sccb));
		ri->h.length = sizeof(sccb);
		if (sclp_call(cmds[i]) == SCLP_RC_READ_DONE)
			return true;
	}
	return false;
}

uint64_t sclp_memory_size(void)
{
	struct read_info *ri = (void *)sccb;
	uint64_t size = 0;

	spin_lock(&lock);
	if (read_info())
		size = (uint64_t)(ri->rnsize ? ri->rnsize : ri->rnsize2) *
		       (ri->rnmax ? ri->rnmax : ri->rnmax2) << 20;
	spin_unlock(&lock);
	return size;
}

unsigned int sclp_cpu_addresses(uint16_t *addrs, unsigned int max)
{
	struct read_info *ri = (void *)sccb;
	unsigned int n = 0;

	spin_lock(&lock);
	if (read_info() && ri->cpu_offset + (size_t)ri->ncpus * CPU_ENTRY_SIZE <= sizeof(sccb))
		n = ri->ncpus;
	for (unsigned int i = 0; i < n && i < max; i++)
		addrs[i] = sccb[ri->cpu_offset + i * CPU_ENTRY_SIZE];
	spin_unlock(&lock);
	return n;
}
