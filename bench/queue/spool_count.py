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
deferred=N (deferred/*.env) live=N (records - done + deferred: the queue's size) segments=N bytes=N (segment bytes).
Usage: spool_count.py SPOOL_DIR
"""
import os
import sys

MAGIC = b"camel-smtp-queue: 1\n"


def scan_segment(path):
    ids = []
    try:
        f = open(path, "rb")
    except FileNotFoundError:
        return ids
    with f:
        size = os.fstat(f.fileno()).st_size
        pos = 0
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
    return ids


def finished(state_path):
    gone = set()
    try:
        with open(state_path, "rb") as f:
            for line in f.read().split(b"\n"):
                p = line.split(b" ")
                if len(p) >= 2 and p[1] in (b"done", b"moved"):
                    gone.add(p[0].decode("ascii", "replace"))
    except FileNotFoundError:
        pass
    return gone


def count(spool):
    """{records, done, deferred, live, segments, bytes} of the spool in directory SPOOL."""
    segdir = os.path.join(spool, "segments")
    records = done = nbytes = nseg = 0
    try:
        names = sorted(n for n in os.listdir(segdir) if n.endswith(".seg"))
    except FileNotFoundError:
        names = []
    for n in names:
        p = os.path.join(segdir, n)
        gone = finished(p[:-4] + ".state")   # the state log first: a line written meanwhile only makes "done" larger
        ids = scan_segment(p)
        if not ids and not os.path.exists(p):
            continue
        nseg += 1
        try:
            nbytes += os.path.getsize(p)
        except FileNotFoundError:
            pass
        records += len(ids)
        done += sum(1 for i in ids if i in gone)
    try:
        deferred = sum(1 for n in os.listdir(os.path.join(spool, "deferred")) if n.endswith(".env"))
    except FileNotFoundError:
        deferred = 0
    return {"records": records, "done": done, "deferred": deferred, "live": records - done + deferred,
            "segments": nseg, "bytes": nbytes}


def main():
    print(" ".join(f"{k}={v}" for k, v in count(sys.argv[1]).items()))


if __name__ == "__main__":
    main()
