#include "cli/file_writer.h"

#include <filesystem>
#include <string>
#include <vector>

#include "cli/common.h"

namespace starlog::cli {

namespace {

service::PlaceMode PlaceModeOf(ingest::TransferMode mode) {
  switch (mode) {
    case ingest::TransferMode::kCopy:
      return service::PlaceMode::kCopy;
    case ingest::TransferMode::kMove:
      return service::PlaceMode::kMove;
    case ingest::TransferMode::kDirect:
      return service::PlaceMode::kDirect;
    case ingest::TransferMode::kHardlink:
      return service::PlaceMode::kHardlink;
    case ingest::TransferMode::kSymlink:
      return service::PlaceMode::kSymlink;
    case ingest::TransferMode::kRelsymlink:
      return service::PlaceMode::kRelsymlink;
  }
  return service::PlaceMode::kCopy;
}

// A batch through the service: the files named by their sources, which
// Client::Place opens here; the service's answer as the local sink's.
ingest::FileSink ServiceSink(std::shared_ptr<service::Writer> writer, std::string root) {
  return [writer, root](ingest::FileBatch batch) -> Result<ingest::BatchResult> {
    service::PlaceRequest request;
    request.events = std::move(batch.bodies);
    request.mode = PlaceModeOf(batch.mode);
    request.all_or_nothing = batch.all_or_nothing;
    std::vector<std::string> sources;
    const bool link = batch.mode == ingest::TransferMode::kSymlink ||
                      batch.mode == ingest::TransferMode::kRelsymlink;
    for (const ingest::BatchFile& f : batch.files) {
      std::error_code ec;
      const std::string absolute = link ? std::filesystem::absolute(f.source, ec).string() : "";
      service::PlaceFile file;
      for (const ingest::BatchEntry& e : f.entries) {
        file.entries.push_back({static_cast<uint32_t>(e.event), static_cast<uint32_t>(e.entry)});
      }
      file.path = f.relative;
      file.source = absolute;
      request.files.push_back(std::move(file));
      sources.push_back(f.source);
    }
    STARLOG_ASSIGN_OR_RETURN(service::PlaceReply reply,
                             writer->Place(std::move(request), sources, batch.progress));
    ingest::BatchResult out;
    std::vector<bool> skipped(batch.files.size(), false);
    for (const service::PlaceSkip& s : reply.skipped) {
      if (s.file >= batch.files.size() || skipped[s.file]) {
        return Status::Corruption("the service left out a file the request did not hold");
      }
      skipped[s.file] = true;
      out.skipped.push_back({batch.files[s.file].source, s.reason});
    }
    out.placed = batch.files.size() - out.skipped.size();
    for (size_t i = 0; i < batch.files.size(); ++i) {
      if (!skipped[i]) out.datasets += batch.files[i].entries.size();
    }
    if (reply.result.appended()) {
      out.first_event = reply.result.first;
      out.last_event = reply.result.head.sequence;
    }
    if (batch.mode == ingest::TransferMode::kMove) {
      // The service copied; the registration is durable: the sources go,
      // but never the file now registered (a source given inside the root).
      for (size_t i = 0; i < batch.files.size(); ++i) {
        std::error_code ec;
        const auto target = std::filesystem::path(root) / batch.files[i].relative;
        if (skipped[i] || std::filesystem::equivalent(batch.files[i].source, target, ec)) continue;
        std::filesystem::remove(batch.files[i].source, ec);  // Best effort, as a local move's.
      }
    }
    return out;
  };
}

}  // namespace

Result<FileWriter> OpenFileWriter(const ParsedArgs& args, Io& io) {
  FileWriter out;
  const std::string root = args.positional(0);
  if (args.Has("read-only")) {
    STARLOG_ASSIGN_OR_RETURN(out.store, OpenForWrite(args, &io.err));
    out.sink = ingest::LocalFileSink(*out.store, ActingUser(args));
    return out;
  }
  STARLOG_ASSIGN_OR_RETURN(out.writer, OpenServiceWriter(args, io));
  if (!out.writer->through_service()) {
    out.store = out.writer->store();
    const service::Writer& w = *out.writer;
    const engine::Actor actor =
        args.Has("act-for") ? engine::Actor(args.GetOr("act-for", ""), w.user()) : w.user();
    out.sink = ingest::LocalFileSink(*out.store, actor);
    return out;
  }
  engine::StoreOptions follow;
  follow.follow = true;
  auto store = engine::EventStore::Open(root, follow);
  if (!store.ok()) {
    // A reader that may not take the followers' lock reads what is there
    // now; each batch is then planned against it, and the service refuses
    // what a later commit made stale.
    STARLOG_ASSIGN_OR_RETURN(store, OpenForRead(args));
  }
  out.store = std::move(*store);
  out.sink = ServiceSink(out.writer, root);
  return out;
}

}  // namespace starlog::cli
