#include "starlog/replication/replicator.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "replication/apply_pipeline.h"
#include "replication/file_fetch.h"
#include "replication/handshake.h"
#include "starlog/codec/chain.h"
#include "starlog/codec/event_codec.h"
#include "starlog/codec/frame.h"
#include "starlog/codec/time_format.h"
#include "starlog/engine/event_store.h"
#include "starlog/replication/replica_files.h"

namespace starlog::replication {

namespace {

// Final errors: retrying cannot help.
bool IsFinal(const Status& s) {
  return s.IsPermissionDenied() || s.IsInvalidArgument() || s.IsNotSupported() || s.IsConflict();
}

// Messages a replica holds at once while applying metadata only: one being
// applied, one waiting; with one more asked for on the wire.
constexpr size_t kPipelineDepth = 2;

// One dataset file named by an event.
struct FileToCopy {
  codec::Uuid id;
  codec::Artifact artifact;
};

class Replication {
 public:
  explicit Replication(const ReplicateOptions& options) : options_(options) {}

  Status Run() {
    STARLOG_RETURN_IF_ERROR(OpenExisting());
    int failures = 0;
    auto pause = std::chrono::milliseconds(100);
    while (true) {
      const Status s = Connection();
      if (s.ok()) {
        SetState(options_.follow ? "stopped" : "caught up");
        return s;
      }
      status_.last_error = s.ToString();
      status_.last_error_ns = codec::NowUtcNs();
      Log(s.ToString());
      if (IsFinal(s)) {
        SetState("refused");
        return s;
      }
      SetState("disconnected");
      if (!options_.follow && ++failures > options_.retries) return s;
      // Sleep in small steps, so a stop request is heard.
      const auto until = std::chrono::steady_clock::now() + pause;
      while (std::chrono::steady_clock::now() < until) {
        if (Stopping()) return Status::OK();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      pause = std::min(pause * 2, options_.max_pause);
    }
  }

 private:
  bool Stopping() const { return options_.stop && options_.stop(); }
  void Log(const std::string& line) const {
    if (options_.log) options_.log(line);
  }

  Status OpenExisting() {
    engine::StoreOptions store_options;
    store_options.sync = false;  // One Sync() per batch instead.
    auto store = engine::EventStore::Open(options_.root, store_options);
    if (store.status().IsNotFound()) return Status::OK();  // Created on first contact.
    STARLOG_RETURN_IF_ERROR(store.status());
    if (!(*store)->is_replica()) {
      return Status::InvalidArgument(options_.root +
                                     " holds a primary repository, not a replica; replicate "
                                     "into a new folder (or an existing replica)");
    }
    store_ = std::move(*store);
    auto saved = ReadReplicationStatus(options_.root);
    if (saved.ok()) status_ = std::move(*saved);
    // Files are checked again from the start if the filter changed.
    if (status_.copy_files != options_.copy_files ||
        status_.file_collections != options_.file_collections) {
      status_.files_through = 0;
    }
    return Status::OK();
  }

  void SetState(const std::string& state) {
    status_.state = state;
    WriteStatus(/*force=*/true);
  }

  void WriteStatus(bool force) {
    status_.primary = options_.from;
    status_.copy_files = options_.copy_files;
    status_.file_collections = options_.file_collections;
    if (store_) {
      const engine::Head head = store_->head();
      status_.head = head.sequence;
      status_.head_time_ns = head.commit_time_ns;
    }
    if (options_.progress) options_.progress(status_);
    const auto now = std::chrono::steady_clock::now();
    if (!store_ || (!force && now - last_write_ < std::chrono::milliseconds(250))) return;
    last_write_ = now;
    const Status s = WriteReplicationStatus(options_.root, status_);
    if (!s.ok()) Log(s.ToString());
  }

  void Heard(const WirePoint& primary_head) {
    status_.primary_head = primary_head.sequence;
    status_.primary_head_time_ns = primary_head.commit_time_ns;
    status_.last_contact_ns = codec::NowUtcNs();
  }

  // One connection, from connecting to its end.
  Status Connection() {
    SetState("connecting");
    STARLOG_ASSIGN_OR_RETURN(auto channel,
                             Channel::Connect(options_.from, options_.tls, options_.timeout));
    channel_ = channel.get();
    const codec::Uuid ours = store_ ? store_->repository_id() : codec::Uuid();
    STARLOG_ASSIGN_OR_RETURN(codec::Uuid id,
                             ConnectToPrimary(*channel, ours, kRoleReplica, options_.key));
    if (!store_) {
      engine::StoreOptions store_options;
      store_options.sync = false;
      STARLOG_ASSIGN_OR_RETURN(store_,
                               engine::EventStore::CreateReplica(options_.root, id, store_options));
      Log("created a replica of repository " + id.ToString() + " in " + options_.root);
    }
    STARLOG_RETURN_IF_ERROR(RetryFailedFiles());
    STARLOG_RETURN_IF_ERROR(RecheckFiles());
    STARLOG_RETURN_IF_ERROR(CopyFilesThrough(store_->head().sequence));
    return Stream(*channel);
  }

  // From start to the end of the connection: the events received and
  // checked here while the pipeline applies those before them. Every answer
  // the primary sends was asked for (start, then acks), so this thread
  // receives only while an answer is due and never waits on a primary that
  // waits on it. Metadata only, a few answers are asked ahead; copying files,
  // one at a time, since the files of each message are fetched over this
  // channel after it is applied, before the next is asked for.
  Status Stream(Channel& channel) {
    const size_t depth = options_.copy_files ? 1 : kPipelineDepth;
    const size_t ahead = options_.copy_files ? 1 : kPipelineDepth + 1;
    ApplyPipeline pipeline(store_.get(), options_.sync, depth);
    const engine::Head head = store_->head();
    STARLOG_RETURN_IF_ERROR(channel.Send(Start{head.sequence, head.chain_hash}));
    size_t asked = 1;              // Answers due.
    uint64_t primary = 0;          // The primary's head, as last heard.
    engine::Head received = head;  // The last event received and checked.
    bool ending = false;           // Caught up, not following: ask nothing more.
    uint64_t last_count = 0;       // Events in the last message.
    SetState("catching up");
    while (!Stopping()) {
      // Ahead only while the answers due, if as long as the last, leave some
      // of the primary's events unsent: so that, caught up, the last answer
      // is the one to the ack of everything (the primary logs where the
      // replica left).
      while (!ending && received.sequence + last_count * asked < primary &&
             asked + pipeline.held() < ahead) {
        STARLOG_RETURN_IF_ERROR(channel.Send(Ack{pipeline.applied()}));
        ++asked;
      }
      if (asked == 0) {
        // All asked for is here: ask again once there is room for the
        // answer; with all the primary had, once it is applied.
        const size_t room = received.sequence >= primary ? 1 : ahead;
        const auto poll = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
        if (pipeline.WaitForLess(room, poll) >= room) continue;
        STARLOG_RETURN_IF_ERROR(pipeline.error());
        if (pipeline.held() == 0) STARLOG_RETURN_IF_ERROR(CopyFilesThrough(pipeline.applied()));
        WriteStatus(/*force=*/false);
        STARLOG_RETURN_IF_ERROR(channel.Send(Ack{pipeline.applied()}));
        ++asked;
        continue;
      }
      STARLOG_ASSIGN_OR_RETURN(Message message, channel.Receive());
      --asked;
      if (auto* events = std::get_if<Events>(&message)) {
        Heard(events->primary_head);
        primary = events->primary_head.sequence;
        if (status_.state != "catching up") SetState("catching up");
        last_count = events->events.size();
        const Status checked = CheckEvents(events, &received);
        // A bad event ends the connection, but those before it are good:
        // applied first, so that the replica resumes after them.
        if (!events->events.empty()) STARLOG_RETURN_IF_ERROR(pipeline.Push(std::move(*events)));
        if (!checked.ok()) {
          STARLOG_RETURN_IF_ERROR(pipeline.Drain());
          return checked;
        }
        if (!options_.copy_files) status_.files_through = pipeline.applied();
        WriteStatus(/*force=*/false);
      } else if (const auto* caught_up = std::get_if<CaughtUp>(&message)) {
        Heard(caught_up->primary_head);
        primary = caught_up->primary_head.sequence;
        STARLOG_RETURN_IF_ERROR(pipeline.Drain());
        if (caught_up->primary_head.sequence != store_->head().sequence) {
          return Status::Corruption("the primary says caught up at event " +
                                    std::to_string(caught_up->primary_head.sequence) +
                                    ", but the replica's head is " +
                                    std::to_string(store_->head().sequence));
        }
        if (asked == 0) STARLOG_RETURN_IF_ERROR(CopyFilesThrough(pipeline.applied()));
        if (!options_.follow) {
          // Answers still due are heard out, so the primary is not cut off
          // in the middle of sending one.
          if (asked == 0) return Status::OK();
          ending = true;
          continue;
        }
        if (status_.state != "following") {
          SetState("following");
        } else {
          WriteStatus(/*force=*/false);
        }
      } else {
        return Unexpected(message, "events", channel.peer());
      }
    }
    return Status::OK();
  }

  // Checks, before they are queued, what the engine checks again as it
  // applies them: each frame's checksum, consecutive sequences and the chain
  // hash each frame gives after the one before. Keeps the events before the
  // first that fails (and advances "*received" through them), drops the rest
  // and returns Corruption.
  static Status CheckEvents(Events* events, engine::Head* received) {
    std::vector<WireEvent>& list = events->events;
    for (size_t i = 0; i < list.size(); ++i) {
      const WireEvent& e = list[i];
      const std::string where = "event " + std::to_string(received->sequence + 1);
      Status bad;
      if (e.point.sequence != received->sequence + 1) {
        bad = Status::Corruption(where + ": the primary sent event " +
                                 std::to_string(e.point.sequence) + " in its place");
      } else if (const auto frame = codec::ParseSingleFrame(e.frame); !frame.ok()) {
        bad = frame.status().WithContext(where);
      } else if (codec::NextChainHash(received->chain_hash, e.frame) != e.point.chain_hash) {
        bad = Status::Corruption(where +
                                 ": its frame does not give the chain hash the primary "
                                 "recorded");
      }
      if (!bad.ok()) {
        list.resize(i);
        return bad;
      }
      received->sequence = e.point.sequence;
      received->chain_hash = e.point.chain_hash;
    }
    return Status::OK();
  }

  // Whether the file is still the dataset's, and the dataset is wanted.
  Result<bool> Wanted(const engine::RegistryView& view, const FileFilter& filter,
                      const FileToCopy& file) const {
    STARLOG_ASSIGN_OR_RETURN(auto ref, view.GetDataset(file.id));
    if (!ref || !ref->artifact || ref->artifact->path != file.artifact.path) return false;
    return filter.Wants(view, file.id, ref->run);
  }

  Status Copy(const codec::Uuid& id, const codec::Artifact& artifact) {
    STARLOG_ASSIGN_OR_RETURN(FetchOutcome outcome,
                             FetchFile(*channel_, options_.root, id, artifact));
    status_.bytes_copied += outcome.bytes;
    if (outcome.copied) ++status_.files_copied;
    if (!outcome.problem.empty()) {
      Log("file " + artifact.path + ": " + outcome.problem);
      status_.failed_files.push_back(FailedFile{artifact, outcome.problem, id});
      status_.last_error = "file " + artifact.path + ": " + outcome.problem;
      status_.last_error_ns = codec::NowUtcNs();
    }
    return Status::OK();
  }

  Status RetryFailedFiles() {
    if (!options_.copy_files || status_.failed_files.empty()) return Status::OK();
    std::vector<FailedFile> failed;
    failed.swap(status_.failed_files);
    for (size_t i = 0; i < failed.size(); ++i) {
      // Listed before failures named their dataset: the recheck finds it.
      if (failed[i].dataset_id.IsNil()) continue;
      const Status s = Copy(failed[i].dataset_id, failed[i].artifact);
      if (!s.ok()) {
        // Keep the untried ones listed.
        status_.failed_files.insert(status_.failed_files.end(), failed.begin() + i, failed.end());
        return s;
      }
    }
    WriteStatus(/*force=*/true);
    return Status::OK();
  }

  // Files copied before may have been lost or damaged since: on every
  // connection each file already copied is checked, and fetched again unless
  // it is intact. By a stat (presence and size): reading a facility's
  // petabytes again on every reconnection is not an option; with
  // recheck_contents, by size and XXH3-128.
  Status RecheckFiles() {
    if (!options_.copy_files || !store_ || status_.files_through == 0) return Status::OK();
    std::set<std::string> failed;
    for (const FailedFile& f : status_.failed_files) failed.insert(f.artifact.path);
    STARLOG_ASSIGN_OR_RETURN(auto report, CheckWantedFiles(*store_, options_.recheck_contents));
    for (const engine::FileProblem& problem : report.problems) {
      if (failed.count(problem.artifact.path) != 0) continue;  // Just retried.
      Log("file " + problem.artifact.path + " is " +
          (problem.kind == engine::FileProblem::Kind::kMissing ? "missing" : "damaged") +
          " on the replica (" + problem.detail + "); fetching it again");
      STARLOG_RETURN_IF_ERROR(Copy(problem.id, problem.artifact));
    }
    WriteStatus(/*force=*/true);
    return Status::OK();
  }

  // Copies the files of events (files_through, through].
  Status CopyFilesThrough(uint64_t through) {
    if (status_.files_through >= through) return Status::OK();
    if (!options_.copy_files) {
      status_.files_through = through;
      return Status::OK();
    }
    STARLOG_ASSIGN_OR_RETURN(engine::RegistryView view, store_->View());
    STARLOG_ASSIGN_OR_RETURN(FileFilter filter, FileFilter::Make(view, options_.file_collections));
    while (status_.files_through < through) {
      const uint64_t from = status_.files_through + 1;
      STARLOG_ASSIGN_OR_RETURN(auto records, store_->ReadLog(from, 1000));
      if (records.empty()) break;
      for (const engine::LogRecord& record : records) {
        if (record.sequence > through) break;
        STARLOG_ASSIGN_OR_RETURN(codec::Event event, codec::DecodeEventFrame(record.frame));
        std::vector<FileToCopy> files;
        if (const auto* reg = std::get_if<codec::RegisterDatasets>(&event.body)) {
          for (const codec::DatasetEntry& d : reg->datasets) {
            if (d.artifact) files.push_back({d.id, *d.artifact});
          }
        } else if (const auto* attach = std::get_if<codec::AttachArtifacts>(&event.body)) {
          for (const codec::ArtifactEntry& a : attach->artifacts)
            files.push_back({a.id, a.artifact});
        }
        for (const FileToCopy& file : files) {
          STARLOG_ASSIGN_OR_RETURN(bool want, Wanted(view, filter, file));
          if (want) STARLOG_RETURN_IF_ERROR(Copy(file.id, file.artifact));
        }
        status_.files_through = record.sequence;
      }
      WriteStatus(/*force=*/false);
    }
    return Status::OK();
  }

  const ReplicateOptions& options_;
  std::unique_ptr<engine::EventStore> store_;
  Channel* channel_ = nullptr;  // The current connection's.
  ReplicationStatus status_;
  std::chrono::steady_clock::time_point last_write_{};
};

}  // namespace

Status Replicate(const ReplicateOptions& options) {
  if (options.key.size() < 16) {
    return Status::InvalidArgument("the shared key must be at least 16 bytes");
  }
  Replication replication(options);
  return replication.Run();
}

}  // namespace starlog::replication
