// SPDX-License-Identifier: GPL-2.0-only
/* Parsing and matching gate rules (format: gate/rules.h, docs/gate.md). */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/embed.h"
#include "rules.h"

extern const struct zpb_embedded zpb_gate_default_rules[];

#define MAX_RULES_BYTES (1 << 20)

/* "5%" -> 0.05. The sign is required so "5" is never read as 500%. */
static int parse_percent(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	/* Written so that NaN fails too: a NaN limit would never judge a regression. */
	if (errno || end == s || strcmp(end, "%") || !(v >= 0 && v <= 1e6))
		return -1;
	*out = v / 100;
	return 0;
}

/* Keys as bits, to refuse one given twice or on a kind it means nothing for. */
enum {
	K_MAX = 1, K_MIN_EFFECT = 2, K_ALPHA = 4, K_ALLOW = 8, K_WHEN = 16, K_SUBJECT = 32,
	K_VARYING = 64, K_SEVERITY = 128,
};

static const char *const key_names[] = { "max", "min_effect", "alpha", "allow", "when", "subject",
					 "varying", "severity" };

static int parse_option(struct zpb_rule *r, char *opt, unsigned *seen, const char *name, unsigned line,
			char *err, size_t errlen)
{
	char *eq = strchr(opt, '='), *val, *end;
	unsigned k;

	if (!eq) {
		snprintf(err, errlen, "%s:%u: '%s' is not KEY=VALUE", name, line, opt);
		return -1;
	}
	*eq = 0;
	val = eq + 1;
	for (k = 0; k < sizeof(key_names) / sizeof(key_names[0]); k++)
		if (!strcmp(opt, key_names[k]))
			break;
	if (k == sizeof(key_names) / sizeof(key_names[0])) {
		snprintf(err, errlen, "%s:%u: unknown key '%s' (max, min_effect, alpha, allow, when, subject, "
			 "varying, severity)", name, line, opt);
		return -1;
	}
	if (*seen & (1u << k)) {
		snprintf(err, errlen, "%s:%u: %s= given twice", name, line, opt);
		return -1;
	}
	*seen |= 1u << k;
	switch (1u << k) {
	case K_MAX:
		if (parse_percent(val, &r->max_rel))
			goto bad;
		break;
	case K_MIN_EFFECT:
		if (parse_percent(val, &r->min_effect))
			goto bad;
		break;
	case K_ALPHA:
		errno = 0;
		r->alpha = strtod(val, &end);
		if (errno || end == val || *end || !(r->alpha > 0 && r->alpha < 1))
			goto bad;
		break;
	case K_ALLOW:
		if (strcmp(val, "better"))
			goto bad;
		r->allow_better = true;
		break;
	case K_WHEN:
		if (strcmp(val, "deterministic"))
			goto bad;
		r->deterministic_only = true;
		break;
	case K_SUBJECT:
		if (strlen(val) >= sizeof(r->subject))
			goto bad;
		strcpy(r->subject, val);
		break;
	case K_VARYING:
		if (!strcmp(val, "statistical"))
			r->varying = ZPB_VARYING_STATISTICAL;
		else if (!strcmp(val, "skip"))
			r->varying = ZPB_VARYING_SKIP;
		else
			goto bad;
		break;
	case K_SEVERITY:
		if (!strcmp(val, "warn"))
			r->warn_only = true;
		else if (strcmp(val, "fail"))
			goto bad;
		break;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s:%u: bad value '%s' for %s (max=P%%, min_effect=P%%, alpha in (0,1), "
		 "allow=better, when=deterministic, varying=statistical|skip, severity=warn|fail)", name, line,
		 val, opt);
	return -1;
}

/* Which keys each kind takes; the rest would be ignored, so they are errors. */
static int check_keys(const struct zpb_rule *r, unsigned seen, const char *name, unsigned line, char *err,
		      size_t errlen)
{
	unsigned allowed = K_SUBJECT | K_WHEN | K_SEVERITY, bad, k;

	switch (r->kind) {
	case ZPB_RULE_EXACT:
		allowed |= K_ALLOW | K_VARYING;
		break;
	case ZPB_RULE_THRESHOLD:
		allowed |= K_MAX | K_VARYING;
		if (!(seen & K_MAX)) {
			snprintf(err, errlen, "%s:%u: a threshold rule needs max=P%%", name, line);
			return -1;
		}
		break;
	case ZPB_RULE_STATISTICAL:
		allowed |= K_ALPHA | K_MIN_EFFECT;
		break;
	default:
		allowed = K_SUBJECT | K_WHEN;
		break;
	}
	if (r->varying == ZPB_VARYING_STATISTICAL)
		allowed |= K_ALPHA | K_MIN_EFFECT;
	bad = seen & ~allowed;
	if (!bad)
		return 0;
	for (k = 0; !(bad & (1u << k)); k++)
		;
	snprintf(err, errlen, "%s:%u: %s= means nothing on %s %s rule%s", name, line, key_names[k],
		 r->kind == ZPB_RULE_EXACT || r->kind == ZPB_RULE_IGNORE ? "an" : "a", zpb_rule_kind_name(r->kind),
		 (1u << k) == K_ALPHA || (1u << k) == K_MIN_EFFECT ? " (only statistical rules and varying=statistical "
		 "take it)" : "");
	return -1;
}

static int parse_line(struct zpb_rule *r, char *s, const char *name, unsigned line, char *err, size_t errlen)
{
	char *tok[16], *save = NULL, *t;
	unsigned seen = 0;
	int n = 0, i;

	for (t = strtok_r(s, " \t\r", &save); t; t = strtok_r(NULL, " \t\r", &save)) {
		if (n == 16) {
			snprintf(err, errlen, "%s:%u: too many fields", name, line);
			return -1;
		}
		tok[n++] = t;
	}
	if (n < 3) {
		snprintf(err, errlen, "%s:%u: expected METRIC KIND BETTER [KEY=VALUE]...", name, line);
		return -1;
	}
	memset(r, 0, sizeof(*r));
	r->line = line;
	strcpy(r->subject, "*");
	r->alpha = 0.01;
	r->min_effect = 0.05;
	if (strlen(tok[0]) >= sizeof(r->pattern)) {
		snprintf(err, errlen, "%s:%u: metric pattern longer than %zu characters", name, line,
			 sizeof(r->pattern) - 1);
		return -1;
	}
	strcpy(r->pattern, tok[0]);
	if (!strcmp(tok[1], "exact"))
		r->kind = ZPB_RULE_EXACT;
	else if (!strcmp(tok[1], "threshold"))
		r->kind = ZPB_RULE_THRESHOLD;
	else if (!strcmp(tok[1], "statistical"))
		r->kind = ZPB_RULE_STATISTICAL;
	else if (!strcmp(tok[1], "ignore"))
		r->kind = ZPB_RULE_IGNORE;
	else {
		snprintf(err, errlen, "%s:%u: unknown kind '%s' (exact, threshold, statistical, ignore)",
			 name, line, tok[1]);
		return -1;
	}
	if (!strcmp(tok[2], "lower"))
		r->better = ZPB_BETTER_LOWER;
	else if (!strcmp(tok[2], "higher"))
		r->better = ZPB_BETTER_HIGHER;
	else if (!strcmp(tok[2], "none"))
		r->better = ZPB_BETTER_NONE;
	else {
		snprintf(err, errlen, "%s:%u: unknown direction '%s' (lower, higher, none)", name, line, tok[2]);
		return -1;
	}
	for (i = 3; i < n; i++)
		if (parse_option(r, tok[i], &seen, name, line, err, errlen))
			return -1;
	if (check_keys(r, seen, name, line, err, errlen))
		return -1;
	/* Judged statistically when it varies: by default a move beyond max counts. */
	if (r->varying == ZPB_VARYING_STATISTICAL && !(seen & K_MIN_EFFECT))
		r->min_effect = r->kind == ZPB_RULE_THRESHOLD ? r->max_rel : 0;
	if (r->varying == ZPB_VARYING_STATISTICAL && r->better == ZPB_BETTER_NONE) {
		snprintf(err, errlen, "%s:%u: varying=statistical needs a direction (lower or higher)", name, line);
		return -1;
	}
	if (r->kind == ZPB_RULE_STATISTICAL && r->better == ZPB_BETTER_NONE) {
		snprintf(err, errlen, "%s:%u: a statistical rule needs a direction (lower or higher)", name, line);
		return -1;
	}
	return 0;
}

int zpb_rules_parse(const char *text, const char *name, struct zpb_rules *rules, char *err, size_t errlen)
{
	char *copy = strdup(text), *line, *next;
	unsigned lineno = 0;
	size_t cap = 0;

	memset(rules, 0, sizeof(*rules));
	snprintf(rules->source, sizeof(rules->source), "%s", name);
	if (!copy) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	for (line = copy; line; line = next) {
		char *hash;
		struct zpb_rule *r;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		if (!line[strspn(line, " \t\r")])
			continue;
		if (rules->n == cap) {
			cap = cap ? cap * 2 : 16;
			r = realloc(rules->r, cap * sizeof(*r));
			if (!r) {
				snprintf(err, errlen, "%s: out of memory", name);
				goto fail;
			}
			rules->r = r;
		}
		if (parse_line(&rules->r[rules->n], line, name, lineno, err, errlen))
			goto fail;
		rules->n++;
	}
	free(copy);
	return 0;
fail:
	free(copy);
	zpb_rules_free(rules);
	return -1;
}

int zpb_rules_load(const char *path, struct zpb_rules *rules, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;
	int rc;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(MAX_RULES_BYTES + 1);
	if (!buf) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	n = fread(buf, 1, MAX_RULES_BYTES + 1, f);
	if (ferror(f) || n > MAX_RULES_BYTES) {
		snprintf(err, errlen, "%s: %s", path, ferror(f) ? "read error" : "larger than 1 MiB");
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	buf[n] = 0;
	if (strlen(buf) != n) {
		snprintf(err, errlen, "%s: contains a NUL byte (not a text file?)", path);
		free(buf);
		return -1;
	}
	rc = zpb_rules_parse(buf, path, rules, err, errlen);
	free(buf);
	return rc;
}

int zpb_rules_default(struct zpb_rules *rules, char *err, size_t errlen)
{
	const struct zpb_embedded *e = zpb_embedded_find(zpb_gate_default_rules, "default-rules.txt");

	if (!e) {
		snprintf(err, errlen, "built-in default rules are missing (build problem)");
		return -1;
	}
	return zpb_rules_parse(e->text, "gate/default-rules.txt (built in)", rules, err, errlen);
}

void zpb_rules_free(struct zpb_rules *rules)
{
	free(rules->r);
	rules->r = NULL;
	rules->n = 0;
}

const struct zpb_rule *zpb_rules_match(const struct zpb_rules *rules, const char *subject, const char *metric,
				       bool deterministic)
{
	size_t i;

	for (i = 0; i < rules->n; i++)
		if ((deterministic || !rules->r[i].deterministic_only) && !fnmatch(rules->r[i].pattern, metric, 0) && !fnmatch(rules->r[i].subject, subject, 0))
			return &rules->r[i];
	return NULL;
}

const char *zpb_rule_kind_name(enum zpb_rule_kind k)
{
	static const char *const names[] = { "exact", "threshold", "statistical", "ignore", "must be 0" };

	return names[k];
}

const char *zpb_better_name(enum zpb_better b)
{
	static const char *const names[] = { "lower", "higher", "none" };

	return names[b];
}
