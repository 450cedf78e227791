#include <algorithm>
#include <iterator>
#include <set>

#include "engine/query/registry_view_impl.h"

namespace starlog::engine {

Result<size_t> RecordCache::KeysOf(const std::string& element) {
  for (size_t i = 0; i < elements_.size(); ++i) {
    if (elements_[i].element == element) return i;
  }
  STARLOG_ASSIGN_OR_RETURN(auto key_names, view_.universe().RequiredKeys({element}));
  elements_.push_back({element, std::move(key_names)});
  return elements_.size() - 1;
}

Result<const codec::FieldMap*> RecordCache::Get(const std::string& element,
                                                const codec::FieldMap& data_id) {
  static const codec::FieldMap kNone;
  return Get(element, data_id, kNone);
}

Result<const codec::FieldMap*> RecordCache::Get(const std::string& element,
                                                const codec::FieldMap& data_id,
                                                const codec::FieldMap& more) {
  STARLOG_ASSIGN_OR_RETURN(const size_t index, KeysOf(element));
  const std::vector<std::string>& key_names = elements_[index].keys;
  values_.clear();
  for (const std::string& k : key_names) {
    auto it = data_id.find(k);
    if (it == data_id.end()) {
      it = more.find(k);
      if (it == more.end()) return static_cast<const codec::FieldMap*>(nullptr);
    }
    values_.push_back(it->second);
  }
  // Rows come in key order: a row's record is most often the last one asked
  // for of its element (one exposure's detectors).
  ElementKeys& element_keys = elements_[index];
  if (element_keys.last != nullptr && element_keys.last->first.second == values_) {
    return element_keys.last->second->has_value() ? &**element_keys.last->second : nullptr;
  }
  auto cached = cache_.find(std::make_pair(index, values_));
  if (cached == cache_.end()) {
    codec::FieldMap keys_only;
    for (size_t i = 0; i < key_names.size(); ++i) keys_only.emplace(key_names[i], values_[i]);
    STARLOG_ASSIGN_OR_RETURN(std::string values, EncodeDataIdValues(keys_only, key_names));
    const std::string key = keys::DimensionRecord(element, values);
    std::optional<SharedRecord> shared = view_.records.Get(key);
    if (!shared) {
      STARLOG_ASSIGN_OR_RETURN(auto payload, view_.reader().Get(Family::kDimensionRecords, key));
      std::optional<codec::FieldMap> record;
      if (payload) {
        STARLOG_ASSIGN_OR_RETURN(auto value, keys::DecodeDimensionRecord(*payload));
        record = std::move(value.record);
      }
      shared = std::make_shared<const std::optional<codec::FieldMap>>(std::move(record));
      view_.records.Put(key, *shared);
    }
    cached = cache_.emplace(std::make_pair(index, values_), std::move(*shared)).first;
  }
  element_keys.last = &*cached;
  return cached->second->has_value() ? &**cached->second : nullptr;
}

namespace {

// The shortest chain of elements from one of "keys" to "target", each
// implying the next (exposure -> physical_filter -> band); empty if none.
std::vector<std::string> ImpliedPath(const Universe& universe, const std::vector<std::string>& keys,
                                     const std::string& target) {
  std::vector<std::vector<std::string>> frontier;
  for (const std::string& k : keys) frontier.push_back({k});
  for (size_t depth = 0; depth < universe.elements().size() && !frontier.empty(); ++depth) {
    std::vector<std::vector<std::string>> next;
    for (const auto& path : frontier) {
      if (path.back() == target) return path;
      for (const std::string& implied : universe.Find(path.back())->implies) {
        auto longer = path;
        longer.push_back(implied);
        next.push_back(std::move(longer));
      }
    }
    frontier = std::move(next);
  }
  return {};
}

// The elements whose records data IDs with "keys" reach: their own, and
// those each implies, in the universe's order.
std::vector<const DimensionElement*> ReachableElements(const Universe& universe,
                                                       const std::vector<std::string>& keys) {
  std::set<std::string> reached(keys.begin(), keys.end());
  for (bool grew = true; grew;) {
    grew = false;
    for (const std::string& name : std::vector<std::string>(reached.begin(), reached.end())) {
      const DimensionElement* e = universe.Find(name);
      if (e == nullptr) continue;
      for (const std::string& i : e->implies) grew |= reached.insert(i).second;
    }
  }
  std::vector<const DimensionElement*> out;
  for (const DimensionElement& e : universe.elements()) {
    if (reached.count(e.name)) out.push_back(&e);
  }
  return out;
}

bool HasTimespan(const Universe& universe, const DimensionElement& e) {
  return universe.FieldType(e, "timespan_begin") != nullptr &&
         universe.FieldType(e, "timespan_end") != nullptr;
}

std::string Known(const std::vector<std::string>& keys) {
  std::string known;
  for (const auto& k : keys) known += (known.empty() ? "" : ", ") + k;
  return known;
}

// Turns a parsed tree into a bound one; see BoundWhere::Bind.
class Binder {
 public:
  Binder(const Universe& universe, const std::vector<std::string>& keys,
         const DimensionElement* record_element, bool datasets, std::vector<BoundWhere::Ref>& refs)
      : universe_(universe),
        keys_(keys),
        record_element_(record_element),
        datasets_(datasets),
        refs_(refs) {}

