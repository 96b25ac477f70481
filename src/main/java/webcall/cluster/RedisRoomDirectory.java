package webcall.cluster;

import io.lettuce.core.KeyValue;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import webcall.rooms.Profile;
import webcall.rooms.Room;
import webcall.rooms.RoomDirectory;
import webcall.rooms.RoomPassword;
import webcall.rooms.RoomRules;
import webcall.rooms.RoomRules.Change;
import webcall.rooms.RoomsUnavailable;

/**
 * The rooms of every node in one Redis: each room is one hash (a random version and the room as
 * JSON), beside three indexes across rooms, and every change is {@link RoomRules} applied in Java
 * to a consistent snapshot, then written by one Lua script that first checks that the room's
 * version and every index value the decision read are still what they were (compare-and-set), else
 * the change is made again on the fresh state. Two nodes taking a room's last seat at once: one
 * script runs first, the other finds the version changed and, retried, the room full.
 *
 * <pre>
 * rooms:r:{room}     hash v = version (random per write: no ABA after a room ends and starts again),
 *                    j = the room as JSON (RoomJson: members, host, closure, the password's salt and
 *                    hash only, knocks, removed ids)
 * rooms:m:{session}  the room id a Socket.IO connection is a member of
 * rooms:k:{session}  the room id a connection knocks at
 * rooms:p:{peer}     the room id a PeerJS id is a member of
 * rooms:n:{node}     set of the connections a node joined or knocked with (left when its lease ends)
 * rooms:nodes        set of the nodes that listed connections
 * rooms:lease:{node} exists while the node lives (RoomsLease renews it)
 * rooms:reap:{node}  the node making a dead node's connections leave
 * rooms:epoch        random, set by the first node of a Redis's life: a new one means Redis lost
 *                    the rooms, and each node puts its members back (restore)
 * </pre>
 *
 * {room}, {session} and {peer} are escaped (%XX for every byte but [A-Za-z0-9_-], the same rule in
 * Java and in the scripts) and at most {@value #MAX_ID_BYTES} bytes; room ids and PeerJS ids are
 * checked by their rules before they get here, and a room's JSON is capped ({@link
 * RoomJson#MAX_BYTES}).
 *
 * <p>{@link #roomCount()}, {@link #memberCount()} and {@link #knockCount()} are this node's: the
 * rooms its own connections are in, and those connections (what drain waits for and what each
 * node's gauges report, so that a sum across nodes counts nobody twice).
 */
public final class RedisRoomDirectory implements RoomDirectory {
  static final int MAX_ID_BYTES = 256;

  /** Attempts of one change against others on the same room before giving up (unavailable). */
  private static final int MAX_ATTEMPTS = 200;

  private static final SecureRandom RANDOM = new SecureRandom();

  /** Each room id in ARGV[2..], then each index key with the room it names: value, v, j. */
  private static final String READ =
      """
      local function esc(id)
        return (string.gsub(id, '[^A-Za-z0-9_%-]', function(c)
          return string.format('%%%02X', string.byte(c)) end))
      end
      local out = {}
      local function room(id)
        local r = redis.call('HMGET', ARGV[1] .. esc(id), 'v', 'j')
        out[#out + 1] = r[1] or ''
        out[#out + 1] = r[2] or ''
      end
      for i = 2, #ARGV do room(ARGV[i]) end
      for i = 1, #KEYS do
        local v = redis.call('GET', KEYS[i])
        if v then
          out[#out + 1] = v
          room(v)
        else
          out[#out + 1] = ''
          out[#out + 1] = ''
          out[#out + 1] = ''
        end
      end
      return out
      """;

