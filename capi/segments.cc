// The segment language and saved segments: expressions, evaluation into id arrays, SQL, saved
// segments (save, drop, get, list, refresh, list members).
#include <cstdlib>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/time_format.h"
#include "analytics_internal.h"
#include "internal.h"
#include "json_io.h"

struct rapport_expr {
  rapport::SegmentExpr expr;
  explicit rapport_expr(rapport::SegmentExpr e) : expr(std::move(e)) {}
};

struct rapport_segment {
  rapport::SavedSegment s;
  mutable std::optional<std::string> json;
  explicit rapport_segment(rapport::SavedSegment segment) : s(std::move(segment)) {}
};

struct rapport_segment_delta_list {
  struct Item {
    std::string name;
    int64_t as_of = 0;
    std::vector<int64_t> entered;
    std::vector<int64_t> left;
    int64_t members = 0;
  };
  std::vector<Item> items;
  mutable std::optional<std::string> json;
};

namespace rc = rapport::capi;

namespace {

using Ids = std::vector<int64_t>;


// The members of `s`'s JSON form (see rapport_segment_to_json).

const rapport_segment_delta_list::Item* Delta(const rapport_segment_delta_list* l, size_t index) {
  if (l == nullptr || index >= l->items.size()) return nullptr;
  return &l->items[index];
}

rapport_segment_delta_list::Item ToItem(rapport::SegmentDelta d) {
  rapport_segment_delta_list::Item item;
  item.name = std::move(d.name);
  item.as_of = rc::Micros(d.as_of);
  for (rapport::CustomerId id : d.entered) item.entered.push_back(rapport::ToInt(id));
  for (rapport::CustomerId id : d.left) item.left.push_back(rapport::ToInt(id));
  item.members = d.members;
  return item;
}

std::optional<absl::Time> AsOf(int64_t as_of) {
  if (as_of == RAPPORT_AS_OF_NOW) return std::nullopt;
  return rc::FromMicros(as_of);
}

// Evaluation options from the C struct (NULL: defaults).
absl::StatusOr<rapport::SegmentOptions> Options(const char* fn, const rapport_segment_options* opts) {
  rapport::SegmentOptions o;
  if (opts == nullptr) return o;
  absl::Status st = rc::CheckStructSize(fn, "opts", opts->struct_size,
                                        offsetof(rapport_segment_options, as_of) + sizeof(int64_t));
  if (!st.ok()) return st;
  if (opts->as_of != RAPPORT_AS_OF_NOW) o.as_of = rc::FromMicros(opts->as_of);
  if (RAPPORT_CAPI_HAS(opts, currency) && opts->currency != nullptr) {
    auto currency = rc::OptionalText(fn, "opts->currency", opts->currency);
    if (!currency.ok()) return currency.status();
    o.frame.currency = *std::move(currency);
  }
  if (RAPPORT_CAPI_HAS(opts, order_status_count) && opts->order_status_count > 0) {
    if (opts->order_statuses == nullptr) return rc::NullArgument(fn, "opts->order_statuses");
    o.frame.order_statuses.clear();
    for (size_t i = 0; i < opts->order_status_count; ++i) {
      std::string name = absl::StrCat("opts->order_statuses[", i, "]");
      if (st = rc::CheckText(fn, name.c_str(), opts->order_statuses[i]); !st.ok()) return st;
      o.frame.order_statuses.emplace_back(opts->order_statuses[i]);
    }
  }
  return o;
}

Ids ToInts(const std::vector<rapport::CustomerId>& ids) {
  Ids out;
  out.reserve(ids.size());
  for (rapport::CustomerId id : ids) out.push_back(rapport::ToInt(id));
  return out;
}

// Checks the arguments of the caller-owned form before any work is done.
absl::Status CheckCallerArray(const char* fn, const int64_t* ids, size_t capacity, const size_t* out_count) {
  if (out_count == nullptr) return rc::NullArgument(fn, "out_count");
  if (ids == nullptr && capacity > 0) return rc::NullArgument(fn, "ids");
  return absl::OkStatus();
}

// Copies `result` into the caller's array (see CALLER-OWNED in rapport.h).
absl::Status ToCallerArray(const char* fn, const Ids& result, int64_t* ids, size_t capacity, size_t* out_count) {
  if (ids == nullptr && capacity == 0) {
    *out_count = result.size();
    return absl::OkStatus();
  }
  if (result.size() > capacity) {
    *out_count = result.size();
    return absl::OutOfRangeError(absl::StrCat(fn, ": ", result.size(), " ids do not fit in capacity ", capacity));
  }
  if (!result.empty()) std::memcpy(ids, result.data(), result.size() * sizeof(int64_t));
  *out_count = result.size();
  return absl::OkStatus();
}

// Copies `result` into a malloc'ed array owned by the caller (never NULL).
absl::Status ToOwnedArray(const Ids& result, int64_t** out_ids, size_t* out_count) {
  auto* copy = static_cast<int64_t*>(std::malloc((result.empty() ? 1 : result.size()) * sizeof(int64_t)));
  if (copy == nullptr) throw std::bad_alloc();
  if (!result.empty()) std::memcpy(copy, result.data(), result.size() * sizeof(int64_t));
  *out_ids = copy;
  *out_count = result.size();
  return absl::OkStatus();
}

absl::StatusOr<rapport::SegmentExpr> ParseText(const char* fn, const char* expr) {
  absl::Status st = rc::CheckText(fn, "expr", expr);
  if (!st.ok()) return st;
  return rapport::SegmentExpr::Parse(expr);
}

absl::StatusOr<Ids> Evaluate(const char* fn, rapport_db* db, const rapport::SegmentExpr& expr,
                             const rapport_segment_options* opts) {
  auto options = Options(fn, opts);
  if (!options.ok()) return options.status();
  auto ids = db->db.Segment(expr, *options);
  if (!ids.ok()) return ids.status();
  return ToInts(*ids);
}

absl::Status Sql(const char* fn, rapport_db* db, const rapport::SegmentExpr& expr,
                 const rapport_segment_options* opts, char** out_sql, char** out_params_json) {
  auto options = Options(fn, opts);
  if (!options.ok()) return options.status();
  auto query = db->db.SegmentSql(expr, *options);
  if (!query.ok()) return query.status();
  std::string params = "[";
  for (size_t i = 0; i < query->params.size(); ++i) {
    if (i > 0) params += ",";
    params += query->params[i].ToJson();
  }
  params += "]";
  char* sql = nullptr;
  absl::Status st = rc::ReturnString(query->sql, &sql);
  if (!st.ok()) return st;
  if (out_params_json != nullptr) {
    try {
      st = rc::ReturnString(params, out_params_json);
    } catch (...) {
      std::free(sql);
      throw;
    }
  }
  *out_sql = sql;
  return absl::OkStatus();
}

absl::Status CheckName(const char* fn, const char* name) { return rc::CheckText(fn, "name", name); }

absl::Status EmitDeltas(std::vector<rapport::SegmentDelta> deltas, rapport_segment_delta_list** out) {
  if (out == nullptr) return absl::OkStatus();
  auto list = std::make_unique<rapport_segment_delta_list>();
  list->items.reserve(deltas.size());
  for (auto& d : deltas) list->items.push_back(ToItem(std::move(d)));
  *out = list.release();
  return absl::OkStatus();
}

absl::StatusOr<std::vector<rapport::CustomerId>> IdsIn(const char* fn, const int64_t* ids, size_t count) {
  if (ids == nullptr && count > 0) return rc::NullArgument(fn, "ids");
  std::vector<rapport::CustomerId> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.push_back(rapport::CustomerId{ids[i]});
  return out;
}

absl::StatusOr<Ids> Members(const char* fn, rapport_db* db, const char* name, int64_t as_of) {
  absl::Status st = CheckName(fn, name);
  if (!st.ok()) return st;
  auto members = db->db.SegmentMembers(name, AsOf(as_of));
  if (!members.ok()) return members.status();
  return ToInts(*members);
}

}  // namespace

