package dev.orion.common.worker;

import dev.orion.common.ssh.ClientAccounts;
import dev.orion.common.ssh.Shell;

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

  // Needs $r (the run root, for pause's FIFO and the takeover's lock), $u (the user) and $g (the
  // group). ent: the user's uid and gid from /etc/passwd; grp: a group's gid (both read a last line
  // without its newline too). lock: shadow's lock file, holding our pid as shadow writes it (digits
  // and a NUL: its tools take over only a lock they can read), waited for up to 2 s; one whose
  // process is gone, or still empty after a second (its maker died between creating and writing
  // it), is taken over, the check and removal made one step among Orion's lockers by flock, so two
  // of them never both take over the same lock. unlock removes only our own locks. flush: the
  // name caches, where installed.
  static final String FUNCTIONS = """
      pause() { if [ -n "${BASH_VERSION:-}" ] && [ -p "$r/.tick" ]; then read -r -t "$1" _ <> "$r/.tick" || :; else sleep "$1"; fi; }
      ent() { uid=; gid=; while IFS=: read -r nm _ i gi _ || [ -n "$nm" ]; do [ "$nm" = "$1" ] && { uid=$i; gid=$gi; return 0; }; done < /etc/passwd; return 1; }
      grp() { while IFS=: read -r nm _ gi _ || [ -n "$nm" ]; do [ "$nm" = "$1" ] && { echo "$gi"; return 0; }; done < /etc/group; return 1; }
      takeover() { flock -w 2 "$r/.takeover" sh -c 'o=; read -r o 2>/dev/null < "$1"; [ "$o" != "$2" ] || rm -f -- "$1"' sh "$1" "$2"; }
      lock() {
        i=0
        until { set -C; printf '%s\\0' $$ > "$1.lock"; } 2>/dev/null; do
          set +C; o=; read -r o 2>/dev/null < "$1.lock"
          if [ $i -ge 400 ]; then echo "cannot lock $1: held by process ${o:-(none yet)}" >&2; return 1
          elif { [ -n "$o" ] && ! kill -0 "$o" 2>/dev/null; } || { [ -z "$o" ] && [ $i -ge 200 ]; }; then takeover "$1.lock" "$o"
          else pause 0.005; fi
          i=$((i+1))
        done
        set +C
      }
      unlock() {
        set --
        for f in /etc/passwd /etc/shadow; do o=; read -r o 2>/dev/null < "$f.lock"; [ "$o" != $$ ] || set -- "$@" "$f.lock"; done
        [ $# -eq 0 ] || rm -f -- "$@"
      }
      locks() { lock /etc/passwd && { lock /etc/shadow || { unlock; false; }; }; }
      flush() { [ ! -x /usr/sbin/nscd ] || nscd -i passwd 2>/dev/null; [ ! -x /usr/sbin/sss_cache ] || sss_cache -U 2>/dev/null; :; }
      """;

  // Makes $u unless it exists (looked for again under the locks) with the next uid after the
  // highest in the range, and its home (again too: a start cut short after the lines has none);
  // leaves $uid and $gid set. A file whose last line lacks its newline gets one first.
  static final String MAKE = """
      mkuser() {
        gid=$(grp "$g") || { groupadd -f -r "$g" && gid=$(grp "$g"); } || return 1
        locks || return 1
        max=%d uid= nl=
        while IFS=: read -r nm _ i _ || { [ -n "$nm" ] && nl=1; }; do
          [ "$nm" = "$u" ] && uid=$i
          case $i in ''|*[!0-9]*) ;; *) [ "$i" -gt "$max" ] && [ "$i" -le %d ] && max=$i ;; esac
        done < /etc/passwd
        rc=0
        if [ -z "$uid" ]; then
          uid=$((max + 1)) l=
          while IFS= read -r l; do :; done < /etc/shadow
          if [ "$uid" -gt %d ]; then
            echo "no uid left in %d..%d" >&2; rc=1
          else
            { [ -z "$nl" ] || echo; echo "$u:x:$uid:$gid::/home/$u:/bin/bash"; } >> /etc/passwd &&
            { [ -z "$l" ] || echo; echo "$u:!:${EPOCHSECONDS:+$((EPOCHSECONDS / 86400))}:0:99999:7:::"; } >> /etc/shadow || rc=1
          fi
        fi
        [ $rc -ne 0 ] || install -d -m 0700 -o "$uid" -g "$gid" -- "/home/$u" || rc=1
        unlock
        flush
        return $rc
      }
      """.formatted(UID_MIN - 1, UID_MAX, UID_MAX, UID_MIN, UID_MAX);

  // After the attempt is recorded ($d: its run directory): the user's processes killed (none can
  // start again: no password, no key), then its run directory, home and files in the temp
  // directories removed, and only then its lines: a removal cut short is done again in full by the
  // next one, and the uid is not free for another user while any file of it is left. A user
  // missing is fine; one whose primary group is not $g is not a job user and is left alone. A
  // shadow tool (the scrub's userdel) that meets these locks fails at once (exit 10) and is retried.
  private static final String DELETE = "set -u\n" + """
      ent "$u" || { rm -rf -- "$d"; exit 0; }
      [ "$gid" = "$(grp "$g")" ] || { echo "user $u is not an Orion job user; not touching it" >&2; exit 3; }
      """ + ClientAccounts.KILL_ALL + """
      rm -rf -- "$d" "/home/$u"
      """ + ClientAccounts.REMOVE_TEMP_FILES + """
      locks || exit 1
      sed -i -e "/^$u:/d" /etc/passwd /etc/shadow; rc=$?
      unlock
      flush
      exit $rc
      """;

  /** Removes an attempt's run directory and its job user with everything of it, in one command. */
  static String deleteScript(String runDir, String user) {
    RunDirs.require(runDir);
    ClientAccounts.requireValid(user);
    return "r=" + Shell.quote(RunDirs.ROOT) + " d=" + Shell.quote(runDir) + " u=" + Shell.quote(user)
        + " g=" + Shell.quote(ClientAccounts.CLIENT_GROUP) + "\n" + FUNCTIONS + DELETE;
  }
}
