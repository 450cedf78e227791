#include "python/src/repository.h"

#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <utility>

#include "python/src/bindings.h"
#include "python/src/values.h"
#include "python/src/view.h"
#include "starlog/engine/as_of.h"
#include "starlog/engine/policy.h"

namespace starlog::python {

namespace {

// How long wait_for_dataset waits with the GIL released before it looks at
// Python's signals again: Ctrl-C is answered within this.
constexpr std::chrono::milliseconds kWaitSlice{100};

std::chrono::milliseconds ToMilliseconds(py::handle seconds, const char* what) {
  py::handle value = seconds;
  py::object total;
  if (py::hasattr(seconds, "total_seconds")) value = total = seconds.attr("total_seconds")();
  if (!PyNumber_Check(value.ptr()) || PyBool_Check(value.ptr())) {
    ThrowStatus(Status::InvalidArgument(std::string(what) +
                                        " is seconds (a number) or a datetime.timedelta"));
  }
  const double s = PyFloat_AsDouble(value.ptr());
  if (s == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  if (!(s >= 0) || s > 86'400.0 * 365) {
    ThrowStatus(
        Status::InvalidArgument(std::string(what) + " must be between 0 and a year of seconds"));
  }
  return std::chrono::milliseconds(static_cast<int64_t>(s * 1000));
}

py::dict InfoDict(const engine::RepositoryInfo& info) {
  py::dict families;
  for (const auto& f : info.families) {
    py::dict family;
    family["live_entries"] = f.live_entries;
    family["digest"] = f.digest.ToHex();
    families[py::str(f.name)] = family;
  }
  py::dict out;
  out["root"] = info.root;
  out["id"] = FromUuid(info.repository_id);
  out["format_version"] = info.format_version;
  out["head"] = py::cast(info.head);
  out["families"] = families;
  return out;
}

View ViewAt(Repository& repo, py::handle as_of) {
  std::shared_ptr<engine::EventStore> store = repo.Store();
  uint64_t sequence = engine::kAtHead;
  if (PyLong_Check(as_of.ptr()) && !PyBool_Check(as_of.ptr())) {
    const int64_t s = as_of.cast<int64_t>();
    if (s < 0) ThrowStatus(Status::InvalidArgument("as_of: a sequence is at least 0"));
    sequence = static_cast<uint64_t>(s);
  } else if (PyUnicode_Check(as_of.ptr())) {
    const std::string point = as_of.cast<std::string>();
    sequence = Unwrap(NoGil([&] { return engine::ResolveAsOf(*store, point); }));
  } else if (!as_of.is_none()) {
    const int64_t utc_ns = ToUtcNs(as_of);  // A datetime: the last event committed by then.
    sequence = Unwrap(NoGil([&] { return store->SequenceAtTime(utc_ns); }));
  }
  engine::RegistryView view = Unwrap(NoGil([&] { return store->View(sequence); }));
  return View{std::move(store), std::move(view)};
}

// Waits for the dataset in slices of kWaitSlice with the GIL released,
// looking at signals between them, so that Ctrl-C raises KeyboardInterrupt
// at once and other threads run meanwhile. The engine's WaitForDataset in
// pieces: woken by the log, not by polling the lookup.
py::object WaitForDataset(Repository& repo, const std::string& dataset_type, py::handle data_id,
                          py::handle collections, py::handle timeout, py::handle time) {
  std::shared_ptr<engine::EventStore> store = repo.Store();
  const codec::FieldMap id = ToFieldMap(data_id);
  const std::vector<std::string> search = ToStrings(collections);
  const std::optional<codec::Timespan> validity = ToValidity(time);
  const std::chrono::milliseconds total = ToMilliseconds(timeout, "timeout");
  const auto deadline = std::chrono::steady_clock::now() + total;
  struct Step {
    std::optional<Result<engine::DatasetRef>> done;
    Status moved;
    std::string not_found;
  };
  while (true) {
    Step step = NoGil([&] {
      Step s;
      auto view = store->View();
      if (!view.ok()) {
        s.done = Result<engine::DatasetRef>(view.status());
        return s;
      }
      auto found = view->FindDataset(dataset_type, id, search, validity);
      if (found.ok() || !found.status().IsNotFound()) {
        s.done = std::move(found);
        return s;
      }
      s.not_found = std::string(found.status().message());
      const auto slice_end = std::min(deadline, std::chrono::steady_clock::now() + kWaitSlice);
      s.moved = store->WaitForChange(view->sequence(), slice_end);
      return s;
    });
    if (step.done) return py::cast(Unwrap(std::move(*step.done)));
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (step.moved.IsTimedOut()) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ThrowStatus(
            Status::TimedOut("waited " + std::to_string(total.count()) + " ms: " + step.not_found));
      }
      continue;
    }
    Check(step.moved);
  }
}

}  // namespace

