#include <algorithm>

#include "cli/commands.h"
#include "cli/common.h"
#include "cli/file_writer.h"
#include "cli/ingest_options.h"
#include "cli/json_output.h"
#include "cli/progress.h"
#include "starlog/ingest/ingest.h"

namespace starlog::cli {

namespace {

Status Run(const ParsedArgs& args, Io& io) {
  STARLOG_ASSIGN_OR_RETURN(ingest::IngestOptions options, TranslatorOptionsFromArgs(args));
  const std::string mode = args.GetOr("transfer", "copy");
  auto transfer = ingest::TransferModeFromName(mode);
  if (!transfer) {
    return UsageError("unknown transfer mode '" + mode +
                      "' (direct, copy, move, hardlink, symlink, relsymlink)");
  }
  options.transfer = *transfer;
  for (const std::string& spec : args.GetAll("template")) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0) {
      return UsageError("--template wants DATASET_TYPE=TEMPLATE, got '" + spec + "'");
    }
    STARLOG_ASSIGN_OR_RETURN(auto t, ingest::FileTemplate::Parse(spec.substr(eq + 1)));
    options.templates.insert_or_assign(spec.substr(0, eq), std::move(t));
  }
  std::vector<std::string> inputs(args.positionals().begin() + 1, args.positionals().end());
  STARLOG_ASSIGN_OR_RETURN(auto files, ingest::ExpandInputs(inputs));
  STARLOG_ASSIGN_OR_RETURN(FileWriter writer, OpenFileWriter(args, io));
  // One request to the service carries at most this many descriptors; a
  // local run batches alike, so that the same command makes the same events
  // with or without a service.
  options.batch_size = std::min(options.batch_size, service::kMaxDescriptorsPerMessage);
  ingest::IngestReport report;
  {
    Progress progress(io, "ingest", "files");
    options.progress = [&](uint64_t done, uint64_t total) { progress.Update(done, total); };
    STARLOG_ASSIGN_OR_RETURN(report, ingest::Ingest(*writer.store, files, options, writer.sink));
  }
  if (args.Has("json")) {
    io.out << IngestJson(report) << "\n";
  } else {
    io.out << "ingested " << report.ingested << " of " << report.files << " files into "
           << options.run << " (" << mode << ")";
    if (report.datasets != report.ingested) io.out << " as " << report.datasets << " datasets";
    if (report.last_event != 0) {
      io.out << ", events " << report.first_event << "-" << report.last_event;
    }
    io.out << "; " << report.records_inserted << " dimension records inserted";
    if (report.already_present > 0) io.out << "; " << report.already_present << " already there";
    io.out << "\n";
    for (const auto& s : report.skipped) io.out << "skipped " << s.file << ": " << s.reason << "\n";
  }
  if (!report.skipped.empty()) {
    return Status::InvalidArgument(std::to_string(report.skipped.size()) +
                                   " files were skipped (reasons above); the rest were ingested");
  }
  return Status::OK();
}

}  // namespace

CommandSpec IngestCommand() {
  return {
      .name = "ingest",
      .summary = "register FITS files as datasets, reading data IDs from their headers",
      .description =
          "Reads each file's FITS header (plain, .gz, .Z or tile-compressed .fz) and turns\n"
          "it into a data ID and dimension records by the first translator whose match\n"
          "rule fits and whose rules it satisfies (--translator files, --instrument\n"
          "built-ins, or else every built-in one; see the README). Inserts the\n"
          "records the registry lacks, places each file by the transfer mode at its\n"
          "template's path, and registers the datasets in batches, with ids derived from\n"
          "type, data ID and run: ingesting the same file twice adds nothing. Each batch\n"
          "(the new RUN with the first, its records, its datasets) is one atomic write:\n"
          "a refused batch places no file and registers nothing. A file that\n"
          "is not FITS, matches no translator or lacks a keyword is skipped with the\n"
          "reason; the rest go on, and the exit status is 1 when any was skipped.\n"
          "A file that describes an exposure (or any record) the registry or an earlier\n"
          "file describes differently is skipped as a conflict naming both files and the\n"
          "field, unless --update-records replaces the record.\n"
          "With a service running for the repository (or --service SOCKET), this\n"
          "process reads the headers and hands each file to the service as an open\n"
          "descriptor, never as a path: the service copies it into the repository as\n"
          "its own account, checksumming what it reads, and registers it as you.\n"
          "copy and move work so (move removes the source once registered), direct\n"
          "needs the very file under the root, symlink and relsymlink a path the\n"
          "service can open too; hardlink is refused. Batches are at most 128 files\n"
          "either way. On TCP there are no descriptors: run ingest on the service's host.",
      .positionals = {{"PATH", "repository folder"},
                      {"FILES...", "FITS files, or folders to search", false, true}},
      .options = TranslatorOptionSpecs(
          {{"transfer", "MODE", "direct, copy (default), move, hardlink, symlink or relsymlink"},
           {"template", "TYPE=TEMPLATE", "file template for a dataset type, checked to be unique",
            true},
           UserOption(),
           NoSyncOption(),
           JsonOption()}),
      .examples = {"starlog ingest repo /data/incoming --run FakeCam/raw/all --translator "
                   "fakecam.cfg --transfer hardlink",
                   "starlog ingest repo /data/hsc/2013-11-02 --run HSC/raw/all --instrument HSC",
                   "starlog ingest repo /data/mixed --run raw/all --misc /data/unknown",
                   "starlog ingest repo raw1.fits raw2.fits.fz --run FakeCam/raw/all --translator "
                   "fakecam.cfg --template 'raw={run}/{datasetType}/{day_obs}/{exposure:08d}/"
                   "{instrument}_{physical_filter}_{detector:03d}'"},
      .run = Run,
  };
}

}  // namespace starlog::cli
