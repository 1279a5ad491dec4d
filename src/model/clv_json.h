// The JSON form of a CLV model (include/rapport/clv.h), shared by the C ABI
// (rapport_clv_model_to_json) and the CLI (`rapport clv fit --json`), so that both print one document.
#ifndef RAPPORT_MODEL_CLV_JSON_H_
#define RAPPORT_MODEL_CLV_JSON_H_

#include <span>
#include <string_view>

#include <nlohmann/json.hpp>
#include "rapport/clv.h"

namespace rapport::internal {

// {"model": kind, "params": {name: value}, "std_errors": {name: value}, "covariance": [[row]],
//  "log_likelihood", "evaluations", "rows", "distinct_rows", "customers"}: `kind` as the CLI and the
// database spell it ("bg_nbd", "pareto_nbd", "gamma_gamma", "bg_bb"), `params` in the model's order
// (named by info.names). A model made from parameters (`fitted` false) has null fit members.
nlohmann::ordered_json ClvModelJson(std::string_view kind, std::span<const double> params, const ClvFitInfo& info,
                                    bool fitted);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_CLV_JSON_H_
