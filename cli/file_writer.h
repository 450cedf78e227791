#pragma once

// How ingest and import put files into the repository: through the
// repository's service, by descriptor, or in this process.

#include <memory>

#include "cli/args.h"
#include "starlog/engine/event_store.h"
#include "starlog/ingest/file_batch.h"
#include "starlog/service/writer.h"

namespace starlog::cli {

// Where a command that places files (ingest, import) reads the registry and
// puts the files: the writer Submit would choose. Through the service,
// "store" follows the repository read-only (Refresh() brings in the
// service's commits) and "sink" hands each file to the service as an open
// descriptor (service::Writer::Place; the service places it as its own
// account; a moved source is removed here once the service answered);
// else "store" is this process's writer and "sink" places the files here.
struct FileWriter {
  std::shared_ptr<service::Writer> writer;  // Null with --read-only.
  std::shared_ptr<engine::EventStore> store;
  ingest::FileSink sink;
  bool through_service() const { return writer != nullptr && writer->through_service(); }
};
Result<FileWriter> OpenFileWriter(const ParsedArgs& args, Io& io);

}  // namespace starlog::cli
