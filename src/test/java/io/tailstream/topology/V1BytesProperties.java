package io.tailstream.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;

/** V1Bytes writes and reads exactly what DataOutputStream / DataInputStream do. */
class V1BytesProperties {
  @Property(tries = 500)
  void stringsAndNumbersMatchTheJdkCoding(@ForAll @StringLength(max = 300) String s, @ForAll long l,
      @ForAll int i, @ForAll short sh, @ForAll byte b) throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(expected)) {
      out.writeUTF(s);
      out.writeLong(l);
      out.writeInt(i);
      out.writeShort(sh);
      out.writeByte(b);
    }
    V1Bytes.Writer w = new V1Bytes.Writer();
    w.writeUTF(s);
    w.writeLong(l);
    w.writeInt(i);
    w.writeShort(sh);
    w.writeByte(b);
    assertThat(w.toByteArray()).isEqualTo(expected.toByteArray());

    V1Bytes.Reader r = new V1Bytes.Reader(expected.toByteArray());
    assertThat(r.readUTF()).isEqualTo(s);
    assertThat(r.readLong()).isEqualTo(l);
    assertThat(r.readInt()).isEqualTo(i);
    assertThat(r.readShort()).isEqualTo(sh);
    assertThat(r.readByte()).isEqualTo(b);
  }
}
