#include "cli/ingest_options.h"

#include "cli/common.h"
#include "starlog/ingest/builtin_translators.h"

namespace starlog::cli {

std::vector<OptionSpec> TranslatorOptionSpecs(std::vector<OptionSpec> more) {
  std::vector<OptionSpec> options = {
      {"run", "RUN", "the RUN collection to ingest into (created if missing)"},
      {"translator", "FILE", "translator rules for an instrument", true},
      {"instrument", "NAME",
       "a built-in translator: DECam, HSC, SuprimeCam, MegaPrime, SDSS, LSSTCam, "
       "LSSTComCam, LATISS (without --translator or --instrument: all of them)",
       true},
      {"dataset-type", "T", "register as this dataset type, not the translator's"},
      {"corrections", "DIR", "a folder of per-observation correction files, INSTRUMENT-OBSID.yaml",
       true},
      {"misc", "DIR", "move files no translator recognises into DIR"},
      {"update-records", "",
       "replace dimension records a file describes differently (an admin's), "
       "instead of skipping it as a conflict"}};
  for (OptionSpec& o : more) options.push_back(std::move(o));
  return options;
}

Result<ingest::IngestOptions> TranslatorOptionsFromArgs(const ParsedArgs& args) {
  ingest::IngestOptions options;
  auto run = args.Get("run");
  if (!run) return UsageError("give --run RUN (the RUN collection to ingest into)");
  options.run = *run;
  options.actor = ActingUser(args);
  options.dataset_type = args.GetOr("dataset-type", "");
  options.update_records = args.Has("update-records");
  options.corrections = args.GetAll("corrections");
  options.misc_dir = args.GetOr("misc", "");
  // Translator files first, then the built-in instruments named; neither:
  // every built-in one, chosen by matching each file's header.
  for (const std::string& file : args.GetAll("translator")) {
    STARLOG_ASSIGN_OR_RETURN(std::string text, ReadInput(file));
    STARLOG_ASSIGN_OR_RETURN(ingest::Translator t, ingest::ParseTranslator(text, file));
    options.translators.push_back(std::move(t));
  }
  for (const std::string& name : args.GetAll("instrument")) {
    auto t = ingest::BuiltinTranslator(name);
    if (!t.ok()) return UsageError(std::string(t.status().message()));
    options.translators.push_back(std::move(*t));
  }
  if (options.translators.empty()) {
    STARLOG_ASSIGN_OR_RETURN(options.translators, ingest::BuiltinTranslators());
  }
  return options;
}

}  // namespace starlog::cli