  Result<BoundWhere::Node> Bind(const WhereNode& in) {
    BoundWhere::Node out;
    out.kind = in.kind;
    out.op = in.op;
    out.ranges = in.ranges;
    for (const WhereNode& c : in.children) {
      STARLOG_ASSIGN_OR_RETURN(BoundWhere::Node child, Bind(c));
      out.children.push_back(std::move(child));
    }
    const auto no_span = [&](const WhereOperand& o) {
      if (o.kind != WhereOperand::Kind::kTimespan) return Status::OK();
      return Status::InvalidArgument("where: '" + in.ToString() + "' (column " +
                                     std::to_string(o.column) + "): a timespan " + o.ToString() +
                                     " is compared only by OVERLAPS");
    };
    if (in.kind == WhereNode::Kind::kCompare || in.kind == WhereNode::Kind::kIn) {
      STARLOG_RETURN_IF_ERROR(no_span(in.lhs));
      STARLOG_RETURN_IF_ERROR(no_span(in.rhs));
      for (const WhereOperand& item : in.items) STARLOG_RETURN_IF_ERROR(no_span(item));
    }
    if (in.kind == WhereNode::Kind::kCompare) {
      STARLOG_ASSIGN_OR_RETURN(auto lhs, Resolve(in.lhs));
      STARLOG_ASSIGN_OR_RETURN(auto rhs, Resolve(in.rhs));
      // A bare name that names nothing is a word, if the other side is a field.
      if (!lhs && !(rhs && rhs->type)) return Unknown(in.lhs);
      if (!rhs && !(lhs && lhs->type)) return Unknown(in.rhs);
      if (!lhs) lhs = Word(in.lhs);
      if (!rhs) rhs = Word(in.rhs);
      if (lhs->type && rhs->type && *lhs->type != *rhs->type) {
        return Status::InvalidArgument(
            "where: '" + in.ToString() + "' (column " + std::to_string(in.column) + ") compares " +
            in.lhs.ToString() + ", " + std::string(ValueTypeName(*lhs->type)) + ", with " +
            in.rhs.ToString() + ", " + std::string(ValueTypeName(*rhs->type)));
      }
      STARLOG_RETURN_IF_ERROR(CheckType(in, in.lhs, *lhs, in.rhs, *rhs));
      STARLOG_RETURN_IF_ERROR(CheckType(in, in.rhs, *rhs, in.lhs, *lhs));
      out.lhs = std::move(lhs->value);
      out.rhs = std::move(rhs->value);
    } else if (in.kind == WhereNode::Kind::kIn) {
      STARLOG_ASSIGN_OR_RETURN(auto lhs, Resolve(in.lhs));
      if (!lhs) return Unknown(in.lhs);
      for (const WhereOperand& item : in.items) {
        STARLOG_ASSIGN_OR_RETURN(auto v, Resolve(item));
        if (!v && !lhs->type) return Unknown(item);
        if (!v) v = Word(item);
        STARLOG_RETURN_IF_ERROR(CheckType(in, in.lhs, *lhs, item, *v));
        STARLOG_RETURN_IF_ERROR(CheckType(in, item, *v, in.lhs, *lhs));
        out.items.push_back(std::move(v->value));
      }
      const bool int_lhs = lhs->type ? *lhs->type == ValueType::kInt
                                     : std::holds_alternative<int64_t>(lhs->value.constant);
      if (!in.ranges.empty() && !int_lhs) {
        return Status::InvalidArgument("where: '" + in.ToString() + "' (column " +
                                       std::to_string(in.column) + "): " + in.lhs.ToString() +
                                       " is no integer, so it is in no range");
      }
      out.lhs = std::move(lhs->value);
    } else if (in.kind == WhereNode::Kind::kOverlaps) {
      STARLOG_ASSIGN_OR_RETURN(bool lhs_span,
                               Side(in, in.lhs, &out.lhs, &out.lhs_end, &out.lhs_instant));
      STARLOG_ASSIGN_OR_RETURN(bool rhs_span,
                               Side(in, in.rhs, &out.rhs, &out.rhs_end, &out.rhs_instant));
      if (!lhs_span && !rhs_span) {
        return Status::InvalidArgument(
            "where: '" + in.ToString() + "' (column " + std::to_string(in.column) +
            "): OVERLAPS needs a timespan on one side (element.timespan, timespan, or a "
            "literal (begin, end)); both are times");
      }
    }
    return out;
  }

