// The README's C++ quick start, built against an installed Rapport (Rapport::core).
#include <iostream>
#include "rapport/rapport.hpp"

int main() {
  auto db = rapport::Database::Open(":memory:");
  if (!db.ok()) { std::cerr << db.status() << "\n"; return 1; }
  rapport::CustomerDraft draft;
  draft.Set("name", "Zhang Wei").Set("region", "华东");
  draft.contact_points = {{rapport::ContactKind::kPhone, "+86 138 0013 8000"}};
  auto c = db->CreateCustomer(draft);
  if (!c.ok()) { std::cerr << c.status() << "\n"; return 1; }
  std::cout << c->ToJson() << "\n";
  return c->contact_points.at(0).value == "+8613800138000" ? 0 : 1;
}
