// SPDX-License-Identifier: GPL-2.0-only
/* zpoolbench capture zram: the kernel's zsmalloc, through a real zram device. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../allocators/zsmalloc.h"
#include "../fidelity/capture_zram.h"
#include "../fidelity/kparams.h"
#include "../traces/capture/compress.h"
#include "cli.h"

#define DEFAULT_PATTERN "fill,invalidate-every=3,overwrite-every=5,refill,invalidate-every=2,compact"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: zpoolbench capture zram IMAGE... -o TRACE --truth TRUTH [OPTION]...\n"
		"\n"
		"Run an op script against a real zram device (the kernel's own zsmalloc)\n"
		"and write a trace of the same operations, in the order the kernel performs\n"
		"them, and a truth file with mm_stat at every mark, for 'zpoolbench validate'.\n"
		"Needs root and zram. The device is always reset afterwards, even on Ctrl-C.\n"
		"\n"
		"  -o, --output TRACE        the trace to write (binary unless --text; - for stdout)\n"
		"      --truth FILE          the truth file to write (JSON)\n"
		"      --script FILE         op script: write FIRST COUNT [from PAGE],\n"
		"                            discard FIRST COUNT [every N], compact, mark LABEL\n"
		"      --pattern LIST        generate the script instead (default:\n"
		"                            " DEFAULT_PATTERN ")\n"
		"      --compressor NAME     zram's compressor: lz4 (default), lzo, lzo-rle\n"
		"                            (lzo-rle has no userspace twin: kernel lengths are used)\n"
		"      --device /dev/zramN   use this free device (default: find or hot-add one)\n"
		"      --pages N             device size in pages (default: the image's)\n"
		"      --image-pages N       use only the first N pages of the images\n"
		"      --chain N             the kernel's zsmalloc chain size (default: from\n"
		"                            /proc/config.gz or /boot/config-RELEASE)\n"
		"      --text                write a text trace\n"
		"  -q, --quiet               no progress on stderr\n"
		"  -h, --help                this help\n"
		"\n"
		"Exit status: 0 written; 2 on bad options or input, or when the capture\n"
		"could not be made (not root, no zram, a device error, Ctrl-C).\n");
}

static size_t compress_page(const void *page, void *ctx)
{
	static unsigned char out[2 * 4096 + 1024];
	char err[256];
	long n;

	if (zpb_compress_bound(4096) > sizeof(out))
		return 0;
	n = zpb_compress_page(ctx, page, 4096, out, err, sizeof(err));
	return n > 0 ? (size_t)n : 0;
}

int zpb_cli_capture_zram(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "truth", required_argument, NULL, 't' },
		{ "script", required_argument, NULL, 's' },
		{ "pattern", required_argument, NULL, 'p' },
		{ "compressor", required_argument, NULL, 'c' },
		{ "device", required_argument, NULL, 'd' },
		{ "pages", required_argument, NULL, 'P' },
		{ "image-pages", required_argument, NULL, 'I' },
		{ "chain", required_argument, NULL, 'C' },
		{ "text", no_argument, NULL, 'T' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct zpb_capture_zram_opts o;
	struct zpb_compressor *comp = NULL;
	struct zpb_kparams kp;
	char err[512], *end;
	int c, rc;

	memset(&o, 0, sizeof(o));
	o.compressor = "lz4";
	o.trace_form = ZPB_TRACE_BINARY;
	o.verbose = isatty(2);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o.trace_out = optarg; break;
		case 't': o.truth_out = optarg; break;
		case 's': o.script = optarg; break;
		case 'p': o.pattern = optarg; break;
		case 'c': o.compressor = optarg; break;
		case 'd': o.device = optarg; break;
		case 'T': o.trace_form = ZPB_TRACE_TEXT; break;
		case 'q': o.verbose = 0; break;
		case 'P': case 'I': case 'C': {
			unsigned long long v;

			errno = 0;
			v = strtoull(optarg, &end, 0);
			if (!*optarg || *end || errno || *optarg == '-' || !v) {
				zpb_cli_error("capture zram: --%s needs a positive whole number, not '%s'",
					      c == 'P' ? "pages" : c == 'I' ? "image-pages" : "chain", optarg);
				return ZPB_EXIT_USAGE;
			}
			if (c == 'P')
				o.pages = v;
			else if (c == 'I')
				o.max_image_pages = v;
			else
				o.chain_size = (int)v;
			break;
		}
		case 'h': usage(stdout); return ZPB_EXIT_OK;
		default: return zpb_cli_bad_option("capture zram", c, argv);
		}
	}
	o.images = (const char *const *)argv + optind;
	o.nimages = argc - optind;
	if (!o.nimages || !o.trace_out || !o.truth_out) {
		zpb_cli_error("capture zram: needs IMAGE..., -o TRACE and --truth FILE (see zpoolbench capture zram --help)");
		return ZPB_EXIT_USAGE;
	}
	if (zpb_cli_check_output("capture zram", "-o", o.trace_out) ||
	    zpb_cli_check_output("capture zram", "--truth", o.truth_out))
		return ZPB_EXIT_USAGE;
	if (o.script && o.pattern) {
		zpb_cli_error("capture zram: give --script or --pattern, not both");
		return ZPB_EXIT_USAGE;
	}
	if (!o.script && !o.pattern)
		o.pattern = DEFAULT_PATTERN;
	if (!o.chain_size) {
		zpb_kparams_read(&kp);
		o.chain_size = kp.chain_size;
		o.chain_source = kp.config_source;
		if (!o.chain_size) {
			zpb_cli_error("capture zram: cannot read CONFIG_ZSMALLOC_CHAIN_SIZE from /proc/config.gz "
				      "or /boot/config-%s; give --chain N (4 before Linux 6.3, else usually 8)",
				      kp.release);
			return ZPB_EXIT_USAGE;
		}
	}
	if (o.chain_size < 1 || o.chain_size > 16) {
		zpb_cli_error("capture zram: chain size %d is outside 1..16", o.chain_size);
		return ZPB_EXIT_USAGE;
	}
	o.huge_class_size = zpb_zs_huge_class_size(o.chain_size);
	if (strcmp(o.compressor, "lzo-rle")) {
		comp = zpb_compressor_new(o.compressor, err, sizeof(err));
		if (!comp) {
			zpb_cli_error("capture zram: --compressor: %s", err);
			return ZPB_EXIT_USAGE;
		}
		o.compress = compress_page;
		o.compress_ctx = comp;
	}
	rc = zpb_capture_zram(&o, err, sizeof(err));
	zpb_compressor_free(comp);
	if (rc) {
		/* Not a finding about the kernel: the capture could not be made (2, like capture process). */
		zpb_cli_error("capture zram: %s", strncmp(err, "capture zram: ", 14) ? err : err + 14);
		return ZPB_EXIT_USAGE;
	}
	fprintf(stderr, "capture zram: wrote %s and %s\n", o.trace_out, o.truth_out);
	return ZPB_EXIT_OK;
}
