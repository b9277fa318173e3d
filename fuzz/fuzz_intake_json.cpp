// Intake documents (JSON): clinic::parse_intake against the seed pack, what `needlework screen/plan/intake`
// and POST /api/v1/screen, /plan and /clients/{id}/intakes call; an intake that reads is screened and planned
// as those commands do (with the skin data for the depth guard), and the answers turned into JSON.

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
  const auto intake = clinic::parse_intake(*doc, pack);
  if (!intake) return 0;
  (void)clinic::to_json(clinic::screen(*intake, pack));
  clinic::PlanOptions options;
  options.regions = &fuzz::regions();
  if (auto p = clinic::plan(*intake, pack, intake->date, options)) (void)clinic::to_json(*p);
  return 0;
}
