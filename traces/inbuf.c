// SPDX-License-Identifier: GPL-2.0-only
/* The readers' fixed-size input buffer over a file descriptor. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "trace_internal.h"

long zpb_inbuf_fill(struct zpb_inbuf *in, size_t want)
{
	if (want > ZPB_INBUF_SIZE)
		want = ZPB_INBUF_SIZE;
	while (in->end - in->pos < want && !in->eof) {
		ssize_t n;

		/* Slide the unread tail to the front so the buffer never grows. */
		if (in->pos) {
			memmove(in->buf, in->buf + in->pos, in->end - in->pos);
			in->base += in->pos;
			in->end -= in->pos;
			in->pos = 0;
		}
		n = read(in->fd, in->buf + in->end, ZPB_INBUF_SIZE - in->end);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			in->error = errno;
			return -1;
		}
		if (n == 0)
			in->eof = true;
		in->end += (size_t)n;
	}
	return (long)(in->end - in->pos);
}

int zpb_inbuf_seek(struct zpb_inbuf *in, uint64_t off)
{
	if (lseek(in->fd, (off_t)off, SEEK_SET) < 0) {
		in->error = errno;
		return -1;
	}
	in->base = off;
	in->pos = in->end = 0;
	in->eof = false;
	in->error = 0;
	return 0;
}
