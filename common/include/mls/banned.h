/*
 * Unbounded string functions are banned (as in git's banned.h): use
 * snprintf, mls_buf, or memcpy with an explicit length.  Included last by
 * every source file through mls/common.h.
 */
#ifndef MLS_BANNED_H
#define MLS_BANNED_H

#define MLS_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) MLS_BANNED(strcpy)
#undef strcat
#define strcat(x, y) MLS_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) MLS_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) MLS_BANNED(strncat)
#undef sprintf
#define sprintf(...) MLS_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) MLS_BANNED(vsprintf)
#undef gets
#define gets(x) MLS_BANNED(gets)

#endif
