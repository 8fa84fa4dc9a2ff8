// Lint many commit messages with @commitlint/config-conventional in one node process
// (`commit-polish eval`, evaluation/lint.py): node's start-up is paid once, not per message.
//
// stdin: one JSON string (a whole commit message) per line.
// stdout: one JSON object per input line, in order: {"valid": bool, "errors": [rule names]}.
// The packages are resolved from the working directory's node_modules (lint.py runs this
// from the folder that holds them), so the script works wherever it is installed.
import { createRequire } from "node:module";
import path from "node:path";
import readline from "node:readline";
import { pathToFileURL } from "node:url";

const requireHere = createRequire(path.join(process.cwd(), "package.json"));
const load = async (name) => (await import(pathToFileURL(requireHere.resolve(name)).href)).default;

const lint = await load("@commitlint/lint");
const config = await load("@commitlint/config-conventional");
// What `commitlint --extends @commitlint/config-conventional` loads: the rules, and the
// parser options of the preset the config names (conventional-changelog-conventionalcommits).
const createPreset = await load(config.parserPreset);
const options = { parserOpts: (await createPreset()).parser };

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (line.trim() === "") continue;
  const result = await lint(JSON.parse(line), config.rules, options);
  const errors = result.errors.map((error) => error.name);
  process.stdout.write(`${JSON.stringify({ valid: result.valid, errors })}\n`);
}
