// SPDX-License-Identifier: GPL-2.0-only
/*
 * Callgrind instruction counts: the per-op-type wrappers the child runs ops
 * through, running a child under valgrind, and reading its output back.
 * The mechanism is described in callgrind.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "../util/json_writer.h"
#include "callgrind.h"
#include "config.h"

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define HAVE_CALLGRIND_H 1
#endif
#endif

#ifdef HAVE_CALLGRIND_H
#define TOGGLE() CALLGRIND_TOGGLE_COLLECT
#else
#define TOGGLE() do { } while (0)
#endif

/*
 * The wrappers must stay separate functions with these names: callgrind
 * attributes costs to them by name. noipa keeps gcc from inlining, cloning
 * or specialising them for a known @fn.
 */
#if defined(__clang__)
#define WRAPPER __attribute__((noinline, used))
#else
#define WRAPPER __attribute__((noipa, used))
#endif

#define DEFINE_WRAPPER(type)						\
	WRAPPER int zpb_cg_op_##type(zpb_cg_fn fn, void *arg);		\
	WRAPPER int zpb_cg_op_##type(zpb_cg_fn fn, void *arg)		\
	{								\
		int ret;						\
									\
		TOGGLE();						\
		ret = fn(arg);						\
		TOGGLE();						\
		return ret;						\
	}

DEFINE_WRAPPER(store)
DEFINE_WRAPPER(load)
DEFINE_WRAPPER(invalidate)
DEFINE_WRAPPER(writeback)
DEFINE_WRAPPER(compact)
DEFINE_WRAPPER(mark)

/* Wrapper name -> op type, for the parser; and the results' keys. */
static const struct {
	const char *fn;
	const char *key;
} op_names[ZPB_CG_OPS] = {
	[ZPB_OP_STORE] = { "zpb_cg_op_store", "store" },
	[ZPB_OP_LOAD] = { "zpb_cg_op_load", "load" },
	[ZPB_OP_INVALIDATE] = { "zpb_cg_op_invalidate", "invalidate" },
	[ZPB_OP_WRITEBACK] = { "zpb_cg_op_writeback", "writeback" },
	[ZPB_OP_COMPACT] = { "zpb_cg_op_compact", "compact" },
	[ZPB_OP_MARK] = { "zpb_cg_op_mark", "mark" },
};

int zpb_callgrind_op(unsigned int op, zpb_cg_fn fn, void *arg)
{
	switch (op) {
	case ZPB_OP_STORE: return zpb_cg_op_store(fn, arg);
	case ZPB_OP_LOAD: return zpb_cg_op_load(fn, arg);
	case ZPB_OP_INVALIDATE: return zpb_cg_op_invalidate(fn, arg);
	case ZPB_OP_WRITEBACK: return zpb_cg_op_writeback(fn, arg);
	case ZPB_OP_COMPACT: return zpb_cg_op_compact(fn, arg);
	case ZPB_OP_MARK: return zpb_cg_op_mark(fn, arg);
	default: return fn(arg);	/* not an op type: not counted */
	}
}

bool zpb_callgrind_in_child(void)
{
#ifdef HAVE_CALLGRIND_H
	return RUNNING_ON_VALGRIND;
#else
	return false;
#endif
}

/* @name found in PATH, into @out. */
static bool find_in_path(const char *name, char *out, size_t len)
{
	const char *path = getenv("PATH");
	const char *p;

	if (!path)
		path = "/usr/bin:/bin";
	for (p = path; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(out, len, "%.*s/%s", (int)n, p, name);
		if (n && access(out, X_OK) == 0)
			return true;
		p += n;
		if (*p == ':')
			p++;
	}
	return false;
}

