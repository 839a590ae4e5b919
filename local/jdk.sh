# Sourced by local/mvn and local/run: exports JAVA_HOME as a JDK 21 or newer (JAVA_HOME itself when it
# is one, otherwise the newest found in the usual places). The project targets the Lambda java21 runtime.
major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p' | head -n 1; }

pick=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ] && [ "$(major "$JAVA_HOME")" -ge 21 ] 2>/dev/null; then
  pick="$JAVA_HOME"
else
  # Prefer 21, the Lambda runtime's version; otherwise the newest JDK above it.
  best=0
  for home in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -x "$home/bin/javac" ] || continue
    v=$(major "$home")
    if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null; then
      if [ "$v" -eq 21 ] && [ "$best" -ne 21 ]; then best=21; pick=$home
      elif [ "$best" -ne 21 ] && [ "$v" -gt "$best" ]; then best=$v; pick=$home; fi
    fi
  done
  if [ -z "$pick" ] && command -v javac >/dev/null 2>&1; then
    home=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
    v=$(major "$home")
    if [ -n "$v" ] && [ "$v" -ge 21 ] 2>/dev/null; then pick=$home; fi
  fi
fi
if [ -z "$pick" ]; then
  echo "local/mvn: no JDK 21 or newer found. Install one (for example Temurin 21) and set JAVA_HOME to it." >&2
  exit 1
fi
export JAVA_HOME="$pick"
# Maven's own Guava uses sun.misc.Unsafe, which JDK 24 and later warn about on every run: allowed for every script that sources this (local/mvn, local/run).
if [ "$(major "$JAVA_HOME")" -ge 24 ] 2>/dev/null && [[ "${MAVEN_OPTS:-}" != *sun-misc-unsafe-memory-access* ]]; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
