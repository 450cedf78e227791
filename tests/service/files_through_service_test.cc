// Files through the service: ingest, import, fsck --fix and prune-datasets
// with a real `starlog serve`, their files handed over as descriptors, and
// what a hostile client hands over instead.

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "starlog/engine/registry_view.h"
#include "starlog/service/client.h"
#include "tests/cli/cli_runner.h"
#include "tests/service/raw_connection.h"
#include "tests/service/service_fixture.h"
#include "tests/testutil/fits_writer.h"
#include "tests/testutil/temp_dir.h"

namespace fs = std::filesystem;
using starlog::testutil::Contains;
using starlog::testutil::RawConnection;
using starlog::testutil::RunStarlog;
using starlog::testutil::ServedRepository;

namespace {

constexpr uid_t kNobody = 65534;
constexpr const char* kTranslator =
    "instrument Cam\nmatch INSTRUME Cam\nvalue exposure EXPNUM\nvalue detector CCDNUM\n"
    "value physical_filter FILTER\nvalue band FILTER lower\nday_obs DATE-OBS -12\n";

// A folder of raw frames, a translator for them, and a non-FITS file.
struct Inputs {
  explicit Inputs(int frames = 3) {
    ::chmod(dir.path().c_str(), 0755);  // Other users' clients read it too.
    fs::create_directories(dir.Sub("in"));
    for (int d = 0; d < frames; ++d) Frame(d);
    std::ofstream(dir.Sub("cam.cfg")) << kTranslator;
    std::ofstream(dir.Sub("in/readme.txt")) << "hello";
  }
  std::string Frame(int detector, const std::string& folder = "in") {
    const std::string path = dir.Sub(folder + "/c" + std::to_string(detector) + ".fits");
    starlog::testutil::WriteFits(
        path,
        starlog::testutil::RawCards("Cam", 7, detector, "R", "science", "2024-05-01T01:00:00", 5));
    return path;
  }
  std::vector<std::string> Ingest(const std::string& repo, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"ingest",      repo,           dir.Sub("in"),     "--run",
                                     "Cam/raw/all", "--translator", dir.Sub("cam.cfg")};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  starlog::testutil::TempDir dir;
};

// Two repositories made alike: one served, one whose service is stopped, so
// that the same command runs through the service and locally.
struct Twins {
  Twins() {
    local.Kill(SIGTERM);
    for (const std::string& root : {served.root(), local.root()}) {
      REQUIRE(RunStarlog({"register-dataset-type", root, "raw", "Exposure", "instrument",
                          "exposure", "detector"})
                  .exit_code == 0);
    }
  }
  ServedRepository served;
  ServedRepository local;
};

// "text" with "a" replaced by "b" throughout, so that outputs naming their
// repositories compare.
std::string Replace(std::string text, const std::string& a, const std::string& b) {
  for (size_t at = text.find(a); at != std::string::npos; at = text.find(a, at + b.size())) {
    text.replace(at, a.size(), b);
  }
  return text;
}

// Files under "root" outside .starlog, as relative paths. The service may
// be removing a placement's files and folders meanwhile: a folder that goes
// while it is read ends that walk, and the caller polls again.
std::vector<std::string> FilesUnder(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string rel = fs::relative(it->path(), root).string();
    if (rel.rfind(".starlog", 0) == 0) {
      it.disable_recursion_pending();
      continue;
    }
    if (!fs::is_directory(it->symlink_status())) out.push_back(rel);
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t OpenDescriptors(pid_t pid) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e :
       fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
    ++n;
  }
  return n;
}

uint64_t Head(const ServedRepository& repo) { return repo.OpenReadOnly()->head().sequence; }

// A place request for one raw dataset whose file goes to "path".
starlog::service::PlaceRequest OneFile(
    const std::string& path,
    starlog::service::PlaceMode mode = starlog::service::PlaceMode::kCopy) {
  starlog::service::PlaceRequest request;
  request.events.emplace_back(starlog::codec::CreateCollection{
      "Cam/raw/hostile", starlog::codec::CollectionType::kRun, ""});
  starlog::codec::RegisterDatasets event;
  event.run = "Cam/raw/hostile";
  event.dataset_type = "raw";
  event.datasets.push_back(starlog::codec::DatasetEntry{
      starlog::codec::Uuid::FromBytes("0123456789abcdef"),
      {{"instrument", "Cam"}, {"exposure", int64_t{7}}, {"detector", int64_t{0}}},
      starlog::codec::Artifact{path, 0, {}}});
  request.events.emplace_back(std::move(event));
  request.files.push_back(starlog::service::PlaceFile{{{1, 0}}, path, ""});
  request.mode = mode;
  // So that a file it cannot place comes back as the refusal, not a skip.
  request.all_or_nothing = true;
  return request;
}

