/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gate rules: which metrics are compared, how, and which direction is
 * better. The format (docs/gate.md, gate/default-rules.txt) is one rule a
 * line, first match wins:
 *
 *   METRIC-GLOB  KIND  BETTER  [key=value]...
 *
 * KIND is exact, threshold, statistical or ignore; BETTER is lower, higher
 * or none. Keys: max=P% (threshold, required), alpha=A and min_effect=P%
 * (statistical, or exact/threshold with varying=statistical),
 * allow=better (exact), when=deterministic, varying=statistical|skip
 * (exact, threshold: how to judge a figure whose repetitions differ),
 * severity=warn (a regression is reported, not failed), subject=GLOB
 * (allocator or benchmark name). Each key at most once, and only on the
 * kinds it means something for: anything else is an error naming file:line.
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
	ZPB_RULE_ZERO,		/* built in (compare.c): must be 0 on both sides */
};

/* How an exact or threshold rule judges a figure whose repetitions differ. */
enum zpb_varying {
	ZPB_VARYING_RULE,	/* as the rule says (the default: a spread is not expected) */
	ZPB_VARYING_STATISTICAL,	/* Mann-Whitney U, with min_effect defaulting to max */
	ZPB_VARYING_SKIP,	/* not judged, and the row says why */
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
	enum zpb_varying varying;
	bool warn_only;		/* severity=warn: a regression is a warning, not a failure */
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
