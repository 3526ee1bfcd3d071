/*
 * A tiny unit-test harness (one header): TEST(name) defines a test, CHECK
 * and CHECK_* record failures with file:line and go on, TEST_MAIN() runs
 * every test registered in the file, prints "N passed, N failed" and exits
 * non-zero on any failure.
 *
 *   TEST(buf_grows) { struct mls_buf b; ... CHECK_EQ_INT(b.len, 3); }
 *   TEST_MAIN()
 */
#ifndef MLS_TEST_HARNESS_H
#define MLS_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*mls_test_fn)(void);
struct mls_test { const char *name; mls_test_fn fn; };
static struct mls_test mls_tests[512];
static int mls_ntests;
static int mls_test_failed;
static long mls_checks;

#define TEST(name)                                                                   \
	static void test_##name(void);                                                   \
	__attribute__((constructor)) static void register_##name(void)                   \
	{                                                                                \
		if (mls_ntests < 512)                                                        \
			mls_tests[mls_ntests++] = (struct mls_test){ #name, test_##name };       \
	}                                                                                \
	static void test_##name(void)

#define CHECK(cond)                                                                  \
	do {                                                                             \
		mls_checks++;                                                                \
		if (!(cond)) {                                                               \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
			mls_test_failed = 1;                                                     \
		}                                                                            \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                           \
	do {                                                                             \
		long long _a = (long long)(a), _b = (long long)(b);                          \
		mls_checks++;                                                                \
		if (_a != _b) {                                                              \
			fprintf(stderr, "%s:%d: %s == %lld, expected %s == %lld\n", __FILE__,    \
				__LINE__, #a, _a, #b, _b);                                           \
			mls_test_failed = 1;                                                     \
		}                                                                            \
	} while (0)

#define CHECK_EQ_STR(a, b)                                                           \
	do {                                                                             \
		const char *_a = (a), *_b = (b);                                             \
		mls_checks++;                                                                \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                     \
			fprintf(stderr, "%s:%d: %s == \"%s\", expected \"%s\"\n", __FILE__,      \
				__LINE__, #a, _a ? _a : "(null)", _b ? _b : "(null)");               \
			mls_test_failed = 1;                                                     \
		}                                                                            \
	} while (0)

#define CHECK_CONTAINS(hay, needle)                                                  \
	do {                                                                             \
		const char *_h = (hay), *_n = (needle);                                      \
		mls_checks++;                                                                \
		if (!_h || !strstr(_h, _n)) {                                                \
			fprintf(stderr, "%s:%d: \"%s\" not found in %s\n", __FILE__, __LINE__,   \
				_n, #hay);                                                           \
			mls_test_failed = 1;                                                     \
		}                                                                            \
	} while (0)

#define TEST_MAIN()                                                                  \
	int main(void)                                                                   \
	{                                                                                \
		int passed = 0, failed = 0;                                                  \
		for (int i = 0; i < mls_ntests; i++) {                                       \
			mls_test_failed = 0;                                                     \
			long before = mls_checks;                                                \
			mls_tests[i].fn();                                                       \
			if (mls_checks == before) {                                              \
				fprintf(stderr, "%s: checked nothing\n", mls_tests[i].name);         \
				mls_test_failed = 1;                                                 \
			}                                                                        \
			printf("%s %s\n", mls_test_failed ? "FAIL" : "ok  ", mls_tests[i].name); \
			if (mls_test_failed) failed++; else passed++;                            \
		}                                                                            \
		printf("%d passed, %d failed\n", passed, failed);                            \
		return failed || !mls_ntests ? 1 : 0;                                        \
	}

#endif
