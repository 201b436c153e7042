/*
 * The channel subsystem: subchannel instructions, their control blocks,
 * channel-program builders (format-1 CCWs, format-1 and format-2 IDAW
 * lists) and I/O interruptions.  Layouts and bit numbers follow the
 * z/Architecture Principles of Operation (SA22-7832), chapters 14-16
 * ("I/O Overview", "Basic I/O Functions", "I/O Interruptions").
 *
 * Instructions: stsch() ... csch() return the condition code; a program
 * interruption (operand exception for a bad subsystem ID or ORB,
 * specification exception for a misaligned operand ...) is unexpected
 * and ends the test.  The *_safe() forms catch it through the exception
 * table instead: they return the fault and leave -1 in *cc.
 *
 * Interruptions: css_irq_init(isc) installs the I/O new-PSW handler and
 * sets the subclass mask for isc in CR6; I/O interruptions stay disabled
 * in the PSW except inside css_wait_io(), which opens them until one for
 * the subchannel arrives or the timeout passes.  Each interruption's code
 * (subsystem ID, interruption parameter, identification word) is queued
 * until a css_wait_io() for its subchannel takes it; the status itself
 * stays pending in the subchannel until tsch().
 *
 * Channel-subsystem-wide instructions: stcrw() (channel reports), rchp(),
 * schm() (channel monitoring into measurement blocks) and chsc(); their
 * *_safe() forms likewise catch a program interruption.
 *
 * Channel programs (lib/s390x/ccw.c): format-1 CCW and ORB builders, IDAW
 * lists, the SCSW and the CRW decoded for messages.  Everything the channel subsystem
 * reads or writes (ORB, CCWs, IDAWs, data) must be below 2 GiB: take it
 * from lib/s390x/dma31.h; the builders panic for addresses outside it.
 * Safe from any CPU; one subchannel should be driven by one CPU at a time.
 */
#ifndef VMUNIT_S390X_CSS_H
#define VMUNIT_S390X_CSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fault.h"

/* Subsystem ID (general register 1): 0x0001 in bits 0-15 + subchannel number. */
#define SCHID_ONE		0x00010000u
#define SCHID(ssid, sch)	(SCHID_ONE | (uint32_t)(ssid) << 17 | (sch))
#define SCHID_NR(schid)		((schid) & 0xffff)

/* Path-management control word (PMCW), the first 28 bytes of a SCHIB. */
struct pmcw {
	uint32_t intparm;	/* 0: interruption parameter */
	uint16_t flags;		/* 4: PMCW_* below */
	uint16_t devno;		/* 6: device number */
	uint8_t lpm, pnom, lpum, pim;	/* 8: logical-path / path masks */
	uint16_t mbi;		/* 12: measurement-block index */
	uint8_t pom, pam;	/* 14 */
	uint8_t chpid[8];	/* 16 */
	uint32_t chars;		/* 24: bit 29 F, 30 X, 31 S (concurrent sense) */
} __attribute__((packed, aligned(4)));

#define PMCW_ISC_SHIFT	11		/* bits 2-4: interruption subclass */
#define PMCW_ISC_MASK	(7 << PMCW_ISC_SHIFT)
#define PMCW_ENABLED	0x0080		/* bit 8: E */
#define PMCW_MM_UPDATE	0x0010		/* bit 11: measurement-block update */
#define PMCW_MM_DCTM	0x0008		/* bit 12: device-connect-time measurement */
#define PMCW_TIMING	0x0002		/* bit 14: T, timing facility installed */
#define PMCW_DNV	0x0001		/* bit 15: V, device number valid */
#define PMCW_MBFC	0x00000004u	/* chars bit 29: F, format-1 block at the MBA */
#define PMCW_CSENSE	0x00000001u	/* chars bit 31: S, concurrent sense */

/* Subchannel-status word (SCSW), in a SCHIB and first in an IRB. */
struct scsw {
	uint16_t flags;		/* 0: key S L CC F P I A U Z E N */
	uint16_t ctrl;		/* 2: function, activity and status control */
	uint32_t cpa;		/* 4: CCW address */
	uint8_t dstat;		/* 8: device status */
	uint8_t cstat;		/* 9: subchannel status */
	uint16_t count;		/* 10: residual count */
} __attribute__((packed, aligned(4)));

