#include "starlog/service/protocol.h"

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <optional>
#include <type_traits>

#include "service/fb_helpers.h"
#include "service/query_codec.h"
#include "service/service_generated.h"
#include "starlog/codec/event_codec.h"

namespace starlog::service {

namespace fbs = ::starlog::service::fb;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

static_assert(static_cast<int>(fbs::Body_MAX) == std::variant_size_v<Message>,
              "protocol.h and service.fbs disagree on the messages");
static_assert(static_cast<int>(fbs::Edit_MAX) == std::variant_size_v<engine::Edit>,
              "edits.h and service.fbs disagree on the edits");

namespace {

using internal::Bytes;
using internal::DecodeUuid;
using internal::EncodeBytes;
using internal::FromFb;
using internal::Malformed;
using internal::Str;
using internal::Strings;
using internal::ToFb;

// ---------------------------------------------------------------- encoding

Offset<fbs::Head> EncodeHead(FlatBufferBuilder& b, const engine::Head& head) {
  const fbs::Hash128 chain = ToFb(head.chain_hash);
  const fbs::Hash128 digest = ToFb(head.state_digest);
  return fbs::CreateHead(b, head.sequence, &chain, &digest, head.commit_time_ns);
}

fbs::ChainEditMode ToFb(engine::ChainEdit edit) {
  switch (edit) {
    case engine::ChainEdit::kRedefine:
      return fbs::ChainEditMode_Redefine;
    case engine::ChainEdit::kPrepend:
      return fbs::ChainEditMode_Prepend;
    case engine::ChainEdit::kExtend:
      return fbs::ChainEditMode_Extend;
    case engine::ChainEdit::kRemove:
      return fbs::ChainEditMode_Remove;
    case engine::ChainEdit::kPop:
      return fbs::ChainEditMode_Pop;
  }
  return fbs::ChainEditMode_Redefine;
}

fbs::PruneMode ToFb(engine::PruneMode mode) {
  switch (mode) {
    case engine::PruneMode::kForget:
      return fbs::PruneMode_Forget;
    case engine::PruneMode::kUnstore:
      return fbs::PruneMode_Unstore;
    case engine::PruneMode::kPurge:
      return fbs::PruneMode_Purge;
  }
  return fbs::PruneMode_Forget;
}

Offset<flatbuffers::Vector<Offset<fbs::EventBytes>>> EncodeEvents(
    FlatBufferBuilder& b, const std::vector<codec::EventBody>& bodies) {
  std::vector<Offset<fbs::EventBytes>> events;
  events.reserve(bodies.size());
  for (const codec::EventBody& body : bodies) {
    // Sequence, time and actor stay zero and empty: the service sets them.
    codec::Event event;
    event.body = body;
    const std::string payload = codec::EncodeEventPayload(event);
    events.push_back(
        fbs::CreateEventBytes(b, static_cast<uint8_t>(event.type()), EncodeBytes(b, payload)));
  }
  return b.CreateVector(events);
}

Offset<fbs::EditReply> EncodeEditReply(FlatBufferBuilder& b, const engine::EditResult& r) {
  auto head = EncodeHead(b, r.head);
  auto names = b.CreateVectorOfStrings(r.names);
  auto errors = b.CreateVectorOfStrings(r.file_errors);
  return fbs::CreateEditReply(b, head, r.first, names, r.created, r.datasets, r.files_deleted,
                              errors);
}

struct EditEncoder {
  FlatBufferBuilder& b;

