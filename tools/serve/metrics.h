// GET /metrics: the scheduler's counters in Prometheus' text format (version 0.0.4).
#pragma once

#include <string>

#include "core/generation/batching/batch_scheduler.h"

namespace ttt::serve {

std::string PrometheusText(const BatchSchedulerStats& stats, int32_t slots, int64_t http_requests,
                           int64_t http_errors);

}  // namespace ttt::serve
