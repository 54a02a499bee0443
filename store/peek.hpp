#pragma once
// Issue 16: a store's file read as it is stored, for people and scripts
// (`bk-hub records`): since the records and the log's bodies are kept
// compressed, `sqlite3` alone no longer shows them. Reads only; never
// migrates, trains or compacts.
#include "store/bodies.hpp"
#include "store/sqlite.hpp"

#include <functional>
#include <string>

namespace bk {

// Gives `codec` every dictionary the file holds (the log's and the
// records'): enough to read any body in it; or only those of one kind
// ("events", "records": schema v15 on).
void loadDictionaries(sql::Db& db, bodies::Codec& codec, const std::string& kind = {});

// Each record (of one kind, by its name, when `kind` is not empty) with
// its body as JSON, by kind and id. The kind is named as RecordKind names
// it, whether the file keeps it by number (v17) or by name (before).
// Throws bodies::DamagedBody for a body that cannot be read.
void forEachRecord(sql::Db& db, const std::string& kind,
                   const std::function<void(const std::string& kind, const std::string& id, const std::string& json)>& each);

}  // namespace bk