  Offset<void> operator()(const engine::AppendEdit& e) {
    return fbs::CreateAppendEdit(b, EncodeEvents(b, e.bodies)).Union();
  }
  Offset<void> operator()(const engine::EnsureCollectionEdit& e) {
    auto name = b.CreateString(e.name);
    auto doc = e.doc ? b.CreateString(*e.doc) : Offset<flatbuffers::String>();
    return fbs::CreateEnsureCollectionEdit(b, name, static_cast<fbs::CollectionType>(e.type), doc)
        .Union();
  }
  Offset<void> operator()(const engine::RemoveRunsEdit& e) {
    return fbs::CreateRemoveRunsEdit(b, b.CreateVectorOfStrings(e.patterns)).Union();
  }
  Offset<void> operator()(const engine::ChainEditEdit& e) {
    auto chain = b.CreateString(e.chain);
    auto names = b.CreateVectorOfStrings(e.names);
    auto doc = b.CreateString(e.doc);
    return fbs::CreateChainEditEdit(b, chain, ToFb(e.edit), names, doc, e.flatten).Union();
  }
  Offset<void> operator()(const engine::PolicyRoleEdit& e) {
    auto role = b.CreateString(e.role);
    auto user = b.CreateString(e.user);
    return fbs::CreatePolicyRoleEdit(b, role, user, e.grant).Union();
  }
  Offset<void> operator()(const engine::RemoveCollectionsEdit& e) {
    return fbs::CreateRemoveCollectionsEdit(b, b.CreateVectorOfStrings(e.patterns),
                                            e.remove_from_parents)
        .Union();
  }
  Offset<void> operator()(const engine::PruneEdit& e) {
    std::string ids;
    for (const codec::Uuid& id : e.ids) ids.append(id.AsBytes());
    return fbs::CreatePruneEdit(b, EncodeBytes(b, ids), ToFb(e.mode)).Union();
  }
};

struct BodyEncoder {
  FlatBufferBuilder& b;

