// SPDX-License-Identifier: GPL-2.0-only
/*
 * What both writers share: header checks, the output buffer, and the
 * atomic finish (count patched, then util/atomic_file's fsync and rename)
 * or abort (the temporary file removed, the target untouched). Records are
 * written with write(2) from our own buffer on the atomic file's
 * descriptor; its stdio stream is never written, only committed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "trace_internal.h"

static int check_header(const struct zpb_trace_header *hdr, const char *path, char *err, size_t errlen)
{
	size_t n = strnlen(hdr->compressor, ZPB_TRACE_TEXT_MAX);

	if (hdr->version != ZPB_TRACE_VERSION) {
		snprintf(err, errlen, "%s: cannot write trace version %u (this build writes %d)",
			 path, hdr->version, ZPB_TRACE_VERSION);
		return -1;
	}
	if (!zpb_page_size_ok(hdr->page_size)) {
		snprintf(err, errlen, "%s: page size %u is not a power of two in 512..262144", path, hdr->page_size);
		return -1;
	}
	if (n == 0 || n >= ZPB_TRACE_TEXT_MAX || !zpb_word_ok(hdr->compressor, n)) {
		snprintf(err, errlen, "%s: compressor name must be one word of printable ASCII", path);
		return -1;
	}
	n = strnlen(hdr->source, ZPB_TRACE_TEXT_MAX);
	if (n >= ZPB_TRACE_TEXT_MAX || !zpb_line_ok(hdr->source, n)) {
		snprintf(err, errlen, "%s: source must be one line without control bytes or edge blanks", path);
		return -1;
	}
	return 0;
}

static void writer_free(struct zpb_trace_writer *w)
{
	free(w->seen);
	free(w->bin);
	free(w->buf);
	free(w->path);
	free(w);
}

struct zpb_trace_writer *zpb_trace_writer_open(const char *path, enum zpb_trace_form form,
					       const struct zpb_trace_header *hdr,
					       char *err, size_t errlen)
{
	struct zpb_trace_writer *w;
	int rc;

	if (check_header(hdr, path, err, errlen))
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	w->fd = -1;
	w->form = form;
	w->hdr = *hdr;
	w->path = strdup(path);
	w->buf = malloc(ZPB_OUTBUF_SIZE);
	if (!w->path || !w->buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		writer_free(w);
		return NULL;
	}
	if (zpb_atomic_open(&w->af, path, err, errlen)) {
		writer_free(w);
		return NULL;
	}
	w->fd = fileno(w->af.f);
	rc = form == ZPB_TRACE_BINARY ? zpb_binary_writer_init(w, err, errlen)
				      : zpb_text_writer_init(w, err, errlen);
	if (rc) {
		zpb_trace_writer_abort(w);
		return NULL;
	}
	return w;
}

static int flush(struct zpb_trace_writer *w, char *err, size_t errlen)
{
	size_t done = 0;

	while (done < w->used) {
		ssize_t n = write(w->fd, w->buf + done, w->used - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			snprintf(err, errlen, "%s: write error: %s", w->path, n < 0 ? strerror(errno) : "short write");
			w->failed = true;
			return -1;
		}
		done += (size_t)n;
	}
	w->flushed += w->used;
	w->used = 0;
	return 0;
}

int zpb_writer_reserve(struct zpb_trace_writer *w, size_t n, char *err, size_t errlen)
{
	if (w->used + n <= ZPB_OUTBUF_SIZE)
		return 0;
	return flush(w, err, errlen);
}

int zpb_trace_write(struct zpb_trace_writer *w, const struct zpb_record *rec, char *err, size_t errlen)
{
	char msg[160];

	if (w->failed) {
		snprintf(err, errlen, "%s: an earlier write failed", w->path);
		return -1;
	}
	if (zpb_record_check(rec, w->hdr.page_size, msg, sizeof(msg))) {
		snprintf(err, errlen, "%s: record %llu: %s", w->path, (unsigned long long)w->count + 1, msg);
		return -1;
	}
	if (w->ops->write(w, rec, err, errlen))
		return -1;
	w->count++;
	return 0;
}

int zpb_trace_writer_finish(struct zpb_trace_writer *w, char *err, size_t errlen)
{
	if (w->failed) {
		snprintf(err, errlen, "%s: an earlier write failed; nothing written", w->path);
		goto fail;
	}
	if (flush(w, err, errlen) || w->ops->finish(w, err, errlen))
		goto fail;
	w->fd = -1;
	if (zpb_atomic_commit(&w->af, err, errlen)) {
		writer_free(w);
		return -1;
	}
	writer_free(w);
	return 0;
fail:
	zpb_trace_writer_abort(w);
	return -1;
}

void zpb_trace_writer_abort(struct zpb_trace_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0)
		zpb_atomic_abort(&w->af);
	writer_free(w);
}
