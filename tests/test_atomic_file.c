// SPDX-License-Identifier: GPL-2.0-only
/*
 * util/atomic_file: regular files replaced by rename, links written
 * through, FIFOs and descriptors streamed at commit (never replaced),
 * directories refused, stale temporaries swept, live ones removed by
 * zpb_atomic_remove_temps(). Everything happens in a temporary directory;
 * no /dev entry is touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../util/atomic_file.h"
#include "harness.h"

static char dir[64];

static const char *in_dir(const char *name)
{
	static char p[4][128];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void remove_dir(void)
{
	char cmd[128];

	if (!dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static void fresh_dir(void)
{
	if (dir[0])
		remove_dir();
	else
		atexit(remove_dir);
	snprintf(dir, sizeof(dir), "%s/zpb-atomic.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		abort();
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static const char *get(const char *path)
{
	static char buf[256];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return "(missing)";
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Entries in the directory whose names contain ".tmp.". */
static int temps(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	while (d && (e = readdir(d)))
		n += strstr(e->d_name, ".tmp.") != NULL;
	if (d)
		closedir(d);
	return n;
}

static int write_file(const char *path, const char *text, bool commit, char *err, size_t errlen)
{
	struct zpb_atomic_file af;

	if (zpb_atomic_open(&af, path, err, errlen))
		return -1;
	fputs(text, af.f);
	if (!commit) {
		zpb_atomic_abort(&af);
		return 0;
	}
	return zpb_atomic_commit(&af, err, errlen);
}

TEST(atomic_file_replaces_a_regular_file_and_an_abort_keeps_the_old_one)
{
	char err[256];
	struct stat st;

	fresh_dir();
	put(in_dir("out"), "old\n");
	REQUIRE(write_file(in_dir("out"), "aborted\n", false, err, sizeof(err)) == 0, "open: %s", err);
	CHECK(!strcmp(get(in_dir("out")), "old\n"), "abort: expected the old file, got '%s'", get(in_dir("out")));
	REQUIRE(write_file(in_dir("out"), "new\n", true, err, sizeof(err)) == 0, "commit: %s", err);
	CHECK(!strcmp(get(in_dir("out")), "new\n"), "commit: expected 'new', got '%s'", get(in_dir("out")));
	CHECK(lstat(in_dir("out"), &st) == 0 && S_ISREG(st.st_mode), "out is still a regular file");
	CHECK(temps() == 0, "no temporary left: %d", temps());
}

TEST(atomic_file_writes_through_a_symlink_chain_and_keeps_the_links)
{
	char err[256];
	struct stat st;

	fresh_dir();
	REQUIRE(mkdir(in_dir("sub"), 0777) == 0, "mkdir");
	put(in_dir("sub/target"), "old\n");
	/* out -> sub/hop (relative to out's directory), sub/hop -> target (relative to sub). */
	REQUIRE(symlink("sub/hop", in_dir("out")) == 0 && symlink("target", in_dir("sub/hop")) == 0, "symlink");
	REQUIRE(write_file(in_dir("out"), "through\n", true, err, sizeof(err)) == 0, "commit: %s", err);
	CHECK(lstat(in_dir("out"), &st) == 0 && S_ISLNK(st.st_mode), "out is still a symlink");
	CHECK(lstat(in_dir("sub/hop"), &st) == 0 && S_ISLNK(st.st_mode), "sub/hop is still a symlink");
	CHECK(!strcmp(get(in_dir("sub/target")), "through\n"), "target: expected 'through', got '%s'",
	      get(in_dir("sub/target")));
	CHECK(temps() == 0, "no temporary left beside the link: %d", temps());
}

TEST(atomic_file_creates_the_target_of_a_dangling_symlink)
{
	char err[256];
	struct stat st;

	fresh_dir();
	REQUIRE(symlink("new-target", in_dir("out")) == 0, "symlink");
	REQUIRE(write_file(in_dir("out"), "made\n", true, err, sizeof(err)) == 0, "commit: %s", err);
	CHECK(lstat(in_dir("out"), &st) == 0 && S_ISLNK(st.st_mode), "out is still a symlink");
	CHECK(!strcmp(get(in_dir("new-target")), "made\n"), "new-target: got '%s'", get(in_dir("new-target")));
}

