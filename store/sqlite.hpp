#pragma once
// A thin RAII layer over SQLite: a connection, prepared statements reused
// for the connection's life, and transactions that roll back unless
// committed. SQLite errors are I/O faults: they throw SqliteError.
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>
#include <type_traits>

namespace bk::sql {

struct SqliteError : std::runtime_error {
  int code;
  SqliteError(int c, const std::string& what) : std::runtime_error(what), code(c) {}
};

class Db {
 public:
  explicit Db(const std::string& path, bool create = true);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  void exec(std::string_view sql);
  std::int64_t scalarInt(std::string_view sql);
  std::string scalarText(std::string_view sql);
  sqlite3* raw() const { return db_; }
  const std::string& path() const { return path_; }
  int changes() const { return sqlite3_changes(db_); }
  // A function of one argument (text or blob in, text out) that SQL on
  // this connection may call from now on; what it throws is the
  // statement's error. Define it before preparing what calls it.
  void defineFunction(const std::string& name, std::function<std::string(std::string_view)> f);

 private:
  sqlite3* db_ = nullptr;
  std::string path_;
  std::vector<std::unique_ptr<std::function<std::string(std::string_view)>>> functions_;
};

class Stmt {
 public:
  Stmt(Db& db, std::string_view sql);
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  Stmt& bind(int i, std::int64_t v);
  Stmt& bind(int i, int v) { return bind(i, std::int64_t{v}); }
  Stmt& bind(int i, std::string_view v);
  Stmt& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  // any text (a std::string, a record's id): bound as its characters
  template <class S>
    requires(std::is_convertible_v<const S&, std::string_view> && !std::is_convertible_v<const S&, const char*>)
  Stmt& bind(int i, const S& v) { return bind(i, std::string_view(v)); }
  Stmt& bindBlob(int i, const void* data, int n);
  Stmt& bindNull(int i);
  Stmt& bind(int i, const std::optional<std::string>& v) { return v ? bind(i, *v) : bindNull(i); }

  bool step();   // true while a row is available
  void run();    // step to completion, then reset
  void reset();

  std::int64_t integer(int col) const { return sqlite3_column_int64(st_, col); }
  std::string text(int col) const;
  std::vector<std::uint8_t> blob(int col) const;
  // (valid until the statement steps again, resets or is finalized)
  std::string_view blobView(int col) const;
  bool isNull(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
  bool isInteger(int col) const { return sqlite3_column_type(st_, col) == SQLITE_INTEGER; }

 private:
  sqlite3_stmt* st_ = nullptr;
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE: the write lock is taken up front, so a transaction never
// fails half-way for lack of it. Rolls back in the destructor unless committed.
class Tx {
 public:
  explicit Tx(Db& db);
  ~Tx();
  Tx(const Tx&) = delete;
  Tx& operator=(const Tx&) = delete;
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

// One read transaction around many statements, so the file's lock is
// taken once, not at each statement (a month's report reads thousands of
// rows one by one). Within a transaction already, nothing.
class ReadTx {
 public:
  explicit ReadTx(Db& db);
  ~ReadTx();
  ReadTx(const ReadTx&) = delete;
  ReadTx& operator=(const ReadTx&) = delete;

 private:
  Db& db_;
  bool mine_ = false;
};

}  // namespace bk::sql
