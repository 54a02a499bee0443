#include "store/bodies.hpp"

#define ZDICT_STATIC_LINKING_ONLY
#define ZSTD_STATIC_LINKING_ONLY
#include <zdict.h>
#include <zstd.h>

#include <mutex>

namespace bk::bodies {
namespace {

// Measured on the demo's bodies: level 1 makes 148 bytes of 939 in 2.7 µs,
// level 3 (zstd's default) 146 in 3.6 µs; the dictionary does the work.
constexpr int kLevel = 1;
// encodeDense: measured on the bundles of a 2-year history with kiosk ids,
// 1,373 bytes a work order at level 1, 1,196 at 15, 1,184 at 19 (3x slower)
constexpr int kDenseLevel = 15;
constexpr std::size_t kDenseSourceBytes = 16 * 1024;
constexpr unsigned char kMagic[4] = {0x28, 0xB5, 0x2F, 0xFD};

// One compression and one decompression context per thread (the kiosk's
// screen and sync threads each write through the store under its lock).
struct Contexts {
  ZSTD_CCtx* c = ZSTD_createCCtx();
  ZSTD_DCtx* d = ZSTD_createDCtx();
  ~Contexts() {
    ZSTD_freeCCtx(c);
    ZSTD_freeDCtx(d);
  }
};
Contexts& contexts() {
  thread_local Contexts ctx;
  return ctx;
}

}  // namespace

struct Codec::Dict {
  ZSTD_CDict* c = nullptr;
  ZSTD_DDict* d = nullptr;
  std::string bytes;           // (for the dense one, made when first asked for)
  std::once_flag denseMade;
  ZSTD_CDict* dense = nullptr;
  ~Dict() {
    ZSTD_freeCDict(c);
    ZSTD_freeDDict(d);
    ZSTD_freeCDict(dense);
  }
};

bool compressed(std::string_view stored) {
  return stored.size() >= 4 && std::equal(std::begin(kMagic), std::end(kMagic), stored.begin(),
                                          [](unsigned char m, char c) { return m == static_cast<unsigned char>(c); });
}

Dictionary train(const std::vector<std::string>& samples) {
  std::string all;
  std::vector<std::size_t> sizes;
  for (const auto& s : samples) {
    all += s;
    sizes.push_back(s.size());
  }
  std::string dict(kDictBytes, '\0');
  const std::size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), all.data(), sizes.data(),
                                              static_cast<unsigned>(sizes.size()));
  if (ZDICT_isError(n)) return {};
  dict.resize(n);
  return {ZDICT_getDictID(dict.data(), dict.size()), std::move(dict)};
}

Codec::Codec() = default;
Codec::~Codec() = default;

void Codec::add(const Dictionary& d) {
  if (d.id == 0 || d.bytes.empty()) throw std::invalid_argument("a body dictionary without an id");
  auto dict = std::make_unique<Dict>();
  dict->c = ZSTD_createCDict(d.bytes.data(), d.bytes.size(), kLevel);
  dict->d = ZSTD_createDDict(d.bytes.data(), d.bytes.size());
  dict->bytes = d.bytes;
  if (!dict->c || !dict->d) throw DamagedBody("body dictionary " + std::to_string(d.id) + " does not load");
  dicts_[d.id] = std::move(dict);
  newest_ = d.id;
}

std::string Codec::encode(std::string_view json) const { return encodeWith(json, false); }
std::string Codec::encodeDense(std::string_view json) const { return encodeWith(json, true); }

