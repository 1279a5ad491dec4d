// Orders, activities and the customer timeline.
#include "common.h"

namespace rapport::python {

void RegisterTimeline(py::class_<PyDatabase>& cls) {
  cls.def("add_order",
          [](const PyDatabase& self, int64_t customer, int64_t amount_minor, py::handle currency,
             std::optional<int64_t> ordered_at, py::handle status, py::handle external_ref,
             py::handle items) {
            OrderDraft draft;
            draft.customer = CustomerId{customer};
            draft.amount = Money{amount_minor, Str(currency, "currency")};
            if (!status.is_none()) draft.status = Str(status, "status");
            draft.external_ref = Str(external_ref, "external_ref");
            if (!items.is_none()) {
              for (py::handle item : py::iter(items)) {
                auto t = py::reinterpret_borrow<py::tuple>(item);
                draft.items.push_back(OrderItem{Str(t[0], "item sku"), Str(t[1], "item name"),
                                                t[2].cast<int64_t>(), t[3].cast<int64_t>()});
              }
            }
            Database db = self.Get();
            return OrderToDict(Take(NoGil([&] {
              // Without an explicit time the order is placed "now" on the database's clock.
              draft.ordered_at = ordered_at ? FromMicros(*ordered_at) : db.Now();
              return db.AddOrder(draft);
            })));
          },
          py::arg("customer"), py::arg("amount_minor"), py::arg("currency"),
          py::arg("ordered_at") = std::nullopt, py::arg("status") = py::none(),
          py::arg("external_ref") = "", py::arg("items") = py::none());

  cls.def("get_order", [](const PyDatabase& self, int64_t id) {
    Database db = self.Get();
    return OrderToDict(Take(NoGil([&] { return db.GetOrder(OrderId{id}); })));
  });

  cls.def("add_activity",
          [](const PyDatabase& self, int64_t customer, int kind, std::optional<int64_t> at,
             std::optional<int64_t> owner, py::handle outcome, py::handle text) {
            ActivityDraft draft;
            draft.customer = CustomerId{customer};
            draft.kind = static_cast<ActivityKind>(kind);
            if (owner) draft.owner = UserId{*owner};
            draft.outcome = Str(outcome, "outcome");
            draft.text = Str(text, "text");
            Database db = self.Get();
            return ActivityToDict(Take(NoGil([&] {
              draft.at = at ? FromMicros(*at) : db.Now();
              return db.AddActivity(draft);
            })));
          },
          py::arg("customer"), py::arg("kind") = static_cast<int>(ActivityKind::kNote),
          py::arg("at") = std::nullopt, py::arg("owner") = std::nullopt, py::arg("outcome") = "",
          py::arg("text") = "");

  cls.def("timeline",
          [](const PyDatabase& self, int64_t customer, int limit, std::optional<int64_t> before, bool include_items) {
            TimelineQuery q;
            q.limit = limit;
            q.include_items = include_items;
            if (before) q.before = FromMicros(*before);
            Database db = self.Get();
            auto items = Take(NoGil([&] { return db.Timeline(CustomerId{customer}, q); }));
            py::list out;
            for (const auto& item : items) {
              py::dict d = item.is_order() ? OrderToDict(item.order()) : ActivityToDict(item.activity());
              d["at"] = Micros(item.at);
              out.append(d);
            }
            return out;
          },
          py::arg("customer"), py::arg("limit") = 20, py::arg("before") = std::nullopt,
          py::arg("include_items") = false);
}

}  // namespace rapport::python
