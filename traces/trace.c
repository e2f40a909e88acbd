// SPDX-License-Identifier: GPL-2.0-only
/*
 * What both trace forms share: op names, record and header checks, and the
 * reader object (opening with the form told apart by the magic, iteration,
 * rewinding, sticky errors).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "trace_internal.h"

static const char *const op_names[ZPB_OP_MAX + 1] = {
	[ZPB_OP_STORE] = "STORE",
	[ZPB_OP_LOAD] = "LOAD",
	[ZPB_OP_INVALIDATE] = "INVALIDATE",
	[ZPB_OP_WRITEBACK] = "WRITEBACK",
	[ZPB_OP_COMPACT] = "COMPACT",
	[ZPB_OP_MARK] = "MARK",
};

const char *zpb_op_name(enum zpb_op op)
{
	if ((unsigned int)op < ZPB_OP_STORE || (unsigned int)op > ZPB_OP_MAX)
		return NULL;
	return op_names[op];
}

int zpb_op_parse(const char *name)
{
	int op;

	for (op = ZPB_OP_STORE; op <= ZPB_OP_MAX; op++)
		if (!strcasecmp(name, op_names[op]))
			return op;
	return -1;
}

void zpb_trace_header_init(struct zpb_trace_header *hdr)
{
	memset(hdr, 0, sizeof(*hdr));
	hdr->version = ZPB_TRACE_VERSION;
	hdr->page_size = 4096;
	strcpy(hdr->compressor, "unknown");
}

/* Kernels build with 4 KiB to 256 KiB pages; 512 leaves room for tests. */
bool zpb_page_size_ok(uint64_t page_size)
{
	return page_size >= 512 && page_size <= 256 * 1024 && !(page_size & (page_size - 1));
}

bool zpb_word_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

bool zpb_line_ok(const char *s, size_t n)
{
	size_t i;

	/* Edge blanks would not survive the text form, which trims them. */
	if (n && (s[0] == ' ' || s[n - 1] == ' '))
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < ' ' || s[i] == 0x7f)
			return false;
	return true;
}

int zpb_record_check(const struct zpb_record *rec, uint32_t page_size, char *msg, size_t msglen)
{
	if (rec->op < ZPB_OP_STORE || rec->op > ZPB_OP_MAX) {
		snprintf(msg, msglen, "unknown op %u", rec->op);
		return -1;
	}
	if (rec->cpu > ZPB_TRACE_CPU_MAX) {
		snprintf(msg, msglen, "cpu %u out of range 0..%d", rec->cpu, ZPB_TRACE_CPU_MAX);
		return -1;
	}
	if (zpb_op_has_key(rec->op) && ZPB_KEY_TYPE(rec->key) > ZPB_KEY_TYPE_MAX) {
		snprintf(msg, msglen, "key 0x%llx out of range: swap type %u > %u",
			 (unsigned long long)rec->key, ZPB_KEY_TYPE(rec->key), ZPB_KEY_TYPE_MAX);
		return -1;
	}
	if (rec->op == ZPB_OP_STORE) {
		uint32_t min = (rec->flags & ZPB_STORE_SAME_FILLED) ? 0 : 1;

		if (rec->flags & ~ZPB_STORE_FLAGS_ALL) {
			snprintf(msg, msglen, "unknown STORE flags 0x%x", rec->flags & ~ZPB_STORE_FLAGS_ALL);
			return -1;
		}
		if ((rec->flags & ZPB_STORE_SEED) && (rec->flags & ZPB_STORE_PAGEREF)) {
			snprintf(msg, msglen, "STORE has both a content seed and a page reference");
			return -1;
		}
		if (rec->len < min || rec->len > page_size) {
			snprintf(msg, msglen, "STORE length %u out of range %u..%u (page size)",
				 rec->len, min, page_size);
			return -1;
		}
	}
	if (rec->op == ZPB_OP_MARK) {
		size_t n = strnlen(rec->label, sizeof(rec->label));

		if (n > ZPB_LABEL_MAX) {
			snprintf(msg, msglen, "MARK label longer than %d bytes", ZPB_LABEL_MAX);
			return -1;
		}
		if (!zpb_word_ok(rec->label, n)) {
			snprintf(msg, msglen, "MARK label holds a space or a non-printable byte");
			return -1;
		}
	}
	return 0;
}

int zpb_reader_fail(struct zpb_trace_reader *r, char *err, size_t errlen, const char *fmt, ...)
{
	char msg[200];
	char *full;
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* The record being read is the one after those returned. */
	if (r->form == ZPB_TRACE_BINARY)
		n = asprintf(&full, "%s: record %llu (byte %llu): %s", r->name,
			     (unsigned long long)r->pos + 1,
			     (unsigned long long)zpb_inbuf_offset(&r->in), msg);
	else
		n = asprintf(&full, "%s:%llu: record %llu: %s", r->name,
			     (unsigned long long)r->u.text.line,
			     (unsigned long long)r->pos + 1, msg);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", r->name, msg);
		return -1;
	}
	snprintf(err, errlen, "%s", full);
	if (!r->failed)
		r->failed = full;
	else
		free(full);
	return -1;
}

static struct zpb_trace_reader *reader_new(int fd, bool own, const char *name, char *err, size_t errlen)
{
	struct zpb_trace_reader *r = calloc(1, sizeof(*r));