extern "C" {

void rapport_ids_free(int64_t* ids) noexcept { std::free(ids); }

// ---- Expressions ----

rapport_code rapport_expr_parse(const char* text, rapport_expr** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    absl::Status st = rc::CheckText(kFn, "text", text);
    if (!st.ok()) return st;
    auto expr = rapport::SegmentExpr::Parse(text);
    if (!expr.ok()) return expr.status();
    *out = new rapport_expr(*std::move(expr));
    return absl::OkStatus();
  });
}

rapport_code rapport_expr_from_json(const char* json, rapport_expr** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    absl::Status st = rc::CheckText(kFn, "json", json);
    if (!st.ok()) return st;
    auto expr = rapport::SegmentExpr::FromJson(json);
    if (!expr.ok()) return expr.status();
    *out = new rapport_expr(*std::move(expr));
    return absl::OkStatus();
  });
}

rapport_code rapport_expr_to_text(const rapport_expr* expr, char** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(expr);
    RAPPORT_CAPI_REQUIRE(out);
    return rc::ReturnString(expr->expr.ToText(), out);
  });
}

rapport_code rapport_expr_to_json(const rapport_expr* expr, char** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(expr);
    RAPPORT_CAPI_REQUIRE(out);
    return rc::ReturnString(expr->expr.ToJson(), out);
  });
}

