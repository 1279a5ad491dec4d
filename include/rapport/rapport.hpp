// Umbrella header of the Rapport C++ API.
#ifndef RAPPORT_RAPPORT_HPP_
#define RAPPORT_RAPPORT_HPP_

#include "rapport/business_calendar.h"
#include "rapport/change.h"
#include "rapport/clock.h"
#include "rapport/clv.h"
#include "rapport/clv_store.h"
#include "rapport/clv_summary.h"
#include "rapport/customer.h"
#include "rapport/database.h"
#include "rapport/frame.h"
#include "rapport/funnel.h"
#include "rapport/money.h"
#include "rapport/import.h"
#include "rapport/lifecycle.h"
#include "rapport/retention.h"
#include "rapport/rfm.h"
#include "rapport/rule.h"
#include "rapport/saved_segment.h"
#include "rapport/segment.h"
#include "rapport/task.h"
#include "rapport/timeline.h"
#include "rapport/types.h"
#include "rapport/value.h"

#endif  // RAPPORT_RAPPORT_HPP_
