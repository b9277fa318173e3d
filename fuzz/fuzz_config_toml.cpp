// The server's settings file (TOML): server::load_config, what `needlework serve --config FILE` calls — the
// file over the defaults, then no environment and no flags. The input is written to a scratch file and
// read from there, as serve reads it; a configuration that loads is turned into the mailer's settings and
// the public address, as serve does next.

#include <cstdint>
#include <optional>
#include <string>

#include "needlework/server/config.hpp"
#include "support/fuzz_support.hpp"

using namespace needlework;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto path = fuzz::scratch_dir() / "needlework.toml";
  fuzz::write_file(path, fuzz::text_of(data, size));
  const auto config = server::load_config(
      path, [](const std::string&) -> std::optional<std::string> { return std::nullopt; }, {});
  if (!config) return 0;
  (void)server::mail_config_of(*config);
  (void)server::public_url_of(*config);
  return 0;
}
