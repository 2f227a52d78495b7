# The worker side of job attempts (JobExecutor): one request line in, one answer line out, until
# the input ends. Run as root over the admin connection, either for one request or resident for
# many (a session and a shell cost a worker ~2 ms of CPU each, every process ~1 ms; here a start is
# one fork for the wrapper and one for the steps, a removal none). Needs perl-base only.
#
# Request: an operation and its arguments, each hex-encoded, separated by spaces.
# Answer: "ok <fields...>", or "err <status> <hex message>": 1 failed, 2 a malformed request, 3 not
# a job user (left alone), 4 no such user (nothing started), 5 a run directory without its group.
#
# The throwaway users' lines are written as shadow's tools write them, so those tools and this
# program exclude each other: a file is locked by <file>.lock, created exclusively and holding the
# locker's pid as digits and a NUL (shadow's own format: its tools take over only a lock they can
# read). A lock whose process is gone, or still empty after a second, is taken over under flock of
# <root>/.takeover, so two executors never both take the same lock over.
use strict;
use warnings;
use Fcntl qw(O_WRONLY O_RDWR O_CREAT O_EXCL O_APPEND :flock);
use File::Path ();
use POSIX ();

my ($ROOT, $GROUP, $UID_MIN, $UID_MAX) = @ARGV;
my $PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
my %OPS = (start => \&start, poll => \&poll, kill => \&kill_group, rmdir => \&rm_dir, rmuser => \&rm_user,
  list => \&list);

$| = 1;
umask 022;
$SIG{CHLD} = 'IGNORE';    # wrappers outlive their start and are reaped by the kernel
$SIG{PIPE} = 'DEFAULT';
open STDERR, '>', '/dev/null';    # nobody reads it while resident; failures travel in the answer

