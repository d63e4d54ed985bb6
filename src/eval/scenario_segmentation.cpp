// The `output` section of a semantic-segmentation scenario: which output holds the [N, C, h, w]
// class scores (or, `kind: labels`, the [N, h, w] class indices) and how they are compared with
// the masks. Every key of the other tasks' output
// sections is an error listing the valid ones (ReadFields): a detector's `format` or a
// classifier's `top_k` in a segmentation scenario is a mistake, not something to ignore.
#include "eval/scenario_parser.h"

namespace zooci::scenario_internal {

Status Parser::ParseSegmentationOutput(const Field& field, SegmentationOutputSpec* output) const {
  const std::string path = "output";
  ZC_ASSIGN_OR_RETURN(Fields fields,
                      ReadFields(field.value, path, {"name", "kind", "compare_at", "upsample"}));
  if (const Field* name = fields.Find("name")) {
    ZC_ASSIGN_OR_RETURN(output->name, String(*name, path + ".name"));
  }
  if (const Field* kind = fields.Find("kind")) {
    ZC_ASSIGN_OR_RETURN(output->kind,
                        Enum(*kind, path + ".kind", {"logits", "probabilities", "labels"}));
  }
  if (const Field* compare_at = fields.Find("compare_at")) {
    ZC_ASSIGN_OR_RETURN(std::string name,
                        Enum(*compare_at, path + ".compare_at", {"original", "input"}));
    output->compare_at =
        name == "input" ? SegmentationCompare::kInput : SegmentationCompare::kOriginal;
  }
  if (const Field* upsample = fields.Find("upsample")) {
    ZC_ASSIGN_OR_RETURN(std::string name,
                        Enum(*upsample, path + ".upsample", {"bilinear", "nearest"}));
    output->upsample = name == "nearest" ? Upsample::kNearest : Upsample::kBilinear;
    if (output->kind == "labels" && output->upsample == Upsample::kBilinear) {
      return Fail(upsample->value, path + ".upsample",
                  "output.kind labels is read with upsample: nearest (class indices cannot be "
                  "interpolated)");
    }
  } else if (output->kind == "labels") {
    output->upsample = Upsample::kNearest;
  }
  return OkStatus();
}

}  // namespace zooci::scenario_internal
