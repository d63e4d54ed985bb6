// Licences as SPDX identifiers: prose, LICENSE files and expressions on hand-written text, then
// every licence statement of the real ONNX Model Zoo (../shared/reference/onnx-model-zoo/, read
// in place) and the standard texts Debian ships in /usr/share/common-licenses.
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/testing.h"
#include "zoo/zoo.h"

namespace zooci {
namespace {

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// ---- Prose -------------------------------------------------------------------------------------

TEST(IdentifyLicenseTextTest, CommonWaysOfNamingALicence) {
  const std::map<std::string, std::string> expected = {
      {"Apache 2.0", "Apache-2.0"},
      {"Apache 2.0 License\n<hr>", "Apache-2.0"},
      {"[Apache License v2.0](LICENSE)", "Apache-2.0"},
      {"Apache License 2.0", "Apache-2.0"},
      {"This model is licensed under the Apache License, Version 2.0.", "Apache-2.0"},
      {"See http://www.apache.org/licenses/LICENSE-2.0", "Apache-2.0"},
      {"apache2", "Apache-2.0"},
      {"MIT", "MIT"},
      {"MIT License", "MIT"},
      {"Released under the mit licence.", "MIT"},
      {"MIT No Attribution", "MIT-0"},
      {"[BSD-3](LICENSE)", "BSD-3-Clause"},
      {"BSD 3-Clause License", "BSD-3-Clause"},
      {"BSD 3-Clause \"New\" or \"Revised\" License", "BSD-3-Clause"},
      {"BSD-3-Clause", "BSD-3-Clause"},
      {"new BSD license", "BSD-3-Clause"},
      {"Simplified BSD", "BSD-2-Clause"},
      {"BSD 2-Clause", "BSD-2-Clause"},
      {"CC BY 4.0", "CC-BY-4.0"},
      {"CC BY-NC 4.0", "CC-BY-NC-4.0"},
      {"Creative Commons Attribution-NonCommercial-ShareAlike 4.0 International",
       "CC-BY-NC-SA-4.0"},
      {"Creative Commons Attribution-NoDerivatives 4.0 International License", "CC-BY-ND-4.0"},
      {"CC BY-SA 3.0", "CC-BY-SA-3.0"},
      {"CC0", "CC0-1.0"},
      {"GPLv3", "GPL-3.0"},
      {"GPL-2.0+", "GPL-2.0+"},  // already an SPDX expression
      {"GPL v2+", "GPL-2.0-or-later"},
      {"GNU General Public License v3 or later", "GPL-3.0-or-later"},
      {"GNU General Public License, version 2 only", "GPL-2.0-only"},
      {"GNU Lesser General Public License v2.1", "LGPL-2.1"},
      {"LGPL-3.0", "LGPL-3.0"},
      {"Mozilla Public License 2.0", "MPL-2.0"},
      {"Boost Software License 1.0", "BSL-1.0"},
      {"ISC License", "ISC"},
      {"The Unlicense", "Unlicense"},
      {"<!--- SPDX-License-Identifier: BSD-3-Clause -->", "BSD-3-Clause"},
      {"`apache-2.0`", "Apache-2.0"},
  };
  for (const auto& [text, spdx] : expected) {
    LicenseFinding finding = IdentifyLicenseText(text);
    EXPECT_EQ(finding.spdx, spdx) << text << " -> " << finding.evidence;
  }
}

TEST(IdentifyLicenseTextTest, EvidenceQuotesTheOriginalWords) {
  EXPECT_EQ(IdentifyLicenseText("[BSD-3](LICENSE)").evidence, "'BSD-3'");
  EXPECT_EQ(IdentifyLicenseText("Licensed under the\nApache License,\n  Version 2.0 (see LICENSE)")
                .evidence,
            "'Apache License, Version 2.0'");
  EXPECT_EQ(IdentifyLicenseText("<!--- SPDX-License-Identifier: MIT -->").evidence,
            "SPDX-License-Identifier: MIT");
}

TEST(IdentifyLicenseTextTest, LicenceUrlsCountOtherUrlsDoNot) {
  EXPECT_EQ(IdentifyLicenseText("[License](https://opensource.org/licenses/MIT)").spdx, "MIT");
  EXPECT_EQ(IdentifyLicenseText("[MIT](https://opensource.org/licenses/MIT)").spdx, "MIT");
  EXPECT_EQ(IdentifyLicenseText("https://creativecommons.org/licenses/by-nc-sa/4.0/").spdx,
            "CC-BY-NC-SA-4.0");
  EXPECT_EQ(IdentifyLicenseText("Apache 2.0, see https://www.apache.org/licenses/LICENSE-2.0").spdx,
            "Apache-2.0");
  EXPECT_EQ(IdentifyLicenseText("As in https://github.com/mit-han-lab/proxylessnas").spdx, "");
  LicenseFinding conflict =
      IdentifyLicenseText("MIT, see https://creativecommons.org/licenses/by-nc/4.0/");
  EXPECT_EQ(conflict.spdx, "");
  EXPECT_EQ(conflict.evidence,
            "several licences named ('MIT', 'https://creativecommons.org/licenses/by-nc/4.0/')");
}

TEST(IdentifyLicenseTextTest, ChoicesBecomeOrExpressions) {
  const std::map<std::string, std::string> expected = {
      {"Apache-2.0 OR MIT", "Apache-2.0 OR MIT"},
      {"mit or apache-2.0", "MIT OR Apache-2.0"},
      {"Apache 2.0 or MIT", "Apache-2.0 OR MIT"},
      {"Dual licensed under the Apache License 2.0 and the MIT license, at your option.",
       "Apache-2.0 OR MIT"},
      {"Either MIT or BSD-3-Clause", "MIT OR BSD-3-Clause"},
  };
  for (const auto& [text, spdx] : expected) {
    EXPECT_EQ(IdentifyLicenseText(text).spdx, spdx) << text;
  }
}

TEST(IdentifyLicenseTextTest, UnknownOrAmbiguousTextGivesNothing) {
  const std::vector<std::string> texts = {
      "",
      "See the LICENSE file.",
      "Same licence as the original repository.",
      "BSD",
      "BSD License",
      "GPL",
      "Apache License",
      "Creative Commons",
      "Apache 7.0",
      "The code is MIT, the weights are CC BY-NC 4.0.",
      "Apache 2.0 and MIT",
      "Research use only.",
      "Released into the public domain.",
      "GNU General Public License",
      "Mozilla Public License",
  };
  for (const std::string& text : texts) {
    LicenseFinding finding = IdentifyLicenseText(text);
    EXPECT_EQ(finding.spdx, "") << text << " -> " << finding.evidence;
    EXPECT_FALSE(finding.evidence.empty()) << text;
  }
  EXPECT_EQ(IdentifyLicenseText("BSD").evidence, "'BSD' does not say which version or variant");
  EXPECT_EQ(IdentifyLicenseText("Apache 2.0 and MIT").evidence,
            "several licences named ('Apache 2.0', 'MIT') and not as a choice");
}

// Long or repetitive input costs linear time and no deep recursion (std::regex, which recurses
// per character, only ever sees short licence URLs).
TEST(IdentifyLicenseTextTest, HostileInputIsHandled) {
  EXPECT_EQ(IdentifyLicenseText("http://" + std::string(60000, 'a')).spdx, "");
  EXPECT_EQ(IdentifyLicenseText(std::string(60000, 'x')).spdx, "");
  std::string modifiers = "CC BY";
  for (int repeat = 0; repeat < 10000; ++repeat) modifiers += " NC";
  EXPECT_EQ(IdentifyLicenseText(modifiers + " 4.0").spdx, "CC-BY-NC-4.0");
  std::string many;
  for (int repeat = 0; repeat < 10000; ++repeat) many += "MIT or ";
  EXPECT_EQ(IdentifyLicenseText(many).spdx, "MIT");
  EXPECT_EQ(IdentifyLicenseFile(std::string(2 << 20, '(')).spdx, "");
}

// ---- LICENSE files -----------------------------------------------------------------------------

// The distinctive sentences only, not whole licence texts.
constexpr char kMitGrant[] =
    "Permission is hereby granted, free of charge, to any person obtaining a copy\n"
    "of this software and associated documentation files (the \"Software\"), to deal\n"
    "in the Software without restriction, ... and to permit persons to whom the Software is\n"
    "furnished to do so";
constexpr char kMitCondition[] =
    ", subject to the following conditions:\n\nThe above copyright notice and this permission "
    "notice shall be included in\nall copies or substantial portions of the Software.\n";
constexpr char kBsdConditions[] =
    "Redistribution and use in source and binary forms, with or without\nmodification, are "
    "permitted provided that the following conditions are met:\n"
    "1. Redistributions of source code must retain the above copyright notice, ...\n"
    "2. Redistributions in binary form must reproduce the above copyright notice, ...\n";
constexpr char kBsdEndorsement[] =
    "3. Neither the name of the copyright holder nor the names of its contributors may be used "
    "to endorse or promote products derived from this software without specific prior written "
    "permission.\n";

TEST(IdentifyLicenseFileTest, RecognisesStandardTextsByTheirSentences) {
  const std::string copyright = "Copyright (c) 2020 Someone\n\n";
  EXPECT_EQ(IdentifyLicenseFile(copyright + kMitGrant + kMitCondition).spdx, "MIT");
  EXPECT_EQ(IdentifyLicenseFile(copyright + kMitGrant + ".\n").spdx, "MIT-0");
  EXPECT_EQ(IdentifyLicenseFile(copyright + kBsdConditions).spdx, "BSD-2-Clause");
  EXPECT_EQ(IdentifyLicenseFile(copyright + kBsdConditions + kBsdEndorsement).spdx, "BSD-3-Clause");
  EXPECT_EQ(IdentifyLicenseFile(copyright + kBsdConditions +
                                "3. All advertising materials mentioning features or use of this "
                                "software must display the following acknowledgement ...\n" +
                                kBsdEndorsement)
                .spdx,
            "BSD-4-Clause");
  EXPECT_EQ(IdentifyLicenseFile("Attribution 4.0 International\n\n=====\n\nCreative Commons "
                                "Attribution 4.0 International Public License\n\nBy exercising ...")
                .spdx,
            "CC-BY-4.0");
  EXPECT_EQ(IdentifyLicenseFile("Creative Commons Attribution-NonCommercial 4.0 International "
                                "Public License\n\nBy exercising the Licensed Rights ...")
                .spdx,
            "CC-BY-NC-4.0");
  EXPECT_EQ(IdentifyLicenseFile("Copyright 2021 Someone\n\nLicensed under the Apache License, "
                                "Version 2.0 (the \"License\");\nyou may not use this file except "
                                "in compliance with the License.\n")
                .spdx,
            "Apache-2.0");
}

TEST(IdentifyLicenseFileTest, VariantsAndMixturesGiveNothing) {
  // X11: MIT's sentences plus a clause on the holder's name.
  LicenseFinding x11 = IdentifyLicenseFile(
      std::string(kMitGrant) + kMitCondition +
      "Except as contained in this notice, the name of the X Consortium shall not be used ...\n");
  EXPECT_EQ(x11.spdx, "");
  LicenseFinding mixture = IdentifyLicenseFile(std::string(kMitGrant) + kMitCondition + "\n---\n" +
                                               kBsdConditions + kBsdEndorsement);
  EXPECT_EQ(mixture.spdx, "");
  EXPECT_EQ(mixture.evidence, "the file holds several licence texts: MIT, BSD-3-Clause");
  EXPECT_EQ(
      IdentifyLicenseFile(std::string(600, ' ') + "Copyright (c) 2020. All rights reserved.").spdx,
      "");
  EXPECT_EQ(IdentifyLicenseFile("").spdx, "");
}

TEST(IdentifyLicenseFileTest, SpdxTagAndShortStatements) {
  EXPECT_EQ(IdentifyLicenseFile("SPDX-License-Identifier: MIT\n\n" + std::string(kMitGrant) +
                                kMitCondition)
                .spdx,
            "MIT");
  LicenseFinding conflict = IdentifyLicenseFile("SPDX-License-Identifier: Apache-2.0\n\n" +
                                                std::string(kMitGrant) + kMitCondition);
  EXPECT_EQ(conflict.spdx, "");
  LicenseFinding statement = IdentifyLicenseFile("This model is released under the MIT license.\n");
  EXPECT_EQ(statement.spdx, "MIT");
  EXPECT_EQ(statement.evidence, "short statement: 'MIT license'");
}

// ---- Expressions -------------------------------------------------------------------------------

TEST(LicenseAllowedTest, OrNeedsOneSideAndNeedsBoth) {
  const std::vector<std::string> allowed = {"Apache-2.0", "BSD-3-Clause", "MIT"};
  EXPECT_TRUE(LicenseAllowed("MIT", allowed));
  EXPECT_TRUE(LicenseAllowed("mit", allowed));
  EXPECT_TRUE(LicenseAllowed("  Apache-2.0  ", allowed));
  EXPECT_FALSE(LicenseAllowed("GPL-3.0-only", allowed));
  EXPECT_TRUE(LicenseAllowed("GPL-3.0-only OR MIT", allowed));
  EXPECT_FALSE(LicenseAllowed("GPL-3.0-only AND MIT", allowed));
  EXPECT_TRUE(LicenseAllowed("MIT AND (Apache-2.0 OR GPL-2.0)", allowed));
  EXPECT_FALSE(LicenseAllowed("MIT AND (CC-BY-NC-4.0 OR GPL-2.0)", allowed));
  EXPECT_TRUE(LicenseAllowed("GPL-2.0 OR MIT AND BSD-3-Clause", allowed));  // AND binds tighter
  EXPECT_FALSE(LicenseAllowed("(GPL-2.0 OR MIT) AND CC-BY-NC-4.0", allowed));
  EXPECT_TRUE(LicenseAllowed("mit or apache-2.0", allowed));
  EXPECT_FALSE(LicenseAllowed("LicenseRef-custom", allowed));
}

TEST(LicenseAllowedTest, OrLaterOnlyAndExceptions) {
  EXPECT_TRUE(LicenseAllowed("Apache-2.0+", {"Apache-2.0"}));
  EXPECT_TRUE(LicenseAllowed("GPL-2.0-or-later", {"GPL-2.0"}));
  EXPECT_TRUE(LicenseAllowed("GPL-2.0-only", {"GPL-2.0"}));
  EXPECT_TRUE(LicenseAllowed("GPL-2.0", {"GPL-2.0-only"}));
  EXPECT_FALSE(LicenseAllowed("GPL-2.0", {"GPL-2.0-or-later"}));
  EXPECT_TRUE(LicenseAllowed("Apache-2.0 WITH LLVM-exception", {"Apache-2.0"}));
  EXPECT_TRUE(LicenseAllowed("GPL-2.0 WITH Classpath-exception-2.0",
                             {"GPL-2.0-only WITH Classpath-exception-2.0"}));
  EXPECT_FALSE(LicenseAllowed("GPL-2.0 WITH Classpath-exception-2.0", {"MIT"}));
  EXPECT_TRUE(LicenseAllowed("LicenseRef-zoo", {"LicenseRef-zoo"}));
}

TEST(LicenseAllowedTest, MalformedExpressionsAreNotAcceptable) {
  const std::vector<std::string> allowed = {"Apache-2.0", "MIT"};
  const std::vector<std::string> malformed = {
      "",
      "   ",
      "(MIT",
      "MIT)",
      "MIT OR",
      "AND MIT",
      "MIT MIT",
      "Apache 2.0",
      "MIT AND AND MIT",
      "()",
      "(MIT) WITH X",
      "MIT WITH",
      "MIT Or Apache-2.0",
      "MIT/Apache-2.0",
      "MIT++",
      "+MIT",
      "MIT WITH A+",
      "LicenseRef-x+",
  };
  for (const std::string& expression : malformed) {
    EXPECT_FALSE(LicenseAllowed(expression, allowed)) << "'" << expression << "'";
  }
  EXPECT_FALSE(LicenseAllowed(std::string(100, '(') + "MIT" + std::string(100, ')'), allowed));
  EXPECT_TRUE(LicenseAllowed(std::string(10, '(') + "MIT" + std::string(10, ')'), allowed));
}

// ---- The real zoo ------------------------------------------------------------------------------

fs::path ZooDir() {
  fs::path reference = testing::ReferenceDir();
  if (reference.empty() || !fs::is_directory(reference / "onnx-model-zoo")) return {};
  return reference / "onnx-model-zoo";
}

std::string LicenseSectionText(const Readme& readme) {
  const MarkdownHeading* heading = FindSection(readme, ReadmeSection::kLicense);
  if (heading == nullptr) return "";
  std::string body;
  for (int line = heading->body_first_line; line <= heading->body_last_line; ++line) {
    body += readme.lines[line - 1] + "\n";
  }
  return body;
}

// Per README, read by hand: the licence its "## License" section names ("" when it has none) and
// its SPDX-License-Identifier comment. The zoo's pages always agree with themselves.
struct ZooLicence {
  std::string section;
  std::string spdx_comment;
};

const std::map<std::string, ZooLicence>& ExpectedZooLicences() {
  static const std::map<std::string, ZooLicence> expected = {
      // "# License / [Apache License v2.0](LICENSE)"
      {"README.md", {"Apache-2.0", "Apache-2.0"}},
      {"validated/text/machine_comprehension/bert-squad", {"Apache-2.0", "Apache-2.0"}},
      // " ## License" (indented heading) / "MIT License"
      {"validated/text/machine_comprehension/bidirectional_attention_flow", {"MIT", "MIT"}},
      {"validated/text/machine_comprehension/gpt2-bs", {"Apache-2.0", "Apache-2.0"}},
      {"validated/text/machine_comprehension/t5", {"Apache-2.0", "Apache-2.0"}},
      {"validated/vision/body_analysis/age_gender", {"Apache-2.0", "Apache-2.0"}},
      {"validated/vision/body_analysis/arcface", {"Apache-2.0", "Apache-2.0"}},
      {"validated/vision/body_analysis/emotion_ferplus", {"MIT", "MIT"}},
      // "[BSD-3](LICENSE)", and the LICENSE beside it is the BSD-3-Clause text
      {"validated/vision/classification/alexnet", {"BSD-3-Clause", "BSD-3-Clause"}},
      {"validated/vision/classification/caffenet", {"BSD-3-Clause", "BSD-3-Clause"}},
      {"validated/vision/classification/densenet-121", {"MIT", "MIT"}},
      {"validated/vision/classification/inception_and_googlenet/googlenet",
       {"BSD-3-Clause", "BSD-3-Clause"}},
      {"validated/vision/classification/inception_and_googlenet/inception_v1", {"MIT", "MIT"}},
      {"validated/vision/classification/inception_and_googlenet/inception_v2", {"MIT", "MIT"}},
      {"validated/vision/classification/mobilenet", {"Apache-2.0", "Apache-2.0"}},
      {"validated/vision/classification/rcnn_ilsvrc13", {"BSD-3-Clause", "BSD-3-Clause"}},
      {"validated/vision/classification/resnet", {"Apache-2.0", "Apache-2.0"}},
      // "BSD 3-Clause License"
      {"validated/vision/classification/shufflenet", {"BSD-3-Clause", "BSD-3-Clause"}},
      {"validated/vision/classification/squeezenet", {"Apache-2.0", "Apache-2.0"}},
      {"validated/vision/classification/vgg", {"Apache-2.0", "Apache-2.0"}},
      {"validated/vision/classification/zfnet-512", {"MIT", "MIT"}},
      {"validated/vision/object_detection_segmentation/duc", {"Apache-2.0", "Apache-2.0"}},
      {"validated/vision/object_detection_segmentation/mask-rcnn", {"MIT", "MIT"}},
      // 'BSD 3-Clause "New" or "Revised" License'
      {"validated/vision/object_detection_segmentation/retinanet",
       {"BSD-3-Clause", "BSD-3-Clause"}},
      // "Apache License 2.0"
      {"validated/vision/object_detection_segmentation/ssd", {"Apache-2.0", "Apache-2.0"}},
      {"validated/vision/object_detection_segmentation/tiny-yolov2", {"MIT", "MIT"}},
      {"validated/vision/object_detection_segmentation/tiny-yolov3", {"MIT", "MIT"}},
      {"validated/vision/object_detection_segmentation/yolov2-coco", {"MIT", "MIT"}},
      {"validated/vision/object_detection_segmentation/yolov3", {"MIT", "MIT"}},
      {"validated/vision/object_detection_segmentation/yolov4", {"MIT", "MIT"}},
      // "BSD-3-Clause"
      {"validated/vision/style_transfer/fast_neural_style", {"BSD-3-Clause", "BSD-3-Clause"}},
      // No licence section at all; only the comment.
      {"validated/vision/super_resolution/sub_pixel_cnn_2016", {"", "Apache-2.0"}},
  };
  return expected;
}

TEST(ZooLicenceTest, EveryReadmeOfTheRealZoo) {
  const fs::path zoo = ZooDir();
  if (zoo.empty()) GTEST_SKIP() << "shared/reference/onnx-model-zoo not found";
  std::set<std::string> seen;
  for (const auto& entry : fs::recursive_directory_iterator(zoo)) {
    if (entry.path().filename() != "README.md") continue;
    fs::path relative = entry.path().parent_path().lexically_relative(zoo);
    const std::string key = relative == "." ? "README.md" : relative.generic_string();
    seen.insert(key);
    auto expected = ExpectedZooLicences().find(key);
    if (expected == ExpectedZooLicences().end()) {
      ADD_FAILURE() << key << ": a README this test does not know; add its expected licence";
      continue;
    }
    Result<Readme> readme = ParseReadme(entry.path());
    ASSERT_TRUE(readme.ok()) << readme.error().message();
    LicenseFinding finding = IdentifyLicenseText(LicenseSectionText(*readme));
    EXPECT_EQ(finding.spdx, expected->second.section) << key << ": " << finding.evidence;
    EXPECT_EQ(readme->spdx_license, expected->second.spdx_comment) << key;
    EXPECT_EQ(IdentifyLicenseText(readme->lines.front()).spdx, expected->second.spdx_comment)
        << key << ": the comment on the first line";
  }
  EXPECT_EQ(seen.size(), ExpectedZooLicences().size());
}

TEST(ZooLicenceTest, EveryLicenseFileOfTheRealZoo) {
  const fs::path zoo = ZooDir();
  if (zoo.empty()) GTEST_SKIP() << "shared/reference/onnx-model-zoo not found";
  const std::map<std::string, std::string> expected = {
      {"LICENSE", "Apache-2.0"},
      // The same file four times: the BSD-3-Clause text with Facebook and Microsoft as holders.
      {"validated/vision/classification/alexnet/LICENSE", "BSD-3-Clause"},
      {"validated/vision/classification/caffenet/LICENSE", "BSD-3-Clause"},
      {"validated/vision/classification/inception_and_googlenet/googlenet/LICENSE", "BSD-3-Clause"},
      {"validated/vision/classification/rcnn_ilsvrc13/LICENSE", "BSD-3-Clause"},
  };
  std::map<std::string, std::string> found;
  for (const auto& entry : fs::recursive_directory_iterator(zoo)) {
    const std::string name = entry.path().filename().string();
    if (name != "LICENSE" && name != "LICENSE.txt" && name != "COPYING") continue;
    LicenseFinding finding = IdentifyLicenseFile(ReadText(entry.path()));
    found[entry.path().lexically_relative(zoo).generic_string()] = finding.spdx;
  }
  EXPECT_EQ(found, expected);
}

// Debian's copies of the standard texts, read in place when present.
TEST(ZooLicenceTest, DebianCommonLicenses) {
  const fs::path dir = "/usr/share/common-licenses";
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " not found";
  const std::map<std::string, std::string> expected = {
      {"Apache-2.0", "Apache-2.0"},
      {"BSD", "BSD-3-Clause"},
      {"CC0-1.0", "CC0-1.0"},
      {"GPL-1", "GPL-1.0"},
      {"GPL-2", "GPL-2.0"},
      {"GPL-3", "GPL-3.0"},
      {"LGPL-2", "LGPL-2.0"},
      {"LGPL-2.1", "LGPL-2.1"},
      {"LGPL-3", "LGPL-3.0"},
      {"MPL-1.1", "MPL-1.1"},
      {"MPL-2.0", "MPL-2.0"},
      {"Artistic", ""},
      {"GFDL-1.3", ""},
  };
  for (const auto& [name, spdx] : expected) {
    if (!fs::exists(dir / name)) continue;
    LicenseFinding finding = IdentifyLicenseFile(ReadText(dir / name));
    EXPECT_EQ(finding.spdx, spdx) << name << ": " << finding.evidence;
  }
}

}  // namespace
}  // namespace zooci
