//===- ImportCommand.cpp - ssmc import-hf ---------------------------------===//
#include "tools/ssmc/Commands.h"
#include "tools/ssmc/ImportHF.h"

#include "frontend/ModelFile.h"
#include "tools/cli/ArgParser.h"
#include "tools/cli/Console.h"

#include <cstdio>
#include <fstream>

using namespace ssmc;

int ssmc::runImportCommand(const std::vector<std::string> &args) {
  std::string dir, output = "-";
  cli::ArgParser parser("ssmc import-hf", "ssmc import-hf DIR [-o OUT.ssm]",
                        "Writes the model file (.ssm) for the Hugging Face checkpoint in DIR from\n"
                        "its config.json (model_type mamba, mamba2 or jamba, or an original\n"
                        "mamba_ssm config). The file is checked before it is written.");
  parser.positional("DIR", &dir, "checkpoint directory (or its config.json)");
  parser.option("output", &output, "OUT", "output file ('-' for stdout, the default)", "o");
  if (std::optional<int> done = parser.parseOrReport(args))
    return *done;
  cli::Console console("ssmc import-hf");
  std::string config = dir;
  if (config.size() < 5 || config.compare(config.size() - 5, 5, ".json") != 0)
    config += "/config.json";
  ssmrt::StatusOr<std::string> text = importHuggingFaceConfig(config);
  if (!text.ok())
    return console.fail(text.status());
  fe::ModelFile file({fe::defaultModelsDir()});
  if (!file.loadText(output == "-" ? "imported.ssm" : output, *text)) {
    console.fail("the model imported from " + config + " does not check:");
    std::fputs(file.error().c_str(), stderr);
    return 1;
  }
  if (output == "-") {
    std::fputs(text->c_str(), stdout);
    return 0;
  }
  std::ofstream out(output);
  out << *text;
  if (!out)
    return console.fail("cannot write '" + output + "'");
  return 0;
}
