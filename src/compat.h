#ifndef GUMLOOP_COMPAT_H
#define GUMLOOP_COMPAT_H
/*
 * The one place that knows which platform this is: feature macros, and the
 * few names and calls that differ between Linux (glibc, musl), macOS and
 * the BSDs. Nothing outside this header (and crypto.c, for the two mbedTLS
 * generations) tests a platform macro.
 *
 * The Makefile has the compiler read this header before anything else in
 * every file (-include), so the feature macros come first, as they must,
 * and no file can forget them.
 */

/*
 * Feature macros. Beyond POSIX 2008 the code uses memmem, strcasestr,
 * timegm and strptime: every libc here has them, behind its own switch.
 * glibc and musl show them (and POSIX and XSI with them) for _GNU_SOURCE,
 * which -std=c11 would otherwise hide; macOS shows them for
 * _DARWIN_C_SOURCE; the BSDs show everything unless a standard is asked
 * for, and ignore _GNU_SOURCE.
 */
#if defined(__APPLE__)
#define _DARWIN_C_SOURCE 1
#else
#define _GNU_SOURCE 1
#endif

/*
 * Where libcurl is looked for on first use, in order. "" is the program
 * itself: with LINK_CURL=1 libcurl is linked in and its symbols are found
 * there.
 */
#if defined(LINK_CURL)
#define COMPAT_LIBCURL_NAMES { "" }
#define COMPAT_LIBCURL_HINT "libcurl is linked into this program"
#elif defined(__APPLE__)
#define COMPAT_LIBCURL_NAMES { "libcurl.4.dylib", "/usr/lib/libcurl.4.dylib" }
#define COMPAT_LIBCURL_HINT "macOS ships libcurl in /usr/lib; or: brew install curl"
#else
#define COMPAT_LIBCURL_NAMES { "libcurl.so.4", "libcurl-gnutls.so.4" }
#define COMPAT_LIBCURL_HINT "on Debian or Ubuntu: apt-get install libcurl4"
#endif

/*
 * clearenv() is glibc's, musl's and FreeBSD's; elsewhere the environment
 * is emptied one name at a time (only the fuzz targets need it).
 */
#if defined(__APPLE__) || defined(__OpenBSD__) || defined(__NetBSD__)
#include <stdlib.h>
#include <string.h>

extern char **environ;

static inline int compat_clearenv(void)
{
	char name[256];
	size_t n;

	while (environ && environ[0]) {
		n = strcspn(environ[0], "=");
		if (n >= sizeof(name))
			return -1;
		memcpy(name, environ[0], n);
		name[n] = '\0';
		if (unsetenv(name) < 0)
			return -1;
	}
	return 0;
}
#define clearenv compat_clearenv
#endif

#endif