bool zpb_callgrind_available(char *why, size_t len)
{
	char vg[4096];

#ifndef HAVE_CALLGRIND_H
	snprintf(why, len, "zpoolbench was built without valgrind/callgrind.h "
		 "(apt-get install valgrind, then ./configure and rebuild)");
	return false;
#endif
	if (ZPB_SANITIZE[0]) {
		snprintf(why, len, "this is a sanitizer build (%s), which valgrind cannot run; "
			 "use a build configured without --sanitize", ZPB_SANITIZE);
		return false;
	}
	if (!find_in_path("valgrind", vg, sizeof(vg))) {
		snprintf(why, len, "valgrind is not in PATH (apt-get install valgrind)");
		return false;
	}
	return true;
}

double zpb_callgrind_per_op(const struct zpb_cg_result *res, unsigned int op)
{
	if (op >= ZPB_CG_OPS || !res->ops[op])
		return 0;
	return (double)res->ir[op] / (double)res->ops[op];
}

/* The op type whose wrapper @name is, or 0. */
static unsigned int wrapper_op(const char *name)
{
	unsigned int i;

	for (i = 1; i < ZPB_CG_OPS; i++)
		if (op_names[i].fn && !strcmp(name, op_names[i].fn))
			return i;
	return 0;
}

/*
 * The callgrind format (docs: valgrind's callgrind-format): "fn=NAME" starts
 * a function's block; in it, "calls=COUNT TARGET" is followed by one cost
 * line "POSITION INCLUSIVE-COST..." for that call. The first event is Ir.
 */
int zpb_callgrind_parse(const char *path, struct zpb_cg_result *res, char *err, size_t errlen)
{
	char line[8192];
	unsigned int cur = 0, lineno = 0;
	bool pending_call = false, seen_events = false;
	uint64_t pending_count = 0;
	FILE *f;

	memset(res, 0, sizeof(*res));
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "callgrind: cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\n")] = 0;
		if (!strncmp(line, "events:", 7)) {
			/* Ir must be the first event: it is by default, and we pass no --collect options that change it. */
			if (strncmp(line + 7 + strspn(line + 7, " "), "Ir", 2)) {
				snprintf(err, errlen, "callgrind: %s:%u: first event is not Ir: '%s'", path, lineno, line);
				fclose(f);
				return -1;
			}
			seen_events = true;
		} else if (!strncmp(line, "fn=", 3)) {
			if (line[3] == '(' && line[4] >= '0' && line[4] <= '9') {	/* "(below main)" is a name */
				snprintf(err, errlen, "callgrind: %s:%u: compressed names (run with --compress-strings=no)",
					 path, lineno);
				fclose(f);
				return -1;
			}
			cur = wrapper_op(line + 3);
			pending_call = false;
		} else if (!strncmp(line, "calls=", 6)) {
			char *end;

			pending_count = strtoull(line + 6, &end, 10);
			if (end == line + 6) {
				snprintf(err, errlen, "callgrind: %s:%u: bad calls line '%s'", path, lineno, line);
				fclose(f);
				return -1;
			}
			pending_call = true;
		} else if (pending_call && (line[0] >= '0' && line[0] <= '9')) {
			char *p, *end;
			uint64_t ir;

			/* position, then Ir */
			strtoull(line, &p, 10);
			ir = strtoull(p, &end, 10);
			if (end == p) {
				snprintf(err, errlen, "callgrind: %s:%u: call cost line without a cost: '%s'",
					 path, lineno, line);
				fclose(f);
				return -1;
			}
			if (cur) {
				res->ops[cur] += pending_count;
				res->ir[cur] += ir;
			}
			pending_call = false;
		} else if (line[0] == '+' || line[0] == '-' || line[0] == '*') {
			snprintf(err, errlen, "callgrind: %s:%u: compressed positions (run with --compress-pos=no)",
				 path, lineno);
			fclose(f);
			return -1;
		}
	}
	if (ferror(f)) {
		snprintf(err, errlen, "callgrind: error reading '%s'", path);
		fclose(f);
		return -1;
	}
	fclose(f);
	if (!seen_events) {
		snprintf(err, errlen, "callgrind: '%s' is not a callgrind output file (no events: line)", path);
		return -1;
	}
	return 0;
}