void rapport_expr_free(rapport_expr* expr) noexcept { delete expr; }

// ---- Evaluation ----

void rapport_segment_options_init(rapport_segment_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_segment_options{};
  opts->struct_size = sizeof(rapport_segment_options);
  opts->as_of = RAPPORT_AS_OF_NOW;
}

rapport_code rapport_db_segment(rapport_db* db, const char* expr, const rapport_segment_options* opts, int64_t* ids,
                                size_t capacity, size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = CheckCallerArray(kFn, ids, capacity, out_count);
    if (!st.ok()) return st;
    auto parsed = ParseText(kFn, expr);
    if (!parsed.ok()) return parsed.status();
    auto result = Evaluate(kFn, db, *parsed, opts);
    if (!result.ok()) return result.status();
    return ToCallerArray(kFn, *result, ids, capacity, out_count);
  });
}

rapport_code rapport_db_segment_alloc(rapport_db* db, const char* expr, const rapport_segment_options* opts,
                                      int64_t** out_ids, size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_ids);
    RAPPORT_CAPI_REQUIRE(out_count);
    auto parsed = ParseText(kFn, expr);
    if (!parsed.ok()) return parsed.status();
    auto result = Evaluate(kFn, db, *parsed, opts);
    if (!result.ok()) return result.status();
    return ToOwnedArray(*result, out_ids, out_count);
  });
}

rapport_code rapport_db_segment_expr(rapport_db* db, const rapport_expr* expr, const rapport_segment_options* opts,
                                     int64_t* ids, size_t capacity, size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(expr);
    absl::Status st = CheckCallerArray(kFn, ids, capacity, out_count);
    if (!st.ok()) return st;
    auto result = Evaluate(kFn, db, expr->expr, opts);
    if (!result.ok()) return result.status();
    return ToCallerArray(kFn, *result, ids, capacity, out_count);
  });
}

rapport_code rapport_db_segment_expr_alloc(rapport_db* db, const rapport_expr* expr,
                                           const rapport_segment_options* opts, int64_t** out_ids, size_t* out_count,
                                           rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(expr);
    RAPPORT_CAPI_REQUIRE(out_ids);
    RAPPORT_CAPI_REQUIRE(out_count);
    auto result = Evaluate(kFn, db, expr->expr, opts);
    if (!result.ok()) return result.status();
    return ToOwnedArray(*result, out_ids, out_count);
  });
}

rapport_code rapport_db_segment_sql(rapport_db* db, const char* expr, const rapport_segment_options* opts,
                                    char** out_sql, char** out_params_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_sql);
    auto parsed = ParseText(kFn, expr);
    if (!parsed.ok()) return parsed.status();
    return Sql(kFn, db, *parsed, opts, out_sql, out_params_json);
  });
}

