// SPDX-License-Identifier: GPL-2.0-only
/* The text trace writer: the header block, then one line a record. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "trace_internal.h"

static int text_write(struct zpb_trace_writer *w, const struct zpb_record *rec, char *err, size_t errlen)
{
	int n;

	if (zpb_writer_reserve(w, ZPB_TRACE_LINE_MAX, err, errlen))
		return -1;
	n = zpb_trace_format_record(rec, (char *)w->buf + w->used, ZPB_TRACE_LINE_MAX);
	if (n < 0) {
		snprintf(err, errlen, "%s: record %llu does not format", w->path, (unsigned long long)w->count + 1);
		return -1;
	}
	w->used += (size_t)n;
	return 0;
}

static int text_finish(struct zpb_trace_writer *w, char *err, size_t errlen)
{
	char num[24];

	/* The header reserved 20 columns: a u64 always fits. */
	snprintf(num, sizeof(num), "%-20llu", (unsigned long long)w->count);
	if (pwrite(w->fd, num, 20, (off_t)w->count_off) != 20) {
		snprintf(err, errlen, "%s: cannot write the record count: %s", w->path, strerror(errno));
		return -1;
	}
	return 0;
}

static const struct zpb_writer_ops text_writer_ops = {
	.write = text_write,
	.finish = text_finish,
};

int zpb_text_writer_init(struct zpb_trace_writer *w, char *err, size_t errlen)
{
	struct zpb_trace_header h = w->hdr;
	const char *at;
	int n;

	w->ops = &text_writer_ops;
	h.record_count = 0;
	n = zpb_trace_format_header(&h, true, (char *)w->buf, ZPB_OUTBUF_SIZE - 1);
	if (n < 0) {
		snprintf(err, errlen, "%s: header does not format", w->path);
		return -1;
	}
	w->buf[n] = '\0';
	at = strstr((char *)w->buf, "\n# records ");
	w->count_off = (uint64_t)(at - (char *)w->buf) + strlen("\n# records ");
	w->used = (size_t)n;
	return 0;
}