  /**
   * KEYS[1] the room, ARGV[1] its version as read ('' none), ARGV[2] the new one, ARGV[3] the new
   * JSON ('' ends the room); ARGV[4] = E: KEYS[2..E+1] must still hold ARGV[5..E+4] ('' none); then
   * ARGV[E+5] = S keys set to the next S values; the remaining keys are deleted if they still hold
   * the remaining values. 1 when written, 0 when something changed meanwhile.
   */
  private static final String CAS =
      """
      local v = redis.call('HGET', KEYS[1], 'v') or ''
      if v ~= ARGV[1] then return 0 end
      local e = tonumber(ARGV[4])
      for i = 1, e do
        if (redis.call('GET', KEYS[1 + i]) or '') ~= ARGV[4 + i] then return 0 end
      end
      if ARGV[3] == '' then
        redis.call('DEL', KEYS[1])
      else
        redis.call('HSET', KEYS[1], 'v', ARGV[2], 'j', ARGV[3])
      end
      local s = tonumber(ARGV[5 + e])
      for i = 1, s do redis.call('SET', KEYS[1 + e + i], ARGV[5 + e + i]) end
      for i = 2 + e + s, #KEYS do
        if redis.call('GET', KEYS[i]) == ARGV[4 + i] then redis.call('DEL', KEYS[i]) end
      end
      return 1
      """;

  private final RedisStore store;
  private final int capacity;
  private final Supplier<String> knockIds;
  private final String namespace;
  private final String roomPrefix;
  private final String readSha = sha1(READ);
  private final String casSha = sha1(CAS);

  /** This node's connections that asked to join here and have not left: what the counts read. */
  private final Set<String> local = ConcurrentHashMap.newKeySet();

  public RedisRoomDirectory(RedisStore store, int capacity) {
    this(store, "rooms:", capacity);
  }

  /**
   * @param namespace put after the store's prefix before every key ("rooms:"; tests give each
   *     directory its own)
   */
  public RedisRoomDirectory(RedisStore store, String namespace, int capacity) {
    if (!namespace.matches("[a-z0-9]{1,32}:")) {
      throw new IllegalArgumentException("namespace: lowercase letters and digits, then ':'");
    }
    this.store = store;
    this.namespace = namespace;
    this.capacity = capacity;
    this.knockIds = RedisRoomDirectory::randomHex;
    this.roomPrefix = store.key(namespace + "r:");
  }

