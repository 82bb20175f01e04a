package io.camelsmtp.smtp.queue.spool;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/** The octets of one message inside a segment, read with positional reads so many deliveries can share the file. */
final class SegmentRegionStream extends InputStream {

    private final Segment segment;
    private final long end;
    private long pos;

    SegmentRegionStream(Segment segment, long offset, long length) {
        this.segment = segment;
        this.pos = offset;
        this.end = offset + length;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (pos >= end) {
            return -1;
        }
        int n = (int) Math.min(len, end - pos);
        int r = segment.read(ByteBuffer.wrap(b, off, n), pos);
        if (r < 0) {
            throw new IOException("segment " + segment.data() + " ends before the message does");
        }
        pos += r;
        return r;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, end - pos);
    }
}
