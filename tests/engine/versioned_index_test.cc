#include "engine/store/versioned_index.h"

#include <rocksdb/db.h>

#include <catch2/catch.hpp>
#include <map>

#include "engine/store/key_coder.h"
#include "tests/testutil/temp_dir.h"

using namespace starlog;
using namespace starlog::engine;

namespace {

// A bare RocksDB with starlog's column families, for index-level tests.
class IndexDb {
 public:
  IndexDb() {
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    options.create_missing_column_families = true;
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
    for (auto name : kFamilyNames)
      descriptors.emplace_back(std::string(name), rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* db = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir_.path(), descriptors, &handles, &db).ok());
    db_ = db;
    all_ = handles;
    h_.db = db;
    for (int i = 0; i < kFamilyCount; ++i) h_.cf[i] = handles[i + 1];
  }
  ~IndexDb() {
    for (auto* cf : all_) static_cast<void>(db_->DestroyColumnFamilyHandle(cf));
    delete db_;
  }

  // Applies "fn" as the index changes of event "sequence".
  void Commit(uint64_t sequence, const std::function<void(IndexBatch&)>& fn) {
    rocksdb::WriteBatch wb;
    IndexBatch batch(h_, sequence, &wb);
    fn(batch);
    REQUIRE(db_->Write(rocksdb::WriteOptions(), &wb).ok());
  }

  std::optional<std::string> Get(uint64_t as_of, const std::string& key) {
    auto r = IndexReader(h_, as_of).Get(Family::kCollections, key);
    REQUIRE(r.ok());
    return *r;
  }

  std::vector<std::string> Scan(uint64_t as_of, const std::string& prefix) {
    std::vector<std::string> out;
    REQUIRE(IndexReader(h_, as_of)
                .Scan(Family::kCollections, prefix,
                      [&](std::string_view k, std::string_view v) {
                        out.push_back(std::string(k) + "=" + std::string(v));
                        return true;
                      })
                .ok());
    return out;
  }

  // Moves what the memtables hold into table files.
  void Flush() {
    for (auto* cf : all_) REQUIRE(db_->Flush(rocksdb::FlushOptions(), cf).ok());
  }

  const DbHandles& handles() const { return h_; }

 private:
  testutil::TempDir dir_;
  rocksdb::DB* db_ = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> all_;
  DbHandles h_;
};

const std::string kA = "a";
const std::string kAb = "ab";

}  // namespace

TEST_CASE("A read as of a sequence sees the versions of that moment", "[engine][index]") {
  IndexDb db;
  db.Commit(5, [](IndexBatch& b) { REQUIRE(b.Put(Family::kCollections, kA, "v5").ok()); });
  db.Commit(8, [](IndexBatch& b) { REQUIRE(b.Put(Family::kCollections, kA, "v8").ok()); });
  db.Commit(12, [](IndexBatch& b) { REQUIRE(b.Delete(Family::kCollections, kA).ok()); });
  db.Commit(20, [](IndexBatch& b) { REQUIRE(b.Put(Family::kCollections, kA, "v20").ok()); });
  CHECK(db.Get(4, kA) == std::nullopt);
  CHECK(db.Get(5, kA) == "v5");
  CHECK(db.Get(7, kA) == "v5");
  CHECK(db.Get(8, kA) == "v8");
  CHECK(db.Get(11, kA) == "v8");
  CHECK(db.Get(12, kA) == std::nullopt);
  CHECK(db.Get(19, kA) == std::nullopt);
  CHECK(db.Get(20, kA) == "v20");
  CHECK(db.Get(kLatest, kA) == "v20");
}

TEST_CASE("A key is not confused with a longer key that extends it", "[engine][index]") {
  IndexDb db;
  db.Commit(3, [](IndexBatch& b) { REQUIRE(b.Put(Family::kCollections, kAb, "ab3").ok()); });
  CHECK(db.Get(kLatest, kA) == std::nullopt);
  CHECK(db.Get(kLatest, kAb) == "ab3");
}

TEST_CASE("A scan as of a sequence lists the entries live then", "[engine][index]") {
  IndexDb db;
  const std::string x = KeyWriter().String("p").String("x").Take();
  const std::string y = KeyWriter().String("p").String("y").Take();
  const std::string z = KeyWriter().String("q").String("z").Take();
  db.Commit(1, [&](IndexBatch& b) {
    REQUIRE(b.Put(Family::kCollections, x, "x1").ok());
    REQUIRE(b.Put(Family::kCollections, z, "z1").ok());
  });
  db.Commit(2, [&](IndexBatch& b) { REQUIRE(b.Put(Family::kCollections, y, "y2").ok()); });
  db.Commit(3, [&](IndexBatch& b) {
    REQUIRE(b.Delete(Family::kCollections, x).ok());
    REQUIRE(b.Put(Family::kCollections, y, "y3").ok());
  });
  const std::string p = KeyWriter().String("p").Take();
  CHECK(db.Scan(1, p) == std::vector<std::string>{x + "=x1"});
  CHECK(db.Scan(2, p) == std::vector<std::string>{x + "=x1", y + "=y2"});
  CHECK(db.Scan(3, p) == std::vector<std::string>{y + "=y3"});
  CHECK(db.Scan(0, p).empty());
}