/* The last non-empty line of @path into @out ("" if none). */
static void last_line(const char *path, char *out, size_t len)
{
	char line[512];
	FILE *f = fopen(path, "r");

	out[0] = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0])
			snprintf(out, len, "%s", line);
	}
	fclose(f);
}

#define CG_FIXED_ARGS 7

int zpb_callgrind_run(char *const argv[], struct zpb_cg_result *res, char *err, size_t errlen)
{
	const char *tmpdir = getenv("TMPDIR");
	char outpath[4096], logpath[4096], outopt[4200], vg[4096], why[256], tail[512];
	char **args;
	int n, i, fd, logfd, status, ret = -1, any = 0;
	pid_t pid;

	if (!zpb_callgrind_available(why, sizeof(why))) {
		snprintf(err, errlen, "--instructions callgrind: %s", why);
		return -1;
	}
	find_in_path("valgrind", vg, sizeof(vg));
	if (!tmpdir || !*tmpdir)
		tmpdir = "/tmp";
	snprintf(outpath, sizeof(outpath), "%s/zpb-callgrind.XXXXXX", tmpdir);
	snprintf(logpath, sizeof(logpath), "%s/zpb-callgrind-log.XXXXXX", tmpdir);
	fd = mkstemp(outpath);
	if (fd < 0) {
		snprintf(err, errlen, "callgrind: cannot create a temporary file in %s: %s", tmpdir, strerror(errno));
		return -1;
	}
	close(fd);
	logfd = mkstemp(logpath);
	if (logfd < 0) {
		snprintf(err, errlen, "callgrind: cannot create a temporary file in %s: %s", tmpdir, strerror(errno));
		unlink(outpath);
		return -1;
	}
	for (n = 0; argv[n]; n++)
		;
	args = calloc((size_t)n + CG_FIXED_ARGS + 1, sizeof(*args));
	if (!args) {
		snprintf(err, errlen, "callgrind: out of memory");
		goto out;
	}
	snprintf(outopt, sizeof(outopt), "--callgrind-out-file=%s", outpath);
	args[0] = vg;
	args[1] = "--tool=callgrind";
	args[2] = "-q";
	args[3] = "--collect-atstart=no";
	args[4] = "--compress-strings=no";
	args[5] = "--compress-pos=no";
	args[6] = outopt;
	for (i = 0; i < n; i++)
		args[CG_FIXED_ARGS + i] = argv[i];
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "callgrind: fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		dup2(logfd, 1);
		dup2(logfd, 2);
		execv(vg, args);
		dprintf(2, "cannot execute %s: %s\n", vg, strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			snprintf(err, errlen, "callgrind: waitpid: %s", strerror(errno));
			goto out;
		}
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		last_line(logpath, tail, sizeof(tail));
		snprintf(err, errlen, "callgrind: '%s ...' under valgrind %s %d%s%s", argv[0],
			 WIFEXITED(status) ? "exited with status" : "died of signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
			 tail[0] ? ": " : "", tail);
		goto out;
	}
	if (zpb_callgrind_parse(outpath, res, err, errlen))
		goto out;
	for (i = 1; i < ZPB_CG_OPS; i++)
		any |= res->ops[i] != 0;
	if (!any) {
		snprintf(err, errlen, "callgrind: the child '%s' ran no op through zpb_callgrind_op()", argv[0]);
		goto out;
	}
	ret = 0;
out:
	free(args);
	close(logfd);
	unlink(logpath);
	unlink(outpath);
	return ret;
}

void zpb_callgrind_write_json(struct zpb_jw *w, const struct zpb_cg_result *res)
{
	unsigned int i;

	zpb_jw_object_begin(w);
	for (i = 1; i < ZPB_CG_OPS; i++)
		if (res->ops[i])
			zpb_jw_kdouble(w, op_names[i].key, zpb_callgrind_per_op(res, i));
	zpb_jw_object_end(w);
}
