// Test helper (not part of the module's interface): runs tests/fake_github's `fake-github` as a
// child process on a free port and reads what it recorded.
#pragma once

#include <httplib.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/base.h"

namespace zooci::github_testing {

class FakeGitHubProcess {
 public:
  // Starts fake-github with `args` added to --listen, --port-file and --record; fails the
  // current test (returns nullptr) when it does not come up within 10 s.
  static std::unique_ptr<FakeGitHubProcess> Start(const std::vector<std::string>& args = {}) {
    auto fake = std::unique_ptr<FakeGitHubProcess>(new FakeGitHubProcess());
    auto dir = TempDir::Create("fake-github");
    if (!dir.ok()) {
      ADD_FAILURE() << dir.error().message();
      return nullptr;
    }
    fake->dir_ = std::make_unique<TempDir>(std::move(dir).value());
    const fs::path port_file = fake->dir_->path() / "port";
    fake->record_ = fake->dir_->path() / "requests.jsonl";
    ChildProcess::Options options;
    options.argv = {std::string(ZOOCI_BINARY_DIR) + "/fake-github",
                    "--listen",
                    "127.0.0.1:0",
                    "--port-file",
                    port_file.string(),
                    "--record",
                    fake->record_.string()};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    auto child = ChildProcess::Spawn(options);
    if (!child.ok()) {
      ADD_FAILURE() << child.error().message();
      return nullptr;
    }
    fake->child_ = std::move(child).value();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      auto port = ReadFile(port_file);
      if (port.ok() && !Trim(*port).empty()) {
        fake->port_ = std::stoi(std::string(Trim(*port)));
        return fake;
      }
      if (auto exit = fake->child_->TryReap()) {
        ADD_FAILURE() << "fake-github exited: " << exit->Describe();
        return nullptr;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "fake-github did not write its port within 10 s";
    return nullptr;
  }

  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int port() const { return port_; }

  // The requests recorded so far (the --record file, one JSON object per line).
  std::vector<nlohmann::json> Records() const {
    std::vector<nlohmann::json> records;
    std::ifstream in(record_);
    std::string line;
    while (std::getline(in, line)) {
      if (!line.empty()) records.push_back(nlohmann::json::parse(line));
    }
    return records;
  }

  // GET /_fake/state: check runs, statuses, comments and annotations.
  nlohmann::json State() const { return nlohmann::json::parse(Get("/_fake/state")); }

  std::string Get(const std::string& path) const {
    httplib::Client client("127.0.0.1", port_);
    auto response = client.Get(path.c_str());
    EXPECT_TRUE(response) << "GET " << path;
    return response ? response->body : "{}";
  }

  // POST to a control endpoint ("/_fake/clock?advance=60", "/_fake/fail?count=1&kind=401").
  void Control(const std::string& path_and_query, const std::string& method = "POST",
               const std::string& body = "") const {
    httplib::Client client("127.0.0.1", port_);
    auto response = method == "PUT" ? client.Put(path_and_query.c_str(), body, "application/json")
                                    : client.Post(path_and_query.c_str());
    EXPECT_TRUE(response && response->status == 200) << method << " " << path_and_query;
  }

 private:
  FakeGitHubProcess() = default;
  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<ChildProcess> child_;  // killed by its destructor
  fs::path record_;
  int port_ = 0;
};

}  // namespace zooci::github_testing
