/*
 * skiff-spawner: runs short-lived host commands (crun, mount, CNI plugins...) for the skiff engine.
 *
 * Node starts processes with fork(): the whole (large) Node process is copied and the event loop
 * waits until the child has exec'd - 8 to 30 ms per command on a small VM. This helper is a small
 * process that starts commands with posix_spawn (vfork semantics, no copy) and reports each one's
 * exit status and output, many at a time, while Node's event loop keeps running.
 *
 * Protocol, on stdin and stdout, every frame a 4-byte little-endian length then the payload.
 *   request:  NUL-terminated fields
 *               id, file, argc, argv[0..argc), envc ("-" = inherit), env[0..envc), cwd ("" = keep),
 *               timeout in ms ("0" = none), detach flag, output file ("" = pipes), stdin flag, then
 *               the bytes for the command's stdin (/dev/null unless the stdin flag is "1").
 *             i.e. id \0 file \0 argc \0 args.. \0 envc \0 env.. \0 cwd \0 timeout \0 detach \0
 *                  outfile \0 stdinflag \0 <stdin bytes>
 *             With an output file, the command's stdout and stderr are appended to it.
 *             Detached ("1"): the command gets its own session and a pipe as fd 3 (a sync pipe, as
 *             conmon's _OCI_SYNCPIPE); the answer is the first line written there (as stdout, kind
 *             "line"), sent without waiting for the command to end, or kind "exit" if it ends first.
 *   response: id \0 kind \0 code \0 signal \0 stdoutlen \0 stderrlen \0 <stdout bytes><stderr bytes>
 *             kind is "exit" (code = exit status, or signal = the signal that ended it), "timeout"
 *             (killed with SIGKILL after the timeout; a detached command is not killed), "line" (see
 *             above) or "error" (the command could not be started;
 *             code = errno, stderr = strerror).
 * Two built-in commands run in the spawner itself, without a process: "@mount" SOURCE TARGET
 * FSTYPE DATA (mount(2) with no flags) and "@umount" TARGET ["detach"] (umount2(2)); they answer
 * kind "exit" with code 0, or 32 (mount(8)'s "mount failure") and the error on stderr.
 * When stdin closes, the spawner exits; commands still running are left alone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_OUTPUT (64u << 20)      /* per stream; the rest is discarded */
#define LINGER_MS 2000              /* how long to wait for EOF after the command exited */

typedef struct {
  char *data;
  size_t len, cap;
} buf_t;

static void buf_add(buf_t *b, const void *d, size_t n) {
  if (b->len + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + n) cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) { perror("skiff-spawner: realloc"); exit(70); }
    b->data = p;
    b->cap = cap;
  }
  memcpy(b->data + b->len, d, n);
  b->len += n;
}

typedef struct job {
  struct job *next;
  char id[64];
  pid_t pid;
  int out_fd, err_fd, in_fd;
  buf_t out, err;
  char *in_data;
  size_t in_len, in_off;
  int exited, status, timed_out, detached, answered;
  long long deadline, linger_until;
} job_t;

static job_t *jobs;
static int njobs;

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void write_all(int fd, const void *d, size_t n) {
  const char *p = d;
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      exit(0); /* Node went away */
    }
    p += w;
    n -= (size_t)w;
  }
}

static void respond(const char *id, const char *kind, int code, int sig, const buf_t *out, const buf_t *err) {
  char head[256];
  size_t outlen = out ? out->len : 0, errlen = err ? err->len : 0;
  int h = snprintf(head, sizeof head, "%s%c%s%c%d%c%d%c%zu%c%zu%c", id, 0, kind, 0, code, 0, sig, 0, outlen, 0, errlen, 0);
  uint32_t total = (uint32_t)(h + outlen + errlen);
  unsigned char len[4] = { total & 0xff, (total >> 8) & 0xff, (total >> 16) & 0xff, (total >> 24) & 0xff };
  write_all(1, len, 4);
  write_all(1, head, (size_t)h);
  if (outlen) write_all(1, out->data, outlen);
  if (errlen) write_all(1, err->data, errlen);
}

static void respond_error(const char *id, int code) {
  buf_t msg = { 0 };
  const char *text = strerror(code);
  buf_add(&msg, text, strlen(text));
  respond(id, "error", code, 0, NULL, &msg);
  free(msg.data);
}

