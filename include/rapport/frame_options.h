// Which of a database's orders count in order metrics and analyses: the options every frame load, ad
// hoc segment and saved segment takes.
#ifndef RAPPORT_FRAME_OPTIONS_H_
#define RAPPORT_FRAME_OPTIONS_H_

#include <string>
#include <vector>

namespace rapport {

struct FrameOptions {
  std::vector<std::string> order_statuses{"completed"};
  // Orders in this currency count. Empty: the one currency the orders use (an error when they use
  // several: metrics never add up different currencies).
  std::string currency;

  bool operator==(const FrameOptions&) const = default;
};

// Optional parts of a customer frame loaded from a database, beyond the records, tags and order
// metrics it always has (Database::LoadCustomerFrame).
struct CustomerFrameParts {
  // The CLV score columns (kClvScoreColumns in rapport/frame.h). They cost 32 bytes per customer once
  // anyone is scored, so a frame has them only when asked. Database::Segment and RefreshSegment ask
  // by themselves when the expression reads a score (and the cached frame keeps them from then on).
  bool clv_scores = false;
};

}  // namespace rapport

#endif  // RAPPORT_FRAME_OPTIONS_H_
