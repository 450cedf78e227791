#include "starlog/ingest/file_batch.h"

#include <set>
#include <utility>

namespace starlog::ingest {

namespace {

// Leaves out the dataset entries in "dropped", and
// the RegisterDatasets events that are left with none.
void DropEntries(std::vector<codec::EventBody>& bodies, const std::set<BatchEntry>& dropped) {
  for (auto it = dropped.rbegin(); it != dropped.rend(); ++it) {
    auto& datasets = std::get<codec::RegisterDatasets>(bodies[it->event]).datasets;
    datasets.erase(datasets.begin() + static_cast<std::ptrdiff_t>(it->entry));
  }
  std::erase_if(bodies, [](const codec::EventBody& body) {
    const auto* r = std::get_if<codec::RegisterDatasets>(&body);
    return r != nullptr && r->datasets.empty();
  });
}

Result<BatchResult> PlaceAndAppend(engine::EventStore& store, FileBatch batch,
                                   const engine::Actor& actor) {
  BatchResult result;
  std::vector<Placed> placed;
  const auto undo = [&] { UndoPlaced(placed); };
  std::set<BatchEntry> dropped;
  for (const BatchFile& f : batch.files) {
    auto where = PlaceFile(f.source, store.root(), f.relative, batch.mode);
    if (!where.ok()) {
      if (batch.all_or_nothing) {
        undo();
        return where.status();
      }
      result.skipped.push_back({f.source, std::string(where.status().message())});
      dropped.insert(f.entries.begin(), f.entries.end());
      continue;
    }
    placed.push_back(*where);
    if (batch.progress) batch.progress(placed.size() + result.skipped.size(), batch.files.size());
    for (const BatchEntry& e : f.entries) {
      codec::DatasetEntry& entry =
          std::get<codec::RegisterDatasets>(batch.bodies.at(e.event)).datasets.at(e.entry);
      if (auto changed = codec::PlacedMismatch(entry, where->artifact)) {
        undo();
        return Status::Corruption(f.source + " " + *changed);
      }
      codec::SetPlacedArtifact(entry, where->artifact);
    }
    result.datasets += f.entries.size();
  }
  result.placed = placed.size();
  if (!batch.all_or_nothing && placed.empty()) return result;
  DropEntries(batch.bodies, dropped);
  const uint64_t before = store.head().sequence;
  auto head = store.AppendAll(std::move(batch.bodies), actor);
  if (!head.ok()) {
    undo();
    return head.status();
  }
  for (const Placed& p : placed) CommitPlace(p);
  if (head->sequence > before) {
    result.first_event = before + 1;
    result.last_event = head->sequence;
  }
  return result;
}

}  // namespace

FileSink LocalFileSink(engine::EventStore& store, engine::Actor actor) {
  return [&store, actor = std::move(actor)](FileBatch batch) {
    return PlaceAndAppend(store, std::move(batch), actor);
  };
}

}  // namespace starlog::ingest