rapport_code rapport_db_segment_sql_expr(rapport_db* db, const rapport_expr* expr, const rapport_segment_options* opts,
                                         char** out_sql, char** out_params_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(expr);
    RAPPORT_CAPI_REQUIRE(out_sql);
    return Sql(kFn, db, expr->expr, opts, out_sql, out_params_json);
  });
}

// ---- Saved segments ----

void rapport_segment_def_init(rapport_segment_def* def) noexcept {
  if (def == nullptr) return;
  *def = rapport_segment_def{};
  def->struct_size = sizeof(rapport_segment_def);
  def->kind = RAPPORT_SEGMENT_DYNAMIC;
}

rapport_code rapport_segment_save(rapport_db* db, const rapport_segment_def* def, rapport_segment** out,
                                  rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(def);
    absl::Status st =
        rc::CheckStructSize(kFn, "def", def->struct_size, offsetof(rapport_segment_def, name) + sizeof(char*));
    if (!st.ok()) return st;
    if (st = rc::CheckText(kFn, "def->name", def->name); !st.ok()) return st;
    rapport::SegmentDef d;
    d.name = def->name;
    if (RAPPORT_CAPI_HAS(def, kind)) {
      switch (def->kind) {
        case RAPPORT_SEGMENT_DYNAMIC: d.kind = rapport::SegmentKind::kDynamic; break;
        case RAPPORT_SEGMENT_STATIC: d.kind = rapport::SegmentKind::kStatic; break;
        case RAPPORT_SEGMENT_SUPPRESSION: d.kind = rapport::SegmentKind::kSuppression; break;
        default:
          return absl::InvalidArgumentError(absl::StrCat(kFn, ": def->kind: unknown segment kind ", def->kind));
      }
    }
    if (RAPPORT_CAPI_HAS(def, expression)) {
      if (d.kind == rapport::SegmentKind::kDynamic && def->expression == nullptr) {
        return rc::NullArgument(kFn, "def->expression");
      }
      auto text = rc::OptionalText(kFn, "def->expression", def->expression);
      if (!text.ok()) return text.status();
      d.expression = *std::move(text);
    } else if (d.kind == rapport::SegmentKind::kDynamic) {
      return rc::NullArgument(kFn, "def->expression");
    }
    if (RAPPORT_CAPI_HAS(def, description)) {
      auto text = rc::OptionalText(kFn, "def->description", def->description);
      if (!text.ok()) return text.status();
      d.description = *std::move(text);
    }
    if (RAPPORT_CAPI_HAS(def, frame)) {
      auto frame = rc::FrameOptionsFrom(kFn, "def->frame", def->frame);
      if (!frame.ok()) return frame.status();
      d.frame = *std::move(frame);
    }
    auto saved = db->db.SaveSegment(d);
    if (!saved.ok()) return saved.status();
    if (out != nullptr) *out = new rapport_segment(*std::move(saved));
    return absl::OkStatus();
  });
}

rapport_code rapport_segment_drop(rapport_db* db, const char* name, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = CheckName(kFn, name);
    if (!st.ok()) return st;
    return db->db.DropSegment(name);
  });
}

rapport_code rapport_segment_get(rapport_db* db, const char* name, rapport_segment** out,
                                 rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    absl::Status st = CheckName(kFn, name);
    if (!st.ok()) return st;
    auto segment = db->db.GetSegment(name);
    if (!segment.ok()) return segment.status();
    *out = new rapport_segment(*std::move(segment));
    return absl::OkStatus();
  });
}

rapport_code rapport_segment_list_json(rapport_db* db, char** out_json, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_json);
    auto all = db->db.SavedSegments();
    if (!all.ok()) return all.status();
    rc::OrderedJson j = rc::OrderedJson::array();
    for (const auto& s : *all) j.push_back(rapport::internal::SavedSegmentJson(s));
    return rc::ReturnString(rc::DumpOrdered(j), out_json);
  });
}

