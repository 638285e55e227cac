package io.tailstream.topology;

/** Every test of {@link BufferAndDecideProcessorTest} with no heap budget: every trace in the stores. */
class BufferAndDecideProcessorStoreTierTest extends BufferAndDecideProcessorTest {
  @Override
  long heapBufferBytes() {
    return 0;
  }
}
