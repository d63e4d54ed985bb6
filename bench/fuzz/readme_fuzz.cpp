// libFuzzer target for the parsers that read a submission's text (bench/fuzz_check.sh with
// FUZZ_TARGET=readme_fuzz): any bytes go through the README parser (headings, labels, links, pipe
// and model tables, code blocks, SPDX line) and every section lookup, through the notebook reader,
// and through the script and metric finders on what those return. Contract: never crash, hang,
// leak or allocate in proportion to anything but the input's size.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "zoo/zoo.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  size_t total = 0;

  const zooci::Readme readme = zooci::ParseReadmeText(text, "fuzz/README.md");
  for (zooci::ReadmeSection section : zooci::AllReadmeSections()) {
    total += zooci::FindSections(readme, section).size();
    if (const zooci::MarkdownHeading* heading = zooci::FindSection(readme, section)) {
      total += static_cast<size_t>(heading->body_last_line - heading->body_first_line);
    }
  }
  for (const zooci::ModelTable& table : readme.model_tables) {
    for (const zooci::ModelTableRow& row : table.rows) total += row.cells.size();
  }
  for (const zooci::CodeBlock& block : readme.code_blocks) {
    std::string code;
    for (const std::string& line : block.lines) code += line + "\n";
    total += zooci::ScriptsRunBy(code).size();
  }
  for (const std::string& line : readme.lines) total += zooci::MetricNamed(line).size();

  zooci::Result<zooci::Notebook> notebook = zooci::ParseNotebookText(text);
  if (notebook.ok()) {
    total += zooci::ScriptsRunBy(notebook->code).size();
    total += zooci::MetricNamed(notebook->outputs).size();
    total += zooci::MetricNamed(notebook->markdown).size();
  } else {
    total += notebook.error().message().size();
  }
  volatile size_t sink = total;  // keep the work observable
  (void)sink;
  return 0;
}
