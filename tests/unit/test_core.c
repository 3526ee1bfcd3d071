/* Unit tests for error, buf, path, log (redaction) and version. */
#include <string.h>
#include "harness.h"
#include "mls/common.h"

TEST(error_store)
{
	int rc = mls_error_set(MLS_EIO, "cannot open '%s': %s", "x", "gone");
	CHECK_EQ_INT(rc, MLS_EIO);
	CHECK_EQ_STR(mls_error_msg(), "cannot open 'x': gone");
	CHECK_EQ_INT(mls_error_code(), MLS_EIO);
	mls_error_prefix("ctx %d", 3);
	CHECK_EQ_STR(mls_error_msg(), "ctx 3: cannot open 'x': gone");
	mls_error_clear();
	CHECK_EQ_INT(mls_error_code(), 0);
	CHECK_EQ_STR(mls_strerror(MLS_ELIMIT), "limit reached");
	CHECK_EQ_INT(MLS_EXIT_USAGE, 4);
	CHECK_EQ_INT(MLS_EXIT_NOTHING, 3);
}

TEST(buf_grows_and_caps)
{
	struct mls_buf b;
	mls_buf_init(&b, 10);
	CHECK_EQ_STR(mls_buf_cstr(&b), "");
	CHECK_EQ_INT(mls_buf_puts(&b, "hello"), 0);
	CHECK_EQ_INT(mls_buf_printf(&b, "%d", 1234), 0);
	CHECK_EQ_STR(mls_buf_cstr(&b), "hello1234");
	CHECK_EQ_INT(mls_buf_puts(&b, "ab"), MLS_ENOMEM); /* 11 > max 10 */
	CHECK_EQ_STR(mls_buf_cstr(&b), "hello1234");      /* unchanged */
	CHECK_EQ_INT(mls_buf_putc(&b, '!'), 0);
	CHECK_EQ_INT(b.len, 10);
	size_t len;
	char *d = mls_buf_detach(&b, &len);
	CHECK_EQ_INT(len, 10);
	CHECK_EQ_STR(d, "hello1234!");
	free(d);
	CHECK(b.data == NULL);
	mls_buf_release(&b);
	mls_buf_release(NULL);
}

TEST(buf_large)
{
	struct mls_buf b;
	mls_buf_init(&b, 0);
	for (int i = 0; i < 100000; i++)
		mls_buf_puts(&b, "0123456789");
	CHECK_EQ_INT(b.len, 1000000);
	CHECK(b.data[999999] == '9' && b.data[1000000] == '\0');
	mls_buf_release(&b);
}

TEST(path_safety)
{
	CHECK(mls_path_is_safe_relative("a/b/c"));
	CHECK(mls_path_is_safe_relative("./a"));
	CHECK(mls_path_is_safe_relative("a/../b"));
	CHECK(!mls_path_is_safe_relative("../x"));
	CHECK(!mls_path_is_safe_relative("a/../../x"));
	CHECK(!mls_path_is_safe_relative("/etc/passwd"));
	CHECK(!mls_path_is_safe_relative("C:\\windows"));
	CHECK(!mls_path_is_safe_relative("a\\..\\..\\x"));
	CHECK(!mls_path_is_safe_relative(""));
	CHECK(!mls_path_is_safe_relative("a\nb"));
	CHECK(!mls_path_is_safe_relative(NULL));
}

TEST(path_join_and_parts)
{
	struct mls_buf b;
	mls_buf_init(&b, 0);
	CHECK_EQ_INT(mls_path_join(&b, "/root/", "./a/b"), 0);
	CHECK_EQ_STR(mls_buf_cstr(&b), "/root/a/b");
	mls_buf_reset(&b);
	CHECK_EQ_INT(mls_path_join(&b, "/root", "../etc"), MLS_EUNSAFE);
	mls_buf_release(&b);
	CHECK_EQ_STR(mls_path_basename("a/b/model.PT"), "model.PT");
	CHECK_EQ_STR(mls_path_basename("file"), "file");
	char ext[16];
	mls_path_ext(ext, sizeof(ext), "dir.v2/model.SafeTensors");
	CHECK_EQ_STR(ext, "safetensors");
	mls_path_ext(ext, sizeof(ext), "dir.v2/Makefile");
	CHECK_EQ_STR(ext, "");
	mls_path_ext(ext, sizeof(ext), ".bashrc");
	CHECK_EQ_STR(ext, "");
	CHECK(mls_path_is_within("/a/b", "/a/b/c"));
	CHECK(mls_path_is_within("/a/b", "/a/b"));
	CHECK(!mls_path_is_within("/a/b", "/a/bc"));
	CHECK(!mls_path_is_within("/a/b", "/a"));
	CHECK(mls_path_is_within("/", "/x"));
}

TEST(redact_url)
{
	char out[256];
	mls_redact_url(out, sizeof(out), "https://user:s3cret@mlflow.example:5000/api?x=1&token=abc&password=p#f");
	CHECK_EQ_STR(out, "https://***@mlflow.example:5000/api?x=1&token=***&password=***#f");
	CHECK(strstr(out, "s3cret") == NULL);
	mls_redact_url(out, sizeof(out), "http://127.0.0.1:5000");
	CHECK_EQ_STR(out, "http://127.0.0.1:5000");
	mls_redact_url(out, sizeof(out), NULL);
	CHECK_EQ_STR(out, "");
}

TEST(version)
{
	CHECK(strlen(mls_version()) >= 5);
}

TEST_MAIN()