// Sends "request" with "descriptors" on a fresh connection; the status the
// service answers with (OK for a place_result), and whether it then closed.
std::pair<starlog::Status, bool> Hand(const ServedRepository& repo,
                                      const starlog::service::Message& request,
                                      const std::vector<int>& descriptors) {
  RawConnection c(repo.socket());
  REQUIRE(c.connected());
  REQUIRE(c.Hello());
  REQUIRE(c.SendWithDescriptors(request, descriptors));
  auto reply = c.Receive();
  REQUIRE(reply.has_value());
  const starlog::Status status = starlog::testutil::StatusOf(*reply);
  return {status, c.Closed(std::chrono::milliseconds(300))};
}

void RegisterRaw(const ServedRepository& repo) {
  REQUIRE(RunStarlog({"register-dataset-type", repo.root(), "raw", "Exposure", "instrument",
                      "exposure", "detector"})
              .exit_code == 0);
}

// RegisterRaw, and the records of exposure 7, detector 0 (OneFile's), by an
// ingest of "frame" into Cam/raw/all.
void WithRecords(const ServedRepository& repo, const Inputs& inputs, const std::string& frame) {
  RegisterRaw(repo);
  REQUIRE(RunStarlog({"ingest", repo.root(), frame, "--run", "Cam/raw/all", "--translator",
                      inputs.dir.Sub("cam.cfg")})
              .exit_code == 0);
}

// In a forked child: drops root for the OS user nobody, for good.
bool BecomeNobody() {
  return ::setgroups(0, nullptr) == 0 && ::setgid(kNobody) == 0 && ::setuid(kNobody) == 0;
}

// A served repository holding one ingested frame (so the records OneFile's
// dataset needs), its head and its files.
struct WithOneFrame {
  WithOneFrame() {
    WithRecords(served, inputs, frame);
    head = Head(served);
    files = FilesUnder(served.root());
  }
  ServedRepository served;
  Inputs inputs{1};
  const std::string frame = inputs.dir.Sub("in/c0.fits");
  uint64_t head = 0;
  std::vector<std::string> files;
};

// Exports the raws of "from" (a stopped twin) to a bundle and imports it
// into fresh twins, through the service and locally: the two must agree,
// and hold "datasets" datasets.
void ImportBothWays(const Twins& from, const Inputs& inputs, size_t datasets) {
  const std::string bundle = inputs.dir.Sub("bundle");
  REQUIRE(RunStarlog(
              {"export", from.local.root(), "raw", "--collections", "Cam/raw/all", "--to", bundle})
              .exit_code == 0);
  Twins targets;
  auto through = RunStarlog({"import", targets.served.root(), bundle});
  auto here = RunStarlog({"import", targets.local.root(), bundle});
  INFO(through.err);
  CHECK(through.exit_code == 0);
  CHECK(Contains(through.out, "imported " + std::to_string(datasets) + " datasets"));
  CHECK(through.out == here.out);
  CHECK(FilesUnder(targets.served.root()) == FilesUnder(targets.local.root()));
  CHECK(targets.served.OpenReadOnly()->head().state_digest ==
        targets.local.OpenReadOnly()->head().state_digest);
}

}  // namespace

