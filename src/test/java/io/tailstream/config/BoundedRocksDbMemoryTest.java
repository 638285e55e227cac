package io.tailstream.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedRocksDbMemoryTest {
  @Test
  void everyStoreSharesOneCacheThatHoldsIndexAndFilterBlocks() {
    RocksDB.loadLibrary();
    Map<String, Object> configs = Map.of(BoundedRocksDbMemory.CACHE_BYTES, "16777216",
        BoundedRocksDbMemory.WRITE_BUFFER_BYTES, "8388608");
    try (Options a = new Options(); Options b = new Options()) {
      a.setTableFormatConfig(new BlockBasedTableConfig());
      b.setTableFormatConfig(new BlockBasedTableConfig());
      new BoundedRocksDbMemory().setConfig("trace-spans", a, configs);
      new BoundedRocksDbMemory().setConfig("trace-state", b, configs);
      assertThat(((BlockBasedTableConfig) a.tableFormatConfig()).cacheIndexAndFilterBlocks()).isTrue();
      assertThat(a.maxWriteBufferNumber()).isEqualTo(2);
      assertThat(b.maxWriteBufferNumber()).isEqualTo(2);
    }
  }

  @Test
  void onlyTheStoresTheAppNamesGetAMemtableBloomFilter() {
    RocksDB.loadLibrary();
    Map<String, Object> configs = Map.of(BoundedRocksDbMemory.CACHE_BYTES, "16777216",
        BoundedRocksDbMemory.WRITE_BUFFER_BYTES, "8388608", BoundedRocksDbMemory.LOOKUP_STORES, "trace-state,other");
    try (Options named = new Options(); Options unnamed = new Options()) {
      named.setTableFormatConfig(new BlockBasedTableConfig());
      unnamed.setTableFormatConfig(new BlockBasedTableConfig());
      new BoundedRocksDbMemory().setConfig("trace-state", named, configs);
      new BoundedRocksDbMemory().setConfig("trace-spans", unnamed, configs);

      assertThat(named.memtableWholeKeyFiltering()).isTrue();
      assertThat(named.memtablePrefixBloomSizeRatio()).isEqualTo(0.05);
      assertThat(unnamed.memtableWholeKeyFiltering()).isFalse();
      assertThat(unnamed.memtablePrefixBloomSizeRatio()).isZero();
    }
  }

  @Test
  void sizesComeFromTheConfigAndAreChecked() {
    TailstreamConfig c = ConfigLoader.parse("kafka: { bootstrap-servers: b:1 }\nmemory: { rocksdb-cache: 256MiB, rocksdb-write-buffers: 32MiB }\n",
        "t.yaml", Path.of("."), Map.of());
    var p = StreamsProperties.streams(c);
    assertThat(p.getProperty("rocksdb.config.setter")).isEqualTo(BoundedRocksDbMemory.class.getName());
    assertThat(p.getProperty(BoundedRocksDbMemory.CACHE_BYTES)).isEqualTo(Long.toString(256L << 20));
    assertThat(p.getProperty(BoundedRocksDbMemory.WRITE_BUFFER_BYTES)).isEqualTo(Long.toString(32L << 20));
    assertThatThrownBy(() -> ConfigLoader.parse("kafka: { bootstrap-servers: b:1 }\nmemory: { rocksdb-cache: 16MiB, rocksdb-write-buffers: 32MiB }\n",
        "t.yaml", Path.of("."), Map.of())).hasMessageContaining("must not exceed");
  }
}
