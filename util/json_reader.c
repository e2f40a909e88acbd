// SPDX-License-Identifier: GPL-2.0-only
/*
 * The JSON reader: a recursive-descent parser into an arena. Recursion is
 * bounded by max_depth, so hostile nesting cannot exhaust the stack; the
 * input size is bounded by max_bytes. Members of the containers being
 * parsed wait on one shared stack and are copied into the arena when their
 * container closes, so an object costs one arena slice, not a realloc chain.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_reader.h"

struct arena_block {
	struct arena_block *next;
	size_t used, size;
	max_align_t data[];
};

/* The root is the first thing in its arena; the arena is freed with it. */
struct root {
	struct zpb_json value;
	struct arena_block *blocks;
};

struct parser {
	const char *s;
	size_t len, pos;
	unsigned line;
	size_t line_start;
	unsigned depth, max_depth;
	const char *name;
	char *err;
	size_t errlen;
	bool failed;
	struct arena_block *blocks;
	/* Members of open containers: values and (for objects) keys. */
	const struct zpb_json **stack;
	const char **kstack;
	size_t sp, scap;
};

static void *arena_alloc(struct parser *p, size_t n)
{
	struct arena_block *b = p->blocks;
	size_t align = sizeof(max_align_t);

	n = (n + align - 1) / align * align;
	if (!b || b->size - b->used < n) {
		size_t size = n > 60000 ? n : 60000;

		b = malloc(sizeof(*b) + size);
		if (!b)
			return NULL;
		b->size = size;
		b->used = 0;
		b->next = p->blocks;
		p->blocks = b;
	}
	b->used += n;
	return (char *)b->data + b->used - n;
}

/* Record the first error, at @line:@col. */
static void vfail(struct parser *p, unsigned line, unsigned col, const char *fmt, va_list ap)
{
	int n;

	if (p->failed)
		return;
	p->failed = true;
	if (!p->err || !p->errlen)
		return;
	n = snprintf(p->err, p->errlen, "%s:%u:%u: ", p->name, line, col);
	if (n < 0 || (size_t)n >= p->errlen)
		return;
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
}

static void fail_at(struct parser *p, size_t pos, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Record the first error with the position of byte @pos (on the current line). */
static void fail_at(struct parser *p, size_t pos, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, p->line, (unsigned)(pos - p->line_start + 1), fmt, ap);
	va_end(ap);
}

/* The same for a position known by line and column (a value already parsed). */
static void fail_line_col(struct parser *p, unsigned line, unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail_line_col(struct parser *p, unsigned line, unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, line, col, fmt, ap);
	va_end(ap);
}

static void oom(struct parser *p)
{
	fail_at(p, p->pos, "out of memory");
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];

		if (c == '\n') {
			p->line++;
			p->line_start = p->pos + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		p->pos++;
	}
}

/* A printable description of the byte at @pos for error messages. */
static const char *describe(struct parser *p, size_t pos, char buf[16])
{
	unsigned char c;

	if (pos >= p->len)
		return "end of input";
	c = (unsigned char)p->s[pos];
	if (c >= 0x20 && c < 0x7f)
		snprintf(buf, 16, "'%c'", c);
	else
		snprintf(buf, 16, "byte 0x%02x", c);
	return buf;
}

static struct zpb_json *new_value(struct parser *p, enum zpb_json_type t, size_t at)
{
	struct zpb_json *v = arena_alloc(p, sizeof(*v));

	if (!v) {
		oom(p);
		return NULL;
	}
	memset(v, 0, sizeof(*v));
	v->type = t;
	v->line = p->line;
	v->col = (unsigned)(at - p->line_start + 1);
	return v;
}

static bool push(struct parser *p, const struct zpb_json *v, const char *key)
{
	if (p->sp == p->scap) {
		size_t cap = p->scap ? p->scap * 2 : 256;
		const struct zpb_json **s = realloc(p->stack, cap * sizeof(*s));
		const char **k;

		if (!s)
			return false;
		p->stack = s;
		k = realloc(p->kstack, cap * sizeof(*k));
		if (!k)
			return false;
		p->kstack = k;
		p->scap = cap;
	}
	p->stack[p->sp] = v;
	p->kstack[p->sp] = key;
	p->sp++;
	return true;
}

