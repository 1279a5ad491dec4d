#include "model/frame_loader.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>
#include <type_traits>

#include "absl/time/civil_time.h"
#include "base/money.h"
#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "nlohmann/json.hpp"
#include "rapport/database.h"

namespace rapport::internal {
namespace {

std::optional<std::string_view> OptView(const Statement& st, int col) {
  if (st.IsNull(col)) return std::nullopt;
  return st.TextView(col);
}

int64_t DayMicros(std::string_view text) {
  auto day = ParseDate("date", text);
  if (!day.ok()) return kNullTime;
  return absl::ToUnixMicros(absl::FromCivil(*day, absl::UTCTimeZone()));
}

// One custom field's column and how to read it from the SELECT.
struct CustomReader {
  const CustomFieldDef* def;
  int col;  // first result column
  Column* column = nullptr;
};

std::string InList(size_t n) {
  std::string s = "(";
  for (size_t i = 0; i < n; ++i) s += i ? ", ?" : "?";
  return s + ")";
}

}  // namespace

absl::StatusOr<OrderScope> ResolveOrderScope(Connection& conn, const FrameOptions& options) {
  OrderScope scope;
  if (options.order_statuses.empty()) return absl::InvalidArgumentError("order_statuses: must name at least one status");
  scope.statuses = options.order_statuses;
  scope.currency = options.currency;
  if (scope.currency.empty()) {
    ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT DISTINCT currency FROM orders ORDER BY currency LIMIT 3"));
    std::vector<std::string> found;
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      found.push_back(st.Text(0));
    }
    if (found.size() > 1) {
      return absl::FailedPreconditionError(StrCat("currency: the orders use several currencies (", found[0], ", ", found[1],
                                                  found.size() > 2 ? ", ..." : "", "); choose one in FrameOptions::currency"));
    }
    if (!found.empty()) scope.currency = found[0];
  }
  if (!scope.currency.empty()) {
    ASSIGN_OR_RETURN(scope.digits, CurrencyDigits("currency", scope.currency));
  }
  return scope;
}

