// Frames of the analytics C ABI: orders, events and stage history copied from caller arrays (or
// orders loaded from a database), customer groups for breakdowns, and the shared helpers.
#include <cstring>
#include <limits>

#include "analytics_internal.h"
#include "base/text.h"
#include "base/time_format.h"

namespace rc = rapport::capi;

namespace rapport::capi {

absl::StatusOr<std::vector<std::string>> StringList(const char* fn, const std::string& name,
                                                    const char* const* values, size_t count) {
  if (values == nullptr && count > 0) return NullArgument(fn, name.c_str());
  std::vector<std::string> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const std::string element = absl::StrCat(name, "[", i, "]");
    absl::Status st = CheckText(fn, element.c_str(), values[i]);
    if (!st.ok()) return st;
    out.emplace_back(values[i]);
  }
  return out;
}

absl::StatusOr<rapport::FrameOptions> FrameOptionsFrom(const char* fn, const char* arg, const rapport_frame_options* opts) {
  rapport::FrameOptions o;
  if (opts == nullptr) return o;
  const std::string name(arg);
  absl::Status st = CheckStructSize(fn, name.c_str(), opts->struct_size,
                                    offsetof(rapport_frame_options, currency) + sizeof(const char*));
  if (!st.ok()) return st;
  auto currency = OptionalText(fn, (name + "->currency").c_str(), opts->currency);
  if (!currency.ok()) return currency.status();
  o.currency = *std::move(currency);
  if (RAPPORT_CAPI_HAS(opts, order_status_count) && opts->order_status_count > 0) {
    auto statuses = StringList(fn, name + "->order_statuses", opts->order_statuses, opts->order_status_count);
    if (!statuses.ok()) return statuses.status();
    o.order_statuses = *std::move(statuses);
  }
  return o;
}

}  // namespace rapport::capi

namespace {

// A category column from C strings (NULL: missing); each distinct string is checked once.
absl::Status StringColumn(const char* name, const char* const* values, size_t rows,
                          rapport::CategoryColumn& column) {
  column.codes.reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    if (values[i] == nullptr) {
      column.codes.push_back(rapport::CategoryColumn::kNullCode);
      continue;
    }
    const std::string_view value(values[i]);
    int32_t code = column.dictionary.Find(value);
    if (code < 0) {
      absl::Status st = rapport::internal::CheckUtf8(absl::StrCat(name, "[", i, "]"), value);
      if (!st.ok()) return st;
      code = column.dictionary.Intern(value);
    }
    column.codes.push_back(code);
  }
  return absl::OkStatus();
}

// A category column from codes into the caller's dictionary (-1: missing). Codes outside it get the
// core's message ("<what> code C at row R is not in the dictionary").
absl::Status CodedColumn(const char* fn, std::string_view what, const int32_t* codes, const char* const* dictionary,
                         size_t dictionary_size, size_t rows, rapport::CategoryColumn& column) {
  if (dictionary == nullptr && dictionary_size > 0) return rc::NullArgument(fn, "dictionary");
  std::vector<int32_t> remap(dictionary_size);
  for (size_t j = 0; j < dictionary_size; ++j) {
    const std::string element = absl::StrCat("dictionary[", j, "]");
    absl::Status st = rc::CheckText(fn, element.c_str(), dictionary[j]);
    if (!st.ok()) return st;
    remap[j] = column.dictionary.Intern(dictionary[j]);  // a repeated string keeps its first code
  }
  std::vector<int32_t> mapped(rows);
  for (size_t i = 0; i < rows; ++i) {
    const int32_t code = codes[i];
    if (code == rapport::CategoryColumn::kNullCode) {
      mapped[i] = code;
    } else if (code < -1 || static_cast<uint64_t>(code) >= dictionary_size) {
      return absl::InvalidArgumentError(absl::StrCat(std::string(what), " code ", code, " at row ", i, " is not in the dictionary"));
    } else {
      mapped[i] = remap[code];
    }
  }
  column.codes.assign(mapped.begin(), mapped.end());
  return absl::OkStatus();
}


