#!/usr/bin/env bash
# The size rule: no source file over about 600 lines, no function over about 80,
# so each room is small enough to live in. Lists every .rs file under crates/*/src over
# MAX_FILE_LINES and every fn over MAX_FN_LINES (signature to closing brace, tests marked).
#
# Reports by default; STRICT=1 (as .ci/run calls it) makes any offender fail it.
#
# A fn is counted from the line that starts the item to the first line after it that is
# just its closing brace at the same indentation, which is how rustfmt lays every body out.
# Declarations without a body (trait methods ending in `;`) are skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX_FILE_LINES=${MAX_FILE_LINES:-600}
MAX_FN_LINES=${MAX_FN_LINES:-80}
STRICT=${STRICT:-0}

mapfile -t files < <(find crates/*/src -name '*.rs' -type f | LC_ALL=C sort)

offenders=0

echo "Files over $MAX_FILE_LINES lines:"
big_files=0
for f in "${files[@]}"; do
  n=$(wc -l <"$f")
  if [ "$n" -gt "$MAX_FILE_LINES" ]; then
    printf '  %5d  %s\n' "$n" "$f"
    big_files=$((big_files + 1))
  fi
done
[ "$big_files" -eq 0 ] && echo "  none"
offenders=$((offenders + big_files))

echo "Functions over $MAX_FN_LINES lines:"
long_fns=$(awk -v max="$MAX_FN_LINES" '
  FNR == 1 { flush(); file = FILENAME; n = 0 }
  { line[++n] = $0 }
  END { flush() }

  function indent(s) { match(s, /^[ \t]*/); return RLENGTH }

  # Scans the lines of one file for fn items and prints those over `max` lines.
  function flush(    i, j, ind, name, len, is_test, k, closing) {
    for (i = 1; i <= n; i++) {
      if (line[i] !~ /^[ \t]*(pub(\([^)]*\))?[ \t]+)?(default[ \t]+)?(const[ \t]+)?(async[ \t]+)?(unsafe[ \t]+)?(extern[ \t]+("[^"]*"[ \t]+)?)?fn[ \t]+[A-Za-z_][A-Za-z0-9_]*/)
        continue
      ind = indent(line[i])
      name = line[i]
      sub(/^.*fn[ \t]+/, "", name)
      sub(/[^A-Za-z0-9_].*$/, "", name)
      # A one-line fn, or a declaration with no body.
      if (line[i] ~ /\}[ \t]*$/ && line[i] ~ /\{/) continue
      closing = ""
      for (j = i; j <= n; j++) {
        if (line[j] ~ /\{[ \t]*$/ || line[j] ~ /\{[ \t]*\/\/.*$/) {
          # The body has opened: look only for the closing brace from here on.
          for (j = j + 1; j <= n; j++)
            if (indent(line[j]) == ind && line[j] ~ /^[ \t]*\}[ \t]*$/) { closing = j; break }
          break
        }
        if (line[j] ~ /;[ \t]*$/ && indent(line[j]) <= ind + 4) break
      }
      if (closing == "") continue
      len = closing - i + 1
      if (len <= max) continue
      is_test = ""
      for (k = i - 1; k >= 1 && line[k] ~ /^[ \t]*(#\[|\/\/\/)/; k--)
        if (line[k] ~ /#\[([a-z_]+::)?test/) is_test = "  (test)"
      printf "  %5d  %s:%d  %s%s\n", len, file, i, name, is_test
    }
    n = 0
  }
' "${files[@]}" | sort -k1,1nr -k2,2)
if [ -n "$long_fns" ]; then
  echo "$long_fns"
  offenders=$((offenders + $(wc -l <<<"$long_fns")))
else
  echo "  none"
fi

echo "$offenders over the limits."
if [ "$STRICT" = "1" ] && [ "$offenders" -gt 0 ]; then
  exit 1
fi
exit 0
