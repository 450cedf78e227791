#include "ingest/bundle_lines.h"

#include <cstring>

#include "starlog/codec/json_reader.h"
#include "starlog/codec/json_writer.h"
#include "starlog/engine/repo_paths.h"

namespace starlog::ingest::internal {

namespace {

// Reads in pieces of this size; a line may span several.
constexpr size_t kBufferBytes = size_t{64} << 10;

}  // namespace

Result<std::unique_ptr<BundleLineWriter>> BundleLineWriter::Create(const std::string& path) {
  std::unique_ptr<BundleLineWriter> w(new BundleLineWriter(path));
  w->out_.open(path, std::ios::binary | std::ios::trunc);
  if (!w->out_) return Status::IOError("cannot create " + path);
  return w;
}

Status BundleLineWriter::Write(std::string_view line) {
  if (line.size() > kMaxBundleLineBytes) {
    return Status::InvalidArgument("a bundle line of " + std::to_string(line.size()) +
                                   " bytes is over the bound of " +
                                   std::to_string(kMaxBundleLineBytes));
  }
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
  out_.put('\n');
  sum_.Update(line);
  sum_.Update("\n");
  ++lines_;
  return Status::OK();
}

Status BundleLineWriter::Finish() {
  const std::string trailer = BundleTrailer(lines_, sum_.Digest());
  out_ << trailer << '\n';
  out_.flush();
  if (!out_) return Status::IOError("cannot write " + path_);
  return Status::OK();
}

std::string BundleTrailer(uint64_t lines, const codec::Hash128& sum) {
  codec::JsonWriter w;
  w.BeginObject().Key("end").String("starlog-bundle").Key("lines").Uint(lines);
  w.Key("xxh3_128").String(sum.ToHex()).EndObject();
  return w.str();
}

Result<std::unique_ptr<BundleLineReader>> BundleLineReader::Open(const std::string& path) {
  STARLOG_RETURN_IF_ERROR(engine::CheckRegularFile(path));
  std::unique_ptr<BundleLineReader> r(new BundleLineReader());
  r->in_.open(path, std::ios::binary);
  if (!r->in_) return Status::IOError("cannot open " + path);
  r->buffer_ = std::make_unique<char[]>(kBufferBytes);
  return r;
}

Result<bool> BundleLineReader::Next(std::string* line) {
  line->clear();
  const auto where = [&] { return "bundle line " + std::to_string(number_ + 1) + ": "; };
  while (true) {
    if (begin_ == end_) {
      if (eof_) {
        if (line->empty()) return false;
        return Status::InvalidArgument(where() + "the file ends inside it (truncated?)");
      }
      in_.read(buffer_.get(), static_cast<std::streamsize>(kBufferBytes));
      begin_ = 0;
      end_ = static_cast<size_t>(in_.gcount());
      if (in_.bad()) return Status::IOError(where() + "cannot read");
      if (!in_) eof_ = true;
      continue;
    }
    const char* start = buffer_.get() + begin_;
    const void* newline = std::memchr(start, '\n', end_ - begin_);
    const size_t take =
        newline ? static_cast<size_t>(static_cast<const char*>(newline) - start) : end_ - begin_;
    if (line->size() + take > kMaxBundleLineBytes) {
      return Status::InvalidArgument(where() + "longer than " +
                                     std::to_string(kMaxBundleLineBytes) + " bytes");
    }
    line->append(start, take);
    begin_ += take;
    if (newline) {
      ++begin_;
      ++number_;
      return true;
    }
  }
}

Result<uint64_t> VerifyBundleLines(const std::string& path) {
  STARLOG_ASSIGN_OR_RETURN(auto reader, BundleLineReader::Open(path));
  codec::Xxh3Wide sum;
  std::string line, previous;
  uint64_t count = 0;
  STARLOG_ASSIGN_OR_RETURN(bool more, reader->Next(&previous));
  if (!more) return Status::InvalidArgument("bundle.jsonl is empty");
  while (true) {
    STARLOG_ASSIGN_OR_RETURN(more, reader->Next(&line));
    if (!more) break;
    sum.Update(previous);
    sum.Update("\n");
    ++count;
    previous.swap(line);
  }
  // The last line must be the trailer of all before it.
  const std::string last = "bundle line " + std::to_string(count + 1) + ": ";
  auto trailer = codec::ParseJson(previous);
  const codec::JsonValue* end = trailer.ok() ? trailer->Find("end") : nullptr;
  if (end == nullptr || end->text != "starlog-bundle") {
    return Status::InvalidArgument(last +
                                   "the file ends without its trailer line (truncated?); "
                                   "nothing was imported");
  }
  if (previous != BundleTrailer(count, sum.Digest())) {
    return Status::InvalidArgument(last +
                                   "the trailer's line count or XXH3-128 is not that of "
                                   "the lines before it (altered or truncated); nothing "
                                   "was imported");
  }
  return count;
}

}  // namespace starlog::ingest::internal
