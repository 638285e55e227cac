package io.tailstream.replay;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The dump file format: record values one after another, each preceded by its length as a
 * protobuf varint — the same framing as protobuf's {@code writeDelimitedTo}, so an
 * {@code otlp_proto} dump can also be read with {@code ExportTraceServiceRequest.parseDelimitedFrom}.
 */
public final class DumpFile {
  private DumpFile() {}

  /** Appends values to a file. */
  public static final class Writer implements AutoCloseable {
    private final OutputStream stream;
    private final CodedOutputStream out;

    public Writer(Path file) throws IOException {
      this.stream = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
      this.out = CodedOutputStream.newInstance(stream);
    }

    public void write(byte[] value) throws IOException {
      out.writeUInt32NoTag(value.length);
      out.writeRawBytes(value);
    }

    @Override
    public void close() throws IOException {
      out.flush();
      stream.close();
    }
  }

  /** Reads the values of a dump file in order; a truncated last value is an error. */
  public static RecordSource reader(Path file) {
    return () -> new Iterator<>() {
      private final InputStream stream = open(file);
      private final CodedInputStream in = CodedInputStream.newInstance(stream);
      private byte[] next = advance();

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public byte[] next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        byte[] current = next;
        next = advance();
        return current;
      }

      private byte[] advance() {
        try {
          if (in.isAtEnd()) {
            stream.close();
            return null;
          }
          in.resetSizeCounter();
          int length = in.readUInt32();
          return in.readRawBytes(length);
        } catch (IOException e) {
          throw new UncheckedIOException("corrupt or truncated dump file " + file + ": " + e.getMessage(), e);
        }
      }
    };
  }

  private static InputStream open(Path file) {
    try {
      return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
