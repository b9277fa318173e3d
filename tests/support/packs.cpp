#include "packs.hpp"

#include <gtest/gtest.h>

#include "needlework/knowledge/loader.hpp"
#include "support/data.hpp"

namespace needlework::test {

knowledge::Pack load_pack(const std::string& id) {
  auto p = knowledge::load_pack(data_dir() / "packs", id);
  if (!p) ADD_FAILURE() << p.error().describe();
  return p.value_or(knowledge::Pack{});
}

}  // namespace needlework::test
