#pragma once

// For replication tests: a primary with dataset files on disk, a server
// running in a thread on a real loopback port, and checks that a replica is
// its primary's copy event by event.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "starlog/engine/artifact_files.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/engine/event_store.h"
#include "starlog/replication/replicator.h"
#include "starlog/replication/server.h"
#include "tests/testutil/registry_fixture.h"

namespace starlog::testutil {

inline const std::string kKey = "a shared key for tests, 0123456789";

// Writes a file for raw (exposure, detector) under the primary's root and
// registers the dataset with it as its artifact. Returns the artifact.
inline codec::Artifact AddRawWithFile(RegistryFixture& primary, const std::string& run,
                                      int64_t exposure, int64_t detector,
                                      const std::string& contents) {
  const std::string path = "raw/" + std::to_string(exposure) + "/raw_" + std::to_string(exposure) +
                           "_" + std::to_string(detector) + ".fits";
  std::filesystem::create_directories(primary.root() + "/raw/" + std::to_string(exposure));
  std::ofstream(primary.root() + "/" + path, std::ios::binary) << contents;
  codec::Artifact artifact = engine::DescribeFile(primary.root(), path).value();
  const codec::FieldMap id = RegistryFixture::RawId(exposure, detector);
  const codec::Uuid uuid = engine::DeterministicDatasetId("raw", id, run);
  primary.Append(codec::RegisterDatasets{run, "raw", {codec::DatasetEntry{uuid, id, artifact}}});
  return artifact;
}

// A Server on 127.0.0.1:<free port>, run in a thread until destruction.
class ServerThread {
 public:
  explicit ServerThread(const std::string& root, replication::ServerOptions options = {}) {
    options.root = root;
    if (options.listen.empty()) options.listen = "127.0.0.1:0";
    if (options.key.empty()) options.key = kKey;
    options.log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mu_);
      log_.push_back(line);
    };
    server_ = replication::Server::Start(options).value();
    thread_ = std::thread([this] { server_->Run(); });
  }
  ~ServerThread() {
    server_->Stop();
    thread_.join();
  }
  std::string address() const { return server_->address(); }
  replication::Server& server() { return *server_; }
  // Whether some log line contains "text", waiting a little for it: the
  // server logs a refusal after sending it, so the peer may hear it first.
  bool Logged(const std::string& text) const {
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < until) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (const std::string& line : log_) {
          if (line.find(text) != std::string::npos) return true;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
  }
  std::string Log() const {
    std::lock_guard<std::mutex> lock(mu_);
    std::string all;
    for (const std::string& line : log_) all += line + "\n";
    return all;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> log_;
  std::unique_ptr<replication::Server> server_;
  std::thread thread_;
};

inline replication::ReplicateOptions ReplicaOptions(const std::string& root,
                                                    const std::string& from) {
  replication::ReplicateOptions options;
  options.root = root;
  options.from = from;
  options.key = kKey;
  options.sync = false;
  options.retries = 0;
  options.timeout = std::chrono::milliseconds(10'000);
  return options;
}

inline std::unique_ptr<engine::EventStore> OpenReadOnly(const std::string& root) {
  engine::StoreOptions options;
  options.read_only = true;
  return engine::EventStore::Open(root, options).value();
}

// The replica holds exactly the primary's log: the same point (chain hash,
// state digest, commit time) after every event, and the same state digest
// recomputed from its own indexes.
inline void RequireSameLog(const engine::EventStore& primary, const std::string& replica_root) {
  auto replica = OpenReadOnly(replica_root);
  REQUIRE(replica->is_replica());
  REQUIRE(replica->repository_id() == primary.repository_id());
  REQUIRE(replica->head().sequence == primary.head().sequence);
  for (uint64_t s = 1; s <= primary.head().sequence; ++s) {
    const engine::Head a = primary.HeadAt(s).value();
    const engine::Head b = replica->HeadAt(s).value();
    INFO("event " << s);
    REQUIRE(a.chain_hash == b.chain_hash);
    REQUIRE(a.state_digest == b.state_digest);
    REQUIRE(a.commit_time_ns == b.commit_time_ns);
  }
  REQUIRE(replica->VerifyLog().ok());
  REQUIRE(replica->ComputeStateDigest().value().total == primary.head().state_digest);
}

inline std::string ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace starlog::testutil
