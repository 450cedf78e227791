#include "starlog/replication/replication_status.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include "starlog/codec/json_reader.h"
#include "starlog/codec/json_writer.h"

namespace starlog::replication {

namespace {

uint64_t UintOf(const codec::JsonValue& object, const char* key) {
  const codec::JsonValue* v = object.Find(key);
  return v != nullptr && v->kind == codec::JsonValue::Kind::kInt && v->integer > 0
             ? static_cast<uint64_t>(v->integer)
             : 0;
}

int64_t IntOf(const codec::JsonValue& object, const char* key) {
  const codec::JsonValue* v = object.Find(key);
  return v != nullptr && v->kind == codec::JsonValue::Kind::kInt ? v->integer : 0;
}

std::string StringOf(const codec::JsonValue& object, const char* key) {
  const codec::JsonValue* v = object.Find(key);
  return v != nullptr && v->kind == codec::JsonValue::Kind::kString ? v->text : "";
}

}  // namespace

std::string ReplicationStatusPath(const std::string& root) {
  return root + "/.starlog/replication.json";
}

std::string ReplicationStatusJson(const ReplicationStatus& s) {
  codec::JsonWriter w;
  w.BeginObject();
  w.Key("primary").String(s.primary);
  w.Key("state").String(s.state);
  w.Key("head").Uint(s.head);
  w.Key("head_time_ns").Int(s.head_time_ns);
  w.Key("primary_head").Uint(s.primary_head);
  w.Key("primary_head_time_ns").Int(s.primary_head_time_ns);
  w.Key("lag_events").Uint(s.lag_events());
  w.Key("lag_ns").Int(s.lag_ns());
  w.Key("last_contact_ns").Int(s.last_contact_ns);
  w.Key("last_error").String(s.last_error);
  w.Key("last_error_ns").Int(s.last_error_ns);
  w.Key("copy_files").Bool(s.copy_files);
  w.Key("file_collections").BeginArray();
  for (const std::string& c : s.file_collections) w.String(c);
  w.EndArray();
  w.Key("files_through").Uint(s.files_through);
  w.Key("files_copied").Uint(s.files_copied);
  w.Key("bytes_copied").Uint(s.bytes_copied);
  w.Key("failed_files").BeginArray();
  for (const FailedFile& f : s.failed_files) {
    w.BeginObject();
    w.Key("dataset_id").String(f.dataset_id.ToString());
    w.Key("path").String(f.artifact.path);
    w.Key("size").Uint(f.artifact.size);
    w.Key("checksum").String(f.artifact.checksum.ToHex());
    w.Key("error").String(f.error);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return w.str();
}

Result<ReplicationStatus> ReadReplicationStatus(const std::string& root) {
  const std::string path = ReplicationStatusPath(root);
  std::ifstream in(path);
  if (!in) return Status::NotFound("no replication status in " + root);
  std::stringstream text;
  text << in.rdbuf();
  auto json = codec::ParseJson(text.str());
  if (!json.ok()) return Status::Corruption(path + ": " + std::string(json.status().message()));
  const codec::JsonValue& o = *json;
  ReplicationStatus s;
  s.primary = StringOf(o, "primary");
  s.state = StringOf(o, "state");
  s.head = UintOf(o, "head");
  s.head_time_ns = IntOf(o, "head_time_ns");
  s.primary_head = UintOf(o, "primary_head");
  s.primary_head_time_ns = IntOf(o, "primary_head_time_ns");
  s.last_contact_ns = IntOf(o, "last_contact_ns");
  s.last_error = StringOf(o, "last_error");
  s.last_error_ns = IntOf(o, "last_error_ns");
  const codec::JsonValue* copy = o.Find("copy_files");
  s.copy_files = copy == nullptr || copy->kind != codec::JsonValue::Kind::kBool || copy->boolean;
  if (const codec::JsonValue* list = o.Find("file_collections")) {
    for (const codec::JsonValue& c : list->array) s.file_collections.push_back(c.text);
  }
  s.files_through = UintOf(o, "files_through");
  s.files_copied = UintOf(o, "files_copied");
  s.bytes_copied = UintOf(o, "bytes_copied");
  if (const codec::JsonValue* list = o.Find("failed_files")) {
    for (const codec::JsonValue& f : list->array) {
      FailedFile failed;
      failed.artifact.path = StringOf(f, "path");
      failed.artifact.size = UintOf(f, "size");
      auto checksum = codec::Hash128::FromHex(StringOf(f, "checksum"));
      if (!checksum.ok()) return Status::Corruption(path + ": a failed file's checksum is bad");
      failed.artifact.checksum = *checksum;
      failed.error = StringOf(f, "error");
      if (auto id = codec::Uuid::Parse(StringOf(f, "dataset_id")); id.ok()) failed.dataset_id = *id;
      s.failed_files.push_back(std::move(failed));
    }
  }
  return s;
}

Status WriteReplicationStatus(const std::string& root, const ReplicationStatus& status) {
  const std::string path = ReplicationStatusPath(root);
  const std::string temp = path + ".new";
  {
    std::ofstream out(temp, std::ios::trunc);
    out << ReplicationStatusJson(status) << "\n";
    out.flush();
    if (!out) return Status::IOError("cannot write " + temp);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    return Status::IOError("cannot replace " + path);
  }
  return Status::OK();
}

}  // namespace starlog::replication