std::shared_ptr<Repository> Repository::Open(const std::string& root, const OpenOptions& options) {
  auto repo = std::make_shared<Repository>();
  repo->root_ = root;
  if (options.read_only || options.follow) {
    engine::StoreOptions store_options;
    store_options.read_only = true;
    store_options.follow = options.follow;
    repo->follow_ = options.follow;
    repo->store_ = Unwrap(NoGil([&] { return engine::EventStore::Open(root, store_options); }));
    return repo;
  }
  service::WriterOptions writer_options;
  writer_options.service_socket =
      options.service.empty() ? service::ServiceFromEnvironment() : options.service;
  writer_options.user = options.user;
  writer_options.user_option = "user=";
  writer_options.sync = options.sync;
  writer_options.lock_timeout = options.lock_timeout;
  // As the CLI says it, so that a person sees why nothing happens.
  writer_options.on_lock_wait = [root, seconds = options.lock_timeout.count() / 1000.0] {
    py::gil_scoped_acquire gil;
    const std::string line = "waiting for " + root + ": another process is writing to it (up to " +
                             py::str(py::float_(seconds)).cast<std::string>() +
                             " s, lock_timeout)\n";
    PySys_WriteStderr("%s", line.c_str());
  };
  repo->writer_ = Unwrap(NoGil([&] { return service::Writer::Open(root, writer_options); }));
  if (repo->writer_->ignored_environment_user()) {
    PyErr_WarnEx(PyExc_UserWarning,
                 ("$STARLOG_USER is ignored: the repository's service records you as '" +
                  repo->writer_->user() + "'")
                     .c_str(),
                 1);
  }
  if (repo->writer_->store() != nullptr) {
    repo->store_ = repo->writer_->store();
    return repo;
  }
  // Beside the service: a follower, so that each view sees the edits the
  // service has made durable, this process's own included.
  engine::StoreOptions follow;
  follow.follow = true;
  repo->follow_ = true;
  repo->store_ = Unwrap(NoGil([&] { return engine::EventStore::Open(root, follow); }));
  return repo;
}

std::shared_ptr<engine::EventStore> Repository::Store() {
  if (store_ == nullptr) throw py::value_error("the repository " + root_ + " is closed");
  std::shared_ptr<engine::EventStore> store = store_;
  if (follow_) Unwrap(NoGil([&] { return store->Refresh(); }));
  return store;
}

engine::EditResult Repository::Apply(const engine::Edit& edit) {
  std::shared_ptr<engine::EventStore> store = Store();
  std::shared_ptr<service::Writer> writer = writer_;
  return Unwrap(NoGil([&]() -> Result<engine::EditResult> {
    if (writer != nullptr) return writer->Apply(edit);
    return engine::ApplyEdit(*store, edit, service::DefaultActor());  // Refused: read-only.
  }));
}

void Repository::Close() {
  std::shared_ptr<engine::EventStore> store = std::move(store_);
  std::shared_ptr<service::Writer> writer = std::move(writer_);
  // Closing RocksDB may wait for its background work: without the GIL.
  py::gil_scoped_release release;
  store.reset();
  writer.reset();
}

