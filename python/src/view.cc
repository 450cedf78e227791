#include "python/src/view.h"

#include <pybind11/stl.h>

#include <chrono>
#include <utility>

#include "python/src/bindings.h"
#include "python/src/values.h"

namespace starlog::python {

namespace {

// query_datasets' answer: the source's pages, made into Python objects one
// at a time as they are iterated (each once: an iterator, not a list); the
// next page fetched with the GIL released once one runs out.
class DatasetIterator {
 public:
  explicit DatasetIterator(std::unique_ptr<DatasetPages> pages) : pages_(std::move(pages)) {}
  ~DatasetIterator() {
    // Dropping a page reader may wait for its thread to tell the service.
    py::gil_scoped_release release;
    pages_.reset();
  }
  py::object Next() {
    while (next_ >= refs_.size()) {
      if (!NextPage()) throw py::stop_iteration();
    }
    return py::cast(std::move(refs_[next_++]));
  }
  // Takes the next page in hand; false after the last.
  bool NextPage() {
    if (pages_ == nullptr) return false;
    auto page = Unwrap(NoGil([&] { return pages_->Next(); }));
    if (!page) {
      pages_.reset();
      return false;
    }
    refs_ = std::move(*page);
    next_ = 0;
    return true;
  }
  // Of the page in hand (the first is taken before the iterator is
  // returned): the rest is not known before it arrives.
  size_t remaining() const { return refs_.size() - next_; }

