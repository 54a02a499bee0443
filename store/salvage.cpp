#include "store/salvage.hpp"

#include "store/bodies.hpp"

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>

namespace bk {

bool damagedDatabase(int code) {
  const int primary = code & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

std::string fileStamp(Millis now) {
  const std::time_t t = static_cast<std::time_t>(now / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%d-%H%M%S", &tm);
  return buf;
}

namespace {

std::string hex(const void* data, int n) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  const auto* b = static_cast<const unsigned char*>(data);
  for (int i = 0; i < n; ++i) {
    out += digits[b[i] >> 4];
    out += digits[b[i] & 15];
  }
  return out;
}

// A statement on the damaged file that tolerates errors: nullptr if it
// cannot even be prepared.
struct Query {
  sqlite3_stmt* st = nullptr;
  Query(sqlite3* db, const char* sql) { sqlite3_prepare_v2(db, sql, -1, &st, nullptr); }
  ~Query() { sqlite3_finalize(st); }
};

std::string metaValue(sqlite3* db, const char* key) {
  Query q(db, "SELECT value FROM meta WHERE key = ?1");
  if (!q.st) return {};
  sqlite3_bind_text(q.st, 1, key, -1, SQLITE_STATIC);
  if (sqlite3_step(q.st) != SQLITE_ROW) return {};
  const auto* v = sqlite3_column_text(q.st, 0);
  return v ? reinterpret_cast<const char*>(v) : std::string();
}

}  // namespace

Salvaged setAsideAndSalvage(const std::string& path, const Id& kiosk, Millis now) {
  Salvaged out;
  std::string aside = path + ".damaged-" + fileStamp(now);
  for (int n = 2; std::filesystem::exists(aside); ++n) aside = path + ".damaged-" + fileStamp(now) + "-" + std::to_string(n);
  // the WAL and its index keep their names beside the file, so SQLite reads
  // them as its own when salvaging
  for (const char* suffix : {"-wal", "-shm", ""}) {
    std::error_code ec;
    if (std::filesystem::exists(path + suffix)) std::filesystem::rename(path + suffix, aside + suffix, ec);
    if (ec) throw std::runtime_error("cannot move the damaged " + path + suffix + " aside: " + ec.message());
  }
  out.set_aside = aside;

  sqlite3* db = nullptr;
  // read only, never a write to the evidence
  if (sqlite3_open_v2(aside.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    ++out.unreadable;
    return out;
  }
  out.sealed_token = metaValue(db, "hub_token");
  out.sealed_device_key = metaValue(db, "device_key");
  if (const std::string a = metaValue(db, "hub_acked"); !a.empty() && a.find_first_not_of("0123456789") == std::string::npos)
    out.acked = std::stoll(a);
  // issue 16: the dictionaries its bodies may be compressed with, as far as
  // they read
  bodies::Codec codec;
  {
    Query q(db, "SELECT id, dict FROM body_dicts ORDER BY made_at_pos, id");
    while (q.st && sqlite3_step(q.st) == SQLITE_ROW) {
      const auto* b = static_cast<const char*>(sqlite3_column_blob(q.st, 1));
      if (!b) continue;
      try {
        codec.add({static_cast<std::uint32_t>(sqlite3_column_int64(q.st, 0)), std::string(b, static_cast<std::size_t>(sqlite3_column_bytes(q.st, 1)))});
      } catch (const std::exception&) {
        ++out.unreadable;
      }
    }
  }
  // own events, by position, row by row: past a page that cannot be read,
  // try again further on (1, 10, 100… positions later)
  std::int64_t after = 0, maxPos = 0;
  {
    Query q(db, "SELECT MAX(pos) FROM events");
    if (q.st && sqlite3_step(q.st) == SQLITE_ROW) maxPos = sqlite3_column_int64(q.st, 0);
  }
  std::int64_t skip = 1;
  while (true) {
    // (schema v22: the origin by its number; a file from before, by its name)
    Query v22(db, "SELECT pos, event_id, origin_seq, wall_ms, hlc, body FROM events "
                  "WHERE pos > ?1 AND origin = (SELECT n FROM origins WHERE name = ?2) ORDER BY pos");
    Query before(db, "SELECT pos, event_id, origin_seq, wall_ms, hlc, body FROM events WHERE pos > ?1 AND origin = ?2 ORDER BY pos");
    Query& q = v22.st ? v22 : before;
    if (!q.st) { ++out.unreadable; break; }
    sqlite3_bind_int64(q.st, 1, after);
    sqlite3_bind_text(q.st, 2, kiosk.c_str(), -1, SQLITE_TRANSIENT);
    int rc;
    while ((rc = sqlite3_step(q.st)) == SQLITE_ROW) {
      after = sqlite3_column_int64(q.st, 0);
      skip = 1;
      const auto* stored = static_cast<const char*>(sqlite3_column_blob(q.st, 5));
      std::string body;
      try {
        if (stored) body = codec.decode(std::string_view(stored, static_cast<std::size_t>(sqlite3_column_bytes(q.st, 5))));
      } catch (const bodies::DamagedBody&) {  // left empty: unreadable below
      }
      const json parsed = !body.empty() ? json::parse(body, nullptr, false) : json(json::value_t::discarded);
      if (sqlite3_column_bytes(q.st, 1) != 16 || parsed.is_discarded()) { ++out.unreadable; continue; }
      out.own.push_back({{"id", hex(sqlite3_column_blob(q.st, 1), 16)}, {"origin", kiosk},
                         {"seq", sqlite3_column_int64(q.st, 2)}, {"wall", sqlite3_column_int64(q.st, 3)},
                         {"hlc", sqlite3_column_int64(q.st, 4)}, {"body", parsed}});
    }
    if (rc == SQLITE_DONE) break;
    ++out.unreadable;
    if (after + skip > maxPos && maxPos > 0) break;
    after += skip;
    skip *= 10;
    if (maxPos == 0 && skip > 1'000'000'000) break;
  }
  sqlite3_close(db);
  std::sort(out.own.begin(), out.own.end(), [](const json& a, const json& b) { return a["seq"] < b["seq"]; });
  return out;
}

bool writeEvents(const std::vector<nlohmann::json>& events, const std::string& file) {
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return false;
  ::close(fd);
  std::ofstream f(file, std::ios::trunc);
  for (const auto& e : events) f << e.dump() << '\n';
  f.flush();
  return static_cast<bool>(f);
}

}  // namespace bk
