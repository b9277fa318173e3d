#pragma once
// Force-included into every file of the fuzz build that sees toml++ (fuzz/CMakeLists.txt): the library
// header-only (Debian's compiled one has libstdc++'s ABI), and its internal asserts off as in Debian's NDEBUG
// build, so the fuzzer finds what the shipped parser does rather than toml++'s own debug checks.
#define TOML_HEADER_ONLY 1
#define TOML_ASSERT(expr) ((void)0)
