// Test helper: opens the repository given as argv[1] for writing, prints
// "ready", then appends create-collection events until it is killed. Used by
// the crash test (SIGKILL at random moments) and the second-writer test.

#include <iostream>

#include "starlog/engine/event_store.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: crash_writer REPOSITORY\n";
    return 2;
  }
  starlog::engine::StoreOptions options;
  options.sync = false;  // SIGKILL spares the page cache; this is a process crash.
  auto store = starlog::engine::EventStore::Open(argv[1], options);
  if (!store.ok()) {
    std::cerr << store.status().ToString() << "\n";
    return 1;
  }
  std::cout << "ready" << std::endl;
  while (true) {
    const uint64_t next = (*store)->head().sequence + 1;
    starlog::codec::CreateCollection e{"crash/c" + std::to_string(next),
                                       starlog::codec::CollectionType::kRun,
                                       "written by crash_writer"};
    auto head = (*store)->Append(e, "crash-writer");
    if (!head.ok()) {
      std::cerr << head.status().ToString() << "\n";
      return 1;
    }
  }
}
