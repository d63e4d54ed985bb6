// PerformHttp: one HTTP exchange through libcurl.
#include <curl/curl.h>

#include <memory>
#include <mutex>

#include "github/internal.h"

namespace zooci::github_internal {
namespace {

constexpr size_t kMaxResponseBytes = size_t{16} << 20;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Transfer {
  HttpResponse* response;
  bool too_large = false;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  if (transfer->response->body.size() + bytes > kMaxResponseBytes) {
    transfer->too_large = true;
    return 0;  // aborts the transfer
  }
  transfer->response->body.append(data, bytes);
  return bytes;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  size_t bytes = size * count;
  std::string_view line(data, bytes);
  if (StartsWith(line, "HTTP/")) {
    transfer->response->headers.clear();  // a new response (after 100 Continue)
    return bytes;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    transfer->response->headers[AsciiLower(Trim(line.substr(0, colon)))] =
        std::string(Trim(line.substr(colon + 1)));
  }
  return bytes;
}

}  // namespace

bool PerformHttp(const HttpRequest& request, const HttpOptions& options, HttpResponse* response,
                 TransportError* error) {
  GlobalInitOnce();
  *response = HttpResponse();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) {
    *error = {TransportFailure::kNotSent, "curl_easy_init failed"};
    return false;
  }
  curl_slist* header_list = nullptr;
  for (const std::string& header : request.headers) {
    header_list = curl_slist_append(header_list, header.c_str());
  }
  header_list = curl_slist_append(header_list, "Expect:");  // no 100-continue round trip
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> headers(header_list,
                                                                      curl_slist_free_all);
  Transfer transfer{response};
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(handle, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(handle, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout_ms));
  curl_easy_setopt(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout_ms));
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(handle, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &transfer);
  if (request.method == "GET") {
    curl_easy_setopt(handle, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, request.body.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
  char error_text[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(handle, CURLOPT_ERRORBUFFER, error_text);

  CURLcode code = curl_easy_perform(handle);
  if (code != CURLE_OK) {
    bool not_sent = code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_RESOLVE_PROXY ||
                    code == CURLE_COULDNT_CONNECT;
    std::string detail = error_text[0] != '\0' ? error_text : curl_easy_strerror(code);
    if (transfer.too_large) detail = "response larger than 16 MiB";
    *error = {not_sent ? TransportFailure::kNotSent : TransportFailure::kMaybeSent, detail};
    return false;
  }
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response->status);
  return true;
}

}  // namespace zooci::github_internal
