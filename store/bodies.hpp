#pragma once
// Issue 16: the log's bodies kept small. An event's body is canonical JSON
// of about 1 KB (a signed inspection, 1.6 KB: its items with the texts the
// person saw, and hex signatures), mostly the same keys and phrases again
// and again. Once a store holds enough events it trains a zstd dictionary
// on its own bodies (kept in the database, never changed), and from then on
// stores each body compressed with it: about 150 bytes instead of 950.
// What is stored is only a form of the body: everything that reads the log
// (replays, the chain, signatures, the wire) sees the same canonical JSON.
// A stored value is JSON text, or a zstd frame that names its dictionary.
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bk::bodies {

// Thrown when a stored body cannot be read back (damaged, or its
// dictionary is missing).
struct DamagedBody : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A stored body compressed with a dictionary this codec was not given.
struct MissingDictionary : DamagedBody {
  using DamagedBody::DamagedBody;
};

// Events a store holds before it trains its dictionary, and how many of its
// latest bodies it trains on.
inline constexpr std::int64_t kTrainAt = 2000;
inline constexpr std::size_t kDictBytes = 32 * 1024;

// Is this stored value a compressed body (a zstd frame) rather than JSON?
bool compressed(std::string_view stored);

// A dictionary trained on `samples` (empty when zstd finds too little in
// them to train on), and the id it is known by.
struct Dictionary {
  std::uint32_t id = 0;
  std::string bytes;
};
Dictionary train(const std::vector<std::string>& samples);

class Codec {
 public:
  Codec();
  ~Codec();
  Codec(const Codec&) = delete;
  Codec& operator=(const Codec&) = delete;

  // Knows this dictionary from now on; the newest added compresses.
  void add(const Dictionary& d);
  bool ready() const { return !dicts_.empty(); }
  // The form to store: compressed with the newest dictionary, or the JSON
  // itself while there is none.
  std::string encode(std::string_view json) const;
  // The same, harder (zstd level 15, its tables sized for bodies of a few
  // KB): for what is written once and read seldom, a work order's bundle
  // as it leaves memory (v24). About 12 % smaller than encode, 0.4 ms for
  // a work order's 6 KB; read back by decode as any body.
  std::string encodeDense(std::string_view json) const;
  // The JSON back from a stored value. Throws DamagedBody.
  std::string decode(std::string_view stored) const;

 private:
  struct Dict;
  std::map<std::uint32_t, std::unique_ptr<Dict>> dicts_;
  std::uint32_t newest_ = 0;
  std::string encodeWith(std::string_view json, bool dense) const;
};

// Issue 16: a JSON object's text with the value of its top-level member
// `key` replaced by `value` (the old one skipped over, never parsed); the
// text as it was if it is not an object or has no such member. A month's
// report reads no inspection's checklist items, and they are most of a
// month's bytes: it reads each inspection with "items" made [].
std::string withMember(std::string_view json, std::string_view key, std::string_view value);

}  // namespace bk::bodies