/* Next NUL-terminated field of a request, or NULL when the frame ends first. */
static char *field(char **cur, char *end) {
  char *start = *cur;
  char *nul = memchr(start, 0, (size_t)(end - start));
  if (!nul) return NULL;
  *cur = nul + 1;
  return start;
}

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

/* "@mount" and "@umount": mount(8)'s work for the engine's overlay and tmpfs mounts, without an exec. */
static int builtin(const char *id, const char *file, long argc, char **argv) {
  int rc = -1;
  if (strcmp(file, "@mount") == 0 && argc == 5) rc = mount(argv[1], argv[2], argv[3], 0, argv[4]);
  else if (strcmp(file, "@umount") == 0 && (argc == 2 || argc == 3)) rc = umount2(argv[1], argc == 3 && strcmp(argv[2], "detach") == 0 ? MNT_DETACH : 0);
  else if (file[0] != '@') return 0;
  else errno = EINVAL;
  buf_t err = { 0 };
  if (rc != 0) {
    char msg[512];
    int n = snprintf(msg, sizeof msg, "%s %s: %s\n", file, argc > 1 ? argv[argc == 5 ? 2 : 1] : "", strerror(errno));
    buf_add(&err, msg, (size_t)n);
  }
  respond(id, "exit", rc == 0 ? 0 : 32, 0, NULL, &err);
  free(err.data);
  return 1;
}

static void start_job(char *frame, size_t len) {
  char *cur = frame, *end = frame + len;
  char *id = field(&cur, end), *file = field(&cur, end), *argc_s = field(&cur, end);
  if (!id || !file || !argc_s) { fprintf(stderr, "skiff-spawner: malformed request\n"); exit(65); }
  long argc = strtol(argc_s, NULL, 10);
  if (argc < 1 || argc > 100000) { respond_error(id, EINVAL); return; }
  char **argv = calloc((size_t)argc + 1, sizeof(char *));
  for (long i = 0; i < argc; i++) if (!(argv[i] = field(&cur, end))) { fprintf(stderr, "skiff-spawner: malformed argv\n"); exit(65); }
  char *envc_s = field(&cur, end);
  if (!envc_s) { fprintf(stderr, "skiff-spawner: malformed env\n"); exit(65); }
  char **envp = environ;
  char **own_env = NULL;
  if (strcmp(envc_s, "-") != 0) {
    long envc = strtol(envc_s, NULL, 10);
    own_env = calloc((size_t)envc + 1, sizeof(char *));
    for (long i = 0; i < envc; i++) if (!(own_env[i] = field(&cur, end))) { fprintf(stderr, "skiff-spawner: malformed env\n"); exit(65); }
    envp = own_env;
  }
  char *cwd = field(&cur, end), *timeout_s = field(&cur, end), *detach_s = field(&cur, end), *outfile = field(&cur, end),
       *stdin_flag = field(&cur, end);
  if (!cwd || !timeout_s || !detach_s || !outfile || !stdin_flag) { fprintf(stderr, "skiff-spawner: malformed request tail\n"); exit(65); }
  int want_stdin = strcmp(stdin_flag, "1") == 0;
  int detach = strcmp(detach_s, "1") == 0;
  if (builtin(id, file, argc, argv)) {
    free(argv);
    free(own_env);
    return;
  }

  job_t *j = calloc(1, sizeof *j);
  snprintf(j->id, sizeof j->id, "%s", id);
  j->in_fd = j->out_fd = j->err_fd = -1;
  int inp[2] = { -1, -1 }, outp[2], errp[2];
  if (pipe2(outp, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0 || (want_stdin && pipe2(inp, O_CLOEXEC) < 0)) {
    respond_error(id, errno);
    free(j); free(argv); free(own_env);
    return;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  if (want_stdin) posix_spawn_file_actions_adddup2(&fa, inp[0], 0);
  else posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  if (outfile[0]) {
    posix_spawn_file_actions_addopen(&fa, 1, outfile, O_WRONLY | O_APPEND | O_CREAT, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
  } else {
    posix_spawn_file_actions_adddup2(&fa, detach ? errp[1] : outp[1], 1);
    posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
  }
  /* Detached: the first pipe becomes the sync pipe on fd 3. */
  if (detach) posix_spawn_file_actions_adddup2(&fa, outp[1], 3);
  if (cwd[0]) posix_spawn_file_actions_addchdir_np(&fa, cwd);
  posix_spawnattr_t at;
  posix_spawnattr_init(&at);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&at, &none);
  posix_spawnattr_setsigdefault(&at, &all);
  posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | (detach ? POSIX_SPAWN_SETSID : 0));
  int rc = posix_spawnp(&j->pid, file, &fa, &at, argv, envp);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&at);
  close(outp[1]);
  close(errp[1]);
  if (want_stdin) close(inp[0]);
  free(argv);
  free(own_env);
  if (rc != 0) {
    close(outp[0]);
    close(errp[0]);
    if (want_stdin) close(inp[1]);
    respond_error(id, rc);
    free(j);
    return;
  }
  j->out_fd = outp[0];
  j->err_fd = errp[0];
  fcntl(j->out_fd, F_SETFL, O_NONBLOCK);
  fcntl(j->err_fd, F_SETFL, O_NONBLOCK);
  if (want_stdin) {
    j->in_len = (size_t)(end - cur);
    j->in_data = malloc(j->in_len ? j->in_len : 1);
    memcpy(j->in_data, cur, j->in_len);
    j->in_fd = inp[1];
    fcntl(j->in_fd, F_SETFL, O_NONBLOCK);
    if (j->in_len == 0) close_fd(&j->in_fd);
  }
  j->detached = detach;
  long timeout = strtol(timeout_s, NULL, 10);
  j->deadline = timeout > 0 ? now_ms() + timeout : 0;
  j->next = jobs;
  jobs = j;
  njobs++;
}

