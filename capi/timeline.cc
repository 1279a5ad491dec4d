// Orders, activities and the customer timeline.
#include "model/customer_codec.h"
#include "absl/strings/str_cat.h"
#include "internal.h"
#include "json_io.h"

namespace rc = rapport::capi;

namespace {

const rapport::TimelineItem* Item(const rapport_timeline* t, size_t index) {
  if (t == nullptr || index >= t->items.size()) return nullptr;
  return &t->items[index];
}

absl::Status AddOrder(rapport_db* db, const rapport::OrderDraft& draft, int64_t* out_id) {
  auto order = db->db.AddOrder(draft);
  if (!order.ok()) return order.status();
  if (out_id != nullptr) *out_id = rapport::ToInt(order->id);
  return absl::OkStatus();
}

}  // namespace

extern "C" {

void rapport_order_draft_init(rapport_order_draft* draft) noexcept {
  if (draft == nullptr) return;
  *draft = rapport_order_draft{};
  draft->struct_size = sizeof(rapport_order_draft);
}

rapport_code rapport_order_add(rapport_db* db, const rapport_order_draft* draft, int64_t* out_id,
                               rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(draft);
    absl::Status st = rc::CheckStructSize(kFn, "draft", draft->struct_size,
                                          offsetof(rapport_order_draft, ordered_at) + sizeof(int64_t));
    if (!st.ok()) return st;
    rapport::OrderDraft d;
    d.customer = rapport::CustomerId{draft->customer_id};
    d.amount.minor = draft->amount_minor;
    if (st = rc::CheckText(kFn, "draft->currency", draft->currency); !st.ok()) return st;
    d.amount.currency = draft->currency;
    d.ordered_at = rc::FromMicros(draft->ordered_at);
    if (RAPPORT_CAPI_HAS(draft, status) && draft->status != nullptr) {
      if (st = rc::CheckText(kFn, "draft->status", draft->status); !st.ok()) return st;
      d.status = draft->status;
    }
    if (RAPPORT_CAPI_HAS(draft, external_ref)) {
      auto ref = rc::OptionalText(kFn, "external_ref", draft->external_ref);
      if (!ref.ok()) return ref.status();
      d.external_ref = *std::move(ref);
    }
    return AddOrder(db, d, out_id);
  });
}

rapport_code rapport_order_add_json(rapport_db* db, const char* json, int64_t* out_id, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = rc::CheckText(kFn, "json", json);
    if (!st.ok()) return st;
    auto parsed = rc::ParseJson("json", json);
    if (!parsed.ok()) return parsed.status();
    auto draft = rc::OrderDraftFromJson(*parsed);
    if (!draft.ok()) return draft.status();
    return AddOrder(db, *draft, out_id);
  });
}

rapport_code rapport_order_get_json(rapport_db* db, int64_t id, char** out_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto order = db->db.GetOrder(rapport::OrderId{id});
    if (!order.ok()) return order.status();
    return rc::ReturnString(rc::Dump(rapport::internal::OrderToJson(*order)), out_json);
  });
}

void rapport_activity_draft_init(rapport_activity_draft* draft) noexcept {
  if (draft == nullptr) return;
  *draft = rapport_activity_draft{};
  draft->struct_size = sizeof(rapport_activity_draft);
  draft->kind = RAPPORT_ACTIVITY_NOTE;
}

rapport_code rapport_activity_add(rapport_db* db, const rapport_activity_draft* draft, int64_t* out_id,
                                  rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(draft);
    absl::Status st = rc::CheckStructSize(kFn, "draft", draft->struct_size,
                                          offsetof(rapport_activity_draft, at) + sizeof(int64_t));
    if (!st.ok()) return st;
    if (draft->kind < RAPPORT_ACTIVITY_CALL || draft->kind > RAPPORT_ACTIVITY_MESSAGE) {
      return absl::InvalidArgumentError(absl::StrCat("kind: unknown activity kind ", draft->kind));
    }
    rapport::ActivityDraft d;
    d.customer = rapport::CustomerId{draft->customer_id};
    d.kind = static_cast<rapport::ActivityKind>(draft->kind);
    d.at = rc::FromMicros(draft->at);
    if (RAPPORT_CAPI_HAS(draft, owner) && draft->owner > 0) d.owner = rapport::UserId{draft->owner};
    if (RAPPORT_CAPI_HAS(draft, outcome)) {
      auto outcome = rc::OptionalText(kFn, "outcome", draft->outcome);
      if (!outcome.ok()) return outcome.status();
      d.outcome = *std::move(outcome);
    }
    if (RAPPORT_CAPI_HAS(draft, text)) {
      auto text = rc::OptionalText(kFn, "text", draft->text);
      if (!text.ok()) return text.status();
      d.text = *std::move(text);
    }
    auto activity = db->db.AddActivity(d);
    if (!activity.ok()) return activity.status();
    if (out_id != nullptr) *out_id = rapport::ToInt(activity->id);
    return absl::OkStatus();
  });
}