/* Length of the UTF-8 sequence at s[0..n), or 0 when it is not valid UTF-8. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates and values past U+10FFFF are not UTF-8. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int hex4(struct parser *p, size_t at, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (p->len - at < 4) {
		fail_at(p, at, "\\u needs four hex digits");
		return -1;
	}
	for (i = 0; i < 4; i++) {
		char c = p->s[at + i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (uint32_t)(c - 'A' + 10);
		else {
			fail_at(p, at + i, "\\u needs four hex digits");
			return -1;
		}
	}
	*out = v;
	return 0;
}

/* Parse the string at p->pos (its opening quote) into the arena. */
static const char *parse_string(struct parser *p, size_t *lenp)
{
	size_t start = p->pos + 1, end = start, n = 0;
	char *out;

	/* Find the closing quote first: the decoded string is never longer. */
	while (end < p->len && p->s[end] != '"') {
		if (p->s[end] == '\\')
			end++;
		end++;
	}
	if (end >= p->len) {
		fail_at(p, p->pos, "unterminated string");
		return NULL;
	}
	out = arena_alloc(p, end - start + 1);
	if (!out) {
		oom(p);
		return NULL;
	}
	p->pos = start;
	while (p->pos < end) {
		unsigned char c = (unsigned char)p->s[p->pos];

		if (c < 0x20) {
			fail_at(p, p->pos, "control character (byte 0x%02x) in string: escape it", c);
			return NULL;
		}
		if (c != '\\') {
			size_t l = utf8_seq((const unsigned char *)p->s + p->pos, end - p->pos);

			if (!l) {
				fail_at(p, p->pos, "invalid UTF-8 in string");
				return NULL;
			}
			memcpy(out + n, p->s + p->pos, l);
			n += l;
			p->pos += l;
			continue;
		}
		c = (unsigned char)p->s[p->pos + 1];
		switch (c) {
		case '"': case '\\': case '/':
			out[n++] = (char)c;
			break;
		case 'b': out[n++] = '\b'; break;
		case 'f': out[n++] = '\f'; break;
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case 'u': {
			uint32_t cp, lo;

			if (hex4(p, p->pos + 2, &cp))
				return NULL;
			if (cp >= 0xdc00 && cp <= 0xdfff) {
				fail_at(p, p->pos, "lone low surrogate \\u%04x", cp);
				return NULL;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* A high surrogate must be followed by an escaped low one. */
				if (p->pos + 12 > end || p->s[p->pos + 6] != '\\' || p->s[p->pos + 7] != 'u' ||
				    hex4(p, p->pos + 8, &lo) || lo < 0xdc00 || lo > 0xdfff) {
					p->failed = false;
					fail_at(p, p->pos, "high surrogate \\u%04x without a low one", cp);
					return NULL;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p->pos += 6;
			}
			n += put_utf8(out + n, cp);
			p->pos += 4;
			break;
		}
		default:
			fail_at(p, p->pos, "unknown escape '\\%c'", c >= 0x20 && c < 0x7f ? c : '?');
			return NULL;
		}
		p->pos += 2;
	}
	out[n] = 0;
	p->pos = end + 1;
	*lenp = n;
	return out;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Check the RFC 8259 number grammar, then convert with strtod. */
static struct zpb_json *parse_number(struct parser *p)
{
	size_t start = p->pos, i = p->pos;
	char buf[128];
	struct zpb_json *v;
	double d;

	if (i < p->len && p->s[i] == '-')
		i++;
	if (i < p->len && p->s[i] == '0') {
		i++;
	} else if (i < p->len && is_digit(p->s[i])) {
		while (i < p->len && is_digit(p->s[i]))
			i++;
	} else {
		fail_at(p, i, "a digit must follow '-'");
		return NULL;
	}
	if (i < p->len && p->s[i] == '.') {
		i++;
		if (i >= p->len || !is_digit(p->s[i])) {
			fail_at(p, i, "a digit must follow the decimal point");
			return NULL;
		}
		while (i < p->len && is_digit(p->s[i]))
			i++;
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		i++;
		if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if (i >= p->len || !is_digit(p->s[i])) {
			fail_at(p, i, "a digit must follow the exponent");
			return NULL;
		}
		while (i < p->len && is_digit(p->s[i]))
			i++;
	}
	if (i < p->len && (is_digit(p->s[i]) || p->s[i] == '.')) {
		fail_at(p, i, "leading zeros are not allowed in numbers");
		return NULL;
	}
	if (i - start >= sizeof(buf)) {
		fail_at(p, start, "number longer than %zu characters", sizeof(buf) - 1);
		return NULL;
	}
	memcpy(buf, p->s + start, i - start);
	buf[i - start] = 0;
	errno = 0;
	d = strtod(buf, NULL);
	if (!isfinite(d)) {
		fail_at(p, start, "number %s is out of range", buf);
		return NULL;
	}
	v = new_value(p, ZPB_JSON_NUMBER, start);
	if (!v)
		return NULL;
	v->number = d;
	p->pos = i;
	return v;
}

static const struct zpb_json *parse_value(struct parser *p);

static const char *const *sort_keys;

static int cmp_key_index(const void *a, const void *b)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int c = strcmp(sort_keys[i], sort_keys[j]);

	return c ? c : (i > j) - (i < j);
}

/*
 * An object's members p->kstack[base..base+n): a repeated name is an error
 * at its second occurrence (RFC 8259 leaves duplicates to the reader; taking
 * the last one silently would let a hand-edited "complete" hide the real
 * one). Sorted copies keep a hostile object of a million keys O(n log n).
 */
static bool duplicate_key(struct parser *p, size_t base, size_t n)
{
	size_t i, *idx, dup = SIZE_MAX, first = 0;
	char name[96];

	if (n < 2)
		return false;
	if (n <= 16) {
		for (i = 1; i < n && dup == SIZE_MAX; i++) {
			size_t j;

			for (j = 0; j < i; j++)
				if (!strcmp(p->kstack[base + i], p->kstack[base + j])) {
					dup = i;
					first = j;
					break;
				}
		}
	} else {
		idx = malloc(n * sizeof(*idx));
		if (!idx) {
			oom(p);
			return true;
		}
		for (i = 0; i < n; i++)
			idx[i] = i;
		sort_keys = p->kstack + base;
		qsort(idx, n, sizeof(*idx), cmp_key_index);
		for (i = 1; i < n; i++)
			if (!strcmp(sort_keys[idx[i]], sort_keys[idx[i - 1]]) && (dup == SIZE_MAX || idx[i] < dup)) {
				dup = idx[i];
				first = idx[i - 1];
			}
		free(idx);
	}
	if (dup == SIZE_MAX)
		return false;
	zpb_json_printable(p->kstack[base + dup], name, sizeof(name));
	fail_line_col(p, p->stack[base + dup]->line, p->stack[base + dup]->col,
		      "duplicate member \"%s\" (its first value is at line %u, column %u)", name,
		      p->stack[base + first]->line, p->stack[base + first]->col);
	return true;
}

/* Copy the top @n stack entries into the arena as @v's members. */
static bool pop_members(struct parser *p, struct zpb_json *v, size_t base, bool keys)
{
	size_t n = p->sp - base;

	v->len = n;
	if (n) {
		const struct zpb_json **items = arena_alloc(p, n * sizeof(*items));

		if (!items)
			return false;
		memcpy(items, p->stack + base, n * sizeof(*items));
		v->items = items;
		if (keys) {
			const char **k;

			if (duplicate_key(p, base, n))
				return false;
			k = arena_alloc(p, n * sizeof(*k));

			if (!k)
				return false;
			memcpy(k, p->kstack + base, n * sizeof(*k));
			v->keys = k;
		}
	}
	p->sp = base;
	return true;
}

static const struct zpb_json *parse_container(struct parser *p, bool object)
{
	size_t base = p->sp;
	struct zpb_json *v = new_value(p, object ? ZPB_JSON_OBJECT : ZPB_JSON_ARRAY, p->pos);
	char b[16];
	char close = object ? '}' : ']';

	if (!v)
		return NULL;
	if (++p->depth > p->max_depth) {
		fail_at(p, p->pos, "nesting deeper than %u levels", p->max_depth);
		return NULL;
	}
	p->pos++;
	skip_ws(p);
	if (p->pos < p->len && p->s[p->pos] == close) {
		p->pos++;
		p->depth--;
		return v;
	}
	for (;;) {
		const struct zpb_json *item;
		const char *key = NULL;

		skip_ws(p);
		if (object) {
			size_t klen;

			if (p->pos >= p->len || p->s[p->pos] != '"') {
				fail_at(p, p->pos, "expected a member name (a string), found %s", describe(p, p->pos, b));
				return NULL;
			}
			key = parse_string(p, &klen);
			if (!key)
				return NULL;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ':') {
				char name[96];

				zpb_json_printable(key, name, sizeof(name));
				fail_at(p, p->pos, "expected ':' after member name \"%s\", found %s", name,
					describe(p, p->pos, b));
				return NULL;
			}
			p->pos++;
		}
		item = parse_value(p);
		if (!item)
			return NULL;
		if (!push(p, item, key)) {
			oom(p);
			return NULL;
		}
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == ',') {
			p->pos++;
			continue;
		}
		if (p->pos < p->len && p->s[p->pos] == close) {
			p->pos++;
			break;
		}
		if (p->pos >= p->len)
			fail_at(p, p->pos, "end of input inside the %s opened at line %u, column %u",
				object ? "object" : "array", v->line, v->col);
		else
			fail_at(p, p->pos, "expected ',' or '%c', found %s", close, describe(p, p->pos, b));
		return NULL;
	}
	if (!pop_members(p, v, base, object)) {
		oom(p);	/* no-op when a duplicate key already failed */
		return NULL;
	}
	p->depth--;
	return v;
}

