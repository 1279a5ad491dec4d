#include "model/clv_json.h"

#include <string>

namespace rapport::internal {

nlohmann::ordered_json ClvModelJson(std::string_view kind, std::span<const double> params, const ClvFitInfo& info,
                                    bool fitted) {
  using Json = nlohmann::ordered_json;
  const size_t k = params.size();
  auto named = [&](std::span<const double> values) {
    Json j = Json::object();
    for (size_t i = 0; i < k; ++i) j[i < info.names.size() ? info.names[i] : std::to_string(i)] = values[i];
    return j;
  };
  // The fit members exist only for a fit; null (not 0) says "unknown" for a model made from parameters.
  const bool has_covariance = fitted && info.covariance.size() == k * k && info.std_errors.size() == k;
  Json j = Json::object();
  j["model"] = std::string(kind);
  j["params"] = named(params);
  j["std_errors"] = has_covariance ? named(info.std_errors) : Json(nullptr);
  if (has_covariance) {
    Json rows = Json::array();
    for (size_t i = 0; i < k; ++i) {
      Json row = Json::array();
      for (size_t c = 0; c < k; ++c) row.push_back(info.covariance[i * k + c]);
      rows.push_back(std::move(row));
    }
    j["covariance"] = std::move(rows);
  } else {
    j["covariance"] = nullptr;
  }
  j["log_likelihood"] = fitted ? Json(info.log_likelihood) : Json(nullptr);
  j["evaluations"] = fitted ? Json(info.evaluations) : Json(nullptr);
  j["rows"] = fitted ? Json(info.rows) : Json(nullptr);
  j["distinct_rows"] = fitted ? Json(info.distinct_rows) : Json(nullptr);
  j["customers"] = fitted ? Json(info.customers) : Json(nullptr);
  return j;
}

}  // namespace rapport::internal
