// Which runtimes the compatibility matrix runs, and how each weighs on the verdict: --runtimes,
// else the zoo's `runtimes` (zooci-zoo.yaml), with the primary runtime (the one the test, eval and
// bench steps run on) always first and always required.
#include <algorithm>

#include "pipeline/internal.h"

namespace zooci {

namespace {

bool KnownRuntime(const std::string& name) {
  const std::vector<std::string>& names = RuntimeNames();
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string ValidRuntimes() {
  return "valid: " + JoinStrings(RuntimeNames(), ", ");
}

}  // namespace

Result<std::vector<RuntimeSelection>> ParseRuntimesFlag(std::string_view text) {
  std::vector<RuntimeSelection> selections;
  for (const std::string& raw : SplitString(text, ',')) {
    std::string entry(Trim(raw));
    RuntimeSelection selection;
    size_t colon = entry.find(':');
    selection.name = entry.substr(0, colon);
    if (colon != std::string::npos) {
      std::string role = entry.substr(colon + 1);
      if (role == "required") {
        selection.required = true;
      } else if (role == "reported") {
        selection.required = false;
      } else {
        return Error("--runtimes: '" + entry + "': the role after ':' is required or reported");
      }
    }
    if (selection.name.empty()) {
      return Error("--runtimes: '" + std::string(text) + "': an empty runtime name (" +
                   ValidRuntimes() + ")");
    }
    if (!KnownRuntime(selection.name)) {
      return Error("--runtimes: unknown runtime '" + selection.name + "' (" + ValidRuntimes() +
                   ")");
    }
    for (const RuntimeSelection& earlier : selections) {
      if (earlier.name == selection.name) {
        return Error("--runtimes: '" + selection.name + "' is named twice");
      }
    }
    selections.push_back(std::move(selection));
  }
  return selections;
}

namespace pipeline_internal {

Result<std::vector<ReviewRuntime>> ChooseRuntimes(const ValidateOptions& options,
                                                  const ZooConfig& config) {
  const std::string config_file = kZooConfigFile;
  auto where = [&](const ZooRuntime& runtime) {
    return config_file + ":" + std::to_string(runtime.line);
  };
  for (const ZooRuntime& runtime : config.runtimes) {
    if (!KnownRuntime(runtime.name)) {
      return Error(where(runtime) + ": runtimes." + runtime.name + ": unknown runtime (" +
                   ValidRuntimes() + ")");
    }
  }
  const bool from_flag = !options.runtimes.empty();
  if (!from_flag && config.runtimes.empty()) return std::vector<ReviewRuntime>{};

  std::vector<RuntimeSelection> listed = options.runtimes;
  if (!from_flag) {
    for (const ZooRuntime& runtime : config.runtimes) {
      listed.push_back({runtime.name, runtime.role == RuntimeRole::kRequired});
    }
  }
  // The primary runs the other model steps, so it is in every matrix, first.
  auto primary_entry = std::find_if(listed.begin(), listed.end(), [&](const auto& selection) {
    return selection.name == options.runtime;
  });
  if (primary_entry == listed.end()) {
    listed.insert(listed.begin(), RuntimeSelection{options.runtime, std::nullopt});
  } else {
    std::rotate(listed.begin(), primary_entry, primary_entry + 1);
  }

  std::vector<ReviewRuntime> chosen;
  for (const RuntimeSelection& selection : listed) {
    ReviewRuntime runtime;
    runtime.name = selection.name;
    runtime.primary = selection.name == options.runtime;
    const ZooRuntime* in_config = nullptr;
    for (const ZooRuntime& entry : config.runtimes) {
      if (entry.name == selection.name) in_config = &entry;
    }
    if (from_flag && selection.required) {
      runtime.required = *selection.required;
      runtime.role_source = "--runtimes";
    } else if (in_config != nullptr) {
      runtime.required = in_config->role == RuntimeRole::kRequired;
      runtime.role_source = where(*in_config);
    } else {
      runtime.required = runtime.primary;
      runtime.role_source = "default";
    }
    if (runtime.primary && !runtime.required) {
      const std::string origin = runtime.role_source == "--runtimes"
                                     ? "--runtimes: " + runtime.name + ":reported"
                                     : runtime.role_source + ": runtimes." + runtime.name;
      return Error(origin + ": " + runtime.name +
                   " runs the test, eval and bench steps, whose findings decline; it cannot be "
                   "only reported");
    }
    runtime.scope =
        runtime.primary
            ? "every model step (test, eval, bench) and the matrix"
            : "the matrix only (loading, running, the reference outputs, agreement with " +
                  options.runtime + ", latency p50); eval and bench do not run on it";
    chosen.push_back(std::move(runtime));
  }
  return chosen;
}

}  // namespace pipeline_internal
}  // namespace zooci
