#pragma once
// The store's schema moves by numbered migrations; PRAGMA user_version says
// which have run. A database from any older version opens and is brought up
// to date in one transaction per step.
#include "store/sqlite.hpp"

namespace bk {

int schemaVersion(sql::Db& db);
int latestSchemaVersion();
// Runs every migration above the database's version, up to `target` (the
// latest by default). Throws if the database is newer than this code knows.
void migrate(sql::Db& db, int target = -1);

}  // namespace bk
