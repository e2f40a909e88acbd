/* SPDX-License-Identifier: GPL-2.0-only */
/* `zpoolbench trace import`, called from cli/cmd_trace.c's table. */
#ifndef ZPB_CLI_TRACE_IMPORT_H
#define ZPB_CLI_TRACE_IMPORT_H

/* argv[0] is "import". Returns a ZPB_EXIT_* status. */
int zpb_cli_trace_import(int argc, char **argv);

#endif
