// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocator specs: "name[:key=value]...". Options are separated by ':' so
 * that a list of specs can be separated by ','.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/bug.h"
#include "plugin.h"
#include "zpool.h"

static int nopts(const struct zpool_driver *d)
{
	int n = 0;

	while (d->options && d->options[n].key)
		n++;
	return n;
}

/*
 * A value as the docs write it: a boolean is 0 or 1; a number is decimal
 * digits, no sign, no leading zero (C's "016" is 14 and "0x8" is 8: not
 * what a reader of the spec sees), no overflow, within the option's range.
 */
static int parse_value(const struct zpb_option *o, const char *val, unsigned long *out)
{
	unsigned long v = 0;
	const char *p;

	if (o->type == ZPB_OPT_BOOL) {
		if ((val[0] != '0' && val[0] != '1') || val[1])
			return -1;
		*out = (unsigned long)(val[0] - '0');
		return 0;
	}
	if (o->type == ZPB_OPT_ENUM) {
		for (v = 0; o->names[v]; v++)
			if (!strcmp(val, o->names[v])) {
				*out = v;
				return 0;
			}
		return -1;
	}
	if (!*val || (val[0] == '0' && val[1]))
		return -1;
	for (p = val; *p; p++) {
		if (*p < '0' || *p > '9' || v > (ULONG_MAX - (unsigned long)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < o->min || v > o->max)
		return -1;
	*out = v;
	return 0;
}

/* @name: the driver's type, or a plugin's path as the spec gave it (so that the text parses again). */
static void canonicalize(struct zpb_spec *spec, const char *name)
{
	const struct zpool_driver *d = spec->driver;
	size_t len = snprintf(spec->text, sizeof(spec->text), "%s", name);
	int i;

	for (i = 0; i < nopts(d) && len < sizeof(spec->text); i++) {
		if (spec->values[i] == zpb_option_default(&d->options[i]))
			continue;
		if (d->options[i].type == ZPB_OPT_ENUM)
			len += snprintf(spec->text + len, sizeof(spec->text) - len, ":%s=%s",
					d->options[i].key, d->options[i].names[spec->values[i]]);
		else
			len += snprintf(spec->text + len, sizeof(spec->text) - len, ":%s=%lu",
					d->options[i].key, spec->values[i]);
	}
}

/* A spec is printable ASCII: any other byte is named, not echoed (a newline would split the message). */
static int bad_byte(const char *text, char *err, size_t errlen)
{
	int i;

	for (i = 0; text[i]; i++)
		if ((unsigned char)text[i] < ' ' || (unsigned char)text[i] > '~') {
			snprintf(err, errlen, "allocator spec has a control or non-ASCII byte 0x%02x at offset %d",
				 (unsigned char)text[i], i);
			return -1;
		}
	return 0;
}

int zpb_spec_parse(const char *text, struct zpb_spec *spec, char *err, size_t errlen)
{
	char buf[ZPB_SPEC_LEN], *part, *next, *name;
	bool given[ZPB_MAX_OPTIONS] = { false };
	const struct zpool_driver *d;
	int i, n;

	memset(spec, 0, sizeof(*spec));
	if (bad_byte(text, err, errlen))
		return -EINVAL;
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "allocator spec '%.40s...' is too long", text);
		return -EINVAL;
	}
	strcpy(buf, text);
	next = strchr(buf, ':');
	if (next)
		*next++ = '\0';
	part = buf;
	if (!*part) {
		snprintf(err, errlen, "empty allocator name in spec '%s'", text);
		return -EINVAL;
	}
	name = part;
	if (zpb_plugin_name(part)) {
		/* "./libmine.so:key=value": a plugin (plugin.h); its loader says what is wrong. */
		d = zpb_plugin_load(part, err, errlen);
		if (!d)
			return -EINVAL;
	} else
		d = zpb_driver_find(part);
	if (!d) {
		size_t len = snprintf(err, errlen, "unknown allocator '%s' in spec '%s' (known:", part, text);
		const struct zpool_driver *const *all = zpb_drivers();

		for (i = 0; all[i] && len < errlen; i++)
			len += snprintf(err + len, errlen - len, " %s", all[i]->type);
		if (len < errlen)
			snprintf(err + len, errlen - len, ")");
		return -EINVAL;
	}
	spec->driver = d;
	n = nopts(d);
	BUG_ON(n > ZPB_MAX_OPTIONS);
	for (i = 0; i < n; i++)
		spec->values[i] = zpb_option_default(&d->options[i]);
	/* Options: "name:key=value:key=value"; a ':' always introduces one (so "name:" is an error). */
	while ((part = next)) {
		char *eq;

		next = strchr(part, ':');
		if (next)
			*next++ = '\0';
		if (!*part) {
			snprintf(err, errlen, "empty option in spec '%s' (a ':' must be followed by KEY=VALUE)", text);
			return -EINVAL;
		}
		eq = strchr(part, '=');
		if (eq)
			*eq = '\0';
		for (i = 0; i < n && strcmp(d->options[i].key, part); i++)
			;
		if (i == n) {
			size_t len = snprintf(err, errlen, "allocator '%s' has no option '%s' in spec '%s'",
					      d->type, part, text);
			if (n && len < errlen) {
				len += snprintf(err + len, errlen - len, " (options:");
				for (i = 0; i < n && len < errlen; i++)
					len += snprintf(err + len, errlen - len, " %s", d->options[i].key);
				if (len < errlen)
					snprintf(err + len, errlen - len, ")");
			} else if (len < errlen) {
				snprintf(err + len, errlen - len, " (it takes none)");
			}
			return -EINVAL;
		}
		if (given[i]) {
			snprintf(err, errlen, "option '%s' of allocator '%s' is given twice in spec '%s'",
				 part, d->type, text);
			return -EINVAL;
		}
		given[i] = true;
		if (!eq || parse_value(&d->options[i], eq + 1, &spec->values[i])) {
			if (d->options[i].type == ZPB_OPT_BOOL) {
				snprintf(err, errlen, "option '%s' of allocator '%s' needs a value of 0 or 1 in spec '%s'",
					 part, d->type, text);
			} else if (d->options[i].type == ZPB_OPT_ENUM) {
				const char *const *nm = d->options[i].names;
				size_t len = snprintf(err, errlen, "option '%s' of allocator '%s' needs one of",
						      part, d->type);

				for (; *nm && len < errlen; nm++)
					len += snprintf(err + len, errlen - len, " %s", *nm);
				if (len < errlen)
					snprintf(err + len, errlen - len, " in spec '%s'", text);
			} else
				snprintf(err, errlen, "option '%s' of allocator '%s' needs a decimal whole number from %lu to %lu in spec '%s'",
					 part, d->type, d->options[i].min, d->options[i].max, text);
			return -EINVAL;
		}
	}
	canonicalize(spec, name);
	return 0;
}

