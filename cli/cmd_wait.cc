#include "cli/commands.h"
#include "cli/common.h"
#include "cli/dataset_output.h"
#include "cli/reader.h"

namespace starlog::cli {

namespace {

Result<std::chrono::milliseconds> ParseDuration(const std::string& text) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (...) {
    used = 0;
  }
  const std::string unit = text.substr(used);
  double ms_per = 0;
  if (unit == "ms") ms_per = 1;
  if (unit == "s" || unit.empty()) ms_per = 1000;
  if (unit == "m" || unit == "min") ms_per = 60'000;
  if (unit == "h") ms_per = 3'600'000;
  if (used == 0 || ms_per == 0 || value < 0 || value > 1e9) {
    return UsageError("not a duration: '" + text + "' (e.g. 120s, 500ms, 2m)");
  }
  return std::chrono::milliseconds(static_cast<int64_t>(value * ms_per));
}

Status Run(const ParsedArgs& args, Io& io) {
  auto type = args.Get("dataset-type");
  if (!type) return UsageError("give --dataset-type");
  STARLOG_ASSIGN_OR_RETURN(auto collections, Collections(args));
  STARLOG_ASSIGN_OR_RETURN(auto timeout, ParseDuration(args.GetOr("timeout", "120s")));
  STARLOG_ASSIGN_OR_RETURN(auto time, TimeSpanOption(args));
  STARLOG_ASSIGN_OR_RETURN(auto reader, Reader::Open(args, Reader::Mode::kFollow));
  STARLOG_ASSIGN_OR_RETURN(auto data_id, reader->universe().ParseFields(args.GetOr("data-id", "")));
  STARLOG_ASSIGN_OR_RETURN(auto ref,
                           reader->WaitForDataset(*type, data_id, collections, time, timeout));
  PrintDatasets({ref}, reader->universe(), args.Has("json"), io);
  return Status::OK();
}

}  // namespace

CommandSpec WaitCommand() {
  return {
      .name = "wait",
      .summary = "block until a dataset is registered, or time out",
      .description =
          "For prompt processing: returns as soon as find-dataset would find the dataset,\n"
          "woken by new events in the log (not by polling the indexes), or fails with a\n"
          "time-out error and a non-zero exit after --timeout.",
      .positionals = {{"PATH", "repository folder"}},
      .options = {{"dataset-type", "T", "dataset type awaited"},
                  {"data-id", "K=V,...", "its data ID"},
                  CollectionsOption(),
                  TimeOption(),
                  TimespanOption(),
                  {"timeout", "DURATION",
                   "how long to wait, e.g. 120s (default), 500ms, 2m (through a service, at "
                   "most 1h)"},
                  ReadServiceOption(),
                  JsonOption()},
      .examples = {"starlog wait repo --dataset-type raw --data-id "
                   "instrument=LATISS,exposure=2024030100042,detector=0 --collections "
                   "LATISS/raw/all --timeout 120s"},
      .run = Run,
  };
}

}  // namespace starlog::cli
