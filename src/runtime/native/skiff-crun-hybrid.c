/*
 * skiff-crun-hybrid: runs crun on a hybrid cgroup host (cgroup v1 controllers plus a cgroup2 mount
 * at /sys/fs/cgroup/unified), which crun 1.8 refuses (shared/HOST-NOTES.md). It enters a private
 * mount namespace (a slave of the host's, so the host keeps its mounts), detaches the cgroup2
 * mount there and execs crun with its own arguments. Built with -DCRUN_PATH="/path/to/crun", so
 * that conmon can run it as the runtime itself: one exec instead of a shell script's five.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <unistd.h>

#ifndef CRUN_PATH
#error "build with -DCRUN_PATH=\"/path/to/crun\""
#endif

int main(int argc, char **argv) {
  (void)argc;
  if (unshare(CLONE_NEWNS) < 0) {
    perror("skiff-crun-hybrid: unshare(CLONE_NEWNS)");
    return 125;
  }
  if (mount("none", "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
    perror("skiff-crun-hybrid: making / a slave mount");
    return 125;
  }
  umount2("/sys/fs/cgroup/unified", MNT_DETACH); /* absent is fine */
  argv[0] = CRUN_PATH;
  execv(CRUN_PATH, argv);
  perror("skiff-crun-hybrid: exec " CRUN_PATH);
  return 127;
}