namespace {

// A subset of customers is passed as one JSON array parameter (`ids_json`) that leads each join
// (CROSS JOIN fixes the order), so that a few customers cost a few index lookups, not a scan.
std::string From(const std::string* ids_json, std::string_view table_and_alias, std::string_view key) {
  return ids_json ? StrCat(" FROM json_each(?) j CROSS JOIN ", table_and_alias, " ON ", key, " = j.value")
                  : StrCat(" FROM ", table_and_alias);
}

// Text and set columns address their values with 31 bits (see kMovedRow).
absl::Status CheckOffsets(const CustomerFrame& f) {
  for (const auto& [name, column] : f.columns) {
    const auto* t = std::get_if<TextColumn>(&column);
    const auto* s = std::get_if<SetColumn>(&column);
    if ((t && t->chars.size() >= kMovedRow) || (s && s->codes.size() >= kMovedRow)) {
      return absl::ResourceExhaustedError(StrCat(name, ": more than 2^31 bytes or values in one frame column"));
    }
  }
  return absl::OkStatus();
}

// Number, time and bool columns in which no customer has a value hold no array (see NumberColumn):
// a field nobody fills in (a birthday, an owner, a custom field not used yet) costs nothing.
void DropEmptyArrays(CustomerFrame& f) {
  auto missing = [](auto v) {
    if constexpr (std::is_same_v<decltype(v), double>) {
      return std::isnan(v);
    } else if constexpr (std::is_same_v<decltype(v), int64_t>) {
      return v == kNullTime;
    } else {
      return v < 0;
    }
  };
  for (auto& [name, column] : f.columns) {
    std::visit(
        [&](auto& c) {
          using C = std::decay_t<decltype(c)>;
          if constexpr (std::is_same_v<C, NumberColumn> || std::is_same_v<C, TimeColumn> || std::is_same_v<C, BoolColumn>) {
            if (std::all_of(c.values.begin(), c.values.end(), missing)) decltype(c.values)().swap(c.values);
          }
        },
        column);
  }
}

// Core and custom field columns of the live customers (not deleted), ascending id; only those in
// `ids_json` when given.
absl::StatusOr<CustomerFrame> LoadRecords(Connection& conn, const FieldSchema& schema, const std::string* ids_json) {
  std::string sql =
      "SELECT customers.id, kind, name, industry, region, size, source, owner, birthday, lifecycle_stage, created_at, "
      "updated_at";
  std::vector<CustomReader> custom;
  int col = 12;
  for (const auto& [name, field] : schema.fields()) {
    custom.push_back({&field.def, col});
    const std::string path = StrCat("'$.", name, "'");
    switch (field.def.type) {
      case FieldType::kMoney:
        sql += StrCat(", json_extract(custom, '$.", name, ".minor'), json_extract(custom, '$.", name, ".currency')");
        col += 2;
        break;
      case FieldType::kMultiEnum:
        sql += StrCat(", json_extract(custom, ", path, ")");  // a JSON array text
        col += 1;
        break;
      default:
        sql += StrCat(", json_extract(custom, ", path, ")");
        col += 1;
        break;
    }
  }
  sql += StrCat(From(ids_json, "customers", "customers.id"), " WHERE deleted_at IS NULL ORDER BY customers.id");

  CustomerFrame f;
  CategoryColumn kind, industry, region, size, source, stage;
  TextColumn name;
  NumberColumn owner;
  TimeColumn birthday, created, updated;
  std::vector<Column> custom_columns;
  custom_columns.reserve(custom.size());
  for (CustomReader& r : custom) {
    switch (r.def->type) {
      case FieldType::kText: custom_columns.emplace_back(TextColumn{}); break;
      case FieldType::kEnum: custom_columns.emplace_back(CategoryColumn{}); break;
      case FieldType::kMultiEnum: custom_columns.emplace_back(SetColumn{}); break;
      case FieldType::kDate: case FieldType::kTime: custom_columns.emplace_back(TimeColumn{}); break;
      case FieldType::kBool: custom_columns.emplace_back(BoolColumn{}); break;
      default: custom_columns.emplace_back(NumberColumn{}); break;
    }
    r.column = &custom_columns.back();
  }
  ASSIGN_OR_RETURN(Statement st, conn.Prepare(sql));
  if (ids_json) st.Bind(1, *ids_json);
  while (true) {
    ASSIGN_OR_RETURN(bool row, st.Step());
    if (!row) break;
    f.ids.push_back(st.Int(0));
    kind.Append(st.TextView(1));
    name.Append(st.TextView(2));
    industry.Append(OptView(st, 3));
    region.Append(OptView(st, 4));
    size.Append(OptView(st, 5));
    source.Append(OptView(st, 6));
    owner.values.push_back(st.IsNull(7) ? NAN : static_cast<double>(st.Int(7)));
    birthday.values.push_back(st.IsNull(8) ? kNullTime : DayMicros(st.TextView(8)));
    stage.Append(OptView(st, 9));
    created.values.push_back(st.Int(10));
    updated.values.push_back(st.Int(11));
    for (CustomReader& r : custom) {
      const bool null = st.IsNull(r.col);
      switch (r.def->type) {
        case FieldType::kText: std::get<TextColumn>(*r.column).Append(OptView(st, r.col)); break;
        case FieldType::kEnum: std::get<CategoryColumn>(*r.column).Append(OptView(st, r.col)); break;
        case FieldType::kMultiEnum: {
          std::vector<std::string> values;
          if (!null) {
            auto j = nlohmann::json::parse(st.TextView(r.col), nullptr, false);
            if (j.is_array()) {
              for (const auto& v : j)
                if (v.is_string()) values.push_back(v.get<std::string>());
            }
          }
          std::vector<std::string_view> views(values.begin(), values.end());
          std::get<SetColumn>(*r.column).Append(views);
          break;
        }
        case FieldType::kDate:
          std::get<TimeColumn>(*r.column).values.push_back(null ? kNullTime : DayMicros(st.TextView(r.col)));
          break;
        case FieldType::kTime: std::get<TimeColumn>(*r.column).values.push_back(null ? kNullTime : st.Int(r.col)); break;
        case FieldType::kBool:
          std::get<BoolColumn>(*r.column).values.push_back(null ? int8_t{-1} : static_cast<int8_t>(st.Int(r.col) != 0));
          break;
        case FieldType::kMoney: {
          double v = NAN;
          if (!null) {
            auto digits = CurrencyDigits("currency", st.TextView(r.col + 1));
            v = static_cast<double>(st.Int(r.col)) / std::pow(10.0, digits.ok() ? *digits : 2);
          }
          std::get<NumberColumn>(*r.column).values.push_back(v);
          break;
        }
        default:  // integer, decimal (stored as canonical decimal text)
          std::get<NumberColumn>(*r.column).values.push_back(null ? NAN : st.Double(r.col));
          break;
      }
    }
  }
  f.Add("kind", std::move(kind));
  f.Add("name", std::move(name));
  f.Add("industry", std::move(industry));
  f.Add("region", std::move(region));
  f.Add("size", std::move(size));
  f.Add("source", std::move(source));
  f.Add("owner", std::move(owner));
  f.Add("birthday", std::move(birthday));
  f.Add("lifecycle_stage", std::move(stage));
  f.Add("created_at", std::move(created));
  f.Add("updated_at", std::move(updated));
  for (size_t k = 0; k < custom.size(); ++k) f.Add(custom[k].def->name, std::move(custom_columns[k]));
  DropEmptyArrays(f);
  return f;
}

// The columns before which LoadRecords' frame gets "tags" (after the core fields).
constexpr size_t kTagsColumn = 11;

// The tags of the customers in `ids` (ascending), in (customer, tag) order, one row per customer;
// the table is read whole unless `ids_json` (the same ids) is given.
absl::StatusOr<SetColumn> LoadTags(Connection& conn, const std::vector<int64_t>& ids, const std::string* ids_json) {
  const size_t n = ids.size();
  SetColumn tags;
  tags.offsets.reserve(n + 1);
  if (n == 0) return tags;
  // No join with customers: tags of customers outside `ids` (deleted ones) are skipped below.
  ASSIGN_OR_RETURN(Statement t, conn.Prepare(StrCat("SELECT t.customer_id, t.tag", From(ids_json, "customer_tags t", "t.customer_id"),
                                                    " ORDER BY t.customer_id, t.tag")));
  if (ids_json) t.Bind(1, *ids_json);
  size_t row = 0;
  std::vector<std::string_view> current;
  std::vector<std::string> storage;
  ASSIGN_OR_RETURN(bool have, t.Step());
  while (row < n) {
    storage.clear();
    while (have && t.Int(0) < ids[row]) {
      ASSIGN_OR_RETURN(have, t.Step());
    }
    while (have && t.Int(0) == ids[row]) {
      storage.push_back(t.Text(1));
      ASSIGN_OR_RETURN(have, t.Step());
    }
    current.assign(storage.begin(), storage.end());
    tags.Append(current);
    ++row;
  }
  return tags;
}

// Adds the order metric columns of the customers `ids` (ascending; f.ids) to `f`.
absl::Status AddOrderColumns(Connection& conn, const OrderScope& scope, const std::vector<int64_t>& ids,
                             const std::string* ids_json, CustomerFrame& f) {
  const size_t n = ids.size();
  // Order metrics, summed in minor units so that the totals are exact.
  NumberColumn frequency{std::vector<double>(n, 0.0)}, monetary{std::vector<double>(n, 0.0)};
  NumberColumn aov{std::vector<double>(n, NAN)}, interval{std::vector<double>(n, NAN)};
  TimeColumn first{std::vector<int64_t>(n, kNullTime)}, last{std::vector<int64_t>(n, kNullTime)};
  if (!scope.currency.empty() && n > 0) {
    ASSIGN_OR_RETURN(Statement o, conn.Prepare(StrCat(
        "SELECT o.customer_id, count(*), sum(o.amount_minor), min(o.ordered_at), max(o.ordered_at)",
        From(ids_json, "orders o", "o.customer_id"), " WHERE o.status IN ", InList(scope.statuses.size()),
        " AND o.currency = ? GROUP BY o.customer_id ORDER BY o.customer_id")));
    int i = 1;
    if (ids_json) o.Bind(i++, *ids_json);
    for (const std::string& s : scope.statuses) o.Bind(i++, s);
    o.Bind(i, scope.currency);
    const double unit = std::pow(10.0, scope.digits);
    size_t row = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool have, o.Step());
      if (!have) break;
      int64_t id = o.Int(0);
      while (row < n && ids[row] < id) ++row;
      if (row >= n) break;
      if (ids[row] != id) continue;
      const double count = static_cast<double>(o.Int(1));
      frequency.values[row] = count;
      monetary.values[row] = static_cast<double>(o.Int(2)) / unit;
      aov.values[row] = monetary.values[row] / count;
      first.values[row] = o.Int(3);
      last.values[row] = o.Int(4);
      if (count >= 2) {
        interval.values[row] = static_cast<double>(last.values[row] - first.values[row]) / (count - 1) /
                               static_cast<double>(kMicrosPerDay);
      }
    }
  }

  f.Add("frequency", std::move(frequency));
  f.Add("monetary", std::move(monetary));
  f.Add("aov", std::move(aov));
  f.Add("first_order_at", std::move(first));
  f.Add("last_order_at", std::move(last));
  f.Add("mean_interpurchase_days", std::move(interval));
  return absl::OkStatus();
}

