// SPDX-License-Identifier: GPL-2.0-only
/*
 * The text form's lines, written: the header block and one line a record.
 * The text writer and `trace dump` both print through these, so the two
 * always agree byte for byte.
 */
#include <stdio.h>
#include <string.h>

#include "trace_internal.h"

#define FIELDS_LINE "# fields: time_ns cpu OP [TYPE:OFFSET] [len] [same|incompressible|seed=0xHEX|page=N]... | MARK [label]\n"

int zpb_trace_format_header(const struct zpb_trace_header *hdr, bool pad_count, char *buf, size_t len)
{
	size_t n = 0;
	int k;

#define EMIT(...) do {								\
	k = snprintf(buf + n, len - n, __VA_ARGS__);				\
	if (k < 0 || (size_t)k >= len - n)					\
		return -1;							\
	n += (size_t)k;								\
} while (0)
	EMIT("# zpoolbench-trace %u\n", hdr->version);
	EMIT("# page_size %u\n", hdr->page_size);
	EMIT("# compressor %s\n", hdr->compressor);
	if (hdr->source[0])
		EMIT("# source %s\n", hdr->source);
	/* Padded so that a writer can patch the count in place at the end. */
	if (pad_count)
		EMIT("# records %-20llu\n", (unsigned long long)hdr->record_count);
	else if (hdr->record_count)
		EMIT("# records %llu\n", (unsigned long long)hdr->record_count);
	EMIT("%s", FIELDS_LINE);
#undef EMIT
	return (int)n;
}

int zpb_trace_format_record(const struct zpb_record *rec, char *buf, size_t len)
{
	const char *name = zpb_op_name(rec->op);
	int n;

	if (!name)
		return -1;
	n = snprintf(buf, len, "%llu %u %s", (unsigned long long)rec->time_ns, rec->cpu, name);
	if (n < 0 || (size_t)n >= len)
		return -1;
#define EMIT(...) do {								\
	int __k = snprintf(buf + n, len - n, __VA_ARGS__);			\
	if (__k < 0 || (size_t)__k >= len - n)					\
		return -1;							\
	n += __k;								\
} while (0)
	if (zpb_op_has_key(rec->op))
		EMIT(" %u:%llu", ZPB_KEY_TYPE(rec->key), (unsigned long long)ZPB_KEY_OFFSET(rec->key));
	if (rec->op == ZPB_OP_STORE) {
		EMIT(" %u", rec->len);
		if (rec->flags & ZPB_STORE_SAME_FILLED)
			EMIT(" same");
		if (rec->flags & ZPB_STORE_INCOMPRESSIBLE)
			EMIT(" incompressible");
		if (rec->flags & ZPB_STORE_SEED)
			EMIT(" seed=0x%llx", (unsigned long long)rec->content);
		if (rec->flags & ZPB_STORE_PAGEREF)
			EMIT(" page=%llu", (unsigned long long)rec->content);
	}
	if (rec->op == ZPB_OP_MARK && rec->label[0])
		EMIT(" %.*s", ZPB_LABEL_MAX, rec->label);
	EMIT("\n");
#undef EMIT
	return n;
}
