// SPDX-License-Identifier: GPL-2.0-only
/*
 * The synth profiles. Sizes come from measured histograms (profile_data.c);
 * the rest is a model of a workload, chosen by hand and described in
 * docs/synth-profiles.md.
 */
#include <string.h>

#include "synth.h"

static const struct zpb_size_hist *const mixed_hists[] = {
	&zpb_hist_python_heap, &zpb_hist_binaries, &zpb_hist_text, NULL,
};
static const struct zpb_size_hist *const python_hists[] = { &zpb_hist_python_heap, NULL };
static const struct zpb_size_hist *const binaries_hists[] = { &zpb_hist_binaries, NULL };
static const struct zpb_size_hist *const text_hists[] = { &zpb_hist_text, NULL };

/* The default: a general desktop/server mix, four CPUs under memory pressure. */
static const struct zpb_synth_profile mixed = {
	.name = "mixed",
	.description = "heap, binary and text pages in equal parts; 64 MiB working set, "
		       "Zipf 0.9, 4 CPUs; fill, steady, drain",
	.hists = mixed_hists,
	.working_set = 16384,
	.zipf = 0.9,
	.threads = 4,
	.mean_gap_ns = 2000,
	.phases = {
		{ "fill", 0.3, 0.9, 0.7 },
		{ "steady", 0.5, 0.5, 0.8 },
		{ "drain", 0.2, 0.1, 0.5 },
	},
};

/* An interpreter's heap: a hot core, startup stores, exit frees. */
static const struct zpb_synth_profile python_heap = {
	.name = "python-heap",
	.description = "python3 heap pages; 32 MiB working set, Zipf 1.0, 2 CPUs; "
		       "startup, steady, exit",
	.hists = python_hists,
	.working_set = 8192,
	.zipf = 1.0,
	.threads = 2,
	.mean_gap_ns = 1500,
	.phases = {
		{ "startup", 0.2, 0.95, 0.5 },
		{ "steady", 0.6, 0.5, 0.9 },
		{ "exit", 0.2, 0.05, 0.2 },
	},
};

/* A parallel build: many short-lived processes, flat popularity, 8 CPUs. */
static const struct zpb_synth_profile binaries = {
	.name = "binaries",
	.description = "executable and library pages; 128 MiB working set, Zipf 0.6, 8 CPUs; "
		       "compile, link",
	.hists = binaries_hists,
	.working_set = 32768,
	.zipf = 0.6,
	.threads = 8,
	.mean_gap_ns = 1000,
	.phases = {
		{ "compile", 0.6, 0.7, 0.6 },
		{ "link", 0.4, 0.4, 0.8 },
	},
};

/* A single-threaded document cache: small, very skewed, mostly read back. */
static const struct zpb_synth_profile text = {
	.name = "text",
	.description = "plain-text pages; 16 MiB working set, Zipf 1.2, 1 CPU; load, query",
	.hists = text_hists,
	.working_set = 4096,
	.zipf = 1.2,
	.threads = 1,
	.mean_gap_ns = 4000,
	.phases = {
		{ "load", 0.5, 0.8, 0.7 },
		{ "query", 0.5, 0.3, 0.95 },
	},
};

static const struct zpb_synth_profile *const profiles[] = {
	&mixed, &python_heap, &binaries, &text, NULL,
};

const struct zpb_synth_profile *const *zpb_synth_profiles(void)
{
	return profiles;
}

const struct zpb_synth_profile *zpb_synth_profile_find(const char *name)
{
	int i;

	for (i = 0; profiles[i]; i++)
		if (!strcmp(profiles[i]->name, name))
			return profiles[i];
	return NULL;
}
