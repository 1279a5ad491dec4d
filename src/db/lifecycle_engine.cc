#include "db/lifecycle_engine.h"

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "base/status_macros.h"
#include "base/strings.h"
#include "base/time_format.h"
#include "db/facade_util.h"
#include "model/lifecycle_repository.h"
#include "model/segment_repository.h"
#include "rules/lifecycle_policy.h"

namespace rapport::internal {
namespace {

constexpr char kHookName[] = "lifecycle";
// Customers evaluated per write transaction by the hook: bounds the frame loaded and the time the
// write lock is held after a large import.
constexpr size_t kHookBatch = 20000;

bool KindMatches(const LifecycleAttachment& a, std::string_view kind) {
  if (a.kinds.empty()) return true;
  for (CustomerKind k : a.kinds)
    if (ToString(k) == kind) return true;
  return false;
}

bool KindsOverlap(const LifecycleAttachment& a, const LifecycleAttachment& b) {
  if (a.kinds.empty() || b.kinds.empty()) return true;
  for (CustomerKind k : a.kinds)
    if (std::find(b.kinds.begin(), b.kinds.end(), k) != b.kinds.end()) return true;
  return false;
}

std::string KindsText(const LifecycleAttachment& a) {
  if (a.kinds.empty()) return "customers of every kind";
  std::string out;
  for (CustomerKind k : a.kinds) out += StrCat(out.empty() ? "" : " and ", ToString(k));
  return out + " customers";
}

absl::StatusOr<std::vector<int64_t>> AttachedMembers(Connection& conn, const std::string& segment) {
  ASSIGN_OR_RETURN(SavedSegment s, LoadSegment(conn, segment));
  return CurrentMembers(conn, s.id);
}

// The parsed conditions of a model (nullopt for stages without one).
absl::StatusOr<std::vector<std::optional<SegmentExpr>>> Conditions(const LifecycleModel& m) {
  std::vector<std::optional<SegmentExpr>> out;
  for (size_t i = 0; i < m.stages.size(); ++i) {
    if (m.stages[i].condition.empty()) {
      out.emplace_back();
      continue;
    }
    auto e = SegmentExpr::Parse(m.stages[i].condition);
    if (!e.ok()) return absl::InvalidArgumentError(StrCat("stages[", i, "].condition: ", e.status().message()));
    out.emplace_back(std::move(*e));
  }
  return out;
}

// "1:7: problem" -> "problem".
std::string_view WithoutPosition(absl::string_view message) {
  std::string_view m(message.data(), message.size());
  size_t i = 0;
  for (int part = 0; part < 2; ++part) {
    const size_t digits = i;
    while (i < m.size() && m[i] >= '0' && m[i] <= '9') ++i;
    if (i == digits || i >= m.size() || m[i] != ':') return m;
    ++i;
  }
  return i < m.size() && m[i] == ' ' ? m.substr(i + 1) : m;
}

std::string Reason(const LifecycleModel& m, int from, int to, uint8_t causes) {
  if (from < 0 && m.stages[to].condition.empty()) return "entry stage";
  if (m.stages[to].condition.empty() || (from >= 0 && to < from)) {
    const bool order = TransitionFires(m, from, to, causes & kCauseOrder);
    return StrCat("on ", order ? "order" : to < from ? "transition" : "activity", ": \"", m.stages[from].name,
                  "\" -> \"", m.stages[to].name, "\"", m.stages[to].condition.empty() ? "" : StrCat(" and condition: ", m.stages[to].condition));
  }
  return StrCat("condition: ", m.stages[to].condition);
}

// What the hook keeps between calls: the currency the orders use (resolving it scans the orders).
struct HookState {
  std::mutex mu;
  std::optional<std::string> currency;
};

absl::Status RunHook(Core& core, CommittedSeqs seqs, HookState& state) {
  struct Touched {
    std::vector<int64_t> ids;
    absl::flat_hash_map<int64_t, uint8_t> causes;
    bool new_currency = false;
  };
  std::optional<std::string> known_currency;
  {
    std::lock_guard<std::mutex> lock(state.mu);
    known_currency = state.currency;
  }
  ASSIGN_OR_RETURN(Touched touched, core.Read([&](Connection& conn) -> absl::StatusOr<Touched> {
    Touched t;
    // `+entity` keeps the planner on the seq range (see frame_changes.cc).
    ASSIGN_OR_RETURN(Statement st, conn.Prepare(
                                       "SELECT entity, customer_id, op, CASE WHEN op = 'import' THEN after END, "
                                       "CASE WHEN entity = 'order' AND json_valid(after) THEN json_extract(after, '$.currency') END "
                                       "FROM changes WHERE seq BETWEEN ? AND ? AND +entity IN ('customer', 'order', 'activity')"));
    st.Bind(1, seqs.first).Bind(2, seqs.last);
    while (true) {
      ASSIGN_OR_RETURN(bool row, st.Step());
      if (!row) break;
      std::string_view entity = st.TextView(0);
      std::string_view op = st.TextView(2);
      if (entity == "customer" && op == "import") {
        auto after = nlohmann::json::parse(st.TextView(3), nullptr, false);
        if (after.is_object() && after.contains("created_ids")) {
          for (const auto& range : after["created_ids"]) {
            for (int64_t id = range[0].get<int64_t>(); id <= range[1].get<int64_t>(); ++id) t.ids.push_back(id);
          }
        }
        continue;
      }
      if (st.IsNull(1) || op == "purge" || op == "delete") continue;
      const int64_t id = st.Int(1);
      t.ids.push_back(id);
      if (entity == "order") {
        t.causes[id] |= kCauseOrder;
        if (!st.IsNull(4) && known_currency && st.TextView(4) != *known_currency) t.new_currency = true;
      } else if (entity == "activity") {
        t.causes[id] |= kCauseActivity;
      }
    }
    return t;
  }));
  if (touched.ids.empty()) return absl::OkStatus();
  std::sort(touched.ids.begin(), touched.ids.end());
  touched.ids.erase(std::unique(touched.ids.begin(), touched.ids.end()), touched.ids.end());
  if (touched.new_currency) known_currency.reset();
  for (size_t begin = 0; begin < touched.ids.size(); begin += kHookBatch) {
    const std::vector<int64_t> batch(touched.ids.begin() + begin,
                                     touched.ids.begin() + std::min(touched.ids.size(), begin + kHookBatch));
    RETURN_IF_ERROR(Mutate(core, Actor::System("lifecycle"), [&](const WriteContext& ctx) -> absl::Status {
      ASSIGN_OR_RETURN(std::vector<LifecycleModel> models, LoadLifecycleModels(ctx.conn));
      if (models.empty()) return absl::OkStatus();
      FrameOptions options;
      if (known_currency) options.currency = *known_currency;
      ASSIGN_OR_RETURN(OrderScope scope, ResolveOrderScope(ctx.conn, options));
      if (!scope.currency.empty()) known_currency = scope.currency;
      return EvaluateCustomers(ctx, models, scope, &batch, touched.causes, ctx.now, false).status();
    }));
  }
  std::lock_guard<std::mutex> lock(state.mu);
  state.currency = known_currency;
  return absl::OkStatus();
}

}  // namespace

absl::Status CheckModelAgainstStore(Connection& conn, const FieldSchema& schema, const LifecycleModel& model,
                                    const std::vector<LifecycleModel>& others) {
  const OrderScope no_orders;
  const SegmentSchema fields = MakeSqlSchema(schema, no_orders).fields;
  for (size_t i = 0; i < model.stages.size(); ++i) {
    const std::string& text = model.stages[i].condition;
    if (text.empty()) continue;
    const std::string at = StrCat("stages[", i, "].condition");
    auto parsed = SegmentExpr::Parse(text);
    if (!parsed.ok()) return absl::InvalidArgumentError(StrCat(at, ": ", parsed.status().message()));
    // Checked without the source text (no caret line under a one-line condition), and without the
    // "line:column: " prefix, which the field path replaces.
    absl::Status checked = CheckSegment(SegmentExpr(parsed->node_ptr()), fields);
    if (!checked.ok()) return absl::InvalidArgumentError(StrCat(at, ": ", WithoutPosition(checked.message())));
    for (const std::string& name : parsed->SegmentsReferenced()) {
      auto s = LoadSegment(conn, name);
      if (absl::IsNotFound(s.status())) {
        return absl::NotFoundError(StrCat(at, ": in_segment: no saved segment named \"", name, "\""));
      }
      RETURN_IF_ERROR(s.status());
    }
  }
  const LifecycleAttachment& a = model.attachment;
  if (!a.segment.empty()) {
    auto s = LoadSegment(conn, a.segment);
    if (absl::IsNotFound(s.status())) {
      return absl::NotFoundError(StrCat("attachment.segment: no saved segment named \"", a.segment, "\""));
    }
    RETURN_IF_ERROR(s.status());
  }
  for (const LifecycleModel& other : others) {
    if (other.name == model.name) continue;
    if (other.attachment.precedence == a.precedence && KindsOverlap(other.attachment, a)) {
      return absl::InvalidArgumentError(StrCat(
          "attachment.precedence: model \"", other.name, "\" is also attached to ", KindsText(other.attachment),
          " with precedence ", a.precedence, "; give one of them a different precedence"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> GoverningModel(Connection& conn, const std::vector<LifecycleModel>& models, int64_t customer) {
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT kind FROM customers WHERE id = ? AND deleted_at IS NULL"));
  st.Bind(1, customer);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return absl::NotFoundError(StrCat("customer ", customer, ": not found"));
  const std::string kind = st.Text(0);
  for (size_t i = 0; i < models.size(); ++i) {
    const LifecycleAttachment& a = models[i].attachment;
    if (!KindMatches(a, kind)) continue;
    if (!a.segment.empty()) {
      ASSIGN_OR_RETURN(std::vector<int64_t> members, AttachedMembers(conn, a.segment));
      if (!std::binary_search(members.begin(), members.end(), customer)) continue;
    }
    return static_cast<int>(i);
  }
  return -1;
}

absl::StatusOr<LifecycleEvaluation> EvaluateCustomers(const WriteContext& ctx, const std::vector<LifecycleModel>& models,
                                                      const OrderScope& scope, const std::vector<int64_t>* only,
                                                      const absl::flat_hash_map<int64_t, uint8_t>& causes,
                                                      absl::Time as_of, bool count_stages) {
  LifecycleEvaluation out;
  if (models.empty() || (only && only->empty())) return out;
  std::vector<std::vector<std::optional<SegmentExpr>>> conditions;
  bool clv = false;
  std::vector<std::string> referenced;
  for (const LifecycleModel& m : models) {
    ASSIGN_OR_RETURN(auto c, Conditions(m));
    for (const auto& e : c) {
      if (!e) continue;
      clv = clv || ReadsClvScores(*e);
      for (const std::string& s : e->SegmentsReferenced()) referenced.push_back(s);
    }
    conditions.push_back(std::move(c));
  }
  ASSIGN_OR_RETURN(CustomerFrame frame, LoadCustomerFrame(ctx.conn, ctx.schema, scope, only, clv));
  if (frame.rows() == 0) return out;
  ASSIGN_OR_RETURN(SegmentMembersByName members, ReferencedMembers(ctx.conn, referenced));
  SegmentContext sctx;
  sctx.as_of = ToMicros(as_of);
  sctx.segment_members = Lookup(std::move(members));
  sctx.threads = frame.rows() < 100000 ? 1 : 0;

  // The governing model of every row: the first (highest precedence) whose attachment matches.
  const auto* kind = std::get_if<CategoryColumn>(frame.Find("kind"));
  const auto* stage = std::get_if<CategoryColumn>(frame.Find("lifecycle_stage"));
  if (kind == nullptr || stage == nullptr) return absl::InternalError("customer frame without kind or lifecycle_stage");
  std::vector<int> governing(frame.rows(), -1);
  std::vector<std::optional<std::vector<int64_t>>> attached(models.size());
  for (size_t i = 0; i < models.size(); ++i) {
    if (!models[i].attachment.segment.empty()) {
      ASSIGN_OR_RETURN(attached[i], AttachedMembers(ctx.conn, models[i].attachment.segment));
    }
  }
  for (size_t r = 0; r < frame.rows(); ++r) {
    const std::string_view k = kind->Get(r).value_or("");
    for (size_t i = 0; i < models.size(); ++i) {
      if (!KindMatches(models[i].attachment, k)) continue;
      if (attached[i] && !std::binary_search(attached[i]->begin(), attached[i]->end(), frame.ids[r])) continue;
      governing[r] = static_cast<int>(i);
      break;
    }
  }
  std::map<std::pair<int, int>, int64_t> counts;  // (model, stage) -> customers
  for (size_t i = 0; i < models.size(); ++i) {
    const LifecycleModel& m = models[i];
    bool any = false;
    for (int g : governing) any = any || g == static_cast<int>(i);
    if (!any) continue;
    // Rows where each stage's condition holds (ids ascending).
    std::vector<std::vector<int64_t>> holds(m.stages.size());
    for (size_t s = 0; s < m.stages.size(); ++s) {
      if (!conditions[i][s]) continue;
      auto ids = EvaluateSegment(*conditions[i][s], frame, sctx);
      if (!ids.ok()) {
        return absl::Status(ids.status().code(), StrCat("lifecycle model \"", m.name, "\": stages[", s, "].condition: ",
                                                  ids.status().message()));
      }
      holds[s] = std::move(*ids);
    }
    std::vector<bool> row_holds(m.stages.size());
    for (size_t r = 0; r < frame.rows(); ++r) {
      if (governing[r] != static_cast<int>(i)) continue;
      ++out.evaluated;
      const int64_t id = frame.ids[r];
      for (size_t s = 0; s < m.stages.size(); ++s) {
        row_holds[s] = std::binary_search(holds[s].begin(), holds[s].end(), id);
      }
      const std::optional<std::string_view> current_text = stage->Get(r);
      const int current = current_text ? StageIndex(m, *current_text) : -1;
      auto cause = causes.find(id);
      const uint8_t why = cause == causes.end() ? kCauseNone : cause->second;
      const int target = ChooseStage(m, current, row_holds, why);
      int now_in = current;
      if (target >= 0 && target != current) {
        StageMove move;
        move.customer = CustomerId{id};
        move.model = m.name;
        if (current_text) move.from = std::string(*current_text);
        move.to = m.stages[target].name;
        move.at = as_of;
        move.source = StageMoveSource::kAuto;
        move.reason = Reason(m, current, target, why);
        RETURN_IF_ERROR(RecordStageMove(ctx, move));
        out.moves.push_back(std::move(move));
        now_in = target;
      }
      if (count_stages && now_in >= 0) ++counts[{static_cast<int>(i), now_in}];
    }
  }
  for (size_t i = 0; i < models.size() && count_stages; ++i) {
    for (size_t s = 0; s < models[i].stages.size(); ++s) {
      auto it = counts.find({static_cast<int>(i), static_cast<int>(s)});
      out.counts.push_back({models[i].name, models[i].stages[s].name, it == counts.end() ? 0 : it->second});
    }
  }
  return out;
}

void InstallLifecycleHook(Core& core) {
  if (core.HasAfterCommitHook(kHookName)) return;
  auto state = std::make_shared<HookState>();
  core.SetAfterCommitHook(kHookName, [state](Core& c, CommittedSeqs seqs) { return RunHook(c, seqs, *state); });
}

void RemoveLifecycleHook(Core& core) { core.SetAfterCommitHook(kHookName, nullptr); }

absl::Status CheckStageEdit(Connection& conn, int64_t customer, const std::optional<std::string>& stage) {
  ASSIGN_OR_RETURN(std::vector<LifecycleModel> models, LoadLifecycleModels(conn));
  if (models.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(Statement st, conn.Prepare("SELECT lifecycle_stage FROM customers WHERE id = ?"));
  st.Bind(1, customer);
  ASSIGN_OR_RETURN(bool row, st.Step());
  if (!row) return absl::OkStatus();  // the update itself reports the unknown customer
  if (st.OptText(0) == stage) return absl::OkStatus();
  auto governing = GoverningModel(conn, models, customer);
  if (!governing.ok() || *governing < 0) return absl::OkStatus();
  return absl::FailedPreconditionError(StrCat("lifecycle_stage: customer ", customer, " is governed by lifecycle model \"",
                                              models[*governing].name,
                                              "\"; change its stage with MoveCustomerStage (a manual move with a reason)"));
}

}  // namespace rapport::internal
