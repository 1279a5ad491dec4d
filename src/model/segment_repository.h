// Saved segments and their membership spells in the store.
#ifndef RAPPORT_MODEL_SEGMENT_REPOSITORY_H_
#define RAPPORT_MODEL_SEGMENT_REPOSITORY_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "model/customer_repository.h"
#include "rapport/saved_segment.h"
#include "store/sqlite.h"

namespace rapport::internal {

absl::StatusOr<SavedSegment> LoadSegment(Connection& conn, std::string_view name);  // NotFound
absl::StatusOr<std::vector<SavedSegment>> LoadSegments(Connection& conn);
// Current members, ascending.
absl::StatusOr<std::vector<int64_t>> CurrentMembers(Connection& conn, int64_t segment_id);
// Members at `t` (a spell covers t when entered_at <= t < left_at).
absl::StatusOr<std::vector<int64_t>> MembersAt(Connection& conn, int64_t segment_id, int64_t t);
// Everyone on a suppression list now, ascending.
absl::StatusOr<std::vector<int64_t>> SuppressedCustomers(Connection& conn);

// Current members of the named saved segments (names without a segment are left out), and a
// SegmentContext::segment_members function over them.
using SegmentMembersByName = std::map<std::string, std::vector<int64_t>, std::less<>>;
absl::StatusOr<SegmentMembersByName> ReferencedMembers(Connection& conn, const std::vector<std::string>& names);
std::function<absl::StatusOr<std::vector<int64_t>>(std::string_view)> Lookup(SegmentMembersByName members);

// Inserts or updates the definition (the expression already checked and canonical).
absl::StatusOr<SavedSegment> StoreSegment(const WriteContext& ctx, const SegmentDef& def);
absl::Status DeleteSegment(const WriteContext& ctx, std::string_view name);
// Makes `members` (ascending) the current membership as of `as_of`: spells open for those who
// entered, close for those who left. Logs one change (op "refresh", or "add"/"remove" for lists)
// with who entered and who left.
absl::StatusOr<SegmentDelta> ApplyRefresh(const WriteContext& ctx, const SavedSegment& segment,
                                          const std::vector<int64_t>& members, int64_t as_of,
                                          std::string_view op = "refresh");
// Static and suppression lists: adds or removes explicit members now. Logs one change.
absl::Status EditList(const WriteContext& ctx, std::string_view name, std::vector<int64_t> customers, bool add);

}  // namespace rapport::internal

#endif  // RAPPORT_MODEL_SEGMENT_REPOSITORY_H_
