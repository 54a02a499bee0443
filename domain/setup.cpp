#include "domain/setup.hpp"

#include <algorithm>
#include <cmath>
#include <map>

namespace bk::setup {
namespace {

// Well-formed UTF-8 (no overlong forms, no surrogates, at most U+10FFFF).
bool validUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    int n = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) n = 1, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0) n = 2, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0) n = 3, cp = c & 0x07;
    else return false;
    if (i + static_cast<std::size_t>(n) >= s.size()) return false;  // cut short
    for (int k = 1; k <= n; ++k) {
      const auto d = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((d & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += static_cast<std::size_t>(n) + 1;
  }
  return true;
}

std::string trim(std::string_view s) {
  const char* ws = " \t\r";
  const auto a = s.find_first_not_of(ws);
  if (a == std::string_view::npos) return {};
  const auto b = s.find_last_not_of(ws);
  return std::string(s.substr(a, b - a + 1));
}

std::string lower(std::string s) {
  for (char& c : s) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  for (;;) {
    const auto at = s.find(sep, from);
    out.push_back(trim(s.substr(from, at == std::string_view::npos ? std::string_view::npos : at - from)));
    if (at == std::string_view::npos) return out;
    from = at + 1;
  }
}

bool hasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

// An id as the files may write it: letters, digits, - and _, up to 32.
bool goodId(std::string_view s) {
  return !s.empty() && s.size() <= 32 &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}

struct Named { std::string_view key, zh; };
constexpr Named kRoleZh[] = {{"technician", "技师"},           {"foreman", "班组长"},
                             {"supervisor", "车间主管"},        {"tech_director", "技术总监"},
                             {"quality_inspector", "质检员"},   {"service_advisor", "服务顾问"},
                             {"service_manager", "服务经理"},   {"warranty_clerk", "索赔员"}};
constexpr Named kTradeZh[] = {{"none", "无"}, {"mechanical", "机电"}, {"body", "钣金"}, {"paint", "喷漆"}, {"detailing", "美容"}};

std::optional<bool> yesNo(const std::string& v) {
  const std::string s = lower(v);
  if (s.empty() || s == "yes" || s == "y" || s == "1" || s == "true" || s == "是" || s == "在职") return true;
  if (s == "no" || s == "n" || s == "0" || s == "false" || s == "否" || s == "离职") return false;
  return std::nullopt;
}

// The header row: each wanted column's index; unknown or repeated columns
// and missing required ones are errors.
std::map<std::string, std::size_t> header(const CsvRow& row, const std::vector<std::string_view>& required,
                                          const std::vector<std::string_view>& optional, std::vector<LineError>& errors) {
  std::map<std::string, std::size_t> at;
  for (std::size_t i = 0; i < row.cells.size(); ++i) {
    const std::string name = lower(trim(row.cells[i]));
    const bool known = std::find(required.begin(), required.end(), name) != required.end() ||
                       std::find(optional.begin(), optional.end(), name) != optional.end();
    if (!known) errors.push_back({row.line, name, "unknown column"});
    else if (!at.emplace(name, i).second) errors.push_back({row.line, name, "column given twice"});
  }
  for (auto r : required)
    if (!at.count(std::string(r))) errors.push_back({row.line, std::string(r), "missing column"});
  return at;
}

std::string cell(const CsvRow& row, const std::map<std::string, std::size_t>& at, const char* col) {
  auto it = at.find(col);
  if (it == at.end() || it->second >= row.cells.size()) return {};
  return trim(row.cells[it->second]);
}

}  // namespace

std::string describe(const LineError& e) {
  std::string out = e.line > 0 ? "line " + std::to_string(e.line) : std::string("file");
  if (!e.column.empty()) out += ", " + e.column;
  return out + ": " + e.what;
}

std::string describe(const std::vector<LineError>& errors) {
  std::string out;
  for (const auto& e : errors) out += describe(e) + "\n";
  return out;
}

