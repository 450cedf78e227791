#include "starlog/codec/event_codec.h"

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <type_traits>

#include "codec/events_generated.h"
#include "starlog/codec/coding.h"

namespace starlog::codec {

namespace fbs = ::starlog::fb;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;
using flatbuffers::Vector;

static_assert(static_cast<int>(fbs::EventBody_MAX) == kMaxEventType,
              "event_type.h and events.fbs disagree on the number of event types");
static_assert(std::variant_size_v<EventBody> == kMaxEventType,
              "EventBody must have one alternative per event type");

namespace {

// ---------------------------------------------------------------- encoding

fbs::Uuid ToFb(const Uuid& u) {
  return fbs::Uuid(DecodeBigEndian64(reinterpret_cast<const char*>(u.bytes.data())),
                   DecodeBigEndian64(reinterpret_cast<const char*>(u.bytes.data()) + 8));
}
fbs::Hash128 ToFb(const Hash128& h) { return fbs::Hash128(h.low, h.high); }
fbs::Timespan ToFb(const Timespan& t) { return fbs::Timespan(t.begin, t.end); }

Offset<Vector<Offset<fbs::Value>>> EncodeFields(FlatBufferBuilder& b, const FieldMap& fields) {
  std::vector<Offset<fbs::Value>> values;
  values.reserve(fields.size());
  for (const auto& [key, value] : fields) {
    auto k = b.CreateString(key);
    if (const auto* s = std::get_if<std::string>(&value)) {
      auto sv = b.CreateString(*s);
      values.push_back(fbs::CreateValue(b, k, true, 0, sv));
    } else {
      values.push_back(fbs::CreateValue(b, k, false, std::get<int64_t>(value)));
    }
  }
  return b.CreateVector(values);
}

Offset<Vector<Offset<flatbuffers::String>>> EncodeStrings(FlatBufferBuilder& b,
                                                          const std::vector<std::string>& v) {
  return b.CreateVectorOfStrings(v);
}

Offset<Vector<const fbs::Uuid*>> EncodeUuids(FlatBufferBuilder& b, const std::vector<Uuid>& ids) {
  std::vector<fbs::Uuid> out;
  out.reserve(ids.size());
  for (const Uuid& u : ids) out.push_back(ToFb(u));
  return b.CreateVectorOfStructs(out);
}

Offset<fbs::Artifact> EncodeArtifact(FlatBufferBuilder& b, const Artifact& a) {
  auto path = b.CreateString(a.path);
  auto sum = ToFb(a.checksum);
  return fbs::CreateArtifact(b, path, a.size, &sum, a.hdu);
}

struct BodyEncoder {
  FlatBufferBuilder& b;