void rapport_timeline_query_init(rapport_timeline_query* query) noexcept {
  if (query == nullptr) return;
  *query = rapport_timeline_query{};
  query->struct_size = sizeof(rapport_timeline_query);
  query->limit = 20;
}

rapport_code rapport_timeline_get(rapport_db* db, int64_t customer_id, const rapport_timeline_query* query,
                                  rapport_timeline** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    rapport::TimelineQuery q;
    if (query != nullptr) {
      absl::Status st = rc::CheckStructSize(kFn, "query", query->struct_size,
                                            offsetof(rapport_timeline_query, limit) + sizeof(int32_t));
      if (!st.ok()) return st;
      q.limit = query->limit;
      if (RAPPORT_CAPI_HAS(query, before) && query->has_before) q.before = rc::FromMicros(query->before);
      if (RAPPORT_CAPI_HAS(query, include_items)) q.include_items = query->include_items != 0;
    }
    auto items = db->db.Timeline(rapport::CustomerId{customer_id}, q);
    if (!items.ok()) return items.status();
    auto t = std::make_unique<rapport_timeline>();
    t->items = *std::move(items);
    t->item_json.reserve(t->items.size());
    for (const auto& item : t->items) {
      t->item_json.push_back(
          rc::Dump(item.is_order() ? rapport::internal::OrderToJson(item.order()) : rapport::internal::ActivityToJson(item.activity())));
    }
    *out = t.release();
    return absl::OkStatus();
  });
}

size_t rapport_timeline_count(const rapport_timeline* t) noexcept { return t ? t->items.size() : 0; }

rapport_timeline_item_kind rapport_timeline_item_kind_at(const rapport_timeline* t, size_t index) noexcept {
  auto* item = Item(t, index);
  return item && !item->is_order() ? RAPPORT_TIMELINE_ACTIVITY : RAPPORT_TIMELINE_ORDER;
}

int64_t rapport_timeline_item_at(const rapport_timeline* t, size_t index) noexcept {
  auto* item = Item(t, index);
  return item ? rc::Micros(item->at) : 0;
}

int64_t rapport_timeline_item_id(const rapport_timeline* t, size_t index) noexcept {
  auto* item = Item(t, index);
  if (item == nullptr) return 0;
  return item->is_order() ? rapport::ToInt(item->order().id) : rapport::ToInt(item->activity().id);
}

const char* rapport_timeline_item_json(const rapport_timeline* t, size_t index) noexcept {
  if (t == nullptr || index >= t->item_json.size()) return nullptr;
  return t->item_json[index].c_str();
}

const char* rapport_timeline_to_json(const rapport_timeline* t) noexcept {
  if (t == nullptr) return nullptr;
  return rc::Safe<const char*>(nullptr, [&]() -> const char* {
    if (!t->json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : t->items) {
        if (item.is_order()) {
          out.push_back({{"type", "order"}, {"at", rc::Micros(item.at)}, {"order", rapport::internal::OrderToJson(item.order())}});
        } else {
          out.push_back({{"type", "activity"},
                         {"at", rc::Micros(item.at)},
                         {"activity", rapport::internal::ActivityToJson(item.activity())}});
        }
      }
      t->json = rc::Dump(out);
    }
    return t->json->c_str();
  });
}

void rapport_timeline_free(rapport_timeline* t) noexcept { delete t; }

}  // extern "C"