template <typename T>
void Copy(const T* values, size_t rows, std::vector<T>& out) {
  if (rows > 0) out.assign(values, values + rows);
}

}  // namespace

extern "C" {

// ---- Order frames ----

rapport_code rapport_order_frame_create(const int64_t* customer, const int64_t* at, const double* amount, size_t rows,
                                        rapport_order_frame** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    for (auto [name, array] : {std::pair<const char*, const void*>{"customer", customer}, {"at", at}, {"amount", amount}}) {
      if (absl::Status st = rc::CheckArray(kFn, name, array, rows); !st.ok()) return st;
    }
    auto frame = std::make_unique<rapport_order_frame>();
    Copy(customer, rows, frame->frame.customer);
    Copy(at, rows, frame->frame.at);
    Copy(amount, rows, frame->frame.amount);
    *out = frame.release();
    return absl::OkStatus();
  });
}

void rapport_frame_options_init(rapport_frame_options* opts) noexcept {
  if (opts == nullptr) return;
  *opts = rapport_frame_options{};
  opts->struct_size = sizeof(rapport_frame_options);
}

rapport_code rapport_db_order_frame(rapport_db* db, const rapport_frame_options* opts, rapport_order_frame** out,
                                    rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(db);
    RAPPORT_CAPI_REQUIRE(out);
    auto options = rc::FrameOptionsFrom(kFn, "opts", opts);
    if (!options.ok()) return options.status();
    auto frame = db->db.LoadOrderFrame(*options);
    if (!frame.ok()) return frame.status();
    auto handle = std::make_unique<rapport_order_frame>();
    handle->frame = *std::move(frame);
    *out = handle.release();
    return absl::OkStatus();
  });
}

size_t rapport_order_frame_rows(const rapport_order_frame* frame) noexcept { return frame ? frame->frame.rows() : 0; }

rapport_code rapport_order_frame_columns(const rapport_order_frame* frame, int64_t* customer, int64_t* at,
                                         double* amount, size_t capacity, size_t* out_count,
                                         rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(frame);
    RAPPORT_CAPI_REQUIRE(out_count);
    const rapport::OrderFrame& f = frame->frame;
    const size_t n = f.rows();
    if (customer == nullptr && at == nullptr && amount == nullptr) {
      *out_count = n;
      return absl::OkStatus();
    }
    if (n > capacity) {
      *out_count = n;
      return rc::TooSmall(kFn, n, capacity);
    }
    if (n > 0) {
      if (customer != nullptr) std::memcpy(customer, f.customer.data(), n * sizeof(int64_t));
      if (at != nullptr) std::memcpy(at, f.at.data(), n * sizeof(int64_t));
      if (amount != nullptr) std::memcpy(amount, f.amount.data(), n * sizeof(double));
    }
    *out_count = n;
    return absl::OkStatus();
  });
}

void rapport_order_frame_free(rapport_order_frame* frame) noexcept { delete frame; }

// ---- Event frames ----

rapport_code rapport_event_frame_create(const int64_t* customer, const char* const* kind, const int64_t* at,
                                        size_t rows, rapport_event_frame** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    for (auto [name, array] : {std::pair<const char*, const void*>{"customer", customer}, {"kind", kind}, {"at", at}}) {
      if (absl::Status st = rc::CheckArray(kFn, name, array, rows); !st.ok()) return st;
    }
    auto frame = std::make_unique<rapport_event_frame>();
    if (absl::Status st = StringColumn("kind", kind, rows, frame->frame.kind); !st.ok()) return st;
    Copy(customer, rows, frame->frame.customer);
    Copy(at, rows, frame->frame.at);
    *out = frame.release();
    return absl::OkStatus();
  });
}

