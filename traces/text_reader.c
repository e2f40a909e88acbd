// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text trace reader: a header of '#' lines, then one record a line.
 * Lines are parsed in place in the bounded input buffer; a line longer
 * than ZPB_TEXT_LINE_MAX is an error, so memory stays bounded.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace_internal.h"

#define ZPB_TEXT_LINE_MAX 4096
#define MAX_TOKENS 12

/*
 * The next line, NUL-terminated in the buffer, without its newline or a
 * trailing CR. Returns 1, 0 at the end, -1 on error (@why set).
 */
static int get_line(struct zpb_trace_reader *r, char **line, size_t *len, const char **why)
{
	struct zpb_inbuf *in = &r->in;
	unsigned char *nl;
	size_t n;

	for (;;) {
		size_t avail = in->end - in->pos;

		nl = memchr(in->buf + in->pos, '\n', avail);
		if (nl || in->eof)
			break;
		if (avail > ZPB_TEXT_LINE_MAX) {
			r->u.text.line++;
			*why = "line longer than 4096 bytes";
			return -1;
		}
		if (zpb_inbuf_fill(in, avail + 1) < 0) {
			*why = strerror(in->error);
			return -1;
		}
	}
	if (!nl && in->pos == in->end)
		return 0;
	r->u.text.line++;
	n = nl ? (size_t)(nl - (in->buf + in->pos)) : in->end - in->pos;
	if (n > ZPB_TEXT_LINE_MAX) {
		*why = "line longer than 4096 bytes";
		return -1;
	}
	*line = (char *)in->buf + in->pos;
	if (memchr(*line, '\0', n)) {
		*why = "NUL byte in a text line (a damaged file, or not a trace)";
		return -1;
	}
	/* A last line without a newline ends at in->end: make room for its NUL. */
	if (!nl) {
		if (in->end == ZPB_INBUF_SIZE) {
			/*
			 * Cannot happen as inbuf_fill compacts before reading, but
			 * if it did, only the line is unread: slide it to the front.
			 */
			memmove(in->buf, in->buf + in->pos, n);
			in->base += in->pos;
			in->pos = 0;
			in->end = n;
			*line = (char *)in->buf;
		}
		in->end++;
	}
	in->pos += n + 1;
	if (n && (*line)[n - 1] == '\r')
		n--;
	(*line)[n] = '\0';
	*len = n;
	return 1;
}

