#include "store/peek.hpp"

#include "domain/model.hpp"

#include <memory>

namespace bk {

void loadDictionaries(sql::Db& db, bodies::Codec& codec, const std::string& kind) {
  sql::Stmt q(db, kind.empty() ? "SELECT id, dict FROM body_dicts ORDER BY made_at_pos, id"
                               : "SELECT id, dict FROM body_dicts WHERE kind = ?1 ORDER BY made_at_pos, id");
  if (!kind.empty()) q.bind(1, kind);
  while (q.step()) {
    const auto b = q.blob(1);
    codec.add({static_cast<std::uint32_t>(q.integer(0)), std::string(b.begin(), b.end())});
  }
}

void forEachRecord(sql::Db& db, const std::string& kind,
                   const std::function<void(const std::string& kind, const std::string& id, const std::string& json)>& each) {
  auto kept = std::make_shared<bodies::Codec>();
  bodies::Codec& codec = *kept;
  loadDictionaries(db, codec);
  RecordKind wanted{};
  if (!kind.empty() && !parse(kind, wanted)) throw std::invalid_argument("no kind of record is called " + kind);
  // v24: the records of work orders out of memory are in their bundles
  std::string from = "records";
  if (db.scalarInt("SELECT EXISTS(SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'bundles')")) {
    db.defineFunction("bk_bundle", [kept](std::string_view stored) { return kept->decode(stored); });
    from = "(SELECT kind, id, body FROM records UNION ALL SELECT e.value->>0 AS kind, e.value->>1 AS id, e.value->>2 AS body "
           "FROM bundles b, json_each(bk_bundle(b.body)) e)";
  }
  sql::Stmt q(db, kind.empty() ? "SELECT kind, id, body FROM " + from + " ORDER BY kind, id"
                               : "SELECT kind, id, body FROM " + from + " WHERE kind = ?1 OR kind = ?2 ORDER BY id");
  if (!kind.empty()) q.bind(1, static_cast<std::int64_t>(wanted)).bind(2, kind);
  while (q.step()) {
    std::string name = q.text(0);
    if (const std::int64_t code = q.integer(0); name == std::to_string(code) && code >= 0 &&
                                                code < static_cast<std::int64_t>(kRecordKindNames.size()))
      name = std::string(bk::name(static_cast<RecordKind>(code)));
    each(name, q.text(1), codec.decode(q.text(2)));
  }
}

}  // namespace bk
