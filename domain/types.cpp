#include "domain/types.hpp"
// Enum tables are constexpr in the header; this unit keeps the library's
// object list stable for targets that only need the vocabulary.
