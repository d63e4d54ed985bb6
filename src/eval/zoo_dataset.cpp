// A zoo's own evaluation data (zooci-dataset.yaml): the `dataset` section of a scenario, read by
// the scenario's parser so that both accept exactly the same keys, formats and containment rules.

#include "eval/scenario.h"
#include "eval/scenario_parser.h"

namespace zooci {

Result<DatasetSpec> LoadZooDataset(const fs::path& folder, EvalTask task) {
  using scenario_internal::Fields;
  using scenario_internal::Parser;
  const fs::path path = folder / kZooDatasetFile;
  const std::string name = path.string();
  std::error_code error;
  if (!fs::is_regular_file(fs::symlink_status(path, error))) {
    return Error(name + ": not a regular file (the zoo's dataset folder must hold one)");
  }
  ZC_ASSIGN_OR_RETURN(std::string text, ReadFile(path, uint64_t{1} << 20));
  try {
    YAML::Node root = YAML::Load(text);
    Parser parser(folder, name);
    if (root.IsNull()) return parser.Fail("the file is empty");
    ZC_ASSIGN_OR_RETURN(Fields fields, parser.ReadFields(root, "", {"dataset"}));
    ZC_ASSIGN_OR_RETURN(const scenario_internal::Field* dataset,
                        parser.Require(fields, "dataset", root, ""));
    DatasetSpec spec;
    ZC_RETURN_IF_ERROR(parser.ParseDataset(*dataset, task, &spec));
    spec.root = folder;
    return spec;
  } catch (const YAML::Exception& e) {
    std::string where = name;
    if (!e.mark.is_null()) where += ":" + std::to_string(e.mark.line + 1);
    return Error(where + ": YAML error: " + e.msg);
  }
}

}  // namespace zooci