TEST_CASE("A batch reads its own writes", "[engine][index]") {
  IndexDb db;
  db.Commit(1, [](IndexBatch& b) { REQUIRE(b.Put(Family::kCollections, kA, "old").ok()); });
  db.Commit(2, [](IndexBatch& b) {
    CHECK(*b.Get(Family::kCollections, kA) == std::optional<std::string>("old"));
    REQUIRE(b.Put(Family::kCollections, kAb, "new").ok());
    REQUIRE(b.Delete(Family::kCollections, kA).ok());
    CHECK(*b.Get(Family::kCollections, kA) == std::nullopt);
    CHECK(*b.Get(Family::kCollections, kAb) == std::optional<std::string>("new"));
    std::vector<std::string> seen;
    REQUIRE(b.Scan(Family::kCollections, "", [&](std::string_view k, std::string_view) {
               seen.emplace_back(k);
               return true;
             }).ok());
    CHECK(seen == std::vector<std::string>{kAb});
  });
}

TEST_CASE("Digest deltas add what became live and remove what ended", "[engine][index]") {
  IndexDb db;
  db.Commit(1, [](IndexBatch& b) { REQUIRE(b.Put(Family::kCollections, kA, "v1").ok()); });
  db.Commit(2, [](IndexBatch& b) {
    REQUIRE(b.Put(Family::kCollections, kA, "v2").ok());
    const auto& d = b.deltas().at(Family::kCollections);
    CHECK(d.live_entries == 0);
    CHECK(d.added == EntryHash(Family::kCollections, kA, "v2"));
    CHECK(d.removed == EntryHash(Family::kCollections, kA, "v1"));
  });
  db.Commit(3, [](IndexBatch& b) {
    REQUIRE(b.Put(Family::kCollections, kA, "v2").ok());  // Unchanged: no delta.
    CHECK(b.deltas().empty());
    REQUIRE(b.Delete(Family::kCollections, kAb).ok());  // Absent: no delta.
    CHECK(b.deltas().empty());
  });
}

TEST_CASE("Scans as of any point see the right version of keys with long histories",
          "[engine][index]") {
  IndexDb db;
  const std::string p = KeyWriter().String("p").Take();
  const std::string a = KeyWriter().String("p").String("a").Take();
  const std::string b = KeyWriter().String("p").String("b").Take();
  const std::string c = KeyWriter().String("p").String("c").Take();
  db.Commit(1, [&](IndexBatch& batch) { REQUIRE(batch.Put(Family::kCollections, c, "c1").ok()); });
  // "a" and "b" change at every event from 2 to 61; "b" is removed at odd ones.
  for (uint64_t s = 2; s <= 61; ++s) {
    db.Commit(s, [&](IndexBatch& batch) {
      REQUIRE(batch.Put(Family::kCollections, a, "a" + std::to_string(s)).ok());
      if (s % 2) {
        REQUIRE(batch.Delete(Family::kCollections, b).ok());
      } else {
        REQUIRE(batch.Put(Family::kCollections, b, "b" + std::to_string(s)).ok());
      }
    });
  }
  for (uint64_t s = 1; s <= 61; ++s) {
    INFO("as of " << s);
    std::vector<std::string> want;
    if (s >= 2) want.push_back(a + "=a" + std::to_string(s));
    if (s >= 2 && s % 2 == 0) want.push_back(b + "=b" + std::to_string(s));
    want.push_back(c + "=c1");
    CHECK(db.Scan(s, p) == want);
  }
  CHECK(db.Scan(kLatest, p).size() == 2);  // a61 and c1: b was removed at 61.
}

