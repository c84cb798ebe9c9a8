// Non-variadic wrappers for libcurl's variadic functions, which Swift cannot call directly.
#ifndef CCURLSHIMS_H
#define CCURLSHIMS_H

#include <curl/curl.h>

typedef size_t (*cshims_curl_data_cb)(char *ptr, size_t size, size_t nmemb, void *userdata);

CURLcode cshims_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode cshims_curl_setopt_off(CURL *handle, CURLoption option, curl_off_t value);
CURLcode cshims_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode cshims_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode cshims_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode cshims_curl_setopt_data_cb(CURL *handle, CURLoption option, cshims_curl_data_cb value);

CURLcode cshims_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode cshims_curl_getinfo_off(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode cshims_curl_getinfo_double(CURL *handle, CURLINFO info, double *value);
CURLcode cshims_curl_getinfo_string(CURL *handle, CURLINFO info, const char **value);

CURLSHcode cshims_curl_share_setopt_long(CURLSH *share, CURLSHoption option, long value);
CURLSHcode cshims_curl_share_setopt_pointer(CURLSH *share, CURLSHoption option, void *value);
CURLSHcode cshims_curl_share_setopt_lockfunc(CURLSH *share, curl_lock_function value);
CURLSHcode cshims_curl_share_setopt_unlockfunc(CURLSH *share, curl_unlock_function value);

/* CURLOPT_*_BLOB with CURL_BLOB_COPY: libcurl keeps its own copy of the bytes. */
CURLcode cshims_curl_setopt_blob_copy(CURL *handle, CURLoption option, const void *data, size_t len);

/* An anonymous in-memory file (memfd) holding `data`, sealed against any change; its
   descriptor (close-on-exec), or -1 with errno set. */
int cshims_sealed_memory_file(const char *name, const void *data, size_t len);

#endif