 private:
  std::unique_ptr<DatasetPages> pages_;
  std::vector<engine::DatasetRef> refs_;
  size_t next_ = 0;
};

service::WhereText ToWhereText(const std::string& where, py::handle bind) {
  return service::WhereText{where, ToBinds(bind)};
}

service::DatasetsQuery Query(const std::string& dataset_type, py::handle collections,
                             const std::string& where, py::handle bind, bool find_first,
                             py::handle time) {
  return service::DatasetsQuery{dataset_type, ToStrings(collections), ToWhereText(where, bind),
                                find_first, ToValidity(time)};
}

py::list Dicts(const std::vector<codec::FieldMap>& rows) {
  py::list out;
  for (const auto& row : rows) out.append(FromFieldMap(row));
  return out;
}

std::vector<codec::CollectionType> CollectionTypes(py::handle types) {
  std::vector<codec::CollectionType> out;
  if (types.is_none()) return out;
  for (const std::string& name : ToStrings(types)) {
    auto type = codec::CollectionTypeFromName(name);
    if (!type) {
      ThrowStatus(Status::InvalidArgument("unknown collection type '" + name +
                                          "'; use RUN, TAGGED, CHAINED or CALIBRATION"));
    }
    out.push_back(*type);
  }
  return out;
}

std::vector<std::string> Patterns(py::handle patterns) {
  if (patterns.is_none()) return {};
  return ToStrings(patterns);
}

}  // namespace

void RegisterView(py::module_& m) {
  py::class_<DatasetIterator>(m, "DatasetIterator",
                              "The datasets a query found, as DatasetRef, one at a time.")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", &DatasetIterator::Next)
      .def("__length_hint__", &DatasetIterator::remaining);

  // For python/bench.py: the same lookups timed in C++ alone, the baseline
  // of find_dataset's per-call overhead.
  m.def("_time_find_dataset_in_cxx", [](const View& v, const std::string& dataset_type,
                                        py::handle data_ids, py::handle collections) {
    const std::vector<codec::FieldMap> ids = ToRows(data_ids);
    const auto search = ToStrings(collections);
    return NoGil([&] {
      const auto start = std::chrono::steady_clock::now();
      for (const auto& id : ids) {
        static_cast<void>(
            v.source->FindDataset(dataset_type, id, search, std::nullopt));  // Timed only.
      }
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    });
  });

  py::class_<View>(m, "View",
                   "The registry as it was after one event: every query answers as of it, at "
                   "the cost of a query of the present. Immutable; usable from several threads.")
      .def_property_readonly(
          "sequence", [](const View& v) { return v.source->sequence(); },
          "The last event this view includes.")
      .def(
          "find_dataset",
          [](const View& v, const std::string& dataset_type, py::handle data_id,
             py::handle collections, py::handle time) {
            const codec::FieldMap id = ToFieldMap(data_id);
            const auto search = ToStrings(collections);
            const auto validity = ToValidity(time);
            return Unwrap(
                NoGil([&] { return v.source->FindDataset(dataset_type, id, search, validity); }));
          },
          py::arg("dataset_type"), py::arg("data_id"), py::arg("collections"),
          py::arg("time") = py::none(),
          "The first dataset of `dataset_type` with `data_id` along `collections` (names in "
          "search order; chains expand). In a CALIBRATION collection, the one valid at `time` "
          "(a datetime, TAI ns, or a Timespan one range must cover); without a time they are "
          "passed over. NotFoundError lists the collections searched.")
      .def(
          "query_datasets",
          [](const View& v, py::handle dataset_type, py::handle collections,
             const std::string& where, py::handle bind, bool find_first, py::handle time,
             py::handle order_by, uint64_t limit) {
            service::DatasetSearchQuery search;
            search.dataset_types = Patterns(dataset_type);
            search.query = Query("", collections, where, bind, find_first, time);
            search.order_by = Patterns(order_by);
            search.limit = limit;
            auto it = std::make_unique<DatasetIterator>(
                Unwrap(NoGil([&] { return v.source->QueryDatasets(search); })));
            it->NextPage();
            return it;
          },
          py::arg("dataset_type"), py::arg("collections"), py::arg("where") = "",
          py::arg("bind") = py::none(), py::arg("find_first") = true, py::arg("time") = py::none(),
          py::arg("order_by") = py::none(), py::arg("limit") = 0,
          "Datasets of `dataset_type` (a name, type.component or glob pattern, a list of "
          "them, or None for every type; the types by name, each one's rows together) in "
          "`collections` (names or globs) satisfying `where` (the butler's expression "
          "language, with `bind` values for its names), as an iterator of DatasetRef. "
          "find_first: one per data ID, the first along the search path (no globs then). "
          "order_by: data ID keys and record fields (\"exposure.day_obs\"), \"-\" before one "
          "for descending, ordering each type's rows; limit: at most that many rows (0: all).")
      .def(
          "query_data_ids",
          [](const View& v, py::handle dimensions, const std::string& where, py::handle bind,
             std::optional<std::string> dataset_type, py::handle collections, bool find_first,
             py::handle time, py::handle order_by, uint64_t limit) {
            service::DataIdsQuery query;
            query.dimensions = ToStrings(dimensions);
            query.where = ToWhereText(where, bind);
            if (dataset_type) {
              if (collections.is_none()) {
                ThrowStatus(Status::InvalidArgument("give collections with dataset_type"));
              }
              query.datasets = Query(*dataset_type, collections, "", py::none(), find_first, time);
            }
            query.order = engine::RowOrder{Patterns(order_by), limit};
            return Dicts(Unwrap(NoGil([&] { return v.source->QueryDataIds(query); })));
          },
          py::arg("dimensions"), py::arg("where") = "", py::arg("bind") = py::none(),
          py::arg("dataset_type") = py::none(), py::arg("collections") = py::none(),
          py::arg("find_first") = true, py::arg("time") = py::none(),
          py::arg("order_by") = py::none(), py::arg("limit") = 0,
          "Distinct data IDs over `dimensions` satisfying `where`: from the dimension "
          "records, or from the datasets of `dataset_type` in `collections`. order_by: "
          "keys, implied dimensions and record fields (\"detector.full_name\"), \"-\" before "
          "one for descending, rows without a value last (default: key order); limit: at "
          "most that many rows (0: all).")
      .def(
          "query_dimension_records",
          [](const View& v, const std::string& element, const std::string& where, py::handle bind,
             py::handle order_by, uint64_t limit) {
            service::DimensionRecordsQuery query{element, ToWhereText(where, bind),
                                                 engine::RowOrder{Patterns(order_by), limit}};
            return Dicts(Unwrap(NoGil([&] { return v.source->QueryDimensionRecords(query); })));
          },
          py::arg("element"), py::arg("where") = "", py::arg("bind") = py::none(),
          py::arg("order_by") = py::none(), py::arg("limit") = 0,
          "Records of `element` (keys and fields, as dicts) satisfying `where`, in key "
          "order or by order_by (the element's fields such as \"full_name\" or "
          "\"-timespan.begin\", its keys, fields of what it implies), at most limit (0: all).")
      .def(
          "get_dimension_record",
          [](const View& v, const std::string& element, py::handle data_id) -> py::object {
            const codec::FieldMap id = ToFieldMap(data_id);
            auto record = Unwrap(NoGil([&] { return v.source->GetDimensionRecord(element, id); }));
            if (!record) return py::none();
            return FromFieldMap(*record);
          },
          py::arg("element"), py::arg("data_id"),
          "The record of `element` for `data_id`; None if there is none.")
      .def(
          "query_collections",
          [](const View& v, py::handle patterns, py::handle types) {
            const auto p = Patterns(patterns);
            const auto t = CollectionTypes(types);
            return Unwrap(NoGil([&] { return v.source->QueryCollections(p, t); }));
          },
          py::arg("patterns") = py::none(), py::arg("types") = py::none(),
          "Collections whose names match `patterns` (names or globs; all when None) of "
          "`types` (\"RUN\", ...; all when None), by name.")
      .def(
          "get_collection",
          [](const View& v, const std::string& name) {
            return Unwrap(NoGil([&] { return v.source->GetCollection(name); }));
          },
          py::arg("name"), "The collection `name`; None if there is none.")
      .def(
          "resolve_search_path",
          [](const View& v, py::handle collections) {
            const auto names = ToStrings(collections);
            return Unwrap(NoGil([&] { return v.source->ResolveSearchPath(names); }));
          },
          py::arg("collections"),
          "The non-chained collections a search through `collections` visits, in order.")
      .def(
          "query_dataset_types",
          [](const View& v, py::handle patterns, bool components) {
            const auto p = Patterns(patterns);
            return Unwrap(NoGil([&] { return v.source->QueryDatasetTypes(p, components); }));
          },
          py::arg("patterns") = py::none(), py::arg("components") = false,
          "Dataset types whose names match `patterns` (all when None); with components, "
          "each followed by its components.")
      .def(
          "dataset_types_in",
          [](const View& v, py::handle collections) {
            const auto c = Patterns(collections);
            return Unwrap(NoGil([&] { return v.source->DatasetTypesIn(c); }));
          },
          py::arg("collections"),
          "The names of the dataset types with datasets in `collections` (a chain: in what "
          "it searches), sorted: the butler's collection summary, exact.")
      .def(
          "get_dataset_type",
          [](const View& v, const std::string& name) {
            return Unwrap(NoGil([&] { return v.source->GetDatasetType(name); }));
          },
          py::arg("name"), "The dataset type `name` (or parent.component); NotFoundError if none.")
      .def(
          "get_dataset",
          [](const View& v, py::handle id) {
            const std::vector<codec::Uuid> uuids{ToUuid(id)};
            return std::move(Unwrap(NoGil([&] { return v.source->GetDatasets(uuids); })).at(0));
          },
          py::arg("id"), "The dataset with id `id` (uuid.UUID or str); None if there is none.")
      .def(
          "get_datasets",
          [](const View& v, py::handle ids) {
            std::vector<codec::Uuid> uuids;
            for (py::handle id : ids) uuids.push_back(ToUuid(id));
            return Unwrap(NoGil([&] { return v.source->GetDatasets(uuids); }));
          },
          py::arg("ids"),
          "get_dataset for many ids at once (one call, the GIL released throughout): a list "
          "in the same order, None where there is no such dataset.")
      .def(
          "snapshots",
          [](const View& v) {
            py::dict out;
            for (const auto& s : Unwrap(NoGil([&] { return v.source->Snapshots(); }))) {
              out[py::str(s.name)] = s.sequence;
            }
            return out;
          },
          "Snapshot names and the sequences they name, as of this view.")
      .def("packer", &MakePacker, py::arg("dimensions"), py::arg("fixed"),
           "A Packer for data IDs over `dimensions` of the instrument (or skymap) `fixed` "
           "names, e.g. packer(['exposure', 'detector'], {'instrument': 'HSC'}); bounded by "
           "that instrument's record (detector_max, exposure_max) and the universe.")
      .def("__repr__", [](const View& v) {
        return "View(sequence=" + std::to_string(v.source->sequence()) + ")";
      });
}

}  // namespace starlog::python