TEST_CASE("A seek backwards finds the entry live as of any point, however long its history",
          "[engine][index]") {
  IndexDb db;
  const auto key = [](const std::string& part, const std::string& name) {
    return KeyWriter().String(part).String(name).Take();
  };
  const std::string p = KeyWriter().String("p").Take();
  // Per key of "p" (and its neighbours outside it), its history: the value
  // each event left, nullopt where it ended the key.
  std::map<std::string, std::map<uint64_t, std::optional<std::string>>> history;
  const auto put = [&](uint64_t s, const std::string& k, std::optional<std::string> v) {
    db.Commit(s, [&](IndexBatch& b) {
      REQUIRE((v ? b.Put(Family::kCollections, k, *v) : b.Delete(Family::kCollections, k)).ok());
    });
    history[k][s] = std::move(v);
  };
  put(1, key("o", "before"), "o1");
  put(1, key("q", "after"), "q1");
  put(2, key("p", "one"), "one2");  // A single version.
  put(3, key("p", "two"), "two3");  // Two versions, then ended.
  put(4, key("p", "two"), "two4");
  put(5, key("p", "two"), std::nullopt);
  for (uint64_t s = 6; s <= 30; ++s) {  // Past the steps before a seek.
    put(s, key("p", "long"),
        s % 3 == 0 ? std::optional<std::string>() : "long" + std::to_string(s));
  }
  put(31, key("p", "late"), "late31");  // Newer than most readers.
  const auto expected = [&](uint64_t as_of, const std::string& before) {
    std::optional<std::pair<std::string, std::string>> best;
    for (const auto& [k, versions] : history) {
      if (k.compare(0, p.size(), p) != 0 || k >= before) continue;
      auto it = versions.upper_bound(as_of);
      if (it == versions.begin() || !std::prev(it)->second) continue;
      best = std::make_pair(k, *std::prev(it)->second);
    }
    return best;
  };
  const std::vector<std::string> bounds = {key("p", "a"),    key("p", "late"), key("p", "long"),
                                           key("p", "m"),    key("p", "one"),  key("p", "two"),
                                           key("p", "zzzz"), key("q", "")};
  const auto check_all = [&] {
    for (uint64_t as_of :
         {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{4}, uint64_t{5}, uint64_t{6},
          uint64_t{7}, uint64_t{9}, uint64_t{10}, uint64_t{12}, uint64_t{26}, uint64_t{29},
          uint64_t{30}, uint64_t{31}, kLatest}) {
      for (const std::string& before : bounds) {
        INFO("as of " << as_of << ", before " << before);
        auto got = IndexReader(db.handles(), as_of).LastBefore(Family::kCollections, p, before);
        REQUIRE(got.ok());
        const auto want = expected(as_of, before);
        REQUIRE(got->has_value() == want.has_value());
        if (want) {
          CHECK((*got)->logical_key == want->first);
          CHECK((*got)->payload == want->second);
        }
      }
    }
  };
  check_all();  // From the memtable.
  db.Flush();
  put(32, key("p", "long"), "long32");  // One version in the memtable, the rest in a file.
  check_all();
}

TEST_CASE("A range is free of live entries when only ended ones or none lie in it",
          "[engine][index]") {
  IndexDb db;
  const auto key = [](int i) { return KeyWriter().String("p").Uint(uint64_t(i)).Take(); };
  // Live: 10 and 50. Ended: 20..29. Outside the ranges asked: 5 and 90.
  db.Commit(1, [&](IndexBatch& b) {
    for (int i : {5, 10, 50, 90}) REQUIRE(b.Put(Family::kCollections, key(i), "v").ok());
    for (int i = 20; i < 30; ++i) REQUIRE(b.Put(Family::kCollections, key(i), "v").ok());
  });
  db.Commit(2, [&](IndexBatch& b) {
    for (int i = 20; i < 30; ++i) REQUIRE(b.Delete(Family::kCollections, key(i)).ok());
  });
  const auto any = [&](IndexBatch& b, int first, int last, size_t budget = 1000) {
    auto r = b.AnyLiveIn(Family::kCollections, key(first), key(last), budget);
    REQUIRE(r.ok());
    return *r;
  };
  db.Commit(3, [&](IndexBatch& b) {
    CHECK(any(b, 10, 10) == true);  // Both ends are included.
    CHECK(any(b, 50, 60) == true);
    CHECK(any(b, 11, 49) == false);  // Over the ended entries, stopping before 50.
    CHECK(any(b, 51, 89) == false);
    CHECK(any(b, 20, 29) == false);
    // Telling would read more stored versions than allowed: no answer.
    CHECK(any(b, 11, 49, 5) == std::nullopt);
    // This event's own changes decide their keys: a put in the range, and
    // the end of the only live entry in another.
    REQUIRE(b.Put(Family::kCollections, key(25), "again").ok());
    REQUIRE(b.Delete(Family::kCollections, key(50)).ok());
    CHECK(any(b, 21, 26) == true);
    CHECK(any(b, 45, 60) == false);
    CHECK(any(b, 45, 90) == true);
  });
  // The reader's range scan ends past "last" and lists only live entries.
  std::vector<std::string> seen;
  REQUIRE(IndexReader(db.handles(), kLatest)
              .ScanRange(Family::kCollections, key(10), key(50),
                         [&](std::string_view k, std::string_view) {
                           seen.emplace_back(k);
                           return true;
                         })
              .ok());
  CHECK(seen == std::vector<std::string>{key(10), key(25)});
}

TEST_CASE("A put of a key proven absent from the database still sees the batch's own writes",
          "[engine][index]") {
  IndexDb db;
  db.Commit(1, [](IndexBatch& b) {
    REQUIRE(b.PutNew(Family::kCollections, kA, "v1").ok());
    REQUIRE(b.PutNew(Family::kCollections, kA, "v1").ok());  // The same again: nothing.
    REQUIRE(b.PutNew(Family::kCollections, kA, "v2").ok());  // Over this event's own.
    const auto& d = b.deltas().at(Family::kCollections);
    CHECK(d.live_entries == 1);
    CHECK(d.added ==
          EntryHash(Family::kCollections, kA, "v1") + EntryHash(Family::kCollections, kA, "v2"));
    CHECK(d.removed == EntryHash(Family::kCollections, kA, "v1"));
  });
  CHECK(db.Get(kLatest, kA) == "v2");
}
