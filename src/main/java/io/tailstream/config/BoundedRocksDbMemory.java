package io.tailstream.config;

import java.util.List;
import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.CompressionType;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds RocksDB's off-heap memory for the whole instance: every store of every task shares one
 * block cache (which also holds index and filter blocks) and one write-buffer manager charged to
 * that cache, so memory does not grow with the number of tasks and segments. Sizes come from the
 * {@code memory} section of the config.
 *
 * <p>Two more settings, each measured with {@code tailstream bench}: LZ4 compression of the SST
 * files (buffered spans repeat their Resource and attribute keys, so the files shrink to well
 * under the spans' OTLP size for little CPU, and the background flushes move fewer bytes), and a
 * whole-key bloom filter on the memtables of the stores named in {@link #LOOKUP_STORES} (the
 * trace summaries: most look-ups there are for a trace that is not buffered yet and would
 * otherwise walk the memtable's skip list). The app names them, so this class needs no store
 * names of the topology.
 */
public final class BoundedRocksDbMemory implements RocksDBConfigSetter {
  static final String CACHE_BYTES = "tailstream.rocksdb.cache.bytes";
  static final String WRITE_BUFFER_BYTES = "tailstream.rocksdb.write.buffer.bytes";

  /** Streams property: comma-separated names of the stores that get a memtable bloom filter. */
  public static final String LOOKUP_STORES = "tailstream.rocksdb.lookup.stores";

  private static Cache cache;
  private static WriteBufferManager writeBuffers;

  private static synchronized void init(long cacheBytes, long writeBufferBytes) {
    if (cache == null) {
      cache = new LRUCache(cacheBytes, -1, false, 0.1);
      writeBuffers = new WriteBufferManager(writeBufferBytes, cache);
    }
  }

  @Override
  public void setConfig(String storeName, Options options, Map<String, Object> configs) {
    init(Long.parseLong(String.valueOf(configs.get(CACHE_BYTES))),
        Long.parseLong(String.valueOf(configs.get(WRITE_BUFFER_BYTES))));
    BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
    table.setBlockCache(cache);
    table.setCacheIndexAndFilterBlocks(true);
    table.setPinTopLevelIndexAndFilter(true);
    options.setTableFormatConfig(table);
    options.setWriteBufferManager(writeBuffers);
    options.setMaxWriteBufferNumber(2);
    options.setCompressionType(CompressionType.LZ4_COMPRESSION);
    if (lookupStores(configs).contains(storeName)) {
      options.setMemtablePrefixBloomSizeRatio(0.05);
      options.setMemtableWholeKeyFiltering(true);
    }
  }

  private static List<String> lookupStores(Map<String, Object> configs) {
    Object names = configs.get(LOOKUP_STORES);
    return names == null ? List.of() : List.of(names.toString().split(","));
  }

  @Override
  public void close(String storeName, Options options) {
    // The cache and write-buffer manager are shared by every store: never closed per store.
  }
}
