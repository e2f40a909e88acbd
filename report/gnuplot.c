// SPDX-License-Identifier: GPL-2.0-only
/* Running gnuplot on the embedded plots/ scripts. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../util/embed.h"
#include "gnuplot.h"

extern const struct zpb_embedded zpb_plot_scripts[];

/* A picture that takes gnuplot longer than this is abandoned. */
#define GNUPLOT_TIMEOUT_MS 60000

static const char *gnuplot_program(void)
{
	const char *g = getenv("ZPB_GNUPLOT");

	return g && *g ? g : "gnuplot";
}

/*
 * Run gnuplot in @cwd with "-e VARS SCRIPT", stdin from /dev/null and
 * stderr to @log. Return: its exit status, 127 when it could not be run,
 * or -1 on timeout.
 */
static int run_gnuplot(const char *cwd, const char *vars, const char *script, const char *log)
{
	struct timespec ts = { 0, 5 * 1000 * 1000 };
	int status, waited;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return 127;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR), lf = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);

		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		if (lf >= 0)
			dup2(lf, 2);
		if (chdir(cwd))
			_exit(126);
		execlp(gnuplot_program(), gnuplot_program(), "-e", vars, script, (char *)NULL);
		_exit(127);
	}
	for (waited = 0; waited < GNUPLOT_TIMEOUT_MS; waited += 5) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		if (r < 0 && errno != EINTR)
			return 127;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

static int write_file(const char *path, const char *text, char *err, size_t errlen)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Make @svg's ids unique on a page holding many pictures: gnuplot names its
 * markers and groups the same in every file (gpPt0, gnuplot_canvas, ...), so
 * each "id='" / "id=\"" and "href='#" gets the picture's id in front.
 */
static char *prefix_ids(const char *svg, const char *pfx)
{
	static const char *const pats[] = { "id='", "id=\"", "href='#", "href=\"#" };
	size_t n = 0, extra = 0, plen = strlen(pfx) + 1, i, k;
	const char *s;
	char *out;

	for (k = 0; k < 4; k++)
		for (s = svg; (s = strstr(s, pats[k])); s++)
			extra += plen;
	out = malloc(strlen(svg) + extra + 1);
	if (!out)
		return NULL;
	for (s = svg; *s;) {
		for (k = 0; k < 4; k++) {
			size_t l = strlen(pats[k]);

			/* Only whole attribute names: "id=" not inside e.g. "grid=". */
			if (!strncmp(s, pats[k], l) && (s == svg || s[-1] == ' ' || s[-1] == ':' || s[-1] == '\n' ||
							s[-1] == '\t')) {
				memcpy(out + n, s, l);
				n += l;
				for (i = 0; pfx[i]; i++)
					out[n++] = pfx[i];
				out[n++] = '-';
				s += l;
				break;
			}
		}
		if (k == 4)
			out[n++] = *s++;
	}
	out[n] = 0;
	return out;
}

/* Read an SVG file and keep it from "<svg" on, ready to inline in HTML. */
static char *read_svg(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL, *start, *out;
	long len;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) <= 0 || len > 64L << 20 || fseek(f, 0, SEEK_SET))
		goto fail;
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len)
		goto fail;
	buf[len] = 0;
	fclose(f);
	start = strstr(buf, "<svg");
	if (!start || !strstr(start, "</svg>")) {
		free(buf);
		return NULL;
	}
	out = strdup(start);
	free(buf);
	return out;
fail:
	free(buf);
	fclose(f);
	return NULL;
}

/* The last line of gnuplot's log, for a one-line reason. */
static void last_log_line(const char *log, char *out, size_t len)
{
	char line[512] = "", prev[512] = "";
	FILE *f = fopen(log, "r");

	if (!f) {
		snprintf(out, len, "no message");
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (line[0] && strspn(line, " ^") != strlen(line))
			snprintf(prev, sizeof(prev), "%s", line);
	}
	fclose(f);
	snprintf(out, len, "%s", prev[0] ? prev : "no message");
}

static void draw(struct zpb_report *rep, struct zpb_picture *p, const char *dir, const char *plots)
{
	static const char *const fmts[] = { "svg", "png" };
	char vars[2600], log[4200], path[4200], msg[120];
	int f, rc;

	if (!p->script || !rep->have_gnuplot)
		return;
	snprintf(log, sizeof(log), "%s/gnuplot.log", plots);
	for (f = 0; f < 2; f++) {
		snprintf(vars, sizeof(vars), "term='%s'; out='../img/%s.%s'; %s", fmts[f], p->id, fmts[f], p->vars);
		rc = run_gnuplot(plots, vars, p->script, log);
		if (rc == 127 || rc == 126) {
			rep->have_gnuplot = false;
			snprintf(rep->gnuplot_why, sizeof(rep->gnuplot_why),
				 "gnuplot (%s) could not be run; install gnuplot-nox to get the pictures",
				 gnuplot_program());
			return;
		}
		if (rc) {
			last_log_line(log, msg, sizeof(msg));
			snprintf(p->why, sizeof(p->why), "gnuplot failed on %s (%s): %s", p->script,
				 rc < 0 ? "timed out" : fmts[f], msg);
			return;
		}
	}
	snprintf(path, sizeof(path), "%s/img/%s.svg", dir, p->id);
	p->svg = read_svg(path);
	if (p->svg) {
		char *unique = prefix_ids(p->svg, p->id), *t;

		free(p->svg);
		p->svg = unique;
		/* The tooltip and accessible name: the picture's title, not "Gnuplot". */
		t = p->svg ? strstr(p->svg, "<title>Gnuplot</title>") : NULL;
		if (t) {
			size_t head = (size_t)(t - p->svg), rest = strlen(t + 22), tl = strlen(p->title), i, n;
			char *u = malloc(head + 7 + 5 * tl + 8 + rest + 1);

			if (u) {
				memcpy(u, p->svg, head);
				n = head + (size_t)sprintf(u + head, "<title>");
				/* Titles are plain text; only '<' and '&' need escaping in XML content. */
				for (i = 0; i < tl; i++)
					n += (size_t)sprintf(u + n, "%s", p->title[i] == '<' ? "&lt;" :
							     p->title[i] == '&' ? "&amp;" : (char[2]){ p->title[i], 0 });
				n += (size_t)sprintf(u + n, "</title>");
				memcpy(u + n, t + 22, rest + 1);
				free(p->svg);
				p->svg = u;
			}
		}
	}
	if (!p->svg)
		snprintf(p->why, sizeof(p->why), "gnuplot wrote no usable SVG for %s", p->id);
	snprintf(p->png, sizeof(p->png), "img/%s.png", p->id);
}

int zpb_gnuplot_draw(struct zpb_report *rep, const char *dir, char *err, size_t errlen)
{
	const struct zpb_embedded *e;
	char plots[4096], path[4200];
	size_t i, k;

	snprintf(plots, sizeof(plots), "%s/plots", dir);
	snprintf(path, sizeof(path), "%s/img", dir);
	if ((mkdir(plots, 0755) && errno != EEXIST) || (mkdir(path, 0755) && errno != EEXIST)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	for (e = zpb_plot_scripts; e->name; e++) {
		snprintf(path, sizeof(path), "%s/%s", plots, e->name);
		if (write_file(path, e->text, err, errlen))
			return -1;
	}
	rep->have_gnuplot = true;
	for (i = 0; i < rep->n; i++)
		for (k = 0; k < rep->in[i].npics; k++)
			draw(rep, &rep->in[i].pics[k], dir, plots);
	for (k = 0; k < rep->nglobal; k++)
		draw(rep, &rep->global[k], dir, plots);
	return 0;
}
