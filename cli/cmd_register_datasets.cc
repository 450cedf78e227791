#include <algorithm>
#include <cctype>

#include "cli/commands.h"
#include "cli/common.h"
#include "starlog/engine/artifact_files.h"
#include "starlog/engine/dataset_ids.h"
#include "starlog/ingest/text_rows.h"

namespace starlog::cli {

namespace {

// --id-mode in starlog's words, or --id-generation-mode in the butler's.
Result<engine::DatasetIdMode> IdMode(const ParsedArgs& args) {
  if (auto butler = args.Get("id-generation-mode")) {
    if (args.Has("id-mode")) return UsageError("give --id-mode or --id-generation-mode, not both");
    std::string mode = *butler;
    std::transform(mode.begin(), mode.end(), mode.begin(),
                   [](unsigned char c) { return std::toupper(c); });
    if (mode == "UNIQUE") return engine::DatasetIdMode::kRandom;
    if (mode == "DATAID_TYPE") return engine::DatasetIdMode::kDataIdType;
    if (mode == "DATAID_TYPE_RUN") return engine::DatasetIdMode::kDataIdTypeRun;
    return UsageError("unknown --id-generation-mode '" + *butler +
                      "'; use UNIQUE, DATAID_TYPE or DATAID_TYPE_RUN");
  }
  const std::string mode = args.GetOr("id-mode", "unique");
  if (mode == "unique") return engine::DatasetIdMode::kRandom;
  if (mode == "datatype") return engine::DatasetIdMode::kDataIdType;
  if (mode == "datatype-run") return engine::DatasetIdMode::kDataIdTypeRun;
  return UsageError("unknown --id-mode '" + mode + "'; use unique, datatype or datatype-run");
}

// Each row's file, described (its size and checksum read) before the writer
// is opened, so that its lock is not held meanwhile; nullopt for a row
// without one.
Result<std::vector<std::optional<codec::Artifact>>> Files(
    const std::string& root, const std::vector<ingest::TextRow>& rows) {
  std::vector<std::optional<codec::Artifact>> files(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    for (const auto& [column, value] : rows[i]) {
      if (column != "path" || value.empty()) continue;
      // The file must be there: what is recorded is what it holds.
      auto artifact = engine::DescribeFileInRoot(root, value);
      if (!artifact.ok()) return artifact.status().WithContext("row " + std::to_string(i + 1));
      files[i] = std::move(artifact).value();
    }
  }
  return files;
}

// The event, with each row's data ID typed by the repository's universe.
Result<codec::RegisterDatasets> Described(const engine::RegistryView& view, const std::string& type,
                                          const std::string& run, engine::DatasetIdMode mode,
                                          const std::vector<ingest::TextRow>& rows,
                                          std::vector<std::optional<codec::Artifact>> files) {
  codec::RegisterDatasets e{run, type, {}};
  for (size_t i = 0; i < rows.size(); ++i) {
    STARLOG_ASSIGN_OR_RETURN(
        auto data_id, ingest::TypeFields(view.universe(), nullptr, rows[i], {"id", "path"}, i + 1));
    codec::DatasetEntry entry;
    entry.data_id = std::move(data_id);
    entry.id = engine::MakeDatasetId(mode, type, entry.data_id, run);
    for (const auto& [column, value] : rows[i]) {
      if (column == "id") {
        STARLOG_ASSIGN_OR_RETURN(entry.id, codec::Uuid::Parse(value));
      }
    }
    entry.artifact = std::move(files[i]);
    e.datasets.push_back(std::move(entry));
  }
  return e;
}

Status Run(const ParsedArgs& args, Io& io) {
  const std::string& type = args.positional(1);
  const std::string& run = args.positional(2);
  const std::string& file = args.positional(3);
  STARLOG_ASSIGN_OR_RETURN(engine::DatasetIdMode mode, IdMode(args));
  STARLOG_ASSIGN_OR_RETURN(std::string text, ReadInput(file));
  STARLOG_ASSIGN_OR_RETURN(auto rows, ingest::ReadTextRows(text, IsJsonInput(args, file)));
  STARLOG_ASSIGN_OR_RETURN(auto files, Files(args.positional(0), rows));
  STARLOG_ASSIGN_OR_RETURN(EditTarget target, EditTarget::Open(args, io));
  STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, target.View());
  STARLOG_ASSIGN_OR_RETURN(codec::RegisterDatasets e,
                           Described(view, type, run, mode, rows, std::move(files)));
  const size_t count = e.datasets.size();
  STARLOG_ASSIGN_OR_RETURN(auto result, target.Submit(engine::AppendEdit{{std::move(e)}}));
  ReportEdit(io, result,
             "registered " + std::to_string(count) + " " + type + " datasets in " + run);
  return Status::OK();
}

}  // namespace

CommandSpec RegisterDatasetsCommand() {
  return {
      .name = "register-datasets",
      // The butler's ingest-files: a table of files and their data IDs.
      .aliases = {"ingest-files"},
      .summary = "register datasets into a RUN from CSV or JSON (no FITS needed)",
      .description =
          "Each row holds a data ID (one column per dimension of the type) and optionally\n"
          "\"path\", a file under the repository root whose size and XXH3-128 are recorded,\n"
          "and \"id\", an explicit UUID. Without \"id\" the id follows --id-mode: unique (a\n"
          "random, time-ordered UUID v7), datatype or datatype-run (the Gen3 butler's\n"
          "deterministic UUID v5, so the same dataset has the same id in both). One event\n"
          "registers the whole file, or nothing. A path is relative to the root, without\n"
          "'..' and outside .starlog/, and names a regular file; registering a dataset\n"
          "again with another file (path, size or checksum) is a conflict.",
      .positionals = {{"PATH", "repository folder"},
                      {"DATASET_TYPE", "a registered dataset type"},
                      {"RUN", "an existing RUN collection"},
                      {"FILE", "CSV or JSON file, or - for standard input"}},
      .options = {{"id-mode",
                   "MODE",
                   "unique (default), datatype or datatype-run",
                   false,
                   1,
                   {"unique", "datatype", "datatype-run"}},
                  {"id-generation-mode",
                   "MODE",
                   "the same in the butler's words: UNIQUE, DATAID_TYPE or DATAID_TYPE_RUN",
                   false,
                   1,
                   {"UNIQUE", "DATAID_TYPE", "DATAID_TYPE_RUN"}},
                  {"format",
                   "csv|json",
                   "input format (default: by the file name)",
                   false,
                   1,
                   {"csv", "json"}},
                  UserOption(),
                  NoSyncOption()},
      .examples = {"starlog register-datasets repo raw HSC/raw/all raws.csv --id-mode datatype-run",
                   "printf 'instrument,detector,path\\nHSC,1,bias/1.fits\\n' | starlog "
                   "register-datasets repo bias HSC/calib/run1 - --format csv"},
      .run = Run,
  };
}

}  // namespace starlog::cli