static void drain(int *fd, buf_t *b) {
  char chunk[65536];
  for (;;) {
    ssize_t r = read(*fd, chunk, sizeof chunk);
    if (r > 0) {
      if (b->len < MAX_OUTPUT) buf_add(b, chunk, (size_t)r < MAX_OUTPUT - b->len ? (size_t)r : MAX_OUTPUT - b->len);
      continue;
    }
    if (r < 0 && errno == EINTR) continue;
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    close_fd(fd); /* EOF or error */
    return;
  }
}

static void feed(job_t *j) {
  while (j->in_off < j->in_len) {
    ssize_t w = write(j->in_fd, j->in_data + j->in_off, j->in_len - j->in_off);
    if (w > 0) { j->in_off += (size_t)w; continue; }
    if (w < 0 && errno == EINTR) continue;
    if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    break; /* EPIPE: the command does not read its input */
  }
  close_fd(&j->in_fd);
}

/* A detached command's answer: the first non-empty line on its sync pipe. */
static void answer_line(job_t *j) {
  if (!j->detached || j->answered) return;
  size_t start = 0;
  while (start < j->out.len && (j->out.data[start] == '\n' || j->out.data[start] == ' ')) start++;
  char *nl = start < j->out.len ? memchr(j->out.data + start, '\n', j->out.len - start) : NULL;
  if (!nl) return;
  buf_t line = { 0 };
  buf_add(&line, j->out.data + start, (size_t)(nl - (j->out.data + start)));
  respond(j->id, "line", 0, 0, &line, &j->err);
  free(line.data);
  j->answered = 1;
  close_fd(&j->out_fd);
  close_fd(&j->err_fd);
}

static void reap(void) {
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (job_t *j = jobs; j; j = j->next) {
      if (j->pid == pid && !j->exited) {
        j->exited = 1;
        j->status = status;
        j->linger_until = now_ms() + LINGER_MS;
        close_fd(&j->in_fd);
        break;
      }
    }
  }
}