TEST(atomic_file_refuses_a_symlink_loop_in_one_line)
{
	char err[256] = "";
	struct zpb_atomic_file af;

	fresh_dir();
	REQUIRE(symlink("b", in_dir("a")) == 0 && symlink("a", in_dir("b")) == 0, "symlink");
	CHECK(zpb_atomic_open(&af, in_dir("a"), err, sizeof(err)) != 0, "a link loop opened");
	CHECK(strstr(err, in_dir("a")) && !strchr(err, '\n'), "error names the file in one line: '%s'", err);
}

/* Read a FIFO to its end in a child, copying it to @copy. */
static pid_t fifo_reader(const char *fifo, const char *copy)
{
	pid_t pid = fork();

	if (pid == 0) {
		char buf[256];
		int in = open(fifo, O_RDONLY), out = open(copy, O_WRONLY | O_CREAT | O_TRUNC, 0666);
		ssize_t n;

		while (in >= 0 && out >= 0 && (n = read(in, buf, sizeof(buf))) > 0)
			if (write(out, buf, (size_t)n) != n)
				_exit(1);
		_exit(in < 0 || out < 0);
	}
	return pid;
}

TEST(atomic_file_writes_into_a_fifo_and_leaves_it_a_fifo)
{
	char err[256];
	struct stat st;
	pid_t pid;
	int status;

	fresh_dir();
	REQUIRE(mkfifo(in_dir("fifo"), 0666) == 0, "mkfifo: %s", strerror(errno));
	REQUIRE(symlink("fifo", in_dir("link")) == 0, "symlink");
	pid = fifo_reader(in_dir("fifo"), in_dir("copy"));
	REQUIRE(pid > 0, "fork");
	/* Through a link to the FIFO: both stay what they are. */
	CHECK(write_file(in_dir("link"), "streamed\n", true, err, sizeof(err)) == 0, "commit: %s", err);
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the reader ran");
	CHECK(!strcmp(get(in_dir("copy")), "streamed\n"), "the FIFO carried '%s'", get(in_dir("copy")));
	CHECK(lstat(in_dir("fifo"), &st) == 0 && S_ISFIFO(st.st_mode), "fifo is still a FIFO");
	CHECK(lstat(in_dir("link"), &st) == 0 && S_ISLNK(st.st_mode), "link is still a symlink");
	CHECK(temps() == 0, "no temporary beside a FIFO: %d", temps());
}

TEST(atomic_file_abort_sends_nothing_into_a_fifo)
{
	char err[256], c;
	int rd;

	fresh_dir();
	REQUIRE(mkfifo(in_dir("fifo"), 0666) == 0, "mkfifo");
	rd = open(in_dir("fifo"), O_RDONLY | O_NONBLOCK);
	REQUIRE(rd >= 0, "open the FIFO's read end");
	REQUIRE(write_file(in_dir("fifo"), "half a result\n", false, err, sizeof(err)) == 0, "open: %s", err);
	CHECK(read(rd, &c, 1) <= 0, "an aborted write reached the FIFO");
	close(rd);
}

TEST(atomic_file_streams_to_a_descriptor_path_and_to_dash_for_standard_output)
{
	char err[256], path[64], buf[64];
	int p[2], status;
	ssize_t n;
	pid_t pid;

	REQUIRE(pipe(p) == 0, "pipe");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	REQUIRE(write_file(path, "by fd\n", true, err, sizeof(err)) == 0, "commit to %s: %s", path, err);
	n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(!strcmp(buf, "by fd\n"), "%s carried '%s'", path, buf);
	/* "-" in a child whose standard output is the pipe. */
	pid = fork();
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		_exit(write_file("-", "by dash\n", true, err, sizeof(err)) != 0);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "'-' committed");
	n = read(p[0], buf, sizeof(buf) - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK(!strcmp(buf, "by dash\n"), "'-' carried '%s'", buf);
	close(p[0]);
	close(p[1]);
}

TEST(atomic_file_refuses_a_directory_at_open_and_at_check)
{
	char err[256] = "";
	struct zpb_atomic_file af;

	fresh_dir();
	CHECK(zpb_atomic_open(&af, dir, err, sizeof(err)) != 0, "a directory opened as an output");
	CHECK(strstr(err, "is a directory") && !strchr(err, '\n'), "open error: '%s'", err);
	err[0] = '\0';
	CHECK(zpb_output_check(dir, err, sizeof(err)) != 0, "a directory passed the check");
	CHECK(strstr(err, dir) && strstr(err, "is a directory"), "check error: '%s'", err);
	REQUIRE(symlink(dir, in_dir("dirlink")) == 0, "symlink");
	CHECK(zpb_output_check(in_dir("dirlink"), err, sizeof(err)) != 0, "a link to a directory passed the check");
	CHECK(temps() == 0, "no temporary left: %d", temps());
}

