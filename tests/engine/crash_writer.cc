// Test helper: a real writer process for the crash, durability, follow and
// reader tests.
//
//   crash_writer REPOSITORY [--sync] [--count N] [--pause-ms MS] [--reopen] [--churn]
//
// Opens the repository for writing, prints "ready", then appends
// create-collection events, printing "wrote SEQUENCE" after each is
// acknowledged. Without --count it appends until it is killed; with it, it
// stops after N events, prints "done" and, unless killed first, exits 0.
//   --sync      make each append durable before it is acknowledged (default:
//               unsynced, which SIGKILL spares: the page cache survives it)
//   --pause-ms  sleep between appends
//   --reopen    close and reopen the repository around every append, as a
//               CLI write command does
//   --churn     after every append, flush every family and compact the log, so
//               that table files come and go under concurrent readers

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "engine/store/event_store_impl.h"
#include "starlog/engine/event_store.h"

using namespace starlog;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: crash_writer REPOSITORY [--sync] [--count N] [--pause-ms MS] [--reopen] "
                 "[--churn]\n";
    return 2;
  }
  engine::StoreOptions options;
  options.sync = false;
  long count = -1;
  int pause_ms = 0;
  bool reopen = false;
  bool churn = false;
  for (int i = 2; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--sync") options.sync = true;
    if (a == "--reopen") reopen = true;
    if (a == "--churn") churn = true;
    if (a == "--count" && i + 1 < argc) count = std::atol(argv[++i]);
    if (a == "--pause-ms" && i + 1 < argc) pause_ms = std::atoi(argv[++i]);
  }
  auto open = [&]() -> std::unique_ptr<engine::EventStore> {
    auto store = engine::EventStore::Open(argv[1], options);
    if (!store.ok()) {
      std::cerr << store.status().ToString() << "\n";
      std::exit(1);
    }
    return std::move(store).value();
  };
  std::unique_ptr<engine::EventStore> store = open();
  std::cout << "ready" << std::endl;
  for (long written = 0; count < 0 || written < count; ++written) {
    if (reopen && written > 0) {
      store.reset();
      store = open();
    }
    const uint64_t next = store->head().sequence + 1;
    codec::CreateCollection e{"crash/c" + std::to_string(next), codec::CollectionType::kRun,
                              "written by crash_writer"};
    auto head = store->Append(e, "crash-writer");
    if (!head.ok()) {
      std::cerr << head.status().ToString() << "\n";
      return 1;
    }
    std::cout << "wrote " << head->sequence << std::endl;
    if (churn) {
      Status s = static_cast<engine::EventStoreImpl*>(store.get())->TEST_FlushAndCompact();
      if (!s.ok()) {
        std::cerr << s.ToString() << "\n";
        return 1;
      }
    }
    if (pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms));
  }
  std::cout << "done" << std::endl;
  return 0;
}