  struct Resolved {
    BoundWhere::Value value;
    std::optional<ValueType> type;  // Set for a field.
  };

 private:
  bool HasKey(const std::string& k) const {
    return std::binary_search(keys_.begin(), keys_.end(), k);
  }

  Status Unknown(const WhereOperand& name) const {
    const bool ingest = name.name == std::vector<std::string>{"ingest_date"};
    return Status::InvalidArgument(
        "where: '" + name.ToString() + "' (column " + std::to_string(name.column) +
        ") names nothing known for data IDs over {" + Known(keys_) + "}" +
        (ingest ? " (ingest_date is a dataset's, known to dataset queries)" : ""));
  }

  // One side of OVERLAPS into "begin" and "end" (or the instant "begin");
  // true for a timespan.
  Result<bool> Side(const WhereNode& in, const WhereOperand& side, BoundWhere::Value* begin,
                    BoundWhere::Value* end, bool* instant) {
    const auto refuse = [&](std::string_view what) {
      return Status::InvalidArgument("where: '" + in.ToString() + "' (column " +
                                     std::to_string(side.column) + "): OVERLAPS takes a " +
                                     "timespan or a time, not " + side.ToString() + ", " +
                                     std::string(what));
    };
    if (side.kind == WhereOperand::Kind::kTimespan) {
      *begin = BoundWhere::Value{-1, side.span.begin};
      *end = BoundWhere::Value{-1, side.span.end};
      return true;
    }
    *instant = true;
    if (side.kind == WhereOperand::Kind::kValue) {
      if (!std::holds_alternative<int64_t>(side.value)) {
        return refuse("a string (a time is written T'2013-06-17 13:30:00')");
      }
      *begin = BoundWhere::Value{-1, side.value};
      return false;
    }
    if (side.name.back() == "timespan") {
      const DimensionElement* owner = nullptr;
      if (side.name.size() == 2) {
        owner = universe_.Find(side.name[0]);
        if (owner == nullptr || !HasTimespan(universe_, *owner)) {
          return refuse("which names no element with a timespan");
        }
      } else if (side.name.size() == 1) {
        owner = TimespanOwner();
        if (owner == nullptr) {
          return refuse("which needs exactly one element of the data IDs over {" + Known(keys_) +
                        "} with a timespan (else name it: element.timespan)");
        }
      }
      if (owner != nullptr) {
        WhereOperand part = side;
        part.name = {owner->name, "timespan", "begin"};
        STARLOG_ASSIGN_OR_RETURN(auto b, Resolve(part));
        part.name.back() = "end";
        STARLOG_ASSIGN_OR_RETURN(auto e, Resolve(part));
        if (!b || !e) return Unknown(side);
        *begin = b->value;
        *end = e->value;
        *instant = false;
        return true;
      }
    }
    STARLOG_ASSIGN_OR_RETURN(auto field, Resolve(side));
    if (!field) return Unknown(side);
    if (field->type && *field->type != ValueType::kInt) return refuse("a string field");
    *begin = field->value;
    return false;
  }