  Offset<void> operator()(const InitRepository& e) {
    auto id = ToFb(e.repository_id);
    return fbs::CreateInitRepository(b, &id, e.format_version, b.CreateString(e.universe)).Union();
  }
  Offset<void> operator()(const CreateCollection& e) {
    auto name = b.CreateString(e.name);
    auto doc = b.CreateString(e.doc);
    return fbs::CreateCreateCollection(b, name, static_cast<fbs::CollectionType>(e.type), doc)
        .Union();
  }
  Offset<void> operator()(const RemoveCollection& e) {
    return fbs::CreateRemoveCollection(b, b.CreateString(e.name), e.with_datasets).Union();
  }
  Offset<void> operator()(const SetChain& e) {
    auto name = b.CreateString(e.name);
    return fbs::CreateSetChain(b, name, EncodeStrings(b, e.children)).Union();
  }
  Offset<void> operator()(const RegisterDatasetType& e) {
    auto name = b.CreateString(e.name);
    auto dims = EncodeStrings(b, e.dimensions);
    auto sc = b.CreateString(e.storage_class);
    return fbs::CreateRegisterDatasetType(b, name, dims, sc, e.is_calibration).Union();
  }
  Offset<void> operator()(const RemoveDatasetType& e) {
    return fbs::CreateRemoveDatasetType(b, b.CreateString(e.name)).Union();
  }
  Offset<void> operator()(const InsertDimensionRecords& e) {
    auto element = b.CreateString(e.element);
    std::vector<Offset<fbs::DimensionRecord>> records;
    records.reserve(e.records.size());
    for (const FieldMap& r : e.records) {
      records.push_back(fbs::CreateDimensionRecord(b, EncodeFields(b, r)));
    }
    return fbs::CreateInsertDimensionRecords(b, element, b.CreateVector(records), e.replace)
        .Union();
  }
  Offset<void> operator()(const RegisterDatasets& e) {
    auto run = b.CreateString(e.run);
    auto type = b.CreateString(e.dataset_type);
    std::vector<Offset<fbs::DatasetEntry>> entries;
    entries.reserve(e.datasets.size());
    for (const DatasetEntry& d : e.datasets) {
      auto id = ToFb(d.id);
      auto data_id = EncodeFields(b, d.data_id);
      Offset<fbs::Artifact> artifact = d.artifact ? EncodeArtifact(b, *d.artifact) : 0;
      entries.push_back(fbs::CreateDatasetEntry(b, &id, data_id, artifact));
    }
    return fbs::CreateRegisterDatasets(b, run, type, b.CreateVector(entries)).Union();
  }
  Offset<void> operator()(const RemoveDatasets& e) {
    return fbs::CreateRemoveDatasets(b, EncodeUuids(b, e.ids)).Union();
  }
  Offset<void> operator()(const AttachArtifacts& e) {
    std::vector<Offset<fbs::ArtifactEntry>> entries;
    entries.reserve(e.artifacts.size());
    for (const ArtifactEntry& a : e.artifacts) {
      auto id = ToFb(a.id);
      entries.push_back(fbs::CreateArtifactEntry(b, &id, EncodeArtifact(b, a.artifact)));
    }
    return fbs::CreateAttachArtifacts(b, b.CreateVector(entries)).Union();
  }
  Offset<void> operator()(const DetachArtifacts& e) {
    return fbs::CreateDetachArtifacts(b, EncodeUuids(b, e.ids)).Union();
  }
  Offset<void> operator()(const Tag& e) {
    auto c = b.CreateString(e.collection);
    return fbs::CreateTag(b, c, EncodeUuids(b, e.ids)).Union();
  }
  Offset<void> operator()(const Untag& e) {
    auto c = b.CreateString(e.collection);
    return fbs::CreateUntag(b, c, EncodeUuids(b, e.ids)).Union();
  }
  Offset<void> operator()(const Certify& e) {
    auto c = b.CreateString(e.collection);
    auto t = b.CreateString(e.dataset_type);
    std::vector<Offset<fbs::CertifyEntry>> entries;
    entries.reserve(e.entries.size());
    for (const CertifyEntry& ce : e.entries) {
      auto id = ToFb(ce.id);
      auto span = ToFb(ce.validity);
      entries.push_back(fbs::CreateCertifyEntry(b, &id, &span));
    }
    return fbs::CreateCertify(b, c, t, b.CreateVector(entries)).Union();
  }
  Offset<void> operator()(const Decertify& e) {
    auto c = b.CreateString(e.collection);
    auto t = b.CreateString(e.dataset_type);
    std::vector<Offset<fbs::DecertifyDataId>> ids;
    ids.reserve(e.data_ids.size());
    for (const FieldMap& d : e.data_ids) {
      ids.push_back(fbs::CreateDecertifyDataId(b, EncodeFields(b, d)));
    }
    auto span = ToFb(e.span);
    return fbs::CreateDecertify(b, c, t, b.CreateVector(ids), &span).Union();
  }
  Offset<void> operator()(const CreateSnapshot& e) {
    return fbs::CreateCreateSnapshot(b, b.CreateString(e.name), e.sequence).Union();
  }
  Offset<void> operator()(const SetPolicy& e) {
    std::vector<Offset<fbs::PolicyRole>> roles;
    for (const PolicyRole& r : e.roles) {
      auto name = b.CreateString(r.name);
      roles.push_back(fbs::CreatePolicyRole(b, name, EncodeStrings(b, r.users)));
    }
    std::vector<Offset<fbs::PolicyRule>> rules;
    for (const PolicyRule& r : e.rules) {
      auto pattern = b.CreateString(r.pattern);
      rules.push_back(fbs::CreatePolicyRule(b, pattern, EncodeStrings(b, r.roles)));
    }
    auto roles_v = b.CreateVector(roles);
    auto rules_v = b.CreateVector(rules);
    return fbs::CreateSetPolicy(b, roles_v, rules_v).Union();
  }
};

// ---------------------------------------------------------------- decoding
//
// Every accessor below runs after flatbuffers::Verifier accepted the buffer,
// so offsets are in bounds; what remains to check is meaning: enum ranges,
// required-but-optional-in-schema fields, duplicate keys.

Uuid FromFb(const fbs::Uuid* u) {
  Uuid out;
  if (u == nullptr) return out;
  std::string raw;
  PutBigEndian64(&raw, u->hi());
  PutBigEndian64(&raw, u->lo());
  return Uuid::FromBytes(raw.data());
}
Hash128 FromFb(const fbs::Hash128* h) { return h ? Hash128{h->low(), h->high()} : Hash128{}; }
Timespan FromFb(const fbs::Timespan* t) { return t ? Timespan{t->begin(), t->end()} : Timespan{}; }

std::string Str(const flatbuffers::String* s) { return s ? s->str() : std::string(); }

std::vector<std::string> Strings(const Vector<Offset<flatbuffers::String>>* v) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  out.reserve(v->size());
  for (const auto* s : *v) out.push_back(Str(s));
  return out;
}

std::vector<Uuid> Uuids(const Vector<const fbs::Uuid*>* v) {
  std::vector<Uuid> out;
  if (v == nullptr) return out;
  out.reserve(v->size());
  for (const fbs::Uuid* u : *v) out.push_back(FromFb(u));
  return out;
}

Result<FieldMap> Fields(const Vector<Offset<fbs::Value>>* v) {
  FieldMap out;
  if (v == nullptr) return out;
  for (const fbs::Value* value : *v) {
    FieldValue fv;
    if (value->is_string()) {
      fv = Str(value->str_value());
    } else {
      fv = value->int_value();
    }
    if (!out.emplace(value->key()->str(), std::move(fv)).second) {
      return Status::Corruption("duplicate key '" + value->key()->str() + "' in a data ID");
    }
  }
  return out;
}

Result<Artifact> DecodeArtifact(const fbs::Artifact* a) {
  return Artifact{a->path()->str(), a->size(), FromFb(a->checksum()), a->hdu()};
}

Result<EventBody> DecodeBody(const fbs::Event* e) {
  switch (e->body_type()) {
    case fbs::EventBody_InitRepository: {
      const auto* b = e->body_as_InitRepository();
      return EventBody(
          InitRepository{FromFb(b->repository_id()), b->format_version(), Str(b->universe())});
    }
    case fbs::EventBody_CreateCollection: {
      const auto* b = e->body_as_CreateCollection();
      const auto type = static_cast<uint8_t>(b->type());
      if (type < 1 || type > 4) {
        return Status::Corruption("unknown collection type " + std::to_string(type));
      }
      return EventBody(
          CreateCollection{b->name()->str(), static_cast<CollectionType>(type), Str(b->doc())});
    }
    case fbs::EventBody_RemoveCollection: {
      const auto* b = e->body_as_RemoveCollection();
      return EventBody(RemoveCollection{b->name()->str(), b->with_datasets()});
    }
    case fbs::EventBody_SetChain: {
      const auto* b = e->body_as_SetChain();
      return EventBody(SetChain{b->name()->str(), Strings(b->children())});
    }
    case fbs::EventBody_RegisterDatasetType: {
      const auto* b = e->body_as_RegisterDatasetType();
      return EventBody(RegisterDatasetType{b->name()->str(), Strings(b->dimensions()),
                                           Str(b->storage_class()), b->is_calibration()});
    }
    case fbs::EventBody_RemoveDatasetType: {
      return EventBody(RemoveDatasetType{e->body_as_RemoveDatasetType()->name()->str()});
    }
    case fbs::EventBody_InsertDimensionRecords: {
      const auto* b = e->body_as_InsertDimensionRecords();
      InsertDimensionRecords out{b->element()->str(), {}, b->replace()};
      if (b->records() != nullptr) {
        for (const fbs::DimensionRecord* r : *b->records()) {
          STARLOG_ASSIGN_OR_RETURN(FieldMap fields, Fields(r->values()));
          out.records.push_back(std::move(fields));
        }
      }
      return EventBody(std::move(out));
    }
    case fbs::EventBody_RegisterDatasets: {
      const auto* b = e->body_as_RegisterDatasets();
      RegisterDatasets out{b->run()->str(), b->dataset_type()->str(), {}};
      if (b->datasets() != nullptr) {
        out.datasets.reserve(b->datasets()->size());
        for (const fbs::DatasetEntry* d : *b->datasets()) {
          DatasetEntry entry;
          entry.id = FromFb(d->id());
          STARLOG_ASSIGN_OR_RETURN(entry.data_id, Fields(d->data_id()));
          if (d->artifact() != nullptr) {
            STARLOG_ASSIGN_OR_RETURN(entry.artifact, DecodeArtifact(d->artifact()));
          }
          out.datasets.push_back(std::move(entry));
        }
      }
      return EventBody(std::move(out));
    }
    case fbs::EventBody_RemoveDatasets:
      return EventBody(RemoveDatasets{Uuids(e->body_as_RemoveDatasets()->ids())});
    case fbs::EventBody_AttachArtifacts: {
      const auto* b = e->body_as_AttachArtifacts();
      AttachArtifacts out;
      if (b->artifacts() != nullptr) {
        for (const fbs::ArtifactEntry* a : *b->artifacts()) {
          STARLOG_ASSIGN_OR_RETURN(Artifact artifact, DecodeArtifact(a->artifact()));
          out.artifacts.push_back(ArtifactEntry{FromFb(a->id()), std::move(artifact)});
        }
      }
      return EventBody(std::move(out));
    }
    case fbs::EventBody_DetachArtifacts:
      return EventBody(DetachArtifacts{Uuids(e->body_as_DetachArtifacts()->ids())});
    case fbs::EventBody_Tag: {
      const auto* b = e->body_as_Tag();
      return EventBody(Tag{b->collection()->str(), Uuids(b->ids())});
    }
    case fbs::EventBody_Untag: {
      const auto* b = e->body_as_Untag();
      return EventBody(Untag{b->collection()->str(), Uuids(b->ids())});
    }
    case fbs::EventBody_Certify: {
      const auto* b = e->body_as_Certify();
      Certify out{b->collection()->str(), b->dataset_type()->str(), {}};
      if (b->entries() != nullptr) {
        for (const fbs::CertifyEntry* c : *b->entries()) {
          out.entries.push_back(CertifyEntry{FromFb(c->id()), FromFb(c->validity())});
        }
      }
      return EventBody(std::move(out));
    }
    case fbs::EventBody_Decertify: {
      const auto* b = e->body_as_Decertify();
      Decertify out{b->collection()->str(), b->dataset_type()->str(), {}, FromFb(b->span())};
      if (b->data_ids() != nullptr) {
        for (const fbs::DecertifyDataId* d : *b->data_ids()) {
          STARLOG_ASSIGN_OR_RETURN(FieldMap fields, Fields(d->values()));
          out.data_ids.push_back(std::move(fields));
        }
      }
      return EventBody(std::move(out));
    }
    case fbs::EventBody_CreateSnapshot: {
      const auto* b = e->body_as_CreateSnapshot();
      return EventBody(CreateSnapshot{b->name()->str(), b->sequence()});
    }
    case fbs::EventBody_SetPolicy: {
      const auto* b = e->body_as_SetPolicy();
      SetPolicy out;
      if (b->roles() != nullptr) {
        for (const fbs::PolicyRole* r : *b->roles()) {
          out.roles.push_back(PolicyRole{r->name()->str(), Strings(r->users())});
        }
      }
      if (b->rules() != nullptr) {
        for (const fbs::PolicyRule* r : *b->rules()) {
          out.rules.push_back(PolicyRule{r->pattern()->str(), Strings(r->roles())});
        }
      }
      return EventBody(std::move(out));
    }
    case fbs::EventBody_NONE:
      break;
  }
  return Status::Corruption("event body of unknown type " +
                            std::to_string(static_cast<int>(e->body_type())));
}

}  // namespace

