#pragma once
// The shipped data files for the physics tests: the loaders of the test support library (support/data.hpp)
// under the names these tests use.

#include "support/data.hpp"

namespace needlework::physics::testing {

using needlework::test::load_all_devices;
using needlework::test::load_device;
using needlework::test::load_regions;
using needlework::test::load_resealing;
using needlework::test::read_data_file;

}  // namespace needlework::physics::testing