rapport_code rapport_event_frame_create_coded(const int64_t* customer, const int32_t* kind_codes,
                                              const char* const* dictionary, size_t dictionary_size, const int64_t* at,
                                              size_t rows, rapport_event_frame** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    for (auto [name, array] :
         {std::pair<const char*, const void*>{"customer", customer}, {"kind_codes", kind_codes}, {"at", at}}) {
      if (absl::Status st = rc::CheckArray(kFn, name, array, rows); !st.ok()) return st;
    }
    auto frame = std::make_unique<rapport_event_frame>();
    absl::Status st = CodedColumn(kFn, "events: kind", kind_codes, dictionary, dictionary_size, rows, frame->frame.kind);
    if (!st.ok()) return st;
    Copy(customer, rows, frame->frame.customer);
    Copy(at, rows, frame->frame.at);
    *out = frame.release();
    return absl::OkStatus();
  });
}

size_t rapport_event_frame_rows(const rapport_event_frame* frame) noexcept { return frame ? frame->frame.rows() : 0; }

void rapport_event_frame_free(rapport_event_frame* frame) noexcept { delete frame; }

// ---- Stage history frames ----

rapport_code rapport_stage_history_frame_create(const int64_t* entity, const char* const* stage,
                                                const int64_t* entered_at, size_t rows,
                                                rapport_stage_history_frame** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    for (auto [name, array] :
         {std::pair<const char*, const void*>{"entity", entity}, {"stage", stage}, {"entered_at", entered_at}}) {
      if (absl::Status st = rc::CheckArray(kFn, name, array, rows); !st.ok()) return st;
    }
    auto frame = std::make_unique<rapport_stage_history_frame>();
    if (absl::Status st = StringColumn("stage", stage, rows, frame->frame.stage); !st.ok()) return st;
    Copy(entity, rows, frame->frame.entity);
    Copy(entered_at, rows, frame->frame.entered_at);
    *out = frame.release();
    return absl::OkStatus();
  });
}

rapport_code rapport_stage_history_frame_create_coded(const int64_t* entity, const int32_t* stage_codes,
                                                      const char* const* dictionary, size_t dictionary_size,
                                                      const int64_t* entered_at, size_t rows,
                                                      rapport_stage_history_frame** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    for (auto [name, array] : {std::pair<const char*, const void*>{"entity", entity},
                               {"stage_codes", stage_codes},
                               {"entered_at", entered_at}}) {
      if (absl::Status st = rc::CheckArray(kFn, name, array, rows); !st.ok()) return st;
    }
    auto frame = std::make_unique<rapport_stage_history_frame>();
    absl::Status st =
        CodedColumn(kFn, "history: stage", stage_codes, dictionary, dictionary_size, rows, frame->frame.stage);
    if (!st.ok()) return st;
    Copy(entity, rows, frame->frame.entity);
    Copy(entered_at, rows, frame->frame.entered_at);
    *out = frame.release();
    return absl::OkStatus();
  });
}

size_t rapport_stage_history_frame_rows(const rapport_stage_history_frame* frame) noexcept {
  return frame ? frame->frame.rows() : 0;
}

void rapport_stage_history_frame_free(rapport_stage_history_frame* frame) noexcept { delete frame; }

// ---- Customer groups ----

rapport_code rapport_customer_groups_create(const int64_t* customer, const char* const* group, size_t rows,
                                            rapport_customer_groups** out, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(out);
    for (auto [name, array] : {std::pair<const char*, const void*>{"customer", customer}, {"group", group}}) {
      if (absl::Status st = rc::CheckArray(kFn, name, array, rows); !st.ok()) return st;
    }
    auto groups = std::make_unique<rapport_customer_groups>();
    if (absl::Status st = StringColumn("group", group, rows, groups->groups.group); !st.ok()) return st;
    Copy(customer, rows, groups->groups.customer);
    *out = groups.release();
    return absl::OkStatus();
  });
}

void rapport_customer_groups_free(rapport_customer_groups* groups) noexcept { delete groups; }

}  // extern "C"