std::string IdsJson(const std::vector<int64_t>& ids) { return nlohmann::json(ids).dump(); }

// The score columns of the customers `ids` (ascending; f.ids), added to `f` or replacing its own.
absl::Status AddScoreColumns(Connection& conn, const std::vector<int64_t>& ids, const std::string* ids_json,
                             CustomerFrame& f) {
  constexpr size_t kScores = std::size(kClvScoreColumns);
  const size_t n = ids.size();
  // No arrays until a customer has a score: before any model is applied the columns cost nothing.
  std::array<NumberColumn, kScores> scores;
  if (n > 0) {
    ASSIGN_OR_RETURN(Statement st, conn.Prepare(StrCat(
        "SELECT s.customer_id, s.p_alive, s.expected_purchases_90d, s.clv, s.churn_risk",
        From(ids_json, "customer_scores s", "s.customer_id"), " ORDER BY s.customer_id")));
    if (ids_json) st.Bind(1, *ids_json);
    size_t row = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool have, st.Step());
      if (!have) break;
      const int64_t id = st.Int(0);
      while (row < n && ids[row] < id) ++row;
      if (row >= n) break;
      if (ids[row] != id) continue;  // a deleted customer's scores
      for (size_t k = 0; k < kScores; ++k) {
        if (st.IsNull(static_cast<int>(k) + 1)) continue;
        if (scores[k].values.empty()) scores[k].values.assign(n, NAN);
        scores[k].values[row] = st.Double(static_cast<int>(k) + 1);
      }
    }
  }
  for (size_t k = 0; k < kScores; ++k) {
    if (Column* existing = f.FindMutable(kClvScoreColumns[k])) {
      *existing = std::move(scores[k]);
    } else {
      f.Add(kClvScoreColumns[k], std::move(scores[k]));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status SetClvScoreColumns(Connection& conn, CustomerFrame& f) { return AddScoreColumns(conn, f.ids, nullptr, f); }

absl::StatusOr<CustomerFrame> LoadCustomerFrame(Connection& conn, const FieldSchema& schema, const OrderScope& scope,
                                                const std::vector<int64_t>* only, bool clv_scores) {
  const std::string ids_json = only ? IdsJson(*only) : "";
  const std::string* subset = only ? &ids_json : nullptr;
  ASSIGN_OR_RETURN(CustomerFrame f, LoadRecords(conn, schema, subset));
  ASSIGN_OR_RETURN(SetColumn tags, LoadTags(conn, f.ids, subset));
  f.columns.emplace(f.columns.begin() + kTagsColumn, "tags", std::move(tags));
  RETURN_IF_ERROR(AddOrderColumns(conn, scope, f.ids, subset, f));
  if (clv_scores) RETURN_IF_ERROR(AddScoreColumns(conn, f.ids, subset, f));
  RETURN_IF_ERROR(CheckOffsets(f));
  f.ShrinkToFit();
  return f;
}

absl::StatusOr<FramePatch> LoadFramePatch(Connection& conn, const FieldSchema& schema, const OrderScope& scope,
                                          const FrameRereads& rereads) {
  FramePatch patch;
  patch.checked = rereads.records;
  const std::string records_json = IdsJson(rereads.records);
  ASSIGN_OR_RETURN(CustomerFrame records, LoadRecords(conn, schema, &records_json));
  patch.parts.push_back(std::move(records));

  CustomerFrame tags;
  tags.ids = rereads.tags;
  const std::string tags_json = IdsJson(rereads.tags);
  ASSIGN_OR_RETURN(SetColumn tag_column, LoadTags(conn, tags.ids, &tags_json));
  tags.Add("tags", std::move(tag_column));
  patch.parts.push_back(std::move(tags));

  CustomerFrame orders;
  orders.ids = rereads.orders;
  const std::string orders_json = IdsJson(rereads.orders);
  RETURN_IF_ERROR(AddOrderColumns(conn, scope, orders.ids, &orders_json, orders));
  patch.parts.push_back(std::move(orders));

  if (rereads.clv_scores) {
    CustomerFrame scores;
    scores.ids = *rereads.clv_scores;
    const std::string scores_json = IdsJson(scores.ids);
    RETURN_IF_ERROR(AddScoreColumns(conn, scores.ids, &scores_json, scores));
    patch.parts.push_back(std::move(scores));
  }
  for (const CustomerFrame& part : patch.parts) RETURN_IF_ERROR(CheckOffsets(part));
  return patch;
}

absl::StatusOr<OrderFrame> LoadOrderFrame(Connection& conn, const OrderScope& scope) {
  OrderFrame f;
  if (scope.currency.empty()) return f;
  ASSIGN_OR_RETURN(Statement o, conn.Prepare(StrCat(
      "SELECT o.customer_id, o.ordered_at, o.amount_minor FROM orders o JOIN customers c ON c.id = o.customer_id "
      "WHERE c.deleted_at IS NULL AND o.status IN ", InList(scope.statuses.size()),
      " AND o.currency = ? ORDER BY o.customer_id, o.ordered_at, o.id")));
  int i = 1;
  for (const std::string& s : scope.statuses) o.Bind(i++, s);
  o.Bind(i, scope.currency);
  const double unit = std::pow(10.0, scope.digits);
  while (true) {
    ASSIGN_OR_RETURN(bool have, o.Step());
    if (!have) break;
    f.customer.push_back(o.Int(0));
    f.at.push_back(o.Int(1));
    f.amount.push_back(static_cast<double>(o.Int(2)) / unit);
  }
  return f;
}

SqlSchema MakeSqlSchema(const FieldSchema& schema, const OrderScope& scope) {
  SqlSchema s;
  s.fields = {{"kind", ColumnType::kCategory},      {"name", ColumnType::kText},
              {"industry", ColumnType::kCategory},  {"region", ColumnType::kCategory},
              {"size", ColumnType::kCategory},      {"source", ColumnType::kCategory},
              {"owner", ColumnType::kNumber},       {"birthday", ColumnType::kTime},
              {"lifecycle_stage", ColumnType::kCategory}, {"created_at", ColumnType::kTime},
              {"updated_at", ColumnType::kTime},    {"tags", ColumnType::kSet}};
  for (const auto& [name, field] : schema.fields()) {
    ColumnType t = ColumnType::kNumber;
    switch (field.def.type) {
      case FieldType::kText: t = ColumnType::kText; break;
      case FieldType::kEnum: t = ColumnType::kCategory; break;
      case FieldType::kMultiEnum: t = ColumnType::kSet; break;
      case FieldType::kDate: case FieldType::kTime: t = ColumnType::kTime; break;
      case FieldType::kBool: t = ColumnType::kBool; break;
      default: break;
    }
    s.fields.push_back({name, t});
    SqlSchema::CustomField cf{name, static_cast<int>(field.def.type), -1, field.def.options};
    if (field.def.type == FieldType::kMoney && !field.def.currency.empty()) {
      auto digits = CurrencyDigits("currency", field.def.currency);
      cf.currency_digits = digits.ok() ? *digits : 2;
    }
    s.custom_fields.push_back(std::move(cf));
  }
  for (const char* m : {"frequency", "monetary", "aov", "mean_interpurchase_days"}) s.fields.push_back({m, ColumnType::kNumber});
  for (const char* m : {"first_order_at", "last_order_at"}) s.fields.push_back({m, ColumnType::kTime});
  for (std::string_view m : kClvScoreColumns) s.fields.push_back({std::string(m), ColumnType::kNumber});
  s.order_statuses = scope.statuses;
  s.currency = scope.currency;
  s.currency_digits = scope.digits;
  return s;
}

}  // namespace rapport::internal
