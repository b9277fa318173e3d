// The text fields every face reads the same way (units): a roller's lot, serial and UDI as printed on the
// pack or read from its barcode (units::clean_text with the store's bounds, ClinicStore::register_roller and
// recall_lot), notes, dates and times (units::parse_date, parse_date_time: query parameters and JSON fields),
// and numbers and whole numbers from query parameters (units::parse_number, parse_integer). The first byte
// chooses the reader; the rest is the text. Whatever reads, the terminal and HTML escapers are run on it.

#include <cstdint>
#include <string>

#include "needlework/store/clinic_store.hpp"
#include "needlework/units/date.hpp"
#include "needlework/units/number.hpp"
#include "needlework/units/text.hpp"
#include "support/fuzz_support.hpp"

using namespace needlework;

// The store's bounds (its header only: nothing of the store is linked).
using store::max_id_bytes;
using store::max_note_bytes;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string text = fuzz::text_of(data + 1, size - 1);
  switch (data[0] % 8) {
    case 0:
      (void)units::clean_text(text, "lot", max_id_bytes);
      break;
    case 1:
      (void)units::clean_text(text, "serial", max_id_bytes);
      break;
    case 2:
      (void)units::clean_text(text, "udi");
      break;
    case 3:
      (void)units::clean_text(text, "note", max_note_bytes, units::TextShape::note);
      break;
    case 4:
      if (auto d = units::parse_date(text)) (void)units::format_date(*d);
      break;
    case 5:
      if (auto t = units::parse_date_time(text)) (void)units::format_date_time(*t);
      break;
    case 6: {
      static constexpr units::NumberRule rule{"value", 0.0, 1e6, true, false, "mm"};
      (void)units::parse_number(text, rule);
      break;
    }
    default:
      (void)units::parse_integer(text, "runs", 1, 1000);
      break;
  }
  (void)units::escape_for_terminal(text);
  (void)units::escape_html(text);
  (void)units::excerpt(text);
  return 0;
}
