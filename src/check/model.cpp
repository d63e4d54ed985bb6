// Model-level rules: IR version, opset imports, metadata, zoo-profile documentation, and the
// declarations of model-local functions.
#include <map>

#include "check/internal.h"

namespace zooci::check_internal {
namespace {

constexpr int64_t kNewestKnownIr = 11;
// IR versions up to this are plausible (a release the checker does not know yet): a warning.
// Beyond it no runtime loads the model: an error (docs/check-rules.md, "The IR version line").
constexpr int64_t kNewestPlausibleIr = kNewestKnownIr + 2;
// Bounds the call-graph walk (recursive); onnx's checker allows 10,000, no real model nears 1,000.
constexpr int kMaxFunctions = 1000;

// The newest ai.onnx opset each IR version was released with (onnx/helper.py VERSION_TABLE):
// IR 3: 8, IR 4: 9, IR 5: 10, IR 6: 11, IR 7: 14, IR 8: 18, IR 9: 20, IR 10: 22, IR 11: 23.
int64_t NewestOpsetForIr(int64_t ir_version) {
  static const std::map<int64_t, int64_t> table = {{3, 8},  {4, 9},  {5, 10},  {6, 11}, {7, 14},
                                                   {8, 18}, {9, 20}, {10, 22}, {11, 23}};
  auto it = table.find(ir_version);
  return it == table.end() ? 0 : it->second;
}

// Versions a standard domain has released, for domains other than ai.onnx (which grows).
int64_t NewestReleasedOpset(const std::string& domain) {
  if (domain == "ai.onnx.ml") return 5;
  if (domain == "ai.onnx.training" || domain == "ai.onnx.preview.training") return 1;
  return 0;
}

Location Field(const ModelContext& context, std::string field) {
  Location location = GraphLocation(context, "");
  location.field = std::move(field);
  return location;
}

std::string DomainLabel(const std::string& domain) {
  return domain.empty() ? "ai.onnx" : domain;
}

void CheckIrVersion(const onnx::ModelProto& model, const ModelContext& context) {
  int64_t ir = model.ir_version();
  if (!model.has_ir_version() || ir == 0) {
    context.sink->Report(RuleId::kMissingIrVersion, Field(context, "ir_version"),
                         "the model has no ir_version");
  } else if (ir < 3) {
    context.sink->Report(
        RuleId::kUnsupportedIrVersion, Field(context, "ir_version"),
        "IR version " + std::to_string(ir) + " is not supported (need 3 or later)");
  } else if (ir > kNewestPlausibleIr) {
    context.sink->Report(RuleId::kUnsupportedIrVersion, Field(context, "ir_version"),
                         "IR version " + std::to_string(ir) + " is beyond any ONNX release: " +
                             "the newest this checker knows is " + std::to_string(kNewestKnownIr) +
                             " and versions up to " + std::to_string(kNewestPlausibleIr) +
                             " are accepted with a warning; no runtime loads this model");
  } else if (ir > kNewestKnownIr) {
    context.sink->Report(RuleId::kIrVersionNewerThanChecker, Field(context, "ir_version"),
                         "IR version " + std::to_string(ir) +
                             " is newer than this checker knows (" +
                             std::to_string(kNewestKnownIr) + "): features added after IR " +
                             std::to_string(kNewestKnownIr) + " were not checked");
  }
}

void CheckOpsets(const onnx::ModelProto& model, ModelContext& context) {
  int64_t ir = model.ir_version();
  if (model.opset_import_size() == 0 && ir >= 3) {
    context.opset_import_missing = true;
    context.sink->Report(RuleId::kMissingOpsetImport, Field(context, "opset_import"),
                         "the model imports no opset");
  }
  for (int index = 0; index < model.opset_import_size(); ++index) {
    const auto& opset = model.opset_import(index);
    std::string domain = NormalizeDomain(opset.domain());
    std::string field = "opset_import[" + std::to_string(index) + "]";
    int64_t version = opset.version();
    if (context.opsets.count(domain) != 0) {
      context.sink->Report(RuleId::kDuplicateOpsetDomain, Field(context, field),
                           "domain '" + DomainLabel(domain) + "' is imported again (version " +
                               std::to_string(version) + ", first import: version " +
                               std::to_string(context.opsets[domain]) + ")");
      continue;
    }
    if (version <= 0 || version > INT32_MAX) {
      context.invalid_opset_domains.insert(domain);
      context.sink->Report(
          RuleId::kInvalidOpsetVersion, Field(context, field),
          "domain '" + DomainLabel(domain) + "' has invalid version " + std::to_string(version));
      continue;
    }
    context.opsets[domain] = static_cast<int>(version);
    int64_t released = NewestReleasedOpset(domain);
    if (released > 0 && version > released) {
      context.sink->Report(RuleId::kInvalidOpsetVersion, Field(context, field),
                           "domain '" + domain + "' has no version " + std::to_string(version) +
                               " (released: 1 to " + std::to_string(released) + ")");
    }
    int64_t newest_for_ir = NewestOpsetForIr(ir);
    if (domain.empty() && newest_for_ir > 0 && version > newest_for_ir) {
      context.sink->Report(RuleId::kOpsetNewerThanIr, Field(context, field),
                           "ai.onnx opset " + std::to_string(version) + " came after IR version " +
                               std::to_string(ir) + " (whose newest opset is " +
                               std::to_string(newest_for_ir) + ")");
    }
  }
}

void CheckMetadata(const onnx::ModelProto& model, const ModelContext& context) {
  std::map<std::string, int> seen;
  for (int index = 0; index < model.metadata_props_size(); ++index) {
    const std::string& key = model.metadata_props(index).key();
    auto [it, inserted] = seen.emplace(key, index);
    if (!inserted) {
      context.sink->Report(RuleId::kDuplicateMetadataKey,
                           Field(context, "metadata_props[" + std::to_string(index) + "]"),
                           "metadata key '" + key + "' already set by metadata_props[" +
                               std::to_string(it->second) + "]");
    }
  }
  if (model.producer_name().empty()) {
    context.sink->Report(RuleId::kMissingProducer, Field(context, "producer_name"),
                         "the model does not say which tool produced it");
  }
  if (model.doc_string().empty() && model.graph().doc_string().empty()) {
    context.sink->Report(RuleId::kMissingDocString, Field(context, "doc_string"),
                         "neither the model nor its graph has a doc_string");
  }
  if (model.metadata_props_size() == 0) {
    context.sink->Report(RuleId::kMissingMetadata, Field(context, "metadata_props"),
                         "the model has no metadata_props");
  }
}

}  // namespace

void CheckModelHeader(const onnx::ModelProto& model, ModelContext& context) {
  context.ir_version = model.ir_version();
  CheckIrVersion(model, context);
  CheckOpsets(model, context);
  CheckMetadata(model, context);
}

void CheckFunctions(const onnx::ModelProto& model, ModelContext& context) {
  if (model.functions_size() == 0) return;
  if (model.ir_version() > 0 && model.ir_version() < 8) {
    context.sink->Report(RuleId::kFunctionBeforeIr8, Field(context, "functions"),
                         std::to_string(model.functions_size()) +
                             " model-local function(s) in an IR " +
                             std::to_string(model.ir_version()) + " model (functions need IR 8)");
  }
  if (model.functions_size() > kMaxFunctions) {
    context.sink->Report(RuleId::kMalformedFunction, Field(context, "functions"),
                         std::to_string(model.functions_size()) +
                             " model-local functions; at most " + std::to_string(kMaxFunctions) +
                             " are checked, so none were");
    return;
  }
  for (int index = 0; index < model.functions_size(); ++index) {
    const onnx::FunctionProto& function = model.functions(index);
    std::string id = function.domain() + ":" + function.name();
    Location where = Field(context, "functions[" + std::to_string(index) + "]");
    where.function = function.domain() + "::" + function.name();
    if (function.name().empty() || function.domain().empty()) {
      context.sink->Report(
          RuleId::kMalformedFunction, where,
          "function has an empty " + std::string(function.name().empty() ? "name" : "domain"));
    }
    if (!context.functions.emplace(id, &function).second) {
      context.sink->Report(RuleId::kDuplicateFunction, where,
                           "function '" + where.function + "' is defined more than once");
    }
    auto report_duplicates = [&](const auto& names, const char* what) {
      std::set<std::string> seen;
      for (const std::string& name : names) {
        if (!seen.insert(name).second) {
          context.sink->Report(RuleId::kMalformedFunction, where,
                               std::string(what) + " '" + name + "' is declared twice");
        }
      }
    };
    report_duplicates(function.input(), "input");
    report_duplicates(function.output(), "output");
    report_duplicates(function.attribute(), "attribute");
  }
}

void CheckModelUsage(const onnx::ModelProto& model, const ModelContext& context) {
  for (int index = 0; index < model.functions_size(); ++index) {
    const onnx::FunctionProto& function = model.functions(index);
    std::string id = function.domain() + ":" + function.name();
    if (context.used_functions.count(id) == 0) {
      Location where = Field(context, "functions[" + std::to_string(index) + "]");
      where.function = function.domain() + "::" + function.name();
      context.sink->Report(RuleId::kUnusedFunction, where,
                           "function '" + where.function + "' is never called");
    }
  }
  for (int index = 0; index < model.opset_import_size(); ++index) {
    std::string domain = NormalizeDomain(model.opset_import(index).domain());
    if (!domain.empty() && context.used_domains.count(domain) == 0) {
      context.sink->Report(RuleId::kUnusedOpsetImport,
                           Field(context, "opset_import[" + std::to_string(index) + "]"),
                           "domain '" + domain + "' is imported but no node uses it");
    }
  }
}

}  // namespace zooci::check_internal
