#pragma once

// A repository with the records of a small HSC-like camera, for registry
// tests: instrument HSC (detectors 0-3), bands r and i, filters HSC-R and
// HSC-I, exposures 100 and 101 (science) and 200 (bias), dataset types raw,
// bias and flat, and the RUN collection HSC/raw/all.

#include <memory>
#include <string>

#include "starlog/engine/event_store.h"
#include "tests/testutil/temp_dir.h"

namespace starlog::testutil {

class RegistryFixture {
 public:
  RegistryFixture();

  engine::EventStore& store() { return *store_; }
  // Closes the store (to rebuild it, say); the folder stays until destruction.
  void Close() { store_.reset(); }
  // Closes and opens the store again; closing flushes RocksDB's memtables, so
  // what was written before lives in table files after.
  void Reopen();
  const std::string& root() const { return dir_.path(); }
  uint64_t head() const { return store_->head().sequence; }

  // Appends and REQUIREs success.
  engine::Head Append(codec::EventBody body, const std::string& actor = "tester");
  // Appends and returns the status; REQUIREs that a failure changed nothing.
  Status TryAppend(codec::EventBody body, const std::string& actor = "tester");

  engine::RegistryView View(uint64_t as_of = engine::kAtHead);

  void CreateCollection(const std::string& name, codec::CollectionType type);
  void SetChain(const std::string& name, const std::vector<std::string>& children);
  // Registers one raw (deterministic id) in "run" and returns its id.
  codec::Uuid AddRaw(const std::string& run, int64_t exposure, int64_t detector);
  codec::Uuid AddBias(const std::string& run, int64_t detector);

  static codec::FieldMap RawId(int64_t exposure, int64_t detector);
  static codec::FieldMap BiasId(int64_t detector);

 private:
  TempDir dir_;
  std::unique_ptr<engine::EventStore> store_;
};

}  // namespace starlog::testutil
