# Sourced by scripts that run long steps: `step NAME CMD…` runs CMD and records its wall
# time; on exit (success or failure) the table of every step is printed, so each closing
# note can quote it.
STEP_NAMES=()
STEP_SECS=()
STEP_RESULTS=()
STEPS_STARTED=$SECONDS

step() {
  local name=$1 started=$SECONDS status=0
  shift
  printf '\n\033[1m== %s\033[0m\n' "$name"
  "$@" || status=$?
  STEP_NAMES+=("$name")
  STEP_SECS+=($((SECONDS - started)))
  STEP_RESULTS+=("$([ "$status" = 0 ] && echo ok || echo "FAILED ($status)")")
  return "$status"
}

print_steps() {
  local status=$? i total=$((SECONDS - STEPS_STARTED))
  printf '\n%-48s %9s  %s\n' "step" "wall time" "result"
  for i in "${!STEP_NAMES[@]}"; do
    printf '%-48s %6dm%02ds  %s\n' "${STEP_NAMES[$i]}" $((STEP_SECS[i] / 60)) $((STEP_SECS[i] % 60)) "${STEP_RESULTS[$i]}"
  done
  printf '%-48s %6dm%02ds  %s\n' "total" $((total / 60)) $((total % 60)) "$([ "$status" = 0 ] && echo passed || echo FAILED)"
  return "$status"
}
trap print_steps EXIT
