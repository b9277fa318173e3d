#pragma once
// The knowledge packs of data/packs, loaded for tests (not built with NEEDLEWORK_PHYSICS_ONLY).

#include <string>

#include "needlework/knowledge/pack.hpp"

namespace needlework::test {

/// Pack `id` of data/packs, resolved and validated; a pack that does not load fails the calling test and
/// yields an empty pack.
knowledge::Pack load_pack(const std::string& id);

}  // namespace needlework::test