std::vector<CsvRow> parseCsv(std::string_view text, std::vector<LineError>& errors) {
  std::vector<CsvRow> rows;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (!validUtf8(text)) {
    errors.push_back({0, {}, "not UTF-8 (save the sheet as \"CSV UTF-8\")"});
    return rows;
  }
  if (text.find('\0') != std::string_view::npos) {
    errors.push_back({0, {}, "holds a NUL byte"});
    return rows;
  }
  int line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    CsvRow row{line, {}};
    std::string field;
    bool quoted = false, endOfRow = false;
    while (!endOfRow) {
      if (i >= text.size()) { row.cells.push_back(std::move(field)); break; }
      const char c = text[i];
      if (quoted) {
        if (c == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') { field += '"'; i += 2; continue; }
          quoted = false;
          ++i;
          continue;
        }
        if (c == '\n') ++line;
        field += c;
        ++i;
        if (i >= text.size()) {
          errors.push_back({row.line, {}, "a quote is never closed"});
          return rows;
        }
        continue;
      }
      if (c == '"' && trim(field).empty()) { quoted = true; field.clear(); ++i; continue; }
      if (c == ',') { row.cells.push_back(std::move(field)); field.clear(); ++i; continue; }
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') { ++i; continue; }
      if (c == '\n') { row.cells.push_back(std::move(field)); ++i; ++line; endOfRow = true; continue; }
      field += c;
      ++i;
    }
    const bool blank = std::all_of(row.cells.begin(), row.cells.end(), [](const std::string& f) { return trim(f).empty(); });
    if (!blank) rows.push_back(std::move(row));
  }
  return rows;
}

