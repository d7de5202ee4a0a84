#ifndef NP_IO_CURL_DL_H
#define NP_IO_CURL_DL_H
/*
 * libcurl, loaded when first needed (dlopen) instead of linked: linked, its shared libraries
 * (TLS, HTTP/2, LDAP, Kerberos, ...) are mapped and relocated in every daemon, about 4.5 MB of
 * RSS in one that only watches its own interfaces. curl_dl.c defines the curl_* functions this
 * tree uses, forwarding to the loaded library, so the rest of lib/io calls curl as usual once
 * np_curl_load() has succeeded.
 */

/*
 * Loads libcurl (libcurl.so.4) and runs curl_global_init, once per process. Returns 0, or -1
 * with *cause (the library is missing: the HTTP sources and mail fail, nothing else does).
 */
int np_curl_load(char **cause);

#endif
