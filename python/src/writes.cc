// Repository's writes: each builds one engine::Edit, all of it or none, and
// applies it through the repository's writer (Repository::Apply), as the
// CLI's commands build theirs.

#include <pybind11/stl.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>

#include "python/src/bindings.h"
#include "python/src/repository.h"
#include "python/src/values.h"
#include "starlog/engine/artifact_files.h"
#include "starlog/engine/dataset_ids.h"

namespace starlog::python {

namespace {

[[noreturn]] void Invalid(const std::string& message) {
  ThrowStatus(Status::InvalidArgument(message));
}

engine::EditResult Append(Repository& repo, codec::EventBody body) {
  return repo.Apply(engine::AppendEdit{{std::move(body)}});
}

engine::DatasetIdMode IdMode(const std::string& mode) {
  if (mode == "unique") return engine::DatasetIdMode::kRandom;
  if (mode == "datatype") return engine::DatasetIdMode::kDataIdType;
  if (mode == "datatype-run") return engine::DatasetIdMode::kDataIdTypeRun;
  Invalid("unknown id_mode '" + mode + "'; use unique, datatype or datatype-run");
}

codec::CollectionType CollectionType(const std::string& name) {
  auto type = codec::CollectionTypeFromName(name);
  if (!type) {
    Invalid("unknown collection type '" + name + "'; use RUN, TAGGED, CHAINED or CALIBRATION");
  }
  return *type;
}

std::vector<codec::Uuid> Ids(py::handle refs) {
  std::vector<codec::Uuid> out;
  for (py::handle r : refs) out.push_back(ToUuid(r));
  return out;
}

std::vector<std::string> EditChain(Repository& repo, const std::string& chain,
                                   engine::ChainEdit edit, py::handle names, const std::string& doc,
                                   bool flatten) {
  engine::ChainEditEdit e{chain, edit, ToStrings(names), doc, flatten};
  return repo.Apply(e).names;
}

py::list RegisterDatasets(Repository& repo, const std::string& dataset_type, const std::string& run,
                          py::handle data_ids, py::handle paths, const std::string& id_mode,
                          py::handle ids) {
  const engine::DatasetIdMode mode = IdMode(id_mode);
  std::vector<codec::FieldMap> rows = ToRows(data_ids);
  std::vector<std::optional<std::string>> files(rows.size());
  if (!paths.is_none()) {
    size_t i = 0;
    for (py::handle p : paths) {
      if (i == rows.size()) break;
      if (!p.is_none()) files[i] = py::str(p).cast<std::string>();
      ++i;
    }
    if (i != rows.size() || py::len(paths) != rows.size()) {
      Invalid("paths has " + std::to_string(py::len(paths)) + " entries for " +
              std::to_string(rows.size()) + " data IDs");
    }
  }
  std::vector<std::optional<codec::Uuid>> given(rows.size());
  if (!ids.is_none()) {
    if (py::len(ids) != rows.size()) {
      Invalid("ids has " + std::to_string(py::len(ids)) + " entries for " +
              std::to_string(rows.size()) + " data IDs");
    }
    size_t i = 0;
    for (py::handle id : ids) {
      if (!id.is_none()) given[i] = ToUuid(id);
      ++i;
    }
  }
  const std::string root = repo.root();
  codec::RegisterDatasets e{run, dataset_type, {}};
  // Ids and file checksums are computed without the GIL: hashing reads every file.
  Check(NoGil([&]() -> Status {
    e.datasets.reserve(rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      codec::DatasetEntry entry;
      entry.data_id = std::move(rows[i]);
      entry.id =
          given[i] ? *given[i] : engine::MakeDatasetId(mode, dataset_type, entry.data_id, run);
      if (files[i] && !files[i]->empty()) {
        auto artifact = engine::DescribeFileInRoot(root, *files[i]);
        if (!artifact.ok()) return artifact.status().WithContext("row " + std::to_string(i + 1));
        entry.artifact = std::move(artifact).value();
      }
      e.datasets.push_back(std::move(entry));
    }
    return Status::OK();
  }));
  std::vector<engine::DatasetRef> refs;
  refs.reserve(e.datasets.size());
  for (const auto& d : e.datasets) {
    refs.push_back({d.id, dataset_type, run, d.data_id, d.artifact, run, std::nullopt});
  }
  Append(repo, std::move(e));
  py::list out;
  for (auto& r : refs) out.append(py::cast(std::move(r)));
  return out;
}

void Certify(Repository& repo, const std::string& collection, py::handle refs,
             py::handle timespan) {
  const codec::Timespan span = ToTimespan(timespan);
  // One Certify event per dataset type, all in one edit.
  std::map<std::string, codec::Certify> by_type;
  std::vector<codec::Uuid> unknown;
  for (py::handle r : refs) {
    if (py::isinstance<engine::DatasetRef>(r)) {
      const auto& ref = r.cast<const engine::DatasetRef&>();
      auto& e =
          by_type.try_emplace(ref.dataset_type, codec::Certify{collection, ref.dataset_type, {}})
              .first->second;
      e.entries.push_back({ref.id, span});
    } else {
      unknown.push_back(ToUuid(r));
    }
  }
  if (!unknown.empty()) {
    std::shared_ptr<ViewSource> view = repo.ViewAt(py::none()).source;
    auto types = Unwrap(NoGil([&]() -> Result<std::vector<std::string>> {
      STARLOG_ASSIGN_OR_RETURN(auto refs, view->GetDatasets(unknown));
      std::vector<std::string> out;
      for (size_t i = 0; i < refs.size(); ++i) {
        if (!refs[i]) return Status::NotFound("no dataset with id " + unknown[i].ToString());
        out.push_back(refs[i]->dataset_type);
      }
      return out;
    }));
    for (size_t i = 0; i < unknown.size(); ++i) {
      auto& e =
          by_type.try_emplace(types[i], codec::Certify{collection, types[i], {}}).first->second;
      e.entries.push_back({unknown[i], span});
    }
  }
  if (by_type.empty()) Invalid("certify: no datasets given");
  engine::AppendEdit edit;
  for (auto& [type, e] : by_type) edit.bodies.push_back(std::move(e));
  repo.Apply(edit);
}

// For python/bench/python_bench.py: register_datasets' work done in C++
// alone from rows converted beforehand, "batch" datasets an edit, timed.
double TimeRegisterDatasetsInCxx(Repository& repo, const std::string& dataset_type,
                                 const std::string& run, py::handle data_ids, size_t batch) {
  const std::vector<codec::FieldMap> rows = ToRows(data_ids);
  std::shared_ptr<engine::EventStore> store = repo.Store();
  std::shared_ptr<service::Writer> writer = repo.writer();
  if (writer == nullptr) ThrowStatus(Status::PermissionDenied("open for writing to time writes"));
  return Unwrap(NoGil([&]() -> Result<double> {
    const auto start = std::chrono::steady_clock::now();
    for (size_t i = 0; i < rows.size(); i += batch) {
      codec::RegisterDatasets e{run, dataset_type, {}};
      for (size_t j = i; j < std::min(rows.size(), i + batch); ++j) {
        e.datasets.push_back(
            {engine::MakeDatasetId(engine::DatasetIdMode::kRandom, dataset_type, rows[j], run),
             rows[j], std::nullopt});
      }
      STARLOG_RETURN_IF_ERROR(writer->Apply(engine::AppendEdit{{std::move(e)}}).status());
    }
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }));
}

}  // namespace

void RegisterWrites(py::class_<Repository, std::shared_ptr<Repository>>& cls) {
  cls.def_static("_time_register_datasets_in_cxx", &TimeRegisterDatasetsInCxx);
  cls.def(
         "register_dataset_type",
         [](Repository& r, const std::string& name, py::handle dimensions,
            const std::string& storage_class, bool is_calibration) {
           // Stored as the butler's dimension group has it, in the
           // repository's own universe (Universe::NormalizeDimensions).
           const View view = r.ViewAt(py::none());
           codec::RegisterDatasetType e{
               name, Unwrap(view.source->universe().NormalizeDimensions(ToStrings(dimensions))),
               storage_class, is_calibration};
           return Append(r, std::move(e)).appended();
         },
         py::arg("name"), py::arg("dimensions"), py::arg("storage_class"),
         py::arg("is_calibration") = false,
         "Registers a dataset type; True if it was new, False if identical to the one "
         "registered (another definition is ConflictError).")
      .def(
          "remove_dataset_type",
          [](Repository& r, const std::string& name) {
            return Append(r, codec::RemoveDatasetType{name}).appended();
          },
          py::arg("name"), "Removes a dataset type that has no datasets.")
      .def(
          "insert_dimension_records",
          [](Repository& r, const std::string& element, py::handle rows, bool replace) {
            codec::InsertDimensionRecords e{element, ToRows(rows), replace};
            const size_t n = e.records.size();
            Append(r, std::move(e));
            return n;
          },
          py::arg("element"), py::arg("rows"), py::arg("replace") = false,
          "Inserts records of `element`: a list of dicts (keys and fields) or a dict of "
          "columns. With replace, an existing record is replaced instead of refused. Returns "
          "the number of records.")
      .def("register_datasets", &RegisterDatasets, py::arg("dataset_type"), py::arg("run"),
           py::arg("data_ids"), py::arg("paths") = py::none(), py::arg("id_mode") = "unique",
           py::arg("ids") = py::none(),
           "Registers datasets of `dataset_type` into RUN `run`, all in one event: `data_ids` "
           "is a list of dicts or a dict of columns (numpy arrays or lists); `paths` (files "
           "under the root, or None each) are hashed on the way in. Ids follow `id_mode`: "
           "\"unique\" (random UUID v7), \"datatype\" or \"datatype-run\" (the butler's "
           "deterministic UUID v5), unless `ids` gives them. Returns the DatasetRefs.")
      .def(
          "create_collection",
          [](Repository& r, const std::string& name, const std::string& type,
             std::optional<std::string> doc) {
            return r.Apply(engine::EnsureCollectionEdit{name, CollectionType(type), doc})
                .appended();
          },
          py::arg("name"), py::arg("type") = "RUN", py::arg("doc") = py::none(),
          "Creates a collection of `type` (RUN, TAGGED, CHAINED, CALIBRATION); an existing one "
          "of that type is left as it is (its doc replaced if `doc` is given). True if "
          "anything changed; another type is ConflictError.")
      .def(
          "remove_collection",
          [](Repository& r, const std::string& name) {
            return Append(r, codec::RemoveCollection{name, false}).appended();
          },
          py::arg("name"), "Removes a collection no chain refers to (a RUN only when empty).")
      .def(
          "set_chain",
          [](Repository& r, const std::string& chain, py::handle children, const std::string& doc,
             bool flatten) {
            return EditChain(r, chain, engine::ChainEdit::kRedefine, children, doc, flatten);
          },
          py::arg("chain"), py::arg("children"), py::arg("doc") = "", py::arg("flatten") = false,
          "Makes `children` the CHAINED collection's search path (creating the chain if "
          "missing), in one atomic edit. Returns the children.")
      .def(
          "prepend_chain",
          [](Repository& r, const std::string& chain, py::handle names) {
            return EditChain(r, chain, engine::ChainEdit::kPrepend, names, "", false);
          },
          py::arg("chain"), py::arg("names"),
          "Puts `names` first in the chain (moved there if present), read and written under "
          "the writer's lock, so concurrent prepends never lose one another.")
      .def(
          "extend_chain",
          [](Repository& r, const std::string& chain, py::handle names) {
            return EditChain(r, chain, engine::ChainEdit::kExtend, names, "", false);
          },
          py::arg("chain"), py::arg("names"), "Puts `names` last in the chain, atomically.")
      .def(
          "remove_from_chain",
          [](Repository& r, const std::string& chain, py::handle names) {
            return EditChain(r, chain, engine::ChainEdit::kRemove, names, "", false);
          },
          py::arg("chain"), py::arg("names"),
          "Takes `names` out of the chain, atomically; a collection the chain does not hold is "
          "ignored (as the butler's), one that does not exist is NotFoundError.")
      .def(
          "associate",
          [](Repository& r, const std::string& collection, py::handle refs) {
            return Append(r, codec::Tag{collection, Ids(refs)}).appended();
          },
          py::arg("collection"), py::arg("refs"),
          "Adds datasets (DatasetRefs or ids) to TAGGED `collection`.")
      .def(
          "disassociate",
          [](Repository& r, const std::string& collection, py::handle refs) {
            return Append(r, codec::Untag{collection, Ids(refs)}).appended();
          },
          py::arg("collection"), py::arg("refs"),
          "Takes datasets (DatasetRefs or ids) out of TAGGED `collection`.")
      .def("certify", &Certify, py::arg("collection"), py::arg("refs"), py::arg("timespan"),
           "Certifies calibration datasets (DatasetRefs or ids) into CALIBRATION `collection` "
           "over `timespan` (a Timespan or (begin, end)), all in one edit; an overlap with a "
           "range already certified for a data ID is ConflictError.")
      .def(
          "decertify",
          [](Repository& r, const std::string& collection, const std::string& dataset_type,
             py::handle timespan, py::handle data_ids) {
            codec::Decertify e{collection, dataset_type, {}, ToTimespan(timespan)};
            if (!data_ids.is_none()) e.data_ids = ToRows(data_ids);
            return Append(r, std::move(e)).appended();
          },
          py::arg("collection"), py::arg("dataset_type"), py::arg("timespan"),
          py::arg("data_ids") = py::none(),
          "Withdraws validity over `timespan` (ranges trimmed or split), for `data_ids` or "
          "every data ID of the type.")
      .def(
          "create_snapshot",
          [](Repository& r, const std::string& name, std::optional<uint64_t> sequence) {
            const uint64_t at = sequence ? *sequence : r.Head().sequence;
            r.Apply(engine::AppendEdit{{codec::CreateSnapshot{name, at}}});
            return at;
          },
          py::arg("name"), py::arg("sequence") = py::none(),
          "Names the head (or event `sequence`) `name`, for view(as_of=name). Returns the "
          "sequence named.")
      .def(
          "prune_datasets",
          [](Repository& r, py::handle refs, const std::string& mode) {
            engine::PruneEdit e{Ids(refs), engine::PruneMode::kForget};
            if (mode == "unstore") {
              e.mode = engine::PruneMode::kUnstore;
            } else if (mode == "purge") {
              e.mode = engine::PruneMode::kPurge;
            } else if (mode != "forget") {
              Invalid("mode is forget, unstore or purge, not '" + mode + "'");
            }
            return r.Apply(std::move(e)).datasets;
          },
          py::arg("refs"), py::arg("mode") = "forget",
          "Removes datasets (DatasetRefs or ids) from the registry, all or none: forget keeps "
          "their files, purge deletes them too, unstore deletes only the files and keeps the "
          "datasets. Returns how many datasets it touched.")
      .def(
          "remove_runs",
          [](Repository& r, py::handle patterns) {
            return r.Apply(engine::RemoveRunsEdit{ToStrings(patterns)}).names;
          },
          py::arg("patterns"),
          "Removes the RUN collections matching `patterns` (names or globs) with all their "
          "datasets, all or none. Returns the runs removed.")
      .def(
          "remove_collections",
          [](Repository& r, py::handle patterns, bool remove_from_parents) {
            return r.Apply(engine::RemoveCollectionsEdit{ToStrings(patterns), remove_from_parents})
                .names;
          },
          py::arg("patterns"), py::arg("remove_from_parents") = false,
          "Removes the TAGGED, CHAINED and CALIBRATION collections matching `patterns`, as "
          "the butler's remove-collections (RUNs matched by a glob are left; a RUN named "
          "exactly is an error). A chain left in place that lists one is an error unless "
          "`remove_from_parents`. All or none. Returns the collections removed.");
}

}  // namespace starlog::python