#define SCSW_FMT1	0x0080		/* flags bit 8: F, format-1 CCWs */
#define SCSW_ECTL	0x0002		/* flags bit 14: E, ECW holds sense */
#define SCSW_CC_SHIFT	8		/* flags bits 6-7: deferred condition code */
#define SCSW_FC_START	0x4000
#define SCSW_FC_HALT	0x2000
#define SCSW_FC_CLEAR	0x1000
#define SCSW_FC_MASK	0x7000
#define SCSW_AC_MASK	0x0fe0
#define SCSW_AC_SUSPENDED 0x0020
#define SCSW_SC_ALERT	0x0010
#define SCSW_SC_INTERM	0x0008
#define SCSW_SC_PRIMARY	0x0004
#define SCSW_SC_SECONDARY 0x0002
#define SCSW_SC_PENDING	0x0001
#define SCSW_SC_MASK	0x001f

/* Device status. */
#define DEV_ATTENTION	0x80
#define DEV_MODIFIER	0x40
#define DEV_CU_END	0x20
#define DEV_BUSY	0x10
#define DEV_CHAN_END	0x08
#define DEV_DEV_END	0x04
#define DEV_UNIT_CHECK	0x02
#define DEV_UNIT_EXC	0x01
/* Subchannel status. */
#define SCH_PCI		0x80
#define SCH_INCORR_LEN	0x40
#define SCH_PROG_CHECK	0x20
#define SCH_PROT_CHECK	0x10
#define SCH_DATA_CHECK	0x08
#define SCH_CTRL_CHECK	0x04
#define SCH_IFCC	0x02
#define SCH_CHAIN_CHECK	0x01

/* Subchannel-information block (STSCH, MSCH). */
struct schib {
	struct pmcw pmcw;	/* 0 */
	struct scsw scsw;	/* 28 */
	uint64_t mba;		/* 40: format-1 measurement-block address */
	uint8_t mda[4];		/* 48: model dependent */
} __attribute__((packed, aligned(4)));

/*
 * Measurement blocks (SET CHANNEL MONITOR): format 0 at MBO + 32 * MBI,
 * format 1 (extended) at the subchannel's MBA, 64-byte aligned.  Times are
 * in units of 128 microseconds.
 */
struct mb0 {
	uint16_t ssch_rsch;	/* SSCH + RSCH count */
	uint16_t samples;	/* sample count */
	uint32_t connect, pending, disconnect, cu_queuing, active_only;
	uint32_t reserved[2];
};

struct mb1 {
	uint32_t ssch_rsch, samples;
	uint32_t connect, pending, disconnect, cu_queuing, active_only;
	uint32_t busy, initial_response;
	uint32_t reserved[7];
};

/* General register 1 of SCHM: bits 62-63. */
#define SCHM_UPDATE	0x2		/* M: measurement-block-update mode */
#define SCHM_DCTM	0x1		/* D: device-connect-time-measurement mode */

/* Channel-report word (STCRW). */
#define CRW_SOLICITED	0x40000000u	/* bit 1: S */
#define CRW_OVERFLOW	0x20000000u	/* bit 2: R, reports were lost */
#define CRW_CHAIN	0x10000000u	/* bit 3: C, another CRW of this report follows */
#define CRW_ANCILLARY	0x00800000u	/* bit 8: A */
#define CRW_RSC(crw)	((crw) >> 24 & 0xf)	/* bits 4-7: reporting-source code */
#define CRW_ERC(crw)	((crw) >> 16 & 0x3f)	/* bits 10-15: error-recovery code */
#define CRW_RSID(crw)	((crw) & 0xffff)	/* bits 16-31: reporting-source ID */
#define CRW_RSC_SCH	0x3		/* subchannel */
#define CRW_RSC_CHP	0x4		/* channel path */
#define CRW_ERC_INIT	0x2		/* initialized */

/*
 * CHSC: a request block on a 4K boundary (below 2 GiB: dma31) of len
 * bytes, then the response block the command stores right after it.
 */
struct chsc_header {
	uint16_t len;
	uint16_t code;		/* request: command code; response: response code */
};

#define CHSC_SSD	0x0004		/* store subchannel description */
#define CHSC_SCSC	0x0010		/* store channel-subsystem characteristics */
#define CHSC_RESP_OK	0x0001
#define CHSC_RESP_NOT_PROVIDED 0x0004	/* invalid or not installed command code */

/* Interruption-response block (TSCH). */
struct irb {
	struct scsw scsw;	/* 0 */
	uint32_t esw[5];	/* 12: extended-status word */
	uint8_t ecw[32];	/* 32: extended-control word (concurrent sense) */
	uint32_t emw[8];	/* 64: extended-measurement word */
} __attribute__((packed, aligned(4)));

