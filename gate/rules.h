/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gate rules: which metrics are compared, how, and which direction is
 * better. The format (docs/gate.md, gate/default-rules.txt) is one rule a
 * line, first match wins:
 *
 *   METRIC-GLOB  KIND  BETTER  [key=value]...
 *
 * KIND is exact, threshold, statistical or ignore; BETTER is lower, higher
 * or none. Keys: max=P% (threshold), alpha=A and min_effect=P%
 * (statistical), allow=better (exact), when=deterministic (exact,
 * threshold), subject=GLOB (allocator or benchmark name).
 */
#ifndef ZPB_GATE_RULES_H
#define ZPB_GATE_RULES_H

#include <stdbool.h>
#include <stddef.h>

enum zpb_rule_kind {
	ZPB_RULE_EXACT,
	ZPB_RULE_THRESHOLD,
	ZPB_RULE_STATISTICAL,
	ZPB_RULE_IGNORE,
};

enum zpb_better {
	ZPB_BETTER_LOWER,
	ZPB_BETTER_HIGHER,
	ZPB_BETTER_NONE,	/* any change is a change, neither better nor worse */
};

struct zpb_rule {
	char pattern[128];	/* metric name glob ('*' matches dots too) */
	char subject[128];	/* allocator/benchmark glob; "*" by default */
	enum zpb_rule_kind kind;
	enum zpb_better better;
	double max_rel;		/* threshold: largest allowed relative change for the worse */
	double alpha;		/* statistical: significance level (one-sided) */
	double min_effect;	/* statistical: smallest relative move of the median that counts */
	bool allow_better;	/* exact: a change for the better passes */
	bool deterministic_only;	/* applies only when both runs are --deterministic */
	unsigned line;		/* in the rules file */
};

struct zpb_rules {
	struct zpb_rule *r;
	size_t n;
	char source[256];	/* the file name, or "built-in defaults" */
};

/**
 * zpb_rules_parse() - parse rules text.
 * @name: used in messages ("FILE:LINE: ...")
 *
 * Return: 0, or -1 with a message naming the line in @err.
 */
int zpb_rules_parse(const char *text, const char *name, struct zpb_rules *rules, char *err, size_t errlen);
/* Read and parse a rules file. */
int zpb_rules_load(const char *path, struct zpb_rules *rules, char *err, size_t errlen);
/* The built-in defaults: gate/default-rules.txt, compiled in. */
int zpb_rules_default(struct zpb_rules *rules, char *err, size_t errlen);
void zpb_rules_free(struct zpb_rules *rules);

/*
 * The first rule matching @subject's @metric, or NULL. Rules marked
 * when=deterministic are passed over unless @deterministic, so a later
 * rule can say how to judge the same metric in ordinary runs.
 */
const struct zpb_rule *zpb_rules_match(const struct zpb_rules *rules, const char *subject, const char *metric,
				       bool deterministic);

const char *zpb_rule_kind_name(enum zpb_rule_kind k);
const char *zpb_better_name(enum zpb_better b);

#endif
