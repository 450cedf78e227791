#include "engine/model/registry_keys.h"

#include "engine/store/key_coder.h"
#include "starlog/engine/universe.h"

namespace starlog::engine::keys {

namespace {

std::string_view U(const codec::Uuid& id) { return id.AsBytes(); }

// A dataset record and the dataset_lookup key are both three S() strings.
Status ReadThreeStrings(std::string_view bytes, std::string* a, std::string* b, std::string* c) {
  KeyReader r(bytes);
  for (std::string* out : {a, b, c}) {
    STARLOG_ASSIGN_OR_RETURN(*out, r.String());
  }
  return Status::OK();
}

}  // namespace

std::string Setting(std::string_view name) { return KeyWriter().String(name).Take(); }

std::string Collection(std::string_view name) { return KeyWriter().String(name).Take(); }

std::string EncodeCollection(const CollectionRecord& record) {
  std::string out(1, static_cast<char>(record.type));
  out += record.doc;
  return out;
}

Result<CollectionRecord> DecodeCollection(std::string_view payload) {
  if (payload.empty() || payload[0] < 1 || payload[0] > 4) {
    return Status::Corruption("collection entry with an unknown type");
  }
  return CollectionRecord{static_cast<codec::CollectionType>(payload[0]),
                          std::string(payload.substr(1))};
}

std::string Chain(std::string_view name) { return KeyWriter().String(name).Take(); }

std::string EncodeChildren(const std::vector<std::string>& children) {
  KeyWriter w;
  for (const std::string& c : children) w.String(c);
  return w.Take();
}

Result<std::vector<std::string>> DecodeChildren(std::string_view payload) {
  std::vector<std::string> out;
  KeyReader r(payload);
  while (!r.done()) {
    STARLOG_ASSIGN_OR_RETURN(std::string child, r.String());
    out.push_back(std::move(child));
  }
  return out;
}

std::string ChainParentPrefix(std::string_view child) { return KeyWriter().String(child).Take(); }

std::string ChainParent(std::string_view child, std::string_view chain) {
  return KeyWriter().String(child).String(chain).Take();
}

Result<std::string> ChainParentName(std::string_view key) {
  KeyReader r(key);
  STARLOG_RETURN_IF_ERROR(r.String().status());
  return r.String();
}

std::string DatasetType(std::string_view name) { return KeyWriter().String(name).Take(); }

std::string EncodeDatasetType(const DatasetTypeRecord& record) {
  KeyWriter w;
  w.String(record.storage_class).Raw(record.is_calibration ? "1" : "0");
  for (const std::string& d : record.dimensions) w.String(d);
  return w.Take();
}

Result<DatasetTypeRecord> DecodeDatasetType(std::string_view payload) {
  DatasetTypeRecord out;
  KeyReader r(payload);
  STARLOG_ASSIGN_OR_RETURN(out.storage_class, r.String());
  STARLOG_ASSIGN_OR_RETURN(std::string_view flag, r.Raw(1));
  out.is_calibration = flag == "1";
  while (!r.done()) {
    STARLOG_ASSIGN_OR_RETURN(std::string d, r.String());
    out.dimensions.push_back(std::move(d));
  }
  return out;
}

std::string Dataset(std::string_view run, std::string_view type, std::string_view data_id) {
  return KeyWriter().String(run).String(type).String(data_id).Take();
}
std::string DatasetPrefix(std::string_view run) { return KeyWriter().String(run).Take(); }
std::string DatasetPrefix(std::string_view run, std::string_view type) {
  return KeyWriter().String(run).String(type).Take();
}
std::string DatasetId(const codec::Uuid& id) { return std::string(U(id)); }

std::string EncodeDatasetRecord(const DatasetRecord& record) {
  return KeyWriter().String(record.run).String(record.type).String(record.data_id).Take();
}

Result<DatasetRecord> DecodeDatasetRecord(std::string_view payload) {
  DatasetRecord out;
  STARLOG_RETURN_IF_ERROR(ReadThreeStrings(payload, &out.run, &out.type, &out.data_id));
  return out;
}

Result<DatasetRecord> DecodeDatasetKey(std::string_view key) { return DecodeDatasetRecord(key); }

std::string Lookup(std::string_view type, std::string_view data_id, std::string_view collection) {
  return KeyWriter().String(type).String(data_id).String(collection).Take();
}
std::string LookupPrefix(std::string_view type, std::string_view data_id) {
  return KeyWriter().String(type).String(data_id).Take();
}
std::string LookupPrefix(std::string_view type) { return KeyWriter().String(type).Take(); }

Result<LookupKey> DecodeLookup(std::string_view key) {
  LookupKey out;
  STARLOG_RETURN_IF_ERROR(ReadThreeStrings(key, &out.type, &out.data_id, &out.collection));
  return out;
}

Result<codec::Uuid> DecodeUuid(std::string_view payload) {
  if (payload.size() < 16) return Status::Corruption("index entry with a truncated UUID");
  return codec::Uuid::FromBytes(payload.data());
}

std::string TagEntry(std::string_view collection, std::string_view type, std::string_view data_id) {
  return KeyWriter().String(collection).String(type).String(data_id).Take();
}
std::string TagPrefix(std::string_view collection) { return KeyWriter().String(collection).Take(); }
std::string TagPrefix(std::string_view collection, std::string_view type) {
  return KeyWriter().String(collection).String(type).Take();
}

std::string Membership(const codec::Uuid& id, std::string_view collection) {
  return KeyWriter().Raw(U(id)).String(collection).Take();
}
std::string MembershipPrefix(const codec::Uuid& id) { return std::string(U(id)); }

Result<std::string> MembershipCollection(std::string_view key) {
  KeyReader r(key);
  STARLOG_RETURN_IF_ERROR(r.Raw(16).status());
  return r.String();
}

std::string Calibration(std::string_view collection, std::string_view type,
                        std::string_view data_id, int64_t begin) {
  return KeyWriter().String(collection).String(type).String(data_id).Int(begin).Take();
}
std::string CalibrationPrefix(std::string_view collection) {
  return KeyWriter().String(collection).Take();
}
std::string CalibrationPrefix(std::string_view collection, std::string_view type) {
  return KeyWriter().String(collection).String(type).Take();
}
std::string CalibrationPrefix(std::string_view collection, std::string_view type,
                              std::string_view data_id) {
  return KeyWriter().String(collection).String(type).String(data_id).Take();
}

std::string EncodeCalibrationValue(const codec::Uuid& id, int64_t end) {
  return KeyWriter().Raw(U(id)).Int(end).Take();
}

Result<CalibrationValidity> DecodeCalibrationValidity(std::string_view key,
                                                      std::string_view payload) {
  // The key ends in Int(begin), the payload is the UUID then Int(end).
  if (key.size() < 8) return Status::Corruption("calibrations key too short");
  CalibrationValidity out;
  KeyReader k(key.substr(key.size() - 8));
  STARLOG_ASSIGN_OR_RETURN(out.validity.begin, k.Int());
  KeyReader v(payload);
  STARLOG_ASSIGN_OR_RETURN(std::string_view id, v.Raw(16));
  out.id = codec::Uuid::FromBytes(id.data());
  STARLOG_ASSIGN_OR_RETURN(out.validity.end, v.Int());
  return out;
}

Result<CalibrationEntry> DecodeCalibration(std::string_view key, std::string_view payload) {
  CalibrationEntry out;
  KeyReader k(key);
  STARLOG_ASSIGN_OR_RETURN(out.collection, k.String());
  STARLOG_ASSIGN_OR_RETURN(out.type, k.String());
  STARLOG_ASSIGN_OR_RETURN(out.data_id, k.String());
  STARLOG_ASSIGN_OR_RETURN(auto validity, DecodeCalibrationValidity(key, payload));
  out.id = validity.id;
  out.validity = validity.validity;
  return out;
}

std::string DimensionRecord(std::string_view element, std::string_view key_data_id) {
  return KeyWriter().String(element).String(key_data_id).Take();
}
std::string DimensionRecordPrefix(std::string_view element) {
  return KeyWriter().String(element).Take();
}

std::string EncodeDimensionRecord(uint64_t ordinal, const codec::FieldMap& record) {
  return KeyWriter().Uint(ordinal).Raw(EncodeDataId(record)).Take();
}

Result<DimensionRecordValue> DecodeDimensionRecord(std::string_view payload) {
  DimensionRecordValue out;
  KeyReader r(payload);
  STARLOG_ASSIGN_OR_RETURN(out.ordinal, r.Uint());
  STARLOG_ASSIGN_OR_RETURN(out.record, DecodeDataId(r.rest()));
  return out;
}

std::string ArtifactKey(const codec::Uuid& id) { return std::string(U(id)); }

std::string EncodeArtifact(const codec::Artifact& artifact) {
  std::string out = KeyWriter().String(artifact.path).Uint(artifact.size).Take();
  artifact.checksum.AppendTo(&out);
  // Only a dataset of one HDU has it, so that every whole-file entry keeps
  // its bytes (and the state digest) as repositories wrote them before.
  if (artifact.hdu != 0) out += KeyWriter().Uint(artifact.hdu).Take();
  return out;
}

Result<codec::Artifact> DecodeArtifact(std::string_view payload) {
  codec::Artifact out;
  KeyReader r(payload);
  STARLOG_ASSIGN_OR_RETURN(out.path, r.String());
  STARLOG_ASSIGN_OR_RETURN(out.size, r.Uint());
  STARLOG_ASSIGN_OR_RETURN(std::string_view hash, r.Raw(16));
  out.checksum = codec::Hash128::Decode(hash.data());
  if (!r.done()) {
    STARLOG_ASSIGN_OR_RETURN(uint64_t hdu, r.Uint());
    if (hdu == 0 || hdu > UINT32_MAX) return Status::Corruption("artifact HDU out of range");
    out.hdu = static_cast<uint32_t>(hdu);
  }
  return out;
}

std::string Snapshot(std::string_view name) { return KeyWriter().String(name).Take(); }

}  // namespace starlog::engine::keys