static bool literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	return p->len - p->pos >= n && !memcmp(p->s + p->pos, word, n);
}

static const struct zpb_json *parse_value(struct parser *p)
{
	struct zpb_json *v;
	char b[16];

	skip_ws(p);
	if (p->pos >= p->len) {
		fail_at(p, p->pos, "expected a value, found end of input");
		return NULL;
	}
	switch (p->s[p->pos]) {
	case '{':
		return parse_container(p, true);
	case '[':
		return parse_container(p, false);
	case '"': {
		size_t at = p->pos, len;
		const char *s;

		v = new_value(p, ZPB_JSON_STRING, at);
		if (!v)
			return NULL;
		s = parse_string(p, &len);
		if (!s)
			return NULL;
		v->string = s;
		v->len = len;
		return v;
	}
	case 't': case 'f': case 'n':
		if (literal(p, "true") || literal(p, "false")) {
			v = new_value(p, ZPB_JSON_BOOL, p->pos);
			if (!v)
				return NULL;
			v->boolean = p->s[p->pos] == 't';
			p->pos += v->boolean ? 4 : 5;
			return v;
		}
		if (literal(p, "null")) {
			v = new_value(p, ZPB_JSON_NULL, p->pos);
			p->pos += 4;
			return v;
		}
		break;
	default:
		if (p->s[p->pos] == '-' || is_digit(p->s[p->pos]))
			return parse_number(p);
		break;
	}
	fail_at(p, p->pos, "expected a value, found %s", describe(p, p->pos, b));
	return NULL;
}