std::string csvField(std::string_view v) {
  if (v.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::optional<Role> roleNamed(std::string_view s) {
  const std::string k = lower(trim(s));
  for (auto& n : kRoleZh)
    if (k == n.key || k == n.zh) {
      Role r;
      if (parse(n.key, r)) return r;
    }
  return std::nullopt;
}

std::optional<Trade> tradeNamed(std::string_view s) {
  const std::string k = lower(trim(s));
  if (k.empty()) return Trade::None;
  for (auto& n : kTradeZh)
    if (k == n.key || k == n.zh) {
      Trade t;
      if (parse(n.key, t)) return t;
    }
  return std::nullopt;
}

std::string_view roleZh(Role r) {
  for (auto& n : kRoleZh) if (n.key == name(r)) return n.zh;
  return name(r);
}
std::string_view tradeZh(Trade t) {
  for (auto& n : kTradeZh) if (n.key == name(t)) return n.zh;
  return name(t);
}

// ---- staff -------------------------------------------------------------------

StaffPlan planStaff(std::string_view csv, const Shop& s, std::vector<LineError>& errors) {
  StaffPlan plan;
  const std::size_t before = errors.size();
  std::vector<CsvRow> rows = parseCsv(csv, errors);
  if (errors.size() > before) return plan;
  if (rows.empty()) {
    errors.push_back({0, {}, "no header row (badge,name,roles,trade,home_bay,active)"});
    return plan;
  }
  const auto at = header(rows[0], {"badge", "name", "roles", "trade", "home_bay", "active"}, {"id"}, errors);
  if (errors.size() > before) return plan;
  if (rows.size() - 1 > kMaxStaffRows) {
    errors.push_back({0, {}, "more than " + std::to_string(kMaxStaffRows) + " people"});
    return plan;
  }
  struct Row { int line; Person p; bool active; };
  std::vector<Row> parsed;
  std::set<Id> idsInFile;
  std::set<Id> newIds;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    auto bad = [&](const char* col, std::string what) { errors.push_back({row.line, col, std::move(what)}); };
    if (row.cells.size() > rows[0].cells.size()) bad("", "more cells than the header has columns");
    for (const auto& c : row.cells)
      if (hasControl(trim(c)) || c.size() > 200) { bad("", "a cell with a control character or over 200 bytes"); break; }
    Person p;
    const std::string id = cell(row, at, "id"), badge = cell(row, at, "badge");
    p.name = cell(row, at, "name");
    if (p.name.empty()) bad("name", "missing");
    if (badge.empty()) bad("badge", "missing");
    else if (badge.size() > 32 || !std::all_of(badge.begin(), badge.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)); }))
      bad("badge", "letters and digits only, up to 32: '" + badge + "'");
    p.badge = badge;
    for (const std::string& r0 : split(cell(row, at, "roles"), ';')) {
      if (r0.empty()) continue;
      if (auto role = roleNamed(r0)) {
        if (!p.has(*role)) p.roles.push_back(*role);
      } else {
        bad("roles", "unknown role '" + r0 + "'");
      }
    }
    if (p.roles.empty() && cell(row, at, "roles").empty()) bad("roles", "missing (for example technician;foreman)");
    const std::string trade = cell(row, at, "trade");
    if (auto t = tradeNamed(trade)) p.trade = *t;
    else bad("trade", "unknown trade '" + trade + "'");
    if (p.has(Role::Technician) && p.trade == Trade::None) bad("trade", "a technician needs a trade");
    p.home_bay = cell(row, at, "home_bay");
    if (!p.home_bay.empty() && !s.bays.count(p.home_bay)) bad("home_bay", "no bay '" + p.home_bay + "' (import the bays first)");
    const auto active = yesNo(cell(row, at, "active"));
    if (!active) bad("active", "yes or no, not '" + cell(row, at, "active") + "'");
    p.active = active.value_or(true);
    // who the row is
    if (!id.empty()) {  // that person, or a new one with this id (a staff number kept from before)
      if (!goodId(id)) bad("id", "letters, digits, - and _ only, up to 32: '" + id + "'");
      p.id = id;
    } else if (!badge.empty()) {
      for (auto& [pid, q] : s.people)
        if (q.badge == badge && q.name == p.name) p.id = pid;
      if (p.id.empty()) {
        std::string fresh = "p-" + badge;
        for (int k = 2; s.people.count(fresh) || newIds.count(fresh); ++k) fresh = "p-" + badge + "-" + std::to_string(k);
        p.id = fresh;
        newIds.insert(fresh);
      }
    }
    if (!p.id.empty() && !idsInFile.insert(p.id).second) bad(id.empty() ? "badge" : "id", "the same person twice (" + p.id + ")");
    parsed.push_back({row.line, std::move(p), active.value_or(true)});
  }
  // no badge held by two active people, in the file or beside it
  std::map<std::string, std::pair<Id, int>> activeBadge;  // badge -> person, line (0: not in the file)
  for (const Row& r : parsed)
    if (r.active && !r.p.badge.empty()) {
      auto [it, fresh] = activeBadge.emplace(r.p.badge, std::make_pair(r.p.id, r.line));
      if (!fresh) errors.push_back({r.line, "badge", "badge " + r.p.badge + " is also on line " + std::to_string(it->second.second)});
    }
  for (auto& [pid, q] : s.people) {
    if (!q.active || idsInFile.count(pid) || q.badge.empty()) continue;
    if (auto it = activeBadge.find(q.badge); it != activeBadge.end())
      errors.push_back({it->second.second, "badge",
                        "badge " + q.badge + " belongs to " + q.name + " (" + pid + "): retire them first (active = no)"});
  }
  if (errors.size() > before) return {};
  for (Row& r : parsed) {
    auto it = s.people.find(r.p.id);
    if (it == s.people.end()) {
      plan.added.push_back(r.p.id);
      plan.enrol.push_back(std::move(r.p));
      continue;
    }
    Person next = r.p;
    next.keys = it->second.keys;
    if (next == it->second) {
      ++plan.unchanged;
      continue;
    }
    if (it->second.active && !next.active) plan.retired.push_back(next.id);
    if (!it->second.active && next.active) plan.reactivated.push_back(next.id);
    plan.enrol.push_back(std::move(next));
  }
  return plan;
}

std::string writeStaff(const Shop& s) {
  std::string out = "\xEF\xBB\xBFid,badge,name,roles,trade,home_bay,active\r\n";
  for (auto& [id, p] : s.people) {
    std::string roles;
    for (Role r : p.roles) roles += (roles.empty() ? "" : ";") + std::string(name(r));
    out += csvField(id) + "," + csvField(p.badge) + "," + csvField(p.name) + "," + csvField(roles) + "," +
           std::string(p.trade == Trade::None ? "" : name(p.trade)) + "," + csvField(p.home_bay) + "," +
           (p.active ? "yes" : "no") + "\r\n";
  }
  return out;
}

