#include "store/sqlite.hpp"

namespace bk::sql {
namespace {
[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what) {
  throw SqliteError(rc, std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}
}  // namespace

Db::Db(const std::string& path, bool create) : path_(path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(rc, "open " + path + ": " + msg);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
}

Db::~Db() { sqlite3_close_v2(db_); }

void Db::defineFunction(const std::string& name, std::function<std::string(std::string_view)> f) {
  functions_.push_back(std::make_unique<std::function<std::string(std::string_view)>>(std::move(f)));
  auto call = [](sqlite3_context* ctx, int, sqlite3_value** argv) {
    auto& fn = *static_cast<std::function<std::string(std::string_view)>*>(sqlite3_user_data(ctx));
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) return sqlite3_result_null(ctx);
    const void* data = sqlite3_value_blob(argv[0]);
    const std::string_view in(static_cast<const char*>(data), static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
    try {
      const std::string out = fn(in);
      sqlite3_result_text(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
    } catch (const std::exception& e) {
      sqlite3_result_error(ctx, e.what(), -1);
    }
  };
  if (int rc = sqlite3_create_function_v2(db_, name.c_str(), 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, functions_.back().get(), call,
                                          nullptr, nullptr, nullptr);
      rc != SQLITE_OK)
    fail(db_, rc, "define " + name);
}

void Db::exec(std::string_view sql) {
  std::string s(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    throw SqliteError(rc, msg + " in: " + s.substr(0, 120));
  }
}

std::int64_t Db::scalarInt(std::string_view sql) {
  Stmt st(*this, sql);
  return st.step() ? st.integer(0) : 0;
}

std::string Db::scalarText(std::string_view sql) {
  Stmt st(*this, sql);
  return st.step() ? st.text(0) : std::string();
}

Stmt::Stmt(Db& db, std::string_view sql) : db_(db.raw()) {
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                              &st_, nullptr);
  if (rc != SQLITE_OK) fail(db_, rc, "prepare " + std::string(sql.substr(0, 80)));
}

Stmt::~Stmt() { sqlite3_finalize(st_); }

Stmt& Stmt::bind(int i, std::int64_t v) {
  if (int rc = sqlite3_bind_int64(st_, i, v); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}
Stmt& Stmt::bind(int i, std::string_view v) {
  if (int rc = sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); rc != SQLITE_OK)
    fail(db_, rc, "bind");
  return *this;
}
Stmt& Stmt::bindBlob(int i, const void* data, int n) {
  if (int rc = sqlite3_bind_blob(st_, i, data, n, SQLITE_TRANSIENT); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}
Stmt& Stmt::bindNull(int i) {
  if (int rc = sqlite3_bind_null(st_, i); rc != SQLITE_OK) fail(db_, rc, "bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(st_);
  fail(db_, rc, "step");
}

void Stmt::run() {
  while (step()) {}
  reset();
}

void Stmt::reset() {
  sqlite3_reset(st_);
  sqlite3_clear_bindings(st_);
}

std::string Stmt::text(int col) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, col));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, col))) : std::string();
}

std::string_view Stmt::blobView(int col) const {
  const void* p = sqlite3_column_blob(st_, col);
  const int n = sqlite3_column_bytes(st_, col);
  return p ? std::string_view(static_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string_view();
}

std::vector<std::uint8_t> Stmt::blob(int col) const {
  auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(st_, col));
  return p ? std::vector<std::uint8_t>(p, p + sqlite3_column_bytes(st_, col)) : std::vector<std::uint8_t>{};
}

Tx::Tx(Db& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Tx::~Tx() {
  if (!done_) sqlite3_exec(db_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Tx::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

ReadTx::ReadTx(Db& db) : db_(db), mine_(sqlite3_get_autocommit(db.raw()) != 0) {
  if (mine_) db_.exec("BEGIN");
}

ReadTx::~ReadTx() {
  // (it wrote nothing; whatever ends it, the connection is left out of a
  // transaction, so the next write's BEGIN never fails for it)
  if (mine_ && sqlite3_exec(db_.raw(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
    sqlite3_exec(db_.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
}

}  // namespace bk::sql
