#pragma once
// A fuzz input as a JSON request body: parsed as the server parses one (api.cpp: nlohmann::json::parse
// without exceptions; a body that is not JSON is answered 400 before any reader runs).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>

#include "support/fuzz_support.hpp"

namespace needlework::fuzz {

inline std::optional<nlohmann::json> json_of(const std::uint8_t* data, std::size_t size) {
  auto doc = nlohmann::json::parse(text_of(data, size), nullptr, false);
  if (doc.is_discarded()) return std::nullopt;
  return doc;
}

}  // namespace needlework::fuzz