// ---- bays --------------------------------------------------------------------

BayPlan planBays(std::string_view csv, const Shop& s, std::vector<LineError>& errors) {
  BayPlan plan;
  const std::size_t before = errors.size();
  std::vector<CsvRow> rows = parseCsv(csv, errors);
  if (errors.size() > before) return plan;
  if (rows.empty()) {
    errors.push_back({0, {}, "no header row (id,name,trade)"});
    return plan;
  }
  const auto at = header(rows[0], {"id", "name", "trade"}, {}, errors);
  if (errors.size() > before) return plan;
  if (rows.size() - 1 > 500) {
    errors.push_back({0, {}, "more than 500 bays"});
    return plan;
  }
  std::map<Id, int> seen;
  std::vector<Bay> bays;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    auto bad = [&](const char* col, std::string what) { errors.push_back({row.line, col, std::move(what)}); };
    if (row.cells.size() > rows[0].cells.size()) bad("", "more cells than the header has columns");
    Bay b;
    b.id = cell(row, at, "id");
    b.name = cell(row, at, "name");
    if (!goodId(b.id)) bad("id", "letters, digits, - and _ only, up to 32: '" + b.id + "'");
    if (b.name.empty()) bad("name", "missing");
    if (hasControl(b.name) || b.name.size() > 100) bad("name", "a control character, or over 100 bytes");
    const std::string trade = cell(row, at, "trade");
    if (auto t = tradeNamed(trade)) b.trade = *t;
    else bad("trade", "unknown trade '" + trade + "'");
    if (auto [it, fresh] = seen.emplace(b.id, row.line); !fresh && !b.id.empty())
      bad("id", "bay " + b.id + " is also on line " + std::to_string(it->second));
    bays.push_back(std::move(b));
  }
  if (errors.size() > before) return {};
  for (Bay& b : bays) {
    auto it = s.bays.find(b.id);
    if (it != s.bays.end() && it->second == b) ++plan.unchanged;
    else plan.define.push_back(std::move(b));
  }
  return plan;
}

std::string writeBays(const Shop& s) {
  std::string out = "\xEF\xBB\xBFid,name,trade\r\n";
  for (auto& [id, b] : s.bays)
    out += csvField(id) + "," + csvField(b.name) + "," + std::string(b.trade == Trade::None ? "" : name(b.trade)) + "\r\n";
  return out;
}

// ---- policy --------------------------------------------------------------------

namespace {

std::optional<long long> integer(const std::string& v) {
  if (v.empty() || v.size() > 12) return std::nullopt;
  std::size_t i = v[0] == '-' ? 1 : 0;
  if (i == v.size()) return std::nullopt;
  for (std::size_t k = i; k < v.size(); ++k)
    if (v[k] < '0' || v[k] > '9') return std::nullopt;
  return std::stoll(v);
}

// "08:00" -> minutes of the day
std::optional<int> clock(const std::string& v) {
  if (v.size() != 5 || v[2] != ':') return std::nullopt;
  const auto h = integer(v.substr(0, 2)), m = integer(v.substr(3, 2));
  if (!h || !m || *h < 0 || *h > 24 || *m < 0 || *m > 59 || (*h == 24 && *m != 0)) return std::nullopt;
  return static_cast<int>(*h * 60 + *m);
}

// "180" or "180.50" yuan -> cents
std::optional<std::int64_t> money(const std::string& v) {
  const auto dot = v.find('.');
  const auto whole = integer(v.substr(0, dot));
  if (!whole || *whole < 0) return std::nullopt;
  std::int64_t cents = *whole * 100;
  if (dot != std::string::npos) {
    const std::string frac = v.substr(dot + 1);
    const auto f = integer(frac);
    if (frac.empty() || frac.size() > 2 || !f || *f < 0) return std::nullopt;
    cents += frac.size() == 1 ? *f * 10 : *f;
  }
  return cents;
}

std::string hhmm(int minutes) {
  char b[32];
  std::snprintf(b, sizeof b, "%02d:%02d", minutes / 60, minutes % 60);
  return b;
}

}  // namespace

