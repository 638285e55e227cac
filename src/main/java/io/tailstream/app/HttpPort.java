package io.tailstream.app;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin port's HTTP/1.1 transport: GET requests without a body, one request per connection.
 *
 * <p><b>Why not the JDK's {@code HttpServer}.</b> It reads a request's head on a thread of its
 * executor, with no read timeout, so three clients sending their headers slowly held the three
 * admin threads, {@code /health/live} stopped answering and the kubelet restarted a healthy pod.
 * Its only limits are system properties ({@code sun.net.httpserver.maxReqTime}, {@code
 * maxReqHeaders}, {@code maxReqHeaderSize}, {@code idleInterval}): read once per JVM when the
 * first server starts (whatever started one earlier wins), shared by every server in the process,
 * internal rather than API, and even with them set a slow client keeps its thread until the
 * timeout, so probes still queue behind slow clients for seconds. So the bytes are read here.
 *
 * <p><b>Design.</b> One selector thread does all socket I/O without blocking: it accepts, reads
 * each request head into a buffer of at most {@link Limits#maxHeadBytes()}, and writes each
 * response as the client takes it. Only a complete, parsed request reaches a worker thread, which
 * computes the response and never touches the socket. Hence a slow or silent client costs one
 * buffer and one connection slot, never a thread, and a probe waits only for the work of the
 * requests ahead of it. Each connection has one deadline: its head must be complete within
 * {@link Limits#headTimeout()} of the connection being accepted (408 otherwise; a head over the
 * size limit is 431), and its response must be taken within {@link Limits#responseTimeout()} of
 * the head being complete. At {@link Limits#maxConnections()} open connections a new one evicts
 * the oldest that is still sending its head: a probe is answered in milliseconds, so it is never
 * the oldest, and a crowd of slow clients only evicts itself.
 *
 * <p>Cost: per open connection a {@code maxHeadBytes} buffer (8 KiB by default; 64 connections
 * hold 512 KiB at most) and the response bytes while they are being written.
 */
final class HttpPort implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpPort.class);
  private static final long LOG_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

  /** Bounds on what one client may cost. */
  record Limits(int maxHeadBytes, Duration headTimeout, Duration responseTimeout,
      int maxConnections, int workers) {
    Limits {
      if (maxHeadBytes < 256 || maxConnections < 1 || workers < 1
          || headTimeout.isNegative() || headTimeout.isZero()
          || responseTimeout.isNegative() || responseTimeout.isZero()) {
        throw new IllegalArgumentException("bad admin port limits: " + maxHeadBytes + " head bytes, "
            + headTimeout + ", " + responseTimeout + ", " + maxConnections + " connections, "
            + workers + " workers");
      }
    }

    /**
     * 8 KiB of request head (what most servers allow; a probe or scrape sends ~200 bytes), 5 s to
     * send it, 10 s to take the response (Prometheus' default scrape timeout), 64 connections,
     * 3 workers so that a slow scrape leaves two for the probes.
     */
    static Limits defaults() {
      return new Limits(8 * 1024, Duration.ofSeconds(5), Duration.ofSeconds(10), 64, 3);
    }
  }


  /** Computes a response on a worker thread; an exception becomes a 500. */
  interface Handler {
    HttpMessages.Response handle(HttpMessages.Request request);
  }

  /** Why a client was refused without its request being handled. */
  enum Refusal {
    HEAD_TIMEOUT(408, "the request head was not complete within the head timeout"),
    HEAD_TOO_LARGE(431, "the request head was larger than the limit"),
    MALFORMED(400, "the request line was not METHOD SP TARGET SP HTTP/1.x"),
    RESPONSE_TIMEOUT(0, "the response was not taken within the response timeout"),
    EVICTED(0, "too many connections: the oldest one still sending its head was closed");

    final int status;
    final String why;

    Refusal(int status, String why) {
      this.status = status;
      this.why = why;
    }

    /** The metric tag: {@code head_timeout}, {@code evicted}, … */
    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }


  private final Limits limits;
  private final Handler handler;
  private final Consumer<Refusal> refused;
  private final ServerSocketChannel server;
  private final Selector selector;
  private final ExecutorService workers;
  private final Thread io;
  /** Open connections, oldest first; touched by the selector thread only. */
  private final Set<Connection> open = new LinkedHashSet<>();
  /** Responses computed by workers, for the selector thread to start writing. */
  private final Queue<Connection> answered = new ConcurrentLinkedQueue<>();
  private final long[] lastLogged = new long[Refusal.values().length];
  private final int[] sinceLogged = new int[Refusal.values().length];
  private volatile boolean closing;

  HttpPort(String bind, int port, Limits limits, Handler handler, Consumer<Refusal> refused)
      throws IOException {
    this.limits = limits;
    this.handler = handler;
    this.refused = refused;
    this.selector = Selector.open();
    this.server = ServerSocketChannel.open();
    try {
      server.bind(new InetSocketAddress(bind, port));
      server.configureBlocking(false);
      server.register(selector, SelectionKey.OP_ACCEPT);
    } catch (IOException e) {
      server.close();
      selector.close();
      throw e;
    }
    AtomicInteger n = new AtomicInteger();
    workers = Executors.newFixedThreadPool(limits.workers(), r -> {
      Thread t = new Thread(r, "tailstream-admin-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    io = new Thread(this::loop, "tailstream-admin-io");
    io.setDaemon(true);
    io.start();
  }

  int port() {
    return ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
  }

  /** DRAINING: refused, answer sent, reading what the client still sends so that it gets it. */
  private enum State { READING, HANDLING, WRITING, DRAINING }

  /**
   * How long a refused connection is read and discarded after its answer: closing a socket with
   * unread bytes resets it, and the reset can destroy the answer before the client reads it.
   */
  private static final long LINGER_NANOS = Duration.ofSeconds(1).toNanos();

  /** One client connection; its fields are the selector thread's, except {@code response}. */
  private final class Connection {
    final SocketChannel channel;
    final SelectionKey key;
    final ByteBuffer head = ByteBuffer.allocate(limits.maxHeadBytes());
    State state = State.READING;
    long deadline;
    volatile ByteBuffer response;

    Connection(SocketChannel channel, SelectionKey key, long now) {
      this.channel = channel;
      this.key = key;
      this.deadline = now + limits.headTimeout().toNanos();
    }
  }

  private void loop() {
    try {
      while (!closing) {
        selector.select(this::ready, 100);
        long now = System.nanoTime();
        for (Connection c; (c = answered.poll()) != null; ) {
          startWriting(c);
        }
        expire(now);
      }
    } catch (IOException | ClosedSelectorException e) {
      if (!closing) {
        log.error("admin port stopped: {}", e.toString(), e);
      }
    } catch (RuntimeException | Error e) {
      log.error("admin port stopped", e);
    }
  }

  private void ready(SelectionKey key) {
    try {
      if (key.isAcceptable()) {
        accept();
      } else if (key.attachment() instanceof Connection c && key.isValid()) {
        if (c.state == State.READING && key.isReadable()) {
          read(c);
        } else if (c.state == State.DRAINING && key.isReadable()) {
          discard(c);
        } else if (c.state == State.WRITING && key.isWritable()) {
          write(c);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (key.attachment() instanceof Connection c) {
        if (!(e instanceof IOException)) {
          log.warn("admin port: closing a connection after an unexpected error", e);
        }
        close(c); // an I/O error: the client went away
      } else {
        log.warn("admin port: accepting a connection failed: {}", e.toString());
      }
    }
  }

  private void accept() throws IOException {
    SocketChannel channel = server.accept();
    if (channel == null) {
      return;
    }
    long now = System.nanoTime();
    if (open.size() >= limits.maxConnections() && !evictOldestReader()) {
      channel.close(); // every slot is a request being answered: they end within their deadline
      return;
    }
    channel.configureBlocking(false);
    SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
    Connection c = new Connection(channel, key, now);
    key.attach(c);
    open.add(c);
  }

  private boolean evictOldestReader() {
    for (Connection c : open) {
      if (c.state == State.DRAINING) {
        close(c); // already refused and answered
        return true;
      }
      if (c.state == State.READING) {
        refuse(c, Refusal.EVICTED);
        return true;
      }
    }
    return false;
  }

  private void read(Connection c) throws IOException {
    if (c.channel.read(c.head) < 0) {
      close(c);
      return;
    }
    int end = HttpMessages.headEnd(c.head);
    if (end < 0) {
      if (!c.head.hasRemaining()) {
        refuse(c, Refusal.HEAD_TOO_LARGE);
      }
      return;
    }
    HttpMessages.Request request = HttpMessages.parse(c.head, end);
    if (request == null) {
      refuse(c, Refusal.MALFORMED);
      return;
    }
    c.state = State.HANDLING;
    c.deadline = System.nanoTime() + limits.responseTimeout().toNanos();
    c.key.interestOps(0);
    try {
      workers.execute(() -> handle(c, request));
    } catch (RejectedExecutionException e) {
      close(c); // closing
    }
  }

  private void discard(Connection c) throws IOException {
    c.head.clear();
    if (c.channel.read(c.head) < 0) {
      close(c);
    }
  }


  /** On a worker thread. */
  private void handle(Connection c, HttpMessages.Request request) {
    HttpMessages.Response response;
    try {
      response = handler.handle(request);
    } catch (RuntimeException e) {
      log.warn("admin endpoint {} failed", request.path(), e);
      response = HttpMessages.Response.json(500, "{\"error\":\"internal error, see the instance's log\"}");
    }
    c.response = HttpMessages.encode(response);
    answered.add(c);
    selector.wakeup();
  }

  private void startWriting(Connection c) {
    if (!c.channel.isOpen() || c.state != State.HANDLING) {
      return; // timed out or evicted while its response was computed
    }
    c.state = State.WRITING;
    c.key.interestOps(SelectionKey.OP_WRITE);
    try {
      write(c);
    } catch (IOException e) {
      close(c);
    }
  }

  private void write(Connection c) throws IOException {
    c.channel.write(c.response);
    if (!c.response.hasRemaining()) {
      close(c);
    }
  }

  private void expire(long now) {
    for (Connection c : new ArrayList<>(open)) {
      if (now - c.deadline <= 0) {
        continue;
      }
      if (c.state == State.DRAINING) {
        close(c);
      } else {
        refuse(c, c.state == State.READING ? Refusal.HEAD_TIMEOUT : Refusal.RESPONSE_TIMEOUT);
      }
    }
  }

  /**
   * Answers with the refusal's status when it has one (one attempt: a short answer fits the empty
   * send buffer), then lingers a moment reading what the client still sends, then closes.
   */
  private void refuse(Connection c, Refusal why) {
    count(why); // first: a client may read the answer and look at the counter before we return
    if (why.status == 0) {
      abort(c);
    } else {
      try {
        c.channel.write(HttpMessages.encode(
            HttpMessages.Response.json(why.status, "{\"error\":\"" + why.why + "\"}")));
        c.channel.shutdownOutput();
        c.state = State.DRAINING;
        c.deadline = System.nanoTime() + LINGER_NANOS;
        c.key.interestOps(SelectionKey.OP_READ);
      } catch (IOException e) {
        close(c); // the client is gone
      }
    }
  }

  /** Counts a refusal and logs it, at most once a minute per reason with the count since. */
  private void count(Refusal why) {
    refused.accept(why);
    int i = why.ordinal();
    sinceLogged[i]++;
    long now = System.nanoTime();
    if (lastLogged[i] == 0 || now - lastLogged[i] > LOG_EVERY_NANOS) {
      log.warn("admin port: closed {} connection(s) since the last such line: {}", sinceLogged[i],
          why.why);
      lastLogged[i] = now;
      sinceLogged[i] = 0;
    }
  }

  /**
   * Closes with a reset: a client that stopped reading would otherwise keep the kernel sending
   * what is left of its response (up to a send buffer per connection) after the close.
   */
  private void abort(Connection c) {
    try {
      c.channel.setOption(StandardSocketOptions.SO_LINGER, 0);
    } catch (IOException e) {
      // closed already
    }
    close(c);
  }

  private void close(Connection c) {
    open.remove(c);
    c.key.cancel();
    try {
      c.channel.close();
    } catch (IOException e) {
      // nothing to do about a failed close
    }
  }


  @Override
  public void close() {
    closing = true;
    selector.wakeup();
    try {
      io.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (Connection c : new ArrayList<>(open)) {
      close(c);
    }
    try {
      server.close();
      selector.close();
    } catch (IOException e) {
      log.debug("closing the admin port: {}", e.toString());
    }
    workers.shutdownNow();
  }
}
