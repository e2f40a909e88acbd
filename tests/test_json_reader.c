// SPDX-License-Identifier: GPL-2.0-only
/* The JSON reader: values, escapes, numbers, and errors with line:column. */
#include <stdlib.h>
#include <string.h>

#include "../util/json_reader.h"
#include "harness.h"

static struct zpb_json *parse(const char *s, char *err, size_t errlen)
{
	return zpb_json_parse(s, strlen(s), "t.json", NULL, err, errlen);
}

/* Parse @s, expect failure with @where ("t.json:L:C:") and @what in the message. */
static void expect_error(const char *s, const char *where, const char *what)
{
	char err[256];
	struct zpb_json *v = parse(s, err, sizeof(err));

	CHECK(!v, "'%s' must not parse", s);
	zpb_json_free(v);
	CHECK(!strncmp(err, where, strlen(where)), "'%s': expected position %s, got: %s", s, where, err);
	CHECK(strstr(err, what) != NULL, "'%s': expected '%s' in: %s", s, what, err);
}

TEST(json_parses_nested_documents_and_keeps_positions)
{
	char err[256];
	struct zpb_json *v = parse("{\"a\": [1, 2.5, -3e2, true, false, null],\n \"b\": {\"c\": \"d\"}}", err,
				   sizeof(err));
	const struct zpb_json *a, *c;

	REQUIRE(v, "parses: %s", err);
	a = zpb_json_get(v, "a");
	REQUIRE(a && a->type == ZPB_JSON_ARRAY && a->len == 6, "array of 6");
	CHECK(zpb_json_number(zpb_json_at(a, 1), 0) == 2.5, "2.5");
	CHECK(zpb_json_number(zpb_json_at(a, 2), 0) == -300, "-3e2 is -300");
	CHECK(zpb_json_bool(zpb_json_at(a, 3), false) && !zpb_json_bool(zpb_json_at(a, 4), true), "booleans");
	CHECK(zpb_json_at(a, 5)->type == ZPB_JSON_NULL, "null");
	CHECK(!zpb_json_at(a, 6), "out of range is NULL");
	c = zpb_json_get(zpb_json_get(v, "b"), "c");
	CHECK(c && !strcmp(zpb_json_str(c, ""), "d"), "nested string");
	CHECK(c && c->line == 2 && c->col == 13, "position of \"d\": expected 2:13, got %u:%u", c ? c->line : 0,
	      c ? c->col : 0);
	CHECK(zpb_json_get_number(v, "missing", 42) == 42, "default for a missing key");
	zpb_json_free(v);
}

TEST(json_decodes_escapes_and_unicode)
{
	char err[256];
	struct zpb_json *v = parse("[\"q\\\"b\\\\s\\/n\\nt\\t\", \"\\u00e9\\u20ac\", \"\\ud83d\\ude00\", \"caf\xc3\xa9\", "
				   "\"a\\u0000b\"]", err, sizeof(err));

	REQUIRE(v, "parses: %s", err);
	CHECK(!strcmp(v->items[0]->string, "q\"b\\s/n\nt\t"), "simple escapes: %s", v->items[0]->string);
	CHECK(!strcmp(v->items[1]->string, "\xc3\xa9\xe2\x82\xac"), "\\u00e9\\u20ac to UTF-8");
	CHECK(!strcmp(v->items[2]->string, "\xf0\x9f\x98\x80"), "surrogate pair to U+1F600");
	CHECK(!strcmp(v->items[3]->string, "caf\xc3\xa9"), "raw UTF-8 kept");
	CHECK(v->items[4]->len == 3 && !memcmp(v->items[4]->string, "a\0b", 3), "\\u0000 kept with its length");
	zpb_json_free(v);
}

TEST(json_numbers_follow_the_rfc_grammar)
{
	char err[256];
	struct zpb_json *v = parse("[0, -0, 1.5e+3, 2E-2, 123456789012345]", err, sizeof(err));

	REQUIRE(v, "parses: %s", err);
	CHECK(v->items[2]->number == 1500, "1.5e+3");
	CHECK(v->items[3]->number == 0.02, "2E-2");
	CHECK(v->items[4]->number == 123456789012345.0, "large integer exact");
	zpb_json_free(v);
	expect_error("[01]", "t.json:1:3:", "leading zeros");
	expect_error("[1.]", "t.json:1:4:", "decimal point");
	expect_error("[-]", "t.json:1:3:", "digit must follow '-'");
	expect_error("[1e]", "t.json:1:4:", "exponent");
	expect_error("[1e999]", "t.json:1:2:", "out of range");
	expect_error("[+1]", "t.json:1:2:", "expected a value");
	expect_error("[NaN]", "t.json:1:2:", "expected a value");
}

TEST(json_errors_name_file_line_and_column)
{
	expect_error("{\n  \"a\": 1,\n  \"b\" 2\n}", "t.json:3:7:", "expected ':'");
	expect_error("[1, 2,]", "t.json:1:7:", "expected a value");
	expect_error("{\"a\": 1,}", "t.json:1:9:", "member name");
	expect_error("[1 2]", "t.json:1:4:", "expected ',' or ']'");
	expect_error("\"abc", "t.json:1:1:", "unterminated string");
	expect_error("", "t.json:1:1:", "empty document");
	expect_error("{} x", "t.json:1:4:", "after the document");
	expect_error("[\"a\tb\"]", "t.json:1:4:", "control character");
	expect_error("[\"\\x\"]", "t.json:1:3:", "unknown escape");
	expect_error("[\"\\ud800\"]", "t.json:1:3:", "high surrogate");
	expect_error("[\"\\udc00\"]", "t.json:1:3:", "lone low surrogate");
	expect_error("[\"\\u12g4\"]", "t.json:1:7:", "hex digits");
	expect_error("[\"\xc3\x28\"]", "t.json:1:3:", "invalid UTF-8");
	expect_error("[\"\xed\xa0\x80\"]", "t.json:1:3:", "invalid UTF-8");
	expect_error("[tru]", "t.json:1:2:", "expected a value");
	expect_error("{\"a\": [1, {\"b\": 2}", "t.json:1:19:", "end of input inside the array opened at line 1, column 7");
}