static int tokenize(char *s, char **tok, int max)
{
	int n = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			return n;
		if (n == max)
			return max + 1;
		tok[n++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* Strict unsigned decimal: digits only, no sign, no overflow. */
static bool parse_u64(const char *s, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		unsigned int dgt = (unsigned int)(*s - '0');

		if (dgt > 9 || x > (UINT64_MAX - dgt) / 10)
			return false;
		x = x * 10 + dgt;
	}
	*v = x;
	return true;
}

/* "0x" and 1 to 16 hex digits. */
static bool parse_hex(const char *s, uint64_t *v)
{
	uint64_t x = 0;
	size_t n = 0;

	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return false;
	for (s += 2; *s; s++, n++) {
		int dgt;

		if (*s >= '0' && *s <= '9')
			dgt = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			dgt = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			dgt = *s - 'A' + 10;
		else
			return false;
		if (n == 16)
			return false;
		x = x << 4 | (uint64_t)dgt;
	}
	if (!n)
		return false;
	*v = x;
	return true;
}

static bool blank_or_comment(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return !*s || *s == '#';
}

static int text_next(struct zpb_trace_reader *r, struct zpb_record *rec, char *err, size_t errlen);

static void text_reset(struct zpb_trace_reader *r)
{
	r->u.text.line = r->u.text.data_line;
}

static const struct zpb_reader_ops text_ops = {
	.next = text_next,
	.reset = text_reset,
};

/* "# KEY VALUE" in the header block; unknown keys are comments. */
static int header_line(struct zpb_trace_reader *r, char *s, char *err, size_t errlen)
{
	static const char *const keys[] = { "page_size", "compressor", "source", "records" };
	char *key, *val, *e;
	uint64_t v;
	size_t i;

	s++;	/* the '#' */
	while (*s == ' ' || *s == '\t')
		s++;
	key = s;
	while (*s && *s != ' ' && *s != '\t')
		s++;
	if (*s)
		*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	val = s;
	e = val + strlen(val);
	while (e > val && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && strcmp(key, keys[i]); i++)
		;
	if (i < sizeof(keys) / sizeof(keys[0])) {
		/* Two values for one field: which one the writer meant is not ours to guess. */
		if (r->u.text.keys_seen & (1u << i)) {
			snprintf(err, errlen, "%s:%llu: a second '# %s' line (each header field is given once)",
				 r->name, (unsigned long long)r->u.text.line, key);
			return -1;
		}
		r->u.text.keys_seen |= 1u << i;
	}
	if (!strcmp(key, "page_size")) {
		if (!parse_u64(val, &v) || !zpb_page_size_ok(v))
			goto bad;
		r->hdr.page_size = (uint32_t)v;
	} else if (!strcmp(key, "compressor")) {
		if (!*val || strlen(val) >= ZPB_TRACE_TEXT_MAX || !zpb_word_ok(val, strlen(val)))
			goto bad;
		strcpy(r->hdr.compressor, val);
	} else if (!strcmp(key, "source")) {
		/* What the binary form can hold too: no control bytes (a tab included). */
		if (strlen(val) >= ZPB_TRACE_TEXT_MAX || !zpb_line_ok(val, strlen(val)))
			goto bad;
		strcpy(r->hdr.source, val);
	} else if (!strcmp(key, "records")) {
		if (!parse_u64(val, &v))
			goto bad;
		r->hdr.record_count = v;
		r->u.text.count_given = true;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s:%llu: bad header line '# %s %.40s'", r->name,
		 (unsigned long long)r->u.text.line, key, val);
	return -1;
}

int zpb_text_open(struct zpb_trace_reader *r, char *err, size_t errlen)
{
	const char *why = NULL;
	char *line, *tok[3];
	size_t len;
	uint64_t v, start;
	int rc;

	r->ops = &text_ops;
	rc = get_line(r, &line, &len, &why);
	if (rc < 0) {
		snprintf(err, errlen, "%s:1: %s", r->name, why);
		return -1;
	}
	if (rc == 0 || tokenize(line, tok, 3) != 3 || strcmp(tok[0], "#") ||
	    strcmp(tok[1], "zpoolbench-trace")) {
		snprintf(err, errlen, "%s: bad magic: neither a binary trace nor a text one "
			 "(which starts '# zpoolbench-trace VERSION')", r->name);
		return -1;
	}
	if (!parse_u64(tok[2], &v) || v != ZPB_TRACE_VERSION) {
		snprintf(err, errlen, "%s:1: unsupported trace version '%.20s' (this build reads version %d)",
			 r->name, tok[2], ZPB_TRACE_VERSION);
		return -1;
	}
	r->hdr.version = (uint32_t)v;
	/* The header is the block of '#' and blank lines before the first record. */
	for (;;) {
		start = zpb_inbuf_offset(&r->in);
		rc = get_line(r, &line, &len, &why);
		if (rc < 0) {
			snprintf(err, errlen, "%s:%llu: %s", r->name, (unsigned long long)r->u.text.line, why);
			return -1;
		}
		if (rc == 0)
			break;
		if (!blank_or_comment(line)) {
			/* Give the record line back: seek to it, so rewind is the same path. */
			r->u.text.line--;
			break;
		}
		if (line[strspn(line, " \t")] == '#' && header_line(r, line + strspn(line, " \t"), err, errlen))
			return -1;
	}
	r->data_start = start;
	r->u.text.data_line = r->u.text.line;
	if (zpb_inbuf_seek(&r->in, start)) {
		snprintf(err, errlen, "%s: cannot seek: %s", r->name, strerror(r->in.error));
		return -1;
	}
	return 0;
}

static int parse_key(const char *s, uint64_t *key)
{
	const char *colon = strchr(s, ':');
	char type[8];
	uint64_t t, off;

	if (!colon)
		return parse_hex(s, key) ? 0 : -1;
	if ((size_t)(colon - s) >= sizeof(type))
		return -1;
	memcpy(type, s, (size_t)(colon - s));
	type[colon - s] = '\0';
	if (!parse_u64(type, &t) || !parse_u64(colon + 1, &off))
		return -1;
	if (t > ZPB_KEY_TYPE_MAX || off > ZPB_KEY_OFFSET_MASK)
		return -2;
	*key = ZPB_KEY(t, off);
	return 0;
}

static int parse_flag(struct zpb_record *rec, const char *s)
{
	unsigned int f;
	uint64_t v = 0;

	if (!strcmp(s, "same"))
		f = ZPB_STORE_SAME_FILLED;
	else if (!strcmp(s, "incompressible"))
		f = ZPB_STORE_INCOMPRESSIBLE;
	else if (!strncmp(s, "seed=", 5) && parse_hex(s + 5, &v))
		f = ZPB_STORE_SEED;
	else if (!strncmp(s, "page=", 5) && parse_u64(s + 5, &v))
		f = ZPB_STORE_PAGEREF;
	else
		return -1;
	if (rec->flags & f)
		return -2;
	rec->flags |= (uint8_t)f;
	if (f & (ZPB_STORE_SEED | ZPB_STORE_PAGEREF))
		rec->content = v;
	return 0;
}

static int text_next(struct zpb_trace_reader *r, struct zpb_record *rec, char *err, size_t errlen)
{
	char *line, *tok[MAX_TOKENS];
	const char *why = NULL;
	size_t len;
	uint64_t v;
	int n, op, i, rc, first;
	char msg[160];

	do {
		rc = get_line(r, &line, &len, &why);
		if (rc < 0)
			return zpb_reader_fail(r, err, errlen, "%s", why);
		if (rc == 0) {
			if (r->u.text.count_given && r->pos != r->hdr.record_count)
				return zpb_reader_fail(r, err, errlen,
						       "truncated trace: the header promises %llu records, the file ends after %llu",
						       (unsigned long long)r->hdr.record_count,
						       (unsigned long long)r->pos);
			return 0;
		}
	} while (blank_or_comment(line));

	if (r->u.text.count_given && r->pos == r->hdr.record_count)
		return zpb_reader_fail(r, err, errlen, "more records than the header's %llu",
				       (unsigned long long)r->hdr.record_count);
	memset(rec, 0, sizeof(*rec));
	n = tokenize(line, tok, MAX_TOKENS);
	if (n > MAX_TOKENS)
		return zpb_reader_fail(r, err, errlen, "too many fields");
	if (n < 3)
		return zpb_reader_fail(r, err, errlen, "expected 'time_ns cpu OP ...', got %d field%s",
				       n, n == 1 ? "" : "s");
	if (!parse_u64(tok[0], &rec->time_ns))
		return zpb_reader_fail(r, err, errlen, "bad time '%.24s' (nanoseconds, decimal)", tok[0]);
	if (!parse_u64(tok[1], &v) || v > ZPB_TRACE_CPU_MAX)
		return zpb_reader_fail(r, err, errlen, "bad cpu '%.24s' (0..%d)", tok[1], ZPB_TRACE_CPU_MAX);
	rec->cpu = (uint32_t)v;
	op = zpb_op_parse(tok[2]);
	if (op < 0)
		return zpb_reader_fail(r, err, errlen, "unknown op '%.24s'", tok[2]);
	rec->op = (uint8_t)op;
	first = 3;
	if (zpb_op_has_key(op)) {
		if (n < 4)
			return zpb_reader_fail(r, err, errlen, "%s needs a key", tok[2]);
		rc = parse_key(tok[3], &rec->key);
		if (rc == -2)
			return zpb_reader_fail(r, err, errlen, "key '%.40s' out of range (type 0..%d, offset < 2^58)",
					       tok[3], ZPB_KEY_TYPE_MAX);
		if (rc)
			return zpb_reader_fail(r, err, errlen, "bad key '%.40s' (TYPE:OFFSET or 0xHEX)", tok[3]);
		first = 4;
	}
	if (op == ZPB_OP_STORE) {
		if (n < 5)
			return zpb_reader_fail(r, err, errlen, "STORE needs a length");
		if (!parse_u64(tok[4], &v) || v > r->hdr.page_size)
			return zpb_reader_fail(r, err, errlen, "STORE length '%.24s' out of range (page size %u)",
					       tok[4], r->hdr.page_size);
		rec->len = (uint32_t)v;
		for (i = 5; i < n; i++) {
			rc = parse_flag(rec, tok[i]);
			if (rc == -2)
				return zpb_reader_fail(r, err, errlen, "STORE flag '%.24s' given twice", tok[i]);
			if (rc)
				return zpb_reader_fail(r, err, errlen, "unknown STORE flag '%.24s'", tok[i]);
		}
		first = n;
	} else if (op == ZPB_OP_MARK && n > 3) {
		if (strlen(tok[3]) > ZPB_LABEL_MAX)
			return zpb_reader_fail(r, err, errlen, "MARK label longer than %d bytes", ZPB_LABEL_MAX);
		strcpy(rec->label, tok[3]);
		first = 4;
	}
	if (first < n)
		return zpb_reader_fail(r, err, errlen, "unexpected field '%.24s' after %s", tok[first], tok[2]);
	if (zpb_record_check(rec, r->hdr.page_size, msg, sizeof(msg)))
		return zpb_reader_fail(r, err, errlen, "%s", msg);
	return 1;
}
