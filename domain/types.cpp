#include "domain/types.hpp"
#include <ostream>
// Enum tables are constexpr in the header; this unit keeps the library's
// object list stable for targets that only need the vocabulary.

namespace bk {
std::ostream& operator<<(std::ostream& os, const Id& id) { return os << id.view(); }
}  // namespace bk
