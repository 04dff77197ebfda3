"""The soak's measurements (RSS and fds from /proc) and its verdict; used by scripts/soak.py."""

import os

from crash_support import fresh_client
from dp_support import list_all_shards

STREAM = "soak"


def proc_sample(pid):
    """(RSS in KiB, open fds, fds on shard log segments, fds on deleted files) of a live process, or None."""
    try:
        with open("/proc/%d/status" % pid) as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        fds, logs, deleted = 0, 0, 0
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            fds += 1
            deleted += link.endswith(" (deleted)")
            logs += "/streams/" in link and link.endswith(".log")
        return rss, fds, logs, deleted
    except (OSError, StopIteration):
        return None


def shard_counts(srv):
    """(all shards, open shards) of the soak stream; the catalog keeps closed shards for the retention period."""
    shards = list_all_shards(fresh_client(srv), StreamName=STREAM)
    return len(shards), sum("EndingSequenceNumber" not in s["SequenceNumberRange"] for s in shards)


def mean(xs):
    return sum(xs) / len(xs) if xs else float("nan")


def verdict(samples, duration, stats, acked, lost, dups, unknown, restarts):
    warm = [s for s in samples if s[3] >= 20]  # skip each process's first 20 s
    q2 = [s for s in warm if duration / 4 <= s[0] < duration / 2]
    q4 = [s for s in warm if s[0] >= 3 * duration / 4]
    rss2, rss4 = mean([s[1] for s in q2]) / 1024, mean([s[1] for s in q4]) / 1024
    # Each shard (open or closed, until retention retires it) keeps its log segment open: those fds follow the
    # shard count by design. Everything else (sockets, pipes, the catalog) must stay flat.
    fd2, fd4 = mean([s[2] - s[4] for s in q2]), mean([s[2] - s[4] for s in q4])
    rss_ok = rss4 <= rss2 * 1.25 + 8
    logs_ok = all(s[4] <= s[6][0] for s in samples) and not any(s[5] for s in samples)
    fd_ok = fd4 <= fd2 + 8 and logs_ok
    unexpected = {k: v for k, v in stats.all_errors.items() if k.startswith("unexpected")}
    print("errors over the run: %s" % (dict(stats.all_errors) or "none"))
    print("RSS: second-quarter mean %.1f MiB, last-quarter mean %.1f MiB (max %.1f MiB) -> %s"
          % (rss2, rss4, max(s[1] for s in samples) / 1024, "flat" if rss_ok else "GROWING"))
    print("fds other than shard logs: second-quarter mean %.1f, last-quarter mean %.1f -> %s; shard log fds "
          "<= shards and none on a deleted file: %s (max fds %d, max shards %d)"
          % (fd2, fd4, "flat" if fd4 <= fd2 + 8 else "GROWING", "yes" if logs_ok else "NO",
             max(s[2] for s in samples), max(s[6][0] for s in samples)))
    print("read-back: %d acknowledged, %d lost, %d served twice, %d undecodable; %d corrupt seen live; "
          "%d restarts" % (acked, lost, dups, unknown, len(stats.corrupt), restarts))
    ok = rss_ok and fd_ok and not lost and not dups and not unknown and not stats.corrupt and not unexpected
    print("VERDICT: %s" % ("PASS" if ok else "FAIL"), flush=True)
    return 0 if ok else 1
