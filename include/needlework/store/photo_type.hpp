#pragma once
/// What kind of image a photo upload is, from its first bytes (ClinicStore::add_photo, `needlework photo add`
/// and POST .../photos): a header-only check so the fuzz build (fuzz/fuzz_photo_bytes.cpp) runs the store's
/// own code without the store's database libraries.

#include <string>
#include <string_view>

namespace needlework::store {

/// "image/jpeg" (FF D8 FF), "image/png" (the 8-byte PNG signature), or "" for anything else.
[[nodiscard]] inline std::string photo_media_type(std::string_view bytes) {
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xD8 && static_cast<unsigned char>(bytes[2]) == 0xFF) {
    return "image/jpeg";
  }
  if (bytes.size() >= 8 && bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return "image/png";
  return {};
}

}  // namespace needlework::store