  // The one element the data IDs reach whose records have a timespan (the
  // candidate records' own, when they have one); null if none or several.
  const DimensionElement* TimespanOwner() const {
    if (record_element_ != nullptr && HasTimespan(universe_, *record_element_)) {
      return record_element_;
    }
    const DimensionElement* owner = nullptr;
    for (const DimensionElement* e : ReachableElements(universe_, keys_)) {
      if (!HasTimespan(universe_, *e)) continue;
      if (owner != nullptr) return nullptr;
      owner = e;
    }
    return owner;
  }

  static Resolved Word(const WhereOperand& name) {
    return Resolved{BoundWhere::Value{-1, codec::FieldValue(name.ToString())}, std::nullopt};
  }

  // A constant compared with a field must have the field's type.
  Status CheckType(const WhereNode& in, const WhereOperand& field, const Resolved& f,
                   const WhereOperand& value, const Resolved& v) const {
    if (!f.type || v.type) return Status::OK();
    const bool is_string = std::holds_alternative<std::string>(v.value.constant);
    if (is_string == (*f.type == ValueType::kString)) return Status::OK();
    return Status::InvalidArgument("where: '" + in.ToString() + "' (column " +
                                   std::to_string(value.column) + "): " + field.ToString() +
                                   " is " + std::string(ValueTypeName(*f.type)) + ", not " +
                                   value.ToString());
  }

 public:
  // A value, a field, or nullopt for a single name that names nothing.
  Result<std::optional<Resolved>> Resolve(const WhereOperand& in) {
    if (in.kind == WhereOperand::Kind::kValue) {
      return std::optional<Resolved>(Resolved{BoundWhere::Value{-1, in.value}, std::nullopt});
    }
    std::string element, field;
    if (in.name.size() == 1) {
      field = in.name[0];
      if (record_element_ != nullptr && !HasKey(field) &&
          universe_.FieldType(*record_element_, field) != nullptr) {
        element = record_element_->name;
      }
    } else if (in.name.size() == 2 && in.name[0] == "timespan" &&
               universe_.Find("timespan") == nullptr) {
      // timespan.begin bare: the one element with a timespan, as the butler.
      const DimensionElement* owner = TimespanOwner();
      if (owner == nullptr) return Unknown(in);
      element = owner->name;
      field = "timespan_" + in.name[1];
    } else {
      element = in.name[0];
      field = in.name[1];
      if (in.name.size() == 3) field += "_" + in.name[2];  // timespan.begin
    }
    BoundWhere::Ref ref;
    const ValueType* type = nullptr;
    static constexpr ValueType kTime = ValueType::kInt;  // TAI ns, as T'...'.
    if (element.empty() && datasets_ && field == "ingest_date" && !HasKey(field)) {
      ref.ingest_date = true;
      type = &kTime;
    } else if (element.empty()) {
      if (HasKey(field)) {
        type = &universe_.Find(field)->key_type;
      } else if (universe_.Find(field) != nullptr) {
        // A dimension implied by the keys: read it from the record implying it.
        std::vector<std::string> path = ImpliedPath(universe_, keys_, field);
        if (path.size() >= 2) {
          path.pop_back();
          ref.path = std::move(path);
          type = &universe_.Find(field)->key_type;
        }
      }
      if (type == nullptr) return std::optional<Resolved>();
    } else if (const DimensionElement* e = universe_.Find(element)) {
      ref.path = ImpliedPath(universe_, keys_, element);
      if (!ref.path.empty()) type = universe_.FieldType(*e, field);
    }
    if (type == nullptr) return Unknown(in);
    ref.field = field;
    // The same field named twice is read once.
    int index = -1;
    for (size_t i = 0; i < refs_.size(); ++i) {
      if (refs_[i].path == ref.path && refs_[i].field == ref.field &&
          refs_[i].ingest_date == ref.ingest_date) {
        index = static_cast<int>(i);
      }
    }
    if (index < 0) {
      index = static_cast<int>(refs_.size());
      refs_.push_back(std::move(ref));
    }
    return std::optional<Resolved>(Resolved{BoundWhere::Value{index, {}}, *type});
  }