static void free_blocks(struct arena_block *b)
{
	while (b) {
		struct arena_block *next = b->next;

		free(b);
		b = next;
	}
}

struct zpb_json *zpb_json_parse(const char *text, size_t len, const char *name,
				const struct zpb_json_limits *limits, char *err, size_t errlen)
{
	struct parser p = {
		.s = text, .len = len, .line = 1, .name = name ? name : "<input>",
		.err = err, .errlen = errlen,
		.max_depth = limits && limits->max_depth ? limits->max_depth : ZPB_JSON_DEFAULT_MAX_DEPTH,
	};
	size_t max_bytes = limits && limits->max_bytes ? limits->max_bytes : ZPB_JSON_DEFAULT_MAX_BYTES;
	struct root *root;
	const struct zpb_json *v = NULL;
	char b[16];

	if (err && errlen)
		err[0] = 0;
	if (len > max_bytes) {
		if (err && errlen)
			snprintf(err, errlen, "%s: %zu bytes is more than the limit of %zu", p.name, len, max_bytes);
		return NULL;
	}
	root = arena_alloc(&p, sizeof(*root));
	if (!root) {
		oom(&p);
		return NULL;
	}
	/* A UTF-8 byte order mark is tolerated (some editors add one). */
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		p.pos = p.line_start = 3;
	skip_ws(&p);
	if (p.pos >= p.len)
		fail_at(&p, p.pos, "empty document");
	else
		v = parse_value(&p);
	if (v) {
		skip_ws(&p);
		if (p.pos < p.len)
			fail_at(&p, p.pos, "unexpected %s after the document", describe(&p, p.pos, b));
	}
	free(p.stack);
	free(p.kstack);
	if (p.failed || !v) {
		free_blocks(p.blocks);
		return NULL;
	}
	root->value = *v;
	root->blocks = p.blocks;
	return &root->value;
}