int64_t rapport_segment_id(const rapport_segment* s) noexcept { return s ? s->s.id : 0; }
const char* rapport_segment_name(const rapport_segment* s) noexcept { return s ? s->s.name.c_str() : nullptr; }
rapport_segment_kind rapport_segment_kind_of(const rapport_segment* s) noexcept {
  if (s == nullptr) return RAPPORT_SEGMENT_DYNAMIC;
  switch (s->s.kind) {
    case rapport::SegmentKind::kStatic: return RAPPORT_SEGMENT_STATIC;
    case rapport::SegmentKind::kSuppression: return RAPPORT_SEGMENT_SUPPRESSION;
    default: return RAPPORT_SEGMENT_DYNAMIC;
  }
}
const char* rapport_segment_expression(const rapport_segment* s) noexcept {
  return s ? s->s.expression.c_str() : nullptr;
}
const char* rapport_segment_description(const rapport_segment* s) noexcept {
  return s ? s->s.description.c_str() : nullptr;
}
int64_t rapport_segment_created_at(const rapport_segment* s) noexcept { return s ? rc::Micros(s->s.created_at) : 0; }
int64_t rapport_segment_updated_at(const rapport_segment* s) noexcept { return s ? rc::Micros(s->s.updated_at) : 0; }
int rapport_segment_has_refreshed_at(const rapport_segment* s) noexcept { return s && s->s.refreshed_at ? 1 : 0; }
int64_t rapport_segment_refreshed_at(const rapport_segment* s) noexcept {
  return s && s->s.refreshed_at ? rc::Micros(*s->s.refreshed_at) : 0;
}
int rapport_segment_has_history_from(const rapport_segment* s) noexcept { return s && s->s.history_from ? 1 : 0; }
int64_t rapport_segment_history_from(const rapport_segment* s) noexcept {
  return s && s->s.history_from ? rc::Micros(*s->s.history_from) : 0;
}
int64_t rapport_segment_member_count(const rapport_segment* s) noexcept { return s ? s->s.members : 0; }
const char* rapport_segment_currency(const rapport_segment* s) noexcept { return s ? s->s.frame.currency.c_str() : nullptr; }
size_t rapport_segment_order_status_count(const rapport_segment* s) noexcept {
  return s ? s->s.frame.order_statuses.size() : 0;
}
const char* rapport_segment_order_status(const rapport_segment* s, size_t index) noexcept {
  return s && index < s->s.frame.order_statuses.size() ? s->s.frame.order_statuses[index].c_str() : nullptr;
}

const char* rapport_segment_to_json(const rapport_segment* s) noexcept {
  if (s == nullptr) return nullptr;
  return rc::Safe<const char*>(nullptr, [&]() -> const char* {
    if (!s->json) s->json = rc::DumpOrdered(rapport::internal::SavedSegmentJson(s->s));
    return s->json->c_str();
  });
}

void rapport_segment_free(rapport_segment* s) noexcept { delete s; }

rapport_code rapport_segment_refresh(rapport_db* db, const char* name, int64_t as_of, rapport_segment_delta_list** out,
                                     rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = CheckName(kFn, name);
    if (!st.ok()) return st;
    auto delta = db->db.RefreshSegment(name, AsOf(as_of));
    if (!delta.ok()) return delta.status();
    std::vector<rapport::SegmentDelta> deltas;
    deltas.push_back(*std::move(delta));
    return EmitDeltas(std::move(deltas), out);
  });
}

rapport_code rapport_segment_refresh_all(rapport_db* db, int64_t as_of, rapport_segment_delta_list** out,
                                         rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    // The core refreshes segment after segment; one transaction makes a failure leave nothing behind.
    // Inside the caller's own transaction (Begin: FAILED_PRECONDITION) the calls join that one.
    auto txn = db->db.Begin();
    if (!txn.ok() && !absl::IsFailedPrecondition(txn.status())) return txn.status();
    auto deltas = db->db.RefreshSegments(AsOf(as_of));
    if (!deltas.ok()) return deltas.status();  // ~Transaction rolls back
    if (txn.ok()) {
      if (absl::Status st = txn->Commit(); !st.ok()) return st;
    }
    return EmitDeltas(*std::move(deltas), out);
  });
}

