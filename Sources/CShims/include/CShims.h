// Non-variadic wrappers for the variadic C functions Swift cannot call directly.
#ifndef CSHIMS_H
#define CSHIMS_H

#include <curl/curl.h>
#include <librdkafka/rdkafka.h>

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

#endif
