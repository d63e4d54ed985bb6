// fake-github: a fake of the GitHub REST API endpoints ZooCI uses, for tests.
//
//   fake-github --listen 127.0.0.1:0 --port-file F [--record FILE.jsonl]
//               [--fail N=KIND]... [--app-public-key PEM] [--app-id ID] [--token T]
//               [--token-ttl SECONDS]
//
// Endpoints: POST/PATCH/GET check runs, POST statuses, POST/PATCH issue comments, GET pulls,
// POST /app/installations/{id}/access_tokens. Every request is checked against GitHub's
// documented shapes and headers (malformed → 422/400/401/403 with a GitHub-style body), recorded
// as one JSON line, and may be answered by an injected failure. Control endpoints (not recorded):
//   GET  /_fake/requests             the record, as a JSON array
//   GET  /_fake/state                check runs (with their annotations), statuses, comments
//   POST /_fake/fail?count=N&kind=K  queue an injected failure, like --fail
//   POST /_fake/clock?advance=S      move the fake's clock (token expiry, JWT checks, resets)
//   PUT  /_fake/repos/{o}/{r}/pulls/{n}  store a pull request object for GET .../pulls/{n}
// KIND is an HTTP status ("502", "429:30" with Retry-After 30), "ratelimit[:S]" (403,
// x-ratelimit-remaining 0, reset in S s, default 30) or "secondary[:S]" (403, Retry-After S).
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "fake.h"

namespace fake_github {
namespace {

bool ReadWholeFile(const std::string& path, std::string* contents) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buffer;
  buffer << in.rdbuf();
  *contents = buffer.str();
  return true;
}

int Usage(const std::string& problem) {
  std::cerr << "fake-github: " << problem << "\n"
            << "usage: fake-github --listen HOST:PORT --port-file FILE [--record FILE.jsonl]\n"
            << "         [--fail N=KIND]... [--app-public-key PEM] [--app-id ID] [--token T]\n"
            << "         [--token-ttl SECONDS]\n"
            << "KIND: an HTTP status (502, or 429:30 with Retry-After: 30), ratelimit[:S],\n"
            << "      secondary[:S]\n";
  return 2;
}

int Main(int argc, char** argv) {
  Options options;
  for (int index = 1; index < argc; ++index) {
    std::string flag = argv[index];
    if (index + 1 >= argc) return Usage(flag + " needs a value");
    std::string value = argv[++index];
    if (flag == "--listen") {
      size_t colon = value.rfind(':');
      if (colon == std::string::npos) return Usage("--listen wants HOST:PORT");
      options.host = value.substr(0, colon);
      options.port = std::atoi(value.substr(colon + 1).c_str());
    } else if (flag == "--port-file") {
      options.port_file = value;
    } else if (flag == "--record") {
      options.record_path = value;
    } else if (flag == "--fail") {
      size_t equals = value.find('=');
      Failure failure;
      if (equals == std::string::npos ||
          !ParseFailure(value.substr(0, equals), value.substr(equals + 1), &failure)) {
        return Usage("--fail wants N=KIND, not '" + value + "'");
      }
      options.failures.push_back(failure);
    } else if (flag == "--app-public-key") {
      if (!ReadWholeFile(value, &options.app_public_key_pem)) return Usage("cannot read " + value);
    } else if (flag == "--app-id") {
      options.app_id = value;
    } else if (flag == "--token") {
      options.token = value;
    } else if (flag == "--token-ttl") {
      options.token_ttl_seconds = std::atoll(value.c_str());
    } else {
      return Usage("unknown flag " + flag);
    }
  }
  if (options.port_file.empty()) return Usage("--port-file is required");
  return Serve(options);
}

}  // namespace
}  // namespace fake_github

int main(int argc, char** argv) {
  return fake_github::Main(argc, argv);
}
