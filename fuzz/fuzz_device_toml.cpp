// Device files (data/devices/*.toml): physics::parse_device, what the device catalog loader
// (physics::load_device_catalog: the CLI and the server) calls for each file; a device that parses is then
// given each needle length of a range, as a simulate request does.

#include <cstdint>

#include "needlework/physics/device.hpp"
#include "support/fuzz_support.hpp"

using namespace needlework;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto device = physics::parse_device(fuzz::text_of(data, size), "fuzz.toml");
  if (!device) return 0;
  for (double mm : {0.0, 0.25, 1.5, 3.0}) (void)physics::with_needle_length(*device, units::millimetres(mm));
  return 0;
}
