/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A small JSON reader (RFC 8259) building a read-only tree. Report and gate
 * read results files with it, which may come from other machines or be
 * hand-edited, so it is strict and bounded: nesting depth and input size
 * are limited, every error names the file, line and column, and no input
 * makes it crash or hang.
 *
 * The whole tree lives in one arena owned by the root; zpb_json_free() on
 * the root frees it all. Values are never modified after parsing.
 */
#ifndef ZPB_UTIL_JSON_READER_H
#define ZPB_UTIL_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>

enum zpb_json_type {
	ZPB_JSON_NULL,
	ZPB_JSON_BOOL,
	ZPB_JSON_NUMBER,
	ZPB_JSON_STRING,
	ZPB_JSON_ARRAY,
	ZPB_JSON_OBJECT,
};

struct zpb_json {
	enum zpb_json_type type;
	unsigned line, col;	/* where the value starts, 1-based */
	bool boolean;
	double number;
	const char *string;	/* UTF-8, NUL-terminated; may hold NULs from \u0000 (see len) */
	size_t len;		/* string: bytes; array/object: members */
	const char *const *keys;	/* object: member names */
	const struct zpb_json *const *items;	/* array elements or object values */
};

/* Limits; zero fields take the defaults below. */
struct zpb_json_limits {
	size_t max_bytes;	/* default 256 MiB */
	unsigned max_depth;	/* default 128 */
};

#define ZPB_JSON_DEFAULT_MAX_BYTES ((size_t)256 << 20)
#define ZPB_JSON_DEFAULT_MAX_DEPTH 128

/**
 * zpb_json_parse() - parse one JSON document held in memory.
 * @text: the bytes (need not be NUL-terminated); @len: their number
 * @name: the file name used in error messages
 * @limits: NULL for the defaults
 * @err: receives "NAME:LINE:COL: message" on failure
 *
 * Return: the root value (free with zpb_json_free()), or NULL on error.
 */
struct zpb_json *zpb_json_parse(const char *text, size_t len, const char *name,
				const struct zpb_json_limits *limits, char *err, size_t errlen);

/**
 * zpb_json_load() - read and parse a file.
 *
 * Return: the root value, or NULL with "PATH: reason" or "PATH:LINE:COL:
 * message" in @err.
 */
struct zpb_json *zpb_json_load(const char *path, const struct zpb_json_limits *limits,
			       char *err, size_t errlen);

/* Free a tree returned by zpb_json_parse() or zpb_json_load() (NULL is fine). */
void zpb_json_free(struct zpb_json *root);

/* The member @key of object @obj, or NULL (a parsed object never repeats a key). */
const struct zpb_json *zpb_json_get(const struct zpb_json *obj, const char *key);
/* Element @i of array @arr, or NULL. */
const struct zpb_json *zpb_json_at(const struct zpb_json *arr, size_t i);
/* Typed accessors: the value when @v has that type, else @def. */
double zpb_json_number(const struct zpb_json *v, double def);
const char *zpb_json_str(const struct zpb_json *v, const char *def);
bool zpb_json_bool(const struct zpb_json *v, bool def);
/* Shorthands for zpb_json_number(zpb_json_get(obj, key), def) etc. */
double zpb_json_get_number(const struct zpb_json *obj, const char *key, double def);
const char *zpb_json_get_str(const struct zpb_json *obj, const char *key, const char *def);
/*
 * @s made safe to echo in a one-line message: CR, LF and tab as \r \n \t,
 * other control bytes as \xNN, cut with "..." to fit @len.
 */
void zpb_json_printable(const char *s, char *buf, size_t len);
/* A readable name of a type ("object", "number", ...). */
const char *zpb_json_type_name(enum zpb_json_type t);

#endif
