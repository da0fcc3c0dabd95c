#ifndef GUMLOOP_COMPAT_H
#define GUMLOOP_COMPAT_H
/*
 * The one place that knows which platform this is: feature macros, and the
 * few names and calls that differ between Linux (glibc, musl), macOS and
 * the BSDs. Nothing outside this header (and crypto.c, for the two mbedTLS
 * generations) tests a platform macro.
 */

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

#endif
