// `pack` and `unpack`: data IDs to integers and back, as the butler's
// dimension packers make them (engine/data_id_packer.h), for the ids a
// pipeline derives from them (source ids, random seeds).

#include <sstream>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/dataset_output.h"
#include "starlog/codec/numbers.h"
#include "starlog/ingest/text_rows.h"

namespace starlog::cli {

namespace {

std::vector<std::string> Dimensions(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  std::string item;
  while (std::getline(in, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

// The data IDs to pack: the DATA_ID arguments, then the rows of --file.
Result<std::vector<codec::FieldMap>> DataIds(const ParsedArgs& args, const engine::Universe& u) {
  std::vector<codec::FieldMap> out;
  for (size_t i = 2; i < args.positional_count(); ++i) {
    STARLOG_ASSIGN_OR_RETURN(auto id, AsUsageError(u.ParseFields(args.positional(i))));
    out.push_back(std::move(id));
  }
  if (auto file = args.Get("file")) {
    STARLOG_ASSIGN_OR_RETURN(std::string text, ReadInput(*file));
    STARLOG_ASSIGN_OR_RETURN(auto rows, ingest::ReadTextRows(text, IsJsonInput(args, *file)));
    for (size_t i = 0; i < rows.size(); ++i) {
      STARLOG_ASSIGN_OR_RETURN(auto id, ingest::TypeFields(u, nullptr, rows[i], {}, i + 1));
      out.push_back(std::move(id));
    }
  }
  if (out.empty()) return UsageError("give data IDs to pack, as arguments or with --file");
  return out;
}

// The fixed part (string keys: instrument, skymap) of "data_id".
codec::FieldMap FixedOf(const codec::FieldMap& data_id, const engine::Universe& u,
                        const std::vector<std::string>& keys) {
  codec::FieldMap fixed;
  for (const std::string& key : keys) {
    const engine::DimensionElement* e = u.Find(key);
    auto it = data_id.find(key);
    if (e != nullptr && e->key_type == engine::ValueType::kString && it != data_id.end()) {
      fixed.emplace(key, it->second);
    }
  }
  return fixed;
}

void PrintRows(const std::vector<codec::FieldMap>& rows, const engine::DataIdPacker& packer,
               const engine::Universe& u, const ParsedArgs& args, Io& io) {
  PrintFieldMaps(rows, u, nullptr, args.Has("json"), io);
  if (!args.Has("json")) {
    io.out << packer.bits() << " bits (" << DataIdToString(packer.fixed(), u) << ")\n";
  }
}

Status RunPack(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, ViewAt(args, *store));
  const engine::Universe& u = view.universe();
  const auto dimensions = Dimensions(args.positional(1));
  STARLOG_ASSIGN_OR_RETURN(auto keys, u.RequiredKeys(dimensions));
  STARLOG_ASSIGN_OR_RETURN(auto ids, DataIds(args, u));
  // One packer for all: the first data ID's instrument; a later one of
  // another instrument is refused by name.
  STARLOG_ASSIGN_OR_RETURN(auto packer, view.MakePacker(dimensions, FixedOf(ids.front(), u, keys)));
  std::vector<codec::FieldMap> rows;
  for (size_t i = 0; i < ids.size(); ++i) {
    auto packed_or = packer.Pack(ids[i]);
    if (!packed_or.ok()) return packed_or.status().WithContext("data ID " + std::to_string(i + 1));
    const uint64_t packed = *packed_or;
    codec::FieldMap row;
    for (const std::string& key : keys) row.emplace(key, ids[i].at(key));
    if (packed > static_cast<uint64_t>(INT64_MAX)) {
      return Status::NotSupported("packed id " + std::to_string(packed) +
                                  " is past what a signed 64-bit column holds");
    }
    row.emplace("packed", static_cast<int64_t>(packed));
    rows.push_back(std::move(row));
  }
  PrintRows(rows, packer, u, args, io);
  return Status::OK();
}

Status RunUnpack(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(auto store, OpenForRead(args));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, ViewAt(args, *store));
  const engine::Universe& u = view.universe();
  const auto dimensions = Dimensions(args.positional(1));
  if (!args.Has("fixed")) {
    return UsageError("say whose data IDs were packed with --fixed, e.g. --fixed instrument=HSC");
  }
  STARLOG_ASSIGN_OR_RETURN(auto fixed, AsUsageError(u.ParseFields(args.GetOr("fixed", ""))));
  STARLOG_ASSIGN_OR_RETURN(auto packer, view.MakePacker(dimensions, fixed));
  std::vector<codec::FieldMap> rows;
  for (size_t i = 2; i < args.positional_count(); ++i) {
    const std::optional<uint64_t> packed = codec::ParseUint(args.positional(i));
    if (!packed) return UsageError("not a packed id: '" + args.positional(i) + "'");
    auto row_or = packer.Unpack(*packed);
    if (!row_or.ok()) return row_or.status().WithContext(args.positional(i));
    codec::FieldMap row = std::move(*row_or);
    row.emplace("packed", static_cast<int64_t>(*packed));
    rows.push_back(std::move(row));
  }
  PrintRows(rows, packer, u, args, io);
  return Status::OK();
}

const char kPackingNote[] =
    "Packing is per instrument (or skymap), as the butler's: the data IDs' digits are\n"
    "their keys, each bounded by the instrument record's <key>_max (greater than every\n"
    "value) or the universe's max, detector the lowest, so for exposures\n"
    "packed = detector + detector_max * exposure. It never changes as records arrive.";

}  // namespace

CommandSpec PackCommand() {
  return {
      .name = "pack",
      .summary = "pack data IDs into integers, as the butler's dimension packers",
      .description = kPackingNote,
      .positionals = {{"PATH", "repository folder"},
                      {"DIMENSIONS", "the dimensions packed, e.g. exposure,detector"},
                      {"DATA_ID...", "data IDs, e.g. instrument=HSC,exposure=903334,detector=16",
                       true, true}},
      .options = {{"file", "FILE", "more data IDs, as CSV or JSON rows (- for standard input)"},
                  {"format", "csv|json", "input format of --file (default: by the file name)"},
                  AsOfOption(),
                  JsonOption()},
      .examples = {"starlog pack repo exposure,detector instrument=HSC,exposure=903334,detector=16",
                   "starlog pack repo visit,detector --file visits.csv --json"},
      .run = RunPack,
  };
}

CommandSpec UnpackCommand() {
  return {
      .name = "unpack",
      .summary = "turn packed integers back into data IDs",
      .description = kPackingNote,
      .positionals = {{"PATH", "repository folder"},
                      {"DIMENSIONS", "the dimensions packed, e.g. exposure,detector"},
                      {"PACKED...", "packed ids", false, true}},
      .options = {{"fixed", "K=V,...",
                   "the instrument (or skymap) packed for, e.g. instrument=HSC"},
                  AsOfOption(),
                  JsonOption()},
      .examples = {"starlog unpack repo exposure,detector 180666816 --fixed instrument=HSC"},
      .run = RunUnpack,
  };
}

}  // namespace starlog::cli
