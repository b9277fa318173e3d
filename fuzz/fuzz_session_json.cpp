// Session documents (JSON): clinic::parse_session against the seed pack, what `needlework protocol/aftercare`
// and POST /api/v1/protocol, /aftercare call; a session that reads gets its protocol (with the depth guard on
// the skin data) and its aftercare sheet, rendered as JSON, Markdown and text, as those commands do.

#include <chrono>
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
  const auto session = clinic::parse_session(*doc, pack);
  if (!session) return 0;
  const auto checklist = clinic::protocol(*session, pack, &fuzz::regions());
  if (!checklist) return 0;
  (void)clinic::to_json(*checklist);
  const auto end = session->start + std::chrono::duration_cast<std::chrono::seconds>(checklist->timed_max);
  const auto sheet = clinic::aftercare(*session, end, pack, &fuzz::resealing());
  if (!sheet) return 0;
  (void)clinic::to_json(*sheet);
  (void)clinic::render_markdown(*sheet, pack);
  (void)clinic::render_text(*sheet, pack);
  return 0;
}