TEST(output_check_finds_a_missing_directory_and_leaves_nothing_behind)
{
	char err[256] = "";

	fresh_dir();
	CHECK(zpb_output_check(in_dir("no/such/dir/out"), err, sizeof(err)) != 0, "a missing directory passed");
	CHECK(strstr(err, "no/such/dir/out") != NULL, "the error names the output: '%s'", err);
	CHECK(zpb_output_check(in_dir("out"), err, sizeof(err)) == 0, "a new file in a writable place: %s", err);
	CHECK(access(in_dir("out"), F_OK) != 0 && temps() == 0, "the check created a file");
	CHECK(zpb_output_check("-", err, sizeof(err)) == 0, "'-' with standard output open: %s", err);
}

TEST(atomic_open_sweeps_unlocked_temporaries_and_keeps_a_live_one)
{
	char err[256];
	struct zpb_atomic_file live;

	fresh_dir();
	put(in_dir("out.tmp.AbC123"), "left by a writer killed with SIGKILL\n");
	put(in_dir("other.tmp.AbC123"), "another output's: not ours to sweep\n");
	put(in_dir("out.tmp.toolong1"), "not our pattern\n");
	REQUIRE(zpb_atomic_open(&live, in_dir("out"), err, sizeof(err)) == 0, "open: %s", err);
	CHECK(access(in_dir("out.tmp.AbC123"), F_OK) != 0, "the stale temporary was not swept");
	CHECK(access(in_dir("other.tmp.AbC123"), F_OK) == 0, "another output's temporary was swept");
	CHECK(access(in_dir("out.tmp.toolong1"), F_OK) == 0, "a name off the pattern was swept");
	/* A second writer of the same output sweeps, but the first one's temporary is locked. */
	CHECK(write_file(in_dir("out"), "second\n", true, err, sizeof(err)) == 0, "second writer: %s", err);
	CHECK(access(live.tmp, F_OK) == 0, "a live writer's temporary %s was swept", live.tmp);
	fputs("first\n", live.f);
	CHECK(zpb_atomic_commit(&live, err, sizeof(err)) == 0, "the first writer still commits: %s", err);
	CHECK(!strcmp(get(in_dir("out")), "first\n"), "last commit wins: got '%s'", get(in_dir("out")));
}

TEST(remove_temps_removes_every_open_temporary_and_no_file)
{
	char err[256], a[ZPB_PATH_MAX + 32], b[ZPB_PATH_MAX + 32];
	struct zpb_atomic_file x, y;

	fresh_dir();
	put(in_dir("y"), "kept\n");
	REQUIRE(zpb_atomic_open(&x, in_dir("x"), err, sizeof(err)) == 0, "open x: %s", err);
	REQUIRE(zpb_atomic_open(&y, in_dir("y"), err, sizeof(err)) == 0, "open y: %s", err);
	strcpy(a, x.tmp);
	strcpy(b, y.tmp);
	REQUIRE(temps() == 2, "two temporaries open, saw %d", temps());
	zpb_atomic_remove_temps();	/* what a signal handler does */
	CHECK(access(a, F_OK) != 0 && access(b, F_OK) != 0, "temporaries left: %d", temps());
	CHECK(!strcmp(get(in_dir("y")), "kept\n"), "the existing output was touched");
	CHECK(access(in_dir("x"), F_OK) != 0, "an output appeared");
	zpb_atomic_abort(&x);
	zpb_atomic_abort(&y);
}

TEST(output_is_input_sees_through_a_symlink_but_not_a_stream)
{
	char err[256] = "";

	fresh_dir();
	put(in_dir("in"), "input\n");
	REQUIRE(symlink("in", in_dir("link")) == 0, "symlink");
	CHECK(zpb_output_is_input(in_dir("link"), in_dir("in"), err, sizeof(err)) == 1,
	      "a link to the input is the input (the write goes through it)");
	CHECK(zpb_output_is_input(in_dir("in"), in_dir("in"), err, sizeof(err)) == 1, "the same path");
	CHECK(zpb_output_is_input("-", in_dir("in"), err, sizeof(err)) == 0, "standard output is not the input");
	CHECK(zpb_output_is_input(in_dir("new"), in_dir("in"), err, sizeof(err)) == 0, "a new file");
}