/* Operation-request block (SSCH). */
struct orb {
	uint32_t intparm;	/* 0 */
	uint16_t ctrl;		/* 4: key S C M Y F P I A U B H T */
	uint8_t lpm;		/* 6: logical-path mask */
	uint8_t ctrl2;		/* 7: L D ... X */
	uint32_t cpa;		/* 8: channel-program address, bit 0 zero */
	uint8_t css_prio, reserved1, cu_prio, reserved2;	/* 12 */
	uint32_t reserved3[4];	/* 16 */
} __attribute__((packed, aligned(4)));

#define ORB_SUSPEND	0x0800		/* S: suspend control (CCW_SUSPEND honoured) */
#define ORB_FMT1	0x0080		/* F: format-1 CCWs */
#define ORB_NO_SUSP_INT	0x0008		/* U: no interruption on suspension */
#define ORB_IDAW_FMT2	0x0002		/* H: format-2 IDAWs */
#define ORB_IDAW_2K	0x0001		/* T: 2K format-2 IDAWs (else 4K) */

/* Format-1 channel-command word. */
struct ccw1 {
	uint8_t cmd;
	uint8_t flags;
	uint16_t count;
	uint32_t cda;		/* data, IDAW list or TIC target; bit 0 zero */
} __attribute__((packed, aligned(8)));

#define CCW_DC		0x80		/* chain data */
#define CCW_CC		0x40		/* chain command */
#define CCW_SLI		0x20		/* suppress length indication */
#define CCW_SKIP	0x10
#define CCW_PCI		0x08
#define CCW_IDA		0x04		/* cda designates an IDAW list */
#define CCW_SUSPEND	0x02
#define CCW_MIDA	0x01

#define CCW_CMD_NOOP		0x03
#define CCW_CMD_BASIC_SENSE	0x04
#define CCW_CMD_TIC		0x08
#define CCW_CMD_SENSE_ID	0xe4

/* SENSE ID data: byte 0 is 0xff, then control-unit and device type. */
#define SENSE_ID_MAX	256
struct senseid {
	uint8_t reserved;	/* 0xff */
	uint16_t cu_type;
	uint8_t cu_model;
	uint16_t dev_type;
	uint8_t dev_model;
	uint8_t unused;
	uint32_t ciw[62];	/* command-information words */
} __attribute__((packed));

_Static_assert(sizeof(struct pmcw) == 28, "PMCW layout");
_Static_assert(__builtin_offsetof(struct pmcw, chars) == 24, "PMCW layout");
_Static_assert(sizeof(struct scsw) == 12, "SCSW layout");
_Static_assert(sizeof(struct schib) == 52, "SCHIB layout");
_Static_assert(__builtin_offsetof(struct schib, mba) == 40, "SCHIB layout");
_Static_assert(sizeof(struct mb0) == 32, "measurement block layout");
_Static_assert(sizeof(struct mb1) == 64, "extended measurement block layout");
_Static_assert(__builtin_offsetof(struct schib, scsw) == 28, "SCHIB layout");
_Static_assert(sizeof(struct irb) == 96, "IRB layout");
_Static_assert(__builtin_offsetof(struct irb, ecw) == 32, "IRB layout");
_Static_assert(__builtin_offsetof(struct irb, emw) == 64, "IRB layout");
_Static_assert(sizeof(struct orb) == 32, "ORB layout");
_Static_assert(__builtin_offsetof(struct orb, cpa) == 8, "ORB layout");
_Static_assert(sizeof(struct ccw1) == 8, "CCW layout");
_Static_assert(sizeof(struct senseid) == SENSE_ID_MAX, "SENSE ID layout");
_Static_assert(__builtin_offsetof(struct senseid, dev_type) == 4, "SENSE ID layout");

/* Subchannel instructions: condition codes. */
int stsch(uint32_t schid, struct schib *schib);	/* 0 stored, 3 not operational */
int msch(uint32_t schid, struct schib *schib);	/* 0, 1 status pending, 2 busy, 3 */
int ssch(uint32_t schid, struct orb *orb);	/* 0 started, 1 status pending, 2 busy, 3 */
int tsch(uint32_t schid, struct irb *irb);	/* 0 IRB stored, 1 not status pending, 3 */
int hsch(uint32_t schid);			/* 0, 1 status pending, 2 busy, 3 */
int rsch(uint32_t schid);			/* 0, 1 status pending, 2 not applicable, 3 */
int csch(uint32_t schid);			/* 0, 3 */
struct fault stsch_safe(uint32_t schid, struct schib *schib, int *cc);
struct fault msch_safe(uint32_t schid, struct schib *schib, int *cc);
struct fault ssch_safe(uint32_t schid, struct orb *orb, int *cc);
struct fault tsch_safe(uint32_t schid, struct irb *irb, int *cc);

