#include "domain/shared_text.hpp"

#include <mutex>
#include <unordered_map>

namespace bk {
namespace {

struct Pool {
  std::mutex mu;
  // (the key views the text the value holds: it lives as long as the pool)
  std::unordered_map<std::string_view, std::shared_ptr<const std::string>> texts;
  std::shared_ptr<const std::string> empty = std::make_shared<const std::string>();
};

Pool& pool() {
  static Pool* p = new Pool;  // (never destroyed: records may outlive static destruction order)
  return *p;
}

}  // namespace

SharedText::SharedText() : p_(pool().empty) {}

SharedText::SharedText(std::string_view s) {
  Pool& p = pool();
  if (s.empty()) {
    p_ = p.empty;
    return;
  }
  if (s.size() > kPooledLength) {
    p_ = std::make_shared<const std::string>(s);
    return;
  }
  std::lock_guard lock(p.mu);
  if (auto it = p.texts.find(s); it != p.texts.end()) {
    p_ = it->second;
    return;
  }
  p_ = std::make_shared<const std::string>(s);
  if (p.texts.size() < kPoolMax) p.texts.emplace(std::string_view(*p_), p_);
}

std::size_t SharedText::pooled() {
  std::lock_guard lock(pool().mu);
  return pool().texts.size();
}

}  // namespace bk
