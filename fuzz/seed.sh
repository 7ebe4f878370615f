#!/usr/bin/env bash
# Seeds the fuzz corpora from the project's tests and ../shared/fixtures
# (copied at run time: the shared fixtures are never committed here).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/{manifest_loader,checklist_loader,security_txt,security_insights,markdown_escaper,yaml_fast_path}
cp ../examples/*.yaml ../tests/bad-input/*.yaml corpus/manifest_loader/ 2>/dev/null || true
cp ../checklists/*.yaml ../tests/fixtures/*.yaml corpus/checklist_loader/
cp ../tests/fixtures/security-txt/* corpus/security_txt/
cp ../examples/*.yaml ../checklists/*.yaml corpus/yaml_fast_path/
# Small seeds for each construct the fast path reads beyond one-line values.
printf -- '---\na: |\n  line\n    more\n\n  # text\nb: >-\n  one\n  two\n' > corpus/yaml_fast_path/block-scalars
printf -- 'a: plain\n  continued\n\n  again\n  # comment\nb: "esc \\" \\\\ \\n"\nc: '"'it''s'"'\n' > corpus/yaml_fast_path/continued-and-escaped
printf -- 'a:\n- x\n- k: v\n  l:\n  - y\nb: {c}, [d]\n' > corpus/yaml_fast_path/indentless
if [ -d ../../shared/fixtures ]; then
  cp ../../shared/fixtures/security-txt/* corpus/security_txt/
  cp ../../shared/fixtures/security-insights/* corpus/security_insights/
  cp ../../shared/fixtures/security-insights/* corpus/yaml_fast_path/
fi
printf 'Evil | *Corp* <script>alert(1)</script> [x](javascript:alert(1))' > corpus/markdown_escaper/injection
printf -- '- 1. # = \t\n  spaced  ' > corpus/markdown_escaper/line-starts
