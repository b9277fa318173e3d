#pragma once
// Early return for Result values inside the clinic module: NW_TRY(x, f()) declares x from a successful f() or
// returns its error; NW_CHECK(g()) returns g()'s error if it has one.

#define NW_TRY(var, expr)                                          \
  auto var##_result = (expr);                                      \
  if (!var##_result) return std::unexpected(var##_result.error()); \
  auto var = std::move(*var##_result)

#define NW_CHECK(expr) \
  if (auto check_result_ = (expr); !check_result_) return std::unexpected(check_result_.error())
