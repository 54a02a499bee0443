#include "domain/shared_text.hpp"

#include <mutex>
#include <unordered_map>

namespace bk {
namespace {

struct Pool {
  std::mutex mu;
  // (the key views the text the value holds; neither is ever freed)
  std::unordered_map<std::string_view, const std::string*> texts;
  const std::string* empty = new std::string;
};

Pool& pool() {
  static Pool* p = new Pool;  // (never destroyed: records may outlive static destruction order)
  return *p;
}

}  // namespace

SharedText::SharedText() noexcept : p_(reinterpret_cast<std::uintptr_t>(pool().empty)) {}

SharedText::SharedText(std::string_view s) : SharedText() {
  if (s.empty()) return;
  if (s.size() > kPooledLength) {
    p_ = own(s);
    return;
  }
  Pool& p = pool();
  std::lock_guard lock(p.mu);
  if (auto it = p.texts.find(s); it != p.texts.end()) {
    p_ = reinterpret_cast<std::uintptr_t>(it->second);
    return;
  }
  if (p.texts.size() >= kPoolMax) {
    p_ = own(s);
    return;
  }
  const std::string* text = new std::string(s);
  p.texts.emplace(std::string_view(*text), text);
  p_ = reinterpret_cast<std::uintptr_t>(text);
}

std::size_t SharedText::pooled() {
  std::lock_guard lock(pool().mu);
  return pool().texts.size();
}

}  // namespace bk