while (my $line = <STDIN>) {
  chomp $line;
  my ($op, @args) = split / /, $line, -1;
  my $answer = eval {
    my $f = $OPS{$op // ''} or fail(2, 'unknown operation ' . ($op // ''));
    $f->(map { pack 'H*', $_ } @args);
  };
  if (!defined $answer) {
    my $e = $@;
    my ($status, $msg) = ref $e eq 'ARRAY' ? @$e : (1, "$e");
    $msg =~ s/\s+\z//;
    $answer = "err $status " . unpack('H*', $msg);
  }
  print "$answer\n";
}

sub fail { die [@_] }

sub pause { select undef, undef, undef, $_[0] }

sub slurp {
  open my $f, '<', $_[0] or return '';
  local $/;
  my $s = <$f> // '';
  return $s;
}

sub spew {
  my ($file, $s) = @_;
  open my $f, '>', $file or die "cannot write $file: $!\n";
  print $f $s;
  close $f or die "cannot write $file: $!\n";
}

# The fields of a name's line in /etc/passwd or /etc/group (a last line without its newline too).
sub entry {
  my ($file, $name) = @_;
  open my $f, '<', $file or die "cannot read $file: $!\n";
  while (my $l = <$f>) {
    chomp $l;
    my @x = split /:/, $l, -1;
    return @x if $x[0] eq $name;
  }
  return;
}

# The user's uid and gid, or nothing.
sub ent {
  my @x = entry('/etc/passwd', $_[0]);
  return @x ? @x[2, 3] : ();
}

# A group's gid, or undef.
sub grp {
  my @x = entry('/etc/group', $_[0]);
  return @x ? $x[2] : undef;
}

# The user's groups as initgroups would set them: $gid first, then those listing the user.
sub groups_of {
  my ($u, $gid) = @_;
  my %g = ($gid => 1);
  open my $f, '<', '/etc/group' or return ($gid);
  while (my $l = <$f>) {
    chomp $l;
    my @x = split /:/, $l, -1;
    $g{$x[2]} = 1 if defined $x[3] && grep { $_ eq $u } split /,/, $x[3];
  }
  return ($gid, grep { $_ != $gid } sort { $a <=> $b } keys %g);
}

sub start {
  my ($d, $u, $make, $settle, $n, $cmd, $env) = @_;
  File::Path::make_path($ROOT, { mode => 0711 }) unless -d $ROOT;
  my ($uid, $gid) = ent($u);
  if ($make) {
    ($uid, $gid) = mkuser($u) unless defined $uid && -d "/home/$u";
  } elsif (!defined $uid) {
    fail(4, "no user $u");
  }
  my ($state, $pgid, $done);
  if (mkdir $d, 0755) {
    $state = 'new';
    ($pgid, $done) = launch($d, $u, $uid, $gid, $cmd, $env);
  } else {
    -d $d or fail(1, "cannot create $d: $!");
    $state = 'again';
    for (1 .. 400) {
      last if -s "$d/pgid.w";
      pause(0.005);
    }
    ($pgid) = slurp("$d/pgid.w") =~ /^(\d+)/ or fail(5, "$d exists without a process group");
  }
  # Up to $settle × 5 ms for the steps to end: most short steps do, and the answer then carries
  # the whole outcome. A new start waits on its wrapper (which ends right after writing the exit
  # status), one found started on the file.
  my $waited = 0;
  if ($done) {
    my $rin = '';
    vec($rin, fileno($done), 1) = 1;
    my ($found, $left) = select my $rout = $rin, undef, undef, $settle * 0.005;
    $waited = int(($settle * 0.005 - ($left // 0)) * 1e6);
    close $done;
  } else {
    for (1 .. $settle) {
      last if -s "$d/exit";
      pause(0.005);
      $waited += 5000;
    }
  }
  return "ok $state $pgid $waited " . look($d, $pgid, 0, $n);
}

# The wrapper: a root process leading the attempt's own session and process group (what a cancel
# kills), which records its pid in pgid.w as its first act, runs the steps as the user with their
# output in out, and writes their status to exit when they end; the user can forge neither file.
# Returns the group's id once pgid.w is written, and a handle that reads end of file when the
# wrapper is gone (its exit status written).
sub launch {
  my ($d, $u, $uid, $gid, $cmd, $env) = @_;
  pipe(my $ready_r, my $ready_w) or fail(1, "pipe: $!");
  pipe(my $done_r, my $done_w) or fail(1, "pipe: $!");
  my $pid = fork // fail(1, "fork: $!");
  if ($pid == 0) {
    eval {
      $SIG{CHLD} = 'DEFAULT';
      close $ready_r;
      close $done_r;
      open STDIN, '<', '/dev/null';
      open STDOUT, '>', '/dev/null';
      POSIX::setsid() or die;
      spew("$d/pgid.w", "$$\n");
      close $ready_w;
      my @groups = groups_of($u, $gid);
      my $steps = fork // die;
      if ($steps == 0) {
        close $done_w;
        chdir '/';
        open STDOUT, '>', "$d/out" or POSIX::_exit(126);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(126);
        $) = "$gid @groups";
        POSIX::setgid($gid);
        POSIX::setuid($uid);
        POSIX::_exit(126) unless $< == $uid && $> == $uid && $( == $gid && $) == $gid;
        %ENV = (HOME => "/home/$u", USER => $u, LOGNAME => $u, SHELL => '/bin/sh', PATH => $PATH,
          map { split /=/, $_, 2 } grep { length } split /\0/, $env);
        { no warnings 'exec'; exec { '/bin/sh' } 'sh', '-c', $cmd; }
        POSIX::_exit(127);
      }
      waitpid $steps, 0;
      my $s = $? & 127 ? 128 + ($? & 127) : $? >> 8;
      spew("$d/exit", "$s\n");
    };
    POSIX::_exit(0);
  }
  close $ready_w;
  close $done_w;
  sysread $ready_r, my $x, 1;    # end of file: pgid.w is written (or the wrapper failed)
  close $ready_r;
  my ($pgid) = slurp("$d/pgid.w") =~ /^(\d+)/ or fail(5, "$d exists without a process group");
  return ($pgid, $done_r);
}

# Whether the group still runs (or is still coming up: no pgid.w yet), the recorded exit status,
# the output's size and up to $n bytes of it from $o.
sub look {
  my ($d, $p, $o, $n) = @_;
  my $alive = (kill(0, -$p) || !-s "$d/pgid.w") ? 1 : 0;
  my ($e) = slurp("$d/exit") =~ /^(\d+)/;
  my $s = (-s "$d/out") || 0;
  my $chunk = '-';
  if ($n > 0 && $o < $s && open my $f, '<:raw', "$d/out") {
    sysseek $f, $o, 0;
    my $buf = '';
    while (length $buf < $n) {
      my $r = sysread $f, $buf, $n - length $buf, length $buf;
      last unless $r;
    }
    $chunk = unpack 'H*', $buf if length $buf;
  }
  return join ' ', $alive, $e // '-', $s, $chunk;
}

sub poll {
  my ($d, $p, $o, $n) = @_;
  $p =~ /^\d+\z/ && $p > 1 or fail(2, "not a process group: $p");
  return 'ok ' . look($d, $p, $o, $n);
}

sub kill_group {
  my ($p) = @_;
  $p =~ /^\d+\z/ && $p > 1 or fail(2, "not a process group: $p");
  kill 'KILL', -$p;
  return 'ok';
}

# The run directories under the root, hex-encoded.
sub list {
  opendir my $h, $ROOT or return 'ok';
  return join ' ', 'ok', map { unpack 'H*', "$ROOT/$_" } sort grep { /^\d+-\d+\z/ && -d "$ROOT/$_" && !-l "$ROOT/$_" } readdir $h;
}

sub rm_dir {
  my ($d) = @_;
  remove($d);
  return 'ok';
}

sub remove {
  File::Path::remove_tree(@_, { safe => 0, error => \my $err });
  for my $e (@$err) {
    my ($path, $msg) = %$e;
    die "cannot remove $path: $msg\n" if -e $path || -l $path;
  }
}

# The attempt's user with everything of it: its processes killed (none can start again: no
# password, no key), its run directory, home and files in the temp directories removed, and only
# then its lines, so a removal cut short is done again in full by the next one and the uid is not
# free for another user while any file of it is left. A missing user is fine; one whose primary
# group is not the job users' is not one of them and is left alone.
sub rm_user {
  my ($d, $u) = @_;
  my ($uid, $gid) = ent($u);
  if (!defined $uid) {
    remove($d);
    return 'ok';
  }
  $gid eq (grp($GROUP) // '') or fail(3, "user $u is not an Orion job user; not touching it");
  kill_user($uid);
  remove($d, "/home/$u");
  remove_temp($uid, $_) for grep { -d } '/tmp', '/var/tmp', '/dev/shm';
  locks();
  my $ok = eval {
    drop_lines($_, $u) for '/etc/passwd', '/etc/shadow';
    1;
  };
  my $err = $@;
  unlock();
  flush();
  die $err unless $ok;
  return 'ok';
}

# As pkill -KILL -U: processes whose real uid is $uid, until none is left (forks racing the kill).
sub kill_user {
  my ($uid) = @_;
  for (1 .. 50) {
    my @pids;
    opendir my $proc, '/proc' or die "cannot read /proc: $!\n";
    for my $p (grep { /^\d+\z/ } readdir $proc) {
      my ($real) = slurp("/proc/$p/status") =~ /^Uid:\s+(\d+)/m;
      push @pids, $p if defined $real && $real == $uid;
    }
    return unless @pids;
    kill 'KILL', @pids;
    pause(0.02);
  }
}

# As find -xdev: removes what $uid owns; descends only into directories that are someone else's
# and world-writable (like /tmp itself), never into another file system or through a symlink.
sub remove_temp {
  my ($uid, $dir, $dev) = @_;
  $dev //= (lstat $dir)[0];
  opendir my $h, $dir or return;
  for my $e (readdir $h) {
    next if $e eq '.' || $e eq '..';
    my $p = "$dir/$e";
    my @st = lstat $p or next;
    if ($st[4] == $uid) {
      remove($p);
    } elsif (-d _ && ($st[2] & 02) && $st[0] == $dev) {
      remove_temp($uid, $p, $dev);
    }
  }
}

# Makes $u unless it exists (looked for again under the locks) with the next uid after the highest
# in the range, and its home (again too: a start cut short after the lines has none). A file whose
# last line lacks its newline gets one first.
sub mkuser {
  my ($u) = @_;
  my $gid = grp($GROUP);
  if (!defined $gid) {
    local $SIG{CHLD} = 'DEFAULT';
    system 'groupadd', '-f', '-r', $GROUP;
    $gid = grp($GROUP) // fail(1, "cannot make user $u: cannot make group $GROUP");
  }
  eval { locks(); 1 } or fail(1, "cannot make user $u: " . $@);
  my $uid;
  my $ok = eval {
    my $max = $UID_MIN - 1;
    open my $f, '<', '/etc/passwd' or die "cannot read /etc/passwd: $!\n";
    while (my $l = <$f>) {
      my @x = split /:/, $l, -1;
      $uid = $x[2] if $x[0] eq $u;
      $max = $x[2] if defined $x[2] && $x[2] =~ /^\d+\z/ && $x[2] > $max && $x[2] <= $UID_MAX;
    }
    close $f;
    if (!defined $uid) {
      $uid = $max + 1;
      die "no uid left in $UID_MIN..$UID_MAX\n" if $uid > $UID_MAX;
      append("/etc/passwd", "$u:x:$uid:${gid}::/home/$u:/bin/bash\n");
      append('/etc/shadow', "$u:!:" . int(time / 86400) . ":0:99999:7:::\n");
    }
    -d '/home' or mkdir '/home', 0755;
    mkdir "/home/$u", 0700;
    my @st = lstat "/home/$u";
    die "/home/$u is not a directory\n" unless @st && -d _;
    chown $uid, $gid, "/home/$u" and chmod 0700, "/home/$u" or die "cannot own /home/$u: $!\n";
    1;
  };
  my $err = $@;
  unlock();
  flush();
  fail(1, "cannot make user $u: $err") unless $ok;
  return ($uid, $gid);
}

sub append {
  my ($file, $line) = @_;
  my $size = -s $file;
  my $nl = '';
  if ($size) {
    open my $r, '<', $file or die "cannot read $file: $!\n";
    seek $r, $size - 1, 0;
    read $r, my $last, 1;
    $nl = "\n" if $last ne "\n";
  }
  sysopen my $f, $file, O_WRONLY | O_APPEND or die "cannot open $file: $!\n";
  syswrite $f, $nl . $line or die "cannot write $file: $!\n";
  close $f or die "cannot write $file: $!\n";
}

# As sed -i: a copy with the file's owner and mode, renamed over it.
sub drop_lines {
  my ($file, $u) = @_;
  my @st = stat $file or die "cannot read $file: $!\n";
  open my $in, '<', $file or die "cannot read $file: $!\n";
  my @keep = grep { index($_, "$u:") != 0 } <$in>;
  close $in;
  my $tmp = "$file.orion.$$";
  unlink $tmp;
  sysopen my $out, $tmp, O_WRONLY | O_CREAT | O_EXCL, 0600 or die "cannot write $tmp: $!\n";
  print $out @keep;
  close $out or die "cannot write $tmp: $!\n";
  chown $st[4], $st[5], $tmp and chmod $st[2] & 07777, $tmp and rename $tmp, $file
    or do { unlink $tmp; die "cannot replace $file: $!\n" };
}

sub holder {
  my ($s) = slurp($_[0]) =~ /^(\d+)/;
  return $s // '';
}

sub lock_file {
  my ($file) = @_;
  for my $i (0 .. 400) {
    if (sysopen my $f, "$file.lock", O_WRONLY | O_CREAT | O_EXCL, 0600) {
      syswrite $f, "$$\0";
      close $f;
      return;
    }
    my $o = holder("$file.lock");
    die "cannot lock $file: held by process " . ($o || '(none yet)') . "\n" if $i >= 400;
    if ((length $o && !kill 0, $o) || (!length $o && $i >= 200)) {
      takeover("$file.lock", $o);
    } else {
      pause(0.005);
    }
  }
}

sub takeover {
  my ($lock, $o) = @_;
  sysopen my $t, "$ROOT/.takeover", O_RDWR | O_CREAT, 0600 or return;
  for (1 .. 400) {
    if (flock $t, LOCK_EX | LOCK_NB) {
      unlink $lock if -e $lock && holder($lock) eq $o;
      last;
    }
    pause(0.005);
  }
  close $t;
}

sub locks {
  lock_file('/etc/passwd');
  eval { lock_file('/etc/shadow'); 1 } or do { my $e = $@; unlock(); die $e };
}

# Removes only our own locks.
sub unlock {
  for my $f ('/etc/passwd.lock', '/etc/shadow.lock') {
    unlink $f if holder($f) eq $$;
  }
}

# The name caches, where installed.
sub flush {
  local $SIG{CHLD} = 'DEFAULT';
  system '/usr/sbin/nscd -i passwd >/dev/null 2>&1' if -x '/usr/sbin/nscd';
  system '/usr/sbin/sss_cache -U >/dev/null 2>&1' if -x '/usr/sbin/sss_cache';
}