unsigned long zpb_spec_get(const struct zpb_spec *spec, const char *key)
{
	const struct zpool_driver *d = spec->driver;
	int i, n = nopts(d);

	for (i = 0; i < n; i++)
		if (!strcmp(d->options[i].key, key))
			return spec->values[i];
	zpb_bug(__FILE__, __LINE__, key);
}

int zpb_spec_parse_list(const char *text, struct zpb_spec *specs, int max, char *err, size_t errlen)
{
	const char *p = text;
	int n = 0;

	if (bad_byte(text, err, errlen))
		return -1;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char one[ZPB_SPEC_LEN];

		if (n == max) {
			snprintf(err, errlen, "too many allocator specs in '%s' (at most %d)", text, max);
			return -1;
		}
		if (len == 0 || len >= sizeof(one)) {
			snprintf(err, errlen, "allocator spec %d in '%s' is %s", n + 1, text,
				 len ? "too long" : "empty");
			return -1;
		}
		memcpy(one, p, len);
		one[len] = '\0';
		if (!strcmp(one, "all")) {
			/* Every allocator but the harness's own: scripts name no allocator. */
			const struct zpool_driver *const *d;

			for (d = zpb_drivers(); *d; d++) {
				if ((*d)->caps & ZPB_CAP_HARNESS)
					continue;
				if (n == max) {
					snprintf(err, errlen, "too many allocator specs in '%s' (at most %d)", text, max);
					return -1;
				}
				if (zpb_spec_parse((*d)->type, &specs[n], err, errlen))
					return -1;
				n++;
			}
		} else {
			if (zpb_spec_parse(one, &specs[n], err, errlen))
				return -1;
			n++;
		}
		if (!comma)
			return n;
		p = comma + 1;
	}
}

const char *zpb_caps_string(unsigned int caps, char *buf, size_t len)
{
	static const char *const names[] = {
		"evict", "compact", "movable", "spanning", "sleep-mapped", "bound", "harness", "no-data",
	};
	size_t used = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names) && used < len; i++)
		if (caps & (1u << i))
			used += snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i]);
	if (!used)
		snprintf(buf, len, "-");
	return buf;
}