size_t rapport_segment_delta_list_count(const rapport_segment_delta_list* l) noexcept {
  return l ? l->items.size() : 0;
}
const char* rapport_segment_delta_list_name(const rapport_segment_delta_list* l, size_t index) noexcept {
  auto* d = Delta(l, index);
  return d ? d->name.c_str() : nullptr;
}
int64_t rapport_segment_delta_list_as_of(const rapport_segment_delta_list* l, size_t index) noexcept {
  auto* d = Delta(l, index);
  return d ? d->as_of : 0;
}
int64_t rapport_segment_delta_list_members(const rapport_segment_delta_list* l, size_t index) noexcept {
  auto* d = Delta(l, index);
  return d ? d->members : 0;
}
size_t rapport_segment_delta_list_entered_count(const rapport_segment_delta_list* l, size_t index) noexcept {
  auto* d = Delta(l, index);
  return d ? d->entered.size() : 0;
}
const int64_t* rapport_segment_delta_list_entered(const rapport_segment_delta_list* l, size_t index) noexcept {
  auto* d = Delta(l, index);
  return d && !d->entered.empty() ? d->entered.data() : nullptr;
}
size_t rapport_segment_delta_list_left_count(const rapport_segment_delta_list* l, size_t index) noexcept {
  auto* d = Delta(l, index);
  return d ? d->left.size() : 0;
}
const int64_t* rapport_segment_delta_list_left(const rapport_segment_delta_list* l, size_t index) noexcept {
  auto* d = Delta(l, index);
  return d && !d->left.empty() ? d->left.data() : nullptr;
}

const char* rapport_segment_delta_list_to_json(const rapport_segment_delta_list* l) noexcept {
  if (l == nullptr) return nullptr;
  return rc::Safe<const char*>(nullptr, [&]() -> const char* {
    if (!l->json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& d : l->items) {
        nlohmann::json item = nlohmann::json::object();
        item["name"] = d.name;
        item["as_of"] = rapport::internal::FormatTimestamp(rc::FromMicros(d.as_of));
        item["entered"] = d.entered;
        item["left"] = d.left;
        item["members"] = d.members;
        j.push_back(std::move(item));
      }
      l->json = rc::Dump(j);
    }
    return l->json->c_str();
  });
}

void rapport_segment_delta_list_free(rapport_segment_delta_list* l) noexcept { delete l; }

rapport_code rapport_segment_add(rapport_db* db, const char* name, const int64_t* ids, size_t count,
                                 rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = CheckName(kFn, name);
    if (!st.ok()) return st;
    auto customers = IdsIn(kFn, ids, count);
    if (!customers.ok()) return customers.status();
    return db->db.AddToSegment(name, *customers);
  });
}

rapport_code rapport_segment_remove(rapport_db* db, const char* name, const int64_t* ids, size_t count,
                                    rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = CheckName(kFn, name);
    if (!st.ok()) return st;
    auto customers = IdsIn(kFn, ids, count);
    if (!customers.ok()) return customers.status();
    return db->db.RemoveFromSegment(name, *customers);
  });
}

rapport_code rapport_segment_members(rapport_db* db, const char* name, int64_t as_of, int64_t* ids, size_t capacity,
                                     size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    absl::Status st = CheckCallerArray(kFn, ids, capacity, out_count);
    if (!st.ok()) return st;
    auto result = Members(kFn, db, name, as_of);
    if (!result.ok()) return result.status();
    return ToCallerArray(kFn, *result, ids, capacity, out_count);
  });
}

rapport_code rapport_segment_members_alloc(rapport_db* db, const char* name, int64_t as_of, int64_t** out_ids,
                                           size_t* out_count, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out_ids);
    RAPPORT_CAPI_REQUIRE(out_count);
    auto result = Members(kFn, db, name, as_of);
    if (!result.ok()) return result.status();
    return ToOwnedArray(*result, out_ids, out_count);
  });
}

}  // extern "C"