struct zpb_json *zpb_json_load(const char *path, const struct zpb_json_limits *limits,
			       char *err, size_t errlen)
{
	size_t max_bytes = limits && limits->max_bytes ? limits->max_bytes : ZPB_JSON_DEFAULT_MAX_BYTES;
	struct zpb_json *root = NULL;
	struct stat st;
	size_t got = 0;
	char *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	if ((unsigned long long)st.st_size > max_bytes) {
		snprintf(err, errlen, "%s: %lld bytes is more than the limit of %zu", path,
			 (long long)st.st_size, max_bytes);
		close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		snprintf(err, errlen, "%s: out of memory", path);
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;	/* the file shrank: parse what is there, the parser reports truncation */
		got += (size_t)r;
	}
	root = zpb_json_parse(buf, got, path, limits, err, errlen);
out:
	free(buf);
	close(fd);
	return root;
}

void zpb_json_free(struct zpb_json *v)
{
	if (v)
		free_blocks(((struct root *)v)->blocks);
}

const struct zpb_json *zpb_json_get(const struct zpb_json *obj, const char *key)
{
	size_t i;

	if (!obj || obj->type != ZPB_JSON_OBJECT)
		return NULL;
	for (i = obj->len; i-- > 0;)
		if (!strcmp(obj->keys[i], key))
			return obj->items[i];
	return NULL;
}

const struct zpb_json *zpb_json_at(const struct zpb_json *arr, size_t i)
{
	if (!arr || arr->type != ZPB_JSON_ARRAY || i >= arr->len)
		return NULL;
	return arr->items[i];
}

double zpb_json_number(const struct zpb_json *v, double def)
{
	return v && v->type == ZPB_JSON_NUMBER ? v->number : def;
}

const char *zpb_json_str(const struct zpb_json *v, const char *def)
{
	return v && v->type == ZPB_JSON_STRING ? v->string : def;
}

bool zpb_json_bool(const struct zpb_json *v, bool def)
{
	return v && v->type == ZPB_JSON_BOOL ? v->boolean : def;
}

double zpb_json_get_number(const struct zpb_json *obj, const char *key, double def)
{
	return zpb_json_number(zpb_json_get(obj, key), def);
}

const char *zpb_json_get_str(const struct zpb_json *obj, const char *key, const char *def)
{
	return zpb_json_str(zpb_json_get(obj, key), def);
}

const char *zpb_json_type_name(enum zpb_json_type t)
{
	static const char *const names[] = { "null", "boolean", "number", "string", "array", "object" };

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

void zpb_json_printable(const char *s, char *buf, size_t len)
{
	size_t o = 0, safe = 0;	/* safe: the last escape boundary that leaves room for "..." */

	if (!len)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		size_t l;

		if (c == '\r' || c == '\n' || c == '\t')
			snprintf(esc, sizeof(esc), "\\%c", c == '\r' ? 'r' : c == '\n' ? 'n' : 't');
		else if (c < 0x20 || c == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		else
			esc[0] = (char)c, esc[1] = 0;
		l = strlen(esc);
		if (o + l + 1 > len) {
			o = safe;
			if (len >= 4)
				memcpy(buf + o, "...", 3), o += 3;
			break;
		}
		memcpy(buf + o, esc, l);
		o += l;
		if (o + 4 <= len)
			safe = o;
	}
	buf[o] = 0;
}