void RegisterRepository(py::module_& m) {
  py::class_<engine::Head>(m, "Head", "Where the log ends: after the event `sequence`.")
      .def_readonly("sequence", &engine::Head::sequence)
      .def_property_readonly(
          "chain_hash", [](const engine::Head& h) { return h.chain_hash.ToHex(); },
          "H(sequence), in hex: equal in two copies holding the same events.")
      .def_property_readonly("state_digest",
                             [](const engine::Head& h) { return h.state_digest.ToHex(); })
      .def_property_readonly(
          "commit_time", [](const engine::Head& h) { return DatetimeFromUtcNs(h.commit_time_ns); },
          "The last event's commit time (UTC).")
      .def_readonly("commit_time_ns", &engine::Head::commit_time_ns, "UTC ns since 1970.")
      .def("__eq__",
           [](const engine::Head& a, py::handle b) {
             if (!py::isinstance<engine::Head>(b)) return false;
             const auto& o = b.cast<const engine::Head&>();
             return a.sequence == o.sequence && a.chain_hash == o.chain_hash &&
                    a.state_digest == o.state_digest;
           })
      .def("__repr__", [](const engine::Head& h) {
        return "Head(sequence=" + std::to_string(h.sequence) +
               ", chain_hash=" + h.chain_hash.ToHex() + ")";
      });

  py::class_<Repository, std::shared_ptr<Repository>> cls(
      m, "Repository",
      "A starlog repository opened in this process. Use Repository.create or Repository.open; "
      "close() (or a with block) lets go of it.");
  cls.def_static(
         "create",
         [](const std::string& path, std::optional<std::string> universe,
            std::optional<std::string> user, bool policy, bool sync) {
           engine::CreateOptions options;
           options.store.sync = sync;
           options.actor = user.value_or(service::DefaultActor());
           options.universe = universe.value_or("");
           if (policy) options.policy = engine::DefaultPolicy(options.actor);
           Unwrap(NoGil([&] { return engine::EventStore::Create(path, options); }));
           OpenOptions open;
           open.user = options.actor;
           open.sync = sync;
           return Repository::Open(path, open);
         },
         py::arg("path"), py::kw_only(), py::arg("universe") = py::none(),
         py::arg("user") = py::none(), py::arg("policy") = true, py::arg("sync") = true,
         "Creates a repository at `path` (a new or empty folder) and opens it for writing. "
         "`universe`: a dimension universe config's text (default: the built-in one). "
         "`policy`: set DMTN-167's access policy with `user` (default: the login name) as "
         "admin, as `starlog create` does.")
      .def_static(
          "open",
          [](const std::string& path, bool read_only, bool follow,
             std::optional<std::string> service, std::optional<std::string> user,
             py::handle lock_timeout, bool sync) {
            OpenOptions options;
            options.read_only = read_only;
            options.follow = follow;
            options.service = service.value_or("");
            options.user = std::move(user);
            options.lock_timeout = ToMilliseconds(lock_timeout, "lock_timeout");
            options.sync = sync;
            return Repository::Open(path, options);
          },
          py::arg("path"), py::arg("read_only") = false, py::arg("follow") = false, py::kw_only(),
          py::arg("service") = py::none(), py::arg("user") = py::none(),
          py::arg("lock_timeout") = 60.0, py::arg("sync") = true,
          "Opens the repository at `path`.\n\n"
          "For writing (the default): through the repository's service when one answers on "
          "its socket (or on `service`, else $STARLOG_SERVICE), which records your OS user "
          "(a different `user` is PermissionDeniedError); else this process takes the write "
          "lock, waiting up to `lock_timeout` seconds for another writer, and records `user` "
          "(default: $STARLOG_USER, else the login name) until close().\n"
          "read_only: no lock; reads see the repository as it was opened. follow: read-only, "
          "and every view (and wait_for_dataset) sees what the writer has committed since.")
      .def_property_readonly("root", &Repository::root)
      .def_property_readonly("read_only", &Repository::read_only,
                             "Whether writes are refused (opened read_only or follow).")
      .def_property_readonly(
          "through_service",
          [](const Repository& r) {
            return r.writer() != nullptr && r.writer()->through_service();
          },
          "Whether writes go to the repository's service.")
      .def_property_readonly(
          "user",
          [](const Repository& r) -> py::object {
            if (r.writer() == nullptr) return py::none();
            return py::str(r.writer()->user());
          },
          "Who writes are recorded as; None when read-only.")
      .def_property_readonly("closed", &Repository::closed)
      .def_property_readonly(
          "head",
          [](Repository& r) {
            auto store = r.Store();
            return NoGil([&] { return store->head(); });
          },
          "The head now: sequence, chain hash, state digest, commit time.")
      .def(
          "info",
          [](Repository& r) {
            auto store = r.Store();
            return InfoDict(Unwrap(NoGil([&] { return store->Info(); })));
          },
          "Id, format, head and per-family counts and digests, as `starlog info` shows them.")
      .def("view", &ViewAt, py::arg("as_of") = py::none(),
           "The registry as of `as_of`: None (the head), an event sequence (int), a "
           "timezone-aware datetime (the last event committed by then) or a str (a snapshot "
           "name, or a sequence or UTC time as the CLI's --as-of takes it).")
      .def("wait_for_dataset", &WaitForDataset, py::arg("dataset_type"), py::arg("data_id"),
           py::arg("collections"), py::arg("timeout") = 60.0, py::arg("time") = py::none(),
           "Returns the dataset find_dataset would find as soon as it is registered, woken by "
           "the log's commits; TimedOutError after `timeout` seconds (or a timedelta). Releases "
           "the GIL while it waits, and Ctrl-C interrupts it (KeyboardInterrupt). Needs a "
           "repository open for writing or with follow=True.")
      .def("close", &Repository::Close,
           "Lets go of the repository (its write lock, once no View of it remains).")
      .def("__enter__", [](std::shared_ptr<Repository> r) { return r; })
      .def("__exit__", [](Repository& r, py::args) { r.Close(); })
      .def("__repr__", [](const Repository& r) {
        return "Repository(" + r.root() + (r.closed() ? ", closed)" : ")");
      });
  RegisterWrites(cls);
}

}  // namespace starlog::python