TEST_CASE("ingest through the service prints, exits and registers as a local ingest does",
          "[service][ingest]") {
  for (const std::string mode : {"copy", "symlink", "relsymlink"}) {
    DYNAMIC_SECTION(mode) {
      Twins twins;
      Inputs inputs;
      auto through = RunStarlog(inputs.Ingest(twins.served.root(), {"--transfer", mode}));
      auto here = RunStarlog(inputs.Ingest(twins.local.root(), {"--transfer", mode}));
      INFO(through.err);
      CHECK(through.exit_code == 1);  // The readme is skipped.
      CHECK(here.exit_code == through.exit_code);
      CHECK(Contains(through.out, "ingested 3 of 4 files into Cam/raw/all (" + mode + ")"));
      CHECK(through.out == here.out);
      CHECK(Replace(through.err, twins.served.root(), twins.local.root()) == here.err);
      CHECK(FilesUnder(twins.served.root()) == FilesUnder(twins.local.root()));
      auto again = RunStarlog(inputs.Ingest(twins.served.root(), {"--json"}));
      auto again_here = RunStarlog(inputs.Ingest(twins.local.root(), {"--json"}));
      CHECK(Contains(again.out, "\"already_present\":3"));
      CHECK(again.out == again_here.out);
      auto fsck = RunStarlog({"fsck", twins.served.root(), "--json"});
      CHECK(fsck.exit_code == 0);
      // Recorded as the OS user the socket names, with the service's checksums.
      auto datasets = RunStarlog(
          {"query-datasets", twins.served.root(), "raw", "--collections", "Cam/raw/all", "--json"});
      auto datasets_here = RunStarlog(
          {"query-datasets", twins.local.root(), "raw", "--collections", "Cam/raw/all", "--json"});
      CHECK(datasets.out == datasets_here.out);
    }
  }
}

TEST_CASE("More files than one request carries make the same events through the service",
          "[service][ingest]") {
  Twins twins;
  Inputs inputs(starlog::service::kMaxDescriptorsPerMessage + 2);
  auto through = RunStarlog(inputs.Ingest(twins.served.root(), {"--json"}));
  auto here = RunStarlog(inputs.Ingest(twins.local.root(), {"--json"}));
  INFO(through.err);
  CHECK(Contains(through.out, "\"ingested\":130"));
  CHECK(through.out == here.out);
  CHECK(twins.served.OpenReadOnly()->head().state_digest ==
        twins.local.OpenReadOnly()->head().state_digest);
}

TEST_CASE("A bundle of more files than one message carries imports in parts, as one edit",
          "[service][ingest]") {
  Twins twins;
  Inputs inputs(starlog::service::kMaxDescriptorsPerMessage + 2);
  REQUIRE(RunStarlog(inputs.Ingest(twins.local.root())).exit_code == 1);  // The readme.
  ImportBothWays(twins, inputs, 130);
}

TEST_CASE("A bundle.jsonl of more than one batch imports through the service as it does here",
          "[service][ingest]") {
  Twins twins;
  starlog::testutil::TempDir dir;
  // 10,050 biases without files and their detectors: two batches of each.
  const std::string source = dir.Sub("source");
  const int count = 10'050;
  REQUIRE(RunStarlog({"create", source, "--no-policy"}).exit_code == 0);
  std::ofstream(dir.Sub("i.csv")) << "instrument,detector_max\nCam,20000\n";
  {
    std::ofstream d(dir.Sub("d.csv"));
    d << "instrument,detector\n";
    for (int i = 0; i < count; ++i) d << "Cam," << i << "\n";
  }
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"insert-dimension-records", source, "instrument", dir.Sub("i.csv")},
           {"insert-dimension-records", source, "detector", dir.Sub("d.csv")},
           {"register-dataset-type", source, "bias", "ExposureF", "instrument", "detector",
            "--is-calibration"},
           {"create-collection", source, "Cam/calib/bias", "--type", "RUN"},
           {"register-datasets", source, "bias", "Cam/calib/bias", dir.Sub("d.csv")},
           {"export", source, "bias", "--collections", "Cam/calib/bias", "--to",
            dir.Sub("bundle")}}) {
    INFO(args[0]);
    REQUIRE(RunStarlog(args).exit_code == 0);
  }
  auto through = RunStarlog({"import", twins.served.root(), dir.Sub("bundle")});
  auto here = RunStarlog({"import", twins.local.root(), dir.Sub("bundle")});
  INFO(through.err);
  CHECK(through.exit_code == 0);
  CHECK(Contains(through.out, "imported 10050 datasets (0 files) (events "));
  CHECK(through.out == here.out);
  CHECK(twins.served.OpenReadOnly()->head().state_digest ==
        twins.local.OpenReadOnly()->head().state_digest);
}

