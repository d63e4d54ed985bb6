// The coordinator's HTTP routes, split by audience (private to service/).
#pragma once

#include <httplib.h>

#include "service/internal.h"
#include "service/service.h"

namespace zooci::service_internal {

void SendJson(httplib::Response& response, int status, const nlohmann::json& body);

// The dashboard's pages and /api/v1 (jobs, logs, workers, models), the admin actions (rerun,
// cancel: pages with a session and CSRF token, the API with a bearer token), /login and
// /static/zooci.js. With a dashboard token every one of them except /login and the script
// requires a viewer.
void AddDashboardRoutes(httplib::Server& server, const ServeOptions& options, JobStore& store,
                        ServiceCounters& counters);

}  // namespace zooci::service_internal
