// CLV model checking through the C ABI: calibration against holdout and the frequency/recency matrix,
// written into caller arrays. The core computes first and the arrays are filled only when everything
// fits, so a failed call leaves them as they were.
#include <algorithm>

#include "clv_internal.h"
#include "rapport/clv_check.h"

namespace rc = rapport::capi;

namespace {

// Checks that each of the named arrays holds `n` values, then copies `values[i]` into `outs[i]`.
absl::Status FillAll(const char* fn, std::initializer_list<std::pair<const char*, double*>> outs, size_t capacity,
                     std::initializer_list<const std::vector<double>*> values) {
  std::vector<std::span<double>> spans;
  const size_t n = (*values.begin())->size();
  for (const auto& [name, out] : outs) {
    auto span = rc::OutputArray(fn, out, capacity, n, name);
    if (!span.ok()) return span.status();
    spans.push_back(*span);
  }
  auto value = values.begin();
  for (std::span<double> span : spans) {
    std::copy((*value)->begin(), (*value)->end(), span.begin());
    ++value;
  }
  return absl::OkStatus();
}

}  // namespace

rapport_code rapport_clv_calibration_holdout(const rapport_clv_model* model, const rapport_clv_summary* summary,
                                             int32_t max_frequency, double* customers, double* actual,
                                             double* expected, size_t capacity, rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    RAPPORT_CAPI_REQUIRE(summary);
    auto purchases = rc::ContinuousModel("model", *model);
    if (!purchases.ok()) return purchases.status();
    auto groups = rapport::CompareCalibrationHoldout(**purchases, summary->summary, {.max_frequency = max_frequency});
    if (!groups.ok()) return groups.status();
    return FillAll(kFn, {{"customers", customers}, {"actual", actual}, {"expected", expected}}, capacity,
                   {&groups->customers, &groups->actual, &groups->expected});
  });
}

rapport_code rapport_clv_frequency_recency_matrix(const rapport_clv_model* model, double age, int32_t max_frequency,
                                                  const double* recency, size_t recency_count, double horizon,
                                                  double* expected, double* p_alive, size_t capacity,
                                                  rapport_error** err) noexcept {
  RAPPORT_CAPI_FN;
  return rc::Guard(err, kFn, [&]() -> absl::Status {
    RAPPORT_CAPI_REQUIRE(model);
    auto purchases = rc::ContinuousModel("model", *model);
    if (!purchases.ok()) return purchases.status();
    // C callers size their arrays from recency_count, so the columns are never implied.
    if (recency_count == 0) return absl::InvalidArgumentError("recency: needs at least one column");
    auto columns = rc::InputArray(kFn, "recency", recency, recency_count);
    if (!columns.ok()) return columns.status();
    rapport::FrequencyRecencyOptions options{.age = age, .max_frequency = max_frequency, .horizon = horizon};
    options.recency.assign(columns->begin(), columns->end());
    auto matrix = rapport::ComputeFrequencyRecencyMatrix(**purchases, options);
    if (!matrix.ok()) return matrix.status();
    return FillAll(kFn, {{"expected", expected}, {"p_alive", p_alive}}, capacity, {&matrix->expected, &matrix->p_alive});
  });
}
