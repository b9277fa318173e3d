// Photo uploads: the checks a photo's bytes meet before the store keeps them — the request's media type as
// the server reads Content-Type (request_text::media_type: image/jpeg or image/png, else 415) and the bytes'
// own signature (store::photo_media_type, ClinicStore::add_photo: a JPEG or PNG, else invalid_value). The
// input's first line is the Content-Type header, the rest the body. The body's size limit
// (max_body_bytes, 413) is a comparison in Api::dispatch, before either.

#include <cstdint>
#include <string>
#include <string_view>

#include "needlework/store/photo_type.hpp"
#include "server/request_text.hpp"
#include "support/fuzz_support.hpp"

using namespace needlework;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input = fuzz::text_of(data, size);
  const auto newline = input.find('\n');
  const std::string_view header =
      newline == std::string::npos ? std::string_view(input) : std::string_view(input).substr(0, newline);
  const std::string_view body =
      newline == std::string::npos ? std::string_view{} : std::string_view(input).substr(newline + 1);
  const std::string type = server::request_text::media_type(header);
  const std::string kind = store::photo_media_type(body);
  // What the signature check answers is one of three things, whatever the bytes.
  if (!kind.empty() && kind != "image/jpeg" && kind != "image/png") __builtin_trap();
  (void)type;
  return 0;
}
