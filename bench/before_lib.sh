# Shared by the before/after benchmarks: a checkout of an older commit next to this one, to build
# and run the "before" side from in the same run as this checkout's "after" side.
# before_tree REV [DIR]: prints the path of a git worktree of REV (created detached when missing;
# DIR defaults to target/before-<short rev> of this checkout, which git ignores). An existing
# worktree at another commit is refused rather than moved.
before_tree() {
  local rev dir
  rev=$(git rev-parse --verify "$1^{commit}")
  dir=${2:-$PWD/target/before-${rev:0:7}}
  if [ ! -e "$dir" ]; then
    mkdir -p "$(dirname "$dir")"
    git worktree add --detach "$dir" "$rev" >&2
  fi
  if [ "$(git -C "$dir" rev-parse HEAD)" != "$rev" ]; then
    echo "bench: $dir is not at $rev; remove it or point at another directory" >&2
    return 1
  fi
  (cd "$dir" && pwd)
}

# load_average: the 1, 5 and 15 minute load averages, for the record of a run on a shared machine.
load_average() {
  cut -d' ' -f1-3 /proc/loadavg
}
