package io.tailstream.topology;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The primitives of the V1 internal formats on plain byte arrays: big-endian numbers and Java's
 * modified UTF-8 strings with a two-byte length, byte for byte what {@code DataOutputStream}
 * writes and {@code DataInputStream} reads (the formats were first written with those). Summaries
 * are read and written for every trace, so the stream wrappers, their per-call allocations and
 * the char-by-char string coding are worth avoiding; strings that are not ASCII (rare: names
 * are service, model and attribute values) still go through the JDK's own coder.
 */
final class V1Bytes {
  /** The most bytes a {@code writeUTF} string may take: its length is an unsigned short. */
  static final int MAX_UTF_BYTES = 65_535;
  /** The most entries a count written with {@link Writer#writeCount} may announce. */
  static final int MAX_COUNT = Short.MAX_VALUE;
  private static final char CUT_MARKER = '\u2026';

  private V1Bytes() {}

  /** A growing byte array. */
  static final class Writer {
    private byte[] buf = new byte[256];
    private int size;

    void writeByte(int v) {
      ensure(1);
      buf[size++] = (byte) v;
    }

    void writeBoolean(boolean v) {
      writeByte(v ? 1 : 0);
    }

    void writeShort(int v) {
      ensure(2);
      buf[size++] = (byte) (v >>> 8);
      buf[size++] = (byte) v;
    }

    /**
     * A collection's size as V1 writes it, a two-byte count that readers take as signed: sizes
     * above {@link #MAX_COUNT} are written as that, and the caller writes only that many entries.
     */
    int writeCount(int n) {
      int count = Math.min(n, MAX_COUNT);
      writeShort(count);
      return count;
    }

    void writeInt(int v) {
      ensure(4);
      for (int shift = 24; shift >= 0; shift -= 8) {
        buf[size++] = (byte) (v >>> shift);
      }
    }

    void writeLong(long v) {
      ensure(8);
      for (int shift = 56; shift >= 0; shift -= 8) {
        buf[size++] = (byte) (v >>> shift);
      }
    }

    void write(byte[] bytes) {
      ensure(bytes.length);
      System.arraycopy(bytes, 0, buf, size, bytes.length);
      size += bytes.length;
    }

    /**
     * {@code DataOutput.writeUTF}: length, then modified UTF-8 (NUL as two bytes). A string whose
     * coding exceeds the format's 65,535 bytes is cut, ending in {@code …}, rather than failing:
     * an internal record that cannot be written would stop the stream thread on every restart.
     * Callers bound what producers send long before this (see {@code TraceFacts.MAX_NAME_CHARS}).
     */
    @SuppressWarnings("deprecation") // String.getBytes(int, int, byte[], int): the ASCII copy
    void writeUTF(String s) {
      int n = s.length();
      if (isAscii(s, n) && n <= MAX_UTF_BYTES) {
        writeShort(n);
        ensure(n);
        s.getBytes(0, n, buf, size); // ASCII: one byte per char, exactly
        size += n;
        return;
      }
      String fitting = fitModifiedUtf8(s);
      ByteArrayOutputStream encoded = new ByteArrayOutputStream(fitting.length() * 3 + 2);
      try (DataOutputStream out = new DataOutputStream(encoded)) {
        out.writeUTF(fitting);
      } catch (IOException e) {
        throw new IllegalStateException("in-memory write failed", e); // fitted: cannot be too long
      }
      write(encoded.toByteArray());
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }

    private void ensure(int more) {
      if (size + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
      }
    }

    /** {@code s}, or its longest prefix plus {@code …} whose modified UTF-8 fits the format. */
    static String fitModifiedUtf8(String s) {
      int bytes = 0;
      int n = s.length();
      for (int i = 0; i < n; i++) {
        bytes += utfBytes(s.charAt(i));
      }
      if (bytes <= MAX_UTF_BYTES) {
        return s;
      }
      int budget = MAX_UTF_BYTES - utfBytes(CUT_MARKER);
      int used = 0;
      int end = 0;
      while (end < n && used + utfBytes(s.charAt(end)) <= budget) {
        used += utfBytes(s.charAt(end));
        end++;
      }
      if (end > 0 && Character.isHighSurrogate(s.charAt(end - 1))) {
        end--; // never leave half a surrogate pair
      }
      return s.substring(0, end) + CUT_MARKER;
    }

    private static int utfBytes(char c) {
      return c >= 0x0001 && c <= 0x007F ? 1 : c <= 0x07FF ? 2 : 3;
    }

    private static boolean isAscii(String s, int n) {
      for (int i = 0; i < n; i++) {
        char c = s.charAt(i);
        if (c == 0 || c >= 0x80) {
          return false;
        }
      }
      return true;
    }
  }

  /** Reads a byte array front to back; running past its end is an {@link EOFException}. */
  static final class Reader {
    private final byte[] buf;
    private int pos;

    Reader(byte[] buf) {
      this.buf = buf;
    }

    /** True while bytes are left: lets a format grow by optional trailing fields. */
    boolean hasMore() {
      return pos < buf.length;
    }

    byte readByte() throws EOFException {
      need(1);
      return buf[pos++];
    }

    boolean readBoolean() throws EOFException {
      return readByte() != 0;
    }

    int readShort() throws EOFException {
      need(2);
      int v = (buf[pos] & 0xff) << 8 | (buf[pos + 1] & 0xff);
      pos += 2;
      return (short) v;
    }

    int readUnsignedShort() throws EOFException {
      return readShort() & 0xffff;
    }

    int readInt() throws EOFException {
      need(4);
      int v = 0;
      for (int i = 0; i < 4; i++) {
        v = v << 8 | (buf[pos++] & 0xff);
      }
      return v;
    }

    long readLong() throws EOFException {
      need(8);
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v = v << 8 | (buf[pos++] & 0xff);
      }
      return v;
    }

    void readFully(byte[] into) throws EOFException {
      need(into.length);
      System.arraycopy(buf, pos, into, 0, into.length);
      pos += into.length;
    }

    /** The next {@code n} bytes; checked before allocating, so a corrupt length cannot ask for 2 GB. */
    byte[] readBytes(int n) throws EOFException {
      need(n);
      byte[] out = new byte[n];
      readFully(out);
      return out;
    }

    /** {@code DataInput.readUTF}. */
    String readUTF() throws IOException {
      int len = readUnsignedShort();
      need(len);
      int start = pos;
      pos += len;
      for (int i = start; i < pos; i++) {
        if (buf[i] <= 0) { // not ASCII (or a NUL written unmodified: malformed)
          return new DataInputStream(new ByteArrayInputStream(buf, start - 2, len + 2)).readUTF();
        }
      }
      return new String(buf, start, len, StandardCharsets.ISO_8859_1);
    }

    private void need(int n) throws EOFException {
      if (n < 0 || pos + n > buf.length) {
        throw new EOFException("record ends after " + buf.length + " bytes, " + (pos + n) + " needed");
      }
    }
  }
}
