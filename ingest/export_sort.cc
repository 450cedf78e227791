#include "ingest/export_sort.h"

#include <algorithm>
#include <cassert>
#include <filesystem>
#include <fstream>
#include <memory>
#include <queue>

#include "starlog/codec/coding.h"

namespace starlog::ingest::internal {

namespace fs = std::filesystem;

namespace {

constexpr size_t kBufferBytes = size_t{64} << 10;
// What holding an entry costs beside its bytes: the pair and two strings.
constexpr size_t kEntryOverhead = sizeof(std::pair<std::string, std::string>);

class RunWriter {
 public:
  Status Open(const std::string& path) {
    path_ = path;
    buffer_ = std::make_unique<char[]>(kBufferBytes);
    out_.rdbuf()->pubsetbuf(buffer_.get(), kBufferBytes);
    out_.open(path, std::ios::binary | std::ios::trunc);
    if (!out_) return Status::IOError("cannot create " + path);
    return Status::OK();
  }
  void Write(std::string_view key, std::string_view value) {
    std::string head;
    codec::PutFixed32(&head, static_cast<uint32_t>(key.size()));
    codec::PutFixed32(&head, static_cast<uint32_t>(value.size()));
    out_.write(head.data(), static_cast<std::streamsize>(head.size()));
    out_.write(key.data(), static_cast<std::streamsize>(key.size()));
    out_.write(value.data(), static_cast<std::streamsize>(value.size()));
  }
  Status Close() {
    out_.close();
    if (!out_) return Status::IOError("cannot write " + path_);
    return Status::OK();
  }

 private:
  std::string path_;
  std::unique_ptr<char[]> buffer_;
  std::ofstream out_;
};

class RunReader {
 public:
  Status Open(const std::string& path) {
    path_ = path;
    buffer_ = std::make_unique<char[]>(kBufferBytes);
    in_.rdbuf()->pubsetbuf(buffer_.get(), kBufferBytes);
    in_.open(path, std::ios::binary);
    if (!in_) return Status::IOError("cannot open " + path);
    return Status::OK();
  }
  // The next entry into key() and value(); false at the end.
  Result<bool> Next() {
    char head[8];
    in_.read(head, sizeof(head));
    if (in_.gcount() == 0 && in_.eof()) return false;
    if (in_.gcount() != sizeof(head)) return Damaged();
    const uint32_t key_size = codec::DecodeFixed32(head);
    const uint32_t value_size = codec::DecodeFixed32(head + 4);
    if (key_size > ExternalSort::kMaxEntryBytes || value_size > ExternalSort::kMaxEntryBytes) {
      return Damaged();
    }
    key_.resize(key_size);
    value_.resize(value_size);
    in_.read(key_.data(), key_size);
    in_.read(value_.data(), value_size);
    if (!in_) return Damaged();
    return true;
  }
  const std::string& key() const { return key_; }
  const std::string& value() const { return value_; }

 private:
  Status Damaged() const { return Status::Corruption(path_ + " is truncated or damaged"); }

