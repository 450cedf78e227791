#pragma once

// The `starlog` subcommands. Each lives in its own cmd_*.cc file and returns
// its CommandSpec; RunCli dispatches.

#include <string>
#include <vector>

#include "cli/args.h"

namespace starlog::cli {

CommandSpec CreateCommand();
CommandSpec InfoCommand();
CommandSpec LogCommand();
CommandSpec CreateCollectionCommand();
CommandSpec RemoveCollectionCommand();
CommandSpec RemoveCollectionsCommand();
CommandSpec RegisterDatasetTypeCommand();
CommandSpec RemoveDatasetTypeCommand();
CommandSpec InsertDimensionRecordsCommand();
CommandSpec RegisterDatasetsCommand();
CommandSpec RemoveRunsCommand();
CommandSpec CollectionChainCommand();
CommandSpec AssociateCommand();
CommandSpec DisassociateCommand();
CommandSpec CertifyCalibrationsCommand();
CommandSpec DecertifyCalibrationsCommand();
CommandSpec PruneDatasetsCommand();
CommandSpec QueryCollectionsCommand();
CommandSpec QueryDatasetTypesCommand();
CommandSpec QueryDatasetsCommand();
CommandSpec QueryDataIdsCommand();
CommandSpec DefineVisitsCommand();
CommandSpec QueryDimensionRecordsCommand();
CommandSpec FindDatasetCommand();
CommandSpec PackCommand();
CommandSpec UnpackCommand();
CommandSpec SnapshotCommand();
CommandSpec DigestCommand();
CommandSpec RebuildCommand();
CommandSpec RepairCommand();
CommandSpec DiffCommand();
CommandSpec WaitCommand();
CommandSpec ServeCommand();
CommandSpec UserCommand();
CommandSpec ReplicateCommand();
CommandSpec StatusCommand();
CommandSpec VerifyCommand();
CommandSpec IngestCommand();
CommandSpec FsckCommand();
CommandSpec LinkCommand();
CommandSpec ExportCommand();
CommandSpec ImportCommand();
CommandSpec TransferCommand();
CommandSpec PolicyCommand();
CommandSpec CheckConventionsCommand();
CommandSpec CompletionCommand();

const std::vector<CommandSpec>& AllCommands();

// Runs `starlog ARGS...` ("args" excludes the program name). Returns the exit
// code: 0 on success, 1 when the command failed, 2 for a usage error.
int RunCli(const std::vector<std::string>& args, Io& io);

}  // namespace starlog::cli
