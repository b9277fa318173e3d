#pragma once
/// JSON forms of the clinical engine's results: the `--json` output of the CLI and the bodies of the HTTP
/// API. Field names carry units (`needle_length_mm`, `interval_days`).

#include <nlohmann/json.hpp>

#include "needlework/clinic/engine.hpp"

namespace needlework::clinic {

[[nodiscard]] nlohmann::json to_json(const Reason& r);
[[nodiscard]] nlohmann::json to_json(const Screening& s);
[[nodiscard]] nlohmann::json to_json(const Plan& p);
[[nodiscard]] nlohmann::json to_json(const Protocol& p);
[[nodiscard]] nlohmann::json to_json(const AftercareSheet& a);
[[nodiscard]] nlohmann::json to_json(const FollowupResult& f);
[[nodiscard]] nlohmann::json to_json(const Error& e);

}  // namespace needlework::clinic
