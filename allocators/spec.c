// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocator specs: "name[:key=value]...". Options are separated by ':' so
 * that a list of specs can be separated by ','.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/bug.h"
#include "zpool.h"

static int nopts(const struct zpool_driver *d)
{
	int n = 0;

	while (d->options && d->options[n].key)
		n++;
	return n;
}

static int parse_value(const struct zpb_option *o, const char *val, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (o->type == ZPB_OPT_BOOL) {
		if (!strcmp(val, "1") || !strcmp(val, "yes") || !strcmp(val, "true") || !strcmp(val, "on"))
			*out = 1;
		else if (!strcmp(val, "0") || !strcmp(val, "no") || !strcmp(val, "false") || !strcmp(val, "off"))
			*out = 0;
		else
			return -1;
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
	if (!*val || *val == '-')
		return -1;
	v = strtoul(val, &end, 0);
	if (*end || v < o->min || v > o->max)
		return -1;
	*out = v;
	return 0;
}

static void canonicalize(struct zpb_spec *spec)
{
	const struct zpool_driver *d = spec->driver;
	size_t len = snprintf(spec->text, sizeof(spec->text), "%s", d->type);
	int i;

	for (i = 0; i < nopts(d) && len < sizeof(spec->text); i++) {
		if (spec->values[i] == d->options[i].def)
			continue;
		if (d->options[i].type == ZPB_OPT_ENUM)
			len += snprintf(spec->text + len, sizeof(spec->text) - len, ":%s=%s",
					d->options[i].key, d->options[i].names[spec->values[i]]);
		else
			len += snprintf(spec->text + len, sizeof(spec->text) - len, ":%s=%lu",
					d->options[i].key, spec->values[i]);
	}
}

int zpb_spec_parse(const char *text, struct zpb_spec *spec, char *err, size_t errlen)
{
	char buf[ZPB_SPEC_LEN], *part, *save = NULL;
	const struct zpool_driver *d;
	int i, n;

	memset(spec, 0, sizeof(*spec));
	if (strlen(text) >= sizeof(buf)) {
		snprintf(err, errlen, "allocator spec '%.40s...' is too long", text);
		return -EINVAL;
	}
	strcpy(buf, text);
	part = strtok_r(buf, ":", &save);
	if (!part) {
		snprintf(err, errlen, "empty allocator spec");
		return -EINVAL;
	}
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
		spec->values[i] = d->options[i].def;
	while ((part = strtok_r(NULL, ":", &save))) {
		char *eq = strchr(part, '=');

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
				snprintf(err, errlen, "option '%s' of allocator '%s' needs a whole number from %lu to %lu in spec '%s'",
					 part, d->type, d->options[i].min, d->options[i].max, text);
			return -EINVAL;
		}
	}
	canonicalize(spec);
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