TEST_CASE("Parts of a place that never gets its last part leave nothing", "[service][ingest]") {
  WithOneFrame one;
  // In folders of its own, which go too.
  auto first = OneFile("parts/deep/part.fits");
  first.more = true;
  const int fd = ::open(one.frame.c_str(), O_RDONLY);
  SECTION("the connection ends") {
    RawConnection c(one.served.socket());
    REQUIRE(c.Hello());
    REQUIRE(c.SendWithDescriptors(first, {fd}));
    auto reply = c.Receive();
    REQUIRE(reply.has_value());
    CHECK(starlog::testutil::StatusOf(*reply).ok());
    CHECK(fs::exists(one.served.root() + "/parts/deep/part.fits"));  // Placed, not yet registered.
  }
  SECTION("another request comes between") {
    RawConnection c(one.served.socket());
    REQUIRE(c.Hello());
    REQUIRE(c.SendWithDescriptors(first, {fd}));
    REQUIRE(c.Receive().has_value());
    REQUIRE(c.Send(starlog::service::InfoRequest{}));
    REQUIRE(c.Receive().has_value());
    CHECK_FALSE(fs::exists(one.served.root() + "/parts/deep/part.fits"));
    CHECK_FALSE(fs::exists(one.served.root() + "/parts"));
    // The last part finds no events to fill.
    starlog::service::PlaceRequest last;
    last.files.push_back(starlog::service::PlaceFile{{{1, 0}}, "raw/last.fits", ""});
    last.all_or_nothing = true;
    REQUIRE(c.SendWithDescriptors(last, {fd}));
    auto reply = c.Receive();
    REQUIRE(reply.has_value());
    CHECK(Contains(starlog::testutil::StatusOf(*reply).ToString(),
                   "names no dataset of a register-datasets event"));
  }
  ::close(fd);
  for (int i = 0; i < 50 && FilesUnder(one.served.root()) != one.files; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(FilesUnder(one.served.root()) == one.files);
  for (int i = 0; i < 50 && fs::exists(one.served.root() + "/parts"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK_FALSE(fs::exists(one.served.root() + "/parts"));
  CHECK(Head(one.served) == one.head);
}

TEST_CASE("move through the service removes the sources once registered, direct needs the file",
          "[service][ingest]") {
  ServedRepository served;
  RegisterRaw(served);
  Inputs inputs;
  auto moved = RunStarlog(inputs.Ingest(served.root(), {"--transfer", "move"}));
  INFO(moved.err);
  CHECK(Contains(moved.out, "ingested 3 of 4 files"));
  CHECK_FALSE(fs::exists(inputs.dir.Sub("in/c0.fits")));
  CHECK(fs::exists(inputs.dir.Sub("in/readme.txt")));  // Skipped, so kept.
  CHECK(RunStarlog({"fsck", served.root()}).exit_code == 0);

  // direct: a file already under the root, registered where it is.
  fs::create_directories(served.root() + "/incoming");
  starlog::testutil::WriteFits(
      served.root() + "/incoming/d9.fits",
      starlog::testutil::RawCards("Cam", 8, 9, "R", "science", "2024-05-01T01:00:00", 5));
  auto direct = RunStarlog({"ingest", served.root(), served.root() + "/incoming/d9.fits", "--run",
                            "Cam/raw/all", "--translator", inputs.dir.Sub("cam.cfg"), "--transfer",
                            "direct"});
  INFO(direct.err);
  CHECK(direct.exit_code == 0);
  CHECK(RunStarlog({"fsck", served.root()}).exit_code == 0);
  auto outside = RunStarlog({"ingest", served.root(), inputs.Frame(5, "."), "--run", "Cam/raw/all",
                             "--translator", inputs.dir.Sub("cam.cfg"), "--transfer", "direct"});
  CHECK(outside.exit_code == 1);
  CHECK(Contains(outside.out, "is not under the repository root"));

  // fsck --ingest-unregistered: a file left under the root, handed over as
  // a descriptor of that very file; a text file stays unowned.
  starlog::testutil::WriteFits(
      served.root() + "/incoming/d10.fits",
      starlog::testutil::RawCards("Cam", 8, 10, "R", "science", "2024-05-01T01:00:00", 5));
  std::ofstream(served.root() + "/incoming/notes.txt") << "not FITS";
  auto found = RunStarlog({"fsck", served.root(), "--ingest-unregistered", "--run", "Cam/raw/all",
                           "--translator", inputs.dir.Sub("cam.cfg")});
  INFO(found.err);
  CHECK(found.exit_code == 1);
  CHECK(Contains(found.out, "ingested 1 of 2 unregistered files in place"));
  CHECK(Contains(found.out, "not owned by any dataset: incoming/notes.txt"));
  CHECK_FALSE(Contains(found.out, "not owned by any dataset: incoming/d10.fits"));
  fs::remove(served.root() + "/incoming/notes.txt");
  CHECK(RunStarlog({"fsck", served.root()}).exit_code == 0);

  // hardlink: refused by the service, saying why; nothing placed.
  const auto before = FilesUnder(served.root());
  auto linked = RunStarlog({"ingest", served.root(), inputs.Frame(6, "."), "--run", "Cam/raw/all",
                            "--translator", inputs.dir.Sub("cam.cfg"), "--transfer", "hardlink"});
  CHECK(linked.exit_code == 1);
  CHECK(Contains(linked.err, "hardlink cannot go through the service"));
  CHECK(FilesUnder(served.root()) == before);
}

TEST_CASE("import, fsck --fix and prune-datasets --unstore/--purge go through the service too",
          "[service][ingest]") {
  Twins twins;
  Inputs inputs;
  for (const std::string& root : {twins.served.root(), twins.local.root()}) {
    REQUIRE(RunStarlog(inputs.Ingest(root)).exit_code == 1);
  }
  ImportBothWays(twins, inputs, 3);

  // fsck --fix: the repair is an edit the service makes.
  const std::string lost = FilesUnder(twins.served.root()).front();
  fs::remove(twins.served.root() + "/" + lost);
  fs::remove(twins.local.root() + "/" + lost);
  auto fixed = RunStarlog({"fsck", twins.served.root(), "--fix"});
  auto fixed_here = RunStarlog({"fsck", twins.local.root(), "--fix"});
  INFO(fixed.err);
  CHECK(Contains(fixed.out, "detached the files of datasets whose files are missing"));
  CHECK(fixed.exit_code == fixed_here.exit_code);
  CHECK(fixed.out == fixed_here.out);

  // prune: the service deletes the files once the removal is durable.
  for (const std::string flag : {"--unstore", "--purge"}) {
    auto pruned = RunStarlog({"prune-datasets", twins.served.root(), "--dataset-type", "raw",
                              "--collections", "Cam/raw/all", flag, "--no-confirm"});
    auto pruned_here = RunStarlog({"prune-datasets", twins.local.root(), "--dataset-type", "raw",
                                   "--collections", "Cam/raw/all", flag, "--no-confirm"});
    INFO(pruned.err);
    CHECK(pruned.exit_code == 0);
    CHECK(pruned.out == pruned_here.out);
  }
  CHECK(FilesUnder(twins.served.root()).empty());
  CHECK(FilesUnder(twins.local.root()).empty());
}

TEST_CASE("import --format butler goes through the service as a bundle does", "[service][ingest]") {
  Twins twins;
  Inputs inputs;
  REQUIRE(RunStarlog(inputs.Ingest(twins.local.root())).exit_code == 1);
  const std::string exported = inputs.dir.Sub("butler-export");
  REQUIRE(RunStarlog({"export", twins.local.root(), "raw", "--collections", "Cam/raw/all", "--to",
                      exported, "--format", "butler"})
              .exit_code == 0);
  Twins targets;
  auto dry =
      RunStarlog({"import", targets.served.root(), exported, "--format", "butler", "--dry-run"});
  INFO(dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(FilesUnder(targets.served.root()).empty());
  auto through = RunStarlog({"import", targets.served.root(), exported, "--format", "butler"});
  auto here = RunStarlog({"import", targets.local.root(), exported, "--format", "butler"});
  INFO(through.err);
  CHECK(through.exit_code == 0);
  CHECK(Contains(through.out, "imported 3 datasets (3 files)"));
  CHECK(through.out == here.out);
  CHECK(FilesUnder(targets.served.root()).size() == 3);
  CHECK(FilesUnder(targets.served.root()) == FilesUnder(targets.local.root()));
  CHECK(targets.served.OpenReadOnly()->head().state_digest ==
        targets.local.OpenReadOnly()->head().state_digest);
  // A second import adds nothing, through the service as here.
  auto again = RunStarlog({"import", targets.served.root(), exported, "--format", "butler"});
  CHECK(again.exit_code == 0);
  CHECK(Contains(again.out, "imported 0 datasets"));
}

TEST_CASE("A user who may not write the repository ingests what they can read, nothing else",
          "[service][ingest]") {
  if (::geteuid() != 0) {
    WARN("not root: cannot run a client as another user (nobody)");
    return;
  }
  ServedRepository served({"--socket-mode", "0666"});
  RegisterRaw(served);
  ::chmod(fs::path(served.root()).parent_path().c_str(), 0755);
  Inputs inputs;
  // A frame only root may read, beside ones anybody may.
  const std::string secret = inputs.Frame(8, ".");
  ::chmod(secret.c_str(), 0600);
  const auto as_nobody = [&](std::vector<std::string> args) {
    return starlog::testutil::WaitExit(starlog::testutil::Fork([&] {
      if (!BecomeNobody()) {
        return 100;
      }
      const int null = ::open("/dev/null", O_WRONLY);
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
      std::vector<char*> argv = {const_cast<char*>(STARLOG_BINARY)};
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(STARLOG_BINARY, argv.data());
      return 101;
    }));
  };
  // nobody may not write the repository: a local ingest could not place a
  // file there, nor open the registry for writing.
  REQUIRE(starlog::testutil::WaitExit(starlog::testutil::Fork([&] {
            if (!BecomeNobody()) {
              return 100;
            }
            const bool writable = ::access(served.root().c_str(), W_OK) == 0 ||
                                  ::access((served.root() + "/.starlog").c_str(), W_OK) == 0;
            return writable ? 1 : 0;
          })) == 0);
  // ... but may follow it, as ingest does to plan each batch (the service
  // made the followers' lock file readable).
  CHECK(starlog::testutil::WaitExit(starlog::testutil::Fork([&] {
          if (!BecomeNobody()) {
            return 100;
          }
          starlog::engine::StoreOptions follow;
          follow.follow = true;
          return starlog::engine::EventStore::Open(served.root(), follow).ok() ? 0 : 1;
        })) == 0);
  CHECK(as_nobody({"ingest", served.root(), inputs.dir.Sub("in/c0.fits"), "--run", "u/nobody/raw",
                   "--translator", inputs.dir.Sub("cam.cfg")}) == 0);
  auto store = served.OpenReadOnly();
  auto view = store->View().value();
  auto refs = view.QueryDatasets({"raw", {"u/nobody/raw"}, {}, true, std::nullopt}).value();
  REQUIRE(refs.size() == 1);
  CHECK(served.EventAt(store->head().sequence).actor == "nobody");
  const fs::path placed = fs::path(served.root()) / refs[0].artifact->path;
  struct stat st;
  REQUIRE(::stat(placed.c_str(), &st) == 0);
  CHECK(st.st_uid == 0);  // The service's account owns it, not the client.
  CHECK(RunStarlog({"fsck", served.root()}).exit_code == 0);

  // The file nobody may not read: skipped by the client, never asked of the
  // service; and no request can name a path for the service to read.
  const uint64_t head = store->head().sequence;
  CHECK(as_nobody({"ingest", served.root(), secret, "--run", "u/nobody/raw", "--translator",
                   inputs.dir.Sub("cam.cfg")}) == 1);
  CHECK(Head(served) == head);
  const int crafted = starlog::testutil::WaitExit(starlog::testutil::Fork([&] {
    if (!BecomeNobody()) {
      return 100;
    }
    auto client = starlog::service::Client::Connect(served.socket());
    if (!client.ok()) return 102;
    // A symlink whose source is the secret, with a file nobody can read as
    // the descriptor: the service opens the path, finds another file, refuses.
    auto request = OneFile("u/nobody/link.fits", starlog::service::PlaceMode::kSymlink);
    request.files[0].source = secret;
    auto reply = (*client)->Place(request, {inputs.dir.Sub("in/c1.fits")});
    if (reply.ok()) return 1;
    return Contains(std::string(reply.status().message()), "is not the file the descriptor holds")
               ? 0
               : 2;
  }));
  CHECK(crafted == 0);
  CHECK_FALSE(fs::exists(served.root() + "/u/nobody/link.fits"));
  CHECK(Head(served) == head);

  // prune --purge: the service deletes the files nobody could not.
  CHECK(as_nobody({"prune-datasets", served.root(), "--dataset-type", "raw", "--collections",
                   "u/nobody/raw", "--purge", "--no-confirm"}) == 0);
  CHECK_FALSE(fs::exists(placed));
}

TEST_CASE("Hostile descriptors are refused, closed, and change nothing", "[service][ingest]") {
  WithOneFrame one;
  // Warm up: the first connection opens what the service keeps open; its
  // session's own descriptors are gone once it has ended.
  REQUIRE(Hand(one.served, starlog::service::InfoRequest{}, {}).first.ok());
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const size_t descriptors = OpenDescriptors(one.served.child().pid());

  using starlog::service::PlaceMode;
  const auto refused = [&](const std::vector<int>& fds, const std::string& why,
                           PlaceMode mode = PlaceMode::kCopy, std::string path = "raw/x.fits") {
    auto [status, closed] = Hand(one.served, OneFile(path, mode), fds);
    INFO(status.ToString());
    CHECK_FALSE(status.ok());
    CHECK(Contains(status.ToString(), why));
    return closed;
  };
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  CHECK_FALSE(refused({pipe_fds[0]}, "is a pipe, not a regular file"));
  const int folder = ::open(one.inputs.dir.path().c_str(), O_RDONLY | O_DIRECTORY);
  CHECK_FALSE(refused({folder}, "is a folder"));
  int pair[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair) == 0);
  CHECK_FALSE(refused({pair[0]}, "is a socket"));
  const int zero = ::open("/dev/zero", O_RDONLY);
  CHECK_FALSE(refused({zero}, "is a character device"));
  const int write_only = ::open(one.frame.c_str(), O_WRONLY);
  CHECK_FALSE(refused({write_only}, "not open for reading"));
  const int readable = ::open(one.frame.c_str(), O_RDONLY);
  CHECK_FALSE(refused({readable}, "hardlink cannot go through the service", PlaceMode::kHardlink));
  // direct: the file under the root is another than the descriptor's.
  CHECK_FALSE(refused({readable}, "is not the file at", PlaceMode::kDirect, one.files.front()));
  // Protocol violations end the connection.
  CHECK(refused({readable, readable}, "names 1 files and came with 2 descriptors"));
  CHECK(refused({}, "names 1 files and came with 0 descriptors"));
  std::vector<int> many(starlog::service::kMaxDescriptorsPerMessage + 1, readable);
  CHECK(refused(many, "more than 128 descriptors with one message"));
  {
    auto [status, closed] = Hand(one.served, starlog::service::InfoRequest{}, {readable});
    CHECK(Contains(status.ToString(), "descriptors came with message type 3, which takes none"));
    CHECK(closed);
  }
  // A file that grows while the service copies it.
  {
    const std::string growing = one.inputs.dir.Sub("growing.fits");
    std::ofstream(growing) << std::string(32 << 20, 'x');
    std::atomic<bool> stop{false};
    std::thread writer([&] {
      std::ofstream out(growing, std::ios::app);
      while (!stop.load()) out << std::string(4096, 'y') << std::flush;
    });
    // Growing already when the request goes.
    while (fs::file_size(growing) == size_t{32} << 20) std::this_thread::yield();
    const int fd = ::open(growing.c_str(), O_RDONLY);
    auto [status, closed] = Hand(one.served, OneFile("raw/x.fits"), {fd});
    stop = true;
    writer.join();
    ::close(fd);
    CHECK(Contains(status.ToString(), "changed while the service read it"));
    CHECK_FALSE(closed);
  }
  for (int fd : {pipe_fds[0], pipe_fds[1], folder, pair[0], pair[1], zero, write_only, readable}) {
    ::close(fd);
  }
  CHECK(Head(one.served) == one.head);
  CHECK(FilesUnder(one.served.root()) == one.files);
  // Every descriptor it was handed is closed again.
  for (int i = 0; i < 50 && OpenDescriptors(one.served.child().pid()) > descriptors; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(OpenDescriptors(one.served.child().pid()) == descriptors);
  // The same request with a proper descriptor is registered.
  const int proper = ::open(one.frame.c_str(), O_RDONLY);
  CHECK(Hand(one.served, OneFile("raw/x.fits"), {proper}).first.ok());
  ::close(proper);
  CHECK(Head(one.served) == one.head + 2);
  CHECK(fs::exists(one.served.root() + "/raw/x.fits"));
}

TEST_CASE("The service takes at most --max-ingest-bytes in one request", "[service][ingest]") {
  ServedRepository served({"--max-ingest-bytes", "1000"});
  RegisterRaw(served);
  Inputs inputs(1);
  const uint64_t head = Head(served);
  auto big = RunStarlog(inputs.Ingest(served.root()));
  CHECK(big.exit_code == 1);
  CHECK(Contains(big.err, "more than the 1000 the service takes in one request"));
  CHECK(Head(served) == head);
  CHECK(FilesUnder(served.root()).empty());
}

TEST_CASE("A client killed in the middle of a place request leaves nothing behind",
          "[service][ingest]") {
  ServedRepository served;
  Inputs inputs(1);
  WithRecords(served, inputs, inputs.dir.Sub("in/c0.fits"));
  const std::string big = inputs.dir.Sub("big.fits");
  std::ofstream(big) << std::string(96 << 20, 'z');
  const uint64_t head = Head(served);
  const auto files = FilesUnder(served.root());
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = starlog::testutil::Fork([&] {
    RawConnection c(served.socket());
    if (!c.Hello()) return 1;
    const int fd = ::open(big.c_str(), O_RDONLY);
    if (!c.SendWithDescriptors(OneFile("raw/big.fits"), {fd})) return 2;
    if (::write(ready[1], "x", 1) != 1) return 3;
    ::pause();  // Killed while the service works on it.
    return 4;
  });
  char byte;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  ::kill(child, SIGKILL);
  CHECK(starlog::testutil::WaitExit(child) == 128 + SIGKILL);
  ::close(ready[0]);
  ::close(ready[1]);
  // Whatever the service was doing, it ends with the file gone and no event.
  for (int i = 0; i < 100 && FilesUnder(served.root()) != files; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(FilesUnder(served.root()) == files);
  CHECK(Head(served) == head);
  // And it serves on.
  CHECK(RunStarlog({"create-collection", served.root(), "after"}).exit_code == 0);
}

TEST_CASE("A file that is several datasets fills each of their entries, once",
          "[service][ingest]") {
  WithOneFrame one;
  auto request = OneFile("raw/two.fits");
  request.events.emplace_back(
      starlog::codec::CreateCollection{"Cam/raw/second", starlog::codec::CollectionType::kRun, ""});
  auto second = std::get<starlog::codec::RegisterDatasets>(request.events[1]);
  second.run = "Cam/raw/second";
  second.datasets[0].id = starlog::codec::Uuid::FromBytes("fedcba9876543210");
  request.events.emplace_back(std::move(second));
  const int fd = ::open(one.frame.c_str(), O_RDONLY);
  SECTION("each entry once") {
    request.files[0].entries = {{1, 0}, {3, 0}};
    REQUIRE(Hand(one.served, request, {fd}).first.ok());
    const auto store = one.served.OpenReadOnly();
    auto view = store->View().value();
    auto a = view.GetDataset(starlog::codec::Uuid::FromBytes("0123456789abcdef")).value();
    auto b = view.GetDataset(starlog::codec::Uuid::FromBytes("fedcba9876543210")).value();
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    REQUIRE(a->artifact.has_value());
    CHECK(a->artifact == b->artifact);
    CHECK(a->artifact->path == "raw/two.fits");
    CHECK(a->artifact->size == fs::file_size(one.frame));
  }
  SECTION("an entry twice is refused") {
    request.files[0].entries = {{1, 0}, {1, 0}};
    auto [status, closed] = Hand(one.served, request, {fd});
    CHECK(Contains(status.ToString(), "names a dataset another file names too"));
    CHECK(Head(one.served) == one.head);
    CHECK(FilesUnder(one.served.root()) == one.files);
  }
  ::close(fd);
}
