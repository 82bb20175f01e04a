#!/usr/bin/python3
"""Counts the messages in an smtp-queue spool from its files, read-only, for bench/queue.sh (the app in the snapshot
has no JMX: camel-management is not on its class path, so the queue's QueueSize attribute cannot be read).

Spool layout (see Spool.java): segments/NNNNNNNN.seg holds records (an envelope block of "name: value" lines ended
by an empty line, whose "size:" line gives the length of the message octets that follow); segments/NNNNNNNN.state
has one line per change ("<id> done", "<id> moved", "<id> delivered <rcpt>", ...); deferred/<id>.env + .eml hold a
message that waits for a retry. A segment is deleted once none of its messages is left.

The app may be writing while this reads: the record being appended has its body written before its envelope block,
so a record whose block does not start with the magic line (or is cut short) ends the scan of that segment; a segment
or state file deleted meanwhile is skipped.

Prints one line: records=N (records in the segments still on disk) done=N (of those, finished or moved to deferred/)
deferred=N (deferred/*.env) live=N (records - done + deferred: the queue's size) segments=N bytes=N (octets of complete records in the segments).
Usage: spool_count.py SPOOL_DIR
"""
import os
import sys

MAGIC = b"camel-smtp-queue: 1\n"


def scan_segment(path, pos=0, ids=None):
    """Record ids of the segment file at PATH from offset POS on, appended to IDS; returns (ids, offset reached)."""
    ids = [] if ids is None else ids
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return ids, pos
    with f:
        size = os.fstat(f.fileno()).st_size
        while pos < size:
            f.seek(pos)
            head = f.read(4096)
            if not head.startswith(MAGIC):
                break
            end = head.find(b"\n\n")
            if end < 0:
                break
            rid, length = None, None
            for line in head[:end].split(b"\n"):
                if line.startswith(b"id: "):
                    rid = line[4:].decode("ascii", "replace")
                elif line.startswith(b"size: "):
                    length = int(line[6:])
            if rid is None or length is None:
                break
            nxt = pos + end + 2 + length
            if nxt > size:
                break
            ids.append(rid)
            pos = nxt
    return ids, pos


def read_state(path, pos=0, gone=None):
    """Ids marked done or moved in the state log at PATH from offset POS on, added to GONE; returns (gone, offset)."""
    gone = set() if gone is None else gone
    try:
        with open(path, "rb") as f:
            f.seek(pos)
            data = f.read()
    except FileNotFoundError:
        return gone, pos
    cut = data.rfind(b"\n") + 1   # whole lines only
    for line in data[:cut].split(b"\n"):
        p = line.split(b" ")
        if len(p) >= 2 and p[1] in (b"done", b"moved"):
            gone.add(p[0].decode("ascii", "replace"))
    return gone, pos + cut


class Scanner:
    """Counts a spool again and again, reading only what was appended since the last scan (segments and state
    logs only grow until they are deleted)."""

    def __init__(self, spool):
        self.spool = spool
        self.segs = {}   # segment file name -> [data offset, ids, state offset, gone ids]

    def count(self):
        """{records, done, deferred, live, segments, bytes} of the spool."""
        segdir = os.path.join(self.spool, "segments")
        try:
            names = sorted(n for n in os.listdir(segdir) if n.endswith(".seg"))
        except FileNotFoundError:
            names = []
        for gone_name in set(self.segs) - set(names):
            del self.segs[gone_name]
        records = done = nbytes = nseg = 0
        for n in names:
            p = os.path.join(segdir, n)
            st = self.segs.setdefault(n, [0, [], 0, set()])
            # the state log first: a line written meanwhile only makes "done" larger
            st[3], st[2] = read_state(p[:-4] + ".state", st[2], st[3])
            st[1], st[0] = scan_segment(p, st[0], st[1])
            if not os.path.exists(p):
                del self.segs[n]
                continue
            nseg += 1
            nbytes += st[0]
            records += len(st[1])
            done += len(st[3]) if len(st[3]) <= len(st[1]) else sum(1 for i in st[1] if i in st[3])
        try:
            deferred = sum(1 for n in os.listdir(os.path.join(self.spool, "deferred")) if n.endswith(".env"))
        except FileNotFoundError:
            deferred = 0
        return {"records": records, "done": done, "deferred": deferred, "live": records - done + deferred,
                "segments": nseg, "bytes": nbytes}


def count(spool):
    """{records, done, deferred, live, segments, bytes} of the spool in directory SPOOL."""
    return Scanner(spool).count()


def main():
    print(" ".join(f"{k}={v}" for k, v in count(sys.argv[1]).items()))


if __name__ == "__main__":
    main()
