// The resealing data file (data/physics/resealing.toml): physics::parse_resealing, what
// physics::load_resealing_file (the CLI and the server) calls.

#include <cstdint>

#include "needlework/physics/resealing.hpp"
#include "support/fuzz_support.hpp"

using namespace needlework;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)physics::parse_resealing(fuzz::text_of(data, size), "resealing.toml");
  return 0;
}
