// Follow-up documents (JSON): clinic::parse_followup against the seed pack, what `needlework followup` and
// POST /api/v1/followup call; a follow-up that reads is decided and its answer turned into JSON.

#include <cstdint>

#include "needlework/clinic/engine.hpp"
#include "needlework/clinic/intake.hpp"
#include "needlework/clinic/json.hpp"
#include "support/json_input.hpp"

using namespace needlework;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& pack = fuzz::seed_pack();
  const auto doc = fuzz::json_of(data, size);
  if (!doc) return 0;
  const auto in = clinic::parse_followup(*doc, pack);
  if (in) (void)clinic::to_json(clinic::followup(*in, pack));
  return 0;
}