std::string EncodeEventPayload(const Event& event) {
  FlatBufferBuilder b(256);
  auto actor = b.CreateString(event.actor);
  auto body = std::visit(BodyEncoder{b}, event.body);
  auto type = static_cast<fbs::EventBody>(event.type());
  // Absent when empty: an event without one encodes byte for byte as before.
  flatbuffers::Offset<flatbuffers::String> via;
  if (!event.via.empty()) via = b.CreateString(event.via);
  b.Finish(fbs::CreateEvent(b, event.sequence, event.commit_time_ns, actor, type, body, via));
  return std::string(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
}

Status AppendEventFrame(const Event& event, std::string* dst) {
  return AppendFrame(event.type(), EncodeEventPayload(event), dst);
}

Result<Event> DecodeEventPayload(EventType type, std::string_view payload) {
  // FlatBuffers reads its 4- and 8-byte fields in place, so they must be
  // aligned; a payload inside a frame starts 5 bytes in. Decode from an
  // aligned copy then (std::string storage is suitably aligned).
  std::string aligned;
  if (reinterpret_cast<uintptr_t>(payload.data()) % alignof(uint64_t) != 0) {
    aligned.assign(payload);
    payload = aligned;
  }
  flatbuffers::Verifier::Options options;
  options.max_depth = 16;
  options.max_tables = 10'000'000;
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(payload.data()), payload.size(),
                                 options);
  if (!fbs::VerifyEventBuffer(verifier)) {
    return Status::Corruption("event payload fails FlatBuffers verification");
  }
  const fbs::Event* e = fbs::GetEvent(payload.data());
  if (static_cast<uint8_t>(e->body_type()) != static_cast<uint8_t>(type)) {
    return Status::Corruption("frame type " + std::to_string(static_cast<int>(type)) +
                              " differs from the payload's event type " +
                              std::to_string(static_cast<int>(e->body_type())));
  }
  Event out;
  out.sequence = e->sequence();
  out.commit_time_ns = e->commit_time_ns();
  out.actor = Str(e->actor());
  out.via = Str(e->via());
  STARLOG_ASSIGN_OR_RETURN(out.body, DecodeBody(e));
  return out;
}

Result<Event> DecodeEventFrame(std::string_view frame) {
  STARLOG_ASSIGN_OR_RETURN(Frame f, ParseSingleFrame(frame));
  return DecodeEventPayload(f.type, f.payload);
}

}  // namespace starlog::codec
