#include "store/log_codes.hpp"

#include <algorithm>

namespace bk::logcodes {

std::optional<int> typeCode(std::string_view type) {
  const auto it = std::find(kTypes.begin(), kTypes.end(), type);
  if (it == kTypes.end()) return std::nullopt;
  return static_cast<int>(it - kTypes.begin());
}

void bindType(sql::Stmt& q, int i, std::string_view type) {
  if (const auto code = typeCode(type)) q.bind(i, *code);
  else q.bind(i, type);
}

std::string typeAt(const sql::Stmt& q, int col) {
  if (!q.isInteger(col)) return q.text(col);
  const std::int64_t code = q.integer(col);
  // (a number this program has no name for is damage: shown as itself,
  // so the chain and the rules refuse it)
  if (code < 0 || code >= static_cast<std::int64_t>(kTypes.size())) return "#" + std::to_string(code);
  return std::string(kTypes[static_cast<std::size_t>(code)]);
}

}  // namespace bk::logcodes