static void finish_done_jobs(void) {
  long long now = now_ms();
  for (job_t **pp = &jobs; *pp;) {
    job_t *j = *pp;
    int open_fds = j->out_fd >= 0 || j->err_fd >= 0;
    /* A detached command's sync pipe may be written by the daemon it left behind: wait for that
       until the timeout, not just the linger time. */
    int waiting = !j->answered && open_fds && (j->detached || now < j->linger_until);
    if (!j->exited || waiting) { pp = &j->next; continue; }
    /* Output still open past the linger time belongs to something the command left behind. */
    if (j->out_fd >= 0) drain(&j->out_fd, &j->out);
    if (j->err_fd >= 0) drain(&j->err_fd, &j->err);
    close_fd(&j->out_fd);
    close_fd(&j->err_fd);
    int code = WIFEXITED(j->status) ? WEXITSTATUS(j->status) : -1;
    int sig = WIFSIGNALED(j->status) ? WTERMSIG(j->status) : 0;
    if (!j->answered) respond(j->id, j->timed_out ? "timeout" : "exit", code, sig, &j->out, &j->err);
    *pp = j->next;
    free(j->out.data);
    free(j->err.data);
    free(j->in_data);
    free(j);
    njobs--;
  }
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  /* Ctrl-C in a terminal reaches the whole process group: Node decides when to stop, and the
     spawner ends when Node closes its stdin. (Commands get every signal reset to default.) */
  signal(SIGINT, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, NULL);
  int sfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (sfd < 0) { perror("skiff-spawner: signalfd"); return 71; }
  fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
  buf_t in = { 0 };
  int in_open = 1;
  struct pollfd *pfds = NULL;
  job_t **owners = NULL;
  size_t pcap = 0;
  for (;;) {
    size_t need = 2 + (size_t)njobs * 3;
    if (need > pcap) {
      pcap = need * 2;
      pfds = realloc(pfds, pcap * sizeof *pfds);
      owners = realloc(owners, pcap * sizeof *owners);
    }
    size_t n = 0;
    pfds[n] = (struct pollfd){ .fd = in_open ? 0 : -1, .events = POLLIN };
    owners[n++] = NULL;
    pfds[n] = (struct pollfd){ .fd = sfd, .events = POLLIN };
    owners[n++] = NULL;
    long long now = now_ms(), wake = -1;
    for (job_t *j = jobs; j; j = j->next) {
      if (j->out_fd >= 0) { pfds[n] = (struct pollfd){ .fd = j->out_fd, .events = POLLIN }; owners[n++] = j; }
      if (j->err_fd >= 0) { pfds[n] = (struct pollfd){ .fd = j->err_fd, .events = POLLIN }; owners[n++] = j; }
      if (j->in_fd >= 0) { pfds[n] = (struct pollfd){ .fd = j->in_fd, .events = POLLOUT }; owners[n++] = j; }
      long long t = j->deadline && !j->timed_out && !j->answered ? j->deadline : -1;
      if (j->exited && !j->detached) t = j->linger_until;
      if (t >= 0 && (wake < 0 || t < wake)) wake = t;
    }
    int timeout = wake < 0 ? -1 : (int)(wake > now ? wake - now : 0);
    if (poll(pfds, n, timeout) < 0 && errno != EINTR) { perror("skiff-spawner: poll"); return 71; }
    if (pfds[1].revents) {
      struct signalfd_siginfo si;
      while (read(sfd, &si, sizeof si) > 0) {}
      reap();
    }
    for (size_t i = 2; i < n; i++) {
      if (!pfds[i].revents) continue;
      job_t *j = owners[i];
      if (pfds[i].fd == j->out_fd) { drain(&j->out_fd, &j->out); answer_line(j); }
      else if (pfds[i].fd == j->err_fd) drain(&j->err_fd, &j->err);
      else if (pfds[i].fd == j->in_fd) feed(j);
    }
    now = now_ms();
    for (job_t *j = jobs; j; j = j->next) {
      if ((!j->exited || j->detached) && !j->timed_out && !j->answered && j->deadline && now >= j->deadline) {
        j->timed_out = 1;
        if (!j->detached) {
          kill(j->pid, SIGKILL);
          continue;
        }
        /* A detached command keeps running; only the wait for its answer ends. */
        respond(j->id, "timeout", -1, 0, &j->out, &j->err);
        j->answered = 1;
        close_fd(&j->out_fd);
        close_fd(&j->err_fd);
      }
    }
    if (pfds[0].revents) {
      char chunk[65536];
      for (;;) {
        ssize_t r = read(0, chunk, sizeof chunk);
        if (r > 0) { buf_add(&in, chunk, (size_t)r); continue; }
        if (r < 0 && errno == EINTR) continue;
        if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        in_open = 0;
        break;
      }
      size_t off = 0;
      while (in.len - off >= 4) {
        const unsigned char *l = (const unsigned char *)in.data + off;
        size_t flen = (size_t)l[0] | (size_t)l[1] << 8 | (size_t)l[2] << 16 | (size_t)l[3] << 24;
        if (in.len - off - 4 < flen) break;
        start_job(in.data + off + 4, flen);
        off += 4 + flen;
      }
      memmove(in.data, in.data + off, in.len - off);
      in.len -= off;
      if (!in_open) return 0; /* Node is gone: leave the commands running */
    }
    reap();
    finish_done_jobs();
  }
}