	if (r) {
		r->name = strdup(name);
		r->in.buf = malloc(ZPB_INBUF_SIZE);
	}
	if (!r || !r->name || !r->in.buf) {
		snprintf(err, errlen, "%s: out of memory", name);
		if (r) {
			free(r->name);
			free(r->in.buf);
		}
		free(r);
		if (own)
			close(fd);
		return NULL;
	}
	r->fd = fd;
	r->own_fd = own;
	r->in.fd = fd;
	zpb_trace_header_init(&r->hdr);
	return r;
}

static struct zpb_trace_reader *open_common(struct zpb_trace_reader *r, char *err, size_t errlen)
{
	long n = zpb_inbuf_fill(&r->in, ZPB_BIN_MAGIC_LEN);
	int rc;

	if (n < 0) {
		snprintf(err, errlen, "%s: %s", r->name, strerror(r->in.error));
		zpb_trace_close(r);
		return NULL;
	}
	if (n == 0) {
		snprintf(err, errlen, "%s: empty file, not a trace", r->name);
		zpb_trace_close(r);
		return NULL;
	}
	if (n >= ZPB_BIN_MAGIC_LEN && !memcmp(r->in.buf, ZPB_BIN_MAGIC, ZPB_BIN_MAGIC_LEN)) {
		r->form = ZPB_TRACE_BINARY;
		rc = zpb_binary_open(r, err, errlen);
	} else {
		r->form = ZPB_TRACE_TEXT;
		rc = zpb_text_open(r, err, errlen);
	}
	if (rc) {
		zpb_trace_close(r);
		return NULL;
	}
	r->ops->reset(r);
	return r;
}

struct zpb_trace_reader *zpb_trace_open(const char *path, char *err, size_t errlen)
{
	struct zpb_trace_reader *r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	r = reader_new(fd, true, path, err, errlen);
	return r ? open_common(r, err, errlen) : NULL;
}

struct zpb_trace_reader *zpb_trace_open_fd(int fd, const char *name, char *err, size_t errlen)
{
	struct zpb_trace_reader *r = reader_new(fd, false, name, err, errlen);

	return r ? open_common(r, err, errlen) : NULL;
}

const struct zpb_trace_header *zpb_trace_header(const struct zpb_trace_reader *r)
{
	return &r->hdr;
}

enum zpb_trace_form zpb_trace_form(const struct zpb_trace_reader *r)
{
	return r->form;
}

void zpb_rec_expand(const struct zpb_rec *c, const char *label, struct zpb_record *rec)
{
	rec->time_ns = c->time_ns;
	rec->cpu = c->cpu;
	rec->op = c->op;
	rec->flags = c->flags;
	rec->len = c->len;
	rec->key = c->key;
	rec->content = c->content;
	if (c->op == ZPB_OP_MARK && label) {
		if (label != rec->label)
			snprintf(rec->label, sizeof(rec->label), "%s", label);
	} else
		rec->label[0] = '\0';
}

void zpb_rec_compact(const struct zpb_record *rec, struct zpb_rec *c)
{
	c->key = rec->key;
	c->time_ns = rec->time_ns;
	c->content = rec->content;
	c->len = rec->len;
	c->cpu = (uint16_t)rec->cpu;
	c->op = rec->op;
	c->flags = rec->flags;
}

int zpb_trace_next(struct zpb_trace_reader *r, struct zpb_record *rec, char *err, size_t errlen)
{
	int rc;

	if (r->failed) {
		snprintf(err, errlen, "%s", r->failed);
		return -1;
	}
	if (r->ops->batch) {
		struct zpb_rec c;

		rc = r->ops->batch(r, &c, 1, rec->label, err, errlen);
		if (rc == 1)
			zpb_rec_expand(&c, rec->label, rec);
		return rc;
	}
	rc = r->ops->next(r, rec, err, errlen);
	if (rc == 1)
		r->pos++;
	return rc;
}

int zpb_trace_next_batch(struct zpb_trace_reader *r, struct zpb_rec *out, int max, char *label,
			 char *err, size_t errlen)
{
	struct zpb_record rec;
	int n = 0, rc;

	if (r->failed) {
		snprintf(err, errlen, "%s", r->failed);
		return -1;
	}
	if (r->ops->batch)
		return r->ops->batch(r, out, max, label, err, errlen);
	while (n < max) {
		rc = r->ops->next(r, &rec, err, errlen);
		if (rc <= 0)
			return n ? n : rc;
		r->pos++;
		zpb_rec_compact(&rec, &out[n++]);
		if (rec.op == ZPB_OP_MARK) {
			memcpy(label, rec.label, sizeof(rec.label));
			break;
		}
	}
	return n;
}

uint64_t zpb_trace_position(const struct zpb_trace_reader *r)
{
	return r->pos;
}

int zpb_trace_rewind(struct zpb_trace_reader *r, char *err, size_t errlen)
{
	if (zpb_inbuf_seek(&r->in, r->data_start)) {
		snprintf(err, errlen, "%s: cannot rewind: %s", r->name, strerror(r->in.error));
		return -1;
	}
	free(r->failed);
	r->failed = NULL;
	r->pos = 0;
	r->ops->reset(r);
	return 0;
}

void zpb_trace_close(struct zpb_trace_reader *r)
{
	if (!r)
		return;
	if (r->own_fd)
		close(r->fd);
	free(r->failed);
	free(r->in.buf);
	free(r->name);
	free(r);
}