  std::string path_;
  std::unique_ptr<char[]> buffer_;
  std::ifstream in_;
  std::string key_;
  std::string value_;
};

}  // namespace

ExternalSort::ExternalSort(std::string scratch, size_t memory_bytes)
    : scratch_(std::move(scratch)), memory_bytes_(memory_bytes) {}

ExternalSort::~ExternalSort() {
  if (runs_written_ == 0) return;
  std::error_code ec;
  fs::remove_all(scratch_, ec);  // Best effort: scratch files only.
}

Status ExternalSort::Add(std::string key, std::string value) {
  if (key.size() > kMaxEntryBytes || value.size() > kMaxEntryBytes) {
    return Status::InvalidArgument("a sort entry of " + std::to_string(key.size() + value.size()) +
                                   " bytes is over the bound");
  }
  held_bytes_ += key.size() + value.size() + kEntryOverhead;
  held_.emplace_back(std::move(key), std::move(value));
  if (held_bytes_ < memory_bytes_) return Status::OK();
  STARLOG_RETURN_IF_ERROR(WriteRun());
  if (runs_.size() >= kMaxRuns) STARLOG_RETURN_IF_ERROR(MergeRuns());
  return Status::OK();
}

Status ExternalSort::WriteRun() {
  // Stable: of equal keys the first added stays first, as the merge keeps it.
  std::stable_sort(held_.begin(), held_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::error_code ec;
  fs::create_directories(scratch_, ec);
  if (ec) return Status::IOError("create " + scratch_ + ": " + ec.message());
  const std::string path = (fs::path(scratch_) / ("run-" + std::to_string(runs_written_))).string();
  ++runs_written_;  // Before the file exists, so that the destructor removes it.
  RunWriter out;
  STARLOG_RETURN_IF_ERROR(out.Open(path));
  for (const auto& [key, value] : held_) out.Write(key, value);
  STARLOG_RETURN_IF_ERROR(out.Close());
  runs_.push_back(path);
  held_ = {};
  held_bytes_ = 0;
  return Status::OK();
}

Status ExternalSort::MergeRuns() {
  const std::string path = (fs::path(scratch_) / ("run-" + std::to_string(runs_written_))).string();
  ++runs_written_;
  RunWriter out;
  STARLOG_RETURN_IF_ERROR(out.Open(path));
  assert(held_.empty());  // Called right after WriteRun: the merge takes the files alone.
  STARLOG_RETURN_IF_ERROR(Merge(runs_, [&](std::string_view key, std::string_view value) {
    out.Write(key, value);
    return Status::OK();
  }));
  STARLOG_RETURN_IF_ERROR(out.Close());
  for (const std::string& run : runs_) {
    std::error_code ec;
    fs::remove(run, ec);  // Best effort: the destructor removes what is left.
  }
  runs_ = {path};
  return Status::OK();
}

Status ExternalSort::ForEach(const EntryFn& fn) {
  if (!held_sorted_) {
    std::stable_sort(held_.begin(), held_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    held_sorted_ = true;
  }
  return Merge(runs_, fn);
}

Status ExternalSort::Merge(const std::vector<std::string>& runs, const EntryFn& fn) {
  std::vector<RunReader> readers(runs.size());
  // Source i < runs.size() is a file, runs.size() the held entries; of equal
  // keys the older source comes first.
  const size_t held_source = runs.size();
  size_t held_next = 0;
  const auto key_of = [&](size_t source) -> const std::string& {
    return source == held_source ? held_[held_next].first : readers[source].key();
  };
  const auto later = [&](size_t a, size_t b) {
    const int c = key_of(a).compare(key_of(b));
    return c != 0 ? c > 0 : a > b;
  };
  std::priority_queue<size_t, std::vector<size_t>, decltype(later)> heap(later);
  for (size_t i = 0; i < runs.size(); ++i) {
    STARLOG_RETURN_IF_ERROR(readers[i].Open(runs[i]));
    STARLOG_ASSIGN_OR_RETURN(bool more, readers[i].Next());
    if (more) heap.push(i);
  }
  if (!held_.empty()) heap.push(held_source);
  std::string previous;
  bool first = true;
  while (!heap.empty()) {
    const size_t source = heap.top();
    heap.pop();
    const std::string& key = key_of(source);
    if (first || key != previous) {
      const std::string& value =
          source == held_source ? held_[held_next].second : readers[source].value();
      STARLOG_RETURN_IF_ERROR(fn(key, value));
      previous = key;
      first = false;
    }
    if (source == held_source) {
      if (++held_next < held_.size()) heap.push(source);
    } else {
      STARLOG_ASSIGN_OR_RETURN(bool more, readers[source].Next());
      if (more) heap.push(source);
    }
  }
  return Status::OK();
}

}  // namespace starlog::ingest::internal
