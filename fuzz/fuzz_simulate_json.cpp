// Simulate documents and stroke plans (JSON): clinic::read_simulate_document, what `needlework simulate` and
// POST /api/v1/simulate, /simulate/heatmap, /simulate/picture call (a simulate document with its stroke plan
// and zone, a clinic session or a clinic plan, against the seed pack and the shipped physics data). Each
// input the document gives is then run as the server runs it, but with a bound of 20 000 punctures per
// session instead of the server's 10⁶, so one input takes milliseconds: the readers, the zone, the stroke
// plan's checks, the grid and the depth check all run; only the count of punctures is smaller.

#include <cstdint>

#include "needlework/clinic/simulate.hpp"
#include "support/json_input.hpp"

using namespace needlework;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto doc = fuzz::json_of(data, size);
  if (!doc) return 0;
  const clinic::SimulateData sim{fuzz::devices(), &fuzz::regions(), &fuzz::resealing()};
  const knowledge::Pack* pack = &fuzz::seed_pack();
  auto inputs = clinic::read_simulate_document(*doc, "", sim,
                                               [pack]() -> Result<const knowledge::Pack*> { return pack; });
  if (!inputs) return 0;
  for (auto& in : *inputs) {
    in.options.max_punctures = 20'000;
    clinic::SimulateRunOptions options;
    options.threads = 1;
    (void)clinic::run_simulation(std::move(in), sim, options);
  }
  return 0;
}