 private:
  const Universe& universe_;
  const std::vector<std::string>& keys_;
  const DimensionElement* record_element_;
  const bool datasets_;
  std::vector<BoundWhere::Ref>& refs_;
};

}  // namespace

struct BoundWhere::Context {
  const codec::FieldMap& data_id;
  RecordCache& records;
  const IngestDateFn& ingest_date;
  codec::FieldValue ingest_value;                // Where "ingest_date" put its answer.
  std::vector<char> resolved;                    // Per ref: looked up yet?
  std::vector<const codec::FieldValue*> values;  // Per ref: null if absent.
};

Result<BoundWhere> BoundWhere::Bind(const Universe& universe, const WhereClause& where,
                                    const std::vector<std::string>& keys,
                                    const DimensionElement* record_element, bool datasets) {
  BoundWhere bound;
  if (!where.root) return bound;
  Binder binder(universe, keys, record_element, datasets, bound.refs_);
  STARLOG_ASSIGN_OR_RETURN(Node root, binder.Bind(*where.root));
  bound.root_ = std::move(root);
  return bound;
}

Result<bool> BoundWhere::Matches(const codec::FieldMap& data_id, RecordCache& records,
                                 const IngestDateFn& ingest_date) const {
  if (!root_) return true;
  Context ctx{data_id,
              records,
              ingest_date,
              {},
              std::vector<char>(refs_.size(), 0),
              std::vector<const codec::FieldValue*>(refs_.size(), nullptr)};
  STARLOG_ASSIGN_OR_RETURN(Truth t, Eval(*root_, ctx));
  return t == Truth::kTrue;
}

namespace {

// "name" split at its dots, a bare field (or timespan.begin) given the one
// element of "reachable" that has it, as the butler infers it.
std::vector<std::string> OrderName(const Universe& universe,
                                   const std::vector<const DimensionElement*>& reachable,
                                   const std::string& name) {
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t dot = name.find('.', start);
    parts.push_back(name.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  const bool bare = parts.size() == 1 && universe.Find(parts[0]) == nullptr;
  const bool bare_timespan = parts.size() == 2 && parts[0] == "timespan";
  if (!bare && !bare_timespan) return parts;
  const std::string field = bare ? parts[0] : "timespan_" + parts[1];
  const DimensionElement* owner = nullptr;
  for (const DimensionElement* e : reachable) {
    if (universe.FieldType(*e, field) == nullptr) continue;
    if (owner != nullptr) return parts;  // Two have it: the name must say which.
    owner = e;
  }
  if (owner == nullptr) return parts;
  parts.insert(parts.begin(), owner->name);
  return parts;
}

}  // namespace

Result<BoundWhere> BoundWhere::BindNames(const Universe& universe,
                                         const std::vector<std::string>& names,
                                         const std::vector<std::string>& keys) {
  BoundWhere bound;
  Binder binder(universe, keys, nullptr, false, bound.refs_);
  const auto reachable = ReachableElements(universe, keys);
  for (const std::string& name : names) {
    WhereOperand operand;
    operand.kind = WhereOperand::Kind::kName;
    operand.name = OrderName(universe, reachable, name);
    auto resolved = operand.name.size() <= 3 && !name.empty()
                        ? binder.Resolve(operand)
                        : Result<std::optional<Binder::Resolved>>(std::nullopt);
    if (!resolved.ok() || !*resolved || resolved->value().value.ref < 0) {
      return Status::InvalidArgument(
          "order by '" + name + "': names nothing known for data IDs over {" + Known(keys) +
          "} (a key, a dimension they imply, or a field of their records as element.field)");
    }
    bound.names_.push_back(resolved->value().value);
  }
  return bound;
}

Result<std::vector<std::optional<codec::FieldValue>>> BoundWhere::Values(
    const codec::FieldMap& data_id, RecordCache& records) const {
  const IngestDateFn none;
  Context ctx{data_id,
              records,
              none,
              {},
              std::vector<char>(refs_.size(), 0),
              std::vector<const codec::FieldValue*>(refs_.size(), nullptr)};
  std::vector<std::optional<codec::FieldValue>> out;
  out.reserve(names_.size());
  for (const Value& v : names_) {
    STARLOG_ASSIGN_OR_RETURN(const codec::FieldValue* value, Get(v, ctx));
    out.push_back(value ? std::optional<codec::FieldValue>(*value) : std::nullopt);
  }
  return out;
}

std::vector<BoundWhere> BoundWhere::Conjuncts() const {
  std::vector<BoundWhere> out;
  if (!root_) return out;
  const auto term = [&](const Node& n) {
    BoundWhere t;
    t.refs_ = refs_;
    t.root_ = n;
    out.push_back(std::move(t));
  };
  if (root_->kind == WhereNode::Kind::kAnd) {
    for (const Node& c : root_->children) term(c);
  } else {
    term(*root_);
  }
  return out;
}

Result<std::vector<std::string>> BoundWhere::KeysRead(const Universe& universe) const {
  std::set<std::string> keys;
  Status failure;
  const auto read = [&](const Value& v) {
    if (v.ref < 0 || !failure.ok()) return;
    const Ref& ref = refs_[static_cast<size_t>(v.ref)];
    if (ref.ingest_date) return;
    if (ref.path.empty()) {
      keys.insert(ref.field);
      return;
    }
    auto element_keys = universe.RequiredKeys({ref.path.front()});
    if (!element_keys.ok()) {
      failure = element_keys.status();
      return;
    }
    keys.insert(element_keys->begin(), element_keys->end());
  };
  std::vector<const Node*> todo;
  if (root_) todo.push_back(&*root_);
  while (!todo.empty()) {
    const Node* n = todo.back();
    todo.pop_back();
    read(n->lhs);
    read(n->rhs);
    read(n->lhs_end);
    read(n->rhs_end);
    for (const Value& item : n->items) read(item);
    for (const Node& c : n->children) todo.push_back(&c);
  }
  STARLOG_RETURN_IF_ERROR(failure);
  return std::vector<std::string>(keys.begin(), keys.end());
}

std::map<std::string, std::vector<codec::FieldValue>> BoundWhere::KeyCandidates(size_t max) const {
  std::map<std::string, std::vector<codec::FieldValue>> out;
  // A term allowing too many values narrows nothing; the others still do.
  const auto narrow = [&](const std::string& key, std::vector<codec::FieldValue> values) {
    if (values.size() > max) return;
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    auto [it, fresh] = out.try_emplace(key, std::move(values));
    if (fresh) return;
    std::vector<codec::FieldValue> both;
    std::set_intersection(it->second.begin(), it->second.end(), values.begin(), values.end(),
                          std::back_inserter(both));
    it->second = std::move(both);
  };
  // The data ID key a value reads directly, if it does.
  const auto key_of = [&](const Value& v) -> const std::string* {
    if (v.ref < 0) return nullptr;
    const Ref& ref = refs_[static_cast<size_t>(v.ref)];
    return ref.path.empty() && !ref.ingest_date ? &ref.field : nullptr;
  };
  const auto term = [&](const Node& n) {
    if (n.kind == WhereNode::Kind::kCompare && n.op == WhereNode::Op::kEq) {
      const std::string* lhs = key_of(n.lhs);
      const std::string* rhs = key_of(n.rhs);
      if (lhs && n.rhs.ref < 0) narrow(*lhs, {n.rhs.constant});
      if (rhs && n.lhs.ref < 0) narrow(*rhs, {n.lhs.constant});
      return;
    }
    if (n.kind != WhereNode::Kind::kIn) return;
    const std::string* key = key_of(n.lhs);
    if (key == nullptr) return;
    std::vector<codec::FieldValue> values;
    for (const Value& item : n.items) {
      if (item.ref >= 0) return;  // Compared with a field: no constant list.
      values.push_back(item.constant);
    }
    for (const WhereRange& r : n.ranges) {
      // Each range counted before it is expanded, so a vast one costs nothing.
      if (r.last < r.first) continue;
      const uint64_t span = static_cast<uint64_t>(r.last) - static_cast<uint64_t>(r.first);
      if (span / static_cast<uint64_t>(r.stride) + values.size() >= max) return;
      for (int64_t v = r.first;; v += r.stride) {
        values.emplace_back(v);
        if (static_cast<uint64_t>(r.last) - static_cast<uint64_t>(v) <
            static_cast<uint64_t>(r.stride)) {
          break;
        }
      }
    }
    narrow(*key, std::move(values));
  };
  if (root_) {
    if (root_->kind == WhereNode::Kind::kAnd) {
      for (const Node& c : root_->children) term(c);
    } else {
      term(*root_);
    }
  }
  return out;
}

codec::FieldMap BoundWhere::FixedKeys() const {
  codec::FieldMap fixed;
  const auto add = [&](const Node& n) {
    if (n.kind != WhereNode::Kind::kCompare || n.op != WhereNode::Op::kEq) return;
    const bool lhs_ref = n.lhs.ref >= 0, rhs_ref = n.rhs.ref >= 0;
    if (lhs_ref == rhs_ref) return;
    const Ref& ref = refs_[static_cast<size_t>(lhs_ref ? n.lhs.ref : n.rhs.ref)];
    if (ref.path.empty() && !ref.ingest_date)
      fixed.emplace(ref.field, (lhs_ref ? n.rhs : n.lhs).constant);
  };
  if (!root_) return fixed;
  if (root_->kind == WhereNode::Kind::kAnd) {
    for (const Node& c : root_->children) add(c);
  } else {
    add(*root_);
  }
  return fixed;
}

Result<const codec::FieldValue*> BoundWhere::Get(const Value& v, Context& ctx) const {
  if (v.ref < 0) return &v.constant;
  const size_t i = static_cast<size_t>(v.ref);
  if (ctx.resolved[i]) return ctx.values[i];
  ctx.resolved[i] = 1;
  const Ref& ref = refs_[i];
  if (ref.ingest_date) {
    if (!ctx.ingest_date) return Status::InvalidArgument("where: ingest_date without a dataset");
    STARLOG_ASSIGN_OR_RETURN(std::optional<int64_t> ns, ctx.ingest_date());
    if (!ns) return nullptr;
    ctx.ingest_value = *ns;  // One ingest_date per clause: refs are deduplicated.
    ctx.values[i] = &ctx.ingest_value;
    return ctx.values[i];
  }
  const codec::FieldMap* source = &ctx.data_id;
  if (!ref.path.empty()) {
    codec::FieldMap expanded = ctx.data_id;
    for (size_t p = 0; p < ref.path.size(); ++p) {
      STARLOG_ASSIGN_OR_RETURN(source, ctx.records.Get(ref.path[p], expanded));
      if (source == nullptr) return nullptr;  // No record: nothing to compare.
      if (p + 1 < ref.path.size()) {
        auto implied = source->find(ref.path[p + 1]);
        if (implied == source->end()) return nullptr;
        expanded[ref.path[p + 1]] = implied->second;
      }
    }
  }
  auto it = source->find(ref.field);
  ctx.values[i] = it == source->end() ? nullptr : &it->second;
  return ctx.values[i];
}

Result<std::optional<codec::Timespan>> BoundWhere::Span(const Value& begin, const Value& end,
                                                        bool instant, Context& ctx) const {
  STARLOG_ASSIGN_OR_RETURN(const codec::FieldValue* b, Get(begin, ctx));
  const auto* b_ns = b ? std::get_if<int64_t>(b) : nullptr;
  if (b_ns == nullptr) return std::optional<codec::Timespan>();
  if (instant) return std::optional<codec::Timespan>(codec::Timespan{*b_ns, *b_ns});
  STARLOG_ASSIGN_OR_RETURN(const codec::FieldValue* e, Get(end, ctx));
  const auto* e_ns = e ? std::get_if<int64_t>(e) : nullptr;
  if (e_ns == nullptr) return std::optional<codec::Timespan>();
  return std::optional<codec::Timespan>(codec::Timespan{*b_ns, *e_ns});
}

Result<BoundWhere::Truth> BoundWhere::Eval(const Node& node, Context& ctx) const {
  switch (node.kind) {
    case WhereNode::Kind::kAnd:
    case WhereNode::Kind::kOr: {
      // AND: false wins, then unknown; OR: true wins, then unknown.
      const Truth decisive = node.kind == WhereNode::Kind::kAnd ? Truth::kFalse : Truth::kTrue;
      Truth result = node.kind == WhereNode::Kind::kAnd ? Truth::kTrue : Truth::kFalse;
      for (const Node& c : node.children) {
        STARLOG_ASSIGN_OR_RETURN(Truth t, Eval(c, ctx));
        if (t == decisive) return t;
        if (t == Truth::kUnknown) result = t;
      }
      return result;
    }
    case WhereNode::Kind::kNot: {
      STARLOG_ASSIGN_OR_RETURN(Truth t, Eval(node.children.front(), ctx));
      if (t == Truth::kUnknown) return t;
      return t == Truth::kTrue ? Truth::kFalse : Truth::kTrue;
    }
    case WhereNode::Kind::kCompare: {
      STARLOG_ASSIGN_OR_RETURN(const codec::FieldValue* a, Get(node.lhs, ctx));
      STARLOG_ASSIGN_OR_RETURN(const codec::FieldValue* b, Get(node.rhs, ctx));
      if (a == nullptr || b == nullptr) return Truth::kUnknown;
      return CompareValues(*a, node.op, *b) ? Truth::kTrue : Truth::kFalse;
    }
    case WhereNode::Kind::kOverlaps: {
      STARLOG_ASSIGN_OR_RETURN(auto a, Span(node.lhs, node.lhs_end, node.lhs_instant, ctx));
      STARLOG_ASSIGN_OR_RETURN(auto b, Span(node.rhs, node.rhs_end, node.rhs_instant, ctx));
      if (!a || !b) return Truth::kUnknown;
      bool overlap = false;
      if (node.lhs_instant) {
        overlap = b->Contains(a->begin);
      } else if (node.rhs_instant) {
        overlap = a->Contains(b->begin);
      } else {
        // An empty timespan overlaps nothing, as the butler's.
        overlap = !a->IsEmpty() && !b->IsEmpty() && a->Overlaps(*b);
      }
      return overlap ? Truth::kTrue : Truth::kFalse;
    }
    case WhereNode::Kind::kIn: {
      STARLOG_ASSIGN_OR_RETURN(const codec::FieldValue* a, Get(node.lhs, ctx));
      if (a == nullptr) return Truth::kUnknown;
      Truth result = Truth::kFalse;
      for (const Value& item : node.items) {
        STARLOG_ASSIGN_OR_RETURN(const codec::FieldValue* b, Get(item, ctx));
        if (b == nullptr) {
          result = Truth::kUnknown;
        } else if (*a == *b) {
          return Truth::kTrue;
        }
      }
      if (const auto* i = std::get_if<int64_t>(a)) {
        for (const WhereRange& r : node.ranges) {
          if (r.Contains(*i)) return Truth::kTrue;
        }
      }
      return result;
    }
  }
  return Truth::kFalse;
}

}  // namespace starlog::engine