/* Channel-subsystem instructions. */
int stcrw(uint32_t *crw);		/* 0 CRW stored, 1 none pending: zeros stored */
int rchp(uint8_t chpid);		/* 0 reset started, 2 busy, 3 not operational */
void schm(uint64_t r1, uint64_t mbo);	/* r1: SCHM_* bits (and the MBK in bits 32-35) */
int chsc(void *block);			/* 0 complete, else busy or not operational */
struct fault stcrw_safe(uint32_t *crw, int *cc);
struct fault schm_safe(uint64_t r1, uint64_t mbo);
struct fault chsc_safe(void *block, int *cc);

/*
 * CHSC command code with a 16-byte request whose words 1 and 2 are p1 and
 * p2, in block (4K aligned, 4K long): its response, or NULL when the
 * instruction did not complete (condition code not 0).
 */
const struct chsc_header *chsc_cmd(void *block, uint16_t code, uint32_t p1, uint32_t p2);

/*
 * STSCH every subchannel of set 0: the number whose device number is
 * valid; the first max of their subsystem IDs go to schids.
 */
int css_enumerate(uint32_t *schids, int max);

/*
 * MSCH the subchannel enabled for I/O interruptions of class isc, with
 * intparm: 0, or the condition code of STSCH/MSCH that failed, or -1 when
 * STSCH afterwards does not show it enabled with that class.
 */
int css_enable(uint32_t schid, unsigned int isc, uint32_t intparm);
int css_disable(uint32_t schid);

/* I/O interruption code, from the lowcore at 0xb8. */
struct io_int {
	uint32_t schid;
	uint32_t intparm;
	uint32_t word;		/* identification word: A bit 0, ISC bits 2-4 */
};
#define IO_INT_ISC(word)	((word) >> 27 & 7)

#define CSS_TIMEOUT_US 1000000

void css_irq_init(unsigned int isc);
/* Take the next I/O interruption for schid: false on timeout. */
bool css_wait_io(uint32_t schid, uint64_t timeout_us, struct io_int *io);

/* Channel programs. */
static inline struct ccw1 ccw1(uint8_t cmd, uint8_t flags, uint16_t count, uint32_t cda)
{
	return (struct ccw1){ .cmd = cmd, .flags = flags, .count = count, .cda = cda };
}
/* A CCW whose data is buf in the 31-bit pool. */
struct ccw1 ccw_data(uint8_t cmd, uint8_t flags, const void *buf, uint16_t count);
/* TIC to target (in the 31-bit pool). */
struct ccw1 ccw_tic(const struct ccw1 *target);
/* Format-1 CCWs from cpa on every logical path; ctrl adds ORB_* bits. */
void orb_init(struct orb *orb, uint32_t intparm, const struct ccw1 *cpa, uint16_t ctrl);

/*
 * IDAW lists for a buffer contiguous in memory: the first IDAW is its
 * address, each further one the start of the next 2K or 4K block.
 * Format-1 IDAWs are 31-bit words and always 2K; format-2 ones are 64-bit,
 * 2K with ORB_IDAW_2K, else 4K.  Return the number of IDAWs written, or 0
 * when max is too small (or, for format 1, the buffer ends above 2 GiB).
 */
enum idaw_fmt { IDAW_FMT1, IDAW_FMT2_2K, IDAW_FMT2_4K };
unsigned int idaw_build(void *list, enum idaw_fmt fmt, const void *buf, size_t len,
			unsigned int max);
/* The ORB bits for IDAWs of that format. */
uint16_t idaw_orb_ctrl(enum idaw_fmt fmt);
/* IDAWs needed for len bytes at addr. */
unsigned int idaw_count(enum idaw_fmt fmt, uint64_t addr, size_t len);

/*
 * "FC start, SC pri sec pend, DS CE DE, SS PC, CPA 0x1238, count 0":
 * the SCSW for messages.
 */
const char *scsw_str(const struct scsw *s, char *buf, size_t size);
/* "S C, RSC chp, ERC init, RSID 0": the CRW for messages. */
const char *crw_str(uint32_t crw, char *buf, size_t size);
/* Sense bytes from the IRB's ECW when the SCSW says it holds them, else NULL. */
const uint8_t *irb_sense(const struct irb *irb);

#endif
