package dev.orion.common.ssh;

/**
 * The throwaway {@code job-…} users of job attempts, made by the start and removed after the
 * record, as shell fragments for {@link JobScripts}. Not with {@code useradd}/{@code userdel}: they
 * cost a worker ~9 and ~10 ms of CPU each (each tries to exec {@code nscd} and {@code sss_cache}
 * three times, installed or not), more than the rest of an attempt's work there. A job user is two
 * lines, in {@code /etc/passwd} and {@code /etc/shadow} (password locked), and a private home;
 * its primary group is {@value ClientAccounts#CLIENT_GROUP}, so it has no group of its own to make
 * and remove, and it carries the mark every deletion checks. The files are changed as shadow's
 * tools change them, so those tools and these scripts exclude each other: each file is locked by
 * {@code <file>.lock} made exclusively and holding the locker's pid (a lock whose process is gone
 * is taken over); a new user's lines are appended; a removal is {@code sed -i}, which writes a copy
 * with the file's owner and mode and renames it over the file. Caches are flushed when {@code nscd}
 * or {@code sss_cache} is installed. Everything else is shell builtins: each process costs ~2 ms.
 */
final class JobUsers {
  /** uid range of job users, as Debian's login.defs defaults. */
  static final int UID_MIN = 1000;
  static final int UID_MAX = 59999;

  private JobUsers() {}

  // Needs $r (the run root, for pause's FIFO), $u (the user) and $g (the group). ent: the user's
  // uid and gid from /etc/passwd; grp: a group's gid; lock/unlock: shadow's lock files, waited
  // for up to 2 s; flush: the name caches.
  static final String FUNCTIONS = """
      pause() { if [ -n "${BASH_VERSION:-}" ] && [ -p "$r/.tick" ]; then read -r -t "$1" _ <> "$r/.tick" || :; else sleep "$1"; fi; }
      ent() { uid=; gid=; while IFS=: read -r nm _ i gi _; do [ "$nm" = "$1" ] && { uid=$i; gid=$gi; return 0; }; done < /etc/passwd; return 1; }
      grp() { while IFS=: read -r nm _ gi _; do [ "$nm" = "$1" ] && { echo "$gi"; return 0; }; done < /etc/group; return 1; }
      lock() {
        i=0
        until { set -C; echo $$ > "$1.lock"; } 2>/dev/null; do
          set +C; o=; read -r o < "$1.lock" 2>/dev/null
          if [ -n "$o" ] && ! kill -0 "$o" 2>/dev/null; then rm -f -- "$1.lock"
          elif [ $i -ge 400 ]; then echo "cannot lock $1: held by process $o" >&2; return 1
          else pause 0.005; fi
          i=$((i+1))
        done
        set +C
      }
      locks() { lock /etc/passwd && { lock /etc/shadow || { rm -f /etc/passwd.lock; false; }; }; }
      flush() { [ ! -x /usr/sbin/nscd ] || nscd -i passwd 2>/dev/null; [ ! -x /usr/sbin/sss_cache ] || sss_cache -U 2>/dev/null; :; }
      """;

  // Makes $u unless it exists (looked for again under the locks), with the next uid after the
  // highest in the range, and its home; leaves $uid and $gid set.
  static final String MAKE = """
      mkuser() {
        gid=$(grp "$g") || { groupadd -f -r "$g" && gid=$(grp "$g"); } || return 1
        locks || return 1
        max=%d uid=
        while IFS=: read -r nm _ i _; do
          [ "$nm" = "$u" ] && uid=$i
          case $i in ''|*[!0-9]*) ;; *) [ "$i" -gt "$max" ] && [ "$i" -le %d ] && max=$i ;; esac
        done < /etc/passwd
        if [ -z "$uid" ]; then
          uid=$((max + 1))
          echo "$u:x:$uid:$gid::/home/$u:/bin/bash" >> /etc/passwd &&
          echo "$u:!:$(( ${EPOCHSECONDS:-0} / 86400 )):0:99999:7:::" >> /etc/shadow
        fi &&
        install -d -m 0700 -o "$uid" -g "$gid" -- "/home/$u"; rc=$?
        rm -f /etc/passwd.lock /etc/shadow.lock
        flush
        return $rc
      }
      """.formatted(UID_MIN - 1, UID_MAX);

  // After the attempt is recorded ($d: its run directory): the user's processes killed (none can
  // start again: no password, no key), its lines removed, run directory, home and the user's files
  // in the temp directories removed. A user missing is fine; one whose primary group is not
  // $g is not a job user and is left alone.
  private static final String DELETE = """
      set -u
      ent "$u" || { rm -rf -- "$d"; exit 0; }
      [ "$gid" = "$(grp "$g")" ] || { echo "user $u is not an Orion job user; not touching it" >&2; exit 3; }
      i=0
      while pkill -KILL -U "$uid" && [ $i -lt 50 ]; do i=$((i+1)); pause 0.02; done
      locks || exit 1
      sed -i -e "/^$u:/d" /etc/passwd /etc/shadow; rc=$?
      rm -rf -- "$d" "/home/$u" /etc/passwd.lock /etc/shadow.lock
      flush
      find /tmp /var/tmp /dev/shm -xdev \\( -type d ! -uid "$uid" ! -perm -0002 -prune \\) \\
        -o -uid "$uid" -prune -exec rm -rf -- {} + 2>/dev/null
      exit $rc
      """;

  /** Removes an attempt's run directory and its job user with everything of it, in one command. */
  static String deleteScript(String runDir, String user) {
    JobScripts.requireRunDir(runDir);
    ClientAccounts.requireValid(user);
    return "r=" + Shell.quote(JobScripts.RUN_ROOT) + " d=" + Shell.quote(runDir) + " u=" + Shell.quote(user)
        + " g=" + Shell.quote(ClientAccounts.CLIENT_GROUP) + "\n" + FUNCTIONS + DELETE;
  }
}
