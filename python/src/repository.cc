#include "python/src/repository.h"

#include <pybind11/chrono.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "python/src/bindings.h"
#include "python/src/service_view.h"
#include "python/src/values.h"
#include "python/src/view.h"
#include "starlog/codec/text.h"
#include "starlog/codec/time_format.h"
#include "starlog/engine/as_of.h"
#include "starlog/engine/policy.h"

namespace starlog::python {

namespace {

// How long wait_for_dataset waits with the GIL released before it looks at
// Python's signals again: Ctrl-C is answered within this.
constexpr std::chrono::milliseconds kWaitSlice{100};
// Through the service each slice is a request: longer, but well under the
// second in which Ctrl-C should be answered.
constexpr std::chrono::milliseconds kServiceWaitSlice{250};

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

// $STARLOG_USER names someone the service will not record.
void WarnIgnoredUser(const std::string& recorded) {
  const std::string message =
      "$STARLOG_USER is ignored: the repository's service records you as '" + recorded + "'";
  if (PyErr_WarnEx(PyExc_UserWarning, message.c_str(), 1) != 0) throw py::error_already_set();
}

// The service answers a wait in one request, so it is asked in slices of
// kServiceWaitSlice, each for what is left, on a connection of the wait's
// own (other calls go on meanwhile), with signals looked at between them.
py::object WaitThroughService(ServiceConnection& service, const std::string& dataset_type,
                              const codec::FieldMap& id, const std::vector<std::string>& search,
                              const std::optional<codec::Timespan>& validity,
                              std::chrono::milliseconds total,
                              std::chrono::steady_clock::time_point deadline) {
  std::unique_ptr<service::Client> client = Unwrap(NoGil([&] { return service.Open(); }));
  while (true) {
    auto found = NoGil([&] {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      const auto slice = std::clamp(left, std::chrono::milliseconds(0), kServiceWaitSlice);
      return client->WaitForDataset(dataset_type, id, search, validity, slice);
    });
    if (found.ok()) return py::cast(std::move(found).value());
    if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    if (!found.status().IsTimedOut()) ThrowStatus(found.status());
    if (std::chrono::steady_clock::now() >= deadline) {
      // Worded for the whole wait, as a local one is: "waited N ms: ...".
      const std::string message(found.status().message());
      const size_t cut = message.find(" ms: ");
      ThrowStatus(
          Status::TimedOut("waited " + std::to_string(total.count()) +
                           (cut == std::string::npos ? " ms: " + message : message.substr(cut))));
    }
  }
}

// Waits for the dataset in slices of kWaitSlice with the GIL released,
// looking at signals between them, so that Ctrl-C raises KeyboardInterrupt
// at once and other threads run meanwhile. The engine's WaitForDataset in
// pieces: woken by the log, not by polling the lookup.
py::object WaitForDataset(Repository& repo, const std::string& dataset_type, py::handle data_id,
                          py::handle collections, py::handle timeout, py::handle time) {
  const codec::FieldMap id = ToFieldMap(data_id);
  const std::vector<std::string> search = ToStrings(collections);
  const std::optional<codec::Timespan> validity = ToValidity(time);
  const std::chrono::milliseconds total = ToMilliseconds(timeout, "timeout");
  const auto deadline = std::chrono::steady_clock::now() + total;
  if (auto service = repo.Service()) {
    return WaitThroughService(*service, dataset_type, id, search, validity, total, deadline);
  }
  std::shared_ptr<engine::EventStore> store = repo.Store();
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
  repo->address_ = root;
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
  if (repo->writer_->ignored_environment_user()) WarnIgnoredUser(repo->writer_->user());
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

std::shared_ptr<Repository> Repository::Connect(const std::string& address,
                                                const ConnectOptions& options,
                                                const std::optional<std::string>& user) {
  auto service = Unwrap(NoGil([&] { return ServiceConnection::Open(address, options); }));
  // As service::Writer refuses it: nobody acts as another by saying so.
  if (user && *user != service->user()) {
    ThrowStatus(Status::PermissionDenied("the repository's service records you as " +
                                         codec::Quoted(service->user()) +
                                         " (your OS user); user= cannot name another"));
  }
  if (const char* env = std::getenv("STARLOG_USER");
      env != nullptr && *env != '\0' && env != service->user()) {
    WarnIgnoredUser(service->user());
  }
  const service::ServiceInfo info =
      Unwrap(NoGil([&] { return service->With([](service::Client& c) { return c.Info(); }); }));
  auto repo = std::make_shared<Repository>();
  repo->root_ = info.root;
  repo->address_ = address;
  repo->connected_ = true;
  repo->user_ = service->user();
  repo->service_ = std::move(service);
  return repo;
}

std::shared_ptr<ServiceConnection> Repository::Service() {
  if (closed()) throw py::value_error("the repository " + address_ + " is closed");
  return service_;
}

engine::Head Repository::Head() {
  if (auto service = Service()) {
    return Unwrap(NoGil([&]() -> Result<engine::Head> {
      STARLOG_ASSIGN_OR_RETURN(auto info,
                               service->With([](service::Client& c) { return c.Info(); }));
      return info.head;
    }));
  }
  auto store = Store();
  return NoGil([&] { return store->head(); });
}

engine::RepositoryInfo Repository::Info() {
  if (auto service = Service()) {
    return Unwrap(NoGil([&]() -> Result<engine::RepositoryInfo> {
      STARLOG_ASSIGN_OR_RETURN(auto info,
                               service->With([](service::Client& c) { return c.Info(); }));
      return engine::RepositoryInfo{info.root, info.repository_id, info.format_version, info.head,
                                    info.families};
    }));
  }
  auto store = Store();
  return Unwrap(NoGil([&] { return store->Info(); }));
}

View Repository::ViewAt(py::handle as_of) {
  const bool sequence = PyLong_Check(as_of.ptr()) && !PyBool_Check(as_of.ptr());
  if (sequence && as_of.cast<int64_t>() < 0) {
    ThrowStatus(Status::InvalidArgument("as_of: a sequence is at least 0"));
  }
  if (auto service = Service()) {
    // As `--as-of` takes it, resolved by the service.
    std::string point;
    if (sequence) {
      point = std::to_string(as_of.cast<int64_t>());
    } else if (PyUnicode_Check(as_of.ptr())) {
      point = as_of.cast<std::string>();
    } else if (!as_of.is_none()) {
      point = codec::FormatIsoTime(ToUtcNs(as_of)) + "Z";
    }
    return View{Unwrap(NoGil([&] { return ServiceView(service, point); }))};
  }
  std::shared_ptr<engine::EventStore> store = Store();
  uint64_t at = engine::kAtHead;
  if (sequence) {
    at = as_of.cast<uint64_t>();
  } else if (PyUnicode_Check(as_of.ptr())) {
    const std::string point = as_of.cast<std::string>();
    at = Unwrap(NoGil([&] { return engine::ResolveAsOf(*store, point); }));
  } else if (!as_of.is_none()) {
    const int64_t utc_ns = ToUtcNs(as_of);  // A datetime: the last event committed by then.
    at = Unwrap(NoGil([&] { return store->SequenceAtTime(utc_ns); }));
  }
  engine::RegistryView view = Unwrap(NoGil([&] { return store->View(at); }));
  // close() may have run in another thread while the GIL was released: a
  // view taken now would keep the closed repository open.
  if (closed()) throw py::value_error("the repository " + address_ + " is closed");
  std::erase_if(views_, [](const std::weak_ptr<ViewSource>& v) { return v.expired(); });
  View out{LocalView(std::move(store), std::move(view))};
  views_.push_back(out.source);
  return out;
}

std::shared_ptr<engine::EventStore> Repository::Store() {
  if (closed()) throw py::value_error("the repository " + address_ + " is closed");
  if (connected_) {
    ThrowStatus(
        Status::NotSupported("this call needs the repository opened here (Repository.open), "
                             "not connected to its service"));
  }
  std::shared_ptr<engine::EventStore> store = store_;
  if (follow_) Unwrap(NoGil([&] { return store->Refresh(); }));
  return store;
}

engine::EditResult Repository::Apply(const engine::Edit& edit) {
  if (auto service = Service()) {
    return Unwrap(
        NoGil([&] { return service->With([&](service::Client& c) { return c.Submit(edit); }); }));
  }
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
  std::shared_ptr<ServiceConnection> service = std::move(service_);
  std::vector<std::weak_ptr<ViewSource>> views = std::move(views_);
  views_.clear();
  // Closing RocksDB may wait for its background work, and a view for a
  // read in another thread: without the GIL.
  py::gil_scoped_release release;
  for (const std::weak_ptr<ViewSource>& v : views) {
    if (auto live = v.lock()) live->Close();
  }
  store.reset();
  writer.reset();
  service.reset();
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
      "A starlog repository, opened in this process (Repository.create, Repository.open) or "
      "connected to its service (Repository.connect); close() (or a with block) lets go of "
      "it.");
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
      .def_static(
          "connect",
          [](const std::string& address, py::handle timeout, std::optional<std::string> user,
             std::optional<std::string> tls_ca, std::optional<std::string> token_file,
             std::optional<std::string> cert, std::optional<std::string> key) {
            ConnectOptions options;
            options.timeout = ToMilliseconds(timeout, "timeout");
            if (options.timeout.count() == 0) {
              ThrowStatus(Status::InvalidArgument("timeout: a request needs some time"));
            }
            options.tls_ca = tls_ca.value_or("");
            options.token_file = token_file.value_or("");
            options.cert = cert.value_or("");
            options.key = key.value_or("");
            return Repository::Connect(address, options, user);
          },
          py::arg("address"), py::kw_only(), py::arg("timeout") = 30.0,
          py::arg("user") = py::none(), py::arg("tls_ca") = py::none(),
          py::arg("token_file") = py::none(), py::arg("cert") = py::none(),
          py::arg("key") = py::none(),
          "Connects to the repository's service, which answers every call (reads, writes, "
          "waits) with what the engine answers there: the same values and errors as "
          "Repository.open. `address`: \"unix:PATH\" or the path of its socket (or of the "
          "repository's folder: its service's socket); writes are recorded as the OS user the "
          "service sees (a different `user` is PermissionDeniedError). \"HOST:PORT\": the "
          "service's TLS listener (serve --service-listen), its certificate verified against "
          "`tls_ca` (else the system's roots), the user named by `token_file` (starlog user "
          "add) or by the client certificate `cert` with its `key`. `timeout`: seconds a "
          "request may take (waits excepted).")
      .def_property_readonly("root", &Repository::root)
      .def_property_readonly("address", &Repository::address,
                             "Where it was opened: its root, or the address connected to.")
      .def_property_readonly("connected", &Repository::connected,
                             "Whether it was connected to its service (Repository.connect).")
      .def_property_readonly("read_only", &Repository::read_only,
                             "Whether writes are refused (opened read_only or follow).")
      .def_property_readonly(
          "through_service",
          [](const Repository& r) {
            return r.connected() || (r.writer() != nullptr && r.writer()->through_service());
          },
          "Whether writes go to the repository's service.")
      .def_property_readonly(
          "user",
          [](const Repository& r) -> py::object {
            if (r.connected()) return py::str(r.connected_user());
            if (r.writer() == nullptr) return py::none();
            return py::str(r.writer()->user());
          },
          "Who writes are recorded as; None when read-only.")
      .def_property_readonly("closed", &Repository::closed)
      .def_property_readonly(
          "head", [](Repository& r) { return r.Head(); },
          "The head now: sequence, chain hash, state digest, commit time.")
      .def(
          "info", [](Repository& r) { return InfoDict(r.Info()); },
          "Id, format, head and per-family counts and digests, as `starlog info` shows them.")
      .def("view", &Repository::ViewAt, py::arg("as_of") = py::none(),
           "The registry as of `as_of`: None (the head), an event sequence (int), a "
           "timezone-aware datetime (the last event committed by then) or a str (a snapshot "
           "name, or a sequence or UTC time as the CLI's --as-of takes it).")
      .def("wait_for_dataset", &WaitForDataset, py::arg("dataset_type"), py::arg("data_id"),
           py::arg("collections"), py::arg("timeout") = 60.0, py::arg("time") = py::none(),
           "Returns the dataset find_dataset would find as soon as it is registered, woken by "
           "the log's commits; TimedOutError after `timeout` seconds (or a timedelta). Releases "
           "the GIL while it waits, and Ctrl-C interrupts it (KeyboardInterrupt). Needs a "
           "repository open for writing or with follow=True, or connected (UnavailableError if "
           "its service stops meanwhile).")
      .def("close", &Repository::Close,
           "Lets go of the repository (its write lock, once no View of it remains).")
      .def("__enter__", [](std::shared_ptr<Repository> r) { return r; })
      .def("__exit__", [](Repository& r, py::args) { r.Close(); })
      .def("__repr__", [](const Repository& r) {
        return "Repository(" + r.address() + (r.closed() ? ", closed)" : ")");
      });
  RegisterWrites(cls);
}

}  // namespace starlog::python