  private static String randomHex() {
    byte[] b = new byte[12];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  // --- keys ---

  /** %XX for every byte outside [A-Za-z0-9_-], as the READ script does. */
  static String escape(String id) {
    byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_ID_BYTES) {
      throw new IllegalArgumentException("id longer than " + MAX_ID_BYTES + " bytes");
    }
    StringBuilder b = new StringBuilder(bytes.length + 8);
    for (byte c : bytes) {
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || c == '_'
          || c == '-') {
        b.append((char) c);
      } else {
        b.append('%').append(HexFormat.of().withUpperCase().toHexDigits(c));
      }
    }
    return b.toString();
  }

  private String roomKey(String room) {
    return roomPrefix + escape(room);
  }

  private String memberKey(String session) {
    return store.key(namespace + "m:" + escape(session));
  }

  private String knockKey(String session) {
    return store.key(namespace + "k:" + escape(session));
  }

  private String peerKey(String peer) {
    return store.key(namespace + "p:" + escape(peer));
  }

  /**
   * The connections node {@code node} joined or knocked with ({@code rooms:n:{node}}, a set): what
   * the others make leave when its lease ends.
   */
  String nodeSessions(String node) {
    return store.key(namespace + "n:" + node);
  }

  /** The nodes that listed connections ({@code rooms:nodes}, a set). */
  String nodesKey() {
    return store.key(namespace + "nodes");
  }

  /** A node's lease ({@code rooms:lease:{node}}): exists while the node lives. */
  String leaseKey(String node) {
    return store.key(namespace + "lease:" + node);
  }

  /**
   * Taken by the one node that makes a dead node's connections leave ({@code rooms:reap:{node}}).
   */
  String reapKey(String node) {
    return store.key(namespace + "reap:" + node);
  }

  /** The connections node {@code node} listed; for its reaper. */
  List<String> sessionsOf(String node) {
    return redis(() -> store.sync().smembers(nodeSessions(node))).stream()
        .map(b -> new String(b, StandardCharsets.UTF_8))
        .toList();
  }

  /** Forgets node {@code node}'s list, once its connections have left. */
  void forgetNode(String node) {
    redis(() -> store.sync().del(nodeSessions(node)));
  }

  private <T> T redis(Supplier<T> command) {
    if (!store.isUp()) {
      throw new RoomsUnavailable("Redis is down", null);
    }
    try {
      return command.get();
    } catch (RedisException e) {
      throw new RoomsUnavailable("Redis: " + e.getMessage(), e);
    }
  }

  // --- reading and writing ---

  /** A room as read: its version ("" when it does not exist) and value (null then). */
  private record Versioned(String version, Room room) {
    static final Versioned NONE = new Versioned("", null);
  }

  /** What one READ saw, all at one instant: index values, and the rooms read or named. */
  private record Snapshot(Map<String, String> index, Map<String, Versioned> rooms) {
    Versioned room(String id) {
      return id == null ? Versioned.NONE : rooms.getOrDefault(id, Versioned.NONE);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String text(Object o) {
    return o == null ? "" : new String((byte[]) o, StandardCharsets.UTF_8);
  }

  private <T> T eval(
      String sha, String source, ScriptOutputType type, String[] keys, byte[]... args) {
    if (!store.isUp()) {
      throw new RoomsUnavailable("Redis is down", null);
    }
    try {
      try {
        return store.sync().evalsha(sha, type, keys, args);
      } catch (RedisNoScriptException e) { // first use, or Redis restarted empty
        return store.sync().eval(source, type, keys, args);
      }
    } catch (RedisException e) {
      throw new RoomsUnavailable("Redis: " + e.getMessage(), e);
    }
  }

  private Snapshot read(List<String> indexKeys, String... rooms) {
    byte[][] args = new byte[rooms.length + 1][];
    args[0] = bytes(roomPrefix);
    for (int i = 0; i < rooms.length; i++) {
      escape(rooms[i]); // refuses an overlong id before Redis sees it
      args[i + 1] = bytes(rooms[i]);
    }
    List<Object> out =
        eval(readSha, READ, ScriptOutputType.MULTI, indexKeys.toArray(String[]::new), args);
    Map<String, Versioned> byId = new HashMap<>();
    int at = 0;
    for (String id : rooms) {
      byId.put(id, versioned(text(out.get(at)), out.get(at + 1)));
      at += 2;
    }
    Map<String, String> index = new HashMap<>();
    for (String key : indexKeys) {
      String value = text(out.get(at));
      if (!value.isEmpty()) {
        index.put(key, value);
        byId.putIfAbsent(value, versioned(text(out.get(at + 1)), out.get(at + 2)));
      }
      at += 3;
    }
    return new Snapshot(index, byId);
  }

  private static Versioned versioned(String version, Object json) {
    return version.isEmpty()
        ? Versioned.NONE
        : new Versioned(version, RoomJson.read((byte[]) json));
  }

  /** The index entries a room implies: connection → room for members and knockers, id → room. */
  private Map<String, String> indexOf(Room r) {
    Map<String, String> out = new LinkedHashMap<>();
    if (r != null) {
      for (Member m : r.members()) {
        out.put(memberKey(m.session()), r.id());
        out.put(peerKey(m.peerId()), r.id());
      }
      for (Knock k : r.knocks()) {
        out.put(knockKey(k.session()), r.id());
      }
    }
    return out;
  }

  /**
   * Writes {@code change} of room {@code id} if its version and every {@code expected} index value
   * (null: none) still hold; the indexes follow the room in the same step.
   */
  private boolean write(String id, Versioned before, Room after, Map<String, String> expected) {
    Map<String, String> was = indexOf(before.room());
    Map<String, String> now = indexOf(after);
    List<String> keys = new ArrayList<>();
    List<byte[]> args = new ArrayList<>();
    keys.add(roomKey(id));
    args.add(bytes(before.version()));
    args.add(bytes(after == null ? "" : randomHex()));
    args.add(after == null ? new byte[0] : RoomJson.write(after));
    args.add(bytes(Integer.toString(expected.size())));
    for (Map.Entry<String, String> e : expected.entrySet()) {
      keys.add(e.getKey());
      args.add(bytes(e.getValue() == null ? "" : e.getValue()));
    }
    List<String> sets = new ArrayList<>();
    for (Map.Entry<String, String> e : now.entrySet()) {
      if (!e.getValue().equals(was.get(e.getKey()))) {
        sets.add(e.getKey());
      }
    }
    args.add(bytes(Integer.toString(sets.size())));
    for (String k : sets) {
      keys.add(k);
      args.add(bytes(now.get(k)));
    }
    for (Map.Entry<String, String> e : was.entrySet()) {
      if (!now.containsKey(e.getKey())) {
        keys.add(e.getKey());
        args.add(bytes(e.getValue()));
      }
    }
    Long ok =
        eval(
            casSha,
            CAS,
            ScriptOutputType.INTEGER,
            keys.toArray(String[]::new),
            args.toArray(byte[][]::new));
    return ok != null && ok == 1L;
  }

  /** One attempt of a change: its outcome, or null when the store changed under it (try again). */
  private interface Attempt<T> {
    Result<T> run();
  }

  private record Result<T>(T outcome) {}

  private static <T> T retrying(Attempt<T> attempt) {
    for (int i = 0; i < MAX_ATTEMPTS; i++) {
      Result<T> r = attempt.run();
      if (r != null) {
        return r.outcome();
      }
    }
    throw new RoomsUnavailable("room changed " + MAX_ATTEMPTS + " times under one request", null);
  }

  /**
   * Applies {@code change} to the room read as {@code before}: nothing to write for a refusal, else
   * the compare-and-set; null when it must be tried again.
   */
  private <T> Result<T> commit(
      String id, Versioned before, Change<T> change, Map<String, String> expected) {
    if (!change.changed(before.room())) {
      return new Result<>(change.outcome());
    }
    return write(id, before, change.next(), expected) ? new Result<>(change.outcome()) : null;
  }

  private static Map<String, String> expect(Snapshot s, String... keys) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String k : keys) {
      out.put(k, s.index().get(k));
    }
    return out;
  }

  // --- a Redis that lost its data ---

  /**
   * The rooms this node's connections were in when last read ({@link #refresh}), by id, and the
   * epoch they were read in: what this node puts back into a Redis that came back without them.
   */
  private volatile Map<String, Room> seen = Map.of();

  private volatile String seenEpoch;

  /**
   * Set once by the first node of a Redis's life ({@code rooms:epoch}): a new value, a new Redis.
   */
  String epochKey() {
    return store.key(namespace + "epoch");
  }

  /** The current epoch, made if Redis has none (it started empty). Throws while Redis is down. */
  String epoch() {
    byte[] e = redis(() -> store.sync().get(epochKey()));
    if (e == null) {
      redis(() -> store.sync().setnx(epochKey(), bytes(randomHex())));
      e = redis(() -> store.sync().get(epochKey()));
    }
    return e == null ? "" : new String(e, StandardCharsets.UTF_8);
  }

  /**
   * Reads the rooms of this node's connections, with the epoch in the same step, and keeps them for
   * {@link #restore}. A read from another epoch than {@code epoch} is dropped: the rooms kept stay
   * those of the Redis that lost them.
   */
  void refresh(String epoch) {
    List<String> keys = new ArrayList<>();
    keys.add(epochKey());
    for (String session : local) {
      keys.add(memberKey(session));
      keys.add(knockKey(session));
    }
    Snapshot s = read(keys);
    if (!epoch.equals(s.index().get(epochKey()))) {
      return;
    }
    Map<String, Room> rooms = new HashMap<>();
    for (Map.Entry<String, String> e : s.index().entrySet()) {
      Room r = e.getKey().equals(epochKey()) ? null : s.room(e.getValue()).room();
      if (r != null) {
        rooms.put(r.id(), r);
      }
    }
    synchronized (this) {
      seen = Map.copyOf(rooms);
      seenEpoch = epoch;
    }
  }

  private synchronized void remember(Room r) {
    if (r != null) {
      Map<String, Room> next = new HashMap<>(seen);
      next.put(r.id(), r);
      seen = Map.copyOf(next);
    }
  }

  /**
   * Puts this node's members and knocks back into the rooms they were in, as last read, in a Redis
   * that lost them (restarted empty: the epoch changed): a room missing is made again with its
   * closure, host and removed ids as they were; a room another node already put back gets this
   * node's members added (and its host, if the host is here). Nobody is told: the members' pages
   * never saw them leave. Returns the members put back.
   */
  int restore(String epoch) {
    if (seenEpoch == null || seenEpoch.equals(epoch)) {
      return 0;
    }
    int restored = putBack(true).size();
    seenEpoch = epoch;
    return restored;
  }

  /**
   * Puts back this node's members that the other nodes made leave while it was taken for dead
   * (frozen, or cut off from Redis, longer than its lease, while Redis kept its data), into the
   * rooms as they are now (their host stays; a removed id or a full room keeps them out). They were
   * announced as gone, so the caller announces them again.
   */
  List<Member> rejoinTaken() {
    return putBack(false);
  }

  private List<Member> putBack(boolean asTheyWere) {
    List<Member> restored = new ArrayList<>();
    String me = store.node().value();
    redis(() -> store.sync().sadd(nodesKey(), bytes(me)));
    for (String session : local) { // listed again, so that they leave if this node dies
      redis(() -> store.sync().sadd(nodeSessions(me), bytes(session)));
    }
    for (Room was : seen.values()) {
      List<Member> mine = was.members().stream().filter(m -> local.contains(m.session())).toList();
      List<Knock> knocks = was.knocks().stream().filter(k -> local.contains(k.session())).toList();
      if (mine.isEmpty()) {
        continue; // its knockers alone cannot make a room: their knock ended with it
      }
      restored.addAll(
          retrying(
              () -> {
                List<String> keys = new ArrayList<>();
                for (Member m : mine) {
                  keys.add(memberKey(m.session()));
                  keys.add(peerKey(m.peerId()));
                }
                Snapshot s = read(keys, was.id());
                Versioned before = s.room(was.id());
                Room now = before.room();
                List<Member> members =
                    now == null ? new ArrayList<>() : new ArrayList<>(now.members());
                List<Knock> waiting =
                    now == null ? new ArrayList<>() : new ArrayList<>(now.knocks());
                List<Member> added = new ArrayList<>();
                for (Member m : mine) {
                  String elsewhere = s.index().get(peerKey(m.peerId()));
                  boolean taken =
                      members.stream()
                          .anyMatch(
                              x ->
                                  x.peerId().equals(m.peerId()) || x.session().equals(m.session()));
                  boolean barred =
                      now != null
                          && (now.removed().contains(m.peerId())
                              || !asTheyWere && members.size() >= capacity);
                  if (!taken && !barred && (elsewhere == null || elsewhere.equals(was.id()))) {
                    members.add(m);
                    added.add(m);
                  }
                }
                for (Knock k : knocks) {
                  if (waiting.stream().noneMatch(x -> x.session().equals(k.session()))) {
                    waiting.add(k);
                  }
                }
                if (added.isEmpty()) {
                  return new Result<>(List.<Member>of());
                }
                boolean hostHere =
                    (asTheyWere || now == null)
                        && local.contains(was.host())
                        && members.stream().anyMatch(m -> m.session().equals(was.host()));
                String host =
                    hostHere || now == null
                        ? (hostHere ? was.host() : members.get(0).session())
                        : now.host();
                Room next =
                    now == null
                        ? new Room(
                            was.id(),
                            members,
                            host,
                            was.locked(),
                            was.knock(),
                            was.password(),
                            waiting,
                            was.removed())
                        : new Room(
                            now.id(),
                            members,
                            host,
                            now.locked(),
                            now.knock(),
                            now.password(),
                            waiting,
                            now.removed());
                Map<String, String> expected = new LinkedHashMap<>();
                for (String k : keys) {
                  expected.put(k, s.index().get(k));
                }
                return write(was.id(), before, next, expected) ? new Result<>(added) : null;
              }));
    }
    return restored;
  }

  // --- the directory ---

  @Override
  public int capacity() {
    return capacity;
  }

  @Override
  public Joined join(String session, String room, String peerId, Profile profile, String password) {
    // The password is hashed outside any step; one changed meanwhile no longer equals it.
    RoomPassword required = passwordOf(room);
    RoomPassword passed = required != null && required.matches(password) ? required : null;
    boolean gave = password != null;
    // Listed under this node before it can be a member: if the node dies, the others find it here.
    String mine = nodeSessions(store.node().value());
    redis(
        () -> {
          store.sync().sadd(nodesKey(), bytes(store.node().value())); // (again after a restart)
          return store.sync().sadd(mine, bytes(session));
        });
    String m = memberKey(session);
    String k = knockKey(session);
    String p = peerKey(peerId);
    Room[] wrote = {null};
    Joined joined =
        retrying(
            () -> {
              Snapshot s = read(List.of(m, k, p), room);
              Versioned before = s.room(room);
              Member member = memberIn(s, m, session);
              Knock knocking = knockIn(s, k, session);
              if (s.index().containsKey(m) && member == null
                  || s.index().containsKey(k) && knocking == null) {
                return null; // an index and its room disagree: only between two steps, read again
              }
              Joined refused =
                  RoomRules.refusedAcrossRooms(member, knocking, s.index().get(p), room, peerId);
              if (refused != null) {
                return new Result<>(refused);
              }
              Change<Joined> change =
                  RoomRules.join(
                      before.room(),
                      room,
                      capacity,
                      session,
                      peerId,
                      profile,
                      gave,
                      passed,
                      knockIds);
              Result<Joined> done = commit(room, before, change, expect(s, m, k, p));
              if (done != null && change.next() != null) {
                wrote[0] = change.next();
              }
              return done;
            });
    if (joined.error() == null || joined.error() == JoinError.KNOCKING) {
      local.add(session); // a member or a knocker here (an admitted knocker stays one of ours)
      remember(wrote[0]); // at once: the tick's read comes up to a second later
    } else if (!local.contains(session)) {
      redis(() -> store.sync().srem(mine, bytes(session)));
    }
    return joined;
  }

  private static Member memberIn(Snapshot s, String key, String session) {
    Room r = s.room(s.index().get(key)).room();
    return r == null ? null : r.member(session);
  }

  private static Knock knockIn(Snapshot s, String key, String session) {
    Room r = s.room(s.index().get(key)).room();
    return r == null ? null : r.knockOf(session);
  }

  private RoomPassword passwordOf(String room) {
    Room r = read(List.of(), room).room(room).room();
    return r == null ? null : r.password();
  }

  @Override
  public boolean hasPassword(String room) {
    return passwordOf(room) != null;
  }

  @Override
  public Left leave(String session) {
    Left left = leaveNow(session);
    if (left == Left.NOTHING && wasMember(session) && restore(epoch()) > 0) {
      // Redis came back empty and this node had not put its members back yet: now it has, and
      // this member leaves as the others expect (they are told).
      left = leaveNow(session);
    }
    local.remove(session);
    redis(() -> store.sync().srem(nodeSessions(store.node().value()), bytes(session)));
    return left;
  }

  private Left leaveNow(String session) {
    String m = memberKey(session);
    String k = knockKey(session);
    return retrying(
        () -> {
          Snapshot s = read(List.of(m, k));
          String room = s.index().getOrDefault(m, s.index().get(k));
          if (room == null) {
            return new Result<>(Left.NOTHING);
          }
          Versioned before = s.room(room);
          return commit(room, before, RoomRules.leave(before.room(), session), expect(s, m, k));
        });
  }

  private boolean wasMember(String session) {
    for (Room r : seen.values()) {
      if (r.member(session) != null) {
        return true;
      }
    }
    return false;
  }

  /** Runs a host's (or a member's) change on the room its connection is a member of. */
  private <T> T onRoomOf(String session, java.util.function.Function<Room, Change<T>> rule) {
    String m = memberKey(session);
    return retrying(
        () -> {
          Snapshot s = read(List.of(m));
          String room = s.index().get(m);
          Versioned before = s.room(room);
          if (room == null || before.room() == null) {
            return room == null ? new Result<>(rule.apply(null).outcome()) : null;
          }
          return commit(room, before, rule.apply(before.room()), expect(s, m));
        });
  }

  @Override
  public HostAction configure(String session, Boolean locked, Boolean knock, String password) {
    RoomPassword hashed = password == null || password.isEmpty() ? null : RoomPassword.of(password);
    boolean set = password != null;
    return onRoomOf(session, r -> RoomRules.configure(r, session, locked, knock, set, hashed));
  }

  @Override
  public HostAction admit(String session, String knockId) {
    String m = memberKey(session);
    return retrying(
        () -> {
          Snapshot s = read(List.of(m));
          String room = s.index().get(m);
          Room r = s.room(room).room();
          Knock k = r == null ? null : r.knock(knockId);
          if (k == null) {
            return new Result<>(RoomRules.admit(r, session, knockId, capacity, false).outcome());
          }
          // The knocker's id may have joined another room meanwhile: read it with the room again.
          String p = peerKey(k.peerId());
          Snapshot again = read(List.of(m, p));
          if (!room.equals(again.index().get(m))) {
            return null;
          }
          Versioned before = again.room(room);
          String elsewhere = again.index().get(p);
          boolean inOther = elsewhere != null && !elsewhere.equals(room);
          return commit(
              room,
              before,
              RoomRules.admit(before.room(), session, knockId, capacity, inOther),
              expect(again, m, p));
        });
  }

  @Override
  public HostAction deny(String session, String knockId) {
    return onRoomOf(session, r -> RoomRules.deny(r, session, knockId));
  }

  @Override
  public HostAction remove(String session, String peerId) {
    return onRoomOf(session, r -> RoomRules.remove(r, session, peerId));
  }

  @Override
  public Member update(String session, Profile profile) {
    return onRoomOf(session, r -> RoomRules.update(r, session, profile));
  }

  private Room room(String room) {
    return read(List.of(), room).room(room).room();
  }

  @Override
  public List<Knock> knocks(String room) {
    Room r = room(room);
    return r == null ? List.of() : r.knocks();
  }

  @Override
  public Settings settings(String room) {
    Room r = room(room);
    return r == null ? Settings.OPEN : r.settings();
  }

  @Override
  public String hostSession(String room) {
    Room r = room(room);
    return r == null ? null : r.host();
  }

  @Override
  public List<String> members(String room) {
    Room r = room(room);
    return r == null ? List.of() : r.members().stream().map(Member::session).toList();
  }

  @Override
  public String roomOfPeer(String peerId) {
    String p = peerKey(peerId);
    return read(List.of(p)).index().get(p);
  }

  @Override
  public Member memberOf(String session) {
    String m = memberKey(session);
    return memberIn(read(List.of(m)), m, session);
  }

  @Override
  public int size(String room) {
    Room r = room(room);
    return r == null ? 0 : r.members().size();
  }

  @Override
  public int roomCount() {
    return new HashSet<>(indexOfLocal(this::memberKey)).size();
  }

  @Override
  public int memberCount() {
    return indexOfLocal(this::memberKey).size();
  }

  @Override
  public int knockCount() {
    return indexOfLocal(this::knockKey).size();
  }

  /**
   * The rooms this node's connections are in (or knock at), one entry per connection; while Redis
   * does not answer, one per connection here (an upper bound: drain waits rather than stop early).
   */
  private List<String> indexOfLocal(java.util.function.Function<String, String> key) {
    List<String> sessions = new ArrayList<>(local);
    List<String> out = new ArrayList<>();
    try {
      for (int i = 0; i < sessions.size(); i += 500) {
        String[] keys =
            sessions.subList(i, Math.min(sessions.size(), i + 500)).stream()
                .map(key)
                .toArray(String[]::new);
        for (KeyValue<String, byte[]> kv : store.sync().mget(keys)) {
          if (kv.hasValue()) {
            out.add(new String(kv.getValue(), StandardCharsets.UTF_8));
          }
        }
      }
      return out;
    } catch (RedisException e) {
      return sessions;
    }
  }

  private static String sha1(String source) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(bytes(source)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