  Offset<void> operator()(const Hello& m) {
    auto id = m.repository_id.IsNil() ? Offset<flatbuffers::Vector<uint8_t>>()
                                      : EncodeBytes(b, m.repository_id.AsBytes());
    auto user = m.user.empty() ? Offset<flatbuffers::String>() : b.CreateString(m.user);
    auto token = m.token.empty() ? Offset<flatbuffers::String>() : b.CreateString(m.token);
    return fbs::CreateHello(b, m.version, id, user, token).Union();
  }
  Offset<void> operator()(const EditRequest& m) {
    const Offset<void> edit = std::visit(EditEncoder{b}, m.edit);
    auto act_for = m.act_for.empty() ? Offset<flatbuffers::String>() : b.CreateString(m.act_for);
    return fbs::CreateEditRequest(b, static_cast<fbs::Edit>(m.edit.index() + 1), edit, act_for)
        .Union();
  }
  Offset<void> operator()(const InfoRequest&) { return fbs::CreateInfoRequest(b).Union(); }
  Offset<void> operator()(const StatusReply& m) {
    auto message = b.CreateString(m.status.message());
    return fbs::CreateStatusReply(b, static_cast<uint8_t>(m.status.code()), message).Union();
  }
  Offset<void> operator()(const EditReply& m) { return EncodeEditReply(b, m.result).Union(); }
  Offset<void> operator()(const InfoReply& m) {
    auto id = EncodeBytes(b, m.info.repository_id.AsBytes());
    auto head = EncodeHead(b, m.info.head);
    auto root = b.CreateString(m.info.root);
    auto families = internal::EncodeFamilies(b, m.info.families);
    return fbs::CreateInfoReply(b, id, head, root, m.info.format_version, families).Union();
  }
  Offset<void> operator()(const QueryRequest& m) { return internal::EncodeQueryRequest(b, m); }
  Offset<void> operator()(const QueryReply& m) { return internal::EncodeQueryReply(b, m); }
  Offset<void> operator()(const MoreRequest& m) { return internal::EncodeMoreRequest(b, m); }
  Offset<void> operator()(const WaitRequest& m) { return internal::EncodeWaitRequest(b, m); }
  Offset<void> operator()(const PlaceRequest& m) {
    auto events = EncodeEvents(b, m.events);
    std::vector<Offset<fbs::PlaceFile>> files;
    files.reserve(m.files.size());
    for (const PlaceFile& f : m.files) {
      std::vector<fbs::EntryRef> entries;
      for (const EntryRef& e : f.entries) entries.emplace_back(e.event, e.entry);
      auto entry_vector = b.CreateVectorOfStructs(entries);
      files.push_back(
          fbs::CreatePlaceFile(b, entry_vector, b.CreateString(f.path), b.CreateString(f.source)));
    }
    auto file_vector = b.CreateVector(files);
    auto act_for = m.act_for.empty() ? Offset<flatbuffers::String>() : b.CreateString(m.act_for);
    return fbs::CreatePlaceRequest(b, events, file_vector, static_cast<fbs::PlaceMode>(m.mode),
                                   m.all_or_nothing, act_for, m.more)
        .Union();
  }
  Offset<void> operator()(const PlaceReply& m) {
    auto result = EncodeEditReply(b, m.result);
    std::vector<Offset<fbs::PlaceSkip>> skipped;
    skipped.reserve(m.skipped.size());
    for (const PlaceSkip& s : m.skipped) {
      skipped.push_back(fbs::CreatePlaceSkip(b, s.file, b.CreateString(s.reason)));
    }
    return fbs::CreatePlaceReply(b, result, b.CreateVector(skipped)).Union();
  }
};

// ---------------------------------------------------------------- decoding
//
// Every accessor below runs after the verifier accepted the buffer; what it
// cannot know (enum ranges, id sizes, the event payloads inside an append) is
// checked here.

engine::Head DecodeHead(const fbs::Head& h) {
  engine::Head head;
  head.sequence = h.sequence();
  head.chain_hash = FromFb(h.chain_hash());
  head.state_digest = FromFb(h.state_digest());
  head.commit_time_ns = h.commit_time_ns();
  return head;
}

// Status has no public constructor from a code: one factory per code.
// nullopt for kOk or a code this build does not know.
std::optional<Status> StatusFromCode(uint8_t code, std::string_view message) {
  using Code = Status::Code;
  switch (static_cast<Code>(code)) {
    case Code::kNotFound:
      return Status::NotFound(message);
    case Code::kInvalidArgument:
      return Status::InvalidArgument(message);
    case Code::kConflict:
      return Status::Conflict(message);
    case Code::kPermissionDenied:
      return Status::PermissionDenied(message);
    case Code::kCorruption:
      return Status::Corruption(message);
    case Code::kIOError:
      return Status::IOError(message);
    case Code::kUnavailable:
      return Status::Unavailable(message);
    case Code::kNotSupported:
      return Status::NotSupported(message);
    case Code::kTimedOut:
      return Status::TimedOut(message);
    case Code::kOk:
      break;
  }
  return std::nullopt;
}

Result<std::vector<codec::EventBody>> DecodeEvents(
    const flatbuffers::Vector<Offset<fbs::EventBytes>>* events, std::string_view what) {
  std::vector<codec::EventBody> out;
  if (events == nullptr) return out;
  out.reserve(events->size());
  size_t position = 0;
  for (const fbs::EventBytes* bytes : *events) {
    ++position;
    const auto context = [&] {
      return "event " + std::to_string(position) + " of the " + std::string(what);
    };
    if (!codec::IsKnownEventType(bytes->type())) {
      return Malformed(context() + ": unknown event type " + std::to_string(bytes->type()));
    }
    auto event = codec::DecodeEventPayload(static_cast<codec::EventType>(bytes->type()),
                                           Bytes(bytes->payload()));
    if (!event.ok()) return event.status().WithContext(context());
    // Only the body: whatever sequence, time or actor the payload claims is
    // the client's invention.
    out.push_back(std::move(event->body));
  }
  return out;
}

Result<engine::Edit> DecodeAppend(const fbs::AppendEdit& e) {
  engine::AppendEdit out;
  STARLOG_ASSIGN_OR_RETURN(out.bodies, DecodeEvents(e.events(), "append"));
  return engine::Edit(std::move(out));
}

engine::EditResult DecodeEditReply(const fbs::EditReply& r) {
  engine::EditResult out;
  out.head = DecodeHead(*r.head());
  out.first = r.first();
  out.names = Strings(r.names());
  out.created = r.created();
  out.datasets = r.datasets();
  out.files_deleted = r.files_deleted();
  out.file_errors = Strings(r.file_errors());
  return out;
}

Result<PlaceRequest> DecodePlaceRequest(const fbs::PlaceRequest& r) {
  PlaceRequest out;
  STARLOG_ASSIGN_OR_RETURN(out.events, DecodeEvents(r.events(), "place request"));
  const uint8_t mode = static_cast<uint8_t>(r.mode());
  if (mode > static_cast<uint8_t>(PlaceMode::kRelsymlink)) {
    return Malformed("place mode " + std::to_string(mode));
  }
  out.mode = static_cast<PlaceMode>(mode);
  if (r.files() != nullptr) {
    if (r.files()->size() > kMaxDescriptorsPerMessage) {
      return Malformed("a place request of " + std::to_string(r.files()->size()) +
                       " files, more than the " + std::to_string(kMaxDescriptorsPerMessage) +
                       " one message may carry");
    }
    for (const fbs::PlaceFile* f : *r.files()) {
      PlaceFile file;
      if (f->entries() != nullptr) {
        for (const fbs::EntryRef* e : *f->entries())
          file.entries.push_back({e->event(), e->entry()});
      }
      file.path = Str(f->path());
      file.source = Str(f->source());
      out.files.push_back(std::move(file));
    }
  }
  out.all_or_nothing = r.all_or_nothing();
  out.act_for = Str(r.act_for());
  out.more = r.more();
  return out;
}

Result<engine::Edit> DecodeEdit(const fbs::EditRequest& request) {
  switch (request.edit_type()) {
    case fbs::Edit_AppendEdit:
      return DecodeAppend(*request.edit_as_AppendEdit());
    case fbs::Edit_EnsureCollectionEdit: {
      const auto* e = request.edit_as_EnsureCollectionEdit();
      const uint8_t type = static_cast<uint8_t>(e->type());
      if (type < 1 || type > static_cast<uint8_t>(codec::CollectionType::kCalibration)) {
        return Malformed("collection type " + std::to_string(type));
      }
      engine::EnsureCollectionEdit out;
      out.name = Str(e->name());
      out.type = static_cast<codec::CollectionType>(type);
      if (e->doc() != nullptr) out.doc = e->doc()->str();
      return engine::Edit(std::move(out));
    }
    case fbs::Edit_RemoveRunsEdit:
      return engine::Edit(
          engine::RemoveRunsEdit{Strings(request.edit_as_RemoveRunsEdit()->patterns())});
    case fbs::Edit_ChainEditEdit: {
      const auto* e = request.edit_as_ChainEditEdit();
      engine::ChainEditEdit out;
      switch (e->mode()) {
        case fbs::ChainEditMode_Redefine:
          out.edit = engine::ChainEdit::kRedefine;
          break;
        case fbs::ChainEditMode_Prepend:
          out.edit = engine::ChainEdit::kPrepend;
          break;
        case fbs::ChainEditMode_Extend:
          out.edit = engine::ChainEdit::kExtend;
          break;
        case fbs::ChainEditMode_Remove:
          out.edit = engine::ChainEdit::kRemove;
          break;
        case fbs::ChainEditMode_Pop:
          out.edit = engine::ChainEdit::kPop;
          break;
        default:
          return Malformed("chain edit mode " + std::to_string(static_cast<int>(e->mode())));
      }
      out.chain = Str(e->chain());
      out.names = Strings(e->names());
      out.doc = Str(e->doc());
      out.flatten = e->flatten();
      return engine::Edit(std::move(out));
    }
    case fbs::Edit_PolicyRoleEdit: {
      const auto* e = request.edit_as_PolicyRoleEdit();
      return engine::Edit(engine::PolicyRoleEdit{Str(e->role()), Str(e->user()), e->grant()});
    }
    case fbs::Edit_PruneEdit: {
      const auto* e = request.edit_as_PruneEdit();
      engine::PruneEdit out;
      switch (e->mode()) {
        case fbs::PruneMode_Forget:
          out.mode = engine::PruneMode::kForget;
          break;
        case fbs::PruneMode_Unstore:
          out.mode = engine::PruneMode::kUnstore;
          break;
        case fbs::PruneMode_Purge:
          out.mode = engine::PruneMode::kPurge;
          break;
        default:
          return Malformed("prune mode " + std::to_string(static_cast<int>(e->mode())));
      }
      const std::string_view ids = Bytes(e->ids());
      if (ids.size() % 16 != 0) return Malformed("dataset ids are not 16 bytes each");
      out.ids.reserve(ids.size() / 16);
      for (size_t i = 0; i < ids.size(); i += 16)
        out.ids.push_back(codec::Uuid::FromBytes(&ids[i]));
      return engine::Edit(std::move(out));
    }
    case fbs::Edit_RemoveCollectionsEdit: {
      const auto* e = request.edit_as_RemoveCollectionsEdit();
      return engine::Edit(
          engine::RemoveCollectionsEdit{Strings(e->patterns()), e->remove_from_parents()});
    }
    case fbs::Edit_NONE:
      break;
  }
  return Malformed("unknown edit " + std::to_string(static_cast<int>(request.edit_type())));
}

Result<Message> DecodeBody(const fbs::Message& m) {
  switch (m.body_type()) {
    case fbs::Body_Hello: {
      const auto* h = m.body_as_Hello();
      Hello out;
      out.version = h->version();
      if (h->repository_id() != nullptr) {
        STARLOG_ASSIGN_OR_RETURN(out.repository_id,
                                 DecodeUuid(h->repository_id(), "the repository id"));
      }
      out.user = Str(h->user());
      out.token = Str(h->token());
      return Message(std::move(out));
    }
    case fbs::Body_EditRequest: {
      STARLOG_ASSIGN_OR_RETURN(engine::Edit edit, DecodeEdit(*m.body_as_EditRequest()));
      return Message(EditRequest{std::move(edit), Str(m.body_as_EditRequest()->act_for())});
    }
    case fbs::Body_InfoRequest:
      return Message(InfoRequest{});
    case fbs::Body_StatusReply: {
      const auto* s = m.body_as_StatusReply();
      std::optional<Status> status = StatusFromCode(s->code(), Str(s->message()));
      if (!status) return Malformed("status code " + std::to_string(s->code()));
      return Message(StatusReply{std::move(*status)});
    }
    case fbs::Body_EditReply:
      return Message(EditReply{DecodeEditReply(*m.body_as_EditReply())});
    case fbs::Body_InfoReply: {
      const auto* r = m.body_as_InfoReply();
      InfoReply out;
      STARLOG_ASSIGN_OR_RETURN(out.info.repository_id,
                               DecodeUuid(r->repository_id(), "the repository id"));
      out.info.head = DecodeHead(*r->head());
      out.info.root = Str(r->root());
      out.info.format_version = r->format_version();
      out.info.families = internal::DecodeFamilies(r->families());
      return Message(std::move(out));
    }
    case fbs::Body_QueryRequest: {
      STARLOG_ASSIGN_OR_RETURN(QueryRequest out,
                               internal::DecodeQueryRequest(*m.body_as_QueryRequest()));
      return Message(std::move(out));
    }
    case fbs::Body_QueryReply: {
      STARLOG_ASSIGN_OR_RETURN(QueryReply out, internal::DecodeQueryReply(*m.body_as_QueryReply()));
      return Message(std::move(out));
    }
    case fbs::Body_MoreRequest:
      return Message(internal::DecodeMoreRequest(*m.body_as_MoreRequest()));
    case fbs::Body_WaitRequest: {
      STARLOG_ASSIGN_OR_RETURN(WaitRequest out,
                               internal::DecodeWaitRequest(*m.body_as_WaitRequest()));
      return Message(std::move(out));
    }
    case fbs::Body_PlaceRequest: {
      STARLOG_ASSIGN_OR_RETURN(PlaceRequest out, DecodePlaceRequest(*m.body_as_PlaceRequest()));
      return Message(std::move(out));
    }
    case fbs::Body_PlaceReply: {
      const auto* r = m.body_as_PlaceReply();
      PlaceReply out;
      out.result = DecodeEditReply(*r->result());
      if (r->skipped() != nullptr) {
        for (const fbs::PlaceSkip* s : *r->skipped()) {
          out.skipped.push_back(PlaceSkip{s->file(), Str(s->reason())});
        }
      }
      return Message(std::move(out));
    }
    case fbs::Body_NONE:
      break;
  }
  return Malformed("no body");
}

}  // namespace

MessageType TypeOf(const Message& message) { return static_cast<MessageType>(message.index() + 1); }

Status AppendMessage(const Message& message, std::string* out) {
  if (const auto* reply = std::get_if<StatusReply>(&message); reply && reply->status.ok()) {
    return Status::InvalidArgument("a status reply must carry an error");
  }
  FlatBufferBuilder b(256);
  const Offset<void> body = std::visit(BodyEncoder{b}, message);
  b.Finish(fbs::CreateMessage(b, static_cast<fbs::Body>(message.index() + 1), body));
  const std::string_view payload(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  return codec::AppendRawFrame(static_cast<uint8_t>(TypeOf(message)), payload, out);
}

Result<Message> DecodeMessage(std::string_view bytes) {
  if (bytes.size() > kMaxRequestSize) {
    return Status::Corruption("a message of " + std::to_string(bytes.size()) +
                              " bytes, more than the " + std::to_string(kMaxRequestSize) +
                              " accepted");
  }
  std::string_view in = bytes;
  STARLOG_ASSIGN_OR_RETURN(codec::RawFrame frame, codec::ReadRawFrame(&in));
  if (!in.empty()) {
    return Status::Corruption(std::to_string(in.size()) + " trailing bytes after the message");
  }
  if (frame.type > std::variant_size_v<Message>) {
    return Status::Corruption("unknown service message type " + std::to_string(frame.type));
  }
  // FlatBuffers reads its fields in place, aligned: the payload starts 5
  // bytes into the frame, so verify and read an aligned copy.
  const std::string payload(frame.payload);
  flatbuffers::Verifier::Options options;
  options.max_depth = 16;
  options.max_tables = 10'000'000;
  flatbuffers::Verifier verifier(reinterpret_cast<const uint8_t*>(payload.data()), payload.size(),
                                 options);
  if (!fbs::VerifyMessageBuffer(verifier)) {
    return Status::Corruption("service message fails FlatBuffers verification");
  }
  const fbs::Message* m = fbs::GetMessage(payload.data());
  if (static_cast<uint8_t>(m->body_type()) != frame.type) {
    return Status::Corruption("frame type " + std::to_string(frame.type) +
                              " differs from the message's type " +
                              std::to_string(static_cast<int>(m->body_type())));
  }
  return DecodeBody(*m);
}

Result<engine::DatasetQuery> ToEngine(const DatasetsQuery& q) {
  STARLOG_ASSIGN_OR_RETURN(engine::WhereClause where,
                           engine::WhereClause::Parse(q.where.text, q.where.binds));
  return engine::DatasetQuery{q.dataset_type, q.collections, std::move(where), q.find_first,
                              q.validity};
}

Result<engine::DatasetSearch> ToEngine(const DatasetSearchQuery& q) {
  STARLOG_ASSIGN_OR_RETURN(engine::DatasetQuery query, ToEngine(q.query));
  return engine::DatasetSearch{q.dataset_types, std::move(query), q.order_by, q.limit};
}

Status ForEachRow(const engine::RegistryView& view, const DataIdsQuery& q,
                  const engine::RegistryView::FieldMapFn& fn) {
  STARLOG_ASSIGN_OR_RETURN(engine::WhereClause where,
                           engine::WhereClause::Parse(q.where.text, q.where.binds));
  std::optional<engine::DatasetQuery> datasets;
  if (q.datasets) {
    STARLOG_ASSIGN_OR_RETURN(datasets, ToEngine(*q.datasets));
  }
  return view.ForEachDataId(q.dimensions, where, datasets, q.order, fn);
}

Status ForEachRow(const engine::RegistryView& view, const DimensionRecordsQuery& q,
                  const engine::RegistryView::FieldMapFn& fn) {
  STARLOG_ASSIGN_OR_RETURN(engine::WhereClause where,
                           engine::WhereClause::Parse(q.where.text, q.where.binds));
  return view.ForEachDimensionRecord(q.element, where, q.order, fn);
}

namespace {

template <typename Query>
Result<std::vector<codec::FieldMap>> Collected(const engine::RegistryView& view, const Query& q) {
  std::vector<codec::FieldMap> out;
  STARLOG_RETURN_IF_ERROR(ForEachRow(view, q, [&](codec::FieldMap&& row) {
    out.push_back(std::move(row));
    return true;
  }));
  return out;
}

}  // namespace

Result<std::vector<codec::FieldMap>> Answer(const engine::RegistryView& view,
                                            const DataIdsQuery& q) {
  return Collected(view, q);
}

Result<std::vector<codec::FieldMap>> Answer(const engine::RegistryView& view,
                                            const DimensionRecordsQuery& q) {
  return Collected(view, q);
}

}  // namespace starlog::service