std::optional<std::string> policyProblem(const Policy& p) {
  if (p.shop_name.size() > 200 || hasControl(p.shop_name) || !validUtf8(p.shop_name)) return "shop_name: up to 200 bytes of text";
  if (p.utc_offset_minutes < -720 || p.utc_offset_minutes > 840) return "utc_offset_minutes: -720 to 840";
  if (p.overlong_entry < 30 * 60'000 || p.overlong_entry > 24 * 3'600'000) return "ghost_timer_minutes: 30 to 1440";
  if (p.idle_signout_seconds < 20 || p.idle_signout_seconds > 900) return "idle_signout_seconds: 20 to 900";
  if (p.pin_length < 5 || p.pin_length > 8) return "pin_length: 5 to 8";
  if (p.pin_max_failures < 3 || p.pin_max_failures > 20) return "pin_max_failures: 3 to 20";
  if (p.pin_lockout < 60'000 || p.pin_lockout > 24 * 3'600'000) return "pin_lockout_minutes: 1 to 1440";
  if (p.labour_cents_per_hour < 0 || p.labour_cents_per_hour > 10'000'000) return "labour_rate: 0 to 100000 yuan an hour";
  if (p.work_start_minute < 0 || p.work_end_minute > 24 * 60 || p.work_start_minute >= p.work_end_minute)
    return "working_hours: a start before the end, within the day";
  if (p.setup_code_days < 1 || p.setup_code_days > 90) return "setup_code_days: 1 to 90";
  if (p.comeback_days < 1 || p.comeback_days > 365) return "comeback_days: 1 to 365";
  return std::nullopt;
}

Policy parsePolicy(std::string_view text, std::vector<LineError>& errors) {
  Policy p;
  const std::size_t before = errors.size();
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  if (!validUtf8(text)) {
    errors.push_back({0, {}, "not UTF-8"});
    return p;
  }
  if (text.size() > 64 * 1024) {
    errors.push_back({0, {}, "over 64 KiB"});
    return p;
  }
  std::map<std::string, int> seen;
  int line = 0;
  for (const std::string& raw : split(text, '\n')) {
    ++line;
    const std::string l = trim(raw);
    if (l.empty() || l[0] == '#') continue;
    const auto eq = l.find('=');
    if (eq == std::string::npos) {
      errors.push_back({line, {}, "expected key = value"});
      continue;
    }
    const std::string key = lower(trim(l.substr(0, eq))), value = trim(l.substr(eq + 1));
    if (auto [it, fresh] = seen.emplace(key, line); !fresh) {
      errors.push_back({line, key, "also set on line " + std::to_string(it->second)});
      continue;
    }
    auto bad = [&](std::string what) { errors.push_back({line, key, std::move(what)}); };
    auto num = [&](long long lo, long long hi, const char* unit) -> std::optional<long long> {
      auto n = integer(value);
      if (!n || *n < lo || *n > hi) {
        bad("a whole number of " + std::string(unit) + " from " + std::to_string(lo) + " to " + std::to_string(hi) +
            ", not '" + value + "'");
        return std::nullopt;
      }
      return n;
    };
    if (key == "shop_name") {
      if (value.size() > 200 || hasControl(value)) bad("up to 200 bytes of text");
      else p.shop_name = value;
    } else if (key == "utc_offset_minutes") {
      if (auto n = num(-720, 840, "minutes")) p.utc_offset_minutes = static_cast<int>(*n);
    } else if (key == "final_inspection") {
      p.final_required.clear();
      for (const std::string& c : split(value, ',')) {
        if (c.empty() || lower(c) == "none") continue;
        Category cat;
        if (parse(lower(c), cat)) p.final_required.insert(cat);
        else bad("unknown category '" + c + "' (maintenance, general_repair, major_overhaul, body_paint, warranty)");
      }
    } else if (key == "ghost_timer_minutes") {
      if (auto n = num(30, 1440, "minutes")) p.overlong_entry = *n * 60'000;
    } else if (key == "idle_signout_seconds") {
      if (auto n = num(20, 900, "seconds")) p.idle_signout_seconds = static_cast<int>(*n);
    } else if (key == "pin_length") {
      if (auto n = num(5, 8, "digits")) p.pin_length = static_cast<int>(*n);
    } else if (key == "pin_max_failures") {
      if (auto n = num(3, 20, "attempts")) p.pin_max_failures = static_cast<int>(*n);
    } else if (key == "pin_lockout_minutes") {
      if (auto n = num(1, 1440, "minutes")) p.pin_lockout = *n * 60'000;
    } else if (key == "labour_rate") {
      auto m = money(value);
      if (!m || *m > 10'000'000) bad("yuan an hour, such as 180 or 180.50, not '" + value + "'");
      else p.labour_cents_per_hour = *m;
    } else if (key == "working_hours") {
      const auto dash = value.find('-');
      int from = -1, to = -1;  // minutes of the day; -1: not a time
      if (dash != std::string::npos) {
        from = clock(trim(value.substr(0, dash))).value_or(-1);
        to = clock(trim(value.substr(dash + 1))).value_or(-1);
      }
      if (from < 0 || to < 0 || from >= to) bad("HH:MM-HH:MM with the start first, not '" + value + "'");
      else p.work_start_minute = from, p.work_end_minute = to;
    } else if (key == "setup_code_days") {
      if (auto n = num(1, 90, "days")) p.setup_code_days = static_cast<int>(*n);
    } else if (key == "comeback_days") {
      if (auto n = num(1, 365, "days")) p.comeback_days = static_cast<int>(*n);
    } else {
      bad("unknown key");
    }
  }
  if (errors.size() == before)
    if (auto why = policyProblem(p)) errors.push_back({0, {}, *why});
  return p;
}

std::string writePolicy(const Policy& p) {
  std::string cats;
  for (Category c : p.final_required) cats += (cats.empty() ? "" : ", ") + std::string(name(c));
  const long long cents = p.labour_cents_per_hour;
  char rate[32];
  std::snprintf(rate, sizeof rate, cents % 100 ? "%lld.%02lld" : "%lld", cents / 100, cents % 100);
  std::string out;
  out += "# The shop's policy (bk-hub policy set FILE). Every kiosk follows it once it has synced.\n";
  out += "shop_name = " + p.shop_name + "\n";
  out += "# the shop's time zone, minutes east of UTC (China: 480)\n";
  out += "utc_offset_minutes = " + std::to_string(p.utc_offset_minutes) + "\n";
  out += "# work order categories that need a final inspection (R9): maintenance, general_repair,\n"
         "# major_overhaul, body_paint, warranty (none: only add-on cars)\n";
  out += "final_inspection = " + (cats.empty() ? std::string("none") : cats) + "\n";
  out += "# a running entry longer than this is a ghost timer for the foreman (R3)\n";
  out += "ghost_timer_minutes = " + std::to_string(p.overlong_entry / 60'000) + "\n";
  out += "# a kiosk signs its person out after this long untouched\n";
  out += "idle_signout_seconds = " + std::to_string(p.idle_signout_seconds) + "\n";
  out += "# the shortest PIN a person may choose, wrong PINs before a lock-out, and its length\n";
  out += "pin_length = " + std::to_string(p.pin_length) + "\n";
  out += "pin_max_failures = " + std::to_string(p.pin_max_failures) + "\n";
  out += "pin_lockout_minutes = " + std::to_string(p.pin_lockout / 60'000) + "\n";
  out += "# yuan an hour, for add-on quotes\n";
  out += "labour_rate = " + std::string(rate) + "\n";
  out += "working_hours = " + hhmm(p.work_start_minute) + "-" + hhmm(p.work_end_minute) + "\n";
  out += "# how long a setup code for a first PIN stays valid\n";
  out += "setup_code_days = " + std::to_string(p.setup_code_days) + "\n";
  out += "# a car back within this many days of delivery is offered as a comeback (返修)\n";
  out += "comeback_days = " + std::to_string(p.comeback_days) + "\n";
  return out;
}

}  // namespace bk::setup
