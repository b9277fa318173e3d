#pragma once
// Early return for Result values inside the store module: ST_TRY(x, f()) declares x from a successful f() or
// returns its error; ST_CHECK(g()) returns g()'s error if it has one.

#define ST_TRY(var, expr)                                          \
  auto var##_result = (expr);                                      \
  if (!var##_result) return std::unexpected(var##_result.error()); \
  auto var = std::move(*var##_result)

#define ST_CHECK(expr) \
  if (auto check_result_ = (expr); !check_result_) return std::unexpected(check_result_.error())