std::string Codec::encodeWith(std::string_view json, bool dense) const {
  if (!ready()) return std::string(json);
  Dict& dict = *dicts_.at(newest_);
  if (dense) {
    std::call_once(dict.denseMade, [&] {
      // (tables for a few KB, not zstd's default window: a context of
      // hundreds of KB, not tens of MB)
      const ZSTD_compressionParameters p = ZSTD_getCParams(kDenseLevel, kDenseSourceBytes, dict.bytes.size());
      dict.dense = ZSTD_createCDict_advanced(dict.bytes.data(), dict.bytes.size(), ZSTD_dlm_byCopy, ZSTD_dct_auto, p, ZSTD_defaultCMem);
    });
    if (!dict.dense) dense = false;  // (out of memory: the usual level)
  }
  ZSTD_CCtx* c = contexts().c;
  std::string out(ZSTD_compressBound(json.size()), '\0');
  // the frame names its dictionary and its size; no checksum (the chain
  // hash over the JSON is the check)
  ZSTD_CCtx_reset(c, ZSTD_reset_session_and_parameters);
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0);
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1);
  ZSTD_CCtx_setParameter(c, ZSTD_c_dictIDFlag, 1);
  if (ZSTD_isError(ZSTD_CCtx_refCDict(c, dense ? dict.dense : dict.c))) throw std::runtime_error("zstd: cannot use the body dictionary");
  const std::size_t n = ZSTD_compress2(c, out.data(), out.size(), json.data(), json.size());
  if (ZSTD_isError(n)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

std::string Codec::decode(std::string_view stored) const {
  if (!compressed(stored)) return std::string(stored);
  const unsigned id = ZSTD_getDictID_fromFrame(stored.data(), stored.size());
  auto it = dicts_.find(id);
  if (it == dicts_.end()) throw MissingDictionary("a stored body names dictionary " + std::to_string(id) + ", which this store lacks");
  const unsigned long long size = ZSTD_getFrameContentSize(stored.data(), stored.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (64u << 20))
    throw DamagedBody("a stored body's frame is damaged");
  std::string out(static_cast<std::size_t>(size), '\0');
  const std::size_t n = ZSTD_decompress_usingDDict(contexts().d, out.data(), out.size(), stored.data(), stored.size(), it->second->d);
  if (ZSTD_isError(n) || n != out.size()) throw DamagedBody("a stored body does not decompress: it is damaged");
  return out;
}

namespace {
constexpr std::size_t kNone = std::string_view::npos;

bool space(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }

std::size_t skipSpace(std::string_view t, std::size_t i) {
  while (i < t.size() && space(t[i])) ++i;
  return i;
}

// t[i] is '"': just past the string's closing quote
std::size_t stringEnd(std::string_view t, std::size_t i) {
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\') ++i;
    else if (t[i] == '"') return i + 1;
  }
  return kNone;
}

// just past the value that starts at t[i]: a string, an object or an
// array (by its brackets, strings within skipped), else a number or a
// literal (to the next delimiter)
std::size_t valueEnd(std::string_view t, std::size_t i) {
  if (i >= t.size()) return kNone;
  if (t[i] == '"') return stringEnd(t, i);
  if (t[i] == '{' || t[i] == '[') {
    int depth = 0;
    while (i < t.size()) {
      const char c = t[i];
      if (c == '"') {
        i = stringEnd(t, i);
        if (i == kNone) return kNone;
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      if ((c == '}' || c == ']') && --depth == 0) return i + 1;
      ++i;
    }
    return kNone;
  }
  while (i < t.size() && t[i] != ',' && t[i] != '}' && t[i] != ']' && !space(t[i])) ++i;
  return i;
}
}  // namespace

std::string withMember(std::string_view t, std::string_view key, std::string_view value) {
  std::size_t i = skipSpace(t, 0);
  if (i >= t.size() || t[i] != '{') return std::string(t);
  i = skipSpace(t, i + 1);
  while (i < t.size() && t[i] == '"') {
    const std::size_t keyEnd = stringEnd(t, i);
    if (keyEnd == kNone) break;
    const std::size_t colon = skipSpace(t, keyEnd);
    if (colon >= t.size() || t[colon] != ':') break;
    const std::size_t v = skipSpace(t, colon + 1);
    const std::size_t end = valueEnd(t, v);
    if (end == kNone) break;
    if (t.substr(i + 1, keyEnd - i - 2) == key) {
      std::string out;
      out.reserve(v + value.size() + (t.size() - end));
      out.append(t.substr(0, v)).append(value).append(t.substr(end));
      return out;
    }
    i = skipSpace(t, end);
    if (i >= t.size() || t[i] != ',') break;
    i = skipSpace(t, i + 1);
  }
  return std::string(t);
}

}  // namespace bk::bodies
