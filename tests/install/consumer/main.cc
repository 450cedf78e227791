// Creates a repository and writes to it through service::Writer, as a
// program outside starlog's tree would.
#include <iostream>

#include "starlog/engine/edits.h"
#include "starlog/engine/event_store.h"
#include "starlog/service/writer.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  namespace engine = starlog::engine;
  engine::CreateOptions options;
  options.actor = "consumer";
  auto created = engine::EventStore::Create(argv[1], options);
  if (!created.ok()) {
    std::cerr << created.status().ToString() << "\n";
    return 1;
  }
  created.value().reset();  // Let go of the lock: the writer opens it again.
  auto writer = starlog::service::Writer::Open(argv[1], {});
  if (!writer.ok()) {
    std::cerr << writer.status().ToString() << "\n";
    return 1;
  }
  auto result = (*writer)->Apply(
      engine::EnsureCollectionEdit{"consumer/run", starlog::codec::CollectionType::kRun, "doc"});
  if (!result.ok()) {
    std::cerr << result.status().ToString() << "\n";
    return 1;
  }
  std::cout << "consumer/run created at event " << result->head.sequence << "\n";
  return 0;
}
