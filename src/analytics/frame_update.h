// Updating a customer frame in place with fresh rows for some customers (incremental refresh).
#ifndef RAPPORT_ANALYTICS_FRAME_UPDATE_H_
#define RAPPORT_ANALYTICS_FRAME_UPDATE_H_

#include <cstdint>
#include <vector>

#include "rapport/frame.h"

namespace rapport::internal {

// Fresh data for some customers. The customers in `checked` (ascending) were looked up: those in
// parts[0] exist, the others are gone. Each part holds some of the frame's columns (by name) for
// some customers, ascending; together the parts hold every column of the frame, each once. A
// customer new to the frame must be in every part. Parts may hold customers outside `checked`
// (say, fresh order metrics of a customer whose record did not change).
struct FramePatch {
  std::vector<int64_t> checked;
  std::vector<CustomerFrame> parts;
};

// Applies `patch`: values are overwritten in place, rows of gone customers removed, new customers
// appended. Costs O(changed rows) unless rows are removed (O(rows)); text and set columns keep
// rewritten rows apart and are compacted when those grow past a share of the rows. Returns false,
// leaving `frame` unchanged, when the patch cannot be applied in place (columns that do not match,
// a new id lower than the frame's last, a new customer missing from a part); the caller then reloads.
bool UpdateRows(CustomerFrame& frame, const FramePatch& patch);

// The common case: `fresh` holds every column for the live ones among `affected` (ascending).
bool UpdateRows(CustomerFrame& frame, const CustomerFrame& fresh, const std::vector<int64_t>& affected);

}  // namespace rapport::internal

#endif  // RAPPORT_ANALYTICS_FRAME_UPDATE_H_