TEST(json_limits_depth_and_size)
{
	struct zpb_json_limits lim = { .max_bytes = 16, .max_depth = 4 };
	char err[256], deep[100001];
	struct zpb_json *v;

	v = zpb_json_parse("[[[[[1]]]]]", 11, "t.json", &lim, err, sizeof(err));
	CHECK(!v && strstr(err, "nesting deeper than 4"), "depth 5 rejected at limit 4: %s", err);
	zpb_json_free(v);
	v = zpb_json_parse("[[[1]]]", 7, "t.json", &lim, err, sizeof(err));
	CHECK(v != NULL, "depth 3 accepted: %s", err);
	zpb_json_free(v);
	v = zpb_json_parse("[1,2,3,4,5,6,7,8,9]", 19, "t.json", &lim, err, sizeof(err));
	CHECK(!v && strstr(err, "limit of 16"), "19 bytes rejected at limit 16: %s", err);
	/* Hostile nesting with the default limits: an error, not a stack overflow. */
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = 0;
	v = parse(deep, err, sizeof(err));
	CHECK(!v && strstr(err, "nesting deeper than 128"), "100000 '[' rejected: %s", err);
}

TEST(json_survives_every_truncation_of_a_document)
{
	const char *doc = "{\"format\": \"zpoolbench-results\", \"n\": [1.5e3, -2, {\"s\": \"\\u00e9\\n\"}], \"t\": true}";
	size_t len = strlen(doc), i;
	char err[256];

	for (i = 0; i < len; i++) {
		char *copy = malloc(i ? i : 1);
		struct zpb_json *v;

		memcpy(copy, doc, i);
		v = zpb_json_parse(copy, i, "t.json", NULL, err, sizeof(err));
		CHECK(!v && strncmp(err, "t.json:1:", 9) == 0, "prefix of %zu bytes: expected an error at line 1, got %s",
		      i, v ? "a value" : err);
		zpb_json_free(v);
		free(copy);
	}
}

TEST(json_load_names_the_file)
{
	char err[256];
	struct zpb_json *v = zpb_json_load("tests/fixtures/does-not-exist.json", NULL, err, sizeof(err));

	CHECK(!v && strstr(err, "does-not-exist.json: No such file"), "missing file: %s", err);
	v = zpb_json_load("tests/fixtures/malformed.json", NULL, err, sizeof(err));
	CHECK(!v && strstr(err, "tests/fixtures/malformed.json:4:"), "malformed file: %s", err);
	v = zpb_json_load("tests/fixtures/results-z3fold.json", NULL, err, sizeof(err));
	CHECK(v && v->type == ZPB_JSON_OBJECT, "fixture loads: %s", err);
	zpb_json_free(v);
}

TEST(json_refuses_a_repeated_member_name_at_its_second_occurrence)
{
	char err[256], big[64 * 1024];
	size_t o = 0;
	int i;
	struct zpb_json *v;

	/* Once taken silently, the last one winning: a second "complete" hid the first. */
	expect_error("{\"complete\": false, \"runs\": [], \"complete\": true}", "t.json:1:45:",
		     "duplicate member \"complete\" (its first value is at line 1, column 14)");
	expect_error("{\"runs\": [],\n \"runs\": [1]}", "t.json:2:10:", "duplicate member \"runs\"");
	expect_error("[{\"a\": {\"b\": 1, \"b\": 2}}]", "t.json:1:22:", "duplicate member \"b\"");
	/* Many members take the sorting path; the duplicate is still named where it is. */
	o += (size_t)snprintf(big + o, sizeof(big) - o, "{");
	for (i = 0; i < 1000; i++)
		o += (size_t)snprintf(big + o, sizeof(big) - o, "\"k%d\": %d, ", i, i);
	o += (size_t)snprintf(big + o, sizeof(big) - o, "\"k17\": 0}");
	v = parse(big, err, sizeof(err));
	CHECK(!v && strstr(err, "duplicate member \"k17\""), "1001 members, k17 twice: %s", v ? "parsed" : err);
	zpb_json_free(v);
	/* The same name in different objects is fine. */
	v = parse("{\"a\": {\"x\": 1}, \"b\": {\"x\": 2}}", err, sizeof(err));
	CHECK(v != NULL, "same key in sibling objects: %s", err);
	zpb_json_free(v);
}

TEST(json_error_messages_escape_control_characters_they_echo)
{
	char err[256], buf[16];

	/* A decoded "\r" in a member name was echoed raw: a CR rewrites the terminal line. */
	expect_error("{\"a\\rb\" 1}", "t.json:1:9:", "member name \"a\\rb\"");
	CHECK(!parse("{\"x\\r\": 1, \"x\\r\": 2}", err, sizeof(err)) && !strchr(err, '\r') &&
	      strstr(err, "\"x\\r\""), "duplicate name with CR escaped: %s", err);
	zpb_json_printable("a\rb\nc\td\x01", buf, sizeof(buf));
	CHECK(!strcmp(buf, "a\\rb\\nc\\td\\x01"), "printable: got %s", buf);
	zpb_json_printable("0123456789abcdefghij", buf, sizeof(buf));
	CHECK(!strcmp(buf, "0123456789ab..."), "cut to fit with ...: got %s", buf);
}
